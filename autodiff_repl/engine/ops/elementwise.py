"""Rows of the op table: arithmetic (``+``, ``*``, ``**`` ...) and elementwise functions (``exp``,
``sin``, ``relu``, ``clamp``, ``where`` ...)."""

from __future__ import annotations

import math

import numpy as np

from autodiff_repl.engine.fma import fma
from autodiff_repl.engine.ops.row import (
    BINARY,
    ELEMENTWISE,
    OUT,
    UNARY,
    Op,
    Sample,
    _engine,
    _public,
    _row,
)

# --- arithmetic ---------------------------------------------------------------------------------

ADD = _row("add", "AddBackward0", np.add,
           (lambda m, g, a, b, out: g, lambda m, g, a, b, out: g), ELEMENTWISE,
           "{0} + {1}", ("1", "1"), samples=BINARY)
SUB = _row("sub", "SubBackward0", np.subtract,
           (lambda m, g, a, b, out: g, lambda m, g, a, b, out: -g), ELEMENTWISE,
           "{0} - {1}", ("1", "-1"), samples=BINARY)
ADD_ALPHA = _row("add_alpha", "AddBackward0", lambda a, b, alpha: a + alpha * b,
                 (lambda m, g, a, b, out, alpha: g,
                  lambda m, g, a, b, out, alpha: m.mul_scalar(g, alpha)),
                 ELEMENTWISE, "{0} + {alpha}·{1}", ("1", "{alpha}"),
                 samples=(Sample(((2, 3), (3,)), {"alpha": 2}, _public("add")),
                          Sample(((4,), (4,)), {"alpha": -0.5}, _public("add"))))
SUB_ALPHA = _row("sub_alpha", "SubBackward0", lambda a, b, alpha: a - alpha * b,
                 (lambda m, g, a, b, out, alpha: g,
                  lambda m, g, a, b, out, alpha: m.mul_scalar(-g, alpha)),
                 ELEMENTWISE, "{0} - {alpha}·{1}", ("1", "-{alpha}"),
                 samples=(Sample(((2, 3), (2, 1)), {"alpha": 3}, _public("sub")),))
RSUB = _row("rsub", "RsubBackward1", lambda a, b: np.subtract(b, a),
            (lambda m, g, a, b, out: -g, lambda m, g, a, b, out: g), ELEMENTWISE,
            "{1} - {0}", ("-1", "1"),
            samples=(Sample(((4,),), call=lambda a: 2.5 - a),
                     Sample(((2, 3),), call=lambda a: 1 - a)))
MUL = _row("mul", "MulBackward0", np.multiply,
           (lambda m, g, a, b, out: g * b, lambda m, g, a, b, out: g * a), ELEMENTWISE,
           "{0} · {1}", ("{1}", "{0}"), needs=((1,), (0,)), samples=BINARY)


def via_graph(name: str):
    """A sample's call through ``backends.GRAPH.<name>``, for the rows below that only PyTorch's
    own gradient formulas make (they reach them as ``m.<name>``): no public function does."""
    def call(*inputs, **params):
        from autodiff_repl.engine.backends import GRAPH  # (it imports this package)
        return getattr(GRAPH, name)(*inputs, **params)
    call.__name__ = name
    return call


# A tensor and a number, as PyTorch's own gradient formulas combine them (``mul.Scalar``,
# ``add.Scalar``): recorded, a node of its own, ``MulBackward1``, ``AddBackward1`` (``x * 2`` and
# ``x + 1`` typed by the user are ``MulBackward0`` and ``AddBackward0``). Formulas write
# ``m.mul_scalar(x, 2)`` and ``m.add_scalar(x, 1)``.
MUL_SCALAR = _row("mul_scalar", "MulBackward1", lambda x, other: x * x.dtype.type(other),
                  (lambda m, g, x, out, other: m.mul_scalar(g, other),), ELEMENTWISE,
                  "{other} · {0}", ("{other}",),
                  samples=(Sample(((4,),), {"other": 3.0}, via_graph("mul_scalar")),
                           Sample(((2, 3),), {"other": -2}, via_graph("mul_scalar"))))
ADD_SCALAR = _row("add_scalar", "AddBackward1", lambda x, other: x + x.dtype.type(other),
                  (lambda m, g, x, out, other: g,), ELEMENTWISE, "{0} + {other}", ("1",),
                  samples=(Sample(((4,),), {"other": 1.0}, via_graph("add_scalar")),
                           Sample(((2, 3),), {"other": -2}, via_graph("add_scalar"))))
