"""The guided lessons as a learner meets them: the QA pass's defects, each as the learner saw it.

A scripted learner types into the real lessons (``lessons/``); the tests assert what the guide
says back: a step passes only on what it asks, leftover gradients are counted from a cleared
``.grad``, reasons name the dtype, the shape, the comparison; a lesson's end says what comes
next and keeps the session; prose is reflowed to the terminal's width and graphs fitted to it.
"""

import re

import pytest
from support import scripted_lesson

from autodiff_repl import lessons
from autodiff_repl.lesson_guide import Guide
from autodiff_repl.prose import reflow

guide = scripted_lesson


def visit(text, n, total):
    """What the learner saw in the first visit of step ``n`` (up to the next heading)."""
    return text.split(f"── step {n}/{total} · ")[1].split("── step ")[0]


def references(n):
    """Every input of lesson ``n``'s reference answers, in order ("" for a demo step)."""
    steps = lessons.load(lessons.lesson_info(n).path).steps
    return [source for step in steps
            for source in (step.sources if step.exchanges and not step.demo else [""])]


# --- 1: a step passes only when the learner did what it asks -------------------------------

def test_import_torch_passes_only_on_import_torch(tmp_path):
    _, text = guide(1, ["import torh", 'print("hello")', "import torch"], tmp_path)
    seen = visit(text, 1, 16)
    before, after = seen.split(">>> import torch\n")
    assert "✓" not in before
    assert "ImportError" in before
    assert "Not yet: torch is not imported yet." in before
    assert after.startswith("✓ Correct.")


def test_an_input_that_raised_never_passes_a_step(tmp_path):
    # torch gets bound, but the same input raises: the error speaks, the step waits
    _, text = guide(1, ["import torch; undefined_name", "import torch"], tmp_path)
    before, after = visit(text, 1, 16).split(">>> import torch\n")
    assert "NameError" in before and "✓" not in before and "Not yet" not in before
    assert after.startswith("✓ Correct.")


# --- 2: gradients that add up, counted from a cleared .grad --------------------------------

ADVICE = ("gradients add up across backward() calls. Clear it with x.grad.zero_() (or "
          "x.grad = None) and do the step again, or :reset to restart the step.")


@pytest.mark.parametrize("answer", [
    ["x.grad.zero_(); s = x.sum(); s.backward(); s.backward(); s.backward(); x.grad"],
    ["x.grad.zero_()", "s = x.sum()", "s.backward()", "s.backward()", "s.backward()", "x.grad"],
])
def test_a_zeroed_gradient_counts_the_passes_from_zero(answer, tmp_path):
    # lesson 2, step 12 starts with x.grad = 4x; the learner zeroes it and adds ones 3 times
    _, text = guide(2, [":skip"] * 11 + answer, tmp_path)
    seen = visit(text, 12, 19)
    assert "tensor([3., 3., 3., 3.])" in seen
    assert ("Not yet: x.grad holds the sum of 3 backward() passes since it was last cleared, where "
            f"this step expects 2: {ADVICE}") in seen
    assert "does not hold the expected values" not in seen


def test_three_backward_passes_in_the_backward_twice_step_get_the_advice(tmp_path):
    answer = ("x.grad.zero_(); y = 2 * torch.dot(x, x); y.backward(retain_graph=True); "
              "y.backward(retain_graph=True); y.backward(); y.backward()")
    _, text = guide(2, [":skip"] * 10 + [answer], tmp_path)
    seen = visit(text, 11, 19)
    assert "RuntimeError: Trying to backward through the graph a second time" in seen
    assert ("Not yet: x.grad holds the sum of 3 backward() passes since it was last cleared, where "
            f"this step expects 1: {ADVICE}") in seen


# --- 3: the dtype is named ------------------------------------------------------------------

def test_a_float32_x_where_the_step_wants_float64_is_named(tmp_path):
    fx = "fx = torch.log(x ** 2) * torch.sin(x) + 1 / x"
    _, text = guide(4, [":skip"] * 4 + ["x = torch.tensor(2.0, requires_grad=True)", fx, "fx",
                                        "x = x.double().detach().requires_grad_()", fx, "fx"],
                    tmp_path)
    seen = visit(text, 5, 12)
    assert "Not yet: x has dtype torch.float32; the step expects torch.float64." in seen
    assert "now show fx" not in seen
    assert "✓ Correct" in seen.split("x.double()")[1]


# --- 4: passing and finishing, the same in every lesson -------------------------------------

