"""Gradient tests generated from the op table: every row, every sample.

For each ``(row, sample)``: float64 inputs drawn from the row's ``domain`` (at least 0.1 away from
its ``away_from`` kinks), the op called publicly, and then

- the output's ``grad_fn`` is the row's (so the test really exercises that row);
- ``gradcheck``: the reverse-mode Jacobian against central differences;
- forward mode: the JVP Jacobian against central differences (``check_forward_ad``), and the
  adjoint identity ⟨u, J v⟩ = ⟨Jᵀ u, v⟩ for random u, v;
- ``gradgradcheck``: second derivatives through ``create_graph``;
- each input's gradient has the input's shape and dtype.

A row without samples fails ``test_every_row_has_samples``: adding an op means adding its checks.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

from autodiff_repl import engine
from autodiff_repl.engine import backends, ops
from autodiff_repl.engine.autograd import forward_ad
from autodiff_repl.engine.gradcheck import gradcheck, gradgradcheck


def _case_id(op: ops.Op, index: int) -> str:
    """``mul-(2, 3)x(3,)``; a row's samples with the same shapes are told apart by their params
    or their place."""
    sample = op.samples[index]
    name = f"{op.name}-{'x'.join(map(str, sample.shapes))}"
    twins = [s for s in op.samples if s.shapes == sample.shapes]
    if len(twins) > 1:
        params = ",".join(f"{k}={v}" for k, v in sample.params.items())
        name += f"-{params}" if params and sum(
            s.params == sample.params for s in twins) == 1 else f"-#{index}"
    return name


CASES = [pytest.param(op, i, id=_case_id(op, i))
         for op in ops.TABLE for i in range(len(op.samples))]


def draw(op: ops.Op, index: int) -> list:
    """The sample's inputs: float64 leaves in ``op.domain``, clear of ``op.away_from``."""
    sample = op.samples[index]
    rng = np.random.default_rng(zlib.crc32(f"{op.name}/{index}".encode()))
    lo, hi = op.domain
    inputs = []
    for shape in sample.shapes:
        x = rng.uniform(lo, hi, size=shape)
        for _ in range(100):
            near = np.zeros(x.shape, dtype=bool)
            for p in op.away_from:
                near |= np.abs(x - p) < 0.1
            if not near.any():
                break
            x = np.where(near, rng.uniform(lo, hi, size=shape), x)
        else:
            pytest.fail(f"could not draw inputs for {op.name} clear of {op.away_from}")
        inputs.append(engine.tensor(x, dtype=engine.float64, requires_grad=True))
    return inputs


def call(op: ops.Op, index: int, *inputs):
    sample = op.samples[index]
    fn = sample.call or getattr(engine, op.name)
    return fn(*inputs, **sample.params)


def tolerances(op, index, inputs) -> dict:
    """PyTorch's defaults; looser when the op's output is float32 (a float32 rounding of x ± ε)."""
    out = call(op, index, *inputs)
    if out.dtype is engine.float64:
        return {}
    return {"eps": 1e-3, "atol": 1e-4, "rtol": 1e-3}


def test_every_row_has_samples():
    assert [op.name for op in ops.TABLE if not op.samples] == []


def test_table_names_are_unique():
    names = [op.name for op in ops.TABLE]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("op", "index"), CASES)
def test_grad_fn_is_the_row(op, index):
    out = call(op, index, *draw(op, index))
    assert out.grad_fn is not None
    assert out.grad_fn.name() == op.grad_fn
    assert out.grad_fn.op is op


@pytest.mark.parametrize(("op", "index"), CASES)
def test_gradcheck(op, index):
    inputs = draw(op, index)
    assert gradcheck(lambda *xs: call(op, index, *xs), inputs, check_forward_ad=True,
                     **tolerances(op, index, inputs))


@pytest.mark.parametrize(("op", "index"), CASES)
def test_gradgradcheck(op, index):
    inputs = draw(op, index)
    loose = tolerances(op, index, inputs)
    with warnings.catch_warnings():
        if loose:  # the float32 grad_outputs: gradcheck's warning is expected
            warnings.simplefilter("ignore", UserWarning)
        assert gradgradcheck(lambda *xs: call(op, index, *xs), inputs, **loose)


