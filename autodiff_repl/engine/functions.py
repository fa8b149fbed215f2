"""The engine's functions (``torch.exp``, ``torch.dot``, ``x.sum(dim=0)`` ...): argument handling,
dtype promotion and PyTorch's error messages, then one call to ``apply`` with a row of the op table.

``apply`` is where an operation runs: the forward on arrays, then -- when grad mode is on and an
input requires grad -- a ``Node`` for the backward, and -- when an input carries a forward-mode
tangent -- the output's tangent.
"""

from __future__ import annotations

import builtins
import math
import weakref

import numpy as np

from autodiff_repl.engine import dtypes, ops, views
from autodiff_repl.engine.backends import RAW
from autodiff_repl.engine.grad_mode import STATE
from autodiff_repl.engine.graph import RECORDING, Node
from autodiff_repl.engine.limits import LIMITS, check_numel, check_work
from autodiff_repl.engine.tensor import Tensor, return_types, take_node

_NO_PARAMS: dict = {}
_new = object.__new__


class _Forward:
    """How many forward-mode levels are open (``forward_ad.dual_level``)."""

    active = 0


FORWARD = _Forward()


def apply(op: ops.Op, inputs: tuple[Tensor, ...], params: dict = _NO_PARAMS,
          arrays: tuple | None = None) -> Tensor:
    """Run ``op`` on ``inputs`` (``arrays`` are their data, already cast to the result dtype)."""
    if arrays is None:
        arrays = (inputs[0]._data,) if len(inputs) == 1 else tuple([t._data for t in inputs])
    data = op.forward(*arrays, **params) if params else op.forward(*arrays)
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    out = _new(Tensor)  # Tensor._wrap(data), inlined: this is the engine's hottest path
    out._data = data
    out._rg = False
    out._node = None
    if STATE.enabled:
        for t in inputs:
            if t._rg:
                node = out._node = Node(op, inputs, params, data)
                out._rg = True
                if RECORDING.keep_values:
                    node.output = weakref.ref(out)
                if op in ops.VIEWS and inputs[0]._node is not None:  # for in-place updates
                    views.remember(out, inputs[0], op, params)
                break
    elif RECORDING.keep_values:  # for explanations: a result no_grad() kept out of a graph
        for t in inputs:
            if t._rg:
                out._no_grad_from = weakref.ref(t)
                break
    if FORWARD.active:
        out._tangent = _tangent(op, inputs, arrays, data, params)
    return out


def _tangent(op, inputs, arrays, out, params):
    """Forward mode: the output's tangent from the inputs' tangents (``None`` if they have none)."""
    tangents = [t._tangent for t in inputs]
    if all(t is None for t in tangents):
        return None
    if op.jvp == ops.LINEAR:
        full = [np.zeros_like(a) if t is None else t
                for a, t in zip(arrays, tangents, strict=False)]
        result = op.forward(*full, **params)
    else:
        rules = op.vjp if op.jvp == ops.ELEMENTWISE else op.jvp
        result = None
        for rule, t in zip(rules, tangents, strict=False):
            if rule is None or t is None:
                continue
            part = rule(RAW, t, *arrays, out, **params)
            result = part if result is None else result + part
    return np.broadcast_to(np.asarray(result, dtype=out.dtype), out.shape).copy()


# --- converting arguments -----------------------------------------------------------------------

def as_tensor(value, dtype=None, like: Tensor | None = None) -> Tensor:
    """``value`` as a tensor: tensors pass through; numbers get PyTorch's dtype for them."""
    if type(value) is Tensor:
        return value if dtype is None else to(value, dtype)
    from autodiff_repl.engine.creation import to_array
    return Tensor._wrap(to_array(value, dtype))


_OPERAND_TYPES = (Tensor, int, float, bool, np.ndarray, np.number, np.bool_)
_NUMBER = (int, float)


def _is_operand(value) -> bool:
    return isinstance(value, _OPERAND_TYPES)


def _priority(t: Tensor) -> int:
    return 2 if t._data.ndim else 1


def _promote_tensors(tensors) -> dtypes.DType:
    return dtypes.promote(*((dtypes.from_numpy(t._data.dtype), _priority(t)) for t in tensors))


def _binary_operands(a, b):
    """Both operands as tensors plus their data cast to PyTorch's result dtype."""
    if type(b) is Tensor:
        if type(a) is not Tensor:
            if type(a) is not np.ndarray:
                a = _scalar_operand(a, b)
                return a, b, (a._data, b._data.astype(a._data.dtype, copy=False))
            a = Tensor._wrap(a)
    elif type(b) is not np.ndarray:
        b = _scalar_operand(b, a)
        return a, b, (a._data.astype(b._data.dtype, copy=False), b._data)
    else:  # an array constant, as the op table's formulas use (``g * onehot``)
        b = Tensor._wrap(b)
    da, db = a._data, b._data
    if da.dtype == db.dtype:
        return a, b, (da, db)
    result = _promote_tensors((a, b)).np
    return a, b, (da.astype(result, copy=False), db.astype(result, copy=False))


