"""Reductions and what is computed along a dimension: ``sum``, ``mean``, ``prod``, ``max``/``min``
(with ``dim``: values and indices), ``amax``/``amin``, ``norm``, ``var``/``std``, ``softmax`` and
``log_softmax``, ``logsumexp``, the scans ``cumsum``/``cumprod``, ``sort``/``argsort``/``topk``,
and ``repeat``. Arguments are checked as PyTorch checks them, then one row of the op table runs
(``functions.apply``).
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import dtypes, ops
from autodiff_repl.engine.dim_names import numpy_names
from autodiff_repl.engine.functions import (
    _NO_PARAMS,
    _dims,
    _float,
    _missing,
    _required,
    apply,
    as_tensor,
    maximum,
    minimum,
    to,
)
from autodiff_repl.engine.limits import check_numel
from autodiff_repl.engine.sort_order import kthvalue_order, sort_order, topk_order
from autodiff_repl.engine.tensor import Tensor
from autodiff_repl.engine.tensor_types import return_types


def _sum_input(t: Tensor, dtype) -> Tensor:
    if dtype is not None:
        return to(t, dtype)
    if t._data.dtype.kind in "iub":
        return to(t, dtypes.int64)
    return t


def _computed_in(t: Tensor, dtype) -> tuple | None:
    """The data a sum, product or scan of ``t`` runs on: ``t``'s cast to ``dtype`` (integers to
    int64) inside the op, as PyTorch casts it -- no ToCopyBackward0 node; None for ``t``'s own."""
    target = dtype or (dtypes.int64 if t._data.dtype.kind in "iub" else None)
    if target is None or target.np == t._data.dtype:
        return None
    return (t._data.astype(target.np),)


@numpy_names
def sum(input, dim=None, keepdim=False, dtype=None):
    t = as_tensor(input)
    return _reduced(ops.SUM, ops.SUM_DIM, t, dim, keepdim, _computed_in(t, dtype))


@numpy_names
def mean(input, dim=None, keepdim=False, dtype=None):
    t = as_tensor(input)
    if (t._data.dtype.kind != "f") if dtype is None else not dtype.is_floating_point:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {(dtype or t.dtype).short}")
    arrays = None if dtype is None else _computed_in(t, dtype)
    return _reduced(ops.MEAN, ops.MEAN_DIM, t, dim, keepdim, arrays)


@numpy_names
def prod(input, dim=None, keepdim=False, dtype=None):
    t = as_tensor(input)
    return _reduced(ops.PROD, ops.PROD_DIM, t, dim, keepdim, _computed_in(t, dtype))


def _reduced(whole, along, t: Tensor, dim, keepdim, arrays) -> Tensor:
    """Row ``whole`` over every element of ``t``, or row ``along`` the dimensions ``dim``
    (``arrays``: ``t``'s data cast for the op, or None)."""
    dims = _dims(dim, t.ndim)
    if dims is None:
        return apply(whole, (t,), _NO_PARAMS, arrays)
    return apply(along, (t,), {"dim": dims, "keepdim": bool(keepdim)}, arrays)


def sum_to_size(input, *size):
    """``input`` summed back to ``size``, as PyTorch sums a gradient back to the shape of an input
    that broadcasting stretched: over the leading dims and the stretched ones, kept
    (``SumBackward1``), then viewed without the leading ones (``ViewBackward0``); to a 0-dim
    shape, one plain sum (``SumBackward0``)."""
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    t = as_tensor(input)
    full = tuple(t.shape)
    if full == shape:
        return t
    lead = len(full) - len(shape)
    if lead < 0 or any(n not in (1, k) for n, k in zip(shape, full[lead:], strict=True)):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(full)}}}.")
    if not shape:
        return sum(t)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and full[lead + i] != 1)
    if lead or stretched:
        t = sum(t, tuple(range(lead)) + stretched, True)
    if not lead:
        return t
    from autodiff_repl.engine import shapes  # (it builds on this module)
    return shapes.view(t, shape)


