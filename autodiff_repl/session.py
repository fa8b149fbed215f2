"""A learner's session: text in, ``Output`` events out. No terminal, no colour, no I/O.

``Session.execute(text)`` is used by the REPL, ``autodiff run``, the lessons and the tests. It
reads the text as a command (``backward y``, ``:vars``) or as code; code is parsed, checked as a
whole, then run statement by statement. As in Python, what a statement did before an error or a
Ctrl-C stays done, bindings included (a loop that fails at step 3 leaves ``step == 3``); the rest
of the input is skipped. Bare expressions echo like Python's console, ``print`` output and
PyTorch's warnings are captured, and errors come back as ``Error`` events with hints instead of
tracebacks. A command word, a space and an argument is the command (``backward (z * z).sum()``;
``commands.is_command_line``), also as a line of a pasted cell; a command word typed alone
(``backward``) shows the command's usage, unless the learner made a variable of that name.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from autodiff_repl import engine
from autodiff_repl.engine import grad_mode
from autodiff_repl.engine.graph import RECORDING
from autodiff_repl.engine.limits import LIMITS
from autodiff_repl.engine.messages import WARNED_ONCE
from autodiff_repl.lang import commands, help_pages, hints
from autodiff_repl.lang.check import check
from autodiff_repl.lang.errors import LangError, from_lang_error, runtime_error, source_line
from autodiff_repl.lang.interpret import Interpreter
from autodiff_repl.lang.limits import Limits
from autodiff_repl.lang.namespace import bare_aliases, build_numpy, build_torch, python_builtins
from autodiff_repl.lang.parse import parse, prepare, split_statements
from autodiff_repl.lang.scopes import GlobalScope
from autodiff_repl.outputs import Echo, Error, Hint, Info, Output, Warning

_HELP_QUERY = re.compile(r"^([A-Za-z]\w*(?:\.[A-Za-z]\w*)*)\?$")
_RECURSION_LIMIT = 20_000


class Session:
    """One learner's variables, history and settings.

    ``Session(hints=True, seed=0, limits=None)``: ``seed`` seeds the engine's random numbers (so
    a session is reproducible); ``limits`` is a ``lang.limits.Limits`` (default limits if None).
    """

    def __init__(self, *, hints: bool = True, seed: int = 0, limits: Limits | None = None):
        self.hints = hints
        self.seed = seed
        self.limits = limits or Limits()
        self.history: list[str] = []
        """Every input given to ``execute``, in order."""
        self._succeeded: list[str] = []
        self._outputs: list[Output] | None = None
        self._notes: set[str] = set()
        self._ran: list[str] = []
        self._subject: tuple | None = None
        self.reset()

    # --- state ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget all variables; reseed the random numbers; engine settings back to defaults."""
        engine.manual_seed(self.seed)
        engine.set_default_dtype(engine.float32)
        grad_mode.STATE.enabled = True
        engine.set_printoptions(profile="default")
        WARNED_ONCE.clear()
        self._succeeded = []
        self._globals = GlobalScope()
        self.torch = build_torch(self._note)
        self.numpy = build_numpy(self.seed)
        self._interpreter = Interpreter(self._globals, {}, self.limits, self._emit,
                                        self._on_echo, self.torch, self.numpy)
        self.builtins = {"torch": self.torch, **bare_aliases(self.torch), **python_builtins(),
                         **self._interpreter.builtin_functions()}
        self._interpreter.builtins = self.builtins

    @property
    def variables(self) -> dict:
        """The learner's bindings, name -> value (a copy; built-in names not included)."""
        return dict(self._globals.committed)

    def tensor_names(self) -> dict:
        """The variables that hold tensors (what the explanations label nodes with)."""
        return {n: v for n, v in self._globals.committed.items()
                if isinstance(v, engine.Tensor)}

    def made_before_grad(self, name: str) -> list[str]:
        """The variables computed from tensor ``name`` before it was made to require grad (see
        ``GlobalScope.made_before_grad``): no graph leads from them back to ``name``."""
        return self._globals.made_before_grad(name)

    def saved_inputs(self) -> list[str]:
        """The inputs that ran without error since the last reset (what ``:save`` writes)."""
        return list(self._succeeded)

    # --- running ----------------------------------------------------------------------------
    def execute(self, text: str) -> list[Output]:
        """Run one input (a line, a pasted cell, a script, or a command); return its outputs.

        The whole input is checked before any of it runs. Its statements then run in order; the
        first one that fails gives an ``Error`` and the rest of the input is skipped (as in a
        notebook cell). Use ``chunks`` to run a script statement by statement instead.
        """
        self.history.append(text)
        outputs: list[Output] = []
        self._outputs = outputs
        self._notes = set()
        self._ran = []
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
        try:
            with self._engine_settings(), self._captured_warnings():
                self._run(text)
        except KeyboardInterrupt:  # between statements: keep what the statements did
            self._globals.commit()
            outputs.append(Error("KeyboardInterrupt", "interrupted"))
        finally:
            sys.setrecursionlimit(old_limit)
            self._outputs = None
        if self._ran:
            self._succeeded.append("\n".join(self._ran))
        return outputs

    def chunks(self, text: str) -> list[str]:
        """``text`` cut into top-level statements and command lines, for a runner that goes on
        after an error (``autodiff run``): execute each piece in turn."""
        return split_statements(text)

    def evaluate(self, text: str):
        """The value of an expression in the session (used by the commands); binds nothing."""
        try:
            tree = ast.parse(text.strip(), "<command>", "eval")
        except SyntaxError as e:
            raise LangError("SyntaxError", f"{text!r} is not an expression: {e.msg}") from None
        check(ast.Module(body=[ast.Expr(tree.body)], type_ignores=[]), self.limits)
        try:
            with self._engine_settings(), self._captured_warnings():
                return self._interpreter.evaluate(tree.body)
        finally:
            self._globals.rollback()

    def set_last_value(self, value) -> None:
        """Make ``value`` what ``_`` refers to (as an echo does)."""
        self._interpreter.last_value = value

    def note_pass(self, text: str, outputs) -> None:
        """Remember a command that ran a backward pass from ``outputs`` (``backward y``), so a
        later error can name it if it freed the graph (``lang.passes``)."""
        self._interpreter.passes.add(text, outputs)

    @property
    def passes(self):
        """The backward passes run since the last reset (``lang.passes.Passes``): the lessons
        add an observer to count the passes that reach each ``.grad``."""
        return self._interpreter.passes

    @property
    def sources(self) -> dict:
        """Variable name -> the names its value was computed from (``scopes.sources_of``)."""
        return self._globals.sources

    def note_subject(self, text: str, value) -> None:
        """Remember what a command works on, so its errors' hints can name it."""
        self._subject = (text, value)

    def completions(self, text: str) -> list[str]:
        """Tab-completion candidates for the end of ``text`` (the line up to the cursor).

        Returns the words that complete the trailing fragment: after ``torch.au`` the members of
        ``torch`` starting with ``au`` (``["autograd"]``), after ``x.req`` the tensor attributes
        (``["requires_grad", "requires_grad_"]``), at the start of a line also the commands and,
        after ``:``, the meta commands. Each candidate replaces the fragment after the last ``.``
        (or the last non-identifier character). Drawn from the same allowlists the interpreter
        uses; nothing is evaluated except plain dotted names.
        """
        from autodiff_repl.lang.complete import complete
        return complete(self, text)

    # --- inside execute ---------------------------------------------------------------------
    def _run(self, text: str) -> bool:
        stripped = text.strip()
        if not stripped:
            return True
        if stripped.startswith(":") and "\n" not in stripped:
            return self._command(stripped)
        query = _HELP_QUERY.match(stripped)
        if query:
            return self._help_query(query.group(1))
        if stripped in commands.COMMANDS and stripped not in self._globals.committed:
            self._emit(Info(help_pages.help_text(stripped, self)))  # `backward` alone: its usage
            return True
        if "\n" not in stripped and self._is_command(stripped):
            return self._command(stripped)
        source = prepare(text)
        try:
            tree = parse(source, self.limits)
        except LangError as e:
            pieces = split_statements(source)
            if len(pieces) > 1 and any(self._is_command(p) for p in pieces):
                return all(self._run(p) for p in pieces)
            self._emit(from_lang_error(e, source, self.hints))
            return False
        if len(tree.body) > 1 and self._has_command_line(tree, source):
            pieces = split_statements(source)
            if len(pieces) > 1:
                return all(self._run(p) for p in pieces)
        try:
            check(tree, self.limits)
        except LangError as e:
            self._emit(from_lang_error(e, source, self.hints))
            return False
        lines = io.StringIO(source, newline="").readlines()
        return all(self._statement(stmt, source, lines) for stmt in tree.body)

    def _statement(self, stmt: ast.stmt, source: str, lines: list[str]) -> bool:
        self._subject = None
        try:
            self._interpreter.run_statement(stmt)
        except (Exception, KeyboardInterrupt) as exc:
            self._globals.commit(stmt)  # as in Python: the bindings made before the error stay
            self._emit(self._error(exc, stmt, source))
            return False
        else:
            self._globals.commit(stmt)
            self._ran.append(_statement_source(lines, stmt))
            return True
        finally:
            self._interpreter.forget()

    def _has_command_line(self, tree: ast.Module, source: str) -> bool:
        """Whether a line of ``source`` that is a top-level statement of its own is a command
        that also reads as Python (``backward (y)``): such input runs piece by piece."""
        lines = source.splitlines()
        return any(self._is_command(lines[stmt.lineno - 1]) for stmt in tree.body
                   if stmt.lineno == stmt.end_lineno)

    def _is_command(self, line: str) -> bool:
        """Whether ``line`` is a command (``backward y``) rather than Python, the learner's own
        variables considered (``commands.is_command_line``)."""
        return commands.is_command_line(line, self._globals.committed)

    def _command(self, line: str) -> bool:
        self._subject = None
        try:
            command = commands.parse_command(line)
            outputs = commands.run(self, command)
        except commands.UsageError as e:
            usage = commands.USAGE.get(e.command)
            hint = e.hint or (f"usage: {usage}" if usage and not str(e).startswith("usage")
                              else "type :help to list the commands")
            self._emit(Error("UsageError", str(e), (hint,) if self.hints else ()))
            return False
        except LangError as e:
            self._emit(from_lang_error(e, line, self.hints))
            return False
        except (Exception, KeyboardInterrupt) as exc:
            self._globals.rollback()
            self._emit(self._error(exc, None, line))
            return False
        finally:
            self._subject = None
            self._interpreter.forget()
        for item in outputs:
            self._emit(item)
        ok = not any(isinstance(o, Error) for o in outputs)
        if ok and not command.meta:
            self._ran.append(line)
        return ok

    def _help_query(self, dotted: str) -> bool:
        first = dotted.split(".")[0]
        value = self._globals.get(first)
        if "." not in dotted and value is not None and first in self._globals.committed:
            self._emit(Info(f"{first}: {commands.describe(value)}"))
        else:
            self._emit(Info(help_pages.help_text(dotted, self)))  # x.grad?: the attribute
        return True

    def _error(self, exc: BaseException, stmt: ast.stmt | None, source: str) -> Error:
        if isinstance(exc, LangError):
            return from_lang_error(exc, source, self.hints)
        node = self._interpreter.current if stmt is not None else None
        context = hints.Context(names=self._known_names(),
                                max_elements=self.limits.max_elements,
                                variables=self._globals.committed,
                                sources=self._globals.sources,
                                bound_at=self._globals.bound_at,
                                made_before_grad=self._globals.made_before_grad,
                                freeing_pass=self._interpreter.passes.freeing)
        subject = self._interpreter.subject if stmt is not None else None
        if subject is not None:
            context.subject = _operand_source(subject[0])
            context.subject_value = subject[1]
        elif self._subject is not None:
            context.subject, context.subject_value = self._subject
        if stmt is None:  # a command: its line is the call to repeat (`backward y`)
            context.call = source
        elif self._interpreter.last_call is not None:
            context.call = _source_of(self._interpreter.last_call)
        if node is not None and node.lineno == getattr(node, "end_lineno", node.lineno):
            context.statement = _source_of(node)
        if isinstance(exc, KeyboardInterrupt):
            return Error("KeyboardInterrupt", "interrupted",
                         tuple(hints.hints_for(exc, context)) if self.hints else ())
        if stmt is not None and (node is None or not any(n is node for n in ast.walk(stmt))):
            node = stmt  # the error came from a function defined by an earlier input
        node = _pointed(exc, node)
        line = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        shown = source_line(source, line) if source.strip().count("\n") else None
        return runtime_error(exc, hints.hints_for(exc, context), line,
                             None if col is None else col + 1, self.hints, shown)

    def _known_names(self) -> list[str]:
        return sorted(self._globals.names() | set(self.builtins))

    def _emit(self, item: Output) -> None:
        if self._outputs is None:
            return
        if isinstance(item, Hint) and not self.hints:
            return
        self._outputs.append(item)

    def _note(self, text: str) -> None:
        """A hint raised from inside a call (e.g. the deprecated ``Variable``), once per input."""
        if text not in self._notes:
            self._notes.add(text)
            self._interpreter.flush_print()
            self._emit(Hint(text))

    def _on_echo(self, value, node: ast.expr) -> None:
        if value is None:
            last = self._interpreter.last_attribute
            if isinstance(node, ast.Attribute) and node.attr == "grad" and last is not None \
                    and last[0] is node and isinstance(last[1], engine.Tensor):
                self._emit(Hint(hints.grad_none_hint(last[1], _source_of(node.value))))
            return
        self._emit(Echo(repr(value)))
        self._interpreter.last_value = value
        if isinstance(node, ast.Attribute | ast.Name):  # y.backward, without its parentheses
            uncalled = hints.uncalled_hint(value, _source_of(node))
            if uncalled:
                self._emit(Hint(uncalled))

    def _show_warning(self, message, category, filename, lineno, file=None, line=None) -> None:
        self._interpreter.flush_print()
        self._emit(Warning(category.__name__, str(message)))

    @contextmanager
    def _captured_warnings(self) -> Iterator[None]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = self._show_warning
            yield

    @contextmanager
    def _engine_settings(self) -> Iterator[None]:
        previous = LIMITS.max_elements, RECORDING.keep_values
        LIMITS.max_elements = self.limits.max_elements
        RECORDING.keep_values = True
        try:
            yield
        finally:
            LIMITS.max_elements, RECORDING.keep_values = previous


