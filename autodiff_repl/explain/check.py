"""Numbers that confirm a trace: finite differences and, for small shapes, the Jacobian.

``against_finite_differences`` re-runs the recorded graph in float64 with each input element
nudged by ±ε (the engine's ``gradcheck.numerical_jacobian``) and compares vᵀJ with the gradient the
backward pass produced, with gradcheck's tolerance rule ``|Δ| ≤ atol + rtol·|numerical|``.

Finite differences measure the function, so they cannot see a hook (``register_hook``) that
replaced a gradient: a leaf's own hook is left out of the comparison (the gradient before it is
compared), and a leaf below a non-leaf whose hook changed the gradient is not compared at all
(the finite differences are still shown: the gradient without hooks). Where the maths has no
derivative (``kinks``: relu at 0, tied maxima …) the two may differ by PyTorch's convention: such
a failure names the point, so the learner knows it is expected.
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine.graph import reachable
from autodiff_repl.explain import kinks
from autodiff_repl.explain.trace_model import Check, Jacobian

EPS = 1e-6
RTOL = 1e-3
BUDGET = 200_000  # input elements × ops: beyond this the check is skipped (it would be slow)
JACOBIAN_LIMIT = 8  # largest output/input size for which J is shown


def jacobians(replay, view, root_key: int, seed: np.ndarray) -> list[Jacobian]:
    out = []
    if seed.size > JACOBIAN_LIMIT:
        return out
    for item in view.items:
        if not item.is_leaf or item.key not in replay.base:
            continue
        if np.asarray(replay.base[item.key]).size > JACOBIAN_LIMIT:
            continue
        matrix = replay.jacobian(root_key, item.key)
        product = seed.reshape(-1).astype(np.float64) @ matrix
        out.append(Jacobian(item.name, matrix, product.reshape(np.shape(replay.base[item.key]))))
    return out


def against_finite_differences(replay, view, root_key: int, tr) -> list[Check]:
    checks = []
    names = set(tr.result_names) if tr.kind == "grad" else None
    by_name = {item.name: item for item in view.items}
    hooked = _below(by_name[s.name].node for s in tr.steps
                    if s.expr is not None and s.hook_changed)
    kinked = None  # found at the first failure: where the maths has no derivative
    for step in tr.steps:
        if step.expr is not None or (names is not None and step.name not in names):
            continue
        key = by_name[step.name].key
        if key not in replay.base:
            continue
        x = np.asarray(replay.base[key])
        atol = 1e-5 if x.dtype == np.float64 else 1e-4
        if x.size * max(len(replay.ops), 1) > BUDGET:
            checks.append(Check(step.name, None, 0.0, atol, RTOL, True,
                                skipped=f"{x.size} elements × {len(replay.ops)} ops is too many"))
            continue
        jac = replay.numerical_jacobian(root_key, key, EPS)
        numerical = (tr.seed.reshape(-1).astype(np.float64) @ jac).reshape(x.shape)
        above = [view.name(node) for node in hooked.get(key, ())]
        if above:
            who = ("the hook on " if len(above) == 1 else "the hooks on ") + ", ".join(above)
            checks.append(Check(step.name, numerical, 0.0, atol, RTOL, True, skipped=(
                f"{who} changed the gradient on its way to {step.name}, and finite differences "
                "cannot see hooks")))
            continue
        got = np.asarray(step.upstream, dtype=np.float64).reshape(x.shape)  # before its hooks
        error = np.abs(got - numerical)
        passed = bool(np.all(error <= atol + RTOL * np.abs(numerical)))
        if not passed and kinked is None:
            kinked = _kinks(view)
        at = "" if passed else "; ".join(kinked.get(key, ()))
        checks.append(Check(step.name, numerical, float(error.max(initial=0.0)), atol, RTOL,
                            passed, kink=at,
                            against=f"before {step.name}'s hook" if step.hook_changed else ""))
    return checks


def _kinks(view) -> dict[int, list[str]]:
    """For each node key: where the nodes above it have no derivative (``kinks.kink``)."""
    where = {}
    for item in view.items:
        if not item.is_leaf:
            found = kinks.kink(item.node, view.label(item.node, 0), view.expr(item.node))
            if found is not None:
                where[item.key] = found
    below = _below(item.node for item in view.items if item.key in where)
    return {key: [where[id(node)] for node in nodes] for key, nodes in below.items()}


def _below(starts) -> dict[int, list]:
    """For each node key: the nodes of ``starts`` above it (its gradient passes through them)."""
    out: dict[int, list] = {}
    for start in starts:
        for node in reachable(*start.parents):
            out.setdefault(id(node), []).append(start)
    return out
