"""``import math``: Python's ``math`` as a read-only facade of its functions and constants.

The facade holds math's own functions (C code that takes numbers and gives numbers: none of them
reaches a file, a module or the interpreter), never the module itself, so nothing else of it
can be reached or changed. The few whose work grows with their arguments are checked before they
run, as the operators are: ``factorial``, ``comb``, ``perm``, ``prod`` and ``lcm`` against the
session's ``max_int_bits``, and those that read a sequence (``fsum``, ``prod``, ``dist``)
against ``max_sequence_length``.
"""

from __future__ import annotations

import math

import numpy as np

from autodiff_repl import engine
from autodiff_repl.lang.functions import BuiltinFunction
from autodiff_repl.lang.limits import LimitError, Limits, take
from autodiff_repl.lang.namespace import Module

FUNCTIONS = (
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "copysign", "cos",
    "cosh", "degrees", "erf", "erfc", "exp", "exp2", "expm1", "fabs", "floor", "fmod", "frexp",
    "gamma", "gcd", "hypot", "isclose", "isfinite", "isinf", "isnan", "isqrt", "ldexp", "lgamma",
    "log", "log10", "log1p", "log2", "modf", "nextafter", "pow", "radians", "remainder", "sin",
    "sinh", "sqrt", "tan", "tanh", "trunc", "ulp",
)
"""math's functions of numbers, given as they are (those this Python has)."""

CONSTANTS = ("e", "inf", "nan", "pi", "tau")

GAMMA = ("use floats for big numbers: math.gamma(n + 1) is n! as a float, math.lgamma(n + 1) "
         "its logarithm")


def build_math(limits: Limits) -> Module:
    """The ``math`` facade, its checks set by the session's ``limits``."""
    members = {name: getattr(math, name) for name in (*FUNCTIONS, *CONSTANTS)
               if hasattr(math, name)}
    for fn in _checked(limits):
        members[fn.__name__] = BuiltinFunction(fn.__name__, fn)
    return Module("math", members, "Python's math functions and constants")


def _checked(limits: Limits) -> list:
    """math's functions whose work depends on their arguments' size, with a check first."""
    bits, cap = limits.max_int_bits, limits.max_sequence_length

    def too_big(what: str, estimate: float, hint: str = GAMMA) -> None:
        if estimate > bits:
            raise LimitError(f"{what} would have about {estimate:,.0f} bits; the limit is "
                             f"{bits:,}", hint)

    def factorial(n, /):
        if _natural(n) and n > 1:
            too_big(f"factorial({n})", math.lgamma(n + 1) / math.log(2))
        return math.factorial(n)

    def comb(n, k, /):
        if _natural(n) and _natural(k) and k <= n:
            too_big(f"comb({n}, {k})", _log2_falling(n, k) - math.lgamma(k + 1) / math.log(2))
        return math.comb(n, k)

    def perm(n, k=None, /):
        if _natural(n) and (k is None or (_natural(k) and k <= n)):
            too_big(f"perm({n}, {k})", _log2_falling(n, n if k is None else k))
        return math.perm(n, k)

    def lcm(*integers):
        too_big("the lcm", _bits(integers), "keep the numbers small")
        return math.lcm(*integers)

    def prod(iterable, /, *, start=1):
        items = _items(iterable, cap)
        too_big("the product", _bits((start, *items)),
                "use floats for big numbers: math.prod([float(v) for v in values])")
        return math.prod(items, start=start)

    def fsum(iterable, /):
        return math.fsum(_items(iterable, cap))

    def dist(p, q, /):
        return math.dist(_items(p, cap), _items(q, cap))

    return [factorial, comb, perm, lcm, prod, fsum, dist]


def _natural(n) -> bool:
    return type(n) is int and n >= 0


def _bits(numbers) -> int:
    """The bits the product of ``numbers``' integers can have at most."""
    return sum(n.bit_length() for n in numbers if type(n) is int)


def _log2_falling(n: int, k: int) -> float:
    """log2 of n * (n - 1) * ... * (n - k + 1)."""
    return (math.lgamma(n + 1) - math.lgamma(n - k + 1)) / math.log(2)


def _items(iterable, cap: int):
    """The items of ``iterable`` as a list, at most ``cap`` of them (a LimitError beyond)."""
    if isinstance(iterable, engine.Tensor | np.ndarray) and iterable.ndim \
            and len(iterable) > cap:  # (counted before iterating makes one tensor per row)
        raise LimitError(f"{len(iterable):,} items are more than the limit of {cap:,}")
    return take(iterable, cap)