def test_the_freed_graph_step_passes_in_two_inputs_with_the_reference(tmp_path):
    answers = [":skip"] * 4 + ["y.backward()", "torch.autograd.grad(y, x, create_graph=True)"]
    _, text = guide(3, answers, tmp_path)
    seen = visit(text, 5, 7)
    assert "✓ Correct. To compare notes, the reference answer:" in seen
    assert ">>> y = 2 * torch.dot(x, x)\n>>> y.backward()" in seen.split("✓ Correct")[1]


@pytest.mark.parametrize("info", lessons.list_lessons(), ids=lambda i: i.path.name)
def test_a_lesson_ends_by_saying_so_and_keeps_its_session(info, tmp_path):
    later = [i for i in lessons.list_lessons() if i.number > info.number]
    code, text = guide(info.number, [*references(info.number), "x", ":hint", ":quit"],
                       tmp_path)
    assert code == 0
    steps = lessons.load(info.path).steps
    tasks = sum(1 for step in steps if step.exchanges and not step.demo)
    assert text.count("✓ Correct") == tasks
    end = text.split(f"Lesson {info.number} complete: {info.steps} steps.")[1]
    if later:
        assert f"'autodiff lesson {later[0].number}'" in end
        assert f":next starts lesson {later[0].number}" in end
    else:
        assert "That was the last lesson" in end and ":next" not in end
    assert "The lesson's variables are still here" in end
    assert ":quit or Ctrl-D leaves" in end
    # the learner's next line runs in the lesson's session, not in the shell
    assert re.search(r">>> x\ntensor\(", end)
    assert "(the lesson is finished: " in end
    assert "Progress saved" not in end


def test_after_the_end_next_and_back_move_on_or_back(tmp_path):
    _, text = guide(3, [*references(3), ":back", ":skip", ":next", ":quit"], tmp_path)
    end = text.split("Lesson 3 complete: 7 steps.")[1]
    assert "── step 7/7" in end  # :back
    assert "Lesson 3 complete: 7 steps (1 skipped)." in end
    assert "Lesson 4: Exercises of the autograd chapter" in end  # :next


def test_the_last_steps_pass_on_what_their_text_asks(tmp_path):
    # lesson 3 ends with a comparison the learner types: it is part of the step
    d2s = "d2s, = torch.autograd.grad(ds.sum(), t)"
    _, text = guide(3, [":skip"] * 6 + [d2s, "d2s"], tmp_path)
    assert "✓" not in visit(text, 7, 7) and "complete" not in text
    _, text = guide(3, [":skip"] * 6 + [d2s, "torch.allclose(d2s, -torch.sin(t))"], tmp_path)
    assert "✓ Correct" in visit(text, 7, 7)
    # lessons 1 and 4 check a gradient: their text says the step passes as soon as it holds
    for n in (1, 4):
        step = lessons.load(lessons.lesson_info(n).path).steps[-1 if n == 1 else 9]
        assert "passed as soon as" in step.narration(before_first_input=True)


# --- 5: the words of the feedback -----------------------------------------------------------

def test_an_error_the_step_runs_into_takes_an(tmp_path):
    _, text = guide(2, [":skip"] * 12 + ["x.requires_grad_()"], tmp_path)
    assert "Not yet: this step runs into an AttributeError; run the code that raises it." \
        in visit(text, 13, 19)


def test_a_wrong_shape_names_the_shape_the_step_expects(tmp_path):
    _, text = guide(1, [":skip", "x = torch.arange(5.0)", "x"], tmp_path)
    assert "Not yet: x has shape [5]; the step expects shape [4]." in visit(text, 2, 16)


def test_a_comparison_is_told_what_the_step_wants_instead(tmp_path):
    # lesson 1, step 7 compares x.grad == 4 * x; lesson 2, step 3 shows x.grad itself
    _, text = guide(1, [":skip"] * 4 + ["", ":skip", "x.grad == 2 * x", "x.grad"], tmp_path)
    seen = visit(text, 7, 16)
    assert ("Not yet: your comparison gives tensor([ True, False, False, False]); the step "
            "compares x.grad == 4 * x, which gives tensor([True, True, True, True]).") in seen
    assert "Not yet: the step asks for a comparison: x.grad == 4 * x." in seen
    _, text = guide(2, [":skip", ":skip", "y.sum().backward()", "x.grad == 2 * x"], tmp_path)
    assert ("Not yet: that is a comparison (tensor([True, True, True, True])); the step asks "
            "for the value itself: show x.grad.") in visit(text, 3, 19)
    assert "show the value the step asks for" not in text


