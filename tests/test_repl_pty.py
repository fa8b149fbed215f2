"""The REPL as a learner meets it: a real pseudo-terminal, keys typed, the screen read (pexpect).
``autodiff run`` on a terminal is read the same way.

Each test spawns ``python -m autodiff_repl`` with HOME and XDG_STATE_HOME in a temporary directory
and PROMPT_TOOLKIT_NO_CPR=1 (no cursor-position queries to answer). Expected texts are chosen so
that they never appear in the typed input, since the terminal echoes it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
    pytest.mark.skipif(importlib.util.find_spec("autodiff_repl.session") is None,
                       reason="autodiff_repl.session not written yet"),
]

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
UP, DOWN = "\x1b[A", "\x1b[B"
LEAVES_RAW_MODE = "\x1b[?2004l"  # prompt_toolkit turns bracketed paste off as a prompt ends


def on_screen(text: str) -> re.Pattern[str]:
    """``text`` as drawn: prompt_toolkit may put style codes between any two characters."""
    gap = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"
    return re.compile(gap.join(re.escape(char) for char in text))


def _env(state: Path, *, color: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(HOME=str(state), XDG_STATE_HOME=str(state / "state"), TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1", PYTHONPATH=str(ROOT))
    if not color:
        env["NO_COLOR"] = "1"
    return env


def spawn(state: Path, *args: str, color: bool = False, ready: str = "autodiff lesson 1"
          ) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "autodiff_repl", *args],
                          env=_env(state, color=color), encoding="utf-8", timeout=20,
                          dimensions=(40, 120))
    child.expect_exact(ready)
    child.expect_exact(">>> ")
    return child


@pytest.fixture
def repl(tmp_path: Path) -> Iterator[pexpect.spawn]:
    child = spawn(tmp_path)
    yield child
    child.terminate(force=True)


def enter(child: pexpect.spawn, line: str, shows: str | None = None) -> None:
    """Type ``line`` and Enter; wait for ``shows`` (if given) and the next prompt."""
    child.send(line + "\r")
    if shows is not None:
        child.expect_exact(shows)
    child.expect_exact(">>> ")


def d2l(child: pexpect.spawn) -> None:
    enter(child, "x = torch.arange(4.0, requires_grad=True)")
    enter(child, "y = 2 * torch.dot(x, x)")
    enter(child, "y", "tensor(28., grad_fn=<MulBackward0>)")


def test_d2l_lines_ctrl_d_and_history_across_sessions(tmp_path: Path) -> None:
    first = spawn(tmp_path)
    d2l(first)
    enter(first, "y.backward()")
    enter(first, "x.grad", "tensor([ 0.,  4.,  8., 12.])")
    first.sendcontrol("d")
    first.expect(pexpect.EOF)
    first.close()
    assert first.exitstatus == 0
    history = (tmp_path / "state" / "autodiff" / "history").read_text()
    assert "+y = 2 * torch.dot(x, x)" in history
    second = spawn(tmp_path)
    enter(second, "6 * 7", "42")
    second.send(UP + UP + UP + DOWN)  # up to y.backward(), down to x.grad
    enter(second, "", "NameError: name 'x' is not defined")
    second.sendcontrol("r")
    second.send("2 * torch")
    second.expect_exact("I-search backward")
    second.send("\r")  # accepts the search: y = 2 * torch.dot(x, x)
    enter(second, "", "NameError: name 'x' is not defined")
    second.terminate(force=True)


def test_tab_completes_an_attribute_and_up_recalls(repl: pexpect.spawn) -> None:
    enter(repl, "x = torch.arange(4.0, requires_grad=True)")
    repl.send("x.requ")
    repl.send("\t")
    repl.expect_exact("requires_grad_")  # the menu of the two candidates is drawn
    enter(repl, "", "True")  # x.requ would be an AttributeError
    repl.send(UP)
    enter(repl, "", "True")


def test_blocks_typed_with_auto_indent_and_pasted(repl: pexpect.spawn) -> None:
    repl.send("for i in range(3):\r")
    repl.expect_exact("... ")
    repl.send("print(i * 11)\r")
    enter(repl, "", "22")
    cell = ("In [4]: a = torch.tensor(2.0, requires_grad=True)\n"
            "   ...: for i in range(3):\n   ...:     a = a * 2\n   ...:\n   ...: a\n")
    repl.send(PASTE_START + cell + PASTE_END)
    time.sleep(0.2)
    enter(repl, "", "tensor(16., grad_fn=<MulBackward0>)")


def test_ctrl_c_interrupts_a_loop_clears_a_line_and_never_exits(repl: pexpect.spawn) -> None:
    d2l(repl)
    repl.send("while True: z = torch.ones(100, 100) @ torch.ones(100, 100)\r")
    repl.expect_exact("... ")
    repl.send("\r")
    repl.expect_exact(LEAVES_RAW_MODE)  # the prompt is done: the statement runs now
    time.sleep(0.3)
    repl.sendintr()
    repl.expect_exact("KeyboardInterrupt")
    repl.expect_exact(">>> ")
    enter(repl, "y", "tensor(28., grad_fn=<MulBackward0>)")
    repl.send("this is not run")
    repl.expect_exact("run")  # on screen before Ctrl-C clears it
    repl.sendintr()
    repl.expect_exact(">>> ")
    enter(repl, "6 * 7", "42")
    assert repl.isalive()


def test_validation_points_at_the_error_and_help(repl: pexpect.spawn) -> None:
    repl.send("f(1]\r")
    repl.expect_exact("SyntaxError")
    repl.sendintr()
    repl.expect_exact(">>> ")
    enter(repl, "dot?", "torch.dot")


def test_colour_on_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, color=True)
    child.send("torch.tensor([1.5, 2.5])\r")
    child.expect(on_screen("tensor([1.5000, 2.5000])"))
    shown = child.match.group(0)
    child.expect_exact(">>> ")
    assert "\x1b[" in shown
    assert ANSI.sub("", shown) == "tensor([1.5000, 2.5000])"
    child.terminate(force=True)


def test_guided_lesson_reads_with_the_prompt(tmp_path: Path) -> None:
    child = spawn(tmp_path, "lesson", "1", ready="step 1/")
    child.send("import torch\r")
    child.expect_exact("step 2/")
    child.expect_exact(">>> ")
    child.send("this line is cleared")
    child.expect_exact("cleared")  # the typed text is on screen before Ctrl-C clears it
    child.sendintr()
    child.expect_exact(">>> ")
    # A key sent while the prompt is being set up again can be dropped when the terminal
    # switches modes; send Ctrl-D until the lesson answers (a retry, not a sleep).
    for _ in range(5):
        child.sendcontrol("d")
        if child.expect_exact(["resumes at step 2", pexpect.TIMEOUT], timeout=3) == 0:
            break
    else:
        raise AssertionError("Ctrl-D did not leave the lesson")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


GRAPH_SCRIPT = "x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)\ngraph y\n"


def run_on_a_terminal(state: Path, *args: str, color: bool) -> str:
    """``autodiff run ARGS`` on a pseudo-terminal: all it drew (CR LF as LF), once it exits 0."""
    child = pexpect.spawn(sys.executable, ["-m", "autodiff_repl", "run", *args],
                          env=_env(state, color=color), encoding="utf-8", timeout=20,
                          dimensions=(40, 120))
    child.expect(pexpect.EOF)
    shown = child.before.replace("\r\n", "\n")
    child.close()
    assert child.exitstatus == 0, shown
    return shown


def test_run_draws_explanations_in_panels_on_a_terminal(tmp_path: Path) -> None:
    script = tmp_path / "graph.py"
    script.write_text(GRAPH_SCRIPT)
    shown = run_on_a_terminal(tmp_path, str(script), color=True)
    assert "\x1b[" in shown
    lines = ANSI.sub("", shown).split("\n")
    assert lines[0].startswith("╭─ graph of y: 1 leaf, 2 ops ─") and lines[0].endswith("╮")
    assert lines[1].startswith("│ y = 2 · t1 ") and lines[1].endswith("│")
    assert any(line.startswith("╰─") for line in lines)


def test_run_on_a_terminal_with_no_color_is_plain(tmp_path: Path) -> None:
    script = tmp_path / "graph.py"
    script.write_text(GRAPH_SCRIPT)
    for args, color in ((["--no-color", str(script)], True), ([str(script)], False)):
        shown = run_on_a_terminal(tmp_path, *args, color=color)
        assert shown.startswith("graph of y: 1 leaf, 2 ops\n  y = 2 · t1 "), args
        assert "\x1b[" not in shown and "╭" not in shown, args