DIV = _row("div", "DivBackward0", np.true_divide,
           (lambda m, g, a, b, out: g / b, lambda m, g, a, b, out: -g * (a / b / b)),
           ELEMENTWISE, "{0} / {1}", ("1/{1}", "-{0}/{1}²"), needs=((1,), (0, 1)), samples=BINARY,
           away_from=(0.0,))
NEG = _row("neg", "NegBackward0", np.negative, (lambda m, g, x, out: -g,), ELEMENTWISE,
           "-{0}", ("-1",), samples=UNARY)
RECIPROCAL = _row("reciprocal", "ReciprocalBackward0", np.reciprocal,
                  (lambda m, g, x, out: -g * (out * out),), ELEMENTWISE,
                  "1/{0}", ("-1/{0}²",), needs=((OUT,),), samples=UNARY, away_from=(0.0,))


def _pow_vjp(m, g, x, out, exponent):
    """g·(n·x^(n-1)), grouped as PyTorch groups it. Recorded (``create_graph=True``), the
    gradient of x² is g·(2·x¹): ``MulBackward0`` on ``MulBackward1`` on ``PowBackward0`` -- even
    x¹ is a power of x, as in PyTorch, so the gradient of x² still depends on x and its Hessian
    has a ``grad_fn``."""
    if exponent == 0:
        return m.zeros_like(g)
    if exponent == 2 and type(x) is np.ndarray:  # a plain backward of the common square
        return g * (2 * x)
    return g * m.mul_scalar(x ** (exponent - 1), exponent)


POW = _row("pow", "PowBackward0", lambda x, exponent: np.power(x, exponent),
           (_pow_vjp,), ELEMENTWISE, "{0}^{exponent}", ("{exponent}·{0}^({exponent}-1)",),
           needs=((0,),), domain=(0.5, 2.0),
           samples=(Sample(((4,),), {"exponent": 2}), Sample(((2, 3),), {"exponent": 3}),
                    Sample(((),), {"exponent": -1.5}), Sample(((4,),), {"exponent": 0.5})))
def _pow_base_vjp(m, g, a, b, out):
    """b·a^(b-1), and 0 where b is 0 (PyTorch's choice: 0·0^-1 would be nan)."""
    return m.where(b == 0, 0.0, g * (b * a ** (b - 1)))


def _pow_exponent_vjp(m, g, a, b, out):
    """a^b·log a, and 0 where a is 0 and b ≥ 0 (PyTorch's choice: 0·log 0 would be nan)."""
    return g * m.where((a == 0) & (out < np.inf), 0.0, out * m.log(a))


def _rpow_vjp(m, g, x, out, base):
    if base == 0:  # 0^x: PyTorch's gradient is 0 where x ≥ 0 (0·log 0), -inf where 0^x = inf
        return m.where(out == np.inf, g * -np.inf, 0.0)
    return g * m.mul_scalar(out, float(np.log(base)))


POW_TENSOR = _row("pow_tensor", "PowBackward1", np.power, (_pow_base_vjp, _pow_exponent_vjp),
                  ELEMENTWISE, "{0}^{1}", ("{1}·{0}^({1}-1)", "{0}^{1}·log {0}"),
                  needs=((0, 1), (OUT, 0)), domain=(0.5, 2.0),
                  samples=(Sample(((4,), (4,)), call=lambda a, b: a ** b),
                           Sample(((2, 3), (3,)), call=lambda a, b: a ** b)))
RPOW = _row("rpow", "PowBackward2", lambda x, base: np.power(base, x),
            (_rpow_vjp,), ELEMENTWISE,
            "{base}^{0}", ("{base}^{0}·log {base}",), needs=((OUT,),),
            samples=(Sample(((4,),), call=lambda x: 2.0 ** x),))

# --- elementwise functions ----------------------------------------------------------------------

EXP = _row("exp", "ExpBackward0", np.exp, (lambda m, g, x, out: g * out,), ELEMENTWISE,
           "exp({0})", ("exp({0})",), needs=((OUT,),), samples=UNARY)
LOG = _row("log", "LogBackward0", np.log, (lambda m, g, x, out: g / x,), ELEMENTWISE,
           "log({0})", ("1/{0}",), needs=((0,),), samples=UNARY, domain=(0.5, 3.0))
