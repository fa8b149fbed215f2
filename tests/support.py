"""Helpers several test modules share: a scripted learner in a lesson, and a script run both by
``autodiff run`` and by Python with PyTorch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from autodiff_repl import lessons

ROOT = Path(__file__).resolve().parents[1]


def scripted_lesson(n: int, answers, tmp_path: Path, **kwargs) -> tuple[int, str]:
    """Run lesson ``n`` with scripted answers; returns (exit code, everything shown)."""
    feed = iter(answers)
    shown: list[str] = []

    def input_fn(prompt):
        line = next(feed, None)
        if line is None:
            raise EOFError
        shown.append(prompt + line)
        return line

    code = lessons.run_lesson(n, input_fn=input_fn, output=shown.append, restart=True,
                              progress_file=tmp_path / "progress.json", **kwargs)
    return code, "\n".join(shown)


def autodiff_run(script: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """``autodiff run script`` in a fresh process with a bare environment."""
    return subprocess.run([sys.executable, "-m", "autodiff_repl", "run", str(script)],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "PYTHONPATH": str(ROOT)})


def python_run(script: Path, *flags: str) -> subprocess.CompletedProcess:
    """``python script`` (with PyTorch installed, ``import torch`` is the real one)."""
    return subprocess.run([sys.executable, *flags, str(script)], capture_output=True, text=True,
                          timeout=120)
