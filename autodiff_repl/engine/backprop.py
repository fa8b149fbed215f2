"""The backward pass: ``Tensor.backward`` and ``autograd.grad``.

1. Start from the roots with their seed gradients. A node is always made after the nodes of its
   inputs, so it has a larger sequence number (``Node.seq``): taking the waiting node with the
   largest one each time (a heap, as PyTorch's engine does) reaches a node only after every node
   that feeds gradient into it. No recursion, so no limit however long the chain.
2. At each node the incoming gradients have all arrived and been summed; the op table's vjp
   formulas turn the node's gradient into one per input; each is summed back over broadcast axes
   (the one place this happens) and added into its parent's total, and a parent that just got its
   first gradient starts waiting. A node no gradient reaches is never visited.
3. At a leaf (``AccumulateGrad``) the total is added into ``leaf.grad`` -- gradients accumulate,
   as in PyTorch -- or, for ``autograd.grad``, handed back without touching ``.grad``.

Without ``create_graph`` the formulas run on NumPy arrays (``backends.RAW``); with it they run on
tensors (``backends.GRAPH``) so the gradients carry a graph of their own.
"""

from __future__ import annotations

import heapq
import operator
import sys
from collections.abc import Callable

import numpy as np

from autodiff_repl.engine import ops, views
from autodiff_repl.engine.backends import GRAPH, RAW
from autodiff_repl.engine.grad_mode import STATE
from autodiff_repl.engine.graph import Node, reachable
from autodiff_repl.engine.inplace import INPLACE
from autodiff_repl.engine.messages import warn_once
from autodiff_repl.engine.tensor import Tensor

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.")

CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak.")

Observer = Callable[[object, object, tuple], None]


class _Meta:
    """Stands in for an input the node did not keep: only its shape and dtype are known."""

    __slots__ = ("dtype", "ndim", "shape")

    def __init__(self, shape, dtype):
        self.shape, self.dtype, self.ndim = shape, dtype, len(shape)


_METAS: dict = {}


def _meta(shape, dtype) -> _Meta:
    """The (immutable, so shared) stand-in for inputs of this shape and dtype."""
    meta = _METAS.get((shape, dtype))
    if meta is None:
        if len(_METAS) > 1024:
            _METAS.clear()
        meta = _METAS[shape, dtype] = _Meta(shape, dtype)
    return meta


def _seed(t: Tensor, g, i: int, create_graph: bool):
    if g is None:
        if t._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        ones = np.empty(t._data.shape, t._data.dtype)  # np.ones, minus its Python wrapper
        ones.fill(1)
        return Tensor._wrap(ones) if create_graph else ones
    g = g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g, dtype=t._data.dtype))
    if g._data.shape != t._data.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape!r} and "
                           f"output[{i}] has a shape of {t.shape!r}.")
    return g if create_graph else g._data


def _roots(tensors, grad_tensors, create_graph):
    if type(tensors) is Tensor and grad_tensors is None and tensors._base is None:
        if not tensors._rg:  # ``loss.backward()``, the common case, in short
            raise RuntimeError("element 0 of tensors does not require grad and does not have "
                               "a grad_fn")
        return [tensors._edge()], [_seed(tensors, None, 0, create_graph)]
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors) if grad_tensors is None else [grad_tensors]
    else:  # a sequence of tensors, as PyTorch reads it: a number is "not iterable"
        grad_tensors = list(grad_tensors)
        for g in grad_tensors:
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(f"gradients can be either Tensors or None, but got "
                                f"{type(g).__name__}")
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} tensors and {len(tensors)} gradients")
    roots, seeds = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors, strict=False)):
        if t._base is not None:
            views.check_grad_fn(t)
        if not t._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        roots.append(t._edge())
        seeds.append(_seed(t, g, i, create_graph))
    return roots, seeds


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None,
             observer: Observer | None = None) -> None:
    """``torch.autograd.backward``: accumulate d(tensors)/d(leaf) into every leaf's ``.grad``."""
    if create_graph:
        warn_once(CREATE_GRAPH_CYCLE)
    roots, seeds = _roots(tensors, grad_tensors, create_graph)
    only = None
    if inputs is not None:  # node -> the tensor whose .grad takes its gradient
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        only = {t._edge(): t for t in inputs}
    run(roots, seeds, create_graph if retain_graph is None else retain_graph, create_graph,
        accumulate_into=only, observer=observer)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False, observer: Observer | None = None):
    """``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``, returned
    as a tuple; no ``.grad`` is touched."""
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots, seeds = _roots(outputs, grad_outputs, create_graph)
    edges = [t._edge() for t in inputs]
    captured = run(roots, seeds, create_graph if retain_graph is None else retain_graph,
                   create_graph, capture=set(edges), observer=observer)
    result = []
    for i, (t, e) in enumerate(zip(inputs, edges, strict=False)):
        g = captured.get(e)
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            result.append(Tensor._wrap(np.zeros_like(t._data)) if materialize_grads else None)
            continue
        result.append(g if isinstance(g, Tensor) else Tensor._wrap(np.array(g, copy=True)))
    return tuple(result)


