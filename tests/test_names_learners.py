"""Names learners reach for in *Dive into Deep Learning* and the PyTorch tutorials beyond the first
lessons: ``erf``, ``asinh``/``acosh``/``atanh``, ``hypot``, ``lerp``, ``addcmul``/``addcdiv``,
``logaddexp``, ``clamp_min``/``clamp_max``; the activations and losses of
``torch.nn.functional`` (``gelu``, ``leaky_relu`` ... ``cross_entropy``, ``binary_cross_entropy``
...); ``median``, ``kthvalue``, ``narrow``, ``diff``, ``trapezoid``; and ``randperm``,
``bernoulli``, ``multinomial`` after ``manual_seed``. What the user sees -- values, dtypes, reprs,
grad_fn names, gradients and errors -- is pinned as strings printed by PyTorch 2.13.

The ``CASES`` table is run by ``test_names_engine`` (on the engine, and on PyTorch where it is
installed); the tests below are the ones a table can't hold. The gradient formulas themselves are
checked by the op table's generated tests (``test_ops_table.py``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autodiff_repl.engine as torch
from autodiff_repl.outputs import Error
from autodiff_repl.render import plain
from autodiff_repl.session import Session

INF = math.inf


def v(t):
    return t.tensor([-1.5, -0.5, 0.0, 0.5, 2.0], requires_grad=True)


def w(t):
    return t.tensor([0.5, 1.0, -2.0, 0.25, 3.0], requires_grad=True)


def m(t):
    """Scores of three samples for four classes."""
    return t.tensor([[1.0, -0.5, 2.0, 0.0], [0.3, 0.8, -1.2, 1.5], [-0.7, 0.1, 0.4, 2.2]],
                    requires_grad=True)


def F(t):
    return t.nn.functional


def leaf(t, values):
    return t.tensor(values, requires_grad=True)


def grad(t, fn, *inputs):
    """The gradients of ``fn(*inputs).sum()``; an input is a function of ``t`` or a list of
    values (made a leaf that requires grad)."""
    xs = [leaf(t, x) if isinstance(x, list) else x(t) for x in inputs]
    out = fn(*xs)
    out.sum().backward() if out.ndim else out.backward()
    return tuple(x.grad for x in xs) if len(xs) > 1 else xs[0].grad


def quiet(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` without its warnings (``test_the_warnings_are_pytorchs``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def drawn(t, seed, draw):
    """``draw()`` right after ``manual_seed(seed)``."""
    t.manual_seed(seed)
    return draw()


def classes(t):
    """The target classes of ``m``'s three samples."""
    return t.tensor([0, 2, 3])


def weights(t):
    return t.tensor([1.0, 2.0, 3.0, 0.5])


def soft(t):
    """Class probabilities for ``m``'s three samples."""
    return t.softmax(t.arange(12.0).reshape(3, 4) / 5, 1)


def rows(t):
    return t.tensor([[1.0, 2.0, 3.0, 4.0], [4.0, 0.0, 0.0, 1.0]])


def cube(t):
    return t.arange(24.0).reshape(2, 4, 3).sin().requires_grad_()


def ints(t):
    return t.tensor([1, -2, 3])


def probs(t):
    return t.tensor([0.2, 0.9, 0.5, 0.01, 0.7], requires_grad=True)


def labels(t):
    return t.tensor([0.0, 1.0, 1.0, 0.0, 1.0])


