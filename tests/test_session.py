"""The Session: echo like Python's console, printed text and warnings captured, history,
variables, hints on/off, completion, and the commands and meta commands."""

from __future__ import annotations

import pytest

from autodiff_repl.lang.limits import Limits
from autodiff_repl.outputs import Echo, Error, Explanation, Hint, Info, Printed, Quit, Warning
from autodiff_repl.render import plain
from autodiff_repl.session import Session


@pytest.fixture
def s():
    return Session()


def test_bare_expressions_echo_and_none_echoes_nothing(s):
    assert s.execute("1 + 1") == [Echo("2")]
    assert s.execute("(1, 'a')") == [Echo("(1, 'a')")]
    assert s.execute("None") == []
    assert s.execute("print") == [Echo("<built-in function print>")]


def test_underscore_holds_the_last_echoed_value(s):
    s.execute("3 * 4")
    assert s.execute("_ + 1") == [Echo("13")]
    s.execute("None")
    assert s.execute("_") == [Echo("13")]
    assert "_" not in s.variables


def test_print_is_captured_in_order(s):
    out = s.execute("print('a')\n1\nprint('b', 2, sep='-', end='!')")
    assert out == [Printed("a"), Echo("1"), Printed("b-2!")]


def test_echo_inside_a_top_level_loop_like_the_console(s):
    assert s.execute("for i in range(2):\n    i") == [Echo("0"), Echo("1")]
    assert s.execute("def f():\n    5\nf()") == []


def test_nonleaf_grad_warning_then_hint(s):
    out = s.execute("x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.grad")
    assert isinstance(out[0], Warning) and out[0].category == "UserWarning"
    assert out[0].message.startswith("The .grad attribute of a Tensor that is not a leaf")
    assert isinstance(out[1], Hint) and "y is not a leaf" in out[1].text


def test_grad_hint_when_tensor_does_not_require_grad(s):
    out = s.execute("x = torch.ones(2)\nx.grad")
    assert out == [Hint("x.grad is None: x does not require grad; call x.requires_grad_() "
                        "before computing with it")]


def test_hints_off_removes_hints(s):
    s.execute(":hints off")
    assert s.hints is False
    out = s.execute("x = torch.ones(2, requires_grad=True)\nx.grad")
    assert out == []
    out = s.execute("x.attach_grad()")
    assert out[0].hints == ()
    assert Session(hints=False).execute("lenn")[0].hints == ()


def test_variables_history_and_reset(s):
    s.execute("a = 1")
    s.execute("b = torch.ones(2)")
    assert set(s.variables) == {"a", "b"}
    assert s.history == ["a = 1", "b = torch.ones(2)"]
    assert s.execute(":reset") == [Info("session reset: no variables, random seed 0")]
    assert s.variables == {}


def test_seeded_sessions_are_reproducible():
    one = plain(Session(seed=3).execute("torch.randn(3)"))
    two = plain(Session(seed=3).execute("torch.randn(3)"))
    assert one == two
    assert one != plain(Session(seed=4).execute("torch.randn(3)"))


def test_vars_lists_variables(s):
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = 2 * x\nn = 3")
    text = s.execute(":vars")[0].text
    assert text.splitlines() == ["n  3", "x  Tensor [4] torch.float32  requires_grad",
                                 "y  Tensor [4] torch.float32  grad_fn=MulBackward0"]


def test_save_writes_inputs_and_refuses_to_overwrite(s, tmp_path):
    s.execute("x = torch.ones(2)")
    s.execute("undefined_thing")
    s.execute("y = x * 2")
    target = tmp_path / "session.py"
    assert s.execute(f":save {target}") == [Info(f"wrote 2 inputs to {target}")]
    assert target.read_text() == "x = torch.ones(2)\ny = x * 2\n"
    out = s.execute(f":save {target}")
    assert out[0].type == "FileExistsError" and "--force" in out[0].message
    assert s.execute(f":save {target} --force")[0].text.startswith("wrote")


def test_quit_and_usage_errors(s):
    assert s.execute(":quit") == [Quit()]
    out = s.execute(":frobnicate")
    assert (out[0].type, out[0].message) == ("UsageError", "unknown command :frobnicate")
    out = s.execute(":hints maybe")
    assert out[0].message == "usage: :hints on|off"


