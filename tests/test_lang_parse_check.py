"""The front of the language: input gates, the parser's errors, the whole-input check, the
split of a script into statements, and command-line detection."""

from __future__ import annotations

import ast

import pytest

from autodiff_repl.lang.check import check
from autodiff_repl.lang.commands import is_command_line, parse_command, split_args
from autodiff_repl.lang.errors import LangError
from autodiff_repl.lang.limits import Limits
from autodiff_repl.lang.parse import parse, prepare, split_statements
from autodiff_repl.session import Session


def refused(text: str, limits: Limits | None = None) -> LangError:
    limits = limits or Limits()
    with pytest.raises(LangError) as info:
        check(parse(prepare(text), limits), limits)
    return info.value


def test_input_length_gate():
    error = refused("x = 1\n" * 20, Limits(max_input_chars=50))
    assert (error.type, error.message) == ("LimitError", "the input is 120 characters long; "
                                           "the limit is 50")


def test_nesting_depth_gate():
    error = refused("y = " + "[" * 60 + "]" * 60, Limits(max_nesting_depth=30))
    assert error.message == "the input is nested more than 30 levels deep"


def test_node_count_gate():
    error = refused("y = [" + "1, " * 100 + "]", Limits(max_nodes=50))
    assert error.message == "the input has more than 50 syntax nodes"


def test_syntax_error_position_and_magic_hint():
    error = refused("%matplotlib inline")
    assert error.type == "SyntaxError" and error.line == 1
    assert "magics" in error.hints[0]


def test_whole_input_is_checked_before_running():
    error = refused("a = 1\nb = 2\nimport sys")
    assert (error.type, error.line) == ("ImportError", 3)


@pytest.mark.parametrize("text", ["import torch", "import torch.autograd",
                                  "import torch.nn.functional as F", "import numpy as np",
                                  "from torch.autograd import Variable as V",
                                  "from torch.autograd.functional import hessian"])
def test_allowed_imports(text):
    check(parse(text, Limits()), Limits())


def test_unicode_names_are_checked_after_normalisation():
    error = refused("()._＿class＿＿")
    assert "'__class__'" in error.message


def test_split_statements_keeps_blocks_and_decorators():
    text = "a = 1\n\n@torch.no_grad()\ndef f(x):\n    return x\nb = 2; c = 3\n"
    assert split_statements(text) == ["a = 1", "@torch.no_grad()\ndef f(x):\n    return x",
                                      "b = 2; c = 3"]
    assert split_statements("x = (1,\n") == ["x = (1,\n"]


@pytest.mark.parametrize(("line", "expected"), [
    ("backward y", True), ("grad y x --create-graph", True), ("graph y --dot g.dot", True),
    ("why x.grad", True), (":help dot", True), ("trace y --forward", True),
    ("grad(y, x)", False), ("grad = 1", False), ("backward", False), ("graph", False),
    ("x = 1", False), ("jvp y x v", True),
])
def test_command_lines(line, expected):
    assert is_command_line(line) is expected


def test_parse_command_and_arguments():
    command = parse_command("graph f(a, b) --dot 'my file.dot' --force")
    assert (command.name, command.args) == ("graph", ["f(a, b)"])
    assert command.flags == {"--dot": "'my file.dot'", "--force": True}
    assert split_args("a [1, 2] 'x y'") == ["a", "[1, 2]", "'x y'"]


@pytest.mark.parametrize(("line", "message"), [
    ("backward y --bogus", "unknown option --bogus for backward"),
    ("graph y --dot", "--dot needs a file name"),
    ("backward y z", "usage: backward y [--gradient v] [--retain-graph] [--no-trace]"),
    ("backward y --gradient", "--gradient needs a value"),
    (":hints", "usage: :hints on|off"),
])
def test_command_usage_errors(line, message):
    out = Session().execute(line)
    assert (out[0].type, out[0].message) == ("UsageError", message)


def test_check_accepts_the_whole_language():
    text = """
import torch
x = torch.arange(4.0, requires_grad=True)
a, b = 1, 2
a += 1
y: int = 3
def f(v, *args, k=1, **kw):
    '''doc'''
    for i in range(3):
        if i == 1:
            continue
        elif i == 2:
            break
        else:
            pass
    while False:
        pass
    with torch.no_grad():
        w = [j * 2 for j in range(3) if j]
    assert True, 'fine'
    return lambda q: q + 1
del a
s = {1, 2}
d = {'k': 1, **{}}
g = (i for i in range(2))
t = f'{x!r:>10}'
z = x if b else None
n = (m := 3)
e = x[0:2, ...] @ x[None]
"""
    check(parse(text, Limits()), Limits())
    assert isinstance(parse(text, Limits()), ast.Module)
