"""``autodiff run``: run a plain script or a transcript through one Session.

A plain script runs statement by statement and prints what the REPL would print; a syntax error
costs only the statement it is in (``script_steps``). A transcript
prints its narration and each input with the output it really gives; with ``check`` it prints a
unified diff (naming ``file:line``) for each input whose output differs from its expected block,
and with ``update`` it rewrites the differing blocks in place.

Outputs are drawn as the REPL draws them: plain text, or with colour and panels when the stream is
a terminal that wants them (``render.wants_color``, the REPL's rule); ``check`` and ``update``
print plain diffs. rich is imported only for a terminal.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TextIO

from autodiff_repl import outputs as out
from autodiff_repl import render
from autodiff_repl import transcript as tx
from autodiff_repl.prose import MAX_WIDTH, reflow
from autodiff_repl.render import plain

MAX_BYTES = 1 << 20
USAGE_ERROR = 2


class SessionLike(Protocol):
    """What the runner needs from ``autodiff_repl.session.Session``."""

    limits: Any

    def execute(self, text: str) -> list[out.Output]: ...


class SourceError(Exception):
    """A file that cannot be run: missing, not a regular file, too big, not UTF-8."""


def new_session(*, hints: bool = True, seed: int = 0) -> Any:
    """A fresh Session (imported here so that parsing never pays for the interpreter)."""
    from autodiff_repl.session import Session

    return Session(hints=hints, seed=seed)


def read_source(path: str) -> tuple[str, str]:
    """``(text, label)`` of a file or of stdin (``-``); ``SourceError`` says what is wrong."""
    if path == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        data = stdin.read(MAX_BYTES + 1) if stdin is not None else sys.stdin.read(
            MAX_BYTES + 1).encode("utf-8")
        label = "<stdin>"
    else:
        label = path
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file") from None
        except OSError as exc:
            raise SourceError(f"{path}: {exc.strerror or exc}") from None
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(f"{path}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise SourceError(f"{path}: file is larger than 1 MiB ({info.st_size} bytes)")
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise SourceError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise SourceError(f"{label}: input is larger than 1 MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(f"{label}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                          f"offset {exc.start}); save the file as UTF-8") from None
    return text.removeprefix("\ufeff"), label


# --- checks ---------------------------------------------------------------------------------

_ALL_TRUE = re.compile(r"tensor\(\[[\s\[\],True]*\]\)")


def is_true_text(text: str) -> bool:
    """Whether an echoed value means True: ``True``, ``tensor(True)`` or an all-True tensor."""
    text = text.strip()
    if text in ("True", "tensor(True)"):
        return True
    return bool(_ALL_TRUE.fullmatch(text)) and "True" in text


def _truth(value: Any) -> bool:
    if hasattr(value, "all") and hasattr(value, "dtype"):
        return str(value.dtype).endswith("bool") and bool(value.all())
    return type(value).__name__ in ("bool", "bool_") and bool(value)


def check_holds(session: SessionLike, expr: str) -> tuple[bool, str]:
    """Evaluate a ``#: check`` expression: ``(holds, "gave VALUE" or "raised TYPE: MESSAGE")``.

    Uses ``session.evaluate`` (binds nothing, leaves no history) when the session has it; the
    value must be True or an all-True boolean tensor.
    """
    evaluate = getattr(session, "evaluate", None)
    if evaluate is not None:
        try:
            value = evaluate(expr)
        except Exception as exc:  # the learner's state may not fit the check yet
            message = getattr(exc, "message", None) or str(exc)
            return False, f"raised {getattr(exc, 'type', type(exc).__name__)}: {message}"
        return _truth(value), f"gave {value!r}"
    results = session.execute(expr)
    for item in results:
        if isinstance(item, out.Error):
            return False, f"raised {item.type}: {item.message}"
    echoes = [item.text for item in results if isinstance(item, out.Echo)]
    if not echoes:
        return False, "gave no value"
    return is_true_text(echoes[-1]), f"gave {echoes[-1]}"


# --- running --------------------------------------------------------------------------------

@dataclass
class Mismatch:
    """An input whose output differs from its expected block, or a check that does not hold."""

    path: str
    line: int
    step: str
    source: str
    want: list[str]
    got: list[str]
    check: str | None = None

    def report(self) -> str:
        """``file:line`` header, the input and a unified diff (or the failed check)."""
        where = f"{self.path}:{self.line}" + (f" (step {self.step})" if self.step else "")
        if self.check is not None:
            return f"{where}: check failed: {self.check}\n  it {' '.join(self.got)}"
        head = [f"{where}: output differs", *tx.format_input(self.source)]
        diff = difflib.unified_diff(self.want, self.got, "expected", "got", lineterm="", n=3)
        return "\n".join(head + list(diff))


@dataclass
class RunResult:
    """What a transcript run found: failed statements, mismatches and every input's output."""

    failed: int = 0
    inputs: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    got: dict[int, list[str]] = field(default_factory=dict)
    quit: bool = False