ELEMENTWISE = {
    "erf": (lambda t: t.erf(v(t)),
            "tensor([-0.9661, -0.5205,  0.0000,  0.5205,  0.9953], grad_fn=<ErfBackward0>)"),
    "erfc": (lambda t: t.erfc(v(t)),
             "tensor([1.9661, 1.5205, 1.0000, 0.4795, 0.0047], grad_fn=<ErfcBackward0>)"),
    "erf_int": (lambda t: t.erf(ints(t)), "tensor([ 0.8427, -0.9953,  1.0000])"),
    "erf_method_grad": (lambda t: grad(t, lambda x: x.erf(), v),
                        "tensor([0.1189, 0.8788, 1.1284, 0.8788, 0.0207])"),
    "asinh": (lambda t: t.asinh(v(t)),
              "tensor([-1.1948, -0.4812,  0.0000,  0.4812,  1.4436], grad_fn=<AsinhBackward0>)"),
    "arcsinh_grad": (lambda t: grad(t, t.arcsinh, v),
                     "tensor([0.5547, 0.8944, 1.0000, 0.8944, 0.4472])"),
    "acosh": (lambda t: t.acosh(t.tensor([1.5, 2.0, 3.0], requires_grad=True)),
              "tensor([0.9624, 1.3170, 1.7627], grad_fn=<AcoshBackward0>)"),
    "acosh_below_1": (lambda t: t.acosh(t.tensor([0.5, 1.0])), "tensor([nan, 0.])"),
    "atanh": (lambda t: t.atanh(t.tensor([-0.5, 0.0, 0.9], requires_grad=True)),
              "tensor([-0.5493,  0.0000,  1.4722], grad_fn=<AtanhBackward0>)"),
    "atanh_edges": (lambda t: t.atanh(t.tensor([1.0, -1.0, 2.0])), "tensor([inf, -inf, nan])"),
    "atanh_grad": (lambda t: grad(t, lambda x: x.atanh(), [-0.5, 0.0, 0.9]),
                   "tensor([1.3333, 1.0000, 5.2632])"),
    "hypot": (lambda t: t.hypot(v(t), w(t)),
              "tensor([1.5811, 1.1180, 2.0000, 0.5590, 3.6056], grad_fn=<HypotBackward0>)"),
    "hypot_grad": (lambda t: grad(t, t.hypot, v, w),
                   "(tensor([-0.9487, -0.4472,  0.0000,  0.8944,  0.5547]), tensor([ "
                   "0.3162,  0.8944, -1.0000,  0.4472,  0.8321]))"),
    "hypot_method_number": (
        lambda t: v(t).hypot(2.0),
        "TypeError: hypot(): argument 'other' (position 1) must be Tensor, not float"),
    "hypot_number": (lambda t: t.hypot(v(t), 2.0),
                     "TypeError: hypot(): argument 'other' (position 2) must be Tensor, not float"),
    "hypot_ints": (lambda t: t.hypot(ints(t), ints(t)),
                   'NotImplementedError: "hypot_cpu" not implemented for \'Long\''),
    "hypot_promotes": (lambda t: t.hypot(t.ones(2), t.ones(2, dtype=t.float64)),
                       "tensor([1.4142, 1.4142], dtype=torch.float64)"),
    "lerp_number": (
        lambda t: t.lerp(v(t), w(t), 0.3),
        "tensor([-0.9000, -0.0500, -0.6000,  0.4250,  2.3000], grad_fn=<LerpBackward0>)"),
    "lerp_number_grad": (lambda t: grad(t, lambda a, b: t.lerp(a, b, 0.3), v, w),
                         "(tensor([0.7000, 0.7000, 0.7000, 0.7000, 0.7000]), tensor([0.3000, "
                         "0.3000, 0.3000, 0.3000, 0.3000]))"),
    "lerp_tensor": (
        lambda t: t.lerp(v(t), w(t), t.full((5,), 0.7)),
        "tensor([-0.1000,  0.5500, -1.4000,  0.3250,  2.7000], grad_fn=<LerpBackward1>)"),
    "lerp_tensor_grad": (
        lambda t: grad(t, lambda a, b, c: a.lerp(b, c), v, w, [0.0, 0.25, 0.5, 0.75, 1.0]),
        "(tensor([1.0000, 0.7500, 0.5000, 0.2500, 0.0000]), tensor([0.0000, "
        "0.2500, 0.5000, 0.7500, 1.0000]), tensor([ 2.0000,  1.5000, -2.0000, "
        "-0.2500,  1.0000]))"),
    "lerp_weight_one": (lambda t: t.lerp(t.tensor([0.1, 1e8]), t.tensor([0.3, 1.0]), 1.0),
                        "tensor([0.3000, 1.0000])"),
    "lerp_broadcast": (lambda t: t.lerp(t.zeros(2, 1), t.arange(3.0), 0.5),
                       "tensor([[0.0000, 0.5000, 1.0000],\n"
                       "        [0.0000, 0.5000, 1.0000]])"),
    "lerp_end_number": (lambda t: t.lerp(t.ones(2), 2.0, 0.5),
                        "TypeError: lerp() received an invalid combination of arguments - got "
                        "(Tensor, float, float), but expected one of:\n"
                        " * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n"
                        " * (Tensor input, Tensor end, Number weight, *, Tensor out = None)\n"),
    "lerp_end_dtype": (lambda t: t.lerp(t.ones(2), t.ones(2, dtype=t.float64), 0.5),
                       "RuntimeError: expected dtype float for `end` but got dtype double"),
    "lerp_weight_dtype": (lambda t: t.lerp(t.ones(2), t.ones(2), t.ones(2, dtype=t.float64)),
                          "RuntimeError: expected dtype float for `weight` but got dtype double"),
    "lerp_weight_0d_dtype": (
        lambda t: t.lerp(t.ones(2), t.zeros(2), t.tensor(0.25, dtype=t.float64)),
        "tensor([0.7500, 0.7500])"),
    "lerp_ints": (lambda t: t.lerp(ints(t), ints(t), 0.5),
                  'NotImplementedError: "lerp_kernel_scalar" not implemented for \'Long\''),
    "lerp_ints_tensor": (lambda t: t.lerp(ints(t), ints(t), ints(t)),
                         'NotImplementedError: "lerp_kernel_tensor" not implemented for \'Long\''),
    "lerp_shapes": (lambda t: t.lerp(t.ones(2), t.ones(3), 0.5),
                    "RuntimeError: The size of tensor a (2) must match the size of tensor "
                    "b (3) at non-singleton dimension 0"),
    "addcmul": (lambda t: t.addcmul(v(t), v(t), w(t), value=2),
                "tensor([-3.0000, -1.5000,  0.0000,  0.7500, 14.0000],\n"
                "       grad_fn=<AddcmulBackward0>)"),
    "addcmul_grad": (lambda t: grad(t, lambda a, b: t.addcmul(a, a, b, value=-0.5), v, w),
                     "(tensor([ 0.7500,  0.5000,  2.0000,  0.8750, -0.5000]), tensor([ "
                     "0.7500,  0.2500, -0.0000, -0.2500, -1.0000]))"),
    "addcmul_ints": (lambda t: t.addcmul(ints(t), ints(t), ints(t), value=0.5),
                     "tensor([ 1, -2,  3])"),
    "addcmul_mixed": (lambda t: t.addcmul(ints(t), t.ones(3), t.ones(3)),
                      "tensor([ 2., -1.,  4.])"),
    "addcmul_number": (
        lambda t: t.addcmul(t.ones(2), t.ones(2), 3.0),
        "TypeError: addcmul(): argument 'tensor2' (position 3) must be Tensor, not float"),
    "addcmul_positional_value": (
        lambda t: t.addcmul(t.ones(2), t.ones(2), t.ones(2), 2),
        "TypeError: addcmul() takes 3 positional arguments but 4 were given"),
    "addcmul_method": (lambda t: v(t).addcmul(w(t), w(t)),
                       "tensor([-1.2500,  0.5000,  4.0000,  0.5625, 11.0000],\n"
                       "       grad_fn=<AddcmulBackward0>)"),
    "addcdiv": (lambda t: t.addcdiv(v(t), v(t), w(t), value=0.5),
                "tensor([-3.0000, -0.7500,  0.0000,  1.5000,  2.3333],\n"
                "       grad_fn=<AddcdivBackward0>)"),
    "addcdiv_grad": (lambda t: grad(t, lambda a, b: a.addcdiv(a, b), v, w),
                     "(tensor([3.0000, 2.0000, 0.5000, 5.0000, 1.3333]), tensor([ 6.0000,  "
                     "0.5000, -0.0000, -8.0000, -0.2222]))"),
    "addcdiv_ints": (lambda t: t.addcdiv(t.ones(3), ints(t), ints(t)),
                     "RuntimeError: Integer division with addcdiv is no longer supported, "
                     "and in a future  release addcdiv will perform a true division of "
                     "tensor1 and tensor2. The historic addcdiv behavior can be implemented "
                     "as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                     "for integer inputs and as (input + value * tensor1 / tensor2) for "
                     "float inputs. The future addcdiv behavior is just the latter "
                     "implementation: (input + value * tensor1 / tensor2), for all dtypes."),
    "addcdiv_float_int": (lambda t: t.addcdiv(t.ones(2), t.tensor([1.0, 3.0]), t.tensor([2, 4])),
                          "tensor([1.5000, 1.7500])"),
    "logaddexp": (lambda t: t.logaddexp(v(t), w(t)),
                  "tensor([0.6269, 1.2014, 0.1269, 1.0759, 3.3133], grad_fn=<LogaddexpBackward0>)"),
    "logaddexp_grad": (lambda t: grad(t, t.logaddexp, v, w),
                       "(tensor([0.1192, 0.1824, 0.8808, 0.5622, 0.2689]), tensor([0.8808, "
                       "0.8176, 0.1192, 0.4378, 0.7311]))"),
    "logaddexp_big": (lambda t: t.logaddexp(t.tensor([1e3, -INF, INF]), t.tensor([1e3, -INF, 1.0])),
                      "tensor([1000.6932,      -inf,       inf])"),
    "logaddexp_ints": (lambda t: t.logaddexp(ints(t), ints(t)),
                       'NotImplementedError: "logaddexp_cpu" not implemented for \'Long\''),
    "logaddexp_method_number": (
        lambda t: v(t).logaddexp(1.0),
        "TypeError: logaddexp(): argument 'other' (position 1) must be Tensor, not float"),
    "clamp_min": (lambda t: t.clamp_min(v(t), 0.1),
                  "tensor([0.1000, 0.1000, 0.1000, 0.5000, 2.0000], grad_fn=<ClampMinBackward0>)"),
    "clamp_min_grad": (lambda t: grad(t, lambda x: x.clamp_min(0.0), v),
                       "tensor([0., 0., 1., 1., 1.])"),
    "clamp_max": (lambda t: t.clamp_max(v(t), 0.1),
                  "tensor([-1.5000, -0.5000,  0.0000,  0.1000,  0.1000],\n"
                  "       grad_fn=<ClampMaxBackward0>)"),
    "clamp_max_grad": (lambda t: grad(t, lambda x: x.clamp_max(0.5), v),
                       "tensor([1., 1., 1., 1., 0.])"),
    "clamp_min_tensor": (
        lambda t: t.clamp_min(v(t), w(t)),
        "tensor([0.5000, 1.0000, 0.0000, 0.5000, 3.0000], grad_fn=<ClampMinBackward1>)"),
    "clamp_min_tensor_grad": (lambda t: grad(t, t.clamp_min, v, w),
                              "(tensor([0., 0., 1., 1., 0.]), tensor([1., 1., 0., 0., 1.]))"),
    "clamp_max_tensor_grad": (lambda t: grad(t, t.clamp_max, v, w),
                              "(tensor([1., 1., 0., 0., 1.]), tensor([0., 0., 1., 1., 0.]))"),
    "clamp_min_int_float": (lambda t: t.clamp_min(ints(t), 0.5),
                            "tensor([1.0000, 0.5000, 3.0000])"),
    "clamp_min_int_int": (lambda t: t.clamp_min(ints(t), 1), "tensor([1, 1, 3])"),
    "clamp_max_int_tensor": (lambda t: t.clamp_max(ints(t), t.tensor([0.5])),
                             "tensor([ 0.5000, -2.0000,  0.5000])"),
    "clamp_min_none": (lambda t: t.clamp_min(v(t), None),
                       "TypeError: clamp_min() received an invalid combination of arguments - "
                       "got (Tensor, NoneType), but expected one of:\n"
                       " * (Tensor input, Tensor min, *, Tensor out = None)\n"
                       " * (Tensor input, Number min, *, Tensor out = None)\n"),
    "clamp_min_inplace": (
        lambda t: (lambda x: (x.clamp_min_(0.0), x)[1])(v(t) * 1),
        "tensor([0.0000, 0.0000, 0.0000, 0.5000, 2.0000], grad_fn=<ClampMinBackward0>)"),
    "square": (lambda t: t.square(v(t)),
               "tensor([2.2500, 0.2500, 0.0000, 0.2500, 4.0000], grad_fn=<PowBackward0>)"),
    "square_ints": (lambda t: t.square(ints(t)), "tensor([1, 4, 9])"),
}

