"""Errors as the learner sees them: ``Type: message`` plus ``hint:`` lines, never a traceback.

``LangError`` is raised by the language itself (a refused construct, a bad import, a name
starting with ``_``); it carries its own hints and location. ``to_error`` turns any exception a
statement raised (the engine's ``RuntimeError``, Python's ``NameError`` ...) into an
``outputs.Error``, asking ``hints`` for the teaching notes.
"""

from __future__ import annotations

import ast
import re

from autodiff_repl.engine.limits import TensorTooLarge
from autodiff_repl.lang.limits import LimitError
from autodiff_repl.outputs import Error


class LangError(Exception):
    """An error raised by the language (not by the code it runs), e.g. a refused import."""

    def __init__(self, type_: str, message: str, hints: tuple[str, ...] | list[str] = (),
                 node: ast.AST | None = None, *, line: int | None = None,
                 col: int | None = None) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message
        self.hints = tuple(hints)
        self.line = line if line is not None else getattr(node, "lineno", None)
        self.col = col if col is not None else (
            node.col_offset + 1 if node is not None and hasattr(node, "col_offset") else None)


def source_line(text: str, line: int | None) -> str | None:
    """Line number ``line`` (1-based) of ``text``, or None."""
    if line is None:
        return None
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


def with_article(word: str) -> str:
    """``word`` after "a" or "an", as it is spoken: an int, a float, a uint8, an 8-bit number,
    a numpy.ndarray, an AttributeError."""
    w = word.lower()
    digits = re.match(r"\d+", w)
    if digits:
        n = digits.group()
        vowel = n[0] == "8" or (len(n) % 3 == 2 and n[:2] in ("11", "18"))
    else:
        vowel = w[:1] in ("a", "e", "i", "o", "u") and not w.startswith(
            ("uni", "use", "usu", "uint", "ufunc", "one", "eu"))
    return f"{'an' if vowel else 'a'} {word}"


def counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: ``1 item``, ``2 items``, ``1,000 items``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def type_name(exc: BaseException) -> str:
    """The name shown before the colon: Python's or PyTorch's exception type."""
    if isinstance(exc, LangError):
        return exc.type
    if isinstance(exc, TensorTooLarge):
        return "RuntimeError"
    if isinstance(exc, LimitError):
        return "LimitError"
    return type(exc).__name__


def message_of(exc: BaseException) -> str:
    """The text after the colon, as Python would print it."""
    if isinstance(exc, LangError):
        return exc.message
    if isinstance(exc, KeyError) and exc.args:
        return repr(exc.args[0])
    if isinstance(exc, SyntaxError):
        return exc.msg or ""
    return str(exc)


SHOWN_WIDTH = 76
"""The most characters of a source line an error shows; a longer line is cut to a window
around the caret, with … where it was cut."""


def shown_source(source: str | None, col: int | None) -> tuple[str | None, int | None]:
    """``(source, col)`` as an error shows them: a line longer than ``SHOWN_WIDTH`` cut to the
    window around column ``col`` (1-based), marked with … at each cut, ``col`` moved to match."""
    if source is None or col is None or len(source) <= SHOWN_WIDTH:
        return source, col
    width = SHOWN_WIDTH - 2
    start = min(max(0, col - 1 - width // 2), len(source) - width)
    end = start + width
    head = "…" if start > 0 else ""
    tail = "…" if end < len(source) else ""
    return head + source[start:end] + tail, col - start + len(head)


def from_lang_error(exc: LangError, text: str, hints_on: bool = True) -> Error:
    """A static error (parse or check): shown with its source line and a caret."""
    source, col = shown_source(source_line(text, exc.line) if exc.col is not None else None,
                               exc.col)
    return Error(exc.type, exc.message, exc.hints if hints_on else (), exc.line, col, source)


def runtime_error(exc: BaseException, hints: list[str], line: int | None, col: int | None,
                  hints_on: bool = True, source: str | None = None) -> Error:
    """An error raised while running: its type and message, the hints, the line it came from
    (``source``, given for inputs of several lines, makes the caret show which one)."""
    source, col = shown_source(source, col)
    return Error(type_name(exc), message_of(exc), tuple(hints) if hints_on else (), line, col,
                 source)
