"""What the learner sees in the cases a QA pass found wrong: hints that blamed the wrong cause,
commands read as Python, a script cut short by one syntax error, remedies that fail again,
doubled or ungrammatical wording, far-fetched suggestions, and a forward trace without brackets.
Each test drives a ``Session`` (or ``autodiff run``) and reads the plain text it prints."""

from __future__ import annotations

import io

from autodiff_repl import runner
from autodiff_repl.outputs import Error
from autodiff_repl.render import plain
from autodiff_repl.session import Session


def shown(session: Session, text: str) -> str:
    """What the learner sees after typing ``text``."""
    return plain(session.execute(text))


def session_after(*inputs: str) -> Session:
    """A session that ran ``inputs`` (the ones before the last need not succeed)."""
    s = Session()
    for text in inputs:
        s.execute(text)
    return s


def errors(outputs) -> list[Error]:
    return [o for o in outputs if isinstance(o, Error)]


# --- 1. requires_grad_() switched on after the result was computed ------------------------------

LATE = ("w = torch.arange(4.0)", "v = 2 * torch.dot(w, w)", "w.requires_grad_()")


def test_late_requires_grad_says_it_was_switched_on_after_v_was_computed():
    s = session_after(*LATE)
    [error] = errors(s.execute("v.backward()"))
    assert error.message == ("element 0 of tensors does not require grad and does not have a "
                             "grad_fn")
    assert error.hints == (
        "w did not require grad when v was computed from it (requires_grad was switched on "
        "afterwards), so no graph was recorded",
        "now that w requires grad, compute v again (run the line that makes v), then run "
        "v.backward() again")
    assert "no_grad" not in shown(s, "v.backward()")


def test_late_requires_grad_names_every_result_to_recompute_in_order():
    s = session_after("w = torch.arange(4.0)", "u = w * 2", "v = u.sum()",
                      "w.requires_grad = True")
    [error] = errors(s.execute("backward v"))
    assert error.hints[0].startswith("w did not require grad when u was computed from it")
    assert error.hints[1] == ("now that w requires grad, compute u and v again (run the lines "
                              "that make u and v, in that order), then run backward v again")


def test_late_requires_grad_on_one_line_is_seen_statement_by_statement():
    s = Session()
    text = shown(s, "; ".join(LATE) + "; v.backward()")
    assert "switched on afterwards" in text and "no_grad" not in text


def test_why_says_requires_grad_was_switched_on_after_v_was_computed():
    s = session_after(*LATE, "v.backward()")
    text = shown(s, "why w.grad")
    assert "v was computed from w before w required grad" in text
    assert ("cause: w did not require grad when v was computed (requires_grad was switched on "
            "afterwards)") in text
    assert "fix:   compute v again now that w requires grad" in text
    assert "no_grad" not in text


def test_a_result_of_an_earlier_value_of_the_input_is_named_as_such():
    s = session_after("w = torch.arange(4.0)", "v = 2 * torch.dot(w, w)",
                      "w = torch.ones(4, requires_grad=True)")
    [error] = errors(s.execute("v.backward()"))
    assert error.hints == (
        "v was computed from an earlier w: w was assigned the tensor that requires grad "
        "afterwards, so no graph leads from v to it",
        "compute v again from the new w (run the line that makes v), then run v.backward() "
        "again")
    assert "computed from w before" not in shown(s, "why w.grad")


def test_requires_grad_from_the_start_keeps_the_no_grad_or_detach_hint():
    s = session_after("w = torch.arange(4.0, requires_grad=True)",
                      "v = 2 * torch.dot(w.detach(), w.detach())")
    [error] = errors(s.execute("v.backward()"))
    assert "through detach()" in error.hints[0]


def test_recomputed_after_requires_grad_works_and_is_not_late():
    s = session_after(*LATE, "v = 2 * torch.dot(w, w)")
    assert not errors(s.execute("v.backward()"))
    assert s.made_before_grad("w") == []


