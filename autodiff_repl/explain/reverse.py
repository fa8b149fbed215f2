"""Reverse mode explained: run the real backward pass and write down every step.

``run`` calls the engine's ``backprop.backward`` or ``backprop.grad`` with an observer, so the
numbers are the engine's own, in the engine's order, and ``.grad`` ends up exactly as a plain
``y.backward()`` leaves it. From what the observer saw it builds one ``Step`` per node: the
gradient that arrived (and the paths that added up to it), and for each input the local
derivative (formula from the op table, numbers for pointwise ops and scalar outputs), the product
with the upstream gradient, and the sum over broadcast axes when the input was broadcast. Where a
learner's hook (``register_hook``) replaced a gradient, the step keeps both (``hooks``), and a max
or min with ties says how it shared the gradient (``kinks``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autodiff_repl.engine import backprop, ops
from autodiff_repl.engine.backends import RAW
from autodiff_repl.engine.graph import AccumulateGrad
from autodiff_repl.explain import check, hooks, kinks, nograd, text
from autodiff_repl.explain.replay import NotRecorded, Replay
from autodiff_repl.explain.rules import rule
from autodiff_repl.explain.symbols import fill, times
from autodiff_repl.explain.trace_model import Arrival, Cost, Send, Step, Trace
from autodiff_repl.explain.walk import View, edge_of


def _array(g) -> np.ndarray:
    return np.asarray(getattr(g, "_data", g))


def saved_bytes(view: View) -> int:
    """Bytes of forward values the graph's nodes keep for backward (each array counted once)."""
    return _bytes(_saved(view).values())


def _saved(view: View) -> dict[int, dict[int, int]]:
    """For each op node of the graph (by key): the arrays it keeps for backward, id -> bytes."""
    out: dict[int, dict[int, int]] = {}
    for item in view.items:
        node = item.node
        if item.is_leaf or node.inputs is None:
            continue
        wanted = set()
        for needs, parent in zip(node.op.needs, node.parents, strict=False):
            if parent is not None:
                wanted.update(needs)
        arrays = out[item.key] = {}
        for i in wanted - {ops.OUT}:
            arrays[id(node.inputs[i])] = np.asarray(node.inputs[i]).nbytes
        if ops.OUT in wanted and node.value is not None:
            arrays[id(node.value)] = node.value.nbytes
    return out


def _bytes(groups) -> int:
    """The bytes of the arrays in ``groups`` (id -> bytes maps), each array counted once."""
    return sum({k: n for group in groups for k, n in group.items()}.values())


def run(kind: str, y, names: dict, gradient=None, retain_graph=False, create_graph=False,
        xs=None) -> Trace:
    """``kind`` "backward" (into ``.grad``) or "grad" (returned; ``xs`` the inputs)."""
    if y._rg and y._node is None:
        y._edge()  # a leaf as the output: its AccumulateGrad, which backward creates anyway
    view = View(y, names)
    leaves = [item for item in view.items if item.is_leaf]
    old = {item.key: _old_grad(item.node.variable) for item in leaves}
    saved = _saved(view)  # before the pass, which may free them
    events: list = []

    def observer(node, g, grads):
        events.append((node, _array(g), tuple(None if gi is None else _array(gi)
                                               for gi in grads)))

    with hooks.watching(view) as runs:
        if kind == "backward":
            backprop.backward([y], None if gradient is None else [gradient],
                              retain_graph or None, observer=observer)
            results: tuple = ()
        else:
            results = backprop.grad(y, xs, create_graph=create_graph, observer=observer)
    root = view.root_item.name
    seed = (np.ones_like(y._data) if gradient is None else _array(gradient)).astype(y._data.dtype)
    tr = Trace(kind, root, seed, gradient is not None, results=results)
    wanted = None
    if kind == "grad":
        xs_list = [xs] if hasattr(xs, "_data") else list(xs)
        tr.result_names = tuple(_name_of(view, x) for x in xs_list)
        tr.wrt = ", ".join(tr.result_names)
        wanted = {id(edge_of(x)) for x in xs_list}
    tr.steps = _steps(view, events, root, seed, gradient is not None, old, wanted, runs)
    ran = {id(node) for node, _, _ in events}
    _finish(tr, view, _Spent(_bytes(v for k, v in saved.items() if k in ran),
                             _bytes(v for k, v in saved.items() if k not in ran),
                             sum(1 for k, v in saved.items() if k not in ran and v)),
            "create_graph" if create_graph else ("retain_graph" if retain_graph else ""))
    return tr


