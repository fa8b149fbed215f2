"""``backward y`` and ``grad y x`` with the chain-rule trace: numbers, order, paths, checks."""

from __future__ import annotations

import numpy as np
import pytest
from test_explain_support import (
    SCENARIOS,
    broadcast,
    d2l,
    detached,
    exercise,
    long_loop,
    recording,
    snapshot,
)

import autodiff_repl.engine as torch
from autodiff_repl.engine.backprop import SECOND_BACKWARD
from autodiff_repl.explain import ledger, trace


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_backward_trace_snapshots(name: str) -> None:
    y, names = SCENARIOS[name]()
    tr = trace.backward(y, names)
    assert all(c.passed for c in tr.checks)
    snapshot(f"trace_{name}", tr.plain())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_grads_are_exactly_what_a_plain_backward_gives(name: str) -> None:
    y, names = SCENARIOS[name]()
    trace.backward(y, names)
    y2, names2 = SCENARIOS[name]()
    y2.backward()
    for k, t in names.items():
        if t.is_leaf and t.requires_grad:
            np.testing.assert_array_equal(t.grad.numpy(), names2[k].grad.numpy())


def test_d2l_trace_shows_why_the_gradient_is_4x() -> None:
    y, names = d2l()
    tr = trace.backward(y, names)
    assert [s.name for s in tr.steps] == ["y", "t1", "x"]  # reverse topological order
    assert tr.step("t1").upstream.item() == 2.0  # upstream 1, times 2
    sends = tr.step("t1").sends
    assert [s.formula for s in sends] == ["x", "x"]  # dot sends x down both arguments
    assert [s.value.tolist() for s in sends] == [[0, 2, 4, 6], [0, 2, 4, 6]]
    text = tr.plain()
    assert "2 paths add up: ∂y/∂x = 2·x + 2·x = 4·x" in text
    assert "x.grad = [0, 4, 8, 12]" in text
    assert "∂y/∂x: finite differences (float64, ε = 1e-06) give [0, 4, 8, 12]" in text
    assert ": pass" in text
    assert names["x"].grad.tolist() == [0.0, 4.0, 8.0, 12.0]


def test_accumulation_shows_old_plus_new_and_the_zero_hint() -> None:
    y, names = d2l()
    trace.backward(y, names)
    x = names["x"]
    with recording():
        s = x.sum()
    text = trace.backward(s, {"x": x, "s": s}).plain()
    assert "x.grad = [0, 4, 8, 12] (old) + [1, 1, 1, 1] (new) = [1, 5, 9, 13]" in text
    assert "hint: backward adds into .grad" in text and "x.grad.zero_()" in text
    assert x.grad.tolist() == [1.0, 5.0, 9.0, 13.0]


def test_exercise_adjoints_match_the_reference_answers() -> None:
    f, names = exercise(2.0)
    tr = trace.backward(f, names)
    assert tr.step("d").upstream.item() == pytest.approx(1.0)
    assert tr.step("e").upstream.item() == pytest.approx(1.0)
    assert tr.step("b").upstream.item() == pytest.approx(0.909297, abs=1e-6)  # b̄ = c
    assert tr.step("c").upstream.item() == pytest.approx(1.386294, abs=1e-6)  # c̄ = b
    assert tr.step("a").upstream.item() == pytest.approx(0.227324, abs=1e-6)  # ā = b̄/a
    assert names["x"].grad.item() == pytest.approx(0.082395, abs=1e-6)
    assert "3 paths add up" in tr.plain()


def test_broadcasting_shows_the_sum_over_broadcast_axes() -> None:
    y, names = broadcast()
    tr = trace.backward(y, names)
    to_a, to_b = tr.step("s").sends
    assert (to_a.target, to_a.axes) == ("a", (1,))
    assert (to_b.target, to_b.axes) == ("b", (0,))
    assert to_a.before_sum.shape == (3, 4) and to_a.value.shape == (3, 1)
    text = tr.plain()
    assert "summed over broadcast axis 1 to a's shape (3, 1)" in text
    assert "summed over broadcast axis 0 to b's shape (1, 4)" in text


def test_non_scalar_output_shows_the_jacobian_and_vjp() -> None:
    with recording():
        x = torch.arange(4.0, requires_grad=True)
        y = x * x
    tr = trace.backward(y, {"x": x, "y": y}, gradient=torch.ones(4))
    (jac,) = tr.jacobians
    np.testing.assert_allclose(jac.matrix, np.diag([0.0, 2.0, 4.0, 6.0]))
    assert jac.product.tolist() == [0.0, 2.0, 4.0, 6.0]
    text = tr.plain()
    assert "vector-Jacobian product" in text
    assert "J = ∂y/∂x = [[0, 0, 0, 0], [0, 2, 0, 0], [0, 0, 4, 0], [0, 0, 0, 6]]" in text
    assert "vᵀJ = [0, 2, 4, 6]" in text
    assert "v is all ones: vᵀJ adds up each column of J" in text
    assert x.grad.tolist() == [0.0, 2.0, 4.0, 6.0]
    snapshot("trace_vjp", text)


