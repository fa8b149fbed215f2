"""The op table: every differentiable operation, declared once.

Each row (an ``Op``) says, for one operation:

- ``name`` and ``grad_fn``: the public name and the node name PyTorch prints (``MulBackward0``);
- ``forward``: the computation on NumPy arrays, ``forward(*arrays, **params) -> array``;
- ``vjp``: one function per input giving that input's gradient, like a line of PyTorch's
  ``derivatives.yaml``: ``vjp_i(m, g, *inputs, out, **params)``. ``g`` is the gradient of the
  output. ``m`` is a backend namespace (``backends.RAW`` on arrays, ``backends.GRAPH`` on tensors):
  the same formula runs fast on arrays for a plain backward and on tensors, recording a graph, for
  ``create_graph=True`` -- so higher derivatives come for free. A gradient may keep the output's
  shape: the engine sums it back over broadcast axes in one place (``backprop``);
- ``jvp``: forward mode. ``ELEMENTWISE`` reuses the vjp formulas (for an elementwise op the
  Jacobian is diagonal, so J·t = Jᵀ·t); ``LINEAR`` applies ``forward`` to the tangent (for ops
  linear in their input); otherwise one function per input, ``jvp_i(m, t, *inputs, out, **params)``;
- ``expr`` and ``formula``: the output and each local derivative as text, for the chain-rule trace
  (``{0}``, ``{1}`` stand for the inputs, ``{p}`` for a parameter);
- ``says``: for ops whose local derivative is not one number per element (products of matrices,
  reductions, reshapes, indexing), how the gradient travels back, in words, per input (one entry
  for all inputs of a variadic op): ``{up}`` is the upstream gradient, ``{in_shape}`` the input's
  shape; without it the trace shows ``upstream · formula``;
- ``needs``: for each input, what its vjp formula reads (input indices; ``OUT`` for the output).
  A node keeps only what the inputs that require grad need -- ``x * c`` with a constant ``c`` keeps
  ``c``, not ``x`` -- and releases it after a backward without ``retain_graph``;
- ``samples`` and ``domain``: the shapes and input range the generated gradient tests use.

Ops with a variable number of inputs (``cat``, ``stack``) give ``vjp`` as one function returning a
tuple. Non-differentiable ops (comparisons, ``argmax``) are plain functions in ``functions``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

OUT = -1  # in ``needs``: the op's output
ELEMENTWISE = "elementwise"
LINEAR = "linear"


@dataclass(frozen=True)
class Sample:
    """One gradient-test case: input shapes, parameters, and how to call the op publicly."""

    shapes: tuple[tuple[int, ...], ...]
    params: dict = field(default_factory=dict)
    call: Callable | None = None  # default: engine.<op.name>(*inputs, **params)


@dataclass(frozen=True, eq=False)
class Op:
    name: str
    grad_fn: str
    forward: Callable
    vjp: tuple[Callable, ...] | Callable
    jvp: tuple[Callable, ...] | Callable | str
    expr: str
    formula: tuple[str, ...]
    needs: tuple[tuple[int, ...], ...] = ()
    says: tuple[str, ...] = ()
    variadic: bool = False
    samples: tuple[Sample, ...] = ()
    domain: tuple[float, float] = (-2.0, 2.0)
    away_from: tuple[float, ...] = ()  # kinks the test inputs keep clear of

    def __repr__(self) -> str:
        return f"<op {self.name}: {self.grad_fn}>"


# --- shape helpers shared by the formulas (plain Python on shapes) --------------------------

def kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``dims`` kept as size 1 (what keepdim=True gives)."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def reduced_size(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> int:
    """How many elements each output element of a reduction over ``dims`` summed."""
    if dims is None:
        return math.prod(shape)
    return math.prod(shape[d] for d in dims)


def _spread(m, g, x, dims, keepdim):
    """Broadcast a reduction's gradient ``g`` back to the input's shape."""
    if dims is not None and not keepdim:
        g = m.reshape(g, kept_shape(x.shape, dims))
    return m.expand(g, x.shape)


# --- sample shapes for the generated tests ------------------------------------------------------

UNARY = (Sample(((),)), Sample(((4,),)), Sample(((2, 3),)))
BINARY = (Sample(((), ())), Sample(((4,), (4,))), Sample(((2, 3), (2, 3))),
          Sample(((2, 3), (3,))), Sample(((3, 1), (1, 4))), Sample(((4,), ())))
REDUCE = (Sample(((4,),)), Sample(((2, 3),)), Sample(((2, 3, 2),)))


def _public(name: str) -> Callable:
    """A sample's call through the public function ``engine.<name>`` (for rows named otherwise)."""
    def call(*inputs, **params):
        return getattr(_engine(), name)(*inputs, **params)
    call.__name__ = name
    return call


def _reduce_dim(name: str) -> tuple[Sample, ...]:
    call = _public(name)
    return (Sample(((2, 3),), {"dim": 0}, call),
            Sample(((2, 3),), {"dim": 1, "keepdim": True}, call),
            Sample(((2, 3, 2),), {"dim": (0, 2)}, call), Sample(((4,),), {"dim": -1}, call))


def _row(name, grad_fn, forward, vjp, jvp, expr, formula, **kw) -> Op:
    return Op(name, grad_fn, forward, vjp, jvp, expr, formula, **kw)


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
    """g·n·x^(n-1). Recorded (``create_graph=True``), even x^1 is a power of x, as in PyTorch:
    the gradient of x² still depends on x, so its Hessian has a ``grad_fn``."""
    if exponent == 0:
        return m.where(True, 0.0, g)
    if exponent == 2 and type(x) is np.ndarray:  # a plain backward of the common square
        return g * (2 * x)
    return g * exponent * x ** (exponent - 1)


POW = _row("pow", "PowBackward0", lambda x, exponent: np.power(x, exponent),
           (_pow_vjp,), ELEMENTWISE, "{0}^{exponent}", ("{exponent}·{0}^({exponent}-1)",),
           needs=((0,),), domain=(0.5, 2.0),
           samples=(Sample(((4,),), {"exponent": 2}), Sample(((2, 3),), {"exponent": 3}),
                    Sample(((),), {"exponent": -1.5}), Sample(((4,),), {"exponent": 0.5})))
def _pow_base_vjp(m, g, a, b, out):
    """b·a^(b-1), and 0 where b is 0 (PyTorch's choice: 0·0^-1 would be nan)."""
    return m.where(b == 0, 0.0, g * b * a ** (b - 1))


def _pow_exponent_vjp(m, g, a, b, out):
    """a^b·log a, and 0 where a is 0 and b ≥ 0 (PyTorch's choice: 0·log 0 would be nan)."""
    return m.where((a == 0) & (out < np.inf), 0.0, g * out * m.log(a))


