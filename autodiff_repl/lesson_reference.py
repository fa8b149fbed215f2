"""A lesson step's reference answer, run in a scratch session: what it binds and changes, the
errors it meets, the values it shows, the gradients at each input (``References``). The guide
(``lesson_guide``) judges a learner's attempt against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autodiff_repl import lesson_values as lv
from autodiff_repl import outputs as out
from autodiff_repl import runner
from autodiff_repl import transcript as tx
from autodiff_repl.render import plain


@dataclass
class Reference:
    """What a step's reference answer does, seen from a scratch session."""

    changed: dict[str, Any]
    errors: list[tuple[str, str]]
    shown: list[str]
    printed: list[str]
    last_shown: list[str] = field(default_factory=list)
    last_errors: list[str] = field(default_factory=list)
    moments: list[lv.Moment] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)

    @property
    def shown_on_the_way(self) -> list[str]:
        """The values the reference shows before its last input."""
        return self.shown[:len(self.shown) - len(self.last_shown)]

    @property
    def rebound(self) -> set[str]:
        """The names the reference binds to a new tensor."""
        return lv.rebound(self.moments)

    @property
    def graded(self) -> list[str]:
        """The variables whose ``.grad`` the reference leaves set."""
        return [name for name, v in self.changed.items()
                if isinstance(v, lv.TensorValue) and v.grad is not None]

    def mixed(self, moments: list[lv.Moment]) -> dict[str, str]:
        """``lv.mixed_gradients`` of a learner's ``moments``, but for the gradients that the
        reference mixes as well (a step may teach just that)."""
        own = lv.mixed_gradients(self.moments, self.graded, self.rebound)
        found = lv.mixed_gradients(moments, self.graded, self.rebound)
        return {name: old for name, old in found.items() if name not in own}

    def grad_base(self, name: str) -> Any:
        """What the step's own gradients add to in ``name.grad`` (None: nothing, as the step
        starts with none or clears it)."""
        return lv.grad_bases(self.moments, name)[0]

    def effects(self) -> str:
        """What the answer did to the variables, in words: "bound y and set x.grad"."""
        bound, changed, set_ = [], [], []
        for name, value in self.changed.items():
            old = self.before.get(name)
            if (name in self.rebound or not isinstance(old, lv.TensorValue)
                    or not isinstance(value, lv.TensorValue)):
                bound.append(name)
                continue
            parts = lv.altered(old, value)
            changed += [name] if "data" in parts else []
            set_ += [f"{name}.{part}" for part in parts if part != "data"]
        said = [f"{verb} {', '.join(names)}" for verb, names
                in (("bound", bound), ("changed", changed), ("set", set_)) if names]
        return " and ".join(said) if said else ""

    @property
    def last_output(self) -> str:
        """What the last reference input printed."""
        return self.printed[-1] if self.printed else ""


def engine_state() -> tuple:
    """The engine's process-wide settings a session changes: random numbers, print options,
    default dtype, grad mode."""
    from autodiff_repl import engine
    from autodiff_repl.engine import creation, grad_mode

    return (creation.RNG, engine.get_printoptions(), engine.get_default_dtype(),
            grad_mode.STATE.enabled)


def set_engine_state(state: tuple) -> None:
    """Put back what ``engine_state`` saved."""
    from autodiff_repl import engine
    from autodiff_repl.engine import creation, grad_mode

    creation.RNG, options, dtype, grad_mode.STATE.enabled = state
    engine.set_printoptions(**options)
    engine.set_default_dtype(dtype)


class References:
    """Runs reference answers in a scratch session, step after step, and remembers the effects.

    The engine's settings are process-wide, so the scratch session's (its random numbers, print
    options ...) are swapped in while it runs and the learner's are put back afterwards.
    """

    def __init__(self, lesson: tx.Transcript, hints: bool) -> None:
        self.lesson, self.hints = lesson, hints
        self.cache: dict[int, Reference] = {}
        self.session: Any = None
        self.state: tuple | None = None
        self.next = 0

    def __getitem__(self, k: int) -> Reference:
        """The effects of step ``k``'s reference answer (computed once)."""
        if k not in self.cache:
            learners = engine_state()
            if self.state is not None:
                set_engine_state(self.state)
            try:
                self.cache[k] = self.compute(k)
            finally:
                self.state = engine_state()
                set_engine_state(learners)
        return self.cache[k]

    def compute(self, k: int) -> Reference:
        """Run the reference answers up to step ``k`` in the scratch session."""
        if self.session is None or self.next > k:
            self.session, self.next = runner.new_session(hints=self.hints), 0
        for step in self.lesson.steps[self.next:k]:
            replay(step, self.session)
        before = lv.snapshot(self.session.variables)
        moments, results = [lv.moment(self.session.variables)], []
        for source in self.lesson.steps[k].sources:
            results.append(self.session.execute(source))
            moments.append(lv.moment(self.session.variables))
        after = lv.snapshot(self.session.variables)
        self.next = k + 1
        flat = [o for r in results for o in r]
        last = results[-1] if results else []
        return Reference(
            lv.changed(before, after),
            [(o.type, o.message) for o in flat if isinstance(o, out.Error)],
            [o.text for o in flat if isinstance(o, out.Echo | out.Printed)],
            [plain(r, hints=self.hints) for r in results],
            [o.text for o in last if isinstance(o, out.Echo | out.Printed)],
            [o.type for o in last if isinstance(o, out.Error)],
            moments, before)


def replay(step: tx.Step, session: Any) -> None:
    """Run a step's reference inputs silently."""
    for source in step.sources:
        session.execute(source)
