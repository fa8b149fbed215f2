"""The functions and methods a learner reaches for beyond the basics: log1p ... atan2, rounding,
nan tests, scans, logsumexp, amax, sort/topk, flips, triangles, diag, split/chunk, h/vstack, bmm,
gather, index_select, masked_fill, ``new_*``, the in-place variants and ``axis=``.

What a user sees is asserted literally (values as printed, grad_fn names, gradients, error
messages: all printed by PyTorch 2.13 for the same code). Where PyTorch is installed, a larger set
of snippets is also run on both and compared: repr, dtype, the graph's node names and, after a
backward, every leaf's gradient. The gradient formulas themselves are checked by the op table's
generated tests (``test_ops_table.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_torch_differential import graph_names

from autodiff_repl import engine
from autodiff_repl.session import Session

pytestmark = pytest.mark.usefixtures("clean_engine")


def leaves(T) -> dict:
    """The names the snippets use, made with ``T`` (this engine or PyTorch)."""
    return {
        "T": T,
        "x": T.tensor([[0.5, -1.25, 2.0], [0.3, 0.9, -0.4]], requires_grad=True),
        "d": T.tensor([[0.5, -1.25, 2.0], [0.3, 0.9, 0.9]], dtype=T.float64, requires_grad=True),
        "v": T.tensor([0.2, 0.7, -0.6, 0.1], requires_grad=True),
        "s": T.tensor(0.4, requires_grad=True),
        "z": T.tensor([1.0, 0.0, 2.0, 0.0, 3.0], requires_grad=True),
        "t": T.tensor([2.0, 1.0, 2.0, 0.0, 2.0], requires_grad=True),
        "b": T.ones(2, 2, 3, requires_grad=True),
        "i": T.tensor([[1, 2, 3], [4, 5, 6]]),
        "n": T.tensor([1.0, float("nan"), float("inf"), -float("inf")], requires_grad=True),
    }


LEAVES = ("x", "d", "v", "s", "z", "t", "b", "n")


def run(code: str, T=engine):
    with np.errstate(all="ignore"):  # log1p(-1.25) is nan, as in PyTorch
        return eval(code, leaves(T))  # fixed test code, not user input


# --- what a learner sees -----------------------------------------------------------------------

SHOWN = {
    "x.log1p()": "tensor([[ 0.4055,     nan,  1.0986],\n        [ 0.2624,  0.6419, -0.5108]], "
                 "grad_fn=<Log1PBackward0>)",
    "T.atan2(x, x.flip(0))": "tensor([[ 1.0304, -0.9468,  1.7682],\n        [ 0.5404,  2.5176, "
                             "-0.1974]], grad_fn=<Atan2Backward0>)",
    "x.floor()": "tensor([[ 0., -2.,  2.],\n        [ 0.,  0., -1.]], grad_fn=<FloorBackward0>)",
    "T.nan_to_num(T.tensor([1.0, float('nan'), float('inf')]))":
        "tensor([1.0000e+00, 0.0000e+00, 3.4028e+38])",
    "x.cumsum(axis=1)": "tensor([[ 0.5000, -0.7500,  1.2500],\n        [ 0.3000,  1.2000,  "
                        "0.8000]], grad_fn=<CumsumBackward0>)",
    "x.cumprod(1)": "tensor([[ 0.5000, -0.6250, -1.2500],\n        [ 0.3000,  0.2700, -0.1080]], "
                    "grad_fn=<CumprodBackward0>)",
    "x.logsumexp(1)": "tensor([2.2326, 1.4996], grad_fn=<LogsumexpBackward0>)",
    "t.amax()": "tensor(2., grad_fn=<AmaxBackward0>)",
    "t.sort(descending=True)": "torch.return_types.sort(\nvalues=tensor([2., 2., 2., 1., 0.], "
                               "grad_fn=<SortBackward0>),\nindices=tensor([0, 2, 4, 1, 3]))",
    "v.topk(2)": "torch.return_types.topk(\nvalues=tensor([0.7000, 0.2000], "
                 "grad_fn=<TopkBackward0>),\nindices=tensor([1, 0]))",
    "x.split([1, 2], dim=1)": "(tensor([[0.5000],\n        [0.3000]], "
                              "grad_fn=<SplitWithSizesBackward0>), tensor([[-1.2500,  2.0000],\n"
                              "        [ 0.9000, -0.4000]], grad_fn=<SplitWithSizesBackward0>))",
    "x.chunk(2)": "(tensor([[ 0.5000, -1.2500,  2.0000]], grad_fn=<SplitBackward0>), "
                  "tensor([[ 0.3000,  0.9000, -0.4000]], grad_fn=<SplitBackward0>))",
    "T.diag(x)": "tensor([0.5000, 0.9000], grad_fn=<DiagonalBackward0_copy>)",
    "x.gather(1, T.tensor([[0, 0], [2, 1]]))": "tensor([[ 0.5000,  0.5000],\n        [-0.4000,  "
                                               "0.9000]], grad_fn=<GatherBackward0>)",
    "x.masked_fill(x > 0.4, 0.0)": "tensor([[ 0.0000, -1.2500,  0.0000],\n        [ 0.3000,  "
                                   "0.0000, -0.4000]], grad_fn=<MaskedFillBackward0>)",
    "x.new_full((2,), 3)": "tensor([3., 3.])",
    "T.tensor([1, 2]).new_tensor([1.5, 2])": "tensor([1, 2])",
}


@pytest.mark.parametrize(("code", "shown"), SHOWN.items(), ids=SHOWN.keys())
def test_what_is_printed(code, shown):
    assert repr(run(code)) == shown


GRADIENTS = {  # the gradient of t (shown above) after out.sum().backward()
    "t.amax()": "tensor([0.3333, 0.0000, 0.3333, 0.0000, 0.3333])",  # ties share it evenly
    "t.sort().values[-1]": "tensor([0., 0., 0., 0., 1.])",
    "T.logsumexp(t, 0)": "tensor([0.2855, 0.1050, 0.2855, 0.0386, 0.2855])",
    "t.cumprod(0)[-2]": "tensor([0., 0., 0., 4., 0.])",  # at the only zero: the others' product
    "t.flip(0).roll(1)[0]": "tensor([1., 0., 0., 0., 0.])",
    "t.floor()": "tensor([0., 0., 0., 0., 0.])",
}


@pytest.mark.parametrize(("code", "grad"), GRADIENTS.items(), ids=GRADIENTS.keys())
def test_gradients(code, grad):
    names = leaves(engine)
    eval(code, names).sum().backward()  # fixed test code
    assert repr(names["t"].grad) == grad


def test_topk_takes_the_equal_values_pytorch_takes():
    """Among ties topk takes those PyTorch's selection leaves (``sort_order``)."""
    assert run("t.topk(2)").indices.tolist() == [2, 4]
    assert run("t.sort()").indices.tolist() == [3, 1, 0, 2, 4]  # up to 16 elements: stable


