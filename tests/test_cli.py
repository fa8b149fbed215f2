"""The ``autodiff`` command: commands, exit codes, stdout/stderr and plain output.

Whole-process tests run ``python -m autodiff_repl`` (what the ``autodiff`` script runs) with HOME
and XDG_STATE_HOME in a temporary directory; quick ones use typer's CliRunner.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autodiff_repl import cli
from autodiff_repl.cli_app import app

HAS_SESSION = importlib.util.find_spec("autodiff_repl.session") is not None
needs_session = pytest.mark.skipif(not HAS_SESSION, reason="autodiff_repl.session not written yet")
HAS_LESSONS = importlib.util.find_spec("autodiff_repl.lessons") is not None

FOUR_LINES = """\
x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()
x.grad
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return dict(environ, HOME=str(home), XDG_STATE_HOME=str(home / "state"), COLUMNS="100",
                PYTHONPATH=str(Path(__file__).resolve().parents[1]))


def autodiff(env: dict[str, str], *args: str, stdin: str = "", cwd: Path | None = None
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autodiff_repl", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60, cwd=cwd)


def test_version(env: dict[str, str]) -> None:
    proc = autodiff(env, "--version")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "autodiff-repl 0.1.0\n", "")
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, "autodiff-repl 0.1.0\n")


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_lists_commands(flag: str) -> None:
    result = CliRunner().invoke(app, [flag], prog_name="autodiff")
    assert result.exit_code == 0
    for word in ("run", "lessons", "lesson", "--version", "--install-completion"):
        assert word in result.output


def test_run_help_shows_options() -> None:
    result = CliRunner().invoke(app, ["run", "-h"])
    assert result.exit_code == 0
    for word in ("--exitfirst", "-x", "--no-hints", "--check", "--no-color", "FILE|-"):
        assert word in result.output


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["lesson", "--help"]])
def test_help_shows_no_type_beside_flags(args: list[str]) -> None:
    result = CliRunner().invoke(app, args, prog_name="autodiff", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "--no-hints" in result.output and "<bool>" not in result.output


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin, prog_name="autodiff")


