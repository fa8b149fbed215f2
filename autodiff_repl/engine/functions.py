"""The engine's functions (``torch.exp``, ``torch.dot``, ``x + y`` ...): argument handling, dtype
promotion and PyTorch's error messages, then one call to ``apply`` with a row of the op table.
Here: ``apply``, argument conversion, arithmetic and elementwise functions, linear algebra, copies
and dtypes, comparisons; reductions (``x.sum(dim=0)``, ``softmax``, ``sort`` ...) are in
``reductions``, shapes and indexing in ``shapes`` -- both build on this module.

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
from autodiff_repl.engine.tensor import Tensor
from autodiff_repl.engine.views import SEEN

_NO_PARAMS: dict = {}
_new = object.__new__


class _Forward:
    """How many forward-mode levels are open (``forward_ad.dual_level``)."""

    def __init__(self) -> None:
        self.active = 0  # set on the instance: read on every operation, so it must be quick


FORWARD = _Forward()


def apply(op: ops.Op, inputs: tuple[Tensor, ...], params: dict = _NO_PARAMS,
          arrays: tuple | None = None, metas: tuple | None = None) -> Tensor:
    """Run ``op`` on ``inputs`` (``arrays`` are their data, already cast to the result dtype;
    ``metas`` their ``(shape, dtype)`` pairs, when the caller has read them already: NumPy makes
    a new tuple for every ``.shape``, which costs as much as a Python call)."""
    if arrays is None:
        arrays = (inputs[0]._data,) if len(inputs) == 1 else tuple([t._data for t in inputs])
    data = op.forward(*arrays, **params) if params else op.forward(*arrays)
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    out = _new(Tensor)  # Tensor._wrap(data), inlined: this is the engine's hottest path
    out._data = data
    if STATE.enabled:
        for t in inputs:
            if t._rg:
                if SEEN.multiple_views:  # an input's grad_fn may have become invalid
                    views.check_inputs(inputs)
                node = out._node = Node(op, inputs, params, data, metas)
                out._rg = True
                if RECORDING.keep_values:
                    node.output = weakref.ref(out)
                if op in ops.VIEWS and inputs[0]._node is not None:  # for in-place updates
                    views.remember(out, inputs[0], op, params)
                break
        else:  # no input requires grad: no graph
            out._rg = False
            out._node = None
    else:
        out._node = None
        if op in ops.VIEWS and inputs[0]._rg:  # a view keeps requires_grad, as in PyTorch
            out._rg = out._no_grad_view = True  # (but an in-place update of it is refused)
        else:
            out._rg = False
        if RECORDING.keep_values:  # for explanations: a result no_grad() kept out of a graph
            _note_no_grad(out, inputs)
    if FORWARD.active:
        out._tangent = _tangent(op, inputs, arrays, data, params)
    return out


def _note_no_grad(out: Tensor, inputs) -> None:
    """Remember which input that required grad ``out`` was computed from inside ``no_grad()``."""
    for t in inputs:
        if t._rg:
            out._no_grad_from = weakref.ref(t)
            return
        if t._no_grad_from is not None:  # computed further inside the same block
            out._no_grad_from = t._no_grad_from
            return


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
        if type(b) is Tensor:
            da, db = a._data, b._data
            ma, mb = (da.shape, da.dtype), (db.shape, db.dtype)
            if ma == mb:  # the same shape and dtype
                return apply(op, (a, b), params, (da, db), (ma, mb))
            if ma[1] == mb[1]:  # the same dtype, shapes that may broadcast (x @ W + b)
                if LIMITS.max_elements is None:  # no size limit to check first
                    try:
                        return apply(op, (a, b), params, (da, db), (ma, mb))
                    except ValueError:
                        raise _broadcast_error(a, b) from None
                return _broadcasting(op, a, b, params, (da, db), (ma, mb))
    if not _is_operand(b) or not _is_operand(a):
        return NotImplemented
    a, b, arrays = _binary_operands(a, b)
    return _broadcasting(op, a, b, params, arrays)


def _broadcasting(op, a, b, params, arrays, metas=None):
    """``apply`` for two operands whose shapes may differ: PyTorch's error if they don't
    broadcast, and the size limit checked before NumPy allocates the result."""
    if metas is None:
        sa, sb = arrays[0].shape, arrays[1].shape
    else:
        sa, sb = metas[0][0], metas[1][0]
    if sa == sb or not sa or not sb:
        return apply(op, (a, b), params, arrays, metas)
    if LIMITS.max_elements is None:  # no size limit to check first: let NumPy broadcast
        try:
            return apply(op, (a, b), params, arrays, metas)
        except ValueError:
            raise _broadcast_error(a, b) from None
    try:
        shape = np.broadcast_shapes(sa, sb)
    except ValueError:
        raise _broadcast_error(a, b) from None
    check_numel(shape)
    return apply(op, (a, b), params, arrays, metas)


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


def _float(t: Tensor) -> Tensor:
    return t if t.is_floating_point() else to(t, dtypes.get_default_dtype())


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
    quotient = _divided(np.true_divide, arrays)
    return Tensor._wrap(np.asarray(np.trunc(quotient).astype(arrays[0].dtype)))


def floor_divide(input, other):
    """Not differentiable (its derivative is zero almost everywhere); no graph is recorded."""
    if not _is_operand(other):
        return NotImplemented
    _, _, arrays = _binary_operands(as_tensor(input), other)
    return Tensor._wrap(_divided(np.floor_divide, arrays))


def remainder(input, other):
    if not _is_operand(other):
        return NotImplemented
    _, _, arrays = _binary_operands(as_tensor(input), other)
    return Tensor._wrap(_divided(np.remainder, arrays))


def _divided(fn, arrays) -> np.ndarray:
    """``//``, ``%`` and trunc division: integers refuse a zero divisor, as PyTorch does; floats
    give inf or nan without NumPy's warnings."""
    a, b = arrays
    if b.dtype.kind in "iub" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(fn(a, b))


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
    must_be_tensor("dot", "input", 1, input)
    must_be_tensor("dot", "tensor", 2, other)
    a, b = input, other
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
    must_be_tensor("mv", "input", 1, input)
    must_be_tensor("mv", "vec", 2, vec)
    a, v = input, vec
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a._data.shape[0]}), mat "
                           f"({a._data.shape[0]}x{a._data.shape[1]}), vec ({v._data.shape[0]})")
    _same_dtype(a, v, "mv")
    return apply(ops.MV, (a, v))


