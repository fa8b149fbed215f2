"""Shapes and indexing: ``reshape``/``view``/``flatten``, ``squeeze``/``unsqueeze``, ``transpose``/
``t``/``permute``, ``expand``, reading and writing with ``[...]`` (``getitem``, ``setitem``),
``unbind``/``split``/``chunk``, ``cat``/``stack``, ``flip``/``roll``/``tril``/``triu``/``diag``/
``trace``, ``gather``/``index_select``. Arguments are checked as PyTorch checks them, then one row
of the op table runs (``functions.apply``).
"""

from __future__ import annotations

import builtins

import numpy as np

from autodiff_repl.engine import dtypes, ops, views
from autodiff_repl.engine.dim_names import numpy_names
from autodiff_repl.engine.functions import (
    _NO_PARAMS,
    FORWARD,
    _dims,
    _missing,
    _number,
    _promote_tensors,
    _required,
    apply,
    as_tensor,
    contiguous,
    to,
)
from autodiff_repl.engine.grad_mode import STATE
from autodiff_repl.engine.inplace import INPLACE, take_node
from autodiff_repl.engine.limits import check_numel
from autodiff_repl.engine.messages import warn_once
from autodiff_repl.engine.reductions import _picked, _sum_input
from autodiff_repl.engine.tensor import Tensor


def _reshaped(op, t: Tensor, shape: tuple[int, ...]) -> Tensor:
    return apply(op, (t,), {"shape": tuple(shape)})


def reshape(input, shape):
    t = as_tensor(input)
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    try:
        target = np.empty(t._data.shape, dtype=bool).reshape(shape).shape if t._data.size \
            else np.reshape(t._data, shape).shape
    except ValueError:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size "
                           f"{t._data.size}") from None
    data = t._data
    if data.flags.c_contiguous:
        return _reshaped(ops.VIEW, t, target)
    # Not contiguous (a transpose, an expand, a strided slice): as in PyTorch, an alias of the
    # same memory when the strides allow one, else a contiguous copy reshaped.
    if np.may_share_memory(np.reshape(data, target), data):
        return _reshaped(ops.RESHAPE_ALIAS, t, target)
    return _reshaped(ops.UNSAFE_VIEW, contiguous(t), target)


def view(input, *shape):
    """``reshape`` that refuses, as PyTorch does, where it would have to copy."""
    t = as_tensor(input)
    shape = tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else shape
    data = t._data
    if not data.flags.c_contiguous and data.size:
        try:
            target = np.reshape(np.empty(data.shape, dtype=bool), shape).shape
        except ValueError:
            return reshape(t, shape)  # its error message
        if not np.may_share_memory(np.reshape(data, target), data):
            raise RuntimeError("view size is not compatible with input tensor's size and stride "
                               "(at least one dimension spans across two contiguous subspaces). "
                               "Use .reshape(...) instead.")
        return _reshaped(ops.VIEW, t, target)
    return reshape(t, shape)


def flatten(input, start_dim=0, end_dim=-1):
    t = as_tensor(input)
    if t.ndim == 0:
        return reshape(t, (1,))
    s, e = start_dim % t.ndim, end_dim % t.ndim
    if s == e:
        return t
    shape = t._data.shape
    return reshape(t, (*shape[:s], int(np.prod(shape[s:e + 1])), *shape[e + 1:]))


@numpy_names
def squeeze(input, dim=None):
    t = as_tensor(input)
    if dim is None:
        return _reshaped(ops.SQUEEZE, t, tuple(n for n in t._data.shape if n != 1))
    dims = _dims(dim, t.ndim)
    shape = tuple(n for i, n in enumerate(t._data.shape) if not (i in dims and n == 1))
    return _reshaped(ops.SQUEEZE_DIM, t, shape)


@numpy_names
def unsqueeze(input, dim):
    t = as_tensor(input)
    d = _dims(dim, t.ndim + 1)[0]
    shape = t._data.shape
    return _reshaped(ops.UNSQUEEZE, t, (*shape[:d], 1, *shape[d:]))


def transpose(input, dim0, dim1):
    t = as_tensor(input)
    d0, d1 = (_dims(d, t.ndim)[0] for d in (dim0, dim1))
    return apply(ops.TRANSPOSE, (t,), {"dim0": d0, "dim1": d1})


swapaxes = transpose

MT_OF_0D = "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases."


