"""``autodiff run``: plain scripts, transcripts, --check diffs, --update, bad files, the plugin."""

import io
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from autodiff_repl import runner
from autodiff_repl import transcript as tx
from autodiff_repl.lessons import lessons_dir


def run(path, **kwargs):
    stream, errors = io.StringIO(), io.StringIO()
    code = runner.run_path(str(path), stream=stream, errors=errors, **kwargs)
    return code, stream.getvalue(), errors.getvalue()


@pytest.fixture
def write(tmp_path):
    def write(text, name="t.txt"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


SCRIPT = """\
import torch
x = torch.arange(4.0, requires_grad=True)
x

def double(t):
    u = t * 2

    return u
print(double(x).sum().item())
nope
y = (x * x
     ).sum()
y
"""


def test_script_echoes_prints_and_goes_on_after_an_error(write):
    code, text, _ = run(write(SCRIPT, "s.py"))
    lines = text.splitlines()
    assert code == 1
    assert lines[0] == "tensor([0., 1., 2., 3.], requires_grad=True)"
    assert lines[1] == "12.0"
    assert lines[2].startswith("NameError: name 'nope' is not defined")
    assert lines[-1] == "tensor(14., grad_fn=<SumBackward0>)"


def test_stop_first_stops_at_the_first_failure(write):
    code, text, _ = run(write(SCRIPT, "s.py"), stop_first=True)
    assert code == 1
    assert text.splitlines()[-1].startswith(("NameError", "hint:"))
    assert "tensor(14." not in text


def test_clean_script_exits_0_and_quit_stops(write):
    code, text, _ = run(write("a = 1\na + 1\n:quit\na + 2\n", "s.py"))
    assert (code, text) == (0, "2\n")


def test_stdin_is_read_for_dash(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"1 + 1\n")))
    assert run("-")[:2] == (0, "2\n")


TRANSCRIPT = """\
#: lesson 9  Test
Narration stays.

#: step one
>>> import torch
>>> x = torch.arange(4.0, requires_grad=True)
>>> y = 2 * torch.dot(x, x)
>>> y
tensor(28., grad_fn=<MulBackward0>)
>>> y.backward()
>>> x.grad
tensor([ 0.,  4.,  8., 12.])
#: check torch.allclose(x.grad, 4 * x)
"""


def test_transcript_run_prints_narration_and_inputs_with_outputs(write):
    code, text, _ = run(write(TRANSCRIPT))
    assert code == 0
    assert "#:" not in text
    assert text.startswith("Narration stays.\n")
    assert ">>> y\ntensor(28., grad_fn=<MulBackward0>)\n" in text


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stdout is in a shell."""

    def isatty(self):
        return True


GRAPH = """\
A graph.

