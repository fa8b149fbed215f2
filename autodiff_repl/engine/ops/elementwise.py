"""Rows of the op table: arithmetic (``+``, ``*``, ``**`` ...) and elementwise functions (``exp``,
``sin``, ``relu``, ``clamp``, ``where`` ...)."""

from __future__ import annotations

import math

import numpy as np

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
                 (lambda m, g, a, b, out, alpha: g, lambda m, g, a, b, out, alpha: g * alpha),
                 ELEMENTWISE, "{0} + {alpha}·{1}", ("1", "{alpha}"),
                 samples=(Sample(((2, 3), (3,)), {"alpha": 2}, _public("add")),
                          Sample(((4,), (4,)), {"alpha": -0.5}, _public("add"))))
SUB_ALPHA = _row("sub_alpha", "SubBackward0", lambda a, b, alpha: a - alpha * b,
                 (lambda m, g, a, b, out, alpha: g, lambda m, g, a, b, out, alpha: -g * alpha),
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


def _times(x, other):
    """``other · x`` as PyTorch's own gradient formulas multiply a tensor by a number
    (``mul.Scalar``): on tensors, a node of its own, ``MulBackward1`` (``x * 2`` typed by the
    user is ``MulBackward0``). The backends have no such function, so on tensors the row runs
    directly."""
    if isinstance(x, np.ndarray | np.generic):
        return other * x
    return _engine().functions.apply(MUL_SCALAR, (x,), {"other": other})


MUL_SCALAR = _row("mul_scalar", "MulBackward1", lambda x, other: x * x.dtype.type(other),
                  (lambda m, g, x, out, other: _times(g, other),), ELEMENTWISE,
                  "{other} · {0}", ("{other}",),
                  samples=(Sample(((4,),), {"other": 3.0}, _times),
                           Sample(((2, 3),), {"other": -2}, _times)))
DIV = _row("div", "DivBackward0", np.true_divide,
           (lambda m, g, a, b, out: g / b, lambda m, g, a, b, out: -g * a / (b * b)),
           ELEMENTWISE, "{0} / {1}", ("1/{1}", "-{0}/{1}²"), needs=((1,), (0, 1)), samples=BINARY,
           away_from=(0.0,))
NEG = _row("neg", "NegBackward0", np.negative, (lambda m, g, x, out: -g,), ELEMENTWISE,
           "-{0}", ("-1",), samples=UNARY)
RECIPROCAL = _row("reciprocal", "ReciprocalBackward0", np.reciprocal,
                  (lambda m, g, x, out: -g * out * out,), ELEMENTWISE,
                  "1/{0}", ("-1/{0}²",), needs=((OUT,),), samples=UNARY, away_from=(0.0,))


def _pow_vjp(m, g, x, out, exponent):
    """g·(n·x^(n-1)), grouped as PyTorch groups it. Recorded (``create_graph=True``), the
    gradient of x² is g·(2·x¹): ``MulBackward0`` on ``MulBackward1`` on ``PowBackward0`` -- even
    x¹ is a power of x, as in PyTorch, so the gradient of x² still depends on x and its Hessian
    has a ``grad_fn``."""
    if exponent == 0:
        return m.where(True, 0.0, g)
    if exponent == 2 and type(x) is np.ndarray:  # a plain backward of the common square
        return g * (2 * x)
    return g * _times(x ** (exponent - 1), exponent)


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
    return g * _times(out, float(np.log(base)))


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
COS = _row("cos", "CosBackward0", np.cos, (lambda m, g, x, out: -g * m.sin(x),), ELEMENTWISE,
           "cos({0})", ("-sin({0})",), needs=((0,),), samples=UNARY)
TAN = _row("tan", "TanBackward0", np.tan, (lambda m, g, x, out: g * (1 + out * out),),
           ELEMENTWISE, "tan({0})", ("1 + tan²({0})",), needs=((OUT,),), samples=UNARY,
           domain=(-1.2, 1.2))
TANH = _row("tanh", "TanhBackward0", np.tanh, (lambda m, g, x, out: g * (1 - out * out),),
            ELEMENTWISE, "tanh({0})", ("1 - tanh²({0})",), needs=((OUT,),), samples=UNARY)


def _sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1)  # stable for large |x|, no overflow warnings


SIGMOID = _row("sigmoid", "SigmoidBackward0", lambda x: _sigmoid(x).astype(x.dtype, copy=False),
               (lambda m, g, x, out: g * out * (1 - out),), ELEMENTWISE,
               "σ({0})", ("σ({0})·(1 - σ({0}))",), needs=((OUT,),), samples=UNARY)
