"""What a name means before the learner binds it: the ``torch`` facade, bare aliases, builtins.

``torch`` here is not the engine module but a ``Module`` facade: a read-only table of the public
functions, classes and dtypes a learner uses (``torch.arange``, ``torch.autograd.grad``,
``torch.nn.functional.relu`` ...). The same functions are available as bare names (``arange``,
``dot``, ``grad``, ``no_grad`` ...). Its classes are stand-ins that print as PyTorch's
(``<class 'torch.Tensor'>``: ``classes.torch_class``). ``import numpy as np`` gives a facade of a
few array functions on plain NumPy arrays, checked for size -- never the real module -- that
treat a tensor as NumPy treats PyTorch's (``numpy_tensors``). The safe Python builtins come last;
``exec``, ``open``, ``getattr`` and friends are simply absent (``type`` gives a harmless stand-in
for the class: ``classes``). ``import math`` is in ``math_module``.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

import autodiff_repl.engine as engine
from autodiff_repl.engine import autograd as engine_autograd
from autodiff_repl.engine.dim_names import numpy_names
from autodiff_repl.engine.limits import check_numel, check_work
from autodiff_repl.lang.classes import torch_class
from autodiff_repl.lang.limits import DEFAULT, LimitError, take
from autodiff_repl.lang.numpy_tensors import facade_function


class Module:
    """A read-only stand-in for a module: its attributes are exactly ``members``."""

    __slots__ = ("doc", "members", "name")

    def __init__(self, name: str, members: dict, doc: str = "") -> None:
        self.name = name
        self.members = members
        self.doc = doc

    def __repr__(self) -> str:  # PyTorch's shows its file; '<...>' names no file, as <stdin>
        return f"<module '{self.name}' from '<autodiff-repl>'>"


class Function:
    """A facade function that adds a check or a hint to the engine's, printed by its name."""

    __slots__ = ("fn", "name")

    def __init__(self, name: str, fn) -> None:
        self.name, self.fn = name, fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<function {self.name}>"


TORCH_NAMES = (
    "abs", "absolute", "acos", "add", "allclose", "amax", "amin", "arange", "arccos", "arcsin",
    "arctan", "arctan2", "argmax", "argmin", "argsort", "as_tensor", "asin", "atan", "atan2",
    "bmm", "bool", "broadcast_to", "ceil", "chunk", "clamp", "clip", "clone", "cos", "cosh",
    "cumprod", "cumsum", "detach", "device", "diag", "diagonal", "div", "divide", "dot", "double",
    "dtype", "e", "einsum", "empty", "empty_like", "enable_grad", "eq", "equal", "exp", "exp2",
    "expand", "expm1", "eye", "fix", "flatten", "flip", "float", "float16", "float32", "float64",
    "floor", "floor_divide", "from_numpy", "full", "full_like", "gather", "ge", "ger",
    "get_default_dtype", "get_printoptions", "gt", "half", "hstack", "index_select", "inf",
    "inference_mode", "inner", "int", "int16", "int32", "int64", "int8", "is_floating_point",
    "is_grad_enabled", "is_tensor", "isclose", "isfinite", "isinf", "isnan", "le", "linspace",
    "log", "log10", "log1p", "log2", "log_softmax", "logsumexp", "long", "lt", "manual_seed",
    "masked_fill", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul",
    "multiply", "mv", "nan", "nan_to_num", "ne", "neg", "negative", "no_grad", "norm", "normal",
    "numel", "ones", "ones_like", "outer", "permute", "pi", "pow", "prod", "rand", "rand_like",
    "randint", "randn", "randn_like", "reciprocal", "relu", "remainder", "reshape",
    "return_types", "roll", "round", "rsqrt", "rsub", "set_default_dtype", "set_grad_enabled",
    "short", "sigmoid", "sign", "sin", "sinh", "Size", "softmax", "sort", "split", "sqrt",
    "square", "squeeze", "std", "sub", "subtract", "sum", "sum_to_size", "swapaxes", "t", "tan",
    "tanh", "Tensor", "tensor", "topk", "trace", "transpose", "tril", "triu", "true_divide",
    "trunc", "uint8", "unbind", "unsqueeze", "var", "vdot", "vstack", "where", "zeros",
    "zeros_like",
    # special functions, fused arithmetic, selections, calculus on samples, sampling
    "acosh", "addcdiv", "addcmul", "arccosh", "arcsinh", "arctanh", "asinh", "atanh",
    "bernoulli", "clamp_max", "clamp_min", "diff", "erf", "erfc", "hypot", "kthvalue", "lerp",
    "logaddexp", "median", "multinomial", "narrow", "randperm", "trapezoid", "trapz",
)
"""The engine's public names the ``torch`` facade shows (modules and internals left out)."""