def _pointed(exc: BaseException, node: ast.AST | None) -> ast.AST | None:
    """The node a caret should point at: the undefined name itself for a NameError."""
    match = re.search(r"name '(\w+)' is not defined", str(exc))
    if node is None or not isinstance(exc, NameError) or not match:
        return node
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id == match.group(1) and \
                child.lineno == node.lineno:
            return child
    return node


def _statement_source(lines: list[str], stmt: ast.stmt) -> str:
    """The text of a top-level statement, decorators included (what ``:save`` writes);
    ``lines``: the input's lines with their ends (split once, not per statement)."""
    text = _segment(lines, stmt) or ast.unparse(stmt)
    decorators = getattr(stmt, "decorator_list", [])
    return "".join(f"@{_segment(lines, d)}\n" for d in decorators) + text


def _segment(lines: list[str], node: ast.AST) -> str | None:
    """``ast.get_source_segment`` on lines split beforehand (offsets count UTF-8 bytes)."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    start, end = node.col_offset, node.end_col_offset
    if end is None or last >= len(lines):
        return None
    if first == last:
        return lines[first].encode()[start:end].decode()
    return (lines[first].encode()[start:].decode() + "".join(lines[first + 1:last])
            + lines[last].encode()[:end].decode())


def _operand_source(node: ast.AST) -> str:
    """Source of ``node`` as it must be written before ``.method()``: parenthesised if needed."""
    text = _source_of(node)
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.BoolOp | ast.Compare | ast.IfExp
                  | ast.Lambda | ast.NamedExpr):
        return f"({text})"
    return text


def _source_of(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        return "x"

