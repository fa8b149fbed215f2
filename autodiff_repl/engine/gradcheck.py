"""``gradcheck`` and ``gradgradcheck``: compare the engine's derivatives with finite differences.

The numerical Jacobian comes from central differences, (f(x + ε) - f(x - ε)) / 2ε, one input
element at a time, in float64; the analytical one from one reverse pass per output element (and,
with ``check_forward_ad``, one forward pass per input element). They must agree within
``atol + rtol·|numerical|``, PyTorch's defaults (ε = 1e-6, atol = 1e-5, rtol = 1e-3).
"""

from __future__ import annotations

import warnings

import numpy as np

from autodiff_repl.engine import backprop
from autodiff_repl.engine.grad_mode import enable_grad, no_grad
from autodiff_repl.engine.tensor import Tensor


class GradcheckError(RuntimeError):
    """The analytical and numerical Jacobians differ."""


def _outputs(result) -> list[Tensor]:
    return [result] if isinstance(result, Tensor) else [r for r in result if isinstance(r, Tensor)]


def numerical_jacobian(func, inputs, i: int, eps: float) -> list[np.ndarray]:
    """For input ``i``: one (n_out, n_in) matrix per output, by central differences."""
    x = inputs[i]
    flat = x._data.reshape(-1)
    columns = []
    with no_grad():
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(func(*inputs))]
            flat[k] = orig - eps
            minus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(func(*inputs))]
            flat[k] = orig
            columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus, strict=False)])
    n_out = len(_outputs(func(*inputs)))
    return [np.stack([c[o] for c in columns], axis=1) if columns else np.zeros((0, 0))
            for o in range(n_out)]


def analytical_jacobian(func, inputs, i: int) -> list[np.ndarray]:
    """For input ``i``: one (n_out, n_in) matrix per output, one reverse pass per row."""
    outs = _outputs(func(*inputs))
    result = []
    for out in outs:
        flat = out.reshape(-1)
        rows = []
        for r in range(out.numel()):
            if not out._rg:
                rows.append(np.zeros(inputs[i].numel()))
                continue
            (g,) = backprop.grad(flat[r], [inputs[i]], retain_graph=True, allow_unused=True)
            rows.append(np.zeros(inputs[i].numel()) if g is None
                        else g._data.astype(np.float64).reshape(-1))
        result.append(np.array(rows).reshape(out.numel(), inputs[i].numel()))
    return result


def forward_jacobian(func, inputs, i: int) -> list[np.ndarray]:
    """For input ``i``: the Jacobian from forward mode, one jvp per input element (column)."""
    from autodiff_repl.engine.autograd import forward_ad
    x = inputs[i]
    columns = []
    for k in range(x.numel()):
        tangent = np.zeros(x._data.size, dtype=x._data.dtype)
        tangent[k] = 1
        with forward_ad.dual_level():
            dual = forward_ad.make_dual(x, Tensor._wrap(tangent.reshape(x._data.shape)))
            args = list(inputs)
            args[i] = dual
            outs = _outputs(func(*args))
            columns.append([np.zeros(o.numel()) if o._tangent is None
                            else o._tangent.astype(np.float64).reshape(-1) for o in outs])
    n_out = len(columns[0]) if columns else 0
    return [np.stack([c[o] for c in columns], axis=1) for o in range(n_out)]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, **_ignored) -> bool:
    """True if the analytical Jacobians match finite differences; else raise (or return False)."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for n, x in enumerate(inputs):
        if isinstance(x, Tensor) and x._rg and x._data.dtype != np.float64:
            warnings.warn(f"Input #{n} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ", UserWarning,
                          stacklevel=2)
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x._rg):
            continue
        numerical = numerical_jacobian(func, inputs, i, eps)
        modes = []
        if check_backward_ad:
            modes.append(("backward", analytical_jacobian(func, inputs, i)))
        if check_forward_ad:
            modes.append(("forward", forward_jacobian(func, inputs, i)))
        for mode, jacobians in modes:
            for o, (num, ana) in enumerate(zip(numerical, jacobians, strict=False)):
                if not np.allclose(ana, num, rtol=rtol, atol=atol):
                    if not raise_exception:
                        return False
                    raise GradcheckError(_mismatch(mode, func, inputs, o, i, num, ana))
    return True


def _mismatch(mode: str, func, inputs, o: int, i: int, num, ana) -> str:
    """PyTorch's message for a mismatch: the numerical Jacobian in the output's dtype, the
    analytical one in the input's (backward mode) or the output's (forward mode)."""
    with no_grad():
        out_dtype = _outputs(func(*inputs))[o]._data.dtype
    ana_dtype = inputs[i]._data.dtype if mode == "backward" else out_dtype
    head = "Jacobian mismatch" if mode == "backward" else \
        "Jacobian computed with forward mode mismatch"

    def shown(m, dtype) -> str:
        return repr(Tensor._wrap((m.T if m.ndim == 2 else m).astype(dtype)))

    return (f"{head} for output {o} with respect to input {i},\n"
            f"numerical:{shown(num, out_dtype)}\nanalytical:{shown(ana, ana_dtype)}\n")


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, gen_non_contig_grad_outputs=False, **_ignored) -> bool:
    """gradcheck of the function (inputs, v) -> vᵀJ: checks second derivatives."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outs = _outputs(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._wrap(rng.standard_normal(o.shape).astype(o._data.dtype))
                             .requires_grad_() for o in outs)
    else:
        grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else \
            tuple(grad_outputs)
    n = len(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x._rg]

    def first_derivative(*args):
        with enable_grad():  # the numerical Jacobian runs this under no_grad
            return _first_derivative(*args)

    def _first_derivative(*args):
        xs, vs = args[:n], args[n:]
        result = _outputs(func(*xs))
        pairs = [(o, v) for o, v in zip(result, vs, strict=False) if o._rg]
        if not pairs:
            return ()
        wrt = [x for x in xs if isinstance(x, Tensor) and x._rg]
        grads = backprop.grad([o for o, _ in pairs], wrt, [v for _, v in pairs],
                              create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    del diff
    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
