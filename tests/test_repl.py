"""The REPL front end: where statements end, pasted cells, and the prompt_toolkit loop.

The loop is driven with prompt_toolkit's pipe input and DummyOutput, keys sent from a thread with
short pauses as a typist would, against a stand-in session that records what it is asked to run
(the real session is exercised in test_repl_pty.py and test_cli.py).
"""

from __future__ import annotations

import io
import threading
import time

import pytest

from autodiff_repl import outputs as out
from autodiff_repl import render, repl
from autodiff_repl.repl import (
    clean_paste,
    history_path,
    is_complete,
    next_indent,
    read_statements,
    run_pipe,
    translate,
)


class FakeSession:
    """Records inputs; echoes them back; completes ``x.requ``; ``:quit`` quits."""

    hints = True

    def __init__(self) -> None:
        self.seen: list[str] = []

    def execute(self, text: str) -> list[out.Output]:
        self.seen.append(text)
        if text == ":quit":
            return [out.Quit()]
        if text == "boom":
            return [out.Error("NameError", "name 'boom' is not defined", ("check the name",))]
        if text == "while True: pass":
            time.sleep(5)
        return [out.Echo(repr(text))]

    def completions(self, text_before_cursor: str) -> list[str]:
        if text_before_cursor.endswith("x.requ"):
            return ["requires_grad", "requires_grad_"]
        return []


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("x = 1", True),
        ("", True),
        ("y = f(", False),
        ("y = f(\n  2)", True),
        ("s = '''abc", False),
        ("x = 1 + \\", False),
        ("for i in range(3):", False),
        ("for i in range(3):\n    print(i)", False),
        ("for i in range(3):\n    print(i)\n", True),
        ("if x: y = 1", False),
        ("@decorator", False),
        ("x = 1\nfor i in x:\n    pass", False),
        ("for i in x:\n    pass\ny = 2", True),
        (":help dot", True),
        ("backward y", True),
        ("graph y --dot g.dot", True),
        ("x?", True),
    ],
)
def test_is_complete(text: str, complete: bool) -> None:
    assert is_complete(text) is complete


def test_read_statements_groups_blocks_like_run() -> None:
    script = (
        "x = 1\n# a comment\n\ndef f(a):\n    b = a * 2\n\n    return b\n"
        "y = f(\n  2)\nif y:\n    print(1)\nelse:\n    print(2)\n:help dot\nfor i in x:\n    pass\n"
    )
    assert list(read_statements(io.StringIO(script))) == [
        "x = 1",
        "def f(a):\n    b = a * 2\n\n    return b",
        "y = f(\n  2)",
        "if y:\n    print(1)\nelse:\n    print(2)",
        ":help dot",
        "for i in x:\n    pass",
    ]


def test_read_statements_runs_simple_lines_at_once() -> None:
    seen: list[str] = []

    def lines():
        yield "x = 1\n"
        assert seen == ["x = 1"]
        yield "x\n"

    for chunk in read_statements(lines()):
        seen.append(chunk)
    assert seen == ["x = 1", "x"]


@pytest.mark.parametrize(
    ("pasted", "cleaned"),
    [
        (">>> x = torch.arange(4.0)\n>>> x\ntensor([0., 1., 2., 3.])\n",
         "x = torch.arange(4.0)\nx\n"),
        (">>> for i in range(2):\n...     print(i)\n...\n0\n1\n",
         "for i in range(2):\n    print(i)\n"),
        ("In [4]: x = 1\n   ...: y = 2\nOut[4]: 3\n", "x = 1\ny = 2\n"),
        ("In [4]:\nx = torch.arange(4.0)\nx\n", "x = torch.arange(4.0)\nx\n"),
        ("    x = 1\r\n    y = 2", "x = 1\ny = 2\n"),
        ("x = 1", "x = 1"),
    ],
)
def test_clean_paste(pasted: str, cleaned: str) -> None:
    assert clean_paste(pasted) == cleaned


def test_translate_help_syntax() -> None:
    assert translate("x?") == "x?"
    assert translate("torch.dot??") == "torch.dot?"
    assert translate("?dot") == "dot?"
    assert translate("x = 1") == "x = 1"


def test_next_indent() -> None:
    assert next_indent("for i in x:") == "    "
    assert next_indent("    y = i  # note") == "    "
    assert next_indent("        return y") == "    "
    assert next_indent("x = 1") == ""


def test_history_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_path() == tmp_path / "autodiff" / "history"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert history_path() == tmp_path / ".local" / "state" / "autodiff" / "history"