def matrix_transpose(x: Tensor) -> Tensor:
    """``x.mT``: each matrix of ``x`` transposed (its last two dims swapped). A vector has no
    matrices (PyTorch's RuntimeError); a 0-dim tensor is itself, with PyTorch's warning."""
    if x.ndim == 0:
        warn_once(MT_OF_0D)
        return x
    if x.ndim == 1:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           "Got 1-D tensor.")
    return transpose(x, -2, -1)


def t(input):
    x = as_tensor(input)
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return apply(ops.T, (x,))


def permute(input, dims):
    x = as_tensor(input)
    dims = tuple(int(d) % builtins.max(x.ndim, 1) for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {x.ndim} is not equal to len(dims) = {len(dims)}")
    return apply(ops.PERMUTE, (x,), {"dims": dims})


def expand(input, size):
    x = as_tensor(input)
    size = tuple(int(s) for s in size)
    lead = len(size) - x.ndim
    if lead < 0:
        raise RuntimeError(f"expand(torch.{x.dtype.short}Tensor{{{list(x.shape)}}}, "
                           f"size={list(size)}): the number of sizes provided ({len(size)}) must "
                           "be greater or equal to the number of dimensions in the tensor "
                           f"({x.ndim})")
    shape = tuple(x._data.shape[i - lead] if s == -1 else s for i, s in enumerate(size))
    for i, n in enumerate(x._data.shape):
        if n != 1 and n != shape[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[i + lead]}) must match "
                               f"the existing size ({n}) at non-singleton dimension {i + lead}."
                               f"  Target sizes: {list(size)}.  Tensor sizes: {list(x.shape)}")
    check_numel(shape)
    return apply(ops.EXPAND, (x,), {"size": shape})


def broadcast_to(input, size):
    return expand(input, size)


def _advanced(index: tuple) -> bool:
    """Whether ``index`` has lists or tensors of indices (PyTorch's advanced indexing)."""
    return builtins.any(isinstance(i, np.ndarray | list) for i in index)


def _basic_steps(index: tuple, shape: tuple) -> list[str]:
    """The view ops PyTorch applies for ``t[index]``, in order, by their grad_fn's names:
    ``Select`` for an integer, ``Slice`` for a slice (none for a slice of the whole dimension),
    ``Unsqueeze`` for a None. Lists and tensors of indices come after them (advanced
    indexing)."""
    taken = builtins.sum(_dims_taken(i) for i in index)
    steps, dim = [], 0
    for i in index:
        if i is Ellipsis:
            dim += len(shape) - taken
        elif i is None:
            steps.append("Unsqueeze")
        elif isinstance(i, int | np.integer):
            steps.append("Select")
            dim += 1
        elif isinstance(i, slice):
            if dim >= len(shape) or i.indices(shape[dim]) != (0, shape[dim], 1):
                steps.append("Slice")
            dim += 1
        else:
            dim += _dims_taken(i)
    return steps


def _dims_taken(i) -> int:
    """How many dims of the indexed tensor an item of an index uses up."""
    if i is None or i is Ellipsis:
        return 0
    if isinstance(i, np.ndarray) and i.dtype == np.bool_:
        return i.ndim  # a mask: one dim per dim of the mask
    return 1


def _index_kind(index: tuple, shape: tuple) -> ops.Op:
    """The op that reads ``t[index]``: named, as in PyTorch, after the last view op PyTorch
    applies (``_basic_steps``) -- except that a None after integers or slices (which PyTorch
    names ``Unsqueeze``) leaves the name of the integer or slice before it."""
    if _advanced(index):
        return ops.INDEX
    steps = _basic_steps(index, shape)
    picked = [step for step in steps if step != "Unsqueeze"]
    if picked:
        return ops.SELECT if picked[-1] == "Select" else ops.SLICE
    return ops.UNSQUEEZE if steps else ops.ALIAS


def _normalise_index(index) -> tuple:
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for i in items:
        if isinstance(i, Tensor):
            i = i._data if i._data.ndim or i._data.dtype == np.bool_ else int(i._data)
        elif isinstance(i, list):
            i = np.asarray([int(v) if isinstance(v, Tensor) else v for v in i])
        elif isinstance(i, bool):
            i = np.asarray(i)
        elif type(i) is slice and i.step is not None and i.step < 0:  # NumPy would reverse
            raise ValueError("step must be greater than zero")
        out.append(i)
    return tuple(out)