def _expected(want: tuple[str, ...], hints: bool) -> list[str]:
    return list(want) if hints else [w for w in want if not w.startswith("hint:")]


def _unexpected_error(outputs: list[out.Output], want: list[str]) -> bool:
    """An error whose type no expected line names (an ELLIPSIS must not hide a failure)."""
    return any(isinstance(o, out.Error) and not any(w.startswith(o.type) for w in want)
               for o in outputs)


def _write(stream: TextIO, text: str) -> None:
    if text:
        stream.write(text + "\n")
        stream.flush()


def _show(stream: TextIO, outputs: list[out.Output], *, hints: bool, console: Any) -> None:
    """An input's outputs: plain lines on ``stream``, or drawn on a terminal's rich ``console``."""
    if console is None:
        _write(stream, plain(outputs, hints=hints, width=render.terminal_width(stream)))
    else:
        render.to_console(console, outputs, hints=hints)


def _prose(stream: TextIO, text: str) -> str:
    """Narration as a terminal should show it: reflowed to its width, as the lesson guide does
    (a pipe or a file gets it as written)."""
    width = render.terminal_width(stream)
    return reflow(text, min(width, MAX_WIDTH) if width else None)


def run_step(step: tx.Step, session: SessionLike, *, path: str, hints: bool = True,
             compare: bool = True, stream: TextIO | None = None, stop_first: bool = False,
             result: RunResult | None = None, console: Any = None) -> RunResult:
    """Run one step's inputs (and, with ``compare``, its checks) in ``session``.

    With ``stream``, the step's narration and inputs are written with the output they gave
    (drawn on ``console`` when one is given).
    """
    result = result if result is not None else RunResult()
    for item in step.items:
        if isinstance(item, str):
            if stream is not None:
                stream.write(_prose(stream, item) + "\n")
            continue
        outputs = session.execute(item.source)
        got = tx.output_lines(plain(outputs, hints=hints))
        result.inputs += 1
        result.got[item.line] = got
        want = _expected(item.want, hints)
        failed = _unexpected_error(outputs, want)  # an error the transcript shows is a lesson
        result.failed += failed
        if stream is not None and console is None:
            width = render.terminal_width(stream)  # a terminal: graphs fitted to it
            shown = got if width is None else tx.output_lines(plain(outputs, hints=hints,
                                                                    width=width))
            _write(stream, "\n".join(tx.format_input(item.source) + shown).rstrip("\n"))
        elif stream is not None:
            _write(stream, "\n".join(tx.format_input(item.source)))
            _show(stream, outputs, hints=hints, console=console)
        mismatch = compare and (not tx.output_matches(want, got)
                                or _unexpected_error(outputs, want))
        if mismatch:
            result.mismatches.append(Mismatch(path, item.line, step.id, item.source, want, got))
        if any(isinstance(o, out.Quit) for o in outputs):
            result.quit = True
        if result.quit or (stop_first and (mismatch if compare else failed)):
            return result
    if compare:
        for check in step.checks:
            holds, gave = check_holds(session, check.expr)
            if not holds:
                result.mismatches.append(Mismatch(path, check.line, step.id, check.expr, [],
                                                  [gave], check=check.expr))
                if stop_first:
                    return result
    return result


def run_transcript(transcript: tx.Transcript, session: SessionLike, *, hints: bool = True,
                   compare: bool = True, stream: TextIO | None = None,
                   stop_first: bool = False, console: Any = None) -> RunResult:
    """Run every step of a transcript in order in one session."""
    result = RunResult()
    if stream is not None and transcript.preamble:
        stream.write(_prose(stream, transcript.preamble) + "\n\n")
    for step in transcript.steps:
        run_step(step, session, path=transcript.path, hints=hints, compare=compare,
                 stream=stream, stop_first=stop_first, result=result, console=console)
        stop = result.mismatches if compare else result.failed
        if result.quit or (stop_first and stop):
            break
    return result


MAX_SYNTAX_ERRORS = 20
"""After this many syntax errors the rest of a script is not run (each one makes the runner read
again the rest of the statement that swallowed it)."""


