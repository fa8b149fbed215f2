"""Breaking a line between words to fit a terminal's width, with numbers and code kept whole.

The one rule for every line a terminal gets wrapped without colour or in colour: errors and
``hint:`` lines (``render``), the lines of an explanation (``render_explain``). A transcript, a
pipe or a file gets no width and nothing is wrapped.

Where a line may break, and how much each break costs (the cheapest that fits is taken, the
furthest of those, unless it leaves a line shorter than a third of the width while another
fits; a line longer than the width with no break at all stays as it is):

- between words of prose: free;
- before an operator (``=``, ``+``, ``×`` …): a little, least before ``=``, so that maths breaks
  as on paper, with the operator starting the next line; before its left operand as much
  (``max |Δ| = …``), unless a clause ends there (``,`` ``;`` ``:`` ``.``); after an operator:
  more, and never leaving it alone on a line;
- inside code and numbers: much more, and more for each level: a list or an array
  (``[0, 4, 8, 12]``), a call's brackets (``y.backward(gradient=v)``), brackets holding no prose
  (a shape ``(2, 3)``), a span in backquotes (code in a hint), a command's option and its
  value (``grad y x --create-graph``); and a little next to a variable's name standing alone
  (``grad y x``), so a command breaks before it starts where it can.

A wrapped line's continuation lines hang under its text: after a short label (``hint: ``,
``RuntimeError: ``, ``→ x: ``) or a mark (``✓ ``), else ``HANG`` columns deeper than the line.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autodiff_repl.explain.text import Line

HANG = 4  # columns a continuation line is indented by, past the line's own indent, with no label
LABEL = 24  # the longest label (``RuntimeError: ``) continuation lines may hang under

OPERATORS = {op: 1 for op in ("=", "==", "!=", "<", "<=", ">", ">=", "≈", "→", "↦")}
OPERATORS |= {op: 2 for op in ("+", "-", "−")}
OPERATORS |= {op: 3 for op in ("*", "/", "×", "·", "@", "**")}
"""What a break before each operator costs: least before a relation, more before a sum's terms,
most before a product's factors (maths breaks at ``=`` first, as on paper)."""
AFTER_OPERATOR = 4  # a break after an operator, which is left hanging at the end of a line
HELD = 5  # a break inside code or numbers, for each level

_LABEL = re.compile(r"(\s*)(?:[^\s=:`(\[][^=:`]*?: +|[^\w\s(\[`'\"] +)(?=\S)")
_CALL = re.compile(r"[\w)\]′]")  # before a bracket: a call or an index, ``f(a, b)``
_PROSE = re.compile(r"(?<![\w.])[^\W\d_]{2,} ")  # a word of letters, then more words
_WORD = re.compile(r"[^ ]+")
_OPTION = re.compile(r"--?[a-z]")  # a command's option: ``backward y --gradient v``
_NAME = re.compile(r"[A-Za-z_]\d?")


def hang(s: str, width: int) -> int:
    """The column the continuation lines of ``s`` start at: under the text after a leading label
    or mark of at most ``LABEL`` columns (and a third of ``width``), else ``HANG`` past ``s``'s
    indent; never past half the width."""
    match = _LABEL.match(s)
    if match and match.end() - len(match.group(1)) <= min(LABEL, width // 3):
        column = match.end()
    else:
        column = len(s) - len(s.lstrip(" ")) + HANG
    return column if column < width // 2 else min(HANG, width // 2)


def _depths(s: str) -> list[int]:
    """For each character of ``s``, how deep it is in code: brackets that hold their spaces
    together (a list, a call, numbers; not brackets of prose) and backquoted spans."""
    held: dict[int, bool] = {}
    stack: list[int] = []
    for i, char in enumerate(s):
        if char in "([{":
            stack.append(i)
        elif char in ")]}" and stack:
            start = stack.pop()
            held[start] = (s[start] != "(" or (start > 0 and bool(_CALL.match(s[start - 1])))
                           or not _PROSE.search(s[start + 1:i]))
    depths, open_, ticks = [], [], False
    for i, char in enumerate(s):
        if char == "`":
            ticks = not ticks
        elif char in "([{":
            open_.append(held.get(i, False))
        elif char in ")]}" and open_:
            open_.pop()
        depths.append(sum(open_) + ticks)
    return depths


def breaks(s: str) -> list[tuple[int, int, int]]:
    """Where ``s`` may break: ``(start, end, cost)`` of each run of spaces between words (the
    line before it ends at ``start``, the next one starts at ``end``)."""
    depths = _depths(s)
    words = [(m.start(), m.group()) for m in _WORD.finditer(s)]
    out = []
    for k in range(len(words) - 1):
        (at, before), (end, after) = words[k], words[k + 1]
        start = at + len(before)
        cost = HELD * (depths[start] + bool(_OPTION.match(after) or _OPTION.match(before)))
        cost += _is_name(before) or _is_name(after)
        if after in OPERATORS:
            cost += OPERATORS[after]
        elif before in OPERATORS:
            cost += AFTER_OPERATOR
        elif k + 2 < len(words) and not before.endswith((",", ";", ":", ".")):
            cost += OPERATORS.get(words[k + 2][1], 0)  # before an operator's left operand
        out.append((start, end, cost))
    return out


def _is_name(word: str) -> bool:
    """A variable's name standing alone (``y`` in ``grad y x``), not an English word (``a``)."""
    return bool(_NAME.fullmatch(word)) and word not in ("a", "A", "I")


def spans(s: str, width: int) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each line ``s`` wraps into at ``width`` columns, the
    continuation lines being indented by ``hang(s, width)``."""
    if len(s) <= width:
        return [(0, len(s))]
    indent = hang(s, width)
    cuts = breaks(s)
    out: list[tuple[int, int]] = []
    at = [b[0] for b in cuts]
    start, room = 0, width
    while len(s) - start > room:
        first = bisect.bisect_right(at, start)
        # A break within the first line's label or indent gains nothing: the text goes on there.
        fits = [b for b in cuts[first:bisect.bisect_right(at, start + room)]
                if (out or b[0] > indent) and s[start:b[0]] not in OPERATORS]  # nor one alone
        if fits:
            cut = min(fits, key=lambda b: (b[0] - start < room // 3, b[2], -b[0]))
        else:
            if first == len(cuts):
                break
            cut = cuts[first]
        out.append((start, cut[0]))
        start, room = cut[1], width - indent
    out.append((start, len(s)))
    return out


def wrap_line(ln: Line, width: int) -> list[Line]:
    """A styled line (``(text, style)`` spans) as lines of at most ``width`` columns where it can
    break (see ``breaks``); each piece keeps its spans' styles."""
    s = "".join(t for t, _ in ln).rstrip()
    pieces = spans(s, width)
    if len(pieces) == 1:
        return [ln]
    pad = (" " * hang(s, width), "")
    bounds, at = [], 0
    for t, style in ln:
        bounds.append((at, t, style))
        at += len(t)
    out: list[Line] = []
    for a, b in pieces:
        cut = tuple((t[max(a, lo) - lo:b - lo], style) for lo, t, style in bounds
                    if lo < b and lo + len(t) > a)
        out.append((pad, *cut) if out else cut)
    return out


def wrap_text(s: str, width: int) -> list[str]:
    """``s`` as lines of at most ``width`` columns, as ``wrap_line`` wraps it."""
    return ["".join(t for t, _ in ln) for ln in wrap_line(((s, ""),), width)]