@pytest.mark.parametrize(("op", "index"), CASES)
def test_adjoint_identity(op, index):
    """⟨u, J v⟩ (forward mode) equals ⟨Jᵀ u, v⟩ (reverse mode)."""
    inputs = draw(op, index)
    rng = np.random.default_rng(index)
    vs = [rng.standard_normal(x.shape) for x in inputs]
    with forward_ad.dual_level():
        duals = [forward_ad.make_dual(x, engine.tensor(v)) for x, v in zip(inputs, vs, strict=True)]
        out = call(op, index, *duals)
        jv = forward_ad.unpack_dual(out).tangent
    assert jv is not None and jv.shape == out.shape and jv.dtype == out.dtype
    with forward_ad.dual_level():  # the same tangent when the inputs don't require grad
        plain = [forward_ad.make_dual(x.detach(), engine.tensor(v))
                 for x, v in zip(inputs, vs, strict=True)]
        assert np.array_equal(forward_ad.unpack_dual(call(op, index, *plain)).tangent.numpy(),
                              jv.numpy())
    u = rng.standard_normal(out.shape)
    grads = engine.autograd.grad(out, inputs, engine.tensor(u, dtype=out.dtype), allow_unused=True)
    left = float(np.sum(u * jv.numpy()))
    right = sum(0.0 if g is None else float(np.sum(g.numpy() * v))
                for g, v in zip(grads, vs, strict=True))
    assert left == pytest.approx(right, rel=1e-9 if out.dtype is engine.float64 else 1e-5,
                                 abs=1e-9 if out.dtype is engine.float64 else 1e-5)


@pytest.mark.parametrize(("op", "index"), CASES)
def test_grad_shape_and_dtype(op, index):
    inputs = draw(op, index)
    out = call(op, index, *inputs)
    out.backward(engine.ones_like(out))
    for x in inputs:
        assert x.grad is not None
        assert x.grad.shape == x.shape
        assert x.grad.dtype == x.dtype
        assert x.grad.is_leaf and not x.grad.requires_grad


# What PyTorch's own gradient formulas call, offered by both backends: (name, input shapes, params)
FORMULA_NAMES = [
    ("mul_scalar", ((2, 3),), {"other": -2.5}), ("add_scalar", ((4,),), {"other": 1.0}),
    ("div_scalar", ((4,),), {"other": 3.0}), ("rsqrt", ((4,),), {}), ("zeros_like", ((2, 3),), {}),
    ("svd", ((3, 2),), {}), ("tanh_backward", ((4,), (4,)), {}),
    ("sigmoid_backward", ((4,), (4,)), {}),
    ("threshold_backward", ((2, 3), (2, 3)), {"threshold": 1}),
    ("softmax_backward_data", ((2, 3), (2, 3)), {"dim": 1}),
    ("log_softmax_backward_data", ((2, 3), (2, 3)), {"dim": 0}),
]


@pytest.mark.parametrize(("name", "shapes", "params"), FORMULA_NAMES,
                         ids=[name for name, *_ in FORMULA_NAMES])
def test_both_backends_offer_what_pytorchs_formulas_call(name, shapes, params):
    """The same numbers on arrays (a plain backward) and on tensors, where each call is recorded
    as a node of its own (``MulBackward1``, ``TanhBackwardBackward0`` ...)."""
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(0.5, 2.0, size=shape) for shape in shapes]
    on_arrays = getattr(backends.RAW, name)(*arrays, **params)
    tensors = [engine.tensor(a, requires_grad=True) for a in arrays]
    on_tensors = getattr(backends.GRAPH, name)(*tensors, **params)
    pairs = zip(on_arrays, on_tensors, strict=True) if name == "svd" else \
        [(on_arrays, on_tensors)]
    for a, t in pairs:
        np.testing.assert_allclose(t.detach().numpy(), a, rtol=1e-12)
        assert (t.grad_fn is None) == (name == "zeros_like")