def run(roots, seeds, retain_graph: bool, create_graph: bool, accumulate_into=None,
        capture=None, observer: Observer | None = None) -> dict:
    """Propagate ``seeds`` from ``roots`` to the leaves. Returns the gradients of the nodes in
    ``capture`` (``autograd.grad``); otherwise adds them into ``.grad``: every leaf's, or with
    ``accumulate_into`` (``backward(inputs=...)``, node -> tensor) only those tensors'. With
    either, only the nodes that lead to them run."""
    m = GRAPH if create_graph else RAW
    totals: dict = {}  # node -> the sum of the gradients that reached it so far
    for i, root in enumerate(roots):
        totals[root] = seeds[i] if root not in totals else totals[root] + seeds[i]
    waiting = [(-node.seq, node) for node in totals]  # the largest sequence number first
    heapq.heapify(waiting)
    wanted = capture if capture is not None else accumulate_into
    useful = None if wanted is None else _leading_to(totals, wanted)
    plain = wanted is None and observer is None  # every leaf's .grad, and nobody watching
    captured: dict = {}
    pop, push = heapq.heappop, heapq.heappush
    recording = STATE.enabled
    STATE.enabled = create_graph  # the formulas record a graph only for create_graph
    try:
        if plain and not create_graph:
            _plain_pass(totals, waiting, retain_graph)
            return captured
        while waiting:
            node = pop(waiting)[1]
            g = totals.pop(node)
            if node.op is None:  # a leaf's AccumulateGrad
                leaf = node.variable
                if plain:
                    if leaf is not None:
                        _accumulate(leaf, g, create_graph, may_keep=True)
                    continue
                if capture is not None:
                    if node in capture:  # autograd.grad: the leaf's hooks run, .grad untouched
                        captured[node] = g if leaf is None or not leaf._hooks else \
                            _run_hooks(leaf._hooks, g, create_graph)
                elif leaf is not None and (accumulate_into is None or node in accumulate_into):
                    _accumulate(leaf, g, create_graph, may_keep=True)
                if observer is not None:
                    observer(node, g, ())
                continue
            if node.hooks is not None or node.retained is not None:
                g = _node_hooks(node, g, create_graph)
            if not plain:
                if capture is not None and node in capture:
                    captured[node] = g
                if accumulate_into is not None and node in accumulate_into:  # inputs=[y]
                    _accumulate(accumulate_into[node], g, create_graph)
                if useful is not None and node not in useful:
                    continue  # no wanted input lies behind it: not run, nothing freed
            if node.freed and node.kept:
                raise RuntimeError(SECOND_BACKWARD)
            if INPLACE.active:
                INPLACE.check(node)
            # The op table's formulas give each input's gradient; each is summed back to the
            # input's shape and cast to its dtype, and added into its parent's total.
            op = node.op
            vjps, params, metas = op.vjp, node.params, node.metas
            elementwise = op.jvp is ELEMENTWISE
            xs = _NONES[len(metas)] if node.saved is None and elementwise else \
                _inputs_for(node, create_graph, elementwise)  # (elementwise: read only g, out)
            out = node.out if not create_graph else _output(node)
            if op.variadic:  # one formula gives every input's gradient
                every = vjps(m, g, xs, out, **params)
            seen = [] if observer is not None else None
            for i, parent in enumerate(node.parents):
                if parent is None:
                    if seen is not None:
                        seen.append(None)
                    continue
                if op.variadic:
                    gi = every[i]
                elif params:
                    gi = vjps[i](m, g, *xs, out, **params)
                else:  # most ops have no parameters: no keyword arguments to build
                    gi = vjps[i](m, g, *xs, out)
                if gi is None:  # a formula may leave it undefined (a count's gradient)
                    if seen is not None:
                        seen.append(None)
                    continue
                shape, dtype = metas[i]
                if gi.shape != shape:  # broadcasting stretched this input: sum back
                    gi = m.sum_to(gi, shape)
                if create_graph:
                    if gi._data.dtype != dtype:
                        gi = gi.to(_dtype(dtype))
                elif type(gi) is not ndarray or gi.dtype is not dtype:  # a NumPy scalar,
                    gi = np.asarray(gi, dtype=dtype)  # or promoted
                if seen is not None:
                    seen.append(gi)
                total = totals.get(parent)
                if total is None:
                    totals[parent] = gi
                    push(waiting, (-parent.seq, parent))
                else:
                    totals[parent] = total + gi
            if seen is not None:
                observer(node, g, seen)
            gi = g = total = every = seen = None  # drop our references: a leaf may take over
            if not retain_graph:  # free what the node saved: a second backward must refuse
                node.saved = node.out = None
                node.freed = True
    finally:
        STATE.enabled = recording
    return captured


