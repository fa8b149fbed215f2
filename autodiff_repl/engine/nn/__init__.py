"""``torch.nn``: only ``functional`` (the layers and modules are out of this tool's scope)."""

from autodiff_repl.engine.nn import functional

__all__ = ["functional"]
