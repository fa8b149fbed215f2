"""The engine's functions (``torch.exp``, ``torch.dot``, ``x.sum(dim=0)`` ...): argument handling,
dtype promotion and PyTorch's error messages, then one call to ``apply`` with a row of the op table.

``apply`` is where an operation runs: the forward on arrays, then -- when grad mode is on and an
input requires grad -- a ``Node`` for the backward, and -- when an input carries a forward-mode
tangent -- the output's tangent.
"""

from __future__ import annotations

import builtins
import inspect
import math
import weakref

import numpy as np

from autodiff_repl.engine import dtypes, ops, views
from autodiff_repl.engine.backends import RAW
from autodiff_repl.engine.grad_mode import STATE
from autodiff_repl.engine.graph import RECORDING, Node
from autodiff_repl.engine.limits import LIMITS, check_numel, check_work
from autodiff_repl.engine.tensor import Tensor, numpy_names, return_types, take_node

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
            if t._no_grad_from is not None:  # computed further inside the same block
                out._no_grad_from = t._no_grad_from
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
log1p = _unary(ops.LOG1P)
expm1 = _unary(ops.EXPM1)
exp2 = _unary(ops.EXP2)
log2 = _unary(ops.LOG2)
log10 = _unary(ops.LOG10)
sinh = _unary(ops.SINH)
cosh = _unary(ops.COSH)
asin = arcsin = _unary(ops.ASIN)
acos = arccos = _unary(ops.ACOS)
atan = arctan = _unary(ops.ATAN)
rsqrt = _unary(ops.RSQRT)


def _whole_numbers(op):
    """floor, ceil, trunc: integer tensors are whole already (a copy of them, no graph)."""
    def fn(input):
        t = as_tensor(input)
        if t._data.dtype == np.bool_:
            raise NotImplementedError(f'"{op.name}_vml_cpu" not implemented for \'Bool\'')
        if t._data.dtype.kind in "iu":
            return Tensor._wrap(t._data.copy())
        return apply(op, (t,))
    fn.__name__ = fn.__qualname__ = op.name
    fn.__doc__ = f"{op.expr.format('x')}, elementwise; its gradient is 0."
    return fn


floor = _whole_numbers(ops.FLOOR)
ceil = _whole_numbers(ops.CEIL)
trunc = fix = _whole_numbers(ops.TRUNC)
_round = _whole_numbers(ops.ROUND)


def round(input, *, decimals=0):
    """Round half to even (``decimals`` places after the point); its gradient is 0."""
    if not decimals:
        return _round(input)
    t = as_tensor(input)
    if not t.is_floating_point():
        raise NotImplementedError(f'"round_cpu" not implemented for \'{t.dtype.short}\'')
    return apply(ops.ROUND_DECIMALS, (t,), {"decimals": int(decimals)})


def must_be_tensor(fn: str, name: str, position: int, value) -> None:
    """PyTorch's TypeError for a number where only a tensor will do (``atan2(x, 2.0)``)."""
    if type(value) is not Tensor:
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")


def atan2(input, other):
    """The angle of the point (other, input): ``atan(input / other)`` in the right quadrant."""
    must_be_tensor("atan2", "input", 1, input)
    must_be_tensor("atan2", "other", 2, other)
    if not _promote_tensors((input, other)).is_floating_point:
        input, other = to(input, dtypes.get_default_dtype()), to(other, dtypes.get_default_dtype())
    return _elementwise(ops.ATAN2, input, other)


arctan2 = atan2


def _predicate(ufunc, name: str):
    def fn(input):
        return Tensor._wrap(np.asarray(ufunc(as_tensor(input)._data)))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Whether each element is {name.removeprefix('is')} (a bool tensor, no gradient)."
    return fn


isnan = _predicate(np.isnan, "isnan")
isinf = _predicate(np.isinf, "isinf")
isfinite = _predicate(np.isfinite, "isfinite")


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """nan, inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
    dtype's largest and smallest numbers); the gradient passes where the input is finite."""
    t = as_tensor(input)
    if not t.is_floating_point():
        return Tensor._wrap(t._data.copy())
    return apply(ops.NAN_TO_NUM, (t,), {"nan": nan, "posinf": posinf, "neginf": neginf})


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


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (``mask`` broadcasts)."""
    t, m = as_tensor(input), as_tensor(mask)
    if m._data.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES.get(m._data.dtype.name, m._data.dtype.name)}")
    try:
        check_numel(np.broadcast_shapes(m._data.shape, t._data.shape))
    except ValueError:
        raise _broadcast_error(m, t) from None
    if type(value) is not Tensor:
        return apply(ops.MASKED_FILL, (t,), {"mask": m._data, "value": _number(value)})
    if value._data.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    return apply(ops.MASKED_FILL_TENSOR, (t, value), {"mask": m._data},
                 (t._data, value._data.astype(t._data.dtype)))


_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double",
            "float16": "c10::Half"}
"""The C++ names PyTorch's messages give dtypes in (``long int`` for int64)."""


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
    if LIMITS.max_elements is not None:  # a session's limits (none for library use)
        check_numel((n, m))
        check_work(n * k * m, da.shape, db.shape)
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
    check_work(math.prod(shape) * sa[-1], sa, sb)
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