def _plain_pass(totals: dict, waiting: list, retain_graph: bool) -> None:
    """``run``'s loop for the common case, ``loss.backward()``: NumPy formulas, every leaf's
    ``.grad``, nobody watching. The same steps with the other cases' branches left out (this is
    the engine's hottest loop: a training step spends most of its Python time here)."""
    pop, push, get = heapq.heappop, heapq.heappush, totals.get
    m = RAW
    while waiting:
        node = pop(waiting)[1]
        g = totals.pop(node)
        op = node.op
        if op is None:  # a leaf's AccumulateGrad
            leaf = node.variable
            if leaf is None:
                continue
            if (leaf._grad is None and not leaf._hooks and type(g) is ndarray and g.base is None
                    and getrefcount(g) <= 2 and g.dtype is leaf._data.dtype
                    and g.flags.writeable):  # _accumulate's first case, inlined: the fresh
                grad = _new(Tensor)  # array nobody else holds becomes .grad (no copy)
                grad._data, grad._rg, grad._node = g, False, None
                leaf._grad = grad
            else:
                _accumulate(leaf, g, False, may_keep=True)
            continue
        if node.hooks is not None or node.retained is not None:
            g = _node_hooks(node, g, False)
        if node.freed and node.kept:
            raise RuntimeError(SECOND_BACKWARD)
        if INPLACE.active:
            INPLACE.check(node)
        vjps, params, metas, out = op.vjp, node.params, node.metas, node.out
        if node.saved is None and op.jvp is ELEMENTWISE:  # the formulas read only g and out
            xs = _NONES[len(metas)]
        else:
            xs = _inputs_for(node, False, op.jvp is ELEMENTWISE)
        if op.variadic:
            every = vjps(m, g, xs, out, **params)
        i = -1
        for parent in node.parents:
            i += 1
            if parent is None:
                continue
            if op.variadic:
                gi = every[i]
            elif params:
                gi = vjps[i](m, g, *xs, out, **params)
            else:
                gi = vjps[i](m, g, *xs, out)
            if gi is None:
                continue
            shape, dtype = metas[i]
            if gi.shape != shape:  # broadcasting stretched this input: sum back
                gi = m.sum_to(gi, shape)
            if type(gi) is not ndarray or gi.dtype is not dtype:  # a NumPy scalar, or promoted
                gi = np.asarray(gi, dtype=dtype)
            total = get(parent)
            if total is None:
                totals[parent] = gi
                push(waiting, (-parent.seq, parent))
            else:
                totals[parent] = total + gi
        gi = g = total = every = None  # drop our references: a leaf may take over the array
        if not retain_graph:  # free what the node saved: a second backward must refuse
            node.saved = node.out = None
            node.freed = True