ACTIVATIONS = {
    "leaky_relu": (lambda t: F(t).leaky_relu(v(t)),
                   "tensor([-0.0150, -0.0050,  0.0000,  0.5000,  2.0000],\n"
                   "       grad_fn=<LeakyReluBackward0>)"),
    "leaky_relu_slope": (lambda t: F(t).leaky_relu(v(t), 0.2),
                         "tensor([-0.3000, -0.1000,  0.0000,  0.5000,  2.0000],\n"
                         "       grad_fn=<LeakyReluBackward0>)"),
    "leaky_relu_grad": (lambda t: grad(t, lambda x: F(t).leaky_relu(x, negative_slope=0.1), v),
                        "tensor([0.1000, 0.1000, 0.1000, 1.0000, 1.0000])"),
    "leaky_relu_ints": (lambda t: F(t).leaky_relu(ints(t)),
                        'NotImplementedError: "leaky_relu_cpu" not implemented for \'Long\''),
    "leaky_relu_inplace": (lambda t: F(t).leaky_relu(t.tensor([-1.0, 2.0]), inplace=True),
                           "tensor([-0.0100,  2.0000])"),
    "softplus": (lambda t: F(t).softplus(v(t)),
                 "tensor([0.2014, 0.4741, 0.6931, 0.9741, 2.1269], grad_fn=<SoftplusBackward0>)"),
    "softplus_beta": (
        lambda t: F(t).softplus(v(t), beta=2, threshold=1),
        "tensor([0.0243, 0.1566, 0.3466, 0.6566, 2.0000], grad_fn=<SoftplusBackward0>)"),
    "softplus_grad": (lambda t: grad(t, lambda x: F(t).softplus(x, beta=2, threshold=1), v),
                      "tensor([0.0474, 0.2689, 0.5000, 0.7311, 1.0000])"),
    "softplus_large": (lambda t: F(t).softplus(t.tensor([-100.0, 30.0, 100.0])),
                       "tensor([3.7835e-44, 3.0000e+01, 1.0000e+02])"),
    "softplus_ints": (lambda t: F(t).softplus(ints(t)),
                      'NotImplementedError: "softplus_cpu" not implemented for \'Long\''),
    "gelu": (lambda t: F(t).gelu(v(t)),
             "tensor([-0.1002, -0.1543,  0.0000,  0.3457,  1.9545], grad_fn=<GeluBackward0>)"),
    "gelu_tanh": (lambda t: F(t).gelu(v(t), approximate="tanh"),
                  "tensor([-0.1004, -0.1543,  0.0000,  0.3457,  1.9546], grad_fn=<GeluBackward0>)"),
    "gelu_grad": (lambda t: grad(t, F(t).gelu, v),
                  "tensor([-0.1275,  0.1325,  0.5000,  0.8675,  1.0852])"),
    "gelu_tanh_grad": (lambda t: grad(t, lambda x: F(t).gelu(x, approximate="tanh"), v),
                       "tensor([-0.1277,  0.1326,  0.5000,  0.8674,  1.0861])"),
    "gelu_bad": (lambda t: F(t).gelu(v(t), approximate="foo"),
                 "RuntimeError: approximate argument must be either none or tanh."),
    "gelu_ints": (lambda t: F(t).gelu(ints(t)),
                  'NotImplementedError: "GeluKernelImpl" not implemented for \'Long\''),
    "gelu_double": (lambda t: F(t).gelu(t.tensor([0.5, -3.0], dtype=t.float64)),
                    "tensor([ 0.3457, -0.0040], dtype=torch.float64)"),
    "silu": (lambda t: F(t).silu(v(t)),
             "tensor([-0.2736, -0.1888,  0.0000,  0.3112,  1.7616], grad_fn=<SiluBackward0>)"),
    "silu_grad": (lambda t: grad(t, F(t).silu, v),
                  "tensor([-0.0413,  0.2600,  0.5000,  0.7400,  1.0908])"),
    "silu_large": (lambda t: F(t).silu(t.tensor([-100.0, 100.0])), "tensor([ -0., 100.])"),
    "elu": (lambda t: F(t).elu(v(t)),
            "tensor([-0.7769, -0.3935,  0.0000,  0.5000,  2.0000], grad_fn=<EluBackward0>)"),
    "elu_alpha": (lambda t: F(t).elu(v(t), alpha=0.5),
                  "tensor([-0.3884, -0.1967,  0.0000,  0.5000,  2.0000], grad_fn=<EluBackward0>)"),
    "elu_grad": (lambda t: grad(t, F(t).elu, v),
                 "tensor([0.2231, 0.6065, 1.0000, 1.0000, 1.0000])"),
    "elu_ints": (lambda t: F(t).elu(ints(t)),
                 'NotImplementedError: "elu_cpu" not implemented for \'Long\''),
    "relu6": (lambda t: F(t).relu6(v(t) * 4),
              "tensor([0., 0., 0., 2., 6.], grad_fn=<HardtanhBackward0>)"),
    "relu6_grad": (lambda t: grad(t, lambda x: F(t).relu6(x * 4), v),
                   "tensor([0., 0., 0., 4., 0.])"),
    "relu6_ints": (lambda t: F(t).relu6(t.tensor([-1, 3, 7])), "tensor([0, 3, 6])"),
    "hardtanh": (lambda t: F(t).hardtanh(v(t)),
                 "tensor([-1.0000, -0.5000,  0.0000,  0.5000,  1.0000],\n"
                 "       grad_fn=<HardtanhBackward0>)"),
    "hardtanh_bounds": (lambda t: F(t).hardtanh(v(t), -0.5, 0.5),
                        "tensor([-0.5000, -0.5000,  0.0000,  0.5000,  0.5000],\n"
                        "       grad_fn=<HardtanhBackward0>)"),
    "hardtanh_grad": (lambda t: grad(t, F(t).hardtanh, v), "tensor([0., 1., 1., 1., 0.])"),
    "hardtanh_bad_bounds": (lambda t: F(t).hardtanh(v(t), 2.0, 1.0),
                            "ValueError: min_val cannot be greater than max_val"),
    "hardtanh_ints": (lambda t: F(t).hardtanh(ints(t)), "tensor([ 1, -1,  1])"),
    "logsigmoid": (lambda t: F(t).logsigmoid(v(t)),
                   "tensor([-1.7014, -0.9741, -0.6931, -0.4741, -0.1269],\n"
                   "       grad_fn=<LogSigmoidBackward0>)"),
    "logsigmoid_grad": (lambda t: grad(t, F(t).logsigmoid, v),
                        "tensor([0.8176, 0.6225, 0.5000, 0.3775, 0.1192])"),
    "logsigmoid_large": (lambda t: F(t).logsigmoid(t.tensor([-200.0, 200.0])),
                         "tensor([-200.,    0.])"),
    "logsigmoid_ints": (lambda t: F(t).logsigmoid(ints(t)),
                        'NotImplementedError: "log_sigmoid_cpu" not implemented for \'Long\''),
    "softsign": (lambda t: F(t).softsign(v(t)),
                 "tensor([-0.6000, -0.3333,  0.0000,  0.3333,  0.6667], grad_fn=<DivBackward0>)"),
    "softsign_grad": (lambda t: grad(t, F(t).softsign, v),
                      "tensor([0.1600, 0.4444, 1.0000, 0.4444, 0.1111])"),
    "softsign_ints": (lambda t: F(t).softsign(ints(t)), "tensor([ 0.5000, -0.6667,  0.7500])"),
    "tanhshrink": (lambda t: F(t).tanhshrink(v(t)),
                   "tensor([-0.5949, -0.0379,  0.0000,  0.0379,  1.0360], grad_fn=<SubBackward0>)"),
    "tanhshrink_grad": (lambda t: grad(t, F(t).tanhshrink, v),
                        "tensor([0.8193, 0.2136, 0.0000, 0.2136, 0.9293])"),
    "elu_inplace_nonleaf": (
        lambda t: F(t).elu(v(t) * 1, inplace=True),
        "tensor([-0.7769, -0.3935,  0.0000,  0.5000,  2.0000], grad_fn=<EluBackward1>)"),
}

