"""The op table: every differentiable operation, declared once.

Each row (an ``Op``) says, for one operation:

- ``name`` and ``grad_fn``: the public name and the node name PyTorch prints (``MulBackward0``);
- ``forward``: the computation on NumPy arrays, ``forward(*arrays, **params) -> array``;
- ``vjp``: one function per input giving that input's gradient, like a line of PyTorch's
  ``derivatives.yaml``: ``vjp_i(m, g, *inputs, out, **params)``. ``g`` is the gradient of the
  output. ``m`` is a backend namespace (``backends.RAW`` on arrays, ``backends.GRAPH`` on tensors):
  the same formula runs fast on arrays for a plain backward and on tensors, recording a graph, for
  ``create_graph=True`` -- so higher derivatives come for free. A gradient may keep the output's
  shape: the engine sums it back over broadcast axes in one place (``backprop``);
- ``jvp``: forward mode. ``ELEMENTWISE`` reuses the vjp formulas (for an elementwise op the
  Jacobian is diagonal, so J·t = Jᵀ·t); ``LINEAR`` applies ``forward`` to the tangent (for ops
  linear in their input); otherwise one function per input, ``jvp_i(m, t, *inputs, out, **params)``;
- ``expr`` and ``formula``: the output and each local derivative as text, for the chain-rule trace
  (``{0}``, ``{1}`` stand for the inputs, ``{p}`` for a parameter);
- ``says``: for ops whose local derivative is not one number per element (products of matrices,
  reductions, reshapes, indexing), how the gradient travels back, in words, per input (one entry
  for all inputs of a variadic op): ``{up}`` is the upstream gradient, ``{in_shape}`` the input's
  shape; without it the trace shows ``upstream · formula``;
- ``needs``: for each input, what its vjp formula reads (input indices; ``OUT`` for the output).
  A node keeps only what the inputs that require grad need -- ``x * c`` with a constant ``c`` keeps
  ``c``, not ``x`` -- and releases it after a backward without ``retain_graph``;
- ``samples`` and ``domain``: the shapes and input range the generated gradient tests use.

Ops with a variable number of inputs (``cat``, ``stack``) give ``vjp`` as one function returning a
tuple. Non-differentiable ops (comparisons, ``argmax``) are plain functions in ``functions``.

The rows are kept by theme in this package's modules; this one lists them all (``TABLE``) and
names each row and helper as ``ops.<NAME>``.
"""
# ruff: noqa: F401 -- the names below are the table's interface

from __future__ import annotations