def _leading_to(roots, wanted) -> set:
    """The nodes behind ``roots`` that a path leads from to a node of ``wanted``: all a pass for
    those inputs must run (PyTorch's engine runs no other, so it frees no other)."""
    useful: set = set()
    for node in sorted(reachable(*roots), key=_SEQ):  # inputs before the nodes that use them
        if any(p is not None and (p in wanted or p in useful) for p in node.parents):
            useful.add(node)
    return useful


_SEQ = operator.attrgetter("seq")


def _node_hooks(node: Node, g, create_graph: bool):
    """A non-leaf's hooks (``register_hook``) and ``retain_grad``, before its formulas run."""
    if node.hooks:
        g = _run_hooks(node.hooks, g, create_graph)
    if node.retained is not None:
        kept = node.retained()
        if kept is not None:
            _accumulate(kept, g, create_graph)
    return g


def _output(node: Node):
    """With create_graph, the node's kept output as a tensor made by the node."""
    out = node.out
    if out is not None:
        out = Tensor._wrap(out)
        out._node, out._rg = node, True
    return out


def _dtype(np_dtype):
    from autodiff_repl.engine.dtypes import from_numpy
    return from_numpy(np_dtype)


_NONES = {n: (None,) * n for n in range(1, 4)}
ELEMENTWISE = ops.ELEMENTWISE
ndarray = np.ndarray


def _inputs_for(node: Node, create_graph: bool, elementwise: bool):
    """The inputs as the vjp formulas see them: kept values (arrays, or tensors with
    create_graph); an input not kept is None for an elementwise op (its formulas never read it)
    and otherwise a stand-in that knows only its shape and dtype."""
    saved = node.saved
    if saved is None:
        if elementwise:  # the formulas read only g and the output
            return _NONES[len(node.metas)]
        return [_meta(shape, dtype) for shape, dtype in node.metas]
    xs = []
    for i, t in enumerate(saved):  # (not zip: its strict= keyword costs as much as the loop)
        if t is not None:
            xs.append(t if create_graph else t._data)
        else:
            xs.append(None if elementwise else _meta(*node.metas[i]))
    return xs


def _run_hooks(hooks, g, create_graph: bool):
    for hook in list(hooks):
        as_tensor = g if isinstance(g, Tensor) else Tensor._wrap(g)
        result = hook(as_tensor)
        if result is not None:
            g = result if create_graph else result._data
    return g


# References to ``g`` while ``_accumulate`` checks it: run's local, the argument, getrefcount's.
_OWN_REFS = 3
getrefcount = sys.getrefcount
_new = object.__new__


def _accumulate(leaf: Tensor, g, create_graph: bool, may_keep: bool = False) -> None:
    """Add ``g`` into ``leaf.grad`` (PyTorch's AccumulateGrad). With ``may_keep``, a fresh
    gradient array nobody else holds becomes ``.grad`` itself instead of being copied."""
    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g, create_graph)
        may_keep = False
    if create_graph:
        if leaf._grad is not None:
            leaf._grad = leaf._grad + g  # AddBackward0
        elif g._rg:  # PyTorch copies the first gradient into .grad: CopyBackwards
            from autodiff_repl.engine import shapes
            leaf._grad = shapes.copy(Tensor._wrap(np.zeros_like(g._data)), g)
        else:
            leaf._grad = g
        return
    if leaf._grad is None:
        # PyTorch steals a gradient buffer nobody else refers to instead of copying it: a
        # writeable array owning its memory, that only run() and this call hold.
        if (may_keep and type(g) is ndarray and g.base is None and getrefcount(g) <= _OWN_REFS
                and g.dtype is leaf._data.dtype and g.flags.writeable):
            leaf._grad = Tensor._wrap(g)
        else:
            leaf._grad = Tensor._wrap(np.array(g, dtype=leaf._data.dtype, copy=True))
    else:
        current = leaf._grad._data
        if current.flags.writeable and current.shape == np.shape(g):
            np.add(current, g, out=current, casting="unsafe")
        else:
            leaf._grad = Tensor._wrap(np.asarray(current + g, dtype=leaf._data.dtype))


__all__ = ["SECOND_BACKWARD", "backward", "grad", "run"]
