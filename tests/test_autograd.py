"""Autograd as a learner sees it: values, reprs and the rules of PyTorch's autograd.

The first tests replay the "Automatic Differentiation" chapter of Dive into Deep Learning and
check what each cell prints; the rest cover accumulation, grad modes, retain_graph, create_graph,
hooks, leaves, in-place updates, forward mode, long chains, memory and dtype promotion.
"""

from __future__ import annotations

import gc
import sys
import warnings
import weakref

import numpy as np
import pytest

from autodiff_repl import engine as torch
from autodiff_repl.engine.autograd import forward_ad

pytestmark = pytest.mark.usefixtures("clean_engine")


# --- the d2l chapter, cell by cell ----------------------------------------------------------------

def test_d2l_scalar_function():
    x = torch.arange(4.0)
    assert repr(x) == "tensor([0., 1., 2., 3.])"
    x.requires_grad_(True)
    assert x.grad is None
    y = 2 * torch.dot(x, x)
    assert repr(y) == "tensor(28., grad_fn=<MulBackward0>)"
    y.backward()
    assert repr(x.grad) == "tensor([ 0.,  4.,  8., 12.])"
    assert repr(x.grad == 4 * x) == "tensor([True, True, True, True])"
    # without zero_ the next gradient adds to this one
    y = x.sum()
    y.backward()
    assert repr(x.grad) == "tensor([ 1.,  5.,  9., 13.])"
    x.grad.zero_()
    y = x.sum()
    y.backward()
    assert repr(x.grad) == "tensor([1., 1., 1., 1.])"


def test_d2l_non_scalar_backward():
    x = torch.arange(4.0, requires_grad=True)
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    assert repr(x.grad) == "tensor([0., 2., 4., 6.])"
    x.grad.zero_()
    y = x * x
    y.sum().backward()  # the same thing
    assert repr(x.grad) == "tensor([0., 2., 4., 6.])"


def test_d2l_detaching():
    x = torch.arange(4.0, requires_grad=True)
    y = x * x
    u = y.detach()
    assert repr(u) == "tensor([0., 1., 4., 9.])"
    assert u.is_leaf and not u.requires_grad
    z = u * x
    z.sum().backward()
    assert repr(x.grad == u) == "tensor([True, True, True, True])"
    x.grad.zero_()
    y.sum().backward()
    assert repr(x.grad == 2 * x) == "tensor([True, True, True, True])"


def test_d2l_python_control_flow():
    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:  # noqa: SIM108 - the chapter's code, as printed
            c = b
        else:
            c = 100 * b
        return c

    for seed in range(5):
        torch.manual_seed(seed)
        a = torch.randn(size=(), requires_grad=True)
        d = f(a)
        d.backward()
        assert repr(a.grad == d / a) == "tensor(True)"


# --- accumulation, zero_, .grad = None ------------------------------------------------------------

def test_gradients_accumulate_until_zeroed():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for k in range(1, 4):
        (3 * x).sum().backward()
        assert x.grad.tolist() == [3.0 * k, 3.0 * k]
    grad = x.grad
    x.grad.zero_()
    assert x.grad is grad and x.grad.tolist() == [0.0, 0.0]
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_grad_of_a_leaf_is_a_plain_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.is_leaf and not x.grad.requires_grad and x.grad.grad_fn is None
    assert repr(x.grad) == "tensor([2., 4.])"


def test_backward_inputs_limits_accumulation():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 3.0 and b.grad is None


# --- grad modes ---------------------------------------------------------------------------------

def test_no_grad_enable_grad_set_grad_enabled():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        assert not torch.is_grad_enabled()
        with torch.enable_grad():
            z = x * 2
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert z.requires_grad and z.grad_fn.name() == "MulBackward0"
    assert repr(y) == "tensor([2., 2.])"
    with torch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    torch.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_no_grad_as_a_decorator():
    @torch.no_grad()
    def doubled(t):
        return t * 2

    x = torch.ones(2, requires_grad=True)
    assert not doubled(x).requires_grad
    assert torch.is_grad_enabled()


def test_no_grad_is_restored_after_an_error():
    with pytest.raises(ZeroDivisionError), torch.no_grad():
        1 / 0
    assert torch.is_grad_enabled()


# --- retain_graph, create_graph -----------------------------------------------------------------

