"""``why x.grad``: why a gradient is None, zero, or not what was expected.

``diagnose(target, name, names)`` walks the facts a teacher would check, in order -- is it a
tensor, what is in ``.grad``, was it computed inside ``no_grad()``?, a leaf?, a floating dtype?,
requires_grad?, was it cut off by ``detach()``?, does any recorded output use it (or only
``no_grad()`` code, or only code that ran before it required grad)?, has a backward reached it?
-- and stops at the first one that explains the symptom. The answer is the cause in plain words
and the command that fixes it. What happened when is the language layer's knowledge, not the
graph's: the caller passes ``made_before``, the variables computed from the tensor before it
was made to require grad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from autodiff_repl.engine.graph import reachable
from autodiff_repl.explain import nograd, text
from autodiff_repl.explain.text import Block, line
from autodiff_repl.explain.walk import edge_of


@dataclass(frozen=True)
class Fact:
    text: str
    verdict: str  # "ok" (not the problem), "bad" (the problem), "info"


@dataclass
class Why:
    name: str
    symptom: str  # "None", "zero" or "set"
    facts: list[Fact] = field(default_factory=list)
    cause: str = ""
    fix: str = ""
    also: list[str] = field(default_factory=list)  # other fixes, each on an "or:" line

    def blocks(self) -> list[Block]:
        marks = {"ok": ("✓ ", "good"), "bad": ("✗ ", "bad"), "info": ("· ", "dim")}
        lines = [line(marks[f.verdict], f.text) for f in self.facts]
        lines.append(line(("cause: ", "bad" if self.symptom != "set" else "good"), self.cause))
        if self.fix:
            lines.append(line(("fix:   ", "hint"), (self.fix, "op")))
        lines.extend(line(("or:    ", "hint"), (other, "op")) for other in self.also)
        title = {"None": "is None", "zero": "is all zeros", "set": "holds a value"}[self.symptom]
        return [Block(f"why {self.name}.grad {title}", tuple(lines))]

    def plain(self) -> str:
        return text.plain_blocks(self.blocks())


class _Session:
    """The learner's tensors and the graphs behind them."""

    def __init__(self, names: dict) -> None:
        self.tensors = {k: v for k, v in names.items()
                        if hasattr(v, "_data") and hasattr(v, "_node") and not k.startswith("_")}
        self.graphs = {k: {id(n): n for n in reachable(t._node)} for k, t in self.tensors.items()
                       if t._node is not None}

    def users(self, acc) -> list[str]:
        """Names of the computed tensors whose graph reaches ``acc``."""
        return [k for k, g in self.graphs.items() if acc is not None and id(acc) in g]

    def freed(self, name: str) -> bool:
        return any(getattr(n, "freed", False) for n in self.graphs[name].values())

    def derived(self, t) -> set[int]:
        """Ids of arrays computed from ``t``: its values and every recorded value downstream."""
        ids = {id(t._data)}
        marked = {id(edge_of(t))} if edge_of(t) is not None else set()
        nodes = {k: n for g in self.graphs.values() for k, n in g.items()}
        for node in sorted(nodes.values(), key=lambda n: n.seq):
            if any(p is not None and id(p) in marked for p in node.parents):
                marked.add(id(node))
                value = getattr(node, "value", None)
                if value is not None:
                    ids.add(id(value))
        return ids

    def detached_uses(self, t, name: str) -> list[str]:
        """Names whose values came from ``t`` through ``detach()`` (the path is cut there)."""
        ids = self.derived(t)
        out = []
        for k, other in self.tensors.items():
            if k == name:
                continue
            if other._node is None and not other._rg and id(other._data) in ids:
                out.append(k)
                continue
            for node in self.graphs.get(k, {}).values():
                inputs = getattr(node, "inputs", None)
                if inputs and any(p is None and id(a) in ids
                                  for p, a in zip(node.parents, inputs, strict=False)):
                    out.append(k)
                    break
        return out


def diagnose(target, name: str, names: dict, made_before: list[str] | tuple = ()) -> Why:
    """Why ``name``.grad (of tensor ``target``) is what it is. ``made_before``: the variables
    computed from ``target`` before its requires_grad was switched on."""
    if not (hasattr(target, "_data") and hasattr(target, "_node")):
        why = Why(name, "None")
        why.facts.append(Fact(f"{name} is not a tensor (its type is {type(target).__name__})",
                              "bad"))
        why.cause = "only tensors have gradients"
        why.fix = f"{name} = tensor({name}, requires_grad=True)"
        return why
    grad = None if target._grad is None else target._grad._data
    symptom = "None" if grad is None else ("zero" if not np.any(grad) else "set")
    why = Why(name, symptom)
    facts = why.facts
    facts.append(Fact(f"{name}: shape {text.shape(target._data.shape)}, dtype "
                      f"{text.dtype(target._data.dtype)}, .grad = "
                      f"{'None' if grad is None else text.array(grad)}", "info"))
    session = _Session(names)
    if _made_under_no_grad(target, name, why, names):
        return why
    if _not_a_leaf(target, name, why) or _not_float(target, name, why):
        return why
    if not target._rg:
        return _no_requires_grad(target, name, why, session)
    return _requires_grad(target, name, why, session, list(made_before))


