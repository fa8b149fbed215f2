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

from autodiff_repl.engine import devices, dtypes, rng
from autodiff_repl.engine.fma import fma
from autodiff_repl.engine.limits import check_numel
from autodiff_repl.engine.messages import COPY_CONSTRUCT, ONLY_FLOAT
from autodiff_repl.engine.tensor import Tensor, _shape_args

RNG = rng.Generator(0)
"""The generator the random functions draw from; ``manual_seed`` replaces it (the lessons swap
it, with the other engine settings, between the learner's session and a scratch one)."""


def manual_seed(seed: int) -> rng.Generator:
    """Start the random numbers again from ``seed``; returns the new generator, like PyTorch."""
    global RNG
    RNG = rng.Generator(int(seed))
    return RNG


_NUMBERS = frozenset((float, int, bool))


def _leaves(data, seen: set):
    """Nested lists of numbers and tensors as plain Python values (ragged lists fail later);
    ``seen`` collects what each leaf says about the dtype: its Python type, or the dtype of a
    NumPy number or a tensor."""
    if isinstance(data, list | tuple | range):
        kinds = set(map(type, data))
        if kinds <= _NUMBERS:  # the common case: a row of plain numbers, taken as it is
            seen |= kinds
            return data
        return [_leaves(d, seen) for d in data]
    if isinstance(data, Tensor):
        seen.add(dtypes.from_numpy(data._data.dtype))
        return data._data.tolist()
    if isinstance(data, np.generic):
        seen.add(dtypes.from_numpy(data.dtype))
    else:
        seen.add(type(data))
    return data


def _inferred(seen: set) -> dtypes.DType:
    """The dtype PyTorch infers from the leaves' kinds: a Python float gives the default dtype,
    an int int64, a bool bool, a NumPy number or a tensor its own; promoted together."""
    if len(seen) == 1 and float in seen:
        return dtypes.get_default_dtype()
    kinds = []
    for kind in seen:
        if isinstance(kind, dtypes.DType):
            kinds.append(kind)
        elif kind is bool:
            kinds.append(dtypes.bool_)
        elif kind is int:
            kinds.append(dtypes.int64)
        elif kind is float:
            kinds.append(dtypes.get_default_dtype())
        else:
            raise RuntimeError(f"Could not infer dtype of {kind.__name__}")
    if not kinds:
        return dtypes.get_default_dtype()
    return dtypes.promote(*((kind, 0) for kind in kinds))


_INT64 = (-2**63, 2**63 - 1)


def to_array(data, dtype: dtypes.DType | None = None) -> np.ndarray:
    """``data`` as a NumPy array with PyTorch's dtype for it.

    Numbers from Python are converted as ``torch.tensor`` converts them: into a floating dtype
    without a check (too large for float16 or float32 becomes ``inf``), into an integer dtype only
    if they fit (else PyTorch's RuntimeError). Arrays and tensors are cast without a check, as
    ``.to(dtype)`` casts them. Neither warns.
    """
    if isinstance(data, Tensor):
        array = data._data
        return array.copy() if dtype is None else _cast(array, dtype)
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "biuf":
            raise TypeError(f"can't convert np.ndarray of type {data.dtype}")
        check_numel(data.shape)
        return _cast(data, dtype or dtypes.from_numpy(data.dtype))
    if isinstance(data, str | bytes) or (isinstance(data, list | tuple) and _has_str(data)):
        raise TypeError(f"new(): invalid data type '{type(_first_leaf(data)).__name__}'")
    seen: set = set()
    plain = _leaves(data, seen)
    try:
        source = np.array(plain)
    except ValueError:
        raise ValueError(_ragged_message(plain)) from None
    if source.dtype == object and isinstance(data, list | tuple) and _ragged(plain):
        raise ValueError(_ragged_message(plain))
    inferred = _inferred(seen)
    target = dtype or inferred
    check_numel(source.shape)
    if target.np.kind in "iu" and source.dtype.kind == "f" and source.ndim and seen != {float}:
        return _ints_and_floats(plain, target)
    return _from_python(source, target)


def _ints_and_floats(plain, target: dtypes.DType) -> np.ndarray:
    """A list mixing ints and floats, into an integer dtype. ``np.array`` would make every number
    a float, but PyTorch checks and converts each number by its own type: an int as an int (into
    uint8, a negative one wraps around), a float as a float (truncated toward zero, refused if
    out of range). So ``[-1, 2.5]`` gives uint8 ``[255, 2]`` while ``[-1.0]`` is refused."""
    numbers = np.array(plain, dtype=object)
    floats = np.frompyfunc(lambda v: isinstance(v, float), 1, 1)(numbers).astype(bool)
    result = np.empty(numbers.shape, target.np)
    result[floats] = _from_python(np.array(numbers[floats].tolist(), dtype=np.float64), target)
    result[~floats] = _from_python(np.array(numbers[~floats].tolist()), target)
    return result


def _ragged(data) -> bool:
    """Whether nested lists have different lengths at some depth."""
    return _ragged_message(data) != _NOT_CONVERTED


def _from_python(source: np.ndarray, target: dtypes.DType) -> np.ndarray:
    """Python numbers (an array of them from ``np.array``) into ``target``, with PyTorch's
    checks for integer dtypes."""
    if source.dtype == object or (source.dtype == np.uint64 and source.size):
        # Python ints beyond int64: NumPy keeps them as objects, or as uint64
        big = any(isinstance(v, int | np.integer) and not _INT64[0] <= int(v) <= _INT64[1]
                  for v in source.flat)
        if big and not target.is_floating_point and target is not dtypes.bool_:
            raise ValueError("Overflow when unpacking long long")
        source = source.astype(np.float64)
    if target.np.kind in "iu" and source.size:
        info = np.iinfo(target.np)
        if source.dtype.kind == "f":  # PyTorch compares the float with the type's limits
            bad = ~np.isfinite(source) | (source < info.min) | (source > info.max)
        elif info.min == 0:  # a negative int wraps around, as in C, if it is not too far down
            bad = (source > info.max) | (source < -int(info.max))
        else:
            bad = (source < info.min) | (source > info.max)
        if bad.any():
            raise RuntimeError(f"value cannot be converted to type {target.np.name} without "
                               "overflow")
    return _cast(source, target)


