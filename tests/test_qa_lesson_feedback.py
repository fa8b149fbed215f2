"""The guided lessons after the second QA pass: each defect as the learner met it.

A scripted learner types into the real lessons (``lessons/``); the tests assert what the guide
says back: leftover gradients are told from a wrong function by counting the backward passes
(``lesson_passes``), a missing ``detach()`` is named as such, the answers a step also accepts
(``#: accept``) pass it, a bare word gets told about quotes, code typed at a demo step's prompt
counts for the next step, and ``:next`` does what it says during a lesson.
"""

import pytest
from support import scripted_lesson

from autodiff_repl import lessons, runner
from autodiff_repl import transcript as tx
from autodiff_repl.lesson_passes import PassCount


def guide(n, answers, tmp_path):
    """Run lesson ``n`` with scripted answers; returns everything shown."""
    return scripted_lesson(n, answers, tmp_path)[1]


def visit(text, n, total):
    """What the learner saw in the first visit of step ``n`` (up to the next heading)."""
    return text.split(f"── step {n}/{total} · ")[1].split("── step ")[0]


TO_DETACH = [":skip"] * 4 + [""] + [":skip"] * 2 + [""] + [":skip"] * 4  # lesson 1, step 13
ADVICE = ("gradients add up across backward() calls. Clear it with x.grad.zero_() (or "
          "x.grad = None) and do the step again, or :reset to restart the step.")


# --- 1: leftover gradients are counted, not guessed from a multiple --------------------------

def test_a_missing_detach_is_named_and_not_taken_for_leftover_gradients(tmp_path):
    wrong = ["x.grad.zero_()", "y = x * x", "u = y", "z = u * x", "z.sum().backward()", "x.grad"]
    fixed = ["u = y.detach()", "z = u * x", "z.sum().backward()", "x.grad == u"]
    again = ["x.grad.zero_()", "z = u * x", "z.sum().backward()", "x.grad == u"]
    text = guide(1, TO_DETACH + wrong + fixed + again, tmp_path)
    seen = visit(text, 13, 16)
    first, rest = seen.split(">>> u = y.detach()\n", 1)
    second, third = rest.split(">>> x.grad.zero_()\n", 1)
    assert "tensor([ 0.,  3., 12., 27.])" in first  # 3x²: three times u, from one backward()
    assert ("Not yet: u should not require gradients: u = y keeps u in the graph, so the "
            "gradient of z flows back through u into x; make it a constant, as this step does: "
            "u = y.detach().") in first
    assert "gradients add up" not in first
    # the fixed code adds a second pass to the first one's 3x²: now they did pile up
    assert ("Not yet: x.grad holds the sum of 2 backward() passes since it was last cleared, "
            f"where this step expects 1: {ADVICE}") in second
    assert "✓ Correct" in third


def test_a_gradient_started_from_2_ones_is_said_to_be_twice_not_left_over(tmp_path):
    text = guide(1, [*TO_DETACH[:-1], "y.backward(gradient=2 * torch.ones(4))", "x.grad"],
                 tmp_path)
    seen = visit(text, 12, 16)
    assert "tensor([ 0.,  4.,  8., 12.])" in seen
    assert ("Not yet: x.grad is 2 times what this step expects, from a single backward() "
            "(nothing is left over from another pass): what you differentiated, or the "
            "gradient= it started from, is 2 times the step's.") in seen
    assert "gradients add up" not in seen


def test_passes_left_from_earlier_steps_count_when_the_step_forgets_zero_(tmp_path):
    # lesson 1, step 10 asks to clear x.grad first; x.grad still holds steps 6 and 9's passes
    text = guide(1, [*TO_DETACH[:8], ":skip", "y = x.sum()", "y.backward()", "x.grad"],
                 tmp_path)
    seen = visit(text, 10, 16)
    assert "tensor([ 2.,  6., 10., 14.])" in seen
    assert ("Not yet: x.grad holds the sum of 3 backward() passes since it was last cleared, "
            f"where this step expects 1: {ADVICE}") in seen


def test_the_passes_that_reach_a_grad_are_counted_as_they_run():
    count = PassCount(runner.new_session(hints=False))
    held = {}
    for text in ["import torch", "x = torch.arange(4.0, requires_grad=True)",
                 "w = torch.ones(4, requires_grad=True)",
                 "for _ in range(3):\n    (x * x).sum().backward()",
                 "torch.autograd.grad((x * x).sum(), x)", "grad (x * x).sum() x",
                 "(w * x).sum().backward(inputs=[w])", "backward (w * x).sum()",
                 "x.grad.zero_(); (x * w).sum().backward()", "w.grad = None"]:
        count.run(text)
        held[text.split("\n")[-1].strip()] = count.counts()
    assert held["(x * x).sum().backward()"] == {"x": 3}  # a loop: 6x, not told by the value
    assert held["grad (x * x).sum() x"] == {"x": 3}  # autograd.grad leaves .grad alone
    assert held["(w * x).sum().backward(inputs=[w])"] == {"x": 3, "w": 1}
    assert held["backward (w * x).sum()"] == {"x": 4, "w": 2}
    assert held["x.grad.zero_(); (x * w).sum().backward()"] == {"x": 1, "w": 3}
    assert held["w.grad = None"] == {"x": 1}


