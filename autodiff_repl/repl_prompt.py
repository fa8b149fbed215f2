"""The prompt_toolkit side of the REPL: keys, completion, validation, history, the read loop.

Imported only when stdin and stdout are terminals. The language session is imported in a
background thread once the first prompt is on screen, so the prompt appears at once; the first
statement (or Tab) waits for it. Rules for where a statement ends live in ``repl``.
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import (
    Condition,
    emacs_insert_mode,
    has_focus,
    has_selection,
    vi_insert_mode,
)
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style
from prompt_toolkit.utils import get_cwidth
from prompt_toolkit.validation import ValidationError, Validator
from pygments.lexers.python import PythonLexer

from autodiff_repl import outputs as out
from autodiff_repl import render, repl

LEAVE = {"exit", "exit()", "quit", "quit()"}
"""What Python users type to leave; in the REPL they leave, as Python 3.13's console does."""
_WORD = re.compile(r"[:A-Za-z_][\w.]*$")
_STYLE = Style.from_dict({"prompt": "ansigreen bold", "continuation": "ansigreen"})


class SessionLoader:
    """Imports the language session in the background; ``get()`` waits for it and builds it."""

    def __init__(self, *, hints: bool = True, factory: Callable[[], Any] | None = None) -> None:
        self._hints = hints
        self._factory = factory
        self._session: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None and self._factory is None:
            self._thread = threading.Thread(target=self._import, daemon=True)
            self._thread.start()

    @staticmethod
    def _import() -> None:
        with contextlib.suppress(Exception):  # get() reports it, in the main thread
            import autodiff_repl.session  # noqa: F401

    def get(self) -> Any:
        if self._session is None:
            if self._thread is not None:
                self._thread.join()
            if self._factory is not None:
                self._session = self._factory()
            else:
                self._session = repl.new_session(hints=self._hints)
        return self._session


class SessionCompleter(Completer):
    """Tab completion from the session's allowlists (names, ``torch.`` members, attributes)."""

    def __init__(self, get_session: Callable[[], Any]) -> None:
        self._get_session = get_session

    def get_completions(self, document: Document, complete_event: CompleteEvent
                        ) -> Iterator[Completion]:
        before = document.text_before_cursor
        match = _WORD.search(before)
        if not match and not complete_event.completion_requested:
            return
        word = match.group(0) if match else ""
        partial = word.rsplit(".", 1)[-1] if "." in word else word
        for candidate in completions(self._get_session(), before):
            if candidate.startswith(partial) and candidate != partial:
                yield Completion(candidate, start_position=-len(partial))


def completions(session: Any, text_before_cursor: str) -> list[str]:
    """Candidates for the word before the cursor, from the session's completion helper."""
    if session is None:
        return []
    return sorted(set(session.completions(text_before_cursor)))


class SyntaxValidator(Validator):
    """Checks the input with the language's parser before it runs; the cursor goes to the error,
    and the error is shown on the bottom line, fitted to the terminal's width (``status_line``).
    """

    def __init__(self, get_session: Callable[[], Any]) -> None:
        self._get_session = get_session

    def validate(self, document: Document) -> None:
        problem = syntax_problem(self._get_session(), repl.translate(document.text))
        if problem is None:
            return
        message, hint, line, col = problem
        row = max(0, min(line - 1, document.line_count - 1))
        position = document.translate_row_col_to_index(row, max(0, col - 1))
        raise ValidationError(cursor_position=position,
                              message=status_line(message, hint, _columns()))


RUN_ANYWAY = "Esc Enter runs it anyway"


def status_line(message: str, hint: str | None, width: int) -> str:
    """The bottom line for a syntax error, at most ``width`` columns: the error, its hint and
    how to run it anyway (``SyntaxError: … · hint: … · Esc Enter runs it anyway``); what does
    not fit is left out, the hint first (running the input shows it in full); an error too long
    on its own is cut between words, with ``…``."""
    tail = f" · {RUN_ANYWAY}"
    for text in (f"{message} · hint: {hint}{tail}" if hint else "", message + tail, message):
        if text and get_cwidth(text) <= width:
            return text
    room = max(width - 1, 1)
    cut = message[:room]
    while get_cwidth(cut) > room:
        cut = cut[:-1]
    if " " in cut.strip():
        cut = cut[:cut.rstrip().rindex(" ")]
    return cut.rstrip(" ·:,") + "…"