def _rpow_vjp(m, g, x, out, base):
    if base == 0:  # 0^x: PyTorch's gradient is 0 where x ≥ 0 (0·log 0), -inf where 0^x = inf
        return m.where(out == np.inf, g * -np.inf, 0.0)
    return g * out * float(np.log(base))


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


# --- linear algebra -----------------------------------------------------------------------------

DOT = _row("dot", "DotBackward0", lambda a, b: np.dot(a, b) + a.dtype.type(0),  # -0 -> 0, as BLAS
           (lambda m, g, a, b, out: g * b, lambda m, g, a, b, out: g * a),
           (lambda m, t, a, b, out: m.dot(t, b), lambda m, t, a, b, out: m.dot(a, t)),
           "{0} · {1}", ("{1}", "{0}"), needs=((1,), (0,)), samples=(Sample(((4,), (4,))),))
MV = _row("mv", "MvBackward0", np.matmul,
          (lambda m, g, a, v, out: m.outer(g, v), lambda m, g, a, v, out: m.mv(m.t(a), g)),
          (lambda m, t, a, v, out: m.mv(t, v), lambda m, t, a, v, out: m.mv(a, t)),
          "{0} {1}", ("{1}ᵀ", "{0}ᵀ"), needs=((1,), (0,)), samples=(Sample(((2, 3), (3,))),),
          says=("{up} ⊗ {1}  (outer product)", "{0}ᵀ · {up}"))
MM = _row("mm", "MmBackward0", np.matmul,
          (lambda m, g, a, b, out: m.mm(g, m.t(b)), lambda m, g, a, b, out: m.mm(m.t(a), g)),
          (lambda m, t, a, b, out: m.mm(t, b), lambda m, t, a, b, out: m.mm(a, t)),
          "{0} {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)), samples=(Sample(((2, 3), (3, 4))),),
          says=("{up} · {1}ᵀ", "{0}ᵀ · {up}"))
def _matmul_vjp_a(m, g, a, b, out):
    """Batched: g @ bᵀ, with a 1-D operand treated as a row (a) or a column (b) and squeezed."""
    if b.ndim == 1:
        return m.unsqueeze(g, -1) * b
    if a.ndim == 1:
        return m.reshape(m.matmul(m.unsqueeze(g, -2), m.mT(b)), (*g.shape[:-1], b.shape[-2]))
    return m.matmul(g, m.mT(b))


def _matmul_vjp_b(m, g, a, b, out):
    """Batched: aᵀ @ g (see ``_matmul_vjp_a``)."""
    if a.ndim == 1:
        return m.unsqueeze(a, -1) * m.unsqueeze(g, -2)
    if b.ndim == 1:
        return m.reshape(m.matmul(m.mT(a), m.unsqueeze(g, -1)), (*g.shape[:-1], a.shape[-1]))
    return m.matmul(m.mT(a), g)


MATMUL = _row("matmul", "UnsafeViewBackward0", np.matmul, (_matmul_vjp_a, _matmul_vjp_b),
              (lambda m, t, a, b, out: m.matmul(t, b), lambda m, t, a, b, out: m.matmul(a, t)),
              "{0} @ {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)),
              says=("{up} · {1}ᵀ", "{0}ᵀ · {up}"),
              samples=(Sample(((2, 2, 3), (3, 4))), Sample(((2, 2, 3), (2, 3, 4))),
                       Sample(((3,), (2, 3, 4))), Sample(((2, 2, 3), (3,))),
                       Sample(((2, 1, 2, 3), (3, 3, 2)))))
BMM = _row("bmm", "BmmBackward0", np.matmul,
           (lambda m, g, a, b, out: m.bmm(g, m.mT(b)), lambda m, g, a, b, out: m.bmm(m.mT(a), g)),
           (lambda m, t, a, b, out: m.bmm(t, b), lambda m, t, a, b, out: m.bmm(a, t)),
           "{0} @ {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)),
           says=("{up} · {1}ᵀ, per batch", "{0}ᵀ · {up}, per batch"),
           samples=(Sample(((2, 2, 3), (2, 3, 4))), Sample(((1, 3, 2), (1, 2, 2)))))
MSE_LOSS = _row("mse_loss", "MseLossBackward0", lambda a, b: np.mean((a - b) ** 2),
                (lambda m, g, a, b, out: g * 2 * (a - b) / reduced_size(out_shape(a, b), None),
                 lambda m, g, a, b, out: -g * 2 * (a - b) / reduced_size(out_shape(a, b), None)),
                (lambda m, t, a, b, out: m.mean(2 * (a - b) * t, None, False),
                 lambda m, t, a, b, out: m.mean(-2 * (a - b) * t, None, False)),
                "mean(({0} - {1})²)", ("2({0} - {1})/n", "-2({0} - {1})/n"), needs=((0, 1), (0, 1)),
                samples=(Sample(((4,), (4,)), call=lambda a, b: _mse(a, b)),
                         Sample(((2, 3), (2, 3)), call=lambda a, b: _mse(a, b))))


def out_shape(a, b) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))


def _mse(a, b):
    from autodiff_repl.engine.nn import functional
    return functional.mse_loss(a, b)


# --- reductions ---------------------------------------------------------------------------------

SUM = _row("sum", "SumBackward0", lambda x: np.sum(x, dtype=x.dtype),
           (lambda m, g, x, out: m.expand(g, x.shape),), LINEAR,
           "Σ {0}", ("1",), samples=REDUCE, says=("{up} copied to every element of {0}",))
SUM_DIM = _row("sum_dim", "SumBackward1",
               lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
               (lambda m, g, x, out, dim, keepdim: _spread(m, g, x, dim, keepdim),), LINEAR,
               "Σ_{dim} {0}", ("1",), samples=_reduce_dim("sum"),
               says=("{up} copied along dim {dim}",))
def _mean(x):
    """``np.mean(x, dtype=x.dtype)`` without its Python-level overhead (same sum, same result)."""
    return x.dtype.type(np.add.reduce(x, axis=None, dtype=x.dtype) / np.intp(x.size))


MEAN = _row("mean", "MeanBackward0", _mean,
            (lambda m, g, x, out: m.expand(g / reduced_size(x.shape, None), x.shape),), LINEAR,
            "mean {0}", ("1/n",), samples=REDUCE,
            says=("1/n · {up} copied to every element of {0}",))
MEAN_DIM = _row("mean_dim", "MeanBackward1",
                lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
                (lambda m, g, x, out, dim, keepdim:
                 _spread(m, g / reduced_size(x.shape, dim), x, dim, keepdim),), LINEAR,
                "mean_{dim} {0}", ("1/n",), samples=_reduce_dim("mean"),
                says=("1/n · {up} copied along dim {dim}",))
