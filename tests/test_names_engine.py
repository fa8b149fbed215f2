"""Names the engine gained: ``diagonal`` (a view, ``DiagonalBackward0``), ``einsum`` (PyTorch's
own steps, so its ``grad_fn`` and graph), creation that overflows to ``inf`` as PyTorch's does
(and Python ints mixed with floats converted each by its own type), fill values checked as
PyTorch checks them, the Hessian of a square keeping its graph (a gradient's own graph has
PyTorch's nodes: ``TanhBackwardBackward0`` for tanh, ``ThresholdBackwardBackward0`` for relu ...,
differentiable again; a gradient summed back over broadcast dims as ``sum_to_size`` sums), and
the matrix norms from singular values (``linalg.norm(A, ord=2)``, ``'nuc'`` also through
``torch.norm``, ``matrix_norm`` of empty matrices, ``svdvals``). What the user sees is pinned as
strings, and compared with PyTorch where it is installed."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from test_engine_devices import CASES as DEVICE_CASES  # devices, division, linalg, type errors
from test_names_learners import CASES as LEARNER_CASES  # erf ... gelu ... cross_entropy ...

import autodiff_repl.engine as torch
from autodiff_repl.engine.gradcheck import gradcheck, gradgradcheck

HEX = re.compile(r"0x[0-9a-f]+")


def outcome(fn) -> str:
    """What the user sees: the result's repr, or ``ExceptionName: message``."""
    try:
        return HEX.sub("0x…", repr(fn()))
    except Exception as error:  # every outcome is compared
        return f"{type(error).__name__}: {error}"


class Shown(str):
    """Text that is its own repr (what ``outcome`` shows of a graph)."""

    def __repr__(self) -> str:
        return self


def graph(t) -> Shown:
    """The nodes behind ``t``, depth first, each indented by its depth, joined by ``|``."""
    lines = []

    def walk(node, depth):
        if node is not None:
            lines.append(" " * depth + node.name().rpartition("::")[2])
            for parent, _ in node.next_functions:
                walk(parent, depth + 1)
    walk(t.grad_fn, 0)
    return Shown("|".join(lines))


def m(t):
    return t.arange(9.0).reshape(3, 3).requires_grad_()


def v(t):
    return t.arange(4.0, requires_grad=True)


def b(t):
    return t.arange(12.0).reshape(2, 2, 3).requires_grad_()


def c(t):
    return t.arange(12.0).reshape(2, 3, 2).requires_grad_()


DIAGONAL = {
    "main": (lambda t: m(t).diagonal(), "tensor([0., 4., 8.], grad_fn=<DiagonalBackward0>)"),
    "above": (lambda t: m(t).diagonal(1), "tensor([1., 5.], grad_fn=<DiagonalBackward0>)"),
    "below": (lambda t: m(t).diagonal(offset=-1),
              "tensor([3., 7.], grad_fn=<DiagonalBackward0>)"),
    "outside": (lambda t: m(t).diagonal(5), "tensor([], grad_fn=<DiagonalBackward0>)"),
    "function_swapped_dims": (lambda t: t.diagonal(m(t), 1, 1, 0),
                              "tensor([3., 7.], grad_fn=<DiagonalBackward0>)"),
    "batched": (lambda t: b(t).diagonal(dim1=1, dim2=2),
                "tensor([[ 0.,  4.],\n        [ 6., 10.]], grad_fn=<DiagonalBackward0>)"),
    "batched_outer_dims": (lambda t: b(t).diagonal(0, 0, 2),
                           "tensor([[ 0.,  7.],\n        [ 3., 10.]], "
                           "grad_fn=<DiagonalBackward0>)"),
    "wide": (lambda t: t.arange(6.0).reshape(2, 3).diagonal(1), "tensor([1., 5.])"),
    "ints": (lambda t: t.arange(9).reshape(3, 3).diagonal(), "tensor([0, 4, 8])"),
    "not_contiguous": (lambda t: m(t).diagonal().is_contiguous(), "False"),
    "next_functions": (lambda t: m(t).diagonal().grad_fn.next_functions,
                       "((<AccumulateGrad object at 0x…>, 0),)"),
    "gradient": (lambda t: (lambda x: t.autograd.grad(x.diagonal(1).sum(), x))(m(t)),
                 "(tensor([[0., 1., 0.],\n        [0., 0., 1.],\n        [0., 0., 0.]]),)"),
    "gradient_of_batched": (
        lambda t: (lambda x: t.autograd.grad(x.diagonal(1, 2, 0).pow(2).sum(), x))(b(t)),
        "(tensor([[[ 0.,  0.,  0.],\n         [ 0.,  0.,  0.]],\n\n"
        "        [[12.,  0.,  0.],\n         [18.,  0.,  0.]]]),)"),
    "second_order": (
        lambda t: (lambda x: t.autograd.grad(
            t.autograd.grad((x ** 3).diagonal().sum(), x, create_graph=True)[0].sum(), x))(m(t)),
        "(tensor([[ 0.,  0.,  0.],\n        [ 0., 24.,  0.],\n        [ 0.,  0., 48.]]),)"),
    "vector": (lambda t: v(t).diagonal(),
               "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got "
               "1)"),
    "same_dims": (lambda t: m(t).diagonal(dim1=0, dim2=-2),
                  "RuntimeError: diagonal dimensions cannot be identical 0, -2"),
    "float_offset": (lambda t: t.diagonal(m(t), 0.5),
                     "TypeError: diagonal(): argument 'offset' (position 2) must be int, not "
                     "float"),
    "float_offset_method": (lambda t: m(t).diagonal(0.5),
                            "TypeError: diagonal(): argument 'offset' (position 1) must be int, "
                            "not float"),
}