def _scalar_operand(value, other: Tensor) -> Tensor:
    """A Python number next to a tensor, as a 0-dim constant of the result dtype."""
    kind = dtypes.scalar_dtype(value)
    own = dtypes.from_numpy(other._data.dtype)
    result = own if dtypes.category(kind) <= dtypes.category(own) else kind
    return Tensor._wrap(np.asarray(value, dtype=result.np))


def _broadcast_error(a: Tensor, b: Tensor) -> RuntimeError:
    sa, sb = a._data.shape, b._data.shape
    for i in range(1, builtins.max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            dim = builtins.max(len(sa), len(sb)) - i
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                                f"({y}) at non-singleton dimension {dim}")
    return RuntimeError("shapes do not broadcast")


_CONSTANTS: dict = {}


def _constant(value: float, dtype) -> Tensor:
    """A Python float as a 0-dim tensor of ``dtype``. Constants never change (no user code can
    reach them), so the same few are shared instead of being made again for every ``x * 0.5``."""
    key = (value, dtype)
    t = _CONSTANTS.get(key)
    if t is None:
        if len(_CONSTANTS) > 256:
            _CONSTANTS.clear()
        t = _CONSTANTS[key] = Tensor._wrap(np.asarray(value, dtype=dtype))
        t._data.flags.writeable = False
    return t


def _elementwise(op, a, b, params=_NO_PARAMS):
    """A broadcasting binary op: checks shapes (and the size limit) before computing."""
    if type(a) is Tensor:  # the common cases first, without the general conversions below
        if type(b) is float and a._data.dtype.kind == "f":
            # ``x * 0.5``: the number takes the tensor's dtype, nothing broadcasts.
            b = _constant(b, a._data.dtype)
            return apply(op, (a, b), params, (a._data, b._data))
        if type(b) is Tensor and a._data.dtype == b._data.dtype:
            return _broadcasting(op, a, b, params, (a._data, b._data))
    if not _is_operand(b) or not _is_operand(a):
        return NotImplemented
    a, b, arrays = _binary_operands(a, b)
    return _broadcasting(op, a, b, params, arrays)


def _broadcasting(op, a, b, params, arrays):
    """``apply`` for two operands whose shapes may differ: PyTorch's error if they don't
    broadcast, and the size limit checked before NumPy allocates the result."""
    sa, sb = arrays[0].shape, arrays[1].shape
    if sa == sb or not sa or not sb:
        return apply(op, (a, b), params, arrays)
    if LIMITS.max_elements is None:  # no size limit to check first: let NumPy broadcast
        try:
            return apply(op, (a, b), params, arrays)
        except ValueError:
            raise _broadcast_error(a, b) from None
    try:
        shape = np.broadcast_shapes(sa, sb)
    except ValueError:
        raise _broadcast_error(a, b) from None
    check_numel(shape)
    return apply(op, (a, b), params, arrays)


# --- arithmetic ---------------------------------------------------------------------------------

def _scaled(op, op_alpha, input, other, alpha):
    """``input ± alpha·other`` for ``alpha != 1``: one node, as PyTorch records it (a number
    is scaled first, and then it is a plain add or sub)."""
    if type(other) is not Tensor:
        return _elementwise(op, input, other * alpha)
    return _elementwise(op_alpha, as_tensor(input), other, {"alpha": alpha})


def add(input, other, alpha=1):
    if alpha == 1:
        return _elementwise(ops.ADD, input, other)
    return _scaled(ops.ADD, ops.ADD_ALPHA, input, other, alpha)


def sub(input, other, alpha=1):
    if alpha == 1:
        return _elementwise(ops.SUB, input, other)
    return _scaled(ops.SUB, ops.SUB_ALPHA, input, other, alpha)


subtract = sub


def rsub(input, other):
    """``other - input`` for a number ``other`` (PyTorch's ``RsubBackward1``)."""
    if not _is_operand(other):
        return NotImplemented
    return _elementwise(ops.RSUB, input, other)


def mul(input, other):
    return _elementwise(ops.MUL, input, other)


multiply = mul


def div(input, other, rounding_mode=None):
    if rounding_mode is not None:
        return floor_divide(input, other) if rounding_mode == "floor" else _trunc_div(input, other)
    if not _is_operand(other):
        return NotImplemented
    a, b, _ = _binary_operands(input, other)
    result = _promote_tensors((a, b))
    if not result.is_floating_point:
        a, b = to(a, dtypes.get_default_dtype()), to(b, dtypes.get_default_dtype())
    return _elementwise(ops.DIV, a, b)


