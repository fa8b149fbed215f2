"""The interpreter: it walks the checked syntax tree and runs it. No ``eval``, ``exec`` or
``compile`` ever sees the learner's text.

Each node type has one method here (``exec_If``, ``eval_BinOp`` ...). Names live in ``scopes``
(the session's variables, committed when each top-level statement ends; a call's locals). Attribute
access goes through ``attributes`` (an allowlist); functions the learner defines are
``functions.UserFunction``. Every loop iteration and call ticks a counter and a clock, so limits
are checked while the code runs; ``sizes`` checks an operator's result size before computing it.
"""

from __future__ import annotations

import ast
import builtins
import math
import operator
import re
import time
from collections.abc import Callable, Iterable

import numpy as np

from autodiff_repl import engine
from autodiff_repl.engine import grad_mode
from autodiff_repl.engine.autograd import forward_ad
from autodiff_repl.engine.limits import check_numel
from autodiff_repl.lang import attributes, classes, numpy_tensors, passes
from autodiff_repl.lang.errors import LangError
from autodiff_repl.lang.functions import NO_DEFAULT, BuiltinFunction, UserFunction, bind_arguments
from autodiff_repl.lang.limits import LimitError, Limits, resident_bytes
from autodiff_repl.lang.math_module import build_math
from autodiff_repl.lang.namespace import Module, submodule
from autodiff_repl.lang.scopes import MISSING, FunctionScope, GlobalScope, Scope, assigned_names
from autodiff_repl.lang.sizes import CONTAINERS, check_arrays, check_operands, nested_weight


class ReturnValue(Exception):
    """``return`` unwinding to the call that runs the function."""

    def __init__(self, value) -> None:
        self.value = value


class BreakLoop(Exception):
    """``break`` unwinding to its loop."""


class ContinueLoop(Exception):
    """``continue`` unwinding to its loop."""


CONTEXT_MANAGERS = (grad_mode._GradMode, forward_ad.dual_level)
LAZY_BUILTINS = frozenset(id(f) for f in (len, zip, enumerate, reversed, isinstance, range, bool))
"""Builtins that take a range without iterating all of it."""

BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.MatMult: operator.matmul, ast.LShift: operator.lshift,
    ast.RShift: operator.rshift, ast.BitOr: operator.or_, ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor,
}
INPLACE = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
    ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
    ast.Pow: operator.ipow, ast.MatMult: operator.imatmul, ast.LShift: operator.ilshift,
    ast.RShift: operator.irshift, ast.BitOr: operator.ior, ast.BitAnd: operator.iand,
    ast.BitXor: operator.ixor,
}
COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: classes.same,
    ast.IsNot: lambda a, b: not classes.same(a, b),
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_,
         ast.Invert: operator.invert}
_SPEC_NUMBERS = re.compile(r"\d+")