EINSUM = {
    "dot": (lambda t: t.einsum("i,i->", v(t), v(t)), "tensor(14., grad_fn=<ViewBackward0>)"),
    "matmul": (lambda t: t.einsum("ij,jk->ik", m(t), m(t)),
               "tensor([[ 15.,  18.,  21.],\n        [ 42.,  54.,  66.],\n"
               "        [ 69.,  90., 111.]], grad_fn=<ViewBackward0>)"),
    "transpose": (lambda t: t.einsum("ij->ji", m(t)),
                  "tensor([[0., 3., 6.],\n        [1., 4., 7.],\n        [2., 5., 8.]], "
                  "grad_fn=<PermuteBackward0>)"),
    "diagonal": (lambda t: t.einsum("ii->i", m(t)),
                 "tensor([0., 4., 8.], grad_fn=<PermuteBackward0>)"),
    "sum": (lambda t: t.einsum("ij->", m(t)), "tensor(36., grad_fn=<SumBackward1>)"),
    "trace": (lambda t: t.einsum("ii", m(t)), "tensor(12., grad_fn=<SumBackward1>)"),
    "batched": (lambda t: t.einsum("bij,bjk->bik", b(t), c(t)),
                "tensor([[[ 10.,  13.],\n         [ 28.,  40.]],\n\n"
                "        [[172., 193.],\n         [244., 274.]]], grad_fn=<ViewBackward0>)"),
    "outer": (lambda t: t.einsum("i,j->ij", v(t)[:2], v(t)[:3]),
              "tensor([[0., 0., 0.],\n        [0., 1., 2.]], grad_fn=<MulBackward0>)"),
    "implicit": (lambda t: t.einsum("ij,jk", m(t), m(t)).sum(),
                 "tensor(486., grad_fn=<SumBackward0>)"),
    "ellipsis": (lambda t: t.einsum("...ij,...jk->...ik", b(t), c(t))[1, 1],
                 "tensor([244., 274.], grad_fn=<SelectBackward0>)"),
    "spaces": (lambda t: t.einsum("i j, j -> i", m(t), v(t)[:3]),
               "tensor([ 5., 14., 23.], grad_fn=<ViewBackward0>)"),
    "list_of_operands": (lambda t: t.einsum("i,i", [v(t), v(t)]),
                         "tensor(14., grad_fn=<ViewBackward0>)"),
    "sublists": (lambda t: t.einsum(v(t), [0], v(t), [0], []),
                 "tensor(14., grad_fn=<ViewBackward0>)"),
    "ints": (lambda t: t.einsum("i,i->", t.arange(3), t.arange(3)), "tensor(5)"),
    "three_operands": (lambda t: t.einsum("i,i,i->", v(t), v(t), v(t)),
                       "tensor(36., grad_fn=<ViewBackward0>)"),
    "graph_dot": (lambda t: graph(t.einsum("i,i->", v(t), v(t))),
                  "ViewBackward0| PermuteBackward0|  ViewBackward0|   BmmBackward0|"
                  "    ViewBackward0|     PermuteBackward0|      PermuteBackward0|"
                  "       AccumulateGrad|    ViewBackward0|     PermuteBackward0|"
                  "      PermuteBackward0|       AccumulateGrad"),
    "graph_diagonal": (lambda t: graph(t.einsum("ii->i", m(t))),
                       "PermuteBackward0| PermuteBackward0|  DiagonalBackward0|   AccumulateGrad"),
    "graph_summed_apart": (lambda t: graph(t.einsum("i,j->", v(t), v(t))),
                           "ViewBackward0| MulBackward0|  SumBackward1|   PermuteBackward0|"
                           "    UnsqueezeBackward0|     AccumulateGrad|  SumBackward1|"
                           "   PermuteBackward0|    UnsqueezeBackward0|     AccumulateGrad"),
    "gradient": (lambda t: (lambda x: t.autograd.grad(t.einsum("ij,jk->ik", x, x).sum(), x))(
        m(t)), "(tensor([[12., 21., 30.],\n        [15., 24., 33.],\n"
               "        [18., 27., 36.]]),)"),
    "hessian": (lambda t: t.autograd.functional.hessian(
        lambda x: t.einsum("i,i->", x, x), v(t)[:2].detach(), create_graph=True),
        "tensor([[2., 0.],\n        [0., 2.]])"),
    "mixed_dtypes": (lambda t: t.einsum("i,i->", t.ones(2), t.ones(2, dtype=t.float64)),
                     "RuntimeError: expected scalar type Float but found Double"),
    "too_few_subscripts": (lambda t: t.einsum("i,i->", v(t), m(t)),
                           "RuntimeError: einsum(): the number of subscripts in the equation (1) "
                           "does not match the number of dimensions (2) for operand 1 and no "
                           "ellipsis was given"),
    "too_few_operands": (lambda t: t.einsum("ij,jk->ik", m(t)),
                         "RuntimeError: einsum(): fewer operands were provided than specified "
                         "in the equation"),
    "too_many_operands": (lambda t: t.einsum("i", v(t), v(t)),
                          "RuntimeError: einsum(): more operands were provided than specified in "
                          "the equation"),
    "sizes": (lambda t: t.einsum("i,i", t.ones(2), t.ones(3)),
              "RuntimeError: einsum(): subscript i has size 3 for operand 1 which does not "
              "broadcast with previously seen size 2"),
    "repeated_sizes": (lambda t: t.einsum("ii", t.ones(2, 3)),
                       "RuntimeError: einsum(): subscript i is repeated for operand 0 but the "
                       "sizes don't match, 3 != 2"),
    "bad_label": (lambda t: t.einsum("i1", t.ones(2, 2)),
                  "RuntimeError: einsum(): invalid subscript given at index 1 in the equation "
                  "string, subscripts must be in [a-zA-Z]"),
    "unknown_output": (lambda t: t.einsum("ij->k", t.ones(2, 2)),
                       "RuntimeError: einsum(): output subscript k does not appear in the "
                       "equation for any input operand"),
    "repeated_output": (lambda t: t.einsum("ij->ii", t.ones(2, 2)),
                        "RuntimeError: einsum(): output subscript i appears more than once in "
                        "the output"),
    "list_operand": (lambda t: t.einsum("i,i->", [1, 2], [3, 4]),
                     "TypeError: expected Tensor as element 0 in argument 1, but got list"),
    "no_operands": (lambda t: t.einsum("ij"),
                    "ValueError: einsum(): must specify the equation string and at least one "
                    "operand, or at least one operand and its subscripts list"),
    "not_a_string": (lambda t: t.einsum(5, t.ones(2)),
                     "TypeError: einsum(): argument 'equation' (position 1) must be str, not "
                     "int"),
}