SIN = _row("sin", "SinBackward0", np.sin, (lambda m, g, x, out: g * m.cos(x),), ELEMENTWISE,
           "sin({0})", ("cos({0})",), needs=((0,),), samples=UNARY)
COS = _row("cos", "CosBackward0", np.cos, (lambda m, g, x, out: g * -m.sin(x),), ELEMENTWISE,
           "cos({0})", ("-sin({0})",), needs=((0,),), samples=UNARY)
TAN = _row("tan", "TanBackward0", np.tan, (lambda m, g, x, out: g * m.add_scalar(out ** 2, 1),),
           ELEMENTWISE, "tan({0})", ("1 + tan²({0})",), needs=((OUT,),), samples=UNARY,
           domain=(-1.2, 1.2))
TANH = _row("tanh", "TanhBackward0", np.tanh, (lambda m, g, x, out: m.tanh_backward(g, out),),
            ELEMENTWISE, "tanh({0})", ("1 - tanh²({0})",), needs=((OUT,),), samples=UNARY)


def _sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1)  # stable for large |x|, no overflow warnings


SIGMOID = _row("sigmoid", "SigmoidBackward0", lambda x: _sigmoid(x).astype(x.dtype, copy=False),
               (lambda m, g, x, out: m.sigmoid_backward(g, out),), ELEMENTWISE,
               "σ({0})", ("σ({0})·(1 - σ({0}))",), needs=((OUT,),), samples=UNARY)
RELU = _row("relu", "ReluBackward0", lambda x: np.maximum(x, 0).astype(x.dtype, copy=False),
            (lambda m, g, x, out: m.threshold_backward(g, out, 0),), ELEMENTWISE,
            "relu({0})", ("1 if {0} > 0 else 0",), needs=((OUT,),), samples=UNARY,
            away_from=(0.0,))

# The gradients of tanh, sigmoid and relu as PyTorch computes them: one kernel each
# (``tanh_backward(g, y)``, y the op's output), so a recorded gradient is one node
# (``TanhBackwardBackward0``) whose inputs are the upstream gradient g and the output y -- and
# these rows' formulas differentiate it again.
_PAIRS = (Sample(((4,), (4,))), Sample(((2, 3), (2, 3))))
TANH_BACKWARD = _row("tanh_backward", "TanhBackwardBackward0", lambda g, y: g * (1 - y * y),
                     (lambda m, w, g, y, out: m.tanh_backward(w, y),
                      lambda m, w, g, y, out: w * (m.mul_scalar(y, -2) * g)), ELEMENTWISE,
                     "{0}·(1 - {1}²)", ("1 - {1}²", "-2·{1}·{0}"), needs=((1,), (0, 1)),
                     samples=tuple(Sample(s.shapes, call=via_graph("tanh_backward"))
                                   for s in _PAIRS))
SIGMOID_BACKWARD = _row("sigmoid_backward", "SigmoidBackwardBackward0",
                        lambda g, y: g * (1 - y) * y,
                        (lambda m, w, g, y, out: m.sigmoid_backward(w, y),
                         lambda m, w, g, y, out: w * g * m.add_scalar(m.mul_scalar(y, -2), 1)),
                        ELEMENTWISE, "{0}·(1 - {1})·{1}", ("(1 - {1})·{1}", "{0}·(1 - 2·{1})"),
                        needs=((1,), (0, 1)),
                        samples=tuple(Sample(s.shapes, call=via_graph("sigmoid_backward"))
                                      for s in _PAIRS))
THRESHOLD_BACKWARD = _row(
    "threshold_backward", "ThresholdBackwardBackward0",
    lambda g, y, threshold: np.where(y > threshold, g, 0.0),
    (lambda m, w, g, y, out, threshold: m.threshold_backward(w, y, threshold),
     lambda m, w, g, y, out, threshold: m.zeros_like(w)), ELEMENTWISE,
    "{0} where {1} > {threshold}, else 0", ("1 if {1} > {threshold} else 0", "0"),
    needs=((1,), ()), away_from=(0.0,),
    samples=tuple(Sample(s.shapes, {"threshold": 0}, via_graph("threshold_backward"))
                  for s in _PAIRS))
SQRT = _row("sqrt", "SqrtBackward0", np.sqrt, (lambda m, g, x, out: g / m.mul_scalar(out, 2),),
            ELEMENTWISE, "√{0}", ("1/(2√{0})",), needs=((OUT,),), samples=UNARY,
            domain=(0.5, 3.0))
