"""A lesson step's reference answer, run in a scratch session: what it binds and changes, the
errors it meets, the values it shows, the gradients at each input and the backward passes each
``.grad`` holds (``References``); the same for each answer the step also accepts
(``#: accept``, ``References.accepted``). The guide (``lesson_guide``) judges a learner's
attempt against them.

What an input did, seen the same way for the reference and for the learner: the errors it met
(``Met``: type, message and the calls of the statement that raised, compared by ``Met.like``
and ``Met.answers``), and whether it ends by looking at a value that shows nothing
(``looks_at_nothing``: ``x.grad`` while it is None).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from autodiff_repl import lesson_values as lv
from autodiff_repl import outputs as out
from autodiff_repl import runner
from autodiff_repl import transcript as tx
from autodiff_repl.lesson_passes import PassCount, grads_cleared
from autodiff_repl.render import plain

_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:e[-+]?\d+)?")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _normal(message: str, names: Iterable[str]) -> str:
    """An error message with what legitimately differs between two sessions blurred: numbers
    (values, sizes, positions) and the names of variables."""
    names = set(names)
    message = _IDENTIFIER.sub(lambda m: "_" if m[0] in names else m[0], message)
    return _NUMBER.sub("#", message)


def _statements(text: str) -> ast.Module | None:
    """``text`` parsed as Python (None for a command such as ``backward y``)."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def called(text: str, line: int | None = None, col: int | None = None) -> frozenset[str]:
    """The names of the functions the statement of ``text`` that starts at ``line``/``col``
    (1-based; the whole text when unknown) calls: ``y.backward()`` calls ``backward``,
    ``torch.autograd.grad(y, x)`` and ``grad(y, x)`` call ``grad``; a command calls its own
    name (``backward y``: ``backward``)."""
    tree = _statements(text)
    if tree is None:
        return frozenset(text.split()[:1])
    scope: ast.AST = next((node for node in ast.walk(tree) if isinstance(node, ast.stmt)
                           and (node.lineno, node.col_offset + 1) == (line, col)), tree)
    names = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Call):
            func = node.func
            names |= ({func.attr} if isinstance(func, ast.Attribute)
                      else {func.id} if isinstance(func, ast.Name) else set())
    return frozenset(names)


@dataclass(frozen=True)
class Met:
    """An error an input met: its type and message, the input (``source``) and the names of
    the functions called by the statement that raised it."""

    type: str
    message: str
    source: str
    calls: frozenset[str]

    def like(self, other: Met, names: Iterable[str]) -> bool:
        """The same error: the same type and message, but for numbers and the ``names`` of
        variables (which legitimately differ between the learner's session and the
        reference's)."""
        return self.type == other.type and (
            _normal(self.message, names) == _normal(other.message, names))

    def answers(self, wanted: Met, names: Iterable[str]) -> bool:
        """Whether this error is the one ``wanted`` (the reference's) stands for: the same
        error, raised by a statement that calls what the reference's calls (the same
        message from ``y.backward()`` is not the one ``torch.autograd.grad(y, x)`` meets)."""
        return self.like(wanted, names) and (not wanted.calls or bool(wanted.calls & self.calls))


def errors_met(text: str, outputs: list[out.Output]) -> list[Met]:
    """The errors an input (``text``) met, from its outputs."""
    return [Met(o.type, o.message, text.strip(), called(text, o.line, o.col))
            for o in outputs if isinstance(o, out.Error)]


def looks_at_nothing(text: str, outputs: list[out.Output], session: Any) -> bool:
    """Whether an input ends by looking at a value that shows nothing: its last statement is an
    expression that calls nothing (``x.grad``, not ``y.backward()``) and that is None, as
    ``x.grad`` is before any backward() (Python's console prints nothing for it)."""
    tree = _statements(text.strip())
    last = tree.body[-1] if tree is not None and tree.body else None
    if (not isinstance(last, ast.Expr) or any(isinstance(n, ast.Call) for n in ast.walk(last))
            or any(isinstance(o, out.Error) for o in outputs)):
        return False
    try:
        return session.evaluate(ast.get_source_segment(text.strip(), last.value)) is None
    except Exception:  # the value cannot be looked at again: it was not None
        return False


