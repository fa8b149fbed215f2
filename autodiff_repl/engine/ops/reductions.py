"""Rows of the op table: reductions (``sum``, ``mean``, ``prod``, ``max``, ``norm``, ``var`` ...),
scans (``cumsum``, ``cumprod``), ``repeat`` and ``softmax``."""

from __future__ import annotations

import math

import numpy as np

from autodiff_repl.engine.ops.elementwise import via_graph
from autodiff_repl.engine.ops.row import (
    LINEAR,
    OUT,
    REDUCE,
    Sample,
    _engine,
    _public,
    _reduce_dim,
    _row,
    _spread,
    reduced_size,
)

SUM = _row("sum", "SumBackward0", lambda x: np.sum(x, dtype=x.dtype),
           (lambda m, g, x, out: m.expand(g, x.shape),), LINEAR,
           "Σ {0}", ("1",), samples=REDUCE, says=("{up} copied to every element of {0}",))
SUM_DIM = _row("sum_dim", "SumBackward1",
               lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
               (lambda m, g, x, out, dim, keepdim: _spread(m, g, x, dim, keepdim),), LINEAR,
               "Σ_{dim} {0}", ("1",), samples=_reduce_dim("sum"),
               says=("{up} copied along dim {dim}",))
def _mean(x):
    """``np.mean(x, dtype=x.dtype)`` without its Python-level overhead: the same sum, divided in
    double precision and rounded to the dtype, as NumPy does (a Python float divides the same way,
    and ~10x faster than NumPy's scalar arithmetic)."""
    dtype = x.dtype
    total = np.add.reduce(x, axis=None, dtype=dtype)
    n = x.size
    if n and dtype.kind == "f" and dtype.itemsize <= 8:
        return np.asarray(float(total) / n, dtype)
    return np.asarray(dtype.type(total / np.intp(n)))


def _mean_vjp(m, g, x, out, dim=None, keepdim=False):
    """g/n copied to every element it averaged. PyTorch copies g, then divides each copy
    (``DivBackward1``); on arrays, dividing g first gives the same numbers with less work."""
    n = reduced_size(x.shape, dim)
    if type(g) is np.ndarray:
        return m.expand(g / n, x.shape) if dim is None else _spread(m, g / n, x, dim, keepdim)
    return m.div_scalar(_spread(m, g, x, dim, keepdim), n)


MEAN = _row("mean", "MeanBackward0", _mean, (_mean_vjp,), LINEAR,
            "mean {0}", ("1/n",), samples=REDUCE,
            says=("1/n · {up} copied to every element of {0}",))
MEAN_DIM = _row("mean_dim", "MeanBackward1",
                lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim, dtype=x.dtype),
                (_mean_vjp,), LINEAR,
                "mean_{dim} {0}", ("1/n",), samples=_reduce_dim("mean"),
                says=("1/n · {up} copied along dim {dim}",))


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
        return m.sgn(x)
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
               (lambda m, g, x, out, dim: m.softmax_backward_data(g, out, dim),),
               (lambda m, t, x, out, dim: out * (t - m.sum(t * out, (dim,), True)),),
               "softmax({0})", ("diag(s) - s sᵀ",), needs=((OUT,),),
               samples=(Sample(((4,),), {"dim": 0}), Sample(((2, 3),), {"dim": 1})))
LOG_SOFTMAX = _row("log_softmax", "LogSoftmaxBackward0", _log_softmax,
                   (lambda m, g, x, out, dim: m.log_softmax_backward_data(g, out, dim),),
                   (lambda m, t, x, out, dim: t - m.sum(m.exp(out) * t, (dim,), True),),
                   "log_softmax({0})", ("I - 1 sᵀ",), needs=((OUT,),),
                   samples=(Sample(((4,),), {"dim": 0}), Sample(((2, 3),), {"dim": 0})))


# The gradients of softmax and log_softmax as PyTorch computes them: one kernel each
# (``_softmax_backward_data(g, y, dim)``, y the op's output), so a recorded gradient is one node
# (``SoftmaxBackwardDataBackward0``) whose inputs are the upstream gradient g and the output y --
# and these rows' formulas differentiate it again (``softmax_double_backward`` for y).

def _softmax_backward_data(g, y, dim):
    return y * (g - np.sum(g * y, axis=dim, keepdims=True))


def _log_softmax_backward_data(g, y, dim):
    return g - np.exp(y) * np.sum(g, axis=dim, keepdims=True)


def _softmax_double_backward(m, w, g, y, dim):
    """The gradient of y·(g - Σ g·y) with respect to y, given its own upstream gradient w."""
    return g * w - m.sum(y * g, (dim,), True) * w - g * m.sum(y * w, (dim,), True)


_SOFTMAX_PAIRS = (Sample(((4,), (4,)), {"dim": 0}), Sample(((2, 3), (2, 3)), {"dim": 1}),
                  Sample(((2, 3), (2, 3)), {"dim": 0}))
