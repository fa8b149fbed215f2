"""``torch.autograd.functional``: derivatives of whole functions.

- ``jacobian``: one reverse pass per output element (the rows of J);
- ``hessian``: the jacobian of the gradient (reverse over reverse);
- ``vjp``: vᵀJ with one reverse pass; ``jvp``: J v with one *forward* pass (dual tensors);
- ``hvp`` / ``vhp``: H v and vᵀH by differentiating the gradient once more.

As in PyTorch, results are detached unless ``create_graph=True``.
"""

from __future__ import annotations

import numpy as np

from autodiff_repl.engine import backprop
from autodiff_repl.engine.autograd import forward_ad
from autodiff_repl.engine.tensor import Tensor


def _as_tuple(x) -> tuple[bool, tuple]:
    if isinstance(x, Tensor):
        return True, (x,)
    return False, tuple(x)


def _leaves(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh leaves standing for the inputs (with a graph back to them if create_graph)."""
    if create_graph:
        return tuple(x if x._rg else x.detach().requires_grad_() for x in inputs)
    return tuple(x.detach().requires_grad_() for x in inputs)


def _finish(t: Tensor, create_graph: bool) -> Tensor:
    return t if create_graph else t.detach()


def _grads(output: Tensor, inputs: tuple, grad_output, create_graph: bool) -> tuple:
    if not output._rg:
        return tuple(Tensor._wrap(np.zeros_like(x._data)) for x in inputs)
    grads = backprop.grad(output, inputs, grad_output, retain_graph=True,
                          create_graph=create_graph, allow_unused=True)
    return tuple(Tensor._wrap(np.zeros_like(x._data)) if g is None else g
                 for g, x in zip(grads, inputs, strict=False))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """J[i, j] = ∂ output_i / ∂ input_j, shaped ``output.shape + input.shape``."""
    from autodiff_repl.engine import shapes
    one_input, inputs = _as_tuple(inputs)
    xs = _leaves(inputs, create_graph)
    outputs = func(*xs)
    one_output, outputs = _as_tuple(outputs)
    result = []
    for out in outputs:
        rows = [[] for _ in xs]
        flat = shapes.reshape(out, (-1,))
        for i in range(out.numel()):
            for j, g in enumerate(_grads(flat[i], xs, None, create_graph)):
                rows[j].append(g)
        per_input = []
        for j, x in enumerate(xs):
            if rows[j]:
                jac = shapes.reshape(shapes.stack(rows[j]), (*out.shape, *x.shape))
            else:
                jac = Tensor._wrap(np.zeros((*out.shape, *x.shape), dtype=x._data.dtype))
            per_input.append(_finish(jac, create_graph))
        result.append(per_input[0] if one_input else tuple(per_input))
    return result[0] if one_output else tuple(result)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """H[i, j] = ∂²f / ∂x_i ∂x_j for a function ``func`` with a scalar output."""
    one_input, inputs = _as_tuple(inputs)

    def gradient(*xs):
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element "
                               "Tensor")
        grads = _grads(out, xs, None, True)
        return grads[0] if one_input else grads

    return jacobian(gradient, inputs[0] if one_input else inputs, create_graph=create_graph)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ J)`` with one reverse pass."""
    one_input, inputs = _as_tuple(inputs)
    xs = _leaves(inputs, create_graph)
    out = func(*xs)
    grads = _grads(out, xs, v, create_graph)
    grads = tuple(_finish(g, create_graph) for g in grads)
    return _finish(out, create_graph), grads[0] if one_input else grads


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)`` with one forward pass: every op pushes the tangent v forward."""
    _, inputs = _as_tuple(inputs)
    if v is None:
        if sum(x.numel() for x in inputs) != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        v = tuple(Tensor._wrap(np.ones_like(x._data)) for x in inputs)
    _, vs = _as_tuple(v)
    with forward_ad.dual_level():
        duals = tuple(forward_ad.make_dual(x.detach(), t) for x, t in zip(inputs, vs, strict=False))
        out = func(*duals)
        primal, tangent = forward_ad.unpack_dual(out)
        if tangent is None:
            tangent = Tensor._wrap(np.zeros_like(out._data))
    return primal.detach(), tangent


def hvp(func, inputs, v, create_graph=False, strict=False):
    """``(func(inputs), H v)``: differentiate ⟨∇f, v⟩ once more."""
    one_input, inputs = _as_tuple(inputs)
    _, vs = _as_tuple(v)
    xs = _leaves(inputs, True)
    out = func(*xs)
    grads = _grads(out, xs, None, True)
    from autodiff_repl.engine import reductions, shapes
    inner = reductions.sum(shapes.stack([reductions.sum(g * t)
                                         for g, t in zip(grads, vs, strict=False)]))
    result = _grads(inner, xs, None, create_graph)
    result = tuple(_finish(r, create_graph) for r in result)
    return _finish(out, create_graph), result[0] if one_input else result


def vhp(func, inputs, v, create_graph=False, strict=False):
    """``(func(inputs), vᵀ H)``; H is symmetric, so this equals ``hvp``."""
    return hvp(func, inputs, v, create_graph, strict)