def bmm(input, mat2):
    """Batched matrix product: ``input[i] @ mat2[i]`` for each i (both 3-D)."""
    a, b = as_tensor(input), as_tensor(mat2)
    for name, x in (("batch1", a), ("batch2", b)):
        if x._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    (n, rows, k), (n2, k2, cols) = a._data.shape, b._data.shape
    if (n, k) != (n2, k2):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{n}, {k}] but got: [{n2}, {k2}].")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {a.dtype.short} but found {b.dtype.short}")
    check_numel((n, rows, cols))
    check_work(n * rows * k * cols, a._data.shape, b._data.shape)
    return apply(ops.BMM, (a, b))


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


def _computed_in(t: Tensor, dtype) -> tuple | None:
    """The data a sum, product or scan of ``t`` runs on: ``t``'s cast to ``dtype`` (integers to
    int64) inside the op, as PyTorch casts it -- no ToCopyBackward0 node; None for ``t``'s own."""
    target = dtype or (dtypes.int64 if t._data.dtype.kind in "iub" else None)
    if target is None or target.np == t._data.dtype:
        return None
    return (t._data.astype(target.np),)


@numpy_names
def sum(input, dim=None, keepdim=False, dtype=None):
    t = as_tensor(input)
    arrays = _computed_in(t, dtype)
    dims = _dims(dim, t.ndim)
    if dims is None:
        return apply(ops.SUM, (t,), _NO_PARAMS, arrays)
    return apply(ops.SUM_DIM, (t,), {"dim": dims, "keepdim": bool(keepdim)}, arrays)


@numpy_names
def mean(input, dim=None, keepdim=False, dtype=None):
    t = as_tensor(input)
    if (t._data.dtype.kind != "f") if dtype is None else not dtype.is_floating_point:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {(dtype or t.dtype).short}")
    arrays = None if dtype is None else _computed_in(t, dtype)
    dims = _dims(dim, t.ndim)
    if dims is None:
        return apply(ops.MEAN, (t,), _NO_PARAMS, arrays)
    return apply(ops.MEAN_DIM, (t,), {"dim": dims, "keepdim": bool(keepdim)}, arrays)


@numpy_names
def prod(input, dim=None, keepdim=False, dtype=None):
    t = as_tensor(input)
    arrays = _computed_in(t, dtype)
    if dim is None:
        return apply(ops.PROD, (t,), _NO_PARAMS, arrays)
    return apply(ops.PROD_DIM, (t,), {"dim": _dims(dim, t.ndim), "keepdim": bool(keepdim)},
                 arrays)


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


@numpy_names
def max(input, dim=None, keepdim=False):
    return _extreme(input, dim, keepdim, largest=True)


@numpy_names
def min(input, dim=None, keepdim=False):
    return _extreme(input, dim, keepdim, largest=False)


def _amax(op, input, dim, keepdim):
    t = as_tensor(input)
    if dim is None or (not isinstance(dim, int) and not len(dim)):  # (): every dim
        if t._data.size == 0:
            raise RuntimeError(f"{op.name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        dims = tuple(range(t._data.ndim))
    else:
        dims = _dims(dim, t.ndim)
    return apply(op, (t,), {"dim": dims, "keepdim": bool(keepdim)})


@numpy_names
def amax(input, dim=(), keepdim=False):
    """The largest values over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _amax(ops.AMAX, input, dim, keepdim)


@numpy_names
def amin(input, dim=(), keepdim=False):
    """The smallest values over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _amax(ops.AMIN, input, dim, keepdim)


@numpy_names
def argmax(input, dim=None, keepdim=False):
    t = as_tensor(input)
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(t._data), dtype=np.int64))
    return Tensor._wrap(np.asarray(np.argmax(t._data, axis=dim, keepdims=keepdim),
                                   dtype=np.int64))


