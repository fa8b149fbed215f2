"""QA findings on help, layout and explanations, as the learner sees them: help on
``create_graph``, ``retain_graph``, ``.grad`` and ``detach``; graph values that fit a
60-column terminal; ``clamp`` with one bound; the cost line of ``grad y y``; ``gradcheck``'s
message as PyTorch prints it, with a hint; hints for a gradient of the wrong shape, for a fresh
tensor's ``.grad`` and for a non-leaf's.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from autodiff_repl import render, transcript
from autodiff_repl.explain.text import array_within
from autodiff_repl.lang import help_topics
from autodiff_repl.outputs import Error
from autodiff_repl.session import Session


def shown(s: Session, text: str, width: int | None = None) -> str:
    """What the learner sees after typing ``text`` (on a terminal ``width`` columns wide)."""
    return render.plain(s.execute(text), width=width)


def session(*inputs: str) -> Session:
    s = Session()
    for text in inputs:
        assert not any(isinstance(o, Error) for o in s.execute(text)), text
    return s


# --- 1: help on the ideas of autograd --------------------------------------------------------

@pytest.mark.parametrize("topic", help_topics.names())
def test_a_help_pages_examples_print_what_the_page_says(topic):
    """Every example on a page, run in a fresh session, prints what the page shows."""
    page = "\n".join(line[2:] if line.startswith("  ") else "# " * bool(line) + line
                     for line in help_topics.PAGES[topic].splitlines())
    exchanges = transcript.parse(page).exchanges
    assert exchanges, topic
    s = Session(hints=False)
    for ex in exchanges:
        got = render.plain(s.execute(ex.source), hints=False).splitlines()
        assert transcript.output_matches(ex.want, got), (ex.source, ex.want, got)


@pytest.mark.parametrize(("typed", "says"), [
    (":help create_graph", ["create_graph=True: record the backward pass",
                            "When you need it: for a second derivative",
                            "tensor(27., grad_fn=<MulBackward0>)", "(tensor(18.),)",
                            "RuntimeError: element 0 of tensors does not require grad"]),
    (":help retain_graph", ["retain_graph=True: keep the graph's saved values",
                            "When you need it: two backwards through one graph",
                            "tensor(6.)", "tensor(12.)",
                            "RuntimeError: Trying to backward through the graph a second time"]),
    (":help retain-graph", ["retain_graph=True: keep the graph's saved values"]),
    (":help detach", ["x.detach() (or torch.detach(x)): x's values, cut from the graph",
                      "When you need it: to treat part of a computation as a constant",
                      ">>> u = y.detach()"]),
])
def test_help_explains_create_graph_retain_graph_and_detach(typed, says):
    text = shown(Session(), typed)
    assert "no help on" not in text
    for words in says:
        assert words in text, words
    assert all(len(line) <= 79 for line in text.splitlines())


@pytest.mark.parametrize("typed", ["x.grad?", ":help .grad", ":help x.grad",
                                   ":help torch.Tensor.grad"])
def test_x_grad_query_explains_the_attribute_not_the_function(typed):
    text = shown(session("x = torch.ones(2, requires_grad=True)"), typed)
    assert text.startswith("x.grad: the gradient backward stored in the tensor x")
    assert "None until then" in text and "adds into it" in text
    assert "Only leaves get it" in text and "retain_grad()" in text
    assert "command: grad y x" not in text and "torch.autograd.grad(outputs" not in text


def test_the_grad_function_keeps_its_help_and_points_at_the_attribute():
    s = Session()
    for typed in (":help grad", "torch.autograd.grad?", "grad?"):
        text = shown(s, typed)
        assert "torch.autograd.grad(outputs, inputs" in text
        assert text.rstrip().endswith("see also: x.grad, the gradient stored in a tensor: "
                                      ":help .grad")
    assert shown(s, "x.detach?") == shown(s, ":help detach")
    assert shown(s, "x.sum?") == shown(s, ":help sum")  # a method without a page: the op


def test_the_help_page_lists_the_topics():
    text = shown(Session(), ":help")
    assert "Ideas of autograd (:help TOPIC):\n  create_graph  retain_graph  .grad  detach" in text


# --- 2: values fit a narrow terminal ---------------------------------------------------------

QA_MODEL = ("torch.manual_seed(0); W = torch.randn(3, 4, requires_grad=True); "
            "xin = torch.randn(4); b = torch.zeros(3, requires_grad=True); "
            "loss = torch.sigmoid(W @ xin + b).pow(2).mean()")


@pytest.mark.parametrize("width", [60, 64, 72])
def test_graph_values_fit_the_terminal(width):
    s = session(QA_MODEL)
    text = shown(s, "graph loss", width)
    assert max(len(line) for line in text.splitlines()) <= width, text
    w_value = next(line for line in text.splitlines()
                   if "(12 values)" in line and "= [" in line)
    assert "…" in w_value and w_value.split("= ")[1].startswith("[1.541, ")


def test_trace_and_why_fit_sixty_columns():
    s = session(QA_MODEL)
    for typed in ("trace loss", "backward loss", "why W.grad", "why xin.grad", "graph loss"):
        text = shown(s, typed, 60)
        assert max(len(line) for line in text.splitlines()) <= 60, (typed, text)


def test_an_array_shows_fewer_numbers_to_fit():
    a = np.arange(12.0) + 0.5
    assert array_within(a, 80) == "[0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5]"
    assert array_within(a, 50) == "[0.5, 1.5, 2.5, …, 9.5, 10.5, 11.5] (12 values)"
    for form in ("[0.5, 1.5, …, 10.5, 11.5] (12 values)", "[0.5, …, 11.5] (12 values)",
                 "[0.5, …] (12 values)", "[…] (12 values)"):
        assert array_within(a, len(form)) == form
    assert array_within(a, 5) == "[…] (12 values)"  # the shortest, when nothing fits
    assert array_within(np.array([1.0, 2.0]), 3) == "[…] (2 values)"
    assert array_within(np.float32(2.5), 1) == "2.5"


# --- 3: clamp with one bound -----------------------------------------------------------------

CLAMPED = "t = torch.tensor([0.2, 0.7, 1.5], requires_grad=True)"


@pytest.mark.parametrize(("call", "expr", "local"), [
    ("t.clamp(min=0.5)", "clamp(t, min=0.5)", "1 if t ≥ 0.5 else 0"),
    ("t.clamp(max=1.0)", "clamp(t, max=1)", "1 if t ≤ 1 else 0"),
    ("torch.clamp(t, max=1.0)", "clamp(t, max=1)", "1 if t ≤ 1 else 0"),
    ("t.clamp(0.5, 1.0)", "clamp(t, 0.5, 1)", "1 if 0.5 ≤ t ≤ 1 else 0"),
])
def test_clamp_with_one_bound_reads_without_none(call, expr, local):
    s = session(CLAMPED, f"y = {call}.sum()")
    graph, reverse, forward = (shown(s, c) for c in ("graph y", "trace y", "trace y --forward"))
    assert f"t1 = {expr} " in graph
    assert f"[2] t1 = {expr}   ClampBackward1" in reverse
    assert f"∂t1/∂t = {local} = " in reverse and f"∂y/∂t1·({local})" in reverse
    assert f"t1′ = ({local}) · t′" in forward
    assert all("None" not in text for text in (graph, reverse, forward))


# --- 4: the cost of grad y y -----------------------------------------------------------------

def test_grad_of_y_by_itself_frees_nothing_and_says_so():
    s = session("x = torch.ones(3, requires_grad=True); y = (x * 2).sum()")
    text = shown(s, "grad y y")
    assert ("reverse mode: 0 ops in 1 backward sweep; saved values: 4 B (kept: no op had to run "
            "(∂y/∂y is the seed itself), so nothing was freed and a backward through y still "
            "works)") in text
    assert "freed by this backward" not in text
    assert shown(s, "y.backward()") == "" and shown(s, "x.grad") == "tensor([2., 2., 2.])"


def test_grad_by_one_input_says_which_saved_values_it_freed():
    s = session("a = torch.ones(2, requires_grad=True); b = torch.ones(2, requires_grad=True)",
                "z = (a * a).sum() + b.exp().sum()")
    assert ("saved values: 16 B (8 B freed by the ops this pass ran; 8 B kept by the op it "
            "skipped (no input asked for lies behind it))") in shown(s, "grad z a")
    s = session("x = torch.ones(3, requires_grad=True); y = (x * x).sum()")
    assert "(freed by this backward; retain_graph=True keeps them" in shown(s, "grad y x")


# --- 5: gradcheck as PyTorch prints it -------------------------------------------------------

GRADCHECKS = [
    "torch.autograd.gradcheck(lambda t: t.sin(), (torch.tensor([1.0], requires_grad=True),))",
    "torch.autograd.gradcheck(lambda t: t.double().sin(), "
    "(torch.tensor([1.0], requires_grad=True),))",
    "torch.autograd.gradcheck(lambda t: (t.float() * 1.001).sin(), "
    "(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True),))",
    "torch.autograd.gradcheck(lambda t: (t.double() * 1.01).sin(), "
    "(torch.tensor([1.0], requires_grad=True),), check_forward_ad=True, "
    "check_backward_ad=False)",
]


def test_gradcheck_of_float32_says_what_pytorch_says_and_why():
    text = shown(Session(), GRADCHECKS[0])
    assert text.splitlines() == [
        "UserWarning: Input #0 requires gradient and is not a double precision floating point "
        "or complex. This check will likely fail if all the inputs are not of double precision "
        "floating point or complex. ",
        "GradcheckError: Jacobian mismatch for output 0 with respect to input 0,",
        "numerical:tensor([[0.5364]])",
        "analytical:tensor([[0.5403]])",
        "hint: gradcheck compares autograd's Jacobian (analytical) with finite differences "
        "(numerical), (f(x + ε) - f(x - ε)) / 2ε with ε = 1e-6; in float32, which keeps about 7 "
        "significant digits, a step that small is lost in rounding, so the numerical Jacobian "
        "is the one that is off",
        "hint: give gradcheck float64 inputs: torch.autograd.gradcheck(lambda t: t.sin(), "
        "(torch.tensor([1.0], dtype=torch.float64, requires_grad=True),))"]
    fixed = GRADCHECKS[0].replace("requires_grad=True", "dtype=torch.float64, requires_grad=True")
    assert shown(Session(), fixed) == "True"


def test_gradcheck_of_float64_inputs_says_the_mismatch_is_real():
    error = next(o for o in Session().execute(GRADCHECKS[2]) if isinstance(o, Error))
    assert error.hints == ("with float64 inputs finite differences are accurate, so a mismatch "
                           "is real: the function has no derivative at this point (relu or abs "
                           "at 0, tied maxima), or it draws random numbers",)


def _torch_calls(torch) -> list:
    """``GRADCHECKS`` as calls of PyTorch's gradcheck."""
    check, f32 = torch.autograd.gradcheck, torch.tensor([1.0], requires_grad=True)
    f64 = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    return [lambda: check(lambda t: t.sin(), (f32,)),
            lambda: check(lambda t: t.double().sin(), (f32,)),
            lambda: check(lambda t: (t.float() * 1.001).sin(), (f64,)),
            lambda: check(lambda t: (t.double() * 1.01).sin(), (f32,), check_forward_ad=True,
                          check_backward_ad=False)]


