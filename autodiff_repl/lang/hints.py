"""Teaching notes for errors: the cause in plain words and the command that fixes it.

``hints_for(exc, context)`` looks at an exception (its type and PyTorch's message) and at what the
statement was doing (``context.subject`` is the expression the failing attribute or method was
used on, e.g. ``y`` in ``y.backward()``) and returns ``hint:`` lines. MXNet and legacy idioms are
recognised here and translated into PyTorch.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from autodiff_repl.engine.limits import TensorTooLarge
from autodiff_repl.lang.check import FOREIGN
from autodiff_repl.lang.limits import LimitError
from autodiff_repl.lang.namespace import NOT_HERE


@dataclass
class Context:
    """What was going on when the error happened."""

    subject: str | None = None
    """Source text of the object whose attribute or method failed (``x`` in ``x.attach_grad()``)."""
    subject_value: object = None
    statement: str | None = None
    """Source text of the failing statement, when it is one line."""
    names: Iterable[str] = field(default_factory=tuple)
    """Names in scope, for "did you mean" suggestions."""
    max_elements: int | None = None


SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"
SECOND_BACKWARD = "Trying to backward through the graph a second time"
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation"
NO_GRAD_FN = "does not require grad and does not have a grad_fn"
NOT_DIFFERENTIATED = "One of the differentiated Tensors does not require grad"
MODIFIED_INPLACE = "has been modified by an inplace operation"

RECORD = ("PyTorch records every operation on tensors that require grad, all the time: leave out "
          "`with autograd.record():` and run its body as it is")

MXNET_NAMES = {
    "np": "`np` here is not MXNet's: write torch.arange(4.0) for MXNet's np.arange(4.0) (or "
          "`import numpy as np` for plain arrays)",
    "npx": "npx is MXNet's; PyTorch needs no npx.set_np(): just `import torch`",
    "nd": "nd is MXNet's legacy ndarray; in PyTorch use torch.tensor(...)",
    "mx": "mx is MXNet; in PyTorch use torch",
    "autograd": "import it first: `from torch import autograd`; but note that " + RECORD,
    "F": "import it first: `import torch.nn.functional as F`",
    "nn": "import it first: `from torch import nn`",
    "tf": FOREIGN["tensorflow"],
    "jax": FOREIGN["jax"],
    "jnp": FOREIGN["jax"],
    "d2l": FOREIGN["d2l"],
}


def hints_for(exc: BaseException, context: Context) -> list[str]:
    """The hints for ``exc``, most useful first (may be empty)."""
    if isinstance(exc, LimitError):
        return [exc.hint] if exc.hint else []
    if isinstance(exc, TensorTooLarge):
        limit = f"{context.max_elements:,}" if context.max_elements else "a"
        return [f"the session allows at most {limit} elements per tensor "
                "(Limits.max_elements); work with smaller tensors"]
    if isinstance(exc, NameError):
        return _name_hints(str(exc), context)
    if isinstance(exc, AttributeError):
        return _attribute_hints(str(exc), context)
    if isinstance(exc, RuntimeError | TypeError | ValueError):
        return _runtime_hints(str(exc), context)
    if isinstance(exc, RecursionError):
        return ["does a function call itself without end? check its base case"]
    if isinstance(exc, MemoryError):
        return ["the operation needs more memory than the machine has; use smaller tensors"]
    if isinstance(exc, KeyboardInterrupt):
        return ["the statement was interrupted; the session keeps its variables"]
    if isinstance(exc, ImportError):
        return ["see what a module offers with Tab after its name and a dot, e.g. torch.autograd."]
    return []


def _name_hints(message: str, context: Context) -> list[str]:
    match = re.search(r"name '(\w+)' is not defined", message)
    if not match:
        return []
    name = match.group(1)
    if name in NOT_HERE:
        return [f"{name}() is not available in this language. {NOT_HERE[name]}"
                if name not in ("exit", "quit", "help") else NOT_HERE[name]]
    if name in MXNET_NAMES:
        return [MXNET_NAMES[name]]
    close = difflib.get_close_matches(name, list(context.names), n=1, cutoff=0.6)
    return [f"did you mean '{close[0]}'?"] if close else []


MXNET_METHODS = {
    "attach_grad": "MXNet's {s}.attach_grad() is {s}.requires_grad_() in PyTorch (or create the "
                   "tensor with requires_grad=True)",
    "copy": "PyTorch spells it {s}.clone() ({s}.detach().clone() for a copy outside the graph)",
    "asnumpy": "MXNet's {s}.asnumpy() is {s}.detach().numpy() in PyTorch",
    "asscalar": "MXNet's {s}.asscalar() is {s}.item() in PyTorch",
    "record": RECORD,
    "is_training": "MXNet's autograd.is_training() is torch.is_grad_enabled() in PyTorch",
    "set_np": "npx.set_np() is MXNet's; PyTorch needs nothing of the kind",
    "as_in_context": "there are no devices to move to here: leave it out",
    "as_in_ctx": "there are no devices to move to here: leave it out",
    "wait_to_read": "PyTorch runs eagerly: leave it out",
    "GradientTape": FOREIGN["tensorflow"],
    "format": "str.format is not available; use an f-string: f'{{x}}' or f'{{x:.3f}}'",
    "format_map": "str.format_map is not available; use an f-string: f'{{x}}'",
    "zero_grad": "a tensor has no zero_grad(); zero its gradient with {s}.grad.zero_() (or set "
                 "{s}.grad = None)",
}


def _attribute_hints(message: str, context: Context) -> list[str]:
    match = re.search(r"has no attribute '(\w+)'", message)
    if not match:
        return []
    attr = match.group(1)
    s = context.subject or "x"
    if message.startswith("'NoneType'"):
        return _none_hints(s, attr)
    if attr in MXNET_METHODS:
        return [MXNET_METHODS[attr].format(s=s)]
    from autodiff_repl.lang.attributes import allowed_names
    close = difflib.get_close_matches(attr, sorted(allowed_names(context.subject_value)), n=1,
                                      cutoff=0.75)
    return [f"did you mean '{s}.{close[0]}'?"] if close else []


def _none_hints(s: str, attr: str) -> list[str]:
    if s.endswith(".grad"):
        owner = s[: -len(".grad")]
        hints = [f"{s} is None: no backward() has reached {owner} yet, so there is nothing to "
                 f"{'zero' if attr == 'zero_' else 'use'}"]
        if attr == "zero_":
            hints.append(f"zero it only once it exists: `if {s} is not None: {s}.zero_()` "
                         f"(or simply set {s} = None)")
        else:
            hints.append(f"call backward() first (e.g. y.backward()), then read {s}")
        return hints
    return [f"{s} is None here; check where it was assigned (a function without `return` "
            "gives None)"]


def _runtime_hints(message: str, context: Context) -> list[str]:
    s = context.subject or "y"
    if SCALAR_ONLY in message:
        shape = getattr(context.subject_value, "shape", None)
        first = (f"{s} has shape {list(shape)}: backward() without arguments needs a scalar "
                 "(one number)" if shape is not None else
                 "backward() without arguments needs a scalar (one number)")
        return [first,
                f"sum first: {s}.sum().backward() (MXNet did this sum for you)",
                f"or pass the vector v of vᵀJ: {s}.backward(gradient=torch.ones_like({s}))",
                f"to see J and vᵀJ: backward {s} --gradient torch.ones_like({s})"]
    if SECOND_BACKWARD in message:
        return ["the first backward() freed the values the graph saved for it",
                f"recompute {s} (run the line that makes it again), then call backward() on it",
                f"or keep the graph the first time: {s}.backward(retain_graph=True) -- the "
                "gradients then add up in .grad"]
    if "floating point" in message and "can require gradients" in message:
        return ["integer tensors cannot require gradients: torch.arange(4) makes int64 values",
                "use floats: torch.arange(4.0), or dtype=torch.float32"]
    if LEAF_INPLACE in message:
        statement = context.statement or "x -= lr * x.grad"
        return ["changing a leaf that requires grad in place would break its gradient",
                f"update it without recording: `with torch.no_grad(): {statement}`"]
    if MODIFIED_INPLACE in message:
        return ["a value this backward needs was saved by the forward pass and changed in place "
                "afterwards (+=, add_(), t[i] = ..., or an update of a detach() of it, which "
                "shares its memory)",
                "compute out of place instead: y = y + 1 rather than y += 1; for an independent "
                "copy use t.detach().clone()",
                "t._version counts the in-place updates of t; the error names the version the "
                "backward expected"]
    if NO_GRAD_FN in message:
        return [f"{s} was computed from tensors that do not require grad (or under no_grad(), "
                "or from a detach())",
                f"call x.requires_grad_() on the input x before computing {s}"]
    if NOT_DIFFERENTIATED in message:
        return ["call requires_grad_() on the input before computing the output"]
    if "Boolean value of Tensor with more than one value is ambiguous" in message:
        return ["a condition needs one True/False: use (x > 0).all() or (x > 0).any()"]
    if "cannot be converted to Scalar" in message or \
            "only one element tensors can be converted" in message:
        return [f"item() and float() need one element: reduce first ({s}.sum()) or index "
                f"({s}[0])"]
    if "The size of tensor a" in message:
        return ["the shapes must be equal or broadcast (sizes equal or 1, compared from the "
                "right): check a.shape and b.shape"]
    if "object is not callable" in message and message.startswith("'Size'"):
        return [f"shape is a value, not a method: write {s}.shape (or {s}.size())"]
    if "object is not callable" in message and message.startswith("'Tensor'"):
        return ["a tensor is not a function; did you mean to multiply? write 2 * x, not 2(x)"]
    return []


def grad_none_hint(tensor, name: str) -> str:
    """Why ``name.grad`` is None, in one line (shown after echoing nothing)."""
    if not tensor.requires_grad:
        return (f"{name}.grad is None: {name} does not require grad; call "
                f"{name}.requires_grad_() before computing with it")
    if not tensor.is_leaf:
        return (f"{name}.grad is None: {name} is not a leaf (it was computed by "
                f"{tensor.grad_fn.name()}); only leaves get .grad -- call {name}.retain_grad() "
                "before backward() to keep it")
    return f"{name}.grad is None: no backward() has reached {name} yet"
