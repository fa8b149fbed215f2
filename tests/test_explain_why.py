"""``why x.grad``: each common cause found, said in plain words, with the fixing command."""

from __future__ import annotations

from test_explain_support import d2l, detached, recording, snapshot

import autodiff_repl.engine as torch
from autodiff_repl.explain import trace, why


def test_before_any_backward() -> None:
    _, names = d2l()
    w = why.diagnose(names["x"], "x", names)
    assert w.symptom == "None"
    assert w.cause == "no backward pass has reached x yet"
    assert w.fix == "backward y"
    snapshot("why_before_backward", w.plain())


def test_after_backward_nothing_is_wrong() -> None:
    y, names = d2l()
    trace.backward(y, names)
    w = why.diagnose(names["x"], "x", names)
    assert w.symptom == "set" and w.cause.startswith("nothing is wrong")
    assert "x.grad.zero_()" in w.fix
    snapshot("why_after_backward", w.plain())


def test_integer_tensor() -> None:
    x = torch.arange(4)
    w = why.diagnose(x, "x", {"x": x})
    assert "int64 is not floating point" in w.plain()
    assert "arange(4.0, requires_grad=True)" in w.fix


def test_requires_grad_false() -> None:
    with recording():
        x = torch.arange(4.0)
        y = (x * x).sum()
    w = why.diagnose(x, "x", {"x": x, "y": y})
    assert "x.requires_grad is False" in w.plain()
    assert w.fix.startswith("x.requires_grad_()")


def test_non_leaf_without_retain_grad() -> None:
    y, names = d2l()
    trace.backward(y, names)
    w = why.diagnose(names["y"], "y", names)
    assert "not a leaf" in w.plain()
    assert w.fix.startswith("y.retain_grad()")


def test_detached_copy() -> None:
    _, names = detached()
    w = why.diagnose(names["u"], "u", names)
    assert "u is a detached copy of y" in w.cause
    assert "use y itself" in w.fix


def test_inside_no_grad() -> None:
    with recording():
        x = torch.ones(3, requires_grad=True)
        with torch.no_grad():
            y = (x * 2).sum()
    w = why.diagnose(x, "x", {"x": x, "y": y})
    assert "no variable's graph uses x" in w.plain()
    assert "no_grad" in w.cause


def test_path_cut_by_detach() -> None:
    with recording():
        x = torch.ones(3, requires_grad=True)
        w_ = torch.ones(3, requires_grad=True)
        z = (x.detach() * w_).sum()
    z.backward()
    w = why.diagnose(x, "x", {"x": x, "w": w_, "z": z})
    text = w.plain()
    assert "backward ran through z, which does not depend on x (an unused input)" in text
    assert "z used x's values through detach()" in text
    assert w.fix == "compute z from x itself, not x.detach()"


def test_grad_instead_of_backward() -> None:
    y, names = d2l()
    trace.grad(y, names["x"], names)
    w = why.diagnose(names["x"], "x", names)
    assert "autograd.grad" in w.cause
    assert w.fix.startswith("backward y")


def test_zeroed_gradient() -> None:
    y, names = d2l()
    trace.backward(y, names)
    names["x"].grad.zero_()
    w = why.diagnose(names["x"], "x", names)
    assert w.symptom == "zero" and "zero_() ran after the last backward" in w.cause


def test_not_a_tensor() -> None:
    w = why.diagnose(3.0, "x", {"x": 3.0})
    assert "not a tensor" in w.plain()


def _under_no_grad():
    with recording():
        x = torch.ones(2, requires_grad=True)
        with torch.no_grad():
            n = x * 3
    return {"x": x, "n": n}


def test_a_tensor_computed_inside_no_grad_names_no_grad_as_the_cause() -> None:
    names = _under_no_grad()
    w = why.diagnose(names["n"], "n", names)
    text = w.plain()
    assert "is a leaf" not in text
    assert ("✗ n was computed from x inside torch.no_grad(): no graph was recorded, so n has no "
            "grad_fn and does not require grad") in text
    assert "nothing is recorded inside `with torch.no_grad():`" in w.cause
    assert w.fix.startswith("compute n outside the no_grad block")
    assert "optimizer update" in w.fix


def test_an_input_used_only_inside_no_grad_names_what_was_computed_from_it() -> None:
    names = _under_no_grad()
    w = why.diagnose(names["x"], "x", names)
    assert "n was computed from x inside torch.no_grad(): not recorded" in w.plain()
    assert w.cause == ("x was used inside `with torch.no_grad():` (for n), where nothing is "
                       "recorded, so no graph leads back to x")
    assert w.fix == "compute n from x outside no_grad, then backward it"


def test_no_grad_is_named_for_a_result_several_ops_deep_in_the_block():
    from autodiff_repl.session import Session

    s = Session()
    s.execute("x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = (x * 2).sum()")
    text = "\n".join(o.data.plain() for o in s.execute("why y.grad"))
    assert "y was computed from x inside torch.no_grad()" in text
