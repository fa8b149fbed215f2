"""Lessons: the list, saved progress, and ``run_lesson`` (guided, or replayed from a pipe).

A lesson is a transcript (see ``transcript``) in the package's ``lessons/`` folder. The guided
mode itself is ``lesson_guide.Guide``. Progress is saved after every step in
``$XDG_STATE_HOME/autodiff/progress.json`` and a lesson resumes at its first unfinished step.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autodiff_repl import runner
from autodiff_repl import transcript as tx


@dataclass(frozen=True)
class LessonInfo:
    """A lesson in the menu: its number, title, step count, file and progress key."""

    number: int
    title: str
    steps: int
    path: Path

    @property
    def key(self) -> str:
        """The progress key: the file name without its extension."""
        return self.path.stem

    def __str__(self) -> str:
        return f"{self.number:>2}  {self.title}  ({self.steps} steps)"


def lessons_dir() -> Path:
    """The lessons folder: inside the installed package, else the repository's ``lessons/``."""
    packaged = Path(__file__).with_name("lessons")
    return packaged if packaged.is_dir() else Path(__file__).parents[1] / "lessons"


def load(path: Path) -> tx.Transcript:
    """Parse a lesson file."""
    return tx.parse(path.read_text(encoding="utf-8"), str(path))


def list_lessons() -> list[LessonInfo]:
    """Every lesson, by number."""
    found = []
    for path in sorted(lessons_dir().glob("*.txt")):
        t = load(path)
        digits = "".join(c for c in path.stem.split("_")[0] if c.isdigit())
        number = t.number if t.number is not None else int(digits or 0)
        found.append(LessonInfo(number, t.title or path.stem, len(t.steps), path))
    return sorted(found, key=lambda info: info.number)


def lesson_info(n: int) -> LessonInfo:
    """The lesson numbered ``n``; ``LookupError`` names the lessons there are."""
    infos = list_lessons()
    for info in infos:
        if info.number == n:
            return info
    numbers = ", ".join(str(i.number) for i in infos) or "none"
    raise LookupError(f"no lesson {n}; the lessons are {numbers} (see 'autodiff lessons')")


def lesson_path(n: int) -> Path:
    """The file of lesson ``n``."""
    return lesson_info(n).path


# --- progress -------------------------------------------------------------------------------

def default_progress_file() -> Path:
    """``$XDG_STATE_HOME/autodiff/progress.json`` (``~/.local/state`` by default)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "autodiff" / "progress.json"


class Progress:
    """Which steps of which lessons are done (``passed`` or ``skipped``), kept in a JSON file."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_progress_file()
        self.problem = ""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.lessons: dict[str, dict[str, str]] = {
                str(k): {str(s): str(v) for s, v in dict(v["steps"]).items()}
                for k, v in dict(data["lessons"]).items()}
        except FileNotFoundError:
            self.lessons = {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.problem = f"could not read {self.path}; starting with no saved progress"
            self.lessons = {}

    def steps(self, key: str) -> dict[str, str]:
        """The done steps of a lesson: step id -> ``passed``/``skipped``."""
        return self.lessons.setdefault(key, {})

    def mark(self, key: str, step_id: str, status: str) -> None:
        """Record a step and save at once."""
        self.steps(key)[step_id] = status
        self.save()

    def clear(self, key: str) -> None:
        """Forget a lesson's progress."""
        self.lessons.pop(key, None)
        self.save()

    def save(self) -> None:
        """Write the file atomically; a read-only home only loses the saving."""
        data = {"version": 1, "updated": datetime.now(UTC).isoformat(timespec="seconds"),
                "lessons": {k: {"steps": v} for k, v in self.lessons.items()}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            self.problem = f"could not save progress to {self.path}: {exc.strerror or exc}"


def menu_lines(progress: Progress) -> list[str]:
    """The lesson list with each lesson's progress."""
    lines = []
    for info in list_lessons():
        done = sum(1 for _ in progress.steps(info.key))
        mark = "done" if done >= info.steps else f"{done}/{info.steps}" if done else ""
        lines.append(f"{info}{'  [' + mark + ']' if mark else ''}")
    return lines


def replay_lesson(n: int, *, output: Callable[[str], Any] = print, hints: bool = True) -> int:
    """Run lesson ``n`` non-interactively, as ``autodiff run`` would print it; 1 on a mismatch."""
    info = lesson_info(n)
    lesson = load(info.path)
    buffer = io.StringIO()
    buffer.write(f"Lesson {info.number}: {info.title}\n\n")
    result = runner.run_transcript(lesson, runner.new_session(hints=hints), hints=hints,
                                   compare=True, stream=buffer)
    for mismatch in result.mismatches:
        buffer.write(mismatch.report() + "\n")
    output(buffer.getvalue().rstrip("\n"))
    return int(bool(result.mismatches))


def run_lesson(n: int, *, input_fn: Callable[[str], str] = input,
               output: Callable[[str], Any] = print, progress_file: str | Path | None = None,
               hints: bool = True, interactive: bool | None = None,
               restart: bool = False, width: int | None = None) -> int:
    """Guide the learner through lesson ``n``; the exit code (0, or 2 for an unknown lesson).

    ``interactive`` defaults to true when ``input_fn`` is scripted or stdin is a terminal;
    otherwise the lesson is replayed as ``autodiff run`` prints it. ``restart`` forgets the
    lesson's progress first. ``width`` is the width prose is reflowed at (by default the
    terminal prompt's, see ``lesson_guide.Guide``).
    """
    try:
        info = lesson_info(n)
    except LookupError as exc:
        output(f"autodiff lesson: {exc}")
        return runner.USAGE_ERROR
    if interactive is None:
        interactive = input_fn is not input or sys.stdin.isatty()
    if not interactive:
        return replay_lesson(n, output=output, hints=hints)
    from autodiff_repl.lesson_guide import Guide

    progress = Progress(progress_file)
    if restart:
        progress.clear(info.key)
    while True:
        result = Guide(info, input_fn=input_fn, output=output, progress=progress,
                       hints=hints, width=width).run()
        if isinstance(result, int):
            return result
        info = lesson_info(result[1])