divide = true_divide = div


def _trunc_div(a, b):
    a, b, arrays = _binary_operands(as_tensor(a), b)
    return Tensor._wrap(np.asarray(np.trunc(arrays[0] / arrays[1]).astype(arrays[0].dtype)))


def floor_divide(input, other):
    """Not differentiable (its derivative is zero almost everywhere); no graph is recorded."""
    if not _is_operand(other):
        return NotImplemented
    _, _, arrays = _binary_operands(as_tensor(input), other)
    return Tensor._wrap(np.asarray(np.floor_divide(*arrays)))


def remainder(input, other):
    if not _is_operand(other):
        return NotImplemented
    _, _, arrays = _binary_operands(as_tensor(input), other)
    return Tensor._wrap(np.asarray(np.remainder(*arrays)))


def pow(input, exponent):
    if type(input) is not Tensor:
        return rpow(exponent, input)
    if type(exponent) is Tensor:
        return _elementwise(ops.POW_TENSOR, input, exponent)
    if not isinstance(exponent, _NUMBER):
        return NotImplemented
    if input._data.dtype.kind in "iub":
        if isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if isinstance(exponent, float):
            input = to(input, dtypes.get_default_dtype())
    return apply(ops.POW, (input,), {"exponent": exponent})


def rpow(input, base):
    """``base ** input`` for a number ``base`` (PowBackward2)."""
    if not isinstance(base, _NUMBER):
        return NotImplemented
    if input._data.dtype.kind in "iub" and isinstance(base, float):
        input = to(input, dtypes.get_default_dtype())
    return apply(ops.RPOW, (input,), {"base": base})


def square(input):
    return pow(input, 2)


def _unary(op):
    """A public function for an elementwise op of one tensor (ints are computed as floats)."""
    keeps_integers = op in (ops.NEG, ops.ABS, ops.RELU, ops.SIGN)

    def fn(input):
        t = input if type(input) is Tensor else as_tensor(input)
        if not keeps_integers and t._data.dtype.kind in "iub":
            t = to(t, dtypes.get_default_dtype())
        return apply(op, (t,))
    fn.__name__ = fn.__qualname__ = op.name
    fn.__doc__ = (f"{op.expr.format('x')}, elementwise; local derivative "
                  f"{op.formula[0].format('x')}.")
    return fn


neg = negative = _unary(ops.NEG)
reciprocal = _unary(ops.RECIPROCAL)
exp = _unary(ops.EXP)
log = _unary(ops.LOG)
sin = _unary(ops.SIN)
cos = _unary(ops.COS)
tan = _unary(ops.TAN)
tanh = _unary(ops.TANH)
sigmoid = _unary(ops.SIGMOID)
relu = _unary(ops.RELU)
sqrt = _unary(ops.SQRT)
abs = absolute = _unary(ops.ABS)
sign = _unary(ops.SIGN)


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    t = as_tensor(input)
    return apply(ops.CLAMP, (t,), {"min": _number(min), "max": _number(max)})


clip = clamp


def _number(v):
    return v.item() if isinstance(v, Tensor) else v


def maximum(input, other):
    return _elementwise(ops.MAXIMUM, as_tensor(input), as_tensor(other))


def minimum(input, other):
    return _elementwise(ops.MINIMUM, as_tensor(input), as_tensor(other))


def where(condition, input, other):
    c = as_tensor(condition)
    if c._data.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {c.dtype.short}")
    if type(input) is Tensor:
        a, b, arrays = _binary_operands(input, other)
    elif type(other) is Tensor:
        b, a, (array_b, array_a) = _binary_operands(other, input)
        arrays = (array_a, array_b)
    else:
        a, b, arrays = _binary_operands(as_tensor(input), other)
    try:
        shape = np.broadcast_shapes(c._data.shape, arrays[0].shape, arrays[1].shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({c.shape}) must match the size of tensor b "
                           f"at a non-singleton dimension") from None
    check_numel(shape)
    return apply(ops.WHERE, (c, a, b), _NO_PARAMS, (c._data, *arrays))


# --- linear algebra -----------------------------------------------------------------------------

def _same_dtype(a: Tensor, b: Tensor, name: str) -> None:
    if a._data.dtype != b._data.dtype:
        if name == "dot":
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{a.dtype.short} and {b.dtype.short}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.np.name.replace('float32', 'float')} != "
                           f"{b.dtype.np.name.replace('float32', 'float')}"
                           .replace("float64", "double"))