SUM_TO = _row("sum_to_size", "SumBackward1", lambda x, size: sum_to(x, size),
              (lambda m, g, x, out, size: m.expand(g, x.shape),), LINEAR,
              "Σ {0} to {size}", ("1",),
              samples=(Sample(((2, 3),), call=lambda x: x.sum_to_size(1, 3)),
                       Sample(((2, 3),), call=lambda x: x.sum_to_size((3,)))))


def _prod_others(m, x, out, dim, keepdim):
    """For each element, the product of the others: ∏/x, or -- at a zero, where that division
    fails -- the product of the rest if it is the only zero, else 0 (as PyTorch computes it)."""
    out = _spread(m, out, x, dim, keepdim)
    zero = x == 0
    if not zero.any():
        return out / x
    safe = m.where(zero, 1.0, x)
    zeros = m.sum(m.where(zero, 1.0, 0.0), dim, True)
    # one zero: the others' product there, ∏/x (a signed zero) elsewhere; more: 0 everywhere
    return m.where(zeros > 1, 0.0, m.where(zero, m.prod(safe, dim, True), out / safe))


def _prod_vjp(m, g, x, out, dim=None, keepdim=False):
    return _spread(m, g, x, dim, keepdim) * _prod_others(m, x, out, dim, keepdim)


def _prod_jvp(m, t, x, out, dim=None, keepdim=False):
    return m.sum(t * _prod_others(m, x, out, dim, keepdim), dim, keepdim)


PROD = _row("prod", "ProdBackward0", lambda x: np.prod(x, dtype=x.dtype),
            (_prod_vjp,), (_prod_jvp,),
            "∏ {0}", ("∏/{0}",), needs=((0, OUT),), domain=(0.5, 1.5),
            samples=(*REDUCE, Sample(((4,),), call=lambda x: _with_zeros(x, [0]).prod()),
                     Sample(((4,),), call=lambda x: _with_zeros(x, [1, 2]).prod())))
