"""Rows of the op table: products of vectors and matrices (``dot``, ``mv``, ``mm``, ``matmul``,
``bmm``), ``mse_loss``, and the singular value decomposition (``svdvals`` and the singular
vectors its gradients need)."""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine.ops.elementwise import via_graph
from autodiff_repl.engine.ops.row import (
    Sample,
    _engine,
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


# --- the singular value decomposition -----------------------------------------------------------
# A = U·diag(S)·Vh, reduced: an m×n matrix has k = min(m, n) singular values S (largest first);
# U is m×k with orthonormal columns, Vh is k×n with orthonormal rows. PyTorch's
# LinalgSvdBackward0 is one node with three outputs; here each output is a row of its own, all
# three named LinalgSvdBackward0 (as the pieces of ``unbind`` are), and the formulas are PyTorch's
# (``svd_backward`` and ``linalg_svd_jvp``), each with only its own output's gradient. They need
# U, S and Vh of the input (``m.svd``): on arrays from NumPy, on tensors (``create_graph=True``)
# from these rows again, so gradients of any order come for free. They assume distinct nonzero
# singular values: where two are equal, the singular vectors (and PyTorch's gradient) are not
# defined.

def _gaps(m, s):
    """E[i, j] = s_j² - s_i², and 1 on the diagonal (a stand-in divisor: the numerators there are
    0). What the singular vectors' derivatives are divided by."""
    s2 = s * s
    return m.where(np.eye(s.shape[-1], dtype=bool), 1.0, m.unsqueeze(s2, -2) - m.unsqueeze(s2, -1))


def _skew(m, x):
    return x - m.mT(x)


def _svdvals_vjp(m, g, a, out):
    """U·diag(g)·Vh: the singular value s_i = u_iᵀ·A·v_i changes by u_i·v_iᵀ. (Grouped as
    PyTorch groups it, so a recorded gradient has PyTorch's graph.)"""
    u, _, vh = m.svd(a)
    if a.shape[-2] >= a.shape[-1]:
        return m.matmul(u, m.unsqueeze(g, -1) * vh)
    return m.matmul(u * m.unsqueeze(g, -2), vh)


def _svdvals_jvp(m, t, a, out):
    """The diagonal of Uᵀ·T·V: ds_i = u_iᵀ·T·v_i."""
    u, _, vh = m.svd(a)
    return m.sum(u * m.matmul(t, m.mT(vh)), (-2,), False)


def _svd_u_vjp(m, g, a, out):
    """PyTorch's ``svd_backward`` given only U's gradient ``g``."""
    u, s, vh = m.svd(a)
    core = _skew(m, m.matmul(m.mT(u), g)) * m.unsqueeze(s, -2) / _gaps(m, s)
    if a.shape[-2] > s.shape[-1]:  # a tall matrix: g's part outside U's columns counts too
        g_s = g / m.unsqueeze(s, -2)
        return m.matmul(m.matmul(u, core) + g_s - m.matmul(u, m.matmul(m.mT(u), g_s)), vh)
    return m.matmul(m.matmul(u, core), vh)


def _svd_vh_vjp(m, g, a, out):
    """PyTorch's ``svd_backward`` given only Vh's gradient ``g``."""
    u, s, vh = m.svd(a)
    core = m.unsqueeze(s, -1) * _skew(m, m.matmul(vh, m.mT(g))) / _gaps(m, s)
    if a.shape[-1] > s.shape[-1]:  # a wide matrix: g's part outside Vh's rows counts too
        s_g = g / m.unsqueeze(s, -1)
        return m.matmul(u, m.matmul(core, vh) + s_g - m.matmul(m.matmul(s_g, m.mT(vh)), vh))
    return m.matmul(u, m.matmul(core, vh))


def _rotation(m, t, u, s, vh):
    """Uᵀ·T·V without its diagonal (the part of T that turns the singular vectors)."""
    p = m.matmul(m.matmul(m.mT(u), t), m.mT(vh))
    return m.where(np.eye(s.shape[-1], dtype=bool), 0.0, p)


def _svd_u_jvp(m, t, a, out):
    """dU = U·((ΩS + SΩᵀ) / E), plus (I - UUᵀ)·T·V/S for a tall matrix (Ω: ``_rotation``)."""
    u, s, vh = m.svd(a)
    p_s = _rotation(m, t, u, s, vh) * m.unsqueeze(s, -2)
    du = m.matmul(u, (p_s + m.mT(p_s)) / _gaps(m, s))
    if a.shape[-2] > s.shape[-1]:
        t_v = m.matmul(t, m.mT(vh)) / m.unsqueeze(s, -2)
        du = du + t_v - m.matmul(u, m.matmul(m.mT(u), t_v))
    return du


def _svd_vh_jvp(m, t, a, out):
    """dVh = -((SΩ + ΩᵀS) / E)·Vh, plus S⁻¹·Uᵀ·T·(I - VVᵀ) for a wide matrix."""
    u, s, vh = m.svd(a)
    s_p = m.unsqueeze(s, -1) * _rotation(m, t, u, s, vh)
    dvh = -m.matmul((s_p + m.mT(s_p)) / _gaps(m, s), vh)
    if a.shape[-1] > s.shape[-1]:
        u_t = m.matmul(m.mT(u), t) / m.unsqueeze(s, -1)
        dvh = dvh + u_t - m.matmul(m.matmul(u_t, m.mT(vh)), vh)
    return dvh


def _separated(a):
    """A sample: ``a`` (entries in ±0.25) plus 3, 2, 1 down the diagonal, so its singular values
    stay apart and away from 0 (where the singular vectors are not defined)."""
    engine = _engine()
    rows, cols = a.shape[-2:]
    spread = np.zeros((rows, cols))
    np.fill_diagonal(spread, (3.0, 2.0, 1.0)[:min(rows, cols)])
    return a + engine.tensor(spread, dtype=a.dtype)


def _svdvals_sample(a):
    return _engine().linalg.svdvals(_separated(a))


def _svd_part(part: int):
    """A sample's call: U (0) or Vh (2) of a matrix with separated singular values."""
    def call(a):
        return via_graph("svd")(_separated(a))[part]
    return call


_SVD_SHAPES = ((3, 3), (2, 3), (3, 2), (2, 2, 3), (2, 3, 2))
SVDVALS = _row("svdvals", "LinalgSvdBackward0", lambda a: np.linalg.svd(a, compute_uv=False),
               (_svdvals_vjp,), (_svdvals_jvp,), "singular values of {0}", ("u_i v_iᵀ",),
               needs=((0,),), says=("U · diag({up}) · Vᵀ",), domain=(-0.25, 0.25),
               samples=tuple(Sample((shape,), call=_svdvals_sample) for shape in _SVD_SHAPES))
SVD_U = _row("svd_u", "LinalgSvdBackward0",
             lambda a: np.linalg.svd(a, full_matrices=False)[0], (_svd_u_vjp,), (_svd_u_jvp,),
             "U of svd({0})", ("Uᵀ·d{0}·V off its diagonal, over s_j² - s_i²",), needs=((0,),),
             says=("U·(skew(Uᵀ·{up})·S / (s_j² - s_i²))·Vᵀ, plus {up}'s part outside U",),
             domain=(-0.25, 0.25),
             samples=tuple(Sample((shape,), call=_svd_part(0)) for shape in _SVD_SHAPES))
SVD_VH = _row("svd_vh", "LinalgSvdBackward0",
              lambda a: np.linalg.svd(a, full_matrices=False)[2], (_svd_vh_vjp,), (_svd_vh_jvp,),
              "Vᵀ of svd({0})", ("Uᵀ·d{0}·V off its diagonal, over s_j² - s_i²",), needs=((0,),),
              says=("U·(S·skew(Vᵀ·{up}ᵀ) / (s_j² - s_i²))·Vᵀ, plus {up}'s part outside Vᵀ",),
              domain=(-0.25, 0.25),
              samples=tuple(Sample((shape,), call=_svd_part(2)) for shape in _SVD_SHAPES))