def dot(input, other):
    a, b = as_tensor(input), as_tensor(other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a._data.shape[0] != b._data.shape[0]:
        n, m = a._data.shape[0], b._data.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    _same_dtype(a, b, "dot")
    return apply(ops.DOT, (a, b))


inner = vdot = dot


def mv(input, vec):
    a, v = as_tensor(input), as_tensor(vec)
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a._data.shape[0]}), mat "
                           f"({a._data.shape[0]}x{a._data.shape[1]}), vec ({v._data.shape[0]})")
    _same_dtype(a, v, "mv")
    return apply(ops.MV, (a, v))


def mm(input, mat2):
    a, b = as_tensor(input), as_tensor(mat2)
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return _mm(a, b)


def _mm(a: Tensor, b: Tensor) -> Tensor:
    """Two matrices multiplied, once their shapes and dtypes are checked."""
    da, db = a._data, b._data
    (n, k), (k2, m) = da.shape, db.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    if da.dtype != db.dtype:
        _same_dtype(a, b, "mm")
    check_numel((n, m))
    check_work(n * k * m, f"the product of {da.shape} and {db.shape}")
    return apply(ops.MM, (a, b), _NO_PARAMS, (da, db))


def matmul(input, other):
    """``@``: dot for two vectors, mv for matrix·vector, mm for matrices, batched beyond."""
    if not _is_operand(other):
        return NotImplemented
    a, b = as_tensor(input), as_tensor(other)
    na, nb = a._data.ndim, b._data.ndim
    if na == 2 and nb == 2:
        return _mm(a, b)
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{na}D and {nb}D")
    if na == 1 and nb == 1:
        return dot(a, b)
    if na == 2 and nb == 1:
        return mv(a, b)
    if na == 1 and nb == 2:
        product = mm(unsqueeze(a, 0), b)
        return apply(ops.SQUEEZE_MATMUL, (product,), {"shape": product._data.shape[1:]})
    _same_dtype(a, b, "matmul")
    sa, sb = a._data.shape, b._data.shape
    _check_batched(sa, sb)
    try:
        batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise _broadcast_error(Tensor._wrap(np.empty(sa[:-2])),
                               Tensor._wrap(np.empty(sb[:-2]))) from None
    shape = (*batch, *sa[-2:-1], *sb[-1:]) if len(sb) > 1 else (*batch, *sa[-2:-1])
    check_numel(shape)
    check_work(math.prod(shape) * sa[-1], f"a batched product of {sa} and {sb}")
    return apply(ops.MATMUL, (a, b))  # np.matmul treats 1-D operands as PyTorch does


def _check_batched(sa: tuple, sb: tuple) -> None:
    """PyTorch's messages for a batched matmul whose inner sizes differ (it folds the batch of
    ``a`` into rows when ``b`` is a matrix or a vector)."""
    k, k2 = sa[-1], sb[-2] if len(sb) > 1 else sb[0]
    if k == k2:
        return
    rows = int(np.prod(sa[:-1]))
    if len(sb) == 1:
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k}), vec ({k2})")
    if len(sb) == 2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and "
                           f"{k2}x{sb[-1]})")
    try:
        batch = int(np.prod(np.broadcast_shapes(sa[:-2], sb[:-2])))
    except ValueError:
        return  # the batch shapes' own error comes next
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                       f"[{batch}, {k}] but got: [{batch}, {k2}].")


def outer(input, vec2):
    """The outer product, computed as PyTorch does: ``input.reshape(n, 1) * vec2``
    (MulBackward0 over ViewBackward0)."""
    a, b = as_tensor(input), as_tensor(vec2)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D"
                           if a.ndim != 1 else
                           f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    return mul(reshape(a, (a._data.shape[0], 1)), b)


ger = outer


# --- reductions ---------------------------------------------------------------------------------

def _dims(dim, ndim: int) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of non-negative axes, checked like PyTorch checks it."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        d = int(d)
        lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
        if not lo <= d <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], "
                             f"but got {d})")
        out.append(d % builtins.max(ndim, 1))
    return tuple(sorted(set(out)))


def _sum_input(t: Tensor, dtype) -> Tensor:
    if dtype is not None:
        return to(t, dtype)
    if t._data.dtype.kind in "iub":
        return to(t, dtypes.int64)
    return t


def sum(input, dim=None, keepdim=False, dtype=None):
    t = _sum_input(as_tensor(input), dtype)
    dims = _dims(dim, t.ndim)
    if dims is None:
        return apply(ops.SUM, (t,))
    return apply(ops.SUM_DIM, (t,), {"dim": dims, "keepdim": bool(keepdim)})


def mean(input, dim=None, keepdim=False, dtype=None):
    t = as_tensor(input) if dtype is None else to(as_tensor(input), dtype)
    if not t.is_floating_point():
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {t.dtype.short}")
    dims = _dims(dim, t.ndim)
    if dims is None:
        return apply(ops.MEAN, (t,))
    return apply(ops.MEAN_DIM, (t,), {"dim": dims, "keepdim": bool(keepdim)})


