"""``Tensor``: a NumPy array, the node that produced it, and its gradient.

The attributes and methods mirror PyTorch's. The maths lives elsewhere: operators and methods call
``functions``, which applies rows of the op table (``ops``); ``backprop`` runs the backward pass.
"""

from __future__ import annotations

import functools
import re
import warnings
import weakref
from collections import namedtuple

import numpy as np

from autodiff_repl.engine import devices, dtypes, ops, printing, views
from autodiff_repl.engine.grad_mode import STATE
from autodiff_repl.engine.graph import RECORDING, AccumulateGrad, _next_seq

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")
GRAD_DTYPE = (
    "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The "
    "gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
    "tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
    "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
    "downstream systems that assume they match.")
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an in-place "
                        "operation.")
# PyTorch words the same refusal three ways: torch.tensor(..., requires_grad=True),
# t.requires_grad = True, and t.requires_grad_().
ONLY_FLOAT = "Only Tensors of floating point and complex dtype can require gradients"
ONLY_FLOAT_SETTER = "only Tensors of floating point and complex dtype can require gradients"
ONLY_FLOAT_METHOD = "only Tensors of floating point dtype can require gradients"
SCALAR_WITH_GRAD = ("Converting a tensor with requires_grad=True to a scalar may lead to "
                    "unexpected behavior.\nConsider using tensor.detach() first.")
T_OF_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
T_NOT_2D = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.")
WARNED_ONCE: set[str] = set()
"""Messages PyTorch gives once per process (``TORCH_WARN_ONCE``) that were given already;
``Session.reset`` empties it, as a fresh Python process would start empty."""


def _warn_once(message: str) -> None:
    if message not in WARNED_ONCE:
        WARNED_ONCE.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


class InplaceLog:
    """In-place updates of tensors, for PyTorch's check that a backward's saved values are still
    the ones the forward pass saw ("... has been modified by an inplace operation").

    PyTorch keeps a version counter on every tensor and in every saved value. Here nothing is
    recorded until a tensor is updated in place: then the update's place in the node sequence
    (``graph._next_seq()``) is appended to the tensor's ``_versions`` list, and logged for the node
    whose saved output it changes. ``detach()`` shares the list, as PyTorch's detached tensors
    share the version counter (``x.data`` does not: its updates go unseen). A backward compares
    the entries with the node's own ``seq``: a value updated after the node saved it is stale. A
    program with no in-place updates pays nothing.
    """

    def __init__(self) -> None:
        self.active = False  # has any tensor been updated in place?
        self.outputs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> info

    def record(self, t: Tensor, producer) -> None:
        """``t`` was just updated in place; ``producer`` made its previous value."""
        seqs = self.versions(t, create=True)
        seqs.append(_next_seq())
        self.active = True
        self._watch(producer, seqs, t)
        if t._base is not None:  # a view: its base's saved output is stale too
            self._watch(t._base._node, seqs, t._base)

    def share(self, t: Tensor, other: Tensor) -> None:
        """``other`` shares ``t``'s memory and version counter (``detach()``): an update of
        ``other`` makes stale what ``t``'s node saved of its output, as one of ``t`` does."""
        other._versions = seqs = self.versions(t, create=True)
        self._watch(t._node, seqs, t)

    def _watch(self, producer, seqs: list, t: Tensor) -> None:
        if producer is not None and producer.out is not None:
            self.outputs[producer] = (seqs, t._data.shape, t._data.dtype)

    @staticmethod
    def versions(t: Tensor, create: bool = False) -> list | None:
        """The in-place updates of ``t``'s memory: its own list, or its base's for a view."""
        owner = t if t._base is None else t._base
        if owner._versions is None and create:
            owner._versions = []
        return owner._versions

    def check(self, node) -> None:
        """Raise PyTorch's error if a value ``node`` saved was updated after it saved it."""
        for t in node.saved or ():
            seqs = None if t is None else self.versions(t)
            if seqs and seqs[-1] > node.seq:
                if t._base is not None:  # PyTorch names an invalidated view first
                    views.check_grad_fn(t)
                raise RuntimeError(_modified_message(t._data.shape, t._data.dtype, t._node, seqs,
                                                     node.seq))
        entry = self.outputs.get(node) if node.out is not None else None
        saved_at = node.__dict__.get("out_saved_at", node.seq)  # later for an in-place op's node
        if entry is not None and entry[0] and entry[0][-1] > saved_at:
            raise RuntimeError(_modified_message(entry[1], entry[2], node, entry[0], saved_at))