def _columns() -> int:
    """The terminal's width (80 when there is no terminal to ask)."""
    from prompt_toolkit.application.current import get_app

    try:
        return get_app().output.get_size().columns or 80
    except Exception:  # no running application, or an output that cannot tell
        return 80


def syntax_error(session: Any, text: str) -> tuple[str, int, int] | None:
    """``(message, line, col)`` when the language's parser refuses ``text``, else None; the
    message is the error and its first hint (``syntax_problem``)."""
    problem = syntax_problem(session, text)
    if problem is None:
        return None
    message, hint, line, col = problem
    return (f"{message} · hint: {hint}" if hint else message), line, col


def syntax_problem(session: Any, text: str) -> tuple[str, str | None, int, int] | None:
    """``(message, hint, line, col)`` when the language's parser refuses ``text``, else None.

    Commands (``backward y``, ``:help``), also as lines of a pasted cell, are not Python and
    pass; the session reports their errors when they run.
    """
    try:
        from autodiff_repl.lang.commands import is_command_line
        from autodiff_repl.lang.errors import LangError
        from autodiff_repl.lang.limits import Limits
        from autodiff_repl.lang.parse import parse, prepare
    except ImportError:
        return None
    if not text.strip() or repl.is_help_query(text):
        return None
    if any(is_command_line(line) for line in text.split("\n") if line[:1] not in " \t"):
        return None
    try:
        parse(prepare(text), getattr(session, "limits", None) or Limits())
    except LangError as error:
        message = f"{error.type}: {error.message}" if error.message else error.type
        hint = error.hints[0] if error.hints else None
        return message, hint, error.line or 1, error.col or 1
    return None


def _at_line_start() -> Condition:
    from prompt_toolkit.application.current import get_app

    def test() -> bool:
        before = get_app().current_buffer.document.current_line_before_cursor
        return not before.strip()

    return Condition(test)


def _ready(text: str) -> bool:
    lines = text.split("\n")
    if len(lines) > 1 and not lines[-1].strip():
        return repl.is_complete("\n".join(lines[:-1]) + "\n")
    return repl.is_complete(text)


def key_bindings() -> KeyBindings:
    """Enter runs a complete statement or opens the next line; Esc Enter always runs."""
    kb = KeyBindings()
    insert = (emacs_insert_mode | vi_insert_mode) & has_focus(DEFAULT_BUFFER)
    at_line_start = _at_line_start()

    @kb.add("enter", filter=insert)
    def _enter(event: Any) -> None:
        buf = event.current_buffer
        state = buf.complete_state
        if state is not None and state.current_completion is not None:
            buf.apply_completion(state.current_completion)
            return
        doc = buf.document
        if (doc.is_cursor_at_the_end or "\n" not in doc.text) and _ready(doc.text):
            buf.document = Document(doc.text.rstrip())
            buf.validate_and_handle()
            return
        buf.insert_text("\n" + repl.next_indent(doc.current_line_before_cursor))

    @kb.add("escape", "enter", filter=insert)
    def _run_anyway(event: Any) -> None:
        buf = event.current_buffer
        buf.append_to_history()
        event.app.exit(result=buf.text)

    @kb.add("tab", filter=insert & at_line_start)
    def _indent(event: Any) -> None:
        before = event.current_buffer.document.current_line_before_cursor
        event.current_buffer.insert_text(" " * (len(repl.INDENT) - len(before) % len(repl.INDENT)))

    @kb.add("backspace", filter=insert & at_line_start & ~has_selection)
    def _dedent(event: Any) -> None:
        before = event.current_buffer.document.current_line_before_cursor
        if before:
            width = len(before) % len(repl.INDENT) or len(repl.INDENT)
            event.current_buffer.delete_before_cursor(min(width, len(before)))
        else:
            event.current_buffer.delete_before_cursor(1)

    @kb.add(Keys.BracketedPaste, filter=has_focus(DEFAULT_BUFFER))
    def _paste(event: Any) -> None:
        event.current_buffer.insert_text(repl.clean_paste(event.data))

    return kb


