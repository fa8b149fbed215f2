"""Print tensors exactly as PyTorch does.

This module is a NumPy-only re-implementation of PyTorch's ``torch/_tensor_str.py`` (checked
against PyTorch 2.13). ``format_tensor`` turns an array of values into the text that
``repr(tensor)`` / ``print(tensor)`` would give for a PyTorch tensor holding the same values,
byte for byte, so that learners see the same output here as in a real PyTorch session:

    >>> format_tensor(np.array([0.0, 4.0, 8.0, 12.0], dtype=np.float32))
    'tensor([ 0.,  4.,  8., 12.])'
    >>> format_tensor(np.array(28.0, dtype=np.float32), grad_fn="MulBackward0")
    'tensor(28., grad_fn=<MulBackward0>)'

How PyTorch prints a tensor, in four steps (each one is a function below):

1. Summarise: a tensor with more than ``threshold`` elements is shown with only ``edgeitems``
   entries at each end of every dimension, and ``...`` in between.
2. Choose one format for all the (shown) elements (``_Formatter``): integers and booleans are
   right-aligned to the widest one; floats are printed as integers with a trailing dot
   (``4.``), in fixed point (``0.1235``) or in scientific notation (``1.2346e+08``), all padded
   to a common width.
3. Lay the formatted elements out (``_layout``): one bracket per dimension, rows wrapped at
   ``linewidth``, blank lines between the blocks of 3-D and higher tensors.
4. Add the suffixes (``_add_suffixes``): ``size=``, ``dtype=``, ``grad_fn=`` or
   ``requires_grad=True``, moved to a new line when the last line would get too long.

The print options (``set_printoptions``) behave like ``torch.set_printoptions``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = ["OPTIONS", "PrintOptions", "format_tensor", "get_printoptions", "set_printoptions"]


@dataclasses.dataclass
class PrintOptions:
    """The knobs of tensor printing; the defaults are PyTorch's."""

    precision: int = 4  # digits after the decimal point for floats
    threshold: float = 1000  # more elements than this: summarise with "..."
    edgeitems: int = 3  # entries kept at each end of a dimension when summarising
    linewidth: int = 80  # characters per line before 1-D rows wrap
    sci_mode: bool | None = None  # force scientific notation on/off; None: decide per tensor


OPTIONS = PrintOptions()
"""The current print options, changed in place by ``set_printoptions``."""

