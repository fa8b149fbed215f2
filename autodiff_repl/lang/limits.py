"""The limits that keep a session alive: every one is configurable and named in its error.

A learner's typo (``ones(10**9)``, ``9**9**9``, ``while True: pass``) must give a clear error in a
moment, never hang the terminal, eat the machine's memory or lose the session's variables. Each
limit below is checked *before* the work it guards is done.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields, replace


class LimitError(RuntimeError):
    """A statement would pass one of the session's limits (shown as ``LimitError: ...``)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Limits:
    """The session's limits; ``Limits(max_loop_iterations=10)`` changes one, keeps the rest."""

    max_elements: int | None = 10_000_000
    """Elements in one tensor or array (the engine checks this before allocating; None: no
    limit)."""
    max_loop_iterations: int = 100_000
    """Loop iterations (``for``, ``while``, comprehensions) in one top-level statement."""
    max_call_depth: int = 200
    """Nested calls of functions defined in the session (recursion depth)."""
    max_int_bits: int = 10_000
    """Bits in an integer result (about 3,000 decimal digits); guards ``**``, ``<<``, ``*``."""
    max_sequence_length: int = 1_000_000
    """Items in a list, tuple or dict, characters in a string, made by one operation."""
    max_format_width: int = 1_000
    """Width and precision in a format spec (``f'{x:>1000}'``)."""
    max_output_chars: int = 1_000_000
    """Characters printed by one statement."""
    max_input_chars: int = 100_000
    """Characters in one input (a line, a pasted cell, or a script)."""
    max_nesting_depth: int = 100
    """Depth of the syntax tree (brackets, operators, blocks nested in one another)."""
    max_nodes: int = 100_000
    """Nodes in the syntax tree of one input."""
    time_per_statement: float = 10.0
    """Seconds one top-level statement may run."""
    max_memory_growth: int = 1024**3
    """Bytes the process may grow by during one statement (checked in loops, on Linux)."""

    def with_(self, **changes) -> Limits:
        """A copy with some limits changed."""
        return replace(self, **changes)

    def describe(self) -> str:
        """One line per limit, for ``:help limits``."""
        lines = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                shown = "none"
            elif f.name == "max_memory_growth":
                shown = f"{value / 1024**3:g} GiB"
            else:
                shown = f"{value:,}" if isinstance(value, int) else f"{value:g} s"
            lines.append(f"  {f.name:<22} {shown}")
        return "\n".join(lines)


DEFAULT = Limits()


def take(iterable, cap: int) -> list:
    """``list(iterable)``, but a LimitError instead of reading more than ``cap`` items."""
    if isinstance(iterable, list | tuple | dict | set | str | range) and len(iterable) > cap:
        raise LimitError(f"{len(iterable):,} items are more than the limit of {cap:,}")
    items = list(itertools.islice(iterable, cap + 1))
    if len(items) > cap:
        raise LimitError(f"more than {cap:,} items; that is the limit")
    return items


def resident_bytes() -> int | None:
    """The process's resident memory now (Linux ``/proc``), or None where unknown."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


try:
    import os as _os
    _PAGE = _os.sysconf("SC_PAGE_SIZE")
except (ImportError, ValueError, AttributeError, OSError):
    _PAGE = 4096