LOSSES = {
    "cross_entropy": (lambda t: F(t).cross_entropy(m(t), classes(t)),
                      "tensor(1.6929, grad_fn=<NllLossBackward0>)"),
    "cross_entropy_grad": (lambda t: grad(t, lambda x: F(t).cross_entropy(x, classes(t)), m),
                           "tensor([[-0.2560,  0.0173,  0.2103,  0.0285],\n"
                           "        [ 0.0538,  0.0888, -0.3213,  0.1787],\n"
                           "        [ 0.0137,  0.0304,  0.0410, -0.0851]])"),
    "cross_entropy_sum": (lambda t: F(t).cross_entropy(m(t), classes(t), reduction="sum"),
                          "tensor(5.0788, grad_fn=<NllLossBackward0>)"),
    "cross_entropy_none": (lambda t: F(t).cross_entropy(m(t), classes(t), reduction="none"),
                           "tensor([1.4608, 3.3233, 0.2947], grad_fn=<NllLossBackward0>)"),
    "cross_entropy_one_sample": (lambda t: F(t).cross_entropy(m(t)[0], t.tensor(1)),
                                 "tensor(2.9608, grad_fn=<NllLossBackward0>)"),
    "cross_entropy_weight": (lambda t: F(t).cross_entropy(m(t), classes(t), weight=weights(t)),
                             "tensor(2.5729, grad_fn=<NllLossBackward0>)"),
    "cross_entropy_weight_grad": (
        lambda t: grad(t, lambda x: F(t).cross_entropy(x, classes(t), weight=weights(t)), m),
        "tensor([[-0.1707,  0.0115,  0.1402,  0.0190],\n"
        "        [ 0.1077,  0.1775, -0.6426,  0.3575],\n"
        "        [ 0.0046,  0.0101,  0.0137, -0.0284]])"),
    "cross_entropy_ignore": (lambda t: F(t).cross_entropy(m(t), t.tensor([0, -100, 3])),
                             "tensor(0.8778, grad_fn=<NllLossBackward0>)"),
    "cross_entropy_ignore_index": (
        lambda t: F(t).cross_entropy(m(t), classes(t), ignore_index=2, reduction="none"),
        "tensor([1.4608, 0.0000, 0.2947], grad_fn=<NllLossBackward0>)"),
    "cross_entropy_all_ignored": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([1, 1, 1]), ignore_index=1),
        "tensor(nan, grad_fn=<NllLossBackward0>)"),
    "cross_entropy_probs": (lambda t: F(t).cross_entropy(m(t), soft(t)),
                            "tensor(1.7802, grad_fn=<DivBackward1>)"),
    "cross_entropy_probs_grad": (lambda t: grad(t, lambda x: F(t).cross_entropy(x, soft(t)), m),
                                 "tensor([[ 0.0171, -0.0563,  0.1204, -0.0813],\n"
                                 "        [-0.0064,  0.0152, -0.0778,  0.0690],\n"
                                 "        [-0.0466, -0.0432, -0.0488,  0.1385]])"),
    "cross_entropy_probs_sum": (
        lambda t: F(t).cross_entropy(m(t), t.full((3, 4), 0.25), reduction="sum"),
        "tensor(5.6038, grad_fn=<NegBackward0>)"),
    "cross_entropy_probs_none": (
        lambda t: F(t).cross_entropy(m(t), t.full((3, 4), 0.25), reduction="none"),
        "tensor([1.8358, 1.7733, 1.9947], grad_fn=<NegBackward0>)"),
    "cross_entropy_probs_weight": (
        lambda t: F(t).cross_entropy(m(t), t.full((3, 4), 0.25), weight=weights(t)),
        "tensor(3.2635, grad_fn=<DivBackward1>)"),
    "cross_entropy_smoothing": (lambda t: F(t).cross_entropy(m(t), classes(t), label_smoothing=0.1),
                                "tensor(1.7104, grad_fn=<AddBackward0>)"),
    "cross_entropy_smoothing_grad": (
        lambda t: grad(t, lambda x: F(t).cross_entropy(x, classes(t), label_smoothing=0.2), m),
        "tensor([[-0.2060,  0.0006,  0.1936,  0.0118],\n"
        "        [ 0.0372,  0.0721, -0.2713,  0.1621],\n"
        "        [-0.0030,  0.0137,  0.0244, -0.0351]])"),
    "cross_entropy_smoothing_weight": (
        lambda t: F(t).cross_entropy(m(t), classes(t), weight=weights(t), label_smoothing=0.1),
        "tensor(2.5331, grad_fn=<AddBackward0>)"),
    "cross_entropy_smoothing_none": (
        lambda t: F(t).cross_entropy(m(t), classes(t), label_smoothing=0.1, reduction="none"),
        "tensor([1.4983, 3.1683, 0.4647], grad_fn=<AddBackward0>)"),
    "cross_entropy_smoothing_probs": (
        lambda t: F(t).cross_entropy(m(t), t.full((3, 4), 0.25), label_smoothing=0.1),
        "tensor(1.8679, grad_fn=<DivBackward1>)"),
    "cross_entropy_3d": (lambda t: F(t).cross_entropy(cube(t), t.tensor([[0, 1, 3], [2, 2, 0]])),
                         "tensor(1.8736, grad_fn=<NllLoss2DBackward0>)"),
    "cross_entropy_3d_none": (
        lambda t: F(t).cross_entropy(cube(t), t.tensor([[0, 1, 3], [2, 2, 0]]), reduction="none"),
        "tensor([[1.4856, 2.4242, 2.7789],\n"
        "        [2.4152, 1.3374, 0.8005]], grad_fn=<ViewBackward0>)"),
    "cross_entropy_out_of_bounds": (lambda t: F(t).cross_entropy(m(t), t.tensor([0, 5, 1])),
                                    "IndexError: Target 5 is out of bounds."),
    "cross_entropy_negative_target": (lambda t: F(t).cross_entropy(m(t), t.tensor([0, -1, 1])),
                                      "IndexError: Target -1 is out of bounds."),
    "cross_entropy_batch_mismatch": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([0, 1])),
        "ValueError: Expected input batch_size (3) to match target batch_size (2)."),
    "cross_entropy_float_targets": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([0.0, 1.0, 2.0])),
        "RuntimeError: expected target dtype to be Long or Byte, but got Float"),
    "cross_entropy_int32_targets": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([0, 1, 2], dtype=t.int32)),
        "RuntimeError: expected target dtype to be Long or Byte, but got Int"),
    "cross_entropy_bad_reduction": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([0, 1, 2]), reduction="avg"),
        "ValueError: avg is not a valid value for reduction"),
    "cross_entropy_int_probs": (
        lambda t: F(t).cross_entropy(m(t), t.ones(3, 4, dtype=t.int64)),
        "RuntimeError: Expected floating point type for target with class "
        "probabilities, got Long"),
    "cross_entropy_probs_ignore": (
        lambda t: F(t).cross_entropy(m(t), t.full((3, 4), 0.25), ignore_index=1),
        "RuntimeError: ignore_index is not supported for floating point target"),
    "cross_entropy_smoothing_range": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([0, 1, 2]), label_smoothing=1.5),
        "RuntimeError: label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    "cross_entropy_weight_size": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([0, 1, 2]), weight=t.ones(3)),
        "RuntimeError: weight tensor should be defined either for all 4 "
        "classes or no classes but got weight tensor of shape: [3]"),
    "cross_entropy_ints_input": (
        lambda t: F(t).cross_entropy(t.ones(3, 4, dtype=t.int64), t.tensor([0, 1, 2])),
        'NotImplementedError: "log_softmax_lastdim_kernel_impl" not '
        "implemented for 'Long'"),
    "cross_entropy_scalar_input": (
        lambda t: F(t).cross_entropy(t.tensor(1.0), t.tensor(1)),
        "RuntimeError: Expected floating point type for target with class "
        "probabilities, got Long"),
    "cross_entropy_target_row": (
        lambda t: F(t).cross_entropy(m(t), t.tensor([[0, 1, 2]])),
        "ValueError: Expected input batch_size (3) to match target batch_size (1)."),
    "nll_loss": (lambda t: F(t).nll_loss(t.log_softmax(m(t), 1), classes(t)),
                 "tensor(1.6929, grad_fn=<NllLossBackward0>)"),
    "nll_loss_raw_grad": (lambda t: grad(t, lambda x: F(t).nll_loss(x, classes(t)), m),
                          "tensor([[-0.3333,  0.0000,  0.0000,  0.0000],\n"
                          "        [ 0.0000,  0.0000, -0.3333,  0.0000],\n"
                          "        [ 0.0000,  0.0000,  0.0000, -0.3333]])"),
    "nll_loss_none_grad": (
        lambda t: grad(t, lambda x: F(t).nll_loss(x, classes(t), reduction="none") * x[:, 0], m),
        "tensor([[-2.0000,  0.0000,  0.0000,  0.0000],\n"
        "        [ 1.2000,  0.0000, -0.3000,  0.0000],\n"
        "        [-2.2000,  0.0000,  0.0000,  0.7000]])"),
    "nll_loss_uint8": (lambda t: F(t).nll_loss(m(t), t.tensor([0, 1, 2], dtype=t.uint8)),
                       "tensor(-0.7333, grad_fn=<NllLossBackward0>)"),
    "nll_loss_1d_target_size": (
        lambda t: F(t).nll_loss(m(t)[0], t.tensor([1, 2])),
        "ValueError: For 1D input, 1D target must have size 1, but got target size: 2"),
    "nll_loss_1d_target_one": (lambda t: F(t).nll_loss(m(t)[0], t.tensor([1])),
                               "tensor(0.5000, grad_fn=<NllLossBackward0>)"),
    "nll_loss_scalar": (lambda t: F(t).nll_loss(t.tensor(1.0), t.tensor(1)),
                        "ValueError: Expected 1 or more dimensions (got 0)"),
    "nll_loss_4d": (
        lambda t: F(t).nll_loss(cube(t).reshape(2, 3, 2, 2), t.tensor(
        [[[0, 1], [2, 2]], [[1, 1], [0, 2]]])),
        "tensor(0.4510, grad_fn=<NllLoss2DBackward0>)"),
    "nll_loss_4d_target_dims": (
        lambda t: F(t).nll_loss(t.ones(2, 3, 4, 5), t.zeros(2, 4, dtype=t.int64)),
        "RuntimeError: only batches of spatial targets supported (3D tensors) "
        "but got targets of dimension: 2"),
    "nll_loss_3d_target_size": (
        lambda t: F(t).nll_loss(t.ones(2, 3, 4), t.zeros(2, 5, dtype=t.int64)),
        "RuntimeError: Expected target size [2, 4], got [2, 5]"),
    "nll_loss_weight_shape": (
        lambda t: F(t).nll_loss(m(t), t.tensor([0, 1, 2]), weight=t.ones(4, 1)),
        "RuntimeError: weight tensor should be defined either for all 4 "
        "classes or no classes but got weight tensor of shape: [4, 1]"),
    "nll_loss_weight_dtype": (
        lambda t: F(t).cross_entropy(m(t).double(), t.tensor([0, 1, 2]), weight=t.ones(4)),
        "RuntimeError: expected scalar type Double but found Float"),
    "nll_loss_legacy": (
        lambda t: quiet(F(t).nll_loss, m(t), t.tensor([0, 1, 2]), size_average=False),
        "tensor(-2.2000, grad_fn=<NllLossBackward0>)"),
    "bce": (lambda t: F(t).binary_cross_entropy(probs(t), labels(t)),
            "tensor(0.2777, grad_fn=<BinaryCrossEntropyBackward0>)"),
    "bce_grad": (lambda t: grad(t, lambda x: F(t).binary_cross_entropy(x, labels(t)), probs),
                 "tensor([ 0.2500, -0.2222, -0.4000,  0.2020, -0.2857])"),
    "bce_target_grad": (
        lambda t: grad(t, lambda x: F(t).binary_cross_entropy(x * 0 + 0.6, x), [0.0, 0.5, 1.0]),
        "tensor([-0.1352, -0.1352, -0.1352])"),
    "bce_sum": (lambda t: F(t).binary_cross_entropy(probs(t), labels(t), reduction="sum"),
                "tensor(1.3884, grad_fn=<BinaryCrossEntropyBackward0>)"),
    "bce_none": (lambda t: F(t).binary_cross_entropy(probs(t), labels(t), reduction="none"),
                 "tensor([0.2231, 0.1054, 0.6931, 0.0101, 0.3567],\n"
                 "       grad_fn=<BinaryCrossEntropyBackward0>)"),
    "bce_weight": (lambda t: F(t).binary_cross_entropy(probs(t), labels(t), weight=labels(t) + 0.5),
                   "tensor(0.3699, grad_fn=<BinaryCrossEntropyBackward0>)"),
    "bce_zero_and_one": (
        lambda t: F(t).binary_cross_entropy(leaf(t, [0.0, 1.0]), t.tensor([1.0, 0.0])),
        "tensor(100., grad_fn=<BinaryCrossEntropyBackward0>)"),
    "bce_zero_and_one_grad": (
        lambda t: grad(t, lambda x: F(t).binary_cross_entropy(x, t.tensor([1.0, 0.0])), [0.0, 1.0]),
        "tensor([-5.0000e+11,  5.0000e+11])"),
    "bce_out_of_range": (lambda t: F(t).binary_cross_entropy(t.tensor([1.5]), t.tensor([1.0])),
                         "RuntimeError: all elements of input should be between 0 and 1"),
    "bce_target_out_of_range": (
        lambda t: F(t).binary_cross_entropy(t.tensor([0.5]), t.tensor([2.0])),
        "RuntimeError: all elements of target should be between 0 and 1"),
    "bce_sizes": (lambda t: F(t).binary_cross_entropy(t.full((3,), 0.5), t.ones(3, 1)),
                  "ValueError: Using a target size (torch.Size([3, 1])) that is "
                  "different to the input size (torch.Size([3])) is deprecated. Please "
                  "ensure they have the same size."),
    "bce_logits": (lambda t: F(t).binary_cross_entropy_with_logits(v(t), labels(t)),
                   "tensor(0.5939, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"),
    "bce_logits_grad": (
        lambda t: grad(t, lambda x: F(t).binary_cross_entropy_with_logits(x, labels(t)), v),
        "tensor([ 0.0365, -0.1245, -0.1000,  0.1245, -0.0238])"),
    "bce_logits_pos_weight": (
        lambda t: F(t).binary_cross_entropy_with_logits(v(t), labels(t), pos_weight=labels(t) + 2),
        "tensor(1.3116, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"),
    "bce_logits_pos_weight_grad": (
        lambda t: grad(t, lambda x: F(t).binary_cross_entropy_with_logits(
        x, labels(t), pos_weight=labels(t) + 2), v),
        "tensor([ 0.0365, -0.3735, -0.3000,  0.1245, -0.0715])"),
    "bce_logits_pos_weight_requires_grad": (
        lambda t: F(t).binary_cross_entropy_with_logits(
        v(t), labels(t), pos_weight=v(t)),
        "RuntimeError: The function 'binary_cross_entropy_with_logits' is not "
        "differentiable with respect to argument 'pos_weight'. This input "
        "cannot have requires_grad True."),
    "bce_weight_requires_grad": (
        lambda t: F(t).binary_cross_entropy(probs(t), labels(t), weight=v(t)),
        "RuntimeError: The function 'binary_cross_entropy' is not "
        "differentiable with respect to argument 'weight'. This input cannot "
        "have requires_grad True."),
    "nll_loss_weight_requires_grad": (
        lambda t: F(t).nll_loss(m(t), classes(t), weight=weights(t).requires_grad_()),
        "RuntimeError: The function 'nll_loss_forward' is not differentiable "
        "with respect to argument 'weight'. This input cannot have requires_grad True."),
    "bce_logits_target_grad": (
        lambda t: grad(t, lambda x: F(t).binary_cross_entropy_with_logits(
        t.tensor([-1.0, 0.5, 2.0]), x, pos_weight=t.tensor([2.0, 1.0, 0.5])), [0.0, 0.5, 1.0]),
        "tensor([ 0.7711, -0.1667, -0.6878])"),
    "bce_logits_none": (
        lambda t: F(t).binary_cross_entropy_with_logits(v(t), labels(t), reduction="none"),
        "tensor([0.2014, 0.9741, 0.6931, 0.9741, 0.1269],\n"
        "       grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"),
    "bce_logits_large": (
        lambda t: F(t).binary_cross_entropy_with_logits(t.tensor([-1e2, 1e2]),
                                                                        t.tensor([1.0, 0.0])),
        "tensor(100.)"),
    "bce_logits_sizes": (lambda t: F(t).binary_cross_entropy_with_logits(t.zeros(3), t.ones(3, 1)),
                         "ValueError: Target size (torch.Size([3, 1])) must be the same as "
                         "input size (torch.Size([3]))"),
    "l1_loss": (lambda t: F(t).l1_loss(v(t), w(t)), "tensor(1.3500, grad_fn=<MeanBackward0>)"),
    "l1_loss_grad": (lambda t: grad(t, F(t).l1_loss, v, w),
                     "(tensor([-0.2000, -0.2000,  0.2000,  0.2000, -0.2000]), tensor([ "
                     "0.2000,  0.2000, -0.2000, -0.2000,  0.2000]))"),
    "l1_loss_sum": (lambda t: F(t).l1_loss(v(t), w(t), reduction="sum"),
                    "tensor(6.7500, grad_fn=<SumBackward0>)"),
    "l1_loss_none": (lambda t: F(t).l1_loss(v(t), w(t), reduction="none"),
                     "tensor([2.0000, 1.5000, 2.0000, 0.2500, 1.0000], grad_fn=<AbsBackward0>)"),
    "l1_loss_weight": (
        lambda t: F(t).l1_loss(v(t), w(t), weight=t.tensor([1.0, 2.0, 0.0, 1.0, 1.0])),
        "tensor(1.2500, grad_fn=<DivBackward0>)"),
    "l1_loss_broadcast": (lambda t: quiet(F(t).l1_loss, v(t), t.ones(2, 5)),
                          "tensor(1.3000, grad_fn=<MeanBackward0>)"),
    "l1_loss_legacy": (lambda t: quiet(F(t).l1_loss, v(t), w(t), size_average=False),
                       "tensor(6.7500, grad_fn=<SumBackward0>)"),
    "smooth_l1_loss": (lambda t: F(t).smooth_l1_loss(v(t), w(t)),
                       "tensor(0.9062, grad_fn=<SmoothL1LossBackward0>)"),
    "smooth_l1_loss_grad": (lambda t: grad(t, F(t).smooth_l1_loss, v, w),
                            "(tensor([-0.2000, -0.2000,  0.2000,  0.0500, -0.2000]), tensor([ "
                            "0.2000,  0.2000, -0.2000, -0.0500,  0.2000]))"),
    "smooth_l1_loss_beta": (lambda t: F(t).smooth_l1_loss(v(t), w(t), beta=0.5, reduction="none"),
                            "tensor([1.7500, 1.2500, 1.7500, 0.0625, 0.7500],\n"
                            "       grad_fn=<SmoothL1LossBackward0>)"),
    "smooth_l1_loss_beta_zero": (lambda t: F(t).smooth_l1_loss(v(t), w(t), beta=0.0),
                                 "tensor(1.3500, grad_fn=<MeanBackward0>)"),
    "smooth_l1_loss_broadcast": (lambda t: quiet(F(t).smooth_l1_loss, v(t), t.zeros(2, 5)),
                                 "tensor(0.5500, grad_fn=<SmoothL1LossBackward0>)"),
    "huber_loss": (lambda t: F(t).huber_loss(v(t), w(t), delta=0.5),
                   "tensor(0.5562, grad_fn=<HuberLossBackward0>)"),
    "huber_loss_grad": (lambda t: grad(t, lambda a, b: F(t).huber_loss(a, b, delta=0.5), v, w),
                        "(tensor([-0.1000, -0.1000,  0.1000,  0.0500, -0.1000]), tensor([ "
                        "0.1000,  0.1000, -0.1000, -0.0500,  0.1000]))"),
    "huber_loss_sum": (lambda t: F(t).huber_loss(v(t), w(t), reduction="sum"),
                       "tensor(4.5312, grad_fn=<HuberLossBackward0>)"),
    "huber_loss_weight": (
        lambda t: F(t).huber_loss(v(t), w(t), weight=t.tensor([1.0, 2.0, 0.0, 1.0, 1.0])),
        "tensor(0.8062, grad_fn=<MeanBackward0>)"),
    "huber_loss_bad_reduction": (lambda t: F(t).huber_loss(v(t), w(t), reduction="max"),
                                 "ValueError: max is not a valid value for reduction"),
    "mse_loss": (lambda t: F(t).mse_loss(v(t), w(t)), "tensor(2.2625, grad_fn=<MseLossBackward0>)"),
}

