"""Names the language gained: ``torch.device``, ``torch.cuda``, ``x.device``, ``x.to(device)``,
``torch.linalg``, ``torch.std``/``var``, ``diagonal``, ``einsum``, and the builtins ``repr`` and
``type`` (a harmless stand-in for the class); the Hessian of a learner's function keeps its graph.
Each statement's output is pinned as the user sees it, and compared with Python running real
PyTorch where it is installed."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import pytest
from support import autodiff_run, python_run

from autodiff_repl.lang.complete import complete
from autodiff_repl.lang.help_pages import help_text
from autodiff_repl.outputs import Error
from autodiff_repl.render import plain
from autodiff_repl.session import Session

SETUP = "import torch\nx = torch.arange(4.0, requires_grad=True)\nm = torch.ones(3, 3)"

CASES = [
    ('torch.device("cuda" if torch.cuda.is_available() else "cpu")', "device(type='cpu')"),
    ("x.to(torch.device('cpu'))", "tensor([0., 1., 2., 3.], requires_grad=True)"),
    ("x.to('cpu').device", "device(type='cpu')"),
    ("x.device.type", "'cpu'"),
    ("torch.device('cuda:1').index", "1"),
    ("torch.cuda.is_available()", "False"),
    ("torch.cuda.device_count()", "0"),
    ("torch.cuda.manual_seed(0)", ""),
    ("x.to('cuda')", "AssertionError: Torch not compiled with CUDA enabled"),
    ("torch.linalg.norm(x)", "tensor(3.7417, grad_fn=<LinalgVectorNormBackward0>)"),
    ("torch.linalg.vector_norm(x, ord=1)", "tensor(6., grad_fn=<LinalgVectorNormBackward0>)"),
    ("torch.linalg.matrix_norm(x.reshape(2, 2), ord='nuc')",
     "tensor(4.2426, grad_fn=<SumBackward1>)"),
    ("torch.linalg.svdvals(x.reshape(2, 2))",
     "tensor([3.7025, 0.5402], grad_fn=<LinalgSvdBackward0>)"),
    ("x.reshape(2, 2).norm(p='nuc')", "tensor(4.2426, grad_fn=<SumBackward1>)"),
    ("torch.std(x)", "tensor(1.2910, grad_fn=<StdBackward0>)"),
    ("torch.var(x, dim=0, keepdim=True)", "tensor([1.6667], grad_fn=<VarBackward0>)"),
    ("x.std()", "tensor(1.2910, grad_fn=<StdBackward0>)"),
    ("m.diagonal(1)", "tensor([1., 1.])"),
    ("torch.diagonal(x.reshape(2, 2))", "tensor([0., 3.], grad_fn=<DiagonalBackward0>)"),
    ("torch.einsum('i,i->', x, x)", "tensor(14., grad_fn=<ViewBackward0>)"),
    ("torch.einsum('ij->ji', x.reshape(2, 2))",
     "tensor([[0., 2.],\n        [1., 3.]], grad_fn=<PermuteBackward0>)"),
    ("torch.tensor([100000.0], dtype=torch.float16)", "tensor([inf], dtype=torch.float16)"),
    ("torch.tensor([1e40])", "tensor([inf])"),
    ("repr(x)", "'tensor([0., 1., 2., 3.], requires_grad=True)'"),
    ("repr([1, 2.5])", "'[1, 2.5]'"),
    ("type(x)", "<class 'torch.Tensor'>"),
    ("type(3)", "<class 'int'>"),
    ("type(2.5)", "<class 'float'>"),
    ("type(None)", "<class 'NoneType'>"),
    ("type(x.shape)", "<class 'torch.Size'>"),
    ("type(x.dtype)", "<class 'torch.dtype'>"),
    ("type(x.device)", "<class 'torch.device'>"),
    ("type((x * 2).grad_fn)", "<class 'MulBackward0'>"),
    ("type((x * 2).grad_fn.next_functions[0][0])", "<class 'AccumulateGrad'>"),
    ("type(torch)", "<class 'module'>"),
    ("type(torch.tensor)", "<class 'builtin_function_or_method'>"),
    ("type(torch.autograd.grad)", "<class 'function'>"),
    ("type(lambda: 1)", "<class 'function'>"),
    ("type(x.max(0))", "<class 'torch.return_types.max'>"),
    ("type(torch.no_grad())", "<class 'torch.autograd.grad_mode.no_grad'>"),
    ("type(type(x))", "<class 'torch._C._TensorMeta'>"),
    ("type(int)", "<class 'type'>"),
    ("type(x) == torch.Tensor", "True"),
    ("type(x) is torch.Tensor", "True"),
    ("type(x) is not torch.Tensor", "False"),
    ("type(3) in (int, float)", "True"),
    ("type(x) == type(x * 2)", "True"),
    ("isinstance(x, type(x))", "True"),
    ("type(3)('4')", "4"),
    ("type(x)([1.0, 2.0])", "tensor([1., 2.])"),
    ("print(type(x))", "<class 'torch.Tensor'>"),
    ("f'{type(2.5)}'", "\"<class 'float'>\""),
    ("torch.autograd.functional.hessian(lambda v: (v ** 2).sum(), x, create_graph=True)",
     "tensor([[2., 0., 0., 0.],\n        [0., 2., 0., 0.],\n        [0., 0., 2., 0.],\n"
     "        [0., 0., 0., 2.]], grad_fn=<ViewBackward0>)"),
    ("torch.autograd.functional.hessian(lambda v: (v ** 3).sum(), x, create_graph=True)",
     "tensor([[ 0.,  0.,  0.,  0.],\n        [ 0.,  6.,  0.,  0.],\n"
     "        [ 0.,  0., 12.,  0.],\n        [ 0.,  0.,  0., 18.]], grad_fn=<ViewBackward0>)"),
    # what learners reach for next: special functions, activations, losses, selections
    ("torch.erf(x)", "tensor([0.0000, 0.8427, 0.9953, 1.0000], grad_fn=<ErfBackward0>)"),
    ("torch.nn.functional.gelu(x)",
     "tensor([0.0000, 0.8413, 1.9545, 2.9960], grad_fn=<GeluBackward0>)"),
    ("torch.nn.functional.cross_entropy(m, torch.tensor([0, 1, 2]))", "tensor(1.0986)"),
    ("x.median()", "tensor(1., grad_fn=<MedianBackward0>)"),
    ("x.kthvalue(2)", "torch.return_types.kthvalue(\n"
     "values=tensor(1., grad_fn=<KthvalueBackward0>),\nindices=tensor(1))"),
    ("torch.trapezoid(x)", "tensor(4.5000, grad_fn=<MulBackward1>)"),
    ("torch.lerp(x, m[0, :1], 0.5)",
     "tensor([0.5000, 1.0000, 1.5000, 2.0000], grad_fn=<LerpBackward0>)"),
    ("torch.ones(2, device='cuda')", "AssertionError: Torch not compiled with CUDA enabled"),
]


def language(statement: str) -> str:
    """What the language shows for ``statement`` after SETUP, hint lines left out."""
    s = Session()
    s.execute(SETUP)
    shown = plain(s.execute(statement)).splitlines()
    return "\n".join(line for line in shown if not line.startswith("hint:"))


def python(statement: str) -> str:
    """What Python with real PyTorch shows for ``statement`` after SETUP, as a console would."""
    torch = pytest.importorskip("torch")
    namespace = {"torch": torch}
    exec(SETUP.removeprefix("import torch\n"), namespace)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = eval(statement, namespace)
        except Exception as error:
            return f"{type(error).__name__}: {error}"
    shown = printed.getvalue().rstrip("\n")
    return shown if value is None else repr(value)


@pytest.mark.parametrize(("statement", "expected"), CASES)
def test_the_language_prints_what_pytorch_prints(statement, expected):
    assert language(statement) == expected


@pytest.mark.parametrize(("statement", "expected"), CASES)
def test_the_pinned_outputs_are_pythons_with_pytorch(statement, expected):
    assert python(statement) == expected


def test_a_hessian_of_a_def_keeps_its_graph():
    s = Session()
    s.execute(SETUP)
    s.execute("def f(v):\n    return (v ** 2).sum()")
    assert plain(s.execute("h = torch.autograd.functional.hessian(f, x, create_graph=True)\n"
                           "h.grad_fn")).startswith("<ViewBackward0 object at 0x")


SCRIPT = """\
import torch
from torch.linalg import vector_norm
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
x = torch.arange(4.0, requires_grad=True).to(device)
print(x.device, torch.cuda.device_count())
y = torch.einsum("i,i->", x, x) + torch.std(x) + vector_norm(x, ord=1)
y.backward()
print(y)
print(x.grad)
print(type(x), repr(torch.ones(2, 2).diagonal()))
print(torch.tensor([1e40]), torch.tensor([70000], dtype=torch.float16))
"""

SCRIPT_OUTPUT = """\
cpu 0
tensor(21.2910, grad_fn=<AddBackward0>)
tensor([-0.3873,  2.8709,  5.1291,  7.3873])
<class 'torch.Tensor'> tensor([1., 1.])
tensor([inf]) tensor([inf], dtype=torch.float16)
"""


def test_autodiff_run_runs_a_script_that_uses_them(tmp_path: Path):
    script = tmp_path / "devices.py"
    script.write_text(SCRIPT)
    proc = autodiff_run(script, tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, SCRIPT_OUTPUT, "")


def test_the_script_prints_what_python_with_pytorch_prints(tmp_path: Path):
    pytest.importorskip("torch")
    script = tmp_path / "devices.py"
    script.write_text(SCRIPT)
    proc = python_run(script)
    assert (proc.returncode, proc.stdout) == (0, SCRIPT_OUTPUT)


@pytest.mark.parametrize(("statement", "kind"), [
    ("type(x).__name__", "AttributeError"),
    ("type(x).mro()", "AttributeError"),
    ("type(x).callable_as", "AttributeError"),
    ("type(type(x))('A', (), {})", "TypeError"),
    ("type('A', (), {})", "TypeError"),
    ("type(len)(1)", "TypeError"),
    ("type(x.grad_fn)()", "TypeError"),
    ("type(torch.float32)('a', 'O', 'b')", "TypeError"),
])
def test_the_class_stand_in_opens_no_door(statement, kind):
    s = Session()
    s.execute(SETUP)
    errors = [o for o in s.execute(statement) if isinstance(o, Error)]
    assert [e.type for e in errors] == [kind]


def test_type_with_three_arguments_says_classes_are_not_supported():
    s = Session()
    errors = [o for o in s.execute("type('A', (), {})") if isinstance(o, Error)]
    assert errors[0].message == ("type() takes 1 argument here: type(x) shows x's class; "
                                 "classes of your own are not supported")


def test_the_new_names_complete_and_have_help():
    s = Session()
    s.execute("x = torch.ones(2)")
    assert complete(s, "torch.cuda.") == ["current_device", "device_count", "is_available",
                                          "manual_seed", "manual_seed_all"]
    assert complete(s, "torch.linalg.") == ["matrix_norm", "norm", "svdvals", "vector_norm"]
    assert complete(s, "x.dia") == ["diag", "diagonal"]
    assert complete(s, "x.device.") == ["index", "type"]
    assert "einsum" in complete(s, "torch.ei") and "type" in complete(s, "ty")
    assert help_text("cuda", s).splitlines() == [
        "module torch.cuda: a CPU-only build's: no GPU here",
        "  current_device device_count is_available manual_seed manual_seed_all"]
    assert help_text("torch.linalg", s).splitlines() == [
        "module torch.linalg", "  matrix_norm norm svdvals vector_norm"]
    assert help_text("einsum", s).startswith("torch.einsum(equation, /, *operands)\n")
    assert "grad_fn=DiagonalBackward0" in help_text("diagonal", s)
    assert "repr" in help_text("language", s) and "torch.linalg" in help_text("language", s)


def test_imports_of_the_new_modules_bind_names():
    s = Session()
    out = s.execute("import torch.cuda\nfrom torch.linalg import norm\n"
                    "(torch.cuda.is_available(), norm(torch.ones(4)))")
    assert plain(out) == "(False, tensor(2.))"


def test_the_learners_names_complete():
    s = Session()
    s.execute(SETUP)
    assert complete(s, "torch.nn.functional.gel") == ["gelu"]
    assert complete(s, "torch.nn.functional.binary") == ["binary_cross_entropy",
                                                         "binary_cross_entropy_with_logits"]
    assert complete(s, "x.medi") == ["median"] and complete(s, "x.is_inf") == ["is_inference"]
    assert complete(s, "torch.randp") == ["randperm"]
    assert complete(s, "torch.return_types.") == ["kthvalue", "max", "median", "min", "sort",
                                                  "topk"]