@numpy_names
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


@numpy_names
def var(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """The variance (unbiased by default: divided by n - 1, as PyTorch does)."""
    return _moment(ops.VAR, input, dim, unbiased, keepdim, correction)


@numpy_names
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


@numpy_names
def softmax(input, dim, dtype=None):
    t = as_tensor(input, dtype)
    (d,) = _dims(dim, t.ndim)
    return apply(ops.SOFTMAX, (_float(t),), {"dim": d})


@numpy_names
def log_softmax(input, dim, dtype=None):
    t = as_tensor(input, dtype)
    (d,) = _dims(dim, t.ndim)
    return apply(ops.LOG_SOFTMAX, (_float(t),), {"dim": d})


def _required(fn, name: str):
    """Show ``fn``'s parameter ``name`` as required: it defaults to None only so that leaving it
    out gets PyTorch's TypeError (``_missing``) rather than Python's."""
    signature = inspect.signature(fn)
    fn.__signature__ = signature.replace(parameters=[
        p.replace(default=inspect.Parameter.empty) if p.name == name else p
        for p in signature.parameters.values()])
    return fn


def _missing(fn: str, name: str) -> TypeError:
    return TypeError(f'{fn}() missing 1 required positional arguments: "{name}"')


@numpy_names
def logsumexp(input, dim=None, keepdim=False):
    """log Σ exp(input) over ``dim``, computed without overflow (the largest value is taken out
    first); its gradient is the softmax of ``input``."""
    if dim is None:
        raise _missing("logsumexp", "dim")
    t = _float(as_tensor(input))
    if not isinstance(dim, int) and not len(dim):
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"{[1] * t._data.ndim}")
    return apply(ops.LOGSUMEXP, (t,), {"dim": _dims(dim, t.ndim), "keepdim": bool(keepdim)})


def _scan(op, input, dim, dtype):
    if dim is None:
        raise _missing(op.name, "dim")
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    return apply(op, (t,), {"dim": d}, _computed_in(t, dtype))


@numpy_names
def cumsum(input, dim=None, *, dtype=None):
    """The running sum along ``dim``: element i is the sum of elements 0..i."""
    return _scan(ops.CUMSUM, input, dim, dtype)


@numpy_names
def cumprod(input, dim=None, *, dtype=None):
    """The running product along ``dim``: element i is the product of elements 0..i."""
    return _scan(ops.CUMPROD, input, dim, dtype)


_required(logsumexp, "dim")
_required(cumsum, "dim")
_required(cumprod, "dim")


def _along(indices: np.ndarray, dim: int) -> tuple:
    """The index tuple for which ``x[_along(indices, dim)]`` is ``np.take_along_axis(x, indices,
    dim)``: ``indices`` pick positions along ``dim``, the other dims go straight through."""
    grids = list(np.indices(indices.shape, sparse=True))
    grids[dim] = indices
    return tuple(grids)


def _order(data: np.ndarray, d: int, descending: bool) -> np.ndarray:
    """The stable sorting order along ``d``: equal values keep their order, NaN comes last
    ascending and first descending (reversing a stable sort of the reversed data keeps ties in
    order)."""
    if not descending:
        return np.argsort(data, axis=d, kind="stable")
    n = data.shape[d]
    return n - 1 - np.flip(np.argsort(np.flip(data, d), axis=d, kind="stable"), d)


def _picked(op, t: Tensor, indices: np.ndarray, d: int, **params) -> Tensor:
    """``t``'s elements at ``indices`` along ``d`` (a row of ``ops._picking``)."""
    return apply(op, (t,), {"index": _along(indices, d), "dim": d, **params})


