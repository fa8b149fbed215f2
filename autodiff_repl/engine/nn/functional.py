"""``torch.nn.functional``: the activations and losses a first autograd lesson meets.

Each function checks its arguments as PyTorch does, then applies a row of the op table (the
activations' rows are in ``ops.activations``, the losses' in ``ops.losses``) or builds the result
from other operations where PyTorch does (``softsign``, ``l1_loss``, cross-entropy with class
probabilities), so the graph shows PyTorch's nodes.
"""

from __future__ import annotations

import warnings

import numpy as np

from autodiff_repl.engine import dtypes, ops, shapes
from autodiff_repl.engine import functions as F
from autodiff_repl.engine import reductions as R
from autodiff_repl.engine.backends import GRAPH
from autodiff_repl.engine.functions import relu, sigmoid, tanh
from autodiff_repl.engine.grad_mode import is_grad_enabled
from autodiff_repl.engine.reductions import log_softmax, softmax
from autodiff_repl.engine.tensor import Tensor


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


# --- activations --------------------------------------------------------------------------------

_IN_PLACE_ROWS = {ops.LEAKY_RELU: ops.LEAKY_RELU_INPLACE, ops.ELU: ops.ELU_INPLACE}
"""Activations whose in-place form PyTorch differentiates from its result (another node)."""


def _activation(op, kernel: str, input, params: dict, inplace: bool = False) -> Tensor:
    """Apply an activation's row to ``input`` (floats only, as PyTorch's kernels), or update
    ``input`` with it in place (``inplace=True``)."""
    F.must_be_tensor(op.name, "input", 1, input)
    if not input.is_floating_point() and op is not ops.HARDTANH:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{input.dtype.short}\'')
    if inplace:
        row = _IN_PLACE_ROWS.get(op, op)
        return input._inplace(lambda t: F.apply(row, (t,), params))
    return F.apply(op, (input,), params)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where ``x > 0``, else ``negative_slope·x``: a relu whose gradient never dies."""
    return _activation(ops.LEAKY_RELU, "leaky_relu_cpu", input,
                       {"negative_slope": float(F._number(negative_slope))}, inplace)


def softplus(input, beta=1, threshold=20):
    """``log(1 + exp(β·x))/β``: a smooth relu (``x`` itself where ``β·x > threshold``)."""
    return _activation(ops.SOFTPLUS, "softplus_cpu", input,
                       {"beta": F._number(beta), "threshold": F._number(threshold)})


def gelu(input, *, approximate="none"):
    """``x·Φ(x)``, Φ the standard normal CDF (``approximate='tanh'``: its tanh formula)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _activation(ops.GELU, "GeluKernelImpl", input, {"approximate": approximate})


def silu(input, inplace=False):
    """``x·σ(x)`` (also called swish)."""
    return _activation(ops.SILU, "silu_cpu", input, {}, inplace)


