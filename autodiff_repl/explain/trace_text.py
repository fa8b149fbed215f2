"""Writing a ``Trace`` as lines: one block per step, then the gradients, the check, the cost."""

from __future__ import annotations

import numpy as np

from autodiff_repl.explain import text
from autodiff_repl.explain.collapse import collapse
from autodiff_repl.explain.graph import GONE
from autodiff_repl.explain.symbols import (
    short,
    total,
    wrap,  # the reverse trace's bracket rule
)
from autodiff_repl.explain.text import Block, line
from autodiff_repl.explain.trace_model import Arrival, Send, Step, TangentStep, Trace


def blocks(tr: Trace) -> list[Block]:
    if tr.kind == "forward":
        return _forward_blocks(tr)
    out = [Block("", (_header(tr),))]
    if tr.jacobians or (tr.seed_given and tr.seed.size > 1):
        out.append(_vjp_block(tr))
    out.extend(_step_blocks(tr))
    out.append(_results_block(tr))
    if tr.hints:
        out.append(Block("", tuple(line(("hint: ", "hint"), h) for h in tr.hints)))
    if tr.checks:
        out.append(Block("check", tuple(_check_line(tr, c) for c in tr.checks)))
    out.append(_cost_block(tr))
    return out


STEP_LIMIT = 40  # more steps than this and repeated ones collapse
BLOCK_LIMIT = 50  # and after collapsing, at most this many step blocks are shown


def _step_blocks(tr: Trace) -> list[Block]:
    """One block per step; long traces collapse repeats and leave out the middle."""
    entries: list = list(range(len(tr.steps)))  # a step index, or a Block standing for many
    if len(tr.steps) > STEP_LIMIT:
        sigs = [(s.grad_fn, s.expr is None, len(s.sends), np.shape(s.upstream))
                for s in tr.steps]
        entries = []
        for part in collapse(sigs):
            if part.repeat == 1:
                entries.extend(range(part.start, part.start + part.period))
                continue
            first, last = part.start + 1, part.start + part.span
            entries.append(Block("", (line(("⋮ ", "dim"), (
                f"steps [{first}] … [{last}]: {part.repeat} more × the same "
                f"{part.period}-step pattern, collapsed", "note")),)))
    if len(entries) > BLOCK_LIMIT:
        head, tail = BLOCK_LIMIT // 4, BLOCK_LIMIT - BLOCK_LIMIT // 4
        gap = Block("", (line(("⋮ ", "dim"), (f"{len(entries) - head - tail} more steps not "
                                               "shown; the first and the last ones are",
                                               "note")),))
        entries = [*entries[:head], gap, *entries[-tail:]]
    return [e if isinstance(e, Block) else _step_block(tr, e + 1, tr.steps[e]) for e in entries]


def _header(tr: Trace):
    what = "backward" if tr.kind == "backward" else f"grad of {tr.root} with respect to {tr.wrt}"
    if tr.seed.size == 1 and not tr.seed_given:
        seed = f"{tr.root} is a scalar, so the chain rule starts from ∂{tr.root}/∂{tr.root} = 1"
    else:
        seed = (f"{tr.root} has shape {text.shape(tr.seed.shape)}: the chain rule starts from "
                f"gradient v = {text.array(tr.seed)}")
    order = "one step per node, outputs first (reverse topological order)"
    return line((f"{what} {tr.root}: " if tr.kind == "backward" else f"{what}: ", "title"),
                seed, ("; " + order, "dim"))


def _vjp_block(tr: Trace) -> Block:
    root = tr.root
    lines = [line(f"{root} has {tr.seed.size} values, so backward(gradient=v) computes the "
                  f"vector-Jacobian product vᵀJ, with J[i, j] = ∂{root}_i/∂x_j"),
             line("v = ", (text.array(tr.seed), "value"))]
    for jac in tr.jacobians:
        lines.append(line(f"J = ∂{root}/∂{jac.name} = ", (text.array(jac.matrix, 64), "value")))
        lines.append(line("vᵀJ = ", (text.array(jac.product), "grad")))
    if np.all(tr.seed == 1):
        lines.append(line(("v is all ones: vᵀJ adds up each column of J, the same as "
                           f"{root}.sum().backward()", "note")))
    if not tr.jacobians:
        lines.append(line(("J is too big to print here; the steps below compute vᵀJ without "
                           "ever building it", "dim")))
    return Block("vector-Jacobian product", tuple(lines))