# --- 2. a command word, a space, then an argument in brackets is the command -------------------

Z = "z = torch.tensor([1., 2., 3.], requires_grad=True)"


def test_backward_of_a_bracketed_expression_is_the_command():
    s = session_after(Z)
    text = shown(s, "backward (z * z).sum()")
    assert text.startswith("backward t2: t2 is a scalar")
    assert "RuntimeError" not in text
    assert shown(s, "z.grad") == "tensor([2., 4., 6.])"


def test_no_trace_after_a_bracketed_argument_is_an_option_not_python():
    s = session_after(Z)
    assert shown(s, "backward ((z * z).sum()) --no-trace") == ""
    assert shown(s, "z.grad") == "tensor([2., 4., 6.])"


def test_an_unknown_option_runs_nothing():
    s = session_after(Z)
    [error] = errors(s.execute("backward ((z * z).sum()) --bogus"))
    assert (error.type, error.message) == ("UsageError", "unknown option --bogus for backward")
    assert shown(s, "z.grad").startswith("hint: z.grad is None")


def test_a_command_line_in_a_pasted_cell_is_the_command():
    s = session_after(Z)
    assert shown(s, "w = z * 2\nbackward (w * w).sum() --no-trace\nz.grad") == \
        "tensor([ 8., 16., 24.])"


def test_a_call_without_the_space_or_with_an_operator_stays_python():
    s = session_after(Z)
    assert shown(s, "grad((z * z).sum(), z)") == "(tensor([2., 4., 6.]),)"
    assert shown(s, "grad is None") == "False"
    s.execute("grad = lambda t: t * 10")
    assert shown(s, "grad (3)") == "30"  # the learner's own grad


def test_a_python_call_written_with_a_space_says_how_to_call_it():
    s = session_after(Z)
    [error] = errors(s.execute("grad ((z * z).sum(), z)"))
    assert error.message == "usage: grad y x [--create-graph] [--retain-graph] [--no-trace]"
    assert error.hints == ("to call grad(...) as Python, write it without the space: "
                           "grad((z * z).sum(), z)",)


# --- 5. autodiff run: a syntax error costs only its own statement --------------------------------

def run_file(tmp_path, text: str, **kwargs) -> tuple[int, str]:
    path = tmp_path / "s.py"
    path.write_text(text, encoding="utf-8")
    stream = io.StringIO()
    code = runner.run_path(str(path), stream=stream, errors=io.StringIO(), **kwargs)
    return code, stream.getvalue().replace(str(path), "s.py")


def test_run_goes_on_after_a_syntax_error_in_a_def(tmp_path):
    code, text = run_file(tmp_path, 'def f(:\nx = 5\nprint("after")\nx\n')
    assert code == 1
    assert text == ("SyntaxError: invalid syntax (s.py, line 1)\n"
                    "    def f(:\n"
                    "          ^\n"
                    "after\n"
                    "5\n")


def test_run_goes_on_after_an_unclosed_bracket(tmp_path):
    code, text = run_file(tmp_path, "print(1\nx = 2\nx\n")
    assert code == 1
    assert text.splitlines()[0] == "SyntaxError: '(' was never closed (s.py, line 1)"
    assert text.splitlines()[-1] == "2"


def test_run_an_unexpected_indent_costs_only_the_indented_line(tmp_path):
    code, text = run_file(tmp_path, "x = 1\n  y = 2\nprint('after', x)\n")
    assert code == 1
    assert text.startswith("IndentationError: unexpected indent (s.py, line 2)\n")
    assert text.endswith("after 1\n")


def test_run_a_syntax_error_inside_a_block_costs_the_whole_block(tmp_path):
    code, text = run_file(tmp_path, "def f():\n    v = 1\n    return v +\nprint('next')\nf\n")
    assert code == 1
    assert text.splitlines()[0] == "SyntaxError: invalid syntax (s.py, line 3)"
    assert "next" in text and "NameError: name 'f' is not defined" in text