@pytest.mark.parametrize("k", range(len(GRADCHECKS)))
def test_gradcheck_messages_are_pytorchs(k):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError) as theirs:  # torch.autograd.gradcheck.GradcheckError
            _torch_calls(torch)[k]()
    ours = next(o for o in Session().execute(GRADCHECKS[k]) if isinstance(o, Error))
    assert ours.type == type(theirs.value).__name__ == "GradcheckError"
    assert ours.message == str(theirs.value)


# --- 6: hints ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "fix"), [
    ("backward y --gradient torch.ones(2, 2)",
     "e.g. backward y --gradient torch.ones_like(y), the same as backward y.sum()"),
    ("y.backward(torch.ones(2, 2))",
     "e.g. y.backward(torch.ones_like(y)), the same as y.sum().backward()"),
    ("torch.autograd.grad(y, x, grad_outputs=torch.ones(2, 2))",
     "e.g. grad_outputs=torch.ones_like(y), the same as differentiating y.sum()"),
])
def test_a_gradient_of_the_wrong_shape_says_it_needs_ys_shape(typed, fix):
    s = session("x = torch.ones(3, requires_grad=True); y = x * 2")
    error = next(o for o in s.execute(typed) if isinstance(o, Error))
    assert error.message.startswith("Mismatch in shape: grad_output[0] has a shape of "
                                    "torch.Size([2, 2])")
    assert error.hints == (
        "the gradient must have y's shape, (3,), not (2, 2): it is the v of vᵀJ, one weight for "
        "each element of y (∂L/∂y for a loss L computed from y), which backward carries back to "
        "the inputs", fix)


