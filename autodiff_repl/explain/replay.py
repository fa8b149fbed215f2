"""Re-running a recorded graph on arrays: new input values, or tangents (forward mode).

The engine records every node's op, parameters and input values (``RECORDING.keep_values``).
That is enough to evaluate the same straight-line program again: with one leaf perturbed (the
finite-difference check) or with a tangent carried along, using the op table's jvp rules through
the engine's own ``functions._tangent`` (forward mode, Jacobians for small shapes). Control flow
is not re-run: the replay follows the branch that was recorded.
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import gradcheck
from autodiff_repl.engine.functions import _tangent
from autodiff_repl.engine.graph import AccumulateGrad
from autodiff_repl.engine.tensor import Tensor


class NotRecorded(RuntimeError):
    """The graph was recorded without its values (``RECORDING.keep_values`` was off)."""


def _as64(a):
    a = np.asarray(a)
    return a.astype(np.float64) if a.dtype.kind == "f" else a


class Replay:
    """The op nodes of a view, ready to be evaluated again in creation order."""

    def __init__(self, view) -> None:
        self.ops = [item.node for item in view.items if not item.is_leaf]
        self.base: dict[int, np.ndarray] = {}
        for node in self.ops:
            if node.inputs is None:
                raise NotRecorded("the graph was recorded without values")
            for parent, arr in zip(node.parents, node.inputs, strict=True):
                if type(parent) is AccumulateGrad:
                    self.base.setdefault(id(parent), arr)
        for item in view.items:
            if item.is_leaf and item.key not in self.base and item.node.variable is not None:
                self.base[item.key] = item.node.variable._data

    def inputs(self, node, values: dict) -> list:
        return [node.inputs[i] if p is None else values[id(p)] for i, p in enumerate(node.parents)]

    def values(self, overrides: dict, float64: bool = False) -> dict:
        """Every node's value, with the leaves in ``overrides`` (by key) replaced."""
        cast = _as64 if float64 else np.asarray
        values = {k: cast(v) for k, v in self.base.items()}
        values.update(overrides)
        for node in self.ops:
            arrays = [cast(a) for a in self.inputs(node, values)]
            values[id(node)] = np.asarray(node.op.forward(*arrays, **node.params))
        return values

    def tangents(self, seed_key: int, seed, on_step=None) -> dict:
        """Forward mode: every node's tangent given tangent ``seed`` at node ``seed_key``.

        ``on_step(node, arrays, in_tangents, out_tangent)`` sees each op as it is evaluated."""
        tangents: dict[int, np.ndarray] = {seed_key: np.asarray(seed)}
        for node in self.ops:
            if id(node) == seed_key:
                continue
            arrays = [np.asarray(a) for a in node.inputs]  # the values recorded at this node
            ins = [None if p is None else tangents.get(id(p)) for p in node.parents]
            if all(t is None for t in ins):
                continue
            wrapped = []
            for a, t in zip(arrays, ins, strict=True):
                w = Tensor._wrap(np.asarray(a))
                w._tangent = t
                wrapped.append(w)
            out = _tangent(node.op, wrapped, arrays, np.asarray(node.value), node.params)
            tangents[id(node)] = out
            if on_step is not None:
                on_step(node, arrays, ins, out)
        return tangents

    def jacobian(self, root_key: int, leaf_key: int) -> np.ndarray:
        """d(root)/d(leaf) as an (n_out, n_in) matrix, one forward-mode sweep per column."""
        x = np.asarray(self.base[leaf_key])
        out_size = np.asarray(self._root_value(root_key)).size
        cols = []
        for k in range(x.size):
            seed = np.zeros(x.size, dtype=x.dtype)
            seed[k] = 1
            t = self.tangents(leaf_key, seed.reshape(x.shape)).get(root_key)
            cols.append(np.zeros(out_size) if t is None else t.reshape(-1).astype(np.float64))
        return np.stack(cols, axis=1) if cols else np.zeros((out_size, 0))

    def _root_value(self, key: int):
        for node in self.ops:
            if id(node) == key:
                return node.value
        return self.base[key]

    def numerical_jacobian(self, root_key: int, leaf_key: int, eps: float) -> np.ndarray:
        """d(root)/d(leaf) by central differences in float64 (the engine's gradcheck helper)."""
        x = Tensor._wrap(_as64(self.base[leaf_key]).copy())

        def func(t):
            return Tensor._wrap(np.asarray(self.values({leaf_key: t._data}, True)[root_key]))

        return gradcheck.numerical_jacobian(func, [x], 0, eps)[0]