def test_errors_are_the_engines_and_come_before_anything_changes() -> None:
    with recording():
        x = torch.arange(4.0, requires_grad=True)
        y = x * x
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        trace.backward(y, {"x": x, "y": y})
    assert x.grad is None
    z, names = d2l()
    trace.backward(z, names)
    with pytest.raises(RuntimeError) as err:
        trace.backward(z, names)
    assert str(err.value) == SECOND_BACKWARD


def test_retain_graph_allows_a_second_backward_that_doubles() -> None:
    y, names = d2l()
    first = trace.backward(y, names, retain_graph=True)
    assert "kept (retain_graph), so the graph can run backward again" in first.plain()
    trace.backward(y, names)
    assert names["x"].grad.tolist() == [0.0, 8.0, 16.0, 24.0]


def test_grad_leaves_dot_grad_alone_and_create_graph_gives_second_derivatives() -> None:
    y, names = d2l()
    x = names["x"]
    with recording():
        tr = trace.grad(y, x, names, create_graph=True)
    (g,) = tr.results
    assert g.tolist() == [0.0, 4.0, 8.0, 12.0] and g.grad_fn is not None
    assert x.grad is None
    text = tr.plain()
    assert "returned as the result (x.grad is not touched)" in text
    assert "∂y/∂x = [0, 4, 8, 12]" in text and "create_graph kept a graph" in text
    with recording():
        s = g.sum()
        tr2 = trace.grad(s, x, {"x": x, "g": g, "s": s})
    assert tr2.results[0].tolist() == [4.0, 4.0, 4.0, 4.0]
    assert x.grad is None
    snapshot("trace_second_derivative", tr2.plain())


def test_check_fails_honestly_at_a_kink() -> None:
    with recording():
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        y = torch.relu(x).sum()
    tr = trace.backward(y, {"x": x, "y": y})
    (check,) = tr.checks
    assert not check.passed  # relu at 0: the engine says 0, finite differences say 0.5
    assert ("FAIL, as expected: relu(x) has no derivative at x = 0; finite differences average "
            "the slopes on either side, autograd uses PyTorch's choice there") in tr.plain()


def test_cost_reports_ops_and_saved_bytes() -> None:
    y, names = d2l()
    tr = trace.backward(y, names)
    assert (tr.cost.mode, tr.cost.ops) == ("reverse", 2)
    assert tr.cost.nbytes == 20  # x (16 B, kept once for both dot inputs) + t1's 2 (4 B)
    assert "reverse mode: 2 ops in 1 backward sweep; saved values: 20 B" in tr.plain()


def test_long_trace_collapses_repeated_steps() -> None:
    y, names = long_loop(500)
    tr = trace.backward(y, names)
    text = tr.plain()
    assert len(tr.steps) == 1002 - 1
    assert "steps [3] … [998]: 498 more × the same 2-step pattern" in text
    assert text.count("\n") < 40
    assert tr.checks[0].passed


def test_the_detach_lesson() -> None:
    s, names = detached()
    tr = trace.backward(s, names)
    assert "u is detached (made by detach() or .data): no gradient flows into it" in tr.plain()
    assert names["x"].grad.tolist() == names["u"].tolist()


def test_ledger_tells_the_story_of_x_grad() -> None:
    from autodiff_repl.explain import ledger

    y, names = d2l()
    x = names["x"]
    trace.backward(y, names)
    with recording():
        s = x.sum()
    trace.backward(s, {"x": x, "s": s})
    x.grad.zero_()
    with recording():
        s2 = x.sum()
    trace.backward(s2, {"x": x, "s2": s2})
    text = ledger.history(x, "x").plain()
    lines = [ln.strip() for ln in text.splitlines()]
    assert lines[0] == "history of x.grad"
    assert lines[1].endswith("of y: [0, 4, 8, 12]")
    assert lines[2].endswith("of s: [0, 4, 8, 12] + [1, 1, 1, 1] = [1, 5, 9, 13]")
    assert lines[3].startswith("changed between backwards: [1, 5, 9, 13] → [0, 0, 0, 0]")
    assert lines[4].endswith("of s2: [0, 0, 0, 0] + [1, 1, 1, 1] = [1, 1, 1, 1]")
    assert "MXNet" in text