ABS = _row("abs", "AbsBackward0", np.abs, (lambda m, g, x, out: g * m.sgn(x),), ELEMENTWISE,
           "|{0}|", ("sign({0})",), needs=((0,),), samples=UNARY, away_from=(0.0,))
SIGN = _row("sign", "SignBackward0", np.sign, (lambda m, g, x, out: m.zeros_like(g),),
            ELEMENTWISE,
            "sign({0})", ("0",), samples=UNARY, away_from=(0.0,))
# sign as the gradient of abs computes it (``sgn``, the sign of complex numbers too)
SGN = _row("sgn", "SgnBackward0", np.sign, (lambda m, g, x, out: m.zeros_like(g),), ELEMENTWISE,
           "sgn({0})", ("0",), away_from=(0.0,),
           samples=(Sample(((4,),), call=via_graph("sgn")),
                    Sample(((2, 3),), call=via_graph("sgn"))))


LOG1P = _row("log1p", "Log1PBackward0", np.log1p, (lambda m, g, x, out: g / m.add_scalar(x, 1),),
             ELEMENTWISE, "log(1 + {0})", ("1/(1 + {0})",), needs=((0,),), samples=UNARY,
             domain=(-0.5, 2.0))
EXPM1 = _row("expm1", "Expm1Backward0", np.expm1, (lambda m, g, x, out: g * m.add_scalar(out, 1),),
             ELEMENTWISE, "exp({0}) - 1", ("exp({0})",), needs=((OUT,),), samples=UNARY)
EXP2 = _row("exp2", "Exp2Backward0", np.exp2,
            (lambda m, g, x, out: m.mul_scalar(g * out, math.log(2)),),
            ELEMENTWISE, "2^{0}", ("2^{0}·ln 2",), needs=((OUT,),), samples=UNARY)
LOG2 = _row("log2", "Log2Backward0", np.log2,
            (lambda m, g, x, out: g / m.mul_scalar(x, math.log(2)),),
            ELEMENTWISE, "log₂({0})", ("1/({0}·ln 2)",), needs=((0,),), samples=UNARY,
            domain=(0.5, 3.0))
LOG10 = _row("log10", "Log10Backward0", np.log10,
             (lambda m, g, x, out: g / m.mul_scalar(x, math.log(10)),),
             ELEMENTWISE, "log₁₀({0})", ("1/({0}·ln 10)",), needs=((0,),), samples=UNARY,
             domain=(0.5, 3.0))
SINH = _row("sinh", "SinhBackward0", np.sinh, (lambda m, g, x, out: g * m.cosh(x),), ELEMENTWISE,
            "sinh({0})", ("cosh({0})",), needs=((0,),), samples=UNARY)
COSH = _row("cosh", "CoshBackward0", np.cosh, (lambda m, g, x, out: g * m.sinh(x),), ELEMENTWISE,
            "cosh({0})", ("sinh({0})",), needs=((0,),), samples=UNARY)
ASIN = _row("asin", "AsinBackward0", np.arcsin,
            (lambda m, g, x, out: g * m.rsqrt(m.add_scalar(-x * x, 1)),),
            ELEMENTWISE, "asin({0})", ("1/√(1 - {0}²)",), needs=((0,),), samples=UNARY,
            domain=(-0.9, 0.9))
ACOS = _row("acos", "AcosBackward0", np.arccos,
            (lambda m, g, x, out: g * -m.rsqrt(m.add_scalar(-x * x, 1)),),
            ELEMENTWISE, "acos({0})", ("-1/√(1 - {0}²)",), needs=((0,),), samples=UNARY,
            domain=(-0.9, 0.9))
ATAN = _row("atan", "AtanBackward0", np.arctan,
            (lambda m, g, x, out: g / m.add_scalar(x * x, 1),),
            ELEMENTWISE, "atan({0})", ("1/(1 + {0}²)",), needs=((0,),), samples=UNARY)
RSQRT = _row("rsqrt", "RsqrtBackward0", lambda x: 1 / np.sqrt(x),
             (lambda m, g, x, out: m.mul_scalar(g, -0.5) * out ** 3,), ELEMENTWISE,
             "1/√{0}", ("-½·{0}^(-3/2)",), needs=((OUT,),), samples=UNARY, domain=(0.5, 3.0))