def open_history() -> History:
    """The persistent history file (created on first use); in memory if it cannot be written."""
    path = repl.history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


def prompt_session(get_session: Callable[[], Any], *, color: bool = True,
                   history: History | None = None, input: Any = None, output: Any = None
                   ) -> PromptSession:
    """The configured prompt: ``>>> `` and ``... ``, Python highlighting, history, completion."""
    return PromptSession(
        message=[("class:prompt", repl.PROMPT)],
        prompt_continuation=lambda width, line, wrap: [("class:continuation", repl.CONTINUATION)],
        multiline=True,
        lexer=PygmentsLexer(PythonLexer),
        completer=SessionCompleter(get_session),
        complete_while_typing=False,
        validator=SyntaxValidator(get_session),
        validate_while_typing=False,
        history=history if history is not None else open_history(),
        auto_suggest=AutoSuggestFromHistory(),
        search_ignore_case=True,
        key_bindings=key_bindings(),
        style=_STYLE,
        color_depth=None if color else ColorDepth.MONOCHROME,
        input=input,
        output=output,
    )


class LessonInput:
    """An ``input()`` for the guided lessons with the REPL's editing, history and highlighting.

    Ctrl-C clears the line (as in the REPL); Ctrl-D raises EOFError, which leaves the lesson.
    Tab completes, and Enter validates, against the learner's session, as in the REPL: the guide
    names it with ``follow(get_session)``, and it is looked up at each key since the guide builds
    a new one on ``:back`` and ``:reset``. Before the guide names one, Tab offers nothing.
    ``columns()`` tells the guide the terminal's width.
    """

    def __init__(self, *, no_color: bool = False, history: History | None = None,
                 input: Any = None, output: Any = None) -> None:
        self._get_session: Callable[[], Any] = lambda: None
        self.prompt = prompt_session(lambda: self._get_session(),
                                     color=render.wants_color(sys.stdout, no_color=no_color),
                                     history=history, input=input, output=output)

    def follow(self, get_session: Callable[[], Any]) -> None:
        """Complete and validate against the session ``get_session()`` returns."""
        self._get_session = get_session

    def columns(self) -> int:
        """The terminal's width now (the guide reflows its prose and fits graphs to it):
        ``render.terminal_width`` of stdout, as the REPL's output uses, else the prompt's."""
        return render.terminal_width(sys.stdout) or self.prompt.output.get_size().columns

    def __call__(self, message: str) -> str:
        while True:
            try:
                return self.prompt.prompt(message)
            except KeyboardInterrupt:
                continue


def run_interactive(*, hints: bool = True, no_color: bool = False, stdout: IO[str] | None = None,
                    history: History | None = None, input: Any = None, output: Any = None,
                    session_factory: Callable[[], Any] | None = None) -> int:
    """Read, run and print until Ctrl-D or ``:quit`` (status 0). Ctrl-C never leaves."""
    stdout = stdout or sys.stdout
    color = render.wants_color(stdout, no_color=no_color)
    loader = SessionLoader(hints=hints, factory=session_factory)
    prompt = prompt_session(loader.get, color=color, history=history, input=input, output=output)
    stdout.write(repl.welcome() + "\n")
    stdout.flush()
    console = None
    while True:
        try:
            text = prompt.prompt(pre_run=loader.start)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        if text.strip() in LEAVE:
            return 0
        if not text.strip():
            continue
        try:
            session = loader.get()
            outputs = repl.execute(session, text)
            if color and console is None:
                console = render.make_console(stdout)
            render.write(outputs, stdout, hints=bool(getattr(session, "hints", hints)),
                         color=color, console=console)
        except KeyboardInterrupt:
            stdout.write("KeyboardInterrupt\n")
            continue
        if any(isinstance(item, out.Quit) for item in outputs):
            return 0
