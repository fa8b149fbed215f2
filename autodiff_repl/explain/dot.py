"""``graph y --dot FILE``: the graph as Graphviz DOT text.

Arrows point the way values flow (inputs to outputs). Leaves are blue, the output gold with a
double border, constants grey ellipses, detached inputs dashed, and nodes whose saved values a
backward freed have a dashed red border. Ids are the learner's names or ``t1``, ``t2`` …, so the
same session gives the same text.
"""

from __future__ import annotations

from autodiff_repl.explain import text

_FILL = {"leaf": "lightblue", "op": "white", "constant": "lightgrey", "detached": "lightgrey"}


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _label(n) -> str:
    head = n.name if n.expr is None else f"{n.name} = {n.expr}"
    rows = [head]
    if n.grad_fn:
        rows.append(n.grad_fn)
    elif n.kind != "op":
        rows.append(n.kind + (", requires_grad" if n.requires_grad else ""))
    rows.append(f"{text.shape(n.shape)} {n.dtype}")
    if n.value is not None:
        rows.append("= " + text.array(n.value, 6))
    if n.grad is not None:
        rows.append("grad " + text.array(n.grad, 6))
    if n.freed and n.saves:
        rows.append("saved values freed")
    return "\n".join(rows)


def _attrs(n) -> str:
    fill = "gold" if n.output else _FILL[n.kind]
    attrs = [f"label={_quote(_label(n))}", f'fillcolor="{fill}"']
    styles = ["filled"]
    if n.kind in ("constant", "detached"):
        attrs.append("shape=ellipse")
    else:
        styles.append("rounded")
    if n.kind == "detached" or (n.freed and n.saves):
        styles.append("dashed")
    if n.freed and n.saves:
        attrs.append('color="red"')
    if n.output:
        attrs.append("peripheries=2")
    attrs.append(f'style="{",".join(styles)}"')
    return ", ".join(attrs)


def to_dot(graph) -> str:
    """DOT text for a ``graph.Graph``."""
    out = [f"digraph {_quote('graph of ' + graph.root)} {{",
           '  graph [rankdir=BT, fontname="Helvetica"];',
           '  node [shape=box, fontname="Helvetica", fontsize=11];',
           '  edge [arrowsize=0.7];']
    for n in graph.nodes:
        out.append(f"  {_quote(n.name)} [{_attrs(n)}];")
    for n in graph.nodes:
        counts: dict[str, int] = {}
        for i in n.inputs:
            counts[i] = counts.get(i, 0) + 1
        for k, i in enumerate(n.inputs):
            extra = f' [label="input {k + 1}"]' if counts[i] > 1 else ""
            out.append(f"  {_quote(i)} -> {_quote(n.name)}{extra};")
    out.append("}")
    return "\n".join(out) + "\n"
