"""Guided lessons driven by a scripted learner: checks by value, hints, :skip, :back, progress."""

import json

import pytest

from autodiff_repl import lessons

TOY = """\
#: lesson 1  Toy lesson
Welcome text.

#: step make  Make x
Make x = torch.arange(4.0, requires_grad=True).
#: hint  torch.arange(4.0, requires_grad=True)
#: hint  x = torch.arange(4.0, requires_grad=True)
>>> import torch
>>> x = torch.arange(4.0, requires_grad=True)

#: step grad  Backward
Backpropagate 2 * torch.dot(x, x).
>>> y = 2 * torch.dot(x, x)
>>> y.backward()
>>> x.grad
tensor([ 0.,  4.,  8., 12.])

Afterwards narration.

#: step show  Show a value
#: hint  (x.grad / 4)
Show x.grad / 4.
>>> x.grad / 4
tensor([0., 1., 2., 3.])

#: step oops  Meet an error
Call y.backward() again.
>>> y.backward()
RuntimeError: Trying to backward through the graph a second time...
...

#: step look  Look
#: demo
>>> x.grad.sum()
tensor(24.)

#: step checked  A check
Make k = 3.
#: check k == 3
>>> k = 3
"""

SECOND = "#: lesson 2  Second\n#: step only\n>>> z = 1\n"


@pytest.fixture
def toy(tmp_path, monkeypatch):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01_toy.txt").write_text(TOY, encoding="utf-8")
    (folder / "02_second.txt").write_text(SECOND, encoding="utf-8")
    monkeypatch.setattr(lessons, "lessons_dir", lambda: folder)
    return tmp_path / "progress.json"


def guide(n, answers, progress, **kwargs):
    """Run lesson ``n`` with scripted answers; returns (exit code, everything shown)."""
    feed = iter(answers)
    shown = []

    def input_fn(prompt):
        try:
            line = next(feed)
        except StopIteration:
            raise EOFError from None
        shown.append(prompt + line)
        return line

    code = lessons.run_lesson(n, input_fn=input_fn, output=shown.append,
                              progress_file=progress, **kwargs)
    return code, "\n".join(shown)


def saved(progress):
    return json.loads(progress.read_text())["lessons"]


def test_list_and_find_lessons(toy):
    infos = lessons.list_lessons()
    assert [(i.number, i.title, i.steps) for i in infos] == [
        (1, "Toy lesson", 6), (2, "Second", 1)]
    assert str(infos[0]) == " 1  Toy lesson  (6 steps)"
    assert lessons.lesson_path(2).name == "02_second.txt"
    with pytest.raises(LookupError, match="the lessons are 1, 2"):
        lessons.lesson_path(7)


def test_correct_answers_pass_every_step(toy):
    code, text = guide(1, [
        "import torch", "x = torch.arange(4.0, requires_grad=True)",
        "y = 2 * torch.dot(x, x)", "y.backward()", "x.grad",
        "x.grad / 4",
        "y.backward()",
        "",
        "k = 3",
    ], toy)
    assert code == 0
    assert "── step 1/6 · Make x" in text and "── step 6/6 · A check" in text
    assert text.count("✓ Correct") == 5
    assert "Afterwards narration." in text
    assert "Lesson 1 complete: 6 steps." in text
    assert set(saved(toy)["01_toy"]["steps"].values()) == {"passed"}


def test_an_equivalent_answer_passes_and_shows_the_reference(toy):
    _, text = guide(1, ["import torch",
                        "x = torch.tensor([0., 1., 2., 3.]).requires_grad_()"], toy)
    assert "✓ Correct. To compare notes, the reference answer:" in text
    assert ">>> x = torch.arange(4.0, requires_grad=True)" in text


def test_a_wrong_answer_gets_the_reason_and_the_hint_then_more_hints(toy):
    _, text = guide(1, ["import torch", "x = torch.arange(4.0)", ":hint", ":hint", ":hint"], toy)
    assert "Not yet: x should require gradients." in text
    assert "hint: torch.arange(4.0, requires_grad=True)" in text
    assert ">>> :hint\nhint: x = torch.arange(4.0, requires_grad=True)\n>>> :hint" in text
    assert "(no more hints; :skip runs the reference answer)" in text
    assert "✓" not in text.split("step 1/6")[1].split("Not yet")[1]