PROD_DIM = _row("prod_dim", "ProdBackward1",
                lambda x, dim, keepdim: np.prod(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
                (_prod_vjp,), (_prod_jvp,),
                "∏_{dim} {0}", ("∏/{0}",), needs=((0, OUT),), domain=(0.5, 1.5),
                samples=(Sample(((2, 3),), {"dim": 1}, _public("prod")),
                         Sample(((2, 3),), {"dim": 0, "keepdim": True}, _public("prod")),
                         Sample(((2, 3),), call=lambda x: _with_zeros(x, [1]).prod(1))))


def _with_zeros(x, where):
    """``x`` with zeros written at ``where`` (a sample: products with zero factors)."""
    mask = np.ones(x.shape)
    mask.reshape(-1)[where] = 0
    return x * _engine().tensor(mask, dtype=x.dtype)


def _extreme_vjp(m, g, x, out):
    """Full max/min: the gradient is shared evenly among the elements equal to the result."""
    hit = x == out
    return m.where(hit, g / hit.sum(), 0.0)


MAX = _row("max", "MaxBackward1", np.max, (_extreme_vjp,),
           (lambda m, t, x, out: m.sum(t * (x == out), None, False) / (x == out).sum(),),
           "max {0}", ("1 at the max (shared equally among ties), else 0",), needs=((0, OUT),),
           samples=REDUCE)
MIN = _row("min", "MinBackward1", np.min, (_extreme_vjp,),
           (lambda m, t, x, out: m.sum(t * (x == out), None, False) / (x == out).sum(),),
           "min {0}", ("1 at the min (shared equally among ties), else 0",), needs=((0, OUT),),
           samples=REDUCE)


def _select_forward(x, dim, keepdim, onehot, largest):
    values = np.max(x, axis=dim, keepdims=keepdim) if largest else np.min(
        x, axis=dim, keepdims=keepdim)
    return values


def _select_vjp(m, g, x, out, dim, keepdim, onehot, largest):
    if not keepdim:
        g = m.unsqueeze(g, dim)
    return m.where(onehot, g, 0.0)


def _select_jvp(m, t, x, out, dim, keepdim, onehot, largest):
    return m.sum(t * onehot, (dim,), keepdim)


MAX_DIM = _row("max_dim", "MaxBackward0", _select_forward, (_select_vjp,), (_select_jvp,),
               "max_{dim} {0}", ("1 at the index max(dim) returned, else 0",),
               samples=(Sample(((2, 3),), call=lambda x: x.max(dim=1).values),
                        Sample(((2, 3),), call=lambda x: x.max(0, keepdim=True)[0])))
MIN_DIM = _row("min_dim", "MinBackward0", _select_forward, (_select_vjp,), (_select_jvp,),
               "min_{dim} {0}", ("1 at the index min(dim) returned, else 0",),
               samples=(Sample(((2, 3),), call=lambda x: x.min(dim=1).values),))


def _amax_vjp(m, g, x, out, dim, keepdim):
    """amax/amin: the gradient is shared evenly among the elements equal to the result."""
    hit = x == _spread(m, out, x, dim, keepdim)
    return m.where(hit, _spread(m, g, x, dim, keepdim) / m.sum(hit, dim, True), 0.0)


def _amax_jvp(m, t, x, out, dim, keepdim):
    hit = x == _spread(m, out, x, dim, keepdim)
    return m.sum(t * hit, dim, keepdim) / m.sum(hit, dim, keepdim)


AMAX = _row("amax", "AmaxBackward0",
            lambda x, dim, keepdim: np.amax(x, axis=dim, keepdims=keepdim), (_amax_vjp,),
            (_amax_jvp,), "amax_{dim} {0}", ("1/k at the k elements equal to the max, else 0",),
            needs=((0, OUT),),
            samples=(Sample(((2, 3),), call=lambda x: x.amax()),
                     Sample(((2, 3),), call=lambda x: x.amax(1)),
                     Sample(((2, 3),), call=lambda x: _ties(x).amax((0, 1), keepdim=True))))
AMIN = _row("amin", "AminBackward0",
            lambda x, dim, keepdim: np.amin(x, axis=dim, keepdims=keepdim), (_amax_vjp,),
            (_amax_jvp,), "amin_{dim} {0}", ("1/k at the k elements equal to the min, else 0",),
            needs=((0, OUT),),
            samples=(Sample(((2, 3),), call=lambda x: x.amin(0)),
                     Sample(((2, 3),), call=lambda x: (-_ties(x)).amin(dim=1))))


def _ties(x):
    """``x`` with its first two elements replaced by its last + 10: a tie for the largest that
    stays a tie when gradcheck nudges an input."""
    engine = _engine()
    first = engine.tensor(np.arange(x.numel()).reshape(x.shape) < 2)
    return engine.where(first, x.reshape(-1)[-1] + 10, x)


def _logsumexp(x, dim, keepdim):
    top = np.amax(x, axis=dim, keepdims=True)
    top = np.where(np.isfinite(top), top, x.dtype.type(0))  # all -inf (or an inf): no shift
    out = np.log(np.sum(np.exp(x - top), axis=dim, keepdims=True)) + top
    return out if keepdim else np.squeeze(out, axis=dim)


def _logsumexp_local(m, x, out, dim, keepdim):
    """∂ logsumexp/∂x = exp(x - logsumexp): the softmax of x along dim."""
    return m.exp(x - _spread(m, out, x, dim, keepdim))


LOGSUMEXP = _row("logsumexp", "LogsumexpBackward0", _logsumexp,
                 (lambda m, g, x, out, dim, keepdim:
                  _spread(m, g, x, dim, keepdim) * _logsumexp_local(m, x, out, dim, keepdim),),
                 (lambda m, t, x, out, dim, keepdim:
                  m.sum(t * _logsumexp_local(m, x, out, dim, keepdim), dim, keepdim),),
                 "log Σ_{dim} exp({0})", ("softmax({0})",), needs=((0, OUT),),
                 samples=(Sample(((4,),), {"dim": 0}), Sample(((2, 3),), {"dim": 1}),
                          Sample(((2, 3),), {"dim": (0, 1), "keepdim": True})))


def _scan(fn):
    """A cumulative op along ``dim`` (a 0-dim tensor is its own cumulative sum)."""
    return lambda x, dim: fn(x, axis=dim, dtype=x.dtype) if x.ndim else x.copy()


def _reverse_cumsum(m, g, dim):
    """Σ_{j ≥ i} g_j along ``dim``: the cumulative sum taken from the end."""
    if g.ndim == 0:
        return g
    return m.flip(m.cumsum(m.flip(g, (dim,)), dim), (dim,))


CUMSUM = _row("cumsum", "CumsumBackward0", _scan(np.cumsum),
              (lambda m, g, x, out, dim: _reverse_cumsum(m, g, dim),), LINEAR,
              "cumsum_{dim} {0}", ("1 for every out_j with j ≥ i",),
              says=("{up} summed from the end along dim {dim}",),
              samples=(Sample(((4,),), {"dim": 0}), Sample(((2, 3),), {"dim": 1}),
                       Sample(((2, 3),), {"dim": -2}), Sample(((),), {"dim": 0})))


def _first_zeros(m, x, dim):
    """Masks along ``dim``: before any zero, and at the first zero."""
    zero = x == 0
    count = m.cumsum(zero, dim)
    return count == 0, zero & (count == 1)


def _cumprod_vjp(m, g, x, out, dim):
    """Σ_{j ≥ i} g_j·out_j / x_i. Where that division fails, PyTorch's exact value: at a line's
    first zero, the products that skip it; after it, 0."""
    if x.ndim == 0:
        return g
    if not (x == 0).any():
        return _reverse_cumsum(m, g * out, dim) / x
    before, first = _first_zeros(m, x, dim)
    skipping = m.cumprod(m.where(first, 1.0, x), dim)
    return m.where(before, _reverse_cumsum(m, g * out, dim) / m.where(before, x, 1.0),
                   m.where(first, _reverse_cumsum(m, g * skipping, dim), 0.0))


def _cumprod_jvp(m, t, x, out, dim):
    """out_j·Σ_{i ≤ j} t_i / x_i; from a line's first zero on, only that zero's tangent counts."""
    if x.ndim == 0:
        return t
    if not (x == 0).any():
        return out * m.cumsum(t / x, dim)
    before, first = _first_zeros(m, x, dim)
    return m.where(before, out * m.cumsum(m.where(before, t / m.where(before, x, 1.0), 0.0), dim),
                   m.cumprod(m.where(first, 1.0, x), dim) * m.sum(m.where(first, t, 0.0), (dim,),
                                                                  True))


CUMPROD = _row("cumprod", "CumprodBackward0", _scan(np.cumprod), (_cumprod_vjp,), (_cumprod_jvp,),
               "cumprod_{dim} {0}", ("out_j/{0}_i for every out_j with j ≥ i",),
               needs=((0, OUT),), domain=(0.5, 1.5),
               says=("Σ over j ≥ i of {up}_j·out_j / {0}_i",),
               samples=(Sample(((4,),), {"dim": 0}), Sample(((2, 3),), {"dim": 1}),
                        Sample(((),), {"dim": 0}),
                        Sample(((4,),), call=lambda x: _with_zeros(x, [1]).cumprod(0)),
                        Sample(((5,),), call=lambda x: _with_zeros(x, [1, 3]).cumprod(0)),
                        Sample(((2, 3),), call=lambda x: _with_zeros(x, [0, 4]).cumprod(1))))


def _norm_forward(x, p, dim, keepdim):
    a = np.abs(x)
    if p == 2:
        r = np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
    elif p == 1:
        r = np.sum(a, axis=dim, keepdims=keepdim)
    elif p == math.inf:
        r = np.max(a, axis=dim, keepdims=keepdim)
    elif p == -math.inf:
        r = np.min(a, axis=dim, keepdims=keepdim)
    elif p == 0:  # how many elements are not zero
        r = np.sum(a != 0, axis=dim, keepdims=keepdim)
    else:
        r = np.sum(a ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
    return np.asarray(r, dtype=x.dtype)


def _norm_local(m, x, out, p, dim):
    """∂‖x‖_p/∂x elementwise (``out`` already spread to ``x``'s shape); 0 where the norm is 0,
    as PyTorch takes it. For p = ±inf the largest (smallest) |x| share the gradient equally."""
    if p == 1:
        return m.sign(x)
    if math.isinf(p):
        hit = m.where(m.abs(x) == out, 1.0, 0.0)
        return m.sign(x) * hit / m.sum(hit, dim, True)
    zero = out == 0
    safe = m.where(zero, 1.0, out)
    if p == 2:
        return m.where(zero, 0.0, x / safe)
    return m.where(zero, 0.0, x * m.abs(x) ** (p - 2) / safe ** (p - 1))


def _norm_vjp(m, g, x, out, p, dim, keepdim):
    if p == 0:  # a count: PyTorch leaves the gradient undefined (x.grad stays None)
        return None
    return _spread(m, g, x, dim, keepdim) * _norm_local(m, x, _spread(m, out, x, dim, keepdim), p,
                                                        dim)


def _norm_jvp(m, t, x, out, p, dim, keepdim):
    if p == 0:
        return m.sum(t * 0.0, dim, keepdim)
    return m.sum(t * _norm_local(m, x, _spread(m, out, x, dim, keepdim), p, dim), dim, keepdim)


NORM = _row("norm", "LinalgVectorNormBackward0", _norm_forward, (_norm_vjp,), (_norm_jvp,),
            "‖{0}‖_{p}", ("{0}/‖{0}‖",), needs=((0, OUT),), away_from=(0.0,),
            samples=(Sample(((4,),)), Sample(((2, 3),), {"dim": 1}),
                     Sample(((2, 3),), {"p": 1}), Sample(((4,),), {"p": 3}),
                     Sample(((2, 3),), {"dim": 0, "keepdim": True}),
                     Sample(((4,),), {"p": math.inf}),
                     Sample(((2, 3),), {"p": -math.inf, "dim": 1})))


def _centered(m, x, dim):
    return x - m.mean(x, dim, True)


def _var_vjp(m, g, x, out, dim, correction, keepdim):
    scale = 2 / (reduced_size(x.shape, dim) - correction)
    return _spread(m, g, x, dim, keepdim) * _centered(m, x, dim) * scale


def _std_vjp(m, g, x, out, dim, correction, keepdim):
    """d std = d var / (2 std); PyTorch takes it as 0 where std is 0 (all values equal)."""
    zero = out == 0
    g = m.where(zero, 0.0, g / (2 * m.where(zero, 1.0, out)))
    return _var_vjp(m, g, x, out, dim, correction, keepdim)


_MOMENT_SAMPLES = (Sample(((4,),)), Sample(((2, 3),), {"dim": 1}),
                   Sample(((2, 3),), {"dim": 0, "keepdim": True, "correction": 0}))
VAR = _row("var", "VarBackward0",
           lambda x, dim, correction, keepdim: np.asarray(
               np.var(x, axis=dim, ddof=correction, keepdims=keepdim), dtype=x.dtype),
           (_var_vjp,),
           (lambda m, t, x, out, dim, correction, keepdim:
            m.sum(_var_vjp(m, t, x, out, dim, correction, True), dim, keepdim),),
           "var {0}", ("2({0} - mean)/(n - {correction})",), needs=((0,),),
           samples=_MOMENT_SAMPLES)
STD = _row("std", "StdBackward0",
           lambda x, dim, correction, keepdim: np.asarray(
               np.std(x, axis=dim, ddof=correction, keepdims=keepdim), dtype=x.dtype),
           (_std_vjp,),
           (lambda m, t, x, out, dim, correction, keepdim: m.where(
               out == 0, 0.0, m.sum(_var_vjp(m, t, x, out, dim, correction, True), dim, keepdim)
               / (2 * m.where(out == 0, 1.0, out))),),
           "std {0}", ("({0} - mean)/((n - {correction})·std)",), needs=((0, OUT),),
           samples=_MOMENT_SAMPLES)


def _repeat_vjp(m, g, x, out, sizes):
    """Sum the gradient over the copies: view it as (copies, size) pairs, sum the copies."""
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    pairs = tuple(n for r, s in zip(sizes, shape, strict=True) for n in (r, s))
    summed = m.sum(m.reshape(g, pairs), tuple(range(0, 2 * len(sizes), 2)), False)
    return m.reshape(summed, x.shape)


REPEAT = _row("repeat", "RepeatBackward0", lambda x, sizes: np.tile(x, sizes), (_repeat_vjp,),
              LINEAR, "{0} repeated {sizes}", ("1 per copy",),
              samples=(Sample(((3,),), call=lambda x: x.repeat(2)),
                       Sample(((2, 3),), call=lambda x: x.repeat(2, 1, 2))))


def _softmax(x, dim):
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def _log_softmax(x, dim):
    s = x - np.max(x, axis=dim, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=dim, keepdims=True))


SOFTMAX = _row("softmax", "SoftmaxBackward0", _softmax,
               (lambda m, g, x, out, dim: out * (g - m.sum(g * out, (dim,), True)),),
               (lambda m, t, x, out, dim: out * (t - m.sum(t * out, (dim,), True)),),
               "softmax({0})", ("diag(s) - s sᵀ",), needs=((OUT,),),
               samples=(Sample(((4,),), {"dim": 0}), Sample(((2, 3),), {"dim": 1})))
LOG_SOFTMAX = _row("log_softmax", "LogSoftmaxBackward0", _log_softmax,
                   (lambda m, g, x, out, dim: g - m.exp(out) * m.sum(g, (dim,), True),),
                   (lambda m, t, x, out, dim: t - m.sum(m.exp(out) * t, (dim,), True),),
                   "log_softmax({0})", ("I - 1 sᵀ",), needs=((OUT,),),
                   samples=(Sample(((4,),), {"dim": 0}), Sample(((2, 3),), {"dim": 0})))

# --- shape and indexing (all linear: the jvp is the op itself applied to the tangent) -----------


def _back_to_shape(m, g, x, out, **params):
    return m.reshape(g, x.shape)


def _reshaping(name, grad_fn, expr, samples) -> Op:
    """Ops that only change the shape (to the ``shape`` parameter): the gradient is reshaped
    back."""
    return _row(name, grad_fn, lambda x, shape: np.reshape(x, shape), (_back_to_shape,), LINEAR,
                expr, ("1",), samples=samples, says=("{up} reshaped back to {in_shape}",))


VIEW = _reshaping("view", "ViewBackward0", "{0} as {shape}",
                  (Sample(((2, 3),), call=lambda x: x.view(3, 2)),
                   Sample(((2, 3),), {"shape": (6,)}, _public("reshape")),
                   Sample(((4,),), call=lambda x: x.reshape(2, -1))))
RESHAPE_ALIAS = _reshaping("reshape_alias", "ReshapeAliasBackward0", "{0} as {shape}",
                           (Sample(((2, 3),), call=lambda x: x.t().reshape(3, 2, 1)),))
UNSAFE_VIEW = _reshaping("unsafe_view", "UnsafeViewBackward0", "{0} as {shape}",
                         (Sample(((2, 3),), call=lambda x: x.t().reshape(-1)),
                          Sample(((2, 3),), call=lambda x: x.t().flatten())))
SQUEEZE = _reshaping("squeeze", "SqueezeBackward0", "squeeze {0}", (Sample(((1, 3, 1),)),))
SQUEEZE_DIM = _reshaping("squeeze_dim", "SqueezeBackward1", "squeeze {0} to {shape}",
                         (Sample(((1, 3),), call=lambda x: x.squeeze(0)),))
SQUEEZE_MATMUL = _reshaping("squeeze_matmul", "SqueezeBackward4", "squeeze {0} to {shape}",
                            (Sample(((3,), (3, 2)), call=lambda a, b: a @ b),))
UNSQUEEZE = _reshaping("unsqueeze", "UnsqueezeBackward0", "unsqueeze {0} to {shape}",
                       (Sample(((3,),), {"dim": 0}), Sample(((2, 3),), {"dim": -1}),
                        Sample(((2,),), call=lambda x: x[None])))
EXPAND = _row("expand", "ExpandBackward0", lambda x, size: np.broadcast_to(x, size),
              (lambda m, g, x, out, size: m.sum_to(g, x.shape),), LINEAR,
              "{0} expanded to {size}", ("1",), says=("{up} summed back to {in_shape}",),
              samples=(Sample(((3,),), call=lambda x: x.expand(2, 3)),
                       Sample(((2, 1),), call=lambda x: x.expand(2, 4))))
TRANSPOSE = _row("transpose", "TransposeBackward0",
                 lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
                 (lambda m, g, x, out, dim0, dim1: m.transpose(g, dim0, dim1),), LINEAR,
                 "{0} with dims {dim0},{dim1} swapped", ("1",), says=("{up} transposed back",),
                 samples=(Sample(((2, 3),), {"dim0": 0, "dim1": 1}),
                          Sample(((2, 3, 4),), {"dim0": 0, "dim1": 2})))
T = _row("t", "TBackward0", lambda x: x.T, (lambda m, g, x, out: m.t(g),), LINEAR,
         "{0}ᵀ", ("1",), samples=(Sample(((2, 3),), call=lambda x: x.t()),),
         says=("{up} transposed back",))
PERMUTE = _row("permute", "PermuteBackward0", lambda x, dims: np.transpose(x, dims),
               (lambda m, g, x, out, dims: m.permute(g, tuple(np.argsort(dims))),), LINEAR,
               "{0} permuted {dims}", ("1",), says=("{up} transposed back",),
               samples=(Sample(((2, 3, 4),), call=lambda x: x.permute(2, 0, 1)),
                        Sample(((2, 3),), call=lambda x: x.T)))

FLIP = _row("flip", "FlipBackward0", lambda x, dims: np.flip(x, dims).copy(),
            (lambda m, g, x, out, dims: m.flip(g, dims),), LINEAR,
            "{0} flipped along {dims}", ("1",), says=("{up} flipped back",),
            samples=(Sample(((4,),), {"dims": (0,)}), Sample(((2, 3),), {"dims": (0, 1)})))
ROLL = _row("roll", "RollBackward0", lambda x, shifts, dims: np.roll(x, shifts, dims),
            (lambda m, g, x, out, shifts, dims: m.roll(g, _negated(shifts), dims),), LINEAR,
            "{0} rolled by {shifts}", ("1",), says=("{up} rolled back",),
            samples=(Sample(((4,),), {"shifts": 1}), Sample(((2, 3),), {"shifts": -2}),
                     Sample(((2, 3),), {"shifts": (1, 2), "dims": (0, 1)})))


def _negated(shifts):
    return -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)