def script_steps(text: str, session: SessionLike, *, label: str = "<script>",
                 hints: bool = True) -> Iterator[tuple[int, list[out.Output]]]:
    """Run a plain script statement by statement, as a REPL fed one top-level statement at a
    time: yields ``(line, outputs)`` per statement (``line``: where it starts in ``text``).

    A syntax error costs only the statement it is in (``lang.parse.syntax_error_cut``): it is
    reported as ``SyntaxError: message (LABEL, line N)`` and the script goes on with the next
    top-level statement. A line asking for help (``x?``, ``x??``, ``?x``) is answered as in the
    REPL.
    """
    from autodiff_repl.lang.errors import from_lang_error
    from autodiff_repl.lang.parse import prepare, syntax_error_cut
    from autodiff_repl.repl import is_help_query, translate

    todo: list[tuple[str, int, Any]] = [("text", 1, text)]  # a stack: the next item is last
    errors = 0
    while todo:
        kind, line, item = todo.pop()
        if kind == "text":
            todo.extend(("chunk", line + at - 1, chunk)
                        for at, chunk in reversed(tx.script_chunks(item)))
            continue
        if kind == "error":
            errors += 1
            if errors > MAX_SYNTAX_ERRORS:
                yield line, [out.Error("SyntaxError", f"too many syntax errors: {label} was "
                                                      f"not run from line {line} on")]
                return
            yield line, [item]
            continue
        if is_help_query(item):  # x?, x?? or ?x, as the REPL reads them
            yield line, session.execute(translate(item))
            continue
        cut = syntax_error_cut(item, session.limits)
        if cut is None:
            yield line, session.execute(item)
            continue
        start, end, error = cut
        rows = item.split("\n")
        shown = from_lang_error(error, prepare(item), hints)
        where = line + (error.line or 1) - 1
        todo.append(("text", line + end, "\n".join(rows[end:])))
        todo.append(("error", line + start,
                     replace(shown, message=f"{shown.message} ({label}, line {where})")))
        todo.append(("text", line, "\n".join(rows[:start])))


def run_script(text: str, session: SessionLike, *, hints: bool = True,
               stop_first: bool = False, stream: TextIO, console: Any = None,
               label: str = "<script>") -> int:
    """Run a plain script statement by statement (``script_steps``); 1 if any statement failed.
    ``label`` names the script in the line numbers of its syntax errors."""
    failed = False
    for _line, outputs in script_steps(text, session, label=label, hints=hints):
        _show(stream, outputs, hints=hints, console=console)
        failed = failed or any(isinstance(o, out.Error) for o in outputs)
        if any(isinstance(o, out.Quit) for o in outputs) or (stop_first and failed):
            break
    return int(failed)


def run_path(path: str, *, stop_first: bool = False, hints: bool = True, check: bool = False,
             update: bool = False, stream: TextIO | None = None,
             errors: TextIO | None = None, no_color: bool = False) -> int:
    """Run ``path`` (or stdin for ``-``); return the exit code.

    0: everything ran (and matched, with ``check``); 1: a statement failed (in a transcript: with
    an error its expected output does not show) or an output or check did not match
    (``check``/``update``); 2: the file could not be read or parsed.
    Problems with the file itself go to ``errors`` (stderr by default). Outputs are drawn in
    colour when ``stream`` wants it (``render.wants_color``), as in the REPL.
    """
    stream = stream if stream is not None else sys.stdout
    errors = errors if errors is not None else sys.stderr
    try:
        text, label = read_source(path)
        transcript = None if not tx.has_inputs(text) else tx.parse(text, label)
        if update and (transcript is None or path == "-"):
            raise SourceError(f"{label}: --update needs a transcript file (with '>>> ' lines)")
    except (SourceError, tx.TranscriptError) as exc:
        errors.write(f"autodiff run: {exc}\n")
        return USAGE_ERROR
    session = new_session(hints=hints)
    compare = check or update
    console = (render.make_console(stream)
               if not compare and render.wants_color(stream, no_color=no_color) else None)
    if transcript is None:
        return run_script(text, session, hints=hints, stop_first=stop_first, stream=stream,
                          console=console, label=label)
    result = run_transcript(transcript, session, hints=hints, compare=compare,
                            stream=None if compare else stream, stop_first=stop_first,
                            console=console)
    if not compare:
        return int(result.failed > 0)
    for mismatch in result.mismatches:
        if not update or mismatch.check is not None:
            stream.write(mismatch.report() + "\n\n")
    if update:
        return _update_file(path, text, transcript, result, stream)
    bad = len(result.mismatches)
    stream.write(f"{label}: {result.inputs} input{'' if result.inputs == 1 else 's'}, "
                 + (f"{bad} mismatch{'es' if bad > 1 else ''}\n" if bad else "all match\n"))
    return int(bad > 0)


def _update_file(path: str, text: str, transcript: tx.Transcript, result: RunResult,
                 stream: TextIO) -> int:
    lines = tx.updated_lines(transcript, result.got)
    changed = sum(1 for m in result.mismatches if m.check is None)
    if changed:
        newline = "\r\n" if "\r\n" in text else "\n"
        tmp = f"{path}.autodiff-tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(newline.join(lines) + newline)
        os.replace(tmp, path)
    checks = [m for m in result.mismatches if m.check is not None]
    stream.write(f"{transcript.path}: updated {changed} expected block"
                 f"{'' if changed == 1 else 's'}\n")
    return int(bool(checks))