FUNCTIONAL_NAMES = ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp")
NN_FUNCTIONAL_NAMES = (
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss",
    "leaky_relu", "softplus", "gelu", "silu", "elu", "relu6", "hardtanh", "logsigmoid",
    "softsign", "tanhshrink", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "l1_loss", "smooth_l1_loss", "huber_loss",
)
FORWARD_AD_NAMES = ("dual_level", "make_dual", "unpack_dual")
CUDA_NAMES = ("is_available", "device_count", "current_device", "manual_seed", "manual_seed_all")
LINALG_NAMES = ("norm", "vector_norm", "matrix_norm", "svdvals")
AUTOGRAD_NAMES = ("backward", "grad", "gradcheck", "gradgradcheck", "no_grad", "enable_grad",
                  "set_grad_enabled")

SAFE_BUILTINS = ("print", "len", "range", "abs", "min", "max", "float", "int", "list", "tuple",
                 "round", "sum", "isinstance", "enumerate", "zip", "sorted", "reversed", "bool",
                 "str", "any", "all", "dict", "set")
"""The Python builtins the language gives as they are; ``repr`` and ``type`` (and checked
``print``, ``sum`` ...) come from the interpreter (``Interpreter.builtin_functions``)."""

VARIABLE_HINT = ("Variable is deprecated since PyTorch 0.4: it returns a plain Tensor. Write "
                 "torch.tensor(data, requires_grad=True) or x.requires_grad_()")

NOT_HERE = {
    "exec": "type the code itself",
    "eval": "type the expression itself",
    "compile": "type the code itself",
    "open": "files cannot be read or written from code; :save FILE writes the session's inputs",
    "input": "assign the value, e.g. n = 3",
    "help": "type :help (or :help dot) for help",
    "exit": "type :quit (or press Ctrl-D) to leave",
    "quit": "type :quit (or press Ctrl-D) to leave",
    "breakpoint": "there is no debugger here; print(x) or `graph y` show what happens",
    "globals": "type :vars to list the session's variables",
    "locals": "type :vars to list the session's variables",
    "vars": "type :vars to list the session's variables",
    "dir": "press Tab after 'x.' to list a tensor's attributes, or type :help",
    "getattr": "write the attribute directly: x.grad",
    "setattr": "assign the attribute directly: x.grad = None",
    "id": "compare values with == instead",
    "object": "classes of your own are not supported; use functions, lists and dicts",
    "memoryview": "",
    "format": "use an f-string: f'{x:.3f}'",
    "map": "use a list comprehension: [f(v) for v in xs]",
    "filter": "use a list comprehension: [v for v in xs if cond]",
}
"""Python builtins the language leaves out, with what to do instead (words that follow
"NAME() is not available in this language: "; for help, exit and quit, the whole hint)."""


def _checked_join(tensors) -> None:
    """``cat``/``stack`` of these tensors: check the result's size before joining them."""
    check_numel((sum(t.numel() for t in tensors if isinstance(t, engine.Tensor)),))


def _nested_checked(fn):
    def make(data, *args, **kwargs):
        check_nested(data)
        return fn(data, *args, **kwargs)
    return make