TRIL = _row("tril", "TrilBackward0", lambda x, diagonal: np.tril(x, diagonal),
            (lambda m, g, x, out, diagonal: m.tril(g, diagonal),), LINEAR,
            "lower triangle of {0}", ("1 on and below diagonal {diagonal}, else 0",),
            says=("{up} with its upper triangle zeroed",),
            samples=(Sample(((3, 3),), {"diagonal": 0}), Sample(((2, 3, 4),), {"diagonal": -1})))
TRIU = _row("triu", "TriuBackward0", lambda x, diagonal: np.triu(x, diagonal),
            (lambda m, g, x, out, diagonal: m.triu(g, diagonal),), LINEAR,
            "upper triangle of {0}", ("1 on and above diagonal {diagonal}, else 0",),
            says=("{up} with its lower triangle zeroed",),
            samples=(Sample(((3, 3),), {"diagonal": 0}), Sample(((2, 4),), {"diagonal": 1})))
TRACE = _row("trace", "TraceBackward0", lambda x: np.trace(x),
             (lambda m, g, x, out: m.where(np.eye(*x.shape, dtype=bool), g, 0.0),), LINEAR,
             "tr {0}", ("1 on the diagonal, else 0",),
             says=("{up} on the diagonal, zeros elsewhere",),
             samples=(Sample(((3, 3),)), Sample(((2, 3),))))