SELECTIONS = {
    "median": (lambda t: v(t).median(), "tensor(0., grad_fn=<MedianBackward0>)"),
    "median_even": (lambda t: t.median(t.tensor([4.0, 1.0, 3.0, 2.0])), "tensor(2.)"),
    "median_ties_grad": (lambda t: grad(t, lambda x: x.median(), [2.0, 1.0, 2.0, 3.0, 2.0]),
                         "tensor([0.3333, 0.0000, 0.3333, 0.0000, 0.3333])"),
    "median_nan": (lambda t: t.tensor([1.0, float("nan"), 3.0]).median(), "tensor(nan)"),
    "median_empty": (lambda t: t.tensor([]).median(), "tensor(nan)"),
    "median_ints": (lambda t: t.tensor([3, 1, 2, 4]).median(), "tensor(2)"),
    "median_bool": (lambda t: t.tensor([True]).median(),
                    'NotImplementedError: "median_cpu" not implemented for \'Bool\''),
    "median_dim": (lambda t: m(t).median(1),
                   "torch.return_types.median(\n"
                   "values=tensor([0.0000, 0.3000, 0.1000], grad_fn=<MedianBackward1>),\n"
                   "indices=tensor([3, 0, 1]))"),
    "median_dim_keepdim": (
        lambda t: t.median(m(t), dim=0, keepdim=True),
        "torch.return_types.median(\n"
        "values=tensor([[0.3000, 0.1000, 0.4000, 1.5000]], grad_fn=<MedianBackward1>),\n"
        "indices=tensor([[1, 2, 2, 1]]))"),
    "median_dim_ties": (lambda t: t.tensor([2.0, 1.0, 2.0, 2.0, 1.0, 2.0]).median(0),
                        "torch.return_types.median(\n"
                        "values=tensor(2.),\n"
                        "indices=tensor(0))"),
    "median_dim_ones": (lambda t: t.median(t.ones(2, 3), 1),
                        "torch.return_types.median(\n"
                        "values=tensor([1., 1.]),\n"
                        "indices=tensor([1, 1]))"),
    "median_dim_nan": (lambda t: t.tensor([1.0, float("nan"), float("nan")]).median(0),
                       "torch.return_types.median(\n"
                       "values=tensor(nan),\n"
                       "indices=tensor(1))"),
    "median_dim_grad": (lambda t: grad(t, lambda x: x.median(dim=1).values, m),
                        "tensor([[0., 0., 0., 1.],\n"
                        "        [1., 0., 0., 0.],\n"
                        "        [0., 1., 0., 0.]])"),
    "median_dim_scalar": (lambda t: t.tensor(5.0).median(0),
                          "torch.return_types.median(\n"
                          "values=tensor(5.),\n"
                          "indices=tensor(0))"),
    "median_dim_empty": (lambda t: t.zeros(2, 0).median(1),
                         "IndexError: median(): Expected reduction dim 1 to have non-zero size."),
    "median_dim_out_of_range": (
        lambda t: t.tensor([1.0, 2.0]).median(dim=2),
        "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 2)"),
    "median_unpack": (
        lambda t: (lambda r: (r.values, r.indices))(t.tensor([3.0, 1.0, 2.0]).median(0)),
        "(tensor(2.), tensor(2))"),
    "kthvalue": (lambda t: v(t).kthvalue(2),
                 "torch.return_types.kthvalue(\n"
                 "values=tensor(-0.5000, grad_fn=<KthvalueBackward0>),\n"
                 "indices=tensor(1))"),
    "kthvalue_dim": (
        lambda t: t.kthvalue(m(t), 3, 0, keepdim=True),
        "torch.return_types.kthvalue(\n"
        "values=tensor([[1.0000, 0.8000, 2.0000, 2.2000]], grad_fn=<KthvalueBackward0>),\n"
        "indices=tensor([[0, 1, 0, 2]]))"),
    "kthvalue_ties": (lambda t: t.tensor([2.0, 1.0, 2.0, 2.0, 1.0, 2.0]).kthvalue(4),
                      "torch.return_types.kthvalue(\n"
                      "values=tensor(2.),\n"
                      "indices=tensor(0))"),
    "kthvalue_ties_2": (
        lambda t: t.tensor([[0.0, 0.0, 2.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 2.0]]).kthvalue(5),
        "torch.return_types.kthvalue(\n"
        "values=tensor([1.]),\n"
        "indices=tensor([8]))"),
    "kthvalue_nan": (lambda t: t.tensor([1.0, float("nan"), float("nan")]).kthvalue(3),
                     "torch.return_types.kthvalue(\n"
                     "values=tensor(nan),\n"
                     "indices=tensor(2))"),
    "kthvalue_grad": (lambda t: grad(t, lambda x: x.kthvalue(2, dim=1).values, m),
                      "tensor([[0., 0., 0., 1.],\n"
                      "        [1., 0., 0., 0.],\n"
                      "        [0., 1., 0., 0.]])"),
    "kthvalue_out_of_range": (
        lambda t: t.tensor([1.0, 2.0]).kthvalue(3),
        "RuntimeError: kthvalue(): selected number k out of range for dimension 0"),
    "kthvalue_zero": (lambda t: t.tensor([1.0, 2.0]).kthvalue(0),
                      "RuntimeError: kthvalue(): selected number k out of range for dimension 0"),
    "kthvalue_empty": (lambda t: t.tensor([]).kthvalue(1),
                       "IndexError: kthvalue(): Expected reduction dim 0 to have non-zero size."),
    "kthvalue_float_k": (lambda t: t.tensor([1.0, 2.0]).kthvalue(1.5),
                         "TypeError: kthvalue(): argument 'k' (position 1) must be int, not float"),
    "kthvalue_scalar": (lambda t: t.tensor(5.0).kthvalue(1),
                        "torch.return_types.kthvalue(\n"
                        "values=tensor(5.),\n"
                        "indices=tensor(0))"),
    "kthvalue_ints": (lambda t: t.tensor([5, 3, 9, 1]).kthvalue(2),
                      "torch.return_types.kthvalue(\n"
                      "values=tensor(3),\n"
                      "indices=tensor(1))"),
    "narrow": (lambda t: m(t).narrow(1, 1, 2),
               "tensor([[-0.5000,  2.0000],\n"
               "        [ 0.8000, -1.2000],\n"
               "        [ 0.1000,  0.4000]], grad_fn=<SliceBackward0>)"),
    "narrow_negative_start": (lambda t: t.narrow(m(t), 1, -2, 2),
                              "tensor([[ 2.0000,  0.0000],\n"
                              "        [-1.2000,  1.5000],\n"
                              "        [ 0.4000,  2.2000]], grad_fn=<SliceBackward0>)"),
    "narrow_whole": (lambda t: t.narrow(m(t), -1, 0, 4),
                     "tensor([[ 1.0000, -0.5000,  2.0000,  0.0000],\n"
                     "        [ 0.3000,  0.8000, -1.2000,  1.5000],\n"
                     "        [-0.7000,  0.1000,  0.4000,  2.2000]], grad_fn=<SliceBackward0>)"),
    "narrow_grad": (lambda t: grad(t, lambda x: x.narrow(0, 1, 1), m),
                    "tensor([[0., 0., 0., 0.],\n"
                    "        [1., 1., 1., 1.],\n"
                    "        [0., 0., 0., 0.]])"),
    "narrow_tensor_start": (
        lambda t: m(t).narrow(0, t.tensor(1), 2),
        "tensor([[ 0.3000,  0.8000, -1.2000,  1.5000],\n"
        "        [-0.7000,  0.1000,  0.4000,  2.2000]], grad_fn=<SliceBackward0>)"),
    "narrow_empty": (lambda t: t.arange(12.0).reshape(3, 4).narrow(0, 3, 0),
                     "tensor([], size=(0, 4))"),
    "narrow_start_range": (
        lambda t: m(t).narrow(1, 5, 1),
        "IndexError: start out of range (expected to be in range of [-4, 4], but got 5)"),
    "narrow_too_long": (lambda t: m(t).narrow(1, 3, 2),
                        "RuntimeError: start (3) + length (2) exceeds dimension size (4)."),
    "narrow_negative_length": (lambda t: m(t).narrow(1, 1, -1),
                               "RuntimeError: narrow(): length must be non-negative."),
    "narrow_0d": (lambda t: t.tensor(1.0).narrow(0, 0, 1),
                  "RuntimeError: narrow() cannot be applied to a 0-dim tensor."),
    "narrow_float_start": (lambda t: m(t).narrow(0, 1.0, 2),
                           "TypeError: narrow() received an invalid combination of arguments - "
                           "got (int, float, int), but expected one of:\n"
                           " * (int dim, Tensor start, int length)\n"
                           "      didn't match because some of the arguments have invalid types: "
                           "(int, !float!, int)\n"
                           " * (int dim, int start, int length)\n"
                           "      didn't match because some of the arguments have invalid types: "
                           "(int, !float!, int)\n"),
    "narrow_is_view": (
        lambda t: (lambda a: (a.narrow(1, 1, 2).fill_(0), a)[1])(t.arange(8.0).reshape(2, 4)),
        "tensor([[0., 0., 0., 3.],\n"
        "        [4., 0., 0., 7.]])"),
    "diff": (lambda t: v(t).diff(),
             "tensor([1.0000, 0.5000, 0.5000, 1.5000], grad_fn=<SubBackward0>)"),
    "diff_n2": (lambda t: t.diff(v(t), n=2),
                "tensor([-0.5000,  0.0000,  1.0000], grad_fn=<SubBackward0>)"),
    "diff_dim0": (lambda t: t.diff(m(t), dim=0),
                  "tensor([[-0.7000,  1.3000, -3.2000,  1.5000],\n"
                  "        [-1.0000, -0.7000,  1.6000,  0.7000]], grad_fn=<SubBackward0>)"),
    "diff_prepend": (
        lambda t: t.diff(v(t), prepend=w(t)),
        "tensor([ 0.5000, -3.0000,  2.2500,  2.7500, -4.5000,  1.0000,  0.5000,  0.5000,\n"
        "         1.5000], grad_fn=<SubBackward0>)"),
    "diff_append_grad": (lambda t: grad(t, lambda a, b: t.diff(a, append=b[:2]), v, w),
                         "(tensor([-1.,  0.,  0.,  0.,  0.]), tensor([0., 1., 0., 0., 0.]))"),
    "diff_n0": (lambda t: t.diff(v(t), n=0),
                "tensor([-1.5000, -0.5000,  0.0000,  0.5000,  2.0000], grad_fn=<CopyBackwards>)"),
    "diff_too_many": (lambda t: t.diff(m(t), n=5),
                      "tensor([], size=(3, 0), grad_fn=<SubBackward0>)"),
    "diff_bool": (lambda t: t.diff(t.tensor([True, False, False])), "tensor([ True, False])"),
    "diff_ints": (lambda t: t.diff(t.tensor([1, 4, 9])), "tensor([3, 5])"),
    "diff_0d": (lambda t: t.diff(t.tensor(1.0)),
                "RuntimeError: diff expects input to be at least one-dimensional"),
    "diff_negative_n": (lambda t: t.diff(v(t), n=-1),
                        "RuntimeError: order must be non-negative but got -1"),
    "diff_prepend_dims": (
        lambda t: t.diff(m(t), prepend=t.zeros(4)),
        "RuntimeError: diff expects prepend or append to be the same dimension as input"),
    "diff_prepend_shape": (lambda t: t.diff(m(t), prepend=t.zeros(2, 1)),
                           "RuntimeError: diff expects the shape of tensor to prepend or append "
                           "to match that of input except along the differencing dimension; "
                           "input.size(0) = 3, but got tensor.size(0) = 2"),
    "diff_prepend_number": (lambda t: t.diff(m(t), prepend=1.0),
                            "TypeError: diff(): argument 'prepend' must be Tensor, not float"),
    "trapezoid": (lambda t: t.trapezoid(v(t)), "tensor(0.2500, grad_fn=<MulBackward1>)"),
    "trapezoid_x": (lambda t: t.trapezoid(v(t), w(t)), "tensor(4.2500, grad_fn=<DivBackward1>)"),
    "trapezoid_x_grad": (lambda t: grad(t, t.trapezoid, v, w),
                         "(tensor([ 0.2500, -1.2500, -0.3750,  2.5000,  1.3750]), tensor([ "
                         "1.0000, -0.7500, -0.5000, -1.0000,  1.2500]))"),
    "trapezoid_dx_dim": (lambda t: t.trapezoid(m(t), dx=2.0, dim=0),
                         "tensor([ 9.0000e-01,  1.2000e+00, -2.3842e-07,  5.2000e+00],\n"
                         "       grad_fn=<MulBackward1>)"),
    "trapezoid_x_1d": (lambda t: t.trapezoid(m(t), t.tensor([1.0, 2.0, 4.0, 8.0])),
                       "tensor([5.7500, 0.7500, 5.4000], grad_fn=<DivBackward1>)"),
    "trapezoid_dx_tensor": (lambda t: t.trapezoid(m(t), dx=t.tensor(2.0)),
                            "tensor([4.0000, 1.0000, 2.5000], grad_fn=<MulBackward1>)"),
    "trapezoid_ints": (lambda t: t.trapezoid(t.tensor([1, 2, 3])), "tensor(4.)"),
    "trapezoid_empty": (lambda t: t.trapezoid(t.zeros(2, 0)), "tensor([0., 0.])"),
    "trapezoid_bool": (
        lambda t: t.trapezoid(t.tensor([True])),
        "RuntimeError: trapezoid: received a bool input for `y`, but bool is not supported"),
    "trapezoid_scalar": (lambda t: t.trapezoid(t.tensor(1.0)),
                         "IndexError: Dimension specified as -1 but tensor has no dimensions"),
    "trapezoid_x_count": (
        lambda t: t.trapezoid(m(t), t.tensor([1.0, 2.0])),
        "RuntimeError: trapezoid: There must be one `x` value for each sample point"),
    "trapezoid_x_and_dx": (
        lambda t: t.trapezoid(m(t), t.tensor([1.0, 2.0, 4.0, 8.0]), dx=1.0),
        "TypeError: trapezoid() received an invalid combination of arguments - "
        "got (Tensor, Tensor, dx=float), but expected one of:\n"
        " * (Tensor y, Tensor x, *, int dim = -1)\n"
        " * (Tensor y, *, Number dx = 1, int dim = -1)\n"),
    "trapezoid_dx_bool": (
        lambda t: t.trapezoid(m(t), dx=True),
        "RuntimeError: trapezoid: Currently, we only support dx as a real number."),
    "trapz": (lambda t: t.trapz(v(t), dx=0.5), "tensor(0.1250, grad_fn=<MulBackward1>)"),
    "trapz_x": (lambda t: t.trapz(m(t), t.tensor([1.0, 2.0, 4.0, 8.0])),
                "tensor([5.7500, 0.7500, 5.4000], grad_fn=<DivBackward1>)"),
    "trapz_number": (lambda t: t.trapz(m(t), 2.0),
                     "TypeError: trapz() received an invalid combination of arguments - got "
                     "(Tensor, float), but expected one of:\n"
                     " * (Tensor y, *, float dx = 1, int dim = -1)\n"
                     " * (Tensor y, Tensor x, *, int dim = -1)\n"),
    "is_inference": (lambda t: v(t).is_inference(), "False"),
}