def build_torch(note) -> Module:
    """The ``torch`` facade. ``note(text)`` shows a hint (used by the deprecated ``Variable``)."""

    def variable(data, requires_grad=False, volatile=False):
        note(VARIABLE_HINT)
        check_nested(data)
        return engine_autograd.Variable(data, requires_grad=requires_grad, volatile=volatile)

    def _joiner(fn):
        @numpy_names
        def join(tensors, dim=0):
            tensors = take(tensors, DEFAULT.max_sequence_length)
            _checked_join(tensors)
            return fn(tensors, dim)
        join.__name__ = fn.__name__
        return join

    def _stacker(fn):  # hstack, vstack: no dim
        def join(tensors):
            if not isinstance(tensors, engine.Tensor):  # (a tensor: the engine's TypeError)
                tensors = take(tensors, DEFAULT.max_sequence_length)
                _checked_join(tensors)
            return fn(tensors)
        join.__name__ = fn.__name__
        return join

    def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                         profile=None, sci_mode=None):
        for name, value, cap in (("precision", precision, 30), ("threshold", threshold, 100_000),
                                 ("edgeitems", edgeitems, 100), ("linewidth", linewidth, 10_000)):
            if value is not None and not 0 <= value <= cap:
                raise LimitError(f"set_printoptions({name}={value}) is outside 0..{cap:,}")
        if profile == "full":
            raise LimitError("set_printoptions(profile='full') is not available",
                             "use threshold=N (at most 100,000) to see more elements")
        engine.set_printoptions(precision=precision, threshold=threshold, edgeitems=edgeitems,
                                linewidth=linewidth, profile=profile, sci_mode=sci_mode)

    members = {name: getattr(engine, name) for name in TORCH_NAMES if hasattr(engine, name)}
    members.update((n, _stand_in(v)) for n, v in members.items())
    members["return_types"] = Module("torch.return_types", {
        n: torch_class(getattr(engine.return_types, n))
        for n in ("max", "min", "sort", "topk", "median", "kthvalue")})
    for name in ("cat", "concat", "concatenate", "stack"):
        if hasattr(engine, name):
            members[name] = Function(name, _joiner(getattr(engine, name)))
    for name in ("hstack", "vstack"):
        members[name] = Function(name, _stacker(getattr(engine, name)))
    members["set_printoptions"] = Function("set_printoptions", set_printoptions)
    for name in ("tensor", "as_tensor"):
        members[name] = Function(name, _nested_checked(getattr(engine, name)))

    functional = Module("torch.autograd.functional", {
        n: getattr(engine_autograd.functional, n) for n in FUNCTIONAL_NAMES
        if hasattr(engine_autograd.functional, n)})
    forward_ad = Module("torch.autograd.forward_ad", {
        n: _stand_in(getattr(engine_autograd.forward_ad, n)) for n in FORWARD_AD_NAMES
        if hasattr(engine_autograd.forward_ad, n)})
    autograd = Module("torch.autograd", {
        **{n: _stand_in(getattr(engine_autograd, n)) for n in AUTOGRAD_NAMES
           if hasattr(engine_autograd, n)},
        "Variable": Function("Variable", variable), "functional": functional,
        "forward_ad": forward_ad})
    nn_functional = Module("torch.nn.functional", {
        n: getattr(engine.nn.functional, n) for n in NN_FUNCTIONAL_NAMES
        if hasattr(engine.nn.functional, n)})
    nn = Module("torch.nn", {"functional": nn_functional})
    cuda = Module("torch.cuda", {n: getattr(engine.cuda, n) for n in CUDA_NAMES},
                  "a CPU-only build's: no GPU here")
    linalg = Module("torch.linalg", {n: getattr(engine.linalg, n) for n in LINALG_NAMES})
    members.update(autograd=autograd, nn=nn, cuda=cuda, linalg=linalg)
    return Module("torch", members, "PyTorch's API on the autodiff-repl engine")


def _stand_in(value):
    """A class as the ``torch`` facade shows it (``classes.torch_class``); other values as they
    are."""
    return torch_class(value, value) if isinstance(value, type) else value


def submodule(torch: Module, dotted: str) -> Module:
    """``torch.autograd.functional`` from its dotted name (the checker allowed the name)."""
    module = torch
    for part in dotted.split(".")[1:]:
        module = module.members[part]
    return module


def bare_aliases(torch: Module) -> dict:
    """PyTorch functions usable without ``torch.``: ``arange``, ``dot``, ``grad``, ``no_grad``."""
    skip = set(SAFE_BUILTINS) | {"e", "t", "pi", "inf", "nan", "dtype", "return_types", "Size",
                                 "half", "short", "long", "double", "device"}
    names = {n: v for n, v in torch.members.items()
             if n not in skip and not isinstance(v, Module)}
    autograd = torch.members["autograd"]
    for n in ("grad", "backward", "Variable", "gradcheck", "gradgradcheck"):
        if n in autograd.members:
            names[n] = autograd.members[n]
    names.update(autograd.members["functional"].members)
    return names


# --- the numpy facade ------------------------------------------------------------------------

def _np_dtype_ok(dtype) -> None:
    if dtype is not None and np.dtype(dtype).kind not in "biuf":
        raise TypeError(f"dtype {np.dtype(dtype).name} is not supported here; use a number "
                        "dtype (np.float64, np.float32, np.int64, bool)")