def test_retain_graph_allows_a_second_backward():
    x = torch.arange(4.0, requires_grad=True)
    y = torch.dot(x, x)
    y.backward(retain_graph=True)
    y.backward()
    assert repr(x.grad) == "tensor([ 0.,  4.,  8., 12.])"
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_sum_backward_twice_works_but_dot_does_not():
    x = torch.arange(4.0, requires_grad=True)
    s = x.sum()  # SumBackward0 saves nothing: PyTorch lets it run again
    s.backward()
    s.backward()
    assert repr(x.grad) == "tensor([2., 2., 2., 2.])"
    d = torch.dot(x, x)
    d.backward()
    with pytest.raises(RuntimeError, match=r"^Trying to backward through the graph a second"):
        d.backward()


def test_create_graph_gives_second_derivatives():
    x = torch.arange(4.0, requires_grad=True)
    y = 2 * torch.dot(x, x)
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    # PyTorch's graph for it: the two halves of DotBackward0's gradient added
    assert repr(g) == "tensor([ 0.,  4.,  8., 12.], grad_fn=<AddBackward0>)"
    g.sum().backward()
    assert repr(x.grad) == "tensor([4., 4., 4., 4.])"


def test_backward_create_graph_keeps_a_graph_on_grad():
    x = torch.tensor(3.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    assert x.grad.item() == 27.0 and x.grad.requires_grad
    (g2,) = torch.autograd.grad(x.grad, x)
    assert g2.item() == 18.0  # d²(x³)/dx² = 6x


def test_hessian_of_two_xtx_is_four_identity():
    h = torch.autograd.functional.hessian(lambda x: 2 * torch.dot(x, x), torch.arange(4.0))
    assert repr(h) == ("tensor([[4., 0., 0., 0.],\n        [0., 4., 0., 0.],\n"
                       "        [0., 0., 4., 0.],\n        [0., 0., 0., 4.]])")


def test_third_derivative():
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = torch.sin(x)
    (d1,) = torch.autograd.grad(y, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x)
    assert d3.item() == pytest.approx(-np.cos(0.5), rel=1e-12)


# --- hooks, retain_grad -------------------------------------------------------------------------

def test_hook_on_a_leaf_changes_its_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    assert x.grad.tolist() == [20.0, 40.0]
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_hook_on_a_non_leaf_sees_and_replaces_the_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    y = x * 3
    y.register_hook(lambda g: seen.append(g.tolist()))
    h = y.register_hook(lambda g: g * 0)
    y.sum().backward()
    assert seen == [[1.0, 1.0]]
    assert x.grad.tolist() == [0.0, 0.0]
    h.remove()
    x.grad = None
    y = x * 3
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    z = (2 * y).sum()
    z.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(y.grad) == "tensor([2., 2.])"
    assert y.retains_grad


def test_non_leaf_grad_is_none_with_a_warning():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


# --- leaves ---------------------------------------------------------------------------------------

def test_leaf_rules():
    a = torch.tensor([1.0, 2.0])
    assert a.is_leaf and not a.requires_grad
    b = a * 2
    assert b.is_leaf and not b.requires_grad and b.grad_fn is None  # no input requires grad
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert x.is_leaf and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    assert y.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"
    assert y.grad_fn.next_functions[1] == (None, 0)
    d = y.detach()
    assert d.is_leaf and not d.requires_grad
    d.requires_grad_()
    assert d.is_leaf and d.requires_grad


def test_grad_fn_next_functions_reach_the_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    assert y.grad_fn.name() == "SumBackward0"
    mul = y.grad_fn.next_functions[0][0]
    assert mul.name() == "MulBackward0"
    exp = mul.next_functions[0][0]
    assert exp.name() == "ExpBackward0"
    acc = exp.next_functions[0][0]
    assert acc.variable is x
    assert repr(y.grad_fn).startswith("<SumBackward0 object at 0x")


# --- in-place -----------------------------------------------------------------------------------

def test_update_loop_under_no_grad_keeps_a_leaf_a_leaf():
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    lr = 0.1
    losses = []
    for _ in range(5):
        loss = (w * w).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert losses == sorted(losses, reverse=True)
    np.testing.assert_allclose(w.detach().numpy(), np.array([1.0, -2.0]) * 0.8 ** 5, rtol=1e-6)
    assert repr(w) == "tensor([ 0.3277, -0.6554], requires_grad=True)"


def test_in_place_add_on_a_non_leaf_rebases_its_grad_fn():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y += 1
    assert repr(y) == "tensor([3., 5.], grad_fn=<AddBackward0>)"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    y *= 3
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_setitem_on_a_non_leaf_gives_copy_slices():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1] = 10.0
    assert repr(y) == "tensor([ 2., 10.,  6.], grad_fn=<CopySlices>)"
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 2.0]