def _extreme(input, dim, keepdim, largest: bool):
    t = as_tensor(input)
    if dim is not None and not isinstance(dim, int):  # torch.max(a, b): elementwise
        return maximum(t, dim) if largest else minimum(t, dim)
    if t._data.size == 0:
        raise RuntimeError(f"{'max' if largest else 'min'}(): Expected reduction dim to be "
                           "specified for input.numel() == 0. Specify the reduction dim with "
                           "the 'dim' argument.")
    if dim is None:
        return apply(ops.MAX if largest else ops.MIN, (t,))
    (d,) = _dims(dim, t.ndim)
    indices = np.argmax(t._data, axis=d) if largest else np.argmin(t._data, axis=d)
    onehot = np.zeros(t._data.shape, dtype=bool)
    np.put_along_axis(onehot, np.expand_dims(indices, d), True, axis=d)
    params = {"dim": d, "keepdim": bool(keepdim), "onehot": onehot, "largest": largest}
    values = apply(ops.MAX_DIM if largest else ops.MIN_DIM, (t,), params)
    if keepdim:
        indices = np.expand_dims(indices, d)
    kind = return_types.max if largest else return_types.min
    return kind(values, Tensor._wrap(np.asarray(indices, dtype=np.int64)))


@numpy_names
def max(input, dim=None, keepdim=False):
    return _extreme(input, dim, keepdim, largest=True)


@numpy_names
def min(input, dim=None, keepdim=False):
    return _extreme(input, dim, keepdim, largest=False)


def _amax(op, input, dim, keepdim):
    t = as_tensor(input)
    if dim is None or (not isinstance(dim, int) and not len(dim)):  # (): every dim
        if t._data.size == 0:
            raise RuntimeError(f"{op.name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        dims = tuple(range(t._data.ndim))
    else:
        dims = _dims(dim, t.ndim)
        if t._data.size == 0:  # the largest of no values: PyTorch refuses (NumPy would too)
            for d in (dim,) if isinstance(dim, int) else dim:
                if t._data.shape[d] == 0:
                    raise IndexError(f"{op.name}(): Expected reduction dim {d} to have non-zero "
                                     "size.")
    return apply(op, (t,), {"dim": dims, "keepdim": bool(keepdim)})


@numpy_names
def amax(input, dim=(), keepdim=False):
    """The largest values over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _amax(ops.AMAX, input, dim, keepdim)


@numpy_names
def amin(input, dim=(), keepdim=False):
    """The smallest values over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _amax(ops.AMIN, input, dim, keepdim)


@numpy_names
def argmax(input, dim=None, keepdim=False):
    t = as_tensor(input)
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(t._data), dtype=np.int64))
    return Tensor._wrap(np.asarray(np.argmax(t._data, axis=dim, keepdims=keepdim),
                                   dtype=np.int64))


