"""Hints about the graph name what the learner wrote: the inputs that do not require grad, the
ints that made an integer tensor, the output whose graph was freed, the intermediate results to
recompute, and the call to repeat with retain_graph=True."""

from __future__ import annotations

import pytest

from autodiff_repl.outputs import Error
from autodiff_repl.session import Session

FLOAT_ONLY = "only floating-point tensors can require gradients"


def error_after(*inputs: str) -> Error:
    """The one error the last input gives, after running the others."""
    s = Session()
    for text in inputs[:-1]:
        assert not any(isinstance(o, Error) for o in s.execute(text)), text
    errors = [o for o in s.execute(inputs[-1]) if isinstance(o, Error)]
    assert len(errors) == 1
    return errors[0]


# --- no graph: the real inputs are named -------------------------------------------------------

def test_no_graph_names_the_input_not_x():
    error = error_after("x = torch.ones(2, requires_grad=True)",
                        "w = torch.arange(4.0); v = 2 * torch.dot(w, w); v.backward()")
    assert error.message.startswith("element 0 of tensors does not require grad")
    assert error.hints == (
        "v was computed from w, which does not require grad, so no graph was recorded",
        "call w.requires_grad_() (or create w with requires_grad=True), then compute v again")


def test_no_graph_names_the_input_of_an_expression():
    error = error_after("p = torch.ones(3)", "(p * 2).sum().backward()")
    assert error.hints == (
        "(p * 2).sum() was computed from p, which does not require grad, so no graph was "
        "recorded",
        "call p.requires_grad_() (or create p with requires_grad=True), then compute "
        "(p * 2).sum() again")


def test_no_graph_follows_intermediate_results_back_to_the_inputs():
    error = error_after("a = torch.ones(2)\nb = torch.ones(2)\nu = a * b\nv = (u + a).sum()",
                        "v.backward()")
    assert error.hints[0] == ("v was computed from a and b, which do not require grad, so no "
                              "graph was recorded")
    assert error.hints[1].startswith("call .requires_grad_() on the ones you want gradients "
                                     "for (e.g. a.requires_grad_())")


def test_no_graph_under_no_grad_names_the_input_that_requires_grad():
    error = error_after("x = torch.ones(2, requires_grad=True)",
                        "with torch.no_grad():\n    v = x.sum()", "v.backward()")
    assert error.hints == ("v was computed inside `with torch.no_grad():` from x, so no graph "
                           "was recorded", "compute v again outside the no_grad() block")


def test_no_graph_from_an_input_that_requires_grad_blames_no_grad_or_detach():
    error = error_after("x = torch.ones(2, requires_grad=True); w = torch.ones(2)",
                        "u = x.detach() * w", "u.sum().backward()")
    assert error.hints == ("u.sum() was computed from x, which requires grad, but no graph was "
                           "recorded: it was computed under torch.no_grad(), or through "
                           "detach() (or .item(), .numpy())",
                           "compute u.sum() again from x itself, outside no_grad()")


def test_no_graph_is_generic_when_the_inputs_are_unknown():
    error = error_after("torch.ones(2).sum().backward()")
    assert error.hints[1] == ("make its inputs require grad first (create them with "
                              "requires_grad=True or call .requires_grad_() on them), then "
                              "compute torch.ones(2).sum() again")
    assert all(" x" not in h for h in error.hints)


def test_autograd_grad_names_the_input_that_does_not_require_grad():
    error = error_after("x = torch.ones(2, requires_grad=True); w = torch.ones(2)",
                        "y = (x * w).sum()", "torch.autograd.grad(y, w)")
    assert error.hints == ("w does not require grad, so no graph leads to it",
                           "call w.requires_grad_() (or create it with requires_grad=True), "
                           "then compute y again from it")


# --- integers cannot require grad: the ints the learner wrote ----------------------------------

@pytest.mark.parametrize(("text", "hints"), [
    ("torch.tensor([1, 2], requires_grad=True)",
     (f"[1, 2] holds ints, so torch.tensor makes int64 values, and {FLOAT_ONLY}",
      "use floats: torch.tensor([1., 2.]), or add dtype=torch.float32")),
    ("torch.arange(4, requires_grad=True)",
     (f"4 is an int, so torch.arange makes int64 values, and {FLOAT_ONLY}",
      "use floats: torch.arange(4.0), or add dtype=torch.float32")),
    ("torch.arange(4).requires_grad_()",
     (f"torch.arange(4) makes torch.int64 values, and {FLOAT_ONLY}",
      "use floats: torch.arange(4.0), or add dtype=torch.float32")),
    ("torch.ones(2, dtype=torch.int64, requires_grad=True)",
     (f"dtype=torch.int64 makes integer values, and {FLOAT_ONLY}",
      "use a floating-point dtype: dtype=torch.float32")),
    ("t = torch.tensor([1, 2])\nt.requires_grad_()",
     (f"t holds torch.int64 values, and {FLOAT_ONLY}", "convert it first: t = t.float()")),
])
def test_integer_tensor_hints_quote_what_was_written(text, hints):
    error = error_after(text)
    assert error.message.lower().startswith("only tensors of floating point")
    assert error.hints == hints


# --- a second backward: the output, what to recompute, the call with retain_graph -------------

def test_autograd_grad_after_backward_names_the_output_and_its_call():
    error = error_after("q = torch.tensor(2., requires_grad=True); r = q**2; r.backward()",
                        "torch.autograd.grad(r, q)")
    assert error.message.startswith("Trying to backward through the graph a second time")
    assert error.hints == (
        "an earlier backward() (or autograd.grad()) through this graph freed the values it "
        "saved",
        "recompute r (run the line that makes it again), then run torch.autograd.grad(r, q) "
        "again",
        "or keep the graph for this pass: the earlier pass r.backward() freed it; run it as "
        "r.backward(retain_graph=True) -- the gradients then add up in .grad")


def test_backward_twice_spells_retain_graph_for_the_method():
    error = error_after("x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ny.backward()",
                        "y.backward()")
    assert error.hints[1] == ("recompute y (run the line that makes it again), then run "
                              "y.backward() again")
    assert error.hints[2] == ("or keep the graph for more passes: add retain_graph=True to "
                              "every pass but the last, as in y.backward(retain_graph=True) -- "
                              "the gradients then add up in .grad")


def test_backward_command_twice_spells_the_flag():
    error = error_after("x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()",
                        "backward y --no-trace", "backward y")
    assert error.hints[2].endswith("the earlier pass backward y --no-trace freed it; run it as "
                                   "backward y --no-trace --retain-graph -- the gradients then "
                                   "add up in .grad")


def test_recomputed_output_names_the_freed_intermediate():
    error = error_after("x = torch.tensor([1., 2.], requires_grad=True)",
                        "m = x * 3; y = (m**2).sum(); y.backward(); y = (m**2).sum()",
                        "y.backward()")
    assert error.hints[1] == ("recompute m too, not only y: y was computed from m, whose part "
                              "of the graph was freed as well; run the lines that make m and y "
                              "again, in that order")
