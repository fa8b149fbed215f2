"""Drawing a ``Graph`` as lines.

Small graphs are a tree from the output down: a node used twice is drawn once and referenced
after (``x ↑``). Big or deep graphs are a list in creation order in which repeated structure (a
loop unrolled many times) collapses to one line, and very long lists leave out their middle.
Columns are padded so the lines read as a table.
"""

from __future__ import annotations

from autodiff_repl.explain import text
from autodiff_repl.explain.collapse import collapse
from autodiff_repl.explain.text import Block, line

LIST_LIMIT = 60  # rows of the list form; beyond this the middle of the list is left out
TREE_LIMIT = 40  # more nodes than this (or a deeper tree) and the graph is drawn as a list
DEPTH_LIMIT = 10


def blocks(g) -> list[Block]:
    """The graph's blocks: the drawing (tree or list) with loop notes, then what backward freed."""
    parts = collapse(_signatures(g))
    body = _tree(g) if _fits_tree(g) else _listing(g, parts)
    return [Block(_title(g), (*body, *_loops(g, parts)), aligned=True), *_lifetime(g)]


def _title(g) -> str:
    c = g.counts
    parts = [f"{c['leaf']} lea" + ("f" if c["leaf"] == 1 else "ves"),
             f"{c['op']} op" + ("" if c["op"] == 1 else "s")]
    if c["constant"]:
        parts.append(f"{c['constant']} constant" + ("" if c["constant"] == 1 else "s"))
    if c["detached"]:
        parts.append(f"{c['detached']} detached")
    return f"graph of {g.root}: {', '.join(parts)}"


def _columns(n) -> list:
    """The spans after the label: kind, meta, value, grad, notes."""
    kind = n.grad_fn if n.kind == "op" else n.kind
    cols = [(kind, "gradfn" if n.kind == "op" else n.kind),
            (f"{text.shape(n.shape)} {n.dtype}", "meta"),
            ("= " + ("?" if n.value is None else text.array(n.value)), "value")]
    cols.append(("grad " + text.array(n.grad), "grad") if n.grad is not None else ("", ""))
    cols.append(("  ".join(n.notes), "note"))
    return cols


def _label(n) -> list:
    if n.expr is None:
        return [(n.name, "name")]
    return [(n.name, "name"), (" = ", ""), (n.expr, "op")]


def _rows_to_lines(rows: list[tuple[list, list]]) -> list:
    """Pad each column to a common width so the lines read as a table."""
    widths: list[int] = []
    for head, cols in rows:
        if not cols:
            continue
        cells = ["".join(t for t, _ in head)] + [t for t, _ in cols]
        for i, cell in enumerate(cells):
            if i >= len(widths):
                widths.append(0)
            widths[i] = max(widths[i], len(cell))
    out = []
    for head, cols in rows:
        spans = list(head)
        if not cols:
            out.append(tuple(spans))
            continue
        spans.append((" " * (widths[0] - sum(len(t) for t, _ in head)), ""))
        for i, (t, style) in enumerate(cols, start=1):
            spans.append(("   ", ""))
            spans.append((t.ljust(widths[i]) if i < len(cols) else t, style))
        out.append(tuple(spans))
    return out


def _fits_tree(g) -> bool:
    return len(g.nodes) <= TREE_LIMIT and _depth(g) <= DEPTH_LIMIT


def _depth(g) -> int:
    depth: dict[str, int] = {}
    for n in g.nodes:
        depth[n.name] = 1 + max((depth[i] for i in n.inputs), default=0)
    return max(depth.values(), default=0)


def _tree(g) -> list:
    rows: list[tuple[list, list]] = []
    seen: set[str] = set()

    def visit(name: str, prefix: str, branch: str) -> None:
        n = g.by_name[name]
        lead = [(prefix + branch, "dim")]
        if name in seen:
            rows.append(([*lead, (name, "name"), (" ↑ (drawn above)", "dim")], []))
            return
        seen.add(name)
        rows.append((lead + _label(n), _columns(n)))
        child_prefix = prefix + ("" if not branch else ("│   " if branch == "├── " else "    "))
        for k, child in enumerate(n.inputs):
            visit(child, child_prefix, "└── " if k == len(n.inputs) - 1 else "├── ")

    visit(g.root, "", "")
    return _rows_to_lines(rows)


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


def _listing(g, parts) -> list:
    rows: list[tuple[list, list]] = []
    for part in parts:
        if part.repeat == 1:
            for k in range(part.start, part.start + part.period):
                rows.append((_label(g.nodes[k]), _columns(g.nodes[k])))
            continue
        first, last = g.nodes[part.start], g.nodes[part.start + part.span - 1]
        rows.append(([("⋮ ", "dim"), (f"{part.repeat} more × the same {part.period}-node "
                                       f"step ({first.name} … {last.name}) collapsed", "note")],
                     []))
    if len(rows) > LIST_LIMIT:
        head, tail = LIST_LIMIT // 4, LIST_LIMIT - LIST_LIMIT // 4
        left_out = len(rows) - head - tail
        rows = [*rows[:head], ([("⋮ ", "dim"), (f"{left_out} more rows not shown (the DOT export "
                                                 "draws every node)", "note")], []),
                *rows[-tail:]]
    return _rows_to_lines(rows)


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

