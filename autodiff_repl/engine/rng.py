"""PyTorch's CPU random numbers, bit for bit, drawn with NumPy.

PyTorch's default CPU generator is an mt19937 seeded with ``seed mod 2**32`` (``std::mt19937``'s
seeding, which ``np.random.MT19937`` reproduces when given the same 624-word key) plus one cached
Box-Muller sample. Each PyTorch kernel turns the 32-bit words into numbers its own way, and this
module repeats each of them (ATen's ``DistributionsHelper.h``, ``TransformationHelper.h`` and
``native/cpu/DistributionTemplates.h``; PyTorch's compiler fuses ``a * b + c`` into one rounding,
so the same sums are written ``fma`` here):

- ``uniform_`` (``rand``): float32 and float16 use one word each, ``(w & (2**24 - 1)) * 2**-24``;
  float64 two words ``hi, lo`` as ``((hi << 32 | lo) & (2**53 - 1)) * 2**-53``; then
  ``fma(x, to - from, from)`` in float32 (float64 for float64), a cast, and a value rounded up
  to ``to`` becomes ``from``.
- ``random_(from, to)`` (``randint``): ``w % range + from``, with one word when the range is below
  ``2**28``, else a 64-bit ``hi << 32 | lo``.
- ``bernoulli_(p)``: one uniform per element, 1 where it is below ``p``: a 53-bit float64 uniform
  for a number ``p`` or a float64 tensor of them, a 24-bit float32 one for other tensors.
- ``exponential_`` (``multinomial`` without replacement): ``-log1p(-u)/lambda`` for a float64
  uniform ``u``, in float64, then cast.
- ``randperm(n)``: Fisher-Yates from the front, position ``i`` swapped with ``i + w % (n - i)``.
- ``normal_`` (``randn``, ``normal``) has two paths:
  * contiguous tensors of 16 or more elements: all uniforms first, then Box-Muller on blocks of
    16 (the first 8 give radii, the last 8 angles); when the size is not a multiple of 16, 16 new
    uniforms are drawn and the last 16 elements recomputed from them. float32 uses the AVX2
    kernel's own ``log``/``sincos`` polynomials (``avx_mathfun.h``), emulated here in float32;
    float64 uses the C library's ``log``/``cos``/``sin``; both end with ``fma(n, std, mean)``.
    float16 draws block by block in float32 and casts.
  * otherwise element by element, each from a float64 Box-Muller pair
    ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``: ``r cos(theta)`` is returned and
    ``r sin(theta)`` kept for the next draw of this path (by any later call, whatever its dtype,
    until ``manual_seed``); then ``fma(n, std, mean)`` in float64 and a cast.

Elements are filled in memory order, like PyTorch's TensorIterator (it matters for ``normal_``
and ``uniform_`` on a transposed or sliced tensor).

Exceptions: float32 ``normal_`` of 16+ contiguous elements follows PyTorch's AVX2 kernel, which
is what x86-64 machines without AVX-512 run; PyTorch on AVX-512 or ARM CPUs (another
``torch.backends.cpu.get_cpu_capability()``) computes these in scalar float32 and can differ in
the last bits. float64 paths call the C library through NumPy when NumPy agrees with it (checked
once), else element by element through ``math`` (slower). ``random_`` on float tensors skips
PyTorch's adjustment of bounds beyond 2**24 (float32) or 2**53 (float64).
"""

from __future__ import annotations

import math

import numpy as np

DEFAULT_SEED = 67280421310721
"""PyTorch's ``default_rng_seed_val``."""

_F32, _F64 = np.float32, np.float64
_NORMAL_FILL_MIN = 16