def prod(input, dim=None, keepdim=False, dtype=None):
    t = _sum_input(as_tensor(input), dtype)
    if dim is None:
        return apply(ops.PROD, (t,))
    return apply(ops.PROD_DIM, (t,), {"dim": _dims(dim, t.ndim), "keepdim": bool(keepdim)})


def sum_to_size(input, *size):
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    t = as_tensor(input)
    if tuple(t.shape) == shape:
        return t
    return apply(ops.SUM_TO, (t,), {"size": shape})


def _extreme(input, dim, keepdim, largest: bool):
    t = as_tensor(input)
    if dim is not None and not isinstance(dim, int):  # torch.max(a, b): elementwise
        return maximum(t, dim) if largest else minimum(t, dim)
    if t._data.size == 0:
        raise RuntimeError(f"{'max' if largest else 'min'}(): Expected reduction dim to be "
                           "specified for input.numel() == 0. Specify the reduction dim with "
                           "the 'dim' argument.")
    if dim is None:
        return apply(ops.MAX if largest else ops.MIN, (t,))
    (d,) = _dims(dim, t.ndim)
    indices = np.argmax(t._data, axis=d) if largest else np.argmin(t._data, axis=d)
    onehot = np.zeros(t._data.shape, dtype=bool)
    np.put_along_axis(onehot, np.expand_dims(indices, d), True, axis=d)
    params = {"dim": d, "keepdim": bool(keepdim), "onehot": onehot, "largest": largest}
    values = apply(ops.MAX_DIM if largest else ops.MIN_DIM, (t,), params)
    if keepdim:
        indices = np.expand_dims(indices, d)
    kind = return_types.max if largest else return_types.min
    return kind(values, Tensor._wrap(np.asarray(indices, dtype=np.int64)))


def max(input, dim=None, keepdim=False):
    return _extreme(input, dim, keepdim, largest=True)


def min(input, dim=None, keepdim=False):
    return _extreme(input, dim, keepdim, largest=False)


def amax(input, dim=None, keepdim=False):
    return max(input) if dim is None else max(input, dim, keepdim).values


def amin(input, dim=None, keepdim=False):
    return min(input) if dim is None else min(input, dim, keepdim).values


def argmax(input, dim=None, keepdim=False):
    t = as_tensor(input)
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(t._data), dtype=np.int64))
    return Tensor._wrap(np.asarray(np.argmax(t._data, axis=dim, keepdims=keepdim),
                                   dtype=np.int64))


def argmin(input, dim=None, keepdim=False):
    t = as_tensor(input)
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(t._data), dtype=np.int64))
    return Tensor._wrap(np.asarray(np.argmin(t._data, axis=dim, keepdims=keepdim),
                                   dtype=np.int64))


def norm(input, p="fro", dim=None, keepdim=False):
    t = as_tensor(input)
    if not t.is_floating_point():
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {t.dtype.short}")
    p = 2 if p in ("fro", None) else p
    return apply(ops.NORM, (t,), {"p": p, "dim": _dims(dim, t.ndim), "keepdim": bool(keepdim)})


def _moment(op, input, dim, unbiased, keepdim, correction):
    t = as_tensor(input)
    if not t.is_floating_point():
        name = "std" if op is ops.STD else "var"
        raise RuntimeError(f"{name} and {name}_mean only support floating point and complex "
                           f"dtypes")
    if correction is None:
        correction = 1 if unbiased else 0
    return apply(op, (t,), {"dim": _dims(dim, t.ndim), "correction": correction,
                            "keepdim": bool(keepdim)})


