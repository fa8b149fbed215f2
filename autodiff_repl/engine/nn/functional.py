"""``torch.nn.functional``: the activations and losses a first autograd lesson meets."""

from __future__ import annotations

from autodiff_repl.engine import functions as F
from autodiff_repl.engine import ops
from autodiff_repl.engine.functions import relu, sigmoid, tanh
from autodiff_repl.engine.reductions import log_softmax, softmax


def mse_loss(input, target, reduction: str = "mean"):
    """Mean squared error; ``reduction='sum'`` or ``'none'`` build it from sub and pow."""
    if reduction == "mean":
        a, b, arrays = F._binary_operands(F.as_tensor(input), target)
        return F.apply(ops.MSE_LOSS, (a, b), {}, arrays)
    squared = (input - target) ** 2
    if reduction == "sum":
        return squared.sum()
    if reduction == "none":
        return squared
    raise ValueError(f"{reduction} is not a valid value for reduction")


__all__ = ["log_softmax", "mse_loss", "relu", "sigmoid", "softmax", "tanh"]
