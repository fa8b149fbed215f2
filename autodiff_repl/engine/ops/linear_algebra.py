"""Rows of the op table: products of vectors and matrices (``dot``, ``mv``, ``mm``, ``matmul``,
``bmm``) and ``mse_loss``."""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine.ops.row import (
    Sample,
    _row,
    reduced_size,
)

DOT = _row("dot", "DotBackward0", lambda a, b: np.dot(a, b) + a.dtype.type(0),  # -0 -> 0, as BLAS
           (lambda m, g, a, b, out: g * b, lambda m, g, a, b, out: g * a),
           (lambda m, t, a, b, out: m.dot(t, b), lambda m, t, a, b, out: m.dot(a, t)),
           "{0} · {1}", ("{1}", "{0}"), needs=((1,), (0,)), samples=(Sample(((4,), (4,))),))
MV = _row("mv", "MvBackward0", np.matmul,
          (lambda m, g, a, v, out: m.outer(g, v), lambda m, g, a, v, out: m.mv(m.t(a), g)),
          (lambda m, t, a, v, out: m.mv(t, v), lambda m, t, a, v, out: m.mv(a, t)),
          "{0} {1}", ("{1}ᵀ", "{0}ᵀ"), needs=((1,), (0,)), samples=(Sample(((2, 3), (3,))),),
          says=("{up} ⊗ {1}  (outer product)", "{0}ᵀ · {up}"))
MM = _row("mm", "MmBackward0", np.matmul,
          (lambda m, g, a, b, out: m.mm(g, m.t(b)), lambda m, g, a, b, out: m.mm(m.t(a), g)),
          (lambda m, t, a, b, out: m.mm(t, b), lambda m, t, a, b, out: m.mm(a, t)),
          "{0} {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)), samples=(Sample(((2, 3), (3, 4))),),
          says=("{up} · {1}ᵀ", "{0}ᵀ · {up}"))
def _matmul_vjp_a(m, g, a, b, out):
    """Batched: g @ bᵀ, with a 1-D operand treated as a row (a) or a column (b) and squeezed."""
    if b.ndim == 1:
        return m.unsqueeze(g, -1) * b
    if a.ndim == 1:
        return m.reshape(m.matmul(m.unsqueeze(g, -2), m.mT(b)), (*g.shape[:-1], b.shape[-2]))
    return m.matmul(g, m.mT(b))


def _matmul_vjp_b(m, g, a, b, out):
    """Batched: aᵀ @ g (see ``_matmul_vjp_a``)."""
    if a.ndim == 1:
        return m.unsqueeze(a, -1) * m.unsqueeze(g, -2)
    if b.ndim == 1:
        return m.reshape(m.matmul(m.mT(a), m.unsqueeze(g, -1)), (*g.shape[:-1], a.shape[-1]))
    return m.matmul(m.mT(a), g)


MATMUL = _row("matmul", "UnsafeViewBackward0", np.matmul, (_matmul_vjp_a, _matmul_vjp_b),
              (lambda m, t, a, b, out: m.matmul(t, b), lambda m, t, a, b, out: m.matmul(a, t)),
              "{0} @ {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)),
              says=("{up} · {1}ᵀ", "{0}ᵀ · {up}"),
              samples=(Sample(((2, 2, 3), (3, 4))), Sample(((2, 2, 3), (2, 3, 4))),
                       Sample(((3,), (2, 3, 4))), Sample(((2, 2, 3), (3,))),
                       Sample(((2, 1, 2, 3), (3, 3, 2)))))
BMM = _row("bmm", "BmmBackward0", np.matmul,
           (lambda m, g, a, b, out: m.bmm(g, m.mT(b)), lambda m, g, a, b, out: m.bmm(m.mT(a), g)),
           (lambda m, t, a, b, out: m.bmm(t, b), lambda m, t, a, b, out: m.bmm(a, t)),
           "{0} @ {1}", ("· {1}ᵀ", "{0}ᵀ ·"), needs=((1,), (0,)),
           says=("{up} · {1}ᵀ, per batch", "{0}ᵀ · {up}, per batch"),
           samples=(Sample(((2, 2, 3), (2, 3, 4))), Sample(((1, 3, 2), (1, 2, 2)))))
MSE_LOSS = _row("mse_loss", "MseLossBackward0", lambda a, b: np.mean((a - b) ** 2),
                (lambda m, g, a, b, out: g * 2 * (a - b) / reduced_size(out_shape(a, b), None),
                 lambda m, g, a, b, out: -g * 2 * (a - b) / reduced_size(out_shape(a, b), None)),
                (lambda m, t, a, b, out: m.mean(2 * (a - b) * t, None, False),
                 lambda m, t, a, b, out: m.mean(-2 * (a - b) * t, None, False)),
                "mean(({0} - {1})²)", ("2({0} - {1})/n", "-2({0} - {1})/n"), needs=((0, 1), (0, 1)),
                samples=(Sample(((4,), (4,)), call=lambda a, b: _mse(a, b)),
                         Sample(((2, 3), (2, 3)), call=lambda a, b: _mse(a, b))))


def out_shape(a, b) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))


def _mse(a, b):
    from autodiff_repl.engine.nn import functional
    return functional.mse_loss(a, b)
