"""The small types tensors give back: ``Size`` (a shape) and ``return_types`` (``(values, indices)``
results), printed as PyTorch prints them."""

from collections import namedtuple

import numpy as np


class Size(tuple):
    """A shape, printed as PyTorch prints it: ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


MinMax = namedtuple("MinMax", ["values", "indices"])


def _named_result(name: str) -> type:
    """A ``(values, indices)`` result printed as PyTorch prints ``torch.return_types.<name>``."""
    def __repr__(self) -> str:
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    return type(name, (MinMax,), {"__slots__": (), "__repr__": __repr__,
                                  "__qualname__": f"return_types.{name}"})


class return_types:
    """Named results of ``max(dim=)``, ``min(dim=)``, ``sort``, ``topk``, ``median(dim=)`` and
    ``kthvalue``."""

    max = _named_result("max")
    min = _named_result("min")
    sort = _named_result("sort")
    topk = _named_result("topk")
    median = _named_result("median")
    kthvalue = _named_result("kthvalue")