def getitem(input, index):
    """``input[index]``: a view for integers, slices and Nones, a copy for lists and tensors of
    indices."""
    t = as_tensor(input)
    bare_slice = type(index) is slice  # PyTorch slices then, even a whole dimension
    index = _normalise_index(index)
    try:
        data = t._data[index]
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None
    op = ops.SLICE if bare_slice else _index_kind(index, t._data.shape)
    if op is ops.UNSQUEEZE:
        return _reshaped(op, t, data.shape)
    if (t._rg and STATE.enabled) or t._tangent is not None:
        return apply(op, (t,), {"index": index})
    if op is ops.INDEX:
        return Tensor._wrap(ops.row_major(data))
    if type(data) is not np.ndarray:  # a single element: NumPy copies it
        data = ops.view_of(t._data, index)
    view = Tensor._wrap(data)
    if t._rg:  # under no_grad(): a view keeps requires_grad (as functions.apply's views do)
        view._rg = view._no_grad_view = True
    return _plain_view(view, t)


def _plain_view(view: Tensor, t: Tensor) -> Tensor:
    """``view``, made from ``t`` without a graph, shares its memory and version counter, as
    PyTorch's views do: an in-place update of either is seen by a backward that saved the
    other."""
    INPLACE.share(t, view)
    return view


@numpy_names
def unbind(input, dim=0) -> tuple:
    """The slices along ``dim`` (what iterating over a tensor gives): views of ``input``, one
    ``UnbindBackward0`` node per slice here (PyTorch shares one node among them; the gradients
    are the same)."""
    t = as_tensor(input)
    if t._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    (d,) = _dims(dim, t.ndim)
    lead = (slice(None),) * d
    return _views_of(ops.UNBIND, t, [{"index": (*lead, i)} for i in range(t._data.shape[d])])


def _views_of(op: ops.Op, t: Tensor, params: list) -> tuple:
    """The pieces ``op(t, **p)`` for each ``p`` in ``params``: views of ``t`` that share its
    memory, remembered as views in a graph (``views``: PyTorch's rules for ops that return
    several views)."""
    if not ((t._rg and STATE.enabled) or t._tangent is not None):
        return tuple(_plain_view(Tensor._wrap(op.forward(t._data, **p)), t) for p in params)
    pieces = tuple(apply(op, (t,), p) for p in params)
    for piece, p in zip(pieces, params, strict=True):
        if piece._node is not None:
            views.remember(piece, t, op, p)
    return pieces


def index_backward(g, index, shape):
    """Scatter ``g`` into zeros of ``shape`` at ``index`` (the gradient of indexing)."""
    return apply(ops.INDEX_BACKWARD, (as_tensor(g),), {"index": index, "shape": tuple(shape)})


def filled(op: ops.Op, t: Tensor, value) -> Tensor:
    """``t`` filled with ``value`` (``zero_``, ``fill_``): a node whose gradient is zero."""
    return apply(op, (t,), {"value": _number(value)})


def copy(t: Tensor, src) -> Tensor:
    """``src`` broadcast into ``t``'s shape and dtype (``copy_``: CopyBackwards)."""
    s = as_tensor(src)
    if s._data.shape != t._data.shape:
        expand(s, t._data.shape)  # PyTorch's error when src doesn't broadcast to t
    return apply(ops.COPY, (t, s), _NO_PARAMS, (t._data, s._data))


def _whole(index: tuple, shape: tuple) -> bool:
    """Whether ``index`` picks all of a tensor of ``shape`` trivially (``[:]``, ``[...]``,
    ``[0:n]``): PyTorch then skips the slicing and updates the tensor itself."""
    dim = 0
    for i in index:
        if i is Ellipsis:
            dim = len(shape) - (len(index) - 1 - dim)
            continue
        if not isinstance(i, slice) or dim >= len(shape) or i.step not in (None, 1) or \
                i.start not in (None, 0) or (i.stop is not None and i.stop < shape[dim]):
            return False
        dim += 1
    return True


def _setitem_value(v: Tensor, target: tuple, advanced: bool) -> Tensor:
    """The value as PyTorch prepares it for ``t[index] = v``: leading size-1 dims viewed away,
    then (for basic indexing) expanded to the target's shape."""
    shape = v._data.shape
    stripped = shape
    while stripped and stripped[0] == 1:
        stripped = stripped[1:]
    if advanced:
        return reshape(v, stripped) if stripped != shape else v
    if shape == target:
        return v
    v = _reshaped(ops.VIEW, v, stripped)
    return expand(v, target) if stripped != target else v


