"""Where names live: the session's variables (``GlobalScope``) and a call's locals
(``FunctionScope``).

``GlobalScope`` holds the bindings of the statement running now in ``pending``. When a top-level
statement ends they are kept (``commit``), also when it failed or was interrupted: as in Python,
what ran before the error stays done (a loop that fails at step 3 leaves ``step == 3``).
``rollback`` drops them, for an expression a command evaluates for a moment. Each committed name
also keeps its ``sources``: the names its value was computed from (``sources_of``), so a hint can
name the inputs of a result. The scope also dates what happened: each committed name keeps the
number of the statement that bound it, and a tensor the statement from which on it required grad,
so a hint can tell that ``w.requires_grad_()`` ran after ``v`` was computed from ``w``
(``made_before_grad``). Python's rule for functions holds: a name assigned anywhere in a
function body is local to it (``assigned_names`` finds those names before the call runs).
"""

from __future__ import annotations

import ast

from autodiff_repl.engine import Tensor

MISSING = object()
"""Marks "no such name" (None is a value a name can hold)."""


class GlobalScope:
    """The session's variables, with the pending bindings of the statement running now."""

    def __init__(self) -> None:
        self.committed: dict = {}
        self.pending: dict = {}
        self.deleted: set = set()
        self.sources: dict[str, frozenset[str]] = {}
        """Committed name -> the names its value was computed from (see ``sources_of``)."""
        self.clock = 0
        """How many top-level statements have been committed."""
        self.bound_at: dict[str, int] = {}
        """Committed name -> the number of the statement that bound it last."""
        self.grad_since: dict[str, int] = {}
        """Committed name of a tensor that requires grad -> the number of the statement that
        bound it or switched its requires_grad on (``requires_grad_()``), whichever is later."""
        self._tensors: set[str] = set()
        """The committed names that hold tensors (the ones ``commit`` looks at)."""

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

    def commit(self, statement: ast.stmt | None = None) -> None:
        """Keep the pending bindings (made by ``statement``, whose assignments give their
        sources)."""
        self.clock += 1
        for name in self.deleted:
            self.committed.pop(name, None)
            self.sources.pop(name, None)
            self.bound_at.pop(name, None)
            self.grad_since.pop(name, None)
            self._tensors.discard(name)
        found = sources_of(statement, self.sources) if statement is not None else {}
        for name, value in self.pending.items():
            self.sources[name] = found.get(name, frozenset())
            self.bound_at[name] = self.clock
            self.grad_since.pop(name, None)
            (self._tensors.add if isinstance(value, Tensor) else self._tensors.discard)(name)
        self.committed.update(self.pending)
        self.rollback()
        for name in self._tensors:
            if self.committed[name].requires_grad:
                self.grad_since.setdefault(name, self.clock)
            else:
                self.grad_since.pop(name, None)

    def made_before_grad(self, name: str) -> list[str]:
        """The variables computed from tensor ``name`` (the tensor it holds now) before it
        required grad (its ``requires_grad_()`` ran after they were bound), in the order they
        were bound: no graph leads from them back to ``name``. Empty when ``name`` does not
        require grad."""
        since = self.grad_since.get(name)
        if since is None:
            return []
        made = [n for n, src in self.sources.items()
                if name in src and n != name
                and self.bound_at[name] <= self.bound_at.get(n, since) < since]
        return sorted(made, key=lambda n: self.bound_at[n])

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


def sources_of(statement: ast.stmt, previous: dict) -> dict[str, frozenset[str]]:
    """For each name ``statement`` assigns, the names read by the expressions assigned to it
    (``v = 2 * torch.dot(w, w)`` gives ``{"v": {"torch", "w"}}``); an augmented assignment
    (``w -= lr * g``) adds to what the name came from before (``previous``). Names bound inside
    functions, lambdas and comprehensions are theirs, not the session's: not looked into."""
    found: dict[str, set] = {}

    def add(target: ast.AST, value: ast.AST | None, extend: bool = False) -> None:
        reads = _loads(value)
        for name in _target_names(target):
            into = found.setdefault(name, set(previous.get(name, ())) if extend else set())
            into |= reads - {name}

    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign):
            for target in node.targets:
                add(target, node.value)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr):
            add(node.target, node.value)
        elif isinstance(node, ast.AugAssign):
            add(node.target, node.value, extend=True)
        elif isinstance(node, ast.For):
            add(node.target, node.iter)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            add(node.optional_vars, node.context_expr)
        if isinstance(node, ast.FunctionDef | ast.Lambda | ast.ListComp | ast.SetComp
                      | ast.DictComp | ast.GeneratorExp):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return {name: frozenset(names) for name, names in found.items()}


def _loads(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, ast.Tuple | ast.List):
        return [name for item in target.elts for name in _target_names(item)]
    return []  # x[0] = ..., x.data = ...: x itself is not rebound
