"""In-place updates through a view, as PyTorch does them: ``v = y[0]; v += 1`` changes ``y``.

A view op recorded in a graph (indexing with integers and slices, ``view``, ``t()``, ``expand``
... -- ``ops.VIEWS``) gives its output two rare attributes: ``_base``, the tensor whose memory it
looks into (the first non-view ancestor), and ``_view_steps``, the view ops and parameters that
lead from the base to it. Views share the base's version counter (``InplaceLog``).

When a view is then updated in place with a graph, ``write_back`` does what PyTorch's autograd
does: the base takes the new values at the view's elements and the node ``CopySlices`` (whose
gradient is the upstream one with zeros at those elements for the old base, and the upstream one
at those elements for the new values), and the view becomes a view of the updated base again,
with the node ``AsStridedBackward0``.
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import ops

# One view op whose ``index`` parameter says where its elements are, as the base's own index.
_INDEXING = (ops.SELECT, ops.SLICE, ops.ALIAS)


def remember(out, t, op, params) -> None:
    """``out = op(t, **params)`` is a view of ``t``: note its base and how to find it again."""
    base = t._base
    if base is None:
        out._base, out._view_steps = t, ((op, params),)
    else:
        out._base, out._view_steps = base, (*t._view_steps, (op, params))


def region(v) -> tuple:
    """Where the view ``v``'s elements are in its base, as an index into the base."""
    steps = v._view_steps
    if len(steps) == 1 and steps[0][0] in _INDEXING:
        return steps[0][1]["index"]
    base = v._base._data
    positions = ops.replay(np.arange(base.size).reshape(base.shape), steps)
    if len(np.unique(positions)) != positions.size:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    return np.unravel_index(positions, base.shape)


def write_back(v) -> None:
    """``v``, a view, has just taken a new value and node from an in-place update: put that value
    into its base (node ``CopySlices``), then make ``v`` a view of the new base again."""
    from autodiff_repl.engine import functions as F
    from autodiff_repl.engine.tensor import _alias, take_node

    base = v._base
    index = region(v)
    keep = np.ones(base._data.shape, dtype=bool)
    keep[index] = False
    value = F.to(_alias(v), F.dtypes.from_numpy(base._data.dtype))
    updated = F.apply(ops.INDEX_PUT, (_alias(base), value), {"index": index, "keep": keep})
    base._data, base._tangent = updated._data, updated._tangent
    if updated._node is not None:
        take_node(base, updated)
    view = F.apply(ops.AS_STRIDED, (base,), {"index": index, "steps": v._view_steps})
    v._data, v._tangent = view._data, view._tangent
    if view._node is not None:
        take_node(v, view)