CREATION = {
    "half_overflows": (lambda t: t.tensor([100000.0], dtype=t.float16),
                       "tensor([inf], dtype=torch.float16)"),
    "float_overflows": (lambda t: t.tensor([1e40]), "tensor([inf])"),
    "scalar_overflows": (lambda t: t.tensor(-1e40), "tensor(-inf)"),
    "int_into_half": (lambda t: t.tensor(70000, dtype=t.float16),
                      "tensor(inf, dtype=torch.float16)"),
    "half_rounds_to_max": (lambda t: t.tensor([65504.0, 65520.0, 65519.0], dtype=t.float16),
                           "tensor([65504.,    inf, 65504.], dtype=torch.float16)"),
    "requires_grad": (lambda t: t.tensor([[1e40, 1.0], [2.0, 3.0]], requires_grad=True),
                      "tensor([[inf, 1.],\n        [2., 3.]], requires_grad=True)"),
    "as_tensor": (lambda t: t.as_tensor([1e40], dtype=t.float16),
                  "tensor([inf], dtype=torch.float16)"),
    "from_array": (lambda t: t.tensor(np.array([1e40, 2.0]), dtype=t.float16),
                   "tensor([inf, 2.], dtype=torch.float16)"),
    "array_wraps": (lambda t: t.tensor(np.array([-1, 300]), dtype=t.uint8),
                    "tensor([255,  44], dtype=torch.uint8)"),
    "float64_keeps": (lambda t: t.tensor([1e40], dtype=t.float64),
                      "tensor([1.0000e+40], dtype=torch.float64)"),
    "numpy_number_keeps_dtype": (lambda t: t.tensor(np.float64(1e40)),
                                 "tensor(1.0000e+40, dtype=torch.float64)"),
    "numpy_numbers_promote": (lambda t: t.tensor([1.0, np.float64(2)]),
                              "tensor([1., 2.], dtype=torch.float64)"),
    "big_int_into_float": (lambda t: t.tensor([2**70, 1.5]),
                           "tensor([1.1806e+21, 1.5000e+00])"),
    "big_int": (lambda t: t.tensor([2**63]),
                "ValueError: Overflow when unpacking long long"),
    "uint8_too_big": (lambda t: t.tensor([300], dtype=t.uint8),
                      "RuntimeError: value cannot be converted to type uint8 without overflow"),
    "uint8_wraps_negative": (lambda t: t.tensor([-1], dtype=t.uint8),
                             "tensor([255], dtype=torch.uint8)"),
    "int8_too_small": (lambda t: t.tensor([-129], dtype=t.int8),
                       "RuntimeError: value cannot be converted to type int8 without overflow"),
    "float_into_int32": (lambda t: t.tensor([2.0**31], dtype=t.int32),
                         "RuntimeError: value cannot be converted to type int32 without "
                         "overflow"),
    "nan_into_int": (lambda t: t.tensor([float("nan")], dtype=t.int64),
                     "RuntimeError: value cannot be converted to type int64 without overflow"),
    "negative_float_into_uint8": (lambda t: t.tensor([-3.9], dtype=t.uint8),
                                  "RuntimeError: value cannot be converted to type uint8 "
                                  "without overflow"),
    "float_truncates": (lambda t: t.tensor([3.9], dtype=t.uint8),
                        "tensor([3], dtype=torch.uint8)"),
    # ints mixed with floats: each number converted by its own type (an int may wrap, a float not)
    "uint8_mixed_wraps_the_int": (lambda t: t.tensor([-1, 2.5], dtype=t.uint8),
                                  "tensor([255,   2], dtype=torch.uint8)"),
    "uint8_mixed_nested": (lambda t: t.tensor([[-1, 2], [3.5, -4]], dtype=t.uint8),
                           "tensor([[255,   2],\n        [  3, 252]], dtype=torch.uint8)"),
    "uint8_mixed_negative_float": (lambda t: t.tensor([-1, -0.5], dtype=t.uint8),
                                   "RuntimeError: value cannot be converted to type uint8 "
                                   "without overflow"),
    "uint8_mixed_int_too_far_down": (lambda t: t.tensor([-256, 0.5], dtype=t.uint8),
                                     "RuntimeError: value cannot be converted to type uint8 "
                                     "without overflow"),
    "int8_mixed_truncates": (lambda t: t.tensor([-128, -2.7], dtype=t.int8),
                             "tensor([-128,   -2], dtype=torch.int8)"),
    "int8_mixed_too_small": (lambda t: t.tensor([-129, 1.5], dtype=t.int8),
                             "RuntimeError: value cannot be converted to type int8 without "
                             "overflow"),
    "int64_mixed_keeps_every_digit": (lambda t: t.tensor([2**62 + 1, 0.5], dtype=t.int64),
                                      "tensor([4611686018427387905,                   0])"),
    "numpy_float_into_uint8": (lambda t: t.tensor(np.float64(2.5), dtype=t.uint8),
                               "tensor(2, dtype=torch.uint8)"),
    "big_int_into_bool": (lambda t: t.tensor([2**63, -2**70, 0], dtype=t.bool),
                          "tensor([ True,  True, False])"),
    "none": (lambda t: t.tensor([1, None]), "RuntimeError: Could not infer dtype of NoneType"),
    "full_overflows": (lambda t: t.full((2,), 1e40),
                       "RuntimeError: value cannot be converted to type float without overflow"),
    "full_inf": (lambda t: t.full((2,), float("inf")), "tensor([inf, inf])"),
    "full_half": (lambda t: t.full((2,), 70000.0, dtype=t.float16),
                  "RuntimeError: value cannot be converted to type c10::Half without overflow"),
    "full_uint8": (lambda t: t.full((2,), 300, dtype=t.uint8),
                   "RuntimeError: value cannot be converted to type uint8_t without overflow"),
    "full_uint8_wraps": (lambda t: t.full((2,), -1, dtype=t.uint8),
                         "tensor([255, 255], dtype=torch.uint8)"),
    "full_int32": (lambda t: t.full((2,), 1e10, dtype=t.int32),
                   "RuntimeError: value cannot be converted to type int without overflow"),
    "full_like": (lambda t: t.full_like(t.ones(2), 1e40),
                  "RuntimeError: value cannot be converted to type float without overflow"),
    "fill_int8": (lambda t: t.zeros(2, dtype=t.int8).fill_(300),
                  "RuntimeError: value cannot be converted to type int8_t without overflow"),
    "fill_half": (lambda t: t.zeros(2, dtype=t.float16).fill_(65520),
                  "RuntimeError: value cannot be converted to type c10::Half without overflow"),
    "fill_fits": (lambda t: t.zeros(2, dtype=t.float16).fill_(65504),
                  "tensor([65504., 65504.], dtype=torch.float16)"),
}


HESSIAN = {
    "square_lambda": (lambda t: t.autograd.functional.hessian(lambda x: (x ** 2).sum(), v(t),
                                                              create_graph=True),
                      "tensor([[2., 0., 0., 0.],\n        [0., 2., 0., 0.],\n"
                      "        [0., 0., 2., 0.],\n        [0., 0., 0., 2.]], "
                      "grad_fn=<ViewBackward0>)"),
    "square_scalar": (lambda t: t.autograd.functional.hessian(
        lambda x: x ** 2, t.tensor(2.0), create_graph=True),
        "tensor(2., grad_fn=<ViewBackward0>)"),
    "square_without_graph": (lambda t: t.autograd.functional.hessian(
        lambda x: x ** 2, t.tensor(2.0)), "tensor(2.)"),
    "gradient_of_square": (lambda t: (lambda x: t.autograd.grad(
        (x ** 2).sum(), x, create_graph=True)[0])(v(t)),
        "tensor([0., 2., 4., 6.], grad_fn=<MulBackward0>)"),
    "gradient_of_square_depends_on_x": (lambda t: (lambda x: "PowBackward0" in graph(
        t.autograd.grad((x ** 2).sum(), x, create_graph=True)[0]))(v(t)), "True"),
    # the gradient's own graph: grad · (n · x^(n-1)), the number times the power a MulBackward1
    "gradient_of_square_graph": (lambda t: (lambda x: graph(t.autograd.grad(
        (x ** 2).sum(), x, create_graph=True)[0]))(v(t)),
        "MulBackward0| MulBackward1|  PowBackward0|   AccumulateGrad"),
    "second_gradient_of_cube_graph": (lambda t: (lambda x: graph(t.autograd.grad(
        t.autograd.grad((x ** 3).sum(), x, create_graph=True)[0].sum(), x,
        create_graph=True)[0]))(v(t)),
        "MulBackward0| MulBackward1|  PowBackward0|   AccumulateGrad"),
    "gradient_of_number_to_the_x_graph": (lambda t: (lambda x: graph(t.autograd.grad(
        (2 ** x).sum(), x, create_graph=True)[0]))(v(t)),
        "MulBackward0| MulBackward1|  PowBackward2|   AccumulateGrad"),
    "gradient_of_tensor_power_graph": (lambda t: (lambda x: graph(t.autograd.grad(
        (x ** t.tensor(3.0)).sum(), x, create_graph=True)[0]))(v(t)),
        "WhereBackward0| MulBackward0|  MulBackward0|   PowBackward1|    AccumulateGrad"),
    "linear_has_none": (lambda t: t.autograd.functional.hessian(lambda x: x.sum(), v(t),
                                                                create_graph=True).grad_fn,
                        "None"),
}