def test_a_command_can_answer_and_ctrl_c_does_not_leave(toy):
    feed = iter(["import torch", "x = torch.arange(4.0, requires_grad=True)",
                 "y = 2 * torch.dot(x, x)", KeyboardInterrupt, "backward y", "x.grad", ":quit"])
    shown = []

    def input_fn(prompt):
        item = next(feed)
        if item is KeyboardInterrupt:
            raise KeyboardInterrupt
        return item

    code = lessons.run_lesson(1, input_fn=input_fn, output=shown.append, progress_file=toy)
    text = "\n".join(shown)
    assert code == 0
    assert "(interrupted; :quit or Ctrl-D leaves the lesson)" in text
    assert "backward y: y is a scalar" in text
    assert saved(toy)["01_toy"]["steps"] == {"make": "passed", "grad": "passed"}


def test_skip_runs_the_reference_and_names_what_it_bound(toy):
    _, text = guide(1, [":skip"], toy)
    reference = ("The reference answer:\n>>> import torch\n"
                 ">>> x = torch.arange(4.0, requires_grad=True)")
    assert reference in text
    assert "(skipped; it bound torch, x)" in text
    assert saved(toy)["01_toy"]["steps"] == {"make": "skipped"}


def test_skip_after_drifting_restores_the_lessons_state(toy):
    _, text = guide(1, [":skip", "torch = 3", ":skip", "x.grad / 4"], toy)
    # the step's starting state comes back before the reference answer runs, so it runs as
    # the narration says, without an error
    assert "(your torch differed from the lesson's at the start of this step: the step's " \
        "starting state is back)\nThe reference answer:" in text
    assert "AttributeError" not in text
    assert "✓ Correct" in text.split("── step 3/6")[1]
    assert "── step 4/6" in text


def test_a_value_step_needs_the_value_shown_and_an_error_step_the_error(toy):
    _, text = guide(1, [":skip", ":skip", "x.grad", "x.grad / 4", "x.grad.sum()", "y.backward()"],
                    toy)
    assert "Not yet: show the value the step asks for." in text
    assert "Not yet: this step runs into a RuntimeError" in text
    assert "── step 5/6 · Look" in text


def test_progress_is_saved_and_resumed_at_the_first_unfinished_step(toy):
    code, text = guide(1, [":skip", "y = 2 * torch.dot(x, x)", ":quit"], toy)
    assert code == 0 and "resumes at step 2" in text
    _, text = guide(1, ["y.backward()", "y = 2 * torch.dot(x, x)", "y.backward()", "x.grad",
                        ":quit"], toy)
    assert "Resuming at step 2" in text
    assert "NameError: name 'y' is not defined" in text
    assert "✓ Correct" in text
    assert saved(toy)["01_toy"]["steps"] == {"make": "skipped", "grad": "passed"}


def test_back_reset_and_end_of_input(toy):
    _, text = guide(1, [":skip", "z = 5", ":back", "x", ":reset", "z"], toy)
    assert text.count("── step 1/6") == 3
    assert "NameError: name 'z' is not defined" in text
    assert "Progress saved." in text


def test_tab_completes_the_variables_of_the_lesson_session(toy):
    pytest.importorskip("prompt_toolkit")
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from autodiff_repl.repl_prompt import LessonInput

    typed = iter(["import torch", "x = torch.arange(4.0, requires_grad=True)",
                  "weights = 2 * x", "wei<Tab>", "weights.requ<Tab>", "x.gr<Tab>",
                  ":reset", "wei<Tab>", "x.gr<Tab>"])
    tabbed = []

    def keys(message):
        """The learner at the terminal: a line, or a fragment and Tab (the menu is noted)."""
        line = next(typed, None)
        if line is None:
            raise EOFError
        if line.endswith("<Tab>"):
            fragment = line.removesuffix("<Tab>")
            menu = ask.prompt.completer.get_completions(
                Document(fragment), CompleteEvent(completion_requested=True))
            tabbed.append((fragment, [c.text for c in menu]))
            return ""
        return line

    with create_pipe_input() as pipe:
        ask = LessonInput(history=InMemoryHistory(), input=pipe, output=DummyOutput())
        ask.prompt.prompt = keys
        code = lessons.run_lesson(1, input_fn=ask, output=lambda text: None,
                                  progress_file=toy)
    assert code == 0
    assert tabbed == [
        ("wei", ["weights"]),
        ("weights.requ", ["requires_grad", "requires_grad_"]),
        ("x.gr", ["grad", "grad_fn"]),
        ("wei", []),  # :reset took the step's own variables away
        ("x.gr", ["grad", "grad_fn"]),
    ]


def test_restart_forgets_progress_and_menu_switches_lesson(toy):
    guide(1, [":skip"], toy)
    _, text = guide(1, [":menu", "2", "z = 1"], toy, restart=True)
    assert "── step 1/6" in text
    assert " 1  Toy lesson  (6 steps)  [1/6]" not in text
    assert "Lesson 2: Second" in text and "Lesson 2 complete" in text


