"""Which attributes user code may read and write, per type: an allowlist, never ``getattr``.

``load(obj, name)`` answers ``obj.name`` only when ``name`` is listed for ``obj``'s type; the
facades (``torch``, ``np``) answer from their member tables. Stores are allowed only on a tensor's
``grad``, ``requires_grad`` and ``data``. Names starting with ``_`` are refused before this
(in ``check``) and again here, except the few PyTorch documents (``UNDERSCORED``). A few methods
that could build huge values are wrapped with a size check (``list.extend``, ``str.join``,
``tensor.tolist()``).
"""

from __future__ import annotations

import weakref

import numpy as np

from autodiff_repl import engine
from autodiff_repl.engine import autograd as engine_autograd
from autodiff_repl.engine.graph import AccumulateGrad, Node
from autodiff_repl.lang.check import UNDERSCORED
from autodiff_repl.lang.classes import PyClass
from autodiff_repl.lang.functions import UserFunction
from autodiff_repl.lang.limits import LimitError, Limits, take
from autodiff_repl.lang.namespace import Module

TENSOR = frozenset({
    "abs", "abs_", "acos", "add", "add_", "all", "allclose", "amax", "amin", "any", "arccos",
    "arcsin", "arctan", "arctan2", "argmax", "argmin", "argsort", "asin", "atan", "atan2",
    "backward", "bmm", "bool", "ceil", "ceil_", "chunk", "clamp", "clamp_", "clip", "clone",
    "contiguous", "copy_", "cos", "cos_", "cosh", "cpu", "cuda", "cumprod", "cumsum", "data",
    "detach", "detach_", "device", "diag", "diagonal", "dim", "div", "div_", "divide", "dot",
    "double", "dtype", "element_size", "eq", "equal", "exp", "exp2", "exp_", "expand", "expand_as",
    "expm1", "fill_", "fix", "flatten", "flip", "float", "floor", "floor_", "gather", "ge",
    "grad", "grad_fn", "gt", "half", "index_select", "int", "is_contiguous", "is_cuda",
    "is_floating_point", "is_leaf", "isclose", "isfinite", "isinf", "isnan", "item", "itemsize",
    "le", "log", "log10", "log1p", "log2", "log_", "log_softmax", "logsumexp", "long", "lt",
    "masked_fill", "masked_fill_", "matmul", "max", "maximum", "mean", "min", "minimum", "mm",
    "mT", "mul", "mul_", "multiply", "mv", "nan_to_num", "nbytes", "ndim", "ne", "neg", "neg_",
    "nelement", "new_empty", "new_full", "new_ones", "new_tensor", "new_zeros", "norm",
    "normal_", "numel", "numpy", "outer", "permute", "pow", "pow_", "prod", "reciprocal",
    "reciprocal_", "register_hook", "relu", "relu_", "repeat", "requires_grad",
    "requires_grad_", "reshape", "reshape_as", "retain_grad", "retains_grad", "roll", "round",
    "round_", "rsqrt", "shape", "sigmoid", "sigmoid_", "sign", "sin", "sin_", "sinh", "size",
    "softmax", "sort", "split", "sqrt", "sqrt_", "square", "square_", "squeeze", "std", "sub",
    "sub_", "subtract", "sum", "sum_to_size", "T", "t", "tan", "tanh", "tanh_", "to", "tolist",
    "topk", "trace", "transpose", "tril", "triu", "trunc", "trunc_", "type", "unbind",
    "uniform_", "unsqueeze", "var", "_version", "view", "view_as", "where", "zero_",
    # special functions, fused arithmetic, selections, differences, sampling
    "acosh", "addcdiv", "addcdiv_", "addcmul", "addcmul_", "arccosh", "arcsinh", "arctanh",
    "asinh", "atanh", "bernoulli", "bernoulli_", "clamp_max", "clamp_max_", "clamp_min",
    "clamp_min_", "diff", "erf", "erfc", "hypot", "is_inference", "kthvalue", "lerp", "lerp_",
    "logaddexp", "median", "multinomial", "narrow",
})
"""PyTorch's Tensor API as the engine implements it."""

TENSOR_STORES = frozenset({"grad", "requires_grad", "data"})

