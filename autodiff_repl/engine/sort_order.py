"""Which of several equal values comes first: the order PyTorch's CPU ``sort``, ``argsort``,
``topk`` and ``kthvalue`` give to ties.

Equal values (and NaNs, which count as equal to each other) can come out of a sort in any order;
PyTorch's CPU kernels leave it to the C++ standard library. ``stable=True`` keeps them in their
original order (``std::stable_sort``). Otherwise:

- ``sort`` runs ``std::sort`` on each line along ``dim``. GCC's ``std::sort`` is an introsort: it
  partitions around a median of three until pieces have at most 16 elements, then finishes with
  an insertion sort. Up to 16 elements that is a stable order; beyond, ties get shuffled.
  Two exceptions come first: a line whose elements all share one memory location (an ``expand``,
  stride 0) comes back in its original order, and 1-d integer tensors of at least 32768 elements
  sorted ascending go through a radix sort, which is stable.
- ``topk`` puts ``(value, index)`` pairs through ``std::partial_sort`` when ``k * 64 <= n``,
  else through ``std::nth_element`` and then (``sorted=True``) ``std::sort`` of the first ``k - 1``.
- ``kthvalue`` runs ATen's own quickselect (``quick_select_template``), not the standard
  library's.

The functions below are those GCC algorithms (libstdc++'s ``stl_algo.h`` and ``stl_heap.h``),
line for line, on a list of ``(key, index)`` pairs compared by key. Keys are ranks: equal values
(and all NaNs) share one, NaN above every number, negated for a descending order -- so the
comparison is always ``<``, as in PyTorch's comparators. They run in Python, only for lines that
have ties (without ties every sorting algorithm gives the same order, which NumPy computes):
about a third of a second for 100,000 elements.

This matches PyTorch builds that use GCC's standard library (Linux wheels). Builds that sort with
x86-simd-sort or another library order ties differently.
"""

from __future__ import annotations

import numpy as np

_INSERTION_SORT_SIZE = 16  # libstdc++'s _S_threshold
_RADIX_SORT_SIZE = 32768  # PyTorch's GRAIN_SIZE: from there on 1-d integer sorts use a radix sort


def sort_order(data: np.ndarray, dim: int, descending: bool, stable: bool) -> np.ndarray:
    """The indices that sort ``data`` along ``dim``, ties ordered as PyTorch's CPU sort orders
    them (see the module's docstring)."""
    order = _stable_order(data, dim, descending)
    n = data.shape[dim]
    if stable or n <= _INSERTION_SORT_SIZE or data.strides[dim] == 0 or (
            data.ndim == 1 and not descending and n >= _RADIX_SORT_SIZE
            and data.dtype.kind in "iu"):
        return order
    return _redo_lines(data, dim, order, descending, lambda pairs: introsort(pairs, 0, n))


def topk_order(data: np.ndarray, k: int, dim: int, largest: bool, sorted: bool) -> np.ndarray:
    """The indices of the ``k`` largest (or smallest) elements of ``data`` along ``dim``, in the
    order PyTorch's CPU ``topk`` gives them (``sorted=False``: the order its selection leaves)."""
    order = np.take(_stable_order(data, dim, largest), np.arange(k), axis=dim)
    n = data.shape[dim]
    if k == 0:
        return order

    def select(pairs: list) -> None:
        if k * 64 <= n:
            partial_sort(pairs, 0, k, n)
        else:
            nth_element(pairs, 0, k - 1, n)
            if sorted:
                introsort(pairs, 0, k - 1)

    return _redo_lines(data, dim, order, largest, select, every_line=not sorted)


