"""Chain-rule products written as symbols: ``2·x``, ``∂y/∂t1·cos(x)``, ``2·x + 2·x = 4·x``.

Small text helpers: they only make the trace read like the maths a learner writes on paper.
"""

from __future__ import annotations

import re

from autodiff_repl.explain.absent import without
from autodiff_repl.explain.text import num

_TERM = re.compile(r"^(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)·(.+)$")
_PARTIAL = re.compile(r"^∂\w+/∂\w+$")
_HOOKED = re.compile(r"^hook\([^()]*\)$")  # a gradient a register_hook function replaced


def _number(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def wrap(formula: str) -> str:
    """Parenthesise a formula with an operator in it, so a product stays unambiguous."""
    body = formula[1:] if formula.startswith("-") else formula
    if _PARTIAL.match(body) or _HOOKED.match(body) or _number(formula) is not None:
        return formula
    return f"({formula})" if any(c in body for c in " +-/") else formula


def times(up: str, formula: str) -> str:
    """The product ``up · formula`` simplified for the usual cases (1, -1, a plain number)."""
    a, b = _number(up), _number(formula)
    if a is not None and b is not None:
        return num(a * b)
    if formula == "1":
        return up
    if formula == "-1":
        return f"-{wrap(up)}"
    if up == "1":
        return formula
    if up == "-1":
        return f"-{wrap(formula)}"
    return f"{wrap(up)}·{wrap(formula)}"


def short(symbol: str) -> bool:
    """Whether a symbol reads as one term (no words, not too long)."""
    return " " not in symbol and len(symbol) <= 24


def total(terms: list[str]) -> str:
    """``2·x + 2·x = 4·x``: a sum of terms, with like terms collected when they are all alike."""
    joined = " + ".join(terms)
    matches = [_TERM.match(t) for t in terms]
    if len(terms) > 1 and all(matches) and len({m.group(2) for m in matches}) == 1:
        k = sum(float(m.group(1)) for m in matches)
        k_text = str(int(k)) if k == int(k) else num(k)
        return f"{joined} = {k_text}·{matches[0].group(2)}"
    if len(terms) > 1 and len(set(terms)) == 1:
        return f"{joined} = {len(terms)}·{wrap(terms[0])}"
    return joined


def fill(template: str, labels: list[str], params: dict, shown) -> str:
    """A row's formula text with the input labels and parameters put in (those left out, None,
    taken out of the text: ``absent``)."""
    try:
        return without(template, params).format(*labels, **{k: shown(v) for k, v in params.items()})
    except (KeyError, IndexError):
        return template