from autodiff_repl.engine.ops import (
    activations,
    elementwise,
    linear_algebra,
    losses,
    reductions,
    shapes,
)
from autodiff_repl.engine.ops.activations import (
    ELU,
    ELU_INPLACE,
    GELU,
    HARDTANH,
    LEAKY_RELU,
    LEAKY_RELU_INPLACE,
    LOG_SIGMOID,
    SILU,
    SOFTPLUS,
)
from autodiff_repl.engine.ops.elementwise import (
    ABS,
    ACOS,
    ACOSH,
    ADD,
    ADD_ALPHA,
    ADD_SCALAR,
    ADDCDIV,
    ADDCMUL,
    ASIN,
    ASINH,
    ATAN,
    ATAN2,
    ATANH,
    BERNOULLI,
    CEIL,
    CLAMP,
    CLAMP_MAX,
    CLAMP_MAX_TENSOR,
    CLAMP_MIN,
    CLAMP_MIN_TENSOR,
    COS,
    COSH,
    DIV,
    DIV_SCALAR,
    ERF,
    ERFC,
    EXP,
    EXP2,
    EXPM1,
    FLOOR,
    HYPOT,
    LERP,
    LERP_TENSOR,
    LOG,
    LOG1P,
    LOG2,
    LOG10,
    LOGADDEXP,
    MASKED_FILL,
    MASKED_FILL_TENSOR,
    MAXIMUM,
    MINIMUM,
    MUL,
    MUL_SCALAR,
    NAN_TO_NUM,
    NEG,
    POW,
    POW_TENSOR,
    RECIPROCAL,
    RELU,
    ROUND,
    ROUND_DECIMALS,
    RPOW,
    RSQRT,
    RSUB,
    SGN,
    SIGMOID,
    SIGMOID_BACKWARD,
    SIGN,
    SIN,
    SINH,
    SQRT,
    SUB,
    SUB_ALPHA,
    TAN,
    TANH,
    TANH_BACKWARD,
    THRESHOLD_BACKWARD,
    TRUNC,
    WHERE,
)
from autodiff_repl.engine.ops.linear_algebra import (
    BMM,
    DOT,
    MATMUL,
    MM,
    MSE_LOSS,
    MV,
    SVD_U,
    SVD_VH,
    SVDVALS,
    out_shape,
)
from autodiff_repl.engine.ops.losses import (
    BINARY_CROSS_ENTROPY,
    BINARY_CROSS_ENTROPY_WITH_LOGITS,
    HUBER_LOSS,
    NLL_LOSS,
    NLL_LOSS2D,
    SMOOTH_L1_LOSS,
)
from autodiff_repl.engine.ops.reductions import (
    AMAX,
    AMIN,
    CUMPROD,
    CUMSUM,
    KTHVALUE,
    LOG_SOFTMAX,
    LOG_SOFTMAX_BACKWARD_DATA,
    LOGSUMEXP,
    MAX,
    MAX_DIM,
    MEAN,
    MEAN_DIM,
    MEDIAN,
    MEDIAN_DIM,
    MIN,
    MIN_DIM,
    NORM,
    PROD,
    PROD_DIM,
    REPEAT,
    SOFTMAX,
    SOFTMAX_BACKWARD_DATA,
    STD,
    SUM,
    SUM_DIM,
    VAR,
)
from autodiff_repl.engine.ops.row import (
    BINARY,
    ELEMENTWISE,
    LINEAR,
    OUT,
    REDUCE,
    UNARY,
    Op,
    Sample,
    kept_shape,
    reduced_size,
    sum_to,
)
from autodiff_repl.engine.ops.shapes import (
    ALIAS,
    AS_STRIDED,
    CAT,
    CLONE,
    COPY,
    DIAG,
    DIAG_EMBED,
    DIAGONAL,
    EXPAND,
    FILL,
    FILL_WHOLE,
    FLIP,
    GATHER,
    INDEX,
    INDEX_BACKWARD,
    INDEX_PUT,
    INDEX_PUT_ADVANCED,
    INDEX_SELECT,
    PERMUTE,
    RESHAPE_ALIAS,
    ROLL,
    SELECT,
    SLICE,
    SORT,
    SPLIT,
    SPLIT_WITH_SIZES,
    SQUEEZE,
    SQUEEZE_DIM,
    SQUEEZE_MATMUL,
    STACK,
    TO,
    TOPK,
    TRACE,
    TRANSPOSE,
    TRIL,
    TRIU,
    UNBIND,
    UNSAFE_VIEW,
    UNSQUEEZE,
    VIEW,
    ZERO,
    T,
    _picking,
    _scatter,
    diagonal_index,
    replay,
    row_major,
    view_of,
)

# Ops that give several views of their input (unbind, split): PyTorch refuses in-place updates
# of those views in a graph.
MULTIPLE_VIEWS = frozenset((UNBIND, SPLIT, SPLIT_WITH_SIZES))
# Ops whose result PyTorch makes a view of the input (in-place updates write through to it).
VIEWS = frozenset((VIEW, RESHAPE_ALIAS, SQUEEZE, SQUEEZE_DIM, UNSQUEEZE, EXPAND, TRANSPOSE, T,
                   PERMUTE, SELECT, SLICE, ALIAS, DIAGONAL))

# Every row, in the order of the modules and of the rows in each.
TABLE: tuple[Op, ...] = tuple(v for module in (elementwise, activations, linear_algebra, losses,
                                              reductions, shapes)
                              for v in vars(module).values() if isinstance(v, Op))
BY_NAME: dict[str, Op] = {op.name: op for op in TABLE}