ATAN2 = _row("atan2", "Atan2Backward0", np.arctan2,
             (lambda m, g, a, b, out: g * b / (a * a + b * b),
              lambda m, g, a, b, out: -g * a / (a * a + b * b)), ELEMENTWISE,
             "atan2({0}, {1})", ("{1}/({0}² + {1}²)", "-{0}/({0}² + {1}²)"),
             needs=((0, 1), (0, 1)), samples=BINARY, away_from=(0.0,))
NAN_TO_NUM = _row("nan_to_num", "NanToNumBackward0",
                  lambda x, nan, posinf, neginf: np.nan_to_num(x, nan=nan, posinf=posinf,
                                                               neginf=neginf),
                  (lambda m, g, x, out, **_: m.where(m.isfinite(x), g, 0.0),), ELEMENTWISE,
                  "{0} with nan and ±inf replaced", ("1 where {0} is finite, else 0",),
                  needs=((0,),),
                  samples=(Sample(((4,),)),
                           Sample(((4,),), call=lambda x: _with_specials(x).nan_to_num()),
                           Sample(((2, 3),), call=lambda x: _with_specials(x).nan_to_num(
                               1.0, posinf=5.0, neginf=-5.0))))


def _with_specials(x):
    """``x`` with nan, inf and -inf as its first three elements (a sample for nan_to_num)."""
    special = np.zeros(x.shape)
    special.reshape(-1)[:3] = (np.nan, np.inf, -np.inf)
    engine = _engine()
    return engine.where(engine.tensor(special == 0), x, engine.tensor(special, dtype=x.dtype))


def _stepwise(name, grad_fn, forward, expr, samples=UNARY, **kw) -> Op:
    """Piecewise-constant ops (floor, round ...): their gradient is 0 wherever it exists (PyTorch
    takes it as 0 at the jumps too)."""
    return _row(name, grad_fn, forward, (lambda m, g, x, out, **_: m.zeros_like(g),),
                ELEMENTWISE, expr, ("0",), samples=samples, **kw)


_INTEGERS = (-2.0, -1.0, 0.0, 1.0, 2.0)
FLOOR = _stepwise("floor", "FloorBackward0", np.floor, "⌊{0}⌋", away_from=_INTEGERS)
CEIL = _stepwise("ceil", "CeilBackward0", np.ceil, "⌈{0}⌉", away_from=_INTEGERS)
TRUNC = _stepwise("trunc", "TruncBackward0", np.trunc, "trunc({0})", away_from=_INTEGERS)
ROUND = _stepwise("round", "RoundBackward0", np.round, "round({0})",
                  away_from=(-1.5, -0.5, 0.5, 1.5))
ROUND_DECIMALS = _stepwise("round_decimals", "RoundBackward1",
                           lambda x, decimals: np.round(x, decimals), "round({0}, {decimals})",
                           samples=(Sample(((4,),), {"decimals": 1}, _public("round")),),
                           domain=(0.06, 0.14))


def _clamp(x, min=None, max=None):
    return np.clip(x, min, max).astype(x.dtype, copy=False)


def _clamp_vjp(m, g, x, out, min=None, max=None):
    inside = (x >= (-np.inf if min is None else min)) & (x <= (np.inf if max is None else max))
    return m.where(inside, g, 0.0)


CLAMP = _row("clamp", "ClampBackward1", _clamp, (_clamp_vjp,), ELEMENTWISE,
             "clamp({0}, {min}, {max})", ("1 if {min} ≤ {0} ≤ {max} else 0",), needs=((0,),),
             away_from=(-0.5, 0.5),
             samples=(Sample(((4,),), {"min": -0.5, "max": 0.5}),
                      Sample(((2, 3),), {"min": -0.5})))


def _max_part(m, g, a, b, out):
    return m.where(a > b, g, m.where(a == b, g / 2, 0.0))


MAXIMUM = _row("maximum", "MaximumBackward0", np.maximum,
               (_max_part, lambda m, g, a, b, out: _max_part(m, g, b, a, out)), ELEMENTWISE,
               "max({0}, {1})", ("1 if {0} > {1} else 0", "1 if {1} > {0} else 0"),
               needs=((0, 1), (0, 1)), samples=BINARY[1:5])
MINIMUM = _row("minimum", "MinimumBackward0", np.minimum,
               (lambda m, g, a, b, out: _max_part(m, g, b, a, out),
                lambda m, g, a, b, out: _max_part(m, g, a, b, out)), ELEMENTWISE,
               "min({0}, {1})", ("1 if {0} < {1} else 0", "1 if {1} < {0} else 0"),
               needs=((0, 1), (0, 1)), samples=BINARY[1:5])