def elu(input, alpha=1.0, inplace=False):
    """``x`` where ``x > 0``, else ``alpha·(exp(x) - 1)``."""
    return _activation(ops.ELU, "elu_cpu", input, {"alpha": float(alpha)}, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clipped to [min_val, max_val]; the gradient passes strictly inside."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activation(ops.HARDTANH, "hardtanh", input,
                       {"min_val": min_val, "max_val": max_val}, inplace)


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``: PyTorch computes it as ``hardtanh(x, 0, 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def logsigmoid(input):
    """``log σ(x)``, computed without overflow."""
    return _activation(ops.LOG_SIGMOID, "log_sigmoid_cpu", input, {})


def softsign(input):
    """``x / (1 + |x|)``, built as PyTorch builds it (DivBackward0 over AddBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """``x - tanh(x)``, built as PyTorch builds it (SubBackward0)."""
    return input - input.tanh()


# --- losses: arguments --------------------------------------------------------------------------

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction: str, size_average=None, reduce=None) -> str:
    """``reduction``, or the one the deprecated ``size_average``/``reduce`` flags ask for (with
    PyTorch's warning); PyTorch's ValueError for a name it doesn't know."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _broadcast_pair(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Input and target broadcast to one shape, with PyTorch's warning when their sizes differ
    (usually a mistake: a (3,) target against a (3, 1) input gives nine differences)."""
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)
        shape = F._broadcast_all((input, target))
        input = input if input.shape == shape else shapes.expand(input, shape)
        target = target if target.shape == shape else shapes.expand(target, shape)
    return input, target


def _elementwise_loss(op, input, target, reduction: str, **params) -> Tensor:
    F.must_be_tensor(op.name, "input", 1, input)
    F.must_be_tensor(op.name, "target", 2, target)
    a, b, arrays = F._binary_operands(input, target)
    return F.apply(op, (a, b), {"reduction": reduction, **params}, arrays)


def _reduced(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return R.mean(losses)
    return R.sum(losses) if reduction == "sum" else losses


def _constant(function: str, name: str, value) -> None:
    """PyTorch's refusal of a weight that requires grad where the kernel treats it as a constant
    (only while grad mode records)."""
    if isinstance(value, Tensor) and value.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument '{name}'. This input cannot have requires_grad True.")


def _weights(weight, like: Tensor):
    """An optional weight tensor as an array in ``like``'s dtype (None stays None)."""
    return None if weight is None else F.as_tensor(weight)._data.astype(like._data.dtype)


# --- losses -------------------------------------------------------------------------------------

def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error, built as PyTorch builds it: ``|input - target|``, then the mean."""
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_pair(input, target)
    errors = (input - target).abs()
    if weight is None:
        return _reduced(errors, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    return R.sum(weighted) / R.sum(weight) if reduction == "mean" else _reduced(weighted,
                                                                                 reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5·d²/β`` where ``|d| < β``, else ``|d| - 0.5·β`` (d = input - target): squared near
    0, absolute further out. ``beta=0`` is ``l1_loss``."""
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_pair(input, target)
    if beta == 0.0:
        return _reduced((input - target).abs(), reduction)
    return _elementwise_loss(ops.SMOOTH_L1_LOSS, input, target, reduction, beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5·d²`` where ``|d| < δ``, else ``δ·(|d| - 0.5·δ)`` (d = input - target)."""
    _reduction(reduction)
    input, target = _broadcast_pair(input, target)
    if weight is None:
        return _elementwise_loss(ops.HUBER_LOSS, input, target, reduction, delta=delta)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = _elementwise_loss(ops.HUBER_LOSS, input, target, "none", delta=delta) * weight
    return _reduced(weighted, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-(t·log x + (1 - t)·log(1 - x))`` for probabilities ``x`` in [0, 1] (each log at least
    -100)."""
    reduction = _reduction(reduction, size_average, reduce)
    F.must_be_tensor("binary_cross_entropy", "input", 1, input)
    F.must_be_tensor("binary_cross_entropy", "target", 2, target)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    x, t = input._data, target._data
    if not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not ((t >= 0) & (t <= 1)).all():
        raise RuntimeError("all elements of target should be between 0 and 1")
    _constant("binary_cross_entropy", "weight", weight)
    if weight is not None:
        weight = np.broadcast_to(_weights(weight, input), input.shape)
    return _elementwise_loss(ops.BINARY_CROSS_ENTROPY, input, target, reduction, weight=weight)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """``binary_cross_entropy(sigmoid(input), target)`` computed in one stable step from the
    logits; ``pos_weight`` weighs the positive examples' term."""
    reduction = _reduction(reduction, size_average, reduce)
    F.must_be_tensor("binary_cross_entropy_with_logits", "input", 1, input)
    F.must_be_tensor("binary_cross_entropy_with_logits", "target", 2, target)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    _constant("binary_cross_entropy_with_logits", "weight", weight)
    _constant("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    return _elementwise_loss(ops.BINARY_CROSS_ENTROPY_WITH_LOGITS, input, target, reduction,
                             weight=_weights(weight, input), pos_weight=_weights(pos_weight, input))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log-likelihood of the target classes: ``-input[n, target[n]]``, averaged
    (weighted by ``weight[target[n]]``; targets equal to ``ignore_index`` left out). ``input``
    holds log-probabilities: ``log_softmax`` of the scores (``cross_entropy`` does both)."""
    reduction = _reduction(reduction, size_average, reduce)
    F.must_be_tensor("nll_loss", "input", 1, input)
    F.must_be_tensor("nll_loss", "target", 2, target)
    return _nll(input, target, weight, reduction, ignore_index)


def _nll(input: Tensor, target: Tensor, weight, reduction: str, ignore_index: int) -> Tensor:
    """``nll_loss`` after its arguments are read: PyTorch's checks, then its rows: one sample
    (C,) or a batch (N, C) is ``NllLossBackward0``; more dims (N, C, d1, ...) are
    ``NllLoss2DBackward0``."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim == 1 and target.ndim == 1:
        if target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{target.shape[0]}")
    elif input.ndim != 1 and (target.ndim == 0 or input.shape[0] != target.shape[0]):
        size = target.shape[0] if target.ndim else 0
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({size}).")
    if input.ndim > 2 and input.ndim != 4 and target.shape[1:] != input.shape[2:]:
        raise RuntimeError(f"Expected target size {[input.shape[0], *input.shape[2:]]}, got "
                           f"{list(target.shape)}")
    _constant("nll_loss_forward" if input.ndim <= 2 else "nll_loss2d_forward", "weight", weight)
    if input.ndim == 4 and target.ndim != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {target.ndim}")
    if input.ndim == 4 and target.shape[1:] != input.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: "
                           f"{list(target.shape)}")
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{target.dtype.short}")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.numel() != classes):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.short} but found "
                           f"{weight.dtype.short}")
    labels = target._data.astype(np.int64).reshape(target.shape[:1] if input.ndim == 1 else
                                                   target.shape)
    kept = labels != ignore_index
    for label in labels[kept & ((labels < 0) | (labels >= classes))].flat:
        raise IndexError(f"Target {label} is out of bounds.")
    w = None if weight is None else weight._data
    safe = np.where(kept, labels, 0)
    if w is None:
        total = float(np.count_nonzero(kept))
    else:
        total = ops.losses.cascade_sum(np.where(kept, w[safe], 0).astype(input._data.dtype), kept)
    if input.ndim == 1:
        labels = labels.reshape(())
    params = {"target": labels, "weight": w, "reduction": reduction,
              "ignore_index": ignore_index, "total": total}
    if input.ndim <= 2:
        return F.apply(ops.NLL_LOSS, (input,), params)
    if input.ndim == 4 or reduction != "none":
        return F.apply(ops.NLL_LOSS2D, (_as_4d(input),), {**params, "target": _as_4d(labels)})
    loss = F.apply(ops.NLL_LOSS2D, (_as_4d(input),), {**params, "target": _as_4d(labels)})
    return shapes.view(loss, labels.shape)


def _as_4d(x):
    """PyTorch's view of (N, C, d1, d2, ...) as (N, C, 1, d1·d2·...) (of the targets, without
    C) for ``nll_loss2d``: a ViewBackward0 on a tensor, a reshape of an array."""
    if isinstance(x, np.ndarray):
        return x if x.ndim == 3 else x.reshape(x.shape[0], 1, -1)
    return x if x.ndim == 4 else shapes.view(x, (x.shape[0], x.shape[1], 1, -1))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """The cross-entropy between the softmax of ``input`` (scores, one per class along dim 1, or
    dim 0 for one sample) and ``target``: class indices (``nll_loss`` of ``log_softmax``), or
    class probabilities of ``input``'s shape."""
    reduction = _reduction(reduction, size_average, reduce)
    F.must_be_tensor("cross_entropy_loss", "input", 1, input)
    F.must_be_tensor("cross_entropy_loss", "target", 2, target)
    if input.shape == target.shape:
        return _cross_entropy_probabilities(input, target, weight, reduction, ignore_index,
                                            label_smoothing)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    class_dim = 1 if input.ndim > 1 else 0
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    _float_scores(input, class_dim)
    log_p = log_softmax(input, class_dim)
    loss = _nll(log_p, target, weight, reduction, ignore_index)
    if label_smoothing > 0.0:
        loss = _label_smoothed(loss, log_p, target, weight, reduction, ignore_index,
                               label_smoothing, class_dim)
    return loss


def _float_scores(input: Tensor, class_dim: int) -> None:
    """PyTorch's error for integer scores: its log_softmax kernel has no integer version."""
    if not input.is_floating_point():
        kernel = "log_softmax_lastdim_kernel_impl" if class_dim >= input.ndim - 1 else \
            "log_softmax_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{input.dtype.short}\'')


def _cross_entropy_probabilities(input, target, weight, reduction, ignore_index,
                                 label_smoothing) -> Tensor:
    """``-Σ target·log_softmax(input)`` over the classes, built as PyTorch builds it."""
    if not target.is_floating_point():
        raise RuntimeError(f"Expected floating point type for target with class probabilities, "
                           f"got {target.dtype.short}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    class_dim = 1 if input.ndim > 1 else 0
    _float_scores(input, class_dim)
    classes = input.shape[class_dim] if input.ndim else 1
    if weight is not None and (weight.ndim != 1 or weight.numel() != classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{classes} classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    log_p = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing:g}")
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = log_p * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = classes
        terms = terms * (shapes.view(weight, tuple(shape)) if input.ndim > 1 else weight)
    if reduction == "none":
        return -R.sum(terms, class_dim)
    total = -R.sum(terms)
    if reduction == "sum":
        return total
    return GRAPH.div_scalar(total, input.numel() // classes)


def _label_smoothed(nll: Tensor, log_p: Tensor, target: Tensor, weight, reduction: str,
                    ignore_index: int, smoothing: float, class_dim: int) -> Tensor:
    """``(1 - ε)·nll + ε/C·smooth``, smooth the sum of ``-log_p`` over the classes (each weighted),
    as PyTorch computes label smoothing for class indices."""
    classes = log_p.shape[class_dim]
    if weight is not None:
        shape = [1] * log_p.ndim
        shape[class_dim] = classes
        smooth = -R.sum(log_p * shapes.view(weight, tuple(shape)), class_dim)
    else:
        smooth = -R.sum(log_p, class_dim)
    ignored = target == ignore_index
    smooth = F.masked_fill(smooth, ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target._data[~ignored._data].reshape(-1)
            smooth = R.sum(smooth) / R.sum(weight[F.as_tensor(kept)])
        else:
            smooth = R.sum(smooth) / R.sum(F.logical_not(ignored))
    elif reduction == "sum":
        smooth = R.sum(smooth)
    return GRAPH.mul_scalar(nll, 1 - smoothing) + GRAPH.mul_scalar(smooth, smoothing / classes)


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "elu",
           "gelu", "hardtanh", "huber_loss", "l1_loss", "leaky_relu", "log_softmax", "logsigmoid",
           "mse_loss", "nll_loss", "relu", "relu6", "sigmoid", "silu", "smooth_l1_loss",
           "softmax", "softplus", "softsign", "tanh", "tanhshrink"]
