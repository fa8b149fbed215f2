"""How many backward passes each ``.grad`` holds: counted as they run, reset when it is cleared.

Gradients add up across backward() calls, so a ``.grad`` that is a whole multiple of the one a
step expects may hold what several passes left there, or come from one pass of another function
(``z = u * x`` with ``u = y`` still in the graph gives 3x², three times ``u``). The values alone
cannot tell these apart; counting the passes can.

``PassCount`` watches the passes of one session (``Session.passes``, whose observers hear of
every ``y.backward()``, ``torch.autograd.backward``, ``torch.autograd.grad`` and ``backward y``
/ ``grad y x`` command that ran). A pass reaches a tensor's ``.grad`` when it is a backward (the
``grad`` ones leave ``.grad`` alone; ``inputs=`` limits it to the tensors named there) and the
graph it walks leads to the tensor: its leaf node, or a non-leaf that called ``retain_grad()``.
After each input (``PassCount.run``) the counts are settled: a tensor whose ``.grad`` the input
cleared (``x.grad.zero_()``, ``x.grad = None``: ``grads_cleared``) holds that input's passes only,
one whose ``.grad`` is None or zeros holds none, and the others add the input's passes to theirs.
"""

from __future__ import annotations

import ast
import weakref
from typing import Any

from autodiff_repl.engine.graph import reachable
from autodiff_repl.engine.tensor import Tensor


def _parsed(text: str) -> ast.Module | None:
    try:
        return ast.parse(text.strip())
    except (SyntaxError, ValueError):
        return None


def _grad_of(node: ast.AST) -> str | None:
    """``x`` when ``node`` is ``x.grad`` (or ``x.grad.data``)."""
    if isinstance(node, ast.Attribute) and node.attr == "data":
        node = node.value
    if (isinstance(node, ast.Attribute) and node.attr == "grad"
            and isinstance(node.value, ast.Name)):
        return node.value.id
    return None


def grads_cleared(text: str) -> frozenset[str]:
    """The names whose ``.grad`` an input clears: ``x.grad.zero_()``, ``x.grad = None``."""
    tree = _parsed(text)
    names = set()
    for node in ast.walk(tree) if tree is not None else ():
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "zero_"):
            names.add(_grad_of(node.func.value))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and (
                node.value.value is None):
            names |= {_grad_of(target) for target in node.targets}
    return frozenset(names - {None})


def adds_into_grad(call: str) -> tuple[bool, frozenset[str] | None]:
    """Whether the pass ``call`` (as the learner wrote it) adds into ``.grad``, and the names
    its ``inputs=`` limits that to (None: every tensor its graph leads to). ``grad y x`` and
    ``torch.autograd.grad(y, x)`` return gradients instead."""
    words = call.split()
    if words[:1] in (["backward"], ["grad"]):  # the commands
        return words[0] == "backward", None
    tree = _parsed(call)
    expr = tree.body[0].value if tree is not None and tree.body and isinstance(
        tree.body[0], ast.Expr) else None
    if not isinstance(expr, ast.Call):
        return True, None
    func = expr.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "grad":
        return False, None
    limit = next((kw.value for kw in expr.keywords if kw.arg == "inputs"), None)
    if limit is None:
        return True, None
    return True, frozenset(n.id for n in ast.walk(limit) if isinstance(n, ast.Name))


def reached(outputs: tuple) -> list[Tensor]:
    """The tensors whose ``.grad`` a backward from ``outputs`` fills: the leaves their graph
    leads to (an output that is itself a leaf, too) and the non-leaves that retain their
    gradient."""
    starts, found = [], []
    for t in outputs:
        if isinstance(t, Tensor) and t.requires_grad:
            if t.grad_fn is None:
                found.append(t)
            else:
                starts.append(t.grad_fn)
    for node in reachable(*starts):
        if node.op is None:
            if node.variable is not None:
                found.append(node.variable)
        elif getattr(node, "retained", None) is not None and node.retained() is not None:
            found.append(node.retained())
    return found


def _is_cleared(t: Tensor) -> bool:
    """Whether ``t.grad`` is None or holds zeros only."""
    grad = t.grad if t.is_leaf or t.retains_grad else None
    return grad is None or not grad.detach().numpy().any()


class PassCount:
    """The backward passes each tensor's ``.grad`` holds since it was last cleared, in one
    session. Run the session's inputs through ``run`` so that the counts are settled."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._held: dict[int, tuple[weakref.ref, int]] = {}
        self._passes: list[tuple[list[Tensor], frozenset[str] | None]] = []
        """The passes of the input running now: the tensors each reached, its ``inputs=``."""
        session.passes.observers.append(self._observe)

    def _observe(self, call: str, outputs: tuple) -> None:
        adds, limit = adds_into_grad(call)
        if adds:
            self._passes.append((reached(outputs), limit))

    def run(self, text: str) -> list:
        """Execute ``text`` in the session; settle the counts; return its outputs."""
        self._passes = []
        try:
            return self.session.execute(text)
        finally:
            self._settle(text)

    def held(self, tensor: Any) -> int:
        """How many passes ``tensor.grad`` holds since it was last cleared."""
        entry = self._held.get(id(tensor))
        return entry[1] if entry is not None and entry[0]() is tensor else 0

    def counts(self) -> dict[str, int]:
        """``held`` for each tensor variable of the session whose ``.grad`` holds a pass."""
        return {name: n for name, value in self.session.variables.items()
                if isinstance(value, Tensor) and (n := self.held(value))}

    def _settle(self, text: str) -> None:
        variables = self.session.variables
        cleared = {id(variables[n]) for n in grads_cleared(text) if n in variables}
        added: dict[int, int] = {}
        tensors: dict[int, Tensor] = {}
        for found, limit in self._passes:
            allowed = None if limit is None else {id(variables[n]) for n in limit
                                                  if n in variables}
            for t in {id(t): t for t in found}.values():
                if allowed is None or id(t) in allowed:
                    added[id(t)] = added.get(id(t), 0) + 1
                    tensors[id(t)] = t
        self._passes = []
        for key in set(self._held) | set(added):
            t = tensors[key] if key in tensors else self._held[key][0]()
            if t is None:
                del self._held[key]
                continue
            if key in cleared:
                count = added.get(key, 0)
            elif _is_cleared(t):
                count = 0
            else:
                count = self.held(t) + added.get(key, 0)
            self._held[key] = (weakref.ref(t), count)
