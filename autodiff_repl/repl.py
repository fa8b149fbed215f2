"""The interactive REPL: a prompt_toolkit front end on a Session, or plain lines from a pipe.

``run(...)`` picks the mode: with a terminal on stdin it starts prompt_toolkit (history in the XDG
state directory, Tab completion from the session's allowlists, highlighting, blocks, bracketed
paste, validation); otherwise it reads plain lines and prints plain text, so
``echo 'x = 1' | autodiff`` works. prompt_toolkit is imported only in the interactive mode.

The text helpers (``is_complete``, ``read_statements``, ``clean_paste``, ``translate``) hold the
rules for where a statement ends; both modes and the tests share them.
"""

from __future__ import annotations

import io
import os
import re
import sys
import textwrap
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from autodiff_repl import outputs as out
from autodiff_repl import render

PROMPT = ">>> "
CONTINUATION = "... "
INDENT = "    "

_COMPOUND = {"if", "elif", "else", "for", "while", "def", "class", "with", "try", "except",
             "finally", "async"}
_BLOCK_CONTINUES = re.compile(r"(elif|else|except|finally)\b")
_DEDENTS_AFTER = re.compile(r"\s*(return|pass|break|continue|raise)\b")
_HELP_SUFFIX = re.compile(r"\s*\??([A-Za-z_][\w.]*)\?{1,2}\s*")
_HELP_PREFIX = re.compile(r"\s*\?([A-Za-z_][\w.]*)\s*")
_PY_PROMPT = re.compile(r"(>>>|\.\.\.)( |$)")
_IPY_PROMPT = re.compile(r"\s*In \[\d*\]: ?")
_IPY_CONTINUATION = re.compile(r"\s*\.\.\.+: ?")
_IPY_OUT = re.compile(r"\s*Out\[\d*\]:")


def welcome(stream: IO[str] | None = None) -> str:
    """The first lines a learner sees, wrapped between words at the width of the terminal
    ``stream`` (default: stdout) writes to; as they are in a pipe."""
    from autodiff_repl import __version__

    lines = [f"autodiff-repl {__version__}: type PyTorch code, e.g. "
             "x = torch.arange(4.0, requires_grad=True)",
             "New here? Run `autodiff lesson 1` in your shell.",
             ":help lists everything; Ctrl-D quits."]
    width = render.terminal_width(sys.stdout if stream is None else stream)
    if width is None:
        return "\n".join(lines)
    from autodiff_repl.explain.wrap import wrap_text

    return "\n".join(piece for line in lines for piece in wrap_text(line, width))


def history_path() -> Path:
    """``$XDG_STATE_HOME/autodiff/history``, by default ``~/.local/state/autodiff/history``.

    As the XDG spec says, a relative ``XDG_STATE_HOME`` is ignored.
    """
    state = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state):
        state = os.path.join(Path.home(), ".local", "state")
    return Path(state) / "autodiff" / "history"


def translate(text: str) -> str:
    """IPython's help forms ``x??`` and ``?x`` become ``x?``, which the session answers."""
    match = is_help_query(text)
    return f"{match}?" if match else text


def is_help_query(text: str) -> str | None:
    """The name in ``x?``, ``x??`` or ``?x``; None for anything else."""
    match = _HELP_SUFFIX.fullmatch(text) or _HELP_PREFIX.fullmatch(text)
    return match.group(1) if match else None


def _logical_lines(text: str) -> list[tuple[int, str]] | None:
    """(column, first token) of each logical line; None while a bracket or string is open."""
    starts: list[tuple[int, str]] = []
    at_start = True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENDMARKER):
                continue
            if tok.type == tokenize.NEWLINE:
                at_start = True
                continue
            if at_start:
                starts.append((tok.start[1], tok.string))
                at_start = False
            last = tok
    except tokenize.TokenError:
        return None
    except SyntaxError:  # bad dedent: complete, so the parser reports it
        return []
    if starts and last.type == tokenize.OP and last.string == ":":
        return None
    return starts


