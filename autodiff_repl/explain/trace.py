"""The chain rule, step by step: ``backward y``, ``grad y x`` and forward mode (``jvp``).

    trace.backward(y, names)          # runs the real y.backward(); .grad accumulates as usual
    trace.grad(y, x, names)           # like torch.autograd.grad(y, x): .grad is left alone
    trace.forward(y, x, v, names)     # tangents in forward order along v (ones when None)

Every ``backward`` is also noted in ``ledger`` (``ledger.history(x, "x")`` tells the story of
``x.grad`` across backwards).

Each returns a ``Trace`` (see ``trace_model``) whose ``plain()`` is stable text. Engine errors
(a non-scalar output without ``gradient``, a second backward through freed values …) are raised
unchanged, before anything is explained.
"""

from __future__ import annotations

from autodiff_repl.explain import forward as _forward
from autodiff_repl.explain import ledger, reverse
from autodiff_repl.explain.trace_model import Trace


def backward(y, names: dict, gradient=None, retain_graph: bool = False) -> Trace:
    """Run ``y.backward(gradient, retain_graph)`` and explain every step."""
    tr = reverse.run("backward", y, names, gradient=gradient, retain_graph=retain_graph)
    ledger.LEDGER.record(tr)
    return tr


def grad(y, xs, names: dict, create_graph: bool = False) -> Trace:
    """``torch.autograd.grad(y, xs, create_graph=…)`` explained; ``Trace.results`` holds the
    gradients (with a graph of their own when ``create_graph``)."""
    return reverse.run("grad", y, names, create_graph=create_graph, xs=xs)


def forward(y, x, v, names: dict) -> Trace:
    """Forward mode: the tangent of ``y`` along ``v`` on ``x`` (``v`` None: ones)."""
    return _forward.run(y, x, v, names)


__all__ = ["Trace", "backward", "forward", "grad"]
