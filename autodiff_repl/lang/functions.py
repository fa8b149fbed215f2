"""Functions made by the learner (``def``, ``lambda``) and the builtins the language wraps.

A ``UserFunction`` keeps its syntax tree, defaults and defining scope; calling it -- from the
learner's code or from the engine (a hook, ``jacobian(f, x)``) -- runs its body in the
interpreter with the same limits. ``bind_arguments`` binds a call's arguments with Python's rules
and error messages.
"""

from __future__ import annotations

from collections.abc import Callable

from autodiff_repl.lang.scopes import assigned_names

NO_DEFAULT = object()


class UserFunction:
    """A function made by ``def`` or ``lambda``: its syntax, defaults and defining scope.

    Calling it (also from the engine: hooks, ``jacobian(f, x)``) runs its body in the
    interpreter, with the same limits.
    """

    __slots__ = ("args", "body", "defaults", "interpreter", "is_lambda", "kw_defaults",
                 "local_names", "name", "scope")

    def __init__(self, name, args, body, is_lambda, defaults, kw_defaults, scope,
                 interpreter) -> None:
        self.name = name
        self.args = args
        self.body = body
        self.is_lambda = is_lambda
        self.defaults = defaults
        self.kw_defaults = kw_defaults
        self.scope = scope
        self.interpreter = interpreter
        self.local_names = assigned_names([body] if is_lambda else body, args)

    def __call__(self, *args, **kwargs):
        return self.interpreter.call_user(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<function {self.name}>"


class BuiltinFunction:
    """A Python builtin with checks (``print`` writes to the session, ``sum`` is bounded)."""

    __slots__ = ("fn", "name")

    def __init__(self, name: str, fn: Callable) -> None:
        self.name = name
        self.fn = fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in function {self.name}>"



def bind_arguments(fn: UserFunction, args: tuple, kwargs: dict, values: dict) -> None:
    """Bind a call's arguments to ``fn``'s parameters, with Python's error messages."""
    spec = fn.args
    name = fn.name
    positional = [a.arg for a in (*spec.posonlyargs, *spec.args)]
    if len(args) > len(positional) and spec.vararg is None:
        given = len(args)
        n = len(positional)
        raise TypeError(f"{name}() takes {n} positional argument{'s' if n != 1 else ''} but "
                        f"{given} {'were' if given != 1 else 'was'} given")
    for param, value in zip(positional, args, strict=False):
        values[param] = value
    if spec.vararg is not None:
        values[spec.vararg.arg] = tuple(args[len(positional):])
    keyword_only = [a.arg for a in spec.kwonlyargs]
    by_keyword = set(positional[len(spec.posonlyargs):]) | set(keyword_only)
    rest = {}
    for key, value in kwargs.items():
        if key in by_keyword:
            if key in values:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            values[key] = value
        elif spec.kwarg is not None:
            rest[key] = value
        else:
            raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
    if spec.kwarg is not None:
        values[spec.kwarg.arg] = rest
    first_default = len(positional) - len(fn.defaults)
    missing = []
    for i, param in enumerate(positional):
        if param not in values:
            if i >= first_default:
                values[param] = fn.defaults[i - first_default]
            else:
                missing.append(param)
    if missing:
        raise TypeError(f"{name}() missing {len(missing)} required positional "
                        f"argument{'s' if len(missing) > 1 else ''}: {_name_list(missing)}")
    for param, default in zip(keyword_only, fn.kw_defaults, strict=False):
        if param not in values:
            if default is NO_DEFAULT:
                raise TypeError(f"{name}() missing 1 required keyword-only argument: '{param}'")
            values[param] = default


def _name_list(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