def is_complete(text: str) -> bool:
    """True when ``text`` is ready to run, as Python's console decides.

    Open brackets, strings, a trailing ``:`` or backslash need more lines; a compound statement
    (``def``, ``for``, ``while``, ``if``, ``with`` ...) needs an empty line after its body.
    Commands (``:help``, ``backward y``, ``x?``) are one line.
    """
    if not text.strip() or text.lstrip().startswith(":") or is_help_query(text):
        return True
    if text.rstrip(" \t").endswith("\\"):
        return False
    starts = _logical_lines(text)
    if starts is None:
        return False
    top = [word for col, word in starts if col == 0]
    if not top:
        return True
    if top[-1] == "@":
        return False
    ends_blank = "\n" in text and not text.rsplit("\n", 1)[1].strip()
    return ends_blank or top[-1] not in _COMPOUND


def read_statements(lines: Iterable[str]) -> Iterator[str]:
    """Group plain input lines into runnable chunks, each as soon as it is complete.

    A simple statement runs at once; a block (``def``, ``for`` ...) runs when the next line in
    column 0 does not continue it (``else``, ``elif`` ...), or at the end, so empty lines inside a
    function do not cut it, as with ``autodiff run``.
    """
    buf: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        code = line.strip() and not line.lstrip().startswith("#")
        if (buf and code and not line[0].isspace() and not _BLOCK_CONTINUES.match(line)
                and is_complete("\n".join(buf).rstrip() + "\n")):
            yield "\n".join(buf).rstrip()
            buf = []
        if not buf and not code:
            continue
        buf.append(line)
        if is_complete("\n".join(buf).rstrip()):
            yield "\n".join(buf).rstrip()
            buf = []
    if buf:
        yield "\n".join(buf).rstrip()


def clean_paste(text: str) -> str:
    """A pasted cell without its prompts: ``>>> ``/``... `` (outputs dropped) or ``In [4]:``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line for line in lines if line.strip()), "")
    if _PY_PROMPT.match(first.lstrip()):
        kept = []
        for line in lines:
            match = _PY_PROMPT.match(line.lstrip())
            if match:
                kept.append(line.lstrip()[match.end():])
            elif not line.strip():
                kept.append("")
        lines = kept
    elif _IPY_PROMPT.match(first):
        kept, in_output = [], False
        for line in lines:
            if _IPY_OUT.match(line):
                in_output = True
            elif match := _IPY_PROMPT.match(line) or _IPY_CONTINUATION.match(line):
                in_output = False
                kept.append(line[match.end():])
            elif not line.strip():
                in_output = False
                kept.append("")
            elif not in_output:
                kept.append(line)
        lines = kept
    return textwrap.dedent("\n".join(lines).strip("\n")) + ("\n" if "\n" in text else "")


def next_indent(line: str) -> str:
    """The indentation for the line after ``line``: deeper after ``:``, shallower after return."""
    indent = line[: len(line) - len(line.lstrip())]
    code = line.split("#", 1)[0].rstrip()
    if code.endswith(":"):
        return indent + INDENT
    if _DEDENTS_AFTER.match(line):
        return indent[: max(0, len(indent) - len(INDENT))]
    return indent


def execute(session: Any, text: str) -> list[out.Output]:
    """Run ``text`` in the session; Ctrl-C stops the statement and keeps the session."""
    try:
        return session.execute(translate(text))
    except KeyboardInterrupt:
        return [out.Error("KeyboardInterrupt", "interrupted")]


def run_pipe(session: Any, stdin: IO[str], stdout: IO[str]) -> int:
    """Read statements from a pipe and print plain outputs; 1 if any statement failed."""
    failed = False
    for text in read_statements(stdin):
        outputs = execute(session, text)
        render.write(outputs, stdout, hints=_hints(session))
        failed = failed or any(isinstance(item, out.Error) for item in outputs)
        if any(isinstance(item, out.Quit) for item in outputs):
            break
    return 1 if failed else 0


def _hints(session: Any) -> bool:
    return bool(getattr(session, "hints", True))


def new_session(*, hints: bool = True) -> Any:
    """A fresh language session (imports the engine, numpy and the interpreter)."""
    from autodiff_repl.session import Session

    return Session(hints=hints)


def run(*, hints: bool = True, no_color: bool = False) -> int:
    """``autodiff`` with no command: the prompt_toolkit REPL on a terminal, else plain lines."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return run_pipe(new_session(hints=hints), sys.stdin, sys.stdout)
    from autodiff_repl.repl_prompt import run_interactive

    return run_interactive(hints=hints, no_color=no_color)