@pytest.mark.parametrize("answer", ["mode = 'Reverse'", 'mode = "REVERSE "'])
def test_a_word_answer_is_accepted_in_any_case(answer, tmp_path):
    _, text = guide(4, [":skip"] * 11 + [answer], tmp_path)
    assert "✓ Correct" in visit(text, 12, 12)


def test_a_wrong_word_answer_is_not_accepted(tmp_path):
    _, text = guide(4, [":skip"] * 11 + ["mode = 'forward'"], tmp_path)
    assert "Not yet: mode does not have the expected value yet." in visit(text, 12, 12)


def test_skip_says_what_the_answer_did(tmp_path):
    _, text = guide(1, [":skip"] * 4 + ["", ":skip"], tmp_path)
    assert "(skipped; it set x.grad)" in visit(text, 6, 16)
    assert "(skipped; it set x.requires_grad)" in visit(text, 3, 16)
    assert "(skipped; it bound x)" in visit(text, 2, 16)
    _, text = guide(1, [":skip"] * 4 + ["", ":skip", ":skip", "", ":skip"], tmp_path)
    assert "(skipped; it bound y and set x.grad)" in visit(text, 9, 16)


# --- 6: prose at the terminal's width, graphs fitted ---------------------------------------

CODE = re.compile(r"^(>>> |\.\.\. |\(Enter for the next step\) >>> |tensor|  |graph of |why )")


@pytest.mark.parametrize("width", [80, 100])
def test_narration_is_reflowed_to_the_width(width, tmp_path):
    _, text = guide(1, [":skip"] * 4 + ["", ":skip", "x.grad == 2 * x"], tmp_path,
                    width=width)
    prose = [line for line in text.split("\n") if not CODE.match(line)]
    assert max(len(line) for line in prose) <= width
    assert max(len(line) for line in prose) > width - 10  # filled, not left at the file's
    if width == 80:  # the file breaks this paragraph at 95 columns
        assert ("This lesson replays the \"Automatic Differentiation\" section of Dive into "
                "Deep\nLearning (PyTorch edition)") in text


def test_graphs_in_a_lesson_fit_the_width(tmp_path):
    _, text = guide(1, [":skip"] * 4 + [""], tmp_path, width=80)
    graph = visit(text, 5, 16).split(">>> graph y\n")[1].split("\n\n")[0]
    assert "requires_grad" in graph
    assert max(len(line) for line in graph.split("\n")) <= 80


def test_the_width_comes_from_the_terminal_prompt(tmp_path):
    class Terminal:
        """A prompt that knows the terminal's width, as ``repl_prompt.LessonInput`` does."""

        def __call__(self, prompt):
            raise EOFError

        def columns(self):
            return 60

    shown = []
    info = lessons.lesson_info(1)
    Guide(info, input_fn=Terminal(), output=shown.append, hints=True,
          progress=lessons.Progress(tmp_path / "p.json")).run()
    assert max(len(line) for line in "\n".join(shown).split("\n")) <= 60


def test_reflow_keeps_code_and_indented_lines():
    text = ("A paragraph that the file broke\nat some width.\n"
            ">>> x = torch.arange(4.0, requires_grad=True)\n  t1 = x^2   kept\n\nNext one.")
    assert reflow(text, 40) == (
        "A paragraph that the file broke at some\nwidth.\n"
        ">>> x = torch.arange(4.0, requires_grad=True)\n  t1 = x^2   kept\n\nNext one.")
    assert reflow(text, None) == text
    # a call stays on one line when it fits
    assert reflow("We want to call the function torch.autograd.grad(y, x) and see what it "
                  "gives back", 50) == ("We want to call the function\n"
                                        "torch.autograd.grad(y, x) and see what it gives\nback")
    # so does an operator with its operands
    assert reflow("Not yet: the step compares x.grad == 4 * x, which gives True", 40) == (
        "Not yet: the step compares\nx.grad == 4 * x, which gives True")


def test_a_meta_command_in_a_step_is_not_judged(tmp_path):
    _, text = guide(1, [":vars", "import torch"], tmp_path)
    seen = visit(text, 1, 16)
    assert "Not yet" not in seen and "✓ Correct." in seen


