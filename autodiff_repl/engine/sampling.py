"""Random sampling: ``randperm`` (a shuffled range), ``bernoulli`` (coin flips with given
probabilities) and ``multinomial`` (class indices drawn from given weights).

They draw from the same generator as ``rand``/``randn`` (``creation.RNG``), as PyTorch's CPU
kernels do, so after the same ``manual_seed`` they give PyTorch's numbers:

- ``randperm(n)`` shuffles 0..n-1 from the front, one 32-bit word per position;
- ``bernoulli`` compares one uniform per element with its probability (``rng.bernoulli_``);
- ``multinomial`` with ``replacement=True`` draws one float64 uniform per sample and finds its
  class in the cumulative distribution by binary search; without replacement, or for a single
  sample, it takes the largest ``p / q`` for exponential draws ``q`` (the "Gumbel trick": each
  class is picked with probability proportional to its weight, and no class twice).

None is differentiable, but ``bernoulli`` of probabilities that require grad records PyTorch's
``BernoulliBackward0`` (whose gradient is 0).
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import creation, devices, dtypes, ops
from autodiff_repl.engine import functions as F
from autodiff_repl.engine.limits import check_numel
from autodiff_repl.engine.sort_order import topk_order
from autodiff_repl.engine.tensor import Tensor

_C_TYPES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t"}


def randperm(n, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """The integers 0 .. n-1 in a random order (int64 unless ``dtype`` says otherwise)."""
    if isinstance(n, Tensor) and n._data.ndim == 0 and n._data.dtype.kind in "iu":
        n = int(n._data)
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    devices.check(device)
    dtype = dtype or dtypes.int64
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    if dtype is dtypes.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if dtype.is_floating_point:
        most = 2 ** (np.finfo(dtype.np).nmant + 1) + 1  # beyond, not every integer fits
        if n > most:
            raise RuntimeError(f"n cannot be greater than {most} for {dtype.short} type.")
    elif n - 1 > np.iinfo(dtype.np).max:
        raise RuntimeError(f"value cannot be converted to type {_C_TYPES[dtype.name]} without "
                           "overflow")
    check_numel((n,))
    return creation._finish(creation.RNG.randperm(int(n)).astype(dtype.np), requires_grad)


def bernoulli(input, p=None) -> Tensor:
    """0s and 1s: 1 with probability ``input`` (a tensor of probabilities), or with probability
    ``p`` for every element of a tensor shaped like ``input``."""
    t = F.as_tensor(input)
    if p is not None:
        return t.new_empty(t.shape).bernoulli_(p)
    if not t.is_floating_point():
        raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                  f"'{t.dtype.short}'")
    _check_probabilities(t._data)
    sample = creation.RNG.bernoulli_(np.empty(t._data.shape, t._data.dtype), t._data)
    if t._rg or t._tangent is not None:  # PyTorch records the draw (its gradient is 0)
        return F.apply(ops.BERNOULLI, (t,), {"sample": sample})
    return Tensor._wrap(sample)


def _check_probabilities(p: np.ndarray) -> None:
    if not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an enhancement "
                           "request to PyTorch.)")


def fill_bernoulli(t: Tensor, p) -> None:
    """``t.bernoulli_(p)``'s draw: a number ``p`` in [0, 1], or probabilities broadcast to ``t``."""
    if isinstance(p, Tensor):
        if not p.is_floating_point():
            raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                      f"'{p.dtype.short}'")
        probabilities = p._data if p._data.shape == t._data.shape else \
            F.to(_expanded(p, t.shape), p.dtype)._data
        _check_probabilities(probabilities)
        creation.RNG.bernoulli_(t._data, probabilities)
        return
    p = float(F._number(p))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    creation.RNG.bernoulli_(t._data, p)


def _expanded(p: Tensor, shape) -> Tensor:
    from autodiff_repl.engine import shapes
    return shapes.expand(p.detach(), shape)


def multinomial(input, num_samples, replacement=False) -> Tensor:
    """``num_samples`` class indices for each row of weights ``input`` (1-D, or 2-D: a row per
    distribution); the weights need not sum to 1. Without replacement no class comes twice."""
    t = F.as_tensor(input)
    if isinstance(num_samples, bool) or not isinstance(num_samples, int | np.integer):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    if t.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not t.is_floating_point():
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{t.dtype.short}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = t.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = t._data.reshape(-1, categories)
    check_numel((rows.shape[0], num_samples))
    if replacement and num_samples > 1:
        picked = _with_replacement(rows, num_samples)
    else:
        picked = _without_replacement(rows, num_samples)
    return Tensor._wrap(picked.reshape(*t.shape[:-1], num_samples))


def _without_replacement(rows: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` largest ``p / q`` of each row, ``q`` exponential draws (the Gumbel trick)."""
    if not (np.isfinite(rows).all() and (rows >= 0).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = creation.RNG.exponential_(np.empty(rows.shape, rows.dtype))
    with np.errstate(divide="ignore", invalid="ignore"):
        keys = rows / q
    if n == 1:
        return np.argmax(keys, axis=1, keepdims=True)
    return topk_order(keys, n, 1, True, True)


def _with_replacement(rows: np.ndarray, n: int) -> np.ndarray:
    """For each draw, the class whose cumulative weight first reaches a uniform number."""
    acc = np.float32 if rows.dtype == np.float16 else rows.dtype.type  # float16 adds in float32
    picked = np.empty((rows.shape[0], n), np.int64)
    for r, row in enumerate(rows):
        bad = ~(row >= 0) | ~np.isfinite(row)
        if bad.any():  # PyTorch's message for the first bad weight (nan fails ">= 0")
            first = row[np.argmax(bad)]
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               + ("entry < 0)" if not first >= 0 else
                                  "entry = infinity or NaN)"))
        cumulative = np.cumsum(row.astype(acc), dtype=acc)  # adds left to right, as the kernel
        total = cumulative[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cumulative = cumulative / total
        cumulative[-1] = 1
        draws = creation.RNG.unit(n, np.float64)
        picked[r] = np.searchsorted(cumulative.astype(np.float64), draws, side="left")
    return picked


__all__ = ["bernoulli", "multinomial", "randperm"]