RELU = _row("relu", "ReluBackward0", lambda x: np.maximum(x, 0).astype(x.dtype, copy=False),
            (lambda m, g, x, out: m.where(out > 0, g, 0.0),), ELEMENTWISE,
            "relu({0})", ("1 if {0} > 0 else 0",), needs=((OUT,),), samples=UNARY,
            away_from=(0.0,))
SQRT = _row("sqrt", "SqrtBackward0", np.sqrt, (lambda m, g, x, out: g / (2 * out),),
            ELEMENTWISE, "√{0}", ("1/(2√{0})",), needs=((OUT,),), samples=UNARY,
            domain=(0.5, 3.0))
ABS = _row("abs", "AbsBackward0", np.abs, (lambda m, g, x, out: g * m.sign(x),), ELEMENTWISE,
           "|{0}|", ("sign({0})",), needs=((0,),), samples=UNARY, away_from=(0.0,))
SIGN = _row("sign", "SignBackward0", np.sign, (lambda m, g, x, out: m.where(True, 0.0, g),),
            ELEMENTWISE,
            "sign({0})", ("0",), samples=UNARY, away_from=(0.0,))


LOG1P = _row("log1p", "Log1PBackward0", np.log1p, (lambda m, g, x, out: g / (1 + x),), ELEMENTWISE,
             "log(1 + {0})", ("1/(1 + {0})",), needs=((0,),), samples=UNARY, domain=(-0.5, 2.0))
EXPM1 = _row("expm1", "Expm1Backward0", np.expm1, (lambda m, g, x, out: g * (out + 1),),
             ELEMENTWISE, "exp({0}) - 1", ("exp({0})",), needs=((OUT,),), samples=UNARY)
EXP2 = _row("exp2", "Exp2Backward0", np.exp2, (lambda m, g, x, out: g * out * math.log(2),),
            ELEMENTWISE, "2^{0}", ("2^{0}·ln 2",), needs=((OUT,),), samples=UNARY)
LOG2 = _row("log2", "Log2Backward0", np.log2, (lambda m, g, x, out: g / (x * math.log(2)),),
            ELEMENTWISE, "log₂({0})", ("1/({0}·ln 2)",), needs=((0,),), samples=UNARY,
            domain=(0.5, 3.0))
LOG10 = _row("log10", "Log10Backward0", np.log10, (lambda m, g, x, out: g / (x * math.log(10)),),
             ELEMENTWISE, "log₁₀({0})", ("1/({0}·ln 10)",), needs=((0,),), samples=UNARY,
             domain=(0.5, 3.0))
SINH = _row("sinh", "SinhBackward0", np.sinh, (lambda m, g, x, out: g * m.cosh(x),), ELEMENTWISE,
            "sinh({0})", ("cosh({0})",), needs=((0,),), samples=UNARY)
COSH = _row("cosh", "CoshBackward0", np.cosh, (lambda m, g, x, out: g * m.sinh(x),), ELEMENTWISE,
            "cosh({0})", ("sinh({0})",), needs=((0,),), samples=UNARY)
ASIN = _row("asin", "AsinBackward0", np.arcsin, (lambda m, g, x, out: g / m.sqrt(1 - x * x),),
            ELEMENTWISE, "asin({0})", ("1/√(1 - {0}²)",), needs=((0,),), samples=UNARY,
            domain=(-0.9, 0.9))
ACOS = _row("acos", "AcosBackward0", np.arccos, (lambda m, g, x, out: -g / m.sqrt(1 - x * x),),
            ELEMENTWISE, "acos({0})", ("-1/√(1 - {0}²)",), needs=((0,),), samples=UNARY,
            domain=(-0.9, 0.9))
ATAN = _row("atan", "AtanBackward0", np.arctan, (lambda m, g, x, out: g / (1 + x * x),),
            ELEMENTWISE, "atan({0})", ("1/(1 + {0}²)",), needs=((0,),), samples=UNARY)
RSQRT = _row("rsqrt", "RsqrtBackward0", lambda x: 1 / np.sqrt(x),
             (lambda m, g, x, out: g * -0.5 * out ** 3,), ELEMENTWISE,
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
    return _row(name, grad_fn, forward, (lambda m, g, x, out, **_: m.where(True, 0.0, g),),
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