def test_check_directive_is_evaluated_in_the_learners_session(toy):
    answers = [":skip", ":skip", ":skip", ":skip", "", "k = 2", "k = 1 + 2"]
    _, text = guide(1, answers, toy)
    assert "Not yet: k == 3 should be True." in text
    assert "Lesson 1 complete: 6 steps (4 skipped)." in text


def test_unknown_lesson_and_corrupt_progress(toy):
    assert guide(9, [], toy)[0] == 2
    toy.write_text("{not json")
    _, text = guide(1, [":quit"], toy)
    assert "note: could not read" in text and "── step 1/6" in text


def test_non_interactive_replay_prints_the_lesson(toy):
    shown = []
    code = lessons.run_lesson(1, output=shown.append, interactive=False)
    assert code == 0
    assert shown[0].startswith("Lesson 1: Toy lesson\n\nWelcome text.")
    assert ">>> x.grad / 4\ntensor([0., 1., 2., 3.])" in shown[0]


@pytest.mark.parametrize("info", lessons.list_lessons(), ids=lambda i: i.path.name)
def test_real_lessons_accept_their_own_reference_answers(info, tmp_path):
    steps = lessons.load(info.path).steps
    queues = [iter(step.sources if step.exchanges and not step.demo else [""]) for step in steps]
    shown = []

    def learner(prompt):
        current = max(i for i, step in enumerate(steps)
                      if any(f"── step {i + 1}/{len(steps)} · " in s for s in shown))
        line = next(queues[current], None)
        if line is None:
            raise EOFError
        shown.append(prompt + line)
        return line

    code = lessons.run_lesson(info.number, input_fn=learner, output=shown.append,
                              progress_file=tmp_path / "p.json")
    text = "\n".join(shown)
    assert code == 0
    assert f"Lesson {info.number} complete: {info.steps} steps." in text, text[-3000:]
    assert "Not yet" not in text, text


@pytest.mark.parametrize("info", lessons.list_lessons(), ids=lambda i: i.path.name)
def test_real_lessons_replay_from_a_pipe(info):
    shown = []
    assert lessons.run_lesson(info.number, output=shown.append, interactive=False) == 0
    assert shown[0].startswith(f"Lesson {info.number}: {info.title}")


def test_checking_leaves_the_learners_engine_settings_alone(toy):
    _, text = guide(1, ["torch.set_printoptions(precision=2)", "import torch",
                        "x = torch.arange(4.0, requires_grad=True)", "torch.tensor(1 / 3)"], toy)
    assert "✓ Correct" in text
    assert "tensor(0.33)" in text.split("step 2/6")[1]