def three(t, values=(0.5, -1.0, 2.0)):
    return t.tensor(list(values), requires_grad=True)


def gradient(t, f, values=(0.5, -1.0, 2.0)):
    """The gradient of f(x).sum() with its own graph (``create_graph=True``)."""
    x = three(t, values)
    return t.autograd.grad(f(x).sum(), x, create_graph=True)[0]


def upstream(t, f):
    """vᵀJ with an upstream v that requires grad (as in a Hessian-vector product), recorded."""
    x = three(t)
    return t.autograd.grad(f(x), x, t.tensor([1.0, 2.0, 3.0], requires_grad=True),
                           create_graph=True)[0]


def hessian_row(t, f):
    """The second derivatives of f(x)·(1, 2, 3): the gradient of its gradient's first element."""
    x = three(t)
    g, = t.autograd.grad((f(x) * t.tensor([1.0, 2.0, 3.0])).sum(), x, create_graph=True)
    return t.autograd.grad(g[0], x)[0]


def upstream_second(t, f):
    """The derivatives of (vᵀJ)[0] with respect to x and to the upstream v."""
    x, v = three(t), t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    g, = t.autograd.grad(f(x), x, v, create_graph=True)
    return t.autograd.grad(g[0], (x, v))


def third(t, f):
    """The second derivative of f(x).sum(), itself recorded."""
    x = three(t)
    g, = t.autograd.grad(f(x).sum(), x, create_graph=True)
    return t.autograd.grad(g.sum(), x, create_graph=True)[0]


def relu_twice(t):
    """The second derivative of relu at 2, through the gradient's own graph."""
    x = t.tensor(2.0, requires_grad=True)
    g, = t.autograd.grad(t.relu(x), x, create_graph=True)
    return g, t.autograd.grad(g, x)


def bias_gradient(t, other):
    """The gradient of (x * other).sum() for an ``other`` that broadcasting stretched."""
    x = t.ones(2, 3, requires_grad=True)
    return t.autograd.grad((x * other).sum(), other, create_graph=True)[0]


def softmax(x):
    return x.softmax(0)


def log_softmax(x):
    return x.log_softmax(0)


