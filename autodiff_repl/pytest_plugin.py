"""pytest plugin (entry point ``autodiff``): transcripts are collected as tests.

Files matching the ini option ``autodiff_transcripts`` (default ``lessons/*.txt`` and
``tests/transcripts/*.txt``, relative to the rootdir) become one test item per step
(``01_autograd.txt::backward``), or one per file for a plain script. Each item replays the steps
before it in a fresh ``Session(seed=0)`` (so ``-k`` can pick any step alone), then checks its own
inputs' outputs and its ``#: check`` lines; a failure shows a unified diff headed ``file:line``.
``--update-transcripts`` rewrites mismatching expected blocks instead of failing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autodiff_repl import outputs as out
from autodiff_repl import runner
from autodiff_repl import transcript as tx

DEFAULT_GLOBS = ["lessons/*.txt", "tests/transcripts/*.txt"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-transcripts`` and the ``autodiff_transcripts`` ini option."""
    parser.addoption("--update-transcripts", action="store_true", default=False,
                     help="autodiff: rewrite transcripts' mismatching expected blocks")
    parser.addini("autodiff_transcripts", type="args", default=DEFAULT_GLOBS,
                  help="autodiff: globs (relative to the rootdir) of transcripts to collect")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    """A ``TranscriptFile`` for each file that matches one of the globs."""
    if file_path.suffix != ".txt":
        return None
    root = parent.config.rootpath
    try:
        relative = file_path.relative_to(root)
    except ValueError:
        return None
    if any(relative.match(pattern) for pattern in parent.config.getini("autodiff_transcripts")):
        return TranscriptFile.from_parent(parent, path=file_path)
    return None


class TranscriptFailure(Exception):
    """The reports of one item's mismatches."""


class TranscriptFile(pytest.File):
    """A transcript: one item per step, or one item for a plain script."""

    def collect(self):
        text = self.path.read_text(encoding="utf-8")
        label = str(self.path.relative_to(self.config.rootpath))
        if not tx.has_inputs(text):
            yield ScriptItem.from_parent(self, name=self.path.name, text=text)
            return
        transcript = tx.parse(text, label)
        for index, step in enumerate(transcript.steps):
            yield StepItem.from_parent(self, name=step.id, transcript=transcript, index=index)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        """A malformed transcript: its ``file:line`` message, no traceback."""
        if isinstance(excinfo.value, tx.TranscriptError | UnicodeDecodeError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class StepItem(pytest.Item):
    """One step of a transcript, run after replaying the steps before it."""

    def __init__(self, *, transcript: tx.Transcript, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transcript, self.index = transcript, index
        self.step = transcript.steps[index]

    def runtest(self) -> None:
        session = runner.new_session(hints=True, seed=0)
        for step in self.transcript.steps[: self.index]:
            for source in step.sources:
                session.execute(source)
        result = runner.run_step(self.step, session, path=self.transcript.path)
        if not result.mismatches:
            return
        if self.config.getoption("update_transcripts"):
            _record_update(self.config, self.path, result.got)
            if all(m.check is None for m in result.mismatches):
                return
        raise TranscriptFailure("\n\n".join(m.report() for m in result.mismatches))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if isinstance(excinfo.value, TranscriptFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.step.line - 1, f"{self.transcript.path} step {self.step.id}"


class ScriptItem(pytest.Item):
    """A plain script: passes when no statement fails."""

    def __init__(self, *, text: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text

    def runtest(self) -> None:
        session = runner.new_session(hints=True, seed=0)
        failures = []
        for line, outputs in runner.script_steps(self.text, session, label=self.path.name):
            for item in outputs:
                if isinstance(item, out.Error):
                    failures.append(f"{self.path.name}:{line}: {item.type}: {item.message}")
        if failures:
            raise TranscriptFailure("\n".join(failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if isinstance(excinfo.value, TranscriptFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"script {self.path.name}"


_UPDATES = pytest.StashKey[dict[Path, dict[int, list[str]]]]()


def _record_update(config: pytest.Config, path: Path, got: dict[int, list[str]]) -> None:
    config.stash.setdefault(_UPDATES, {}).setdefault(path, {}).update(got)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """With ``--update-transcripts``, rewrite each file once, at the end."""
    for path, got in session.config.stash.get(_UPDATES, {}).items():
        text = path.read_text(encoding="utf-8")
        lines = tx.updated_lines(tx.parse(text, str(path)), got)
        newline = "\r\n" if "\r\n" in text else "\n"
        path.write_text(newline.join(lines) + newline, encoding="utf-8")
