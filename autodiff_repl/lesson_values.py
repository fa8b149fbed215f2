"""Checking a learner's answer by value: snapshots of session variables and their comparison.

A step's reference answer runs in a scratch session; the variables it binds or changes (values,
``requires_grad`` and ``.grad``) must then hold close values in the learner's session, whatever
code the learner used to get there. Echoed values are compared number by number.

Gradients add up across ``backward()`` calls. How many passes a ``.grad`` holds is counted as
they run (``lesson_passes``); over the ``Moment`` after each input, ``mixed_gradients`` sees a
``.grad`` whose sum mixes a pass through an object bound anew with passes made before, and
``cleared_start`` one the learner cleared where the step adds to what it held (``grad_bases``:
what the gradients of a run add to; ``gradients_added``: how many like the step's first one).
``scale`` sees a gradient k times the expected one, ``kept_in_graph`` a constant left in the
graph, ``words`` compares answers made of words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

_WORDS = re.compile(r"[^\W_]+(?:[\s_-]+[^\W_]+)*")
"""An answer made of words (``reverse``, ``Reverse-mode``) is compared by ``words``."""
_BETWEEN = re.compile(r"[\s_-]+")


def words(text: str) -> str | None:
    """A string made of words, as it is compared: without case, surrounding spaces, or the
    difference between the spaces, hyphens and underscores between words (``Reverse-mode`` is
    ``reverse mode``); None for other text."""
    text = text.strip()
    return _BETWEEN.sub(" ", text.casefold()) if _WORDS.fullmatch(text) else None


@dataclass(frozen=True)
class TensorValue:
    """A frozen copy of a tensor: its values, dtype, whether it requires grad, and its grad;
    ``leaf``: whether it is a leaf of the graph (made directly, not computed from a tensor that
    requires grad), the only kind whose ``.grad`` backward() fills."""

    data: np.ndarray
    dtype: str
    requires_grad: bool
    grad: np.ndarray | None
    leaf: bool = True


def _is_tensor(value: Any) -> bool:
    from autodiff_repl.engine.tensor import Tensor

    return isinstance(value, Tensor)


def _grad_copy(tensor: Any) -> np.ndarray | None:
    """A copy of a tensor's ``.grad`` (None for a non-leaf that does not retain it)."""
    grad = tensor.grad if tensor.is_leaf or tensor.retains_grad else None
    return None if grad is None else np.array(grad.detach().numpy(), copy=True)


def freeze(value: Any) -> Any:
    """A comparable copy of a session value (tensors copied, containers frozen element-wise)."""
    if _is_tensor(value):
        return TensorValue(np.array(value.detach().numpy(), copy=True), str(value.dtype),
                           bool(value.requires_grad), _grad_copy(value), bool(value.is_leaf))
    if isinstance(value, bool | int | float | complex | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(freeze(v) for v in value))
    return ("object", type(value).__name__, id(value))


def snapshot(variables: dict[str, Any]) -> dict[str, Any]:
    """Frozen copies of the session's public variables."""
    return {name: freeze(v) for name, v in variables.items() if not name.startswith("_")}


