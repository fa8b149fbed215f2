"""PyTorch's dtypes on top of NumPy's, and PyTorch's type-promotion rule.

A ``DType`` prints as ``torch.float32`` and wraps a NumPy dtype. Promotion follows PyTorch, not
NumPy: a Python float times an int64 tensor gives the *default* float dtype (float32), and a
0-dim tensor or a Python number only decides the result when its category (bool < int < float)
is higher than that of the dimensioned tensors.
"""

from __future__ import annotations

import numpy as np


class DType:
    """A tensor element type: ``torch.float32``, ``torch.int64``, ``torch.bool`` ..."""

    __slots__ = ("cpp", "is_floating_point", "itemsize", "name", "np", "short")

    def __init__(self, name: str, np_dtype: type, short: str, cpp: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.short = short  # PyTorch's scalar-type name used in messages: Float, Double, Long
        self.cpp = cpp  # its C++ type, which other messages name: float, double, long int
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self) -> bool:
        return False

    @property
    def is_signed(self) -> bool:
        return self.np.kind in "fi"

    def to_real(self) -> DType:
        return self

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = DType("float16", np.float16, "Half", "c10::Half")
float32 = DType("float32", np.float32, "Float", "float")
float64 = DType("float64", np.float64, "Double", "double")
uint8 = DType("uint8", np.uint8, "Byte", "unsigned char")
int8 = DType("int8", np.int8, "Char", "signed char")
int16 = DType("int16", np.int16, "Short", "short int")
int32 = DType("int32", np.int32, "Int", "int")
int64 = DType("int64", np.int64, "Long", "long int")
bool_ = DType("bool", np.bool_, "Bool", "bool")

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
_FROM_NP = {d.np: d for d in ALL}
# PyTorch's other spellings of the same dtypes (torch.double is torch.float64).
ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16,
           "int": int32, "long": int64}

_default_float = float32


def _by_name(name: str) -> DType:
    return {d.name: d for d in ALL}[name]


def from_numpy(np_dtype: np.dtype) -> DType:
    """The DType for a NumPy dtype; TypeError for dtypes PyTorch has no match for here."""
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only "
                        "supported types are: float64, float32, float16, int64, int32, int16, "
                        "int8, uint8, and bool.") from None


def get_default_dtype() -> DType:
    return _default_float


def set_default_dtype(d: DType) -> None:
    global _default_float
    if not isinstance(d, DType) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    global _default_float
    _default_float = d


def category(d: DType) -> int:
    """0 for bool, 1 for integers, 2 for floating point."""
    return 2 if d.is_floating_point else (0 if d is bool_ else 1)


def scalar_dtype(value: object) -> DType:
    """The dtype PyTorch gives a bare Python number: bool, int64 or the default float."""
    if isinstance(value, bool | np.bool_):
        return bool_
    if isinstance(value, int | np.integer):
        return int64
    return _default_float


def promote(*operands: tuple[DType, int]) -> DType:
    """PyTorch's result type for operands given as ``(dtype, priority)`` pairs.

    Priority 2 is a tensor with dimensions, 1 a 0-dim tensor, 0 a Python number (already mapped to
    bool/int64/default float by ``scalar_dtype``). The highest category wins; within it, only the
    operands of the highest priority take part, promoted NumPy-style.
    """
    top = max(category(d) for d, _ in operands)
    best = max(p for d, p in operands if category(d) == top)
    result = None
    for d, p in operands:
        if p == best and category(d) == top:
            result = d if result is None else _FROM_NP[np.promote_types(result.np, d.np)]
    return result