WHERE = _row("where", "WhereBackward0", np.where,
             (None, lambda m, g, c, a, b, out: m.where(c, g, 0.0),
              lambda m, g, c, a, b, out: m.where(c, 0.0, g)), ELEMENTWISE,
             "{1} if {0} else {2}", ("", "1 if {0} else 0", "0 if {0} else 1"),
             needs=((), (0,), (0,)),
             samples=(Sample(((4,), (4,)), call=lambda a, b: _where_sample(a, b)),))


MASKED_FILL = _row("masked_fill", "MaskedFillBackward0",
                   lambda x, mask, value: np.where(mask, np.asarray(value).astype(x.dtype), x),
                   (lambda m, g, x, out, mask, value: m.where(mask, 0.0, g),), ELEMENTWISE,
                   "{value} where mask else {0}", ("0 where mask, else 1",), away_from=(0.0,),
                   samples=(Sample(((4,),), call=lambda x: x.masked_fill(x > 0, 0.5)),
                            Sample(((2, 3),), call=lambda x: x.masked_fill(
                                _engine().tensor([True, False, True]), -1.0))))
MASKED_FILL_TENSOR = _row(
    "masked_fill_tensor", "MaskedFillBackward1",
    lambda x, value, mask: np.where(mask, value, x),
    (lambda m, g, x, v, out, mask: m.where(mask, 0.0, g),
     lambda m, g, x, v, out, mask: m.where(mask, g, 0.0)), ELEMENTWISE,
    "{1} where mask else {0}", ("0 where mask, else 1", "1 where mask, else 0"), away_from=(0.0,),
    samples=(Sample(((4,), ()), call=lambda x, v: x.masked_fill(x > 0, v)),
             Sample(((2, 3), ()), call=lambda x, v: _engine().masked_fill(
                 x, _engine().tensor([[True], [False]]), v))))


def _where_sample(a, b):
    from autodiff_repl import engine
    return engine.where(a > b, a, b * 2)


# --- special functions, interpolation, fused arithmetic -----------------------------------------

def _through_math(fn):
    """An elementwise function NumPy lacks (``erf``), computed by Python's ``math`` (the C
    library's) in float64 and rounded to the input's dtype."""
    ufunc = np.frompyfunc(fn, 1, 1)

    def forward(x):
        return np.asarray(ufunc(x.astype(np.float64)), dtype=np.float64).astype(x.dtype)
    forward.__name__ = fn.__name__
    return forward


erf_array = _through_math(math.erf)
erfc_array = _through_math(math.erfc)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

ERF = _row("erf", "ErfBackward0", erf_array,
           (lambda m, g, x, out: g * (_TWO_OVER_SQRT_PI * m.exp(-(x * x))),), ELEMENTWISE,
           "erf({0})", ("2/√π·exp(-{0}²)",), needs=((0,),), samples=UNARY)
ERFC = _row("erfc", "ErfcBackward0", erfc_array,
            (lambda m, g, x, out: g * (-_TWO_OVER_SQRT_PI * m.exp(-(x * x))),), ELEMENTWISE,
            "erfc({0})", ("-2/√π·exp(-{0}²)",), needs=((0,),), samples=UNARY)
ASINH = _row("asinh", "AsinhBackward0", np.arcsinh,
             (lambda m, g, x, out: g / m.sqrt(x * x + 1),), ELEMENTWISE,
             "asinh({0})", ("1/√({0}² + 1)",), needs=((0,),), samples=UNARY)
ACOSH = _row("acosh", "AcoshBackward0", np.arccosh,
             (lambda m, g, x, out: g / m.sqrt(x * x - 1),), ELEMENTWISE,
             "acosh({0})", ("1/√({0}² - 1)",), needs=((0,),), samples=UNARY, domain=(1.2, 3.0))
ATANH = _row("atanh", "AtanhBackward0", np.arctanh,
             (lambda m, g, x, out: g / (1 - x * x),), ELEMENTWISE,
             "atanh({0})", ("1/(1 - {0}²)",), needs=((0,),), samples=UNARY, domain=(-0.9, 0.9))
HYPOT = _row("hypot", "HypotBackward0", np.hypot,
             (lambda m, g, a, b, out: g * a / out, lambda m, g, a, b, out: g * b / out),
             ELEMENTWISE, "√({0}² + {1}²)", ("{0}/√({0}² + {1}²)", "{1}/√({0}² + {1}²)"),
             needs=((0, OUT), (1, OUT)), samples=BINARY, domain=(0.5, 2.0))
