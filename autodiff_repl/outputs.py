"""Output events: what executing code produced, as plain data.

``Session.execute`` returns a list of these; ``render`` turns them into rich renderables or
plain text. Nothing here knows about terminals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Echo:
    """The repr of a bare expression statement's value, as Python's console prints it."""

    text: str


@dataclass(frozen=True)
class Printed:
    """Text written by ``print()`` (without the final newline)."""

    text: str


@dataclass(frozen=True)
class Error:
    """A failed statement: ``type: message`` then ``hint:`` lines.

    ``line``/``col`` (1-based) locate the error in the submitted text when known;
    ``source`` is that line of text, so a caret can be drawn under ``col``.
    """

    type: str
    message: str
    hints: tuple[str, ...] = ()
    line: int | None = None
    col: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Warning:  # shadows the builtin on purpose: it mirrors Python's category name
    """A warning PyTorch would give, e.g. ``UserWarning: The .grad attribute of a Tensor ...``."""

    category: str
    message: str


@dataclass(frozen=True)
class Hint:
    """A teaching note, printed as ``hint: text``; removed by ``:hints off``."""

    text: str


@dataclass(frozen=True)
class Info:
    """Plain text from a meta command (``:help``, ``:vars`` ...)."""

    text: str


@dataclass(frozen=True)
class Explanation:
    """A graph or a chain-rule trace: ``kind`` names it, ``data`` is the model from ``explain``."""

    kind: str
    data: Any = field(compare=False)


@dataclass(frozen=True)
class Quit:
    """The user asked to leave (``:quit``)."""


Output = Echo | Printed | Error | Warning | Hint | Info | Explanation | Quit
