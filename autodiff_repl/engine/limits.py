"""Size limits the engine enforces before it allocates, so a typo can't eat the machine's memory.

``LIMITS.max_elements`` is ``None`` (no limit) for library use; the session sets it. A tensor
bigger than the limit raises ``TensorTooLarge`` before any memory is allocated.
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
