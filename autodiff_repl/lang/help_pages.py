"""The help pages: ``:help`` (the commands), ``:help ops`` (the op table), ``:help language``,
``:help limits``, ``:help backward`` (a command), ``:help dot`` (a function or op: its
signature, docstring and local derivatives), ``:help create_graph`` or ``x.grad?`` (an idea of
autograd: ``help_topics``). Every line fits an 80-column terminal.
"""

from __future__ import annotations

import inspect
import re
import textwrap

from autodiff_repl.engine import ops
from autodiff_repl.lang import help_topics
from autodiff_repl.lang.commands import COMMANDS, META, USAGE

WIDTH = 79
"""Help text fits an 80-column terminal."""

SUMMARY = {
    "backward": "y.backward(), showing the chain rule step by step",
    "grad": "dy/dx as torch.autograd.grad gives it, with the trace (.grad untouched; "
            "the graph is freed, as autograd.grad frees it, unless --retain-graph)",
    "graph": "the computation graph behind y",
    "trace": "the chain-rule trace; .grad and the graph stay as they were",
    "jvp": "forward mode: how y changes along v (ones if left out)",
    "why": "why x.grad is None or zero",
    "help": "topics: commands, ops, language, limits, an op (:help dot), or an idea "
            "(:help create_graph)",
    "vars": "the session's variables",
    "reset": "forget all variables",
    "save": "write the inputs that ran as a script",
    "hints": "show or hide hint: lines",
    "quit": "leave (or Ctrl-D)",
}
"""What each command does, in a line: the :help page, ``:help backward``, ``backward`` alone."""

OPTIONS = {
    "backward": "--gradient v: for a non-scalar y, the v of the vector-Jacobian product vᵀJ. "
                "--retain-graph: keep the graph for another backward. --no-trace: run it "
                "without the trace.",
    "grad": "--create-graph: keep the graph and make the result differentiable (for higher "
            "derivatives). --retain-graph: keep the graph for another pass. --no-trace: run "
            "it without the trace.",
    "graph": "--dot FILE: write it as Graphviz DOT (--dot -: print it). --svg FILE: draw it "
             "(needs Graphviz). --force: overwrite FILE.",
    "trace": "--forward: forward mode instead (y must depend on one input).",
    "save": "--force: overwrite FILE.",
}
"""What a command's options do (``:help backward``)."""


def _columns(rows: list[tuple[str, str]], left: int = 28) -> list[str]:
    """Two wrapped columns, indented by 2: the left one ``left`` wide (a usage line, its
    ``[...]`` groups kept whole), the other up to WIDTH."""
    lines = []
    for key, text in rows:
        whole = re.sub(r"\[[^\]]*\]", lambda m: m.group().replace(" ", "\0"), key)
        keys = [k.replace("\0", " ") for k in
                textwrap.wrap(whole, left, subsequent_indent="  ", break_on_hyphens=False)]
        texts = textwrap.wrap(text, WIDTH - left - 4, break_on_hyphens=False)
        for i in range(max(len(keys), len(texts))):
            k = keys[i] if i < len(keys) else ""
            lines.append(f"  {k:<{left}}  {texts[i] if i < len(texts) else ''}".rstrip())
    return lines


def _help_page() -> str:
    usage = {name: USAGE[name] for name in COMMANDS}
    return "\n".join([
        "Type PyTorch code:",
        "  x = torch.arange(4.0, requires_grad=True); y = 2 * torch.dot(x, x)",
        "",
        "Commands (not Python):",
        *_columns([(usage[n], SUMMARY[n]) for n in COMMANDS]),
        "",
        "Meta commands:",
        *_columns([(USAGE[n], SUMMARY[n]) for n in META]),
        *_columns([("name?", "help on a name, e.g. dot?, x? or x.grad?")]),
        "",
        "Ideas of autograd (:help TOPIC):",
        *textwrap.wrap("  ".join(help_topics.names()), WIDTH, initial_indent="  ",
                       subsequent_indent="  "),
    ])


HELP = _help_page()

LANGUAGE = """\
The language is Python for tensor code:
  assignment (also a, b = ..., x += ..., x[0] = ...), expressions,
  def/return, lambda, if/elif/else, while, for, break, continue, pass,
  with torch.no_grad():, assert, lists, tuples, dicts, comprehensions,
  f-strings.
Imports: import torch (torch.autograd, torch.nn.functional, torch.linalg,
  torch.cuda ...), import numpy as np, import math.
Builtins: print len range abs min max float int list tuple round sum
  isinstance enumerate zip sorted reversed bool str any all dict set repr
  type.
Not available: classes, try/raise, other imports, names starting with '_',
  exec/eval/open."""


def help_text(topic: str | None, session=None) -> str:
    """The text of ``:help`` or ``:help topic`` (every line at most WIDTH characters)."""
    if topic is None or topic == "commands":
        return HELP
    if topic == "language":
        return LANGUAGE
    if topic == "limits":
        limits = session.limits if session is not None else None
        from autodiff_repl.lang.limits import DEFAULT
        return _fit("The session's limits:\n" + (limits or DEFAULT).describe())
    if topic == "ops":
        return ops_table()
    page = help_topics.find(topic, session)
    if page is not None:
        return _fit(page.rstrip("\n"))
    module = _find_module(topic, session)
    if module is not None:
        return _module_help(module)
    topic = topic.rpartition(".")[2].removeprefix(":")  # torch.autograd.grad: grad
    lines = _command_help(topic)
    rows = [op for op in ops.TABLE if op.name == topic or op.name.startswith(topic + "_")]
    function, where = _find_function(topic, session)
    if not rows and not callable(function):
        return "\n".join(lines) or f"no help on '{topic}'; try :help ops or :help commands"
    if callable(function):
        lines.extend(_signature(f"{where}.{topic}", function))
        doc = plain_doc(function)
        if doc and not rows:
            lines.extend(textwrap.wrap(doc, WIDTH, initial_indent="  ", subsequent_indent="  "))
    for op in rows:
        lines.append(f"  {op.name}: out = {_expr(op.expr)}   grad_fn={_label(op.grad_fn)}")
        for i, formula in enumerate(op.formula):
            lines.append(f"    ∂out/∂{_arg(i)} = {_expr(formula)}")
    if rows:
        lines.append("  backward: each input's gradient is (upstream gradient) × ∂out/∂input")
    if topic in help_topics.SEE_ALSO:
        lines.append(f"see also: {help_topics.SEE_ALSO[topic]}")
    return _fit("\n".join(lines))


