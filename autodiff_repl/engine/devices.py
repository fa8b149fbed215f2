"""Devices: everything here lives on the CPU, as in a CPU-only build of PyTorch.

``torch.device("cpu")``, ``x.device``, ``x.to("cpu")`` and ``torch.cuda.is_available()`` work as
they do there, so code written for a GPU machine (``device = "cuda" if
torch.cuda.is_available() else "cpu"``) runs unchanged; asking for a GPU gets PyTorch's
``AssertionError: Torch not compiled with CUDA enabled``.
"""

from __future__ import annotations

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
NO_CUDA = "Torch not compiled with CUDA enabled"


class device:
    """``torch.device("cpu")``, ``torch.device("cuda", 0)``: a place a tensor can live."""

    __slots__ = ("index", "type")

    def __init__(self, type: str | device, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_type_name(type)})")
        name, _, number = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f"device string: {type}")
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        self.type, self.index = name, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def _type_name(value) -> str:
    return type(value).__name__


def check(where) -> None:
    """A ``device=`` argument or ``.to(...)`` target: the CPU passes; a GPU raises PyTorch's
    AssertionError; anything else that is not a device raises PyTorch's RuntimeError."""
    if where is None:
        return
    if isinstance(where, int) and not isinstance(where, bool):  # an index: an accelerator's
        raise RuntimeError("Cannot access accelerator device when none is available.")
    place = where if isinstance(where, device) else device(where)
    if place.type != "cpu":
        if place.type == "cuda":
            raise AssertionError(NO_CUDA)
        raise RuntimeError(f"{place.type} device is not available in this CPU-only engine")


def is_device(value) -> bool:
    """Whether ``value`` names a device (``"cpu"``, ``"cuda:0"``, ``torch.device(...)``)."""
    if isinstance(value, device):
        return True
    return isinstance(value, str) and value.partition(":")[0] in _TYPES


class cuda:
    """``torch.cuda``: no GPU here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def current_device() -> int:
        raise AssertionError(NO_CUDA)

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Seeding the (absent) GPU generators does nothing, as in PyTorch without a GPU."""

    @staticmethod
    def manual_seed_all(seed: int) -> None:
        """As ``manual_seed``."""