@numpy_names
def sort(input, dim=-1, descending=False, stable=False):
    """The values sorted along ``dim``, and where each came from (``indices``). Sorting is stable
    here: equal values keep their order."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    if t._data.ndim == 0:
        return return_types.sort(apply(ops.SORT, (t,), {"index": (), "dim": d}),
                                 Tensor._wrap(np.asarray(0)))
    order = _order(t._data, d, descending)
    return return_types.sort(_picked(ops.SORT, t, order, d), Tensor._wrap(order))


@numpy_names
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim`` (stable: equal values keep their order)."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    if t._data.ndim == 0:
        return Tensor._wrap(np.asarray(0))
    return Tensor._wrap(_order(t._data, d, descending))


@numpy_names
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim``, and where they came from. Among equal
    values the first ones are taken here (PyTorch's choice among ties can differ)."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    size = t._data.shape[d] if t._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if t._data.ndim == 0:
        return return_types.topk(apply(ops.TOPK, (t,), {"index": (), "dim": d, "k": k}),
                                 Tensor._wrap(np.asarray(0)))
    order = np.take(_order(t._data, d, largest), np.arange(k), axis=d)
    return return_types.topk(_picked(ops.TOPK, t, order, d, k=k), Tensor._wrap(order))


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


@numpy_names
def squeeze(input, dim=None):
    t = as_tensor(input)
    if dim is None:
        return _reshaped(ops.SQUEEZE, t, tuple(n for n in t._data.shape if n != 1))
    dims = _dims(dim, t.ndim)
    shape = tuple(n for i, n in enumerate(t._data.shape) if not (i in dims and n == 1))
    return _reshaped(ops.SQUEEZE_DIM, t, shape)


@numpy_names
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


@numpy_names
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


@numpy_names
def cat(tensors, dim=0):
    ts, arrays = _joined(tensors, "torch.cat")
    d = _dims(dim, ts[0].ndim)[0]
    for i, a in enumerate(arrays[1:], 1):
        if a.ndim != arrays[0].ndim and a.ndim and arrays[0].ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{arrays[0].ndim} and {a.ndim}")
        if a.ndim != arrays[0].ndim or builtins.any(
                a.shape[k] != arrays[0].shape[k] for k in range(a.ndim) if k != d):
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                               f"size {arrays[0].shape[1 - d] if a.ndim > 1 else ''} but got "
                               f"size {a.shape[1 - d] if a.ndim > 1 else ''} for tensor number "
                               f"{i} in the list.")
    return apply(ops.CAT, tuple(ts), {"dim": d}, arrays)


concat = concatenate = cat


@numpy_names
def stack(tensors, dim=0):
    ts, arrays = _joined(tensors, "stack")
    for i, a in enumerate(arrays[1:], 1):
        if a.shape != arrays[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(arrays[0].shape)} at entry 0 and {list(a.shape)} at "
                               f"entry {i}")
    d = _dims(dim, ts[0].ndim + 1)[0]
    return apply(ops.STACK, tuple(ts), {"dim": d}, arrays)


def _tensor_list(tensors, name: str) -> list:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return ts


def hstack(tensors):
    """Join side by side: along dim 1, or dim 0 for vectors (numbers become vectors first)."""
    ts = [reshape(x, (1,)) if x._data.ndim == 0 else x for x in _tensor_list(tensors, "hstack")]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Join on top of each other, along dim 0 (vectors become rows first)."""
    ts = [reshape(x, (1, 1)) if x._data.ndim == 0 else unsqueeze(x, 0) if x._data.ndim == 1
          else x for x in _tensor_list(tensors, "vstack")]
    return cat(ts, 0)


def flip(input, dims=None):
    """The elements in reverse order along each of ``dims``."""
    if dims is None:
        raise _missing("flip", "dims")
    t = as_tensor(input)
    listed = [dims] if isinstance(dims, int) else list(dims)
    normalised = [_dims(d, t.ndim)[0] for d in listed]
    for d in normalised:
        if normalised.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return apply(ops.FLIP, (t,), {"dims": tuple(normalised) if t._data.ndim else ()})


_required(flip, "dims")


def roll(input, shifts, dims=None):
    """The elements shifted along ``dims`` by ``shifts``, those falling off the end coming back
    at the start (without ``dims``: shifted through the flattened tensor)."""
    t = as_tensor(input)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    listed = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != builtins.max(len(listed), 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(listed)}")
    if not listed:
        return apply(ops.ROLL, (t,), {"shifts": shifts[0], "dims": None})
    if t._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dims = tuple(_dims(d, t.ndim)[0] for d in listed)
    return apply(ops.ROLL, (t,), {"shifts": shifts, "dims": dims})


def _triangle(op, input, diagonal):
    t = as_tensor(input)
    if t._data.ndim < 2:
        raise RuntimeError(f"{op.name}: input tensor must have at least 2 dimensions")
    return apply(op, (t,), {"diagonal": int(diagonal)})


def tril(input, diagonal=0):
    """The lower triangle (on and below ``diagonal``) of the last two dims; zeros above it."""
    return _triangle(ops.TRIL, input, diagonal)


def triu(input, diagonal=0):
    """The upper triangle (on and above ``diagonal``) of the last two dims; zeros below it."""
    return _triangle(ops.TRIU, input, diagonal)


def trace(input):
    """The sum of a matrix's diagonal."""
    t = as_tensor(input)
    if t._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {t._data.ndim}")
    if t._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return apply(ops.TRACE, (_sum_input(t, None),))


