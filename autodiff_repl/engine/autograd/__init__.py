"""``torch.autograd``: ``backward``, ``grad``, the legacy ``Variable``, ``functional``
(jacobian, hessian, vjp, jvp, hvp), ``forward_ad``, ``gradcheck`` and ``gradgradcheck``."""

from autodiff_repl.engine.autograd import forward_ad, functional
from autodiff_repl.engine.backprop import backward, grad
from autodiff_repl.engine.grad_mode import enable_grad, no_grad, set_grad_enabled
from autodiff_repl.engine.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autodiff_repl.engine.messages import ONLY_FLOAT
from autodiff_repl.engine.tensor import Tensor


def Variable(data, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """The pre-0.4 wrapper. Since PyTorch 0.4 it simply returns a Tensor; so does this."""
    from autodiff_repl.engine.functions import as_tensor
    t = as_tensor(data).detach()  # a new leaf sharing the data, as in PyTorch
    if requires_grad:
        if not t.is_floating_point():
            raise RuntimeError(ONLY_FLOAT)
        t.requires_grad_(True)
    return t


__all__ = ["GradcheckError", "Variable", "backward", "enable_grad", "forward_ad", "functional",
           "grad", "gradcheck", "gradgradcheck", "no_grad", "set_grad_enabled"]