def mm(input, mat2):
    must_be_tensor("mm", "input", 1, input)
    must_be_tensor("mm", "mat2", 2, mat2)
    a, b = input, mat2
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return _mm(a, b)


def _mm(a: Tensor, b: Tensor) -> Tensor:
    """Two matrices multiplied, once their shapes and dtypes are checked."""
    da, db = a._data, b._data
    ma, mb = (da.shape, da.dtype), (db.shape, db.dtype)
    (n, k), (k2, m) = ma[0], mb[0]
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    if ma[1] != mb[1]:
        _same_dtype(a, b, "mm")
    if LIMITS.max_elements is not None:  # a session's limits (none for library use)
        check_numel((n, m))
        check_work(n * k * m, ma[0], mb[0])
    return apply(ops.MM, (a, b), _NO_PARAMS, (da, db), (ma, mb))


def matmul(input, other):
    """``@``: dot for two vectors, mv for matrix·vector, mm for matrices, batched beyond."""
    if type(input) is not Tensor or type(other) is not Tensor:  # numbers, lists, arrays
        must_be_tensor("matmul", "input", 1, input)
        must_be_tensor("matmul", "other", 2, other)
    a, b = input, other
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
        from autodiff_repl.engine import shapes  # (it builds on this module)
        product = mm(shapes.unsqueeze(a, 0), b)
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
    must_be_tensor("outer", "input", 1, input)
    must_be_tensor("outer", "vec2", 2, vec2)
    a, b = input, vec2
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D"
                           if a.ndim != 1 else
                           f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    from autodiff_repl.engine import shapes  # (it builds on this module)
    return mul(shapes.reshape(a, (a._data.shape[0], 1)), b)


ger = outer


def bmm(input, mat2):
    """Batched matrix product: ``input[i] @ mat2[i]`` for each i (both 3-D)."""
    must_be_tensor("bmm", "input", 1, input)
    must_be_tensor("bmm", "mat2", 2, mat2)
    a, b = input, mat2
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


# --- special functions, interpolation, fused arithmetic -----------------------------------------

erf = _unary(ops.ERF)
erfc = _unary(ops.ERFC)
asinh = arcsinh = _unary(ops.ASINH)
acosh = arccosh = _unary(ops.ACOSH)
atanh = arctanh = _unary(ops.ATANH)


def _floats_only(kernel: str, *tensors: Tensor) -> None:
    """PyTorch's NotImplementedError for a kernel that has no integer (or bool) version."""
    result = _promote_tensors(tensors)
    if not result.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{result.short}\'')


def hypot(input, other):
    """√(input² + other²), elementwise: the length of the vector (input, other)."""
    must_be_tensor("hypot", "input", 1, input)
    must_be_tensor("hypot", "other", 2, other)
    _floats_only("hypot_cpu", input, other)
    return _elementwise(ops.HYPOT, input, other)