def _diagonal(rows: int, cols: int, k: int) -> tuple:
    """The (row, column) index arrays of diagonal ``k`` of a rows x cols matrix."""
    n = builtins.max(0, builtins.min(rows + builtins.min(k, 0), cols - builtins.max(k, 0)))
    return np.arange(n) - builtins.min(k, 0), np.arange(n) + builtins.max(k, 0)


def diag(input, diagonal=0):
    """A vector's diagonal matrix, or a matrix's diagonal (``diagonal`` > 0: above the main one,
    < 0: below)."""
    t = as_tensor(input)
    k = int(diagonal)
    if t._data.ndim == 1:
        n = t._data.shape[0] + builtins.abs(k)
        check_numel((n, n))
        return apply(ops.DIAG_EMBED, (t,), {"diagonal": k, "index": _diagonal(n, n, k)})
    if t._data.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {t._data.ndim}D")
    return apply(ops.DIAG, (t,), {"index": _diagonal(*t._data.shape, k), "diagonal": k})


def _index_array(index, fn: str, dtypes_named: str) -> np.ndarray:
    if type(index) is not Tensor:
        raise TypeError(f"{fn}(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{fn}(): Expected dtype {dtypes_named} for index")
    return index._data.astype(np.int64, copy=False)


@numpy_names
def gather(input, dim, index):
    """``out[i][j] = input[i][index[i][j]]`` for dim 1 (likewise for other dims): the element of
    each line of ``input`` at the position ``index`` gives."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    idx = _index_array(index, "gather", "int32/int64")
    if idx.ndim != t._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i, (a, b) in enumerate(zip(idx.shape, t._data.shape, strict=True)):
        if i != d and a > b:
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{list(idx.shape)} to be no larger than self "
                               f"{list(t._data.shape)} apart from dimension {d}")
    size = t._data.shape[d] if t._data.ndim else 1
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {d} with size {size}")
    if t._data.ndim == 0:
        return apply(ops.GATHER, (t,), {"index": (), "dim": d})
    return _picked(ops.GATHER, t, idx, d)


@numpy_names
def index_select(input, dim, index):
    """The slices of ``input`` along ``dim`` at the positions in ``index`` (a vector)."""
    t = as_tensor(input)
    (d,) = _dims(dim, t.ndim)
    idx = _index_array(index, "index_select", "int32 or int64")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    size = t._data.shape[d] if t._data.ndim else 1
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad.reshape(-1)[0]} "
                           f"axis_dim={size}")
    index = (slice(None),) * d + (idx.reshape(-1),) if t._data.ndim else ()
    check_numel((*t._data.shape[:d], idx.size, *t._data.shape[d + 1:]))
    return apply(ops.INDEX_SELECT, (t,), {"index": index, "dim": d})


def _pieces(op, t: Tensor, d: int, sizes) -> tuple:
    """``t`` cut along ``d`` into pieces of ``sizes``: views, one node each (PyTorch shares one
    node among them; the gradients are the same)."""
    pieces, start = [], 0
    for i, n in enumerate(sizes):
        index = (slice(None),) * d + (slice(start, start + n),)
        pieces.append(apply(op, (t,), {"index": index, "i": i}))
        start += n
    return tuple(pieces)


def split(tensor, split_size_or_sections, dim=0):
    """``tensor`` cut along ``dim`` into pieces of ``split_size_or_sections`` elements (the last
    piece may be smaller), or of the sizes listed."""
    t = as_tensor(tensor)
    if t._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    (d,) = _dims(dim, t.ndim)
    n = t._data.shape[d]
    if not isinstance(split_size_or_sections, int):
        sizes = [int(k) for k in split_size_or_sections]
        if builtins.sum(sizes) != n or builtins.any(k < 0 for k in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
        return _pieces(ops.SPLIT_WITH_SIZES, t, d, sizes)
    size = split_size_or_sections
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0:
        if n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        return _pieces(ops.SPLIT, t, d, [0])
    return _pieces(ops.SPLIT, t, d, [builtins.min(size, n - i) for i in range(0, n, size)] or [0])


@numpy_names
def chunk(input, chunks, dim=0):
    """``input`` cut along ``dim`` into at most ``chunks`` pieces of equal size (the last one may
    be smaller)."""
    t = as_tensor(input)
    if t._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    (d,) = _dims(dim, t.ndim)
    return split(t, builtins.max(-(-t._data.shape[d] // chunks), 1), d)


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