def test_the_lesson_prompt_reports_the_terminal_width(monkeypatch):
    pytest.importorskip("prompt_toolkit")
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from autodiff_repl import render
    from autodiff_repl.repl_prompt import LessonInput

    with create_pipe_input() as pipe:
        ask = LessonInput(history=InMemoryHistory(), input=pipe, output=DummyOutput())
        monkeypatch.setattr(render, "terminal_width", lambda stream: 123)
        assert ask.columns() == 123  # stdout's, as the REPL's output uses
        monkeypatch.setattr(render, "terminal_width", lambda stream: None)
        assert ask.columns() == DummyOutput().get_size().columns  # else the prompt's


# --- QA round 2 ------------------------------------------------------------------------------
# 1: an expected error is the reference's (type and message, from the call the step asks for),
#    met since the learner last started the step afresh; the rest of the step still applies

def passes_only_after(text, n, total, last):
    """Whether step ``n`` was passed by the input ``last`` and not before it."""
    before, after = visit(text, n, total).split(f">>> {last}\n", 1)
    return "✓" not in before and "✓ Correct" in after


@pytest.mark.parametrize(("n", "skips", "tries", "last"), [
    # lesson 2, step 15 asks for x.copy(): another AttributeError is not it
    (2, 14, ["torch.autograd.record()", "x.attach_grad()"], "x.copy()"),
    # lesson 2, step 2: the error met before y was made is not y.backward()'s
    (2, 1, ["x.backward()", "y = x * x"], "y.backward()"),
    # lesson 2, step 11: an earlier try's error does not stand for the fresh start's
    (2, 10, ["y = 2 * torch.dot(x, x); y.backward(); y.backward()",
             "x.grad.zero_(); y = 2 * torch.dot(x, x); y.backward()"], "y.backward()"),
    # lesson 3, step 5: the same error from y.backward() is not the one autograd.grad meets
    (3, 4, ["y.backward()", "y.backward()"], "torch.autograd.grad(y, x, create_graph=True)"),
])
def test_an_expected_error_is_the_one_the_step_asks_for(n, skips, tries, last, tmp_path):
    _, text = guide(n, [":skip"] * skips + tries + [last], tmp_path)
    total = lessons.lesson_info(n).steps
    assert passes_only_after(text, n=skips + 1, total=total, last=last)
    assert "partly from a backward()" not in visit(text, skips + 1, total)


def test_the_same_error_from_another_call_is_named(tmp_path):
    _, text = guide(3, [":skip"] * 4 + ["y.backward()", "y.backward()"], tmp_path)
    assert ("Not yet: this step meets that RuntimeError in torch.autograd.grad(y, x, "
            "create_graph=True), not in the code you ran: run that.") in visit(text, 5, 7)


def test_an_error_met_before_starting_afresh_is_named(tmp_path):
    _, text = guide(2, [":skip", "x.backward()", "y = x * x", "y.sum()"], tmp_path)
    assert ("Not yet: the RuntimeError you met came before y = x * x, which started the step "
            "afresh: run the code that raises it again.") in visit(text, 2, 19)


def test_errors_are_alike_but_for_names_and_numbers():
    from autodiff_repl.lesson_reference import Met, called

    def met(etype, message, source="f()"):
        return Met(etype, message, source, called(source))

    element = "element {} of tensors does not require grad and does not have a grad_fn"
    assert met("RuntimeError", element.format(0)).like(met("RuntimeError", element.format(1)),
                                                        [])
    copy = met("AttributeError", "'Tensor' object has no attribute 'copy'", "x.copy()")
    assert not met("AttributeError", "'Tensor' object has no attribute 'attach_grad'",
                   "x.attach_grad()").like(copy, ["x"])
    assert met("NameError", "name 'w' is not defined").like(
        met("NameError", "name 'x' is not defined"), ["w", "x"])
    grad = met("RuntimeError", "Trying ...", "torch.autograd.grad(y, x, create_graph=True)")
    assert met("RuntimeError", "Trying ...", "g, = grad(y, x)").answers(grad, [])
    assert not met("RuntimeError", "Trying ...", "y.backward()").answers(grad, [])
    assert met("RuntimeError", "Trying ...", "backward y").calls == {"backward"}


# 2: the reference answer is fitted to the terminal as the learner's own output is

