"""Size checks made *before* an operator computes: ``9**9**9``, ``[0] * 10**9``, ``1 << 10**6``
and broadcasts of huge tensors are refused without doing the work."""

from __future__ import annotations

import ast
import math

import numpy as np

from autodiff_repl import engine
from autodiff_repl.engine.limits import check_numel
from autodiff_repl.lang.errors import counted, with_article
from autodiff_repl.lang.limits import LimitError, Limits
from autodiff_repl.lang.namespace import check_product

SEQUENCES = (list, tuple, str)
CONTAINERS = (list, tuple, str, dict, set, frozenset, range, engine.Tensor, np.ndarray)


def check_operands(op: type, a, b, limits: Limits) -> None:
    """Refuse an operator whose result would pass a limit, before computing it."""
    if op is ast.Pow:
        if _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1:
            bits = b * math.log2(abs(a))
            if bits > limits.max_int_bits:
                raise LimitError(f"{_short(a)} ** {_short(b)} would have about {bits:,.0f} bits; "
                                 f"the limit is {limits.max_int_bits:,}",
                                 "use floats for big numbers: 9.0 ** 99 (or keep exponents small)")
    elif op is ast.LShift:
        if _is_int(a) and _is_int(b) and a != 0 and b > 0:
            bits = abs(a).bit_length() + b
            if bits > limits.max_int_bits:
                raise LimitError(f"{_short(a)} << {_short(b)} would have {bits:,} bits; the "
                                 f"limit is {limits.max_int_bits:,}")
    elif op is ast.Mult:
        if _is_int(a) and _is_int(b):
            bits = abs(a).bit_length() + abs(b).bit_length()
            if bits > limits.max_int_bits:
                raise LimitError(f"the product would have about {bits:,} bits; the limit is "
                                 f"{limits.max_int_bits:,}")
        cap = limits.max_sequence_length
        for seq, n in ((a, b), (b, a)):
            if isinstance(seq, SEQUENCES) and _is_int(n) and n > 0 and \
                    nested_weight(seq, cap) * n > cap:
                noun = _unit(seq)
                raise LimitError(f"repeating {with_article(type(seq).__name__)} of "
                                 f"{counted(len(seq), noun)} {_short(n)} times would make more "
                                 f"than {counted(cap, noun)}{_nesting(seq)}; that is the limit")
    elif op is ast.Add:
        cap = limits.max_sequence_length
        if isinstance(a, SEQUENCES) and isinstance(b, SEQUENCES) and \
                nested_weight(a, cap) + nested_weight(b, cap) > cap:
            raise LimitError(f"the {type(a).__name__} would have more than "
                             f"{counted(cap, _unit(a))}{_nesting(a)}; that is the limit")
    elif op is ast.Mod and isinstance(a, str):
        raise TypeError("%-formatting of strings is not supported here; use an f-string: "
                        "f'{x:.3f}'")
    check_arrays(op, a, b)


def check_arrays(op: type, a, b) -> None:
    """Tensors and arrays: check the broadcast (or matmul) result's size before computing it."""
    shaped = (engine.Tensor, np.ndarray)
    if not (isinstance(a, shaped) and isinstance(b, shaped)):
        return
    sa, sb = tuple(a.shape), tuple(b.shape)
    if op is ast.MatMult:
        check_product("matmul", sa, sb)
        return
    if sa == sb:
        return
    try:
        shape = np.broadcast_shapes(sa, sb)
    except ValueError:
        return  # the operation itself reports the mismatch
    check_numel(shape)


def nested_weight(value, budget: int) -> int:
    """How many items ``value`` holds, nested lists included and shared ones counted each time
    they appear (as printing or comparing would visit them); stops counting past ``budget``."""
    if isinstance(value, str):
        return len(value)
    total = 0
    stack = [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, dict):
            total += len(item)
            stack.extend(v for v in item.values() if isinstance(v, list | tuple | dict | set))
        elif isinstance(item, list | tuple | set):
            total += len(item)
            stack.extend(v for v in item if isinstance(v, list | tuple | dict | set))
    return total


def _unit(seq) -> str:
    """What a sequence's length counts: characters of a string, items of a list or tuple."""
    return "character" if isinstance(seq, str) else "item"


def _nesting(seq) -> str:
    return "" if isinstance(seq, str) else " (counting the items of nested lists)"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(n: int) -> str:
    text = str(n) if abs(n).bit_length() < 64 else \
        f"({with_article(f'{abs(n).bit_length():,}-bit')} number)"
    return text
