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

Ops that return several views at once (``split``, ``chunk``, ``unbind``, iterating over a tensor;
``ops.MULTIPLE_VIEWS``) are stricter in PyTorch, and so here. Their pieces, and views of them, are
remembered as views too (also of a leaf), with the base's version count at the time
(``_view_version``). With grad mode on, updating such a view in place is refused
(``check_inplace``). Updating the base or another of its views in place (even under no_grad, or
through a ``detach()``ed alias) makes their grad_fn invalid: the values still follow the base,
but reading the grad_fn -- its repr shows ``grad_fn=<Invalid>``, and using the view in a graph or
in a backward reads it -- raises PyTorch's error (``check_grad_fn``).
"""

from __future__ import annotations

import weakref

import numpy as np

from autodiff_repl.engine import ops
from autodiff_repl.engine.grad_mode import STATE

# One view op whose ``index`` parameter says where its elements are, as the base's own index.
_INDEXING = (ops.SELECT, ops.SLICE, ops.ALIAS)

MULTIPLE_VIEWS_INPLACE = (
    "Output {} of {} is a view and {} modified inplace. This view is the output of a function "
    "that returns multiple views. Such functions do not allow the output views to be modified "
    "inplace. You should replace the inplace operation by an out-of-place one.")
_BEING = "is being"
_BASE_CHANGED = "its base or another view of its base has been"


class _Seen:
    """Whether a view from an op that returns several views was ever made: until then no input
    of an op needs ``check_inputs``."""

    def __init__(self) -> None:
        self.multiple_views = False  # on the instance: read by every recorded op, so quickly


SEEN = _Seen()


def remember(out, t, op, params) -> None:
    """``out = op(t, **params)`` is a view of ``t``: note its base and how to find it again."""
    base = t._base
    if base is None:
        base, steps = t, ((op, params),)
    else:
        steps = (*t._view_steps, (op, params))
    out._base, out._view_steps = base, steps
    out._view_version = len(base._versions) if base._versions else 0
    if op in ops.MULTIPLE_VIEWS:
        SEEN.multiple_views = True
    if base._views is None:  # by id: a tensor's == is elementwise, not identity
        base._views = weakref.WeakValueDictionary()
    base._views[id(out)] = out


def from_multiple_views(v) -> bool:
    """Whether ``v`` is a piece from an op that returns several views, or a view of one."""
    return v._base is not None and any(op in ops.MULTIPLE_VIEWS for op, _ in v._view_steps)


def invalidated(v) -> bool:
    """Whether ``v``, a view as in ``from_multiple_views``, has lost its grad_fn: its base or
    another view of its base was updated in place since ``v`` was made."""
    if not from_multiple_views(v):
        return False
    versions = v._base._versions
    return (len(versions) if versions else 0) != v._view_version


def check_grad_fn(v) -> None:
    """PyTorch's error for reading the grad_fn of an invalidated view (``invalidated``)."""
    if invalidated(v):
        raise RuntimeError(_multiple_views_message(v._node, _BASE_CHANGED))


def check_inputs(inputs) -> None:
    """``check_grad_fn`` for the inputs of an op that records a graph (it reads their grad_fn)."""
    for t in inputs:
        if t._rg and t._base is not None:
            check_grad_fn(t)


def check_inplace(t, written: str | None = None) -> None:
    """PyTorch's refusal, with grad mode on, to update in place a view as in
    ``from_multiple_views`` that requires grad. ``written`` names the view that ``t[...] = v``
    writes through, when it writes through one (``Select``, ``Slice``...): that view's output 0
    is the one refused."""
    if t._rg and STATE.enabled and from_multiple_views(t):
        if written is not None:
            raise RuntimeError(MULTIPLE_VIEWS_INPLACE.format(0, written, _BEING))
        raise RuntimeError(_multiple_views_message(t._node, _BEING))


def _multiple_views_message(node, what: str) -> str:
    """The message for the output of ``node``: the number of the piece for split and unbind (for
    unbind: its index along the dim), else 0."""
    from autodiff_repl.engine.inplace import _BACKWARD_SUFFIX

    output = node.params.get("i", node.params["index"][-1]) if node.op in ops.MULTIPLE_VIEWS \
        else 0
    return MULTIPLE_VIEWS_INPLACE.format(output, _BACKWARD_SUFFIX.sub("", node.label), what)


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
    from autodiff_repl.engine.inplace import take_node
    from autodiff_repl.engine.inplace_methods import _alias

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
    """``v`` becomes a view of its base's current value: node ``AsStridedBackward0`` (a view as
    in ``from_multiple_views`` only takes the values: its grad_fn is invalid now)."""
    from autodiff_repl.engine import functions as F
    from autodiff_repl.engine.inplace import take_node

    if from_multiple_views(v):
        v._data = np.asarray(ops.replay(base._data, v._view_steps))
        return
    view = F.apply(ops.AS_STRIDED, (base,), {"index": region(v), "steps": v._view_steps})
    v._data, v._tangent = view._data, view._tangent
    if view._node is not None:
        take_node(v, view)
