"""``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp) and ``gradcheck``.

Checked against results worked out by hand and, where PyTorch is installed, against
``torch.autograd.functional`` on the same functions.
"""

from __future__ import annotations

import numpy as np
import pytest

from autodiff_repl import engine
from autodiff_repl.engine import ops
from autodiff_repl.engine.autograd import functional as F
from autodiff_repl.engine.functions import apply
from autodiff_repl.engine.gradcheck import GradcheckError, gradcheck, gradgradcheck

pytestmark = pytest.mark.usefixtures("clean_engine")


def t64(values):
    return engine.tensor(values, dtype=engine.float64)


X = [0.5, -1.0, 2.0]


# --- by hand ------------------------------------------------------------------------------------

def test_jacobian_of_an_elementwise_function_is_diagonal():
    j = F.jacobian(lambda x: x ** 2, t64(X))
    np.testing.assert_array_equal(j.numpy(), np.diag(2 * np.array(X)))
    assert not j.requires_grad


def test_jacobian_of_a_linear_map_is_its_matrix():
    a = t64([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    j = F.jacobian(lambda x: a @ x, t64(X))
    np.testing.assert_array_equal(j.numpy(), a.numpy())


def test_jacobian_with_two_inputs_and_shapes():
    ja, jb = F.jacobian(lambda a, b: a * b, (t64(X), t64([1.0, 2.0, 3.0])))
    np.testing.assert_array_equal(ja.numpy(), np.diag([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(jb.numpy(), np.diag(X))
    j = F.jacobian(lambda m: m.sum(0), t64(np.ones((2, 3))))
    assert j.shape == (3, 2, 3)


def test_jacobian_of_an_unused_input_is_zero():
    _, jb = F.jacobian(lambda a, b: a * 2, (t64(X), t64([1.0, 2.0])))
    assert jb.shape == (3, 2) and not jb.numpy().any()


def test_hessian_by_hand():
    h = F.hessian(lambda x: (x ** 3).sum(), t64(X))
    np.testing.assert_allclose(h.numpy(), np.diag(6 * np.array(X)), rtol=1e-14)
    h = F.hessian(lambda x: x[0] * x[1] * x[2], t64(X))
    x0, x1, x2 = X
    np.testing.assert_allclose(h.numpy(), [[0, x2, x1], [x2, 0, x0], [x1, x0, 0]], rtol=1e-14)


def test_hessian_of_the_d2l_function():
    h = F.hessian(lambda x: 2 * engine.dot(x, x), engine.arange(4.0))
    np.testing.assert_array_equal(h.numpy(), 4 * np.eye(4))


def test_vjp_by_hand():
    out, g = F.vjp(lambda x: x ** 2, t64(X), t64([1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(out.numpy(), np.array(X) ** 2)
    np.testing.assert_array_equal(g.numpy(), [1.0, 0.0, 8.0])
    assert not out.requires_grad and not g.requires_grad


def test_jvp_is_forward_mode():
    out, jv = F.jvp(lambda x: engine.sin(x) * x, t64(X), t64([1.0, 1.0, 0.0]))
    x = np.array(X)
    np.testing.assert_allclose(jv.numpy(), (np.cos(x) * x + np.sin(x)) * [1, 1, 0], rtol=1e-14)
    np.testing.assert_allclose(out.numpy(), np.sin(x) * x, rtol=1e-14)


def test_jvp_of_a_scalar_input_defaults_v_to_one():
    _, jv = F.jvp(lambda x: x ** 3, t64(2.0))
    assert jv.item() == 12.0


def test_hvp_and_vhp_by_hand():
    v = t64([1.0, 2.0, 3.0])
    out, hv = F.hvp(lambda x: (x ** 3).sum(), t64(X), v)
    np.testing.assert_allclose(hv.numpy(), 6 * np.array(X) * [1, 2, 3], rtol=1e-14)
    assert out.item() == pytest.approx(sum(x ** 3 for x in X))
    _, vh = F.vhp(lambda x: (x ** 3).sum(), t64(X), v)
    np.testing.assert_allclose(vh.numpy(), hv.numpy())


def test_functional_does_not_touch_the_inputs():
    x = t64(X).requires_grad_()
    F.jacobian(lambda t: t ** 2, x)
    F.hessian(lambda t: (t ** 3).sum(), x)
    F.vjp(lambda t: t.exp(), x, t64([1.0, 1.0, 1.0]))
    assert x.grad is None and x.is_leaf


def test_create_graph_keeps_the_graph():
    x = t64(X).requires_grad_()
    j = F.jacobian(lambda t: t ** 3, x, create_graph=True)
    assert j.requires_grad
    j.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array(X), rtol=1e-14)


# --- against PyTorch -----------------------------------------------------------------------------

FUNCTIONS = {
    "cubic": lambda T, x: (x ** 3).sum(),
    "softmax-weighted": lambda T, x: (T.softmax(x, 0) * x).sum(),
    "log-sum-exp": lambda T, x: T.log(T.exp(x).sum()),
    "norm": lambda T, x: x.norm(),
    "tanh-outer": lambda T, x: T.tanh(T.outer(x, x)).sum(),
    "matrix": lambda T, x: (x.reshape(3, 1) @ x.reshape(1, 3)).sum(dim=1).prod(),
}
VECTOR_FUNCTIONS = {
    "sin": lambda T, x: T.sin(x) * x,
    "cumulative": lambda T, x: T.stack([x[0], x[0] * x[1], x[0] * x[1] * x[2]]),
    "softmax": lambda T, x: T.softmax(x, 0),
    "matvec": lambda T, x: T.mv(T.outer(x, x) + 1, x),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", FUNCTIONS)
def test_scalar_functions_match_torch(name):
    torch = pytest.importorskip("torch")
    f = FUNCTIONS[name]
    x, v = np.array(X), np.array([0.3, -1.2, 0.7])
    ours_x, ours_v = t64(x), t64(v)
    theirs_x, theirs_v = torch.tensor(x), torch.tensor(v)
    tf = torch.autograd.functional
    pairs = [
        (F.hessian(lambda t: f(engine, t), ours_x), tf.hessian(lambda t: f(torch, t), theirs_x)),
        (F.hvp(lambda t: f(engine, t), ours_x, ours_v)[1],
         tf.hvp(lambda t: f(torch, t), theirs_x, theirs_v)[1]),
        (F.vhp(lambda t: f(engine, t), ours_x, ours_v)[1],
         tf.vhp(lambda t: f(torch, t), theirs_x, theirs_v)[1]),
        (F.jacobian(lambda t: f(engine, t), ours_x),
         tf.jacobian(lambda t: f(torch, t), theirs_x)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", VECTOR_FUNCTIONS)
def test_vector_functions_match_torch(name):
    torch = pytest.importorskip("torch")
    f = VECTOR_FUNCTIONS[name]
    x, v, u = np.array(X), np.array([0.3, -1.2, 0.7]), np.array([1.0, 0.5, -2.0])
    tf = torch.autograd.functional
    ours = [F.jacobian(lambda t: f(engine, t), t64(x)),
            F.vjp(lambda t: f(engine, t), t64(x), t64(u))[1],
            F.jvp(lambda t: f(engine, t), t64(x), t64(v))[1]]
    theirs = [tf.jacobian(lambda t: f(torch, t), torch.tensor(x)),
              tf.vjp(lambda t: f(torch, t), torch.tensor(x), torch.tensor(u))[1],
              tf.jvp(lambda t: f(torch, t), torch.tensor(x), torch.tensor(v))[1]]
    for a, b in zip(ours, theirs, strict=False):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


# --- gradcheck ----------------------------------------------------------------------------------

def test_gradcheck_passes_on_correct_functions():
    x = t64(X).requires_grad_()
    y = t64([1.0, 2.0, 3.0]).requires_grad_()
    assert gradcheck(lambda a, b: (a * b).exp(), (x, y))
    assert gradcheck(lambda a: a.norm(), x, check_forward_ad=True)
    assert gradgradcheck(lambda a, b: (a * b).sin().sum(), (x, y))


def test_gradcheck_catches_a_wrong_derivative():
    x = t64(X).requires_grad_()

    def wrong(a):  # the first factor is detached: the chain rule sees a constant
        return a.detach() * a

    assert gradcheck(wrong, x, raise_exception=False) is False
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to "
                                             "input 0"):
        gradcheck(wrong, x)
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_catches_a_wrong_table_row():
    """A row whose vjp is wrong (d sin = +cos... written as -cos) fails both checks."""
    bad = ops.Op("bad_sin", "SinBackward0", np.sin, (lambda m, g, x, out: -g * m.cos(x),),
                 ops.ELEMENTWISE, "sin({0})", ("cos({0})",), needs=((0,),))
    x = t64(X).requires_grad_()
    assert gradcheck(lambda a: apply(bad, (a,)), x, raise_exception=False) is False
    assert gradcheck(lambda a: apply(bad, (a,)), x, check_backward_ad=False,
                     check_forward_ad=True, raise_exception=False) is False
    assert gradcheck(lambda a: apply(ops.SIN, (a,)), x, check_forward_ad=True)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    """First derivative right, but its own derivative wrong: only gradgradcheck notices."""
    half_wrong = ops.Op("half_wrong_square", "PowBackward0", np.square,
                        (lambda m, g, x, out: g * 2 * x.detach() if hasattr(x, "detach")
                         else g * 2 * x,), ops.ELEMENTWISE, "{0}²", ("2{0}",), needs=((0,),))
    x = t64(X).requires_grad_()
    assert gradcheck(lambda a: apply(half_wrong, (a,)), x)
    assert gradgradcheck(lambda a: apply(half_wrong, (a,)), x, raise_exception=False) is False


def test_gradcheck_warns_about_single_precision():
    x = engine.tensor(X, requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision"):
        gradcheck(lambda a: a * 2, x, atol=1e-2, rtol=1e-2, eps=1e-3)
