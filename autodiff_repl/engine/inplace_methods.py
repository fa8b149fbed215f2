"""Tensor's in-place methods: ``add_``, ``zero_``, ``+=``, ``t[i] = v`` ... and the rules they share
(``_check_inplace``: no in-place update of a leaf that requires grad; ``_inplace``: the update
itself, in the same memory or with a new node).

``tensor.py`` makes these methods ``Tensor``'s own; the version counter they feed is ``inplace``.
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import dtypes, ops, shapes, views
from autodiff_repl.engine import functions as F
from autodiff_repl.engine.grad_mode import STATE
from autodiff_repl.engine.graph import AccumulateGrad, _next_seq
from autodiff_repl.engine.inplace import INPLACE, take_node
from autodiff_repl.engine.messages import (
    LEAF_INPLACE,
    NO_GRAD_VIEW_INPLACE,
    VIEW_OF_LEAF_INPLACE,
)
from autodiff_repl.engine.tensor import Tensor


class InplaceMethods:
    """The in-place methods of ``Tensor`` (a namespace: ``tensor.py`` copies them onto it)."""

    def _check_inplace(self, view_message: bool = False) -> None:
        """PyTorch's refusal to update a leaf that requires grad (or a view of one) in place."""
        if not (self._rg and STATE.enabled):
            return
        if self._no_grad_view:
            raise RuntimeError(NO_GRAD_VIEW_INPLACE)
        node = self._node
        if node is None:
            raise RuntimeError(VIEW_OF_LEAF_INPLACE if view_message else LEAF_INPLACE)
        if self._base is not None and not view_message:  # (t[...] = v: shapes.setitem checks)
            views.check_inplace(self)  # a piece from split, chunk or unbind, or a view of one
        while type(node) is not AccumulateGrad and node.op in ops.VIEWS:
            node = node.parents[0]
        if type(node) is AccumulateGrad:
            raise RuntimeError(VIEW_OF_LEAF_INPLACE)

    def _inplace(self, fn, *args) -> Tensor:
        """Update this tensor to ``fn(its value, *args)``, as PyTorch's ``add_``, ``-=`` ... do.

        Without a graph the new values are written into the same memory, so views such as
        ``x.data`` see them. With a graph the tensor takes the new node: ``y *= 2`` on a non-leaf
        gives ``y`` the grad_fn ``MulBackward0`` whose input is the old ``y``.
        """
        self._check_inplace()
        result = fn(_alias(self), *args)
        if result._data.dtype != self._data.dtype and not np.can_cast(
                result._data.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(f"result type {dtypes.from_numpy(result._data.dtype).short} "
                               f"can't be cast to the desired output type {self.dtype.short}")
        INPLACE.record(self, self._node)
        if result._node is None:
            np.copyto(self._data, np.broadcast_to(result._data, self._data.shape),
                      casting="unsafe")
        else:  # new memory, laid out as the old (a transposed tensor stays transposed)
            data = np.empty_like(self._data)
            np.copyto(data, np.broadcast_to(result._data, data.shape), casting="unsafe")
            self._data = data
            take_node(self, result)
            if result._node.out is not None:  # PyTorch saves the output as of this update
                result._node.out_saved_at = _next_seq()
            if self._base is not None or self._views is not None:
                views.updated(self)  # a view's update goes into its base; views see the base's
        self._tangent = result._tangent
        return self

    def zero_(self) -> Tensor:
        self._check_inplace()
        if (self._rg and STATE.enabled) or self._tangent is not None:
            return self._inplace(lambda s: shapes.filled(ops.ZERO, s, 0))  # node ZeroBackward0
        INPLACE.record(self, self._node)
        self._data[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        from autodiff_repl.engine.creation import checked_fill
        self._check_inplace()
        value = checked_fill(value, self.dtype)
        if (self._rg and STATE.enabled) or self._tangent is not None:
            return self._inplace(lambda s: shapes.filled(ops.FILL, s, value))
        INPLACE.record(self, self._node)
        self._data[...] = value
        return self

    def copy_(self, src) -> Tensor:
        return self._inplace(shapes.copy, src)

    def normal_(self, mean=0.0, std=1.0) -> Tensor:
        from autodiff_repl.engine import creation
        self._check_inplace()
        INPLACE.record(self, self._node)
        creation.RNG.normal_(self._data, mean, std)
        return self

    def uniform_(self, a=0.0, b=1.0) -> Tensor:
        from autodiff_repl.engine import creation
        self._check_inplace()
        INPLACE.record(self, self._node)
        creation.RNG.uniform_(self._data, a, b)
        return self

    def add_(self, other, alpha=1):
        return self._inplace(lambda s, o: F.add(s, o, alpha), other)

    def sub_(self, other, alpha=1):
        return self._inplace(lambda s, o: F.sub(s, o, alpha), other)

    def mul_(self, other):
        return self._inplace(lambda s, o: s * o, other)

    def div_(self, other):
        return self._inplace(lambda s, o: s / o, other)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda s: F.clamp(s, min, max))

    def pow_(self, exponent):
        return self._inplace(F.pow, exponent)

    def square_(self):
        return self._inplace(F.square)

    def masked_fill_(self, mask, value):
        return self._inplace(F.masked_fill, mask, value)

    def sqrt_(self):
        return self._inplace(F.sqrt)

    def exp_(self):
        return self._inplace(F.exp)

    def log_(self):
        return self._inplace(F.log)

    def neg_(self):
        return self._inplace(F.neg)

    def abs_(self):
        return self._inplace(F.abs)

    def sigmoid_(self):
        return self._inplace(F.sigmoid)

    def tanh_(self):
        return self._inplace(F.tanh)

    def relu_(self):
        return self._inplace(F.relu)

    def sin_(self):
        return self._inplace(F.sin)

    def cos_(self):
        return self._inplace(F.cos)

    def reciprocal_(self):
        return self._inplace(F.reciprocal)

    def floor_(self):
        return self._inplace(F.floor)

    def ceil_(self):
        return self._inplace(F.ceil)

    def round_(self, *, decimals=0):
        return self._inplace(lambda s: F.round(s, decimals=decimals))

    def trunc_(self):
        return self._inplace(F.trunc)

    def clamp_min_(self, min):
        return self._inplace(F.clamp_min, min)

    def clamp_max_(self, max):
        return self._inplace(F.clamp_max, max)

    def lerp_(self, end, weight):
        return self._inplace(F.lerp, end, weight)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return self._inplace(lambda s: F.addcmul(s, tensor1, tensor2, value=value))

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return self._inplace(lambda s: F.addcdiv(s, tensor1, tensor2, value=value))

    def bernoulli_(self, p=0.5) -> Tensor:
        """Fill with 0s and 1s: 1 with probability ``p`` (a number, or a tensor of them)."""
        from autodiff_repl.engine import sampling
        self._check_inplace()
        INPLACE.record(self, self._node)
        sampling.fill_bernoulli(self, p)
        return self

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __setitem__(self, index, value) -> None:
        self._check_inplace(view_message=True)  # PyTorch writes through a view of self
        producer = self._node
        shapes.setitem(self, index, value)
        INPLACE.record(self, producer)
        if self._node is not producer and (self._base is not None or self._views is not None):
            views.updated(self)


def _alias(t: Tensor) -> Tensor:
    """A second tensor object for ``t``'s current value and node (the input of an update)."""
    a = Tensor._wrap(t._data)
    a._node, a._rg, a._leaf, a._tangent = t._node, t._rg, t._grad_leaf(), t._tangent
    return a
