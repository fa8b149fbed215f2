"""Rows of the op table: the activation functions of ``torch.nn.functional`` that PyTorch computes
in one kernel (``leaky_relu``, ``softplus``, ``gelu``, ``silu``, ``elu``, ``hardtanh`` -- and so
``relu6`` --, ``logsigmoid``). Each gradient is PyTorch's own formula (its ``*_backward``
kernel), so the values at the kinks are PyTorch's too (``elu`` at 0 takes the left side)."""

from __future__ import annotations

import math

import numpy as np

from autodiff_repl.engine.ops.elementwise import erf_array
from autodiff_repl.engine.ops.row import ELEMENTWISE, OUT, Sample, _engine, _row


def _functional(name: str):
    """A sample's call through ``torch.nn.functional.<name>``, where these functions live."""
    def call(*inputs, **params):
        return getattr(_engine().nn.functional, name)(*inputs, **params)
    call.__name__ = name
    return call


def _samples(name: str, *params: dict) -> tuple[Sample, ...]:
    """A vector and a matrix sample, called through ``torch.nn.functional.<name>``."""
    first, second = params or ({}, {})
    return (Sample(((4,),), first, _functional(name)), Sample(((2, 3),), second, _functional(name)))


def _sigmoid_of(m, z):
    """σ(z) = 1/(1 + exp(-z)), written with the backends' ``exp``."""
    return 1 / (1 + m.exp(-z))


def _quiet(fn):
    """A forward whose unused branch may overflow (``exp`` of a large number): without NumPy's
    warnings, as PyTorch computes it; float16 in float32, as PyTorch's kernels."""
    def forward(x, **params):
        wide = x.astype(np.float32) if x.dtype == np.float16 else x
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.asarray(fn(wide, **params), x.dtype)
    forward.__name__ = fn.__name__
    return forward


LEAKY_RELU = _row("leaky_relu", "LeakyReluBackward0",
                  _quiet(lambda x, negative_slope: np.where(x > 0, x, x * negative_slope)),
                  (lambda m, g, x, out, negative_slope:
                   m.where(x > 0, g, g * negative_slope),), ELEMENTWISE,
                  "leaky_relu({0})", ("1 if {0} > 0 else {negative_slope}",), needs=((0,),),
                  away_from=(0.0,),
                  samples=_samples("leaky_relu", {"negative_slope": 0.01},
                                   {"negative_slope": 0.2}))


def _softplus(x, beta, threshold):
    """``log(1 + exp(β·x))/β``, and ``x`` itself where ``β·x > threshold`` (PyTorch's switch to
    the linear part, where the two agree to float precision)."""
    scaled = x * beta
    return np.where(scaled > threshold, x, np.log1p(np.exp(scaled)) / beta)


SOFTPLUS = _row("softplus", "SoftplusBackward0", _quiet(_softplus),
                (lambda m, g, x, out, beta, threshold:
                 m.where(x * beta > threshold, g, g * _sigmoid_of(m, x * beta)),), ELEMENTWISE,
                "softplus({0})", ("σ({beta}·{0}) (1 where {beta}·{0} > {threshold})",),
                needs=((0,),), away_from=(0.5,),
                samples=_samples("softplus", {"beta": 1, "threshold": 20},
                                 {"beta": 2, "threshold": 1}))

_SQRT_HALF = math.sqrt(0.5)
_PDF_SCALE = 1 / math.sqrt(2 * math.pi)  # the standard normal density at 0
_TANH_BETA = math.sqrt(2 / math.pi)
_TANH_KAPPA = 0.044715


def _gelu(x, approximate):
    """``x·Φ(x)``, Φ the standard normal CDF; ``approximate='tanh'``: PyTorch's tanh formula."""
    if approximate == "tanh":
        inner = _TANH_BETA * (x + _TANH_KAPPA * x * x * x)
        return 0.5 * x * (1 + np.tanh(inner))
    # in float64, then rounded once: PyTorch's own kernels (oneDNN's for float32) can differ
    # from it in the last bit
    wide = x.astype(np.float64)
    return wide * 0.5 * (1 + erf_array(wide * _SQRT_HALF))


