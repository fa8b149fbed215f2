"""Validate a whole input before any of it runs.

The language is Python's syntax, but only the node types in ``ALLOWED`` may appear. Everything
else (``class``, ``try``, ``raise``, ``yield``, ``global``, ``async`` ...) is refused with a
``SyntaxError`` that says so. Names and attributes starting with ``_`` are refused here, on the
syntax tree -- after Python has normalised Unicode, so ``()._＿class＿＿`` is caught as
``__class__``. Imports are checked against the modules the language knows. Because the check
covers the whole input first, ``y = 1; import os`` binds nothing.
"""

from __future__ import annotations

import ast

from autodiff_repl.lang.errors import LangError
from autodiff_repl.lang.limits import Limits

UNDERSCORED = frozenset({"_version"})
"""Attribute names starting with ``_`` that are PyTorch's public API (``_version`` is the version
counter the "modified by an inplace operation" error talks about); all others are private."""

ALLOWED: frozenset[type] = frozenset({
    ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Pass,
    ast.Name, ast.Load, ast.Store, ast.Del, ast.Constant, ast.Starred,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.NamedExpr,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult,
    ast.LShift, ast.RShift, ast.BitOr, ast.BitAnd, ast.BitXor,
    ast.UAdd, ast.USub, ast.Not, ast.Invert, ast.And, ast.Or,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
    ast.Call, ast.keyword, ast.Attribute, ast.Subscript, ast.Slice,
    ast.Tuple, ast.List, ast.Dict, ast.Set,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension,
    ast.JoinedStr, ast.FormattedValue,
    ast.FunctionDef, ast.Lambda, ast.arguments, ast.arg, ast.Return,
    ast.If, ast.While, ast.For, ast.Break, ast.Continue, ast.With, ast.withitem, ast.Assert,
    ast.Import, ast.ImportFrom, ast.alias,
})

MODULES = frozenset({
    "torch", "torch.autograd", "torch.autograd.functional", "torch.autograd.forward_ad",
    "torch.nn", "torch.nn.functional", "torch.cuda", "torch.linalg", "numpy", "numpy.random",
    "numpy.linalg", "math",
})
"""The modules an ``import`` may name."""

FOREIGN = {
    "mxnet": "this is d2l's MXNet tab; here you write PyTorch: `import torch`. MXNet's "
             "np.arange(4.0) is torch.arange(4.0), x.attach_grad() is x.requires_grad_(), and "
             "`with autograd.record():` is not needed",
    "d2l": "the d2l helper package is not available here; the autograd chapter needs only "
           "`import torch`",
    "tensorflow": "this is d2l's TensorFlow tab; here you write PyTorch: `import torch`. "
                  "tf.GradientTape is not needed: call y.backward() and read x.grad",
    "jax": "this is d2l's JAX tab; here you write PyTorch: `import torch`. jax.grad(f)(x) is "
           "torch.autograd.grad(f(x), x)",
}
"""Modules of other frameworks: refused with a translation into PyTorch."""

_REFUSED = {
    ast.ClassDef: ("class definitions are not supported here",
                   "define functions with def; tensors come from torch"),
    ast.Try: ("'try' statements are not supported here",
              "let the error show: each error comes with its explanation"),
    ast.Raise: ("'raise' statements are not supported here",
                "use assert condition, 'message' to check a fact"),
    ast.Global: ("'global' statements are not supported here",
                 "return the new value from the function and assign it outside"),
    ast.Nonlocal: ("'nonlocal' statements are not supported here",
                   "return the new value from the function and assign it outside"),
    ast.Yield: ("generators ('yield') are not supported here", "build and return a list"),
    ast.YieldFrom: ("generators ('yield') are not supported here", "build and return a list"),
    ast.AsyncFunctionDef: ("async code is not supported here", None),
    ast.Await: ("async code is not supported here", None),
    ast.AsyncFor: ("async code is not supported here", None),
    ast.AsyncWith: ("async code is not supported here", None),
    ast.Match: ("'match' statements are not supported here", "use if/elif/else"),
}


