"""``graph y``: names, maths, values, gradients, shared nodes, freed values, big graphs."""

from __future__ import annotations

import time

import pytest
from test_explain_support import (
    SCENARIOS,
    control_flow,
    d2l,
    detached,
    exercise,
    long_loop,
    matmul,
    recording,
    snapshot,
)

import autodiff_repl.engine as torch
from autodiff_repl.explain import graph, trace


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_graph_snapshots(name: str) -> None:
    y, names = SCENARIOS[name]()
    snapshot(f"graph_{name}", graph.build(y, names).plain())


def test_d2l_graph_reads_like_the_maths() -> None:
    y, names = d2l()
    g = graph.build(y, names)
    assert [n.name for n in g.nodes] == ["x", "t1", "y"]
    assert g.by_name["y"].expr == "2 · t1" and g.by_name["y"].grad_fn == "MulBackward0"
    assert g.by_name["t1"].expr == "x · x" and g.by_name["t1"].inputs == ("x", "x")
    assert g.by_name["x"].uses == 2
    text = g.plain()
    assert "x ↑ (drawn above)" in text  # used twice, drawn once
    assert text.count("leaf ") == 1


def test_gradient_and_freed_values_appear_after_backward() -> None:
    y, names = d2l()
    before = graph.build(y, names).plain()
    assert "grad" not in before.replace("requires_grad", "")
    y.backward()
    after = graph.build(y, names)
    assert after.by_name["x"].grad.tolist() == [0.0, 4.0, 8.0, 12.0]
    assert after.by_name["t1"].freed and after.by_name["t1"].saves
    assert "saved values freed by backward: t1, y" in after.plain()
    assert "retain_graph=True" in after.plain()


def test_sum_saves_nothing_so_a_second_backward_runs() -> None:
    with recording():
        x = torch.arange(4.0, requires_grad=True)
        y = x.sum()
    y.backward()
    text = graph.build(y, {"x": x, "y": y}).plain()
    assert "saved no values, so a second backward runs again" in text


def test_constants_detached_and_requires_grad_are_told_apart() -> None:
    y, names = detached()
    g = graph.build(y, names)
    assert g.by_name["u"].kind == "detached"
    assert g.by_name["x"].kind == "leaf" and g.by_name["x"].requires_grad
    assert not g.by_name["u"].requires_grad
    y2, names2 = matmul()
    g2 = graph.build(y2, names2)
    assert g2.by_name["X"].kind == "constant"
    assert "constant" in g2.plain()


def test_retained_gradient_shows_on_a_non_leaf() -> None:
    with recording():
        x = torch.arange(3.0, requires_grad=True)
        h = x * 3
        h.retain_grad()
        y = h.sum()
    y.backward()
    g = graph.build(y, {"x": x, "h": h, "y": y})
    assert g.by_name["h"].grad.tolist() == [1.0, 1.0, 1.0]
    assert "retain_grad" in g.plain()


def test_unnamed_nodes_get_stable_ids_that_skip_learner_names() -> None:
    with recording():
        x = torch.ones(2, requires_grad=True)
        t1 = x * 2
        y = torch.exp(t1).sum()
    g = graph.build(y, {"x": x, "t1": t1, "y": y})
    names = [n.name for n in g.nodes]
    assert names == ["x", "t1", "t2", "y"]  # the learner's t1, then a fresh t2


def test_same_code_gives_the_same_bytes_and_no_addresses() -> None:
    first = graph.build(*exercise()).plain()
    second = graph.build(*exercise()).plain()
    assert first == second
    assert "0x" not in first


def test_leaf_alone_and_constant_alone() -> None:
    x = torch.arange(3.0, requires_grad=True)
    assert "graph of x: 1 leaf, 0 ops" in graph.build(x, {"x": x}).plain()
    c = torch.ones(2)
    assert "constant" in graph.build(c, {"c": c}).plain()


def test_big_graph_collapses_loops_and_draws_fast() -> None:
    y, names = long_loop(500)  # 1,001 nodes
    start = time.perf_counter()
    g = graph.build(y, names)
    text = g.plain()
    elapsed = time.perf_counter() - start
    assert len(g.nodes) == 1001
    assert text.count("\n") < 15
    assert "⋮ 497 more × the same 2-node step (t4 … t997) collapsed" in text
    assert "repeat the same 2 ops 499 times" in text
    assert elapsed < 1.0  # measured ~25 ms; generous for slow CI machines
    snapshot("graph_long_loop", text)


def test_control_flow_records_only_what_ran() -> None:
    d, names = control_flow()
    text = graph.build(d, names).plain()
    assert "loop:" in text and "only the branches taken" in text


def test_gradient_graph_after_create_graph() -> None:
    y, names = d2l()
    with recording():
        (g,) = trace.grad(y, names["x"], names, create_graph=True).results
    names["g"] = g
    bg = graph.build(g, names)
    assert bg.by_name["g"].grad_fn == "AddBackward0"
    assert {n.expr for n in bg.nodes if n.kind == "op"} >= {"2 · x"}
    snapshot("graph_of_gradient", bg.plain())


def test_a_tensor_computed_inside_no_grad_says_so() -> None:
    with recording():
        x = torch.ones(2, requires_grad=True)
        with torch.no_grad():
            n = x * 3
        y = (n * x).sum()
    names = {"x": x, "n": n, "y": y}
    alone = graph.build(n, names).plain()
    assert "computed from x inside torch.no_grad(): no graph recorded" in alone
    used = graph.build(y, names)
    assert used.by_name["n"].no_grad_from == "x"
    assert "n does not require grad (computed from x inside torch.no_grad())" in (
        trace.backward(y, names).plain())


def test_hooks_are_marked_on_their_nodes() -> None:
    with recording():
        x = torch.ones(2, requires_grad=True)
        m = x * 3
        m.register_hook(lambda g: g)
        x.register_hook(lambda g: g)
        x.register_hook(lambda g: g)
        y = m.sum()
    g = graph.build(y, {"x": x, "m": m, "y": y})
    assert (g.by_name["m"].hooks, g.by_name["x"].hooks) == (1, 2)
    assert "requires_grad  2 hooks" in g.plain()


def test_an_unnamed_leaf_is_kept_by_its_graph() -> None:
    """``A = torch.arange(6.0, requires_grad=True).reshape(2, 3)``: no variable holds the leaf,
    but its AccumulateGrad does, as in PyTorch (``A.grad_fn.next_functions[0][0].variable``), so
    the graph shows its value and a backward writes its gradient."""
    import gc

    with recording():
        a = torch.arange(6.0, requires_grad=True).reshape(2, 3)
    gc.collect()
    g = graph.build(a, {"A": a})
    leaf = g.by_name["t1"]
    assert leaf.kind == "leaf" and not leaf.gone and leaf.value.tolist() == [0, 1, 2, 3, 4, 5]
    assert (leaf.shape, leaf.dtype) == ((6,), "float32")
    held = a.grad_fn.next_functions[0][0].variable
    assert held.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] and held.requires_grad
    tr = trace.backward(a.sum(), {"A": a})
    assert "t1.grad not written" not in tr.plain()
    assert held.grad.tolist() == [1.0] * 6


def test_a_leaf_still_held_is_drawn_with_its_value() -> None:
    with recording():
        x = torch.arange(6.0, requires_grad=True)
        a = x.reshape(2, 3)
    leaf = graph.build(a, {"A": a, "x": x}).by_name["x"]
    assert not leaf.gone and leaf.shape == (6,) and graph.GONE not in leaf.notes