# --- 2 and 3: answers a step also accepts ----------------------------------------------------

def test_x_made_with_requires_grad_at_step_2_is_accepted_and_the_lesson_goes_on(tmp_path):
    answers = ["import torch", "x = torch.arange(4.0, requires_grad=True)", "x", "x.grad",
               "y = 2 * torch.dot(x, x)", "y"]
    text = guide(1, answers, tmp_path)
    assert "should not require gradients" not in text
    assert "Not yet" not in text
    seen = visit(text, 2, 16)
    assert ("✓ Correct.\nrequires_grad=True also asks for x's gradient, which the next step "
            "switches on: you are a step ahead.") in seen
    assert "✓ Correct" in visit(text, 3, 16) and "✓ Correct" in visit(text, 4, 16)


ACCEPTED = [(info.number, k, accept) for info in lessons.list_lessons()
            for k, step in enumerate(lessons.load(info.path).steps) for accept in step.accepts]


@pytest.mark.parametrize(("n", "k", "accept"), ACCEPTED,
                         ids=[f"{n}-{a.source}" for n, _, a in ACCEPTED])
def test_every_answer_a_lesson_accepts_passes_its_step(n, k, accept, tmp_path):
    total = len(lessons.load(lessons.lesson_info(n).path).steps)
    seen = visit(guide(n, [":skip"] * k + [accept.source], tmp_path), k + 1, total)
    assert "✓ Correct." in seen and "Not yet" not in seen
    assert accept.words in seen


@pytest.mark.parametrize("answer", ['mode = "backward"', 'mode = "reverse mode"',
                                    "mode = 'Reverse-Mode'", 'mode = "BACKWARD "'])
def test_reverse_mode_is_accepted_in_the_books_words(answer, tmp_path):
    seen = visit(guide(4, [":skip"] * 11 + [answer], tmp_path), 12, 12)
    assert "✓ Correct." in seen and "Not yet" not in seen


@pytest.mark.parametrize(("answer", "error", "read"), [
    ("mode = reverse", "NameError: name 'reverse' is not defined", "the name of a variable"),
    ("mode = reverse mode", "SyntaxError: invalid syntax", "code"),
])
def test_a_bare_word_answer_is_told_to_take_quotes(answer, error, read, tmp_path):
    seen = visit(guide(4, [":skip"] * 11 + [answer, 'mode = "reverse"'], tmp_path), 12, 12)
    before, after = seen.split('>>> mode = "reverse"')
    word = answer.removeprefix("mode = ")
    assert error in before
    assert (f"hint: without quotes, Python reads {word} as {read}; an answer in words is a "
            f'string, in quotes: mode = "{word}"') in before
    assert "✓ Correct." in after


def test_accept_lines_are_parsed_with_their_words():
    lesson = tx.parse('#: step s  S\n#: accept m = "a # b"  # Also right.\n>>> m = "a"\n')
    assert lesson.steps[0].accepts == [tx.Accept('m = "a # b"', 2, "Also right.")]


# --- 4 and 5: a demo step's prompt ------------------------------------------------------------

def test_code_typed_at_a_demo_prompt_answers_the_next_step(tmp_path):
    # lesson 1, step 5 shows `graph y`; the learner goes on with step 6's code at its prompt
    text = guide(1, [":skip"] * 4 + ["y.backward()", "x.grad", "x.grad == 4 * x"], tmp_path)
    demo, step6 = visit(text, 5, 16), visit(text, 6, 16)
    assert "(Enter for the next step) >>> y.backward()" in demo
    assert "(Enter for the next step) >>> x.grad\ntensor([ 0.,  4.,  8., 12.])" in demo
    assert step6.index("(what you typed at the previous prompt answers this step)") \
        < step6.index("✓ Correct.")
    assert "✓ Correct." in visit(text, 7, 16)  # x.grad still 4x: nothing to redo


def test_code_typed_at_a_demo_prompt_counts_when_the_learner_goes_on(tmp_path):
    text = guide(1, [":skip"] * 4 + ["y.backward()", "", "x.grad"], tmp_path)
    step6 = visit(text, 6, 16)
    assert "(what you typed at the previous prompt counts for this step)" in step6
    assert "✓ Correct." in step6 and "Not yet" not in step6


def test_next_goes_on_from_a_demo_and_points_to_skip_at_a_task(tmp_path):
    text = guide(1, [":skip"] * 4 + [":next", ":next"], tmp_path)
    assert "UsageError" not in text
    assert "(Enter for the next step) >>> :next\n\n── step 6/16 · Backpropagate" in text
    assert (">>> :next\n(this step moves on by itself once your answer is right: :skip runs "
            "the reference answer and goes on, :hint gives a hint)") in visit(text, 6, 16)
