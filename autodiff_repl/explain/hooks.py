"""Tensor hooks (``register_hook``) seen by a traced backward: what each one changed.

A hook may replace the gradient of the tensor it is registered on; everything the backward does
after it uses the replacement. The engine runs a non-leaf's hooks before its node's formulas and a
leaf's hooks just before adding into ``.grad``. ``watching(view)`` puts a watcher first and last
in the hook list of every node and leaf of the graph that has hooks, for the duration of one
backward, so the trace knows the gradient each hook received and the one it passed on; the lists
are restored afterwards (the learner's hooks themselves are not touched or re-run).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np


@dataclass
class HookRun:
    """The learner's hooks on one tensor, as they ran in one backward."""

    count: int  # how many hooks are registered on it
    before: np.ndarray | None = None  # the gradient the chain rule delivered
    after: np.ndarray | None = None  # what the hooks passed on (None: they did not run)

    @property
    def changed(self) -> bool:
        return self.after is not None and changed(self.before, self.after)


def changed(before, after) -> bool:
    """Whether hooks returned a gradient different from the one they received."""
    return not (np.shape(before) == np.shape(after)
                and bool(np.array_equal(before, after, equal_nan=True)))


def hook_list(item):
    """The hook list (possibly empty or None) for a graph item: a node's or a leaf tensor's."""
    if item.is_leaf:
        variable = item.node.variable
        return None if variable is None else variable._hooks
    return getattr(item.node, "hooks", None)


def _array(g) -> np.ndarray:
    return np.array(getattr(g, "_data", g), copy=True)


@contextmanager
def watching(view):
    """Within the block, every hooked item of ``view`` reports into the yielded dict
    (``item.key`` -> ``HookRun``)."""
    runs: dict[int, HookRun] = {}
    installed = []
    for item in view.items:
        hooks = hook_list(item)
        if not hooks:
            continue
        run = runs[item.key] = HookRun(len(hooks))

        def first(g, run=run):
            run.before = _array(g)

        def last(g, run=run):
            run.after = _array(g)

        hooks.insert(0, first)
        hooks.append(last)
        installed.append((hooks, first, last))
    try:
        yield runs
    finally:
        for hooks, first, last in installed:
            for watcher in (first, last):
                if any(h is watcher for h in hooks):
                    hooks.remove(watcher)