def _arrays_equal(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def identical(a: Any, b: Any) -> bool:
    """Exact equality of frozen values (used to see what a reference answer changed)."""
    if isinstance(a, TensorValue) and isinstance(b, TensorValue):
        return (a.dtype == b.dtype and a.requires_grad == b.requires_grad and a.leaf == b.leaf
                and _arrays_equal(a.data, b.data) and _arrays_equal(a.grad, b.grad))
    if isinstance(a, TensorValue) or isinstance(b, TensorValue):
        return False
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an exotic value's == failed: treat it as changed
        return False


def altered(before: TensorValue, after: TensorValue) -> list[str]:
    """Which parts of a tensor changed: ``"data"`` (values or dtype), ``"requires_grad"``,
    ``"grad"``."""
    parts = [("data", before.dtype == after.dtype and _arrays_equal(before.data, after.data)),
             ("requires_grad", before.requires_grad == after.requires_grad),
             ("grad", _arrays_equal(before.grad, after.grad))]
    return [part for part, same in parts if not same]


def kept_in_graph(want: Any, got: Any, *, rtol: float, atol: float) -> bool:
    """Whether ``got`` holds the values of ``want``, a constant (as ``y.detach()`` makes), but
    requires gradients: it was left in the graph."""
    return (isinstance(want, TensorValue) and isinstance(got, TensorValue)
            and not want.requires_grad and got.requires_grad and want.dtype == got.dtype
            and _close(want.data, got.data, rtol, atol))


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The variables bound or changed between two snapshots."""
    return {name: v for name, v in after.items()
            if name not in before or not identical(before[name], v)}


def _close(want: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> bool:
    if want.shape != got.shape:
        return False
    if want.dtype.kind in "fc" or got.dtype.kind in "fc":
        if (want.dtype.kind in "fc") != (got.dtype.kind in "fc"):
            return False
        return bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(want, got))


def difference(name: str, want: Any, got: Any, *, rtol: float, atol: float,
               grads: bool = True) -> str | None:
    """Why ``got`` is not close to ``want`` (a sentence naming ``name``), or None if it is;
    without ``grads``, the tensors' ``.grad`` are not compared."""
    if isinstance(want, TensorValue):
        if not isinstance(got, TensorValue):
            return f"{name} should be a tensor"
        if want.data.shape != got.data.shape:
            return (f"{name} has shape {list(got.data.shape)}; the step expects shape "
                    f"{list(want.data.shape)}")
        if want.dtype != got.dtype:
            return f"{name} has dtype {got.dtype}; the step expects {want.dtype}"
        if not _close(want.data, got.data, rtol, atol):
            return f"{name} does not hold the expected values yet"
        if want.requires_grad != got.requires_grad:
            return f"{name} should {'' if want.requires_grad else 'not '}require gradients"
        if not grads:
            return None
        if want.grad is None and got.grad is not None:
            return f"{name}.grad should be None here"
        if want.grad is not None and got.grad is None:
            return f"{name}.grad is None; no backward() has reached {name} yet"
        if want.grad is not None and not _close(want.grad, got.grad, rtol, atol):
            return f"{name}.grad does not hold the expected values yet"
        return None
    if isinstance(want, bool | int | float | complex) and not isinstance(want, bool):
        if not isinstance(got, int | float | complex) or isinstance(got, bool):
            return f"{name} should be a number"
        return None if abs(got - want) <= atol + rtol * abs(want) else (
            f"{name} does not have the expected value yet")
    if isinstance(want, tuple) and want and want[0] == "object":
        if not (isinstance(got, tuple) and got and got[0] == "object" and got[1] == want[1]):
            return f"{name} should be a {want[1]}"
        return None
    if isinstance(want, tuple) and isinstance(got, tuple) and len(want) == 2 == len(got):
        if want[0] != got[0] or len(want[1]) != len(got[1]):
            return f"{name} does not have the expected value yet"
        for i, (w, g) in enumerate(zip(want[1], got[1], strict=True)):
            reason = difference(f"{name}[{i}]", w, g, rtol=rtol, atol=atol, grads=grads)
            if reason:
                return reason
        return None
    if isinstance(want, str) and isinstance(got, str) and words(want) is not None:
        same = words(want) == words(got)
        return None if same else f"{name} does not have the expected value yet"
    return None if identical(want, got) else f"{name} does not have the expected value yet"


# --- the history of a step ------------------------------------------------------------------

@dataclass(frozen=True)
class Moment:
    """The session after one input: its bindings (the objects themselves, so that a name bound
    anew is told from one left alone), a copy of each tensor's ``.grad`` and the names whose
    ``.grad`` the input cleared on its way (``x.grad.zero_(); y.backward()`` clears x.grad and
    adds to it at once: the copy alone would not tell)."""

    bindings: dict[str, Any]
    grads: dict[str, np.ndarray | None]
    cleared: frozenset[str] = frozenset()


def moment(variables: dict[str, Any], cleared: Iterable[str] = ()) -> Moment:
    """The ``Moment`` of a session's public variables, after an input that cleared the
    ``.grad`` of the ``cleared`` names."""
    bindings = {n: v for n, v in variables.items() if not n.startswith("_")}
    return Moment(bindings, {n: _grad_copy(v) for n, v in bindings.items() if _is_tensor(v)},
                  frozenset(cleared))


def rebound(moments: list[Moment]) -> set[str]:
    """The names bound to a new tensor by some input of ``moments``."""
    return {name for before, after in pairwise(moments) for name, value in after.bindings.items()
            if _is_tensor(value) and before.bindings.get(name) is not value}


def _cleared(grad: np.ndarray | None) -> bool:
    return grad is None or not grad.any()


def last_restart(moments: list[Moment], names: Iterable[str], graded: Iterable[str]) -> int:
    """How many inputs of ``moments`` there were up to the last one that started the step
    afresh: bound one of ``names`` anew or cleared the ``.grad`` of one of ``graded`` (0: none
    did). What an earlier input met belongs to an earlier try."""
    last = 0
    for i, (before, after) in enumerate(pairwise(moments), start=1):
        if any(before.bindings.get(n) is not after.bindings.get(n) for n in names) or any(
                n in after.cleared or (not _cleared(before.grads.get(n))
                                       and _cleared(after.grads.get(n))) for n in graded):
            last = i
    return last


def first_gradient(moments: list[Moment], name: str) -> np.ndarray | None:
    """The first gradient an input of ``moments`` adds to ``name.grad`` (None when none does)."""
    for before, after in pairwise(moments):
        old, new = before.grads.get(name), after.grads.get(name)
        if new is not None and not _arrays_equal(old, new) and not _cleared(new):
            added = new - old if old is not None and old.shape == new.shape else new
            if added.any():
                return added
    return None


def grad_bases(moments: list[Moment], name: str) -> list[np.ndarray | None]:
    """What the gradients of a run of a step add to in ``name.grad``, likeliest first: nothing
    (None) when an input cleared it (set it to None or zeros, or bound ``name`` anew), else what
    it held at the start; then the other one (an input may clear it and add to it at once, as
    ``x.grad.zero_(); y.backward()`` does)."""
    start = moments[0].grads.get(name) if moments else None
    cleared = _cleared(start) or any(_cleared(m.grads.get(name)) or name in m.cleared
                                     for m in moments[1:])
    return [None, start] if cleared else [start, None]


def gradients_added(grad: np.ndarray | None, added: np.ndarray | None,
                    bases: list[np.ndarray | None], *, rtol: float, atol: float) -> int:
    """n when ``grad`` is one of ``bases`` (the first that fits) plus n times ``added``
    (n >= 1), else 0: how many gradients like the first one a step adds were added up in
    ``grad``."""
    if grad is None or added is None or grad.shape != added.shape or added.dtype.kind not in "fc":
        return 0
    for start in bases:
        base = np.zeros_like(grad) if start is None or start.shape != grad.shape else start
        n = round(float(np.real(np.vdot(added, grad - base) / np.vdot(added, added))))
        if n >= 1 and _close(base + n * added, grad, rtol, atol):
            return n
    return 0


def scale(want: np.ndarray | None, got: np.ndarray | None, *, rtol: float,
          atol: float) -> float | None:
    """k when ``got`` is k times ``want`` for some k other than 0 and 1 (a gradient started
    from ``gradient=2 * torch.ones(4)``, or of a function k times the step's), else None."""
    if (want is None or got is None or want.shape != got.shape or want.dtype.kind not in "fc"
            or not want.any()):
        return None
    k = float(np.real(np.vdot(want, got) / np.vdot(want, want)))
    if not _close(k * want, got, rtol, atol) or np.isclose(k, 1, rtol=rtol) or np.isclose(k, 0):
        return None
    return k


def cleared_start(name: str, ref_moments: list[Moment], moments: list[Moment],
                  grad: np.ndarray | None, *, rtol: float, atol: float) -> bool:
    """Whether a step whose gradients add to what ``name.grad`` held at its start (a leftover
    the step is about) finds the learner's ``grad`` cleared in ``moments`` and holding the
    step's own gradients alone."""
    if _cleared(grad_bases(ref_moments, name)[0]) or grad_bases(moments, name)[0] is not None:
        return False
    added = first_gradient(ref_moments, name)
    return gradients_added(grad, added, [None], rtol=rtol, atol=atol) >= 1


def added_up(name: str, what: str, *, base: np.ndarray | None) -> str:
    """The advice when ``name.grad`` holds gradients left over from an earlier try: ``what``
    says what is wrong with it; ``base``, what the step's own gradients add to (its first of
    ``grad_bases``), tells whether clearing it is a way to start over (the step adds to
    nothing) or only ``:reset`` is (the step adds to the gradient it starts from)."""
    again = (f"Clear it with {name}.grad.zero_() (or {name}.grad = None) and do the step again, "
             "or :reset to restart the step") if _cleared(base) else (
             f":reset brings back the {name}.grad this step starts from")
    return f"{name}.grad {what}: gradients add up across backward() calls. {again}"


def mixed_gradients(moments: list[Moment], watched: Iterable[str],
                    restarts: set[str]) -> dict[str, str]:
    """For each ``watched`` name whose ``.grad`` mixes passes: the name in ``restarts`` that was
    bound anew while ``.grad`` held a gradient added during ``moments``, after which another
    gradient was added on top (so ``.grad`` sums passes through the old and the new object).
    Clearing the gradient (None or zeros) or binding the watched name anew starts over; an
    input that cleared it and added to it at once leaves the passes it added."""
    found = {}
    for name in watched:
        dirty, old, mixed = False, "", ""
        for before, after in pairwise(moments):
            grad = after.grads.get(name)
            if before.bindings.get(name) is not after.bindings.get(name) or _cleared(grad) or (
                    name in after.cleared):
                dirty, old, mixed = not _cleared(grad), "", ""
                continue
            again = sorted(n for n in restarts - {name}
                           if before.bindings.get(n) is not after.bindings.get(n))
            if dirty and again and not old:
                old = again[0]
            if not _arrays_equal(before.grads.get(name), grad):
                mixed = mixed or old
                dirty = True
        if mixed:
            found[name] = mixed
    return found


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?|inf|nan)")


def same_printout(want: str, got: str, *, rtol: float, atol: float) -> bool:
    """Whether two printed values agree: same text around the numbers, numbers close."""
    def split(text: str) -> tuple[str, list[float]]:
        skeleton = re.sub(r"\s+", "", _NUMBER.sub("#", text))
        return skeleton, [float(n) for n in _NUMBER.findall(text)]

    (ws, wn), (gs, gn) = split(want), split(got)
    if ws != gs or len(wn) != len(gn):
        return False
    return bool(np.allclose(np.array(gn), np.array(wn), rtol=rtol, atol=atol, equal_nan=True))
