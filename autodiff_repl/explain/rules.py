"""How each op sends a gradient back, in words, for the ops whose local derivative is not a
plain number per element (matrix products, reductions, reshapes, indexing).

``rule(op, i, up, labels, params, in_shape)`` gives the text for input ``i``, such as
``∂y/∂t1 · Wᵀ`` or ``2 copied to every element of x``; ``None`` means "use the op table's
formula" (``up · formula``).
"""

from __future__ import annotations

from autodiff_repl.explain import text

_RESHAPING = {"view", "squeeze", "squeeze_dim", "squeeze_matmul", "unsqueeze"}
_INDEXING = {"select", "slice", "index", "alias"}


def rule(op, i: int, up: str, labels: list[str], params: dict, in_shape) -> str | None:
    name = op.name
    if name in ("mm", "matmul"):
        return f"{up} · {labels[1]}ᵀ" if i == 0 else f"{labels[0]}ᵀ · {up}"
    if name == "mv":
        return f"{up} ⊗ {labels[1]}  (outer product)" if i == 0 else f"{labels[0]}ᵀ · {up}"
    if name == "sum":
        return f"{up} copied to every element of {labels[0]}"
    if name == "sum_dim":
        return f"{up} copied along dim {text.param(params['dim'])}"
    if name == "mean":
        return f"1/n · {up} copied to every element of {labels[0]}"
    if name == "mean_dim":
        return f"1/n · {up} copied along dim {text.param(params['dim'])}"
    if name in _RESHAPING:
        return f"{up} reshaped back to {text.shape(in_shape)}"
    if name == "expand":
        return f"{up} summed back to {text.shape(in_shape)}"
    if name in ("t", "transpose", "permute"):
        return f"{up} transposed back"
    if name in _INDEXING:
        return f"{up} put back at [{text.param(params['index'])}], zeros elsewhere"
    if name in ("to", "clone"):
        return f"{up} passed through"
    if name in ("cat", "stack"):
        return f"the block of {up} that came from this input"
    if name == "index_put":
        return (f"{up} with zeros at [{text.param(params['index'])}]" if i == 0
                else f"{up}[{text.param(params['index'])}]")
    return None