def logaddexp(input, other):
    """log(exp(input) + exp(other)), computed without overflow."""
    must_be_tensor("logaddexp", "input", 1, input)
    must_be_tensor("logaddexp", "other", 2, other)
    _floats_only("logaddexp_cpu", input, other)
    return _elementwise(ops.LOGADDEXP, input, other)


def _same_dtype_as(t: Tensor, other: Tensor, name: str) -> None:
    if other._data.dtype != t._data.dtype:
        raise RuntimeError(f"expected dtype {t.dtype.cpp} for `{name}` but got dtype "
                           f"{other.dtype.cpp}")


def _broadcast_all(tensors) -> tuple:
    """The shape ``tensors`` broadcast to (PyTorch's error for the first pair that doesn't),
    checked against the size limit."""
    shape = ()
    for t in tensors:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise _broadcast_error(Tensor._wrap(np.empty(shape)), t) from None
    check_numel(shape)
    return shape


def lerp(input, end, weight):
    """``input + weight·(end - input)``: from ``input`` (weight 0) to ``end`` (weight 1); the
    weight is a number (LerpBackward0) or a tensor (LerpBackward1), differentiated too."""
    if type(input) is not Tensor or type(end) is not Tensor or not _is_operand(weight):
        names = ", ".join(type(v).__name__ for v in (input, end, weight))
        raise TypeError(f"lerp() received an invalid combination of arguments - got ({names}), "
                        "but expected one of:\n * (Tensor input, Tensor end, Tensor weight, *, "
                        "Tensor out = None)\n * (Tensor input, Tensor end, Number weight, *, "
                        "Tensor out = None)\n")
    _same_dtype_as(input, end, "end")
    if type(weight) is Tensor:
        if weight._data.ndim:
            _same_dtype_as(input, weight, "weight")
        if not input.is_floating_point():
            raise NotImplementedError(f'"lerp_kernel_tensor" not implemented for '
                                      f"'{input.dtype.short}'")
        _broadcast_all((input, end, weight))
        arrays = (input._data, end._data, weight._data.astype(input._data.dtype))
        return apply(ops.LERP_TENSOR, (input, end, weight), _NO_PARAMS, arrays)
    if not input.is_floating_point():
        raise NotImplementedError(f'"lerp_kernel_scalar" not implemented for '
                                  f"'{input.dtype.short}'")
    _broadcast_all((input, end))
    return apply(ops.LERP, (input, end), {"weight": float(weight)})


def _fused(op, name: str, input, tensor1, tensor2, value):
    """addcmul and addcdiv: three tensors, promoted together; ``value`` a number."""
    for position, (arg, t) in enumerate((("input", input), ("tensor1", tensor1),
                                         ("tensor2", tensor2)), 1):
        must_be_tensor(name, arg, position, t)
    tensors = (input, tensor1, tensor2)
    result = _promote_tensors(tensors)
    if op is ops.ADDCDIV and not _promote_tensors((tensor1, tensor2)).is_floating_point:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
            "for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    _broadcast_all(tensors)
    value = _number(value)
    value = value if result.is_floating_point else int(value)  # ints truncate it, as in C++
    arrays = tuple(t._data.astype(result.np, copy=False) for t in tensors)
    return apply(op, tensors, {"value": value}, arrays)


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value·tensor1·tensor2`` in one operation."""
    return _fused(ops.ADDCMUL, "addcmul", input, tensor1, tensor2, value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value·tensor1/tensor2`` in one operation."""
    return _fused(ops.ADDCDIV, "addcdiv", input, tensor1, tensor2, value)


def _bound(name: str, input, bound):
    """clamp_min and clamp_max: ``bound`` a number (ClampMinBackward0) or a tensor
    (ClampMinBackward1, differentiated too)."""
    kind = "min" if name == "clamp_min" else "max"
    t = as_tensor(input)
    if type(bound) is Tensor:
        return _elementwise(ops.CLAMP_MIN_TENSOR if kind == "min" else ops.CLAMP_MAX_TENSOR,
                            t, bound)
    if not isinstance(bound, int | float | np.number):
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(bound).__name__}), but expected one of:\n * (Tensor input, "
                        f"Tensor {kind}, *, Tensor out = None)\n * (Tensor input, Number {kind}, "
                        "*, Tensor out = None)\n")
    if isinstance(bound, float) and not t.is_floating_point():
        t = to(t, dtypes.get_default_dtype())
    return apply(ops.CLAMP_MIN if kind == "min" else ops.CLAMP_MAX, (t,), {kind: bound})


def clamp_min(input, min):
    """``max(input, min)`` elementwise; the gradient passes where ``input ≥ min``."""
    return _bound("clamp_min", input, min)


def clamp_max(input, max):
    """``min(input, max)`` elementwise; the gradient passes where ``input ≤ max``."""
    return _bound("clamp_max", input, max)