# The gradient's own graph (create_graph=True) has PyTorch's nodes: for tanh, sigmoid, relu,
# softmax and log_softmax one node of their own (``TanhBackwardBackward0`` ...), differentiable
# again; elsewhere PyTorch's formulas, grouped as PyTorch groups them.
GRADIENT_GRAPHS = {
    "relu": (lambda t: relu_twice(t),
             "(tensor(1., grad_fn=<ThresholdBackwardBackward0>), (tensor(0.),))"),
    "relu_graph": (lambda t: graph(gradient(t, lambda x: x.relu())),
                   "ThresholdBackwardBackward0| ReluBackward0|  AccumulateGrad"),
    "relu_upstream_graph": (lambda t: graph(upstream(t, lambda x: x.relu())),
                            "ThresholdBackwardBackward0| AccumulateGrad| ReluBackward0|"
                            "  AccumulateGrad"),
    "relu_upstream_second": (lambda t: upstream_second(t, lambda x: x.relu()),
                             "(tensor([0., 0., 0.]), tensor([1., 0., 0.]))"),
    "relu_third": (lambda t: third(t, lambda x: x.relu()),
                   "tensor([0., 0., 0.], grad_fn=<ThresholdBackwardBackward0>)"),
    "tanh": (lambda t: gradient(t, lambda x: x.tanh()),
             "tensor([0.7864, 0.4200, 0.0707], grad_fn=<TanhBackwardBackward0>)"),
    "tanh_graph": (lambda t: graph(gradient(t, lambda x: x.tanh())),
                   "TanhBackwardBackward0| TanhBackward0|  AccumulateGrad"),
    "tanh_upstream_graph": (lambda t: graph(upstream(t, lambda x: x.tanh())),
                            "TanhBackwardBackward0| AccumulateGrad| TanhBackward0|"
                            "  AccumulateGrad"),
    "tanh_upstream_second": (lambda t: upstream_second(t, lambda x: x.tanh()),
                             "(tensor([-0.7269,  0.0000, -0.0000]), tensor([0.7864, 0.0000, "
                             "0.0000]))"),
    "tanh_third": (lambda t: third(t, lambda x: x.tanh()),
                   "tensor([-0.7269,  0.6397, -0.1362], grad_fn=<TanhBackwardBackward0>)"),
    "tanh_third_graph": (lambda t: graph(third(t, lambda x: x.tanh())),
                         "TanhBackwardBackward0| MulBackward0|  MulBackward0|   MulBackward1|"
                         "    TanhBackward0|     AccumulateGrad| TanhBackward0|  AccumulateGrad"),
    "sigmoid": (lambda t: gradient(t, lambda x: x.sigmoid()),
                "tensor([0.2350, 0.1966, 0.1050], grad_fn=<SigmoidBackwardBackward0>)"),
    "sigmoid_graph": (lambda t: graph(gradient(t, lambda x: x.sigmoid())),
                      "SigmoidBackwardBackward0| SigmoidBackward0|  AccumulateGrad"),
    "sigmoid_upstream_second": (lambda t: upstream_second(t, lambda x: x.sigmoid()),
                                "(tensor([-0.0576,  0.0000, -0.0000]), tensor([0.2350, 0.0000, "
                                "0.0000]))"),
    "sigmoid_third_graph": (lambda t: graph(third(t, lambda x: x.sigmoid())),
                            "SigmoidBackwardBackward0| MulBackward0|  AddBackward1|"
                            "   MulBackward1|    SigmoidBackward0|     AccumulateGrad|"
                            " SigmoidBackward0|  AccumulateGrad"),
    "softmax": (lambda t: (lambda x: t.autograd.grad((x.softmax(1) * t.tensor([1.0, 2.0, 3.0]))
                                                     .sum(), x, create_graph=True)[0])(
        t.tensor([[0.5, -1.0, 2.0], [0.0, 1.0, 0.0]], requires_grad=True)),
        "tensor([[-0.2823, -0.0239,  0.3061],\n        [-0.2119,  0.0000,  0.2119]], "
        "grad_fn=<SoftmaxBackwardDataBackward0>)"),
    "softmax_graph": (lambda t: graph(upstream(t, softmax)),
                      "SoftmaxBackwardDataBackward0| AccumulateGrad| SoftmaxBackward0|"
                      "  AccumulateGrad"),
    "softmax_second": (lambda t: hessian_row(t, softmax),
                       "tensor([-0.1833,  0.0152,  0.1681])"),
    "softmax_upstream_second": (lambda t: upstream_second(t, softmax),
                                "(tensor([-0.1833,  0.0152,  0.1681]), tensor([ 0.1446, -0.0069, "
                                "-0.1377]))"),
    "log_softmax": (lambda t: (lambda x: t.autograd.grad(
        (x.log_softmax(0) * t.tensor([1.0, 2.0, 3.0])).sum(), x, create_graph=True)[0])(
        t.tensor([[0.5, -1.0, 2.0], [0.0, 1.0, 0.0]], requires_grad=True)),
        "tensor([[-0.2449,  1.5232, -2.2848],\n        [ 0.2449, -1.5232,  2.2848]],\n"
        "       grad_fn=<LogSoftmaxBackwardDataBackward0>)"),
    "log_softmax_graph": (lambda t: graph(upstream(t, log_softmax)),
                          "LogSoftmaxBackwardDataBackward0| AccumulateGrad|"
                          " LogSoftmaxBackward0|  AccumulateGrad"),
    "log_softmax_second": (lambda t: hessian_row(t, log_softmax),
                           "tensor([-0.8674,  0.0411,  0.8262])"),
    "log_softmax_upstream_second": (lambda t: upstream_second(t, log_softmax),
                                    "(tensor([-0.8674,  0.0411,  0.8262]), tensor([ 0.8247, "
                                    "-0.1753, -0.1753]))"),
    "asin": (lambda t: gradient(t, lambda x: x.asin(), (0.5, -0.25, 0.1)),
             "tensor([1.1547, 1.0328, 1.0050], grad_fn=<MulBackward0>)"),
    "acos": (lambda t: gradient(t, lambda x: x.acos(), (0.5, -0.25, 0.1)),
             "tensor([-1.1547, -1.0328, -1.0050], grad_fn=<MulBackward0>)"),
    "asin_graph": (lambda t: graph(upstream(t, lambda x: (x / 4).asin())),
                   "DivBackward0| MulBackward0|  AccumulateGrad|  RsqrtBackward0|   AddBackward1|"
                   "    MulBackward0|     NegBackward0|      DivBackward0|       AccumulateGrad|"
                   "     DivBackward0|      AccumulateGrad"),
    "acos_graph": (lambda t: graph(gradient(t, lambda x: x.acos(), (0.5, -0.25, 0.1))),
                   "MulBackward0| NegBackward0|  RsqrtBackward0|   AddBackward1|    MulBackward0|"
                   "     NegBackward0|      AccumulateGrad|     AccumulateGrad"),
    "mean": (lambda t: gradient(t, lambda x: x.mean().tanh()),
             "tensor([0.2621, 0.2621, 0.2621], grad_fn=<DivBackward1>)"),
    "mean_graph": (lambda t: graph(gradient(t, lambda x: x.mean().tanh())),
                   "DivBackward1| ExpandBackward0|  TanhBackwardBackward0|   TanhBackward0|"
                   "    MeanBackward0|     AccumulateGrad"),
    "exp2": (lambda t: gradient(t, lambda x: x.exp2()),
             "tensor([0.9803, 0.3466, 2.7726], grad_fn=<MulBackward1>)"),
    "exp2_graph": (lambda t: graph(gradient(t, lambda x: x.exp2())),
                   "MulBackward1| MulBackward0|  Exp2Backward0|   AccumulateGrad"),
    "abs_graph": (lambda t: graph(gradient(t, lambda x: x.abs())),
                  "MulBackward0| SgnBackward0|  AccumulateGrad"),
    "l1_norm_graph": (lambda t: graph(gradient(t, lambda x: x.norm(1))),
                      "MulBackward0| SgnBackward0|  AccumulateGrad"),
    "cos_graph": (lambda t: graph(gradient(t, lambda x: x.cos())),
                  "MulBackward0| NegBackward0|  SinBackward0|   AccumulateGrad"),
    "sqrt_graph": (lambda t: graph(gradient(t, lambda x: (x + 2).sqrt())),
                   "DivBackward0| MulBackward1|  SqrtBackward0|   AddBackward0|    AccumulateGrad"),
    "tan_graph": (lambda t: graph(gradient(t, lambda x: x.tan())),
                  "MulBackward0| AddBackward1|  PowBackward0|   TanBackward0|    AccumulateGrad"),
    "log1p_graph": (lambda t: graph(gradient(t, lambda x: (x + 2).log1p())),
                    "DivBackward0| AddBackward1|  AddBackward0|   AccumulateGrad"),
    "expm1_graph": (lambda t: graph(gradient(t, lambda x: x.expm1())),
                    "MulBackward0| AddBackward1|  Expm1Backward0|   AccumulateGrad"),
    "atan_graph": (lambda t: graph(gradient(t, lambda x: x.atan())),
                   "DivBackward0| AddBackward1|  MulBackward0|   AccumulateGrad|   AccumulateGrad"),
    "log2_graph": (lambda t: graph(gradient(t, lambda x: (x + 2).log2())),
                   "DivBackward0| MulBackward1|  AddBackward0|   AccumulateGrad"),
    "rsqrt_upstream_graph": (lambda t: graph(upstream(t, lambda x: (x + 2).rsqrt())),
                             "MulBackward0| MulBackward1|  AccumulateGrad| PowBackward0|"
                             "  RsqrtBackward0|   AddBackward0|    AccumulateGrad"),
    "reciprocal_upstream_graph": (lambda t: graph(upstream(t, lambda x: x.reciprocal())),
                                  "MulBackward0| NegBackward0|  AccumulateGrad| MulBackward0|"
                                  "  ReciprocalBackward0|   AccumulateGrad|"
                                  "  ReciprocalBackward0|   AccumulateGrad"),
    "divisor_graph": (lambda t: graph(gradient(t, lambda x: 1.5 / (x + 2))),
                      "MulBackward0| MulBackward0|  ReciprocalBackward0|   AddBackward0|"
                      "    AccumulateGrad|  ReciprocalBackward0|   AddBackward0|"
                      "    AccumulateGrad"),
    "quotient_upstream_graph": (lambda t: graph(upstream(t, lambda x: x / (x + 2))),
                                "AddBackward0| DivBackward0|  AccumulateGrad|  AddBackward0|"
                                "   AccumulateGrad| MulBackward0|  NegBackward0|"
                                "   AccumulateGrad|  DivBackward0|   DivBackward0|"
                                "    AccumulateGrad|    AddBackward0|     AccumulateGrad|"
                                "   AddBackward0|    AccumulateGrad"),
    # a gradient that is 0 wherever it exists is a constant: no graph, even from a recorded v
    "sign_upstream": (lambda t: upstream(t, lambda x: x.sign()), "tensor([0., 0., 0.])"),
    "floor_upstream": (lambda t: upstream(t, lambda x: x.floor()), "tensor([0., 0., 0.])"),
    "round_upstream": (lambda t: upstream(t, lambda x: x.round()), "tensor([0., 0., 0.])"),
    "power_zero_upstream": (lambda t: upstream(t, lambda x: x ** 0), "tensor([0., 0., 0.])"),
    # a gradient summed back to an input broadcasting stretched: PyTorch's sum_to
    "bias": (lambda t: bias_gradient(t, t.tensor([1.0, 2.0, 3.0], requires_grad=True)),
             "tensor([2., 2., 2.], grad_fn=<ViewBackward0>)"),
    "bias_graph": (lambda t: graph(bias_gradient(t, t.tensor([1.0, 2.0, 3.0],
                                                             requires_grad=True))),
                   "ViewBackward0| SumBackward1|  MulBackward0|   AccumulateGrad"),
    "scalar_graph": (lambda t: graph(bias_gradient(t, t.tensor(2.0, requires_grad=True))),
                     "SumBackward0| MulBackward0|  AccumulateGrad"),
    "column_graph": (lambda t: graph(bias_gradient(t, t.tensor([[1.0], [2.0]],
                                                               requires_grad=True))),
                     "SumBackward1| MulBackward0|  AccumulateGrad"),
}


