"""Checking a learner's answer by value: snapshots of session variables and their comparison.

A step's reference answer runs in a scratch session; the variables it binds or changes (values,
``requires_grad`` and ``.grad``) must then hold close values in the learner's session, whatever
code the learner used to get there. Echoed values are compared number by number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TensorValue:
    """A frozen copy of a tensor: its values, dtype, whether it requires grad, and its grad."""

    data: np.ndarray
    dtype: str
    requires_grad: bool
    grad: np.ndarray | None


def _is_tensor(value: Any) -> bool:
    from autodiff_repl.engine.tensor import Tensor

    return isinstance(value, Tensor)


def freeze(value: Any) -> Any:
    """A comparable copy of a session value (tensors copied, containers frozen element-wise)."""
    if _is_tensor(value):
        grad = value.grad if value.is_leaf or value.retains_grad else None
        return TensorValue(np.array(value.detach().numpy(), copy=True), str(value.dtype),
                           bool(value.requires_grad),
                           None if grad is None else np.array(grad.detach().numpy(), copy=True))
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
        return (a.dtype == b.dtype and a.requires_grad == b.requires_grad
                and _arrays_equal(a.data, b.data) and _arrays_equal(a.grad, b.grad))
    if isinstance(a, TensorValue) or isinstance(b, TensorValue):
        return False
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an exotic value's == failed: treat it as changed
        return False


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


def difference(name: str, want: Any, got: Any, *, rtol: float, atol: float) -> str | None:
    """Why ``got`` is not close to ``want`` (a sentence naming ``name``), or None if it is."""
    if isinstance(want, TensorValue):
        if not isinstance(got, TensorValue):
            return f"{name} should be a tensor"
        if want.data.shape != got.data.shape:
            return f"{name} has shape {list(got.data.shape)}; the step expects another shape"
        if not _close(want.data, got.data, rtol, atol):
            if (want.data.dtype.kind in "fc") != (got.data.dtype.kind in "fc"):
                return f"{name} has dtype {got.dtype}; the step expects {want.dtype}"
            return f"{name} does not hold the expected values yet"
        if want.requires_grad != got.requires_grad:
            return f"{name} should {'' if want.requires_grad else 'not '}require gradients"
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
            reason = difference(f"{name}[{i}]", w, g, rtol=rtol, atol=atol)
            if reason:
                return reason
        return None
    return None if identical(want, got) else f"{name} does not have the expected value yet"


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