def _stable_order(data: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """The order that keeps equal values in their original order: NaN last ascending, first
    descending (reversing a stable sort of the reversed data keeps ties in order)."""
    if not descending:
        return np.argsort(data, axis=dim, kind="stable")
    n = data.shape[dim]
    return n - 1 - np.flip(np.argsort(np.flip(data, dim), axis=dim, kind="stable"), dim)


def _redo_lines(data: np.ndarray, dim: int, order: np.ndarray, descending: bool, algorithm,
                every_line: bool = False) -> np.ndarray:
    """``order`` (the stable order, or its first indices along ``dim``) with the lines of
    ``data`` that have ties -- or ``every_line`` -- ordered by ``algorithm`` instead: it orders a
    line's ``(key, index)`` pairs in place (keys as in the module's docstring)."""
    lines, out = np.moveaxis(data, dim, -1), np.moveaxis(order, dim, -1)
    redo = np.ones(lines.shape[:-1], dtype=bool) if every_line else _tied(lines)
    for position in np.ndindex(redo.shape):
        if redo[position]:
            ranks = np.unique(lines[position], return_inverse=True)[1]  # NaNs: one, the highest
            keys = (-ranks if descending else ranks).tolist()
            pairs = list(zip(keys, range(len(keys)), strict=True))
            algorithm(pairs)
            out[position] = [i for _, i in pairs[:out.shape[-1]]]
    return order


def _tied(lines: np.ndarray) -> np.ndarray:
    """Which lines (along the last dim) have two equal elements (all NaNs count as equal)."""
    ordered = np.sort(lines, axis=-1)
    same = ordered[..., 1:] == ordered[..., :-1]
    if ordered.dtype.kind == "f":
        same |= np.isnan(ordered[..., 1:]) & np.isnan(ordered[..., :-1])
    return same.any(axis=-1)


# --- libstdc++'s algorithms on lists of (key, index) pairs ---------------------------------------

def introsort(a: list, first: int, last: int) -> None:
    """``std::sort(a + first, a + last)``."""
    if last - first > 1:
        _introsort_loop(a, first, last, 2 * ((last - first).bit_length() - 1))
        _final_insertion_sort(a, first, last)


def _introsort_loop(a: list, first: int, last: int, depth_limit: int) -> None:
    while last - first > _INSERTION_SORT_SIZE:
        if depth_limit == 0:  # too many uneven partitions: heapsort the rest
            partial_sort(a, first, last, last)
            return
        depth_limit -= 1
        cut = _partition_around_pivot(a, first, last)
        _introsort_loop(a, cut, last, depth_limit)
        last = cut


def _partition_around_pivot(a: list, first: int, last: int) -> int:
    """Move the median of ``a[first + 1]``, the middle and the last element to ``first``, then
    partition the rest around it (Hoare's scheme: equal keys stop both scans and get swapped)."""
    _move_median_to_first(a, first, first + 1, first + (last - first) // 2, last - 1)
    pivot = a[first][0]
    first += 1
    while True:
        while a[first][0] < pivot:
            first += 1
        last -= 1
        while pivot < a[last][0]:
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _move_median_to_first(a: list, result: int, x: int, y: int, z: int) -> None:
    kx, ky, kz = a[x][0], a[y][0], a[z][0]
    if kx < ky:
        median = y if ky < kz else z if kx < kz else x
    else:
        median = x if kx < kz else z if ky < kz else y
    a[result], a[median] = a[median], a[result]


def _final_insertion_sort(a: list, first: int, last: int) -> None:
    if last - first > _INSERTION_SORT_SIZE:
        _insertion_sort(a, first, first + _INSERTION_SORT_SIZE)
        for i in range(first + _INSERTION_SORT_SIZE, last):
            _linear_insert(a, i)
    else:
        _insertion_sort(a, first, last)


def _insertion_sort(a: list, first: int, last: int) -> None:
    for i in range(first + 1, last):
        if a[i][0] < a[first][0]:
            a[first:i + 1] = [a[i], *a[first:i]]
        else:
            _linear_insert(a, i)


def _linear_insert(a: list, last: int) -> None:
    """Move ``a[last]`` down past the larger keys before it (something before it is not larger)."""
    moving = a[last]
    key = moving[0]
    while key < a[last - 1][0]:
        a[last] = a[last - 1]
        last -= 1
    a[last] = moving


def partial_sort(a: list, first: int, middle: int, last: int) -> None:
    """``std::partial_sort``: the ``middle - first`` smallest keys, sorted, at the front."""
    _heap_select(a, first, middle, last)
    while middle - first > 1:  # std::sort_heap
        middle -= 1
        _pop_heap(a, first, middle, middle)


def nth_element(a: list, first: int, nth: int, last: int) -> None:
    """``std::nth_element``: the key that belongs at ``nth`` moves there, smaller ones before it,
    larger ones after it."""
    if first == last or nth == last:
        return
    depth_limit = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth_limit == 0:
            _heap_select(a, first, nth + 1, last)
            a[first], a[nth] = a[nth], a[first]
            return
        depth_limit -= 1
        cut = _partition_around_pivot(a, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last)


def _heap_select(a: list, first: int, middle: int, last: int) -> None:
    """A max-heap of the ``middle - first`` smallest keys in ``a[first:middle]``."""
    length = middle - first
    if length >= 2:  # std::make_heap
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(a, first, parent, length, a[first + parent])
    for i in range(middle, last):
        if a[i][0] < a[first][0]:
            _pop_heap(a, first, middle, i)


def _pop_heap(a: list, first: int, last: int, result: int) -> None:
    moving = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, moving)


def _adjust_heap(a: list, first: int, hole: int, length: int, moving: tuple) -> None:
    """Sift the hole at ``hole`` down to a leaf along the larger children, then ``moving`` up
    from there (``std::__adjust_heap`` and ``std::__push_heap``)."""
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if a[first + child][0] < a[first + child - 1][0]:
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and a[first + parent][0] < moving[0]:
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = moving


# --- kthvalue: PyTorch's own quickselect ---------------------------------------------------------

def kthvalue_order(data: np.ndarray, k: int, dim: int) -> np.ndarray:
    """The index of the ``k``-th smallest element along ``dim`` (size 1 there), among equal values
    the one PyTorch's CPU ``kthvalue`` picks (nan counts as the largest value)."""
    order = np.take(_stable_order(data, dim, False), [k - 1], axis=dim)
    lines, out = np.moveaxis(data, dim, -1), np.moveaxis(order, dim, -1)
    tied = _tied(lines)
    for position in np.ndindex(tied.shape):
        if tied[position]:  # without ties every selection picks the same element
            ranks = np.unique(lines[position], return_inverse=True)[1]  # nans: one, the highest
            pairs = list(zip(ranks.tolist(), range(len(ranks)), strict=True))
            _quick_select(pairs, k - 1)
            out[position] = pairs[k - 1][1]
    return order


def _quick_select(a: list, k: int) -> None:
    """``quick_select_template`` of ATen's ``SortingUtils.h`` (Sedgewick's quickselect, median of
    three pivots) on ``(key, index)`` pairs: afterwards ``a[k]`` holds the k-th smallest key."""
    left, right = 0, len(a) - 1
    while right > left:
        if right == left + 1:
            if a[left][0] > a[right][0]:
                a[left], a[right] = a[right], a[left]
            return
        middle = (left + right) >> 1
        a[middle], a[left + 1] = a[left + 1], a[middle]
        if a[left + 1][0] > a[right][0]:
            a[left + 1], a[right] = a[right], a[left + 1]
        if a[left][0] > a[right][0]:
            a[left], a[right] = a[right], a[left]
        if a[left + 1][0] > a[left][0]:
            a[left + 1], a[left] = a[left], a[left + 1]
        i, j, pivot = left + 1, right, a[left][0]
        while True:
            i += 1
            while pivot > a[i][0]:
                i += 1
            j -= 1
            while a[j][0] > pivot:
                j -= 1
            if j < i:
                break
            a[i], a[j] = a[j], a[i]
        a[left], a[j] = a[j], a[left]
        if j <= k:
            left = i
        if j >= k:
            right = j - 1