def _made_under_no_grad(t, name: str, why: Why, names: dict) -> bool:
    src = nograd.source(t, names)
    if src is None or t._rg:
        return False
    why.facts.append(Fact(f"{name} was {nograd.made(src)}: no graph was recorded, so {name} has "
                          "no grad_fn and does not require grad", "bad"))
    frm = f"from {src}" if src else "from its input"
    why.cause = (f"nothing is recorded inside `with torch.no_grad():`, so {name} is a constant cut "
                 f"off {frm}: no backward reaches {name}, or {src or 'the input'} through {name}")
    why.fix = (f"compute {name} outside the no_grad block (backward then reaches "
               f"{src or 'the input'} through {name}; {name}.retain_grad() keeps {name}.grad "
               f"too), unless {name} is meant to be a constant, as in an optimizer update")
    return True


def _not_a_leaf(t, name: str, why: Why) -> bool:
    if t._node is None:
        why.facts.append(Fact(f"{name} is a leaf (made directly, not computed from other "
                              "tensors)", "ok"))
        return False
    fn = t._node.op.grad_fn
    if t._retain:
        why.facts.append(Fact(f"{name} is computed ({fn}) and keeps its grad (retain_grad)",
                              "ok"))
        return False
    why.facts.append(Fact(f"{name} is not a leaf: it was computed (grad_fn={fn})", "bad"))
    if why.symptom == "None":
        why.cause = (f"backward stores gradients only in leaves; {name} is an intermediate "
                     "result, so its .grad stays None (PyTorch warns about this)")
        why.fix = f"{name}.retain_grad()   before the backward, or read the leaf's .grad instead"
        why.also += _leaf_fixes(t, name)
    else:
        why.cause = f"{name}.grad was set by hand or by an earlier retain_grad"
    return True


def _leaf_fixes(t, name: str) -> list[str]:
    """How to make the computed tensor ``name`` a leaf: detach it, or make it without
    requires_grad and switch that on afterwards (or create it with requires_grad=True)."""
    dims = ", ".join(str(n) for n in t._data.shape)
    made, tracked = ((f"torch.ones({dims})", f"torch.ones({dims}, requires_grad=True)") if dims
                     else ("torch.tensor(1.0)", "torch.tensor(1.0, requires_grad=True)"))
    return [f"{name} = {name}.detach().requires_grad_()   makes {name} a leaf with the same "
            f"values (gradients then stop at {name}: compute the outputs from it again)",
            f"make {name} a leaf where it is made: compute it from tensors that do not require "
            f"grad, then call .requires_grad_() on it (e.g. {name} = ({made} * 1)"
            f".requires_grad_() instead of {tracked} * 1), or create it with requires_grad=True "
            "directly"]


def _not_float(t, name: str, why: Why) -> bool:
    kind = t._data.dtype.kind
    if kind == "f":
        why.facts.append(Fact(f"dtype {text.dtype(t._data.dtype)} can carry gradients", "ok"))
        return False
    why.facts.append(Fact(f"dtype {text.dtype(t._data.dtype)} is not floating point: only float "
                          "tensors can require gradients", "bad"))
    why.cause = (f"{name} holds integers (arange(4) makes int64), and autograd only "
                 "differentiates floating-point tensors")
    why.fix = (f"{requires_grad_fix(t, name)}   or create it with floats, "
               "e.g. arange(4.0, requires_grad=True)")
    return True


def requires_grad_fix(t, name: str) -> str:
    """The statement that makes the leaf ``name`` (tensor ``t``) require grad:
    ``x.requires_grad_()``, or for an integer tensor, which cannot require grad,
    ``x = x.float().requires_grad_()``. The hint after ``x.grad`` and ``why x.grad`` both say
    it."""
    if t._data.dtype.kind in "fc":
        return f"{name}.requires_grad_()"
    return f"{name} = {name}.float().requires_grad_()"


def _no_requires_grad(t, name: str, why: Why, session: _Session) -> Why:
    why.facts.append(Fact(f"{name}.requires_grad is False", "bad"))
    source = _detached_from(t, name, session)
    if source is not None:
        why.facts.append(Fact(f"{name} shares its values with {source}, which requires grad: it "
                              f"is {source}.detach() (or {source}.data)", "bad"))
        why.cause = (f"{name} is a detached copy of {source}: a constant cut from the graph, so "
                     "no gradient flows into it")
        why.fix = f"use {source} itself where the gradient should flow (or read {source}'s grad)"
        return why
    why.cause = (f"{name} does not require grad, so nothing done with it is recorded and "
                 "backward never reaches it")
    why.fix = (f"{requires_grad_fix(t, name)}   then recompute the outputs from {name} and run "
               "backward again")
    return why