def _modified_message(shape, dtype, node, seqs, saved_at) -> str:
    kind = f"torch.{dtypes.from_numpy(dtype).short}Tensor [{', '.join(map(str, shape))}]"
    output = "" if node is None else \
        f", which is output 0 of {_BACKWARD_SUFFIX.sub('', node.label)},"
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{kind}]{output} is at version {len(seqs)}; expected version "
            f"{sum(1 for s in seqs if s < saved_at)} instead. Hint: enable anomaly detection to "
            "find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")
INPLACE = InplaceLog()


class Size(tuple):
    """A shape, printed as PyTorch prints it: ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


MinMax = namedtuple("MinMax", ["values", "indices"])


def _named_result(name: str) -> type:
    """A ``(values, indices)`` result printed as PyTorch prints ``torch.return_types.<name>``."""
    def __repr__(self) -> str:
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    return type(name, (MinMax,), {"__slots__": (), "__repr__": __repr__,
                                  "__qualname__": f"return_types.{name}"})


class return_types:
    """Named results of ``max(dim=)``, ``min(dim=)``, ``sort`` and ``topk``."""

    max = _named_result("max")
    min = _named_result("min")
    sort = _named_result("sort")
    topk = _named_result("topk")


def numpy_names(fn):
    """``fn`` also taking NumPy's ``axis=`` for ``dim=`` (and ``keepdims=`` for ``keepdim=``), as
    PyTorch's functions and methods with a ``dim`` do: ``x.sum(axis=0)``."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs and ("axis" in kwargs or "keepdims" in kwargs):
            kwargs = _dim_names(fn.__name__, kwargs)
        return fn(*args, **kwargs)
    return call