def var(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """The variance (unbiased by default: divided by n - 1, as PyTorch does)."""
    return _moment(ops.VAR, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """The standard deviation (unbiased by default, as PyTorch does)."""
    return _moment(ops.STD, input, dim, unbiased, keepdim, correction)


def repeat(input, sizes):
    t = as_tensor(input)
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < t.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    check_numel(tuple(r * s for r, s in zip(sizes, (1,) * (len(sizes) - t.ndim) + t._data.shape,
                                             strict=True)))
    return apply(ops.REPEAT, (t,), {"sizes": sizes})


def softmax(input, dim, dtype=None):
    t = as_tensor(input, dtype)
    (d,) = _dims(dim, t.ndim)
    return apply(ops.SOFTMAX, (_float(t),), {"dim": d})


def log_softmax(input, dim, dtype=None):
    t = as_tensor(input, dtype)
    (d,) = _dims(dim, t.ndim)
    return apply(ops.LOG_SOFTMAX, (_float(t),), {"dim": d})


def _float(t: Tensor) -> Tensor:
    return t if t.is_floating_point() else to(t, dtypes.get_default_dtype())


# --- shapes -------------------------------------------------------------------------------------

def _reshaped(op, t: Tensor, shape: tuple[int, ...]) -> Tensor:
    return apply(op, (t,), {"shape": tuple(shape)})


def reshape(input, shape):
    t = as_tensor(input)
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    try:
        target = np.empty(t._data.shape, dtype=bool).reshape(shape).shape if t._data.size \
            else np.reshape(t._data, shape).shape
    except ValueError:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size "
                           f"{t._data.size}") from None
    data = t._data
    if data.flags.c_contiguous:
        return _reshaped(ops.VIEW, t, target)
    # Not contiguous (a transpose, an expand, a strided slice): as in PyTorch, an alias of the
    # same memory when the strides allow one, else a contiguous copy reshaped.
    if np.may_share_memory(np.reshape(data, target), data):
        return _reshaped(ops.RESHAPE_ALIAS, t, target)
    return _reshaped(ops.UNSAFE_VIEW, contiguous(t), target)


def view(input, *shape):
    """``reshape`` that refuses, as PyTorch does, where it would have to copy."""
    t = as_tensor(input)
    shape = tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else shape
    data = t._data
    if not data.flags.c_contiguous and data.size:
        try:
            target = np.reshape(np.empty(data.shape, dtype=bool), shape).shape
        except ValueError:
            return reshape(t, shape)  # its error message
        if not np.may_share_memory(np.reshape(data, target), data):
            raise RuntimeError("view size is not compatible with input tensor's size and stride "
                               "(at least one dimension spans across two contiguous subspaces). "
                               "Use .reshape(...) instead.")
        return _reshaped(ops.VIEW, t, target)
    return reshape(t, shape)


def flatten(input, start_dim=0, end_dim=-1):
    t = as_tensor(input)
    if t.ndim == 0:
        return reshape(t, (1,))
    s, e = start_dim % t.ndim, end_dim % t.ndim
    if s == e:
        return t
    shape = t._data.shape
    return reshape(t, (*shape[:s], int(np.prod(shape[s:e + 1])), *shape[e + 1:]))


def squeeze(input, dim=None):
    t = as_tensor(input)
    if dim is None:
        return _reshaped(ops.SQUEEZE, t, tuple(n for n in t._data.shape if n != 1))
    dims = _dims(dim, t.ndim)
    shape = tuple(n for i, n in enumerate(t._data.shape) if not (i in dims and n == 1))
    return _reshaped(ops.SQUEEZE_DIM, t, shape)


def unsqueeze(input, dim):
    t = as_tensor(input)
    d = _dims(dim, t.ndim + 1)[0]
    shape = t._data.shape
    return _reshaped(ops.UNSQUEEZE, t, (*shape[:d], 1, *shape[d:]))


def transpose(input, dim0, dim1):
    t = as_tensor(input)
    d0, d1 = (_dims(d, t.ndim)[0] for d in (dim0, dim1))
    return apply(ops.TRANSPOSE, (t,), {"dim0": d0, "dim1": d1})


swapaxes = transpose


def t(input):
    x = as_tensor(input)
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return apply(ops.T, (x,))


def permute(input, dims):
    x = as_tensor(input)
    dims = tuple(int(d) % builtins.max(x.ndim, 1) for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {x.ndim} is not equal to len(dims) = {len(dims)}")
    return apply(ops.PERMUTE, (x,), {"dims": dims})


def expand(input, size):
    x = as_tensor(input)
    size = tuple(int(s) for s in size)
    lead = len(size) - x.ndim
    if lead < 0:
        raise RuntimeError(f"expand(torch.{x.dtype.short}Tensor{{{list(x.shape)}}}, "
                           f"size={list(size)}): the number of sizes provided ({len(size)}) must "
                           "be greater or equal to the number of dimensions in the tensor "
                           f"({x.ndim})")
    shape = tuple(x._data.shape[i - lead] if s == -1 else s for i, s in enumerate(size))
    for i, n in enumerate(x._data.shape):
        if n != 1 and n != shape[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[i + lead]}) must match "
                               f"the existing size ({n}) at non-singleton dimension {i + lead}."
                               f"  Target sizes: {list(size)}.  Tensor sizes: {list(x.shape)}")
    check_numel(shape)
    return apply(ops.EXPAND, (x,), {"size": shape})


def broadcast_to(input, size):
    return expand(input, size)


def _index_kind(index: tuple) -> ops.Op:
    if builtins.any(isinstance(i, np.ndarray | list) for i in index):
        return ops.INDEX
    if builtins.any(isinstance(i, int | np.integer) for i in index):
        return ops.SELECT
    if builtins.any(isinstance(i, slice) for i in index):
        return ops.SLICE
    if builtins.any(i is None for i in index):
        return ops.UNSQUEEZE
    return ops.ALIAS


