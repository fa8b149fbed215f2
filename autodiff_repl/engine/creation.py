"""Making tensors: ``tensor``, ``arange``, ``ones``, ``zeros``, ``full``, ``linspace``, ``eye``,
the random ones and ``manual_seed``.

Data from Python gets PyTorch's dtypes: floats become float32 (the default dtype), ints int64,
bools bool; NumPy arrays keep their dtype. Random numbers are PyTorch's own: ``RNG`` is an
``rng.Generator`` (mt19937 and PyTorch's kernels, see ``rng.py``), so after the same
``manual_seed`` the same calls print the same numbers as PyTorch on the CPU.
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from autodiff_repl.engine import dtypes, rng
from autodiff_repl.engine.fma import fma
from autodiff_repl.engine.limits import check_numel
from autodiff_repl.engine.tensor import ONLY_FLOAT, Tensor, _shape_args

RNG = rng.Generator(0)
"""The generator the random functions draw from; ``manual_seed`` replaces it (the lessons swap
it, with the other engine settings, between the learner's session and a scratch one)."""


def manual_seed(seed: int) -> rng.Generator:
    """Start the random numbers again from ``seed``; returns the new generator, like PyTorch."""
    global RNG
    RNG = rng.Generator(int(seed))
    return RNG


def _flatten_items(data):
    """Nested lists of numbers and 0-dim tensors as plain Python values (ragged lists fail)."""
    if isinstance(data, Tensor):
        return data._data.tolist()
    if isinstance(data, list | tuple):
        return [_flatten_items(d) for d in data]
    return data


def to_array(data, dtype: dtypes.DType | None = None) -> np.ndarray:
    """``data`` as a NumPy array with PyTorch's dtype for it."""
    if isinstance(data, Tensor):
        array = data._data
        return array.copy() if dtype is None else array.astype(dtype.np)
    if isinstance(data, np.ndarray):
        source = data
        inferred = dtypes.from_numpy(data.dtype) if data.dtype.kind in "biuf" else None
    else:
        if isinstance(data, str | bytes) or (
                isinstance(data, list | tuple) and _has_str(data)):
            raise TypeError(f"new(): invalid data type '{type(_first_leaf(data)).__name__}'")
        plain = _flatten_items(data)
        try:
            source = np.array(plain)
        except ValueError:
            raise ValueError(_ragged_message(plain)) from None
        inferred = _python_dtype(source)
    if source.dtype == object or inferred is None:
        if isinstance(data, list | tuple) and source.dtype == object:
            raise ValueError(_ragged_message(_flatten_items(data)))
        raise TypeError(f"can't convert np.ndarray of type {source.dtype}")
    target = dtype or inferred
    check_numel(source.shape)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return np.array(source, dtype=target.np)
    except (OverflowError, RuntimeWarning):
        raise RuntimeError("value cannot be converted to type "
                           f"{target.np.name} without overflow") from None


def _has_str(data) -> bool:
    return any(isinstance(d, str | bytes) or (isinstance(d, list | tuple) and _has_str(d))
               for d in data)


def _first_leaf(data):
    while isinstance(data, list | tuple) and data:
        data = data[0]
    return data


def _python_dtype(source: np.ndarray) -> dtypes.DType | None:
    kind = source.dtype.kind
    if kind == "b":
        return dtypes.bool_
    if kind in "iu":
        if source.size and (source.max() > 2**63 - 1 or source.min() < -2**63):
            raise RuntimeError("Overflow when unpacking long")
        return dtypes.int64
    if kind == "f":
        return dtypes.get_default_dtype()
    if kind == "O" and source.size:
        raise RuntimeError("Overflow when unpacking long")
    if source.size == 0:
        return dtypes.get_default_dtype()
    return None


def _ragged_message(data) -> str:
    """PyTorch's message for a list of lists of different lengths."""
    def walk(items, dim):
        lengths = [len(x) if isinstance(x, list) else None for x in items]
        first = lengths[0]
        for n in lengths[1:]:
            if n != first:
                return f"expected sequence of length {first} at dim {dim + 1} (got {n})"
        for x in items:
            if isinstance(x, list):
                found = walk(x, dim + 1)
                if found:
                    return found
        return None
    return walk(data, 0) or "could not convert the data to a tensor"


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(ONLY_FLOAT)
        t._rg = True
    return t


def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    return _finish(to_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    return Tensor._wrap(to_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    return Tensor._wrap(np.asarray(array))


def _sized(size, fill, dtype, requires_grad, default=None) -> Tensor:
    shape = _shape_args(size)
    for n in shape:
        if not isinstance(n, int | np.integer):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(n).__name__} at pos 0")
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{list(shape)}")
    check_numel(shape)
    dt = dtype or default or dtypes.get_default_dtype()
    return _finish(np.full(shape, fill, dtype=dt.np), requires_grad)


def ones(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _sized(args if size is None else (tuple(size),), 1, dtype, requires_grad)


def zeros(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape = _shape_args(args) if size is None else tuple(size)
    if any(isinstance(n, int | np.integer) and n < 0 for n in shape):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _sized(args if size is None else (tuple(size),), 0, dtype, requires_grad)


def empty(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _sized(args if size is None else (tuple(size),), 0, dtype, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _sized((tuple(size),), fill_value, dtype, requires_grad,
                  dtypes.scalar_dtype(fill_value))


def _like(t: Tensor, fill, dtype, requires_grad) -> Tensor:
    return _sized((t.shape,), fill, dtype or t.dtype, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(input, 1, dtype, requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(input, 0, dtype, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(input, 0, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return _like(input, fill_value, dtype, requires_grad)


# --- ranges: PyTorch's CPU kernels, step for step (their rounding shows in the last bits) -------

_VECTOR_BYTES = 32  # an AVX2 vector: arange's kernel fills two of them per step


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``start, start + step, ...`` up to ``end`` (excluded), as PyTorch's CPU kernel makes them.

    The length is ``ceil((end - start) / step)`` in float64 (for an int64 result: in integers,
    after truncating the three numbers to integers). The values are ``_arange_floats`` for
    floating-point results, ``start + i·step`` in integers otherwise.
    """
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    floats = any(isinstance(v, float | np.floating) for v in values)
    out = (dtype or (dtypes.get_default_dtype() if floats else dtypes.int64)).np
    wide = np.dtype(np.float32 if out == np.float16 else np.float64) if out.kind == "f" else None
    low, high, by = (float(v) for v in values)  # PyTorch checks the arguments as float64
    if not (by > 0 or by < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"unsupported range: {low:g} -> {high:g}")
    if not ((by > 0 and high >= low) or (by < 0 and high <= low)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    # int(): truncation toward zero, as PyTorch converts a number to an integer type
    first, last, step = (wide.type(v) for v in values) if wide else (int(v) for v in values)
    if out == np.int64:
        if step == 0:
            raise ValueError("step must be nonzero")
        size = _c_division(last - first + step - (1 if step > 0 else -1), step)
    else:
        size = math.ceil((high - low) / by)
    if not 0 <= size <= np.iinfo(np.int64).max:
        raise RuntimeError("invalid size, possible overflow?")
    check_numel((size,))
    if wide is None:
        return _finish((first + step * np.arange(size)).astype(out), requires_grad)
    return _finish(_arange_floats(first, step, size, out, wide), requires_grad)


def _arange_floats(start, step, size: int, out: np.dtype, wide: np.dtype) -> np.ndarray:
    """Value ``i`` is ``start + i·step`` computed in ``wide`` (float64 for float32 and float64
    results, float32 for float16) as a fused multiply-add (``fma``), then rounded to ``out`` --
    except that the kernel fills 32-byte vectors two at a time: in a vector, value ``j`` is
    ``base + j·step`` from the vector's first value ``base``, itself rounded to ``out`` already.
    The last values, fewer than two vectors, are made one by one.

    Above 32768 values PyTorch shares the work among threads, each starting its vectors where its
    share starts: there the last bits depend on PyTorch's number of threads (here: one).
    """
    index = np.arange(size)
    values = fma(step, index.astype(wide), start, wide).astype(out)
    width = _VECTOR_BYTES // out.itemsize
    in_vectors = index[:size // (2 * width) * (2 * width)]
    j = in_vectors % width
    base = fma(step, (in_vectors - j).astype(wide), start, wide).astype(out)
    values[:in_vectors.size] = fma(j, step, base, wide).astype(out)
    return values


def _c_division(a: int, b: int) -> int:
    """``a / b`` on integers as C divides them: the quotient truncated toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, as PyTorch's CPU kernel makes
    them: ``step = (end - start) / (steps - 1)`` in the result's dtype (float64 for an integer
    result); the first ``steps // 2`` values count up from ``start`` (``start + i·step``), the
    others down from ``end`` (``end - (steps - 1 - i)·step``), each a fused multiply-add rounded
    once (``fma``; float16 rounds after each operation, integers are truncated), so that both ends
    come out exactly."""
    try:
        if isinstance(steps, bool):
            raise TypeError
        steps = operator.index(steps)
    except TypeError:
        raise TypeError(_linspace_arguments(start, end, steps, dtype)) from None
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    check_numel((steps,))
    out = (dtype or dtypes.get_default_dtype()).np
    first, last = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if steps <= 1:  # PyTorch fills the one value with start
        return _finish(np.full(steps, first, dtype=out), requires_grad)
    index = np.arange(steps)
    up, down = index[:steps // 2], steps - 1 - index[steps // 2:]
    if out.kind == "f":
        first, last = out.type(first), out.type(last)
        step = (last - first) / out.type(steps - 1)
        if out == np.float16:  # float16 arithmetic rounds each product and sum
            parts = (first + step * up.astype(out), last - step * down.astype(out))
        else:
            parts = (fma(step, up.astype(out), first, out), fma(-step, down.astype(out), last, out))
    else:
        first, last = int(first), int(last)
        step = (float(last) - float(first)) / (steps - 1)
        parts = (np.trunc(fma(step, up, first, np.float64)),
                 np.trunc(fma(-step, down, last, np.float64)))
    return _finish(np.concatenate(parts).astype(out), requires_grad)


def _linspace_arguments(start, end, steps, dtype) -> str:
    """PyTorch's message for a ``steps`` that is not an integer."""
    names = [type(v).__name__ for v in (start, end, steps)]
    if dtype is not None:
        names.append("dtype=torch.dtype")
    options = "".join(
        f"\n * ({first} start, {second} end, int steps, *, Tensor out = None, torch.dtype dtype = "
        "None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
        "bool requires_grad = False)"
        for first, second in (("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"),
                              ("Number", "Number")))
    return (f"linspace() received an invalid combination of arguments - got "
            f"({', '.join(names)}), but expected one of:{options}\n")


def eye(n, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    check_numel((n, n if m is None else m))
    dt = dtype or dtypes.get_default_dtype()
    return _finish(np.eye(n, m, dtype=dt.np), requires_grad)


def _random_shape(args, size) -> tuple:
    shape = tuple(size) if size is not None else _shape_args(args)
    check_numel(shape)
    return shape


def _float_dtype(dtype) -> dtypes.DType:
    return dtype or dtypes.get_default_dtype()


def rand(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    out = np.empty(_random_shape(args, size), _float_dtype(dtype).np)
    return _finish(RNG.uniform_(out), requires_grad)


def randn(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    out = np.empty(_random_shape(args, size), _float_dtype(dtype).np)
    return _finish(RNG.normal_(out), requires_grad)


def rand_like(input, dtype=None, requires_grad=False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(low, high=None, size=(), dtype=None, requires_grad=False) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    if isinstance(high, tuple | list):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    out = np.empty(_random_shape((), size), (dtype or dtypes.int64).np)
    return _finish(RNG.random_(out, int(low), int(high)), requires_grad)


def normal(mean=0.0, std=1.0, size=None, dtype=None, requires_grad=False) -> Tensor:
    """PyTorch's ``normal``: with float ``mean`` and ``std`` the samples of ``normal_(mean, std)``;
    with a tensor among them standard samples (``normal_(0, std)`` for a float ``std``), then
    ``* std`` and ``+ mean`` in the result's dtype (``mean``'s, else ``std``'s)."""
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        out = np.empty(_random_shape((), size), _float_dtype(dtype).np)
        return _finish(RNG.normal_(out, mean, std), requires_grad)
    dt = (mean if isinstance(mean, Tensor) else std).dtype.np
    m = mean._data.astype(dt) if isinstance(mean, Tensor) else dt.type(mean)
    if not isinstance(std, Tensor):
        return Tensor._wrap((RNG.normal_(np.empty(np.shape(m), dt), 0.0, std) + m).astype(dt))
    s = std._data.astype(dt)
    if (s < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    z = RNG.normal_(np.empty(np.broadcast_shapes(np.shape(m), s.shape), dt))
    return Tensor._wrap((z * s + m).astype(dt))
