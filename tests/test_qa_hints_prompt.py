"""The REPL's bottom line for a syntax error fits the terminal: at 80 columns it shows the whole
error, without a hint cut in the middle of a word."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from autodiff_repl.repl_prompt import RUN_ANYWAY, status_line

ROOT = Path(__file__).resolve().parents[1]
UNINDENT = "IndentationError: unindent does not match any outer indentation level"
INDENT_HINT = "indent a block's body by the same amount (4 spaces); paste the cell as it is"


def test_status_line_drops_what_does_not_fit_whole():
    assert status_line(UNINDENT, INDENT_HINT, 80) == UNINDENT
    assert status_line(UNINDENT, INDENT_HINT, 200) == \
        f"{UNINDENT} · hint: {INDENT_HINT} · {RUN_ANYWAY}"
    assert status_line("SyntaxError: invalid syntax", INDENT_HINT, 80) == \
        f"SyntaxError: invalid syntax · {RUN_ANYWAY}"


def test_status_line_cuts_a_long_error_between_words():
    assert status_line(UNINDENT, None, 40) == "IndentationError: unindent does not…"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.skipif(importlib.util.find_spec("pexpect") is None, reason="needs pexpect")
def test_the_bottom_line_at_80_columns_shows_the_whole_error(tmp_path: Path) -> None:
    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1", PYTHONPATH=str(ROOT), NO_COLOR="1")
    child = pexpect.spawn(sys.executable, ["-m", "autodiff_repl"], env=env, encoding="utf-8",
                          timeout=20, dimensions=(45, 80))
    try:
        child.expect_exact(">>> ")
        child.send("for i in range(2):\r")
        child.expect_exact("... ")
        child.send("print(i)\r")
        child.expect_exact("... ")
        child.send("\x7f w = 3\r")  # Backspace removes the indent the prompt put
        child.expect("IndentationError([^\x1b]*)")
        assert child.match.group(1) == UNINDENT.removeprefix("IndentationError")
    finally:
        child.terminate(force=True)
