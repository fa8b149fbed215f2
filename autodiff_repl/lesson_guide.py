"""The guide of one lesson: shows a step, lets the learner type, checks the result by value.

The step's ``#: check`` expressions must hold in the learner's session; without them, the
variables the step's reference answer binds or changes (seen in a scratch session, see
``References``) must hold close values (a leaf where the reference's is one), an error the
reference meets must be met (the same type and message, from a statement that calls what the
reference's calls, since the learner last started the step afresh: ``Guide.unmet``) and the
value its last input shows must be shown by the learner's last input (every value it shows,
when it binds nothing and meets no error; a look at a value that shows nothing, as ``x.grad``
while it is None, too). Either way a step is not passed, nor failed without a word,
because of gradients left over from an earlier try in the step: a ``.grad`` holding more
gradients than the step adds, or mixing passes made before the learner bound a variable of the
step anew, gets the advice to clear it (``lesson_values``); one the learner cleared where the
step adds to what it held gets what the step expects and the way back (``Guide.cleared``).
``:skip`` runs the reference answer from the step's starting state, as the narration tells it.

Feedback is calm (``Guide.judge``, ``Guide.waiting``): nothing after an input that raised an
error the reference does not meet (the error and its hint speak), nothing while the learner is
on the way; then "Not yet:" with the reason in words (a check's ``# words``), and the first hint
once.

A step is passed only by what the learner did: an input that raised an error the reference
does not meet never passes it, and a name the step binds must be bound by the learner (a name
the tool provides anyway, such as ``torch``, counts unless binding it is all the step does).

``:hint``, ``:skip``, ``:back``, ``:reset``, ``:step``, ``:menu`` and ``:quit`` steer; every other
input runs in the learner's session as in the REPL (a ``:`` command such as ``:vars`` changes
nothing and is not judged). After the last step the guide says what comes next and stays a REPL
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
from dataclasses import dataclass, field
from typing import Any

from autodiff_repl import lesson_values as lv
from autodiff_repl import lessons, runner
from autodiff_repl import outputs as out
from autodiff_repl import transcript as tx
from autodiff_repl.lang.errors import with_article
from autodiff_repl.lesson_reference import (
    Met,
    Reference,
    References,
    bound_to,
    errors_met,
    grads_cleared,
    looks_at_nothing,
    replay,
    uses,
)
from autodiff_repl.prose import MAX_WIDTH, reflow
from autodiff_repl.render import plain

COMMANDS = """\
Lesson commands:
  :hint    a hint for this step (again for the next one)
  :skip    run the reference answer and go on
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


_BOOLEANS = re.compile(r"(?:tensor\()?[\s\[\],]*(?:(?:True|False)[\s\[\],]*)+\)?")


def _is_comparison(printout: str) -> bool:
    """Whether a printed value holds only booleans (``tensor([True, False])``, ``True``)."""
    return bool(_BOOLEANS.fullmatch(printout.strip()))


@dataclass
class Attempt:
    """The learner's inputs in the current step and what they did, as the checks need them.

    ``moments`` starts with the session at the start of the step and grows by one per input;
    ``met`` (the errors), ``showed`` (the values) and ``looked`` (``looks_at_nothing``) are per
    input too; ``told_at`` counts the inputs when the learner was last told "Not yet".
    """

    moments: list[lv.Moment]
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    met: list[list[Met]] = field(default_factory=list)
    showed: list[list[str]] = field(default_factory=list)
    looked: list[bool] = field(default_factory=list)
    told_at: int | None = None

    def add(self, text: str, outputs: list[out.Output], hints: bool, session: Any) -> None:
        """Record one input, what it printed and the ``session`` after it."""
        self.inputs.append(text.strip())
        self.outputs.append(plain(outputs, hints=hints))
        self.met.append(errors_met(text, outputs))
        self.showed.append([o.text for o in outputs if isinstance(o, out.Echo | out.Printed)])
        self.looked.append(looks_at_nothing(text, outputs, session))
        self.moments.append(lv.moment(session.variables, grads_cleared(text)))

    @property
    def shown(self) -> list[str]:
        """Every value the learner showed in the step."""
        return [text for shown in self.showed for text in shown]