SAMPLING = {
    "randperm": (lambda t: drawn(t, 0, lambda: t.randperm(10)),
                 "tensor([4, 1, 7, 5, 3, 9, 0, 8, 6, 2])"),
    "randperm_float": (lambda t: drawn(t, 1, lambda: t.randperm(6, dtype=t.float32)),
                       "tensor([1., 5., 2., 0., 3., 4.])"),
    "randperm_then_rand": (lambda t: drawn(t, 2, lambda: (t.randperm(5), t.rand(2))[1]),
                           "tensor([0.7136, 0.6190])"),
    "randperm_empty": (lambda t: t.randperm(0), "tensor([], dtype=torch.int64)"),
    "randperm_negative": (lambda t: t.randperm(-1),
                          "RuntimeError: Trying to create tensor with negative dimension -1: [-1]"),
    "randperm_bool": (lambda t: t.randperm(3, dtype=t.bool),
                      'NotImplementedError: "randperm" not implemented for \'Bool\''),
    "randperm_uint8": (lambda t: t.randperm(257, dtype=t.uint8),
                       "RuntimeError: value cannot be converted to type uint8_t without overflow"),
    "randperm_half": (lambda t: t.randperm(2050, dtype=t.float16),
                      "RuntimeError: n cannot be greater than 2049 for Half type."),
    "randperm_float_n": (lambda t: t.randperm(5.0),
                         "TypeError: randperm(): argument 'n' (position 1) must be int, not float"),
    "randperm_requires_grad": (
        lambda t: t.randperm(3, requires_grad=True),
        "RuntimeError: Only Tensors of floating point and complex dtype can "
        "require gradients"),
    "bernoulli": (lambda t: drawn(t, 0, lambda: t.bernoulli(t.linspace(0, 1, 8))),
                  "tensor([0., 0., 1., 1., 1., 1., 1., 1.])"),
    "bernoulli_double": (
        lambda t: drawn(t, 0, lambda: t.bernoulli(t.linspace(0, 1, 8, dtype=t.float64))),
        "tensor([0., 0., 0., 0., 0., 0., 1., 1.], dtype=torch.float64)"),
    "bernoulli_p": (lambda t: drawn(t, 0, lambda: t.bernoulli(t.zeros(8), 0.3)),
                    "tensor([0., 0., 0., 0., 0., 0., 1., 0.])"),
    "bernoulli_p_keyword": (lambda t: drawn(t, 0, lambda: t.bernoulli(t.zeros(2, 3), p=0.5)),
                            "tensor([[0., 0., 1.],\n"
                            "        [0., 0., 0.]])"),
    "bernoulli_method": (lambda t: drawn(t, 3, lambda: t.full((6,), 0.5).bernoulli()),
                         "tensor([1., 1., 1., 1., 1., 1.])"),
    "bernoulli_grad_fn": (
        lambda t: drawn(t, 3, lambda: t.bernoulli(t.full((3,), 0.5, requires_grad=True))),
        "tensor([1., 1., 1.], grad_fn=<BernoulliBackward0>)"),
    "bernoulli_grad": (lambda t: drawn(t, 3, lambda: grad(t, t.bernoulli, [0.5, 0.5, 0.5])),
                       "tensor([0., 0., 0.])"),
    "bernoulli_inplace": (lambda t: drawn(t, 4, lambda: t.zeros(6).bernoulli_(0.5)),
                          "tensor([1., 0., 1., 0., 0., 0.])"),
    "bernoulli_inplace_ints": (
        lambda t: drawn(t, 4, lambda: t.zeros(4, dtype=t.int64).bernoulli_(0.5)),
        "tensor([1, 0, 1, 0])"),
    "bernoulli_inplace_tensor": (
        lambda t: drawn(t, 4, lambda: t.zeros(2, 3).bernoulli_(t.tensor([0.1, 0.5, 0.9]))),
        "tensor([[0., 0., 1.],\n"
        "        [0., 1., 1.]])"),
    "bernoulli_inplace_transposed": (
        lambda t: drawn(t, 4, lambda: (lambda a: (a.t().bernoulli_(0.5), a)[1])(t.zeros(3, 4))),
        "tensor([[1., 0., 1., 0.],\n"
        "        [0., 0., 1., 0.],\n"
        "        [1., 1., 1., 0.]])"),
    "bernoulli_out_of_range": (
        lambda t: t.bernoulli(t.tensor([1.5])),
        "RuntimeError: Expected p_in >= 0 && p_in <= 1 to be true, but got "
        "false.  (Could this error message be improved?  If so, please report "
        "an enhancement request to PyTorch.)"),
    "bernoulli_p_out_of_range": (
        lambda t: t.bernoulli(t.zeros(2), 1.5),
        "RuntimeError: bernoulli_ expects p to be in [0, 1], but got p=1.5"),
    "bernoulli_ints": (
        lambda t: t.bernoulli(t.tensor([1, 0])),
        'NotImplementedError: "bernoulli_tensor_cpu_p_" not implemented for \'Long\''),
    "bernoulli_inplace_shape": (
        lambda t: t.zeros(2).bernoulli_(t.tensor([0.5, 0.5, 0.5])),
        "RuntimeError: The expanded size of the tensor (2) must match the "
        "existing size (3) at non-singleton dimension 0.  Target sizes: [2].  "
        "Tensor sizes: [3]"),
    "multinomial": (lambda t: drawn(t, 0, lambda: t.multinomial(t.tensor([0.2, 0.5, 0.3]), 2)),
                    "tensor([2, 1])"),
    "multinomial_one": (lambda t: drawn(t, 0, lambda: t.multinomial(t.tensor([0.2, 0.5, 0.3]), 1)),
                        "tensor([2])"),
    "multinomial_replacement": (
        lambda t: drawn(t, 0, lambda: t.multinomial(t.tensor([0.2, 0.5, 0.3]), 8, True)),
        "tensor([2, 2, 1, 2, 1, 2, 0, 1])"),
    "multinomial_rows": (lambda t: drawn(t, 5, lambda: rows(t).multinomial(3)),
                         "tensor([[3, 2, 1],\n"
                         "        [0, 3, 2]])"),
    "multinomial_rows_replacement": (lambda t: drawn(t, 5, lambda: rows(t).multinomial(6, True)),
                                     "tensor([[3, 1, 2, 2, 1, 3],\n"
                                     "        [0, 0, 3, 0, 0, 0]])"),
    "multinomial_zeros": (
        lambda t: drawn(t, 0, lambda: t.multinomial(t.tensor([0.0, 0.0, 1.0]), 2)),
        "tensor([2, 0])"),
    "multinomial_double": (lambda t: drawn(t, 7, lambda: t.multinomial(rows(t)[0].double(), 4)),
                           "tensor([1, 3, 0, 2])"),
    "multinomial_too_many": (lambda t: t.multinomial(t.tensor([0.2, 0.5, 0.3]), 4),
                             "RuntimeError: cannot sample n_sample > prob_dist.size(-1) samples "
                             "without replacement"),
    "multinomial_zero_samples": (lambda t: t.multinomial(t.tensor([0.2, 0.5, 0.3]), 0),
                                 "RuntimeError: cannot sample n_sample <= 0 samples"),
    "multinomial_zero_sum": (
        lambda t: t.multinomial(t.tensor([0.0, 0.0]), 1),
        "RuntimeError: invalid multinomial distribution (sum of probabilities <= 0)"),
    "multinomial_negative": (
        lambda t: t.multinomial(t.tensor([-1.0, 1.0]), 1),
        "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0"),
    "multinomial_negative_replacement": (
        lambda t: t.multinomial(t.tensor([-1.0, 1.0]), 2, True),
        "RuntimeError: invalid multinomial distribution (encountering "
        "probability entry < 0)"),
    "multinomial_nan_replacement": (
        lambda t: t.multinomial(t.tensor([float("nan"), 1.0]), 2, True),
        "RuntimeError: invalid multinomial distribution (encountering "
        "probability entry < 0)"),
    "multinomial_inf_replacement": (
        lambda t: t.multinomial(t.tensor([float("inf"), 1.0]), 2, True),
        "RuntimeError: invalid multinomial distribution (encountering "
        "probability entry = infinity or NaN)"),
    "multinomial_ints": (
        lambda t: t.multinomial(t.tensor([1, 2]), 1),
        "RuntimeError: multinomial only supports floating-point dtypes for input, got: Long"),
    "multinomial_3d": (lambda t: t.multinomial(t.ones(2, 2, 2), 1),
                       "RuntimeError: prob_dist must be 1 or 2 dim"),
    "multinomial_float_n": (
        lambda t: t.multinomial(t.tensor([0.5, 0.5]), 2.0),
        "TypeError: multinomial(): argument 'num_samples' (position 2) must be "
        "int, not float"),
}