@pytest.mark.parametrize("width", [64, 80, 100])
def test_the_reference_answer_to_compare_notes_fits_the_width(width, tmp_path):
    answer = "x.grad.zero_(); y = 2 * torch.dot(x, x); y.backward(); y.backward()"
    _, text = guide(2, [":skip"] * 10 + [answer], tmp_path, width=width)
    notes = visit(text, 11, 19).split("the reference answer:\n")[1].split("\n\n")[0]
    error = notes.split("RuntimeError: ")[1].split("\nhint: ")[0].split("\n")
    assert max(len(line) for line in notes.split("\n")) <= width
    assert len(error) > 1 and all(line.startswith(" " * 14) for line in error[1:])
    rest = [line for line in notes.split("\n")
            if not line.startswith(("RuntimeError", ">>> ", "tensor(", " " * 14))]
    assert rest[0].startswith("hint: ") and len(rest) > 3
    assert all(line.startswith(("hint: ", " " * 6)) for line in rest)


# 3: a non-leaf where the reference has a leaf

def test_a_non_leaf_variable_is_named_with_the_way_to_make_a_leaf(tmp_path):
    fx = "fx = torch.log(x ** 2) * torch.sin(x) + 1 / x"
    make = "x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)"
    _, text = guide(4, [":skip"] * 4 + ["x = torch.tensor(2.0, requires_grad=True)",
                                        "x = x.double()", fx, "fx", make, fx, "fx"], tmp_path)
    seen = visit(text, 5, 12)
    assert ("Not yet: x is not a leaf: x.double() made a new tensor from it, and backward() "
            "fills the .grad of leaves only; create it directly: " + make + ".") in seen
    before, after = seen.split(f">>> {make}\n")
    assert "✓" not in before and "✓ Correct" in after


# 4: a step that adds to the gradient it starts from, after the learner cleared it

def test_a_cleared_leftover_gradient_gets_what_the_step_expects_and_skip_agrees(tmp_path):
    _, text = guide(2, [":skip"] * 3 + ["x.grad.zero_(); y = x.sum(); y.backward(); x.grad",
                                        ":skip"], tmp_path)
    seen = visit(text, 4, 19)
    assert ("Not yet: x.grad is tensor([1., 1., 1., 1.]); the step expects "
            "tensor([1., 3., 5., 7.]), the gradient x.grad held when the step began plus this "
            "step's, but it was cleared. :back redoes the previous step, or :reset restarts "
            "this one with that gradient.") in seen
    skipped = seen.split(">>> :skip\n")[1]
    assert "the step's starting state is back" in skipped
    assert ">>> x.grad\ntensor([1., 3., 5., 7.])" in skipped
    assert "tensor([2., 2., 2., 2.])" not in skipped


# 5: a step that asks to look at a value that shows nothing waits for the look

@pytest.mark.parametrize(("n", "skips", "first", "look", "after"), [
    (1, 2, "x.requires_grad_(True)", "x.grad", "y = 2 * torch.dot(x, x)"),
    (2, 5, "w = torch.arange(4.0)", "w.grad", "why w.grad"),
    (2, 9, "y = x * x", "y.grad", "x.grad.zero_()"),
])
def test_a_step_that_asks_to_look_at_a_value_waits_for_it(n, skips, first, look, after,
                                                          tmp_path):
    _, text = guide(n, [":skip"] * skips + [first, look, after], tmp_path)
    total = lessons.lesson_info(n).steps
    assert passes_only_after(text, skips + 1, total, look)
    assert "Not yet" not in visit(text, skips + 1, total)
    if n == 1:  # the look no longer counts toward the next step
        assert "Not yet" not in visit(text, skips + 2, total)


def test_a_step_ending_in_a_look_says_so_when_it_is_missing(tmp_path):
    _, text = guide(1, [":skip"] * 2 + ["x.requires_grad_(True)", "y = 2"], tmp_path)
    assert "Not yet: now look at x.grad." in visit(text, 3, 16)


# 6: lesson hints wrap as the REPL's do, under their text

def test_lesson_hints_hang_under_their_text(tmp_path):
    # a hint after "Not yet" (lesson 3, step 5), then two on :hint (step 6), at 64 columns
    answers = [":skip"] * 4 + ["y.backward()", "y.backward()", ":skip", ":hint", ":hint"]
    _, text = guide(3, answers, tmp_path, width=64)
    shown = "\n".join([*visit(text, 5, 7).split("Not yet")[1:], visit(text, 6, 7)])
    hints = re.findall(r"^hint: .*\n(?: {6}\S.*\n)*", shown, re.MULTILINE)
    assert len(hints) >= 3 and all(hint.count("\n") >= 2 for hint in hints)  # each wrapped
    assert ("hint: t = torch.tensor([0.0, 1.0, 2.0], requires_grad=True);\n"
            "      s = torch.sin(t)") in shown
    assert all(len(line) <= 64 for hint in hints for line in hint.split("\n"))