@pytest.mark.torch
def test_traced_gradients_match_pytorch() -> None:
    real = pytest.importorskip("torch")
    f, names = exercise(2.0)
    trace.backward(f, names)
    x = real.tensor(2.0, requires_grad=True)
    (real.log(x ** 2) * real.sin(x) + 1 / x).backward()
    assert names["x"].grad.item() == pytest.approx(x.grad.item(), rel=1e-6)
    y, names = broadcast()
    trace.backward(y, names)
    a = real.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    b = real.tensor([[10.0, 20.0, 30.0, 40.0]], requires_grad=True)
    ((a + b) * (a + b)).sum().backward()
    np.testing.assert_allclose(names["a"].grad.numpy(), a.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(names["b"].grad.numpy(), b.grad.numpy(), rtol=1e-6)


def _hooked(leaf_hook=None, node_hook=None):
    """x → m = 3·x → y = Σ m²; hooks on m (a non-leaf) and/or x (the leaf)."""
    with recording():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        m = x * 3
        if node_hook is not None:
            m.register_hook(node_hook)
        if leaf_hook is not None:
            x.register_hook(leaf_hook)
        y = (m ** 2).sum()
    return y, {"x": x, "m": m, "y": y}


def test_a_hook_on_a_non_leaf_shows_before_and_after_and_the_check_says_why() -> None:
    y, names = _hooked(node_hook=lambda g: g * 0)
    tr = trace.backward(y, names)
    m = tr.step("m")
    assert m.upstream.tolist() == [6.0, 12.0] and m.hooked.tolist() == [0.0, 0.0]
    assert names["x"].grad.tolist() == [0.0, 0.0]  # the engine's result is unchanged
    text = tr.plain()
    assert "upstream ∂y/∂m = ∂y/∂t1·(2·m^(2-1)) = [6, 12]" in text
    assert "hook on m (register_hook) replaced it: [6, 12] → [0, 0]" in text
    assert "→ x: ∂m/∂x = 3;  hook(∂y/∂m)·3 = [0, 0] × 3 = [0, 0]" in text
    assert "FAIL" not in text
    (check,) = tr.checks
    assert check.passed and np.allclose(check.numerical, [18.0, 36.0])
    assert ("give [18, 36], the gradient without hooks; not compared: the hook on m changed the "
            "gradient on its way to x, and finite differences cannot see hooks") in text
    snapshot("trace_hooks", text)


def test_a_leaf_hook_shows_what_went_into_grad_and_the_check_compares_before_it() -> None:
    y, names = _hooked(leaf_hook=lambda g: g * 10)
    tr = trace.backward(y, names)
    x = tr.step("x")
    assert x.upstream.tolist() == [18.0, 36.0] and x.used.tolist() == [180.0, 360.0]
    text = tr.plain()
    assert "hook on x (register_hook) replaced it: [18, 36] → [180, 360]" in text
    assert "x.grad = [180, 360]   (was None)" in text
    assert "∂y/∂x (before x's hook): finite differences" in text and ": pass" in text
    assert names["x"].grad.tolist() == [180.0, 360.0]
    with recording():  # accumulating: old + what the hook gave
        s = names["x"].sum()
    assert ("x.grad = [180, 360] (old) + [10, 10] (new) = [190, 370]"
            in trace.backward(s, {"x": names["x"], "s": s}).plain())
    story = ledger.history(names["x"], "x").plain()
    assert "[180, 360] + [10, 10] = [190, 370]" in story


def test_a_hook_that_returns_nothing_is_named_and_the_hook_lists_are_restored() -> None:
    seen = []
    y, names = _hooked(node_hook=seen.append)
    hooks = names["m"].grad_fn.hooks
    tr = trace.backward(y, names)
    assert len(seen) == 1 and seen[0].tolist() == [6.0, 12.0]  # the learner's hook ran once
    assert hooks == [seen.append] and names["x"]._hooks is None
    assert "hook on m (register_hook) ran and returned the same gradient" in tr.plain()
    assert all(c.passed and not c.skipped for c in tr.checks)


def test_tied_maxima_say_how_the_gradient_is_shared() -> None:
    with recording():
        x = torch.tensor([1.0, 3.0, 3.0, 0.0], requires_grad=True)
        y = x.max()
    tr = trace.backward(y, {"x": x, "y": y})
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]
    text = tr.plain()
    assert ("x has 2 tied maxima (3): the gradient is shared equally among them, 1/2 each"
            in text)
    assert ": pass" in text
    with recording():
        z = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = z.min()
    assert "tied" not in trace.backward(w, {"z": z, "w": w}).plain()


def test_ties_in_max_along_a_dim_go_to_one_index_and_the_check_says_why() -> None:
    with recording():
        z = torch.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
        w = z.max(dim=1).values.sum()
    tr = trace.backward(w, {"z": z, "w": w})
    assert z.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    text = tr.plain()
    assert ("z has tied maxima in 1 of 2 slices: each slice's gradient goes to one of them only, "
            "the index max(dim) returned") in text
    (check,) = tr.checks
    assert not check.passed and "max_1 z has no derivative where maxima tie" in check.kink