def test_help_topics(s):
    assert "backward y [--gradient v]" in s.execute(":help")[0].text
    assert "DotBackward0" in s.execute(":help ops")[0].text
    dot = s.execute(":help dot")[0].text
    assert "torch.dot(input, other)" in dot and "∂out/∂a = b" in dot
    assert "max_elements" in s.execute(":help limits")[0].text
    assert s.execute("dot?") == s.execute(":help dot")
    s.execute("x = torch.ones(2)")
    assert s.execute("x?") == [Info("x: Tensor [2] torch.float32")]


def test_syntax_error_has_line_and_caret(s):
    out = s.execute("x = (1,\ny = 2")
    assert out[0].type == "SyntaxError"
    assert out[0].line == 1 and out[0].source == "x = (1,"
    out = s.execute("print x")
    assert out[0].message.startswith("Missing parentheses")
    assert plain(out).splitlines()[1:] == ["    print x", "    ^"]


def test_runtime_errors_carry_their_line(s):
    out = s.execute("a = 1\nb = a / 0")
    assert (out[0].type, out[0].message, out[0].line) == ("ZeroDivisionError", "division by zero",
                                                          2)


def test_limits_are_configurable_and_stated():
    s = Session(limits=Limits(max_elements=100, max_loop_iterations=5, max_call_depth=3))
    assert s.execute("torch.ones(101)")[0].message.endswith("the limit is 100")
    assert "5 loop iterations" in s.execute("for i in range(6): pass")[0].message
    out = s.execute("def f(n): return f(n - 1) if n else 0\nf(5)")
    assert out[0].message == "maximum recursion depth exceeded (the limit is 3 nested calls)"


def test_completions_from_the_allowlists(s):
    s.execute("x = torch.ones(2)\nxylo = 1")
    assert s.completions("torch.ara") == ["arange"]
    assert s.completions("x.requires_gr") == ["requires_grad", "requires_grad_"]
    assert "autograd" in s.completions("torch.au")
    assert s.completions("torch.autograd.functional.hes") == ["hessian"]
    assert s.completions("xy") == ["xylo"]
    assert s.completions(":h") == [":help", ":hints"]
    assert "backward" in s.completions("back")
    assert s.completions("x._") == []
    assert s.completions("x.__cl") == []


def test_chunks_split_a_script_into_statements(s):
    script = "x = 1\ndef f(a):\n    return a\n\nprint(f(x))\nbackward y\ny = 2; z = 3\n"
    assert s.chunks(script) == ["x = 1", "def f(a):\n    return a", "print(f(x))",
                                "backward y", "y = 2; z = 3"]


def test_pasted_indented_cell_is_dedented(s):
    assert s.execute("    a = 2\n    a") == [Echo("2")]


# --- the explanation commands (the explain layer is another engineer's) ---------------------

def test_backward_command_runs_backward_and_traces():
    pytest.importorskip("autodiff_repl.explain.trace")
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)")
    out = s.execute("backward y")
    assert [type(o) for o in out] == [Explanation] and out[0].kind == "trace"
    assert plain(s.execute("x.grad")) == "tensor([ 0.,  4.,  8., 12.])"


def test_backward_no_trace_and_grad_command():
    pytest.importorskip("autodiff_repl.explain.trace")
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)")
    out = s.execute("grad y x")
    assert out[0].kind == "trace" and out[1] == Echo("tensor([ 0.,  4.,  8., 12.])")
    assert plain(s.execute("x.grad")).startswith("hint: x.grad is None")
    assert plain(s.execute("_")) == "tensor([ 0.,  4.,  8., 12.])"
    s.execute("y = 2 * torch.dot(x, x)")
    assert s.execute("backward y --no-trace") == []
    assert plain(s.execute("x.grad")) == "tensor([ 0.,  4.,  8., 12.])"


def test_command_errors_are_explained():
    pytest.importorskip("autodiff_repl.explain.trace")
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = x * x")
    out = s.execute("backward y")
    assert out[0].type == "RuntimeError"
    assert "y.sum().backward()" in " ".join(out[0].hints)
    out = s.execute("backward n")
    assert (out[0].type, out[0].message) == ("NameError", "name 'n' is not defined")
    out = s.execute("grad y")
    assert out[0].type == "UsageError"
    assert s.execute("backward 3")[0].message == "3 is an int, not a tensor"