def test_results_unpack_and_name_their_parts():
    values, indices = run("v.sort()")
    assert values.grad_fn.name() == "SortBackward0" and indices.dtype is engine.int64
    assert run("v.topk(3, largest=False)").values.tolist() == pytest.approx([-0.6, 0.1, 0.2])


def test_axis_is_dim_and_keepdims_is_keepdim():
    x = run("x")
    for same in [(x.sum(axis=0), x.sum(dim=0)), (x.max(axis=1).values, x.max(1).values),
                 (engine.mean(x, axis=1, keepdims=True), x.mean(1, keepdim=True)),
                 (engine.cat([x, x], axis=1), engine.cat([x, x], 1)),
                 (x.softmax(axis=0), x.softmax(0)), (x.amax(axis=0), x.amax(0))]:
        assert repr(same[0]) == repr(same[1])
    with pytest.raises(TypeError, match="sum\\(\\) got an unexpected keyword argument 'axis'"):
        x.sum(dim=0, axis=1)


def test_new_tensors_take_the_dtype_of_the_tensor_they_come_from():
    d = engine.ones(2, dtype=engine.float64)
    assert repr(d.new_ones(2, 2)) == "tensor([[1., 1.],\n        [1., 1.]], dtype=torch.float64)"
    assert repr(d.new_zeros((2,), dtype=engine.int32)) == \
        "tensor([0, 0], dtype=torch.int32)"
    assert repr(d.new_tensor([1.0], requires_grad=True)) == \
        "tensor([1.], dtype=torch.float64, requires_grad=True)"
    with pytest.warns(UserWarning, match="rather than tensor.new_tensor\\(sourceTensor\\)"):
        d.new_tensor(d)


