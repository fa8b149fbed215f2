"""Where the maths has no derivative: ties for a max or min, pointwise ops at a kink.

At such a point the slopes on either side differ. Finite differences average them; autograd uses
PyTorch's convention instead: ``relu`` and ``abs`` have slope 0 at 0, a full ``max()`` shares the
gradient equally among tied maxima, ``max(dim)`` sends it only to the index it returned. So a
finite-difference check can differ there without anything being wrong.

``tie_note(node, label)`` says how a max or min with ties shares its gradient (None without ties);
``kink(node, label, expr)`` says where a node has no derivative (None when it has one there). Both
read the values the node recorded (``RECORDING.keep_values``); without them they find nothing.
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import ops
from autodiff_repl.explain import text

_FULL = {"max": "maxima", "min": "minima"}
_BY_DIM = {"max_dim": "maxima", "min_dim": "minima"}


def _values(node):
    inputs, value = getattr(node, "inputs", None), getattr(node, "value", None)
    if inputs is None or value is None:
        return None, None
    return np.asarray(inputs[0]), np.asarray(value)


def _ties(node) -> tuple[int, int]:
    """(tied elements, 0) for a full max/min; (slices with a tie, slices) for max/min(dim)."""
    x, out = _values(node)
    if x is None:
        return 0, 0
    if node.op.name in _FULL:
        hits = int(np.count_nonzero(x == out))
        return (hits, 0) if hits > 1 else (0, 0)
    if node.op.name in _BY_DIM:
        dim = node.params["dim"]
        kept = out if node.params["keepdim"] else np.expand_dims(out, dim)
        per_slice = np.count_nonzero(x == kept, axis=dim)
        return int(np.count_nonzero(per_slice > 1)), int(per_slice.size)
    return 0, 0


def tie_note(node, label: str) -> str | None:
    """``x has 2 tied maxima (3): …`` for a max or min whose input has ties."""
    tied, slices = _ties(node)
    if not tied:
        return None
    kind = _FULL.get(node.op.name) or _BY_DIM[node.op.name]
    if not slices:
        return (f"{label} has {tied} tied {kind} ({text.num(np.asarray(node.value).item())}): "
                f"the gradient is shared equally among them, 1/{tied} each (as PyTorch does)")
    return (f"{label} has tied {kind} in {tied} of {slices} slices: each slice's gradient goes "
            f"to one of them only, the index {node.op.name[:3]}(dim) returned (as in PyTorch)")


def _kink_points(node) -> tuple[float, ...]:
    """Where an elementwise op of one input has no derivative: the op table's ``away_from``
    (relu, abs, sign, reciprocal at 0) or, for clamp, its bounds."""
    if node.op.jvp != ops.ELEMENTWISE or len(node.parents) != 1:
        return ()
    if node.op.name == "clamp":
        return tuple(v for v in (node.params.get("min"), node.params.get("max")) if v is not None)
    return () if node.params else node.op.away_from


def kink(node, label: str, expr: str) -> str | None:
    """``relu(t2) has no derivative at t2 = 0``, ``max x has no derivative where 2 maxima tie``;
    None when the node's derivative is defined at the recorded values."""
    tied, slices = _ties(node)
    if tied:
        kind = _FULL.get(node.op.name) or _BY_DIM[node.op.name]
        return (f"{expr} has no derivative where {tied} {kind} tie" if not slices
                else f"{expr} has no derivative where {kind} tie ({tied} of {slices} slices)")
    x, _ = _values(node)
    if x is None:
        return None
    at = [p for p in _kink_points(node) if np.any(x == p)]
    if not at:
        return None
    return f"{expr} has no derivative at {label} = " + " or ".join(text.num(p) for p in at)