class Generator:
    """PyTorch's CPU generator: an mt19937 stream and the cached second Box-Muller sample."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        if not -2**63 <= int(seed) < 2**64:
            raise ValueError("Overflow when unpacking long long")
        self.seed = int(seed) % 2**64
        self._bits = np.random.MT19937()
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": _mt19937_key(self.seed), "pos": 624}}
        self._next_normal: float | None = None

    def initial_seed(self) -> int:
        return self.seed

    def __repr__(self) -> str:
        return "<torch._C.Generator object>"

    # --- raw words ------------------------------------------------------------------------------
    def words(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit outputs of the mt19937, as uint64."""
        return self._bits.random_raw(n) if n else np.zeros(0, np.uint64)

    def words64(self, n: int) -> np.ndarray:
        """``n`` 64-bit numbers, each ``hi << 32 | lo`` from two consecutive words."""
        w = self.words(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def unit(self, n: int, precision: type) -> np.ndarray:
        """``n`` uniforms in [0, 1): 24-bit float32 (``precision`` float32) or 53-bit float64."""
        if precision is _F64:
            return (self.words64(n) & np.uint64(2**53 - 1)).astype(_F64) * _F64(2.0**-53)
        return (self.words(n) & np.uint64(2**24 - 1)).astype(_F32) * _F32(2.0**-24)

    # --- kernels -------------------------------------------------------------------------------
    def uniform_(self, out: np.ndarray, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        """Fill the float array ``out`` like ``Tensor.uniform_(low, high)``; returns ``out``."""
        _check_float(out, "check_uniform_bounds")
        if not low <= high:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                               f"from={_number(low)} > to={_number(high)}")
        precision = _precision(out.dtype)
        lo, hi = precision(low), precision(high)
        values = fma(self.unit(out.size, precision), hi - lo, lo).astype(out.dtype)
        values[values == _cast(_F64(high), out.dtype)] = _cast(_F64(low), out.dtype)
        return _fill(out, values)

    def normal_(self, out: np.ndarray, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
        """Fill the float array ``out`` like ``Tensor.normal_(mean, std)``; returns ``out``."""
        _check_float(out, "normal_kernel_cpu")
        if not std >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_number(std)}")
        if out.size == 0:
            return out
        if out.size >= _NORMAL_FILL_MIN and out.flags.c_contiguous:
            values = self._normal_fill(out.size, out.dtype, mean, std)
        else:
            values = _cast(fma(self._normal_scalar(out.size), std, mean), out.dtype)
        return _fill(out, values)

    def random_(self, out: np.ndarray, low: int, high: int) -> np.ndarray:
        """Fill ``out`` like ``Tensor.random_(low, high)``: integers in [low, high)."""
        if not low < high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        span = (int(high) - int(low)) % 2**64
        draws = self.words64(out.size) if span >= 2**28 else self.words(out.size)
        values = (draws % np.uint64(span) + np.uint64(int(low) % 2**64)).view(np.int64)
        return _fill(out, values.astype(out.dtype))

    def bernoulli_(self, out: np.ndarray, p) -> np.ndarray:
        """Fill ``out`` like ``Tensor.bernoulli_(p)``: 1 where a uniform draw is below ``p``.
        A number ``p`` (and a float64 array) is compared with 53-bit float64 uniforms, any other
        array with 24-bit float32 ones; one draw per element, in memory order."""
        precision = _F64 if not isinstance(p, np.ndarray) or p.dtype == _F64 else _F32
        draws = _fill(np.empty_like(out, dtype=precision), self.unit(out.size, precision))
        out[...] = draws < np.asarray(p, precision)
        return out

    def exponential_(self, out: np.ndarray, lambd: float = 1.0) -> np.ndarray:
        """Fill ``out`` like ``Tensor.exponential_(lambd)``: ``-log(1 - u)/lambd`` for float64
        uniforms ``u``, computed in float64 and rounded to ``out``'s dtype."""
        u = self.unit(out.size, _F64)
        return _fill(out, _cast(_F64(-1.0) / _F64(lambd) * LIBM.log1p(-u), out.dtype))

    def randperm(self, n: int) -> np.ndarray:
        """``torch.randperm(n)``: 0 .. n-1 shuffled as PyTorch shuffles them (Fisher-Yates from
        the front: position i swaps with i + w % (n - i), one 32-bit word w per step)."""
        perm = list(range(n))
        for i, w in enumerate(self.words(max(n - 1, 0)).tolist()):
            j = i + w % (n - i)
            perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, dtype=np.int64)

    # --- normal_'s two paths ---------------------------------------------------------------------
    def _normal_scalar(self, n: int) -> np.ndarray:
        """``n`` float64 standard normals from the element-by-element path, cache included."""
        values = np.empty(n, _F64)
        start = 0
        if self._next_normal is not None:
            values[0], start, self._next_normal = self._next_normal, 1, None
        pairs = (n - start + 1) // 2
        u = self.unit(2 * pairs, _F64)
        radius = np.sqrt(_F64(-2.0) * LIBM.log1p(-u[1::2]))
        theta = _F64(2.0 * math.pi) * u[0::2]
        both = np.empty(2 * pairs, _F64)
        both[0::2] = radius * LIBM.cos(theta)
        both[1::2] = radius * LIBM.sin(theta)
        values[start:] = both[:n - start]
        if (n - start) % 2:
            self._next_normal = float(both[-1])
        return values

    def _normal_fill(self, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
        """PyTorch's ``normal_fill``: Box-Muller on blocks of 16, the last 16 drawn again."""
        precision = _precision(dtype)
        blocks = n // 16 * 16
        first = self.unit(n if dtype.type is precision else blocks, precision)[:blocks]
        values = np.empty(n, precision)
        values[:blocks] = _box_muller_16(first, precision, mean, std)
        if n % 16:
            values[n - 16:] = _box_muller_16(self.unit(16, precision), precision, mean, std)
        return values.astype(dtype)


def _mt19937_key(seed: int) -> np.ndarray:
    """The state ``std::mt19937(seed & 0xffffffff)`` starts from (``init_genrand``)."""
    key = [seed & 0xFFFFFFFF]
    for j in range(1, 624):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


def _precision(dtype: np.dtype) -> type:
    """The type PyTorch computes a dtype's random numbers in (its ``opmath_type``)."""
    return _F64 if np.dtype(dtype) == _F64 else _F32


def _cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """C++'s ``static_cast`` from double: to float16 through float (``c10::Half(float)``)."""
    if np.dtype(dtype) == np.float16:
        return values.astype(_F32).astype(np.float16)
    return values.astype(dtype)


def _check_float(out: np.ndarray, kernel: str) -> None:
    if out.dtype.kind != "f":
        from autodiff_repl.engine import dtypes
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{dtypes.from_numpy(out.dtype).short}'")


def _number(x: float) -> str:
    """A double the way PyTorch's messages print it (``1``, ``-0.5``)."""
    return f"{x:g}"


def _fill(out: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Write ``values`` into ``out`` in memory order (TensorIterator's order, strides sorted)."""
    if out.flags.c_contiguous:
        out.reshape(-1)[...] = values
        return out
    axes = sorted(range(out.ndim), key=lambda d: -abs(out.strides[d]) if out.shape[d] > 1 else 0)
    out.transpose(axes)[...] = values.reshape([out.shape[d] for d in axes])
    return out


# --- Box-Muller on blocks of 16 -------------------------------------------------------------------

def _box_muller_16(u: np.ndarray, precision: type, mean: float, std: float) -> np.ndarray:
    """``NormalFill16`` on consecutive blocks of 16 uniforms: 8 radii, then 8 angles."""
    blocks = u.reshape(-1, 2, 8)
    one = precision(1.0)
    if precision is _F32:
        radius = np.sqrt(_F32(-2.0) * _log_avx2(one - blocks[:, 0]))
        sin, cos = _sincos_avx2(_F32(2.0 * math.pi) * blocks[:, 1])
        n1, n2 = radius * cos, radius * sin
    else:
        radius = np.sqrt(_F64(-2.0) * LIBM.log(one - blocks[:, 0]))
        theta = _F64(2.0 * math.pi) * blocks[:, 1]
        n1, n2 = radius * LIBM.cos(theta), radius * LIBM.sin(theta)
    return fma(np.stack([n1, n2], axis=1).reshape(-1), precision(std), precision(mean))


def fma(a: np.ndarray, b, c) -> np.ndarray:
    """``a * b + c`` rounded once (C's ``fma``) for float32 or float64 ``a`` (normal range)."""
    if np.ndim(b) == 0 and np.ndim(c) == 0 and b == 1 and c == 0:
        return a
    if a.dtype == _F32:
        # The float64 product is exact; the float64 sum is a second rounding only when it is
        # inexact, which can change the float32 result only when it lands on a tie.
        product = a.astype(_F64) * _F64(b)
        total = product + _F64(c)
        tie = (total.view(np.int64) & 0x1FFFFFFF) == 0x10000000
        if tie.any():
            addend = np.broadcast_to(_F64(c), total.shape)[tie]
            total[tie] = _round_to_odd(*_two_sum(product[tie], addend))
        return total.astype(_F32)
    high, low = _two_product(a, _F64(b))
    total, error = _two_sum(_F64(c), high)
    return total + _round_to_odd(*_two_sum(error, low))


def _two_sum(a, b):
    """``a + b`` as the rounded sum and its exact error (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_product(a, b):
    """``a * b`` as the rounded product and its exact error (Dekker)."""
    p = a * b
    a1, a2 = _split(a)
    b1, b2 = _split(b)
    return p, ((a1 * b1 - p) + a1 * b2 + a2 * b1) + a2 * b2


def _split(x):
    t = _F64(134217729.0) * x                                  # 2**27 + 1
    high = t - (t - x)
    return high, x - high


def _round_to_odd(total, error):
    """The sum ``total + error`` (``total`` its rounding) rounded to odd: when inexact, the
    neighbour whose last bit is 1, which makes a second, shorter rounding exact
    (Boldo and Melquiond's emulated FMA)."""
    even = (total.view(np.int64) & 1) == 0
    toward = np.where(error > 0, np.inf, -np.inf)
    return np.where((error != 0) & even, np.nextafter(total, toward), total)


# --- avx_mathfun.h's log256_ps and sincos256_ps, in float32 -------------------------------------

def _f32(*values: float) -> list:
    return [_F32(v) for v in values]


_LOG_P = _f32(7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
              1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
              3.3333331174e-1)
_LOG_Q1, _LOG_Q2, _SQRTHF = _f32(-2.12194440e-4, 0.693359375, 0.707106781186547524)
_DP = _f32(-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)
_SINCOF = _f32(-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)
_COSCOF = _f32(2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)
_FOPI = _F32(1.27323954473516)


def _log_avx2(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` for positive normal floats: the Cephes polynomial, operation by operation,
    with the multiply-adds GCC fuses (checked against PyTorch)."""
    bits = x.view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 127).astype(_F32) + _F32(1.0)
    x = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(_F32)
    small = x < _SQRTHF
    tmp = np.where(small, x, _F32(0.0))
    x = x - _F32(1.0)
    e = e - np.where(small, _F32(1.0), _F32(0.0))
    x = x + tmp
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = fma(y, x, p)
    y = fma(y * x, z, e * _LOG_Q1)
    y = y - z * _F32(0.5)                      # exact product: fused or not, the same
    return (x + y) + e * _LOG_Q2               # exact product too


def _sincos_avx2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` for non-negative floats below 2**31: Cephes' reduction by pi/4 and its
    two polynomials, operation by operation, with the multiply-adds GCC fuses."""
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    sin_sign = ((j & 4) << 29).view(np.uint32)
    poly = (j & 2) == 0
    cos_sign = ((~(j - 2) & 4) << 29).view(np.uint32)
    for dp in _DP:
        x = fma(y, dp, x)
    z = x * x
    c = np.full_like(x, _COSCOF[0])
    for p in _COSCOF[1:]:
        c = fma(c, z, p)
    c = fma(c * z, z, -(z * _F32(0.5))) + _F32(1.0)
    s = np.full_like(x, _SINCOF[0])
    for p in _SINCOF[1:]:
        s = fma(s, z, p)
    s = fma(s * z, x, x)
    s_part = np.where(poly, s, _F32(0.0))
    c_part = np.where(poly, _F32(0.0), c)
    sin = (c_part + s_part).view(np.uint32) ^ sin_sign
    cos = ((c - c_part) + (s - s_part)).view(np.uint32) ^ cos_sign
    return sin.view(_F32), cos.view(_F32)


# --- the C library's float64 functions ------------------------------------------------------------

class _Libm:
    """``log``, ``log1p``, ``cos``, ``sin`` as the C library computes them: NumPy's ufuncs when
    they agree with ``math`` (the C library) on a sample, else ``math`` element by element."""

    _NAMES = ("log", "log1p", "cos", "sin")

    def __getattr__(self, name: str):
        if name not in self._NAMES:
            raise AttributeError(name)
        ufunc, exact = getattr(np, name), getattr(math, name)
        sample = np.random.default_rng(0).random(4096)
        sample = -sample if name == "log1p" else (1 - sample if name == "log" else 7 * sample)
        if not np.array_equal(ufunc(sample), [exact(v) for v in sample.tolist()]):
            vectorized = np.frompyfunc(exact, 1, 1)
            ufunc = lambda x: vectorized(x).astype(_F64)
        setattr(self, name, ufunc)
        return ufunc


LIBM = _Libm()
