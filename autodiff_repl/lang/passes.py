"""The backward passes a session ran, remembered so a hint can name the one that freed a graph.

A pass is a call of ``y.backward()``, ``torch.autograd.grad(...)`` or
``torch.autograd.backward(...)``, or one of the commands ``backward y`` and ``grad y x``. When it
leaves its outputs' graph freed (it ran without ``retain_graph=True``), ``Passes.add`` keeps the
text of the call and weak references to the outputs' ``grad_fn`` nodes. When a later pass meets
the freed values, ``Passes.freeing(y)`` names the latest pass that went through them: that is
the pass that needed ``retain_graph=True`` (``y.backward()`` before
``torch.autograd.grad(y, x, create_graph=True)``), not the one that failed. ``observers`` are
told of every pass, freed or not (the lessons count the passes that reach each ``.grad``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from autodiff_repl.engine import Tensor
from autodiff_repl.engine.backprop import backward, grad
from autodiff_repl.engine.graph import reachable

KEEP = 20
"""How many passes are remembered (the latest ones)."""


@dataclass(frozen=True)
class Pass:
    """A pass that freed a graph: the call as the learner wrote it, and the nodes it freed."""

    call: str
    freed: tuple[weakref.ref, ...]


class Passes:
    """The latest passes of a session that freed a graph, oldest first."""

    def __init__(self) -> None:
        self._passes: list[Pass] = []
        self.observers: list[Callable[[str, tuple], object]] = []
        """Called as ``observer(call, outputs)`` after every pass that ran without error."""

    def add(self, call: str, outputs) -> None:
        """Tell the observers of ``call``; remember it if it left the graph of any of
        ``outputs`` (tensors) freed."""
        for observer in self.observers:
            observer(call, outputs)
        roots = [t.grad_fn for t in outputs if isinstance(t, Tensor) and t.grad_fn is not None
                 and t.grad_fn.freed]
        if roots:
            freed = [n for n in reachable(*roots) if n.freed]
            self._passes.append(Pass(call, tuple(weakref.ref(n) for n in freed)))
            del self._passes[:-KEEP]

    def freeing(self, y) -> str | None:
        """The call of the latest remembered pass through the freed part of ``y``'s graph."""
        if not isinstance(y, Tensor) or y.grad_fn is None:
            return None
        freed = {id(n) for n in reachable(y.grad_fn) if n.freed}
        for done in reversed(self._passes):
            if any(id(node) in freed for node in (ref() for ref in done.freed)
                   if node is not None):
                return done.call
        return None


def outputs_of(func, args: tuple, kwargs: dict) -> tuple | None:
    """The tensors a call of ``func`` runs a backward pass from; None when it runs none."""
    if getattr(func, "__func__", None) is Tensor.backward:
        return (func.__self__,)
    if func is grad:
        first = args[0] if args else kwargs.get("outputs")
    elif func is backward:
        first = args[0] if args else kwargs.get("tensors")
    else:
        return None
    return tuple(first) if isinstance(first, list | tuple) else (first,)
