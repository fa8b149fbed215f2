"""Size limits the engine enforces before it allocates, so a typo can't eat the machine's memory.

``LIMITS.max_elements`` is ``None`` (no limit) for library use; the session sets it. A tensor
bigger than the limit raises ``TensorTooLarge`` before any memory is allocated, and so does a
matrix product whose work (multiply-adds) passes ``WORK_PER_ELEMENT`` times the limit: NumPy
can't be interrupted inside one product.
"""

from __future__ import annotations

import math


class TensorTooLarge(RuntimeError):
    """A tensor would have more elements than ``LIMITS.max_elements``."""


class Limits:
    max_elements: int | None = None


LIMITS = Limits()


def check_numel(shape) -> None:
    """Raise ``TensorTooLarge`` if a tensor of ``shape`` would pass the element limit."""
    limit = LIMITS.max_elements
    if limit is None:
        return
    n = math.prod(int(s) for s in shape)
    if n > limit:
        raise TensorTooLarge(f"a tensor of shape {tuple(int(s) for s in shape)} would have "
                             f"{n:,} elements; the limit is {limit:,}")


WORK_PER_ELEMENT = 200
"""A product may take this many multiply-adds per element of the limit (10⁷ elements allow
2·10⁹ multiply-adds: about a second of NumPy here)."""


def check_work(multiply_adds: int, a_shape: tuple, b_shape: tuple) -> None:
    """Raise ``TensorTooLarge`` if the product of operands shaped ``a_shape`` and ``b_shape``
    would take too long."""
    limit = LIMITS.max_elements
    if limit is None or multiply_adds <= limit * WORK_PER_ELEMENT:
        return
    raise TensorTooLarge(f"the product of {tuple(a_shape)} and {tuple(b_shape)} takes "
                         f"{multiply_adds:,} multiply-adds; the limit is "
                         f"{limit * WORK_PER_ELEMENT:,}")