def test_usage_errors_exit_2_on_stderr(env: dict[str, str], tmp_path: Path) -> None:
    proc = autodiff(env, "bogus")
    assert proc.returncode == 2 and proc.stdout == "" and "bogus" in proc.stderr
    for args, says in [(["run"], "FILE"), (["run", str(tmp_path / "missing.py")], "missing.py"),
                       (["run", str(tmp_path)], "directory"), (["lesson", "one"], "N"),
                       (["lesson", "99"], "no lesson 99"), (["run", "--bogus", "f"], "--bogus")]:
        result = invoke(*args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        assert says in result.stderr, args


def test_fast_path_takes_only_the_plain_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr(cli, "run_file", lambda file, **kw: calls.append((file, kw)) or 0)
    monkeypatch.setattr(cli, "start_repl", lambda **kw: calls.append(("REPL", kw)) or 0)
    monkeypatch.delenv("_AUTODIFF_COMPLETE", raising=False)
    assert cli.fast_path(["run", "f.py"]) == 0
    assert cli.fast_path(["--no-hints", "run", "-x", "--check", "-"]) == 0
    assert cli.fast_path(["--no-color"]) == 0
    assert cli.fast_path(["--no-color", "run", "f.py"]) == 0
    assert cli.fast_path(["run", "--no-color", "f.py"]) == 0
    plain_run = {"exitfirst": False, "check": False, "update": False, "hints": True,
                 "no_color": True}
    assert calls == [
        ("f.py", {"exitfirst": False, "check": False, "update": False, "hints": True,
                  "no_color": False}),
        ("-", {"exitfirst": True, "check": True, "update": False, "hints": False,
               "no_color": False}),
        ("REPL", {"hints": True, "no_color": True}),
        ("f.py", plain_run),
        ("f.py", plain_run),
    ]
    for argv in (["run"], ["run", "a", "b"], ["run", "--bogus", "f"], ["run", "-h", "f"],
                 ["lessons"], ["lesson", "1"], ["-h"], ["--no-hints", "--version"], ["x"]):
        assert cli.fast_path(argv) is None, argv
    monkeypatch.setenv("_AUTODIFF_COMPLETE", "complete_bash")
    assert cli.fast_path([]) is None


@needs_session
def test_run_imports_no_heavy_modules(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "four_lines.py"
    script.write_text(FOUR_LINES)
    probe = (
        "import atexit, sys\n"
        "heavy = ('torch', 'typer', 'pydantic', 'rich', 'prompt_toolkit')\n"
        "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & "
        "set(heavy)), file=sys.stderr))\n"
        f"sys.argv = ['autodiff', 'run', {str(script)!r}]\n"
        "from autodiff_repl.cli import main\nmain()\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "[]\n"


def test_crash_output_never_shows_locals() -> None:
    assert app.pretty_exceptions_show_locals is False


@needs_session
def test_run_script_prints_like_pytorch(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "four_lines.py"
    script.write_text(FOUR_LINES)
    proc = autodiff(env, "run", str(script))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "tensor([ 0.,  4.,  8., 12.])\n",
                                                          "")
    result = invoke("run", "-", stdin=FOUR_LINES)
    assert (result.exit_code, result.stdout) == (0, "tensor([ 0.,  4.,  8., 12.])\n")


@needs_session
def test_run_into_a_pipe_explains_in_plain_text(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "graph.py"
    script.write_text("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)\n"
                      "graph y\n")
    proc = autodiff(env, "run", str(script))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith("graph of y: 1 leaf, 2 ops\n  y = 2 · t1 ")
    assert "\x1b[" not in proc.stdout
    assert not set("╭╮╰╯│") & set(proc.stdout)


@needs_session
def test_run_goes_on_after_an_error_and_exits_1(tmp_path: Path) -> None:
    script = tmp_path / "bad.py"
    script.write_text("x = torch.ones(3, requires_grad=True)\nx.backward()\nprint('after')\n")
    result = invoke("run", str(script))
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "RuntimeError: grad can be implicitly created only for scalar outputs")
    assert "hint:" in result.stdout and result.stdout.endswith("after\n")
    assert "\x1b[" not in result.stdout
    for args in (["run", "-x", "--no-hints", str(script)],
                 ["--no-hints", "run", "--exitfirst", "--no-color", str(script)]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert "after" not in result.stdout and "hint:" not in result.stdout


@needs_session
def test_run_into_a_closed_pipe_leaves_quietly(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "many.py"
    script.write_text("print('first')\n" + "torch.ones(1000)\n" * 200)
    proc = subprocess.Popen([sys.executable, "-m", "autodiff_repl", "run", str(script)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "first\n"
    proc.stdout.close()
    assert proc.wait(timeout=30) == 1
    assert proc.stderr.read() == ""


@needs_session
def test_run_check_compares_a_transcript(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A lesson.\n\n>>> x = torch.arange(4.0)\n>>> x\ntensor([0., 1., 2., 3.])\n")
    result = invoke("run", "--check", str(good))
    assert result.exit_code == 0, result.stdout
    bad = tmp_path / "bad.txt"
    bad.write_text(">>> x = torch.arange(4.0)\n>>> x\ntensor([0., 1., 2., 4.])\n")
    result = invoke("run", "--check", str(bad))
    assert result.exit_code == 1
    assert "-tensor([0., 1., 2., 4.])" in result.stdout
    assert "+tensor([0., 1., 2., 3.])" in result.stdout


@needs_session
def test_repl_from_a_pipe(env: dict[str, str]) -> None:
    proc = autodiff(env, stdin="x = torch.arange(4.0, requires_grad=True)\n"
                    "y = 2 * torch.dot(x, x)\ny\nfor i in range(2):\n    print(i)\n\nx.shape\n")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "tensor(28., grad_fn=<MulBackward0>)\n0\n1\ntorch.Size([4])\n"
    proc = autodiff(env, "--no-hints", stdin="undefined_name\n1 + 1\n")
    assert (proc.returncode, proc.stdout) == (1, "NameError: name 'undefined_name' is not "
                                              "defined\n2\n")


@needs_session
def test_run_interrupted_exits_130(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "loop.py"
    script.write_text("print('looping')\nx = 0\nwhile True:\n    x = x + 1\nprint('after')\n")
    proc = subprocess.Popen([sys.executable, "-m", "autodiff_repl", "run", str(script)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "looping\n"
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stdout + stderr
    assert "after" not in stdout
    assert "Traceback" not in stderr and "interrupted" in stderr


@pytest.mark.skipif(not HAS_LESSONS, reason="autodiff_repl.lessons not written yet")
def test_lessons_lists_lessons(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    result = invoke("lessons")
    assert result.exit_code == 0
    assert result.stdout.startswith(" 1  ")
    assert result.stdout.endswith("Start one with 'autodiff lesson N'.\n")


@pytest.mark.skipif(not HAS_LESSONS, reason="autodiff_repl.lessons not written yet")
def test_lesson_from_a_pipe_replays_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    result = invoke("lesson", "1", stdin="")
    assert result.exit_code == 0, result.stdout
    assert "tensor(28., grad_fn=<MulBackward0>)" in result.stdout