def check(tree: ast.Module, limits: Limits) -> None:
    """Raise ``LangError`` for the first node the language refuses; return None if all is fine.

    The walk is iterative (an explicit stack), so a deep tree cannot overflow Python's stack;
    depth and size are limited too.
    """
    count = 0
    stack: list[tuple[ast.AST, int, bool, bool]] = [(tree, 0, False, False)]
    while stack:
        node, depth, in_function, in_loop = stack.pop()
        count += 1
        if count > limits.max_nodes:
            raise LangError("LimitError", f"the input has more than {limits.max_nodes:,} syntax "
                            "nodes", ("split it into smaller pieces",), node)
        if depth > limits.max_nesting_depth:
            raise LangError("LimitError", f"the input is nested more than "
                            f"{limits.max_nesting_depth} levels deep",
                            ("split the expression into several statements with intermediate "
                             "names",), node)
        _check_node(node)
        _check_context(node, in_function, in_loop)
        if isinstance(node, ast.FunctionDef | ast.Lambda):
            in_function, in_loop = True, False
        for child in ast.iter_child_nodes(node):
            loop_body = isinstance(node, ast.For | ast.While) and child in node.body
            stack.append((child, depth + 1, in_function, in_loop or loop_body))


def _check_context(node: ast.AST, in_function: bool, in_loop: bool) -> None:
    """``return`` only in a function, ``break``/``continue`` only in a loop (as Python says)."""
    if isinstance(node, ast.Return) and not in_function:
        raise LangError("SyntaxError", "'return' outside function", (), node)
    if isinstance(node, ast.Break) and not in_loop:
        raise LangError("SyntaxError", "'break' outside loop", (), node)
    if isinstance(node, ast.Continue) and not in_loop:
        raise LangError("SyntaxError", "'continue' not properly in loop", (), node)


def _check_node(node: ast.AST) -> None:
    kind = type(node)
    if kind not in ALLOWED:
        raise _refusal(node)
    if isinstance(node, ast.Name):
        _check_name(node.id, node)
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_") and node.attr not in UNDERSCORED:
            raise LangError("AttributeError", f"attribute '{node.attr}' is not available: names "
                            "starting with '_' are private", _PRIVATE_HINTS, node)
    elif isinstance(node, ast.arg):
        _check_name(node.arg, node)
    elif isinstance(node, ast.keyword):
        if node.arg is not None and node.arg.startswith("_"):
            raise LangError("SyntaxError", f"keyword argument '{node.arg}' is not available: "
                            "names starting with '_' are private", (), node)
    elif isinstance(node, ast.FunctionDef):
        _check_name(node.name, node)
    elif isinstance(node, ast.Constant):
        _check_constant(node)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            _check_module(alias.name, node)
            if alias.asname:
                _check_name(alias.asname, node)
    elif isinstance(node, ast.ImportFrom):
        module = ("." * node.level) + (node.module or "")
        _check_module(module, node)
        for alias in node.names:
            if alias.name == "*":
                raise LangError("SyntaxError", f"'from {module} import *' is not supported here",
                                (f"import the names you need: from {module} import ...",), node)
            _check_name(alias.asname or alias.name, node)


_PRIVATE_HINTS = ("the language gives access to PyTorch's public API only",)


def _check_name(name: str, node: ast.AST) -> None:
    if name.startswith("_") and name != "_":
        raise LangError("NameError", f"name '{name}' is not available: names starting with '_' "
                        "are private", _PRIVATE_HINTS, node)


def _check_constant(node: ast.Constant) -> None:
    value = node.value
    if isinstance(value, complex):
        raise LangError("SyntaxError", "complex numbers are not supported here",
                        ("the engine works with real numbers",), node)
    if isinstance(value, bytes):
        raise LangError("SyntaxError", "bytes literals are not supported here",
                        ("use a str: 'text'",), node)


def _check_module(module: str, node: ast.AST) -> None:
    if module in MODULES:
        return
    top = module.split(".")[0]
    if top in FOREIGN:
        raise LangError("ModuleNotFoundError", f"No module named '{top}'", (FOREIGN[top],), node)
    raise LangError("ImportError", f"import of '{module}' is not allowed here",
                    ("only torch (torch.autograd, torch.nn.functional ...), numpy and math can "
                     "be imported",), node)


def _refusal(node: ast.AST) -> LangError:
    kind = type(node)
    if kind in _REFUSED:
        message, hint = _REFUSED[kind]
        return LangError("SyntaxError", message, (hint,) if hint else (), node)
    return LangError("SyntaxError", f"{_describe(kind)} is not supported here", (), node)


def _describe(kind: type) -> str:
    names = {"ExceptHandler": "'except'", "TypeIgnore": "a type comment"}
    return names.get(kind.__name__, f"'{kind.__name__}'")