def six(t):
    return t.arange(6.0, requires_grad=True).reshape(2, 3)


SUM_TO_SIZE = {
    "leading_dim": (lambda t: six(t).sum_to_size(3),
                    "tensor([3., 5., 7.], grad_fn=<ViewBackward0>)"),
    "leading_dim_graph": (lambda t: graph(six(t).sum_to_size((3,))),
                          "ViewBackward0| SumBackward1|  ViewBackward0|   AccumulateGrad"),
    "kept_dim_graph": (lambda t: graph(six(t).sum_to_size(1, 3)),
                       "SumBackward1| ViewBackward0|  AccumulateGrad"),
    "to_a_number": (lambda t: six(t).sum_to_size(()), "tensor(15., grad_fn=<SumBackward0>)"),
    "same_shape": (lambda t: six(t).sum_to_size(2, 3),
                   "tensor([[0., 1., 2.],\n        [3., 4., 5.]], grad_fn=<ViewBackward0>)"),
    "not_expandable": (lambda t: t.ones(2, 3).sum_to_size(4),
                       "RuntimeError: size {[4]} is not expandable to size {[2, 3]}."),
    "longer": (lambda t: t.ones(2, 3).sum_to_size(1, 2, 3),
               "RuntimeError: size {[1, 2, 3]} is not expandable to size {[2, 3]}."),
}

def mat(t):
    return t.tensor([[1.0, 2.0, 0.0], [3.0, -1.0, 2.0]], requires_grad=True)


def stack(t):
    return (t.arange(24.0).reshape(2, 3, 4) % 7 - 3).requires_grad_()


def _norm_grad(t, ord):
    x = mat(t)
    t.linalg.norm(x, ord=ord).backward()
    return x.grad


def _gradient_graph(t, x, ord):
    """The graph of the gradient of ``linalg.norm(x, ord)`` (``create_graph=True``)."""
    return graph(t.autograd.grad(t.linalg.norm(x, ord=ord), x, create_graph=True)[0])


def _norm_second_grad(t, ord):
    x = mat(t)
    g, = t.autograd.grad(t.linalg.norm(x, ord=ord), x, create_graph=True)
    return t.autograd.grad(g.sum(), x)[0]


NO_NARROWING = ("RuntimeError: linalg.matrix_norm: the dtype of the input (Double) should be "
                "convertible without narrowing to the specified dtype (Float)")