def test_graph_why_jvp_and_files(tmp_path):
    pytest.importorskip("autodiff_repl.explain.dot")
    pytest.importorskip("autodiff_repl.explain.why")
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)")
    assert s.execute("graph y")[0].kind == "graph"
    assert s.execute("why x.grad")[0].kind == "why"
    assert s.execute("jvp y x")[0].kind == "trace"
    target = tmp_path / "g.dot"
    assert s.execute(f"graph y --dot {target}") == [Info(f"wrote {target}")]
    assert target.read_text().startswith("digraph")
    assert s.execute(f"graph y --dot {target}")[0].type == "FileExistsError"


def test_svg_without_graphviz_says_how_to_install(monkeypatch, tmp_path):
    pytest.importorskip("autodiff_repl.explain.dot")
    import shutil
    monkeypatch.setattr(shutil, "which", lambda name: None)
    s = Session()
    s.execute("x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()")
    out = s.execute(f"graph y --svg {tmp_path / 'g.svg'}")
    assert isinstance(out[0], Error) and "graphviz" in out[0].hints[0].lower()


def test_python_that_starts_with_a_command_word_is_python(s):
    s.execute("x = torch.tensor(3.0, requires_grad=True)")
    assert s.execute("grad = 1\ngrad") == [Echo("1")]
    s.execute("del grad")
    assert plain(s.execute("grad(x * x, x)")) == "(tensor(6.),)"


def test_backward_command_with_a_gradient_shows_the_vector_jacobian_product():
    s = Session()
    s.execute("x = torch.arange(3.0, requires_grad=True)\ny = x * x")
    text = plain(s.execute("backward y --gradient torch.ones(3) --retain-graph"))
    assert "J = ∂y/∂x = [[0, 0, 0], [0, 2, 0], [0, 0, 4]]" in text
    assert "vᵀJ = [0, 2, 4]" in text
    assert s.execute("x.grad") == [Echo("tensor([0., 2., 4.])")]
    s.execute("backward y --gradient torch.tensor([1.0, 0.0, 1.0]) --no-trace")  # graph retained
    assert s.execute("x.grad") == [Echo("tensor([0., 2., 8.])")]


def test_float_warning_once_per_session_as_once_per_process_in_pytorch(s):
    s.execute("x = torch.tensor(2.0, requires_grad=True)")
    first = s.execute("float(x * x)")
    assert [type(o) for o in first] == [Warning, Echo]
    assert first[0].message.startswith("Converting a tensor with requires_grad=True to a scalar")
    assert s.execute("float(x * 3)") == [Echo("6.0")]
    again = Session()
    again.execute("x = torch.tensor(2.0, requires_grad=True)")
    assert [type(o) for o in again.execute("float(x)")] == [Warning, Echo]


def test_update_through_detach_is_caught_and_explained(s):
    s.execute("x = torch.arange(3.0, requires_grad=True)\ny = x.exp()\nz = y.detach()")
    s.execute("z += 1")
    assert s.execute("y._version, z._version") == [Echo("(1, 1)")]
    out = s.execute("y.sum().backward()")
    assert isinstance(out[0], Error) and "is at version 1; expected version 0" in out[0].message
    assert any("detach().clone()" in h for h in out[0].hints)
    private = s.execute("y._data")
    assert isinstance(private[0], Error) and "private" in private[0].message


# --- a failed or interrupted statement keeps what it did, as in Python -------------------------

LOOP = """\
w = torch.tensor([1., 2.], requires_grad=True)
losses = []
for step in range(5):
    loss = (w**2).sum()
    losses.append(loss.item())
    with torch.no_grad():
        w -= 0.5 * w
    assert step < 3
"""


def test_a_loop_that_fails_keeps_its_bindings_like_python(s):
    out = s.execute(LOOP)
    assert out[-1].type == "AssertionError"
    assert s.execute("step") == [Echo("3")]
    assert s.execute("loss") == [Echo("tensor(0.0781, grad_fn=<SumBackward0>)")]
    assert s.execute("len(losses), w") == [Echo("(4, tensor([0.0625, 0.1250], "
                                                "requires_grad=True))")]


