"""The guide of one lesson: shows a step, lets the learner type, checks the result by value.

The step's ``#: check`` expressions must hold in the learner's session; without them, the
variables the step's reference answer binds or changes (seen in a scratch session, see
``References``) must hold close values (a leaf where the reference's is one), an error the
reference meets must be met (the same type and message, from a statement that calls what the
reference's calls, since the learner last started the step afresh: ``Guide.unmet``) and the
value its last input shows must be shown by the learner's last input (every value it shows,
when it binds nothing and meets no error; a look at a value that shows nothing, as ``x.grad``
while it is None, too). A step may also accept other answers (``#: accept``): the learner's
session is judged against each of them (``References.accepted``) when it is not as the reference
answer leaves it, and the reasons are the reference answer's.

Either way a step is not passed, nor failed without a word, because of gradients left over from
an earlier try or step: a ``.grad`` holding more backward passes since it was last cleared than
the reference answer leaves in it (counted as they run, ``lesson_passes``), or mixing passes
made before the learner bound a variable of the step anew (``lesson_values``), gets the advice
to clear it; one the learner cleared where the step adds to what it held gets what the step
expects and the way back (``Guide.cleared``). A ``.grad`` that differs for another reason is
explained by its cause: the variables' values are compared before their gradients, so a
constant left in the graph (``u = y`` where the step makes ``u = y.detach()``) is named with
where its gradient went, and a ``.grad`` k times the step's from as many passes is said to be so
(``lesson_reasons``). ``:skip`` runs the reference answer from the step's starting state, as the
narration tells it.

Feedback is calm (``Guide.judge``, ``Guide.waiting``): nothing after an input that raised an
error the reference does not meet (the error and its hint speak), nothing while the learner is
on the way; then "Not yet:" with the reason in words (a check's ``# words``), and the first hint
once.

A step is passed only by what the learner did: an input that raised an error the reference
does not meet never passes it, and a name the step binds must be bound by the learner (a name
the tool provides anyway, such as ``torch``, counts unless binding it is all the step does).

``:hint``, ``:skip``, ``:back``, ``:reset``, ``:step``, ``:menu`` and ``:quit`` steer; every other
input runs in the learner's session as in the REPL (a ``:`` command such as ``:vars`` changes
nothing and is not judged). A demo step waits for Enter (or ``:next``); code typed at its prompt
starts the next step's attempt (``Guide.ahead``): it passes that step as soon as it answers it,
and counts for it when the learner goes on. ``:next`` at a step the learner does says how to go
on (``:skip``). After the last step the guide says what comes next and stays a REPL
on the lesson's session until the learner leaves (``:quit``, Ctrl-D), goes back to the last step
(``:back``) or picks another lesson (``:next``, ``:menu``).

All I/O goes through ``input_fn`` and ``output``; an ``input_fn`` with a ``follow`` method (the
terminal prompt, ``repl_prompt.LessonInput``) is given the learner's session, so that Tab
completes its variables, and one with a ``columns`` method gives the terminal's width, at which
the prose (narration, feedback) is reflowed (``reflow``); graphs, errors, warnings and hints
(the lesson's and the reference answer's too) are fitted as in the REPL (``render.plain``,
continuation lines under the text); code and values are never wrapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from autodiff_repl import lesson_values as lv
from autodiff_repl import lessons, runner
from autodiff_repl import outputs as out
from autodiff_repl import transcript as tx
from autodiff_repl.lesson_passes import PassCount
from autodiff_repl.lesson_reference import Met, Reference, References, errors_met, replay
from autodiff_repl.lesson_verdict import Attempt, Verdicts
from autodiff_repl.prose import MAX_WIDTH, reflow
from autodiff_repl.render import plain

COMMANDS = """\
Lesson commands:
  :hint    a hint for this step (again for the next one)
  :skip    run the reference answer and go on
  :next    go on after a demo step (as Enter does)
  :back    go back one step        :reset  restart this step
  :step    show this step again    :menu   the lesson list
  :quit    save progress and leave (also :bye, Ctrl-D)