def setitem(t: Tensor, index, value) -> None:
    """``t[index] = value``, in place; with a graph, ``t`` gets the node ``CopySlices`` (or, for
    the whole tensor, PyTorch's ``FillBackward3`` / ``CopyBackwards``)."""
    index = _normalise_index(index)
    if views.from_multiple_views(t):  # PyTorch writes through the last view op it applies
        steps = _basic_steps(index, t._data.shape)
        views.check_inplace(t, steps[-1] if steps else None)
    v = as_tensor(value, dtypes.from_numpy(t._data.dtype)) if type(value) is not Tensor else value
    graph = STATE.enabled and (t._rg or v._rg)
    dual = FORWARD.active and (t._tangent is not None or v._tangent is not None)
    if (graph or dual) and _whole(index, t._data.shape):
        before = Tensor._wrap(t._data)
        before._node, before._rg, before._leaf = t._node, t._rg, t._grad_leaf()
        before._tangent = t._tangent
        result = filled(ops.FILL_WHOLE, before, value) if type(value) is not Tensor else \
            copy(before, v)
        t._data, t._tangent = result._data, result._tangent
        if graph:
            take_node(t, result)
        return
    if graph or dual:
        keep = np.ones(t._data.shape, dtype=bool)
        keep[index] = False
        before = Tensor._wrap(t._data)
        before._node, before._rg, before._leaf = t._node, t._rg, t._grad_leaf()
        before._tangent = t._tangent
        advanced = _advanced(index) and builtins.all(
            isinstance(i, np.ndarray) or i is Ellipsis or (type(i) is slice and i == slice(None))
            for i in index)
        if v._rg and v._data.ndim:
            v = _setitem_value(v, t._data[index].shape, advanced)
        op = ops.INDEX_PUT_ADVANCED if advanced else ops.INDEX_PUT
        result = apply(op, (before, to(v, t.dtype)), {"index": index, "keep": keep})
        t._data, t._tangent = result._data, result._tangent
        if graph:
            take_node(t, result)
        return
    target = t._data[index].shape
    if v._data.shape != target:
        expand(v, target)  # PyTorch's error when the value doesn't broadcast to the target
    t._data[index] = v._data


def _joined(tensors, name: str):
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    result = _promote_tensors(ts).np
    return ts, tuple(x._data.astype(result, copy=False) for x in ts)


@numpy_names
def cat(tensors, dim=0):
    ts, arrays = _joined(tensors, "torch.cat")
    d = _dims(dim, ts[0].ndim)[0]
    for i, a in enumerate(arrays[1:], 1):
        if a.ndim != arrays[0].ndim and a.ndim and arrays[0].ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{arrays[0].ndim} and {a.ndim}")
        if a.ndim != arrays[0].ndim or builtins.any(
                a.shape[k] != arrays[0].shape[k] for k in range(a.ndim) if k != d):
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                               f"size {arrays[0].shape[1 - d] if a.ndim > 1 else ''} but got "
                               f"size {a.shape[1 - d] if a.ndim > 1 else ''} for tensor number "
                               f"{i} in the list.")
    return apply(ops.CAT, tuple(ts), {"dim": d}, arrays)


concat = concatenate = cat


@numpy_names
def stack(tensors, dim=0):
    ts, arrays = _joined(tensors, "stack")
    for i, a in enumerate(arrays[1:], 1):
        if a.shape != arrays[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(arrays[0].shape)} at entry 0 and {list(a.shape)} at "
                               f"entry {i}")
    d = _dims(dim, ts[0].ndim + 1)[0]
    return apply(ops.STACK, tuple(ts), {"dim": d}, arrays)


def _tensor_list(tensors, name: str) -> list:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return ts