# --- in place ------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "grad_fn"), [
    ("exp_", "ExpBackward0"), ("sqrt_", "SqrtBackward0"), ("log_", "LogBackward0"),
    ("neg_", "NegBackward0"), ("abs_", "AbsBackward0"), ("sigmoid_", "SigmoidBackward0"),
    ("tanh_", "TanhBackward0"), ("relu_", "ReluBackward0"), ("square_", "PowBackward0"),
    ("floor_", "FloorBackward0")])
def test_in_place_variants_take_the_ops_node(method, grad_fn):
    x = engine.tensor([0.5, 1.5], requires_grad=True)
    y = x * 1
    assert getattr(y, method)() is y
    assert y.grad_fn.name() == grad_fn
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    with pytest.raises(RuntimeError, match=r"^a leaf Variable that requires grad is being used"):
        getattr(x, method)()


def test_pow_in_place_and_its_gradient():
    x = engine.tensor([0.5, 1.5], requires_grad=True)
    y = x * 2
    y.pow_(3)
    y.sum().backward()
    assert repr(y) == "tensor([ 1., 27.], grad_fn=<PowBackward0>)"
    assert repr(x.grad) == "tensor([ 6., 54.])"


def test_an_output_saved_by_an_in_place_op_then_changed():
    y = engine.tensor([0.5, 1.5], requires_grad=True) * 2
    y.exp_()  # ExpBackward0 keeps y as it is now (version 1)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="which is output 0 of Exp, is at version 2; expected "
                                           "version 1 instead"):
        y.sum().backward()


# --- errors: PyTorch's messages -----------------------------------------------------------------

