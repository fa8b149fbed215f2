"""Fused multiply-add on NumPy arrays: ``a * b + c`` rounded once, as a CPU's FMA instruction
computes it.

PyTorch's CPU kernels are compiled with FMA instructions on x86-64 (AVX2 and AVX-512 builds) and
the compiler fuses ``start + step * i`` into one: the product is not rounded before the sum. NumPy
has no FMA, so ``fma`` builds it from exact steps (error-free transformations):

- float32: the product of two float32 numbers is exact in float64; the sum is rounded to odd in
  float64, which then rounds to float32 exactly as the single rounding would (Boldo and
  Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to
  odd", 2008);
- float64: the same paper's algorithm: the product split exactly into two float64 numbers
  (Dekker), the sum with ``c`` exactly into two more (Knuth), the small parts added with rounding
  to odd, then one last rounding.

Exact for finite results away from overflow and underflow (|values| below about 1e300 and above
1e-290), which covers every range a learner makes.
"""

from __future__ import annotations

import numpy as np

_SPLITTER = 2.0 ** 27 + 1  # Veltkamp's constant for float64's 53-bit significand


def fma(a, b, c, dtype) -> np.ndarray:
    """``a * b + c`` rounded once to ``dtype`` (float32 or float64), elementwise."""
    a, b, c = (np.asarray(x, dtype=np.float64) for x in (a, b, c))
    if np.dtype(dtype) == np.float32:
        return _round_to_odd(*_two_sum(a * b, c)).astype(np.float32)
    product, product_error = _two_product(a, b)
    total, total_error = _two_sum(c, product)
    return total + _round_to_odd(*_two_sum(total_error, product_error))


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a + b`` as the rounded sum and its exact error (Knuth's TwoSum)."""
    total = a + b
    b_part = total - a
    return total, (a - (total - b_part)) + (b - b_part)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a * b`` as the rounded product and its exact error (Dekker's TwoProduct)."""
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return product, error


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` as two halves of 26 bits each, whose products are exact (Veltkamp's split)."""
    scaled = a * _SPLITTER
    high = scaled - (scaled - a)
    return high, a - high


def _round_to_odd(total: np.ndarray, error: np.ndarray) -> np.ndarray:
    """``total + error`` (``total`` its rounding to nearest) rounded to odd instead: inexact sums
    end on an odd last bit, so a later rounding to fewer bits can't round twice."""
    even = (total.view(np.int64) & 1) == 0
    nudge = (error != 0) & even & np.isfinite(total)
    return np.where(nudge, np.nextafter(total, np.where(error > 0, np.inf, -np.inf)), total)
