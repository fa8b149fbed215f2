"""Teaching notes for errors: the cause in plain words and the command that fixes it.

``hints_for(exc, context)`` looks at an exception (its type and PyTorch's message) and at what the
statement was doing (``context.subject`` is the expression the failing attribute or method was
used on, e.g. ``y`` in ``y.backward()``, or the first argument of a function, ``r`` in
``torch.autograd.grad(r, q)``) and returns ``hint:`` lines. The hints name what the learner
wrote: the inputs a result was computed from (``context.sources``), the call to repeat with
``retain_graph=True`` (``context.call``), the variables whose part of a graph was freed. MXNet and
legacy idioms are recognised here and translated into PyTorch.
"""

from __future__ import annotations

import ast
import difflib
import io
import keyword
import re
import tokenize
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from autodiff_repl.engine import Tensor
from autodiff_repl.engine.graph import reachable
from autodiff_repl.engine.limits import TensorTooLarge
from autodiff_repl.explain.why import requires_grad_fix
from autodiff_repl.lang.attributes import allowed_names, grad_cleared, type_name
from autodiff_repl.lang.check import FOREIGN
from autodiff_repl.lang.errors import with_article
from autodiff_repl.lang.limits import LimitError
from autodiff_repl.lang.namespace import NOT_HERE
from autodiff_repl.lang.numpy_hints import numpy_hints


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
    call: str | None = None
    """Source text of the call that failed (``torch.autograd.grad(r, q)``), or the command line
    (``backward y``)."""
    variables: dict = field(default_factory=dict)
    """The learner's variables, name -> value."""
    sources: dict = field(default_factory=dict)
    """Variable name -> the names its value was computed from (``scopes.sources_of``)."""
    bound_at: dict = field(default_factory=dict)
    """Variable name -> the number of the statement that bound it (``GlobalScope.bound_at``)."""
    made_before_grad: Callable[[str], list[str]] = lambda name: []
    """Tensor name -> the variables computed from it before it required grad
    (``GlobalScope.made_before_grad``)."""
    freeing_pass: Callable[[object], str | None] = lambda y: None
    """Tensor -> the call of the latest backward pass that freed part of its graph
    (``passes.Passes.freeing``)."""


SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"
SECOND_BACKWARD = "Trying to backward through the graph a second time"
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation"
NO_GRAD_FN = "does not require grad and does not have a grad_fn"
NOT_DIFFERENTIATED = "One of the differentiated Tensors does not require grad"
MODIFIED_INPLACE = "has been modified by an inplace operation"
GRADIENT_SHAPE = "Mismatch in shape: grad_output"
GRADCHECK_MISMATCH = re.compile(r"^Jacobian (computed with forward mode )?mismatch for output")

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
        if "multiply-adds" in str(exc):
            return ["a product this big would keep NumPy busy for long (it can't be interrupted "
                    "inside one product); multiply smaller matrices"]
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
        return ["the statement was interrupted: what it did before stopping stays done (as in "
                "Python, variables it assigned keep their new values); the rest of the input "
                "was skipped"]
    if isinstance(exc, ImportError):
        return ["see what a module offers with Tab after its name and a dot, e.g. torch.autograd."]
    if isinstance(exc, AssertionError) and NO_CUDA in str(exc):
        return [NO_GPU]
    return []


NO_CUDA = "Torch not compiled with CUDA enabled"
NO_GPU = ("there is no GPU here: tensors live on the CPU, as in PyTorch without CUDA; leave out "
          ".cuda() and device='cuda', or pick the device as tutorials do: device = 'cuda' if "
          "torch.cuda.is_available() else 'cpu' (it gives 'cpu' here)")


