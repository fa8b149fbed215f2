"""Numbers that confirm a trace: finite differences and, for small shapes, the Jacobian.

``against_finite_differences`` re-runs the recorded graph in float64 with each input element
nudged by ±ε (the engine's ``gradcheck.numerical_jacobian``) and compares vᵀJ with the gradient the
backward pass produced, with gradcheck's tolerance rule ``|Δ| ≤ atol + rtol·|numerical|``.
"""

from __future__ import annotations

import numpy as np

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
    for step in tr.steps:
        if step.expr is not None or (names is not None and step.name not in names):
            continue
        key = next(i.key for i in view.items if i.name == step.name)
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
        got = np.asarray(step.upstream, dtype=np.float64).reshape(x.shape)
        error = np.abs(got - numerical)
        passed = bool(np.all(error <= atol + RTOL * np.abs(numerical)))
        checks.append(Check(step.name, numerical, float(error.max(initial=0.0)), atol, RTOL,
                            passed))
    return checks