CASES = {f"elementwise_{k}": case for k, case in ELEMENTWISE.items()}
CASES |= {f"activation_{k}": case for k, case in ACTIVATIONS.items()}
CASES |= {f"loss_{k}": case for k, case in LOSSES.items()}
CASES |= {f"selection_{k}": case for k, case in SELECTIONS.items()}
CASES |= {f"sampling_{k}": case for k, case in SAMPLING.items()}


# --- beyond the table ---------------------------------------------------------------------------

TORCH_NAMES = ("erf", "erfc", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "hypot",
               "lerp", "addcmul", "addcdiv", "logaddexp", "clamp_min", "clamp_max", "square",
               "median", "kthvalue", "narrow", "diff", "trapezoid", "trapz", "randperm",
               "bernoulli", "multinomial")
FUNCTIONAL_NAMES = ("leaky_relu", "softplus", "gelu", "silu", "elu", "relu6", "hardtanh",
                    "logsigmoid", "softsign", "tanhshrink", "cross_entropy", "nll_loss",
                    "binary_cross_entropy", "binary_cross_entropy_with_logits", "l1_loss",
                    "smooth_l1_loss", "huber_loss")
METHODS = ("erf", "erfc", "asinh", "acosh", "atanh", "hypot", "lerp", "lerp_", "addcmul",
           "addcmul_", "addcdiv", "addcdiv_", "logaddexp", "clamp_min", "clamp_min_", "clamp_max",
           "clamp_max_", "median", "kthvalue", "narrow", "diff", "is_inference", "bernoulli",
           "bernoulli_", "multinomial")


