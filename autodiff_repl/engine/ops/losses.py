"""Rows of the op table: the losses of ``torch.nn.functional`` that PyTorch computes in one kernel
(``nll_loss`` -- and so ``cross_entropy`` --, ``binary_cross_entropy`` and its ``_with_logits``
form, ``smooth_l1_loss``, ``huber_loss``). ``l1_loss``, ``softsign`` and cross-entropy with class
probabilities are built from other rows, as PyTorch builds them.

A loss row reduces as ``reduction`` says: ``'mean'`` (the default), ``'sum'`` or ``'none'`` (one
loss per element). Its gradient is the elementwise local derivative (``_local_*``) times the
upstream gradient spread back over the elements (divided by their number for ``'mean'``).
"""

from __future__ import annotations

import math

import numpy as np

from autodiff_repl.engine.ops.row import LINEAR, Sample, _engine, _row


def _functional(name: str, **fixed):
    """A sample's call through ``torch.nn.functional.<name>``, with arguments that are not
    differentiated (targets) made by ``fixed``'s functions of the engine."""
    def call(*inputs, **params):
        engine = _engine()
        made = {k: make(engine) for k, make in fixed.items()}
        return getattr(engine.nn.functional, name)(*inputs, **made, **params)
    call.__name__ = name
    return call


# --- shared by the elementwise losses -----------------------------------------------------------

def _reduce(m, values, reduction):
    if reduction == "mean":
        return m.mean(values, None, False)
    if reduction == "sum":
        return m.sum(values, None, False)
    return values


def _reduced(np_loss):
    """A forward: the elementwise losses ``np_loss(a, b, **params)``, then the reduction."""
    def forward(a, b, reduction, **params):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            losses = np.asarray(np_loss(a, b, **params), a.dtype)
        if reduction == "none":
            return losses
        total = np.sum(losses, dtype=a.dtype)
        if reduction == "sum":
            return np.asarray(total)
        return np.asarray(float(total) / losses.size, a.dtype)  # the mean, rounded once
    return forward


def _upstream(g, x, reduction):
    """The upstream gradient for each element: ``g`` itself, or shared by the mean."""
    return g / math.prod(x.shape) if reduction == "mean" else g


def _rules(local):
    """The vjp and jvp of each input, from ``local(m, i, a, b, **params)``: the derivative of each
    element's loss with respect to input ``i``."""
    def vjp(i):
        return lambda m, g, a, b, out, reduction, **p: \
            _upstream(g, a, reduction) * local(m, i, a, b, **p)

    def jvp(i):
        return lambda m, t, a, b, out, reduction, **p: \
            _reduce(m, t * local(m, i, a, b, **p), reduction)
    return (vjp(0), vjp(1)), (jvp(0), jvp(1))


def _loss_samples(name: str, **params) -> tuple[Sample, ...]:
    call = _functional(name)
    return (Sample(((4,), (4,)), {"reduction": "mean", **params}, call),
            Sample(((2, 3), (2, 3)), {"reduction": "sum", **params}, call),
            Sample(((2, 3), (2, 3)), {"reduction": "none", **params}, call))


def _says(*local: str) -> tuple[str, ...]:
    """How each input's gradient is made: the upstream gradient times the local derivative at
    each element (shared by the n elements for the mean)."""
    return tuple(f"{{up}}·({d}) at each element (÷ n for the mean)" for d in local)


# --- binary cross-entropy -----------------------------------------------------------------------

_EPSILON = 1e-12  # PyTorch's floor for x(1 - x) in the gradient


def _bce(x, t, weight):
    """-(t·log x + (1 - t)·log(1 - x)), each log at least -100 (so 0 and 1 give finite losses)."""
    loss = (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)
    return loss if weight is None else loss * weight


def _bce_local(m, i, x, t, weight):
    if i == 0:
        x_times_rest = (1 - x) * x
        local = (x - t) / m.where(x_times_rest < _EPSILON, _EPSILON, x_times_rest)
    else:
        local = m.log(1 - x) - m.log(x)
    return local if weight is None else local * weight


_BCE_VJP, _BCE_JVP = _rules(_bce_local)
BINARY_CROSS_ENTROPY = _row(
    "binary_cross_entropy", "BinaryCrossEntropyBackward0", _reduced(_bce), _BCE_VJP, _BCE_JVP,
    "BCE({0}, {1})", ("({0} - {1})/({0}(1 - {0}))", "log(1 - {0}) - log {0}"),
    needs=((0, 1), (0,)), says=_says("({0} - {1})/({0}(1 - {0}))", "log(1 - {0}) - log {0}"),
    domain=(0.1, 0.9),
    samples=_loss_samples("binary_cross_entropy"))