def test_an_unwritable_progress_file_only_loses_the_saving(toy, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, text = guide(1, [":skip", ":quit"], blocker / "sub" / "progress.json")
    assert code == 0 and "(skipped; it bound torch, x)" in text
    assert "note: could not save progress to" in text


def test_progress_lives_in_the_xdg_state_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert lessons.default_progress_file() == tmp_path / "autodiff" / "progress.json"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert lessons.default_progress_file() == tmp_path / ".local/state/autodiff/progress.json"


# --- the real lessons: leftover gradients, calm feedback, checks by value ------------------

def visits(text, n, total):
    """What the learner saw in each visit of step ``n`` (from its heading to the next one)."""
    return [part.split("── step ")[0] for part in text.split(f"── step {n}/{total} · ")[1:]]


FREED = ["y = 2 * torch.dot(x, x)", "y.backward()", "torch.autograd.grad(y, x, create_graph=True)"]
TYPO = [*FREED[:2], "torch.autograd.grad(y, x, create_grap=True)"]


def test_gradients_left_over_by_a_retry_are_named_with_the_way_out(tmp_path):
    # lesson 3, step 5: a typo, then the reference answer typed again, then the advice followed
    _, text = guide(3, [":skip"] * 4 + TYPO + FREED + ["x.grad = None", *FREED], tmp_path / "p")
    seen = visits(text, 5, 7)[0]
    assert seen.count("Not yet") == 1  # not after the typo's TypeError, not half way
    assert ("Not yet: x.grad holds the sum of 2 backward() passes since it was last cleared, "
            "where this step expects 1: gradients add up across backward() calls. Clear it with "
            "x.grad.zero_() (or x.grad = None) and do the step again, or :reset to restart the "
            "step.") in seen
    assert "does not hold the expected values" not in seen
    assert "hint: y = 2 * torch.dot(x, x); y.backward()" not in seen  # no hint that repeats it
    assert "✓ Correct" in seen.split(">>> x.grad = None")[1]


def test_reset_clears_the_gradients_a_retry_left(tmp_path):
    _, text = guide(3, [":skip"] * 4 + TYPO + FREED + [":reset", *FREED], tmp_path / "p")
    first, second = visits(text, 5, 7)
    assert "Not yet: x.grad holds the sum of 2 backward() passes" in first and "✓" not in first
    assert "(this step's starting state is back)" in first
    assert "Not yet" not in second and "✓ Correct." in second


def test_a_step_that_starts_with_a_gradient_says_reset_brings_it_back(tmp_path):
    # lesson 1, step 9 adds one gradient of y = x.sum() to the 4x that x.grad already holds
    answers = [":skip"] * 4 + [""] + [":skip"] * 2 + [""]
    _, text = guide(1, [*answers, "y = x.sum()", "y.backward()", "y.backward()", "x.grad"],
                    tmp_path / "p")
    assert ("Not yet: x.grad holds the sum of 3 backward() passes since it was last cleared, "
            "where this step expects 2: gradients add up across backward() calls. :reset brings "
            "back the x.grad this step starts from.") in visits(text, 9, 16)[0]


SETUP = ["import torch", "x = torch.arange(4.0, requires_grad=True)", "y = 2 * torch.dot(x, x)"]


def test_a_gradient_left_before_an_error_does_not_pass_the_step(tmp_path):
    # lesson 4, step 1: the first backward() (4x) and a retried one (4x) add up to the 8x asked
    tries = ["y.backward()", "y.backward()", "y = 2 * torch.dot(x, x)",
             "y.backward(retain_graph=True)", "x.grad"]
    again = ["x.grad = None", "y = 2 * torch.dot(x, x)", "y.backward(retain_graph=True)",
             "y.backward()", "x.grad"]
    _, text = guide(4, SETUP + tries + again, tmp_path / "p")
    before, after = visits(text, 1, 12)[0].split(">>> x.grad = None")
    assert "✓" not in before
    assert ("Not yet: x.grad holds the expected values, but partly from a backward() made before "
            "y was made again: gradients add up across backward() calls. Clear it with "
            "x.grad.zero_() (or x.grad = None) and do the step again") in before
    assert after.index("✓ Correct") > after.index(">>> x.grad\n")


def test_a_step_that_ends_by_showing_a_value_waits_for_it(tmp_path):
    answers = [*SETUP, "y.backward(retain_graph=True)", "y.backward()", "x.grad"]
    _, text = guide(4, answers, tmp_path / "p")
    seen = visits(text, 1, 12)[0]
    assert "Not yet" not in seen
    assert seen.index("✓ Correct") > seen.index(">>> x.grad")
    assert "── step 2/12" in text


def test_feedback_waits_for_the_learner_and_speaks_in_words(tmp_path):
    # lesson 4, step 2 after a stray line that fails: the error speaks for itself
    _, text = guide(4, [":skip", "y.backward()", "x.grad", "x.grad"], tmp_path / "p")
    seen = visits(text, 2, 12)[0]
    assert "Not yet" not in seen.split(">>> x.grad")[0]
    assert ("Not yet: f(torch.tensor(1.0)) should give 1024 and f(torch.tensor(-1.0)) -102400, "
            "as the book's f (f is not defined yet).") in seen
    assert seen.count("Not yet") == 2 and seen.count("hint: def f(a)") == 1
    assert ".item() ==" not in text  # the check's code is not shown
    _, text = guide(4, SETUP[:2], tmp_path / "q")  # half way through step 1
    assert "Not yet" not in text


MANUAL = "2 / x * torch.sin(x) + torch.log(x ** 2) * torch.cos(x) - 1 / x ** 2"
TO_CHAIN_RULE = [":skip"] * 5 + [""]  # steps 1-5, then the demo of step 6


@pytest.mark.parametrize("manual", [f"({MANUAL}).detach()",
                                    "torch.tensor(0.082395, dtype=torch.float64)"])
def test_a_manual_derivative_is_checked_by_value_only(manual, tmp_path):
    autograd = ["fx = torch.log(x ** 2) * torch.sin(x) + 1 / x", "fx.backward()"]
    _, text = guide(4, [*TO_CHAIN_RULE, f"manual = {manual}", "", "", *autograd], tmp_path / "p")
    assert "Not yet" not in text
    assert "✓ Correct" in visits(text, 7, 12)[0] and "✓ Correct" in visits(text, 10, 12)[0]


def test_a_wrong_manual_derivative_is_told_in_words(tmp_path):
    answers = [*TO_CHAIN_RULE, "manual = torch.tensor(0.09, dtype=torch.float64)"]
    _, text = guide(4, answers, tmp_path / "p")
    assert "Not yet: manual should be a tensor holding f′(2) ≈ 0.082395." in text