@dataclass(frozen=True)
class _Spent:
    """What the pass did to the values the graph saved: the bytes of the nodes it ran (freed,
    unless kept) and of the ``idle`` nodes it did not need to run (left as they were)."""

    ran: int
    left: int
    idle: int


def _old_grad(t):
    return None if t is None or t._grad is None else np.array(t._grad._data, copy=True)


def _name_of(view: View, x) -> str:
    edge = edge_of(x)
    item = None if edge is None else view.by_key.get(id(edge))
    return item.name if item is not None else next(
        (k for k, v in view.names.items() if v is x), "input")


def _steps(view, events, root, seed, seed_given, old, wanted, runs) -> list[Step]:
    """One step per observed node; ``wanted`` holds the nodes autograd.grad returns (None for
    backward); ``runs`` what the learner's hooks did (``hooks.watching``)."""
    incoming: dict[int, list[Arrival]] = {}
    if view.root_item is not None:
        symbol = "v" if seed_given and seed.size > 1 else text.num(seed.reshape(-1)[0])
        incoming[view.root_item.key] = [Arrival("seed", symbol, seed)]
    steps = []
    for node, g, grads in events:
        item = view.by_key[id(node)]
        arrivals = incoming.pop(id(node), [])
        run = runs.get(item.key)
        if run is not None and run.after is None:
            run = None  # registered but not run (autograd.grad does not run a leaf's hooks)
        leaf = type(node) is AccumulateGrad
        # the engine shows a node the gradient its hooks returned, a leaf the one they received
        before = g if leaf or run is None else run.before
        if node is view.root_item.node and seed_given and seed.size > 1:
            up = "v"
        else:
            up = text.num(before.reshape(-1)[0]) if before.size == 1 else f"∂{root}/∂{item.name}"
        if run is not None and run.changed:
            up = text.num(run.after.reshape(-1)[0]) if run.after.size == 1 else f"hook({up})"
        if leaf:
            step = _leaf_step(item, before, up, arrivals, old.get(item.key), wanted)
            _hooked(step, run)
            steps.append(step)
            continue
        step = Step(item.name, view.expr(node), node.op.grad_fn, before, up, arrivals)
        _hooked(step, run)
        parents = _sends(view, node, g, up, grads, step)
        tie = kinks.tie_note(node, view.label(node, 0))
        if tie is not None:
            step.notes.append(tie)
        for send, parent in zip(step.sends, parents, strict=True):
            incoming.setdefault(id(parent), []).append(Arrival(item.name, send.symbol, send.value))
        if node.retained is not None:
            step.notes.append(f"{item.name}.grad = {text.array(g)}  (kept by retain_grad)")
        if wanted is not None and id(node) in wanted:  # captured before the node's hooks
            step.notes.append(f"∂{root}/∂{item.name} = {text.array(before)} is returned as a "
                              "result")
        steps.append(step)
    return steps


def _hooked(step: Step, run) -> None:
    if run is not None:
        step.hooks, step.hooked = run.count, run.after


def _leaf_step(item, g, up, arrivals, old, wanted) -> Step:
    variable = item.node.variable
    step = Step(item.name, None, "AccumulateGrad", g, up, arrivals, old=old, tensor=variable)
    if wanted is not None:
        step.stores = False
        step.result = g if item.key in wanted else None
    elif variable is not None and variable._grad is not None:
        step.result = np.array(variable._grad._data, copy=True)
    return step


_SCALAR_LOCAL = {"dot", "sum", "mean", "sum_dim", "mean_dim", "prod", "prod_dim", "max", "min",
                 "max_dim", "min_dim", "norm", "mse_loss"}


def _pointwise(node) -> bool:
    """Whether the local derivative is one number per input element: elementwise ops, and
    reductions to a single number (whose gradient is exactly d(out)/d(each element))."""
    op = node.op
    if op.jvp == ops.ELEMENTWISE or op.name == "dot":
        return True
    return op.name in _SCALAR_LOCAL and node.value is not None and np.asarray(node.value).size == 1