Everything else runs as in the REPL (:vars, :help TOPIC, graph y, backward y ...)."""

QUIT = (":quit", ":q", ":bye", ":exit")
LESSON_ONLY = (":hint", ":skip", ":reset", ":step")
"""Lesson commands that have nothing to act on once the lesson is finished."""


def _needs_more(text: str) -> bool:
    """Whether an input typed so far continues on the next line (as in Python's console)."""
    lines = text.split("\n")
    if lines[0].lstrip().startswith(":"):
        return False
    block = lines[0].split("#")[0].rstrip().endswith(":")
    return tx.is_incomplete(text) or (block and bool(lines[-1].strip()))


class Guide(Verdicts):
    """One lesson in guided mode. ``run()`` returns the exit code, or ``("lesson", n)``.

    ``input_fn.follow(get_session)``, when ``input_fn`` has it, is called once with a function
    that returns the learner's current session (it is rebuilt on ``:back`` and ``:reset``).
    Prose is reflowed at ``width`` columns, else at ``input_fn.columns()`` when it has that
    method (the terminal's width, asked at each message), else left as written.
    """

    def __init__(self, info: lessons.LessonInfo, *, input_fn: Callable[[str], str],
                 output: Callable[[str], Any], progress: lessons.Progress, hints: bool,
                 width: int | None = None) -> None:
        self.info, self.input_fn, self.say = info, input_fn, output
        self.width = width
        self.lesson = lessons.load(info.path)
        self.steps = self.lesson.steps
        self.progress, self.hints = progress, hints
        self.refs = References(self.lesson, hints)
        self.session: Any = None
        self.count: Any = None
        """The ``PassCount`` of the session (both are made by ``rebuild``)."""
        self.carried: Attempt | None = None
        """Inputs typed at a demo step's prompt: the start of the next step's attempt."""
        self.k = 0
        follow = getattr(input_fn, "follow", None)
        if follow is not None:
            follow(lambda: self.session)

    def terminal_columns(self) -> int | None:
        """The terminal's width (None: unknown, as in a pipe): ``width``, else the prompt's."""
        if self.width is None and callable(getattr(self.input_fn, "columns", None)):
            return self.input_fn.columns() or None
        return self.width or None

    def columns(self) -> int | None:
        """The width prose is wrapped at (None: as written)."""
        columns = self.terminal_columns()
        return min(columns, MAX_WIDTH) if columns else None

    def tell(self, text: str) -> None:
        """Say prose (narration, feedback), reflowed to the width."""
        self.say(reflow(text, self.columns()))

    def rebuild(self, k: int) -> None:
        """A fresh session holding the state at the start of step ``k``."""
        self.session = runner.new_session(hints=self.hints)
        self.count = PassCount(self.session)
        for step in self.steps[:k]:
            replay(step, self.count.run)
        self.k, self.carried = k, None

    def execute(self, text: str) -> list[out.Output]:
        """Run learner (or reference) code in the learner's session and show its output (a
        graph fitted to the terminal's width, as in the REPL)."""
        outputs = self.count.run(text)
        shown = plain(outputs, hints=self.hints, width=self.terminal_columns())
        if shown:
            self.say(shown)
        return outputs

    def read(self, prompt: str) -> str:
        """One input; a block (``def f(a):``) or an open bracket reads on to an empty line."""
        text = self.input_fn(prompt)
        if "\n" in text and not tx.is_incomplete(text):
            return text
        while _needs_more(text):
            more = self.input_fn("... ")
            if not more.strip() and not tx.is_incomplete(text):
                break
            text += "\n" + more
        return text

    def show_step(self) -> None:
        """The "step 3/12" line and the step's task."""
        step = self.steps[self.k]
        head = f"── step {self.k + 1}/{len(self.steps)} · {step.title} "
        self.say("\n" + head + "─" * max(3, min(72, self.columns() or 72) - len(head)))
        task = step.narration(before_first_input=True)
        if task:
            self.tell(task)

    def show_reference(self, step: tx.Step, *, run: bool) -> list[Met]:
        """The reference inputs with what they print, fitted to the terminal as the learner's
        own output is (with ``run``: run them in the session); returns the errors they met."""
        results = [] if run else self.refs[self.k].results
        met = []
        for i, ex in enumerate(step.exchanges):
            self.say("\n".join(tx.format_input(ex.source)))
            if run:
                met += errors_met(ex.source, self.execute(ex.source))
            elif i < len(results):
                shown = plain(results[i], hints=self.hints, width=self.terminal_columns())
                if shown:
                    self.say(shown)
        after = step.narration(before_first_input=False)
        if after:
            self.tell(after)
        return met

    def show_hint(self, text: str) -> None:
        """A lesson's hint as the REPL shows one: ``hint: text``, wrapped at the width with
        its continuation lines under the text."""
        self.say(plain([out.Hint(text)], width=self.columns()))

    def run(self) -> int | tuple[str, int]:
        """Resume at the first unfinished step and go on to the end, or until the learner
        leaves (0) or picks another lesson from the menu (``("lesson", n)``)."""
        if self.progress.problem:
            self.tell(f"note: {self.progress.problem}")
        done = self.progress.steps(self.info.key)
        start = next((i for i, s in enumerate(self.steps) if s.id not in done), None)
        self.tell(f"Lesson {self.info.number}: {self.info.title} ({len(self.steps)} steps). "
                  "Type :help for the lesson commands.")
        if start is None:
            self.tell("You have finished this lesson; here it is again from the start.")
            start = 0
        elif start == 0 and self.lesson.preamble:
            self.tell(self.lesson.preamble)
        if start:
            self.tell(f"Resuming at step {start + 1}; the earlier steps' answers have been run.")
        self.rebuild(start)
        while True:
            while self.k < len(self.steps):
                result = self.run_step()
                if result is not None:
                    return result
            result = self.finish()
            if result is not None:
                return result

    def next_lesson(self) -> lessons.LessonInfo | None:
        """The lesson after this one, if any."""
        return next((i for i in lessons.list_lessons() if i.number > self.info.number), None)

    def finish(self) -> int | tuple[str, int] | None:
        """Say the lesson is finished and what comes next, then stay a REPL on the lesson's
        session: 0 when the learner leaves, ``("lesson", n)`` for another lesson, None after
        ``:back`` (the last step again)."""
        done = self.progress.steps(self.info.key)
        skipped = sum(1 for s in self.steps if done.get(s.id) == "skipped")
        later = self.next_lesson()
        self.tell(f"\nLesson {self.info.number} complete: {len(self.steps)} steps"
                  + (f" ({skipped} skipped)." if skipped else ".")
                  + (f" Next: lesson {later.number}, {later.title}: type :next, or "
                     f"'autodiff lesson {later.number}' later." if later
                     else " That was the last lesson: :menu lists them all."))
        moves = ", ".join(([f":next starts lesson {later.number}"] if later else []) + [
            ":back goes back to the last step", ":menu lists the lessons",
            ":quit or Ctrl-D leaves"])
        self.tell("The lesson's variables are still here: try things as in the REPL (:vars "
                  f"lists them). {moves}.")
        while True:
            try:
                text = self.read(">>> ")
            except EOFError:
                return 0
            except KeyboardInterrupt:
                self.tell("(interrupted; :quit or Ctrl-D leaves)")
                continue
            command = text.strip()
            if command in QUIT:
                return 0
            if command == ":next" and later is not None:
                return ("lesson", later.number)
            if command == ":back":
                self.rebuild(len(self.steps) - 1)
                return None
            if command == ":menu":
                choice = self.menu()
                if choice is not None:
                    return choice
            elif command in LESSON_ONLY or command == ":next":
                self.tell(f"(the lesson is finished: {moves})")
            elif command and any(isinstance(o, out.Quit) for o in self.execute(text)):
                return 0

    @staticmethod
    def is_task(step: tx.Step) -> bool:
        """Whether the learner does the step (else the guide shows it: a demo, narration)."""
        return bool(step.exchanges or step.checks) and not step.demo

    def run_step(self) -> int | tuple[str, int] | None:
        """Drive the current step; None moves on (``self.k`` tells where)."""
        step = self.steps[self.k]
        self.show_step()
        task = self.is_task(step)
        if not task:
            self.show_reference(step, run=True)
            self.progress.mark(self.info.key, step.id, "passed")
        attempt, self.carried = self.carried or Attempt([lv.moment(self.session.variables)]), None
        if task and attempt.inputs:
            self.tell("(what you typed at the previous prompt counts for this step)")
        hints_shown = 0
        while True:
            try:
                text = self.read(">>> " if task else "(Enter for the next step) >>> ")
            except EOFError:
                return self.leave()
            except KeyboardInterrupt:
                self.tell("(interrupted; :quit or Ctrl-D leaves the lesson)")
                continue
            command = text.strip()
            if command in QUIT:
                return self.leave()
            if command == ":help":
                self.tell(COMMANDS)
            elif command == ":step":
                self.show_step()
            elif command == ":hint":
                hints_shown = self.hint(step, hints_shown)
            elif command == ":skip" and task:
                self.skip(step)
                return None
            elif command in (":skip", ":next", "") and not task:
                self.k += 1
                return None
            elif command == ":next":
                self.tell("(this step moves on by itself once your answer is right: :skip runs "
                          "the reference answer and goes on, :hint gives a hint)")
            elif command == ":back":
                self.rebuild(max(0, self.k - 1))
                return None
            elif command == ":reset":
                self.rebuild(self.k)
                self.tell("(this step's starting state is back)")
                return None
            elif command == ":menu":
                choice = self.menu()
                if choice is not None:
                    return choice
            elif command:
                ahead = not task and not command.startswith(":")
                before = lv.moment(self.session.variables) if ahead else None
                outputs = self.execute(text)
                if any(isinstance(o, out.Quit) for o in outputs):
                    return self.leave()
                if ahead and self.ahead(text, outputs, before):
                    return None
                if task and not command.startswith(":"):  # :vars, :help ... change nothing
                    attempt.add(text, outputs, self.hints, self.session)
                    judged = self.judge(step, attempt, hints_shown)
                    if judged is None:
                        return None
                    hints_shown = judged

    def ahead(self, text: str, outputs: list[out.Output], before: lv.Moment) -> bool:
        """Code typed at a demo step's prompt (it ran, ``before`` is the session before it)
        starts the next step's attempt (``carried``); True when that passes the next step,
        which is then shown passed."""
        following = self.k + 1
        if following >= len(self.steps) or not self.is_task(self.steps[following]):
            return False
        if self.carried is None:
            self.carried = Attempt([before])
        self.carried.add(text, outputs, self.hints, self.session)
        self.k = following
        if self.verdict(self.carried) is not None:
            self.k -= 1
            return False
        self.show_step()
        self.tell("(what you typed at the previous prompt answers this step)")
        self.passed(self.steps[following], self.carried)
        self.carried = None
        return True

    def judge(self, step: tx.Step, attempt: Attempt, hints_shown: int) -> int | None:
        """After an input: pass the step (None), or, unless the learner is still on the way,
        say why not yet; the first time, the next hint follows (or where to find the answer).
        Returns how many hints are shown now."""
        reason = self.verdict(attempt)
        if reason is None:
            self.passed(step, attempt)
            return None
        quotes = self.unquoted(attempt)
        if quotes:
            self.show_hint(quotes)
        if self.waiting(step, attempt):
            return hints_shown
        self.tell(f"Not yet: {reason.text}.")
        first, attempt.told_at = attempt.told_at is None, len(attempt.inputs)
        if reason.advice or not first:
            return hints_shown
        if self.typed_reference(step, attempt):
            self.tell("(that is the reference answer, but your session's state differs from the "
                      "lesson's: :reset restarts this step from the lesson's state)")
        elif hints_shown < len(step.hints):
            self.show_hint(step.hints[hints_shown])
            return hints_shown + 1
        else:
            self.tell("(:skip runs the reference answer)")
        return hints_shown

    def skip(self, step: tx.Step) -> None:
        """Run the reference answer, say what it did to the variables, and go on. It runs from
        the step's starting state, so that it prints what the narration says: a session whose
        variables the answer uses have drifted from that state gets it back first."""
        ref = self.refs[self.k]
        drifted = self.drifted(step, ref)
        if drifted:
            self.rebuild(self.k)
            self.tell(f"(your {' and '.join(drifted)} differed from the lesson's at the start of "
                      "this step: the step's starting state is back)")
        self.tell("The reference answer:")
        met = self.show_reference(step, run=True)
        effects = ref.effects()
        self.tell(f"(skipped; it {effects})" if effects else "(skipped)")
        self.progress.mark(self.info.key, step.id, "skipped")
        if self.unexpected(met):
            self.rebuild(self.k + 1)
            self.tell("(your session had drifted from the lesson, so it now holds the "
                      "lesson's state after this step)")
        else:
            self.k += 1

    def drifted(self, step: tx.Step, ref: Reference) -> list[str]:
        """The variables the step's reference answer uses that differ in the learner's session
        from the lesson's state at the start of the step (``x`` after ``x.grad.zero_()``)."""
        got = lv.snapshot(self.session.variables)
        used = set(re.findall(r"[A-Za-z_]\w*", "\n".join(step.sources)))
        return [name for name in sorted(used & set(ref.before)) if name not in got
                or lv.difference(name, ref.before[name], got[name], rtol=step.rtol,
                                 atol=step.atol)]

    def hint(self, step: tx.Step, shown: int) -> int:
        """Show the next hint; return how many are shown now."""
        if not step.hints:
            self.tell("No hint for this step; :skip runs the reference answer.")
            return shown
        if shown >= len(step.hints):
            self.show_hint(step.hints[-1])
            self.tell("(no more hints; :skip runs the reference answer)")
            return shown
        self.show_hint(step.hints[shown])
        if shown + 1 < len(step.hints):
            self.tell(f"(hint {shown + 1} of {len(step.hints)}; :hint again for the next)")
        return shown + 1

    def passed(self, step: tx.Step, attempt: Attempt) -> None:
        """Record the pass; say the words of the ``#: accept`` answer it passed as, if any;
        show the reference answer unless the learner typed exactly it."""
        self.progress.mark(self.info.key, step.id, "passed")
        typed = self.typed_reference(step, attempt)
        words = attempt.accepted.words if attempt.accepted else ""
        self.say("✓ Correct." if typed or words
                 else "✓ Correct. To compare notes, the reference answer:")
        if words:
            self.tell(words + ("" if typed else " To compare notes, the reference answer:"))
        if typed:
            after = step.narration(before_first_input=False)
            if after:
                self.tell(after)
        else:
            self.show_reference(step, run=False)
        self.k += 1

    def menu(self) -> tuple[str, int] | None:
        """The lesson list; ``("lesson", n)`` when the learner picks another lesson."""
        self.say("\n".join(lessons.menu_lines(self.progress)))
        try:
            choice = self.input_fn("lesson number (Enter to stay here): ").strip()
        except EOFError:
            return None
        if choice.isdigit() and any(i.number == int(choice) for i in lessons.list_lessons()):
            if int(choice) != self.info.number:
                return ("lesson", int(choice))
        elif choice:
            self.tell(f"no lesson {choice!r}")
        return None

    def leave(self) -> int:
        """Say where the lesson will resume; exit code 0."""
        if self.progress.problem:
            self.tell(f"note: {self.progress.problem}")
        done = self.progress.steps(self.info.key)
        resume = next((i for i, s in enumerate(self.steps) if s.id not in done), 0)
        self.tell(f"Progress saved. 'autodiff lesson {self.info.number}' resumes at step "
                  f"{resume + 1}.")
        return 0
