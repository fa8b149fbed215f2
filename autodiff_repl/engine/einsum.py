"""``torch.einsum``: Einstein summation, computed as PyTorch computes it.

PyTorch's einsum is not one op with a backward of its own: it takes diagonals for repeated
labels, permutes and unsqueezes every operand to one order of labels (the output's, then the
summed ones), then multiplies the operands pairwise from the left -- with ``mul`` when no label is
summed, else with ``bmm`` between reshaped copies -- and sums or views away the summed labels.
This module does the same steps with the engine's ops, so the result has PyTorch's values and
``grad_fn`` (``ViewBackward0`` for ``'i,i->'``, ``'ij,jk->ik'``; ``PermuteBackward0`` for
``'ij->ji'``, ``'ii->i'``; ``SumBackward1`` for ``'ij->'``; ``MulBackward0`` for ``'i,j->ij'``),
the same graph, and gradients of any order for free. The messages are PyTorch's.
"""

from __future__ import annotations

import builtins
import inspect

from autodiff_repl.engine import functions as F
from autodiff_repl.engine import reductions, shapes
from autodiff_repl.engine.tensor import Tensor

_LETTERS = 26
_ELLIPSIS = 2 * _LETTERS  # the label standing for "..."


def _subscript(label: str) -> int:
    """A label's number: A-Z are 0-25 and a-z 26-51, the order of the implicit output."""
    return ord(label) - ord("A") if label.isupper() else ord(label) - ord("a") + _LETTERS


def _letter(subscript: int) -> str:
    return chr(ord("A") + subscript) if subscript < _LETTERS else \
        chr(ord("a") + subscript - _LETTERS)


def _is_label(char: str) -> bool:
    return char.isascii() and char.isalpha()


def einsum(*args):
    """The sum over the labels left out of the output of the products of the operands' elements,
    e.g. ``einsum('ij,jk->ik', a, b)`` is ``a @ b``, ``'i,i->'`` a dot product, ``'ii->i'`` a
    diagonal, ``'ij->ji'`` a transpose. Also ``einsum(equation, [a, b])`` and the sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    equation, operands = _arguments(args)
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(t).__name__}")
    return _contract(equation, list(operands))


einsum.__signature__ = inspect.Signature([
    inspect.Parameter("equation", inspect.Parameter.POSITIONAL_ONLY),
    inspect.Parameter("operands", inspect.Parameter.VAR_POSITIONAL)])


def _arguments(args: tuple) -> tuple[str, tuple]:
    """The equation and the operands, from any of the three ways of calling einsum."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    if isinstance(args[0], Tensor):
        equation = ",".join("".join(_sublist_label(s) for s in labels) for labels in args[1::2])
        if len(args) % 2 == 1:
            return equation + "->" + "".join(_sublist_label(s) for s in args[-1]), args[:-1:2]
        return equation, args[::2]
    if not isinstance(args[0], str):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not "
                        f"{type(args[0]).__name__}")
    operands = args[1:]
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    return args[0], operands


def _sublist_label(n) -> str:
    if n is Ellipsis:
        return "..."
    if isinstance(n, int) and 0 <= n < 2 * _LETTERS:
        return _letter(n)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range "
                     "[0, 52)")


def _parse_inputs(lhs: str, count: int) -> list[list[int]]:
    """Each operand's labels (``_ELLIPSIS`` for ``...``), checked as PyTorch checks them."""
    labels: list[list[int]] = [[] for _ in range(count)]
    current, ellipsis, i = 0, False, 0
    while i < len(lhs):
        char = lhs[i]
        if char == ".":
            if ellipsis:
                raise RuntimeError(f"einsum(): found '.' for operand {current} for which an "
                                   "ellipsis was already found")
            if lhs[i + 1:i + 3] != "..":
                raise RuntimeError(f"einsum(): found '.' for operand {current} that is not part "
                                   "of any ellipsis")
            labels[current].append(_ELLIPSIS)
            ellipsis, i = True, i + 2
        elif char == ",":
            current += 1
            if current >= count:
                raise RuntimeError("einsum(): fewer operands were provided than specified in "
                                   "the equation")
            ellipsis = False
        elif char != " ":
            if not _is_label(char):
                raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                                   "equation string, subscripts must be in [a-zA-Z]")
            labels[current].append(_subscript(char))
        i += 1
    if current != count - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    return labels