def test_the_names_are_where_pytorch_has_them():
    """In ``torch``, ``torch.nn.functional`` and on tensors -- and the activations only in
    ``torch.nn.functional``, as in PyTorch (``torch.gelu`` is an AttributeError there too)."""
    x = torch.ones(2)
    assert all(callable(getattr(torch, n)) for n in TORCH_NAMES)
    assert all(callable(getattr(torch.nn.functional, n)) for n in FUNCTIONAL_NAMES)
    assert all(callable(getattr(x, n)) for n in METHODS)
    assert not any(hasattr(torch, n) for n in ("gelu", "leaky_relu", "softplus", "silu", "elu"))


def test_the_language_reaches_them():
    s = Session()
    s.execute("import torch\nimport torch.nn.functional as F\nx = torch.ones(2)")
    names = [f"torch.{n}" for n in TORCH_NAMES] + [f"F.{n}" for n in FUNCTIONAL_NAMES] + [
        f"x.{n}" for n in METHODS]
    assert [n for n in names if any(isinstance(o, Error) for o in s.execute(n))] == []
    assert plain(s.execute("type(x.median(0))")) == "<class 'torch.return_types.median'>"
    assert plain(s.execute("x.kthvalue(1).indices")) == "tensor(0)"


def test_a_gpu_gets_pytorchs_error_and_a_hint():
    s = Session()
    s.execute("import torch\nx = torch.ones(2)")
    for statement in ("x.cuda()", "torch.zeros(3, device='cuda')", "torch.randn(2, device='cuda')"):
        text = plain(s.execute(statement))
        assert text.startswith("AssertionError: Torch not compiled with CUDA enabled\n")
        assert "hint: there is no GPU here" in text
        assert "device = 'cuda' if torch.cuda.is_available() else 'cpu'" in text


def test_help_ops_lists_the_new_rows():
    rows = {line.split()[0]: line.split()[1] for line in
            Session().execute(":help ops")[0].text.splitlines()[1:] if not line.startswith(" ")}
    assert rows["erf"] == "ErfBackward0" and rows["gelu"] == "GeluBackward0"
    assert rows["nll_loss"] == "NllLossBackward0" and rows["median_dim"] == "MedianBackward1"
    assert rows["bce_with_logits"] == "BinaryCrossEntropyWithLogitsBackward0"


def test_cross_entropy_is_log_softmax_then_nll_loss():
    """The two routes give the same loss and the same gradient (a learner's check from d2l)."""
    x1, x2 = m(torch), m(torch)
    a = F(torch).cross_entropy(x1, classes(torch))
    b = F(torch).nll_loss(torch.log_softmax(x2, 1), classes(torch))
    a.backward()
    b.backward()
    assert a.item() == b.item()
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), atol=1e-7)


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(20))
def test_median_and_kthvalue_pick_pytorchs_index_among_ties(seed):
    """Small integers in rows of random length: many ties, and nans in some rows."""
    real = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    for _ in range(20):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 40)))
        data = rng.integers(0, int(rng.integers(1, 6)), size=shape).astype(np.float32)
        if rng.random() < 0.3:
            data[rng.random(shape) < 0.2] = np.nan
        dim = int(rng.integers(0, 2))
        k = int(rng.integers(1, shape[dim] + 1))
        for name, args in (("median", (dim,)), ("kthvalue", (k, dim))):
            ours = getattr(torch.tensor(data), name)(*args).indices.tolist()
            theirs = getattr(real.tensor(data), name)(*args).indices.tolist()
            assert ours == theirs, (name, data.tolist(), args)


WARNINGS = {
    "l1_loss_broadcast": (
        lambda t: F(t).l1_loss(v(t), t.ones(2, 5)),
        "Using a target size (torch.Size([2, 5])) that is different to the input size "
        "(torch.Size([5])). This will likely lead to incorrect results due to broadcasting. "
        "Please ensure they have the same size."),
    "legacy_reduction": (
        lambda t: F(t).nll_loss(m(t), classes(t), size_average=False),
        "size_average and reduce args will be deprecated, please use reduction='sum' instead."),
}


@pytest.mark.parametrize("name", WARNINGS)
def test_the_warnings_are_pytorchs(name):
    make, message = WARNINGS[name]
    with pytest.warns(UserWarning) as caught:
        make(torch)
    assert [str(w.message) for w in caught] == [message]
    real = pytest.importorskip("torch")
    with pytest.warns(UserWarning) as caught:
        make(real)
    assert [str(w.message) for w in caught] == [message]