def _sends(view: View, node, g, up: str, grads, step: Step) -> list:
    """Fill ``step.sends``; returns the parent node each send goes to."""
    op = node.op
    sent_to = []
    labels = [view.label(node, i) for i in range(len(node.parents))]
    targets = [p for p in node.parents if p is not None]
    for i, parent in enumerate(node.parents):
        if parent is None:
            const = view.const(node, i)
            if const.detached:
                step.notes.append(f"{const.label} is detached (made by detach() or .data): "
                                  "no gradient flows into it")
            elif const.named:
                src = nograd.source(view.names.get(const.label), view.names)
                why = "" if src is None else f" ({nograd.made(src)})"
                step.notes.append(f"{const.label} does not require grad{why}: nothing sent to it")
            continue
        value = grads[i]
        if value is None:
            continue
        target = view.name(parent)
        position = ""
        if sum(1 for p in targets if p is parent) > 1:
            position = f"input {i + 1} of {len(node.parents)}"
        in_shape = node.metas[i][0]
        if _pointwise(node):
            formula = fill(op.formula[i], labels, node.params, text.param)
            local, before = _local(node, i, g)
            send = Send(target, position, formula, times(up, formula), local, value)
            if before is not None and before.shape != value.shape:
                send.before_sum, send.axes = before, _summed_axes(before.shape, value.shape)
        else:
            described = rule(op, i, up, labels, node.params, in_shape)
            if described is None:
                described = times(up, fill(op.formula[i], labels, node.params, text.param))
            send = Send(target, position, described, described, None, value)
        step.sends.append(send)
        sent_to.append(parent)
    return sent_to


def _local(node, i: int, g):
    """The local derivative's numbers, and the upstream times it before any summing."""
    if node.inputs is None:
        return None, None
    vjp = node.op.vjp[i]
    xs = [np.asarray(a) for a in node.inputs]
    out = np.asarray(node.value)
    try:
        local = np.asarray(vjp(RAW, np.ones_like(out), *xs, out, **node.params))
        before = np.asarray(vjp(RAW, g, *xs, out, **node.params))
    except Exception:  # an explanation never breaks the backward
        return None, None
    before = np.broadcast_to(before, np.broadcast_shapes(before.shape, out.shape))
    return local, before


def _summed_axes(big, small) -> tuple[int, ...]:
    lead = len(big) - len(small)
    return tuple(range(lead)) + tuple(
        k + lead for k, n in enumerate(small) if n == 1 and big[k + lead] != 1)


def _cost_note(tr: Trace, n_ops: int, spent: _Spent, kept_by: str) -> str:
    """What became of the saved values: kept, freed, or (no op ran: ``grad y y``) untouched."""
    if kept_by:
        return f"kept ({kept_by}), so the graph can run backward again"
    if not n_ops and spent.left:
        seed = f" (∂{tr.root}/∂{tr.root} is the seed itself)" if tr.kind == "grad" else ""
        return (f"kept: no op had to run{seed}, so nothing was freed and a backward through "
                f"{tr.root} still works")
    if spent.left:
        ops_, them = ("op", "it") if spent.idle == 1 else (f"{spent.idle} ops", "them")
        return (f"{text.nbytes(spent.ran)} freed by the ops this pass ran; "
                f"{text.nbytes(spent.left)} kept by the {ops_} it skipped (no input asked for "
                f"lies behind {them})")
    if spent.ran:
        return "freed by this backward; retain_graph=True keeps them for a second one"
    return "nothing to free: a second backward would run again and accumulate"


def _finish(tr: Trace, view: View, spent: _Spent, kept_by: str) -> None:
    n_ops = sum(1 for s in tr.steps if s.expr is not None)
    tr.cost = Cost("reverse", n_ops, spent.ran + spent.left, "saved values",
                   _cost_note(tr, n_ops, spent, kept_by))
    for step in tr.steps:
        if step.expr is None and step.stores and step.old is not None:
            tr.hints.append(f"backward adds into .grad: {step.name}.grad held "
                            f"{text.array(step.old)} before, so it now holds old + new. Call "
                            f"{step.name}.grad.zero_() before a backward to start from zero. "
                            "(MXNet and TensorFlow overwrite instead; PyTorch adds.)")
    try:
        replay = Replay(view)
    except NotRecorded:
        return
    root_key = view.root_item.key
    if tr.seed_given and tr.seed.size > 1:
        tr.jacobians = check.jacobians(replay, view, root_key, tr.seed)
    tr.checks = check.against_finite_differences(replay, view, root_key, tr)
