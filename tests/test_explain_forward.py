"""Forward mode: tangents in the order the ops ran, with d2l exercise 7's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from test_explain_support import d2l, exercise, matmul, recording, snapshot

import autodiff_repl.engine as torch
from autodiff_repl.engine.autograd import forward_ad
from autodiff_repl.explain import trace


def test_exercise_tangents_at_2() -> None:
    f, names = exercise(2.0)
    tr = trace.forward(f, names["x"], None, names)
    tangents = {s.name: s.tangent.item() for s in tr.steps}
    expected = {"a": 4.0, "b": 1.0, "c": -0.416147, "d": 0.332395, "e": -0.25, "f": 0.082395}
    for name, value in expected.items():
        assert tangents[name] == pytest.approx(value, abs=1e-6), name
    assert [s.name for s in tr.steps] == ["a", "b", "c", "d", "t1", "e", "f"]  # forward order
    text = tr.plain()
    assert "d′ = c · b′ + b · c′ = 0.9093 × 1 + 1.386 × -0.4161 = 0.3324" in text
    assert "f′ = 0.0824" in text
    snapshot("forward_exercise", text)


def test_forward_and_reverse_agree_and_report_their_cost() -> None:
    f, names = exercise(2.0)
    fwd = trace.forward(f, names["x"], None, names)
    rev = trace.backward(f, names)
    assert fwd.results[0].item() == pytest.approx(names["x"].grad.item(), abs=1e-7)
    assert (fwd.cost.mode, fwd.cost.ops, fwd.cost.what) == ("forward", 7, "tangents")
    assert fwd.cost.nbytes == 8 * 4  # x′ and 7 op tangents, float32 scalars
    assert (rev.cost.mode, rev.cost.ops) == ("reverse", 7)
    assert "reverse mode on this graph saves" in fwd.plain()


def test_forward_matches_the_engines_forward_ad() -> None:
    loss, names = matmul()
    W = names["W"]
    v = torch.tensor([[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]])
    tr = trace.forward(loss, W, v, names)
    with forward_ad.dual_level():
        dual = forward_ad.make_dual(W, v)
        out = torch.tanh(names["X"] @ dual + names["bias"]).mean()
        expected = forward_ad.unpack_dual(out).tangent
    np.testing.assert_allclose(tr.results[0].numpy(), expected.numpy(), rtol=1e-6)
    assert "t1′ = X @ W′" in tr.plain() or "t1′ = X W′" in tr.plain()


def test_vector_tangent_and_dot() -> None:
    y, names = d2l()
    tr = trace.forward(y, names["x"], torch.ones(4), names)
    assert tr.results[0].item() == 24.0  # ∇y = 4x = [0, 4, 8, 12], along ones: 4·Σx
    assert "t1′ = x′ · x + x · x′ = 12" in tr.plain()  # the product rule


def test_tangent_must_match_the_input_and_be_in_the_graph() -> None:
    y, names = d2l()
    with pytest.raises(RuntimeError, match="different size"):
        trace.forward(y, names["x"], torch.ones(3), names)
    with recording():
        other = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="not part of the graph"):
        trace.forward(y, other, None, names)
