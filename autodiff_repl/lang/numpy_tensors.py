"""What NumPy does with a PyTorch tensor: for the ``np`` facade's functions and for operators
that mix an ndarray with a tensor, as PyTorch 2.13 and NumPy 2 behave.

A PyTorch tensor meets NumPy through three hooks, and the language does what they make happen:

- ``__array__``: NumPy reads a tensor as an array, its ``t.numpy()``. A tensor that requires
  grad refuses ("Can't call numpy() on Tensor that requires grad ..."), so NumPy never sees a
  graph.
- ``__array_wrap__``: a ufunc given a tensor (``np.exp(t)``, ``np.add(a, t)``) hands its result
  back as a new tensor (``torch.from_numpy``; a bool result becomes uint8). So do the functions
  NumPy writes as a call of the argument's own method (``np.argmax(t)`` is
  ``t.argmax(axis=None, out=None)``): PyTorch's method refuses NumPy's keywords with a
  TypeError, NumPy falls back to computing on the array, then wraps. The reductions ``np.sum``,
  ``np.mean``, ``np.max`` ... call the method the same way but do not fall back: the learner sees
  PyTorch's TypeError (``sum() got an unexpected keyword argument 'axis'``).
- ``__array_priority__``: an ndarray on the left of an operator defers to the tensor, whose
  reflected operator declines, so ``a * t`` is Python's TypeError (only ``a / t``, which PyTorch
  computes as ``t.reciprocal() * a``, and ``a == t`` give tensors). With the tensor on the left
  NumPy computes and wraps: ``t * a`` is a tensor with NumPy's dtype and no graph. ``!=`` falls
  back to identity (True) and ``<`` ... are TypeErrors, in either order.

Other functions (``np.concatenate``, ``np.where``, ``np.dot`` ...) read tensors as arrays and give
arrays.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import numpy as np

from autodiff_repl import engine

METHOD_FIRST = frozenset({"argmax", "argmin", "argsort", "clip", "cumprod", "cumsum", "reshape",
                          "round", "transpose"})
"""NumPy functions that try the argument's own method first, then compute on the array and wrap
the result in the argument's type (NumPy's ``_wrapfunc``)."""

UFUNC_METHODS = frozenset({"clip"})
"""Of those, the ones whose array method is itself a ufunc: a tensor among the other arguments
gets the result too (``np.clip(a, t, 5)`` is a tensor)."""

REDUCTIONS = {"sum": "sum", "mean": "mean", "prod": "prod", "max": "max", "amax": "max",
              "min": "min", "amin": "min", "std": "std", "var": "var"}
"""NumPy reductions that hand a tensor to its own method (NumPy name -> the method)."""


def facade_function(name: str, on_arrays: Callable) -> Callable:
    """``np.<name>`` for the facade: ``on_arrays`` (NumPy's function with the facade's checks),
    doing with tensor arguments what NumPy does with PyTorch's."""
    if name in REDUCTIONS:
        def call(*args, **kwargs):
            if args and isinstance(args[0], engine.Tensor):
                raise method_refusal(name, args, kwargs)
            return on_arrays(*args, **kwargs)
    elif name == "flip":
        def call(m, axis=None):
            if isinstance(m, engine.Tensor):  # NumPy indexes the tensor itself, with step -1
                return m[np.flip(_Indexer(m.ndim), axis)]
            return on_arrays(m, axis)
    elif name in METHOD_FIRST or isinstance(getattr(np, name), np.ufunc):
        wrapped = _wrapping_args if name in METHOD_FIRST - UFUNC_METHODS else _tensors

        def call(*args, **kwargs):
            result = on_arrays(*(as_array(a) for a in args), **kwargs)
            return to_tensor(result) if wrapped(args) else result
    else:
        call = on_arrays
    call.__name__ = name
    return call


def as_array(value):
    """A tensor as NumPy reads it (``t.numpy()``, which refuses a tensor that requires grad);
    anything else as it is."""
    return np.asarray(value) if isinstance(value, engine.Tensor) else value


def to_tensor(result) -> engine.Tensor:
    """PyTorch's ``__array_wrap__``: NumPy's result as a tensor, a bool result as uint8."""
    array = np.asarray(result)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    return engine.from_numpy(array)


