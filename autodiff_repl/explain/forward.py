"""Forward mode explained: carry a tangent through the recorded graph, in the order it ran.

The graph behind ``y`` is replayed (``replay.Replay.tangents``) with tangent ``v`` on ``x``; each
op's output tangent comes from the op table's jvp rules through the engine's own forward-mode
code. Each step says ``out′ = Σ local · input′`` with the numbers, a local derivative with an
operator in it in brackets, as in the reverse trace (``(1 - tanh²(t2)) · t2′``). The cost line
counts the ops and the bytes of tangents, next to what reverse mode would save on the same graph
(d2l's exercise on forward versus backward evaluation).
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import ops
from autodiff_repl.engine.backends import RAW
from autodiff_repl.engine.tensor import Tensor
from autodiff_repl.explain import text
from autodiff_repl.explain.replay import NotRecorded, Replay
from autodiff_repl.explain.reverse import saved_bytes
from autodiff_repl.explain.symbols import (
    fill,
    wrap,  # the reverse trace's bracket rule
)
from autodiff_repl.explain.trace_model import Cost, TangentStep, Term, Trace
from autodiff_repl.explain.walk import View, edge_of, expr_text

_BILINEAR = {"dot", "mv", "mm", "matmul"}


def run(y, x, v, names: dict) -> Trace:
    view = View(y, names)
    edge = edge_of(x)
    item = None if edge is None else view.by_key.get(id(edge))
    if item is None or view.root_item is None:
        raise RuntimeError("the tangent's tensor is not part of the graph of the output: "
                           "nothing to differentiate along")
    seed = np.ones_like(x._data) if v is None else np.asarray(getattr(v, "_data", v),
                                                              dtype=x._data.dtype)
    if seed.shape != x._data.shape:
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than "
                           f"that of the original Tensor, this is not supported. Tensor is of "
                           f"size {x.shape} while the given forward gradient is of size "
                           f"{tuple(seed.shape)}.")
    try:
        replay = Replay(view)
    except NotRecorded as e:
        raise RuntimeError("forward mode needs the graph's values (RECORDING.keep_values)") from e
    steps: list[TangentStep] = []

    def on_step(node, arrays, ins, out):
        steps.append(_step(view, node, arrays, ins, out))

    tangents = replay.tangents(item.key, seed, on_step)
    root_key = view.root_item.key
    result = tangents.get(root_key)
    if result is None:
        result = np.zeros_like(np.asarray(view.root_item.node.value if not
                                          view.root_item.is_leaf else x._data))
    tr = Trace("forward", view.root_item.name, seed, v is not None, steps=steps,
               results=(Tensor._wrap(np.asarray(result)),), wrt=item.name)
    total, peak = _tangent_bytes(replay, tangents, item.key, root_key)
    tr.cost = Cost("forward", len(steps), total, "tangents",
                   f"at most {text.nbytes(peak)} alive at once; reverse mode on this graph "
                   f"saves {text.nbytes(saved_bytes(view))}")
    return tr


def _step(view: View, node, arrays, ins, out) -> TangentStep:
    op, item = node.op, view.by_key[id(node)]
    labels = [view.label(node, i) for i in range(len(node.parents))]
    step = TangentStep(item.name, view.expr(node), op.grad_fn, [], np.asarray(out))
    moving = [i for i, t in enumerate(ins) if t is not None]
    if op.jvp == ops.ELEMENTWISE:
        value = np.asarray(node.value)
        for i in moving:
            rule = op.vjp[i]
            local = np.asarray(rule(RAW, np.ones_like(value), *arrays, value, **node.params))
            part = np.asarray(rule(RAW, ins[i], *arrays, value, **node.params))
            step.terms.append(Term(labels[i], fill(op.formula[i], labels, node.params,
                                                   text.param), local, ins[i], part))
        return step
    if op.jvp == ops.LINEAR or op.name in _BILINEAR:
        parts = []
        for i in moving:
            primed = [f"{lab}′" if k == i else lab for k, lab in enumerate(labels)]
            if op.jvp == ops.LINEAR:
                primed = [f"{lab}′" if ins[k] is not None else "0" for k, lab in enumerate(labels)]
            parts.append(expr_text(op, primed, node.params))
            if op.jvp == ops.LINEAR:
                break
        step.rule = " + ".join(parts)
        return step
    step.rule = " + ".join(
        f"{wrap(fill(op.formula[i], labels, node.params, text.param))} · {labels[i]}′"
        for i in moving)
    return step


def _tangent_bytes(replay: Replay, tangents: dict, seed_key: int, root_key: int):
    """All tangent bytes, and the most alive at once if each is dropped after its last use."""
    last_use: dict[int, int] = {}
    for j, node in enumerate(replay.ops):
        for p in node.parents:
            if p is not None:
                last_use[id(p)] = j
    live = np.asarray(tangents[seed_key]).nbytes
    total = peak = live
    sizes = {seed_key: live}
    for j, node in enumerate(replay.ops):
        t = tangents.get(id(node))
        if t is not None and id(node) != seed_key:
            sizes[id(node)] = t.nbytes
            live += t.nbytes
            total += t.nbytes
            peak = max(peak, live)
        for key, size in list(sizes.items()):
            if key != root_key and last_use.get(key, -1) <= j:
                live -= size
                del sizes[key]
    return total, peak