def test_why_grad_of_a_fresh_tensor_says_nothing_used_it_yet():
    text = shown(session("x = torch.ones(2, requires_grad=True)"), "why x.grad")
    assert "no_grad" not in text
    assert ("cause: no variable holds a result computed from x: nothing that uses x has been "
            "computed (and kept) yet, so no backward has had a path back to x, and x.grad stays "
            "None until one reaches it") in text
    assert "fix:   y = (x * 2).sum()   then backward y: x.grad holds 2 for each element" in text


def test_why_grad_of_a_computed_tensor_says_how_to_make_it_a_leaf():
    s = session("xd = torch.ones(2, requires_grad=True) * 1")
    text = shown(s, "why xd.grad")
    assert "fix:   xd.retain_grad()   before the backward" in text
    assert ("or:    xd = xd.detach().requires_grad_()   makes xd a leaf with the same values "
            "(gradients then stop at xd: compute the outputs from it again)") in text
    assert ("or:    make xd a leaf where it is made: compute it from tensors that do not require "
            "grad, then call .requires_grad_() on it (e.g. xd = (torch.ones(2) * 1)"
            ".requires_grad_() instead of torch.ones(2, requires_grad=True) * 1), or create it "
            "with requires_grad=True directly") in text
    for fix in ("xd = xd.detach().requires_grad_()", "xd = (torch.ones(2) * 1).requires_grad_()"):
        s = session("xd = torch.ones(2, requires_grad=True) * 1", fix, "(xd * 3).sum().backward()")
        assert shown(s, "xd.grad") == "tensor([3., 3.])"
    assert re.search(r"or: +xd = .*\n +.*", shown(s, "why xd.grad", 60)) is None  # a leaf now
