"""Errors, hints and traces on a real 80-column terminal without colour (pexpect): the REPL with
``NO_COLOR=1`` and ``autodiff run`` wrap them between words at the terminal's width; ``autodiff
run`` in a pipe prints every line whole, as transcripts expect.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_render_wrap import WRAPPED_ERROR  # what NO_GRAD looks like at 80 columns

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SCRIPT = ("x = torch.arange(4.0)", "y = (x * x).sum()", "y.backward()",
          "x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)", "backward y")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1", PYTHONPATH=str(ROOT), NO_COLOR="1")
    return env


def _rows(screen: str) -> list[str]:
    return ANSI.sub("", screen).replace("\r", "").split("\n")


def _output_rows(rows: list[str]) -> list[str]:
    """The rows of output, without prompts, typed input and the welcome."""
    return [row for row in rows if row and ">>>" not in row and not row.startswith("...")
            and row.rstrip() not in SCRIPT]


def test_repl_without_colour_wraps_errors_and_traces_at_80(tmp_path: Path) -> None:
    child = pexpect.spawn(sys.executable, ["-m", "autodiff_repl"], env=_env(tmp_path),
                          encoding="utf-8", timeout=20, dimensions=(50, 80))
    try:
        child.expect_exact("Ctrl-D quits.")
        child.expect_exact(">>> ")
        for line in SCRIPT:
            child.send(line + "\r")
            child.expect_exact(">>> ")
        child.send('print("all" + " done")\r')
        child.expect_exact("all done")  # never on screen as typed: every output is in
        screen = child.before
    finally:
        child.terminate(force=True)
    rows = _rows(screen)
    shown = "\n".join(rows)
    assert "\n".join(WRAPPED_ERROR) in shown
    assert max(len(row) for row in _output_rows(rows)) <= 80  # (the prompt redraws its input)
    assert "                  = [0, 4, 8, 12]" in rows  # ∂y/∂x's sum, hung under its label
    assert "  x.grad = [0, 4, 8, 12]" in rows


def test_autodiff_run_on_a_terminal_wraps_and_in_a_pipe_does_not(tmp_path: Path) -> None:
    script = tmp_path / "errors.py"
    script.write_text("\n".join(SCRIPT) + "\n", encoding="utf-8")
    child = pexpect.spawn(sys.executable, ["-m", "autodiff_repl", "run", str(script)],
                          env=_env(tmp_path), encoding="utf-8", timeout=20, dimensions=(50, 80))
    child.expect(pexpect.EOF)
    rows = _rows(child.before)
    assert rows[:6] == WRAPPED_ERROR
    assert max(len(row) for row in rows) <= 80
    piped = subprocess.run([sys.executable, "-m", "autodiff_repl", "run", str(script)],
                           env={**_env(tmp_path), "COLUMNS": "80"}, capture_output=True,
                           text=True, check=False).stdout.split("\n")
    assert piped[0] == ("RuntimeError: element 0 of tensors does not require grad and does not "
                        "have a grad_fn")
    assert max(len(row) for row in piped) > 100  # the trace's lines whole, as transcripts have
    assert _output_rows(piped) != _output_rows(rows)