def _np_result(value):
    if isinstance(value, np.ndarray) and value.dtype.kind not in "biuf":
        raise TypeError("only arrays of numbers are supported here (this value gives an array "
                        f"of {value.dtype.name})")
    return value


def _shape(size) -> tuple:
    if size is None:
        return ()
    return tuple(size) if isinstance(size, tuple | list) else (size,)


def _np_input(value):
    check_nested(value)
    return value


def check_nested(data) -> None:
    """Check the element count of nested lists (``[[0] * n] * m``) before NumPy converts them."""
    shape = []
    while isinstance(data, list | tuple | range):
        shape.append(len(data))
        if not len(data):
            break
        data = data[0]
    if shape:
        check_numel(tuple(shape))


def build_numpy(seed: int) -> Module:
    """``import numpy as np``: array creation and maths on plain arrays, sizes checked first;
    a tensor given to them gets what PyTorch's gets (``numpy_tensors.facade_function``)."""
    rng = [np.random.default_rng(seed)]

    def array(obj, dtype=None):
        _np_dtype_ok(dtype)
        return _np_result(np.array(_np_input(obj), dtype=dtype))

    def asarray(obj, dtype=None):
        _np_dtype_ok(dtype)
        return _np_result(np.asarray(_np_input(obj), dtype=dtype))

    def arange(start, stop=None, step=1, dtype=None):
        _np_dtype_ok(dtype)
        lo, hi = (0, start) if stop is None else (start, stop)
        if step == 0:
            raise ValueError("step must not be zero")
        check_numel((max(0, math.ceil((hi - lo) / step)),))
        return np.arange(lo, hi, step, dtype=dtype)

    def linspace(start, stop, num=50, dtype=None):
        _np_dtype_ok(dtype)
        check_numel((int(num),))
        return np.linspace(start, stop, int(num), dtype=dtype)

    def _filled(fill):
        def make(shape, dtype=None):
            _np_dtype_ok(dtype)
            check_numel(_shape(shape))
            return np.full(_shape(shape), fill, dtype=dtype or np.float64)
        return make

    def full(shape, fill_value, dtype=None):
        _np_dtype_ok(dtype)
        check_numel(_shape(shape))
        return _np_result(np.full(_shape(shape), fill_value, dtype=dtype))

    def eye(n, m=None, dtype=None):
        _np_dtype_ok(dtype)
        check_numel((n, n if m is None else m))
        return np.eye(n, m, dtype=dtype or np.float64)

    def _elementwise(fn):
        broadcasts = isinstance(fn, np.ufunc) or fn.__name__ in BROADCASTING
        def call(*args, **kwargs):  # (a number stays a Python number: NumPy's dtype rules)
            shapes = [np.shape(_np_input(a)) for a in args]
            if broadcasts:
                check_numel(np.broadcast_shapes(*shapes))
            elif fn.__name__ in ("tril", "triu") and shapes and len(shapes[0]) == 1:
                check_numel(shapes[0] * 2)  # a vector gives a square matrix
            return _np_result(fn(*args, **kwargs))
        call.__name__ = fn.__name__
        return call

    def _product(fn):
        def call(a, b):
            a, b = np.asarray(_np_input(a)), np.asarray(_np_input(b))
            check_product(fn.__name__, a.shape, b.shape)
            return _np_result(fn(a, b))
        call.__name__ = fn.__name__
        return call

    def _joined(fn):
        def call(arrays, axis=0):
            arrays = [np.asarray(_np_input(a)) for a in take(arrays, DEFAULT.max_sequence_length)]
            check_numel((sum(a.size for a in arrays),))
            return _np_result(fn(arrays, axis=axis))
        call.__name__ = fn.__name__
        return call

    def _joined_all(fn):  # hstack, vstack: no axis
        def call(arrays):
            arrays = [np.asarray(_np_input(a)) for a in take(arrays, DEFAULT.max_sequence_length)]
            check_numel((sum(a.size for a in arrays),))
            return _np_result(fn(arrays))
        call.__name__ = fn.__name__
        return call

    def array_equal(a1, a2, equal_nan=False):  # NumPy's: False when either is not an array
        check_nested(a1)
        check_nested(a2)
        return np.array_equal(a1, a2, equal_nan=equal_nan)

    def _sized_random(draw):
        def call(*shape):
            shape = _shape(shape[0]) if len(shape) == 1 else tuple(shape)
            check_numel(shape)
            return draw(rng[0], shape)
        return call

    def seed(s):
        rng[0] = np.random.default_rng(s)

    def normal(loc=0.0, scale=1.0, size=None):
        check_numel(_shape(size))
        return rng[0].normal(loc, scale, size)

    def uniform(low=0.0, high=1.0, size=None):
        check_numel(_shape(size))
        return rng[0].uniform(low, high, size)

    random = Module("numpy.random", {
        "seed": seed, "normal": normal, "uniform": uniform,
        "rand": _sized_random(lambda g, s: g.random(s)),
        "randn": _sized_random(lambda g, s: g.standard_normal(s))})
    linalg = Module("numpy.linalg", {"norm": lambda x, ord=None, axis=None: np.linalg.norm(
        np.asarray(_np_input(x)), ord, axis)})
    members = {
        "array": array, "asarray": asarray, "arange": arange, "linspace": linspace,
        "zeros": _filled(0), "ones": _filled(1), "empty": _filled(0), "full": full, "eye": eye,
        "zeros_like": lambda a, dtype=None: np.zeros_like(np.asarray(a), dtype=dtype),
        "ones_like": lambda a, dtype=None: np.ones_like(np.asarray(a), dtype=dtype),
        "dot": _product(np.dot), "matmul": facade_function("matmul", _product(np.matmul)),
        "outer": _product(np.outer), "array_equal": array_equal,
        "concatenate": _joined(np.concatenate), "stack": _joined(np.stack),
        "random": random, "linalg": linalg, "ndarray": np.ndarray,
        "pi": np.pi, "e": np.e, "inf": np.inf, "nan": np.nan,
        "float16": np.float16, "float32": np.float32, "float64": np.float64,
        "int32": np.int32, "int64": np.int64, "bool_": np.bool_,
    }
    for name in ("exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "abs", "sign", "square",
                 "maximum", "minimum", "add", "subtract", "multiply", "divide", "power", "where",
                 "sum", "mean", "max", "min", "prod", "argmax", "argmin", "std", "var",
                 "allclose", "isclose", "reshape", "transpose", "clip",
                 "round", "floor", "ceil", "cumsum", "log1p", "expm1", "exp2", "log2", "log10",
                 "sinh", "cosh", "arcsin", "arccos", "arctan", "arctan2", "trunc", "isnan",
                 "isinf", "isfinite", "nan_to_num", "cumprod", "sort", "argsort", "flip", "roll",
                 "tril", "triu", "trace", "amax", "amin"):
        members[name] = facade_function(name, _elementwise(getattr(np, name)))
    for name in ("hstack", "vstack"):
        members[name] = _joined_all(getattr(np, name))
    return Module("numpy", members, "a few NumPy functions on plain arrays")


