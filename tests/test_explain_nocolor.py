"""``graph y`` without colour on a terminal (``NO_COLOR=1``, ``--no-color``): laid out for the
terminal's width as the colour rendering is, only without colour and boxes. In a pipe or a file
(no width to fit) the full table stays, so transcripts and ``autodiff run FILE | cat`` do not
change.
"""

from __future__ import annotations

import fcntl
import io
import os
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from test_explain_support import recording

import autodiff_repl.engine as torch
from autodiff_repl import render
from autodiff_repl.explain import graph
from autodiff_repl.outputs import Explanation, Hint
from autodiff_repl.render_explain import to_rich

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
QA = ("x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)",
      "w = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]], requires_grad=True)",
      "y = torch.relu(w @ x + 0.5).sum() + (x ** 2).mean()")


def _qa_graph(backward: bool = False) -> graph.Graph:
    """The QA report's graph: its full table is 116 to 152 columns wide."""
    with recording():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]], requires_grad=True)
        y = torch.relu(w @ x + 0.5).sum() + (x ** 2).mean()
    if backward:
        y.backward()
    return graph.build(y, {"x": x, "w": w, "y": y})


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal; its width comes from ``COLUMNS``."""

    def isatty(self) -> bool:
        return True


def _written(outputs, stream: io.StringIO) -> list[str]:
    render.write(outputs, stream)
    return stream.getvalue().rstrip("\n").split("\n")


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("width", [80, 100])
def test_plain_text_on_a_terminal_fits_its_width(width: int, backward: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    g = _qa_graph(backward)
    rows = _written([Explanation("graph", g)], FakeTerminal())
    assert max(len(row) for row in rows) <= width
    assert rows[0] == "graph of y: 2 leaves, 7 ops; all float32"  # dtype said once, as in colour
    shown = "\n".join(rows)
    assert not ANSI.search(shown) and "╭" not in shown and "│ y = t4 + t6" not in shown
    for value in ("9.167", "[0, 4.5]", "[-1.5, 4.5]", "[[1, 0, -1], [2, 1, 0]]", "[1, 2, 3]",
                  "requires_grad", "used 2×", "x ↑ (drawn above)"):
        assert value in shown
    if backward:
        assert "grad [[0, 0, 0], [1, 2, 3]]" in shown and "saved values freed" in shown


@pytest.mark.parametrize("width", [80, 100, 140])
def test_same_layout_as_the_colour_panel(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row for row, the plain lines are those inside the colour panel one box wider."""
    from rich.console import Console

    g = _qa_graph(backward=True)
    monkeypatch.setenv("COLUMNS", str(width))
    plain_rows = [row[2:] for row in _written([Explanation("graph", g)], FakeTerminal())[1:]]
    console = Console(width=width + 2, color_system=None, record=True, file=io.StringIO())
    console.print(to_rich(g))
    panel = console.export_text().split("\n")
    boxed = [row[2:-2].rstrip() for row in panel[1:panel.index(next(r for r in panel
                                                                    if r.startswith("╰")))]]
    assert plain_rows[:len(boxed)] == boxed


def test_a_pipe_still_gets_the_full_table() -> None:
    g = _qa_graph()
    stream = io.StringIO()
    rows = _written([Explanation("graph", g), Hint("a note")], stream)
    assert stream.getvalue() == render.plain([Explanation("graph", g), Hint("a note")]) + "\n"
    assert max(len(row) for row in rows) > 110 and "() float32" in rows[1]


def test_a_trace_that_fits_is_unchanged_on_a_terminal_and_hints_off_hold(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from autodiff_repl.explain import trace

    monkeypatch.setenv("COLUMNS", "140")
    with recording():
        x = torch.arange(4.0, requires_grad=True)
        y = 2 * torch.dot(x, x)
    tr = trace.backward(y, {"x": x, "y": y})
    assert _written([Explanation("trace", tr)], FakeTerminal()) == tr.plain().split("\n")[:-1]
    monkeypatch.setenv("COLUMNS", "80")
    shown = "\n".join(_written_without_hints(_qa_graph(True)))
    assert "hint:" not in shown and "or recompute the graph" not in shown  # nor its second line
    assert "saved values freed by backward: t1, t3, t5" in shown


def _written_without_hints(g: graph.Graph) -> list[str]:
    stream = FakeTerminal()
    render.write([Explanation("graph", g)], stream, hints=False)
    return stream.getvalue().split("\n")


def test_the_width_is_read_from_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    main, child = os.openpty()
    try:
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 93, 0, 0))
        with open(child, "w", closefd=False) as tty:
            assert render.terminal_width(tty) == 93
        assert render.terminal_width(io.StringIO()) is None
    finally:
        os.close(main)
        os.close(child)


# --- as a learner meets it: a real pseudo-terminal ------------------------------------------------

def _spawn(tmp_path: Path, *args: str, width: int, no_color_env: bool = True):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1", PYTHONPATH=str(ROOT))
    if no_color_env:
        env["NO_COLOR"] = "1"
    return pexpect.spawn(sys.executable, ["-m", "autodiff_repl", *args], env=env,
                         encoding="utf-8", timeout=20, dimensions=(50, width))


def _graph_rows(screen: str) -> list[str]:
    """The lines from the graph's title to the blank line after it (or the end), colour codes
    removed."""
    rows = ANSI.sub("", screen).replace("\r", "").split("\n")
    start = next(k for k, row in enumerate(rows) if row.startswith("graph of y"))
    end = rows.index("", start) if "" in rows[start:] else len(rows)
    return rows[start:end]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize(("width", "flag"), [(80, None), (100, None), (80, "--no-color")])
def test_repl_without_colour_fits_the_terminal(tmp_path: Path, width: int, flag: str | None
                                               ) -> None:
    child = _spawn(tmp_path, *([flag] if flag else []), width=width, no_color_env=flag is None)
    try:
        child.expect_exact(">>> ")
        for line in QA:
            child.send(line + "\r")
            child.expect_exact(">>> ")
        child.send("graph y\r")
        child.expect_exact("(drawn above)")
        rows = _graph_rows(child.before + child.after)
        child.expect_exact(">>> ")
    finally:
        child.terminate(force=True)
    assert rows[0] == "graph of y: 2 leaves, 7 ops; all float32"
    assert max(len(row) for row in rows) <= width
    assert any("= [[1, 0, -1], [2, 1, 0]]" in row for row in rows)
    assert "\x1b[1m" not in child.before and "\x1b[3" not in child.before  # no bold, no colour


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_autodiff_run_without_colour_fits_the_terminal(tmp_path: Path) -> None:
    script = tmp_path / "qa.py"
    script.write_text("\n".join([*QA, "graph y"]) + "\n", encoding="utf-8")
    child = _spawn(tmp_path, "run", str(script), width=80)
    child.expect(pytest.importorskip("pexpect").EOF)
    rows = _graph_rows(child.before)
    assert rows[0] == "graph of y: 2 leaves, 7 ops; all float32"
    assert max(len(row) for row in rows) <= 80


def test_autodiff_run_in_a_pipe_prints_the_full_table(tmp_path: Path) -> None:
    script = tmp_path / "qa.py"
    script.write_text("\n".join([*QA, "graph y"]) + "\n", encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "autodiff_repl", "run", str(script)], env=env,
                          capture_output=True, text=True, check=True)
    assert done.stdout == render.plain([Explanation("graph", _qa_graph())]) + "\n"
