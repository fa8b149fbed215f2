"""Op parameters left out (None): an op-table text written without them.

The op table writes each op's text with every parameter in it: ``clamp({0}, {min}, {max})`` and
``1 if {min} ≤ {0} ≤ {max} else 0``. A parameter the learner left out is None, and a bound that
is None is no bound at all, so ``without(template, params)`` takes it out of the template before
the numbers go in:

- an argument of a call is dropped, and the other parameters of that call are then named:
  ``clamp(t, min=0.5)``, ``clamp(t, max=1)`` (``clamp(t, 0.5, 1)`` when both are given);
- a bound of a comparison is dropped, and a comparison left with its bound first is turned
  round so that it reads from the variable: ``1 if t ≥ 0.5 else 0``, ``1 if t ≤ 1 else 0``.
"""

from __future__ import annotations

import re

_FLIP = {"≤": "≥", "<": ">", "≥": "≤", ">": "<"}
_CALL = re.compile(r"\w+\(([^()]*)\)")
_INPUT = r"\{\d\}"  # an input's placeholder, as opposed to a parameter's


def without(template: str, params: dict) -> str:
    """``template`` with the parameters of ``params`` that are None taken out (see above)."""
    gone = [k for k, v in params.items() if v is None and "{" + k + "}" in template]
    if not gone:
        return template
    template = _CALL.sub(lambda m: _call_without(m, gone), template)
    for key in gone:
        field = re.escape("{" + key + "}")
        template = re.sub(rf"{field} [≤<≥>] ", "", template)
        template = re.sub(rf" [≤<≥>] {field}", "", template)
    return re.sub(rf"(?<![≤<≥>] )(\{{[a-z_]\w*\}}) ([≤<≥>]) ({_INPUT})(?! [≤<≥>])",
                  lambda m: f"{m.group(3)} {_FLIP[m.group(2)]} {m.group(1)}", template)


def _call_without(match: re.Match, gone: list[str]) -> str:
    """A call ``f({0}, {min}, {max})`` without its arguments in ``gone``, the parameters left
    named: ``f({0}, min={min})``."""
    args = [a.strip() for a in match.group(1).split(",")]
    named = [re.fullmatch(r"\{([a-z_]\w*)\}", a) for a in args]
    if not any(m is not None and m.group(1) in gone for m in named):
        return match.group(0)
    kept = [a if m is None else f"{m.group(1)}={a}"
            for a, m in zip(args, named, strict=True) if m is None or m.group(1) not in gone]
    head = match.group(0)[: match.start(1) - match.start(0)]
    return f"{head}{', '.join(kept)})"