ERRORS = {
    "x.cumsum()": (TypeError, 'cumsum() missing 1 required positional arguments: "dim"'),
    "T.logsumexp(x)": (TypeError, 'logsumexp() missing 1 required positional arguments: "dim"'),
    "x.flip()": (TypeError, 'flip() missing 1 required positional arguments: "dims"'),
    "x.flip((0, 0))": (RuntimeError, "dim 0 appears multiple times in the list of dims"),
    "x.cumsum(2)": (IndexError,
                    "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    "x.roll((1, 2), (0,))": (RuntimeError, "shifts and dimensions must align. shifts: 2, dims:1"),
    "v.tril()": (RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    "T.trace(v)": (RuntimeError, "trace: expected a matrix, but got tensor with dim 1"),
    "T.diag(b)": (RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"),
    "x.chunk(0)": (RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
    "s.split(1)": (RuntimeError, "split expects at least a 1-dimensional tensor"),
    "T.split(x, [1, 1], dim=1)": (RuntimeError, "split_with_sizes expects split_sizes to sum "
                                  "exactly to 3 (input tensor's size at dimension 1), but got "
                                  "split_sizes=[1, 1]"),
    "T.hstack([])": (RuntimeError, "hstack expects a non-empty TensorList"),
    "T.hstack([x, v])": (RuntimeError, "Tensors must have same number of dimensions: got 2 and 1"),
    "T.vstack(x)": (TypeError, "vstack(): argument 'tensors' (position 1) must be tuple of "
                    "Tensors, not Tensor"),
    "T.bmm(x, x)": (RuntimeError, "batch1 must be a 3D tensor"),
    "T.bmm(b, b)": (RuntimeError, "Expected size for first two dimensions of batch2 tensor to "
                    "be: [2, 3] but got: [2, 2]."),
    "T.bmm(b, T.ones(2, 3, 4, dtype=T.float64))": (RuntimeError,
                                                   "expected scalar type Float but found Double"),
    "T.gather(x, 1, T.tensor([[0.0]]))": (RuntimeError,
                                          "gather(): Expected dtype int32/int64 for index"),
    "T.gather(x, 1, T.tensor([[3]]))": (RuntimeError,
                                        "index 3 is out of bounds for dimension 1 with size 3"),
    "T.gather(x, 1, T.tensor([[0], [1], [0]]))": (
        RuntimeError, "Size does not match at dimension 0 expected index [3, 1] to be no larger "
        "than self [2, 3] apart from dimension 1"),
    "x.index_select(1, [2, 0])": (TypeError, "index_select(): argument 'index' (position 2) must "
                                  "be Tensor, not list"),
    "x.index_select(1, T.tensor([5]))": (RuntimeError, "INDICES element is out of DATA bounds, "
                                         "id=5 axis_dim=3"),
    "x.masked_fill(T.tensor([1, 0, 1]), 9)": (RuntimeError, "masked_fill_ only supports boolean "
                                              "masks, but got mask with dtype long int"),
    "x.masked_fill(x > 0, T.tensor([7.0]))": (RuntimeError, "masked_fill_ only supports a "
                                              "0-dimensional value tensor, but got tensor with 1 "
                                              "dimension(s)."),
    "v.topk(5)": (RuntimeError, "selected index k out of range"),
    "T.atan2(x, 2.0)": (TypeError, "atan2(): argument 'other' (position 2) must be Tensor, not "
                        "float"),
    "x.atan2(1)": (TypeError, "atan2(): argument 'other' (position 1) must be Tensor, not int"),
    "T.round(i, decimals=1)": (NotImplementedError, "\"round_cpu\" not implemented for 'Long'"),
    "T.amax(T.ones(0))": (RuntimeError, "amax(): Expected reduction dim to be specified for "
                          "input.numel() == 0. Specify the reduction dim with the 'dim' "
                          "argument."),
    "x.new_full(2, 3)": (TypeError, "new_full(): argument 'size' (position 1) must be tuple of "
                         "ints, not int"),
    "i.sqrt_()": (RuntimeError, "result type Float can't be cast to the desired output type Long"),
    "(x * 1).split(1)[0].add_(1)": (
        RuntimeError, "Output 0 of Split is a view and is being modified inplace. This view is "
        "the output of a function that returns multiple views. Such functions do not allow the "
        "output views to be modified inplace. You should replace the inplace operation by an "
        "out-of-place one."),
    "(x * 1).unbind()[1].mul_(2)": (
        RuntimeError, "Output 1 of Unbind is a view and is being modified inplace. This view is "
        "the output of a function that returns multiple views. Such functions do not allow the "
        "output views to be modified inplace. You should replace the inplace operation by an "
        "out-of-place one."),
}


@pytest.mark.parametrize(("code", "error"), ERRORS.items(), ids=ERRORS.keys())
def test_errors(code, error):
    kind, message = error
    with pytest.raises(kind) as info:
        run(code)
    assert type(info.value) is kind
    assert str(info.value) == message


# --- through the language: the allowlists ------------------------------------------------------

def test_the_new_names_are_usable_in_a_session():
    s = Session()
    s.execute("x = torch.tensor([[1., 3., 2.], [4., 0., 4.]], requires_grad=True)")
    for line, shown in [
        ("cumsum(x, axis=1)[0]", "tensor([1., 4., 6.], grad_fn=<SelectBackward0>)"),
        ("torch.vstack([x[0], x[1]]).amax()", "tensor(4., grad_fn=<AmaxBackward0>)"),
        ("x.sort(dim=1).indices", "tensor([[0, 2, 1],\n        [1, 0, 2]])"),
        ("x.new_zeros(2)", "tensor([0., 0.])"),
        ("torch.hstack([x, x]).shape", "torch.Size([2, 6])"),
        ("x.where(x > 2, 0.0)[1]", "tensor([4., 0., 4.], grad_fn=<SelectBackward0>)"),
    ]:
        out = s.execute(line)
        assert [getattr(o, "text", None) for o in out] == [shown], line


def test_the_numpy_facade_has_them_too():
    s = Session()
    s.execute("import numpy as np")
    s.execute("a = np.array([[3.0, 1.0], [2.0, 5.0]])")
    assert s.execute("np.sort(a, axis=0)")[0].text == "array([[2., 1.],\n       [3., 5.]])"
    assert s.execute("np.hstack([a, a]).shape")[0].text == "(2, 4)"
    assert s.execute("np.log1p(np.amax(a))")[0].text == "np.float64(1.791759469228055)"


def test_help_ops_lists_the_new_rows():
    rows = {line.split()[0]: line.split()[1] for line in
            Session().execute(":help ops")[0].text.splitlines()[1:] if not line.startswith(" ")}
    assert rows["log1p"] == "Log1PBackward0" and rows["cumprod"] == "CumprodBackward0"
    assert rows["diag"] == "DiagonalBackward0_copy" and rows["split"] == "SplitBackward0"
    assert rows["masked_fill_tensor"] == "MaskedFillBackward1"


# --- compared with PyTorch ----------------------------------------------------------------------

SNIPPETS = [
    "x.log1p()", "T.expm1(x)", "x.exp2()", "T.log2(x.abs())", "x.abs().log10()", "x.sinh()",
    "T.cosh(d)", "(x / 3).asin()", "T.acos(x / 3)", "T.arcsin(d / 3)", "x.atan()",
    "x.abs().rsqrt()", "T.atan2(x, x.flip(0))", "x.atan2(v[:3])", "T.atan2(i, i)", "T.floor(x)",
    "x.ceil()", "x.round()", "T.round(x * 3.7, decimals=1)", "x.trunc()", "T.fix(d)",
    "T.floor(i)", "i.round()", "T.isnan(n)", "n.isinf()", "T.isfinite(n)",
    "n.nan_to_num(nan=2.0, posinf=100.0)", "T.nan_to_num(n.double(), neginf=-3.0)",
    "x.cumsum(1)", "T.cumsum(x, dim=0)", "i.cumsum(0)", "x.cumsum(0, dtype=T.float64)",
    "s.cumsum(0)", "x.cumprod(1)", "z.cumprod(0)", "T.cumprod(T.stack([z, z * 2]), 1)",
    "T.tensor([0.0, 0.0, 2.0], requires_grad=True).cumprod(0)", "i.cumprod(1)",
    "T.logsumexp(x, 1)", "x.logsumexp(dim=(0, 1), keepdim=True)", "T.logsumexp(i, 0)",
    "x.amax()", "x.amax(1)", "T.amin(x, 0, keepdim=True)", "t.amin()",
    "T.stack([t, t.flip(0)]).amax(1)", "T.stack([t, t.flip(0)]).amax(dim=(0, 1))", "i.amax(1)",
    "x.sort()", "T.sort(x, dim=0, descending=True)", "t.sort()", "t.argsort()",
    "T.argsort(t, descending=True)", "i.argsort(dim=0, descending=True)", "x.topk(2)",
    "T.topk(x, 1, dim=0)", "x.topk(2, largest=False)", "v.topk(0)", "s.sort()", "s.topk(1)",
    "x.flip(0)", "T.flip(x, (0, 1))", "x.flip([1])", "s.flip(0)", "x.roll(1)", "T.roll(x, 1, 1)",
    "x.roll((1, -1), (0, 1))", "v.roll(-5)", "d.tril()", "T.triu(d, 1)", "x.tril(-1)",
    "b.triu()", "x.trace()", "T.trace(d[:, :2])", "i.trace()", "x.diag()", "T.diag(v)",
    "v.diag(1)", "T.diag(x, -1)", "T.diag(v, -2)", "x.chunk(2, 1)", "T.chunk(x, 3)",
    "v.chunk(3)", "x.split(2, 1)", "v.split(3)", "T.hstack([x, x])", "T.hstack([v, v[:2]])",
    "T.hstack([s, s])", "T.vstack([x, x])", "T.vstack([v, v])", "T.vstack([s, s])",
    "T.bmm(b, b.transpose(1, 2))", "b.bmm(b.mT)", "T.gather(x, 0, T.tensor([[1, 0, 1]]))",
    "x.index_select(1, T.tensor([2, 0, 2]))", "T.index_select(x, 0, T.tensor([1]))",
    "x.index_select(1, T.tensor(1))", "T.masked_fill(x, x < 0, -1)",
    "x.masked_fill(T.tensor([True, False, True]), s)", "v.masked_fill(v > 0, s * 2)",
    "i.masked_fill(i > 3, 2.7)", "x.where(x > 0, T.zeros(3))", "x.new_ones(2, 3)",
    "d.new_ones((2,))", "i.new_zeros(3)", "d.new_full((2,), 3)", "i.new_full((2,), 3.7)",
    "d.new_tensor([1, 2])", "T.sum(x, axis=1, keepdims=True)", "T.min(x, axis=1)",
    "x.prod(axis=1)", "x.std(axis=0)", "T.var(x, axis=1, keepdims=True)", "x.argmax(axis=1)",
    "T.argmin(x, axis=0, keepdims=True)", "T.log_softmax(x, axis=1)", "x.unsqueeze(axis=0)",
    "T.squeeze(x[None], axis=0)", "T.stack([x, x], axis=1)", "x.unbind(axis=1)",
    "(x > 0).all(axis=0)", "(x > 0).any(axis=1, keepdims=True)", "x.sum(dtype=T.float64)",
    "x.mean(0, dtype=T.float64)", "x.prod(dtype=T.float64)", *SHOWN, *GRADIENTS,
]




def _observe(T, code: str) -> list:
    """What a user would see of ``code``: its repr, dtype, graph and the leaves' gradients after
    a weighted backward."""
    names = leaves(T)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = eval(code, names)  # fixed test code
    seen = [repr(result)]
    first = result[0] if isinstance(result, tuple) else result
    seen.append(str(first.dtype))
    if first.grad_fn is not None:
        seen.append(graph_names(first))
    if first.requires_grad:
        w = np.linspace(0.5, 1.5, first.numel()).reshape(tuple(first.shape))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (first * T.tensor(w, dtype=first.dtype)).sum().backward()
        seen.append({k: repr(t.grad) for k, t in names.items()
                     if k in LEAVES and t.grad is not None})
    return seen


@pytest.mark.torch
@pytest.mark.parametrize("code", SNIPPETS)
def test_same_as_torch(code):
    torch = pytest.importorskip("torch")
    if code == "t.topk(2)":
        pytest.skip("PyTorch's choice among equal values (test_topk_takes_the_first...)")
    assert _observe(engine, code) == _observe(torch, code)


@pytest.mark.torch
@pytest.mark.parametrize(("code", "error"), ERRORS.items(), ids=ERRORS.keys())
def test_the_errors_are_torchs(code, error):
    torch = pytest.importorskip("torch")
    kind, message = error
    with pytest.raises(kind) as info:
        run(code, torch)
    assert str(info.value).split(" (Triggered internally")[0] == message


INPLACE = [
    "y = x * 1; y.exp_(); r = y", "y = x * 1; y.pow_(3); r = y", "y = x * 1; y.sqrt_(); r = y",
    "y = x.abs() + 0.1; y.log_(); r = y", "y = x * 2; y.neg_(); r = y",
    "y = x * 2; y.abs_(); r = y", "y = x * 2; y.sigmoid_(); r = y",
    "y = x * 2; y.tanh_(); r = y", "y = x * 2; y.relu_(); r = y",
    "y = x * 2; y.square_(); r = y", "y = x * 2; y.masked_fill_(y > 0, 0.5); r = y",
    "y = x * 2; y.round_(); r = y", "y = x * 2; y.sigmoid_(); y += 1; r = y",
    "y = x * 2; z = y.exp(); y.exp_(); r = z", "y = T.ones(3); p = y.split(1)[0]; p.add_(1); r = y",
    "y = T.ones(4); p = y.chunk(2)[1]; p.mul_(3); r = y", "y = x * 1; v = y[0]; v.exp_(); r = y",
    "y = T.tensor([1, 2]); y.pow_(2); r = y", "y = T.tensor([1, 2]); y.square_(); r = y",
    "y = x * 1; y.pow_(0.5); r = y",
]


def _run_program(T, program: str) -> list:
    names = {"T": T, "x": T.tensor([0.5, -1.5, 2.0], requires_grad=True)}
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(program, names)  # fixed test code
            r = names["r"]
            seen = [repr(r)]
            if r.requires_grad:
                r.sum().backward()
                seen.append(repr(names["x"].grad))
    except RuntimeError as e:
        return [str(e)]
    return seen


@pytest.mark.torch
@pytest.mark.parametrize("program", INPLACE)
def test_in_place_same_as_torch(program):
    torch = pytest.importorskip("torch")
    assert _run_program(engine, program) == _run_program(torch, program)
