"""Lesson narration rewrapped to the terminal's width: the lesson guide and ``autodiff run`` of a
lesson both print it through ``reflow``.

Prose has its own rule, apart from ``explain.wrap`` (errors, hints, traces): a line of prose breaks
between words, keeping a backquoted span, a call's brackets (``f(a, b)``) and an operator with its
operands (``x.grad == 4 * x``) on one line when they fit; continuation lines start at the margin.
"""

from __future__ import annotations

import re

MAX_WIDTH = 100
"""Prose is wrapped at the terminal's width, but no wider than this (long lines read badly)."""

_ITEM = re.compile(r"([-*•]|\d+[.)]) ")
_CALL_OPEN = re.compile(r"[\w)\]]$")
_OPERATORS = frozenset({"=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "**", "@",
                        "·"})


def _words(paragraph: str, longest: int) -> list[str]:
    """The paragraph's words, where a backquoted span, the brackets of a call (``f(a, b)``,
    ``[0, 1]``) or an operator and its operands (``x.grad == 4 * x``) make one word with their
    spaces, as long as it stays within ``longest``."""
    words: list[str] = []
    ticks, stack = False, []  # stack: for each open bracket, whether it holds a word together
    operand = False  # the previous token was an operator: this one is its right operand
    for token in paragraph.split():
        held = ticks or any(stack) or operand or token in _OPERATORS
        operand = token in _OPERATORS
        if held and words and len(words[-1]) + 1 + len(token) <= longest:
            words[-1] += " " + token
        else:
            words.append(token)
        for i, char in enumerate(token):
            if char == "`":
                ticks = not ticks
            elif char in "([":
                stack.append(char == "[" or bool(_CALL_OPEN.search(token[:i])))
            elif char in ")]" and stack:
                stack.pop()
    return words


def _wrap(paragraph: str, width: int) -> list[str]:
    """One paragraph wrapped greedily at ``width``; a longer word gets a line of its own."""
    lines: list[str] = []
    for word in _words(paragraph, max(20, width // 2)):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def reflow(text: str, width: int | None) -> str:
    """Prose rewrapped at ``width`` columns: the lines of a paragraph are joined and wrapped
    again (a list item starts a paragraph); empty lines, indented lines and code (``>>> ``)
    stay as they are. ``width`` None keeps the text as written."""
    if not width:
        return text
    lines: list[str] = []
    paragraph: list[str] = []
    for line in text.split("\n"):
        if paragraph and (not line.strip() or line[:1].isspace() or _ITEM.match(line)
                          or line.startswith((">>>", "..."))):
            lines += _wrap(" ".join(paragraph), width)
            paragraph = []
        if line.strip() and not line[:1].isspace() and not line.startswith((">>>", "...")):
            paragraph.append(line.strip())
        else:
            lines.append(line)
    if paragraph:
        lines += _wrap(" ".join(paragraph), width)
    return "\n".join(lines)
