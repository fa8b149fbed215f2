"""``autodiff run`` as the REPL: help on a value (``x?``) is answered, and a badly unindented
line after a complete block costs only itself, not the block before it."""

from __future__ import annotations

import io

from autodiff_repl import runner


def run_text(tmp_path, text: str) -> tuple[int, str]:
    path = tmp_path / "script.py"
    path.write_text(text, encoding="utf-8")
    stream, errors = io.StringIO(), io.StringIO()
    code = runner.run_path(str(path), stream=stream, errors=errors)
    return code, stream.getvalue()


def test_help_on_a_value_works_as_in_the_repl(tmp_path):
    code, shown = run_text(tmp_path, "x = torch.ones(2)\nx?\nx??\n?x\n")
    assert code == 0
    assert shown.count("x: Tensor [2] torch.float32") == 3
    assert "SyntaxError" not in shown


def test_a_bad_unindent_after_a_for_loop_keeps_the_loop(tmp_path):
    code, shown = run_text(tmp_path, 'for i in range(2):\n    print(i)\n w = 3\nprint("after")\n')
    assert code == 1
    lines = shown.splitlines()
    assert lines[:2] == ["0", "1"]
    assert lines[2].startswith("IndentationError: unindent does not match any outer "
                               "indentation level (")
    assert lines[2].endswith("script.py, line 3)")
    assert lines[-1] == "after"


def test_a_bad_unindent_inside_the_body_still_costs_the_block(tmp_path):
    code, shown = run_text(tmp_path, "for i in range(2):\n    if i:\n        print(i)\n"
                                     "      print(9)\nprint('after')\n")
    assert code == 1
    lines = shown.splitlines()
    assert lines[0].startswith("IndentationError: unindent does not match")
    assert "1" not in lines and "9" not in lines  # the loop did not run
    assert lines[-1] == "after"
