"""``graph y``: the computation graph behind a tensor, as data.

``build(root, names)`` returns a ``Graph``: one ``GNode`` per operation, leaf and listed constant,
in creation order, each with its name, maths, PyTorch's ``grad_fn`` name, shape, dtype, value and
(once computed) gradient. ``plain()`` draws it (see ``graph_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from autodiff_repl.explain import hooks, nograd, text
from autodiff_repl.explain.text import Block
from autodiff_repl.explain.walk import View, edge_of

GONE = "tensor gone (no variable holds it)"
"""The note on a node whose tensor no longer exists: its shape and dtype are known from the node
that used it, its value and .grad are not."""


@dataclass
class GNode:
    """One node as the learner sees it."""

    name: str
    kind: str  # "op", "leaf", "constant", "detached"
    expr: str | None  # the maths: ``2 · t1`` (None for leaves and constants)
    grad_fn: str | None
    shape: tuple
    dtype: str
    value: np.ndarray | None
    grad: np.ndarray | None
    requires_grad: bool
    inputs: tuple[str, ...] = ()  # names of the inputs drawn as nodes
    named: bool = False
    output: bool = False
    freed: bool = False  # saved values released by a backward without retain_graph
    saves: bool = False  # keeps values from the forward pass for its backward
    retains_grad: bool = False
    uses: int = 0
    hooks: int = 0  # register_hook functions on it
    no_grad_from: str | None = None  # computed inside no_grad() from this input ("": unnamed)
    gone: bool = False  # the tensor no longer exists (nothing held it): value and grad unknown

    @property
    def notes(self) -> list[str]:
        out = []
        if self.kind == "leaf" and self.requires_grad:
            out.append("requires_grad")
        if self.output:
            out.append("output")
        if self.gone:
            out.append(GONE)
        if self.kind == "detached":
            out.append("detached: no gradient flows back")
        if self.no_grad_from is not None:
            out.append(nograd.made(self.no_grad_from) + ": no graph recorded")
        if self.retains_grad:
            out.append("retain_grad")
        if self.hooks:
            out.append("hook" if self.hooks == 1 else f"{self.hooks} hooks")
        if self.freed and self.saves:
            out.append("saved values freed")
        if self.uses > 1:
            out.append(f"used {self.uses}×")
        return out


@dataclass
class Graph:
    """The graph behind ``root``; ``nodes`` in creation order, the output last."""

    root: str
    nodes: list[GNode]
    by_name: dict[str, GNode] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {n.name: n for n in self.nodes}

    @property
    def counts(self) -> dict[str, int]:
        kinds = {"leaf": 0, "op": 0, "constant": 0, "detached": 0}
        for n in self.nodes:
            kinds[n.kind] += 1
        return kinds

    def blocks(self, width: int | None = None) -> list[Block]:
        """The drawing; ``width``: fitted to that many columns (a terminal), else the full table."""
        from autodiff_repl.explain import graph_text
        return graph_text.blocks(self, width)

    def plain(self) -> str:
        return text.plain_blocks(self.blocks())


def build(root, names: dict) -> Graph:
    """The graph behind tensor ``root``; ``names`` maps the learner's variable names to tensors."""
    view = View(root, names)
    nodes: list[GNode] = []
    listed: set[str] = set()
    uses: dict[str, int] = {}
    if not view.items:
        name = next((k for k, v in view.names.items() if v is root), "tensor")
        nodes.append(_plain_tensor(name, root))
        if not root._rg:
            nodes[-1].no_grad_from = nograd.source(root, view.names)
        return Graph(name, nodes)
    metas = _input_metas(view)
    for item in view.items:
        node = item.node
        if item.is_leaf:
            nodes.append(_leaf(item, metas.get(item.key)))
            nodes[-1].hooks = len(hooks.hook_list(item) or ())
            continue
        inputs = []
        for i, parent in enumerate(node.parents):
            if parent is not None:
                inputs.append(item_name := view.name(parent))
                uses[item_name] = uses.get(item_name, 0) + 1
                continue
            const = view.const(node, i)
            if const.listed:
                if const.label not in listed:
                    listed.add(const.label)
                    nodes.append(_constant(const, node.metas[i]))
                    if const.named:
                        nodes[-1].no_grad_from = nograd.source(view.names.get(const.label),
                                                               view.names)
                inputs.append(const.label)
                uses[const.label] = uses.get(const.label, 0) + 1
        nodes.append(_op(view, item, tuple(inputs), metas.get(item.key)))
        nodes[-1].hooks = len(hooks.hook_list(item) or ())
    for n in nodes:
        n.uses = uses.get(n.name, 0)
    root_name = view.root_item.name
    view_root = next(n for n in nodes if n.name == root_name)
    view_root.output = True
    return Graph(root_name, nodes)


def _input_metas(view: View) -> dict[int, tuple]:
    """``(shape, dtype)`` of each node's tensor as the node that used it recorded it (its
    ``metas``): known even when the tensor itself is gone."""
    metas: dict[int, tuple] = {}
    for item in view.items:
        for parent, meta in zip(item.node.parents, getattr(item.node, "metas", ()), strict=False):
            if parent is not None:
                metas.setdefault(id(parent), meta)
    return metas


def _leaf(item, meta) -> GNode:
    t = item.node.variable
    if t is None:
        return _gone(GNode(item.name, "leaf", None, None, (), "?", None, None, True,
                           named=item.named), meta)
    grad = None if t._grad is None else t._grad._data
    return GNode(item.name, "leaf", None, None, _shape(t._data), _dtype(t._data), t._data, grad,
                 True, named=item.named)


def _op(view: View, item, inputs, meta) -> GNode:
    node = item.node
    out = _output(node)
    value = node.value if node.value is not None else (None if out is None else out._data)
    grad = None
    if out is not None and out._grad is not None:
        grad = out._grad._data
    n = GNode(item.name, "op", view.expr(node), node.op.grad_fn, _shape(value), _dtype(value),
              value, grad, True, inputs, named=item.named, freed=node.freed,
              saves=node.has_saved, retains_grad=node.retained is not None)
    return n if value is not None else _gone(n, meta)


def _gone(n: GNode, meta) -> GNode:
    """``n`` for a tensor that no longer exists: shape and dtype from ``meta`` (as the node
    that used it recorded them), a note that says so."""
    n.gone = True
    if meta is not None:
        n.shape, n.dtype = tuple(meta[0]), text.dtype(meta[1])
    return n


def _constant(const, meta) -> GNode:
    kind = "detached" if const.detached else "constant"
    arr = None if const.array is None else np.asarray(const.array)
    shape = meta[0] if arr is None else arr.shape
    return GNode(const.label, kind, None, None, tuple(shape), text.dtype(meta[1]), arr, None,
                 False, named=const.named)


def _plain_tensor(name: str, t) -> GNode:
    kind = "leaf" if t._rg else "constant"
    grad = None if t._grad is None else t._grad._data
    return GNode(name, kind, None, None, t._data.shape, text.dtype(t._data.dtype), t._data, grad,
                 t._rg, output=True, named=True)


def _output(node):
    ref = getattr(node, "output", None)
    return None if ref is None else ref()


def _shape(a) -> tuple:
    return () if a is None else tuple(np.shape(a))


def _dtype(a) -> str:
    return "?" if a is None else text.dtype(np.asarray(a).dtype)



__all__ = ["GNode", "Graph", "build", "edge_of"]
