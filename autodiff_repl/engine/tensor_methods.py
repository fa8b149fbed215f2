"""Tensor's methods that are the engine's module functions called on the tensor: the operators
(``x + y`` is ``functions.add(x, y)``), the maths, reductions and shape methods (``x.exp()``,
``x.sum(dim=0)``, ``x.reshape(2, 3)``), and the conversions (``x.to(dtype)``, ``x.new_zeros(3)``).

Each class is a namespace of methods by theme; ``tensor.py`` makes them ``Tensor``'s own.
"""

from __future__ import annotations

import warnings

import numpy as np

from autodiff_repl.engine import devices, dtypes, reductions, shapes
from autodiff_repl.engine import functions as F
from autodiff_repl.engine.dim_names import numpy_names
from autodiff_repl.engine.messages import COPY_CONSTRUCT
from autodiff_repl.engine.tensor import Tensor, _shape_args
from autodiff_repl.engine.tensor_types import Size

# The reductions a training loop calls every step, without their axis=/keepdims= wrapper (the
# methods below have their own).
_sum, _mean, _prod = (f.__wrapped__ for f in (reductions.sum, reductions.mean, reductions.prod))


class Operators:
    """``x + y``, ``x == y``, ``x[i]`` ...: Python's operators on tensors."""

    # ``x + y``, ``x * y`` ... are the module functions themselves (``F.add`` ...): one call less
    # on the hottest path than a method that calls them.
    __add__ = __radd__ = F.add
    __sub__ = F.sub
    __mul__ = __rmul__ = F.mul
    __truediv__ = F.div
    __pow__ = F.pow
    __neg__ = F.neg

    def __rsub__(self, other):
        return F.rsub(self, other)

    def __rtruediv__(self, other):
        return F.mul(F.reciprocal(self), other)

    def __rpow__(self, base):
        return F.rpow(self, base)

    def __matmul__(self, other):  # PyTorch's @ takes tensors only: a number gets Python's
        return F.matmul(self, other) if type(other) is Tensor else NotImplemented  # TypeError

    def __rmatmul__(self, other):
        return F.matmul(other, self) if type(other) is Tensor else NotImplemented

    def __pos__(self):
        return self

    def __abs__(self):
        return F.abs(self)

    def __floordiv__(self, other):
        return F.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return F.floor_divide(F.as_tensor(other, like=self), self)

    def __mod__(self, other):
        return F.remainder(self, other)

    def __eq__(self, other):
        return F.eq(self, other)

    def __ne__(self, other):
        return F.ne(self, other)

    def __lt__(self, other):
        return F.lt(self, other)

    def __le__(self, other):
        return F.le(self, other)

    def __gt__(self, other):
        return F.gt(self, other)

    def __ge__(self, other):
        return F.ge(self, other)

    def __and__(self, other):
        return F.logical_op(np.bitwise_and, self, other)

    def __or__(self, other):
        return F.logical_op(np.bitwise_or, self, other)

    def __xor__(self, other):
        return F.logical_op(np.bitwise_xor, self, other)

    def __invert__(self):
        return F.logical_not(self) if self._data.dtype == np.bool_ else F.bitwise_not(self)

    def __getitem__(self, index):
        return shapes.getitem(self, index)

    def __hash__(self) -> int:  # ``==`` gives a tensor, so a tensor hashes by identity
        return id(self)