def _tensors(args) -> bool:
    return any(isinstance(a, engine.Tensor) for a in args)


def _wrapping_args(args) -> bool:
    return bool(args) and isinstance(args[0], engine.Tensor)


class _Indexer:
    """Stands for a tensor in ``np.flip``, which reads its ``ndim`` and indexes it: the index
    NumPy would use comes back."""

    __slots__ = ("ndim",)

    def __init__(self, ndim: int) -> None:
        self.ndim = ndim

    def __getitem__(self, index):
        return index


# --- reductions: PyTorch's TypeError for NumPy's keywords --------------------------------------

class _MethodCall(Exception):
    """Raised by ``_Probe`` with the keywords NumPy passed to the tensor's method."""

    def __init__(self, kwargs: dict) -> None:
        super().__init__()
        self.kwargs = kwargs


class _Probe:
    """Takes a tensor's place in ``np.sum(t, ...)`` & co., to learn the keywords NumPy passes
    to the tensor's own ``sum``/``mean``/``max`` ... (NumPy checks its own arguments first)."""

    __slots__ = ()

    def _called(self, *args, **kwargs):
        raise _MethodCall(kwargs)

    sum = mean = prod = max = min = std = var = _called


SIGNATURES = {
    "sum": ("(*, torch.dtype dtype = None)",
            "(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)"),
    "prod": ("(*, torch.dtype dtype = None)",
             "(int dim, bool keepdim = False, *, torch.dtype dtype = None)"),
    "max": ("()", "(Tensor other)", "(int dim, bool keepdim = False)"),
    "std": ("(tuple of ints dim, bool unbiased = True, bool keepdim = False)",
            "(tuple of ints dim = None, *, Number correction = None, bool keepdim = False)",
            "(bool unbiased = True)"),
}
"""The overloads PyTorch lists when no overload takes the arguments (mean as sum, min as max,
var as std)."""
SIGNATURES.update(mean=SIGNATURES["sum"], min=SIGNATURES["max"], var=SIGNATURES["std"])

ONE_OVERLOAD = {"sum": ("dims", 3), "mean": ("dims", 3), "prod": ("int", 3), "max": ("int", 2),
                "min": ("int", 2)}
"""The methods with one overload (``(dim, keepdim, *, dtype)``) that takes up to that many of
NumPy's keywords, and the kind of its ``dim``; ``std``/``var`` have none (NumPy passes four)."""


def method_refusal(numpy_name: str, args: tuple, kwargs: dict) -> TypeError:
    """The TypeError PyTorch's argument parser gives for ``np.<numpy_name>(t, ...)``."""
    try:
        getattr(np, numpy_name)(_Probe(), *args[1:], **kwargs)
    except _MethodCall as call:
        given = call.kwargs
    else:  # pragma: no cover - NumPy always calls the method
        raise AssertionError(numpy_name)
    name = REDUCTIONS[numpy_name]
    if name in ONE_OVERLOAD and len(given) <= ONE_OVERLOAD[name][1]:
        return _parse_error(name, ONE_OVERLOAD[name][0], given)
    return _no_overload(name, given)


def _parse_error(name: str, dim_kind: str, given: dict) -> TypeError:
    """The one overload's complaint: the first argument of the wrong type (``dim``, ``keepdim``,
    ``dtype`` in that order), else the first keyword it does not know (NumPy's ``axis``, which
    PyTorch takes for ``dim`` but does not count as its name)."""
    dim = given.get("axis")
    if dim_kind == "int" and not _is_int(dim):
        return _wrong_type(name, "dim", "int", dim)
    if dim_kind == "dims" and not (dim is None or _is_int(dim) or _are_ints(dim)):
        return _wrong_type(name, "dim", "tuple of ints", dim)
    if "keepdims" in given and type(given["keepdims"]) is not bool:
        return _wrong_type(name, "keepdim", "bool", given["keepdims"])
    if given.get("dtype") is not None and not isinstance(given["dtype"], engine.dtype):
        return _wrong_type(name, "dtype", "torch.dtype", given["dtype"])
    return TypeError(f"{name}() got an unexpected keyword argument '{next(iter(given))}'")


