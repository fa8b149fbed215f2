"""Forward-mode automatic differentiation with dual tensors (``torch.autograd.forward_ad``).

Inside ``dual_level()``, ``make_dual(x, t)`` gives ``x`` a tangent ``t``; every operation then also
computes its output's tangent from the op table's jvp rules, in the same forward sweep, and
``unpack_dual(y).tangent`` reads it: the directional derivative of ``y`` along ``t``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from autodiff_repl.engine.functions import FORWARD
from autodiff_repl.engine.tensor import Tensor

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class dual_level:
    """A scope for dual tensors; tangents are dropped when it closes."""

    def __enter__(self):
        FORWARD.active += 1
        self._made: list = []
        _LEVELS.append(self)
        return self

    def __exit__(self, *exc):
        FORWARD.active -= 1
        _LEVELS.pop()
        for t in self._made:
            t._tangent = None


_LEVELS: list = []


def make_dual(tensor: Tensor, tangent: Tensor, *, level=None) -> Tensor:
    if not FORWARD.active:
        raise RuntimeError("To create a dual Tensor, you need to be inside a dual_level() context")
    if tangent.shape != tensor.shape:
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than that "
                           f"of the original Tensor, this is not supported. Tensor is of size "
                           f"{tensor.shape} while the given forward gradient is of size "
                           f"{tangent.shape}.")
    dual = Tensor._wrap(tensor._data)
    dual._node, dual._rg, dual._leaf = tensor._node, tensor._rg, tensor._grad_leaf()
    dual._tangent = np.asarray(tangent._data, dtype=tensor._data.dtype)
    _LEVELS[-1]._made.append(dual)
    return dual


def unpack_dual(tensor: Tensor, *, level=None) -> UnpackedDualTensor:
    tangent = tensor._tangent
    primal = Tensor._wrap(tensor._data)
    primal._node, primal._rg = tensor._node, tensor._rg
    return UnpackedDualTensor(primal, None if tangent is None else Tensor._wrap(tangent))