def _detached_from(t, name: str, session: _Session) -> str | None:
    for k, other in session.tensors.items():
        if k != name and other._rg and other._data is t._data:
            return k
    for k, g in session.graphs.items():
        if any(getattr(n, "value", None) is t._data for n in g.values()):
            return k
    return None


def _requires_grad(t, name: str, why: Why, session: _Session, made_before: list[str]) -> Why:
    why.facts.append(Fact(f"{name}.requires_grad is True", "ok"))
    users = session.users(t._acc)
    if why.symptom == "set":
        if users:
            why.facts.append(Fact(f"used by the graph of {', '.join(users)}", "ok"))
        why.cause = (f"nothing is wrong: {name}.grad holds the sum of every backward that "
                     f"reached {name} since it was last zeroed")
        why.fix = f"{name}.grad.zero_()   before the next backward if you expected a fresh value"
        return why
    if not users:
        why.facts.append(Fact(f"no variable's graph uses {name}", "bad"))
        others = [k for k in session.graphs if session.freed(k)]
        if others:
            why.facts.append(Fact(f"backward ran through {', '.join(others)}, which does not "
                                  f"depend on {name} (an unused input)", "bad"))
        cut = session.detached_uses(t, name)
        quiet = nograd.products(t, session.tensors)
        if made_before:
            made = ", ".join(made_before)
            one = len(made_before) == 1
            why.facts.append(Fact(f"{made} {'was' if one else 'were'} computed from {name} "
                                  f"before {name} required grad: not recorded", "bad"))
            why.cause = (f"{name} did not require grad when {made} {'was' if one else 'were'} "
                         f"computed (requires_grad was switched on afterwards), so nothing was "
                         f"recorded and no graph leads back to {name}")
            why.fix = (f"compute {made} again now that {name} requires grad, then backward "
                       f"{'it' if one else 'the output'}")
        elif quiet:
            made = ", ".join(quiet)
            why.facts.append(Fact(f"{made} {'was' if len(quiet) == 1 else 'were'} "
                                  f"{nograd.made(name)}: not recorded", "bad"))
            why.cause = (f"{name} was used inside `with torch.no_grad():` (for {made}), where "
                         f"nothing is recorded, so no graph leads back to {name}")
            why.fix = f"compute {quiet[0]} from {name} outside no_grad, then backward it"
        elif cut:
            why.facts.append(Fact(f"{', '.join(cut)} used {name}'s values through detach(): "
                                  "the path is cut there", "bad"))
            why.cause = (f"{', '.join(cut)} was computed from a detached copy of {name}, so the "
                         f"graph has no edge back to {name}")
            why.fix = f"compute {cut[0]} from {name} itself, not {name}.detach()"
        else:
            out = next(k for k in ("y", "out", "loss", "f") if k not in session.tensors)
            why.cause = (f"no variable holds a result computed from {name}: nothing that uses "
                         f"{name} has been computed (and kept) yet, so no backward has had a path "
                         f"back to {name}, and {name}.grad stays None until one reaches it")
            why.fix = (f"{out} = ({name} * 2).sum()   then backward {out}: {name}.grad holds 2 "
                       "for each element")
        return why
    why.facts.append(Fact(f"used by the graph of {', '.join(users)}", "ok"))
    ran = [k for k in users if session.freed(k)]
    if why.symptom == "None":
        if ran:
            why.facts.append(Fact(f"the graph of {ran[0]} was run backward (its saved values "
                                  "are freed)", "info"))
            why.cause = (f"the pass through {ran[0]} did not store into {name}.grad: "
                         "autograd.grad (`grad y x`) returns gradients instead of storing them, "
                         "and backward(inputs=[…]) stores only into the inputs listed")
            why.fix = f"backward {ran[0]}   (recompute {ran[0]} first if its graph was freed)"
        else:
            why.facts.append(Fact(f"no backward has reached {name} yet", "bad"))
            why.cause = f"no backward pass has reached {name} yet"
            why.fix = _backward_command(users, session)
        return why
    why.cause = (f"{name}.grad.zero_() ran after the last backward, or every path from the "
                 f"output to {name} multiplies by 0 (relu of negatives, a factor 0, a "
                 "comparison or sign on the way)")
    why.fix = _backward_command(users, session) + "   and read the trace to see where the 0 is"
    return why


def _backward_command(users: list[str], session: _Session) -> str:
    """``backward y`` for a scalar output that uses the tensor, else ``y.sum().backward()``."""
    for k in reversed(users):
        if session.tensors[k]._data.size == 1:
            return f"backward {k}"
    return f"{users[-1]}.sum().backward()"