SOFTMAX_BACKWARD_DATA = _row(
    "softmax_backward_data", "SoftmaxBackwardDataBackward0", _softmax_backward_data,
    (lambda m, w, g, y, out, dim: m.softmax_backward_data(w, y, dim),
     lambda m, w, g, y, out, dim: _softmax_double_backward(m, w, g, y, dim)),
    (lambda m, t, g, y, out, dim: m.softmax_backward_data(t, y, dim),
     lambda m, t, g, y, out, dim: t * g - m.sum(g * y, (dim,), True) * t
     - y * m.sum(g * t, (dim,), True)),
    "{1}·({0} - Σ_{dim} {0}·{1})", ("diag({1}) - {1} {1}ᵀ", "{0} - Σ_{dim} {0}·{1} - {1} {0}ᵀ"),
    needs=((1,), (0, 1)),
    samples=tuple(Sample(s.shapes, s.params, via_graph("softmax_backward_data"))
                  for s in _SOFTMAX_PAIRS))
LOG_SOFTMAX_BACKWARD_DATA = _row(
    "log_softmax_backward_data", "LogSoftmaxBackwardDataBackward0", _log_softmax_backward_data,
    (lambda m, w, g, y, out, dim: w - m.sum(w * m.exp(y), (dim,), True),
     lambda m, w, g, y, out, dim: -m.sum(g, (dim,), True) * m.exp(y) * w),
    (lambda m, t, g, y, out, dim: m.log_softmax_backward_data(t, y, dim),
     lambda m, t, g, y, out, dim: -m.sum(g, (dim,), True) * m.exp(y) * t),
    "{0} - exp({1})·Σ_{dim} {0}", ("I - exp({1}) 1ᵀ", "-exp({1})·Σ_{dim} {0}"),
    needs=((1,), (0, 1)),
    samples=tuple(Sample(s.shapes, s.params, via_graph("log_softmax_backward_data"))
                  for s in _SOFTMAX_PAIRS))


# --- median and kthvalue ------------------------------------------------------------------------

def _median(x):
    """The lower median of all elements (the ((n - 1)//2)-th smallest); nan if there is one."""
    flat = x.reshape(-1)
    if np.isnan(flat).any():
        return np.asarray(np.nan, x.dtype)
    return np.asarray(np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])


def _median_hits(x, out):
    """The elements equal to the median (the nans, when it is nan): they share its gradient.
    (``v != v`` is true for nan only; it works on arrays and on tensors alike.)"""
    return x != x if bool(out != out) else x == out


MEDIAN = _row("median", "MedianBackward0", _median,
              (lambda m, g, x, out: m.where(_median_hits(x, out), g / _median_hits(x, out).sum(),
                                            0.0),),
              (lambda m, t, x, out: m.sum(m.where(_median_hits(x, out), t, 0.0), None, False)
               / _median_hits(x, out).sum(),),
              "median {0}", ("1 at the median (shared equally among ties), else 0",),
              needs=((0, OUT),), samples=(*REDUCE, Sample(((5,),))))


def _chosen(x, dim, keepdim, index):
    """The element at ``index`` (an array with x's shape, size 1 along ``dim``) along ``dim``
    (a 0-dim ``x`` is its own only element)."""
    if x.ndim == 0:
        return x.copy()
    picked = np.take_along_axis(x, index, dim)
    return picked if keepdim else np.squeeze(picked, dim)


def _chosen_vjp(m, g, x, out, dim, keepdim, index):
    """The upstream gradient back at the chosen element of each slice; 0 elsewhere."""
    if x.ndim == 0:
        return g
    hit = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(hit, index, True, dim)
    return m.where(hit, g if keepdim else m.unsqueeze(g, dim), 0.0)


MEDIAN_DIM = _row("median_dim", "MedianBackward1", _chosen, (_chosen_vjp,), LINEAR,
                  "median_{dim} {0}", ("1 at the index median(dim) returned, else 0",),
                  says=("{up} at the index median(dim) returned along dim {dim}, 0 elsewhere",),
                  samples=(Sample(((2, 3),), call=lambda x: x.median(1).values),
                           Sample(((2, 4),), call=lambda x: x.median(0, keepdim=True)[0])))
KTHVALUE = _row("kthvalue", "KthvalueBackward0", _chosen, (_chosen_vjp,), LINEAR,
                "kthvalue_{dim} {0}", ("1 at the index kthvalue returned, else 0",),
                says=("{up} at the index kthvalue returned along dim {dim}, 0 elsewhere",),
                samples=(Sample(((2, 3),), call=lambda x: x.kthvalue(2).values),
                         Sample(((3, 2),), call=lambda x: x.kthvalue(3, 0, keepdim=True)[0])))
