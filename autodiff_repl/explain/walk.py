"""The recorded graph behind a tensor, in creation order, with a name for every node.

``View(root, names)`` collects the nodes reachable from ``root`` (its ``grad_fn`` and everything
that fed it) and names each one: the learner's variable name when a variable holds that tensor,
otherwise a stable id ``t1``, ``t2`` … in creation order (never a memory address); the values a
variable held before in-place updates are ``y₀``, ``y₁`` … (``y`` is the current one). Inputs
that are not part of the graph are constants; a constant whose values belong to a tensor that
requires grad came from ``detach()`` (or ``.data``) and is called detached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autodiff_repl.engine.graph import AccumulateGrad, reachable
from autodiff_repl.explain import text
from autodiff_repl.explain.absent import without


@dataclass
class Item:
    """One node of the graph: an operation (``Node``) or a leaf that requires grad."""

    node: object
    name: str
    named: bool  # the learner's own variable name

    @property
    def is_leaf(self) -> bool:
        return type(self.node) is AccumulateGrad

    @property
    def key(self) -> int:
        return id(self.node)


@dataclass(frozen=True)
class Const:
    """An input that is not in the graph: a number, a tensor without grad, or a detached copy."""

    label: str  # how it is written inside an expression: ``2``, ``u``, ``c1``
    array: object
    named: bool
    detached: bool
    listed: bool  # drawn as its own node (not just written inline)


def edge_of(t):
    """The graph node of tensor ``t`` (its grad_fn, or its leaf's AccumulateGrad), or None."""
    if t._node is not None:
        return t._node
    return t._acc if t._rg else None


class View:
    """The graph behind ``root`` with names; ``items`` are in creation order."""

    def __init__(self, root, names: dict, extra_roots=()) -> None:
        self.root = root
        self.names = {k: v for k, v in names.items() if not k.startswith("_")}
        tensor_names, self.data_names = self._name_maps()
        starts = [edge_of(t) for t in (root, *extra_roots)]
        nodes = reachable(*starts)
        nodes.sort(key=lambda n: n.seq)
        taken = set(self.names)
        counter = 0
        self.items: list[Item] = []
        self.by_key: dict[int, Item] = {}
        earlier: dict[str, int] = {}  # how many older values of each variable were named
        for node in nodes:
            tensor = node.variable if type(node) is AccumulateGrad else _output(node)
            name = tensor_names.get(id(node))
            if name is None and tensor is not None:
                name = tensor_names.get(id(tensor))
                if name is not None and edge_of(tensor) is not node:
                    # the value the variable held before an in-place update (y += 1): y₀, y₁ …
                    k = earlier[name] = earlier.get(name, -1) + 1
                    name = name + str(k).translate(_SUBSCRIPTS)
            named = name is not None
            if not named:
                counter, name = _fresh("t", counter, taken)
            item = Item(node, name, named)
            self.items.append(item)
            self.by_key[id(node)] = item
        self.root_item = self.by_key.get(id(edge_of(root))) if edge_of(root) is not None else None
        self._consts: dict[tuple[int, int], Const] = {}
        self._by_array: dict[int, Const] = {}  # an unnamed array used twice keeps one label
        self._const_counter = 0
        self._graph_arrays = self._arrays_with_grad()

    def _name_maps(self):
        by_node: dict[int, str] = {}
        by_data: dict[int, str] = {}
        for name, t in self.names.items():
            if not hasattr(t, "_data") or not hasattr(t, "_node"):
                continue
            edge = edge_of(t)
            if edge is not None:
                by_node.setdefault(id(edge), name)
                by_node.setdefault(id(t), name)
            else:
                by_data.setdefault(id(t._data), name)
        return by_node, by_data

    def _arrays_with_grad(self) -> set[int]:
        ids = set()
        for item in self.items:
            value = getattr(item.node, "value", None)
            if value is not None:
                ids.add(id(value))
        for t in self.names.values():
            if getattr(t, "_rg", False):
                ids.add(id(t._data))
        return ids

    def name(self, node) -> str:
        return self.by_key[id(node)].name

    def const(self, node, i: int) -> Const:
        """The constant that is input ``i`` of ``node`` (its ``parents[i]`` is None)."""
        key = (id(node), i)
        found = self._consts.get(key)
        if found is not None:
            return found
        inputs = getattr(node, "inputs", None)
        arr = None if inputs is None else inputs[i]
        detached = arr is not None and (id(arr) in self._graph_arrays or (
            isinstance(arr, np.ndarray) and arr.base is not None
            and id(arr.base) in self._graph_arrays))
        name = None if arr is None else self.data_names.get(id(arr))
        if name is not None:
            found = Const(name, arr, True, detached, True)
        elif arr is not None and np.asarray(arr).size == 1:
            found = Const(text.num(np.asarray(arr).item()), arr, False, detached, detached)
        elif arr is not None and id(arr) in self._by_array:
            found = self._by_array[id(arr)]
        else:
            self._const_counter, label = _fresh("c", self._const_counter, set(self.names))
            found = Const(label, arr, False, detached, True)
            if arr is not None:
                self._by_array[id(arr)] = found
        self._consts[key] = found
        return found

    def label(self, node, i: int) -> str:
        """How input ``i`` of ``node`` is written: its producer's name, or the constant."""
        parent = node.parents[i]
        return self.name(parent) if parent is not None else self.const(node, i).label

    def expr(self, node) -> str:
        """The node's output in maths form, e.g. ``2 · t1`` or ``log(a)``."""
        labels = [self.label(node, i) for i in range(len(node.parents))]
        if node.op.name == "mul" and node.parents[1] is None and not self.const(node, 1).listed:
            labels.reverse()  # 2 · t1 reads better than t1 · 2; the product is the same
        return expr_text(node.op, labels, node.params)


def expr_text(op, labels, params) -> str:
    if op.variadic:
        return f"{op.name}({', '.join(labels)}, dim={params.get('dim', 0)})"
    shown = {k: text.param(v) for k, v in params.items()}
    try:
        return without(op.expr, params).format(*labels, **shown)
    except (KeyError, IndexError):
        return f"{op.name}({', '.join(labels)})"


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _fresh(prefix: str, counter: int, taken: set) -> tuple[int, str]:
    while True:
        counter += 1
        name = f"{prefix}{counter}"
        if name not in taken:
            return counter, name


def _output(node):
    ref = getattr(node, "output", None)
    return ref() if ref is not None else None