def _normalise_index(index) -> tuple:
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for i in items:
        if isinstance(i, Tensor):
            i = i._data if i._data.ndim or i._data.dtype == np.bool_ else int(i._data)
        elif isinstance(i, list):
            i = np.asarray([int(v) if isinstance(v, Tensor) else v for v in i])
        elif isinstance(i, bool):
            i = np.asarray(i)
        out.append(i)
    return tuple(out)


def getitem(input, index):
    t = as_tensor(input)
    index = _normalise_index(index)
    try:
        data = t._data[index]
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None
    op = _index_kind(index)
    if op is ops.UNSQUEEZE:
        return _reshaped(op, t, data.shape)
    if (t._rg and STATE.enabled) or t._tangent is not None:
        return apply(op, (t,), {"index": index})
    return Tensor._wrap(ops.row_major(data) if op is ops.INDEX else np.asarray(data))


def unbind(input, dim=0) -> tuple:
    """The slices along ``dim`` (what iterating over a tensor gives): one ``UnbindBackward0``
    node per slice here (PyTorch shares one node among them; the gradients are the same)."""
    t = as_tensor(input)
    if t._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    (d,) = _dims(dim, t.ndim)
    record = (t._rg and STATE.enabled) or t._tangent is not None
    slices = []
    for i in range(t._data.shape[d]):
        index = (slice(None),) * d + (i,)
        slices.append(apply(ops.UNBIND, (t,), {"index": index}) if record
                      else Tensor._wrap(np.asarray(t._data[index])))
    return tuple(slices)


def index_backward(g, index, shape):
    """Scatter ``g`` into zeros of ``shape`` at ``index`` (the gradient of indexing)."""
    return apply(ops.INDEX_BACKWARD, (as_tensor(g),), {"index": index, "shape": tuple(shape)})


def filled(op: ops.Op, t: Tensor, value) -> Tensor:
    """``t`` filled with ``value`` (``zero_``, ``fill_``): a node whose gradient is zero."""
    return apply(op, (t,), {"value": _number(value)})


def copy(t: Tensor, src) -> Tensor:
    """``src`` broadcast into ``t``'s shape and dtype (``copy_``: CopyBackwards)."""
    s = as_tensor(src)
    if s._data.shape != t._data.shape:
        expand(s, t._data.shape)  # PyTorch's error when src doesn't broadcast to t
    return apply(ops.COPY, (t, s), _NO_PARAMS, (t._data, s._data))


def _whole(index: tuple, shape: tuple) -> bool:
    """Whether ``index`` picks all of a tensor of ``shape`` trivially (``[:]``, ``[...]``,
    ``[0:n]``): PyTorch then skips the slicing and updates the tensor itself."""
    dim = 0
    for i in index:
        if i is Ellipsis:
            dim = len(shape) - (len(index) - 1 - dim)
            continue
        if not isinstance(i, slice) or dim >= len(shape) or i.step not in (None, 1) or \
                i.start not in (None, 0) or (i.stop is not None and i.stop < shape[dim]):
            return False
        dim += 1
    return True


def _setitem_value(v: Tensor, target: tuple, advanced: bool) -> Tensor:
    """The value as PyTorch prepares it for ``t[index] = v``: leading size-1 dims viewed away,
    then (for basic indexing) expanded to the target's shape."""
    shape = v._data.shape
    stripped = shape
    while stripped and stripped[0] == 1:
        stripped = stripped[1:]
    if advanced:
        return reshape(v, stripped) if stripped != shape else v
    if shape == target:
        return v
    v = _reshaped(ops.VIEW, v, stripped)
    return expand(v, target) if stripped != target else v


def setitem(t: Tensor, index, value) -> None:
    """``t[index] = value``, in place; with a graph, ``t`` gets the node ``CopySlices`` (or, for
    the whole tensor, PyTorch's ``FillBackward3`` / ``CopyBackwards``)."""
    index = _normalise_index(index)
    v = as_tensor(value, dtypes.from_numpy(t._data.dtype)) if type(value) is not Tensor else value
    graph = STATE.enabled and (t._rg or v._rg)
    dual = FORWARD.active and (t._tangent is not None or v._tangent is not None)
    if (graph or dual) and _whole(index, t._data.shape):
        before = Tensor._wrap(t._data)
        before._node, before._rg, before._acc = t._node, t._rg, t._acc
        before._tangent = t._tangent
        result = filled(ops.FILL_WHOLE, before, value) if type(value) is not Tensor else \
            copy(before, v)
        t._data, t._tangent = result._data, result._tangent
        if graph:
            take_node(t, result)
        return
    if graph or dual:
        keep = np.ones(t._data.shape, dtype=bool)
        keep[index] = False
        before = Tensor._wrap(t._data)
        before._node, before._rg, before._acc = t._node, t._rg, t._acc
        before._tangent = t._tangent
        advanced = _index_kind(index) is ops.INDEX and builtins.all(
            isinstance(i, np.ndarray) or i is Ellipsis or (type(i) is slice and i == slice(None))
            for i in index)
        if v._rg and v._data.ndim:
            v = _setitem_value(v, t._data[index].shape, advanced)
        op = ops.INDEX_PUT_ADVANCED if advanced else ops.INDEX_PUT
        result = apply(op, (before, to(v, t.dtype)), {"index": index, "keep": keep})
        t._data, t._tangent = result._data, result._tangent
        if graph:
            take_node(t, result)
        return
    target = t._data[index].shape
    if v._data.shape != target:
        expand(v, target)  # PyTorch's error when the value doesn't broadcast to the target
    t._data[index] = v._data