def test_setitem_with_a_value_that_requires_grad():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor(5.0, requires_grad=True)
    y = torch.zeros(3)
    y[0] = v * x[2]
    assert not y.is_leaf and y.grad_fn.name() == "torch::autograd::CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 5.0] and v.grad.item() == 3.0


def test_in_place_fill_and_zero_cut_the_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.zero_()
    assert repr(y) == "tensor([0., 0.], grad_fn=<ZeroBackward0>)"
    z = x * 2
    z.fill_(3.0)
    assert repr(z) == "tensor([3., 3.], grad_fn=<FillBackward2>)"
    (y + z + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_copy_into_a_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.zeros(2)
    y.copy_(x * 3)
    assert repr(y) == "tensor([3., 6.], grad_fn=<CopyBackwards>)"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_in_place_on_a_leaf_is_fine_without_requires_grad():
    a = torch.zeros(3)
    a += 1
    a[0] = 5
    assert repr(a) == "tensor([5., 1., 1.])" and a.is_leaf


# --- Variable, forward mode -----------------------------------------------------------------------

def test_variable_is_a_tensor():
    from autodiff_repl.engine.autograd import Variable

    data = torch.tensor([1.0, 2.0])
    v = Variable(data, requires_grad=True)
    assert isinstance(v, torch.Tensor) and v.is_leaf and v.requires_grad
    assert not data.requires_grad  # a new leaf sharing the values
    (v * v).sum().backward()
    assert v.grad.tolist() == [2.0, 4.0]
    assert repr(Variable(torch.tensor([1, 2]))) == "tensor([1, 2])"


def test_forward_mode_dual_numbers():
    x = torch.tensor([0.5, 1.0], dtype=torch.float64)
    v = torch.tensor([1.0, -2.0], dtype=torch.float64)
    with forward_ad.dual_level():
        dual = forward_ad.make_dual(x, v)
        y = torch.sin(dual) * dual
        primal, tangent = forward_ad.unpack_dual(y)
        assert forward_ad.unpack_dual(dual).tangent.tolist() == [1.0, -2.0]
    expected = (np.cos(x.numpy()) * x.numpy() + np.sin(x.numpy())) * v.numpy()
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-14)
    np.testing.assert_allclose(primal.numpy(), np.sin(x.numpy()) * x.numpy())
    assert forward_ad.unpack_dual(dual).tangent is None  # the level closed
    assert forward_ad.unpack_dual(torch.ones(2)).tangent is None


def test_forward_mode_through_in_place_and_indexing():
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    with forward_ad.dual_level():
        dual = forward_ad.make_dual(x, torch.ones(3, dtype=torch.float64))
        y = dual * 2
        y[0] = 0.0
        y += dual ** 2
        tangent = forward_ad.unpack_dual(y).tangent
    assert tangent.tolist() == [2.0, 6.0, 8.0]


# --- long chains, memory, reference cycles ------------------------------------------------------

def test_a_100000_op_chain_backpropagates_at_the_default_recursion_limit():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        x = torch.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(100_000):
            y = y * 1.0
        y.backward()
        assert x.grad.item() == 1.0
        del y  # freeing a 100,000-node chain must not recurse either
        gc.collect()
    finally:
        sys.setrecursionlimit(limit)


def test_saved_values_are_released_after_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.exp(x)  # keeps its output
    z = y * x  # keeps both inputs
    node_exp, node_mul = y.grad_fn, z.grad_fn
    assert node_exp.out is not None and node_mul.saved is not None
    assert not node_exp.freed
    z.sum().backward()
    for node in (node_exp, node_mul):
        assert node.freed and node.saved is None and node.out is None


def test_retain_graph_keeps_saved_values():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.exp(x)
    y.sum().backward(retain_graph=True)
    assert not y.grad_fn.freed and y.grad_fn.out is not None


