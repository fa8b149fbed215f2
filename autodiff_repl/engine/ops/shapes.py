"""Rows of the op table: shapes and indexing (``view``, ``transpose``, ``x[i]``, ``gather``,
``cat`` ...; all linear: the jvp is the op itself applied to the tangent), in-place writes and
copies (``to``, ``clone``)."""

from __future__ import annotations

import math

import numpy as np

from autodiff_repl.engine.ops.row import (
    LINEAR,
    Op,
    Sample,
    _engine,
    _public,
    _row,
)


def _back_to_shape(m, g, x, out, **params):
    return m.reshape(g, x.shape)


def _reshaping(name, grad_fn, expr, samples) -> Op:
    """Ops that only change the shape (to the ``shape`` parameter): the gradient is reshaped
    back."""
    return _row(name, grad_fn, lambda x, shape: np.reshape(x, shape), (_back_to_shape,), LINEAR,
                expr, ("1",), samples=samples, says=("{up} reshaped back to {in_shape}",))


VIEW = _reshaping("view", "ViewBackward0", "{0} reshaped to ({shape})",
                  (Sample(((2, 3),), call=lambda x: x.view(3, 2)),
                   Sample(((2, 3),), {"shape": (6,)}, _public("reshape")),
                   Sample(((4,),), call=lambda x: x.reshape(2, -1))))
RESHAPE_ALIAS = _reshaping("reshape_alias", "ReshapeAliasBackward0", "{0} reshaped to ({shape})",
                           (Sample(((2, 3),), call=lambda x: x.t().reshape(3, 2, 1)),))
UNSAFE_VIEW = _reshaping("unsafe_view", "UnsafeViewBackward0", "{0} reshaped to ({shape})",
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
