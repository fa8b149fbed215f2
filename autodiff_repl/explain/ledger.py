"""The accumulation ledger: every backward that wrote into a leaf's ``.grad``, in order.

``trace.backward`` records each write here (``record``); ``history(x, "x")`` returns the story of
``x.grad`` -- ``[0, 4, 8, 12]`` then ``+ [1, 1, 1, 1] = [1, 5, 9, 13]`` -- including changes made
between backwards (``x.grad.zero_()``, assignment), found by comparing what a backward found in
``.grad`` with what the previous one left there. Tensors are held weakly: a ledger never keeps a
tensor alive.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field

import numpy as np

from autodiff_repl.explain import text
from autodiff_repl.explain.text import Block, line


@dataclass(frozen=True)
class Entry:
    number: int  # the how-manieth backward of the session
    root: str  # what was differentiated
    old: np.ndarray | None
    new: np.ndarray
    result: np.ndarray


@dataclass
class History:
    name: str
    entries: list[Entry] = field(default_factory=list)
    current: np.ndarray | None = None

    def blocks(self) -> list[Block]:
        lines = []
        last = None
        for e in self.entries:
            if not _same(last, e.old):
                was = "None" if e.old is None else text.array(e.old)
                lines.append(line(("changed between backwards: ", "bad"),
                                  f"{_shown(last)} → {was} (zero_(), assignment or .grad = None)"))
            head = (f"backward #{e.number} of {e.root}: ", "name")
            if e.old is None:
                lines.append(line(head, (text.array(e.new), "grad")))
            else:
                lines.append(line(head, (text.array(e.old), "value"), " + ",
                                  (text.array(e.new), "grad"), " = ",
                                  (text.array(e.result), "grad")))
            last = e.result
        if self.entries and not _same(last, self.current):
            lines.append(line(("changed since: ", "bad"),
                              f"{_shown(last)} → {_shown(self.current)}"))
        if not self.entries:
            lines.append(line((f"no traced backward has written into {self.name}.grad", "dim")))
        lines.append(line((f"now {self.name}.grad = {_shown(self.current)}", "note")))
        hint = line(("hint: ", "hint"), "PyTorch adds each backward into .grad (MXNet and "
                    f"TensorFlow overwrite); zero it with {self.name}.grad.zero_() between steps")
        return [Block(f"history of {self.name}.grad", tuple(lines)), Block("", (hint,))]

    def plain(self) -> str:
        return text.plain_blocks(self.blocks())


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))


def _shown(a) -> str:
    return "None" if a is None else text.array(a)


class Ledger:
    """Writes into ``.grad`` per leaf tensor (weakly keyed)."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, list[Entry]]] = {}
        self._count = itertools.count(1)

    def record(self, tr) -> None:
        """Note the leaf writes of a backward ``Trace``."""
        number = next(self._count)
        for step in tr.steps:
            tensor = getattr(step, "tensor", None)
            if step.expr is not None or not step.stores or step.result is None or tensor is None:
                continue
            key = id(tensor)
            ref, entries = self._entries.get(key, (None, None))
            if ref is None or ref() is not tensor:
                entries = []
                self._entries[key] = (weakref.ref(tensor, lambda _, k=key: self._drop(k)),
                                      entries)
            entries.append(Entry(number, tr.root, step.old, np.array(step.used),
                                 step.result))

    def _drop(self, key: int) -> None:
        self._entries.pop(key, None)

    def history(self, tensor, name: str) -> History:
        ref, entries = self._entries.get(id(tensor), (None, []))
        if ref is None or ref() is not tensor:
            entries = []
        grad = None if tensor._grad is None else np.array(tensor._grad._data)
        return History(name, list(entries), grad)


LEDGER = Ledger()


def history(tensor, name: str) -> History:
    """``grad x --history``: every traced backward that wrote into ``x.grad``."""
    return LEDGER.history(tensor, name)