class Interpreter:
    """Runs checked syntax trees against a ``GlobalScope`` and a table of built-in names.

    ``emit(output)`` receives printed text; ``on_echo(value, node)`` receives the value of each
    top-level expression statement; ``note(text)`` shows a hint.
    """

    def __init__(self, scope: GlobalScope, builtin_names: dict, limits: Limits,
                 emit: Callable, on_echo: Callable, torch: Module, numpy: Module) -> None:
        self.globals = scope
        self.builtins = builtin_names
        self.limits = limits
        self.emit = emit
        self.on_echo = on_echo
        self.torch = torch
        self.numpy = numpy
        self.math = build_math(limits)
        self.last_value = MISSING
        self.last_attribute: tuple | None = None
        self.subject: tuple | None = None
        """(node, value) of what the last call worked on, for error hints: the receiver of a
        method (``y`` in ``y.backward()``), else the first argument (``r`` in
        ``torch.autograd.grad(r, q)``, ``[1, 2]`` in ``torch.tensor([1, 2])``)."""
        self.last_call: ast.Call | None = None
        """The call started last (the one that failed, when a call fails)."""
        self.passes = passes.Passes()
        """The backward passes run so far that freed a graph (for the hints)."""
        self.current: ast.AST | None = None
        self.depth = 0
        self.iterations = 0
        self.deadline = math.inf
        self.memory_baseline: int | None = None
        self.next_memory_check = 0.0
        self.output_chars = 0
        self._print_buffer = ""
        self._checked_calls = self._make_checked_calls()

    # --- running ---------------------------------------------------------------------------
    def start_statement(self) -> None:
        """Reset the per-statement counters and the clock."""
        self.iterations = 0
        self.depth = 0
        self.subject = None
        self.last_call = None
        self.deadline = time.monotonic() + self.limits.time_per_statement
        self.memory_baseline = resident_bytes()
        self.next_memory_check = 0.0
        self.output_chars = 0

    def run_statement(self, stmt: ast.stmt) -> None:
        """Run one top-level statement (its expression statements echo)."""
        self.start_statement()
        try:
            self.exec_stmt(stmt, self.globals, echo=True)
        finally:
            self.flush_print()

    def forget(self) -> None:
        """Drop the references kept for error messages, so failed values can be freed."""
        self.subject = None
        self.last_call = None
        self.last_attribute = None
        self.current = None

    def evaluate(self, node: ast.expr):
        """The value of one expression in the session's scope (for commands)."""
        self.start_statement()
        try:
            return self.eval(node, self.globals)
        finally:
            self.flush_print()

    def tick(self) -> None:
        """One more loop iteration or call: check the iteration and time limits."""
        self.iterations += 1
        if self.iterations > self.limits.max_loop_iterations:
            raise LimitError(f"the statement ran more than {self.limits.max_loop_iterations:,} "
                             "loop iterations",
                             "check the loop's condition; the limit is "
                             "Limits.max_loop_iterations")
        now = time.monotonic()
        if now > self.deadline:
            raise LimitError(f"the statement ran longer than {self.limits.time_per_statement:g} "
                             "seconds", "check the loop's condition; the limit is "
                             "Limits.time_per_statement")
        if now > self.next_memory_check and self.memory_baseline is not None:
            self.next_memory_check = now + 0.005
            self.check_memory()

    def check_memory(self) -> None:
        """Stop a statement whose values have made the process grow past the limit."""
        now = resident_bytes()
        if now is not None and now - self.memory_baseline > self.limits.max_memory_growth:
            grown = (now - self.memory_baseline) / 1024**3
            raise LimitError(f"the statement made the session grow by {grown:.1f} GiB of memory; "
                             f"the limit is {self.limits.max_memory_growth / 1024**3:g} GiB",
                             "keep fewer or smaller tensors (a list of big tensors adds up)")

    # --- statements ------------------------------------------------------------------------
    def exec_block(self, body: list[ast.stmt], scope: Scope, echo: bool) -> None:
        for stmt in body:
            self.exec_stmt(stmt, scope, echo)

    def exec_stmt(self, node: ast.stmt, scope: Scope, echo: bool = False) -> None:
        self.current = node
        getattr(self, "exec_" + type(node).__name__)(node, scope, echo)

    def exec_Expr(self, node: ast.Expr, scope, echo):
        value = self.eval(node.value, scope)
        if echo:
            self.flush_print()
            self.on_echo(value, node.value)

    def exec_Assign(self, node: ast.Assign, scope, echo):
        value = self.eval(node.value, scope)
        for target in node.targets:
            self.assign(target, value, scope)

    def exec_AnnAssign(self, node: ast.AnnAssign, scope, echo):
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, scope), scope)

    def exec_AugAssign(self, node: ast.AugAssign, scope, echo):
        target = node.target
        op = type(node.op)
        if isinstance(target, ast.Name):
            old = self.lookup(target.id, scope)
            self.bind(target.id, self.binop(op, old, self.eval(node.value, scope), True), scope)
        elif isinstance(target, ast.Attribute):
            obj = self.eval(target.value, scope)
            old = attributes.load(obj, target.attr, self.limits)
            new = self.binop(op, old, self.eval(node.value, scope), True)
            attributes.store(obj, target.attr, new)
        else:
            obj = self.eval(target.value, scope)
            index = self.eval(target.slice, scope)
            new = self.binop(op, obj[index], self.eval(node.value, scope), True)
            obj[index] = new

    def exec_Delete(self, node: ast.Delete, scope, echo):
        for target in node.targets:
            if isinstance(target, ast.Name):
                if isinstance(scope, FunctionScope) and target.id in scope.local_names:
                    if target.id not in scope.values:
                        raise NameError(f"name '{target.id}' is not defined")
                    del scope.values[target.id]
                elif self.globals.get(target.id) is MISSING and target.id in self.builtins:
                    raise LangError("NameError", f"name '{target.id}' is not defined",
                                    (f"{target.id} is a built-in name; del removes only your own "
                                     "variables",), target)
                else:
                    self.globals.delete(target.id)
            elif isinstance(target, ast.Subscript):
                obj = self.eval(target.value, scope)
                del obj[self.eval(target.slice, scope)]
            elif isinstance(target, ast.Attribute):
                raise AttributeError(f"cannot delete attribute '{target.attr}' here")
            else:
                for item in target.elts:
                    self.exec_Delete(ast.Delete(targets=[item]), scope, echo)

    def exec_Pass(self, node, scope, echo):
        pass

    def exec_Break(self, node, scope, echo):
        raise BreakLoop

    def exec_Continue(self, node, scope, echo):
        raise ContinueLoop

    def exec_Return(self, node: ast.Return, scope, echo):
        raise ReturnValue(None if node.value is None else self.eval(node.value, scope))

    def exec_If(self, node: ast.If, scope, echo):
        if self.truth(self.eval(node.test, scope)):
            self.exec_block(node.body, scope, echo)
        else:
            self.exec_block(node.orelse, scope, echo)

    def loop_body(self, node: ast.While | ast.For, scope, echo) -> bool:
        """One pass of a loop's body (counted against the limits); False after ``break``."""
        self.tick()
        try:
            self.exec_block(node.body, scope, echo)
        except BreakLoop:
            return False
        except ContinueLoop:
            pass
        return True

    def exec_While(self, node: ast.While, scope, echo):
        while self.truth(self.eval(node.test, scope)):
            if not self.loop_body(node, scope, echo):
                return
        self.exec_block(node.orelse, scope, echo)

    def exec_For(self, node: ast.For, scope, echo):
        for item in self.eval(node.iter, scope):
            self.assign(node.target, item, scope)
            if not self.loop_body(node, scope, echo):
                return
        self.exec_block(node.orelse, scope, echo)

    def exec_With(self, node: ast.With, scope, echo):
        entered = []
        try:
            for item in node.items:
                manager = self.eval(item.context_expr, scope)
                if not isinstance(manager, CONTEXT_MANAGERS):
                    raise TypeError(f"'{attributes.type_name(manager)}' object does not support "
                                    "the context manager protocol")
                value = manager.__enter__()
                entered.append(manager)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, value, scope)
            self.exec_block(node.body, scope, echo)
        finally:
            for manager in reversed(entered):
                manager.__exit__(None, None, None)

    def exec_Assert(self, node: ast.Assert, scope, echo):
        if not self.truth(self.eval(node.test, scope)):
            message = None if node.msg is None else self.eval(node.msg, scope)
            raise AssertionError(*(() if message is None else (message,)))

    def exec_FunctionDef(self, node: ast.FunctionDef, scope, echo):
        decorators = [self.eval(d, scope) for d in node.decorator_list]
        fn = self.make_function(node.name, node.args, node.body, False, scope)
        for decorator in reversed(decorators):
            fn = self.call(decorator, (fn,), {})
        self.bind(node.name, fn, scope)

    def exec_Import(self, node: ast.Import, scope, echo):
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, self.module(alias.name), scope)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, self.module(top), scope)

    def exec_ImportFrom(self, node: ast.ImportFrom, scope, echo):
        module = self.module(node.module)
        for alias in node.names:
            if alias.name not in module.members:
                raise ImportError(f"cannot import name '{alias.name}' from '{node.module}'")
            self.bind(alias.asname or alias.name, module.members[alias.name], scope)

    def module(self, dotted: str) -> Module:
        top = dotted.split(".")[0]
        if top == "math":
            return self.math
        return submodule(self.numpy if top == "numpy" else self.torch, dotted)

    # --- names -----------------------------------------------------------------------------
    def lookup(self, name: str, scope: Scope):
        s = scope
        while isinstance(s, FunctionScope):
            if name in s.local_names:
                if name in s.values:
                    return s.values[name]
                if s is scope:
                    raise UnboundLocalError(f"cannot access local variable '{name}' where it "
                                            "is not associated with a value")
                raise NameError(f"cannot access free variable '{name}' where it is not "
                                "associated with a value in enclosing scope")
            s = s.parent
        value = s.get(name)
        if value is not MISSING:
            return value
        if name == "_" and self.last_value is not MISSING:
            return self.last_value
        if name in self.builtins:
            return self.builtins[name]
        raise NameError(f"name '{name}' is not defined")

    def bind(self, name: str, value, scope: Scope) -> None:
        if isinstance(scope, FunctionScope):
            scope.values[name] = value
        else:
            self.globals.assign(name, value)

    def assign(self, target: ast.expr, value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value, scope)
        elif isinstance(target, ast.Tuple | ast.List):
            self.unpack(target.elts, value, scope)
        elif isinstance(target, ast.Attribute):
            obj = self.eval(target.value, scope)
            try:
                attributes.store(obj, target.attr, value)
            except AttributeError:
                self.subject = (target.value, obj)
                raise
        elif isinstance(target, ast.Subscript):
            obj = self.eval(target.value, scope)
            obj[self.eval(target.slice, scope)] = value
        else:
            raise LangError("SyntaxError", "cannot assign to this expression", (), target)

    def unpack(self, targets: list[ast.expr], value, scope: Scope) -> None:
        starred = [i for i, t in enumerate(targets) if isinstance(t, ast.Starred)]
        if starred:
            items = self.bounded_list(value)
            i = starred[0]
            after = len(targets) - i - 1
            if len(items) < len(targets) - 1:
                raise ValueError(f"not enough values to unpack (expected at least "
                                 f"{len(targets) - 1}, got {len(items)})")
            for t, v in zip(targets[:i], items[:i], strict=False):
                self.assign(t, v, scope)
            self.assign(targets[i].value, items[i:len(items) - after], scope)
            for t, v in zip(targets[i + 1:], items[len(items) - after:], strict=False):
                self.assign(t, v, scope)
            return
        items = []
        for v in value:
            items.append(v)
            if len(items) > len(targets):
                raise ValueError(f"too many values to unpack (expected {len(targets)})")
        if len(items) < len(targets):
            raise ValueError(f"not enough values to unpack (expected {len(targets)}, got "
                             f"{len(items)})")
        for t, v in zip(targets, items, strict=False):
            self.assign(t, v, scope)

    # --- expressions -----------------------------------------------------------------------
    def eval(self, node: ast.expr, scope: Scope):
        return getattr(self, "eval_" + type(node).__name__)(node, scope)

    def eval_Constant(self, node: ast.Constant, scope):
        return node.value

    def eval_Name(self, node: ast.Name, scope):
        return self.lookup(node.id, scope)

    def eval_BinOp(self, node: ast.BinOp, scope):
        return self.binop(type(node.op), self.eval(node.left, scope),
                          self.eval(node.right, scope))

    def eval_UnaryOp(self, node: ast.UnaryOp, scope):
        value = self.eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not self.truth(value)
        return UNARY[type(node.op)](value)

    def eval_BoolOp(self, node: ast.BoolOp, scope):
        is_and = isinstance(node.op, ast.And)
        value = None
        for operand in node.values:
            value = self.eval(operand, scope)
            if self.truth(value) != is_and:
                return value
        return value

    def eval_Compare(self, node: ast.Compare, scope):
        left = self.eval(node.left, scope)
        result = True
        for op, right_node in zip(node.ops, node.comparators, strict=False):
            right = self.eval(right_node, scope)
            if isinstance(op, ast.In | ast.NotIn) and not isinstance(right, CONTAINERS):
                right = self.bounded_list(right)
            elif not isinstance(op, ast.Is | ast.IsNot):
                check_arrays(type(op), left, right)
            if isinstance(op, numpy_tensors.COMPARISONS) and numpy_tensors.mixed(left, right):
                result = numpy_tensors.compare(type(op), left, right)
            else:
                result = COMPARE[type(op)](left, right)
            if len(node.ops) > 1 and not self.truth(result):
                return result
            left = right
        return result

    def eval_IfExp(self, node: ast.IfExp, scope):
        if self.truth(self.eval(node.test, scope)):
            return self.eval(node.body, scope)
        return self.eval(node.orelse, scope)

    def eval_NamedExpr(self, node: ast.NamedExpr, scope):
        value = self.eval(node.value, scope)
        self.bind(node.target.id, value, scope)
        return value

    def eval_Attribute(self, node: ast.Attribute, scope):
        obj = self.eval(node.value, scope)
        try:
            value = attributes.load(obj, node.attr, self.limits)
        except AttributeError:
            self.subject = (node.value, obj)
            raise
        self.last_attribute = (node, obj)
        return value

    def eval_Subscript(self, node: ast.Subscript, scope):
        obj = self.eval(node.value, scope)
        return obj[self.eval(node.slice, scope)]

    def eval_Slice(self, node: ast.Slice, scope):
        parts = (node.lower, node.upper, node.step)
        return slice(*(None if p is None else self.eval(p, scope) for p in parts))

    def eval_Tuple(self, node: ast.Tuple, scope):
        return tuple(self.elements(node.elts, scope))

    def eval_List(self, node: ast.List, scope):
        return self.elements(node.elts, scope)

    def eval_Set(self, node: ast.Set, scope):
        return set(self.elements(node.elts, scope))

    def eval_Dict(self, node: ast.Dict, scope):
        result = {}
        for key, value in zip(node.keys, node.values, strict=False):
            if key is None:
                mapping = self.eval(value, scope)
                if not isinstance(mapping, dict):
                    raise TypeError(f"'{attributes.type_name(mapping)}' object is not a mapping")
                result.update(mapping)
            else:
                result[self.eval(key, scope)] = self.eval(value, scope)
            self.check_length(len(result))
        return result

    def elements(self, nodes: list[ast.expr], scope) -> list:
        items: list = []
        for n in nodes:
            if isinstance(n, ast.Starred):
                items.extend(self.bounded_list(self.eval(n.value, scope)))
                self.check_length(len(items))
            else:
                items.append(self.eval(n, scope))
        return items

    def eval_Starred(self, node: ast.Starred, scope):
        raise LangError("SyntaxError", "can't use starred expression here", (), node)

    def eval_Lambda(self, node: ast.Lambda, scope):
        return self.make_function("<lambda>", node.args, node.body, True, scope)

    def eval_JoinedStr(self, node: ast.JoinedStr, scope):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            else:
                parts.append(self.eval(value, scope))
        text = "".join(parts)
        self.check_length(len(text))
        return text

    def eval_FormattedValue(self, node: ast.FormattedValue, scope):
        value = self.eval(node.value, scope)
        self.check_showable(value)
        if node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion == ord("s"):
            value = str(value)
        elif node.conversion == ord("a"):
            value = ascii(value)
        spec = "" if node.format_spec is None else self.eval(node.format_spec, scope)
        for number in _SPEC_NUMBERS.findall(spec):
            if int(number) > self.limits.max_format_width:
                raise LimitError(f"the format spec '{spec}' asks for {int(number):,} characters; "
                                 f"the limit is {self.limits.max_format_width:,}")
        return format(value, spec)

    def eval_ListComp(self, node: ast.ListComp, scope):
        items: list = []
        self.comprehension(node.generators, scope, lambda s: items.append(self.eval(node.elt, s)),
                           items)
        return items

    def eval_GeneratorExp(self, node: ast.GeneratorExp, scope):
        return self.eval_ListComp(node, scope)

    def eval_SetComp(self, node: ast.SetComp, scope):
        items: set = set()
        self.comprehension(node.generators, scope, lambda s: items.add(self.eval(node.elt, s)),
                           items)
        return items

    def eval_DictComp(self, node: ast.DictComp, scope):
        items: dict = {}

        def add(s):
            items[self.eval(node.key, s)] = self.eval(node.value, s)
        self.comprehension(node.generators, scope, add, items)
        return items

    def comprehension(self, generators: list[ast.comprehension], scope: Scope, add: Callable,
                      result) -> None:
        """Run a comprehension's loops in a scope of their own (as Python 3 does)."""
        names = assigned_names([g.target for g in generators])
        inner = FunctionScope(names, scope)
        first = self.eval(generators[0].iter, scope)
        self._comprehension_level(generators, 0, first, inner, add, result)

    def _comprehension_level(self, generators, level: int, iterable, inner: FunctionScope,
                             add: Callable, result) -> None:
        gen = generators[level]
        for item in iterable:
            self.tick()
            self.assign(gen.target, item, inner)
            if all(self.truth(self.eval(cond, inner)) for cond in gen.ifs):
                if level + 1 < len(generators):
                    nested = self.eval(generators[level + 1].iter, inner)
                    self._comprehension_level(generators, level + 1, nested, inner, add, result)
                else:
                    add(inner)
                    self.check_length(len(result))

    # --- operators with size checks --------------------------------------------------------
    def binop(self, op: type, a, b, inplace: bool = False):
        check_operands(op, a, b, self.limits)
        if numpy_tensors.mixed(a, b):
            return numpy_tensors.operate(op, a, b, inplace)
        return (INPLACE if inplace else BINARY)[op](a, b)

    def truth(self, value) -> bool:
        return bool(value)

    def check_length(self, n: int) -> None:
        if n > self.limits.max_sequence_length:
            raise LimitError(f"the value would have more than "
                             f"{self.limits.max_sequence_length:,} items; that is the limit")

    def check_showable(self, value) -> None:
        """Refuse to turn a value into text when the text would be enormous (nested lists
        sharing items: ``[[0] * 10**6] * 10**6``)."""
        if isinstance(value, list | tuple | dict | set):
            weight = nested_weight(value, self.limits.max_sequence_length)
            if weight > self.limits.max_sequence_length:
                raise LimitError(f"the value holds more than "
                                 f"{self.limits.max_sequence_length:,} items (counting repeats); "
                                 "too big to show", "look at a part of it: len(v), v[:3]")

    def bounded_list(self, iterable: Iterable) -> list:
        """``list(iterable)``, stopping with an error at the sequence limit."""
        if isinstance(iterable, range | list | tuple | str | dict | set):
            self.check_length(len(iterable))
            return list(iterable)
        if isinstance(iterable, engine.Tensor | np.ndarray):
            self.check_length(len(iterable))
        items = []
        for item in iterable:
            items.append(item)
            if len(items) % 10_000 == 0:
                self.check_length(len(items))
                self.tick()
        self.check_length(len(items))
        return items

    # --- calls -----------------------------------------------------------------------------
    def eval_Call(self, node: ast.Call, scope):
        func = self.eval(node.func, scope)
        receiver = self.last_attribute[1] if isinstance(node.func, ast.Attribute) else None
        args = self.elements(node.args, scope)
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                extra = self.eval(kw.value, scope)
                if not isinstance(extra, dict):
                    raise TypeError("argument after ** must be a mapping")
                kwargs.update(extra)
            else:
                kwargs[kw.arg] = self.eval(kw.value, scope)
        if isinstance(node.func, ast.Attribute) and not isinstance(receiver, Module):
            self.subject = (node.func.value, receiver)
        elif node.args and not isinstance(node.args[0], ast.Starred):
            self.subject = (node.args[0], args[0])
        self.last_call = node
        result = self.call(func, tuple(args), kwargs)
        outputs = passes.outputs_of(func, args, kwargs)
        if outputs is not None:
            self.passes.add(ast.unparse(node), outputs)
        return result

    def call(self, func, args: tuple, kwargs: dict):
        if isinstance(func, UserFunction):
            return self.call_user(func, args, kwargs)
        if isinstance(func, classes.PyClass):  # type(x)(...): the class, if it has a name here
            if func.callable_as is None:
                raise TypeError(f"{func!r} cannot be called here; call a function by its name, "
                                "e.g. torch.tensor(...)")
            func = func.callable_as
        checked = self._checked_calls.get(id(func))
        if checked is not None:
            return checked(*args, **kwargs)
        if isinstance(func, Module) or not callable(func):
            raise TypeError(f"'{attributes.type_name(func)}' object is not callable")
        for value in () if id(func) in LAZY_BUILTINS else (*args, *kwargs.values()):
            if isinstance(value, range) and len(value) > self.limits.max_sequence_length:
                raise LimitError(f"a range of {len(value):,} numbers cannot be passed to a "
                                 f"function; the limit is {self.limits.max_sequence_length:,}")
        return func(*args, **kwargs)

    def make_function(self, name, args: ast.arguments, body, is_lambda, scope) -> UserFunction:
        defaults = tuple(self.eval(d, scope) for d in args.defaults)
        kw_defaults = tuple(NO_DEFAULT if d is None else self.eval(d, scope)
                            for d in args.kw_defaults)
        return UserFunction(name, args, body, is_lambda, defaults, kw_defaults, scope, self)

    def call_user(self, fn: UserFunction, args: tuple, kwargs: dict):
        """Call a learner's function: bind its parameters, run its body, return its value."""
        self.tick()
        self.depth += 1
        try:
            if self.depth > self.limits.max_call_depth:
                raise RecursionError(f"maximum recursion depth exceeded (the limit is "
                                     f"{self.limits.max_call_depth} nested calls)")
            scope = FunctionScope(fn.local_names, fn.scope)
            bind_arguments(fn, args, kwargs, scope.values)
            if fn.is_lambda:
                return self.eval(fn.body, scope)
            try:
                self.exec_block(fn.body, scope, echo=False)
            except ReturnValue as r:
                return r.value
            return None
        finally:
            self.depth -= 1

    # --- builtins with checks --------------------------------------------------------------
    def builtin_functions(self) -> dict:
        """``print`` (into the session's output) and the builtins that consume iterables."""
        def consume(fn):
            def call(*args, **kwargs):
                if len(args) == 1:
                    args = (self.bounded_list(args[0]),)
                return fn(*args, **kwargs)
            return call

        def checked_sum(iterable, start=0):
            if not isinstance(start, int | float | engine.Tensor | np.ndarray | np.generic):
                raise TypeError("sum() can't sum sequences here; use a list comprehension")
            return builtins.sum(self.bounded_list(iterable), start)

        def checked_sorted(iterable, key=None, reverse=False):
            return builtins.sorted(self.bounded_list(iterable), key=key, reverse=reverse)

        def checked_round(number, ndigits=None):
            if ndigits is not None and abs(ndigits) > self.limits.max_format_width:
                raise LimitError(f"round(..., {ndigits}) asks for more than "
                                 f"{self.limits.max_format_width:,} digits")
            return builtins.round(number, ndigits)

        def checked_repr(obj):
            self.check_showable(obj)
            return repr(obj)

        def type_of(*args, **kwargs):
            if len(args) != 1 or kwargs:
                raise TypeError("type() takes 1 argument here: type(x) shows x's class; "
                                "classes of your own are not supported")
            return classes.type_of(args[0], self.torch, self.callable_classes())

        return {
            "repr": BuiltinFunction("repr", checked_repr),
            "type": BuiltinFunction("type", type_of),
            "round": BuiltinFunction("round", checked_round),
            "print": BuiltinFunction("print", self.print),
            "sum": BuiltinFunction("sum", checked_sum),
            "sorted": BuiltinFunction("sorted", checked_sorted),
            "min": BuiltinFunction("min", consume(builtins.min)),
            "max": BuiltinFunction("max", consume(builtins.max)),
            "any": BuiltinFunction("any", consume(builtins.any)),
            "all": BuiltinFunction("all", consume(builtins.all)),
        }

    def callable_classes(self) -> list:
        """The classes the language lets you call by name (``int``, ``list``, ``torch.Tensor``
        ...): those ``type(x)(...)`` may call too."""
        values = [*self.builtins.values(), *self.torch.members.values()]
        values = [v.callable_as if isinstance(v, classes.PyClass) else v for v in values]
        return [v for v in values if isinstance(v, type)]

    def _make_checked_calls(self) -> dict:
        """Classes whose calls build containers or arrays from their arguments: bounded."""
        def from_iterable(kind):
            def make(*args, **kwargs):
                if args and not isinstance(args[0], str | bytes):
                    args = (self.bounded_list(args[0]), *args[1:])
                return kind(*args, **kwargs)
            return make

        def tensor_class(*args, **kwargs):
            if args and all(isinstance(a, int) for a in args):
                check_numel(args)
            elif args:
                args = (self.bounded_list(args[0]) if isinstance(args[0], range) else args[0],
                        *args[1:])
            return engine.Tensor(*args, **kwargs)

        def numpy_scalar(kind):
            def make(value=0):
                if not isinstance(value, int | float | bool | str | np.generic):
                    raise TypeError(f"{kind.__name__}() takes a single number here; use "
                                    "np.array(values, dtype=...) for arrays")
                return kind(value)
            return make

        def no_ndarray(*args, **kwargs):
            raise TypeError("np.ndarray(...) is not available; use np.array, np.zeros or "
                            "np.ones")

        def checked_str(*args, **kwargs):
            if args:
                self.check_showable(args[0])
            return str(*args, **kwargs)

        def no_dtype(*args, **kwargs):
            raise TypeError("torch.dtype(...) cannot make new dtypes; use torch.float32, "
                            "torch.float64, torch.int64 ...")

        calls = {id(kind): from_iterable(kind) for kind in (list, tuple, set, dict, engine.Size)}
        calls[id(str)] = checked_str
        calls[id(engine.dtype)] = no_dtype
        calls[id(engine.Tensor)] = tensor_class
        calls[id(np.ndarray)] = no_ndarray
        for kind in (np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_):
            calls[id(kind)] = numpy_scalar(kind)
        return calls

    def print(self, *args, sep=" ", end="\n", file=None, flush=False) -> None:
        """Python's ``print``, writing into the session's output."""
        if file is not None:
            raise TypeError("print(file=...) is not supported here")
        sep = " " if sep is None else sep
        end = "\n" if end is None else end
        if not isinstance(sep, str) or not isinstance(end, str):
            raise TypeError("sep and end must be None or a string")
        for a in args:
            self.check_showable(a)
        text = _visible(sep.join(str(a) for a in args) + end)
        self.output_chars += len(text)
        if self.output_chars > self.limits.max_output_chars:
            raise LimitError(f"the input printed more than {self.limits.max_output_chars:,} "
                             "characters", "print less, e.g. a slice x[:10]")
        self._print_buffer += text
        if self._print_buffer.endswith("\n"):
            self.flush_print()

    def flush_print(self) -> None:
        """Hand the printed text over as one ``Printed`` output."""
        from autodiff_repl.outputs import Printed
        if self._print_buffer:
            text = self._print_buffer
            self._print_buffer = ""
            self.emit(Printed(text[:-1] if text.endswith("\n") else text))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _visible(text: str) -> str:
    """Printed text with control characters (ANSI escapes ...) shown as ``\\x1b``, not obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