def test_run_a_bracket_spanning_lines_is_one_statement_and_commands_still_run(tmp_path):
    code, text = run_file(tmp_path, "x = torch.ones(2, requires_grad=True)\nz = [1,\n2 3]\n"
                                    "backward (x * x).sum() --no-trace\nx.grad\n")
    assert code == 1
    assert text.splitlines()[0] == ("SyntaxError: invalid syntax. Perhaps you forgot a comma? "
                                    "(s.py, line 3)")
    assert text.endswith("tensor([2., 2.])\n")


def test_run_stop_first_stops_at_the_syntax_error(tmp_path):
    code, text = run_file(tmp_path, "x = 1\nprint(1\nx = 2\nx\n", stop_first=True)
    assert code == 1
    assert text.startswith("SyntaxError: '(' was never closed (s.py, line 2)\n")
    assert "2" not in text.split("\n", 1)[1]


def test_run_many_syntax_errors_stop_after_a_bound(tmp_path):
    code, text = run_file(tmp_path, "print(1\n" * 500)
    assert code == 1
    assert text.count("(s.py, line ") == runner.MAX_SYNTAX_ERRORS
    assert text.splitlines()[-1].startswith("SyntaxError: too many syntax errors: s.py was not "
                                            "run from line 21 on")


def test_run_a_clean_script_and_a_lesson_still_exit_0(tmp_path):
    assert run_file(tmp_path, "a = 1\na + 1\n") == (0, "2\n")
    from autodiff_repl.lessons import lessons_dir
    stream = io.StringIO()
    assert runner.run_path(str(lessons_dir() / "01_autograd.txt"), stream=stream) == 0


# --- 3. a freed graph: recompute what was really freed; retain_graph on the earlier pass -------

HIGHER = ("x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)",
          "g, = torch.autograd.grad(y, x, create_graph=True)",
          "h, = torch.autograd.grad(g.sum(), x)")


def test_grad_of_g_sum_twice_says_to_recompute_g():
    s = session_after(*HIGHER)
    [error] = errors(s.execute("h, = torch.autograd.grad(g.sum(), x)"))
    assert error.hints[1] == ("g.sum() is computed from g, whose part of the graph was freed: "
                              "recompute g (run the line that makes g again), then run "
                              "torch.autograd.grad(g.sum(), x) again")
    assert error.hints[2].endswith("as in torch.autograd.grad(g.sum(), x, retain_graph=True)")


def test_the_remedy_for_g_works():
    s = session_after(*HIGHER, "h, = torch.autograd.grad(g.sum(), x)",
                      "g, = torch.autograd.grad(y, x, create_graph=True)")
    assert not errors(s.execute("h, = torch.autograd.grad(g.sum(), x)"))
    assert shown(s, "h") == "tensor([4., 4., 4., 4.])"


def test_retain_graph_belongs_on_the_earlier_backward():
    s = session_after("x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)",
                      "y.backward()")
    [error] = errors(s.execute("torch.autograd.grad(y, x, create_graph=True)"))
    assert error.hints[2] == ("or keep the graph for this pass: the earlier pass y.backward() "
                              "freed it; run it as y.backward(retain_graph=True) -- the "
                              "gradients then add up in .grad")
    assert "create_graph=True, retain_graph=True" not in " ".join(error.hints)
    s = session_after("x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)",
                      "y.backward(retain_graph=True)")
    assert not errors(s.execute("torch.autograd.grad(y, x, create_graph=True)"))


def test_the_earlier_pass_can_be_a_command():
    s = session_after("x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)",
                      "grad y x --no-trace")
    [error] = errors(s.execute("y.backward()"))
    assert error.hints[2] == ("or keep the graph for this pass: the earlier pass grad y x "
                              "--no-trace freed it; run it as grad y x --no-trace "
                              "--retain-graph")


