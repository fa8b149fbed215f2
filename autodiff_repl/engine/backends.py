"""The two namespaces the op table's formulas run on.

A formula such as ``g * m.cos(x)`` is written once. With ``m = RAW`` its values are NumPy arrays
and it runs at NumPy speed (a plain ``backward()``). With ``m = GRAPH`` its values are tensors and
every step is recorded, so the gradient has a graph of its own (``create_graph=True``) and can be
differentiated again. Both namespaces offer the same names with the same meaning.
"""

from __future__ import annotations

import math

import numpy as np

from autodiff_repl.engine import ops


class RAW:
    """Formulas on NumPy arrays."""

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    sinh = staticmethod(np.sinh)
    cosh = staticmethod(np.cosh)
    sqrt = staticmethod(np.sqrt)
    tanh = staticmethod(np.tanh)
    erf = staticmethod(ops.elementwise.erf_array)
    sign = staticmethod(np.sign)
    abs = staticmethod(np.abs)
    isfinite = staticmethod(np.isfinite)
    where = staticmethod(np.where)
    outer = staticmethod(np.outer)
    dot = staticmethod(np.dot)
    mv = staticmethod(np.matmul)
    mm = staticmethod(np.matmul)
    matmul = staticmethod(np.matmul)
    bmm = staticmethod(np.matmul)
    sum_to = staticmethod(ops.sum_to)
    tril = staticmethod(np.tril)
    triu = staticmethod(np.triu)

    @staticmethod
    def sum(x, dim, keepdim):
        return np.sum(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def mean(x, dim, keepdim):
        return np.mean(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def prod(x, dim, keepdim):
        return np.prod(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def cumsum(x, dim):
        return np.cumsum(x, axis=dim)

    @staticmethod
    def cumprod(x, dim):
        return np.cumprod(x, axis=dim)

    @staticmethod
    def flip(x, dims):
        return np.flip(x, dims)

    @staticmethod
    def roll(x, shifts, dims):
        return np.roll(x, shifts, dims)

    @staticmethod
    def expand(x, shape):
        # A read-only view saves memory for big shapes; for small ones a fresh array is cheaper
        # than np.broadcast_to's Python-level checks (and can become a .grad without a copy).
        if math.prod(shape) > 65536:
            return np.broadcast_to(x, shape)
        out = np.empty(shape, x.dtype)  # np.full, minus its Python wrapper
        out[...] = x  # (np.copyto costs half as much again, through its dispatcher)
        return out

    @staticmethod
    def reshape(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def unsqueeze(x, dim):
        return np.expand_dims(x, dim)

    @staticmethod
    def t(x):
        return x.T

    @staticmethod
    def mT(x):
        return np.swapaxes(x, -1, -2)

    @staticmethod
    def transpose(x, dim0, dim1):
        return np.swapaxes(x, dim0, dim1)

    @staticmethod
    def permute(x, dims):
        return np.transpose(x, dims)

    @staticmethod
    def getitem(x, index):
        return x[index]

    @staticmethod
    def index_backward(g, index, shape):
        return ops._scatter(g, index, shape)

    @staticmethod
    def cast(x, dtype):
        return x.astype(dtype.np, copy=False)

    # --- what PyTorch's own gradient formulas call (recorded, each is a node of its own) ---

    @staticmethod
    def mul_scalar(x, other):
        return x * other

    @staticmethod
    def add_scalar(x, other):
        return x + other

    @staticmethod
    def div_scalar(x, other):
        return x / other

    @staticmethod
    def rsqrt(x):
        return 1 / np.sqrt(x)

    sgn = staticmethod(np.sign)

    zeros_like = staticmethod(np.zeros_like)

    @staticmethod
    def svd(a):
        """U, S, Vh of ``a`` (of each matrix of a batch), reduced: ``a = U·diag(S)·Vh``."""
        return np.linalg.svd(a, full_matrices=False)

    tanh_backward = staticmethod(ops.TANH_BACKWARD.forward)
    sigmoid_backward = staticmethod(ops.SIGMOID_BACKWARD.forward)
    threshold_backward = staticmethod(ops.THRESHOLD_BACKWARD.forward)
    softmax_backward_data = staticmethod(ops.SOFTMAX_BACKWARD_DATA.forward)
    log_softmax_backward_data = staticmethod(ops.LOG_SOFTMAX_BACKWARD_DATA.forward)


class GRAPH:
    """Formulas on tensors: the same names, each call recorded in the graph.

    Filled by ``bind_graph`` once ``functions`` is imported (it imports this module).
    """


def bind_graph() -> None:
    """Fill ``GRAPH`` with the engine's public functions of the same names."""
    from autodiff_repl.engine import functions as f
    from autodiff_repl.engine import reductions, shapes

    def sum_(x, dim, keepdim):
        return reductions.sum(x) if dim is None and not keepdim else reductions.sum(x, dim, keepdim)

    def mean_(x, dim, keepdim):
        if dim is None and not keepdim:
            return reductions.mean(x)
        return reductions.mean(x, dim, keepdim)

    def prod_(x, dim, keepdim):
        if dim is None:
            return reductions.prod(x)
        (d,) = dim
        return reductions.prod(x, d, keepdim)

    table = {
        "exp": f.exp, "log": f.log, "sin": f.sin, "cos": f.cos, "sinh": f.sinh, "cosh": f.cosh,
        "sqrt": f.sqrt, "sign": f.sign, "abs": f.abs, "isfinite": f.isfinite, "where": f.where,
        "outer": f.outer, "dot": f.dot, "mv": f.mv, "mm": f.mm, "matmul": f.matmul, "bmm": f.bmm,
        "sum_to": reductions.sum_to_size, "sum": sum_, "mean": mean_, "prod": prod_,
        "cumsum": reductions.cumsum, "cumprod": reductions.cumprod, "flip": shapes.flip,
        "roll": shapes.roll, "tril": shapes.tril, "triu": shapes.triu, "expand": shapes.expand,
        "reshape": shapes.reshape, "unsqueeze": shapes.unsqueeze, "t": shapes.t,
        "mT": lambda x: shapes.transpose(x, -1, -2), "transpose": shapes.transpose,
        "permute": shapes.permute,
        "getitem": lambda x, index: x[index], "index_backward": shapes.index_backward,
        "cast": lambda x, dtype: x.to(dtype),
    }
    table.update(tanh=f.tanh, erf=f.erf)  # (for the activations' gradients)
    for name, fn in table.items():
        setattr(GRAPH, name, staticmethod(fn))
    _bind_rows()


def _bind_rows() -> None:
    """Fill ``GRAPH`` with what PyTorch's own gradient formulas call that no public function
    records the same way: a tensor times a number is ``MulBackward1`` there (``x * 2`` typed by
    the user is ``MulBackward0``), divided by a number ``DivBackward1``; the gradient of tanh is
    one node, ``TanhBackwardBackward0``, not a product and a difference. Each applies its row of
    the op table directly."""
    from autodiff_repl.engine import creation
    from autodiff_repl.engine import functions as f
    apply = f.apply

    def svd(a):
        return apply(ops.SVD_U, (a,)), apply(ops.SVDVALS, (a,)), apply(ops.SVD_VH, (a,))

    table = {
        "mul_scalar": lambda x, other: apply(ops.MUL_SCALAR, (x,), {"other": other}),
        "add_scalar": lambda x, other: apply(ops.ADD_SCALAR, (x,), {"other": other}),
        "div_scalar": lambda x, other: apply(ops.DIV_SCALAR, (x,), {"other": other}),
        "sgn": lambda x: apply(ops.SGN, (x,)),
        "rsqrt": f.rsqrt, "zeros_like": creation.zeros_like, "svd": svd,
        "tanh_backward": lambda g, y: apply(ops.TANH_BACKWARD, (g, y)),
        "sigmoid_backward": lambda g, y: apply(ops.SIGMOID_BACKWARD, (g, y)),
        "threshold_backward": lambda g, y, threshold: apply(
            ops.THRESHOLD_BACKWARD, (g, y), {"threshold": threshold}),
        "softmax_backward_data": lambda g, y, dim: apply(
            ops.SOFTMAX_BACKWARD_DATA, (g, y), {"dim": dim}),
        "log_softmax_backward_data": lambda g, y, dim: apply(
            ops.LOG_SOFTMAX_BACKWARD_DATA, (g, y), {"dim": dim}),
    }
    for name, fn in table.items():
        setattr(GRAPH, name, staticmethod(fn))