def _dim_names(name: str, kwargs: dict) -> dict:
    kwargs = dict(kwargs)
    for alias, real in (("axis", "dim"), ("keepdims", "keepdim")):
        if alias in kwargs:
            if real in kwargs:  # both spellings: PyTorch takes the alias as an unknown keyword
                raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
            kwargs[real] = kwargs.pop(alias)
    return kwargs


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    # Every tensor sets these three; the rarely set attributes below live in a per-tensor dict
    # made only when one is assigned, so making a tensor costs three stores.
    __slots__ = ("__dict__", "__weakref__", "_data", "_node", "_rg")
    _grad = None  # .grad
    _acc_ref = None  # a weak reference to the leaf's AccumulateGrad (the graph holds the node,
    # and the node holds the leaf, as in PyTorch: a leaf lives as long as a graph that uses it)
    _leaf = None  # an alias of a leaf (an in-place update's old value, a dual): that leaf, whose
    # .grad its gradient goes to
    _hooks = None  # register_hook functions of a leaf
    _retain = False  # retain_grad() was called
    _tangent = None  # forward mode: the tangent of a dual tensor (an array)
    _versions = None  # in-place updates (``InplaceLog``), shared with detach()ed tensors
    _base = None  # a view in a graph: the tensor whose memory it shows (``views``)
    _view_steps = ()  # ... and the view ops that lead from there to it
    _views = None  # a base: its live views (id -> view, weakly)
    _view_version = 0  # a view: its base's version count when it was made
    _no_grad_from = None  # with RECORDING.keep_values: a weak reference to an input that required
    # grad, when this tensor was computed under no_grad() (explanations say why it has no grad_fn)
    __array_ufunc__ = None  # NumPy defers to our operators: ndarray * Tensor gives a Tensor

    def __init__(self, *args, dtype=None) -> None:
        """The legacy constructor: ``Tensor([1, 2])`` (float32 data) or ``Tensor(2, 3)`` (zeros)."""
        if len(args) == 1 and not isinstance(args[0], int):
            data = _to_array(args[0], dtype or dtypes.float32)
        else:
            data = np.zeros(args, dtype=(dtype or dtypes.float32).np)
        _init(self, data)

    # --- making tensors ---------------------------------------------------------------------
    @classmethod
    def _wrap(cls, data: np.ndarray) -> Tensor:
        """A tensor around ``data`` (no copy, no graph)."""
        t = object.__new__(cls)
        t._data = data
        t._rg = False
        t._node = None
        return t

    def _edge(self):
        """The node a consumer of this tensor links to: its grad_fn, or its leaf's
        AccumulateGrad (made again once no graph holds the last one, as PyTorch does)."""
        node = self._node
        if node is not None:
            return node
        leaf = self if self._leaf is None else self._leaf
        ref = leaf._acc_ref
        acc = None if ref is None else ref()
        if acc is None:
            acc = AccumulateGrad(leaf)
            leaf._acc_ref = weakref.ref(acc)
        return acc

    def _grad_leaf(self) -> Tensor:
        """The leaf whose .grad this tensor's gradient goes to: itself, or the leaf it aliases."""
        return self if self._leaf is None else self._leaf

    @property
    def _acc(self):
        """This leaf's AccumulateGrad while a graph holds it, else None."""
        ref = self._grad_leaf()._acc_ref
        return None if ref is None else ref()

    # --- attributes -------------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same values, detached from the graph (shares memory)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else _to_array(value, self.dtype)

    @property
    def _version(self) -> int:
        """PyTorch's version counter: how many in-place updates this tensor has seen."""
        seqs = INPLACE.versions(self)
        return len(seqs) if seqs is not None else 0

    @property
    def grad(self) -> Tensor | None:
        if self._node is not None and not self._retain and self._grad is None:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' "
                                   f"to a tensor of size '{list(self.shape)}'. Please ensure that "
                                   "the gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(GRAD_DTYPE.format(value.dtype.cpp, self.dtype.short))
        self._grad = value

    @property
    def grad_fn(self):
        if self._base is not None:
            views.check_grad_fn(self)
        return self._node

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self._set_requires_grad(flag, ONLY_FLOAT_SETTER)

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def retains_grad(self) -> bool:
        return self._retain

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.from_numpy(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def device(self) -> devices.device:
        return devices.CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def T(self) -> Tensor:
        if self._data.ndim != 2:
            _warn_once(T_OF_0D if self._data.ndim == 0 else T_NOT_2D)
        return shapes.permute(self, tuple(range(self.ndim))[::-1])

    @property
    def mT(self) -> Tensor:
        return shapes.transpose(self, -2, -1)

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def element_size(self) -> int:
        return self._data.itemsize

    # --- leaving the engine -----------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self) -> np.ndarray:
        if self._rg:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self.numpy() if dtype is None else self.numpy().astype(dtype)

    def __float__(self) -> float:
        value = float(self._scalar("float"))
        if self._rg:
            _warn_once(SCALAR_WITH_GRAD)
        return value

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.reshape(()))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def _scalar(self, kind: str):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(shapes.unbind(self))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        node = self._node
        label = None if node is None else node.label
        if self._base is not None and views.invalidated(self):
            label = "Invalid"  # PyTorch's repr when reading the grad_fn raises
        return printing.format_tensor(self._data, requires_grad=self._rg, grad_fn=label)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    # --- autograd ---------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        return self._set_requires_grad(requires_grad, ONLY_FLOAT_METHOD)

    def _set_requires_grad(self, requires_grad: bool, not_float: str) -> Tensor:
        if self._node is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(not_float)
        self._rg = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """The same values (shared memory) without a graph; in-place updates of either are seen
        by backward passes that saved the other (they share PyTorch's version counter)."""
        out = Tensor._wrap(self._data)
        INPLACE.share(self, out)
        return out

    def detach_(self) -> Tensor:
        self._node = None
        self._rg = False
        return self

    def retain_grad(self) -> None:
        if self._base is not None:
            views.check_grad_fn(self)
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._node is not None:
            self._retain = True
            self._node.retained = _weak(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces
        the gradient. Returns a handle whose ``remove()`` unregisters the hook."""
        if self._base is not None:
            views.check_grad_fn(self)
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._node is not None:
            hooks = self._node.hooks
            if hooks is None:
                hooks = self._node.hooks = []
        else:
            hooks = self._hooks
            if hooks is None:
                hooks = self._hooks = []
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        backprop.backward([self], gradient, retain_graph, create_graph, inputs=inputs)

    # --- in place ---------------------------------------------------------------------------
    def _check_inplace(self, view_message: bool = False) -> None:
        """PyTorch's refusal to update a leaf that requires grad (or a view of one) in place."""
        if not (self._rg and STATE.enabled):
            return
        node = self._node
        if node is None:
            raise RuntimeError(VIEW_OF_LEAF_INPLACE if view_message else LEAF_INPLACE)
        if self._base is not None and not view_message:  # (t[...] = v: shapes.setitem checks)
            views.check_inplace(self)  # a piece from split, chunk or unbind, or a view of one
        while type(node) is not AccumulateGrad and node.op in ops.VIEWS:
            node = node.parents[0]
        if type(node) is AccumulateGrad:
            raise RuntimeError(VIEW_OF_LEAF_INPLACE)

    def _inplace(self, fn, *args) -> Tensor:
        """Update this tensor to ``fn(its value, *args)``, as PyTorch's ``add_``, ``-=`` ... do.

        Without a graph the new values are written into the same memory, so views such as
        ``x.data`` see them. With a graph the tensor takes the new node: ``y *= 2`` on a non-leaf
        gives ``y`` the grad_fn ``MulBackward0`` whose input is the old ``y``.
        """
        self._check_inplace()
        result = fn(_alias(self), *args)
        if result._data.dtype != self._data.dtype and not np.can_cast(
                result._data.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(f"result type {dtypes.from_numpy(result._data.dtype).short} "
                               f"can't be cast to the desired output type {self.dtype.short}")
        INPLACE.record(self, self._node)
        if result._node is None:
            np.copyto(self._data, np.broadcast_to(result._data, self._data.shape),
                      casting="unsafe")
        else:  # new memory, laid out as the old (a transposed tensor stays transposed)
            data = np.empty_like(self._data)
            np.copyto(data, np.broadcast_to(result._data, data.shape), casting="unsafe")
            self._data = data
            take_node(self, result)
            if result._node.out is not None:  # PyTorch saves the output as of this update
                result._node.out_saved_at = _next_seq()
            if self._base is not None or self._views is not None:
                views.updated(self)  # a view's update goes into its base; views see the base's
        self._tangent = result._tangent
        return self

    def zero_(self) -> Tensor:
        self._check_inplace()
        if (self._rg and STATE.enabled) or self._tangent is not None:
            return self._inplace(lambda s: shapes.filled(ops.ZERO, s, 0))  # node ZeroBackward0
        INPLACE.record(self, self._node)
        self._data[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        from autodiff_repl.engine.creation import checked_fill
        self._check_inplace()
        value = checked_fill(value, self.dtype)
        if (self._rg and STATE.enabled) or self._tangent is not None:
            return self._inplace(lambda s: shapes.filled(ops.FILL, s, value))
        INPLACE.record(self, self._node)
        self._data[...] = value
        return self

    def copy_(self, src) -> Tensor:
        return self._inplace(shapes.copy, src)

    def normal_(self, mean=0.0, std=1.0) -> Tensor:
        from autodiff_repl.engine import creation
        self._check_inplace()
        INPLACE.record(self, self._node)
        creation.RNG.normal_(self._data, mean, std)
        return self

    def uniform_(self, a=0.0, b=1.0) -> Tensor:
        from autodiff_repl.engine import creation
        self._check_inplace()
        INPLACE.record(self, self._node)
        creation.RNG.uniform_(self._data, a, b)
        return self

    def add_(self, other, alpha=1):
        return self._inplace(lambda s, o: F.add(s, o, alpha), other)

    def sub_(self, other, alpha=1):
        return self._inplace(lambda s, o: F.sub(s, o, alpha), other)

    def mul_(self, other):
        return self._inplace(lambda s, o: s * o, other)

    def div_(self, other):
        return self._inplace(lambda s, o: s / o, other)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda s: F.clamp(s, min, max))

    def pow_(self, exponent):
        return self._inplace(F.pow, exponent)

    def square_(self):
        return self._inplace(F.square)

    def masked_fill_(self, mask, value):
        return self._inplace(F.masked_fill, mask, value)

    def sqrt_(self):
        return self._inplace(F.sqrt)

    def exp_(self):
        return self._inplace(F.exp)

    def log_(self):
        return self._inplace(F.log)

    def neg_(self):
        return self._inplace(F.neg)

    def abs_(self):
        return self._inplace(F.abs)

    def sigmoid_(self):
        return self._inplace(F.sigmoid)

    def tanh_(self):
        return self._inplace(F.tanh)

    def relu_(self):
        return self._inplace(F.relu)

    def sin_(self):
        return self._inplace(F.sin)

    def cos_(self):
        return self._inplace(F.cos)

    def reciprocal_(self):
        return self._inplace(F.reciprocal)

    def floor_(self):
        return self._inplace(F.floor)

    def ceil_(self):
        return self._inplace(F.ceil)

    def round_(self, *, decimals=0):
        return self._inplace(lambda s: F.round(s, decimals=decimals))

    def trunc_(self):
        return self._inplace(F.trunc)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __setitem__(self, index, value) -> None:
        self._check_inplace(view_message=True)  # PyTorch writes through a view of self
        producer = self._node
        shapes.setitem(self, index, value)
        INPLACE.record(self, producer)
        if self._node is not producer and (self._base is not None or self._views is not None):
            views.updated(self)

    # --- operators --------------------------------------------------------------------------
    # ``x + y``, ``x * y``, ``x @ y`` ... are the module functions themselves (``F.add`` ...),
    # bound at the end of this module once they exist: one call less on the hottest path.
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

    # --- methods that are the module functions ----------------------------------------------
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
        return reductions.sum(self, dim, keepdim, dtype=dtype)

    @numpy_names
    def mean(self, dim=None, keepdim=False, dtype=None):
        return reductions.mean(self, dim, keepdim, dtype=dtype)

    @numpy_names
    def prod(self, dim=None, keepdim=False, dtype=None):
        return reductions.prod(self, dim, keepdim, dtype=dtype)

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

    def norm(self, p=2, dim=None, keepdim=False):
        return reductions.norm(self, p, dim, keepdim)

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
            elif isinstance(arg, str | devices.device):
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

    # --- new tensors like this one (its dtype unless told otherwise) ------------------------
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        from autodiff_repl.engine import creation
        if isinstance(data, Tensor):
            warnings.warn("To copy construct from a tensor, it is recommended to use "
                          "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                          "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                          UserWarning, stacklevel=2)
        return creation.tensor(data._data if isinstance(data, Tensor) else data,
                               dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
        from autodiff_repl.engine import creation
        if not isinstance(size, tuple | list | Size):
            raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {type(size).__name__}")
        return creation.full(size, fill_value, dtype=dtype or self.dtype,
                             requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        return self.new_full(_shape_args(size), 1, dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        return self.new_full(_shape_args(size), 0, dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        return self.new_full(_shape_args(size), 0, dtype, requires_grad=requires_grad)


class _HookHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook away."""

    __slots__ = ("_hook", "_hooks")

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __repr__(self) -> str:  # PyTorch's class for it
        return f"<torch.utils.hooks.RemovableHandle object at {id(self):#x}>"


def _weak(t: Tensor):
    import weakref
    return weakref.ref(t)


def take_node(t: Tensor, result: Tensor) -> None:
    """``t`` was updated in place with a graph: it takes ``result``'s node (``y += 1`` gives
    ``y`` the node ``AddBackward0``), which then names ``t`` as its output in explanations."""
    t._node, t._rg = result._node, True
    if RECORDING.keep_values:
        t._node.output = weakref.ref(t)


def _alias(t: Tensor) -> Tensor:
    """A second tensor object for ``t``'s current value and node (the input of an update)."""
    a = Tensor._wrap(t._data)
    a._node, a._rg, a._leaf, a._tangent = t._node, t._rg, t._grad_leaf(), t._tangent
    return a


def _init(t: Tensor, data: np.ndarray) -> None:
    t._data = data
    t._rg = False
    t._node = None


def _shape_args(args) -> tuple:
    """``reshape(2, 3)`` and ``reshape((2, 3))`` both mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], tuple | list | Size):
        return tuple(args[0])
    return tuple(args)


def _to_array(data, dtype: dtypes.DType | None) -> np.ndarray:
    from autodiff_repl.engine.creation import to_array
    return to_array(data, dtype)


# The functions tensors' methods call; they build on Tensor, so they come after it (the package
# imports this module first, so they find it complete), in the order they build on each other.
from autodiff_repl.engine import backprop  # noqa: E402
from autodiff_repl.engine import functions as F  # noqa: E402

# isort: split
from autodiff_repl.engine import reductions  # noqa: E402

# isort: split
from autodiff_repl.engine import shapes  # noqa: E402

# Operators that are a module function called with the tensor first.
Tensor.__add__ = Tensor.__radd__ = F.add
Tensor.__sub__ = F.sub
Tensor.__mul__ = Tensor.__rmul__ = F.mul
Tensor.__truediv__ = F.div
Tensor.__pow__ = F.pow
Tensor.__neg__ = F.neg
