"""What ``type(value)`` gives in the language: a stand-in for the class, never the class itself.

A real class object is the classic way out of an expression evaluator (``type(x).__subclasses__``,
``type(f).__init__.__globals__``, ``type(type(x))('A', (), {...})`` making classes). ``PyClass``
shows the class as Python -- or PyTorch -- prints it (``<class 'torch.Tensor'>``, ``<class
'int'>``, ``<class 'MulBackward0'>``) and does what learners do with it: compare it
(``type(x) == torch.Tensor``, ``type(a) == type(b)``), use it in ``isinstance``, and call it when
the language already lets you call that class by name (``type(3)('4')`` is ``int('4')``, through
the interpreter's checked calls). It has no attributes the language lets you read, and ``is``
compares them as the classes they stand for (``same``: ``type(x) is torch.Tensor`` is True).
"""

from __future__ import annotations

import types

from autodiff_repl import engine
from autodiff_repl.engine import autograd as engine_autograd
from autodiff_repl.engine import grad_mode, rng
from autodiff_repl.engine.graph import AccumulateGrad, Node
from autodiff_repl.engine.tensor import _HookHandle
from autodiff_repl.lang.functions import BuiltinFunction, UserFunction


class PyClass:
    """The class of a value, as ``type(value)`` shows it (see the module's docstring)."""

    __slots__ = ("_cls", "_name", "callable_as")

    def __init__(self, cls: type, name: str, callable_as: type | None) -> None:
        self._cls, self._name = cls, name
        self.callable_as = callable_as
        """The class itself when the language lets you call it by name, else None."""

    def __repr__(self) -> str:
        return f"<class '{self._name}'>"

    def __eq__(self, other) -> bool:
        if isinstance(other, PyClass):
            return self._cls is other._cls and self._name == other._name
        return self._cls is other

    def __hash__(self) -> int:
        return hash((self._cls, self._name))

    def __instancecheck__(self, value) -> bool:
        return isinstance(value, self._cls)


def same(a, b) -> bool:
    """``a is b`` in the language: identity, where a stand-in is the class it stands for."""
    if isinstance(a, PyClass):
        return a == b
    if isinstance(b, PyClass):
        return b == a
    return a is b


_TORCH_CLASSES = {
    engine.Tensor: "torch.Tensor", engine.Size: "torch.Size", engine.dtype: "torch.dtype",
    engine.device: "torch.device", rng.Generator: "torch._C.Generator",
    engine_autograd.forward_ad.UnpackedDualTensor: "torch.autograd.forward_ad.UnpackedDualTensor",
    engine_autograd.forward_ad.dual_level: "torch.autograd.forward_ad.dual_level",
    _HookHandle: "torch.utils.hooks.RemovableHandle",
}
"""The engine's classes by the names PyTorch gives its own."""

PYTHON_FUNCTIONS = frozenset({
    "torch.autograd.backward", "torch.autograd.grad", "torch.autograd.gradcheck",
    "torch.autograd.gradgradcheck", "torch.autograd.forward_ad.make_dual",
    "torch.autograd.forward_ad.unpack_dual", "torch.autograd.functional.hessian",
    "torch.autograd.functional.hvp", "torch.autograd.functional.jacobian",
    "torch.autograd.functional.jvp", "torch.autograd.functional.vhp",
    "torch.autograd.functional.vjp", "torch.cuda.current_device", "torch.cuda.device_count",
    "torch.cuda.is_available", "torch.cuda.manual_seed", "torch.cuda.manual_seed_all",
    "torch.einsum", "torch.is_tensor", "torch.manual_seed", "torch.nn.functional.log_softmax",
    "torch.nn.functional.mse_loss", "torch.nn.functional.relu", "torch.nn.functional.sigmoid",
    "torch.nn.functional.softmax", "torch.nn.functional.tanh", "torch.norm",
    "torch.set_default_dtype", "torch.set_printoptions", "torch.split",
})
"""The functions of the ``torch`` facade that PyTorch writes in Python (``<class 'function'>``);
the others are built into PyTorch (``<class 'builtin_function_or_method'>``)."""


def _written_in_python(value, torch) -> bool:
    """Whether ``value`` is one of ``PYTHON_FUNCTIONS`` in the facade ``torch``."""
    from autodiff_repl.lang.namespace import Module

    stack = [(torch, "torch")]
    while stack:
        module, path = stack.pop()
        for name, member in module.members.items():
            if isinstance(member, Module):
                stack.append((member, f"{path}.{name}"))
            elif member is value and f"{path}.{name}" in PYTHON_FUNCTIONS:
                return True
    return False


def class_name(value, torch) -> str:
    """The name ``type(value)`` prints for ``value``: PyTorch's for tensors and the engine's
    objects, Python's for the rest (``torch``: the language's ``torch`` facade)."""
    from autodiff_repl.lang.attributes import Method
    from autodiff_repl.lang.namespace import Function, Module

    cls = type(value)
    if cls in _TORCH_CLASSES:
        return _TORCH_CLASSES[cls]
    if isinstance(value, Node):
        return value.label
    if isinstance(value, AccumulateGrad):
        return "AccumulateGrad"
    if isinstance(value, grad_mode._GradMode):
        return f"torch.autograd.grad_mode.{cls.__name__}"
    if cls.__qualname__.startswith("return_types."):
        return f"torch.{cls.__qualname__}"
    if isinstance(value, Module):
        return "module"
    if isinstance(value, UserFunction):
        return "function"
    if isinstance(value, BuiltinFunction | Function | Method | types.FunctionType
                  | types.MethodType):
        python = _written_in_python(value, torch)
        return "function" if python else "builtin_function_or_method"
    if value is engine.Tensor or (isinstance(value, PyClass) and value._cls is engine.Tensor):
        return "torch._C._TensorMeta"
    if isinstance(value, type | PyClass):
        return "type"
    if cls.__module__ == "numpy":
        return f"numpy.{cls.__name__}"
    return cls.__name__


def torch_class(cls: type, callable_as: type | None = None) -> PyClass:
    """The stand-in the ``torch`` facade holds for the engine's class ``cls`` (``torch.Tensor``
    shows ``<class 'torch.Tensor'>``, as ``type(x)`` does), callable as ``callable_as``."""
    if cls in _TORCH_CLASSES:
        name = _TORCH_CLASSES[cls]
    elif issubclass(cls, grad_mode._GradMode):
        name = f"torch.autograd.grad_mode.{cls.__name__}"
    else:
        name = f"torch.{cls.__qualname__}"
    return PyClass(cls, name, callable_as)


def type_of(value, torch, callable_classes) -> PyClass:
    """``type(value)``: the stand-in for its class (``torch``: the language's ``torch`` facade;
    ``callable_classes``: the classes the language lets you call by name)."""
    cls = type(value)
    callable_as = cls if any(cls is c for c in callable_classes) else None
    return PyClass(cls, class_name(value, torch), callable_as)
