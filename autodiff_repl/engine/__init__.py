"""A NumPy autograd engine with PyTorch's names and behaviour.

``import autodiff_repl.engine as torch`` and a small PyTorch program runs unchanged: tensors and
dtypes, the operations of the op table (``ops``), ``backward`` and ``autograd.grad``,
``no_grad``, forward mode, ``autograd.functional`` and ``gradcheck``. Tensors print as PyTorch
prints them.
"""
# ruff: noqa: F401 -- the names below are this module's interface (``__all__`` is built from them)

import math as _math

# isort: split
# First the tensor: it imports the functions, which build on it.
from autodiff_repl.engine import tensor as _tensor

# isort: split
from autodiff_repl.engine import autograd, backends, linalg, nn, ops
from autodiff_repl.engine.calculus import diff, trapezoid, trapz
from autodiff_repl.engine.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from autodiff_repl.engine.devices import cuda, device
from autodiff_repl.engine.dtypes import (
    DType as dtype,
)
from autodiff_repl.engine.dtypes import (
    bool_ as bool,
)
from autodiff_repl.engine.dtypes import (
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from autodiff_repl.engine.einsum import einsum
from autodiff_repl.engine.functions import (
    abs,
    absolute,
    acos,
    acosh,
    add,
    addcdiv,
    addcmul,
    allclose,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bmm,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    cos,
    cosh,
    detach,
    div,
    divide,
    dot,
    eq,
    equal,
    erf,
    erfc,
    exp,
    exp2,
    expm1,
    fix,
    floor,
    floor_divide,
    ge,
    ger,
    gt,
    hypot,
    inner,
    is_floating_point,
    is_tensor,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    lt,
    masked_fill,
    matmul,
    maximum,
    minimum,
    mm,
    mul,
    multiply,
    mv,
    nan_to_num,
    ne,
    neg,
    negative,
    numel,
    outer,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    rsub,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    sub,
    subtract,
    tan,
    tanh,
    true_divide,
    trunc,
    vdot,
    where,
)
from autodiff_repl.engine.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autodiff_repl.engine.printing import get_printoptions, set_printoptions
from autodiff_repl.engine.reductions import (
    amax,
    amin,
    argmax,
    argmin,
    argsort,
    cumprod,
    cumsum,
    kthvalue,
    log_softmax,
    logsumexp,
    max,
    mean,
    median,
    min,
    norm,
    prod,
    softmax,
    sort,
    std,
    sum,
    sum_to_size,
    topk,
    var,
)
from autodiff_repl.engine.sampling import bernoulli, multinomial, randperm
from autodiff_repl.engine.shapes import (
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    diag,
    diagonal,
    expand,
    flatten,
    flip,
    gather,
    hstack,
    index_select,
    narrow,
    permute,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    swapaxes,
    t,
    trace,
    transpose,
    tril,
    triu,
    unbind,
    unsqueeze,
    vstack,
)
from autodiff_repl.engine.tensor import Tensor
from autodiff_repl.engine.tensor_types import Size, return_types

backends.bind_graph()

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
e, pi, inf, nan = _math.e, _math.pi, _math.inf, _math.nan
__version__ = "2.13.0 (autodiff-repl engine)"

__all__ = [name for name in dir() if not name.startswith("_")]
