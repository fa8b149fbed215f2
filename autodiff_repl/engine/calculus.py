"""Calculus on samples: ``diff`` (differences of neighbours, the discrete derivative) and
``trapezoid``/``trapz`` (the trapezoid rule, the discrete integral).

Both are built from other operations exactly as PyTorch builds them (``narrow``, ``-``, ``sum``,
``select``, a multiplication by a number), so their graphs show PyTorch's nodes and their gradients
need no rows of their own.
"""

from __future__ import annotations

from autodiff_repl.engine import dtypes, reductions, shapes
from autodiff_repl.engine import functions as F
from autodiff_repl.engine.backends import GRAPH
from autodiff_repl.engine.creation import zeros, zeros_like
from autodiff_repl.engine.tensor import Tensor


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``input[..., 1:] - input[..., :-1]`` along ``dim``, ``n`` times (bool tensors: ``!=``).
    ``prepend``/``append`` are joined to ``input`` along ``dim`` first."""
    t = F.as_tensor(input)
    if t.ndim < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    (d,) = F._dims(dim, t.ndim)
    for name, other in (("prepend", prepend), ("append", append)):
        if other is not None:
            _check_joined(t, other, name, d)
    if n == 0:
        result = zeros_like(t)
        return result.copy_(t)  # PyTorch's way: a copy into zeros (CopyBackwards)
    if prepend is not None or append is not None:
        t = shapes.cat([x for x in (prepend, t, append) if x is not None], d)
    length = t.shape[d] - 1
    for _ in range(min(n, t.shape[d])):
        later, earlier = shapes.narrow(t, d, 1, length), shapes.narrow(t, d, 0, length)
        t = F.ne(later, earlier) if t.dtype is dtypes.bool_ else later - earlier
        length -= 1
    return t


def _check_joined(t: Tensor, other, name: str, d: int) -> None:
    """PyTorch's checks of ``prepend``/``append``: a tensor with ``t``'s sizes except at ``d``."""
    if not isinstance(other, Tensor):
        raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(other).__name__}")
    if other.ndim != t.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for i in range(t.ndim):
        if i != d and other.shape[i] != t.shape[i]:
            raise RuntimeError(
                "diff expects the shape of tensor to prepend or append to match that of input "
                f"except along the differencing dimension; input.size({i}) = {t.shape[i]}, but "
                f"got tensor.size({i}) = {other.shape[i]}")


def _times(t: Tensor, number: float) -> Tensor:
    """``t`` times a number as PyTorch's C++ multiplies (MulBackward1); integers become floats."""
    return GRAPH.mul_scalar(t, number) if t.is_floating_point() else t * number


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The area under the samples ``y`` along ``dim`` by the trapezoid rule: the sum of
    ``(y[i] + y[i+1])/2 · (x[i+1] - x[i])``, with evenly spaced points ``dx`` apart (1 by
    default) when no ``x`` is given."""
    return _trapezoid("trapezoid", y, x, dx, dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    """The older name of ``trapezoid``."""
    return _trapezoid("trapz", y, x, dx, dim)


def _trapezoid(name: str, y, x, dx, dim) -> Tensor:
    if not isinstance(y, Tensor) or (x is not None and (not isinstance(x, Tensor) or
                                                         dx is not None)):
        raise TypeError(_trapezoid_arguments(name, y, x, dx))
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    (d,) = F._dims(dim, y.ndim)
    if y.shape[d] == 0:  # no samples: 0, as NumPy gives
        return zeros(*(n for i, n in enumerate(y.shape) if i != d), dtype=y.dtype)
    if y.dtype is dtypes.bool_:
        raise RuntimeError(f"{name}: received a bool input for `y`, but bool is not supported")
    if x is None:
        step = 1 if dx is None else F._number(dx)
        if isinstance(step, bool):
            raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")
        ends = shapes.getitem(y, _at(d, 0)) + shapes.getitem(y, _at(d, -1))
        return _times(reductions.sum(y, d) - _times(ends, 0.5), step)
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        x = shapes.view(x, tuple(x.shape[0] if i == d else 1 for i in range(y.ndim)))
    elif x.ndim < y.ndim:
        x = shapes.view(x, (1,) * (y.ndim - x.ndim) + tuple(x.shape))
    widths = shapes.getitem(x, _at(d, slice(1, None))) - shapes.getitem(x, _at(d, slice(0, -1)))
    heights = shapes.getitem(y, _at(d, slice(0, -1))) + shapes.getitem(y, _at(d, slice(1, None)))
    return GRAPH.div_scalar(reductions.sum(heights * widths, d), 2.0)


def _at(d: int, item) -> tuple:
    """The index that takes ``item`` (an integer or a slice) along dim ``d``."""
    return (slice(None),) * d + (item,)


def _trapezoid_arguments(name: str, y, x, dx) -> str:
    """PyTorch's TypeError for a call that matches neither of the two forms."""
    got = [type(v).__name__ for v in (y, x) if v is not None]
    if dx is not None:
        got.append(f"dx={type(dx).__name__}")
    forms = ["(Tensor y, Tensor x, *, int dim = -1)",
             f"(Tensor y, *, {'Number' if name == 'trapezoid' else 'float'} dx = 1, "
             "int dim = -1)"]
    if name == "trapz":
        forms.reverse()
    options = "".join(f"\n * {form}" for form in forms)
    return (f"{name}() received an invalid combination of arguments - got ({', '.join(got)}), "
            f"but expected one of:{options}\n")


__all__ = ["diff", "trapezoid", "trapz"]