@numpy_names
def argmin(input, dim=None, keepdim=False):
    t = as_tensor(input)
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(t._data), dtype=np.int64))
    return Tensor._wrap(np.asarray(np.argmin(t._data, axis=dim, keepdims=keepdim),
                                   dtype=np.int64))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``, routed as PyTorch routes it: a number ``p`` -- or ``'fro'`` over at most two
    dims -- is a vector norm of the elements; ``'nuc'`` (or ``'fro'`` over more dims, which it
    refuses) is ``linalg.matrix_norm`` over ``dim``, or without it over every dim (a matrix)."""
    t = as_tensor(input)
    if isinstance(p, str) and not (p == "fro" and (dim is None or isinstance(dim, int)
                                                   or len(dim) <= 2)):
        from autodiff_repl.engine import linalg  # (it builds on this module)
        return linalg.matrix_norm(t, p, tuple(range(t.ndim)) if dim is None else dim, keepdim,
                                  dtype=dtype)
    if dtype is not None:
        t = to(t, dtype)
    if not t.is_floating_point():
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {t.dtype.short}")
    p = 2 if p in ("fro", None) else p
    return apply(ops.NORM, (t,), {"p": p, "dim": _dims(dim, t.ndim), "keepdim": bool(keepdim)})


def _moment(op, input, dim, unbiased, keepdim, correction):
    t = as_tensor(input)
    if not t.is_floating_point():
        name = "std" if op is ops.STD else "var"
        raise RuntimeError(f"{name} and {name}_mean only support floating point and complex "
                           f"dtypes")
    if correction is None:
        correction = 1 if unbiased else 0
    return apply(op, (t,), {"dim": _dims(dim, t.ndim), "correction": correction,
                            "keepdim": bool(keepdim)})


@numpy_names
def var(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """The variance (unbiased by default: divided by n - 1, as PyTorch does)."""
    return _moment(ops.VAR, input, dim, unbiased, keepdim, correction)


@numpy_names
def std(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """The standard deviation (unbiased by default, as PyTorch does)."""
    return _moment(ops.STD, input, dim, unbiased, keepdim, correction)


def repeat(input, sizes):
    t = as_tensor(input)
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < t.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    check_numel(tuple(r * s for r, s in zip(sizes, (1,) * (len(sizes) - t.ndim) + t._data.shape,
                                             strict=True)))
    return apply(ops.REPEAT, (t,), {"sizes": sizes})


@numpy_names
def softmax(input, dim, dtype=None):
    t = as_tensor(input, dtype)
    (d,) = _dims(dim, t.ndim)
    return apply(ops.SOFTMAX, (_float(t),), {"dim": d})


@numpy_names
def log_softmax(input, dim, dtype=None):
    t = as_tensor(input, dtype)
    (d,) = _dims(dim, t.ndim)
    return apply(ops.LOG_SOFTMAX, (_float(t),), {"dim": d})


@numpy_names
def logsumexp(input, dim=None, keepdim=False):
    """log Σ exp(input) over ``dim``, computed without overflow (the largest value is taken out
    first); its gradient is the softmax of ``input``."""
    if dim is None:
        raise _missing("logsumexp", "dim")
    t = _float(as_tensor(input))
    if not isinstance(dim, int) and not len(dim):
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"{[1] * t._data.ndim}")
    return apply(ops.LOGSUMEXP, (t,), {"dim": _dims(dim, t.ndim), "keepdim": bool(keepdim)})


def _scan(op, input, dim, dtype):
    if dim is None:
        raise _missing(op.name, "dim")
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    return apply(op, (t,), {"dim": d}, _computed_in(t, dtype))


@numpy_names
def cumsum(input, dim=None, *, dtype=None):
    """The running sum along ``dim``: element i is the sum of elements 0..i."""
    return _scan(ops.CUMSUM, input, dim, dtype)


@numpy_names
def cumprod(input, dim=None, *, dtype=None):
    """The running product along ``dim``: element i is the product of elements 0..i."""
    return _scan(ops.CUMPROD, input, dim, dtype)


_required(logsumexp, "dim")
_required(cumsum, "dim")
_required(cumprod, "dim")


def _along(indices: np.ndarray, dim: int) -> tuple:
    """The index tuple for which ``x[_along(indices, dim)]`` is ``np.take_along_axis(x, indices,
    dim)``: ``indices`` pick positions along ``dim``, the other dims go straight through."""
    grids = list(np.indices(indices.shape, sparse=True))
    grids[dim] = indices
    return tuple(grids)


def _picked(op, t: Tensor, indices: np.ndarray, d: int, **params) -> Tensor:
    """``t``'s elements at ``indices`` along ``d`` (a row of ``ops._picking``)."""
    return apply(op, (t,), {"index": _along(indices, d), "dim": d, **params})


