"""Terminal rendering: colour on a terminal, exactly ``plain()`` otherwise, markup never parsed."""

from __future__ import annotations

import io
import re

import pytest

from autodiff_repl import outputs as out
from autodiff_repl import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeExplanation:
    def plain(self) -> str:
        return "y = 2 · t1   MulBackward0\nhint: read it bottom-up"


EVENTS: list[out.Output] = [
    out.Echo("tensor([ 0.,  4.,  8., 12.])"),
    out.Printed("[bold]not markup[/bold] [red]"),
    out.Error("SyntaxError", "invalid syntax", ("close the bracket",), 1, 5, "f(x]"),
    out.Warning("UserWarning", "The .grad attribute of a Tensor that is not a leaf"),
    out.Hint("x.grad is None: no backward() has reached x yet"),
    out.Info(":help lists [everything]"),
    out.Quit(),
]


def _terminal() -> tuple[io.StringIO, object]:
    from rich.console import Console

    buffer = io.StringIO()
    return buffer, Console(file=buffer, force_terminal=True, color_system="truecolor",
                           highlight=False, width=60)


def test_plain_write_is_exactly_plain() -> None:
    stream = io.StringIO()
    render.write(EVENTS, stream, color=False)
    assert stream.getvalue() == render.plain(EVENTS) + "\n"
    stream = io.StringIO()
    render.write(EVENTS, stream, hints=False)
    assert stream.getvalue() == render.plain(EVENTS, hints=False) + "\n"
    assert "hint:" not in stream.getvalue()


def test_nothing_to_print_writes_nothing() -> None:
    stream = io.StringIO()
    render.write([out.Quit()], stream)
    assert stream.getvalue() == ""


def test_console_has_the_same_text_in_colour() -> None:
    """The same lines as the plain text fitted to the terminal (60 columns: the warning wraps
    between the same words)."""
    buffer, console = _terminal()
    render.to_console(console, EVENTS)
    coloured = buffer.getvalue()
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == render.plain(EVENTS, width=60) + "\n"
    assert render.plain(EVENTS, width=60) != render.plain(EVENTS)


def test_console_never_reads_user_text_as_markup() -> None:
    buffer, console = _terminal()
    render.to_console(console, [out.Printed("[bold]x[/bold]"), out.Echo("'[red]'")])
    assert ANSI.sub("", buffer.getvalue()) == "[bold]x[/bold]\n'[red]'\n"


def test_console_styles() -> None:
    buffer, console = _terminal()
    render.to_console(console, [out.Error("RuntimeError", "boom", ("fix it",))])
    text = buffer.getvalue()
    assert "\x1b[1;31mRuntimeError\x1b[0m\x1b[31m: boom" in text  # bold red type, red message
    assert "\x1b[2mhint: fix it" in text  # dim hint


def test_explanation_falls_back_to_its_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "autodiff_repl.render_explain", None)
    buffer, console = _terminal()
    render.to_console(console, [out.Explanation("graph", FakeExplanation())], hints=False)
    assert ANSI.sub("", buffer.getvalue()) == "y = 2 · t1   MulBackward0\n"


def test_console_without_hints() -> None:
    buffer, console = _terminal()
    render.to_console(console, EVENTS, hints=False)
    assert ANSI.sub("", buffer.getvalue()) == render.plain(EVENTS, hints=False, width=60) + "\n"


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert render.wants_color(Tty())
    assert not render.wants_color(Tty(), no_color=True)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert not render.wants_color(Tty())


def test_pipe_gets_no_colour() -> None:
    assert not render.wants_color(io.StringIO())


def _explained(source: str, command: str) -> list[out.Output]:
    from autodiff_repl.session import Session

    s = Session()
    s.execute(source)
    return s.execute(command)


def test_panels_wrap_long_lines_instead_of_cropping_them() -> None:
    buffer, console = _terminal()
    render.to_console(console, _explained(
        "x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)", "backward y"))
    shown = ANSI.sub("", buffer.getvalue())
    assert max(len(row) for row in shown.splitlines()) <= 60
    words = " ".join(row.strip("│ ") for row in shown.splitlines())
    assert "pass" in words and "retain_graph=True keeps them for a second one" in words


def _console(width: int) -> tuple[io.StringIO, object]:
    from rich.console import Console

    buffer = io.StringIO()
    return buffer, Console(file=buffer, force_terminal=True, color_system="truecolor",
                           highlight=False, width=width)


def test_a_graph_too_wide_for_the_terminal_keeps_its_rows_whole() -> None:
    buffer, console = _console(40)  # even the compact layout is 38 wide: no room for a box
    render.to_console(console, _explained(
        "x = torch.arange(4.0, requires_grad=True)\ny = (x * 2).exp().sum()", "graph y"))
    rows = ANSI.sub("", buffer.getvalue()).splitlines()
    assert rows[0] == "graph of y: 1 leaf, 3 ops; all float32"  # no box: it would re-wrap rows
    assert "└── t2 = exp(t1)    ExpBackward0  (4,)" in rows
    assert "│ " not in rows[1]


def test_a_graph_wider_than_the_terminal_is_drawn_compactly_in_its_box() -> None:
    buffer, console = _console(60)
    render.to_console(console, _explained(
        "x = torch.arange(4.0, requires_grad=True)\ny = (x * 2).exp().sum()", "graph y"))
    rows = ANSI.sub("", buffer.getvalue()).splitlines()
    assert rows[0].startswith("╭─ graph of y: 1 leaf, 3 ops; all float32")
    assert all(len(row) <= 60 for row in rows)


def test_an_echoed_tensor_keeps_pytorchs_line_breaks() -> None:
    buffer, console = _terminal()
    text = "tensor([[    0.0000,  1000.5000,  2001.0000,  3001.5000,  4002.0000,  5002.5000,\n" \
           "          6003.0000]])"
    render.to_console(console, [out.Echo(text)])
    assert ANSI.sub("", buffer.getvalue()) == text + "\n"