# --- 4. gradient methods on a NumPy array: make a tensor, not a call the array lacks -------------

def test_attach_grad_on_a_numpy_array_suggests_a_tensor():
    s = session_after("import numpy as np", "a = np.arange(4.0)")
    [error] = errors(s.execute("a.attach_grad()"))
    assert error.hints == (
        "MXNet's a.attach_grad() is a.requires_grad_() in PyTorch, but a is a NumPy array, not "
        "a tensor: only tensors carry gradients",
        "make a tensor that requires grad from it: a = torch.tensor(a, requires_grad=True) (or "
        "torch.from_numpy(a).requires_grad_(), which shares a's memory); both keep the array's "
        "float64")
    assert not errors(s.execute("a = torch.tensor(a, requires_grad=True)"))
    assert shown(s, "a") == "tensor([0., 1., 2., 3.], dtype=torch.float64, requires_grad=True)"


def test_requires_grad_on_an_integer_array_or_number_asks_for_floats():
    s = session_after("import numpy as np", "a = np.arange(4)", "n = 3")
    [error] = errors(s.execute("a.requires_grad_()"))
    assert error.hints[1] == ("make a tensor that requires grad from it: a = torch.tensor(a, "
                              "dtype=torch.float32, requires_grad=True)")
    [error] = errors(s.execute("n.grad"))
    assert error.hints[0] == "n is an int, not a tensor: only tensors carry gradients"
    assert not errors(s.execute(error.hints[1].split(": ", 1)[1]))


def test_attach_grad_on_a_tensor_keeps_the_mxnet_translation():
    s = session_after("x = torch.ones(2)")
    [error] = errors(s.execute("x.attach_grad()"))
    assert error.hints == ("MXNet's x.attach_grad() is x.requires_grad_() in PyTorch (or create "
                           "the tensor with requires_grad=True)",)


# --- 6. wording ---------------------------------------------------------------------------------

def test_builtins_left_out_are_said_once_in_one_sentence():
    s = Session()
    for text, hint in [
            ("eval('1')", "eval() is not available in this language: type the expression itself"),
            ("exec('1')", "exec() is not available in this language: type the code itself"),
            ("input()", "input() is not available in this language: assign the value, e.g. "
                        "n = 3"),
            ("open('f')", "open() is not available in this language: files cannot be read or "
                          "written from code; :save FILE writes the session's inputs"),
            ("quit()", "type :quit (or press Ctrl-D) to leave")]:
        [error] = errors(s.execute(text))
        assert error.hints == (hint,), text


def test_a_and_an_follow_the_sound():
    from autodiff_repl.lang.errors import with_article
    s = Session()
    assert errors(s.execute("backward 3"))[0].message == "3 is an int, not a tensor"
    assert errors(s.execute("backward 'y'"))[0].message == "'y' is a str, not a tensor"
    assert [with_article(w) for w in ("int", "float", "AttributeError", "uint8", "8-bit",
                                      "64-bit", "11-bit", "numpy.ndarray", "UnpackedDualTensor")] \
        == ["an int", "a float", "an AttributeError", "a uint8", "an 8-bit", "a 64-bit",
            "an 11-bit", "a numpy.ndarray", "an UnpackedDualTensor"]


def did_you_mean(session: Session, text: str) -> str | None:
    [error] = errors(session.execute(text))
    return next((h for h in error.hints if h.startswith("did you mean")), None)


def test_far_fetched_suggestions_are_dropped():
    s = session_after("x = torch.ones(2, requires_grad=True)")
    for text in ("tangent", "t", "clear", "q", "nothere", "x.clear()", "x.nothere"):
        assert did_you_mean(s, text) is None, text