def _name_hints(message: str, context: Context) -> list[str]:
    match = re.search(r"name '(\w+)' is not defined", message)
    if not match:
        return []
    name = match.group(1)
    if name in NOT_HERE:
        advice = NOT_HERE[name]
        if name in ("exit", "quit", "help"):
            return [advice]
        return [f"{name}() is not available in this language" + (f": {advice}" if advice else "")]
    if name in MXNET_NAMES:
        return [MXNET_NAMES[name]]
    close = closest(name, context.names)
    return [f"did you mean '{close}'?"] if close else []


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` is most likely a typo of, or None when none is close enough.

    Close enough means few edits for the word's length (an edit: a letter added, dropped,
    changed, or two neighbours swapped): one up to five letters (``dto`` -> ``dot``), two up to
    nine (``backwards`` -> ``backward``), three beyond; ``clear`` is not ``clone``, nor
    ``tangent`` ``range``. A word of one or two letters may only have a stray letter dropped
    (``xx`` -> ``x``): ``t`` is not ``lt``, nor ``q`` ``eq``.
    """
    n = len(word)
    allowed = 1 if n <= 5 else 2 if n <= 9 else 3
    best: tuple | None = None
    for candidate in candidates:
        if candidate == word or abs(len(candidate) - n) > allowed or \
                (n <= 2 and len(candidate) != n - 1):
            continue
        d = _edits(word, candidate, allowed)
        if d <= allowed:
            key = (d, -difflib.SequenceMatcher(None, word, candidate).ratio(), candidate)
            best = key if best is None or key < best else best
    return best[2] if best is not None else None


def _edits(a: str, b: str, cap: int) -> int:
    """Optimal string alignment distance between ``a`` and ``b`` (more than ``cap`` once it is
    certain to exceed it)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > cap:
            return cap + 1
        previous2, previous = previous, row
    return previous[-1]


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
        return _none_hints(s, attr, context)
    value = context.subject_value
    if context.subject is not None and isinstance(value, DATA):
        if attr in TENSOR_ONLY:
            return _not_a_tensor_hints(s, value, attr)
        if attr == "asnumpy" and isinstance(value, np.ndarray | np.generic):
            return [f"{s} is already a NumPy value: use it as it is"]
    if attr in MXNET_METHODS:
        return [MXNET_METHODS[attr].format(s=s)]
    close = closest(attr, sorted(allowed_names(context.subject_value)))
    return [f"did you mean '{s}.{close}'?"] if close else []


TENSOR_ONLY = frozenset({"attach_grad", "requires_grad_", "requires_grad", "grad", "grad_fn",
                         "backward", "retain_grad", "is_leaf", "detach", "zero_grad"})
"""Attributes that only a tensor has, all about gradients: on other data (``DATA``) the fix is to
make a tensor first."""
DATA = (np.ndarray, np.generic, list, tuple, int, float)
"""Values ``torch.tensor`` makes a tensor of (bools are ints)."""


def _not_a_tensor_hints(s: str, value, attr: str) -> list[str]:
    """A gradient attribute asked of a NumPy array, a list or a number: make a tensor first
    (an MXNet ``attach_grad`` is translated too, but not into a call the value lacks)."""
    numpy = isinstance(value, np.ndarray | np.generic)
    what = "a NumPy array" if isinstance(value, np.ndarray) else (
        "a NumPy number" if numpy else with_article(type_name(value)))
    first = f"{s} is {what}, not a tensor: only tensors carry gradients"
    if attr == "attach_grad":
        first = f"MXNet's {s}.attach_grad() is {s}.requires_grad_() in PyTorch, but " + first
    floats = _floated(s)
    integral = np.asarray(value).dtype.kind in "biu" if numpy else _holds_ints(value)
    dtype = ", dtype=torch.float32" if integral and floats == s else ""
    made = f"torch.tensor({floats}{dtype}, requires_grad=True)"
    target = s if _is_variable(s) else "x"
    second = f"make a tensor that requires grad from it: {target} = {made}"
    if isinstance(value, np.ndarray) and not integral:
        second += (f" (or torch.from_numpy({s}).requires_grad_(), which shares {s}'s memory); "
                   f"both keep the array's {value.dtype}")
    return [first, second]


def _holds_ints(value) -> bool:
    """Whether ``value`` is an int or bool, or a (nested) list or tuple whose first number is
    one (what makes ``torch.tensor`` build an integer tensor)."""
    while isinstance(value, list | tuple) and value:
        value = value[0]
    return isinstance(value, int)


def _none_hints(s: str, attr: str, context: Context) -> list[str]:
    if s.endswith(".grad"):
        owner = s[: -len(".grad")]
        tensor = context.variables.get(owner)
        why = grad_none_reason(tensor, owner) if isinstance(tensor, Tensor) else \
            f"no backward() has reached {owner} yet"
        hints = [f"{s} is None: {why}, so there is nothing to "
                 f"{'zero' if attr == 'zero_' else 'use'} yet"]
        if attr == "zero_":
            hints.append(f"zero it only once it exists: `if {s} is not None: {s}.zero_()` "
                         f"(or simply set {s} = None)")
        else:
            hints.append(f"call backward() first (e.g. y.backward()), then read {s}")
        return hints
    return [f"{s} is None here; check where it was assigned (a function without `return` "
            "gives None)"]


def _runtime_hints(message: str, context: Context) -> list[str]:
    mixed = numpy_hints(message, context.statement)
    if mixed:
        return mixed
    s = context.subject or "y"
    if SCALAR_ONLY in message:
        return _scalar_hints(s, context)
    if SECOND_BACKWARD in message:
        return _freed_hints(s, context)
    if "floating point" in message and "can require gradients" in message:
        return _float_hints(context)
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
        return _no_graph_hints(s, context)
    if NOT_DIFFERENTIATED in message:
        return _not_differentiated_hints(context)
    if GRADIENT_SHAPE in message:
        return _gradient_shape_hints(message, s, context)
    if GRADCHECK_MISMATCH.search(message):
        return _gradcheck_hints(message, context)
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


# --- backward(gradient=v) of the wrong shape, gradcheck ----------------------------------------

def _gradient_shape_hints(message: str, s: str, context: Context) -> list[str]:
    """The v of ``y.backward(v)`` (``--gradient v``, ``grad_outputs``) must have y's shape."""
    shapes = [_size(m) for m in re.findall(r"torch\.Size\(\[([^\]]*)\]\)", message)]
    if len(shapes) != 2:
        return []
    given, wanted = shapes
    call = context.call or ""
    y = operand(s)
    command = call.startswith("backward ")
    if wanted == "()":
        fix = (f"{s} is one number: backward {s} needs no --gradient" if command else
               f"{s} is one number: {y}.backward() needs no gradient (or torch.tensor(1.0))")
    elif command:
        fix = (f"e.g. backward {s} --gradient torch.ones_like({s}), the same as backward "
               f"{y}.sum()")
    elif "autograd.grad" in call:
        fix = (f"e.g. grad_outputs=torch.ones_like({s}), the same as differentiating "
               f"{y}.sum()")
    else:
        fix = f"e.g. {y}.backward(torch.ones_like({s})), the same as {y}.sum().backward()"
    return [f"the gradient must have {s}'s shape, {wanted}, not {given}: it is the v of vᵀJ, one "
            f"weight for each element of {s} (∂L/∂{s} for a loss L computed from {s}), which "
            "backward carries back to the inputs", fix]


def _size(dims: str) -> str:
    """``(2, 2)``, ``(3,)``, ``()`` for the inside of ``torch.Size([...])``."""
    parts = [d.strip() for d in dims.split(",") if d.strip()]
    return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"


def _gradcheck_hints(message: str, context: Context) -> list[str]:
    """GradcheckError: finite differences in float32 are too coarse for gradcheck; in float64 a
    mismatch is real. PyTorch shows the backward-mode analytical Jacobian in the input's dtype,
    so the message says which it is (forward mode's shows the output's: then both are said)."""
    analytical = message.rpartition("analytical:")[2]
    known = "forward mode" not in message
    double = known and "dtype=torch.float64" in analytical
    rounding = ("gradcheck compares autograd's Jacobian (analytical) with finite differences "
                "(numerical), (f(x + ε) - f(x - ε)) / 2ε with ε = 1e-6; in float32, which keeps "
                "about 7 significant digits, a step that small is lost in rounding, so the "
                "numerical Jacobian is the one that is off")
    real = ("with float64 inputs finite differences are accurate, so a mismatch is real: the "
            "function has no derivative at this point (relu or abs at 0, tied maxima), or it "
            "draws random numbers")
    if double:
        return [real]
    typed = context.statement or ""  # the call of gradcheck, the inputs made in it
    fixed = typed.replace("requires_grad=True", "dtype=torch.float64, requires_grad=True")
    example = (fixed if "gradcheck(" in typed and typed.count("requires_grad=True") == 1
               and "dtype=" not in typed else
               "torch.tensor(..., dtype=torch.float64, requires_grad=True), or x.double() for "
               "a tensor x")
    hints = [rounding if known else "if an input is float32: " + rounding,
             f"give gradcheck float64 inputs: {example}"]
    return hints if known else [*hints, real]


# --- no graph: name the inputs -------------------------------------------------------------------

def _no_graph_hints(s: str, context: Context) -> list[str]:
    """``s`` has no grad_fn: name the inputs it came from, and why they left no graph."""
    source = _no_grad_source(context)
    if source:
        return [f"{s} was computed inside `with torch.no_grad():` from {source}, so no graph was "
                "recorded",
                f"compute {s} again outside the no_grad() block"]
    plain, tracked = _inputs(s, context)
    late = _switched_on_late(s, tracked, context)
    if late:
        return late
    if tracked:
        return [f"{s} was computed from {_and(tracked)}, which "
                f"{'requires' if len(tracked) == 1 else 'require'} grad, but no graph was "
                "recorded: it was computed under torch.no_grad(), or through detach() (or "
                ".item(), .numpy())",
                f"compute {s} again from {tracked[0]} itself, outside no_grad()"]
    if plain == [s]:
        return [f"{s} does not require grad and was not computed from a tensor that does: "
                "there is no graph behind it",
                f"call {s}.requires_grad_() (or create {s} with requires_grad=True), then call "
                f"backward() on a result computed from {s}"]
    if plain:
        first = plain[0]
        how = (f"call {first}.requires_grad_() (or create {first} with requires_grad=True)"
               if len(plain) == 1 else
               f"call .requires_grad_() on the ones you want gradients for (e.g. "
               f"{first}.requires_grad_())")
        return [f"{s} was computed from {_and(plain)}, which "
                f"{'does' if len(plain) == 1 else 'do'} not require grad, so no graph was "
                "recorded",
                f"{how}, then compute {s} again"]
    return [f"{s} was computed from tensors that do not require grad (or under no_grad(), "
            "or from a detach())",
            "make its inputs require grad first (create them with requires_grad=True or call "
            f".requires_grad_() on them), then compute {s} again"]


def _switched_on_late(s: str, tracked: list[str], context: Context) -> list[str]:
    """The hints when an input of ``s`` was made to require grad only after the results between
    it and ``s`` were computed (``w.requires_grad_()`` after ``v = 2 * torch.dot(w, w)``):
    nothing was recorded then, so those results must be computed again. Empty otherwise."""
    upstream = _upstream(s, context.sources)
    for t in tracked:
        early = [n for n in context.made_before_grad(t) if n in upstream]
        older = [n for n in upstream if t in context.sources.get(n, ())
                 and context.bound_at.get(n, 0) < context.bound_at.get(t, 0)]
        if not early and not older:
            continue
        redo = sorted((n for n in upstream if n != t and t in _upstream(n, context.sources)
                       and isinstance(context.variables.get(n), Tensor)),
                      key=lambda n: context.bound_at.get(n, 0))
        lines = "line that makes" if len(redo) == 1 else "lines that make"
        order = "" if len(redo) == 1 else ", in that order"
        again = f"run {context.call} again" if context.call else f"call backward() on {s}"
        how = f"(run the {lines} {_and(redo)}{order}), then {again}"
        if early:
            return [f"{t} did not require grad when {_and(early)} "
                    f"{'was' if len(early) == 1 else 'were'} computed from it (requires_grad "
                    "was switched on afterwards), so no graph was recorded",
                    f"now that {t} requires grad, compute {_and(redo)} again {how}"]
        return [f"{_and(older)} {'was' if len(older) == 1 else 'were'} computed from an "
                f"earlier {t}: {t} was assigned the tensor that requires grad afterwards, so no "
                f"graph leads from {s} to it",
                f"compute {_and(redo)} again from the new {t} {how}"]
    return []


def _upstream(expression: str, sources: dict) -> list[str]:
    """The names ``expression`` reads and, following ``sources`` back, every name those were
    computed from, in the order first met (the names of ``expression`` itself first)."""
    queue = _names_in(expression)
    seen: dict[str, None] = {}
    while queue:
        name = queue.pop(0)
        if name not in seen:
            seen[name] = None
            queue.extend(sorted(sources.get(name, ())))
    return list(seen)


def _inputs(expression: str, context: Context) -> tuple[list[str], list[str]]:
    """The input variables ``expression`` was computed from (following ``context.sources`` back
    to tensors made from no other tensor), in the order first met: those that do not require
    grad, and those that do."""
    queue = _names_in(expression)
    seen: set[str] = set()
    plain: list[str] = []
    tracked: list[str] = []
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        sources = sorted(context.sources.get(name, ()))
        value = context.variables.get(name)
        if isinstance(value, Tensor) and \
                not any(isinstance(context.variables.get(n), Tensor) for n in sources):
            (tracked if value.requires_grad else plain).append(name)
        else:
            queue.extend(sources)
    return plain, tracked


def _no_grad_source(context: Context) -> str | None:
    """The variable a result computed under no_grad() came from (the engine remembers it)."""
    ref = getattr(context.subject_value, "_no_grad_from", None)
    origin = ref() if ref is not None else None
    if origin is None:
        return None
    return next((n for n, v in context.variables.items() if v is origin), None)


def _not_differentiated_hints(context: Context) -> list[str]:
    call = _parsed_call(context.call)
    wrt = ast.unparse(call.args[1]) if call is not None and len(call.args) > 1 else None
    if wrt is None or not wrt.isidentifier():
        return ["call requires_grad_() on the input before computing the output"]
    return [f"{wrt} does not require grad, so no graph leads to it",
            f"call {wrt}.requires_grad_() (or create it with requires_grad=True), then compute "
            f"{context.subject or 'the output'} again from it"]


# --- a vector output where a scalar is needed -----------------------------------------------------

def _scalar_hints(s: str, context: Context) -> list[str]:
    """A pass from the vector ``s`` with no vector v of vᵀJ given. The fix keeps the kind of pass
    the learner ran: ``torch.autograd.grad(s.sum(), x)`` (or ``grad_outputs=``) for a call of
    autograd.grad, ``grad s.sum() x`` for the command, ``s.sum().backward()`` (or
    ``gradient=``) otherwise, since only a backward fills ``.grad``."""
    shape = getattr(context.subject_value, "shape", None)
    has = f"{s} has shape {list(shape)}: " if shape is not None else ""
    call = context.call or ""
    bare = unwrapped(s)
    if re.match(r"grad\s", call) and call[4:].lstrip().startswith(s):
        rest = call[4:].lstrip()[len(s):]
        xs = ", ".join(w for w in rest.split() if not w.startswith("--")) or "x"
        return [f"{has}grad needs a scalar output (one number)",
                f"sum first: grad {operand(s)}.sum(){rest}",
                "or, for the vector-Jacobian product vᵀJ: "
                f"torch.autograd.grad({bare}, {xs}, grad_outputs=torch.ones_like({bare}))"]
    node = _parsed_call(call)
    outputs = _grad_outputs(node)
    if outputs is not None:
        bare = ast.unparse(outputs)
        value = context.subject_value if _names_in(s) == _names_in(bare) else \
            context.variables.get(bare)
        shape = getattr(value, "shape", None)
        has = f"{bare} has shape {list(shape)}: " if shape is not None else ""
        with_sum = _with_argument(node, outputs, ast.parse(f"{operand(bare)}.sum()",
                                                           mode="eval").body)
        with_v = _with_argument(node, outputs, outputs)
        with_v.keywords = [k for k in with_v.keywords if k.arg != "grad_outputs"]
        with_v.keywords.append(ast.keyword("grad_outputs", ast.parse(
            f"torch.ones_like({bare})", mode="eval").body))
        return [f"{has}autograd.grad() without grad_outputs needs a scalar output (one number)",
                f"sum first: {ast.unparse(with_sum)}",
                f"or pass the vector v of vᵀJ: {ast.unparse(with_v)}"]
    return [f"{has}backward() without arguments needs a scalar (one number)",
            f"sum first: {operand(s)}.sum().backward() (MXNet did this sum for you)",
            f"or pass the vector v of vᵀJ: {operand(s)}.backward(gradient=torch.ones_like({bare}))",
            f"to see J and vᵀJ: backward {s} --gradient torch.ones_like({bare})"]


def _grad_outputs(call: ast.Call | None) -> ast.expr | None:
    """The one output of a call of ``autograd.grad`` (its first argument, or ``outputs=``);
    None for another call, or for outputs given as a list or tuple."""
    if call is None or not isinstance(call.func, ast.Attribute | ast.Name):
        return None
    name = call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id
    first = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg == "outputs"), None)
    if name != "grad" or first is None or isinstance(first, ast.List | ast.Tuple):
        return None
    return first


def _with_argument(call: ast.Call, old: ast.expr, new: ast.expr) -> ast.Call:
    """A copy of ``call`` with the argument ``old`` replaced by ``new``."""
    return ast.Call(call.func, [new if a is old else a for a in call.args],
                    [ast.keyword(k.arg, new if k.value is old else k.value)
                     for k in call.keywords])


# --- a second backward: what to recompute, how to keep the graph -------------------------------

def _freed_hints(s: str, context: Context) -> list[str]:
    """A backward through saved values an earlier backward freed. Recomputing ``s`` is not
    enough when it was computed from variables whose own part of the graph was freed (``m`` in
    ``m = x * 3; y = (m**2).sum()``, ``g`` in ``torch.autograd.grad(g.sum(), x)``): those are
    named, to be recomputed first. ``retain_graph=True`` belongs on the earlier pass that freed
    the graph (``y.backward()`` before ``torch.autograd.grad(y, x, create_graph=True)``); the
    session remembers which one it was (``context.freeing_pass``)."""
    y = context.subject_value
    named = freed_variables(y, context.variables, skip=s, sources=context.sources) \
        if isinstance(y, Tensor) else []
    hints = ["an earlier backward() (or autograd.grad()) through this graph freed the values it "
             "saved"]
    again = f"run {context.call} again" if context.call else "call backward() on it"
    if named and s.isidentifier():
        them = _and(named)
        hints.append(f"recompute {them} too, not only {s}: {s} was computed from {them}, whose "
                     f"part of the graph was freed as well; run the lines that make "
                     f"{_and([*named, s])} again, in that order")
    elif named:
        them = _and(named)
        lines = "line that makes" if len(named) == 1 else "lines that make"
        order = "" if len(named) == 1 else ", in that order"
        hints.append(f"{s} is computed from {them}, whose part of the graph was freed: "
                     f"recompute {them} (run the {lines} {them} again{order}), then {again}")
    else:
        hints.append(f"recompute {s} (run the line that makes it again), then {again}")
    earlier = context.freeing_pass(y) if isinstance(y, Tensor) else None
    if earlier is not None and earlier != context.call:
        kept = _retained(earlier, s)
        adds = "" if re.search(r"\bgrad[\s(]", kept) else " -- the gradients then add up in .grad"
        hints.append(f"or keep the graph for this pass: the earlier pass {earlier} freed it; "
                     f"run it as {kept}{adds}")
        return hints
    kept = _retained(earlier or context.call, s)
    adds = "" if re.search(r"\bgrad[\s(]", kept) else " -- the gradients then add up in .grad"
    hints.append("or keep the graph for more passes: add retain_graph=True to every pass but "
                 f"the last, as in {kept}{adds}")
    return hints


def freed_variables(y, variables: dict, skip: str, sources: dict | None = None) -> list[str]:
    """The variables (other than ``skip``) that must be recomputed before a backward through
    ``y``: those whose graph holds values a backward freed, among the variables ``y``'s graph
    goes through and those ``skip`` was computed from (``sources``, followed back), in the order
    they were computed."""
    if y.grad_fn is None:
        return []
    through = {id(n) for n in reachable(y.grad_fn)}
    upstream = set(_upstream(skip, sources or {}))
    found = []
    for name, value in variables.items():
        if name == skip or not isinstance(value, Tensor) or value.grad_fn is None:
            continue
        if id(value.grad_fn) not in through and name not in upstream:
            continue
        if any(n.freed and n.has_saved for n in reachable(value.grad_fn)):
            found.append((value.grad_fn.seq, name))
    return [name for _, name in sorted(found)]


def _retained(call: str | None, s: str) -> str:
    """A pass as it keeps the graph: ``torch.autograd.grad(r, q, retain_graph=True)``,
    ``r.backward(retain_graph=True)``, ``backward y --retain-graph``."""
    if call and re.match(r"(backward|grad)\s", call):
        return call if "--retain-graph" in call else f"{call} --retain-graph"
    node = _parsed_call(call)
    if node is None or not isinstance(node.func, ast.Attribute | ast.Name):
        return f"{s}.backward(retain_graph=True)"
    node.keywords = [k for k in node.keywords if k.arg != "retain_graph"]
    node.keywords.append(ast.keyword("retain_graph", ast.Constant(True)))
    return ast.unparse(node)


# --- integers cannot require grad ---------------------------------------------------------------

FLOAT_ONLY = "only floating-point tensors can require gradients"


def _float_hints(context: Context) -> list[str]:
    """An integer tensor asked to require grad: point at the ints the learner wrote."""
    call = _parsed_call(context.call)
    s, value = context.subject, context.subject_value
    dtype = _keyword(call, "dtype") or _keyword(_receiver_call(call), "dtype")
    if dtype is not None:
        return [f"dtype={dtype} makes integer values, and {FLOAT_ONLY}",
                "use a floating-point dtype: dtype=torch.float32"]
    if s and isinstance(value, int | list | tuple) and call is not None:
        what = "is an int" if isinstance(value, int) else "holds ints"
        made = _floated_call(ast.unparse(_positional(call)))
        return [f"{s} {what}, so {ast.unparse(call.func)} makes int64 values, and {FLOAT_ONLY}",
                f"use floats: {made}, or add dtype=torch.float32" if made else
                "use float values (1. rather than 1) or add dtype=torch.float32"]
    if s and isinstance(value, Tensor):
        made = _floated_call(s)
        if made:
            return [f"{s} makes {value.dtype} values, and {FLOAT_ONLY}",
                    f"use floats: {made}, or add dtype=torch.float32"]
        return [f"{s} holds {value.dtype} values, and {FLOAT_ONLY}",
                f"convert it first: {s} = {s}.float()" if s.isidentifier() else
                "convert it first with .float(), or make it from float values"]
    return [f"this tensor holds integers, and {FLOAT_ONLY}",
            "use float values (1. rather than 1) or add dtype=torch.float32"]


def _floated(text: str) -> str:
    """``text`` with its integer literals written as floats: ``4`` -> ``4.0``, ``[1, 2]`` ->
    ``[1., 2.]``."""
    if text.strip().isdigit():
        return text.strip() + ".0"
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    out, end = [], 0
    for tok in tokens:
        if tok.type == tokenize.NUMBER and tok.string.isdigit() and tok.start[0] == 1:
            out.append(text[end:tok.end[1]] + ".")
            end = tok.end[1]
    return "".join(out) + text[end:]


def _floated_call(text: str) -> str | None:
    """``torch.arange(4)`` -> ``torch.arange(4.)``: a call whose first argument is a literal of
    ints, that argument written with floats (None for anything else)."""
    call = _parsed_call(text)
    if call is None or not call.args or not _int_literal(call.args[0]):
        return None
    first = ast.unparse(call.args[0])
    call.args[0] = ast.Name("FLOATS")
    return ast.unparse(call).replace("FLOATS", _floated(first), 1)


def _int_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _int_literal(node.operand)
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    if isinstance(node, ast.List | ast.Tuple):
        return bool(node.elts) and all(_int_literal(e) for e in node.elts)
    return False


def _positional(call: ast.Call) -> ast.Call:
    """``call`` without its keyword arguments (``torch.arange(4)``)."""
    return ast.Call(call.func, call.args, [])


def _keyword(call: ast.Call | None, name: str) -> str | None:
    if call is None:
        return None
    return next((ast.unparse(k.value) for k in call.keywords if k.arg == name), None)


def _receiver_call(call: ast.Call | None) -> ast.Call | None:
    """``torch.ones(2, dtype=...)`` in ``torch.ones(2, dtype=...).requires_grad_()``."""
    if call is not None and isinstance(call.func, ast.Attribute) \
            and isinstance(call.func.value, ast.Call):
        return call.func.value
    return None


# --- small helpers ------------------------------------------------------------------------------

def _parsed_call(text: str | None) -> ast.Call | None:
    if not text:
        return None
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    return node if isinstance(node, ast.Call) else None


def _names_in(expression: str) -> list[str]:
    """The variable names ``expression`` reads, in the order they are written."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return []
    names = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Name)),
                   key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in names))


def _is_variable(text: str) -> bool:
    """Whether ``text`` is a name a value can be assigned to (not ``True``, not ``x.grad``)."""
    return text.isidentifier() and not keyword.iskeyword(text)


def operand(text: str) -> str:
    """``text`` as it must be written before a method call such as ``.sum()``: ``y``,
    ``x.grad``, ``y[0]`` as they are, anything else in parentheses (``(a * b)``)."""
    if re.fullmatch(r"[\w.]+(\[[^\]]*\])?", text) or unwrapped(text) != text:
        return text
    return f"({text})"


def unwrapped(text: str) -> str:
    """``text`` without the parentheses around all of it: ``(a * b)`` -> ``a * b``."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def uncalled_hint(value, text: str) -> str | None:
    """For ``y.backward`` or ``x.grad.zero_`` typed without parentheses: Python shows the method
    itself and runs nothing, a slip that leaves ``.grad`` None with no error."""
    if isinstance(value, types.MethodType) and isinstance(value.__self__, Tensor):
        return (f"{text} is the method itself, so nothing ran: call it with parentheses, "
                f"{text}()")
    if isinstance(value, types.FunctionType | types.BuiltinFunctionType):
        return (f"{text} is the function itself, so nothing ran: call it with parentheses and "
                f"its arguments, {text}(...)")
    return None


def grad_none_hint(tensor, name: str) -> str:
    """Why ``name.grad`` is None, in one line (shown after echoing nothing)."""
    if not tensor.requires_grad:
        if tensor.is_floating_point():
            return (f"{name}.grad is None: {name} does not require grad; call "
                    f"{requires_grad_fix(tensor, name)} before computing with it")
        fix = (f"make it a float tensor that does, {requires_grad_fix(tensor, name)}," if
               _is_variable(name) else "make it from float values, with requires_grad=True,")
        return (f"{operand(name)}.grad is None: {name} holds {tensor.dtype} values, and only "
                f"floating-point tensors can require grad; {fix} before computing with it")
    if not tensor.is_leaf:
        return (f"{name}.grad is None: {name} is not a leaf (it was computed by "
                f"{tensor.grad_fn.name()}); only leaves get .grad -- call {name}.retain_grad() "
                "before backward() to keep it")
    if grad_cleared(tensor):
        return (f"{name}.grad is None: {grad_none_reason(tensor, name)}; the next backward() "
                "stores a fresh gradient")
    return f"{name}.grad is None: {grad_none_reason(tensor, name)}"


def grad_none_reason(tensor, name: str) -> str:
    """Why the leaf ``name``'s ``.grad`` is None: cleared by ``name.grad = None`` (and no
    backward since), or no backward has reached it yet."""
    if grad_cleared(tensor):
        return f"it was cleared (set to None) and no backward() has reached {name} since"
    return f"no backward() has reached {name} yet"
