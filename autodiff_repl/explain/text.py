"""Styled text without a terminal: the building blocks every explanation is made of.

An explanation is a list of ``Block``s. A block has a title and lines; a line is a tuple of
``(text, style)`` spans. ``plain`` joins the texts; ``render_explain`` maps the style keys to
colours. So the plain text and the coloured form always say the same thing.

Style keys: ``name`` (a variable), ``op`` (maths), ``gradfn`` (PyTorch's node name), ``value``,
``grad``, ``meta`` (shape, dtype), ``note``, ``good``, ``bad``, ``hint``, ``dim`` (less important).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

Span = tuple[str, str]
Line = tuple[Span, ...]


@dataclass(frozen=True)
class Block:
    """A titled group of lines (a panel on a terminal). ``aligned`` lines are columns (the graph
    tree): a terminal too narrow for them must not re-wrap them into the panel."""

    title: str
    lines: tuple[Line, ...]
    aligned: bool = False


def line(*parts) -> Line:
    """A line from strings (unstyled) and ``(text, style)`` pairs."""
    return tuple((p, "") if isinstance(p, str) else p for p in parts)


def plain_line(ln: Line) -> str:
    return "".join(text for text, _ in ln).rstrip()


def plain_blocks(blocks) -> str:
    """The plain text of blocks: each title, then its lines indented by two spaces."""
    out: list[str] = []
    for block in blocks:
        if block.title:
            out.append(block.title)
        indent = "  " if block.title else ""
        out.extend((indent + plain_line(ln)).rstrip() for ln in block.lines)
    return "\n".join(out) + "\n"


# --- numbers ----------------------------------------------------------------------------------

WHOLE = 1e-6
"""How close (relative) to a whole number a float must be to be shown as one: float32 rounding
(``2.9999998``) reads as ``3``, a constant such as ``1.0001`` does not read as ``1``."""


def num(value) -> str:
    """One number in 4 significant digits: ``28``, ``0.4161``, ``1030``, ``-1.5e-08``, ``True``;
    with as many more as it takes when 4 would show a number that is not whole as a short whole
    one (``1.0001``, not ``1``: the trace says "passes upstream on" for a factor of 1, which
    1.0001 is not)."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    v = float(value)
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    text = format(v, ".4g")
    if abs(v - round(v)) > WHOLE * max(1.0, abs(v)):
        digits = 4
        while digits < 9 and _hides_fraction(text):
            digits += 1
            text = format(v, f".{digits}g")
    return "0" if text == "-0" else text


def _hides_fraction(text: str) -> bool:
    """Whether a number's text in 4 significant digits reads as a whole number with fewer
    digits (``1``, ``-12``): rounding dropped a fraction, not just the digits past the fourth
    (``1030``)."""
    digits = text.lstrip("-")
    return digits.isdigit() and len(digits) < 4


def array(a, limit: int = 12) -> str:
    """An array in compact form: ``[0, 4, 8, 12]``, ``[[1, 2], [3, 4]]``, or abbreviated:
    ``[0, 1, 2, …, 997, 998, 999] (1000 values)``."""
    a = np.asarray(a)
    if a.ndim == 0:
        return num(a.item())
    if a.size <= limit:
        return _nested(a.tolist())
    return _abbreviated(a, 3, 3)


def array_within(a, room: int) -> str:
    """``array(a)`` in at most ``room`` columns where it can be: when the whole does not fit,
    with fewer numbers shown (3 first and 3 last, then 2 and 2, 1 and 1, the first alone, none:
    ``[…] (12 values)``); the shortest of those when none fits."""
    whole = array(a)
    a = np.asarray(a)
    if len(whole) <= room or a.ndim == 0:
        return whole
    shown = [(k, k) for k in (3, 2, 1) if 2 * k < a.size] + [(1, 0), (0, 0)]
    forms = [_abbreviated(a, head, tail) for head, tail in shown]
    return next((f for f in forms if len(f) <= room), forms[-1])


def _abbreviated(a: np.ndarray, head: int, tail: int) -> str:
    """``[0, 1, 2, …, 997, 998, 999] (1000 values)``: the first ``head`` and last ``tail``
    numbers of ``a``, flattened."""
    flat = a.reshape(-1)
    numbers = [num(v) for v in flat[:head].tolist()] + ["…"]
    numbers += [num(v) for v in flat[flat.size - tail:].tolist()] if tail else []
    return f"[{', '.join(numbers)}] ({a.size} values)"


def _nested(values) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v) for v in values) + "]"
    return num(values)


def shape(s) -> str:
    """A shape as PyTorch users write it: ``()``, ``(4,)``, ``(3, 4)``."""
    return str(tuple(int(n) for n in s))


@functools.lru_cache(maxsize=64)
def dtype(d) -> str:
    """``float32`` for NumPy's ``float32``; ``bool`` for ``bool_``."""
    return "bool" if np.dtype(d) == np.bool_ else str(np.dtype(d))


def nbytes(n: int) -> str:
    """A byte count: ``48 B``, ``3.9 KiB``, ``1.2 MiB``."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


def param(value) -> str:
    """An op parameter as text: ``1:3`` for a slice, ``(0, 1)``, ``float32``."""
    if isinstance(value, slice):
        parts = ["" if v is None else str(v) for v in (value.start, value.stop)]
        text = ":".join(parts)
        return text + (f":{value.step}" if value.step is not None else "")
    if value is Ellipsis:
        return "..."
    if value is None:
        return "None"
    if isinstance(value, tuple):
        if len(value) == 1:
            return param(value[0])
        return ", ".join(param(v) for v in value)
    if isinstance(value, list):
        return "[" + ", ".join(param(v) for v in value) + "]"
    if isinstance(value, np.ndarray):
        return array(value)
    if isinstance(value, float | int | np.number):
        return num(value)
    short = getattr(value, "short", None)
    return short if isinstance(short, str) else str(value)