def _logaddexp(a, b):
    """max + log(1 + exp(-|a - b|)); two equal infinities give themselves (not inf - inf);
    float16 computes in float32, as PyTorch's kernel."""
    if a.dtype == np.float16:
        return _logaddexp(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(a) & (a == b), a,
                        np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b))))


LOGADDEXP = _row("logaddexp", "LogaddexpBackward0", _logaddexp,
                 (lambda m, g, a, b, out: g / (1 + m.exp(b - a)),
                  lambda m, g, a, b, out: g / (1 + m.exp(a - b))), ELEMENTWISE,
                 "log(exp({0}) + exp({1}))", ("1/(1 + exp({1} - {0}))", "1/(1 + exp({0} - {1}))"),
                 needs=((0, 1), (0, 1)), samples=BINARY)


def _lerp(start, end, weight):
    """``start + weight·(end - start)``, computed as PyTorch's kernel computes it: for a weight
    of 0.5 or more, from the end (``end - (1 - weight)·(end - start)``), so that weight 1 gives
    ``end`` exactly; one fused multiply-add (float16 computes in float32)."""
    wide = np.float64 if start.dtype == np.float64 else np.float32
    a, b, w = (np.asarray(v, wide) for v in (start, end, weight))
    small = np.abs(w) < 0.5
    return np.asarray(fma(np.where(small, w, w - 1), b - a, np.where(small, a, b), wide),
                      start.dtype)


LERP = _row("lerp", "LerpBackward0", _lerp,
            (lambda m, g, a, b, out, weight: m.mul_scalar(g, 1 - weight),
             lambda m, g, a, b, out, weight: m.mul_scalar(g, weight)), ELEMENTWISE,
            "{0} + {weight}·({1} - {0})", ("1 - {weight}", "{weight}"),
            samples=(Sample(((4,), (4,)), {"weight": 0.3}), Sample(((2, 3), (3,)), {"weight": 0.8}),
                     Sample(((), ()), {"weight": -1.5})))
LERP_TENSOR = _row("lerp_tensor", "LerpBackward1", _lerp,
                   (lambda m, g, a, b, w, out: g * (1 - w), lambda m, g, a, b, w, out: g * w,
                    lambda m, g, a, b, w, out: g * (b - a)), ELEMENTWISE,
                   "{0} + {2}·({1} - {0})", ("1 - {2}", "{2}", "{1} - {0}"),
                   needs=((2,), (2,), (0, 1)),
                   samples=(Sample(((4,), (4,), (4,)), call=_public("lerp")),
                            Sample(((2, 3), (3,), (2, 1)), call=_public("lerp"))))


def _addcmul(x, a, b, value):
    """``x + value·a·b``, for floats as PyTorch's kernel computes it: ``value·a``, then one fused
    multiply-add (float16 in float32)."""
    if x.dtype.kind != "f":
        return x + value * a * b
    wide = np.float64 if x.dtype == np.float64 else np.float32
    scaled = np.asarray(a, wide) * wide(value)
    return np.asarray(fma(scaled, np.asarray(b, wide), np.asarray(x, wide), wide), x.dtype)


ADDCMUL = _row("addcmul", "AddcmulBackward0", _addcmul,
               (lambda m, g, x, a, b, out, value: g,
                lambda m, g, x, a, b, out, value: g * (b * value),
                lambda m, g, x, a, b, out, value: g * (a * value)), ELEMENTWISE,
               "{0} + {value}·{1}·{2}", ("1", "{value}·{2}", "{value}·{1}"),
               needs=((), (2,), (1,)),
               samples=(Sample(((4,), (4,), (4,)), {"value": 1}),
                        Sample(((2, 3), (3,), (2, 1)), {"value": -0.5})))


def _addcdiv(x, a, b, value):
    """``x + value·a/b`` (float16 computes in float32, as PyTorch's kernel)."""
    if x.dtype == np.float16:
        return (_addcdiv(*(v.astype(np.float32) for v in (x, a, b)), value)).astype(x.dtype)
    return x + value * a / b


