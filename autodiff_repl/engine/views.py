"""In-place updates and views, as PyTorch does them: ``v = y[0]; v += 1`` changes ``y``, and
``y += 1`` changes ``v``.

A view op recorded in a graph (indexing with integers and slices, ``view``, ``t()``, ``expand``
... -- ``ops.VIEWS``) on a tensor that is not a leaf gives its output two rare attributes:
``_base``, the tensor whose memory it looks into (the first non-view ancestor), and
``_view_steps``, the view ops and parameters that lead from the base to it; the base keeps weak
references to its views (``_views``). Views share the base's version counter (``InplaceLog``).

When a view is updated in place with a graph, ``updated`` does what PyTorch's autograd does: the
base takes the new values at the view's elements and the node ``CopySlices`` (its gradient is the
upstream one with zeros at those elements for the old base, and the upstream one at those elements
for the new values). Then, as after an in-place update of the base itself, every live view of the
base becomes a view of its new value, with the node ``AsStridedBackward0``.
"""

from __future__ import annotations

import weakref

import numpy as np

from autodiff_repl.engine import ops

# One view op whose ``index`` parameter says where its elements are, as the base's own index.
_INDEXING = (ops.SELECT, ops.SLICE, ops.ALIAS)


def remember(out, t, op, params) -> None:
    """``out = op(t, **params)`` is a view of ``t``: note its base and how to find it again."""
    base = t._base
    if base is None:
        base, steps = t, ((op, params),)
    else:
        steps = (*t._view_steps, (op, params))
    out._base, out._view_steps = base, steps
    if base._views is None:  # by id: a tensor's == is elementwise, not identity
        base._views = weakref.WeakValueDictionary()
    base._views[id(out)] = out


def region(v) -> tuple:
    """Where the view ``v``'s elements are in its base, as an index into the base (an element
    of the base may appear more than once, in an ``expand``)."""
    steps = v._view_steps
    if len(steps) == 1 and steps[0][0] in _INDEXING:
        return steps[0][1]["index"]
    base = v._base._data
    positions = ops.replay(np.arange(base.size).reshape(base.shape), steps)
    return np.unravel_index(positions, base.shape)


def _overlapping(index, shape) -> bool:
    """Whether an index from ``region`` names an element of the base more than once."""
    if not (index and isinstance(index[0], np.ndarray)):
        return False  # a basic index (integers, slices) names each element once
    flat = np.ravel_multi_index(index, shape).ravel()
    return np.unique(flat).size != flat.size


def updated(t) -> None:
    """``t`` has just taken a new value and node from an in-place update with a graph: if it is a
    view, put that value into its base; then make every view of the base a view of its new
    value."""
    base = t._base
    if base is not None:
        _write_into_base(t, base)
    else:
        base = t
    for view in list(base._views.values()) if base._views is not None else ():
        _refresh(view, base)


def _write_into_base(v, base) -> None:
    """The base takes ``v``'s new values at ``v``'s elements: node ``CopySlices``."""
    from autodiff_repl.engine import functions as F
    from autodiff_repl.engine.tensor import _alias, take_node

    index = region(v)
    if _overlapping(index, base._data.shape):
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    keep = np.ones(base._data.shape, dtype=bool)
    keep[index] = False
    value = F.to(_alias(v), F.dtypes.from_numpy(base._data.dtype))
    new = F.apply(ops.INDEX_PUT, (_alias(base), value), {"index": index, "keep": keep})
    base._data, base._tangent = new._data, new._tangent
    if new._node is not None:
        take_node(base, new)


def _refresh(v, base) -> None:
    """``v`` becomes a view of its base's current value: node ``AsStridedBackward0``."""
    from autodiff_repl.engine import functions as F
    from autodiff_repl.engine.tensor import take_node

    view = F.apply(ops.AS_STRIDED, (base,), {"index": region(v), "steps": v._view_steps})
    v._data, v._tangent = view._data, view._tangent
    if view._node is not None:
        take_node(v, view)
