"""The one parser for transcripts: lessons, command transcripts and plain scripts.

A transcript is doctest-flavoured text::

    #: lesson 1  Automatic differentiation
    Narration is every line that is not an input, an expected output or a directive.

    #: step backward  Call backward
    #: hint  y.backward() fills x.grad
    >>> y.backward()
    >>> x.grad
    tensor([ 0.,  4.,  8., 12.])
    #: check torch.allclose(x.grad, 4 * x)

Rules:

- ``>>> `` starts an input, ``... `` continues it (multi-line blocks). A bare ``...`` continues
  the input only when another ``... `` line follows; otherwise it is an expected-output line.
- The lines after an input, up to a blank line, the next ``>>> `` or a ``#:`` directive, are its
  expected output. ``<BLANKLINE>`` stands for an empty output line; empty lines at the end of
  an output are not compared.
- ELLIPSIS: an expected line that is exactly ``...`` matches any number of lines (none too); an
  expected line that ends with ``...`` matches any line starting with the text before it. An
  error is never elided: when an input fails, some expected line must start with the error's
  type (``RuntimeError: ...``), so an ELLIPSIS cannot hide a broken step.
- Directives (``#:`` lines): ``lesson N  Title`` (once), ``step ID  Title`` (starts a step),
  ``hint TEXT`` (revealed one at a time), ``check EXPR`` (must be True after the step, in the
  learner's session and when the transcript is checked; a ``# comment`` after it says in words
  what must hold, for the learner: ``#: check k == 3  # k should be 3``), ``demo`` (guided mode
  shows the step's inputs instead of asking for them), ``tolerance RTOL [ATOL]`` (value
  comparison), ``accept CODE`` (another answer the guide accepts, one input judged as the
  reference answer is; a ``# comment`` after it is said to the learner who gave it). The
  reference answer of a step is its own ``>>>`` inputs, so the answer a lesson shows is the one
  its tests run.
- A file with no ``>>> `` line is a plain script: see ``script_chunks``.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from dataclasses import dataclass, field

PROMPT = ">>> "
CONTINUATION = "... "
ELLIPSIS = "..."
BLANKLINE = "<BLANKLINE>"
DIRECTIVE = "#:"
DIRECTIVES = ("lesson", "step", "hint", "check", "demo", "tolerance", "accept")
_CLAUSE = re.compile(r"(elif|else|except|finally)\b")
_STEP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*$")


class TranscriptError(ValueError):
    """A malformed transcript; the message starts with ``path:line:``."""


@dataclass(frozen=True)
class Exchange:
    """One input and the output it is expected to print.

    ``line`` is the 1-based line of the ``>>> `` line; ``want_start``/``want_end`` are the 0-based
    half-open range of the expected lines in the file (so ``--update`` can replace them).
    """

    source: str
    want: tuple[str, ...]
    line: int
    want_start: int
    want_end: int


@dataclass(frozen=True)
class Check:
    """A ``#: check`` expression that must evaluate to True, and the words that describe it."""

    expr: str
    line: int
    words: str = ""

    @property
    def described(self) -> str:
        """What must hold, in words: the check's comment, else its expression."""
        return self.words or f"{self.expr} should be True"


@dataclass(frozen=True)
class Accept:
    """An ``#: accept`` answer: code the guide accepts besides the reference answer, and the
    words it says to the learner who gave it."""

    source: str
    line: int
    words: str = ""


@dataclass
class Step:
    """A step: narration and exchanges in file order, with its hints and checks."""

    id: str
    title: str
    line: int
    items: list[str | Exchange] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    accepts: list[Accept] = field(default_factory=list)
    demo: bool = False
    rtol: float = 1e-4
    atol: float = 1e-6

    @property
    def exchanges(self) -> list[Exchange]:
        """The step's inputs with their expected output, in order."""
        return [item for item in self.items if isinstance(item, Exchange)]

    @property
    def sources(self) -> list[str]:
        """The step's reference inputs."""
        return [ex.source for ex in self.exchanges]

    def narration(self, *, before_first_input: bool) -> str:
        """The narration before the first input (the task) or after it (the comment)."""
        first = next((i for i, item in enumerate(self.items) if isinstance(item, Exchange)),
                     len(self.items))
        chosen = self.items[:first] if before_first_input else self.items[first:]
        return _strip_blank("\n".join(item for item in chosen if isinstance(item, str)))