def hstack(tensors):
    """Join side by side: along dim 1, or dim 0 for vectors (numbers become vectors first)."""
    ts = [reshape(x, (1,)) if x._data.ndim == 0 else x for x in _tensor_list(tensors, "hstack")]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Join on top of each other, along dim 0 (vectors become rows first)."""
    ts = [reshape(x, (1, 1)) if x._data.ndim == 0 else unsqueeze(x, 0) if x._data.ndim == 1
          else x for x in _tensor_list(tensors, "vstack")]
    return cat(ts, 0)


def flip(input, dims=None):
    """The elements in reverse order along each of ``dims``."""
    if dims is None:
        raise _missing("flip", "dims")
    t = as_tensor(input)
    listed = [dims] if isinstance(dims, int) else list(dims)
    normalised = [_dims(d, t.ndim)[0] for d in listed]
    for d in normalised:
        if normalised.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return apply(ops.FLIP, (t,), {"dims": tuple(normalised) if t._data.ndim else ()})


_required(flip, "dims")


def roll(input, shifts, dims=None):
    """The elements shifted along ``dims`` by ``shifts``, those falling off the end coming back
    at the start (without ``dims``: shifted through the flattened tensor)."""
    t = as_tensor(input)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    listed = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != builtins.max(len(listed), 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(listed)}")
    if not listed:
        return apply(ops.ROLL, (t,), {"shifts": shifts[0], "dims": None})
    if t._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dims = tuple(_dims(d, t.ndim)[0] for d in listed)
    return apply(ops.ROLL, (t,), {"shifts": shifts, "dims": dims})


def _triangle(op, input, diagonal):
    t = as_tensor(input)
    if t._data.ndim < 2:
        raise RuntimeError(f"{op.name}: input tensor must have at least 2 dimensions")
    return apply(op, (t,), {"diagonal": int(diagonal)})


def tril(input, diagonal=0):
    """The lower triangle (on and below ``diagonal``) of the last two dims; zeros above it."""
    return _triangle(ops.TRIL, input, diagonal)


def triu(input, diagonal=0):
    """The upper triangle (on and above ``diagonal``) of the last two dims; zeros below it."""
    return _triangle(ops.TRIU, input, diagonal)


def trace(input):
    """The sum of a matrix's diagonal."""
    t = as_tensor(input)
    if t._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {t._data.ndim}")
    if t._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return apply(ops.TRACE, (_sum_input(t, None),))


def _diagonal(rows: int, cols: int, k: int) -> tuple:
    """The (row, column) index arrays of diagonal ``k`` of a rows x cols matrix."""
    n = builtins.max(0, builtins.min(rows + builtins.min(k, 0), cols - builtins.max(k, 0)))
    return np.arange(n) - builtins.min(k, 0), np.arange(n) + builtins.max(k, 0)


def diag(input, diagonal=0):
    """A vector's diagonal matrix, or a matrix's diagonal (``diagonal`` > 0: above the main one,
    < 0: below)."""
    t = as_tensor(input)
    k = int(diagonal)
    if t._data.ndim == 1:
        n = t._data.shape[0] + builtins.abs(k)
        check_numel((n, n))
        return apply(ops.DIAG_EMBED, (t,), {"diagonal": k, "index": _diagonal(n, n, k)})
    if t._data.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {t._data.ndim}D")
    return apply(ops.DIAG, (t,), {"index": _diagonal(*t._data.shape, k), "diagonal": k})


def diagonal(input, offset=0, dim1=0, dim2=1):
    """Diagonal ``offset`` (> 0: above the main one, < 0: below) of each (``dim1``, ``dim2``)
    plane, as the last dim: a view, so writing into it writes into ``input``."""
    return take_diagonal(as_tensor(input), offset, dim1, dim2, 2)