ADDCDIV = _row("addcdiv", "AddcdivBackward0", _addcdiv,
               (lambda m, g, x, a, b, out, value: g,
                lambda m, g, x, a, b, out, value: g * (value / b),
                lambda m, g, x, a, b, out, value: -g * value * a / (b * b)), ELEMENTWISE,
               "{0} + {value}·{1}/{2}", ("1", "{value}/{2}", "-{value}·{1}/{2}²"),
               needs=((), (2,), (1, 2)), away_from=(0.0,),
               samples=(Sample(((4,), (4,), (4,)), {"value": 1}),
                        Sample(((2, 3), (3,), (2, 1)), {"value": 2.5})))
CLAMP_MIN = _row("clamp_min", "ClampMinBackward0",
                 lambda x, min: np.maximum(x, np.asarray(min, x.dtype)),
                 (lambda m, g, x, out, min: m.where(x >= min, g, 0.0),), ELEMENTWISE,
                 "max({0}, {min})", ("1 if {0} ≥ {min} else 0",), needs=((0,),),
                 away_from=(0.5,), samples=(Sample(((4,),), {"min": 0.5}),
                                            Sample(((2, 3),), {"min": 0.5})))
CLAMP_MAX = _row("clamp_max", "ClampMaxBackward0",
                 lambda x, max: np.minimum(x, np.asarray(max, x.dtype)),
                 (lambda m, g, x, out, max: m.where(x <= max, g, 0.0),), ELEMENTWISE,
                 "min({0}, {max})", ("1 if {0} ≤ {max} else 0",), needs=((0,),),
                 away_from=(0.5,), samples=(Sample(((4,),), {"max": 0.5}),
                                            Sample(((2, 3),), {"max": 0.5})))
CLAMP_MIN_TENSOR = _row("clamp_min_tensor", "ClampMinBackward1", np.maximum,
                        (lambda m, g, x, b, out: m.where(x >= b, g, 0.0),
                         lambda m, g, x, b, out: m.where(x < b, g, 0.0)), ELEMENTWISE,
                        "max({0}, {1})", ("1 if {0} ≥ {1} else 0", "1 if {0} < {1} else 0"),
                        needs=((0, 1), (0, 1)),
                        samples=(Sample(((4,), (4,)), call=_public("clamp_min")),
                                 Sample(((2, 3), (3,)), call=_public("clamp_min"))))
CLAMP_MAX_TENSOR = _row("clamp_max_tensor", "ClampMaxBackward1", np.minimum,
                        (lambda m, g, x, b, out: m.where(x <= b, g, 0.0),
                         lambda m, g, x, b, out: m.where(x > b, g, 0.0)), ELEMENTWISE,
                        "min({0}, {1})", ("1 if {0} ≤ {1} else 0", "1 if {0} > {1} else 0"),
                        needs=((0, 1), (0, 1)),
                        samples=(Sample(((4,), (4,)), call=_public("clamp_max")),))


def _divided_by(x, other):
    """``x / other`` as PyTorch's own formulas divide a tensor by a number (``div.Scalar``): on
    tensors, a node of its own, ``DivBackward1`` (``x / 2`` typed by the user is
    ``DivBackward0``)."""
    if isinstance(x, np.ndarray | np.generic):
        return x / other
    return _engine().functions.apply(DIV_SCALAR, (x,), {"other": other})


DIV_SCALAR = _row("div_scalar", "DivBackward1", lambda x, other: x / x.dtype.type(other),
                  (lambda m, g, x, out, other: _divided_by(g, other),), ELEMENTWISE,
                  "{0} / {other}", ("1/{other}",),
                  samples=(Sample(((4,),), {"other": 2.0}, _divided_by),
                           Sample(((2, 3),), {"other": -3}, _divided_by)))


def _fixed_draw(p):
    """``bernoulli(p)`` with the generator seeded the same way at each call (a sample for the
    gradient tests, which call the op again and again), and left as it was."""
    from autodiff_repl.engine import creation
    saved = creation.RNG
    try:
        creation.manual_seed(0)
        return _engine().bernoulli(p)
    finally:
        creation.RNG = saved


BERNOULLI = _row("bernoulli", "BernoulliBackward0", lambda p, sample: sample.copy(),
                 (lambda m, g, p, out, sample: m.where(True, 0.0, g),), ELEMENTWISE,
                 "bernoulli({0})", ("0",), domain=(0.1, 0.9),
                 says=("0: a random draw passes no gradient back to its probabilities",),
                 samples=(Sample(((4,),), call=_fixed_draw), Sample(((2, 3),), call=_fixed_draw)))