def test_run_pipe_prints_plain_and_fails_on_error() -> None:
    session, stdout = FakeSession(), io.StringIO()
    code = run_pipe(session, io.StringIO("x = 1\nboom\nx?\n"), stdout)
    assert code == 1
    assert session.seen == ["x = 1", "boom", "x?"]
    assert stdout.getvalue() == (
        "'x = 1'\nNameError: name 'boom' is not defined\nhint: check the name\n"
        "'x?'\n"
    )


def test_run_pipe_stops_at_quit() -> None:
    session = FakeSession()
    assert run_pipe(session, io.StringIO("a\n:quit\nb\n"), io.StringIO()) == 0
    assert session.seen == ["a", ":quit"]


def _drive(keys: list[str], session: FakeSession | None = None) -> tuple[int, FakeSession, str]:
    """Type ``keys`` (one chunk every 50 ms) into the prompt_toolkit loop."""
    pytest.importorskip("prompt_toolkit")
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from autodiff_repl.repl_prompt import run_interactive

    session = session or FakeSession()
    stdout = io.StringIO()
    with create_pipe_input() as pipe:
        def typist() -> None:
            for chunk in keys:
                time.sleep(0.05)
                pipe.send_text(chunk)

        threading.Thread(target=typist, daemon=True).start()
        code = run_interactive(input=pipe, output=DummyOutput(), stdout=stdout,
                               history=InMemoryHistory(), session_factory=lambda: session)
    return code, session, stdout.getvalue()


def test_prompt_runs_lines_and_exits_on_ctrl_d() -> None:
    code, session, printed = _drive(["x = 1\r", "x\r", "\x04"])
    assert code == 0
    assert session.seen == ["x = 1", "x"]
    assert "autodiff lesson 1" in printed and ":help" in printed
    assert printed.endswith("'x = 1'\n'x'\n")


def test_prompt_block_indents_and_ends_on_empty_line() -> None:
    _, session, _ = _drive(["for i in range(3):\r", "print(i)\r", "\r", "\x04"])
    assert session.seen == ["for i in range(3):\n    print(i)"]


def test_prompt_bracketed_paste_strips_prompts() -> None:
    paste = "\x1b[200~>>> a = 1\n>>> for i in range(2):\n...     a += i\n...\n>>> a\n2\n\x1b[201~"
    _, session, _ = _drive([paste, "\r", "\x04"])
    assert session.seen == ["a = 1\nfor i in range(2):\n    a += i\n\na"]


def test_prompt_tab_completes_and_up_recalls() -> None:
    _, session, _ = _drive(["x.requ", "\t", "\r", "\x1b[A", "\r", "\x04"])
    assert session.seen == ["x.requires_grad", "x.requires_grad"]


def test_prompt_ctrl_c_clears_line_and_keeps_going() -> None:
    _, session, _ = _drive(["abc", "\x03", "y\r", "\x04"])
    assert session.seen == ["y"]


def test_prompt_help_suffix_and_quit() -> None:
    code, session, _ = _drive(["?dot\r", ":quit\r"])
    assert code == 0
    assert session.seen == ["dot?", ":quit"]


def test_prompt_plain_output_matches_render_plain() -> None:
    _, session, printed = _drive(["boom\r", "\x04"])
    assert printed.startswith(repl.welcome() + "\n")
    body = printed.removeprefix(repl.welcome() + "\n")
    assert body == render.plain(session.execute("boom")) + "\n"


def test_validator_uses_the_language_parser() -> None:
    pytest.importorskip("autodiff_repl.session", reason="autodiff_repl.session not written yet")
    from autodiff_repl.repl_prompt import syntax_error

    message, line, col = syntax_error(None, "x = 1\nf(1]")
    assert message.startswith("SyntaxError: closing parenthesis ']'")
    assert (line, col) == (2, 4)
    for fine in ("x = 1", "backward y", ":help dot", "dot?", "x??", "", "graph y --dot g.dot",
                 "y = x * 2\nbackward y\nx.grad"):
        assert syntax_error(None, fine) is None, fine


def test_completion_draws_on_the_session() -> None:
    session_module = pytest.importorskip("autodiff_repl.session",
                                         reason="autodiff_repl.session not written yet")
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from autodiff_repl.repl_prompt import SessionCompleter

    session = session_module.Session()
    session.execute("x = torch.arange(4.0)")
    completer = SessionCompleter(lambda: session)

    def words(text: str) -> list[str]:
        event = CompleteEvent(completion_requested=True)
        return [c.text for c in completer.get_completions(Document(text), event)]

    assert words("x.requ") == ["requires_grad", "requires_grad_"]
    assert "arange" in words("torch.ar")
    assert ":help" in words(":he")
    assert not any(w.startswith("_") for w in words("x."))
