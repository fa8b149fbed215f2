"""The commands that are not Python: ``backward y``, ``grad y x``, ``graph y``, ``trace y``,
``jvp y x [v]``, ``why x.grad``, and the meta commands ``:help``, ``:vars``, ``:reset``,
``:save``, ``:hints``, ``:quit``.

A line is a command when it starts with a command word, then a space, then an argument: a name,
a number or an opening bracket (``grad y x``, ``backward (z * z).sum()``). Without the space it is
Python (``grad(y, x)`` calls the function), and so is a word followed by an operator or a Python
keyword (``grad = 1``, ``grad is None``), or a line the learner's own variable of that name makes
valid Python (``is_command_line(line, bound)``). The options are checked before anything runs.
The arguments ``y``, ``x``, ``v`` are expressions of the language, evaluated in the session. The
explanations themselves come from ``autodiff_repl.explain`` and are returned as ``Explanation``
outputs.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Container, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from autodiff_repl import engine
from autodiff_repl.engine import views
from autodiff_repl.engine.graph import AccumulateGrad, Node, reachable
from autodiff_repl.lang import hints
from autodiff_repl.outputs import Echo, Error, Explanation, Hint, Info, Output, Quit

COMMANDS = ("backward", "grad", "graph", "trace", "jvp", "why")
META = ("help", "vars", "reset", "save", "hints", "quit")
FLAGS = {
    "backward": {"--gradient": True, "--retain-graph": False, "--no-trace": False},
    "grad": {"--create-graph": False, "--retain-graph": False, "--no-trace": False},
    "graph": {"--dot": True, "--svg": True, "--force": False},
    "trace": {"--forward": False},
    "jvp": {},
    "why": {},
    "save": {"--force": False},
}
"""Per command, its options and whether each takes a value."""

USAGE = {
    "backward": "backward y [--gradient v] [--retain-graph] [--no-trace]",
    "grad": "grad y x [--create-graph] [--retain-graph] [--no-trace]",
    "graph": "graph y [--dot FILE|-] [--svg FILE] [--force]",
    "trace": "trace y [--forward]",
    "jvp": "jvp y x [v]",
    "why": "why x.grad",
    "help": ":help [topic]",
    "vars": ":vars",
    "reset": ":reset",
    "save": ":save FILE [--force]",
    "hints": ":hints on|off",
    "quit": ":quit",
}
_COMMAND_LINE = re.compile(r"^(backward|grad|graph|trace|jvp|why)[ \t]+\S")
_ARGUMENT = re.compile(r"[ \t]+(?!(?:and|else|if|in|is|not|or)\b)[\w(]")
"""After the command word and a space, the start of an argument: a name, a number or an opening
bracket (not an operator, nor a keyword that would continue a Python expression)."""


class UsageError(Exception):
    """A command was typed with the wrong arguments (``hint``: what to do instead, if known)."""

    def __init__(self, message: str, command: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.command = command
        self.hint = hint


@dataclass
class Command:
    """A parsed command line (``line``: as typed, stripped)."""

    name: str
    args: list[str] = field(default_factory=list)
    flags: dict[str, str | bool] = field(default_factory=dict)
    meta: bool = False
    line: str = ""


def is_command_line(line: str, bound: Container[str] = ()) -> bool:
    """Whether ``line`` is a command rather than Python: a command word, a space and an argument
    (see the module's docstring), or any other line after a command word and a space that is not
    valid Python (``backward 'y'``). ``bound``: the learner's variable names; when one of them
    is the command word, a line that is valid Python stays Python (``grad (0)`` calls the
    learner's own ``grad``)."""
    line = line.strip()
    if line.startswith(":"):
        return True
    match = _COMMAND_LINE.match(line)
    if "\n" in line or not match:
        return False
    if match.group(1) not in bound and _ARGUMENT.match(line, match.end(1)):
        return True
    try:
        ast.parse(line)
    except SyntaxError:
        return True
    except (ValueError, RecursionError, MemoryError):
        return False
    return False


def split_args(text: str) -> list[str]:
    """Words separated by spaces, keeping brackets and quotes together: ``f(a, b) x``."""
    words, current, depth, quote = [], "", 0, None
    for ch in text:
        if quote:
            current += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch in "([{":
            depth += 1
            current += ch
        elif ch in ")]}":
            depth -= 1
            current += ch
        elif ch.isspace() and depth <= 0:
            if current:
                words.append(current)
            current = ""
        else:
            current += ch
    if current:
        words.append(current)
    return words


def parse_command(line: str) -> Command:
    """The command on ``line`` (``is_command_line`` said it is one)."""
    line = line.strip()
    meta = line.startswith(":")
    words = split_args(line[1:] if meta else line)
    if not words:
        raise UsageError("type :help to list the commands", "help")
    name, rest = words[0], words[1:]
    known = META if meta else COMMANDS
    if name not in known:
        raise UsageError(f"unknown command {':' if meta else ''}{name}", name)
    options = FLAGS.get(name, {})
    command = Command(name, meta=meta, line=line)
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("--"):
            if word not in options:
                raise UsageError(f"unknown option {word} for {name}", name)
            if options[word]:
                if i + 1 >= len(rest):
                    what = "a file name" if word in ("--dot", "--svg") else "a value"
                    raise UsageError(f"{word} needs {what}", name)
                command.flags[word] = rest[i + 1]
                i += 1
            else:
                command.flags[word] = True
        else:
            command.args.append(word)
        i += 1
    return command


# --- running commands --------------------------------------------------------------------------

def run(session, command: Command) -> list[Output]:
    """Run ``command`` in ``session``; engine errors propagate to the session, which explains
    them."""
    handler = (META_HANDLERS if command.meta else HANDLERS)[command.name]
    return handler(session, command)


def _arity(command: Command, low: int, high: int) -> None:
    if low <= len(command.args) <= high:
        return
    hint = None
    if len(command.args) == 1 and command.args[0].startswith("(") and "," in command.args[0]:
        hint = (f"to call {command.name}(...) as Python, write it without the space: "
                f"{command.name}{command.args[0]}")
    raise UsageError(f"usage: {USAGE[command.name]}", command.name, hint)


def _tensor(session, text: str):
    value = session.evaluate(text)
    if not isinstance(value, engine.Tensor):
        from autodiff_repl.lang.attributes import type_name
        from autodiff_repl.lang.errors import with_article
        raise TypeError(f"{text} is {with_article(type_name(value))}, not a tensor")
    return value


def _backward(session, command: Command) -> list[Output]:
    _arity(command, 1, 1)
    y = _tensor(session, command.args[0])
    session.note_subject(command.args[0], y)
    given = command.flags.get("--gradient")
    gradient = None if given is None else _tensor(session, given)
    retain = bool(command.flags.get("--retain-graph"))
    if command.flags.get("--no-trace"):
        y.backward(gradient=gradient, retain_graph=retain)
        session.note_pass(command.line, (y,))
        return []
    from autodiff_repl.explain import trace
    result = trace.backward(y, session.tensor_names(), gradient=gradient, retain_graph=retain)
    session.note_pass(command.line, (y,))
    return [Explanation("trace", result)]


def _grad(session, command: Command) -> list[Output]:
    _arity(command, 2, 8)
    y = _tensor(session, command.args[0])
    session.note_subject(command.args[0], y)
    xs = tuple(_tensor(session, a) for a in command.args[1:])
    create = bool(command.flags.get("--create-graph"))
    retain = bool(command.flags.get("--retain-graph"))
    shown: list[Output] = []
    if command.flags.get("--no-trace"):
        grads = engine.autograd.grad(y, xs, retain_graph=retain or None, create_graph=create)
    else:
        from autodiff_repl.explain import trace
        with graph_kept(y) if retain else nullcontext():
            result = trace.grad(y, xs, session.tensor_names(), create_graph=create)
        if retain and result.cost is not None:
            result.cost.note = "kept (retain_graph), so the graph can run backward again"
        grads = tuple(result.results)
        shown.append(Explanation("trace", result))
    session.note_pass(command.line, (y,))
    value = grads[0] if len(grads) == 1 else tuple(grads)
    session.set_last_value(value)
    return [*shown, Echo(repr(value)), *_freed_note(session, y, command.args[0])]


def _freed_note(session, y, name: str) -> list[Output]:
    """After ``grad y x`` (autograd.grad frees the graph), say what to recompute before a
    backward through ``y``, and that ``trace y`` would have kept the graph."""
    if not getattr(y.grad_fn, "freed", False):
        return []
    redo = hints.freed_variables(y, session.tensor_names(), skip=name, sources=session.sources)
    redo += [name] if name.isidentifier() else []
    if not redo:
        return []
    steps = redo[0] if len(redo) == 1 else ", ".join(redo[:-1]) + " and " + redo[-1]
    order = " (in that order)" if len(redo) > 1 else ""
    return [Hint(f"like torch.autograd.grad, this freed the values {name}'s graph saved: "
                 f"recompute {steps}{order} before a backward through {name}; trace {name} "
                 "shows the same steps and keeps the graph")]


def _graph(session, command: Command) -> list[Output]:
    _arity(command, 1, 1)
    y = _tensor(session, command.args[0])
    from autodiff_repl.explain import graph
    model = graph.build(y, session.tensor_names())
    dot_file, svg_file = command.flags.get("--dot"), command.flags.get("--svg")
    if not dot_file and not svg_file:
        return [Explanation("graph", model)]
    from autodiff_repl.explain import dot
    text = dot.to_dot(model)
    force = bool(command.flags.get("--force"))
    outputs: list[Output] = []
    if dot_file == "-":  # as command-line tools read "-": the text itself, to copy or pipe
        outputs.append(Info(text.rstrip("\n")))
    elif dot_file:
        write_file(str(dot_file), text, force)
        outputs.append(Info(f"wrote {dot_file}"))
    if svg_file:
        outputs.append(_svg(text, str(svg_file), force))
    return outputs


def _svg(dot_text: str, file: str, force: bool) -> Output:
    program = shutil.which("dot")
    if program is None:
        return Error("FileNotFoundError", "the Graphviz program 'dot' is not installed",
                     ("install Graphviz (Debian/Ubuntu: sudo apt install graphviz; macOS: brew "
                      "install graphviz), then try again",
                      "or write the DOT text and render it elsewhere: graph y --dot graph.dot"))
    path = _writable(file, force)
    done = subprocess.run([program, "-Tsvg", "-o", str(path)], input=dot_text, text=True,
                          capture_output=True, timeout=30, check=False)
    if done.returncode != 0:
        return Error("RuntimeError", f"dot failed: {done.stderr.strip()[:200]}")
    return Info(f"wrote {file}")


def _writable(file: str, force: bool) -> Path:
    path = Path(file).expanduser()
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise FileExistsError(f"{file} exists and is not a regular file")
        if not force:
            raise FileExistsError(f"{file} already exists; add --force to overwrite it")
    return path


def write_file(file: str, text: str, force: bool) -> None:
    """Write ``text`` to ``file``, refusing to overwrite an existing file unless ``force``."""
    path = _writable(file, force)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _trace(session, command: Command) -> list[Output]:
    _arity(command, 1, 1)
    y = _tensor(session, command.args[0])
    session.note_subject(command.args[0], y)
    from autodiff_repl.explain import trace
    names = session.tensor_names()
    leaves = graph_leaves(y)
    if not leaves:
        raise RuntimeError(f"{command.args[0]} does not depend on any tensor that requires grad")
    if command.flags.get("--forward"):
        if len(leaves) != 1:
            raise UsageError(f"{command.args[0]} depends on {len(leaves)} inputs; name one: "
                             "jvp y x [v]", "trace")
        return [Explanation("trace", trace.forward(y, leaves[0], None, names))]
    with graph_kept(y):
        result = trace.grad(y, tuple(leaves), names)
    if result.cost is not None:
        result.cost.note = (f"kept: trace leaves the graph as it was, so "
                            f"{hints.operand(command.args[0])}.backward() still works")
    return [Explanation("trace", result)]


@contextmanager
def graph_kept(y) -> Iterator[None]:
    """Leave ``y``'s graph as it was after the block, as ``retain_graph=True`` would: the values
    a backward pass in the block frees are put back (``trace y`` explains, it does not use up
    the graph)."""
    nodes = [n for n in reachable(y.grad_fn) if isinstance(n, Node)]
    state = [(n, n.saved, n.out, n.freed) for n in nodes]
    try:
        yield
    finally:
        for node, saved, out, freed in state:
            node.saved, node.out, node.freed = saved, out, freed


def graph_leaves(y) -> list:
    """The leaf tensors requiring grad that ``y``'s graph reaches, in a stable order."""
    if y.grad_fn is None:
        return [y] if y.requires_grad else []
    seen, leaves, stack = set(), [], [y.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            if node.variable is not None:
                leaves.append(node.variable)
            continue
        stack.extend(reversed(node.parents))
    return leaves


def _jvp(session, command: Command) -> list[Output]:
    _arity(command, 2, 3)
    y = _tensor(session, command.args[0])
    x = _tensor(session, command.args[1])
    v = _tensor(session, command.args[2]) if len(command.args) == 3 else None
    from autodiff_repl.explain import trace
    return [Explanation("trace", trace.forward(y, x, v, session.tensor_names()))]


def _why(session, command: Command) -> list[Output]:
    _arity(command, 1, 1)
    text = command.args[0]
    base = text[: -len(".grad")] if text.endswith(".grad") else text
    target = _tensor(session, base)
    from autodiff_repl.explain import why
    return [Explanation("why", why.diagnose(target, base, session.tensor_names(),
                                            session.made_before_grad(base)))]


HANDLERS = {"backward": _backward, "grad": _grad, "graph": _graph, "trace": _trace,
            "jvp": _jvp, "why": _why}


# --- meta commands -----------------------------------------------------------------------------

def _help(session, command: Command) -> list[Output]:
    from autodiff_repl.lang.help_pages import help_text  # (help_pages imports this module)

    _arity(command, 0, 1)
    return [Info(help_text(command.args[0] if command.args else None, session))]


def _vars(session, command: Command) -> list[Output]:
    _arity(command, 0, 0)
    variables = session.variables
    if not variables:
        return [Info("no variables yet")]
    width = max(len(n) for n in variables)
    return [Info("\n".join(f"{name:<{width}}  {describe(value)}"
                           for name, value in sorted(variables.items())))]


def _reset(session, command: Command) -> list[Output]:
    _arity(command, 0, 0)
    session.reset()
    return [Info(f"session reset: no variables, random seed {session.seed}")]


def _save(session, command: Command) -> list[Output]:
    _arity(command, 1, 1)
    inputs = session.saved_inputs()
    write_file(command.args[0], "\n".join(inputs), bool(command.flags.get("--force")))
    return [Info(f"wrote {len(inputs)} input{'s' if len(inputs) != 1 else ''} to "
                 f"{command.args[0]}")]


def _hints(session, command: Command) -> list[Output]:
    _arity(command, 1, 1)
    state = command.args[0].lower()
    if state not in ("on", "off"):
        raise UsageError(f"usage: {USAGE['hints']}", "hints")
    session.hints = state == "on"
    return [Info(f"hints {state}")]


def _quit(session, command: Command) -> list[Output]:
    return [Quit()]


META_HANDLERS = {"help": _help, "vars": _vars, "reset": _reset, "save": _save,
                 "hints": _hints, "quit": _quit}


def describe(value) -> str:
    """A one-line summary of a value for ``:vars``."""
    if isinstance(value, engine.Tensor):
        parts = [f"Tensor {list(value.shape)} {value.dtype}"]
        node = value._node  # not .grad_fn: reading it raises for an invalidated view
        if node is not None:
            parts.append("grad_fn=Invalid" if views.invalidated(value)
                         else f"grad_fn={node.name()}")
        elif value.requires_grad:
            parts.append("requires_grad")
        return "  ".join(parts)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
