"""The recorded computation graph: one ``Node`` per operation, one ``AccumulateGrad`` per leaf.

A node is what PyTorch calls a ``grad_fn``: it knows its op (a row of the op table), the nodes of
its inputs (``next_functions``), and only the values its backward needs (``saved``). It holds no
reference to its own output tensor (only a weak one), so graphs never form reference cycles and are
freed as soon as the last tensor using them goes away.
"""

from __future__ import annotations

import itertools

_next_seq = itertools.count().__next__  # numbers nodes in the order they are made


class Recording:
    """``keep_values``: nodes also keep their input and output arrays (``value``, ``inputs``) and a
    weak reference to their output tensor (``output``), so explanations can show every number."""

    def __init__(self) -> None:
        self.keep_values = False  # an instance attribute: read on every operation, and Python
        # reads those faster than a class attribute seen through an instance


RECORDING = Recording()


_PLANS: dict = {}


def _save_plan(op, required: tuple) -> tuple:
    """``op.plan(required)`` for three or more inputs, computed once per pattern."""
    key = (op, required)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = op.plan(required)
    return plan


class Node:
    """A backward function: PyTorch's ``MulBackward0`` and friends."""

    # Set for every node (as slots, which Python reads quickest); the rarely set attributes below
    # live in a per-node dict made only when one is assigned (values kept for explanations).
    __slots__ = ("__dict__", "__weakref__", "freed", "hooks", "kept", "metas", "op", "out",
                 "params", "parents", "retained", "saved", "seq")
    # hooks: tensor hooks on this node's output, fn(grad) -> grad or None, else None
    # retained: a weak reference to the output tensor if it called retain_grad(), else None
    output = None  # with RECORDING.keep_values: weak reference to the output tensor
    value = None  # with RECORDING.keep_values: the output array
    inputs = None  # with RECORDING.keep_values: the input arrays

    def __init__(self, op, inputs, params, out_array, metas=None):
        self.op = op
        self.params = params
        self.freed = False
        self.hooks = self.retained = None  # (read by every backward: slots are read quickest)
        if len(inputs) == 2:  # binary ops, often with a constant: spelled out for speed
            a, b = inputs
            if metas is None:
                da, db = a._data, b._data
                metas = ((da.shape, da.dtype), (db.shape, db.dtype))
            self.metas = metas  # the inputs' (shape, dtype): what backward needs of them
            pa = (a._node or a._edge()) if a._rg else None
            pb = (b._node or b._edge()) if b._rg else None
            self.parents = (pa, pb)
            keep, keep_out, self.kept = op.plans2[(pa is not None) + 2 * (pb is not None)]
            if keep is not None:
                self.saved = (a if keep[0] else None, b if keep[1] else None)
            else:
                self.saved = None
        elif len(inputs) == 1:
            t = inputs[0]
            data = t._data
            self.metas = ((data.shape, data.dtype),)
            self.parents = (t._node or t._edge(),)
            keep, keep_out, self.kept = op.plan1
            self.saved = None if keep is None else inputs
        else:
            parents = tuple([t._edge() if t._rg else None for t in inputs])
            self.parents = parents
            self.metas = tuple([(t._data.shape, t._data.dtype) for t in inputs])
            keep, keep_out, self.kept = _save_plan(op, tuple([p is not None for p in parents]))
            self.saved = None if keep is None else \
                tuple([t if k else None for t, k in zip(inputs, keep, strict=True)])
        self.out = out_array if keep_out else None
        if RECORDING.keep_values:  # for explanations: every value, kept for drawing
            self.value, self.inputs = out_array, tuple(t._data for t in inputs)
        self.seq = _next_seq()  # after the inputs' nodes, which _edge() may have just made

    # --- PyTorch's grad_fn interface ---
    def name(self) -> str:
        return self.op.grad_fn

    @property
    def next_functions(self) -> tuple:
        return tuple((p, 0) for p in self.parents)

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` is not supported; tensor hooks are
        (``x.register_hook``)."""
        raise NotImplementedError("use Tensor.register_hook(fn) to watch a gradient")

    @property
    def label(self) -> str:
        """The name a repr shows: ``CopyBackwards`` for ``torch::autograd::CopyBackwards``."""
        return self.op.grad_fn.rpartition("::")[2]

    def __repr__(self) -> str:
        return f"<{self.label} object at {id(self):#x}>"

    @property
    def has_saved(self) -> bool:
        """Whether this node needed values from the forward pass (so a freed node can't rerun)."""
        return self.kept


class AccumulateGrad:
    """The node at a leaf that requires grad: it adds the incoming gradient into ``leaf.grad``."""

    __slots__ = ("__weakref__", "seq", "variable")

    op = None
    parents = ()
    hooks = None
    freed = False
    has_saved = False

    def __init__(self, leaf):
        self.variable = leaf  # held, as PyTorch holds it: the leaf lives while a graph uses it
        self.seq = _next_seq()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def reachable(*starts) -> list:
    """Every node the graph reaches from ``starts`` through ``parents`` (each once; Nones and
    repeats skipped), without recursion however long the chain."""
    seen = {id(n): n for n in starts if n is not None}
    stack = list(seen.values())
    while stack:
        for parent in stack.pop().parents:
            if parent is not None and id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return list(seen.values())