def test_a_node_keeps_only_what_its_backward_needs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    node = (x * c).grad_fn
    assert node.saved[1] is not None and node.saved[0] is None  # d(x·c)/dx = c
    assert (x + c).grad_fn.saved is None


def test_graphs_form_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).exp().sum()
        out_ref, node_ref = weakref.ref(y), weakref.ref(y.grad_fn)
        inner_ref = weakref.ref(y.grad_fn.next_functions[0][0])
        del y
        assert out_ref() is None and node_ref() is None and inner_ref() is None
        y = (x * 2).exp().sum()
        y.backward()
        out_ref, node_ref = weakref.ref(y), weakref.ref(y.grad_fn)
        del y
        assert out_ref() is None and node_ref() is None
        x_ref = weakref.ref(x)
        del x
        assert x_ref() is None
    finally:
        gc.enable()


# --- dtypes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "expected"), [
    (lambda: torch.tensor([1, 2]), "tensor([1, 2])"),
    (lambda: torch.Tensor([1, 2]), "tensor([1., 2.])"),
    (lambda: torch.tensor([1, 2]) * 2.5, "tensor([2.5000, 5.0000])"),
    (lambda: torch.tensor([1, 2]) / torch.tensor([2, 4]), "tensor([0.5000, 0.5000])"),
    (lambda: torch.tensor([1, 2]) * 2, "tensor([2, 4])"),
    (lambda: torch.tensor([1.0, 2.0]) * torch.tensor(2.0, dtype=torch.float64),
     "tensor([2., 4.])"),
    (lambda: torch.tensor(2.0) * torch.tensor([1.0], dtype=torch.float64),
     "tensor([2.], dtype=torch.float64)"),
    (lambda: torch.tensor([1, 2], dtype=torch.uint8) + torch.tensor([1, 2], dtype=torch.int8),
     "tensor([2, 4], dtype=torch.int16)"),
    (lambda: torch.tensor([True, False]) + 1, "tensor([2, 1])"),
    (lambda: torch.tensor([1, 2], dtype=torch.int32) + torch.tensor(5),
     "tensor([6, 7], dtype=torch.int32)"),
    (lambda: torch.tensor([1, 2]) + torch.tensor([0.5], dtype=torch.float64),
     "tensor([1.5000, 2.5000], dtype=torch.float64)"),
    (lambda: torch.arange(4), "tensor([0, 1, 2, 3])"),
    (lambda: torch.arange(4.0).sum(), "tensor(6.)"),
    (lambda: torch.arange(4).sum(), "tensor(6)"),
    (lambda: torch.tensor([1, 2]).float().dtype, "torch.float32"),
    (lambda: torch.tensor([1.5]).double(), "tensor([1.5000], dtype=torch.float64)"),
])
def test_dtype_promotion(make, expected):
    assert repr(make()) == expected


def test_gradient_dtype_follows_the_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * torch.tensor([1.0, 1.0], dtype=torch.float64)).sum().backward()
    assert x.grad.dtype is torch.float32
    y = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (y.float() * 2).sum().backward()
    assert y.grad.dtype is torch.float64 and y.grad.tolist() == [2.0, 2.0]


def test_broadcast_gradients_are_summed_back():
    a = torch.ones(2, 3, requires_grad=True)
    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = torch.tensor(2.0, requires_grad=True)
    (a * b * c).sum().backward()
    assert a.grad.shape == (2, 3) and b.grad.tolist() == [4.0, 4.0, 4.0]
    assert c.grad.item() == 12.0


def test_autograd_grad_leaves_dot_grad_alone():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x * x).sum(), x)
    assert repr(g) == "tensor([2., 4.])" and x.grad is None
    a, b = torch.autograd.grad((x * 3).sum(), [x, torch.ones(1, requires_grad=True)],
                               allow_unused=True)
    assert a.tolist() == [3.0, 3.0] and b is None