def _gelu_vjp(m, g, x, out, approximate):
    """PyTorch's ``gelu_backward``: Φ(x) + x·φ(x), or the tanh formula's derivative."""
    if approximate == "tanh":
        inner = _TANH_BETA * (x + _TANH_KAPPA * x * x * x)
        t = m.tanh(inner)
        left = 0.5 * (1 + t)
        right = 0.5 * x * (1 - t * t) * _TANH_BETA * (1 + 3 * _TANH_KAPPA * x * x)
        return g * (left + right)
    cdf = 0.5 * (1 + m.erf(x * _SQRT_HALF))
    pdf = _PDF_SCALE * m.exp(-0.5 * x * x)
    return g * (cdf + x * pdf)


GELU = _row("gelu", "GeluBackward0", _quiet(_gelu), (_gelu_vjp,), ELEMENTWISE,
            "gelu({0})", ("Φ({0}) + {0}·φ({0})",), needs=((0,),),
            samples=_samples("gelu", {"approximate": "none"}, {"approximate": "tanh"}))
SILU = _row("silu", "SiluBackward0", _quiet(lambda x: x / (1 + np.exp(-x))),
            (lambda m, g, x, out:
             g * _sigmoid_of(m, x) * (1 + x * (1 - _sigmoid_of(m, x))),), ELEMENTWISE,
            "{0}·σ({0})", ("σ({0})·(1 + {0}·(1 - σ({0})))",), needs=((0,),),
            samples=_samples("silu"))
ELU = _row("elu", "EluBackward0",
           _quiet(lambda x, alpha: np.where(x <= 0, np.expm1(x) * x.dtype.type(alpha), x)),
           (lambda m, g, x, out, alpha: m.where(x <= 0, g * alpha * m.exp(x), g),), ELEMENTWISE,
           "elu({0})", ("{alpha}·exp({0}) if {0} ≤ 0 else 1",), needs=((0,),), away_from=(0.0,),
           samples=_samples("elu", {"alpha": 1.0}, {"alpha": 0.5}))
HARDTANH = _row("hardtanh", "HardtanhBackward0",
                lambda x, min_val, max_val: np.clip(x, x.dtype.type(min_val),
                                                    x.dtype.type(max_val)),
                (lambda m, g, x, out, min_val, max_val:
                 m.where((x <= min_val) | (x >= max_val), 0.0, g),), ELEMENTWISE,
                "hardtanh({0})", ("1 if {min_val} < {0} < {max_val} else 0",), needs=((0,),),
                away_from=(-1.0, 0.0, 1.0),
                samples=_samples("hardtanh", {"min_val": -1.0, "max_val": 1.0},
                                 {"min_val": 0.0, "max_val": 1.0}))
LOG_SIGMOID = _row("logsigmoid", "LogSigmoidBackward0",
                   _quiet(lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))),
                   (lambda m, g, x, out: g * _sigmoid_of(m, -x),), ELEMENTWISE,
                   "log σ({0})", ("σ(-{0})",), needs=((0,),),
                   samples=_samples("logsigmoid"))

# In place (``inplace=True``), PyTorch's leaky_relu and elu keep their result instead of their
# input (the input is overwritten), and their gradients read it: rows of their own.


def _inplace_samples(name: str, params: dict) -> tuple[Sample, ...]:
    call = _functional(name)
    return (Sample(((4,),), params, lambda x, **p: call(x * 1, inplace=True, **p)),)


LEAKY_RELU_INPLACE = _row(
    "leaky_relu_", "LeakyReluBackward1", LEAKY_RELU.forward,
    (lambda m, g, x, out, negative_slope: m.where(out > 0, g, g * negative_slope),), ELEMENTWISE,
    "leaky_relu({0})", ("1 if {0} > 0 else {negative_slope}",), needs=((OUT,),),
    away_from=(0.0,), samples=_inplace_samples("leaky_relu", {"negative_slope": 0.2}))
ELU_INPLACE = _row(
    "elu_", "EluBackward1", ELU.forward,
    (lambda m, g, x, out, alpha: m.where(out <= 0, g * (out + alpha), g),), ELEMENTWISE,
    "elu({0})", ("{alpha}·exp({0}) if {0} ≤ 0 else 1",), needs=((OUT,),), away_from=(0.0,),
    samples=_inplace_samples("elu", {"alpha": 0.5}))