def take_diagonal(t: Tensor, offset, dim1, dim2, first: int) -> Tensor:
    """``diagonal`` once its arguments are checked as PyTorch checks them (``first``: the
    position of ``offset`` in the call, which the messages name: 1 in ``x.diagonal(...)``)."""
    for i, (name, value) in enumerate((("offset", offset), ("dim1", dim1), ("dim2", dim2))):
        if not isinstance(value, int | np.integer) or isinstance(value, bool):
            raise TypeError(f"diagonal(): argument '{name}' (position {first + i}) must be "
                            f"int, not {type(value).__name__}")
    (d1,), (d2,) = _dims(dim1, t.ndim), _dims(dim2, t.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = apply(ops.DIAGONAL, (t,), {"offset": int(offset), "dim1": d1, "dim2": d2})
    return out if out._node is not None else _plain_view(out, t)


def _index_array(index, fn: str, dtypes_named: str) -> np.ndarray:
    if type(index) is not Tensor:
        raise TypeError(f"{fn}(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{fn}(): Expected dtype {dtypes_named} for index")
    return index._data.astype(np.int64, copy=False)


@numpy_names
def gather(input, dim, index):
    """``out[i][j] = input[i][index[i][j]]`` for dim 1 (likewise for other dims): the element of
    each line of ``input`` at the position ``index`` gives."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    idx = _index_array(index, "gather", "int32/int64")
    if idx.ndim != t._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i, (a, b) in enumerate(zip(idx.shape, t._data.shape, strict=True)):
        if i != d and a > b:
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{list(idx.shape)} to be no larger than self "
                               f"{list(t._data.shape)} apart from dimension {d}")
    size = t._data.shape[d] if t._data.ndim else 1
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {d} with size {size}")
    if t._data.ndim == 0:
        return apply(ops.GATHER, (t,), {"index": (), "dim": d})
    return _picked(ops.GATHER, t, idx, d)


@numpy_names
def index_select(input, dim, index):
    """The slices of ``input`` along ``dim`` at the positions in ``index`` (a vector)."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    idx = _index_array(index, "index_select", "int32 or int64")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    size = t._data.shape[d] if t._data.ndim else 1
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad.reshape(-1)[0]} "
                           f"axis_dim={size}")
    index = (slice(None),) * d + (idx.reshape(-1),) if t._data.ndim else ()
    check_numel((*t._data.shape[:d], idx.size, *t._data.shape[d + 1:]))
    return apply(ops.INDEX_SELECT, (t,), {"index": index, "dim": d})


def _pieces(op, t: Tensor, d: int, sizes) -> tuple:
    """``t`` cut along ``d`` into pieces of ``sizes``: views, one node each (PyTorch shares one
    node among them; the gradients are the same)."""
    lead = (slice(None),) * d
    params, start = [], 0
    for i, n in enumerate(sizes):
        params.append({"index": (*lead, slice(start, start + n)), "i": i})
        start += n
    return _views_of(op, t, params)


def split(tensor, split_size_or_sections, dim=0):
    """``tensor`` cut along ``dim`` into pieces of ``split_size_or_sections`` elements (the last
    piece may be smaller), or of the sizes listed."""
    t = as_tensor(tensor)
    if t._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    (d,) = _dims(dim, t.ndim)
    n = t._data.shape[d]
    if not isinstance(split_size_or_sections, int):
        sizes = [int(k) for k in split_size_or_sections]
        if builtins.sum(sizes) != n or builtins.any(k < 0 for k in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
        return _pieces(ops.SPLIT_WITH_SIZES, t, d, sizes)
    size = split_size_or_sections
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0:
        if n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        return _pieces(ops.SPLIT, t, d, [0])
    return _pieces(ops.SPLIT, t, d, [builtins.min(size, n - i) for i in range(0, n, size)] or [0])


@numpy_names
def chunk(input, chunks, dim=0):
    """``input`` cut along ``dim`` into at most ``chunks`` pieces of equal size (the last one may
    be smaller)."""
    t = as_tensor(input)
    if t._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    (d,) = _dims(dim, t.ndim)
    return split(t, builtins.max(-(-t._data.shape[d] // chunks), 1), d)


def narrow(input, dim, start, length):
    """``length`` elements along ``dim`` from ``start`` on: a view (SliceBackward0), the same as
    ``input[..., start:start + length]`` at ``dim``."""
    t = as_tensor(input)
    if isinstance(start, Tensor) and start._data.ndim == 0 and start._data.dtype.kind in "iu":
        start = int(start._data)
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool)
               for v in (dim, start, length)):
        got = ", ".join(type(v).__name__ for v in (dim, start, length))
        marked = ", ".join(type(v).__name__ if isinstance(v, int | np.integer) else
                           f"!{type(v).__name__}!" for v in (dim, start, length))
        raise TypeError(
            f"narrow() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n * (int dim, Tensor start, int length)\n      didn't match because some "
            f"of the arguments have invalid types: ({marked})\n * (int dim, int start, int "
            f"length)\n      didn't match because some of the arguments have invalid types: "
            f"({marked})\n")
    if t._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    (d,) = _dims(dim, t.ndim)
    size = t._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    start = start % size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    index = (slice(None),) * d + (slice(int(start), int(start + length)),)
    if (t._rg and STATE.enabled) or t._tangent is not None:
        return apply(ops.SLICE, (t,), {"index": index})
    return _plain_view(Tensor._wrap(t._data[index]), t)
