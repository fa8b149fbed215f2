"""Every explanation works across a wide set of ops: the trace's gradients equal a plain
backward's, the finite-difference check passes, forward mode equals the engine's forward AD, and
the graph, DOT and plain texts are stable (no addresses)."""

from __future__ import annotations

import numpy as np
import pytest
from test_explain_support import recording

import autodiff_repl.engine as torch
from autodiff_repl.engine.autograd import forward_ad
from autodiff_repl.engine.nn import functional as F
from autodiff_repl.explain import dot, graph, trace

X = [[0.3, -0.7, 1.2], [0.9, 0.4, -1.1]]
W = [0.5, -0.25, 0.8]


def _setitem(x, w):
    y = x * 1
    y[0, 1:] = w[:2]
    return y.sum()


OPS = {
    "exp_log": lambda x, w: torch.log(torch.exp(x) + 1).sum(),
    "sin_cos_tan": lambda x, w: (torch.sin(x) * torch.cos(x) + torch.tan(x * 0.5)).sum(),
    "tanh_sigmoid_relu": lambda x, w: (torch.tanh(x) + torch.sigmoid(x) + torch.relu(x)).sum(),
    "pow_sqrt_abs": lambda x, w: (x ** 3 + torch.sqrt(x * x + 1) + torch.abs(x)).sum(),
    "div_rsub_neg": lambda x, w: ((1 - x) / (w + 2) - x).sum(),
    "rpow_reciprocal": lambda x, w: (2.0 ** x + 1 / (x + 3)).sum(),
    "clamp_max_min": lambda x, w: (torch.clamp(x, -0.5, 0.5) + torch.maximum(x, w)
                                   + torch.minimum(x, w * 0.3)).sum(),
    "where": lambda x, w: torch.where(x > 0, x * w, x * 2).sum(),
    "broadcast_mul": lambda x, w: (x * w).sum(),
    "matmul_mv": lambda x, w: (x @ w).sum(),
    "mm_t": lambda x, w: (x @ x.t()).sum(),
    "sum_mean_dims": lambda x, w: (x.sum(dim=0) * w).sum() + x.mean(dim=1).sum(),
    "prod_max_min": lambda x, w: x.prod() + x.max() - x.min(),
    "max_dim": lambda x, w: x.max(dim=1).values.sum(),
    "norm": lambda x, w: x.norm() + w.norm(),
    "softmax": lambda x, w: (torch.softmax(x, dim=1) * w).sum(),
    "log_softmax": lambda x, w: (torch.log_softmax(x, dim=0) * w).sum(),
    "mse_loss": lambda x, w: F.mse_loss(x[0], w),
    "reshape_transpose": lambda x, w: (x.reshape(3, 2).transpose(0, 1) * x).sum(),
    "unsqueeze_expand_permute": lambda x, w: (w.unsqueeze(0).expand(2, 3) * x.permute(0, 1)).sum(),
    "index_slice": lambda x, w: x[1].sum() * x[0, 1:].sum() + x[[0, 1, 1], [2, 0, 0]].sum(),
    "cat_stack": lambda x, w: (torch.cat([x[0], w]) ** 2).sum() + torch.stack([x[1], w]).prod(),
    "clone_to": lambda x, w: (x.clone().double() * 2).sum(),
    "setitem": _setitem,
}


def _inputs():
    x = torch.tensor(X, requires_grad=True)
    w = torch.tensor(W, requires_grad=True)
    return x, w


@pytest.mark.parametrize("name", sorted(OPS))
def test_trace_graph_and_forward_for_op(name: str) -> None:
    fn = OPS[name]
    with recording():
        x, w = _inputs()
        y = fn(x, w)
    names = {"x": x, "w": w, "y": y}
    g = graph.build(y, names)
    text = g.plain() + dot.to_dot(g)
    tr = trace.backward(y, names)
    text += tr.plain()
    assert "0x" not in text
    assert tr.checks and all(c.passed for c in tr.checks), tr.plain()
    x2, w2 = _inputs()
    fn(x2, w2).backward()
    np.testing.assert_array_equal(x.grad.numpy(), x2.grad.numpy())
    if w2.grad is not None:
        np.testing.assert_array_equal(w.grad.numpy(), w2.grad.numpy())
    with recording():
        x3, w3 = _inputs()
        y3 = fn(x3, w3)
    v = torch.tensor([[1.0, 0.5, -1.0], [0.25, 2.0, 1.0]])
    fwd = trace.forward(y3, x3, v, {"x": x3, "w": w3, "y": y3})
    x4, w4 = _inputs()
    with forward_ad.dual_level():
        out = fn(forward_ad.make_dual(x4, v), w4)
        expected = forward_ad.unpack_dual(out).tangent
    np.testing.assert_allclose(fwd.results[0].numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)