def test_an_interrupted_loop_keeps_its_bindings_and_says_so(s):
    def stop():
        raise KeyboardInterrupt
    s.builtins["stop"] = stop
    out = s.execute("for i in range(5):\n    last = i\n    if i == 2:\n        stop()")
    assert (out[-1].type, out[-1].message) == ("KeyboardInterrupt", "interrupted")
    assert out[-1].hints == ("the statement was interrupted: what it did before stopping stays "
                             "done (as in Python, variables it assigned keep their new values); "
                             "the rest of the input was skipped",)
    assert s.variables["i"] == 2 and s.variables["last"] == 2


# --- explanations that are not `backward y` leave the graph alone ------------------------------

GRAPH = "x = torch.tensor([1., 2.], requires_grad=True); h = x * 2; y = (h**2).sum()"


def test_trace_keeps_the_graph_and_says_so(s):
    s.execute(GRAPH)
    text = plain(s.execute("trace y"))
    assert "(kept: trace leaves the graph as it was, so y.backward() still works)" in text
    assert "hint:" not in text
    assert "fix:   backward y" in plain(s.execute("why x.grad"))
    assert s.execute("y.backward()") == []
    assert s.execute("x.grad") == [Echo("tensor([ 8., 16.])")]


def test_grad_frees_the_graph_like_autograd_grad_and_names_what_to_recompute(s):
    s.execute(GRAPH)
    out = s.execute("grad y x")
    assert out[-1] == Hint("like torch.autograd.grad, this freed the values y's graph saved: "
                           "recompute h and y (in that order) before a backward through y; "
                           "trace y shows the same steps and keeps the graph")
    assert s.execute("y.backward()")[0].type == "RuntimeError"


# --- a command word alone shows the command's usage --------------------------------------------

@pytest.mark.parametrize("word", ["backward", "grad", "graph", "trace", "jvp", "why"])
def test_a_command_word_alone_shows_its_help(s, word):
    out = s.execute(word)
    assert out == s.execute(f":help {word}")
    assert isinstance(out[0], Info) and out[0].text.startswith(f"command: {word} ")


def test_a_command_word_the_learner_defined_is_their_variable(s):
    s.execute("trace = 3")
    assert s.execute("trace") == [Echo("3")]


# --- help text: plain, fits 80 columns, columns line up ----------------------------------------

def test_help_fits_80_columns_and_has_no_rst_markup(s):
    from autodiff_repl.engine import ops
    from autodiff_repl.lang import commands, help_pages
    topics = [None, "language", "limits", "ops", *commands.USAGE, *(op.name for op in ops.TABLE),
              *s.torch.members]
    for topic in topics:
        for line in help_pages.help_text(topic, s).splitlines():
            assert len(line) <= 79, (topic, line)
            assert "``" not in line, (topic, line)


def test_help_on_a_command_explains_it_and_its_function_in_plain_text(s):
    assert s.execute(":help backward")[0].text.splitlines()[:4] == [
        "command: backward y [--gradient v] [--retain-graph] [--no-trace]",
        "  y.backward(), showing the chain rule step by step. --gradient v: for a",
        "  non-scalar y, the v of the vector-Jacobian product vᵀJ. --retain-graph: keep",
        "  the graph for another backward. --no-trace: run it without the trace."]
    assert "  torch.autograd.backward: accumulate d(tensors)/d(leaf) into every leaf's" in \
        s.execute(":help backward")[0].text


def test_help_ops_columns_line_up(s):
    rows = s.execute(":help ops")[0].text.splitlines()
    out = rows[0].index("out")
    for row in rows[1:]:
        assert row[out - 2: out] == "  " and row[out] != " ", row
    by_name, name = {}, ""  # each op's row, with the lines its output formula wrapped onto
    for row in rows[1:]:
        if row.startswith(" "):
            by_name[name] += " " + row.strip()
        else:
            name = row.split()[0]
            by_name[name] = row
    assert by_name["norm"].split()[1:] == ["LinalgVectorNormBackward0", "‖a‖_p"]
    assert by_name["copy"].split()[1:] == ["CopyBackwards", "b", "copied", "into", "a"]
    assert by_name["index_backward"].endswith("  a scattered into zeros(shape)")
