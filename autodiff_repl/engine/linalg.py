"""``torch.linalg``: the norms (``linalg.norm``, ``linalg.vector_norm``), built on the op table's
vector norm and on sums and maxima, so their gradients and ``grad_fn`` names are PyTorch's."""

from __future__ import annotations

import math

from autodiff_repl.engine import reductions
from autodiff_repl.engine.functions import abs, as_tensor

_BY_COLUMNS = {1: (reductions.amax, 0), -1: (reductions.amin, 0),
               math.inf: (reductions.amax, 1), -math.inf: (reductions.amin, 1)}


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ``ord``-norm of the elements of ``x`` (over ``dim``, or all of them)."""
    t = as_tensor(x) if dtype is None else as_tensor(x).to(dtype)
    return reductions.norm(t, ord, dim, keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm for a vector (or with an int ``dim``); for a matrix, the Frobenius norm by
    default, or the largest (``ord=1``, ``inf``) or smallest (``-1``, ``-inf``) sum of absolute
    values down a column (1) or along a row (inf)."""
    t = as_tensor(A) if dtype is None else as_tensor(A).to(dtype)
    if ord is None:
        return reductions.norm(t, 2, dim, keepdim)
    as_matrix = isinstance(dim, tuple | list) or (dim is None and t.ndim == 2)
    if not as_matrix:
        if isinstance(ord, str):
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                               "dimensions.")
        return reductions.norm(t, ord, dim, keepdim)
    if ord == "fro":
        return reductions.norm(t, 2, dim, keepdim)
    if ord in _BY_COLUMNS and not keepdim and dim in (None, (0, 1), [0, 1]):
        extreme, along = _BY_COLUMNS[ord]
        return extreme(reductions.sum(abs(t), along))
    raise NotImplementedError(f"linalg.norm with ord={ord!r} for a matrix needs singular values, "
                              "which this engine does not compute; ord='fro', 1, -1, inf and -inf "
                              "work")