KEYWORD_ORDER = ("mean", "where", "initial", "keepdims", "ddof", "dtype", "out", "axis")
"""The order PyTorch lists NumPy's keywords in (that of its C++ hash map of them)."""


def _no_overload(name: str, given: dict) -> TypeError:
    """"received an invalid combination of arguments": the keywords and the overloads, those
    that take as many arguments noted."""
    keys = sorted(given, key=lambda k: KEYWORD_ORDER.index(k) if k in KEYWORD_ORDER else -1)
    lines = [f"{name}() received an invalid combination of arguments - got "
             f"({''.join(f'{k}={type_name(given[k])}, ' for k in keys)}), but expected one of:"]
    for overload in SIGNATURES[name]:
        lines.append(f" * {overload}")
        if _arity(overload) == len(keys):
            lines.append("      didn't match because some of the keywords were incorrect: "
                         + ", ".join(keys))
    return TypeError("\n".join(lines) + "\n")


def _arity(overload: str) -> int:
    inside = overload[1:-1]
    return len(inside.split(", ")) if inside else 0


def _wrong_type(name: str, param: str, expected: str, value) -> TypeError:
    return TypeError(f"{name}(): argument '{param}' must be {expected}, not {type_name(value)}")


def _is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _are_ints(value) -> bool:
    return isinstance(value, tuple | list) and all(_is_int(v) for v in value)


def type_name(value) -> str:
    """The name PyTorch's messages give ``value``'s type (its C type name)."""
    from autodiff_repl.lang.classes import PyClass

    if isinstance(value, engine.Tensor):
        return "Tensor"
    if isinstance(value, engine.dtype):
        return "torch.dtype"
    if isinstance(value, PyClass):
        return "type"
    kind = type(value)
    return f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__


# --- operators between an ndarray and a tensor -------------------------------------------------

NUMPY_OPERATORS = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide, ast.Mod: np.remainder, ast.Pow: np.power,
    ast.MatMult: np.matmul, ast.LShift: np.left_shift, ast.RShift: np.right_shift,
    ast.BitOr: np.bitwise_or, ast.BitAnd: np.bitwise_and, ast.BitXor: np.bitwise_xor,
}
SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
           ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Lt: "<", ast.LtE: "<=",
           ast.Gt: ">", ast.GtE: ">="}
CONCATENATION = ("Concatenation operation is not implemented for NumPy arrays, use "
                 "np.concatenate() instead. Please do not rely on this error; it may not be "
                 "given on all Python implementations.")


def mixed(a, b) -> bool:
    """Whether one operand is an ndarray and the other a tensor."""
    return (isinstance(a, np.ndarray) and isinstance(b, engine.Tensor)) or \
        (isinstance(a, engine.Tensor) and isinstance(b, np.ndarray))


def operate(op: type, a, b, inplace: bool = False):
    """``a <op> b`` (``a <op>= b`` if ``inplace``, which rebinds: nothing changes in place) for
    an ndarray and a tensor, either way round (``mixed(a, b)``)."""
    if isinstance(a, engine.Tensor):
        return to_tensor(NUMPY_OPERATORS[op](np.asarray(a), b))
    if op is ast.Div:
        return to_tensor(np.multiply(np.asarray(b.reciprocal()), a))
    if op is ast.Add:
        raise TypeError(CONCATENATION)
    symbol = SYMBOLS[op] + ("=" if inplace else " or pow()" if op is ast.Pow else "")
    raise TypeError(f"unsupported operand type(s) for {symbol}: 'numpy.ndarray' and 'Tensor'")


COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def compare(op: type, a, b):
    """``a <op> b`` for one of the ``COMPARISONS`` of an ndarray and a tensor (``mixed``)."""
    if op is ast.Eq:
        return b == a if isinstance(a, np.ndarray) else a == b
    if op is ast.NotEq:
        return True  # both sides decline; Python falls back to identity
    first, second = ("numpy.ndarray", "Tensor") if isinstance(a, np.ndarray) else \
        ("Tensor", "numpy.ndarray")
    raise TypeError(f"'{SYMBOLS[op]}' not supported between instances of '{first}' and "
                    f"'{second}'")