@dataclass
class Reference:
    """What a step's reference answer does, seen from a scratch session."""

    changed: dict[str, Any]
    errors: list[Met]
    shown: list[str]
    results: list[list[out.Output]]
    last_shown: list[str] = field(default_factory=list)
    last_errors: list[Met] = field(default_factory=list)
    moments: list[lv.Moment] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    ends_looking: bool = False
    """The last input looks at a value that shows nothing (``looks_at_nothing``)."""
    passes: dict[str, int] = field(default_factory=dict)
    """The backward passes each variable's ``.grad`` holds at the end, since it was last
    cleared (``lesson_passes``)."""

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
        """What the last reference input printed (in a pipe's width: as written)."""
        return plain(self.results[-1]) if self.results else ""

    @property
    def names(self) -> set[str]:
        """The variables of the step's start and end, whose names may appear in errors."""
        return set(self.before) | set(self.changed)


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
    options ...) are swapped in while it runs and the learner's are put back afterwards. The
    answers a step also accepts run each in a scratch session of its own, from the lesson's
    state at the start of the step.
    """

    def __init__(self, lesson: tx.Transcript, hints: bool) -> None:
        self.lesson, self.hints = lesson, hints
        self.cache: dict[int, Reference] = {}
        self.others: dict[int, list[Reference]] = {}
        self.count: PassCount | None = None
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

    def accepted(self, k: int) -> list[Reference]:
        """The effects of the answers step ``k`` also accepts, in its ``accepts``' order
        (computed once, when first asked for)."""
        if k not in self.others:
            learners = engine_state()
            try:
                self.others[k] = [self.alternative(k, accept.source)
                                  for accept in self.lesson.steps[k].accepts]
            finally:
                set_engine_state(learners)
        return self.others[k]

    def compute(self, k: int) -> Reference:
        """Run the reference answers up to step ``k`` in the scratch session."""
        if self.count is None or self.next > k:
            self.count, self.next = PassCount(runner.new_session(hints=self.hints)), 0
        for step in self.lesson.steps[self.next:k]:
            replay(step, self.count.run)
        self.next = k + 1
        return observe(self.count, self.lesson.steps[k].sources)

    def alternative(self, k: int, source: str) -> Reference:
        """Run ``source`` instead of step ``k``'s reference answer, in a new scratch session."""
        count = PassCount(runner.new_session(hints=self.hints))
        for step in self.lesson.steps[:k]:
            replay(step, count.run)
        return observe(count, [source])


def observe(count: PassCount, sources: list[str]) -> Reference:
    """Run ``sources`` in ``count``'s session and see what they do."""
    session = count.session
    before = lv.snapshot(session.variables)
    moments, results, met = [lv.moment(session.variables)], [], []
    for source in sources:
        results.append(count.run(source))
        met.append(errors_met(source, results[-1]))
        moments.append(lv.moment(session.variables, grads_cleared(source)))
    after = lv.snapshot(session.variables)
    flat = [o for r in results for o in r]
    last = results[-1] if results else []
    return Reference(
        lv.changed(before, after),
        [m for ms in met for m in ms],
        [o.text for o in flat if isinstance(o, out.Echo | out.Printed)],
        results,
        [o.text for o in last if isinstance(o, out.Echo | out.Printed)],
        met[-1] if met else [],
        moments, before,
        bool(sources) and looks_at_nothing(sources[-1], last, session),
        count.counts())


def replay(step: tx.Step, run: Callable[[str], Any]) -> None:
    """Run a step's reference inputs silently, each by ``run`` (a ``PassCount``'s, so that the
    passes they make are counted)."""
    for source in step.sources:
        run(source)


def bound_to(text: str, name: str) -> str | None:
    """The expression the last top-level assignment of ``text`` binds ``name`` to, as written
    (``x = x.double()``: ``x.double()``), or None."""
    tree = _statements(text.strip())
    for node in reversed(tree.body if tree is not None else []):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.get_source_segment(text.strip(), node.value)
    return None


def uses(code: str, name: str) -> bool:
    """Whether the expression ``code`` reads the variable ``name``."""
    tree = _statements(code)
    return tree is not None and any(isinstance(n, ast.Name) and n.id == name
                                    for n in ast.walk(tree))