@dataclass(frozen=True)
class Reason:
    """Why a step is not passed yet, in words; ``advice`` when the words say how to fix it."""

    text: str
    advice: bool = False


_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")


def _printed(array: Any) -> str:
    """A gradient held as a NumPy array, as PyTorch prints a tensor of it."""
    from autodiff_repl import engine

    return repr(engine.from_numpy(array))


def _shown(step: tx.Step, wanted: list[str], got: list[str]) -> bool:
    """Whether every printout in ``wanted`` is among ``got``, numbers within the tolerance."""
    return all(any(lv.same_printout(w, g, rtol=step.rtol, atol=step.atol) for g in got)
               for w in wanted)


class Guide:
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
        for step in self.steps[:k]:
            replay(step, self.session)
        self.k = k

    def execute(self, text: str) -> list[out.Output]:
        """Run learner (or reference) code in the learner's session and show its output (a
        graph fitted to the terminal's width, as in the REPL)."""
        outputs = self.session.execute(text)
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

    def names(self) -> set[str]:
        """The variables of the learner's session and of the step's reference: the names that
        may differ between the learner's errors and the reference's."""
        return set(self.session.variables) | self.refs[self.k].names

    def unexpected(self, met: list[Met]) -> list[Met]:
        """The errors in ``met`` that are none of those the step's reference meets."""
        ref, names = self.refs[self.k], self.names()
        return [m for m in met if not any(m.like(wanted, names) for wanted in ref.errors)]

    def verdict(self, attempt: Attempt) -> Reason | None:
        """None when the step is done, else the reason it is not yet."""
        step, ref = self.steps[self.k], self.refs[self.k]
        unexpected = self.unexpected(attempt.met[-1])
        if unexpected:  # never said: ``waiting`` lets the error speak
            return Reason(f"the last input raised {with_article(unexpected[0].type)}")
        reason = (self.unchecked(step, attempt) if step.checks
                  else self.different(step, ref, attempt))
        if reason is not None:
            return reason
        mixed = ref.mixed(attempt.moments)
        if not mixed:
            return None
        name, old = next(iter(mixed.items()))
        what = (f"holds the expected values, but partly from a backward() made before {old} "
                "was made again")
        return Reason(lv.added_up(name, what, base=ref.grad_base(name)), advice=True)

    def unchecked(self, step: tx.Step, attempt: Attempt) -> Reason | None:
        """The first ``#: check`` that does not hold, in words (naming a name it needs that is
        not defined yet); gradients added up too often get their advice instead."""
        for check in step.checks:
            holds, gave = runner.check_holds(self.session, check.expr)
            if not holds:
                piled = self.piled_up(step, attempt)
                if piled is not None:
                    return piled
                missing = _UNDEFINED.search(gave)
                return Reason(check.described
                              + (f" ({missing[1]} is not defined yet)" if missing else ""))
        return None

    def piled_up(self, step: tx.Step, attempt: Attempt,
                 names: list[str] | None = None) -> Reason | None:
        """The advice when a variable's ``.grad`` holds more gradients like the one the step
        adds than the step adds (left over from an earlier try), each counted from what the
        ``.grad`` held when the run began (``lv.grad_bases``)."""
        ref = self.refs[self.k]
        got = lv.snapshot(self.session.variables)
        for name in ref.graded if names is None else names:
            want, have = ref.changed[name], got.get(name)
            if not (isinstance(want, lv.TensorValue) and isinstance(have, lv.TensorValue)):
                continue
            added = lv.first_gradient(ref.moments, name)
            wanted, held = (lv.gradients_added(g, added, lv.grad_bases(moments, name),
                                               rtol=step.rtol, atol=step.atol)
                            for g, moments in ((want.grad, ref.moments),
                                               (have.grad, attempt.moments)))
            if wanted and held > wanted:
                what = f"has {held} gradients added where this step adds {wanted}"
                return Reason(lv.added_up(name, what, base=ref.grad_base(name)), advice=True)
        return None

    def different(self, step: tx.Step, ref: Reference, attempt: Attempt) -> Reason | None:
        """How the learner's session differs from what the reference answer did: its
        variables, the errors it meets, the values it shows."""
        got = lv.snapshot(self.session.variables)
        provided = getattr(self.session, "builtins", {})
        only_imports = set(ref.changed) <= set(provided)
        for name, want in ref.changed.items():
            if name not in got:
                if only_imports or name not in provided:
                    imported = isinstance(want, tuple) and want[:2] == ("object", "Module")
                    return Reason(f"{name} is not {'imported' if imported else 'defined'} yet")
                got[name] = lv.freeze(provided[name])
            reason = lv.difference(name, want, got[name], rtol=step.rtol, atol=step.atol)
            if reason:
                return (self.piled_up(step, attempt, [name])
                        or self.cleared(step, ref, attempt, name, got[name]) or Reason(reason))
            if (isinstance(want, lv.TensorValue) and want.leaf and want.requires_grad
                    and isinstance(got[name], lv.TensorValue) and not got[name].leaf):
                return Reason(self.not_a_leaf(step, attempt, name))
        reason = self.unmet(ref, attempt)
        if reason is not None:
            return reason
        # the last value the reference shows ends the step: the learner's last input shows it
        # (a look at a value that shows nothing, such as x.grad while it is None, too)
        if not _shown(step, ref.last_shown, attempt.showed[-1]) or (
                not (ref.changed or ref.errors) and not _shown(step, ref.shown, attempt.shown)
        ) or (ref.ends_looking and not attempt.looked[-1]):
            return Reason(self.unshown(step, ref, attempt))
        if ref.changed or ref.errors or ref.shown:
            return None
        if any(o.strip() == ref.last_output.strip() for o in attempt.outputs):
            return None
        return Reason("type the code the step asks for")

    def unmet(self, ref: Reference, attempt: Attempt) -> Reason | None:
        """An error the reference meets that the learner has not met as it does: since the
        input that last started the step afresh (``lv.last_restart``: an error met before it
        belongs to an earlier try) and from a statement that calls what the reference's does
        (``Met.answers``)."""
        names = self.names()
        start = lv.last_restart(attempt.moments, ref.rebound, ref.graded)
        recent = [m for met in attempt.met[max(start - 1, 0):] for m in met]
        for wanted in ref.errors:
            if any(m.answers(wanted, names) for m in recent):
                continue
            if any(m.like(wanted, names) for m in recent):
                return Reason(f"this step meets that {wanted.type} in {wanted.source}, not in "
                              "the code you ran: run that")
            if any(m.like(wanted, names) for met in attempt.met for m in met):
                return Reason(f"the {wanted.type} you met came before "
                              f"{attempt.inputs[start - 1]}, which started the step afresh: "
                              "run the code that raises it again")
            return Reason(f"this step runs into {with_article(wanted.type)}; run the code "
                          "that raises it")
        return None

    def cleared(self, step: tx.Step, ref: Reference, attempt: Attempt, name: str,
                got: Any) -> Reason | None:
        """The advice when the step adds to the gradient ``name.grad`` holds at its start and
        the learner cleared it first (``lv.cleared_start``): what the step expects, and how to
        get that gradient back."""
        want = ref.changed[name]
        if not (isinstance(want, lv.TensorValue) and isinstance(got, lv.TensorValue)
                and want.grad is not None and lv.cleared_start(
                    name, ref.moments, attempt.moments, got.grad,
                    rtol=step.rtol, atol=step.atol)):
            return None
        return Reason(f"{name}.grad is {_printed(got.grad)}; the step expects "
                      f"{_printed(want.grad)}, the gradient {name}.grad held when the step "
                      "began plus this step's, but it was cleared. :back redoes the previous "
                      "step, or :reset restarts this one with that gradient", advice=True)

    @staticmethod
    def not_a_leaf(step: tx.Step, attempt: Attempt, name: str) -> str:
        """Why ``name`` must be a leaf, where the reference's is and the learner's is not: the
        learner's code that made it from another tensor, and the reference's that makes it."""
        made = next((b for text in reversed(attempt.inputs) if (b := bound_to(text, name))),
                    None)
        wanted = next((b for source in step.sources if (b := bound_to(source, name))), None)
        how = (f"{made} made a new tensor from {'it' if uses(made, name) else 'another one'}"
               if made else "it was computed from another tensor")
        fix = (f"create it directly: {name} = {wanted}" if wanted
               else "create it directly, with requires_grad=True")
        return (f"{name} is not a leaf: {how}, and backward() fills the .grad of leaves only; "
                f"{fix}")

    @staticmethod
    def unshown(step: tx.Step, ref: Reference, attempt: Attempt) -> str:
        """What to show, when the learner has not shown the value the step ends with: a
        comparison that gives other booleans is told what the step compares, a comparison
        where the step wants values (or values where it wants a comparison) is told so; a
        value that shows nothing is to be looked at."""
        last = step.sources[-1]
        if ref.ends_looking and "\n" not in last:
            return f"now look at {last}"
        wanted = (ref.last_shown or ref.shown)[-1:]
        got = attempt.showed[-1][-1:]
        if wanted and got and "\n" not in last:
            wants, gives = _is_comparison(wanted[0]), _is_comparison(got[0])
            if wants and gives:
                return (f"your comparison gives {got[0]}; the step compares {last}, which "
                        f"gives {wanted[0]}")
            if wants:
                return f"the step asks for a comparison: {last}"
            if gives:
                return (f"that is a comparison ({got[0]}); the step asks for the value itself: "
                        f"show {last}")
        return (f"now show {last}" if ref.changed and "\n" not in last
                else "show the value the step asks for")

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

    def run_step(self) -> int | tuple[str, int] | None:
        """Drive the current step; None moves on (``self.k`` tells where)."""
        step = self.steps[self.k]
        self.show_step()
        task = bool(step.exchanges or step.checks) and not step.demo
        if not task:
            self.show_reference(step, run=True)
            self.progress.mark(self.info.key, step.id, "passed")
        attempt = Attempt([lv.moment(self.session.variables)])
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
            elif command in (":skip", "") and not task:
                self.k += 1
                return None
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
                outputs = self.execute(text)
                if any(isinstance(o, out.Quit) for o in outputs):
                    return self.leave()
                if task and not command.startswith(":"):  # :vars, :help ... change nothing
                    attempt.add(text, outputs, self.hints, self.session)
                    judged = self.judge(step, attempt, hints_shown)
                    if judged is None:
                        return None
                    hints_shown = judged

    def judge(self, step: tx.Step, attempt: Attempt, hints_shown: int) -> int | None:
        """After an input: pass the step (None), or, unless the learner is still on the way,
        say why not yet; the first time, the next hint follows (or where to find the answer).
        Returns how many hints are shown now."""
        reason = self.verdict(attempt)
        if reason is None:
            self.passed(step, attempt)
            return None
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

    def waiting(self, step: tx.Step, attempt: Attempt) -> bool:
        """Whether to hold back a "Not yet": the last input raised an error the reference does
        not meet (it speaks for itself), or the learner is on the way: fewer inputs than the
        reference since the step began, since such an error, since the last "Not yet" or since
        the learner last cleared a gradient the step sets (starting afresh), and
        the last one neither shows a value (other than one the reference shows on its way, as
        the tensor of zeros ``x.grad.zero_()`` echoes) nor meets the error the reference's
        last input meets."""
        ref, names = self.refs[self.k], self.names()
        if self.unexpected(attempt.met[-1]):
            return True
        failed = [i + 1 for i, met in enumerate(attempt.met) if self.unexpected(met)]
        cleared = lv.last_restart(attempt.moments, (), ref.graded)
        since = len(attempt.inputs) - max([0, attempt.told_at or 0, cleared, *failed])
        if since >= len(step.sources) or any(m.like(wanted, names) for m in attempt.met[-1]
                                             for wanted in ref.last_errors):
            return False
        return all(_shown(step, [g], ref.shown_on_the_way) for g in attempt.showed[-1])

    @staticmethod
    def typed_reference(step: tx.Step, attempt: Attempt) -> bool:
        """Whether the learner's last inputs are the reference answer, as written."""
        typed = [s.strip() for s in step.sources]
        return attempt.inputs[-len(typed):] == typed

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
        """Record the pass; show the reference answer unless the learner typed exactly it."""
        self.progress.mark(self.info.key, step.id, "passed")
        if self.typed_reference(step, attempt):
            self.say("✓ Correct.")
            after = step.narration(before_first_input=False)
            if after:
                self.tell(after)
        else:
            self.say("✓ Correct. To compare notes, the reference answer:")
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