def _step_block(tr: Trace, k: int, step: Step) -> Block:
    if step.expr is None:
        title = f"[{k}] {step.name}   leaf (AccumulateGrad)"
    else:
        title = f"[{k}] {step.name} = {step.expr}   {step.grad_fn}"
    lines = []
    if len(step.arrivals) > 1:
        lines.append(arrivals_line(step.arrivals, step.name, tr.root))
    else:
        lines.append(_upstream_line(tr, step))
    if step.hooked is not None:
        lines.append(_hook_line(step))
    lines.extend(_send_line(step, s) for s in step.sends)
    lines.extend(line((note, "note")) for note in step.notes)
    if step.expr is None:
        lines.append(_leaf_line(step))
    return Block(title, tuple(lines))


def _upstream_line(tr: Trace, step: Step):
    value = text.array(step.upstream)
    symbol = step.arrivals[0].symbol if step.arrivals else ""
    # a number as the symbol is the product of numbers shown rounded: the value says it better
    # ("1" for all ones; "1.001 = 1.002" would contradict itself)
    shown = "" if symbol in ("", value) or not short(symbol) or _is_number(symbol) \
        else f"{symbol} = "
    seed = "  (the seed)" if step.arrivals and step.arrivals[0].source == "seed" else ""
    return line("upstream ", (f"∂{tr.root}/∂{step.name}", "name"), " = ", (shown, "op"),
                (value, "grad"), (seed, "dim"))


def _hook_line(step: Step):
    """What the learner's ``register_hook`` functions did to the gradient."""
    who = "hook" if step.hooks == 1 else f"{step.hooks} hooks"
    head = [(f"{who} on {step.name}", "name"), (" (register_hook) ", "dim")]
    if not step.hook_changed:
        return line(*head, ("ran and returned the same gradient", "dim"))
    then = (f"; {step.name}.grad gets the hook's value" if step.expr is None
            else "; the steps below go on with the hook's value")
    return line(*head, ("replaced it: ", "bad"), (text.array(step.upstream), "value"), " → ",
                (text.array(step.hooked), "grad"), (then, "dim"))


def _send_line(step: Step, s: Send):
    where = f" ({s.position})" if s.position else ""
    head = [("→ ", "dim"), (s.target + where, "name"), ": "]
    if s.local is None:
        return line(*head, (s.symbol, "op"), " = ", (text.array(s.value), "grad"))
    parts = [(f"∂{step.name}/∂{s.target}", "name"), " = "]
    product = s.before_sum if s.before_sum is not None else s.value
    if s.formula in ("1", "-1") and _uniform(s.local):
        parts += [(s.formula, "op"), ";  "]
        sign = "-" if s.formula == "-1" else ""
        parts += [f"passes {sign}upstream on: ", (text.array(product), "grad")]
    else:
        local = text.array(s.local)
        if _uniform(s.local) and text.num(np.asarray(s.local).reshape(-1)[0]) == s.formula:
            local = s.formula
        if s.formula != local:
            parts += [(s.formula, "op"), " = "]
        parts += [(local, "value"), ";  "]
        up = text.array(step.used)
        if s.symbol not in (local, up, s.formula) and not _is_number(s.symbol):
            parts += [(s.symbol, "op"), " = "]
        parts += [(up, "grad"), " × ", (local, "value"), " = ", (text.array(product), "grad")]
    if s.before_sum is not None:
        axes = ", ".join(str(a) for a in s.axes)
        parts += [("; summed over broadcast ", "note"),
                  (f"ax{'es' if len(s.axes) > 1 else 'is'} {axes}", "note"),
                  f" to {s.target}'s shape {text.shape(s.value.shape)}: ",
                  (text.array(s.value), "grad")]
    return line(*head, *parts)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _uniform(a) -> bool:
    a = np.asarray(a)
    return a.size > 0 and bool(np.all(a == a.reshape(-1)[0]))


def _leaf_line(step: Step):
    name = step.name
    if not step.stores and step.result is None:
        return line((f"not asked for: dropped ({name}.grad is not touched)", "dim"))
    if not step.stores:
        return line(("returned as the result", "note"), f" ({name}.grad is not touched): ",
                    (text.array(step.result), "grad"))
    if step.result is None:
        gone = f": {GONE}" if step.tensor is None else ""
        return line((f"{name}.grad not written{gone}", "dim"))
    if step.old is None:
        return line((f"{name}.grad", "name"), " = ", (text.array(step.result), "grad"),
                    ("   (was None)", "dim"))
    return line((f"{name}.grad", "name"), " = ", (text.array(step.old), "value"), " (old) + ",
                (text.array(step.used), "grad"), " (new) = ",
                (text.array(step.result), "grad"), ("   gradients accumulate", "bad"))