def _diagonal(x, offset, dim1, dim2):
    """Diagonal ``offset`` of the (``dim1``, ``dim2``) planes of ``x``, as the last dim: a view
    that writes through to ``x``, as PyTorch's (NumPy's own is read-only)."""
    d = np.diagonal(x, offset, dim1, dim2)
    if x.flags.writeable:
        d.flags.writeable = True
    return d


def diagonal_index(shape, offset, dim1, dim2) -> tuple:
    """Where the elements of ``x.diagonal(offset, dim1, dim2)`` are in ``x`` (of ``shape``): an
    index of ``x``, one array per dim, shaped like the diagonal."""
    positions = np.diagonal(np.arange(math.prod(shape)).reshape(shape), offset, dim1, dim2)
    return np.unravel_index(positions, shape)


DIAGONAL = _row("diagonal", "DiagonalBackward0", _diagonal,
                (lambda m, g, x, out, offset, dim1, dim2: m.index_backward(
                    g, diagonal_index(tuple(x.shape), offset, dim1, dim2), tuple(x.shape)),),
                LINEAR, "diagonal {offset} of {0}", ("1 on the diagonal, else 0",),
                says=("{up} put on diagonal {offset}, zeros elsewhere",),
                samples=(Sample(((3, 3),), call=lambda x: x.diagonal()),
                         Sample(((2, 3),), call=lambda x: x.diagonal(1)),
                         Sample(((2, 3, 4),), call=lambda x: _engine().diagonal(x, -1, 2, 0))))
DIAG_EMBED = _row("diag_embed", "DiagEmbedBackward0",
                  lambda x, diagonal, index: np.diag(x, diagonal),
                  (lambda m, g, x, out, diagonal, index: m.getitem(g, index),), LINEAR,
                  "diag({0}, {diagonal})", ("1 at its place on the diagonal",),
                  says=("diagonal {diagonal} of {up}",),
                  samples=(Sample(((3,),), call=lambda x: _engine().diag(x)),
                           Sample(((2,),), call=lambda x: x.diag(-1))))


