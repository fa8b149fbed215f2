"""In-place updates and views (``v = y[0]; v += 1`` changes ``y``; ``y += 1`` changes ``v``), as
PyTorch does them: the base takes ``CopySlices``, views ``AsStridedBackward0``, and they share
one version counter.
The expected strings are PyTorch 2.13's; where PyTorch is installed the same programs are also
run on it and compared."""

from __future__ import annotations

import pytest

from autodiff_repl import engine
from autodiff_repl.session import Session

try:
    import torch
except ImportError:  # the comparison runs only where PyTorch is installed
    torch = None


def select_add(t):
    x = t.arange(4.0, requires_grad=True)
    y = x * 2
    v = y[0]
    v += 1
    shown = [repr(y), repr(v), (y._version, v._version)]
    y.sum().backward()
    return [*shown, x.grad.tolist()]


def slice_setitem(t):
    x = t.arange(4.0, requires_grad=True)
    y = x * 2
    v = y[:2]
    v[0] = 5
    shown = [repr(y), repr(v), (y._version, v._version)]
    y.sum().backward()
    return [*shown, x.grad.tolist()]


def view_of_view(t):
    x = t.arange(4.0, requires_grad=True)
    y = x * 2
    v = y.view(2, 2).t()
    v.mul_(3)
    shown = [repr(y), repr(v)]
    (y * y).sum().backward()
    return [*shown, x.grad.tolist()]


def chained_indexing(t):
    x = t.arange(4.0, requires_grad=True)
    y = x * 2
    v = y[1:][0]
    v += 10
    shown = [repr(y), repr(v)]
    y.sum().backward()
    return [*shown, x.grad.tolist()]


def view_then_use(t):
    x = t.arange(4.0, requires_grad=True)
    y = x * 2
    v = y[0]
    v += 1
    w = v * v
    w.backward()
    return [repr(w), x.grad.tolist()]


def stale_saved_output(t):
    x = t.arange(4.0, requires_grad=True)
    y = x.exp()  # ExpBackward0 saves y
    v = y[0]
    v.zero_()
    try:
        y.sum().backward()
    except RuntimeError as e:
        return [repr(v), str(e)]
    return [repr(v), "no error"]


def base_update_reaches_views(t):
    x = t.arange(4.0, requires_grad=True)
    y = x * 2
    v = y[0]
    w = y[1:].view(3, 1)
    y += 1
    shown = [repr(v), repr(w)]
    (v + w.sum()).backward()
    return [*shown, x.grad.tolist()]


def base_update_reaches_an_expanded_view(t):
    x = t.arange(4.0, requires_grad=True)
    y = x * 2
    e = y.expand(2, 4)
    y[1] = 7
    shown = repr(e)
    e.sum().backward()
    return [shown, x.grad.tolist()]


PROGRAMS = [select_add, slice_setitem, view_of_view, chained_indexing, view_then_use,
            stale_saved_output, base_update_reaches_views, base_update_reaches_an_expanded_view]

EXPECTED = {
    select_add: ["tensor([1., 2., 4., 6.], grad_fn=<CopySlices>)",
                 "tensor(1., grad_fn=<AsStridedBackward0>)", (1, 1), [2.0, 2.0, 2.0, 2.0]],
    slice_setitem: ["tensor([5., 2., 4., 6.], grad_fn=<CopySlices>)",
                    "tensor([5., 2.], grad_fn=<AsStridedBackward0>)", (1, 1),
                    [0.0, 2.0, 2.0, 2.0]],
    view_of_view: ["tensor([ 0.,  6., 12., 18.], grad_fn=<CopySlices>)",
                   "tensor([[ 0., 12.],\n        [ 6., 18.]], grad_fn=<AsStridedBackward0>)",
                   [0.0, 72.0, 144.0, 216.0]],
    chained_indexing: ["tensor([ 0., 12.,  4.,  6.], grad_fn=<CopySlices>)",
                       "tensor(12., grad_fn=<AsStridedBackward0>)", [2.0, 2.0, 2.0, 2.0]],
    view_then_use: ["tensor(1., grad_fn=<MulBackward0>)", [4.0, 0.0, 0.0, 0.0]],
    stale_saved_output: [
        "tensor(0., grad_fn=<AsStridedBackward0>)",
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [4]], which is output 0 of Exp, is at version 1; expected "
        "version 0 instead. Hint: enable anomaly detection to find the operation that failed to "
        "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."],
    base_update_reaches_views: [
        "tensor(1., grad_fn=<AsStridedBackward0>)",
        "tensor([[3.],\n        [5.],\n        [7.]], grad_fn=<AsStridedBackward0>)",
        [2.0, 2.0, 2.0, 2.0]],
    base_update_reaches_an_expanded_view: [
        "tensor([[0., 7., 4., 6.],\n        [0., 7., 4., 6.]], grad_fn=<AsStridedBackward0>)",
        [4.0, 0.0, 4.0, 4.0]],
}


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_in_place_through_a_view_updates_the_base_as_pytorch_does(program):
    assert program(engine) == EXPECTED[program]


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_the_same_programs_on_pytorch(program):
    assert program(torch) == EXPECTED[program]


def test_without_a_graph_the_view_writes_into_the_base_memory():
    y = engine.zeros(4)
    v = y[1:3]
    v += 1
    assert y.tolist() == [0.0, 1.0, 1.0, 0.0]
    with engine.no_grad():
        x = engine.ones(3, requires_grad=True) * 2
        x[0:2].mul_(5)
    assert x.tolist() == [10.0, 10.0, 2.0]


def test_an_expanded_view_refuses_an_update_with_a_graph():
    x = engine.ones(1, requires_grad=True)
    v = (x * 2).expand(3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        v.mul_(2)


def test_the_graph_names_earlier_values_of_a_variable():
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = x * 2\ny += 1\n"
              "v = y.view(2, 2).t()\nv.mul_(3)")
    text = "\n".join(o.data.plain() for o in s.execute("graph v"))
    assert "y = y₁ with" in text and "y₁ = y₀ + 1" in text and "y₀ = 2 · x" in text
    assert "v₁ = 3 · v₀" in text and "v₀ = t1ᵀ" in text


# --- views made under no_grad() ------------------------------------------------------------------

NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked).")


@pytest.mark.parametrize("make", [lambda c: c.view(3)[:2], lambda c: c[:2],
                                  lambda c: c.unsqueeze(0)[0][:2]],
                         ids=["view", "slice", "unsqueeze-select"])
def test_a_view_made_under_no_grad_requires_grad_but_refuses_in_place_updates(make):
    c = engine.ones(3, requires_grad=True).clone()
    with engine.no_grad():
        v = make(c)
    assert repr(v) == "tensor([1., 1.], requires_grad=True)"  # as PyTorch prints it
    assert v.requires_grad and v.is_leaf and v.grad_fn is None
    with pytest.raises(RuntimeError) as err:
        v.mul_(2)
    assert str(err.value) == NO_GRAD_VIEW
    with pytest.raises(RuntimeError) as err:
        v[0] = 5.0
    assert str(err.value) == NO_GRAD_VIEW
    with engine.no_grad():  # both inside the block: allowed, and written through to c
        v.mul_(2)
    assert c.tolist() == [2.0, 2.0, 1.0]


def test_no_gradient_reaches_a_view_made_under_no_grad_nor_its_base():
    x = engine.ones(3, requires_grad=True)
    with engine.no_grad():
        v = x[:2]
        w = x * 2  # not a view: no grad
    assert not w.requires_grad
    (v * 3).sum().backward()  # as PyTorch: runs, and neither .grad is written
    assert v.grad is None and x.grad is None