def _joined(tensors, name: str):
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    result = _promote_tensors(ts).np
    return ts, tuple(x._data.astype(result, copy=False) for x in ts)


def cat(tensors, dim=0):
    ts, arrays = _joined(tensors, "torch.cat")
    d = _dims(dim, ts[0].ndim)[0]
    for i, a in enumerate(arrays[1:], 1):
        if a.ndim != arrays[0].ndim or builtins.any(
                a.shape[k] != arrays[0].shape[k] for k in range(a.ndim) if k != d):
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                               f"size {arrays[0].shape[1 - d] if a.ndim > 1 else ''} but got "
                               f"size {a.shape[1 - d] if a.ndim > 1 else ''} for tensor number "
                               f"{i} in the list.")
    return apply(ops.CAT, tuple(ts), {"dim": d}, arrays)


concat = concatenate = cat


def stack(tensors, dim=0):
    ts, arrays = _joined(tensors, "stack")
    for i, a in enumerate(arrays[1:], 1):
        if a.shape != arrays[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(arrays[0].shape)} at entry 0 and {list(a.shape)} at "
                               f"entry {i}")
    d = _dims(dim, ts[0].ndim + 1)[0]
    return apply(ops.STACK, tuple(ts), {"dim": d}, arrays)


# --- copies and types ---------------------------------------------------------------------------

def to(input, dtype) -> Tensor:
    t = as_tensor(input)
    if not isinstance(dtype, dtypes.DType):
        raise TypeError(f"to() received an invalid combination of arguments - got ({dtype!r})")
    src = dtypes.from_numpy(t._data.dtype)
    if src is dtype:
        return t
    if not dtype.is_floating_point:  # integer results are not differentiable
        return Tensor._wrap(t._data.astype(dtype.np))
    return apply(ops.TO, (t,), {"dtype": dtype, "src": src})


def clone(input) -> Tensor:
    return apply(ops.CLONE, (as_tensor(input),))


def contiguous(input) -> Tensor:
    """Itself when its memory is in row-major order, else a row-major copy (CloneBackward0)."""
    t = as_tensor(input)
    return t if t._data.flags.c_contiguous else apply(ops.CLONE, (t,), {"order": "C"})


def detach(input) -> Tensor:
    return as_tensor(input).detach()


# --- comparisons (no gradient) ------------------------------------------------------------------

def _compare(ufunc):
    def fn(input, other):
        if not _is_operand(other):
            return NotImplemented if ufunc not in (np.equal, np.not_equal) else \
                Tensor._wrap(np.asarray(ufunc is np.not_equal))
        a = as_tensor(input)
        a, b, arrays = _binary_operands(a, other)
        try:
            return Tensor._wrap(np.asarray(ufunc(*arrays)))
        except ValueError:
            raise _broadcast_error(a, b) from None
    fn.__name__ = ufunc.__name__
    return fn


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)


def logical_op(ufunc, a, b):
    a, b, arrays = _binary_operands(as_tensor(a), b)
    return Tensor._wrap(np.asarray(ufunc(*arrays)))


def logical_not(input):
    return Tensor._wrap(np.logical_not(as_tensor(input)._data))


def bitwise_not(input):
    return Tensor._wrap(np.invert(as_tensor(input)._data))


def equal(input, other) -> bool:
    a, b = as_tensor(input), as_tensor(other)
    return a._data.shape == b._data.shape and bool(np.array_equal(a._data, b._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    _, _, arrays = _binary_operands(as_tensor(input), other)
    return bool(np.allclose(*arrays, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    _, _, arrays = _binary_operands(as_tensor(input), other)
    return Tensor._wrap(np.asarray(np.isclose(*arrays, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def numel(input) -> int:
    return as_tensor(input).numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return as_tensor(input).is_floating_point()
