"""Text to syntax tree: ``ast.parse`` behind gates on input size, with errors that point.

The gates run first, on the raw text: its length, and no NUL bytes. Python's own parser then gives
the tree or a ``SyntaxError`` (shown with the line and a caret). Pathological nesting can make the
parser itself fail with ``RecursionError`` or ``MemoryError``; those become a clear error too.
Nothing here runs any code.

A script that does not parse as a whole loses only the statement its first syntax error is in:
``syntax_error_cut`` finds that statement, so that ``autodiff run`` reports it and carries on from
the next top-level statement, as a REPL would if each top-level statement were typed on its own.
"""

from __future__ import annotations

import ast
import re
import textwrap

from autodiff_repl.lang.errors import LangError
from autodiff_repl.lang.limits import Limits

_TOO_NESTED = ("SyntaxError", "the input is nested too deeply to read")
_TOO_NESTED_HINT = "split the expression into several statements with intermediate names"


def prepare(text: str) -> str:
    """The text as it will be parsed: a common indentation (from a paste) removed."""
    if text[:1] in (" ", "\t"):
        text = textwrap.dedent(text)
    return text


def parse(text: str, limits: Limits) -> ast.Module:
    """The syntax tree of ``text`` (already ``prepare``d), or ``LangError``."""
    if len(text) > limits.max_input_chars:
        raise LangError("LimitError", f"the input is {len(text):,} characters long; the limit "
                        f"is {limits.max_input_chars:,}",
                        ("split it into smaller pieces, or raise Limits.max_input_chars",))
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise LangError("SyntaxError", "source code cannot contain null bytes",
                        ("remove the NUL character (\\x00) from the input",), line=line, col=col)
    try:
        return ast.parse(text, "<input>", "exec")
    except SyntaxError as e:
        hints = syntax_hints(e, text)
        col = e.offset if e.offset is not None and e.offset > 0 else None
        message = e.msg
        if "nested parentheses" in message or "too many nested" in message:
            hints = [*hints, _TOO_NESTED_HINT]
        raise LangError(type(e).__name__, message, hints, line=e.lineno, col=col) from None
    except (RecursionError, MemoryError, OverflowError, ValueError):
        raise LangError(*_TOO_NESTED, (_TOO_NESTED_HINT,), line=1, col=None) from None


def syntax_hints(e: SyntaxError, text: str) -> list[str]:
    """Teaching notes for common syntax slips."""
    hints = []
    line = (e.text or "").strip()
    if line.startswith((">>>", "...")) or line.startswith("In ["):
        hints.append("remove the prompt (>>> or In [n]:) from pasted lines")
    elif line.startswith(("%", "!")):
        hints.append("notebook magics (%matplotlib, !pip) are not Python; leave them out")
    elif e.msg.startswith("expected ':'"):
        hints.append("a block statement (def, if, for, while, with) ends its first line with ':'")
    elif "indent" in e.msg:
        hints.append("indent a block's body by the same amount (4 spaces); paste the cell "
                     "as it is")
    return hints


def split_statements(text: str) -> list[str]:
    """``text`` cut into its top-level statements (each with the lines it spans).

    A runner that wants to go on after an error (``autodiff run``) executes the pieces one by
    one. Text that does not parse is returned whole, so its error is reported once. Lines that
    are commands (``backward y``, ``:vars``) are pieces of their own.
    """
    from autodiff_repl.lang.commands import is_command_line

    text = prepare(text)
    try:
        tree = ast.parse(text)
    except (SyntaxError, RecursionError, MemoryError, ValueError, OverflowError):
        return _split_mixed(text, is_command_line)
    lines = text.splitlines(keepends=True)
    starts = []
    for stmt in tree.body:
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])]) - 1
        if not starts or starts[-1] != first:  # a = 1; b = 2 share a line: one piece
            starts.append(first)
    ends = [*starts[1:], len(lines)]
    pieces = ["".join(lines[a:b]).rstrip() for a, b in zip(starts, ends, strict=False)]
    return [p for p in pieces if p.strip()]


