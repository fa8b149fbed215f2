"""Whether a lesson step is passed, and why not yet: the guide's judgement of an attempt.

``Verdicts`` is the part of ``lesson_guide.Guide`` that judges: ``verdict`` compares the
learner's session after an ``Attempt`` with what the step's reference answer (and each answer
the step also accepts) leaves (``lesson_reference``), and returns None or a ``Reason`` in words
(``lesson_reasons``); ``waiting`` says when to hold the reason back while the learner is on the
way. The rules are told in ``lesson_guide``'s docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from autodiff_repl import lesson_reasons as reasons
from autodiff_repl import lesson_values as lv
from autodiff_repl import outputs as out
from autodiff_repl import runner
from autodiff_repl import transcript as tx
from autodiff_repl.lang.errors import with_article
from autodiff_repl.lesson_passes import PassCount, grads_cleared
from autodiff_repl.lesson_reference import (
    Met,
    Reference,
    References,
    errors_met,
    looks_at_nothing,
)
from autodiff_repl.render import plain


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
    accepted: tx.Accept | None = None
    """The ``#: accept`` answer the attempt passed as, when it passed as one."""

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


class Verdicts:
    """The judging half of the guide: it reads the learner's session (``session``, with its
    ``count`` of backward passes), the step (``steps[k]``) and the reference answers
    (``refs``)."""

    session: Any
    count: PassCount
    refs: References
    steps: list[tx.Step]
    k: int

    def names(self, ref: Reference | None = None) -> set[str]:
        """The variables of the learner's session and of the step's reference (or ``ref``):
        the names that may differ between the learner's errors and the reference's."""
        return set(self.session.variables) | (ref or self.refs[self.k]).names

    def unexpected(self, met: list[Met], ref: Reference | None = None) -> list[Met]:
        """The errors in ``met`` that are none of those the step's reference (or ``ref``)
        meets."""
        ref = ref or self.refs[self.k]
        names = self.names(ref)
        return [m for m in met if not any(m.like(wanted, names) for wanted in ref.errors)]

    def verdict(self, attempt: Attempt) -> Reason | None:
        """None when the step is done as its reference answer or an answer it also accepts
        (``#: accept``, then named in ``attempt.accepted``) would leave it, else the reason it
        is not yet, measured against the reference answer."""
        reason = self.judged(attempt, self.refs[self.k])
        if reason is None:
            return None
        accepts = self.steps[self.k].accepts
        for accept, ref in zip(accepts, self.refs.accepted(self.k), strict=True):
            if self.judged(attempt, ref) is None:
                attempt.accepted = accept
                return None
        return reason

    def judged(self, attempt: Attempt, ref: Reference) -> Reason | None:
        """None when the learner's session is as ``ref`` (a reference answer) leaves it, else
        the reason it is not."""
        step = self.steps[self.k]
        unexpected = self.unexpected(attempt.met[-1], ref)
        if unexpected:  # never said: ``waiting`` lets the error speak
            return Reason(f"the last input raised {with_article(unexpected[0].type)}")
        reason = (self.unchecked(step, ref) if step.checks
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

    def unchecked(self, step: tx.Step, ref: Reference) -> Reason | None:
        """The first ``#: check`` that does not hold, in words (naming a name it needs that is
        not defined yet); gradients added up too often get their advice instead."""
        for check in step.checks:
            holds, gave = runner.check_holds(self.session, check.expr)
            if not holds:
                piled = self.piled_up(ref)
                if piled is not None:
                    return piled
                missing = _UNDEFINED.search(gave)
                return Reason(check.described
                              + (f" ({missing[1]} is not defined yet)" if missing else ""))
        return None

    def piled_up(self, ref: Reference, names: list[str] | None = None) -> Reason | None:
        """The advice when a variable's ``.grad`` holds more backward passes since it was last
        cleared than it does after the reference answer (``lesson_passes``): left over from an
        earlier try, or from before the step."""
        held = self.count.counts()
        for name in ref.graded if names is None else names:
            made = ref.passes.get(name, 0)
            if made and held.get(name, 0) > made:
                return Reason(reasons.piled_up(name, held[name], made, ref.grad_base(name)),
                              advice=True)
        return None

    def scaled(self, step: tx.Step, ref: Reference, name: str, got: Any) -> Reason | None:
        """The reason when ``name.grad`` is k times the gradient the step expects (it adds to
        nothing) and holds as many passes as the step's: no leftover, but another function or
        starting gradient."""
        want, passes = ref.changed[name], self.count.counts().get(name, 0)
        if not (isinstance(want, lv.TensorValue) and isinstance(got, lv.TensorValue)
                and ref.grad_base(name) is None and passes == ref.passes.get(name)):
            return None
        k = lv.scale(want.grad, got.grad, rtol=step.rtol, atol=step.atol)
        return None if k is None else Reason(reasons.scaled(name, k, passes))

    def different(self, step: tx.Step, ref: Reference, attempt: Attempt) -> Reason | None:
        """How the learner's session differs from what the reference answer did: its
        variables, the errors it meets, the values it shows."""
        got = lv.snapshot(self.session.variables)
        provided = getattr(self.session, "builtins", {})
        only_imports = set(ref.changed) <= set(provided)
        tolerance = {"rtol": step.rtol, "atol": step.atol}
        for name, want in ref.changed.items():  # the values first: a .grad is their effect
            if name not in got:
                if only_imports or name not in provided:
                    imported = isinstance(want, tuple) and want[:2] == ("object", "Module")
                    return Reason(f"{name} is not {'imported' if imported else 'defined'} yet")
                got[name] = lv.freeze(provided[name])
            reason = lv.difference(name, want, got[name], grads=False, **tolerance)
            if reason and lv.kept_in_graph(want, got[name], **tolerance):
                return Reason(reasons.in_graph(step, attempt.inputs, name,
                                               self.session.variables), advice=True)
            if reason:
                return Reason(reason)
            if (isinstance(want, lv.TensorValue) and want.leaf and want.requires_grad
                    and isinstance(got[name], lv.TensorValue) and not got[name].leaf):
                return Reason(reasons.not_a_leaf(step, attempt.inputs, name))
        for name, want in ref.changed.items():
            reason = lv.difference(name, want, got[name], **tolerance)
            if reason:
                return (self.piled_up(ref, [name])
                        or self.cleared(step, ref, attempt, name, got[name])
                        or self.scaled(step, ref, name, got[name]) or Reason(reason))
        reason = self.unmet(ref, attempt)
        if reason is not None:
            return reason
        # the last value the reference shows ends the step: the learner's last input shows it
        # (a look at a value that shows nothing, such as x.grad while it is None, too)
        if not _shown(step, ref.last_shown, attempt.showed[-1]) or (
                not (ref.changed or ref.errors) and not _shown(step, ref.shown, attempt.shown)
        ) or (ref.ends_looking and not attempt.looked[-1]):
            return Reason(reasons.unshown(step, ref, attempt.showed[-1]))
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
        names = self.names(ref)
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

    def unquoted(self, attempt: Attempt) -> str | None:
        """The hint when the last input failed because a word the step expects as a string
        was typed without quotes (``mode = reverse``: a NameError, or a SyntaxError for two
        words)."""
        if not any(m.type in ("NameError", "SyntaxError") for m in attempt.met[-1]):
            return None
        return reasons.unquoted(attempt.inputs[-1],
                                [self.refs[self.k], *self.refs.accepted(self.k)])

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