def _results_block(tr: Trace) -> Block:
    lines = []
    for step in tr.steps:
        if step.expr is not None:
            continue
        if tr.kind == "backward" and step.result is not None:
            lines.append(line((f"{step.name}.grad", "name"), " = ",
                              (text.array(step.result), "grad")))
    if tr.kind == "grad":
        for name, g in zip(tr.result_names, tr.results, strict=False):
            shown = "None" if g is None else text.array(g._data)
            lines.append(line((f"∂{tr.root}/∂{name}", "name"), " = ", (shown, "grad")))
            if g is not None and g._node is not None:
                lines.append(line((f"  has grad_fn {g._node.op.grad_fn}: create_graph kept a "
                                   "graph, so it can be differentiated again", "note")))
    return Block("result", tuple(lines))


def _check_line(tr: Trace, c):
    what = f"∂{tr.root}/∂{c.name}"
    if c.numerical is None:
        return line((what, "name"), (f": finite-difference check skipped ({c.skipped})", "dim"))
    if c.skipped:
        return line((what, "name"), ": finite differences (float64, ε = 1e-06) give ",
                    (text.array(c.numerical), "value"), ", the gradient without hooks; ",
                    ("not compared: ", "note"), c.skipped)
    if c.against:
        what += f" ({c.against})"
    verdict = ("pass", "good") if c.passed else ("FAIL", "bad")
    explained = ((f", as expected: {c.kink}; finite differences average the slopes on either "
                  "side, autograd uses PyTorch's choice there", "note"),) if c.kink else ()
    return line((what, "name"), ": finite differences (float64, ε = 1e-06) give ",
                (text.array(c.numerical), "value"), f"; max |Δ| = {text.num(c.max_error)} within ",
                f"{text.num(c.atol)} + {text.num(c.rtol)}·|fd|: ", verdict, *explained)


def _cost_block(tr: Trace) -> Block:
    c = tr.cost
    sweep = "1 backward sweep" if c.mode == "reverse" else "1 forward sweep"
    ops = f"{c.ops} op" + ("" if c.ops == 1 else "s")
    return Block("cost", (line(f"{c.mode} mode: {ops} in {sweep}; {c.what}: ",
                               (text.nbytes(c.nbytes), "value"), (f" ({c.note})", "dim")),))


def _forward_blocks(tr: Trace) -> list[Block]:
    head = line((f"forward mode: tangents of {tr.root} along {tr.wrt}′ = ", "title"),
                (text.array(tr.seed), "value"),
                ("; one step per op, in the order they ran", "dim"))
    lines = [line((f"{tr.wrt}′", "name"), " = ", (text.array(tr.seed), "grad"),
                  ("   (the seed)", "dim"))]
    width = max((len(f"{s.name} = {s.expr}") for s in tr.steps), default=0)
    fn_width = max((len(s.grad_fn) for s in tr.steps), default=0)
    lines.extend(_tangent_line(s, width, fn_width) for s in tr.steps)
    out = [Block("", (head,)), Block("tangents", tuple(lines))]
    result = tr.results[0]._data if tr.results else None
    if result is not None:
        out.append(Block("result", (line((f"{tr.root}′", "name"), " = ", (text.array(result),
                                                                             "grad"),
                                          (f"   the directional derivative of {tr.root} along "
                                           f"{tr.wrt}′ (Jv)", "dim")),)))
    out.append(_cost_block(tr))
    return out


def _tangent_line(s: TangentStep, width: int, fn_width: int):
    pad = " " * (width - len(f"{s.name} = {s.expr}"))
    head = [(s.name, "name"), " = ", (s.expr, "op"), pad, ("   " + s.grad_fn.ljust(fn_width),
                                                           "gradfn"),
            "   ", (f"{s.name}′", "name"), " = "]
    if s.rule is not None:
        return line(*head, (s.rule, "op"), " = ", (text.array(s.tangent), "grad"))
    symbols = " + ".join(f"{wrap(t.formula)} · {t.source}′" for t in s.terms)
    numbers = " + ".join(f"{text.array(t.local)} × {text.array(t.tangent)}" for t in s.terms)
    return line(*head, (symbols, "op"), " = ", (numbers, "value"), " = ",
                (text.array(s.tangent), "grad"))


def arrivals_line(arrivals: list[Arrival], target: str, root: str) -> tuple:
    """``∂y/∂x = 2·x + 2·x = 4·x = [0, 2, 4, 6] + [0, 2, 4, 6] = [0, 4, 8, 12]``."""
    if all(short(a.symbol) for a in arrivals):
        symbols = total([a.symbol for a in arrivals])
    else:
        symbols = " + ".join(f"(via {a.source})" for a in arrivals)
    values = " + ".join(text.array(a.value) for a in arrivals)
    summed = sum((np.asarray(a.value, dtype=np.float64) for a in arrivals[1:]),
                 np.asarray(arrivals[0].value, dtype=np.float64))
    return line((f"{len(arrivals)} paths add up: ", "note"), (f"∂{root}/∂{target}", "name"),
                " = ", (symbols, "op"), " = ", (values, "value"), " = ",
                (text.array(summed), "grad"))