>>> x = torch.arange(4.0, requires_grad=True)
>>> y = 2 * torch.dot(x, x)
>>> graph y
graph of y: 1 leaf, 2 ops
...
"""


def test_a_terminal_gets_the_repls_panels_but_check_and_no_color_stay_plain(write, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "160")  # wide enough for the graph's box
    path = write(GRAPH)
    _, piped, _ = run(path)
    assert piped.startswith("A graph.\n\n>>> x = torch.arange(4.0, requires_grad=True)\n")
    assert ">>> graph y\ngraph of y: 1 leaf, 2 ops\n" in piped and "╭" not in piped
    tty = Terminal()
    assert runner.run_path(str(path), stream=tty) == 0
    drawn = tty.getvalue()
    assert "\x1b[" in drawn
    assert ">>> graph y\n" in drawn and "graph of y: 1 leaf, 2 ops" in drawn
    assert "╭─" in drawn and "╰─" in drawn
    for flags in ({"check": True}, {"no_color": True}):
        tty = Terminal()
        runner.run_path(str(path), stream=tty, **flags)
        assert "\x1b[" not in tty.getvalue() and "╭" not in tty.getvalue(), flags


def test_check_passes_on_a_matching_transcript(write):
    code, text, _ = run(write(TRANSCRIPT), check=True)
    assert (code, text) == (0, f"{write(TRANSCRIPT)}: 6 inputs, all match\n")


def test_check_prints_a_diff_naming_file_and_line(write):
    path = write(TRANSCRIPT.replace("tensor(28.", "tensor(29."))
    code, text, _ = run(path, check=True)
    assert code == 1
    assert f"{path}:8 (step one): output differs\n>>> y\n--- expected\n+++ got\n" in text
    assert "-tensor(29., grad_fn=<MulBackward0>)\n+tensor(28., grad_fn=<MulBackward0>)" in text
    assert text.endswith("6 inputs, 1 mismatch\n")


def test_a_check_that_does_not_hold_is_a_mismatch(write):
    path = write(TRANSCRIPT.replace("4 * x)", "5 * x)"))
    code, text, _ = run(path, check=True)
    assert code == 1 and "check failed: torch.allclose(x.grad, 5 * x)" in text


def test_errors_a_transcript_shows_are_lessons_not_failures(write):
    """A lesson that demonstrates an error runs cleanly (exit 0: the README's first command);
    an error the transcript does not show fails a plain run too."""
    path = write(">>> nope\nNameError: name 'nope' is not defined\n...\n")
    assert run(path, check=True)[0] == 0
    assert run(path)[0] == 0
    assert run(write(">>> nope\n>>> 1\n1\n"))[0] == 1


def test_every_lesson_replays_with_exit_code_0():
    for lesson in sorted(Path(lessons_dir()).glob("0*.txt")):
        assert runner.run_path(str(lesson), stream=io.StringIO()) == 0, lesson


def test_no_hints_ignores_expected_hint_lines(write):
    path = write(">>> x = 1\n>>> x\n1\nhint: not printed without hints\n")
    assert run(path, check=True)[0] == 1
    assert run(path, check=True, hints=False)[0] == 0


def test_update_rewrites_mismatching_blocks_and_keeps_ellipsis(write):
    path = write(">>> 1 + 1\n3\n\nprose\n>>> print('a')\n...\n>>> print('b\\n\\nc')\n")
    code, text, _ = run(path, update=True)
    assert code == 0 and text == f"{path}: updated 2 expected blocks\n"
    assert path.read_text() == (
        ">>> 1 + 1\n2\n\nprose\n>>> print('a')\n...\n>>> print('b\\n\\nc')\n"
        "b\n<BLANKLINE>\nc\n")
    assert run(path, check=True)[0] == 0


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.txt", "no such file"),
    (lambda p: p, "is a directory"),
    (lambda p: _write_bytes(p / "big.txt", b"#" * (runner.MAX_BYTES + 1)), "larger than 1 MiB"),
    (lambda p: _write_bytes(p / "bin.txt", b"x = 1\n\xff\n"), ":2: not UTF-8 text (byte 0xff"),
    (lambda p: _write_bytes(p / "bad.txt", b"#: nonsense\n>>> 1\n"), "bad.txt:1: unknown"),
])
def test_files_that_cannot_run_give_a_clear_message_and_exit_2(tmp_path, make, message):
    code, text, errors = run(make(tmp_path))
    assert (code, text) == (2, "")
    assert errors.startswith("autodiff run: ") and message in errors


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_a_fifo_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    assert "not a regular file" in run(tmp_path / "pipe")[2]


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(p.name for p in lessons_dir().glob("*.txt")))
def test_every_lesson_passes_check(name):
    code, text, _ = run(lessons_dir() / name, check=True)
    assert code == 0, text


def test_pytest_plugin_collects_steps_and_reports_diffs(tmp_path, capsys):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "good.txt").write_text(TRANSCRIPT)
    (tmp_path / "lessons" / "bad.txt").write_text(
        "#: step first\n>>> 1 + 1\n2\n#: step second\n>>> 2 + 2\n5\n")
    (tmp_path / "tests" / "transcripts").mkdir(parents=True)
    (tmp_path / "tests" / "transcripts" / "script.txt").write_text("x = 1\nnope\n")
    (tmp_path / "notes.txt").write_text(">>> not collected\n")
    (tmp_path / "lessons" / "broken.txt").write_text(">>> 1\n#: stpe typo\n")
    registered = any(ep.name == "autodiff" for ep in entry_points(group="pytest11"))
    plugin = [] if registered else ["-p", "autodiff_repl.pytest_plugin"]
    quiet = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-q",
             "--continue-on-collection-errors"]
    code = pytest.main([*plugin, *quiet, "--rootdir", str(tmp_path),
                        "-c", str(tmp_path / "pytest.ini"), str(tmp_path)])
    text = capsys.readouterr().out
    assert code == 1, text
    assert "2 failed, 2 passed, 1 error" in text
    assert "lessons/broken.txt:2: unknown or empty directive '#: stpe typo'" in text
    assert "lessons/bad.txt:5 (step second): output differs" in text
    assert "-5\n+4" in text
    assert "script.txt:2: NameError: name 'nope' is not defined" in text


def test_an_ellipsis_cannot_hide_an_unexpected_error(write):
    path = write(">>> graph nothing_here\n...\n")
    code, text, _ = run(path, check=True)
    assert code == 1 and "output differs" in text


class _Terminal(io.StringIO):
    """A stream that says it is a terminal (its width comes from COLUMNS)."""

    def isatty(self) -> bool:
        return True


def test_lesson_narration_is_reflowed_on_a_terminal_and_kept_in_a_pipe(monkeypatch):
    path = lessons_dir() / "01_autograd.txt"
    transcript = tx.parse(path.read_text(encoding="utf-8"), str(path))
    monkeypatch.setenv("COLUMNS", "60")
    shown = _Terminal()
    runner.run_transcript(transcript, runner.new_session(), stream=shown)
    piped = io.StringIO()
    runner.run_transcript(transcript, runner.new_session(), stream=piped)
    narration = [ln for ln in shown.getvalue().split("\n")
                 if ln and not ln.startswith((">>>", "...", " ")) and "tensor(" not in ln]
    assert narration and max(map(len, narration)) <= 60
    assert max(map(len, piped.getvalue().split("\n"))) > 60  # as written: up to ~95 columns
    assert "We want the gradient of y = 2·xᵀx with respect to the vector x." in piped.getvalue()