class _Layout:
    """Where each label goes in the common order of dims: the output's labels first (``out``
    dims), then the summed ones (up to ``total``); ``ellipsis``: where the dims of ``...``
    start, ``ell``: how many there are."""

    def __init__(self, equation: str, op_labels: list[list[int]], operands: list) -> None:
        count = [0] * _ELLIPSIS
        self.ell = 0
        for i, (labels, t) in enumerate(zip(op_labels, operands, strict=True)):
            named = [s for s in labels if s != _ELLIPSIS]
            for s in named:
                count[s] += 1
            has_ellipsis = len(named) != len(labels)
            if has_ellipsis:
                self.ell = builtins.max(self.ell, t.ndim - len(named))
            if (len(named) > t.ndim) if has_ellipsis else (len(named) != t.ndim):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({len(named)}) "
                    + ("is more than" if has_ellipsis else "does not match")
                    + f" the number of dimensions ({t.ndim}) for operand {i}"
                    + ("" if has_ellipsis else " and no ellipsis was given"))
        self.index = [-1] * _ELLIPSIS
        lhs, arrow, rhs = equation.partition("->")
        position, self.ellipsis, ell_in_output = 0, 0, False
        if not arrow:  # implicit output: "..." and the labels seen once, in alphabetical order
            position, ell_in_output = self.ell, True
            for s in range(_ELLIPSIS):
                if count[s] == 1:
                    self.index[s], position = position, position + 1
        else:
            i = 0
            while i < len(rhs):
                char = rhs[i]
                if char == ".":
                    if ell_in_output:
                        raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) "
                                           "was already found")
                    if rhs[i + 1:i + 3] != "..":
                        raise RuntimeError("einsum(): found '.' for output that is not part of "
                                           "any ellipsis (...)")
                    self.ellipsis, position, ell_in_output = position, position + self.ell, True
                    i += 2
                elif char != " ":
                    if not _is_label(char):
                        raise RuntimeError(f"einsum(): invalid subscript given at index "
                                           f"{len(lhs) + 2 + i} in the equation string, "
                                           "subscripts must be in [a-zA-Z]")
                    s = _subscript(char)
                    if count[s] == 0 or self.index[s] != -1:
                        raise RuntimeError(
                            f"einsum(): output subscript {char} "
                            + ("appears more than once in the output" if self.index[s] != -1
                               else "does not appear in the equation for any input operand"))
                    self.index[s], position = position, position + 1
                i += 1
        self.out = position
        if not ell_in_output:
            self.ellipsis, position = position, position + self.ell
        for s in range(_ELLIPSIS):
            if count[s] and self.index[s] == -1:
                self.index[s], position = position, position + 1
        self.total = position


def _align(layout: _Layout, op_labels: list[list[int]], operands: list) -> tuple[list, list]:
    """Each operand with its repeated labels' diagonals taken, size-1 dims for the labels it
    lacks, permuted to the layout's order; and for each dim, how many operands have it with a
    size other than 1."""
    label_size = [1] * _ELLIPSIS
    ell_sizes = [1] * layout.ell
    counts = [0] * layout.total
    aligned = []
    for i, (labels, op) in enumerate(zip(op_labels, operands, strict=True)):
        permutation = [-1] * layout.total
        dim = 0
        for s in labels:
            if s == _ELLIPSIS:
                covered = operands[i].ndim - (len(labels) - 1)
                for j in range(layout.ell - covered, layout.ell):
                    size = op.shape[dim]
                    if size != 1:
                        if ell_sizes[j] not in (1, size):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand "
                                f"{i}has size {size} which does not broadcast with previously "
                                f"seen ellipsis with size {ell_sizes[j]} for the respective "
                                "dimension")
                        ell_sizes[j] = size
                        counts[layout.ellipsis + j] += 1
                    permutation[layout.ellipsis + j] = dim
                    dim += 1
            elif permutation[layout.index[s]] == -1:
                size = op.shape[dim]
                if size != 1:
                    if label_size[s] not in (1, size):
                        raise RuntimeError(
                            f"einsum(): subscript {_letter(s)} has size {size} for operand {i} "
                            f"which does not broadcast with previously seen size "
                            f"{label_size[s]}")
                    label_size[s] = size
                    counts[layout.index[s]] += 1
                permutation[layout.index[s]] = dim
                dim += 1
            else:  # a repeated label: its diagonal, put where the label first was
                before = permutation[layout.index[s]]
                if op.shape[dim] != op.shape[before]:
                    raise RuntimeError(
                        f"einsum(): subscript {_letter(s)} is repeated for operand {i} but the "
                        f"sizes don't match, {op.shape[dim]} != {op.shape[before]}")
                op = _move_last(shapes.diagonal(op, 0, before, dim), before)
        for k, p in enumerate(permutation):
            if p == -1:
                op = shapes.unsqueeze(op, dim)
                permutation[k], dim = dim, dim + 1
        aligned.append(shapes.permute(op, permutation))
    return aligned, counts