NDARRAY = frozenset({
    "shape", "ndim", "size", "dtype", "T", "tolist", "item", "sum", "mean", "max", "min", "prod",
    "argmax", "argmin", "std", "var", "reshape", "flatten", "copy", "astype", "transpose",
    "round", "cumsum", "all", "any",
})

ALLOWED: list[tuple[type | tuple[type, ...], frozenset[str]]] = [
    (engine.Tensor, TENSOR),
    (Node, frozenset({"name", "next_functions"})),
    (AccumulateGrad, frozenset({"name", "next_functions", "variable"})),
    (type(engine.float32), frozenset({"is_floating_point", "is_complex", "is_signed",
                                      "itemsize"})),
    (engine.Size, frozenset({"numel", "index", "count"})),
    (type(engine.ones(1).device), frozenset({"type", "index"})),
    (engine_autograd.forward_ad.UnpackedDualTensor, frozenset({"primal", "tangent", "index",
                                                              "count"})),
    (np.ndarray, NDARRAY),
    (np.generic, frozenset({"item", "dtype", "shape", "ndim", "tolist"})),
    (np.dtype, frozenset({"name", "kind", "itemsize"})),
    (str, frozenset({"upper", "lower", "strip", "lstrip", "rstrip", "split", "join",
                     "startswith", "endswith", "replace", "count", "find", "isdigit",
                     "isalpha", "title", "capitalize"})),
    (list, frozenset({"append", "extend", "pop", "insert", "remove", "index", "count",
                      "reverse", "sort", "copy", "clear"})),
    (dict, frozenset({"keys", "values", "items", "get", "pop", "update", "copy", "clear",
                      "setdefault"})),
    (set, frozenset({"add", "discard", "remove", "pop", "copy", "clear"})),
    (tuple, frozenset({"index", "count"})),
    (range, frozenset({"start", "stop", "step", "index", "count"})),
    (float, frozenset({"is_integer", "real", "imag"})),
    (int, frozenset({"bit_length", "real", "imag"})),
]
"""Per type (checked in order with isinstance), the attribute names user code may read."""


def _extra_types() -> list:
    """Engine classes reached through calls (hook handles, seeds, max(dim=) results)."""
    extra = []
    handle = engine.ones(1, requires_grad=True).register_hook(lambda g: g)
    handle.remove()
    extra.append((type(handle), frozenset({"remove"})))
    extra.append((type(engine.manual_seed(0)), frozenset({"initial_seed", "seed"})))
    for kind in (engine.return_types.max, engine.return_types.min,
                 engine.return_types.sort, engine.return_types.topk,
                 engine.return_types.median, engine.return_types.kthvalue):
        extra.append((kind, frozenset({"values", "indices", "index", "count"})))
    return extra


ALLOWED[1:1] = _extra_types()


def allowed_names(obj) -> frozenset[str]:
    """The attribute names ``obj.<name>`` may read (for completion and errors)."""
    if isinstance(obj, Module):
        return frozenset(obj.members)
    for kind, names in ALLOWED:
        if isinstance(obj, kind):
            return names
    return frozenset()


def type_name(obj) -> str:
    """The type name Python's (or PyTorch's) messages use for ``obj``."""
    if isinstance(obj, Module):
        return "module"
    if isinstance(obj, Node):
        return obj.name()
    if isinstance(obj, np.ndarray):
        return "numpy.ndarray"
    if isinstance(obj, UserFunction):
        return "function"
    if isinstance(obj, PyClass):
        return "type"
    if obj is None:
        return "NoneType"
    return type(obj).__name__


def grad_cleared(tensor) -> bool:
    """Whether ``tensor.grad`` is None because the learner set it so (``x.grad = None``) and no
    backward has stored a gradient since."""
    ref = _CLEARED.get(id(tensor))
    return ref is not None and ref() is tensor and getattr(tensor, "_grad", None) is None


def no_attribute(obj, name: str) -> AttributeError:
    """The AttributeError Python would raise for a missing attribute."""
    if isinstance(obj, Module):
        return AttributeError(f"module '{obj.name}' has no attribute '{name}'")
    return AttributeError(f"'{type_name(obj)}' object has no attribute '{name}'")


