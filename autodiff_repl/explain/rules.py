"""How an op sends a gradient back, in words, from the op table's ``says`` templates.

``rule(op, i, up, labels, params, in_shape)`` gives the text for input ``i``, such as
``∂y/∂t1 · Wᵀ`` or ``2 copied to every element of x``; ``None`` means the op has no such words
and the trace shows ``up · formula`` (its local derivative per element).
"""

from __future__ import annotations

import string

from autodiff_repl.explain import text
from autodiff_repl.explain.absent import without


class _Fields(dict):
    """The named fields of a template: the upstream text, the input's shape, the op's
    parameters (formatted only when a template uses them)."""

    def __init__(self, up: str, in_shape, params: dict) -> None:
        super().__init__(up=up, in_shape=text.shape(in_shape))
        self.params = params

    def __missing__(self, key: str) -> str:
        return text.param(self.params[key])


def rule(op, i: int, up: str, labels: list[str], params: dict, in_shape) -> str | None:
    if not op.says:
        return None
    template = without(op.says[0] if op.variadic else op.says[i], params)
    return string.Formatter().vformat(template, labels, _Fields(up, in_shape, params))