LINALG = {
    "spectral": (lambda t: t.linalg.norm(mat(t), ord=2),
                 "tensor(3.7563, grad_fn=<AmaxBackward0>)"),
    "spectral_graph": (lambda t: graph(t.linalg.norm(mat(t), ord=2)),
                       "AmaxBackward0| LinalgSvdBackward0|  PermuteBackward0|   AccumulateGrad"),
    "smallest_singular_value": (lambda t: t.linalg.matrix_norm(mat(t), ord=-2),
                                "tensor(2.2114, grad_fn=<AminBackward0>)"),
    "nuclear": (lambda t: t.linalg.norm(mat(t), ord="nuc"),
                "tensor(5.9677, grad_fn=<SumBackward1>)"),
    "nuclear_keepdim_graph": (
        lambda t: graph(t.linalg.norm(mat(t), ord="nuc", keepdim=True)),
        "PermuteBackward0| UnsqueezeBackward0|  SumBackward1|   LinalgSvdBackward0|"
        "    PermuteBackward0|     AccumulateGrad"),
    "spectral_of_a_stack": (lambda t: t.linalg.matrix_norm(stack(t), ord=2, dim=(2, 0)),
                            "tensor([5.5513, 4.8882, 4.8882], grad_fn=<AmaxBackward0>)"),
    "spectral_keepdim_shape": (
        lambda t: t.linalg.matrix_norm(stack(t), ord=-2, dim=(2, 0), keepdim=True).shape,
        "torch.Size([1, 3, 1])"),
    "spectral_gradient": (lambda t: _norm_grad(t, 2),
                          "tensor([[ 0.0898, -0.0225,  0.0578],\n"
                          "        [ 0.8180, -0.2053,  0.5261]])"),
    "nuclear_gradient": (lambda t: _norm_grad(t, "nuc"),
                         "tensor([[ 0.3895,  0.9202, -0.0403],\n"
                         "        [ 0.7851, -0.3088,  0.5369]])"),
    "spectral_gradient_graph_tall": (
        lambda t: _gradient_graph(t, t.tensor([[1.0, 3.0], [2.0, -1.0], [0.0, 2.0]],
                                              requires_grad=True), 2),
        "PermuteBackward0| MmBackward0|  LinalgSvdBackward0|   PermuteBackward0|    AccumulateGrad|"
        "  MulBackward0|   LinalgSvdBackward0|    PermuteBackward0|     AccumulateGrad"),
    "nuclear_gradient_graph_wide": (
        lambda t: _gradient_graph(t, mat(t), "nuc"),
        "PermuteBackward0| MmBackward0|  MulBackward0|   LinalgSvdBackward0|    PermuteBackward0|"
        "     AccumulateGrad|  LinalgSvdBackward0|   PermuteBackward0|    AccumulateGrad"),
    "spectral_second_derivative": (lambda t: _norm_second_grad(t, 2),
                                   "tensor([[ 0.6028, -0.0640,  0.3856],\n"
                                   "        [ 0.0789,  0.7754,  0.0320]])"),
    "nuclear_second_derivative": (lambda t: _norm_second_grad(t, "nuc"),
                                  "tensor([[-0.1583,  0.0755,  0.1950],\n"
                                  "        [-0.0552,  0.0755,  0.1242]])"),
    "svdvals": (lambda t: t.linalg.svdvals(mat(t)),
                "tensor([3.7563, 2.2114], grad_fn=<LinalgSvdBackward0>)"),
    "svdvals_of_a_vector": (lambda t: t.linalg.svdvals(t.ones(3)),
                            "RuntimeError: linalg.svd: The input tensor A must have at least 2 "
                            "dimensions."),
    "svdvals_of_ints": (lambda t: t.linalg.svdvals(t.ones(2, 2, dtype=t.int64)),
                        "RuntimeError: linalg.svd: Expected a floating point or complex tensor "
                        "as input. Got Long"),
    "column_sums_graph": (lambda t: graph(t.linalg.norm(mat(t), ord=1)),
                          "AmaxBackward0| LinalgVectorNormBackward0|  AccumulateGrad"),
    "column_sums_keepdim": (lambda t: t.linalg.norm(mat(t), ord=1, keepdim=True),
                            "tensor([[4.]], grad_fn=<AmaxBackward0>)"),
    "row_sums_of_a_stack": (
        lambda t: t.linalg.matrix_norm(stack(t), ord=float("inf"), dim=(2, 0)),
        "tensor([5., 5., 5.], grad_fn=<AmaxBackward0>)"),
    "order_not_supported": (lambda t: t.linalg.norm(mat(t), ord=3),
                            "RuntimeError: linalg.matrix_norm: Order 3 not supported."),
    "low_precision": (lambda t: t.linalg.matrix_norm(t.ones(2, 2, dtype=t.float16), ord=2),
                      "RuntimeError: linalg.matrix_norm: Low precision dtypes not supported. "
                      "Got Half"),
    "int_matrix": (lambda t: t.linalg.matrix_norm(t.ones(2, 2, dtype=t.int64), ord="nuc"),
                   "RuntimeError: linalg.matrix_norm: Expected a floating point or complex "
                   "tensor as input. Got Long"),
    "dims_must_differ": (lambda t: t.linalg.matrix_norm(mat(t), ord=2, dim=(1, -1)),
                         "RuntimeError: linalg.matrix_norm: dims must be different. Got (1, 1)"),
    "dim_not_a_pair": (lambda t: t.linalg.norm(mat(t), ord="nuc", dim=0),
                       "RuntimeError: linalg.matrix_norm: dim must be a 2-tuple. Got 0"),
    "dim_too_long": (lambda t: t.linalg.norm(mat(t), ord=2, dim=(0, 1, 2)),
                     "RuntimeError: linalg.norm: If dim is specified, it must be of length 1 or "
                     "2. Got [0, 1, 2]"),
    "stack_without_dim": (lambda t: t.linalg.norm(stack(t), ord=2),
                          "RuntimeError: linalg.norm: If dim is not specified but ord is, the "
                          "input must be 1D or 2D. Got 3D."),
    "dtype_narrowing": (
        lambda t: t.linalg.matrix_norm(mat(t).double(), ord=2, dtype=t.float32), NO_NARROWING),
    # torch.norm and Tensor.norm: 'nuc' (or 'fro' over more than two dims) is a matrix norm
    "torch_norm_nuclear": (lambda t: t.norm(mat(t), p="nuc"),
                           "tensor(5.9677, grad_fn=<SumBackward1>)"),
    "method_nuclear": (lambda t: mat(t).norm(p="nuc"), "tensor(5.9677, grad_fn=<SumBackward1>)"),
    "method_nuclear_keepdim": (lambda t: mat(t).norm("nuc", keepdim=True),
                               "tensor([[5.9677]], grad_fn=<PermuteBackward0>)"),
    "torch_norm_nuclear_dtype": (lambda t: t.norm(mat(t).detach(), "nuc", dtype=t.float64),
                                 "tensor(5.9677, dtype=torch.float64)"),
    "torch_norm_nuclear_dims": (lambda t: t.norm(t.arange(6.0).reshape(1, 2, 3), "nuc",
                                                 dim=(2, 1)), "tensor([8.3485])"),
    "torch_norm_nuclear_of_a_vector": (lambda t: t.norm(t.ones(3), "nuc"),
                                       "RuntimeError: linalg.matrix_norm: The input tensor A "
                                       "must have at least 2 dimensions."),
    "method_nuclear_of_a_stack": (lambda t: t.ones(1, 2, 3).norm("nuc"),
                                  "RuntimeError: linalg.matrix_norm: dim must be a 2-tuple. Got "
                                  "0 1 2"),
    "method_frobenius_over_three_dims": (lambda t: t.ones(2, 3).norm("fro", dim=(0, 1, 1)),
                                         "RuntimeError: linalg.matrix_norm: dim must be a "
                                         "2-tuple. Got 0 1 1"),
    "torch_norm_unknown_order": (lambda t: t.norm(t.ones(2, 3), "abc"),
                                 "RuntimeError: linalg.matrix_norm: Order abc not supported."),
    "method_norm_dtype": (lambda t: t.ones(2, 3).norm(2, dtype=t.float64),
                          "tensor(2.4495, dtype=torch.float64)"),
    "vector_norm_of_a_string_order": (lambda t: t.linalg.vector_norm(t.ones(3), "fro"),
                                      "TypeError: linalg_vector_norm(): argument 'ord' "
                                      "(position 2) must be Number, not str"),
    # the largest singular value (or column sum) of an empty matrix is 0: a constant
    "spectral_of_empty": (lambda t: t.linalg.matrix_norm(t.zeros(0, 3, requires_grad=True),
                                                         ord=2), "tensor(0.)"),
    "nuclear_of_empty": (lambda t: t.linalg.matrix_norm(t.zeros(0, 3, requires_grad=True),
                                                        ord="nuc"),
                         "tensor(0., grad_fn=<SumBackward1>)"),
    "smallest_of_empty": (lambda t: t.linalg.matrix_norm(t.zeros(0, 3), ord=-2),
                          "IndexError: amin(): Expected reduction dim -1 to have non-zero size."),
    "column_sums_of_empty": (lambda t: t.linalg.matrix_norm(t.zeros(3, 0), ord=1, keepdim=True),
                             "tensor([[0.]])"),
    "spectral_of_empty_stack": (lambda t: t.linalg.matrix_norm(t.zeros(2, 0, 3), ord=2),
                                "tensor([0., 0.])"),
    "spectral_of_no_matrices": (
        lambda t: t.linalg.matrix_norm(t.zeros(0, 2, 3, requires_grad=True), ord=2),
        "tensor([], grad_fn=<AmaxBackward0>)"),
    "amax_of_nothing": (lambda t: t.zeros(0, 3).amax(0),
                        "IndexError: amax(): Expected reduction dim 0 to have non-zero size."),
    "amin_of_nothing": (lambda t: t.zeros(3, 0).amin((0, -1)),
                        "IndexError: amin(): Expected reduction dim -1 to have non-zero size."),
    "amax_of_empty_rows": (lambda t: t.zeros(0, 3).amax(1, keepdim=True),
                           "tensor([], size=(0, 1))"),
}


def dim_upstream(t, f, v_shape):
    """vᵀJ of a reduction over dims of a (2, 3, 4) x, with an upstream v that requires grad."""
    x = t.arange(24.0).reshape(2, 3, 4).requires_grad_()
    v = t.ones(*v_shape, requires_grad=True)
    return t.autograd.grad(f(x), x, v, create_graph=True)[0]