def load(obj, name: str, limits: Limits):
    """``obj.name`` if the allowlist has it, else the AttributeError Python would give."""
    if name.startswith("_") and name not in UNDERSCORED:
        raise no_attribute(obj, name)
    if isinstance(obj, Module):
        try:
            return obj.members[name]
        except KeyError:
            raise no_attribute(obj, name) from None
    if name not in allowed_names(obj):
        raise no_attribute(obj, name)
    value = getattr(obj, name)
    return _guarded(obj, name, value, limits)


_CLEARED: dict[int, weakref.ref] = {}
"""The tensors whose ``.grad`` the learner set to None (``x.grad = None``), by id (a tensor's
``==`` is elementwise, so they are not kept in a set)."""


def store(obj, name: str, value) -> None:
    """``obj.name = value``: only a tensor's ``grad``, ``requires_grad`` and ``data``."""
    if isinstance(obj, engine.Tensor) and name in TENSOR_STORES:
        setattr(obj, name, value)
        if name == "grad" and value is None:
            key = id(obj)
            _CLEARED[key] = weakref.ref(obj, lambda _, key=key: _CLEARED.pop(key, None))
        elif name == "grad":
            _CLEARED.pop(id(obj), None)
        return
    if isinstance(obj, Module):
        raise AttributeError(f"cannot set '{name}' on module '{obj.name}': the torch, numpy and "
                             "math modules are read-only here")
    if name in allowed_names(obj):
        raise AttributeError(f"attribute '{name}' of '{type_name(obj)}' objects is not "
                             "writable")
    raise no_attribute(obj, name)


class Method:
    """A checked stand-in for a bound method, printed as Python prints the original."""

    __slots__ = ("fn", "name", "owner")

    def __init__(self, fn, name: str, owner: str) -> None:
        self.fn, self.name, self.owner = fn, name, owner

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in method {self.name} of {self.owner} object>"


def _guarded(obj, name: str, value, limits: Limits):
    """``value`` (the attribute), wrapped in a size check when it needs one."""
    checked = _checked(obj, name, value, limits)
    return value if checked is None else Method(checked, name, type_name(obj))


def _checked(obj, name: str, value, limits: Limits):
    """Wrap the few methods whose result size depends on their arguments."""
    cap = limits.max_sequence_length
    if name == "tolist" and isinstance(obj, engine.Tensor | np.ndarray):
        size = obj.numel() if isinstance(obj, engine.Tensor) else obj.size

        def tolist():
            if size > cap:
                raise LimitError(f"tolist() would make a list of {size:,} numbers; the limit "
                                 f"is {cap:,}", "look at a slice: x[:10].tolist()")
            return value()
        return tolist
    if name == "extend" and isinstance(obj, list):
        def extend(items):
            items = take(items, cap)
            if len(obj) + len(items) > cap:
                raise LimitError(f"the list would have {len(obj) + len(items):,} items; the "
                                 f"limit is {cap:,}")
            value(items)
        return extend
    if name == "join" and isinstance(obj, str):
        def join(items):
            items = take(items, cap)
            size = sum(len(s) for s in items if isinstance(s, str)) + len(obj) * len(items)
            if size > cap:
                raise LimitError(f"the string would have {size:,} characters; the limit is "
                                 f"{cap:,}")
            return value(items)
        return join
    if name == "update" and isinstance(obj, dict):
        def update(other=(), **kwargs):
            other = other if isinstance(other, dict) else take(other, cap)
            if len(obj) + len(other) + len(kwargs) > cap:
                raise LimitError(f"the dict would have more than {cap:,} items")
            value(other, **kwargs)
        return update
    if name == "replace" and isinstance(obj, str):
        def replace(old, new, count=-1):
            n = obj.count(old) if old else len(obj) + 1
            if count >= 0:
                n = min(n, count)
            size = len(obj) + n * (len(new) - len(old))
            if size > cap:
                raise LimitError(f"the string would have {size:,} characters; the limit is "
                                 f"{cap:,}")
            return value(old, new, count)
        return replace
    if name == "astype" and isinstance(obj, np.ndarray):
        def astype(dtype):
            if np.dtype(dtype).kind not in "biuf":
                raise TypeError(f"astype({np.dtype(dtype).name}) is not supported here; use a "
                                "number dtype")
            return value(dtype)
        return astype
    return None