def _split_mixed(text: str, is_command) -> list[str]:
    """Split text holding command lines between Python chunks."""
    pieces, current = [], []
    for line in text.splitlines():
        if not line[:1].isspace() and is_command(line):
            if current:
                pieces.append("\n".join(current))
                current = []
            pieces.append(line)
        else:
            current.append(line)
    if current:
        pieces.append("\n".join(current))
    if len(pieces) == 1 or not any(is_command(p) for p in pieces):
        return [text]
    out = []
    for p in pieces:
        out.extend([p] if is_command(p) else split_statements(p))
    return out


_CLAUSE = re.compile(r"(elif|else|except|finally)\b")
_PREFIX_TRIES = 8
"""How many earlier top-level lines ``syntax_error_cut`` tries as the start of the failing
statement (each try parses the text before it)."""


def syntax_error_cut(text: str, limits: Limits) -> tuple[int, int, LangError] | None:
    """Where to cut a script's piece that does not parse: ``(start, end, error)``.

    ``[start, end)`` are the 0-based lines of ``text`` that make up the top-level statement its
    first syntax error is in, and ``error`` is that error (its line counted in ``text``). The
    lines before ``start`` parse; those from ``end`` on are the next top-level statements, to
    be read afresh. A top-level statement starts at a line that is not indented (nor a clause
    such as ``else:``, nor the definition under a decorator); an over-indented line after a
    complete top-level statement is a statement of its own (as in a REPL: ``x = 1`` runs, then
    ``  y = 2`` is an ``IndentationError``), and so is a line indented less than the body of
    the complete block before it (`` w = 3`` after a ``for`` loop whose body is indented by 4:
    the loop runs, the line is the error). None when ``text`` parses, is a command line, or
    fails for another reason (its size): the session then reports it.
    """
    from autodiff_repl.lang.commands import is_command_line

    if is_command_line(text):
        return None
    source = prepare(text)
    try:
        parse(source, limits)
    except LangError as e:
        error = e
    else:
        return None
    if error.type not in ("SyntaxError", "IndentationError", "TabError") or error.line is None:
        return None
    lines = source.split("\n")
    bad = min(max(error.line - 1, 0), len(lines) - 1)
    starts = _top_level_starts(lines)
    start = max((i for i in starts if i <= bad), default=0)
    if _stray_line(error.message, lines, bad, start, starts):
        start = bad
    else:
        earlier = [i for i in reversed(starts) if i <= start][:_PREFIX_TRIES]
        start = next((i for i in earlier if i == 0 or _parses(lines[:i])), start)
    end = min((i for i in starts if i > max(bad, start)), default=len(lines))
    return start, end, error


def _top_level_starts(lines: list[str]) -> list[int]:
    """The lines that start a top-level statement (see ``syntax_error_cut``)."""
    starts, decorated = [], False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or line[:1] in (" ", "\t"):
            continue
        if not decorated and not _CLAUSE.match(line):
            starts.append(i)
        decorated = stripped.startswith("@")
    return starts or [0]


def _stray_line(message: str, lines: list[str], bad: int, start: int, starts: list[int]
                ) -> bool:
    """Whether the badly indented line ``bad`` is a statement of its own, not part of the
    complete statement before it (which starts at line ``start``; see ``syntax_error_cut``)."""
    if bad == 0 or bad in starts or not _parses(lines[:bad]):
        return False
    if message == "unexpected indent":
        return _previous_is_top_level(lines, bad)
    return message.startswith("unindent does not match") and bad > start \
        and _indent(lines[bad]) < _body_indent(lines, start, bad)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _body_indent(lines: list[str], start: int, bad: int) -> int:
    """The indentation of the first body line of the block statement that starts at line
    ``start`` (looking at the lines before ``bad``); 0 when it has none."""
    body = [ln for ln in lines[start + 1:bad] if ln.strip() and not ln.strip().startswith("#")]
    return _indent(body[0]) if body else 0


def _previous_is_top_level(lines: list[str], i: int) -> bool:
    """Whether the last non-blank line before line ``i`` is not indented."""
    before = [ln for ln in lines[:i] if ln.strip() and not ln.strip().startswith("#")]
    return bool(before) and before[-1][:1] not in (" ", "\t")


def _parses(lines: list[str]) -> bool:
    try:
        ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True