def _command_help(topic: str) -> list[str]:
    """``command: backward y [...]``, what the command does and its options (nothing for other
    topics)."""
    if topic not in USAGE:
        return []
    text = f"{SUMMARY[topic]}. {OPTIONS.get(topic, '')}".strip()
    return [f"command: {USAGE[topic]}",
            *textwrap.wrap(text, WIDTH, initial_indent="  ", subsequent_indent="  ",
                           break_on_hyphens=False)]


def _signature(name: str, function) -> list[str]:
    """``name(params)``, wrapped after commas with the parameters lined up."""
    try:
        signature = inspect.signature(function)
        public = [p for p in signature.parameters.values() if p.name != "observer"]
        text = str(signature.replace(parameters=public, return_annotation=signature.empty))
    except (TypeError, ValueError):
        text = "(...)"
    return textwrap.wrap(name + text, WIDTH, subsequent_indent=" " * (len(name) + 1),
                         break_long_words=False, break_on_hyphens=False)


_RST = re.compile(r":\w+:`~?([^`]+)`|``([^`]+)``|`([^`]+)`")


def plain_doc(function) -> str:
    """The first paragraph of ``function``'s docstring as plain text: reStructuredText markup
    (````x````, ```x```, ``:func:`x```) taken out, lines joined."""
    doc = (inspect.getdoc(function) or "").strip().split("\n\n")[0]
    return " ".join(_RST.sub(lambda m: next(g for g in m.groups() if g), doc).split())


def _fit(text: str) -> str:
    """Lines longer than WIDTH wrapped, continued under their start (indented 4 more)."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= WIDTH:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        lines.extend(textwrap.wrap(line.strip(), WIDTH, initial_indent=indent,
                                   subsequent_indent=indent + "    ", break_on_hyphens=False))
    return "\n".join(lines)


def _find_module(topic: str, session):
    """The part of the torch facade named ``topic`` (``cuda``, ``torch.linalg``,
    ``autograd.functional``), or None."""
    if session is None:
        return None
    module = session.torch
    for part in topic.removeprefix("torch.").split(".") if topic != "torch" else ():
        module = module.members.get(part)
        if type(module) is not type(session.torch):
            return None
    return module


def _module_help(module) -> str:
    """``module torch.cuda: ...`` and the names it holds, wrapped."""
    head = f"module {module.name}" + (f": {module.doc}" if module.doc else "")
    names = " ".join(sorted(module.members, key=str.lower))
    return "\n".join([head, *textwrap.wrap(names, WIDTH, initial_indent="  ",
                                           subsequent_indent="  ")])


def _find_function(topic: str, session) -> tuple:
    """The function named ``topic`` in the torch facade or one of its parts, and where."""
    if session is None or topic.startswith("_"):
        return None, "torch"
    stack = [session.torch]
    while stack:
        module = stack.pop(0)
        value = module.members.get(topic)
        value = getattr(value, "callable_as", None) or value  # a class's stand-in: the class
        if value is not None and callable(value):
            return getattr(value, "fn", value), module.name
        stack.extend(v for v in module.members.values() if type(v) is type(session.torch))
    return None, "torch"


def ops_table() -> str:
    """Every op of the op table: name, grad_fn and output formula, in columns that fit."""
    names = max(len(op.name) for op in ops.TABLE)
    labels = max(len(_label(op.grad_fn)) for op in ops.TABLE)
    indent = " " * (names + labels + 4)
    lines = [f"{'op':<{names}}  {'grad_fn':<{labels}}  out"]
    for op in ops.TABLE:  # the output formula wrapped within its own column
        out = textwrap.wrap(_expr(op.expr), WIDTH - len(indent), break_on_hyphens=False) or [""]
        lines.append(f"{op.name:<{names}}  {_label(op.grad_fn):<{labels}}  {out[0]}")
        lines.extend(indent + part for part in out[1:])
    return "\n".join(line.rstrip() for line in lines)


def _label(grad_fn: str) -> str:
    """``CopySlices`` for ``torch::autograd::CopySlices`` (as ``grad_fn`` reprs show it)."""
    return grad_fn.rpartition("::")[2]


def _arg(i: int) -> str:
    return "abcdefgh"[i] if i < 8 else f"x{i}"


def _expr(template: str) -> str:
    """An op-table formula with its placeholders named: ``{0} + {alpha}·{1}`` -> ``a + alpha·b``;
    a parameter written right after a word is its argument: ``zeros{shape}`` -> ``zeros(shape)``."""
    text = re.sub(r"\{(\d)\}", lambda m: _arg(int(m.group(1))), template)
    text = re.sub(r"(?<=[A-Za-z0-9])\{(\w+)\}", r"(\1)", text)
    return re.sub(r"\{(\w+)\}", r"\1", text)