BROADCASTING = frozenset({"where", "clip", "isclose", "allclose"})
"""The facade's NumPy functions, besides the ufuncs, whose result has their arguments' shapes
broadcast (checked for size first); the others' results are no bigger than their input."""


def check_product(kind: str, a: tuple, b: tuple) -> None:
    """Refuse a ``dot``/``matmul``/``outer`` whose result or work passes the session's limits."""
    shape = product_shape(kind, tuple(a), tuple(b))
    check_numel(shape)
    inner = a[-1] if a and b and kind != "outer" else 1
    check_work(math.prod(shape) * inner, a, b)


def product_shape(kind: str, a: tuple, b: tuple) -> tuple:
    """The output shape of ``dot``/``matmul``/``outer`` of arrays shaped ``a`` and ``b``."""
    if kind == "outer":
        return (math.prod(a), math.prod(b))
    if not a or not b:
        return tuple(a or b)
    if len(a) == 1 and len(b) == 1:
        return ()
    if kind == "dot" and len(b) >= 2:
        return (*a[:-1], *b[:-2], b[-1])
    lead_a, lead_b = a[:-2], b[:-2]
    try:
        lead = np.broadcast_shapes(lead_a, lead_b)
    except ValueError:
        lead = ()
    rows = () if len(a) == 1 else (a[-2],)
    cols = () if len(b) == 1 else (b[-1],)
    return (*lead, *rows, *cols)


def python_builtins() -> dict:
    """The safe Python builtins, by name (real objects; the interpreter checks their calls)."""
    return {name: getattr(builtins, name) for name in SAFE_BUILTINS}
