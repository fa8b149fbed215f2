"""Drawing a ``Graph`` as lines.

Small graphs are a tree from the output down: a node used twice is drawn once and referenced
after (``x ↑``). Big or deep graphs are a list in creation order in which repeated structure (a
loop unrolled many times) collapses to one line, and very long lists leave out their middle.
Columns are padded so the lines read as a table. ``plain()`` always draws the full table; given a
terminal's width, ``blocks`` picks the first ``Layout`` that fits it.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodiff_repl.explain import text
from autodiff_repl.explain.collapse import collapse
from autodiff_repl.explain.text import Block, line

LIST_LIMIT = 60  # rows of the list form; beyond this the middle of the list is left out
TREE_LIMIT = 40  # more nodes than this (or a deeper tree) and the graph is drawn as a list
DEPTH_LIMIT = 10


@dataclass(frozen=True)
class Layout:
    """How the rows are drawn. The full table is ``plain()``'s; a terminal too narrow for it gets
    the first of ``COMPACT`` that fits: the dtype said once in the title (when every node has the
    same) and narrower gaps, then the least important columns (notes, then the gradient, then the
    value) taken out of the table: each row ends with them if they fit, else they go on a line of
    their own under the node."""

    dtype: bool = True  # a dtype on every row (False: once in the title, if all are the same)
    gap: str = "   "
    tail: tuple[str, ...] = ()  # columns after the table: on the row if they fit, else under it


FULL = Layout()
COMPACT = (Layout(False, "  "), Layout(False, "  ", ("notes",)),
           Layout(False, "  ", ("grad", "notes")), Layout(False, "  ", ("value", "grad", "notes")))
_COLUMNS = ("kind", "meta", "value", "grad", "notes")


def blocks(g, width: int | None = None) -> list[Block]:
    """The graph's blocks: the drawing (tree or list) with loop notes, then what backward freed.
    ``width`` (a terminal's columns for the lines): use the first layout whose lines fit (the
    loop notes then follow the drawing, so they can wrap); None: the full table."""
    parts = collapse(_signatures(g))
    rows = _tree(g) if _fits_tree(g) else _listing(g, parts)
    uniform = len({n.dtype for n in g.nodes}) == 1
    layout, body = FULL, _rows_to_lines(rows, FULL, uniform)
    if width is not None:
        for layout in (FULL, *COMPACT):
            body = _rows_to_lines(rows, layout, uniform, width)
            if max((len(text.plain_line(ln)) for ln in body), default=0) <= width:
                break
    title = _title(g) + (f"; all {g.nodes[0].dtype}" if uniform and not layout.dtype else "")
    if width is None:
        return [Block(title, (*body, *_loops(g, parts)), aligned=True), *_lifetime(g)]
    loops = _loops(g, parts)
    return [Block(title, tuple(body), aligned=True), *([Block("", tuple(loops))] * bool(loops)),
            *_lifetime(g)]


def _title(g) -> str:
    c = g.counts
    parts = [f"{c['leaf']} lea" + ("f" if c["leaf"] == 1 else "ves"),
             f"{c['op']} op" + ("" if c["op"] == 1 else "s")]
    if c["constant"]:
        parts.append(f"{c['constant']} constant" + ("" if c["constant"] == 1 else "s"))
    if c["detached"]:
        parts.append(f"{c['detached']} detached")
    return f"graph of {g.root}: {', '.join(parts)}"


def _columns(n) -> dict[str, tuple[str, str]]:
    """The spans after the label, by column: kind, meta (shape and dtype), value, grad, notes;
    ``numbers`` holds the value's and the gradient's arrays with their prefix, so that a line
    under the node can show fewer numbers when the terminal is too narrow for all of them."""
    kind = n.grad_fn if n.kind == "op" else n.kind
    value = "= " + ("?" if n.value is None else text.array(n.value))
    grad = "" if n.grad is None else "grad " + text.array(n.grad)
    numbers = {c: (prefix, a) for c, prefix, a in (("value", "= ", n.value),
                                                   ("grad", "grad ", n.grad)) if a is not None}
    return {"kind": (kind, "gradfn" if n.kind == "op" else n.kind),
            "meta": (text.shape(n.shape), "meta"), "dtype": (n.dtype, "meta"),
            "value": (value, "value"), "grad": (grad, "grad" if grad else ""),
            "notes": ("  ".join(n.notes), "note"), "numbers": numbers}


def _label(n) -> list:
    if n.expr is None:
        return [(n.name, "name")]
    return [(n.name, "name"), (" = ", ""), (n.expr, "op")]


@dataclass
class _Row:
    """A node's line: the label (tree branches included), its columns (None for a note row such
    as a collapsed loop), and the tree guide a line under it starts with."""

    head: list
    cols: dict | None = None
    guide: str = "    "


def _cells(row: _Row, layout: Layout, uniform: bool) -> list[tuple[str, str]]:
    cols = row.cols
    meta = cols["meta"] if not layout.dtype and uniform else (
        f"{cols['meta'][0]} {cols['dtype'][0]}", "meta")
    cells = {**cols, "meta": meta}
    return [cells[c] for c in _COLUMNS if c not in layout.tail]


def _rows_to_lines(rows: list[_Row], layout: Layout, uniform: bool, width: int = 0) -> list:
    """Pad each column to a common width so the lines read as a table. In a compact layout the
    columns empty on every row are left out, and the ``tail`` ones end the row while it stays
    within ``width``; the rest go on a line under the node."""
    table = [(row, _cells(row, layout, uniform)) for row in rows if row.cols is not None]
    keep = [k for k in range(len(_COLUMNS) - len(layout.tail))
            if layout is FULL or any(cells[k][0] for _, cells in table)]
    widths = [max((sum(len(t) for t, _ in row.head) for row, _ in table), default=0)]
    widths += [max((len(cells[k][0]) for _, cells in table), default=0) for k in keep]
    out = []
    for row in rows:
        spans = list(row.head)
        if row.cols is None:
            out.append(tuple(spans))
            continue
        cells = _cells(row, layout, uniform)
        spans.append((" " * (widths[0] - sum(len(t) for t, _ in row.head)), ""))
        last = len(keep) if not layout.tail else 0
        for i, k in enumerate(keep, start=1):
            t, style = cells[k]
            spans.append((layout.gap, ""))
            spans.append((t.ljust(widths[i]) if i != last else t, style))
        under = [c for c in layout.tail if row.cols[c][0]]
        used = sum(len(t) for t, _ in spans)
        if under and used + len(layout.gap) + len(row.cols[under[0]][0]) > width:
            spans[-1] = (spans[-1][0].rstrip(), spans[-1][1])  # unaligned, if that fits
            used = sum(len(t) for t, _ in spans)
        while under and used + len(layout.gap) + len(row.cols[under[0]][0]) <= width:
            cell = row.cols[under.pop(0)]
            spans += [(layout.gap, ""), cell]
            used += len(layout.gap) + len(cell[0])
        out.append(tuple(spans))
        out.extend(_under(row, under, layout.gap, width))
    return out


def _under(row: _Row, names: list[str], gap: str, width: int) -> list:
    """The columns ``names`` of a row on lines under it: one line if it fits, else one line each,
    with as many of the numbers as fit the width (``text.array_within``)."""
    if not names:
        return []
    cells = [row.cols[c] for c in names]
    if len(row.guide) + sum(len(t) for t, _ in cells) + len(gap) * (len(cells) - 1) <= width:
        groups = [cells]
    else:
        groups = [[_cut(row, c, width - len(row.guide))] for c in names]
    lines = []
    for group in groups:
        spans = [(row.guide, "dim"), group[0]]
        for cell in group[1:]:
            spans += [(gap, ""), cell]
        lines.append(tuple(spans))
    return lines


def _cut(row: _Row, column: str, room: int) -> tuple[str, str]:
    """A row's cell in at most ``room`` columns where it holds numbers: fewer of them shown."""
    cell = row.cols[column]
    if len(cell[0]) <= room or column not in row.cols["numbers"]:
        return cell
    prefix, numbers = row.cols["numbers"][column]
    return prefix + text.array_within(numbers, room - len(prefix)), cell[1]