def _cast(array: np.ndarray, dtype: dtypes.DType) -> np.ndarray:
    """A copy of ``array`` in ``dtype``, as a C cast makes it (too large a float becomes inf;
    ints wrap around), without NumPy's warnings."""
    if np.can_cast(array.dtype, dtype.np):
        return np.array(array, dtype=dtype.np)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array(array, dtype=dtype.np)


def _has_str(data) -> bool:
    return any(isinstance(d, str | bytes) or (isinstance(d, list | tuple) and _has_str(d))
               for d in data)


def _first_leaf(data):
    while isinstance(data, list | tuple) and data:
        data = data[0]
    return data


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
    return walk(data, 0) or _NOT_CONVERTED


_NOT_CONVERTED = "could not convert the data to a tensor"


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(ONLY_FLOAT)
        t._rg = True
    return t


def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    if isinstance(data, Tensor):
        warnings.warn(COPY_CONSTRUCT.format("torch.tensor"), UserWarning, stacklevel=2)
    return _finish(to_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    devices.check(device)
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
    return _finish(np.full(shape, checked_fill(fill, dt), dtype=dt.np), requires_grad)


_CPP_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "int8_t",
              "uint8": "uint8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t"}
"""The C++ type names PyTorch's messages about fill values use."""


def checked_fill(value, dtype: dtypes.DType):
    """``value`` (a Python or NumPy number) as an element of ``dtype`` for ``full`` and
    ``fill_``, checked as PyTorch checks it: it must fit the dtype (``inf`` and ``nan`` fit the
    floating ones; for float16 the number is made a float32 first; a negative int wraps around
    into uint8 if it is not too far down)."""
    if isinstance(value, Tensor | bool | np.bool_) or dtype is dtypes.bool_:
        return value
    if isinstance(value, int) and not -2**63 <= value < 2**64:
        raise OverflowError("int too big to convert" if value > 0 else
                            "can't convert negative int to unsigned")
    if dtype.is_floating_point:
        with np.errstate(over="ignore"):
            number = float(np.float32(value)) if dtype is dtypes.float16 else float(value)
        fits = not math.isfinite(number) or abs(number) <= float(np.finfo(dtype.np).max)
    else:
        info = np.iinfo(dtype.np)
        if isinstance(value, float | np.floating):
            fits = math.isfinite(value) and info.min <= value <= info.max
        elif info.min == 0:
            fits = -int(info.max) <= value <= info.max
        else:
            fits = info.min <= value <= info.max
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES[dtype.name]} without "
                           "overflow")
    if isinstance(value, int | np.integer) and not dtype.is_floating_point:
        return np.array(value).astype(dtype.np)  # a negative int wrapped into uint8
    return value


def ones(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return _sized(args if size is None else (tuple(size),), 1, dtype, requires_grad)


def zeros(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    shape = _shape_args(args) if size is None else tuple(size)
    if any(isinstance(n, int | np.integer) and n < 0 for n in shape):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _sized(args if size is None else (tuple(size),), 0, dtype, requires_grad)


def empty(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return _sized(args if size is None else (tuple(size),), 0, dtype, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return _sized((tuple(size),), fill_value, dtype, requires_grad,
                  dtypes.scalar_dtype(fill_value))


def _like(t: Tensor, fill, dtype, requires_grad) -> Tensor:
    return _sized((t.shape,), fill, dtype or t.dtype, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return _like(input, 1, dtype, requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return _like(input, 0, dtype, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return _like(input, 0, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    devices.check(device)
    return _like(input, fill_value, dtype, requires_grad)


# --- ranges: PyTorch's CPU kernels, step for step (their rounding shows in the last bits) -------

_VECTOR_BYTES = 32  # an AVX2 vector: arange's kernel fills two of them per step


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``start, start + step, ...`` up to ``end`` (excluded), as PyTorch's CPU kernel makes them.

    The length is ``ceil((end - start) / step)`` in float64 (for an int64 result: in integers,
    after truncating the three numbers to integers). The values are ``_arange_floats`` for
    floating-point results, ``start + i·step`` in integers otherwise.
    """
    devices.check(device)
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
    devices.check(device)
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
    devices.check(device)
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
    devices.check(device)
    out = np.empty(_random_shape(args, size), _float_dtype(dtype).np)
    return _finish(RNG.uniform_(out), requires_grad)


def randn(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    out = np.empty(_random_shape(args, size), _float_dtype(dtype).np)
    return _finish(RNG.normal_(out), requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False) -> Tensor:
    devices.check(device)
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(low, high=None, size=(), dtype=None, device=None, requires_grad=False) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    devices.check(device)
    if isinstance(high, tuple | list):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    out = np.empty(_random_shape((), size), (dtype or dtypes.int64).np)
    return _finish(RNG.random_(out, int(low), int(high)), requires_grad)


def normal(mean=0.0, std=1.0, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """PyTorch's ``normal``: with float ``mean`` and ``std`` the samples of ``normal_(mean, std)``;
    with a tensor among them standard samples (``normal_(0, std)`` for a float ``std``), then
    ``* std`` and ``+ mean`` in the result's dtype (``mean``'s, else ``std``'s)."""
    devices.check(device)
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