def _move_last(t: Tensor, to: int) -> Tensor:
    """``t.movedim(-1, to)``: a permute, as in PyTorch (even when nothing moves)."""
    order = list(range(t.ndim - 1))
    order.insert(to, t.ndim - 1)
    return shapes.permute(t, order)


def _contract(equation: str, operands: list) -> Tensor:
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    lhs = equation.partition("->")[0]
    op_labels = _parse_inputs(lhs, len(operands))
    layout = _Layout(equation, op_labels, operands)
    ops, counts = _align(layout, op_labels, operands)
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        summed, a_only, b_only = [], [], []
        for dim in range(layout.out, layout.total):
            if a.shape[dim] != 1 and b.shape[dim] != 1:
                counts[dim] -= 1
                if counts[dim] == 1:
                    summed.append(dim)
                    counts[dim] = 0
            elif counts[dim] == 1:
                if a.shape[dim] != 1:
                    a_only.append(dim)
                    counts[dim] = 0
                elif b.shape[dim] != 1:
                    b_only.append(dim)
                    counts[dim] = 0
        if a_only:
            a = reductions.sum(a, a_only, True)
        if b_only:
            b = reductions.sum(b, b_only, True)
        ops.insert(0, _sum_of_products(a, b, summed))
    result = ops[0]
    if layout.total > layout.out:
        if len(operands) > 1:  # the summed dims have size 1 by now
            return shapes.view(result, tuple(result.shape[:layout.out]))
        return reductions.sum(result, list(range(layout.out, layout.total)))
    return result


def _sum_of_products(left: Tensor, right: Tensor, summed: list[int]) -> Tensor:
    """``(left * right).sum(summed, keepdim=True)``, as PyTorch's einsum computes it: the dims
    both have, only the left has, only the right has and the summed ones permuted into place,
    the operands reshaped to 3-D, one ``bmm``, and its result viewed and permuted back."""
    if not summed:
        return F.mul(left, right)
    both, left_only, right_only = [], [], []
    sizes = {"both": 1, "left": 1, "right": 1, "summed": 1}
    for i in range(left.ndim):
        in_left, in_right = left.shape[i] != 1, right.shape[i] != 1
        if i in summed:
            if in_left and in_right:
                if left.shape[i] != right.shape[i]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sizes["summed"] *= left.shape[i]
            elif in_left:
                left = reductions.sum(left, i, True)
            elif in_right:
                right = reductions.sum(right, i, True)
        elif in_left and in_right:
            if left.shape[i] != right.shape[i]:
                raise RuntimeError("non-broadcast dimensions must match")
            both.append(i)
            sizes["both"] *= left.shape[i]
        elif in_left:
            left_only.append(i)
            sizes["left"] *= left.shape[i]
        else:
            right_only.append(i)
            sizes["right"] *= right.shape[i]
    out_size = ([left.shape[d] for d in both] + [left.shape[d] for d in left_only]
                + [1] * len(summed) + [right.shape[d] for d in right_only])
    order = both + left_only + summed + right_only
    back = [order.index(d) for d in range(len(order))]
    left = shapes.reshape(shapes.permute(left, order),
                          (sizes["both"], sizes["left"], sizes["summed"]))
    right = shapes.reshape(shapes.permute(right, both + summed + right_only + left_only),
                           (sizes["both"], sizes["summed"], sizes["right"]))
    product = F.bmm(left, right)
    return shapes.permute(shapes.view(product, tuple(out_size)), back)

