"""``Tensor``: a NumPy array, the node that produced it, and its gradient.

The attributes and methods mirror PyTorch's. This module holds the class itself: making tensors,
their attributes, ``.grad`` and ``requires_grad``, printing, conversions to Python values, and
``backward``, hooks and ``detach``. Its other methods are kept by theme in ``inplace_methods``
(``add_``, ``+=``, ``t[i] = v`` ...) and ``tensor_methods`` (operators, maths, reductions, shapes,
dtype conversions), and become ``Tensor``'s own at the end of this module. The maths lives
elsewhere: methods call ``functions``, which applies rows of the op table (``ops``); ``backprop``
runs the backward pass.
"""

from __future__ import annotations

import types
import warnings
import weakref

import numpy as np

from autodiff_repl.engine import devices, dtypes, printing, views
from autodiff_repl.engine.graph import AccumulateGrad, _next_seq
from autodiff_repl.engine.inplace import INPLACE
from autodiff_repl.engine.messages import (
    GRAD_DTYPE,
    NON_LEAF_GRAD_WARNING,
    ONLY_FLOAT_METHOD,
    ONLY_FLOAT_SETTER,
    SCALAR_WITH_GRAD,
    T_NOT_2D,
    T_OF_0D,
    warn_once,
)
from autodiff_repl.engine.tensor_types import Size

_new = object.__new__
_UNSET = object()  # requires_grad_()'s flag, when not given by name


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
    _no_grad_view = False  # a view made under no_grad() of a tensor that requires grad: it
    # requires grad too, but no gradient reaches it or its base, and grad mode refuses to update
    # it in place (PyTorch's rule)
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
            acc = _new(AccumulateGrad)  # AccumulateGrad(leaf), without __init__'s call
            acc.variable, acc.seq = None if leaf._no_grad_view else leaf, _next_seq()
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
        if type(flag) is not bool:
            raise RuntimeError("requires_grad must be a bool")
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
            warn_once(T_OF_0D if self._data.ndim == 0 else T_NOT_2D)
        return shapes.permute(self, tuple(range(self.ndim))[::-1])

    @property
    def mT(self) -> Tensor:
        return shapes.matrix_transpose(self)

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
            warn_once(SCALAR_WITH_GRAD)
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

    def __repr__(self) -> str:
        node = self._node
        label = None if node is None else node.label
        if self._base is not None and views.invalidated(self):
            label = "Invalid"  # PyTorch's repr when reading the grad_fn raises
        return printing.format_tensor(self._data, requires_grad=self._rg, grad_fn=label)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        """``f"{x}"``, ``f"{x:.3f}"`` as PyTorch formats them: a 0-dim tensor as its Python number
        (``2.5``), any other as ``str(x)``, where a spec is Python's TypeError for objects."""
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    # --- autograd ---------------------------------------------------------------------------
    def requires_grad_(self, *flag, requires_grad=_UNSET) -> Tensor:
        return self._set_requires_grad(_bool_flag(flag, requires_grad), ONLY_FLOAT_METHOD)

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
            self._node.retained = weakref.ref(self)

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
        backprop.backward(self, gradient, retain_graph, create_graph, inputs=inputs)


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


def _bool_flag(positional: tuple, by_name) -> bool:
    """``requires_grad_(flag)``'s flag, given by position or by name (``True`` if neither),
    checked as PyTorch's argument parser checks it: a bool, else its TypeError."""
    if len(positional) > 1:
        raise TypeError("requires_grad_() takes from 0 to 1 positional arguments but "
                        f"{len(positional)} were given")
    if positional and by_name is not _UNSET:
        raise TypeError("requires_grad_() got multiple values for argument 'requires_grad'")
    flag, where = (positional[0], " (position 1)") if positional else (by_name, "")
    if flag is _UNSET:
        return True
    if type(flag) is not bool:
        kind = type(flag)
        name = "torch.dtype" if kind is dtypes.DType else \
            f"numpy.{kind.__name__}" if isinstance(flag, np.generic) else kind.__name__
        raise TypeError(f"requires_grad_(): argument 'requires_grad'{where} must be bool, not "
                        f"{name}")
    return flag


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

# isort: split
from autodiff_repl.engine import functions  # noqa: E402, F401 (the methods' modules use it)

# isort: split
from autodiff_repl.engine import reductions  # noqa: E402, F401 (the methods' modules use it)

# isort: split
from autodiff_repl.engine import shapes  # noqa: E402

# isort: split
# Tensor's other methods, kept by theme in their own modules (which build on Tensor and the
# functions above), become its own: one flat class, whose attributes are found fast.
from autodiff_repl.engine import inplace_methods, tensor_methods  # noqa: E402

_NAMESPACE = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"}


def _adopt(methods: type) -> None:
    """Make the methods defined in the class ``methods`` ``Tensor``'s own."""
    for name, value in vars(methods).items():
        if name in _NAMESPACE:
            continue
        if name in vars(Tensor):
            raise TypeError(f"Tensor.{name} is defined twice")
        if isinstance(value, types.FunctionType) and \
                value.__qualname__ == f"{methods.__qualname__}.{name}":
            value.__qualname__ = f"Tensor.{name}"
        setattr(Tensor, name, value)


for _methods in (inplace_methods.InplaceMethods, tensor_methods.Operators,
                 tensor_methods.FunctionMethods, tensor_methods.Conversions):
    _adopt(_methods)
del _methods
