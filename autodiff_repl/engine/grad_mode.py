"""Whether operations record a graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

One module-level flag, read on every operation. The three context managers (also usable as
decorators, as in PyTorch) save and restore it.
"""

from __future__ import annotations

import functools


class _State:
    def __init__(self) -> None:
        self.enabled = True  # set on the instance: read on every operation, so it must be quick


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


class _GradMode:
    """Base for the context managers: sets the flag on entry, restores it on exit."""

    mode = True

    def __enter__(self) -> None:
        self._prev = STATE.enabled
        STATE.enabled = self.mode

    def __exit__(self, *exc) -> None:
        STATE.enabled = self._prev

    def __repr__(self) -> str:  # as PyTorch prints it: the class where PyTorch defines it
        return f"<torch.autograd.grad_mode.{type(self).__name__} object at {id(self):#x}>"

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Run without recording a graph: results have ``requires_grad=False``."""

    mode = False


class enable_grad(_GradMode):
    """Record a graph again inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradMode):
    """PyTorch's faster ``no_grad``; here exactly ``no_grad``."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = not mode


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` as a call switches recording off; as a context it restores."""

    def __init__(self, mode: bool) -> None:
        self._prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self) -> None:
        STATE.enabled = self.mode

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def __call__(self, fn):
        raise TypeError("set_grad_enabled is used as set_grad_enabled(mode) or in a with block")
