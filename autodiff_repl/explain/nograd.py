"""Tensors computed inside ``torch.no_grad()``: which input they came from, in words.

With explanations on (``RECORDING.keep_values``, as in the Session) the engine marks a result
computed under ``no_grad()`` from an input that requires grad: ``Tensor._no_grad_from`` is a weak
reference to that input. Such a tensor has no ``grad_fn`` and does not require grad -- for
autograd it is a constant -- so no backward reaches it, nor the input through it. Only the first
op inside the block is marked (its result no longer requires grad), and only its first input that
requires grad is named.
"""

from __future__ import annotations


def source(t, names: dict) -> str | None:
    """None when ``t`` was not computed under ``no_grad()`` from a tensor that requires grad;
    otherwise that tensor's variable name, or "" when it has none (or is gone)."""
    ref = getattr(t, "_no_grad_from", None)
    if ref is None:
        return None
    x = ref()
    if x is None:
        return ""
    return next((k for k, v in names.items() if v is x and not k.startswith("_")), "")


def made(src: str) -> str:
    """``computed from x inside torch.no_grad()`` (the input unnamed: "from a tensor that
    requires grad")."""
    return f"computed from {src or 'a tensor that requires grad'} inside torch.no_grad()"


def products(x, names: dict) -> list[str]:
    """The variables computed from tensor ``x`` inside ``no_grad()``."""
    out = []
    for k, v in names.items():
        ref = getattr(v, "_no_grad_from", None)
        if not k.startswith("_") and ref is not None and ref() is x:
            out.append(k)
    return out