def _log_sigmoid(z):
    return np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))


def _bce_logits(x, t, weight, pos_weight):
    """(1 - t)·x - log σ(x), the log weighted by ``(pos_weight - 1)·t + 1`` when given."""
    log_sigmoid = _log_sigmoid(x)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * t + 1)
    loss = (1 - t) * x - log_sigmoid
    return loss if weight is None else loss * weight


def _bce_logits_local(m, i, x, t, weight, pos_weight):
    sigmoid = 1 / (1 + m.exp(-x))
    if i == 0:
        local = sigmoid - t if pos_weight is None else \
            (pos_weight * t + 1 - t) * sigmoid - pos_weight * t
    elif pos_weight is None:
        local = -x
    else:  # log σ(-x) - pos_weight·log σ(x)
        local = m.log(1 - sigmoid) - pos_weight * m.log(sigmoid)
    return local if weight is None else local * weight


_LOGITS_VJP, _LOGITS_JVP = _rules(_bce_logits_local)
BINARY_CROSS_ENTROPY_WITH_LOGITS = _row(
    "bce_with_logits", "BinaryCrossEntropyWithLogitsBackward0",
    _reduced(_bce_logits), _LOGITS_VJP, _LOGITS_JVP,
    "BCE(σ({0}), {1})", ("σ({0}) - {1}", "-{0}"), needs=((0, 1), (0,)),
    says=_says("σ({0}) - {1}", "-{0}"),
    domain=(0.1, 0.9), samples=(*_loss_samples("binary_cross_entropy_with_logits"), Sample(
        ((2, 3), (2, 3)), {"reduction": "mean"},
        _functional("binary_cross_entropy_with_logits",
                    pos_weight=lambda e: e.tensor([2.0, 0.5, 1.0], dtype=e.float64)))))


# --- smooth L1 and Huber ------------------------------------------------------------------------

def _smooth_l1(a, b, beta):
    z = np.abs(a - b)
    return np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)


def _smooth_l1_local(m, i, a, b, beta):
    """d/da: (a - b)/β inside [-β, β], ±1 outside; d/db is its negative."""
    d = a - b if i == 0 else b - a
    return m.where(d < -beta, -1.0, m.where(d > beta, 1.0, d / beta))


_SMOOTH_VJP, _SMOOTH_JVP = _rules(_smooth_l1_local)
SMOOTH_L1_LOSS = _row(
    "smooth_l1_loss", "SmoothL1LossBackward0", _reduced(_smooth_l1), _SMOOTH_VJP, _SMOOTH_JVP,
    "smooth_l1({0} - {1})",
    ("clamp(({0} - {1})/{beta}, -1, 1)", "-clamp(({0} - {1})/{beta}, -1, 1)"),
    needs=((0, 1), (0, 1)), samples=_loss_samples("smooth_l1_loss", beta=0.37),
    says=_says("clamp(({0} - {1})/{beta}, -1, 1)", "-clamp(({0} - {1})/{beta}, -1, 1)"))


def _huber(a, b, delta):
    z = np.abs(a - b)
    return np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))


def _huber_local(m, i, a, b, delta):
    """d/da: a - b inside [-δ, δ], ±δ outside; d/db is its negative."""
    d = a - b if i == 0 else b - a
    return m.where(d < -delta, -delta, m.where(d > delta, delta, d))


_HUBER_VJP, _HUBER_JVP = _rules(_huber_local)
HUBER_LOSS = _row(
    "huber_loss", "HuberLossBackward0", _reduced(_huber), _HUBER_VJP, _HUBER_JVP,
    "huber({0} - {1})",
    ("clamp({0} - {1}, -{delta}, {delta})", "-clamp({0} - {1}, -{delta}, {delta})"),
    needs=((0, 1), (0, 1)), samples=_loss_samples("huber_loss", delta=0.73),
    says=_says("clamp({0} - {1}, -{delta}, {delta})", "-clamp({0} - {1}, -{delta}, {delta})"))


# --- negative log-likelihood (cross-entropy with class indices) ---------------------------------

