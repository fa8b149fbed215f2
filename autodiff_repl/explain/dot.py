"""``graph y --dot FILE``: the graph as Graphviz DOT text.

Arrows point the way values flow (inputs to outputs), and an op's inputs are drawn left to right
in the order it takes them (``X W`` draws ``X`` left of ``W``). Leaves are blue, the output gold
with a double border, constants grey ellipses; detached inputs and tensors computed inside
``no_grad()`` are dashed, and nodes whose saved values a backward freed have a dashed red border.
Each label holds the lines a learner reads in ``graph y``: name and maths, ``grad_fn`` (or kind),
shape and dtype, value, gradient and notes. Ids are the learner's names or ``t1``, ``t2`` …, so the
same session gives the same text.
"""

from __future__ import annotations

from autodiff_repl.explain import text

_FILL = {"leaf": "lightblue", "op": "white", "constant": "lightgrey", "detached": "lightgrey"}
NUMBERS = 6  # numbers of a value or gradient shown in full in a label; more are abbreviated


def quote(s: str) -> str:
    """``s`` as a DOT string: quotes and backslashes escaped, line breaks as ``\\n``."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _label(n) -> str:
    notes = [note for note in n.notes if not _drawn(note)]
    kind = n.grad_fn or n.kind + (", requires_grad" if n.requires_grad else "")
    said = [note for note in notes if note.startswith(n.kind + ":")]  # "detached: no gradient …"
    if said:
        kind = said[0]
        notes.remove(kind)
    rows = [n.name if n.expr is None else f"{n.name} = {n.expr}", _break(kind),
            f"{text.shape(n.shape)} {n.dtype}"]
    if n.value is not None:
        rows.append("= " + text.array(n.value, NUMBERS))
    if n.grad is not None:
        rows.append("grad " + text.array(n.grad, NUMBERS))
    return "\n".join(rows + [_break(note) for note in notes])


def _drawn(note: str) -> bool:
    """Notes the picture already shows: the kind line says ``requires_grad``, the gold double
    border ``output``, and the arrows how often a node is ``used``."""
    return note in ("requires_grad", "output") or note.startswith("used ")


def _break(note: str) -> str:
    """A long note on two lines, broken after its colon: ``computed from x inside
    torch.no_grad():`` then ``no graph recorded``."""
    return note.replace(": ", ":\n", 1)


def _attrs(n) -> str:
    fill = "gold" if n.output else _FILL[n.kind]
    freed = n.freed and n.saves
    attrs = [f"label={quote(_label(n))}", f'fillcolor="{fill}"']
    styles = ["filled"]
    if n.kind in ("constant", "detached"):
        attrs.append("shape=ellipse")
    else:
        styles.append("rounded")
    if n.kind == "detached" or n.no_grad_from is not None or freed:
        styles.append("dashed")
    if freed:
        attrs.append('color="red"')
    if n.output:
        attrs.append("peripheries=2")
    attrs.append(f'style="{",".join(styles)}"')
    return ", ".join(attrs)


def to_dot(graph) -> str:
    """DOT text for a ``graph.Graph``."""
    out = [f"digraph {quote('graph of ' + graph.root)} {{",
           '  graph [rankdir=BT, ordering=in, fontname="Helvetica"];',
           '  node [shape=box, fontname="Helvetica", fontsize=11];',
           '  edge [arrowsize=0.7, fontname="Helvetica", fontsize=9];']
    for n in graph.nodes:
        out.append(f"  {quote(n.name)} [{_attrs(n)}];")
    for n in graph.nodes:
        counts: dict[str, int] = {}
        for i in n.inputs:
            counts[i] = counts.get(i, 0) + 1
        for k, i in enumerate(n.inputs):
            # an input used twice (x · x) gets a label on each arrow, padded so two side by side
            # do not run together
            extra = f' [label=" input {k + 1} "]' if counts[i] > 1 else ""
            out.append(f"  {quote(i)} -> {quote(n.name)}{extra};")
    out.append("}")
    return "\n".join(out) + "\n"
