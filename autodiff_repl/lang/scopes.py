"""Where names live: the session's variables (``GlobalScope``) and a call's locals
(``FunctionScope``).

``GlobalScope`` makes each top-level statement a transaction: its bindings wait in ``pending``
until the statement succeeds (``commit``) or are dropped if it fails (``rollback``). Python's
rule for functions holds: a name assigned anywhere in a function body is local to it
(``assigned_names`` finds those names before the call runs).
"""

from __future__ import annotations

import ast

MISSING = object()
"""Marks "no such name" (None is a value a name can hold)."""


class GlobalScope:
    """The session's variables, with the pending bindings of the statement running now."""

    def __init__(self) -> None:
        self.committed: dict = {}
        self.pending: dict = {}
        self.deleted: set = set()

    def get(self, name: str, default=MISSING):
        if name in self.pending:
            return self.pending[name]
        if name in self.deleted:
            return default
        return self.committed.get(name, default)

    def assign(self, name: str, value) -> None:
        self.pending[name] = value
        self.deleted.discard(name)

    def delete(self, name: str) -> None:
        if self.get(name) is MISSING:
            raise NameError(f"name '{name}' is not defined")
        self.pending.pop(name, None)
        self.deleted.add(name)

    def commit(self) -> None:
        for name in self.deleted:
            self.committed.pop(name, None)
        self.committed.update(self.pending)
        self.rollback()

    def rollback(self) -> None:
        self.pending = {}
        self.deleted = set()

    def names(self) -> set[str]:
        return (set(self.committed) - self.deleted) | set(self.pending)


class FunctionScope:
    """The locals of one call (or one comprehension), inside ``parent``."""

    __slots__ = ("local_names", "parent", "values")

    def __init__(self, local_names: frozenset, parent) -> None:
        self.local_names = local_names
        self.parent = parent
        self.values: dict = {}


Scope = GlobalScope | FunctionScope


def assigned_names(body: list[ast.AST], args: ast.arguments | None = None) -> frozenset:
    """The names a function body binds (Python makes them local), not looking into nested
    functions or comprehensions."""
    names = set()
    if args is not None:
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if a is not None:
                names.add(a.arg)
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            continue
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp
                      | ast.GeneratorExp):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return frozenset(names)