@dataclass
class Transcript:
    """A parsed transcript file. ``is_script`` is true when it has no ``>>> `` line.

    ``preamble`` is the narration before the first ``#: step`` when that part has no input.
    """

    path: str
    lines: list[str]
    number: int | None
    title: str
    steps: list[Step]
    is_script: bool
    preamble: str = ""

    @property
    def exchanges(self) -> list[Exchange]:
        """Every exchange of every step, in file order."""
        return [ex for step in self.steps for ex in step.exchanges]


def _strip_blank(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _is_input(line: str) -> bool:
    return line.startswith(PROMPT) or line.rstrip() == ">>>"


def _is_continuation(lines: list[str], i: int) -> bool:
    line = lines[i]
    if line.startswith(CONTINUATION):
        return True
    if line.rstrip() == ELLIPSIS:
        return i + 1 < len(lines) and lines[i + 1].startswith(CONTINUATION)
    return False


def has_inputs(text: str) -> bool:
    """Whether ``text`` is a transcript (has a ``>>> `` line) rather than a plain script."""
    return any(_is_input(line) for line in text.splitlines())


def parse(text: str, path: str = "<transcript>") -> Transcript:
    """Parse transcript text; raises ``TranscriptError`` naming ``path:line`` when malformed."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    number: int | None = None
    title = ""
    intro = Step(id="intro", title="", line=1)
    steps = [intro]
    seen_ids: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        step = steps[-1]
        if line.startswith(DIRECTIVE):
            name, _, arg = line[len(DIRECTIVE):].strip().partition(" ")
            arg = arg.strip()
            where = f"{path}:{i + 1}"
            if name == "lesson":
                number, title = _lesson_header(arg, where)
            elif name == "step":
                sid, _, stitle = arg.partition(" ")
                if not _STEP_ID.match(sid):
                    raise TranscriptError(f"{where}: '#: step' needs an id such as 'backward'")
                if sid in seen_ids:
                    raise TranscriptError(f"{where}: step id {sid!r} is used twice")
                seen_ids.add(sid)
                steps.append(Step(id=sid, title=stitle.strip() or sid, line=i + 1))
            elif name == "hint" and arg:
                step.hints.append(arg)
            elif name == "check" and arg:
                step.checks.append(_check(arg, i + 1))
            elif name == "accept" and arg:
                code, words = _commented(arg)
                step.accepts.append(Accept(code, i + 1, words))
            elif name == "demo":
                step.demo = True
            elif name == "tolerance" and arg:
                step.rtol, step.atol = _tolerance(arg, where)
            else:
                raise TranscriptError(
                    f"{where}: unknown or empty directive {line.strip()!r}; "
                    f"directives are {', '.join(DIRECTIVES)}")
            i += 1
        elif _is_input(line):
            start = i
            source = [line[len(PROMPT):] if line.startswith(PROMPT) else ""]
            i += 1
            while i < len(lines) and _is_continuation(lines, i):
                source.append(lines[i][len(CONTINUATION):])
                i += 1
            want_start = i
            while (i < len(lines) and lines[i].strip() and not _is_input(lines[i])
                   and not lines[i].startswith(DIRECTIVE)):
                i += 1
            want = tuple("" if w.rstrip() == BLANKLINE else w for w in lines[want_start:i])
            step.items.append(Exchange("\n".join(source), want, start + 1, want_start, i))
        else:
            step.items.append(line)
            i += 1
    preamble = ""
    if not intro.exchanges and not intro.checks and len(steps) > 1:
        steps.remove(intro)
        preamble = intro.narration(before_first_input=True)
    return Transcript(path, lines, number, title, steps, not has_inputs(text), preamble)


def _commented(arg: str) -> tuple[str, str]:
    """``CODE  # words`` split into the code and the words: the comment is found by the
    tokenizer, so a ``#`` inside a string stays in the code."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(arg).readline):
            if tok.type == tokenize.COMMENT:
                return arg[:tok.start[1]].rstrip(), tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return arg, ""


def _check(arg: str, line: int) -> Check:
    """A check from ``EXPR  # words``: the words are the check's description."""
    expr, words = _commented(arg)
    return Check(expr, line, words)


def _lesson_header(arg: str, where: str) -> tuple[int | None, str]:
    head, _, rest = arg.partition(" ")
    if head.isdigit():
        return int(head), rest.strip()
    if not arg:
        raise TranscriptError(f"{where}: '#: lesson' needs a number and a title")
    return None, arg


def _tolerance(arg: str, where: str) -> tuple[float, float]:
    parts = arg.split()
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if not 1 <= len(values) <= 2:
        raise TranscriptError(f"{where}: '#: tolerance' takes RTOL [ATOL], e.g. 1e-4 1e-6")
    return values[0], values[1] if len(values) == 2 else 1e-6


# --- matching -------------------------------------------------------------------------------

def _line_matches(want: str, got: str) -> bool:
    want, got = want.rstrip(), got.rstrip()
    if want.endswith(ELLIPSIS) and want != ELLIPSIS:
        return got.startswith(want[: -len(ELLIPSIS)].rstrip())
    return want == got


def output_matches(want: list[str] | tuple[str, ...], got: list[str]) -> bool:
    """Whether ``got`` lines match the expected lines, with ELLIPSIS (see module docstring)."""
    # reachable[j]: the first i expected lines can match the first j got lines
    reachable = [True] + [False] * len(got)
    for w in want:
        if w.rstrip() == ELLIPSIS:
            for j in range(1, len(got) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            nxt = [False] * (len(got) + 1)
            for j in range(1, len(got) + 1):
                nxt[j] = reachable[j - 1] and _line_matches(w, got[j - 1])
            reachable = nxt
    return reachable[len(got)]


def output_lines(text: str) -> list[str]:
    """The lines of a run's plain text, without trailing empty lines (``""`` is no lines)."""
    text = text.rstrip("\n")
    return text.split("\n") if text else []


def format_want(got: list[str]) -> list[str]:
    """Output lines as they are written in a transcript (empty lines become ``<BLANKLINE>``)."""
    return [line.rstrip() or BLANKLINE for line in got]


def format_input(source: str) -> list[str]:
    """An input as transcript lines: ``>>> `` then ``... `` lines."""
    first, *rest = source.split("\n")
    return [f"{PROMPT}{first}".rstrip() if first else ">>>"] + [
        f"{CONTINUATION}{line}".rstrip() if line else ELLIPSIS for line in rest]


def updated_lines(transcript: Transcript, got: dict[int, list[str]]) -> list[str]:
    """The file's lines with the expected blocks of the exchanges in ``got`` replaced.

    ``got`` maps an exchange's ``line`` to the output it printed; blocks that already match
    (e.g. through an ELLIPSIS) are kept as written.
    """
    lines = list(transcript.lines)
    for ex in sorted(transcript.exchanges, key=lambda e: -e.want_start):
        if ex.line in got and not output_matches(ex.want, got[ex.line]):
            lines[ex.want_start:ex.want_end] = format_want(got[ex.line])
    return lines


# --- plain scripts --------------------------------------------------------------------------

def is_incomplete(text: str) -> bool:
    """Whether ``text`` ends inside brackets, a string or after a backslash."""
    if text.rstrip().endswith("\\"):
        return True
    try:
        for _ in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
            pass
    except tokenize.TokenError:
        return True
    except (SyntaxError, ValueError):
        return False
    return False


def _filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _logical_ends(lines: list[str]) -> list[int]:
    """0-based indices of the lines on which a Python logical line ends (one tokenizer pass).

    Past a point the tokenizer cannot pass (an unclosed bracket or string runs to the end; a bad
    dedent), an unclosed bracket or string takes the rest of the file and otherwise every line
    stands alone; the session then reports the error.
    """
    ends: list[int] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if tok.type == tokenize.NEWLINE:
                ends.append(tok.start[0] - 1)
    except tokenize.TokenError:
        return ends
    except (SyntaxError, ValueError):
        last = ends[-1] if ends else -1
        return ends + list(range(last + 1, len(lines)))
    return ends


def script_chunks(text: str) -> list[tuple[int, str]]:
    """Split a plain script into top-level statements, as a REPL would be fed them.

    Returns ``(line, text)`` pairs (1-based line). A statement takes its indented block, its
    ``elif/else/except/finally`` clauses, the decorated definition after ``@`` lines and the lines
    of an open bracket, string or backslash. Blank and comment-only lines between statements are
    dropped. One tokenizer pass: linear in the size of the script.
    """
    lines = text.removeprefix("\ufeff").splitlines()
    ends = _logical_ends(lines)
    chunks: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        if _filler(lines[i]):
            i += 1
            continue
        start = i
        while True:
            k = bisect.bisect_left(ends, i)
            decorator = lines[i].lstrip().startswith("@")
            i = (ends[k] if k < len(ends) else len(lines) - 1) + 1
            j = i
            while j < len(lines) and _filler(lines[j]):
                j += 1
            if j < len(lines) and (decorator or lines[j][:1] in " \t" or _CLAUSE.match(lines[j])):
                i = j
                continue
            break
        chunks.append((start + 1, "\n".join(_strip_trailing_blank(lines[start:i]))))
    return chunks


def _strip_trailing_blank(body: list[str]) -> list[str]:
    while body and not body[-1].strip():
        body.pop()
    return body