# A reduction's gradient puts each reduced dim back with an unsqueeze, then expands.
REDUCE_DIM_GRAPHS = {
    "sum": (lambda t: graph(dim_upstream(t, lambda x: x.sum(0), (3, 4))),
            "ExpandBackward0| UnsqueezeBackward0|  AccumulateGrad"),
    "sum_two_dims": (lambda t: graph(dim_upstream(t, lambda x: x.sum((0, 2)), (3,))),
                     "ExpandBackward0| UnsqueezeBackward0|  UnsqueezeBackward0|   AccumulateGrad"),
    "mean": (lambda t: graph(dim_upstream(t, lambda x: x.mean(1), (2, 4))),
             "DivBackward1| ExpandBackward0|  UnsqueezeBackward0|   AccumulateGrad"),
    "sum_keepdim": (lambda t: graph(dim_upstream(t, lambda x: x.sum(1, keepdim=True), (2, 1, 4))),
                    "ExpandBackward0| AccumulateGrad"),
}


CASES = {f"diagonal_{k}": case for k, case in DIAGONAL.items()}
CASES |= {f"einsum_{k}": case for k, case in EINSUM.items()}
CASES |= {f"device_{k}": case for k, case in DEVICE_CASES.items()}
CASES |= {f"creation_{k}": case for k, case in CREATION.items()}
CASES |= {f"hessian_{k}": case for k, case in HESSIAN.items()}
CASES |= {f"linalg_{k}": case for k, case in LINALG.items()}
CASES |= {f"gradient_graph_{k}": case for k, case in GRADIENT_GRAPHS.items()}
CASES |= {f"sum_to_size_{k}": case for k, case in SUM_TO_SIZE.items()}
CASES |= {f"reduce_dim_graph_{k}": case for k, case in REDUCE_DIM_GRAPHS.items()}
CASES |= {f"learners_{k}": case for k, case in LEARNER_CASES.items()}


@pytest.mark.parametrize("name", CASES)
def test_engine_prints_what_pytorch_prints(name, clean_engine):
    fn, expected = CASES[name]
    assert outcome(lambda: fn(torch)) == expected


@pytest.mark.parametrize("name", CASES)
def test_the_pinned_strings_are_pytorchs(name):
    real = pytest.importorskip("torch")
    fn, expected = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert outcome(lambda: fn(real)) == expected


def test_creation_gives_no_numpy_warning(recwarn):
    torch.tensor([1e40, 1.0])
    torch.tensor([100000.0], dtype=torch.float16)
    torch.tensor(np.array([1e40]), dtype=torch.float32)
    torch.tensor(torch.tensor([1e5]), dtype=torch.float16)
    torch.tensor(np.array([np.nan, 1e10]), dtype=torch.int32)
    torch.full((2,), float("inf"), dtype=torch.float16)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_a_diagonal_is_a_view_that_writes_through():
    a = torch.arange(9.0).reshape(3, 3)
    d = a.diagonal()
    d += 100
    a.diagonal(1).zero_()
    assert a.tolist() == [[100.0, 0.0, 2.0], [3.0, 104.0, 0.0], [6.0, 7.0, 108.0]]
    assert d.tolist() == [100.0, 104.0, 108.0]


def test_an_inplace_update_of_a_diagonal_in_a_graph_is_pytorchs():
    w = torch.arange(9.0, requires_grad=True)
    y = w.reshape(3, 3) * 1
    diag = y.diagonal()
    diag.mul_(2)
    assert repr(y.grad_fn).startswith("<CopySlices")
    assert repr(diag) == "tensor([ 0.,  8., 16.], grad_fn=<AsStridedBackward0>)"
    y.sum().backward()
    assert w.grad.tolist() == [2.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 2.0]
    leaf = torch.ones(3, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        leaf.diagonal().mul_(2)


EQUATIONS = [("i,i->", ((4,), (4,))), ("ij,jk->ik", ((2, 3), (3, 4))), ("ij->ji", ((2, 3),)),
             ("ii->i", ((3, 3),)), ("ij->", ((2, 3),)), ("bij,bjk->bik", ((2, 2, 3), (2, 3, 2))),
             ("i,j->ij", ((2,), (3,))), ("i,j->", ((2,), (3,))), ("bii->b", ((2, 3, 3),)),
             ("ij,kj->ik", ((2, 3), (4, 3))), ("...i,...i->...", ((2, 3), (3,)))]


@pytest.mark.parametrize(("equation", "shapes"), EQUATIONS)
def test_einsum_gradients_pass_gradcheck(equation, shapes):
    rng = np.random.default_rng(0)
    inputs = [torch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradcheck(lambda *xs: torch.einsum(equation, *xs), inputs)
    assert gradgradcheck(lambda *xs: torch.einsum(equation, *xs), inputs)


@pytest.mark.parametrize(("equation", "shapes"), EQUATIONS)
def test_einsum_values_are_numpys(equation, shapes):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in shapes]
    got = torch.einsum(equation, *(torch.tensor(a) for a in arrays))
    np.testing.assert_allclose(got.numpy(), np.einsum(equation, *arrays), rtol=1e-12)


def test_einsum_works_in_forward_mode():
    fwAD = torch.autograd.forward_ad
    x = torch.tensor([1.0, 2.0, 3.0])
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, torch.tensor([1.0, 0.0, 0.0]))
        tangent = fwAD.unpack_dual(torch.einsum("i,i->", dual, dual)).tangent
    assert repr(tangent) == "tensor(2.)"


@pytest.mark.parametrize(("equation", "shapes"), EQUATIONS)
def test_einsum_graphs_are_pytorchs(equation, shapes):
    real = pytest.importorskip("torch")

    def built(t):
        inputs = [t.ones(s, dtype=t.float64).requires_grad_() for s in shapes]
        return graph(t.einsum(equation, *inputs))
    assert built(torch) == built(real)


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
@pytest.mark.parametrize(("shape", "dim"), [((3, 3), (-2, -1)), ((2, 3), (-2, -1)),
                                            ((3, 2), (1, 0)), ((2, 3, 2), (0, 2))])
def test_matrix_norms_from_singular_values_pass_gradcheck(ord, shape, dim):
    x = torch.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    for keepdim in (False, True):
        def norm(a, keepdim=keepdim):
            return torch.linalg.matrix_norm(a, ord=ord, dim=dim, keepdim=keepdim)
        assert gradcheck(norm, [x], check_forward_ad=True)
        assert gradgradcheck(norm, [x])


def test_a_diagonal_shares_its_tensors_version_counter():
    w = torch.ones(3, requires_grad=True)
    c = torch.arange(9.0).reshape(3, 3)
    y = w * c.diagonal()  # saves the diagonal for w's gradient
    c.zero_()
    with pytest.raises(RuntimeError, match=r"^one of the variables needed for gradient "
                                           r"computation has been modified by an inplace"):
        y.sum().backward()
