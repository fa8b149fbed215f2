"""The ``autodiff`` command's entry point, ``main()``, and the actions its commands run.

The CLI itself is the typer app in ``cli_app`` (``autodiff``, ``run``, ``lessons``, ``lesson N``,
``--version``, ``-h``, shell completion). typer builds a pydantic adapter for every parameter,
which costs about 0.2 s a learner would feel at every start, so ``main()`` runs the three common
cases itself when their arguments are plain: ``autodiff [--no-hints] [--no-color]`` (the REPL),
``autodiff run FILE|-`` with its flags, and ``autodiff --version``. Anything else (help, usage
errors, completion, lessons) goes to typer. Both paths call the same functions below.

Exit codes: 0 ok, 1 a statement or a check failed, 2 usage error (on stderr), 130 Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

PROG = "autodiff"
INTERRUPTED = 130
_ROOT_FLAGS = ("--no-hints", "--no-color")
_RUN_FLAGS = {"-x": "exitfirst", "--exitfirst": "exitfirst", "--check": "check",
              "--update": "update", "--no-hints": "no_hints", "--no-color": "no_color"}


def version_text() -> str:
    """``autodiff-repl X.Y.Z`` from the installed metadata, else from the package."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("autodiff-repl")
    except PackageNotFoundError:
        from autodiff_repl import __version__ as number
    return f"autodiff-repl {number}"


def start_repl(*, hints: bool = True, no_color: bool = False) -> int:
    """``autodiff``: the interactive REPL (plain lines when stdin is not a terminal)."""
    from autodiff_repl import repl

    try:
        return repl.run(hints=hints, no_color=no_color)
    except KeyboardInterrupt:
        return INTERRUPTED


class RunInterrupted(BaseException):
    """Ctrl-C during ``autodiff run``. The session catches KeyboardInterrupt (so that the REPL
    lives on) but not this, so the whole run stops."""


def run_file(file: str, *, exitfirst: bool = False, check: bool = False, update: bool = False,
             hints: bool = True, no_color: bool = False) -> int:
    """``autodiff run``: a script or a transcript, its output on stdout, drawn as the REPL draws
    it (colour and panels on a terminal, plain text in a pipe or with ``--no-color``)."""
    from autodiff_repl import runner

    with _interrupt_stops_the_run():
        try:
            return runner.run_path(file, stop_first=exitfirst, hints=hints, check=check,
                                   update=update, stream=sys.stdout, no_color=no_color)
        except RunInterrupted:
            sys.stdout.flush()
            print("autodiff run: interrupted", file=sys.stderr)
            return INTERRUPTED


@contextlib.contextmanager
def _interrupt_stops_the_run() -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise RunInterrupted

    try:
        previous = signal.signal(signal.SIGINT, stop)
    except ValueError:  # not the main thread: leave Ctrl-C as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def fast_path(argv: list[str]) -> int | None:
    """The exit code after running ``argv`` without typer, or None when typer must handle it."""
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None  # a shell is asking typer for completions
    if argv == ["--version"]:
        print(version_text())
        return 0
    root = set()
    while argv and argv[0] in _ROOT_FLAGS:
        root.add(argv[0])
        argv = argv[1:]
    if not argv:
        return start_repl(hints="--no-hints" not in root, no_color="--no-color" in root)
    if argv[0] != "run":
        return None
    flags, files = set(), []
    for arg in argv[1:]:
        if arg in _RUN_FLAGS:
            flags.add(_RUN_FLAGS[arg])
        elif arg == "-" or not arg.startswith("-"):
            files.append(arg)
        else:
            return None
    if len(files) != 1:
        return None
    return run_file(files[0], exitfirst="exitfirst" in flags, check="check" in flags,
                    update="update" in flags,
                    hints="no_hints" not in flags and "--no-hints" not in root,
                    no_color="no_color" in flags or "--no-color" in root)


def main() -> None:
    """The console script ``autodiff`` and ``python -m autodiff_repl``."""
    try:
        code = fast_path(sys.argv[1:])
        if code is None:
            from autodiff_repl.cli_app import app

            app(prog_name=PROG)
            return
    except KeyboardInterrupt:
        code = INTERRUPTED
    except BrokenPipeError:  # `autodiff run f | head`: the reader left; leave quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    sys.exit(code)


def __getattr__(name: str) -> Any:
    """``cli.app``: the typer app, imported on first use."""
    if name == "app":
        from autodiff_repl.cli_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