def test_close_suggestions_are_kept():
    s = session_after("x = torch.ones(2, requires_grad=True)")
    assert did_you_mean(s, "torch.dto") == "did you mean 'torch.dot'?"
    assert did_you_mean(s, "x.backwards()") == "did you mean 'x.backward'?"
    for typo in ("requires_gard_", "require_grad_", "requiresgrad_", "requires_grad__"):
        assert did_you_mean(s, f"x.{typo}()") == "did you mean 'x.requires_grad_'?", typo
    assert did_you_mean(s, "prnt(1)") == "did you mean 'print'?"
    assert did_you_mean(s, "torch.arang(3)") == "did you mean 'torch.arange'?"
    assert did_you_mean(s, "xx") == "did you mean 'x'?"


def test_grad_set_to_none_says_it_was_cleared():
    s = session_after("x = torch.ones(2, requires_grad=True)", "x.sum().backward()",
                      "x.grad = None")
    assert shown(s, "x.grad") == ("hint: x.grad is None: it was cleared (set to None) and no "
                                  "backward() has reached x since; the next backward() stores a "
                                  "fresh gradient")
    [error] = errors(s.execute("x.grad.zero_()"))
    assert error.hints[0].startswith("x.grad is None: it was cleared (set to None)")
    s.execute("x.sum().backward()")
    assert shown(s, "x.grad") == "tensor([1., 1.])"
    assert shown(session_after("y = torch.ones(2, requires_grad=True)"), "y.grad") == \
        "hint: y.grad is None: no backward() has reached y yet"


def test_a_very_long_line_is_shown_as_a_window_around_the_caret():
    s = Session()
    [error] = errors(s.execute("x = " + "1 + " * 10000 + "?"))
    text = plain([error])
    assert max(len(line) for line in text.splitlines()) <= 90
    source, caret = text.splitlines()[1:3]
    assert source.startswith("    …") and source.endswith("+ ?")
    assert source[caret.index("^")] == "?"
    [error] = errors(s.execute("y = [" + "1, " * 10 + "nope" + ", 2" * 10000 + "]\ny"))
    source, caret = plain([error]).splitlines()[1:3]
    assert source.endswith("…") and len(source) <= 90
    assert source[caret.index("^"):].startswith("nope")


# --- 7. the forward trace brackets a local derivative with an operator in it -------------------

def test_forward_trace_brackets_compound_local_derivatives():
    s = session_after("x = torch.tensor(0.5, requires_grad=True)", "t2 = x * 2",
                      "t3 = torch.tanh(t2)", "t4 = torch.relu(t3)", "y = t4 * 1")
    text = shown(s, "trace y --forward")
    assert "t3′ = (1 - tanh²(t2)) · t2′ = 0.42 × 2 = 0.8399" in text
    assert "t4′ = (1 if t3 > 0 else 0) · t3′ = 1 × 0.8399 = 0.8399" in text
    assert "t2′ = 2 · x′ = 2 × 1 = 2" in text  # a plain factor needs none


# --- 8. grad has the options backward has --------------------------------------------------------

def test_grad_no_trace_gives_only_the_result():
    s = session_after("x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)")
    out = s.execute("grad y x --no-trace")
    assert plain(out).splitlines()[0] == "tensor([ 0.,  4.,  8., 12.])"
    assert not any(getattr(o, "kind", None) == "trace" for o in out)
    assert shown(s, "x.grad").startswith("hint: x.grad is None")


def test_grad_retain_graph_keeps_the_graph_for_a_backward():
    s = session_after("x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)")
    text = shown(s, "grad y x --retain-graph")
    assert "kept (retain_graph), so the graph can run backward again" in text
    assert not errors(s.execute("y.backward()"))
    assert shown(s, "x.grad") == "tensor([ 0.,  4.,  8., 12.])"


def test_help_lists_the_same_options_for_grad_and_backward():
    text = " ".join(shown(Session(), ":help grad").split())
    assert text.startswith("command: grad y x [--create-graph] [--retain-graph] [--no-trace]")
    assert "--no-trace: run it without the trace." in text
    assert "--retain-graph: keep the graph for another pass." in text
