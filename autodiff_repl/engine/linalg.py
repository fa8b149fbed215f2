"""``torch.linalg``: the norms (``linalg.norm``, ``vector_norm``, ``matrix_norm``) and the singular
values (``svdvals``). The norms are built as PyTorch builds them -- from the op table's vector
norm, sums and maxima, and the singular values -- so their gradients and ``grad_fn`` names are
PyTorch's: ``linalg.norm(A, ord=2)`` is ``AmaxBackward0`` on ``LinalgSvdBackward0`` on
``PermuteBackward0``."""

from __future__ import annotations

import math

from autodiff_repl.engine import creation, ops, reductions, shapes
from autodiff_repl.engine.functions import _dims, apply, as_tensor


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ``ord``-norm of the elements of ``x`` (over ``dim``, or all of them)."""
    if isinstance(ord, str):  # 'fro' and 'nuc' are matrix norms
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str")
    t = as_tensor(x) if dtype is None else as_tensor(x).to(dtype)
    return reductions.norm(t, ord, dim, keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm for a vector (or over one ``dim``); for a matrix (or over two dims) with an
    ``ord``, ``matrix_norm``. Without ``ord``, the 2-norm of all the elements (for a matrix, the
    Frobenius norm)."""
    t = as_tensor(A)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dims)}")
    elif ord is not None and t.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {t.ndim}D.")
    if isinstance(ord, str) or (ord is not None and (len(dims) == 2 if dim is not None
                                                     else t.ndim == 2)):
        return matrix_norm(t, ord, (0, 1) if dim is None else dims, keepdim, dtype=dtype)
    return vector_norm(t, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The ``ord``-norm of the matrices ``A`` holds in the dims ``dim``: ``'fro'`` the square
    root of the sum of squares; ``'nuc'`` the sum of the singular values; 2 (-2) the largest
    (smallest) singular value; 1 (-1) the largest (smallest) sum of absolute values down a
    column; inf (-inf) the same along a row."""
    t = as_tensor(A)
    if (ord not in ("fro", "nuc")) if isinstance(ord, str) else abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {_number(ord)} not supported.")
    from_svd = ord == "nuc" or (ord != "fro" and abs(ord) == 2)
    d0, d1 = _matrix_dims(t, dim, low_precision=not from_svd)
    if dtype is not None:
        _check_dtype(t, dtype)
    if ord == "fro":
        return vector_norm(t, 2, (d0, d1), keepdim, dtype=dtype)
    if from_svd:
        return _from_singular_values(t if dtype is None else t.to(dtype), ord, d0, d1, keepdim)
    # 1, -1, inf, -inf: the largest (smallest) 1-norm along d0 (inf: along d1), over the other dim
    if abs(ord) == math.inf:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1  # the first reduction removed a dim before it
    return _max_min(ord, vector_norm(t, 1, d0, keepdim, dtype=dtype), d1, keepdim)


def _from_singular_values(t, ord, d0: int, d1: int, keepdim: bool):
    """The norms 'nuc' (the sum), 2 (the largest) and -2 (the smallest of the singular values),
    with the matrix dims moved last for ``svdvals``, as PyTorch computes them."""
    order = [d for d in range(t.ndim) if d not in (d0, d1)] + [d0, d1]
    s = svdvals(shapes.permute(t, order))
    result = reductions.sum(s, -1, keepdim) if ord == "nuc" else _max_min(ord, s, -1, keepdim)
    if keepdim:  # the two reduced dims back where they were, as size 1
        result = shapes.permute(shapes.unsqueeze(result, -1),
                                [order.index(d) for d in range(t.ndim)])
    return result


def _max_min(ord, x, dim: int, keepdim: bool):
    """The largest (``ord`` > 0) or smallest values of the norms ``x`` along ``dim``. Norms are
    never negative, so the largest of none (an empty matrix) is 0, as PyTorch takes it: a fresh
    zero, with no gradient. The smallest of none is refused (``amin``'s error)."""
    if ord > 0 and x.shape[dim] == 0:
        shape = list(x.shape)
        if keepdim:
            shape[dim] = 1
        else:
            del shape[dim]
        return creation.zeros(shape, dtype=x.dtype)
    return (reductions.amax if ord > 0 else reductions.amin)(x, dim, keepdim)


def svdvals(A):
    """The singular values of ``A`` (of each matrix of a batch), largest first: the square roots
    of the eigenvalues of AᵀA, how much ``A`` stretches along each of its principal directions."""
    t = as_tensor(A)
    if t.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    if not t.is_floating_point():
        raise RuntimeError(f"linalg.svd: Expected a floating point or complex tensor as input. "
                           f"Got {t.dtype.short}")
    if t.dtype.itemsize < 4:
        raise NotImplementedError(f"\"linalg_svd_cpu\" not implemented for '{t.dtype.short}'")
    return apply(ops.SVDVALS, (t,))


def _matrix_dims(t, dim, low_precision: bool) -> tuple[int, int]:
    """The two matrix dims, checked and made non-negative, after PyTorch's checks of ``t``
    (``low_precision``: whether float16 will do)."""
    if t.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not t.is_floating_point():
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {t.dtype.short}")
    if not low_precision and t.dtype.itemsize < 4:
        raise RuntimeError(f"linalg.matrix_norm: Low precision dtypes not supported. Got "
                           f"{t.dtype.short}")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dims))}")
    d0, d1 = (_dims(d, t.ndim)[0] for d in dims)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def _check_dtype(t, dtype) -> None:
    """A norm's ``dtype`` as PyTorch allows it: floating, and not narrower than ``t``'s."""
    if not dtype.is_floating_point:
        raise RuntimeError(f"linalg.matrix_norm: dtype should be floating point or complex, but "
                           f"got {dtype.short}")
    if dtype.itemsize < t.dtype.itemsize:
        raise RuntimeError(f"linalg.matrix_norm: the dtype of the input ({t.dtype.short}) should "
                           f"be convertible without narrowing to the specified dtype "
                           f"({dtype.short})")


def _number(ord) -> str:
    """``ord`` as PyTorch's messages print it: 3 for 3.0, nan, inf."""
    if isinstance(ord, float) and ord.is_integer():
        return str(int(ord))
    return str(ord)