def _fits_tree(g) -> bool:
    return len(g.nodes) <= TREE_LIMIT and _depth(g) <= DEPTH_LIMIT


def _depth(g) -> int:
    depth: dict[str, int] = {}
    for n in g.nodes:
        depth[n.name] = 1 + max((depth[i] for i in n.inputs), default=0)
    return max(depth.values(), default=0)


def _tree(g) -> list[_Row]:
    rows: list[_Row] = []
    seen: set[str] = set()

    def visit(name: str, prefix: str, branch: str) -> None:
        n = g.by_name[name]
        lead = [(prefix + branch, "dim")]
        if name in seen:
            rows.append(_Row([*lead, (name, "name"), (" ↑ (drawn above)", "dim")]))
            return
        seen.add(name)
        child_prefix = prefix + ("" if not branch else ("│   " if branch == "├── " else "    "))
        guide = child_prefix + ("│   " if n.inputs else "    ")
        rows.append(_Row(lead + _label(n), _columns(n), guide))
        for k, child in enumerate(n.inputs):
            visit(child, child_prefix, "└── " if k == len(n.inputs) - 1 else "├── ")

    visit(g.root, "", "")
    return rows


def _signatures(g) -> list:
    """What makes a node "the same step" as another: op, shape, dtype, and where its inputs
    come from (counted back from the node, so every iteration of a loop looks alike)."""
    index = {n.name: k for k, n in enumerate(g.nodes)}
    sigs = []
    for k, n in enumerate(g.nodes):
        refs = tuple(("n", index[i] - k) if not g.by_name[i].named else ("v", i)
                     for i in n.inputs)
        sigs.append((n.kind, n.grad_fn, n.shape, n.dtype, refs,
                     n.name if n.kind != "op" else None))
    return sigs


