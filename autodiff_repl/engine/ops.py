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
- ``needs``: for each input, what its vjp formula reads (input indices; ``OUT`` for the output).
  A node keeps only what the inputs that require grad need -- ``x * c`` with a constant ``c`` keeps
  ``c``, not ``x`` -- and releases it after a backward without ``retain_graph``;
- ``samples`` and ``domain``: the shapes and input range the generated gradient tests use.

Ops with a variable number of inputs (``cat``, ``stack``) give ``vjp`` as one function returning a
tuple. Non-differentiable ops (comparisons, ``argmax``) are plain functions in ``functions``.
"""

from __future__ import annotations

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
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[d] for d in dims], dtype=np.int64))


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
REDUCE_DIM = (Sample(((2, 3),), {"dim": 0}), Sample(((2, 3),), {"dim": 1, "keepdim": True}),
              Sample(((2, 3, 2),), {"dim": (0, 2)}), Sample(((4,),), {"dim": -1}))


def _row(name, grad_fn, forward, vjp, jvp, expr, formula, **kw) -> Op:
    return Op(name, grad_fn, forward, vjp, jvp, expr, formula, **kw)


# --- arithmetic ---------------------------------------------------------------------------------

ADD = _row("add", "AddBackward0", np.add,
           (lambda m, g, a, b, out: g, lambda m, g, a, b, out: g), ELEMENTWISE,
           "{0} + {1}", ("1", "1"), samples=BINARY)
SUB = _row("sub", "SubBackward0", np.subtract,
           (lambda m, g, a, b, out: g, lambda m, g, a, b, out: -g), ELEMENTWISE,
           "{0} - {1}", ("1", "-1"), samples=BINARY)
RSUB = _row("rsub", "RsubBackward1", lambda a, b: np.subtract(b, a),
            (lambda m, g, a, b, out: -g, lambda m, g, a, b, out: g), ELEMENTWISE,
            "{1} - {0}", ("-1", "1"),
            samples=(Sample(((4,), ()), call=lambda a, b: b.item() - a),))
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
    if exponent == 0:
        return g * 0
    return g * exponent * x ** (exponent - 1)


POW = _row("pow", "PowBackward0", lambda x, exponent: np.power(x, exponent),
           (_pow_vjp,), ELEMENTWISE, "{0}^{exponent}", ("{exponent}·{0}^({exponent}-1)",),
           needs=((0,),), domain=(0.5, 2.0),
           samples=(Sample(((4,),), {"exponent": 2}), Sample(((2, 3),), {"exponent": 3}),
                    Sample(((),), {"exponent": -1.5}), Sample(((4,),), {"exponent": 0.5})))
POW_TENSOR = _row("pow_tensor", "PowBackward1", np.power,
                  (lambda m, g, a, b, out: g * b * a ** (b - 1),
                   lambda m, g, a, b, out: g * out * m.log(a)),
                  ELEMENTWISE, "{0}^{1}", ("{1}·{0}^({1}-1)", "{0}^{1}·log {0}"),
                  needs=((0, 1), (OUT, 0)), domain=(0.5, 2.0),
                  samples=(Sample(((4,), (4,)), call=lambda a, b: a ** b),
                           Sample(((2, 3), (3,)), call=lambda a, b: a ** b)))
RPOW = _row("rpow", "PowBackward2", lambda x, base: np.power(base, x),
            (lambda m, g, x, out, base: g * out * float(np.log(base)),), ELEMENTWISE,
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
            (lambda m, g, x, out: g * (out > 0),), ELEMENTWISE,
            "relu({0})", ("1 if {0} > 0 else 0",), needs=((OUT,),), samples=UNARY,
            away_from=(0.0,))
SQRT = _row("sqrt", "SqrtBackward0", np.sqrt, (lambda m, g, x, out: g / (2 * out),),
            ELEMENTWISE, "√{0}", ("1/(2√{0})",), needs=((OUT,),), samples=UNARY,
            domain=(0.5, 3.0))
ABS = _row("abs", "AbsBackward0", np.abs, (lambda m, g, x, out: g * m.sign(x),), ELEMENTWISE,
           "|{0}|", ("sign({0})",), needs=((0,),), samples=UNARY, away_from=(0.0,))
SIGN = _row("sign", "SignBackward0", np.sign, (lambda m, g, x, out: g * 0,), ELEMENTWISE,
            "sign({0})", ("0",), samples=UNARY, away_from=(0.0,))


def _clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's keyword names
    return np.clip(x, min, max).astype(x.dtype, copy=False)


def _clamp_vjp(m, g, x, out, min=None, max=None):  # noqa: A002
    inside = (x >= (-np.inf if min is None else min)) * (x <= (np.inf if max is None else max))
    return g * inside


CLAMP = _row("clamp", "ClampBackward1", _clamp, (_clamp_vjp,), ELEMENTWISE,
             "clamp({0}, {min}, {max})", ("1 if {min} ≤ {0} ≤ {max} else 0",), needs=((0,),),
             away_from=(-0.5, 0.5),
             samples=(Sample(((4,),), {"min": -0.5, "max": 0.5}),
                      Sample(((2, 3),), {"min": -0.5})))


def _max_part(m, g, a, b, out):
    return m.where(a > b, g, m.where(a == b, g / 2, g * 0))


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
             (None, lambda m, g, c, a, b, out: m.where(c, g, g * 0),
              lambda m, g, c, a, b, out: m.where(c, g * 0, g)), ELEMENTWISE,
             "{1} if {0} else {2}", ("", "1 if {0} else 0", "0 if {0} else 1"), needs=((), (0,), (0,)),
             samples=(Sample(((4,), (4,)), call=lambda a, b: _where_sample(a, b)),))


def _where_sample(a, b):
    from autodiff_repl import engine
    return engine.where(a > b, a, b * 2)


# --- linear algebra -----------------------------------------------------------------------------

DOT = _row("dot", "DotBackward0", np.dot,
           (lambda m, g, a, b, out: g * b, lambda m, g, a, b, out: g * a),
           (lambda m, t, a, b, out: m.dot(t, b), lambda m, t, a, b, out: m.dot(a, t)),
           "{0} · {1}", ("{1}", "{0}"), needs=((1,), (0,)), samples=(Sample(((4,), (4,))),))
MV = _row("mv", "MvBackward0", np.matmul,
          (lambda m, g, a, v, out: m.outer(g, v), lambda m, g, a, v, out: m.mv(m.t(a), g)),
          (lambda m, t, a, v, out: m.mv(t, v), lambda m, t, a, v, out: m.mv(a, t)),
          "{0} {1}", ("{1}ᵀ", "{0}ᵀ"), needs=((1,), (0,)), samples=(Sample(((2, 3), (3,))),))
MM = _row("mm", "MmBackward0", np.matmul,
          (lambda m, g, a, b, out: m.mm(g, m.t(b)), lambda m, g, a, b, out: m.mm(m.t(a), g)),
          (lambda m, t, a, b, out: m.mm(t, b), lambda m, t, a, b, out: m.mm(a, t)),
          "{0} {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)), samples=(Sample(((2, 3), (3, 4))),))
MATMUL = _row("matmul", "UnsafeViewBackward0", np.matmul,
              (lambda m, g, a, b, out: m.matmul(g, m.mT(b)),
               lambda m, g, a, b, out: m.matmul(m.mT(a), g)),
              (lambda m, t, a, b, out: m.matmul(t, b), lambda m, t, a, b, out: m.matmul(a, t)),
              "{0} @ {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)),
              samples=(Sample(((2, 2, 3), (3, 4))), Sample(((2, 2, 3), (2, 3, 4)))))
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
           "Σ {0}", ("1",), samples=REDUCE)
SUM_DIM = _row("sum_dim", "SumBackward1",
               lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
               (lambda m, g, x, out, dim, keepdim: _spread(m, g, x, dim, keepdim),), LINEAR,
               "Σ_{dim} {0}", ("1",), samples=REDUCE_DIM)
MEAN = _row("mean", "MeanBackward0", lambda x: np.mean(x, dtype=x.dtype),
            (lambda m, g, x, out: m.expand(g / reduced_size(x.shape, None), x.shape),), LINEAR,
            "mean {0}", ("1/n",), samples=REDUCE)
MEAN_DIM = _row("mean_dim", "MeanBackward1",
                lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
                (lambda m, g, x, out, dim, keepdim:
                 _spread(m, g / reduced_size(x.shape, dim), x, dim, keepdim),), LINEAR,
                "mean_{dim} {0}", ("1/n",), samples=REDUCE_DIM)
SUM_TO = _row("sum_to_size", "SumBackward1", lambda x, size: sum_to(x, size),
              (lambda m, g, x, out, size: m.expand(g, x.shape),), LINEAR,
              "Σ {0} to {size}", ("1",),
              samples=(Sample(((2, 3),), {"size": (1, 3)}), Sample(((2, 3),), {"size": (3,)})))


def _prod_vjp(m, g, x, out, dim=None, keepdim=False):
    return _spread(m, g, x, dim, keepdim) * _spread(m, out, x, dim, keepdim) / x


PROD = _row("prod", "ProdBackward0", lambda x: np.prod(x, dtype=x.dtype),
            (_prod_vjp,), (lambda m, t, x, out: m.sum(t * out / x, None, False),),
            "∏ {0}", ("∏/{0}",), needs=((0, OUT),), samples=REDUCE,
            domain=(0.5, 1.5))
PROD_DIM = _row("prod_dim", "ProdBackward1",
                lambda x, dim, keepdim: np.prod(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
                (_prod_vjp,),
                (lambda m, t, x, out, dim, keepdim: m.sum(t * _spread(m, out, x, dim, keepdim) / x,
                                                          dim, keepdim),),
                "∏_{dim} {0}", ("∏/{0}",), needs=((0, OUT),), domain=(0.5, 1.5),
                samples=(Sample(((2, 3),), {"dim": 1}),
                         Sample(((2, 3),), {"dim": 0, "keepdim": True})))


def _extreme_vjp(m, g, x, out):
    """Full max/min: the gradient is shared evenly among the elements equal to the result."""
    hit = x == out
    return g * hit / hit.sum()


MAX = _row("max", "MaxBackward1", np.max, (_extreme_vjp,),
           (lambda m, t, x, out: m.sum(t * (x == out), None, False) / (x == out).sum(),),
           "max {0}", ("1 at the max, else 0",), needs=((0, OUT),), samples=REDUCE)
MIN = _row("min", "MinBackward1", np.min, (_extreme_vjp,),
           (lambda m, t, x, out: m.sum(t * (x == out), None, False) / (x == out).sum(),),
           "min {0}", ("1 at the min, else 0",), needs=((0, OUT),), samples=REDUCE)


def _select_forward(x, dim, keepdim, onehot, largest):
    values = np.max(x, axis=dim, keepdims=keepdim) if largest else np.min(
        x, axis=dim, keepdims=keepdim)
    return values


def _select_vjp(m, g, x, out, dim, keepdim, onehot, largest):
    if not keepdim:
        g = m.unsqueeze(g, dim)
    return g * onehot


def _select_jvp(m, t, x, out, dim, keepdim, onehot, largest):
    return m.sum(t * onehot, (dim,), keepdim)


MAX_DIM = _row("max_dim", "MaxBackward0", _select_forward, (_select_vjp,), (_select_jvp,),
               "max_{dim} {0}", ("1 at each max, else 0",),
               samples=(Sample(((2, 3),), call=lambda x: x.max(dim=1).values),
                        Sample(((2, 3),), call=lambda x: x.max(0, keepdim=True)[0])))
MIN_DIM = _row("min_dim", "MinBackward0", _select_forward, (_select_vjp,), (_select_jvp,),
               "min_{dim} {0}", ("1 at each min, else 0",),
               samples=(Sample(((2, 3),), call=lambda x: x.min(dim=1).values),))


def _norm_forward(x, p, dim, keepdim):
    a = np.abs(x)
    if p == 2:
        r = np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
    elif p == 1:
        r = np.sum(a, axis=dim, keepdims=keepdim)
    else:
        r = np.sum(a ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
    return np.asarray(r, dtype=x.dtype)


def _norm_vjp(m, g, x, out, p, dim, keepdim):
    g, out = _spread(m, g, x, dim, keepdim), _spread(m, out, x, dim, keepdim)
    if p == 2:
        return g * x / out
    if p == 1:
        return g * m.sign(x)
    return g * x * m.abs(x) ** (p - 2) / out ** (p - 1)


NORM = _row("norm", "LinalgVectorNormBackward0", _norm_forward, (_norm_vjp,),
            (lambda m, t, x, out, p, dim, keepdim: m.sum(_norm_vjp(m, t, x, out, p, dim, True),
                                                         dim, keepdim),),
            "‖{0}‖_{p}", ("{0}/‖{0}‖",), needs=((0, OUT),), away_from=(0.0,),
            samples=(Sample(((4,),)), Sample(((2, 3),), {"dim": 1}),
                     Sample(((2, 3),), {"p": 1}), Sample(((4,),), {"p": 3})))


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
    """Ops that only change the shape (to the ``shape`` parameter): the gradient is reshaped back."""
    return _row(name, grad_fn, lambda x, shape: np.reshape(x, shape), (_back_to_shape,), LINEAR,
                expr, ("1",), samples=samples)


VIEW = _reshaping("view", "ViewBackward0", "{0} as {shape}", (Sample(((2, 3),), {"shape": (3, 2)}),
                                     Sample(((2, 3),), {"shape": (6,)}),
                                     Sample(((4,),), call=lambda x: x.reshape(2, -1))))
SQUEEZE = _reshaping("squeeze", "SqueezeBackward0", "squeeze {0}", (Sample(((1, 3, 1),)),))
SQUEEZE_DIM = _reshaping("squeeze_dim", "SqueezeBackward1", "squeeze {0} to {shape}",
                         (Sample(((1, 3),), call=lambda x: x.squeeze(0)),))
SQUEEZE_MATMUL = _reshaping("squeeze_matmul", "SqueezeBackward4", "squeeze {0} to {shape}",
                            (Sample(((3,), (3, 2)), call=lambda a, b: a @ b),))
UNSQUEEZE = _reshaping("unsqueeze", "UnsqueezeBackward0", "unsqueeze {0} to {shape}", (Sample(((3,),), {"dim": 0}),
                                               Sample(((2, 3),), {"dim": -1})))
EXPAND = _row("expand", "ExpandBackward0", lambda x, size: np.broadcast_to(x, size),
              (lambda m, g, x, out, size: m.sum_to(g, x.shape),), LINEAR,
              "{0} expanded to {size}", ("1",),
              samples=(Sample(((3,),), call=lambda x: x.expand(2, 3)),
                       Sample(((2, 1),), call=lambda x: x.expand(2, 4))))
TRANSPOSE = _row("transpose", "TransposeBackward0",
                 lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
                 (lambda m, g, x, out, dim0, dim1: m.transpose(g, dim0, dim1),), LINEAR,
                 "{0} with dims {dim0},{dim1} swapped", ("1",),
                 samples=(Sample(((2, 3),), {"dim0": 0, "dim1": 1}),
                          Sample(((2, 3, 4),), {"dim0": 0, "dim1": 2})))
T = _row("t", "TBackward0", lambda x: x.T, (lambda m, g, x, out: m.t(g),), LINEAR,
         "{0}ᵀ", ("1",), samples=(Sample(((2, 3),), call=lambda x: x.t()),))
PERMUTE = _row("permute", "PermuteBackward0", lambda x, dims: np.transpose(x, dims),
               (lambda m, g, x, out, dims: m.permute(g, tuple(np.argsort(dims))),), LINEAR,
               "{0} permuted {dims}", ("1",),
               samples=(Sample(((2, 3, 4),), call=lambda x: x.permute(2, 0, 1)),
                        Sample(((2, 3),), call=lambda x: x.T)))


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


def _indexing(name, grad_fn, samples) -> Op:
    return _row(name, grad_fn, lambda x, index: x[index],
                (lambda m, g, x, out, index: m.index_backward(g, index, x.shape),), LINEAR,
                "{0}[{index}]", ("1 at the picked elements, else 0",), samples=samples)


SELECT = _indexing("select", "SelectBackward0",
                   (Sample(((4,),), call=lambda x: x[1]), Sample(((2, 3),), call=lambda x: x[:, 1])))
SLICE = _indexing("slice", "SliceBackward0",
                  (Sample(((4,),), call=lambda x: x[1:3]), Sample(((4,),), call=lambda x: x[::2])))
INDEX = _indexing("index", "IndexBackward0",
                  (Sample(((4,),), call=lambda x: x[[0, 2, 2]]),
                   Sample(((2, 3),), call=lambda x: x[[1, 0]])))
ALIAS = _indexing("alias", "AliasBackward0", (Sample(((4,),), call=lambda x: x[...]),))



def _put(x, v, index, keep):
    out = x.copy()
    out[index] = v
    return out


def _put_value_jvp(m, t, x, v, out, index, keep):
    return _scatter(np.broadcast_to(t, x[index].shape), index, x.shape)


INDEX_PUT = _row("index_put", "CopySlices", _put,
                 (lambda m, g, x, v, out, index, keep: g * keep,
                  lambda m, g, x, v, out, index, keep: m.getitem(g, index)),
                 (lambda m, t, x, v, out, index, keep: t * keep, _put_value_jvp),
                 "{0} with [{index}] = {1}", ("1 outside [{index}], else 0", "1 at [{index}]"),
                 samples=(Sample(((4,), (2,)), call=lambda x, v: _setitem_sample(x, v)),
                          Sample(((2, 3), ()), call=lambda x, v: _setitem_sample(x, v))))


def _setitem_sample(x, v):
    y = x * 1
    y[1:3] = v
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
           samples=(Sample(((2,), (3,)), call=lambda a, b: _engine().cat([a, b])),
                    Sample(((2, 3), (2, 1)), call=lambda a, b: _engine().cat((a, b), dim=1))))
STACK = _row("stack", "StackBackward0", lambda *xs, dim: np.stack(xs, axis=dim), _stack_vjp,
             LINEAR, "stack({0}, …)", ("1 on its own slice",), variadic=True,
             samples=(Sample(((3,), (3,)), call=lambda a, b: _engine().stack([a, b])),
                      Sample(((2, 3), (2, 3)), call=lambda a, b: _engine().stack([a, b], 1))))


def _engine():
    from autodiff_repl import engine
    return engine


# --- copies -------------------------------------------------------------------------------------

TO = _row("to", "ToCopyBackward0", lambda x, dtype, src: x.astype(dtype.np),
          (lambda m, g, x, out, dtype, src: m.cast(g, src),), LINEAR,
          "{0} as {dtype}", ("1",), samples=(Sample(((4,),), call=lambda x: x.float().double()),))
CLONE = _row("clone", "CloneBackward0", lambda x: x.copy(), (lambda m, g, x, out: g,), LINEAR,
             "copy of {0}", ("1",), samples=(Sample(((4,),), call=lambda x: x.clone()),))


def sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` over the axes broadcasting added or stretched, back to ``shape``."""
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and x.shape[i + lead] != 1)
    if axes:
        x = np.sum(x, axis=axes, keepdims=True, dtype=x.dtype)
    return x.reshape(shape) if lead or x.shape != tuple(shape) else x


TABLE: tuple[Op, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Op))
BY_NAME: dict[str, Op] = {op.name: op for op in TABLE}