def _scatter(g, index, shape):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeats add up)."""
    z = np.zeros(shape, dtype=g.dtype)
    np.add.at(z, index, g)
    return z


INDEX_BACKWARD = _row("index_backward", "IndexPutBackward0",
                      lambda g, index, shape: _scatter(g, index, shape),
                      (lambda m, g, x, out, index, shape: m.getitem(g, index),), LINEAR,
                      "{0} scattered into zeros{shape}", ("1",),
                      samples=(Sample(((2,),), call=lambda g: _index_backward_sample(g)),))


def _index_backward_sample(g):
    from autodiff_repl.engine import backends
    return backends.GRAPH.index_backward(g, (np.array([0, 2]),), (4,))


def row_major(a: np.ndarray) -> np.ndarray:
    """``a`` in row-major memory (copied only if it isn't): what PyTorch's copying ops return."""
    return a if a.flags.c_contiguous else a.copy(order="C")


def _indexing(name, grad_fn, samples, forward=lambda x, index: x[index]) -> Op:
    """Indexing; ``forward`` copies for advanced (list) indexing, else returns a view."""
    return _row(name, grad_fn, forward,
                (lambda m, g, x, out, index: m.index_backward(g, index, x.shape),), LINEAR,
                "{0}[{index}]", ("1 at the picked elements, else 0",), samples=samples,
                says=("{up} put back at [{index}], zeros elsewhere",))


def view_of(x, index):
    """``x[index]`` for integers and slices, a view even of a single element (where NumPy gives a
    copy, ``...`` gives a view): an in-place update of either shows in the other."""
    picked = x[index]
    return picked if type(picked) is np.ndarray else x[(*index, ...)]


SELECT = _indexing("select", "SelectBackward0",
                   (Sample(((4,),), call=lambda x: x[1]),
                    Sample(((2, 3),), call=lambda x: x[:, 1])))
SLICE = _indexing("slice", "SliceBackward0",
                  (Sample(((4,),), call=lambda x: x[1:3]), Sample(((4,),), call=lambda x: x[::2])))
INDEX = _indexing("index", "IndexBackward0",
                  (Sample(((4,),), call=lambda x: x[[0, 2, 2]]),
                   Sample(((2, 3),), call=lambda x: x[[1, 0]])),
                  lambda x, index: row_major(x[index]))
ALIAS = _indexing("alias", "AliasBackward0", (Sample(((4,),), call=lambda x: x[...]),))
UNBIND = _indexing("unbind", "UnbindBackward0",
                   (Sample(((3,),), call=lambda x: list(x)[1]),
                    Sample(((2, 3),), call=lambda x: x.unbind(1)[2])), view_of)


def _pick(m, g, x, out, index, **_):
    """The gradient of picking ``x[index]``: ``g`` put back at ``index``, zeros elsewhere."""
    return m.index_backward(g, index, x.shape)


def _picking(name, grad_fn, expr, says, samples, forward=lambda x, index, **_: x[index]) -> Op:
    """Ops that pick elements of ``x`` at an ``index`` computed first (a tuple of index arrays
    for ``x[index]``): sorting, gathering, cutting into pieces. The pieces of ``split`` are views,
    as in PyTorch (the default ``forward``); the others copy (``_copied``)."""
    return _row(name, grad_fn, forward, (_pick,), LINEAR, expr,
                ("1 at the picked elements, else 0",), says=(says,), samples=samples)


def _index(values):
    """An index tensor for a sample (int64, as PyTorch's indices are)."""
    return _engine().tensor(values)


def _copied(x, index, **_):
    return row_major(np.asarray(x[index]))


SORT = _picking("sort", "SortBackward0", "sort_{dim} {0}", "{up} put back where each value was",
                (Sample(((4,),), call=lambda x: x.sort().values),
                 Sample(((2, 3),), call=lambda x: x.sort(0, descending=True)[0])), _copied)
TOPK = _picking("topk", "TopkBackward0", "top {k} of {0} along {dim}",
                "{up} put back where each value was, zeros elsewhere",
                (Sample(((4,),), call=lambda x: x.topk(2).values),
                 Sample(((2, 3),), call=lambda x: x.topk(2, dim=0, largest=False)[0])), _copied)
GATHER = _picking("gather", "GatherBackward0", "{0} gathered along {dim}",
                  "{up} added back where each element was gathered from",
                  (Sample(((2, 3),), call=lambda x: x.gather(1, _index([[2, 0], [1, 1]]))),
                   Sample(((3,),), call=lambda x: _engine().gather(x, 0, _index([0, 0])))),
                  _copied)
INDEX_SELECT = _picking("index_select", "IndexSelectBackward0", "{0} indexed along {dim}",
                        "{up} added back at the selected indices along dim {dim}",
                        (Sample(((2, 3),), call=lambda x: x.index_select(1, _index([2, 0, 2]))),
                         Sample(((3,),), call=lambda x: _engine().index_select(x, 0, _index([1])))),
                        _copied)
DIAG = _picking("diag", "DiagonalBackward0_copy", "diag({0}, {diagonal})",
                "{up} put on diagonal {diagonal}, zeros elsewhere",
                (Sample(((3, 3),), call=lambda x: x.diag()),
                 Sample(((2, 3),), call=lambda x: _engine().diag(x, 1))), _copied)
SPLIT = _picking("split", "SplitBackward0", "piece {i} of {0}",
                 "{up} put back at its piece of {0}",
                 (Sample(((4,),), call=lambda x: x.split(3)[1]),
                  Sample(((2, 3),), call=lambda x: x.chunk(2, dim=1)[0])))
SPLIT_WITH_SIZES = _picking("split_with_sizes", "SplitWithSizesBackward0", "piece {i} of {0}",
                            "{up} put back at its piece of {0}",
                            (Sample(((5,),), call=lambda x: x.split([2, 3])[1]),
                             Sample(((2, 3),), call=lambda x: _engine().split(x, [1, 2], 1)[0])))


def replay(x, steps):
    """``x`` through the view ops ``steps`` (``(op, params)`` pairs): a view of ``x``."""
    for op, params in steps:
        x = op.forward(x, **params)
    return x


def _view_update_sample(x):
    y = x * 1
    v = y.view(2, 2)[:, 1]
    v.mul_(3)  # v becomes a view of the updated y
    return v


AS_STRIDED = _row("as_strided", "AsStridedBackward0", lambda x, index, steps: replay(x, steps),
                  (lambda m, g, x, out, index, steps: m.index_backward(g, index, x.shape),),
                  LINEAR, "{0}[{index}] (a view, after an in-place update)",
                  ("1 at the view's elements, else 0",),
                  says=("{up} put back at the view's elements of {0}, zeros elsewhere",),
                  samples=(Sample(((4,),), call=_view_update_sample),))


def _put(x, v, index, keep):
    out = x.copy()
    out[index] = v
    return out


def _put_value_jvp(m, t, x, v, out, index, keep):
    return _scatter(np.broadcast_to(t, x[index].shape), index, x.shape)


def _index_put(name, grad_fn, samples) -> Op:
    """``y[index] = v`` on a tensor in a graph: ``CopySlices`` for basic indexing (PyTorch writes
    into a view), ``IndexPutBackward0`` for lists and tensors of indices."""
    return _row(name, grad_fn, _put,
                (lambda m, g, x, v, out, index, keep: m.where(keep, g, 0.0),
                 lambda m, g, x, v, out, index, keep: m.getitem(g, index)),
                (lambda m, t, x, v, out, index, keep: m.where(keep, t, 0.0), _put_value_jvp),
                "{0} with [{index}] = {1}", ("1 outside [{index}], else 0", "1 at [{index}]"),
                samples=samples, says=("{up} with zeros at [{index}]", "{up}[{index}]"))


INDEX_PUT = _index_put("index_put", "torch::autograd::CopySlices",
                       (Sample(((4,), (2,)), call=lambda x, v: _setitem_sample(x, v)),
                        Sample(((2, 3), ()), call=lambda x, v: _setitem_sample(x, v))))
INDEX_PUT_ADVANCED = _index_put(
    "index_put_advanced", "IndexPutBackward0",
    (Sample(((4,), (2,)), call=lambda x, v: _setitem_sample(x, v, [3, 0])),
     Sample(((2, 3), (3,)), call=lambda x, v: _setitem_sample(x, v, [1]))))


def _filled(name, grad_fn, samples) -> Op:
    """In-place fills of a non-leaf (``zero_``, ``fill_``, ``y[:] = 5``): the result no longer
    depends on the old value, so its gradient is zero."""
    return _row(name, grad_fn, lambda x, value: np.full_like(x, value),
                (lambda m, g, x, out, value: m.where(True, 0.0, g),),
                (lambda m, t, x, out, value: m.where(True, 0.0, t),),
                "{value} everywhere", ("0",), samples=samples)


ZERO = _filled("zero", "ZeroBackward0", (Sample(((4,),), call=lambda x: (x * 1).zero_()),))
FILL = _filled("fill", "FillBackward2", (Sample(((4,),), call=lambda x: (x * 1).fill_(2.0)),))
FILL_WHOLE = _filled("fill_whole", "FillBackward3",
                     (Sample(((2, 3),), call=lambda x: _setitem_sample(x, 2.0, (slice(None),))),))
COPY = _row("copy", "torch::autograd::CopyBackwards",
            lambda x, src: np.array(np.broadcast_to(src, x.shape), dtype=x.dtype),
            (lambda m, g, x, src, out: m.where(True, 0.0, g), lambda m, g, x, src, out: g), LINEAR,
            "{1} copied into {0}", ("0", "1"),
            samples=(Sample(((4,), (4,)), call=lambda x, v: (x * 1).copy_(v)),
                     Sample(((2, 3), (3,)), call=lambda x, v: _setitem_sample(x, v, (Ellipsis,)))))


def _setitem_sample(x, v, index=slice(1, 3)):
    y = x * 1
    y[index] = v
    return y


def _cat_vjp(m, g, xs, out, dim):
    grads, start = [], 0
    for x in xs:
        n = x.shape[dim]
        index = (slice(None),) * (dim % g.ndim) + (slice(start, start + n),)
        grads.append(m.getitem(g, index))
        start += n
    return tuple(grads)


def _stack_vjp(m, g, xs, out, dim):
    lead = (slice(None),) * (dim % g.ndim)
    return tuple(m.getitem(g, (*lead, i)) for i in range(len(xs)))


CAT = _row("cat", "CatBackward0", lambda *xs, dim: np.concatenate(xs, axis=dim), _cat_vjp,
           LINEAR, "cat({0}, …)", ("1 on its own block",), variadic=True,
           says=("the block of {up} that came from this input",),
           samples=(Sample(((2,), (3,)), call=lambda a, b: _engine().cat([a, b])),
                    Sample(((2, 3), (2, 1)), call=lambda a, b: _engine().cat((a, b), dim=1))))
STACK = _row("stack", "StackBackward0", lambda *xs, dim: np.stack(xs, axis=dim), _stack_vjp,
             LINEAR, "stack({0}, …)", ("1 on its own slice",), variadic=True,
             says=("the block of {up} that came from this input",),
             samples=(Sample(((3,), (3,)), call=lambda a, b: _engine().stack([a, b])),
                      Sample(((2, 3), (2, 3)), call=lambda a, b: _engine().stack([a, b], 1))))


def _engine():
    from autodiff_repl import engine
    return engine


# --- copies -------------------------------------------------------------------------------------

TO = _row("to", "ToCopyBackward0", lambda x, dtype, src: x.astype(dtype.np),
          (lambda m, g, x, out, dtype, src: m.cast(g, src),), LINEAR,
          "{0} as {dtype}", ("1",), says=("{up} passed through",),
          # float64 -> float32: the tests loosen their tolerance for the float32 output
          samples=(Sample(((4,),), call=lambda x: x.float()),
                   Sample(((2, 3),), call=lambda x: x.to(_engine().float32))))
CLONE = _row("clone", "CloneBackward0", lambda x, order="K": x.copy(order=order),
             (lambda m, g, x, out, order="K": g,), LINEAR, "copy of {0}", ("1",),
             says=("{up} passed through",),
             samples=(Sample(((4,),), call=lambda x: x.clone()),
                      Sample(((2, 3),), call=lambda x: x.t().contiguous())))


def sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` over the axes broadcasting added or stretched, back to ``shape``."""
    lead = x.ndim - len(shape)
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and x.shape[i + lead] != 1)
    if not stretched:
        if not lead:
            return x
        if shape:  # only leading axes were added (a bias): the sum has the right shape already
            return np.add.reduce(x, axis=tuple(range(lead)), dtype=x.dtype)
    # np.add.reduce is np.sum without its Python wrapper
    x = np.add.reduce(x, axis=tuple(range(lead)) + stretched, keepdims=True, dtype=x.dtype)
    return x.reshape(shape)


# Ops that give several views of their input (unbind, split): PyTorch refuses in-place updates
# of those views in a graph.
MULTIPLE_VIEWS = frozenset((UNBIND, SPLIT, SPLIT_WITH_SIZES))
# Ops whose result PyTorch makes a view of the input (in-place updates write through to it).
VIEWS = frozenset((VIEW, RESHAPE_ALIAS, SQUEEZE, SQUEEZE_DIM, UNSQUEEZE, EXPAND, TRANSPOSE, T,
                   PERMUTE, SELECT, SLICE, ALIAS, DIAGONAL))

TABLE: tuple[Op, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Op))
BY_NAME: dict[str, Op] = {op.name: op for op in TABLE}