# The fields each ``profile=`` of set_printoptions resets (sci_mode is not part of a profile).
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change the print options, with the semantics of ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") first resets precision, threshold, edgeitems
    and linewidth; the other arguments then override it. Arguments left as None keep their
    current value, except ``sci_mode``, which every call sets (None means automatic), as in
    PyTorch. An unknown profile name is ignored, as PyTorch does.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(OPTIONS, name, value)
    if precision is not None:
        OPTIONS.precision = precision
    if threshold is not None:
        OPTIONS.threshold = threshold
    if edgeitems is not None:
        OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        OPTIONS.linewidth = linewidth
    OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options as a dict that ``set_printoptions(**options)`` accepts."""
    return dataclasses.asdict(OPTIONS)


# NumPy dtype -> the name PyTorch prints for it.
_TORCH_DTYPE_NAMES = {
    np.dtype(np.float16): "torch.float16",
    np.dtype(np.float32): "torch.float32",
    np.dtype(np.float64): "torch.float64",
    np.dtype(np.int8): "torch.int8",
    np.dtype(np.int16): "torch.int16",
    np.dtype(np.int32): "torch.int32",
    np.dtype(np.int64): "torch.int64",
    np.dtype(np.uint8): "torch.uint8",
    np.dtype(np.bool_): "torch.bool",
}
_DEFAULT_DTYPE = "torch.float32"
# A non-empty tensor of one of these dtypes never shows ``dtype=``: the values already tell it
# (``1.`` is float32, ``1`` is int64, ``True`` is bool).
_DTYPES_WITHOUT_SUFFIX = {_DEFAULT_DTYPE, "torch.int64", "torch.bool"}

_PREFIX = "tensor("


def format_tensor(
    array: np.ndarray,
    *,
    requires_grad: bool = False,
    grad_fn: str | None = None,
    names_suffix: tuple[str, ...] = (),
) -> str:
    """What PyTorch prints for a tensor holding ``array`` (same values, shape and dtype).

    ``grad_fn`` is the bare node name (``"MulBackward0"``); when it is given,
    ``requires_grad`` is not shown, as in PyTorch. ``names_suffix`` holds extra suffixes
    (e.g. ``"names=('N', 'C')"``) put after all the others, wrapped by the same rule.
    """
    array = np.asarray(array)
    dtype_name = _TORCH_DTYPE_NAMES.get(array.dtype)
    if dtype_name is None:
        raise TypeError(f"cannot print a tensor of NumPy dtype {array.dtype}")
    options = OPTIONS
    indent = len(_PREFIX)
    suffixes = []

    if array.size == 0:
        # Nothing to look at, so the shape (unless it is the plain (0,)) and any non-float32
        # dtype must be spelt out: tensor([], size=(0, 3)), tensor([], dtype=torch.int64).
        if array.ndim != 1:
            suffixes.append(f"size={array.shape}")
        if dtype_name != _DEFAULT_DTYPE:
            suffixes.append(f"dtype={dtype_name}")
        body = "[]"
    else:
        if not options.edgeitems:  # edgeitems=0 shows no values, so the size is printed
            suffixes.append(f"size={array.shape}")
        if dtype_name not in _DTYPES_WITHOUT_SUFFIX:
            suffixes.append(f"dtype={dtype_name}")
        body = _tensor_str(array, indent, options)

    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    suffixes.extend(names_suffix)
    return _add_suffixes(_PREFIX + body, suffixes, indent, options.linewidth)


def _tensor_str(array: np.ndarray, indent: int, options: PrintOptions) -> str:
    """The bracketed values of a non-empty tensor (torch's ``_tensor_str``)."""
    summarize = array.size > options.threshold
    shown = _summarized_values(array, options.edgeitems) if summarize else array.reshape(-1)
    formatter = _Formatter(shown.tolist(), array.dtype.kind == "f", options)
    return _layout(array, indent, summarize, formatter, options)


def _summarized_values(array: np.ndarray, edgeitems: int) -> np.ndarray:
    """The elements a summarised print shows, flattened (torch's ``get_summarized_data``).

    Only these decide the common width and format, so a huge value hidden behind ``...``
    does not affect the output.
    """
    if array.ndim == 0:
        return array.reshape(-1)
    if array.ndim == 1:
        if len(array) > 2 * edgeitems:
            # With edgeitems=0, array[-0:] is the whole array: PyTorch then formats for all
            # the values (and shows none of them); we keep that quirk.
            return np.concatenate((array[:edgeitems], array[-edgeitems:]))
        return array
    if not edgeitems:
        return array.reshape(-1)[:0]
    rows = range(len(array))
    if len(array) > 2 * edgeitems:
        rows = [*rows[:edgeitems], *rows[-edgeitems:]]
    return np.concatenate([_summarized_values(array[i], edgeitems) for i in rows])


class _Formatter:
    """One format shared by every element of a tensor, so that the columns line up.

    For integers and booleans it is just the widest value. For floats, PyTorch looks at the
    finite non-zero values (torch's ``_Formatter``):

    * all of them whole numbers ("int mode"): ``0.``, ``4.``, ``-12.``;
    * scientific notation (``1.0000e-05``) when the largest magnitude exceeds 1e8, or the
      smallest is below 1e-4, or largest / smallest > 1000 (unless ``sci_mode`` forces it);
    * otherwise fixed point with ``precision`` digits: ``0.5000``.

    Zeros, nan and inf take the chosen format but do not count for the width.

    ``values`` are the shown elements as Python numbers (``ndarray.tolist()``): a float16 or
    float32 value converts to a Python float exactly, so nothing changes by computing in
    float64 (PyTorch converts to float64 as well), and plain Python is faster than NumPy on
    the handful of numbers a tensor usually has.
    """

    def __init__(self, values: list, floating: bool, options: PrintOptions) -> None:
        self.floating = floating
        self.precision = options.precision
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        if not floating:
            if values:
                # The widest integer is the largest or the most negative one
                # (for booleans: "False" when there is one).
                self.max_width = max(len(str(min(values))), len(str(max(values))))
            return

        finite = [value for value in values if value != 0 and math.isfinite(value)]
        if not finite:
            return  # only zeros, nan and inf: int mode, width 1
        magnitudes = [abs(value) for value in finite]
        smallest, largest = min(magnitudes), max(magnitudes)
        self.int_mode = all(value.is_integer() for value in finite)
        if options.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = options.sci_mode

        # The longest string comes from the largest magnitude of either sign; in scientific
        # notation a tiny value can win too (three exponent digits: 1.0000e-300), so the
        # smallest magnitude of each sign is also measured.
        extremes = [min(finite), max(finite)]
        if self.sci_mode:
            positive = [value for value in finite if value > 0]
            negative = [value for value in finite if value < 0]
            if positive:
                extremes.append(min(positive))
            if negative:
                extremes.append(max(negative))
        for value in extremes:
            if self.sci_mode:
                width = len(f"{value:.{self.precision}e}")
            elif self.int_mode:
                width = len(f"{value:.0f}") + 1  # + 1 for the trailing dot
            else:
                width = len(f"{value:.{self.precision}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value: float | int | bool) -> str:
        """One element as text, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{self.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."  # "4." marks a float; "nan", "inf" stay as they are
        else:
            text = f"{value:.{self.precision}f}"
        return text.rjust(self.max_width)


def _layout(
    array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter, options: PrintOptions
) -> str:
    """Nested brackets, one level per dimension (torch's ``_tensor_str_with_formatter``).

    ``indent`` is the column the opening bracket is at, so continuation lines start one
    column to its right.
    """
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter, options)

    edgeitems = options.edgeitems
    rows = range(len(array))
    if summarize and len(array) > 2 * edgeitems:
        head, tail = rows[:edgeitems], rows[len(array) - edgeitems :]
        rows = [*head, None, *tail]  # None marks the "..." row
    slices = [
        "..." if i is None else _layout(array[i], indent + 1, summarize, formatter, options)
        for i in rows
    ]
    # Rows of a matrix go on consecutive lines; blocks of a 3-D tensor are separated by one
    # blank line, of a 4-D tensor by two, and so on.
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _vector_str(
    array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter, options: PrintOptions
) -> str:
    """A 1-D row, wrapped to ``linewidth`` (torch's ``_vector_str``)."""
    element_length = formatter.max_width + 2  # the element, a comma and a space
    per_line = max(1, math.floor((options.linewidth - indent) / element_length))

    edgeitems = options.edgeitems
    if summarize and not edgeitems:
        data = ["..."]
    elif summarize and len(array) > 2 * edgeitems:
        head = [formatter.format(value) for value in array[:edgeitems].tolist()]
        tail = [formatter.format(value) for value in array[-edgeitems:].tolist()]
        data = [*head, " ...", *tail]
    else:
        data = [formatter.format(value) for value in array.tolist()]

    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int, linewidth: int) -> str:
    """Append ``, suffix`` items and the closing parenthesis (torch's ``_add_suffixes``).

    A suffix that would make the last line longer than ``linewidth`` starts a new line,
    indented to line up with the values. (PyTorch's length estimate for a one-line string
    counts two characters more than there are; copied as is.)
    """
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)