def test_max_with_dim_returns_values_and_indices():
    x = torch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    result = x.max(dim=1)
    assert repr(result) == ("torch.return_types.max(\nvalues=tensor([5., 7.], "
                            "grad_fn=<MaxBackward0>),\nindices=tensor([1, 0]))")
    result.values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_in_place_update_of_an_unsaved_value_is_fine():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y += 1  # AddBackward0 saves nothing, MulBackward0 saved only the constant 2
    y *= 3
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_in_place_update_of_a_saved_value_is_refused():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_detach_shares_the_version_counter_and_data_does_not():
    """PyTorch: an update through ``y.detach()`` is seen by the backward that saved ``y``; one
    through ``y.data`` is not (the difference the two spellings exist for)."""
    x = torch.arange(3.0, requires_grad=True)
    y = x.exp()  # ExpBackward0 saves its output
    z = y.detach()
    z.add_(1)
    assert (y._version, z._version) == (1, 1)
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    assert str(info.value) == (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected "
        "version 0 instead. Hint: enable anomaly detection to find the operation that failed to "
        "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    y = x.exp()
    y.data.add_(1)
    assert y._version == 0
    y.sum().backward()  # the stale value goes unnoticed, as in PyTorch
    assert x.grad.tolist() == pytest.approx([2.0, 3.718282, 8.389056], rel=1e-6)


def test_version_counts_in_place_updates():
    t = torch.ones(2)
    assert t._version == 0
    t += 1
    t.mul_(2)
    t.zero_()
    assert t._version == 3
    assert t.clone()._version == 0


# --- details PyTorch 2.13 prints (checked against it) ------------------------------------------

def test_the_first_gradient_kept_with_create_graph_is_a_copy():
    from autodiff_repl.engine.messages import WARNED_ONCE

    WARNED_ONCE.clear()
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Using backward\\(\\) with create_graph=True"):
        (x ** 3).sum().backward(create_graph=True)
    assert repr(x.grad) == "tensor([ 3., 12.], grad_fn=<CopyBackwards>)"
    (x ** 3).sum().backward(create_graph=True)
    assert repr(x.grad) == "tensor([ 6., 24.], grad_fn=<AddBackward0>)"


def test_iterating_unbinds():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert repr(list(y)) == ("[tensor(2., grad_fn=<UnbindBackward0>), "
                             "tensor(4., grad_fn=<UnbindBackward0>)]")
    max(y).backward()
    assert x.grad.tolist() == [0.0, 2.0]
    assert [t.tolist() for t in torch.ones(2, 3).unbind(1)] == [[1.0, 1.0]] * 3


def test_t_of_a_tensor_that_is_not_a_matrix_warns_once():
    from autodiff_repl.engine.messages import WARNED_ONCE

    WARNED_ONCE.clear()
    with pytest.warns(UserWarning) as record:
        torch.arange(3.0).T
        torch.tensor(3.0).T
        torch.arange(3.0).T
    assert [str(r.message)[:24] for r in record] == ["The use of `x.T` on tens",
                                                     "Tensor.T is deprecated o"]


def test_powers_of_zero_have_pytorchs_gradients():
    z = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    with np.errstate(all="ignore"):
        (0 ** z).sum().backward()
        assert z.grad.tolist() == [-np.inf, 0.0, 0.0]
        a = torch.tensor([0.0, 0.0, 0.0, 2.0], requires_grad=True)
        b = torch.tensor([-1.0, 0.0, 2.0, 3.0], requires_grad=True)
        (a ** b).sum().backward()
    assert a.grad.tolist() == [-np.inf, 0.0, 0.0, 12.0]
    assert b.grad.tolist()[:3] == [-np.inf, 0.0, 0.0]


def test_cuda_and_a_second_inferred_dimension_fail_as_in_pytorch():
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        torch.ones(2).cuda()
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        torch.ones(4).reshape(-1, -1)


def test_autograd_grad_runs_hooks_and_only_the_nodes_it_needs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    assert torch.autograd.grad((x * x).sum(), x)[0].tolist() == [20.0, 40.0]
    m = x * 3
    m.register_hook(lambda g: g * 0 + 7)
    assert torch.autograd.grad((m ** 2).sum(), m)[0].tolist() == [7.0, 7.0]
    # m's own node did not run, so it was not freed: a pass through it still works
    assert torch.autograd.grad((m ** 2).sum(), x)[0].tolist() == [210.0, 210.0]


def test_backward_with_inputs_fills_only_their_grad_even_for_a_non_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    m = x * 3
    y = (m ** 2 * w).sum()
    y.backward(inputs=[m], retain_graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a non-leaf's .grad, once set, is read without warning
        assert (m.grad.tolist(), x.grad, w.grad) == ([18.0, 48.0], None, None)
    y.backward(inputs=[w])
    assert (x.grad, w.grad.tolist()) == (None, [9.0, 36.0])