def _listing(g, parts) -> list[_Row]:
    rows: list[_Row] = []
    for part in parts:
        if part.repeat == 1:
            for k in range(part.start, part.start + part.period):
                rows.append(_Row(_label(g.nodes[k]), _columns(g.nodes[k])))
            continue
        first, last = g.nodes[part.start], g.nodes[part.start + part.span - 1]
        rows.append(_Row([("⋮ ", "dim"), (f"{part.repeat} more × the same {part.period}-node "
                                           f"step ({first.name} … {last.name}) collapsed",
                                           "note")]))
    if len(rows) > LIST_LIMIT:
        head, tail = LIST_LIMIT // 4, LIST_LIMIT - LIST_LIMIT // 4
        left_out = len(rows) - head - tail
        rows = [*rows[:head], _Row([("⋮ ", "dim"), (f"{left_out} more rows not shown (the DOT "
                                                     "export draws every node)", "note")]),
                *rows[-tail:]]
    return rows


def _loops(g, parts) -> list:
    """A note for each run of repeated steps: how a loop shows up in a recorded graph."""
    out = []
    for part in parts:
        if part.repeat == 1:
            continue
        times = part.repeat + 2
        first = g.nodes[part.start - part.period]
        last = g.nodes[part.start + part.span + part.period - 1]
        step = "op" if part.period == 1 else f"{part.period} ops"
        out.append(line(("loop: ", "hint"), (f"{first.name} … {last.name}", "name"),
                        f" repeat the same {step} {times} times: the graph records each "
                        "iteration that ran (and only the branches taken)"))
    return out


def _lifetime(g) -> list[Block]:
    """Which saved values a backward freed, and what that means for a second backward."""
    freed = [n.name for n in g.nodes if n.freed and n.saves]
    ran = [n.name for n in g.nodes if n.freed and not n.saves]
    if not freed and ran:
        return [Block("", (line(("backward ran; ", "note"), "these nodes saved no values, so a "
                                "second backward runs again (and adds into .grad again)"),))]
    if not freed:
        return []
    shown = ", ".join(freed[:6]) + (f" … ({len(freed)} nodes)" if len(freed) > 6 else "")
    return [Block("", (
        line(("saved values freed by backward: ", "bad"), (shown, "name")),
        line(("hint: ", "hint"), "a second backward through these nodes fails; run backward "
             "with retain_graph=True the first time, or recompute the graph"),
    ))]