class FunctionMethods:
    """``x.exp()``, ``x.sum(dim=0)``, ``x.reshape(2, 3)`` ...: the module functions as methods."""

    def add(self, other, alpha=1):
        return F.add(self, other, alpha)

    def sub(self, other, alpha=1):
        return F.sub(self, other, alpha)

    def mul(self, other):
        return F.mul(self, other)

    def div(self, other):
        return F.div(self, other)

    multiply, divide, subtract = mul, div, sub

    def pow(self, exponent):
        return F.pow(self, exponent)

    def square(self):
        return F.pow(self, 2)

    def matmul(self, other):
        F.must_be_tensor("matmul", "other", 1, other)
        return F.matmul(self, other)

    def dot(self, other):
        F.must_be_tensor("dot", "tensor", 1, other)
        return F.dot(self, other)

    def mv(self, vec):
        F.must_be_tensor("mv", "vec", 1, vec)
        return F.mv(self, vec)

    def mm(self, mat2):
        F.must_be_tensor("mm", "mat2", 1, mat2)
        return F.mm(self, mat2)

    def outer(self, other):
        return F.outer(self, other)

    def exp(self):
        return F.exp(self)

    def log(self):
        return F.log(self)

    def sin(self):
        return F.sin(self)

    def cos(self):
        return F.cos(self)

    def tan(self):
        return F.tan(self)

    def tanh(self):
        return F.tanh(self)

    def sigmoid(self):
        return F.sigmoid(self)

    def relu(self):
        return F.relu(self)

    def sqrt(self):
        return F.sqrt(self)

    def abs(self):
        return F.abs(self)

    def sign(self):
        return F.sign(self)

    def neg(self):
        return F.neg(self)

    def reciprocal(self):
        return F.reciprocal(self)

    def clamp(self, min=None, max=None):
        return F.clamp(self, min, max)

    def log1p(self):
        return F.log1p(self)

    def expm1(self):
        return F.expm1(self)

    def exp2(self):
        return F.exp2(self)

    def log2(self):
        return F.log2(self)

    def log10(self):
        return F.log10(self)

    def sinh(self):
        return F.sinh(self)

    def cosh(self):
        return F.cosh(self)

    def asin(self):
        return F.asin(self)

    def acos(self):
        return F.acos(self)

    def atan(self):
        return F.atan(self)

    arcsin, arccos, arctan = asin, acos, atan

    def rsqrt(self):
        return F.rsqrt(self)

    def atan2(self, other):
        F.must_be_tensor("atan2", "other", 1, other)  # a method counts from after self
        return F.atan2(self, other)

    arctan2 = atan2

    def floor(self):
        return F.floor(self)

    def ceil(self):
        return F.ceil(self)

    def trunc(self):
        return F.trunc(self)

    fix = trunc

    def round(self, *, decimals=0):
        return F.round(self, decimals=decimals)

    def isnan(self):
        return F.isnan(self)

    def isinf(self):
        return F.isinf(self)

    def isfinite(self):
        return F.isfinite(self)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return F.nan_to_num(self, nan, posinf, neginf)

    def masked_fill(self, mask, value):
        return F.masked_fill(self, mask, value)

    def where(self, condition, other):
        return F.where(condition, self, other)

    clip = clamp

    def maximum(self, other):
        return F.maximum(self, other)

    def minimum(self, other):
        return F.minimum(self, other)

    @numpy_names
    def sum(self, dim=None, keepdim=False, dtype=None):
        return _sum(self, dim, keepdim, dtype)

    @numpy_names
    def mean(self, dim=None, keepdim=False, dtype=None):
        return _mean(self, dim, keepdim, dtype)

    @numpy_names
    def prod(self, dim=None, keepdim=False, dtype=None):
        return _prod(self, dim, keepdim, dtype)

    @numpy_names
    def max(self, dim=None, keepdim=False):
        return reductions.max(self, dim, keepdim)

    @numpy_names
    def min(self, dim=None, keepdim=False):
        return reductions.min(self, dim, keepdim)

    @numpy_names
    def argmax(self, dim=None, keepdim=False):
        return reductions.argmax(self, dim, keepdim)

    @numpy_names
    def argmin(self, dim=None, keepdim=False):
        return reductions.argmin(self, dim, keepdim)

    @numpy_names
    def amax(self, dim=(), keepdim=False):
        return reductions.amax(self, dim, keepdim)

    @numpy_names
    def amin(self, dim=(), keepdim=False):
        return reductions.amin(self, dim, keepdim)

    @numpy_names
    def logsumexp(self, dim=None, keepdim=False):
        return reductions.logsumexp(self, dim, keepdim)

    @numpy_names
    def cumsum(self, dim=None, *, dtype=None):
        return reductions.cumsum(self, dim, dtype=dtype)

    @numpy_names
    def cumprod(self, dim=None, *, dtype=None):
        return reductions.cumprod(self, dim, dtype=dtype)

    @numpy_names
    def sort(self, dim=-1, descending=False, stable=False):
        return reductions.sort(self, dim, descending, stable)

    @numpy_names
    def argsort(self, dim=-1, descending=False, stable=False):
        return reductions.argsort(self, dim, descending, stable)

    @numpy_names
    def topk(self, k, dim=-1, largest=True, sorted=True):
        return reductions.topk(self, k, dim, largest, sorted)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return reductions.norm(self, p, dim, keepdim, dtype)

    @numpy_names
    def std(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        return reductions.std(self, dim, unbiased, keepdim, correction=correction)

    @numpy_names
    def var(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        return reductions.var(self, dim, unbiased, keepdim, correction=correction)

    @numpy_names
    def softmax(self, dim):
        return reductions.softmax(self, dim)

    @numpy_names
    def log_softmax(self, dim):
        return reductions.log_softmax(self, dim)

    @numpy_names
    def all(self, dim=None, keepdim=False):
        return Tensor._wrap(np.asarray(self._data.all(axis=dim, keepdims=keepdim)))

    @numpy_names
    def any(self, dim=None, keepdim=False):
        return Tensor._wrap(np.asarray(self._data.any(axis=dim, keepdims=keepdim)))

    def eq(self, other):
        return F.eq(self, other)

    def ne(self, other):
        return F.ne(self, other)

    def lt(self, other):
        return F.lt(self, other)

    def le(self, other):
        return F.le(self, other)

    def gt(self, other):
        return F.gt(self, other)

    def ge(self, other):
        return F.ge(self, other)

    def equal(self, other) -> bool:
        return F.equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        return F.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.isclose(self, other, rtol, atol, equal_nan)

    def reshape(self, *shape):
        return shapes.reshape(self, _shape_args(shape))

    def view(self, *shape):
        return shapes.view(self, _shape_args(shape))

    def view_as(self, other):
        return shapes.reshape(self, other.shape)

    reshape_as = view_as

    def flatten(self, start_dim=0, end_dim=-1):
        return shapes.flatten(self, start_dim, end_dim)

    @numpy_names
    def squeeze(self, dim=None):
        return shapes.squeeze(self, dim)

    @numpy_names
    def unsqueeze(self, dim):
        return shapes.unsqueeze(self, dim)

    def transpose(self, dim0, dim1):
        return shapes.transpose(self, dim0, dim1)

    def t(self):
        return shapes.t(self)

    def permute(self, *dims):
        return shapes.permute(self, _shape_args(dims))

    def expand(self, *sizes):
        return shapes.expand(self, _shape_args(sizes))

    def expand_as(self, other):
        return shapes.expand(self, other.shape)

    def sum_to_size(self, *size):
        return reductions.sum_to_size(self, _shape_args(size))

    def repeat(self, *sizes):
        return reductions.repeat(self, _shape_args(sizes))

    def clone(self):
        return F.clone(self)

    def contiguous(self, memory_format=None):
        return F.contiguous(self)

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    @numpy_names
    def unbind(self, dim=0):
        return shapes.unbind(self, dim)

    def split(self, split_size, dim=0):
        return shapes.split(self, split_size, dim)

    @numpy_names
    def chunk(self, chunks, dim=0):
        return shapes.chunk(self, chunks, dim)

    def flip(self, *args, dims=None):
        return shapes.flip(self, _shape_args(args) if args else dims)

    def roll(self, shifts, dims=None):
        return shapes.roll(self, shifts, dims)

    def tril(self, diagonal=0):
        return shapes.tril(self, diagonal)

    def triu(self, diagonal=0):
        return shapes.triu(self, diagonal)

    def trace(self):
        return shapes.trace(self)

    def diag(self, diagonal=0):
        return shapes.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return shapes.take_diagonal(self, offset, dim1, dim2, 1)

    def bmm(self, mat2):
        F.must_be_tensor("bmm", "mat2", 1, mat2)
        return F.bmm(self, mat2)

    @numpy_names
    def gather(self, dim, index):
        return shapes.gather(self, dim, index)

    @numpy_names
    def index_select(self, dim, index):
        return shapes.index_select(self, dim, index)

    # --- special functions, interpolation, selections, sampling ---------------------------
    def erf(self):
        return F.erf(self)

    def erfc(self):
        return F.erfc(self)

    def asinh(self):
        return F.asinh(self)

    def acosh(self):
        return F.acosh(self)

    def atanh(self):
        return F.atanh(self)

    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def hypot(self, other):
        F.must_be_tensor("hypot", "other", 1, other)  # a method counts from after self
        return F.hypot(self, other)

    def logaddexp(self, other):
        F.must_be_tensor("logaddexp", "other", 1, other)
        return F.logaddexp(self, other)

    def lerp(self, end, weight):
        return F.lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return F.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return F.addcdiv(self, tensor1, tensor2, value=value)

    def clamp_min(self, min):
        return F.clamp_min(self, min)

    def clamp_max(self, max):
        return F.clamp_max(self, max)

    @numpy_names
    def median(self, dim=None, keepdim=False):
        return reductions.median(self, dim, keepdim)

    @numpy_names
    def kthvalue(self, k, dim=-1, keepdim=False):
        return reductions.kthvalue(self, k, dim, keepdim)

    def narrow(self, dim, start, length):
        return shapes.narrow(self, dim, start, length)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        from autodiff_repl.engine import calculus
        return calculus.diff(self, n, dim, prepend, append)

    def bernoulli(self, p=None):
        from autodiff_repl.engine import sampling
        return sampling.bernoulli(self, p)

    def multinomial(self, num_samples, replacement=False):
        from autodiff_repl.engine import sampling
        return sampling.multinomial(self, num_samples, replacement)

    def is_inference(self) -> bool:
        """Whether this is an inference tensor: never here (``inference_mode`` is ``no_grad``,
        whose results are ordinary tensors)."""
        return False



class Conversions:
    """``x.to(dtype)``, ``x.float()``, ``x.new_zeros(3)`` ...: this tensor in another dtype, or a
    new tensor like it."""

    def to(self, *args, **kwargs):
        """``.to(dtype)``, ``.to("cpu")``, ``.to(device, dtype)``, ``.to(other)``: everything
        lives on the CPU here, so only the dtype can change (a GPU gets PyTorch's error)."""
        dtype, where = kwargs.pop("dtype", None), kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, str | devices.device) or type(arg) is int:  # (int: an index)
                where = arg
            elif isinstance(arg, dtypes.DType):
                dtype = arg
            elif not isinstance(arg, bool):  # (non_blocking and copy may come positionally)
                raise TypeError(f"to() received an invalid combination of arguments - got "
                                f"({type(arg).__name__})")
        devices.check(where)
        out = self if dtype is None else F.to(self, dtype)
        return F.clone(out) if copy and out is self else out

    def type(self, dtype=None):
        if dtype is None:
            return f"torch.{self.dtype.short}Tensor"
        return F.to(self, dtype)

    def float(self):
        return F.to(self, dtypes.float32)

    def double(self):
        return F.to(self, dtypes.float64)

    def half(self):
        return F.to(self, dtypes.float16)

    def int(self):
        return F.to(self, dtypes.int32)

    def long(self):
        return F.to(self, dtypes.int64)

    def bool(self):
        return F.to(self, dtypes.bool_)

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise AssertionError(devices.NO_CUDA)

    # --- new tensors like this one (its dtype unless told otherwise) ------------------------
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        from autodiff_repl.engine import creation
        devices.check(device)
        if isinstance(data, Tensor):
            warnings.warn(COPY_CONSTRUCT.format("tensor.new_tensor"), UserWarning, stacklevel=2)
        return creation.tensor(data._data if isinstance(data, Tensor) else data,
                               dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
        from autodiff_repl.engine import creation
        devices.check(device)
        if not isinstance(size, tuple | list | Size):
            raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {type(size).__name__}")
        return creation.full(size, fill_value, dtype=dtype or self.dtype,
                             requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        devices.check(device)
        return self.new_full(_shape_args(size), 1, dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        devices.check(device)
        return self.new_full(_shape_args(size), 0, dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        devices.check(device)
        return self.new_full(_shape_args(size), 0, dtype, requires_grad=requires_grad)