@numpy_names
def sort(input, dim=-1, descending=False, stable=False):
    """The values sorted along ``dim``, and where each came from (``indices``); equal values in
    the order PyTorch's CPU sort leaves them (``stable=True``: their original order)."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    if t._data.ndim == 0:
        return return_types.sort(apply(ops.SORT, (t,), {"index": (), "dim": d}),
                                 Tensor._wrap(np.asarray(0)))
    order = sort_order(t._data, d, descending, stable)
    return return_types.sort(_picked(ops.SORT, t, order, d), Tensor._wrap(order))


@numpy_names
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim`` (``sort(...).indices``)."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    if t._data.ndim == 0:
        return Tensor._wrap(np.asarray(0))
    return Tensor._wrap(sort_order(t._data, d, descending, stable))


@numpy_names
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim``, and where they came from; among equal
    values, those PyTorch's CPU kernel picks, in its order."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    size = t._data.shape[d] if t._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if t._data.ndim == 0:
        return return_types.topk(apply(ops.TOPK, (t,), {"index": (), "dim": d, "k": k}),
                                 Tensor._wrap(np.asarray(0)))
    order = topk_order(t._data, k, d, largest, sorted)
    return return_types.topk(_picked(ops.TOPK, t, order, d, k=k), Tensor._wrap(order))


# --- median and kthvalue ------------------------------------------------------------------------

def _no_bool(name: str, t: Tensor) -> None:
    if t._data.dtype == np.bool_:
        raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')


def _chosen(op, kind, t: Tensor, index: np.ndarray, d: int, keepdim: bool):
    """``(values, indices)``: the element of each slice along ``d`` at ``index`` (size 1 along
    ``d``), as a node of row ``op`` (its gradient goes to that element only)."""
    values = apply(op, (t,), {"dim": d, "keepdim": bool(keepdim), "index": index})
    indices = index if keepdim else np.squeeze(index, d)
    return kind(values, Tensor._wrap(np.array(indices, dtype=np.int64)))


def _nonempty_dim(name: str, t: Tensor, dim) -> int:
    (d,) = _dims(dim, t.ndim)
    if t._data.ndim and t._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return d


@numpy_names
def median(input, dim=None, keepdim=False):
    """The lower median: of an even number of values, the smaller of the two middle ones (no
    average, so it is always one of the values). Without ``dim``: of all elements, and ties
    share the gradient. With ``dim``: ``(values, indices)`` along it; among equal values the
    index is the one PyTorch picks (the order of equal values is their original order), a nan
    wins (the first one)."""
    t = as_tensor(input)
    _no_bool("median_cpu" if dim is None else "median_out", t)
    if dim is None:
        if t._data.size == 0:
            return Tensor._wrap(np.asarray(np.nan, t._data.dtype))
        return apply(ops.MEDIAN, (t,))
    d = _nonempty_dim("median", t, dim)
    data = t._data
    if data.ndim == 0:
        return _chosen(ops.MEDIAN_DIM, return_types.median, t, np.zeros((), np.int64), d, True)
    n = data.shape[d]
    index = np.take(np.argsort(data, axis=d, kind="stable"), [(n - 1) // 2], axis=d)
    if data.dtype.kind == "f":
        nan = np.isnan(data)
        index = np.where(nan.any(axis=d, keepdims=True), np.argmax(nan, axis=d, keepdims=True),
                         index)
    return _chosen(ops.MEDIAN_DIM, return_types.median, t, index, d, keepdim)


@numpy_names
def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest value along ``dim`` (k = 1 is the minimum) and its index; among
    equal values the one PyTorch's selection picks; nan counts as the largest value."""
    t = as_tensor(input)
    _no_bool("kthvalue_cpu", t)
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"kthvalue(): argument 'k' (position 1) must be int, not "
                        f"{type(k).__name__}")
    d = _nonempty_dim("kthvalue", t, dim)
    size = t._data.shape[d] if t._data.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if t._data.ndim == 0:
        return _chosen(ops.KTHVALUE, return_types.kthvalue, t, np.zeros((), np.int64), d, True)
    index = kthvalue_order(t._data, int(k), d)
    return _chosen(ops.KTHVALUE, return_types.kthvalue, t, index, d, keepdim)