def class_axis(x) -> int:
    """The classes' dimension: 0 for one sample (C,), else 1 ((N, C, d1, ...))."""
    return 1 if x.ndim > 1 else 0


def _at_targets(x, target):
    """``x``'s element at each target's class (``target`` already clear of ignored values)."""
    axis = class_axis(x)
    return np.take_along_axis(x, np.expand_dims(target, axis), axis).squeeze(axis)


def _nll(x, target, weight, reduction, ignore_index, total):
    """-x[n, target[n], ...]·weight[target[n]] per term, 0 where the target is ``ignore_index``;
    summed in PyTorch's order (``cascade_sum``), divided by ``total`` (the weights' sum) for the
    mean."""
    kept = target != ignore_index
    safe = np.where(kept, target, 0)
    picked = _at_targets(x, safe)
    w = None if weight is None else weight[safe].astype(x.dtype)
    terms = picked if w is None else picked * w
    if reduction == "none":
        return np.where(kept, -terms, x.dtype.type(0))
    loss = -cascade_sum(np.where(kept, terms, 0), kept)
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: nan
            loss = loss / x.dtype.type(total)
    return np.asarray(loss, x.dtype)


def cascade_sum(values: np.ndarray, kept: np.ndarray):
    """``values`` added up as PyTorch's ``nll_loss`` adds them (in their dtype): a partial sum
    per level, each level passed up to the next every 16 terms, the skipped terms not counting
    as a step; then the levels added in order."""
    levels = 8
    power = max(4, max(1, (values.size - 1).bit_length()) // levels)
    mask = (1 << power) - 1
    zero = values.dtype.type(0)
    partial = [zero] * levels
    for i, (value, counts) in enumerate(zip(values.flat, kept.flat, strict=True)):
        if not counts:
            continue
        partial[0] = partial[0] + value
        for j in range(levels - 1):
            if i & (mask << (j * power)):
                break
            partial[j + 1], partial[j] = partial[j + 1] + partial[j], zero
    total = zero
    for value in partial:
        total = total + value
    return total


def _nll_vjp(m, g, x, out, target, weight, reduction, ignore_index, total):
    """-upstream (÷ the weights' sum for the mean), times the target's weight, at each target
    class; 0 elsewhere and for ignored targets."""
    axis = class_axis(x)
    kept = target != ignore_index
    safe = np.where(kept, target, 0)
    hit = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(hit, np.expand_dims(safe, axis), True, axis)
    hit &= np.expand_dims(kept, axis)
    if reduction == "none":
        g = m.unsqueeze(g, axis)
    scaled = -(g / total) if reduction == "mean" else -g
    if weight is not None:
        scaled = scaled * np.expand_dims(weight[safe].astype(x.dtype), axis)
    return m.where(hit, scaled, 0.0)


_NLL_SAYS = ("-{up} at each target's class (times the class's weight; ÷ the targets' total "
             "weight for the mean), 0 elsewhere",)


def _targets(*classes):
    return lambda engine: engine.tensor(list(classes))


NLL_LOSS = _row(
    "nll_loss", "NllLossBackward0", _nll, (_nll_vjp,), LINEAR,
    "-{0}[target]", ("-1 at the target class, else 0",), says=_NLL_SAYS,
    samples=(Sample(((3, 4),), {}, _functional("nll_loss", target=_targets(1, 0, 3))),
             Sample(((3, 4),), {"reduction": "none"},
                    _functional("nll_loss", target=_targets(2, 2, 0))),
             Sample(((3, 4),), {"reduction": "sum", "ignore_index": 0},
                    _functional("nll_loss", target=_targets(1, 0, 3))),
             Sample(((4,),), {}, _functional("cross_entropy", target=lambda e: e.tensor(2))),
             Sample(((3, 4),), {}, _functional(
                 "cross_entropy", target=_targets(1, 0, 3),
                 weight=lambda e: e.tensor([1.0, 2.0, 0.5, 3.0], dtype=e.float64)))))
NLL_LOSS2D = _row(
    "nll_loss2d", "NllLoss2DBackward0", _nll, (_nll_vjp,), LINEAR,
    "-{0}[target]", ("-1 at the target class, else 0",), says=_NLL_SAYS,
    samples=(Sample(((2, 3, 2, 2),), {}, _functional(
        "nll_loss", target=lambda e: e.tensor([[[0, 1], [2, 2]], [[1, 1], [0, 2]]]))),))
