"""QA findings on hints and explanations, as the learner sees them: the pass that freed a graph
after ``torch.autograd.grad``, the fix for a vector output of ``autograd.grad`` and of the
``grad`` command, ``.grad`` of an integer tensor, counts in limit errors, and trace numbers near 1.
"""

from __future__ import annotations

from autodiff_repl.explain.text import num
from autodiff_repl.outputs import Error, Hint
from autodiff_repl.render import plain
from autodiff_repl.session import Session


def last_outputs(*inputs: str) -> list:
    """The outputs of the last input, after running the others (which must not fail)."""
    s = Session()
    for text in inputs[:-1]:
        assert not any(isinstance(o, Error) for o in s.execute(text)), text
    return s.execute(inputs[-1])


def error_after(*inputs: str) -> Error:
    errors = [o for o in last_outputs(*inputs) if isinstance(o, Error)]
    assert len(errors) == 1
    return errors[0]


# --- 1a: the earlier autograd.grad freed the graph ---------------------------------------------

def test_freed_graph_names_the_earlier_autograd_grad_not_the_failing_call():
    error = error_after("t = torch.arange(3.0, requires_grad=True)", "s = torch.sin(t)",
                        "torch.autograd.grad(s.sum(), t)",
                        "torch.autograd.grad(s.sum(), t, create_graph=True)")
    assert error.hints[-1] == (
        "or keep the graph for this pass: the earlier pass torch.autograd.grad(s.sum(), t) freed "
        "it; run it as torch.autograd.grad(s.sum(), t, retain_graph=True)")
    assert not any("create_graph=True, retain_graph=True" in h for h in error.hints)


def test_freed_graph_names_the_earlier_grad_command():
    error = error_after("t = torch.arange(3.0, requires_grad=True)", "s = torch.sin(t)",
                        "grad s.sum() t --no-trace",
                        "torch.autograd.grad(s.sum(), t, create_graph=True)")
    assert error.hints[-1] == ("or keep the graph for this pass: the earlier pass grad s.sum() t "
                               "--no-trace freed it; run it as grad s.sum() t --no-trace "
                               "--retain-graph")


# --- 1b: a vector output of autograd.grad -------------------------------------------------------

VECTOR = ("t = torch.arange(3.0, requires_grad=True)", "ds = torch.cos(t) * 1")


def test_vector_output_of_autograd_grad_is_fixed_with_autograd_grad():
    error = error_after(*VECTOR, "torch.autograd.grad(ds, t)")
    assert error.hints == (
        "ds has shape [3]: autograd.grad() without grad_outputs needs a scalar output "
        "(one number)",
        "sum first: torch.autograd.grad(ds.sum(), t)",
        "or pass the vector v of vᵀJ: torch.autograd.grad(ds, t, "
        "grad_outputs=torch.ones_like(ds))")


def test_vector_output_of_an_expression_and_keywords_keep_the_call():
    error = error_after(*VECTOR, "torch.autograd.grad(outputs=ds * 2, inputs=t)")
    assert error.hints[1:] == (
        "sum first: torch.autograd.grad(outputs=(ds * 2).sum(), inputs=t)",
        "or pass the vector v of vᵀJ: torch.autograd.grad(outputs=ds * 2, inputs=t, "
        "grad_outputs=torch.ones_like(ds * 2))")


def test_vector_output_of_the_grad_command_is_fixed_with_the_command():
    error = error_after(*VECTOR, "grad ds t")
    assert error.hints == (
        "ds has shape [3]: grad needs a scalar output (one number)",
        "sum first: grad ds.sum() t",
        "or, for the vector-Jacobian product vᵀJ: torch.autograd.grad(ds, t, "
        "grad_outputs=torch.ones_like(ds))")
    assert not any(".backward(" in h for h in error.hints)


def test_vector_output_of_backward_still_gets_backward_and_parentheses():
    error = error_after(*VECTOR, "(ds * 2).backward()")
    assert error.hints[1:3] == (
        "sum first: (ds * 2).sum().backward() (MXNet did this sum for you)",
        "or pass the vector v of vᵀJ: (ds * 2).backward(gradient=torch.ones_like(ds * 2))")


# --- 2: .grad of an integer tensor --------------------------------------------------------------

def test_grad_of_an_integer_tensor_suggests_float_as_why_does():
    outputs = last_outputs("w = torch.arange(4)", "w.grad")
    assert outputs == [Hint(
        "w.grad is None: w holds torch.int64 values, and only floating-point tensors can require "
        "grad; make it a float tensor that does, w = w.float().requires_grad_(), before "
        "computing with it")]
    why = plain(last_outputs("w = torch.arange(4)", "why w.grad"))
    assert "fix:   w = w.float().requires_grad_()" in why


def test_the_suggested_fix_runs():
    s = Session()
    s.execute("w = torch.arange(4)")
    assert not any(isinstance(o, Error) for o in s.execute("w = w.float().requires_grad_()"))


# --- 5: counts ----------------------------------------------------------------------------------

def test_repeating_one_character_says_character():
    error = error_after("'a' * 10**9")
    assert error.message == ("repeating a str of 1 character 1000000000 times would make more "
                             "than 1,000,000 characters; that is the limit")


def test_repeating_a_list_of_one_item_says_item():
    error = error_after("[[1, 2]] * 10**9")
    assert error.message.startswith("repeating a list of 1 item 1000000000 times would make "
                                    "more than 1,000,000 items (counting the items of nested")


# --- 6: numbers near 1 in the trace -------------------------------------------------------------

def test_a_constant_near_1_is_not_shown_as_1_in_the_trace():
    steps = ["x = torch.tensor(1.0, requires_grad=True)", "z = x"]
    text = plain(last_outputs(*steps, *["z = z * 1.0001"] * 6, "trace z"))
    assert "passes upstream on" not in text
    assert "z = 1.0001 · t5" in text
    assert "∂z/∂t5 = 1.0001;  1 × 1.0001 = 1.0001" in text
    assert " = 1 = " not in text
    assert "upstream ∂z/∂x = 1.001\n" in text


def test_num_shows_a_hidden_fraction_but_not_rounding_noise():
    assert num(1.0001) == "1.0001"
    assert num(0.99995) == "0.99995"
    assert num(100.02) == "100.02"
    assert num(2.9999998) == "3"
    assert num(1029.7) == "1030"
    assert num(1.0) == "1"


# --- NumPy meets a tensor: what to write instead ------------------------------------------------

def test_numpy_function_on_a_tensor_with_a_graph_points_to_the_torch_function():
    error = error_after("import numpy as np", "w = torch.ones(2, requires_grad=True)", "np.exp(w)")
    assert list(error.hints) == [
        "np.exp first turns the tensor into a NumPy array, which would leave its graph behind: "
        "use torch.exp(...), which records the operation so backward can reach it",
        "for plain numbers without a gradient: np.exp(w.detach().numpy())"]


def test_numpy_reduction_of_a_tensor_says_dim_not_axis():
    error = error_after("import numpy as np", "v = torch.ones(2)", "np.sum(v)")
    assert f"{error.type}: {error.message}" == (
        "TypeError: sum() got an unexpected keyword argument 'axis'")
    assert list(error.hints) == [
        "np.sum(v) calls v.sum(axis=...), and a tensor's sum takes dim=, not axis=: write v.sum() "
        "or torch.sum(v) (dim=0 where NumPy says axis=0)"]


def test_an_array_times_a_tensor_says_to_make_the_array_a_tensor():
    for op in ("*", "+"):
        error = error_after("import numpy as np", "a = np.array([1.0, 2.0])",
                            f"a {op} torch.ones(2)")
        assert list(error.hints) == [
            "a NumPy array first and a tensor second don't mix: make the array a tensor first: "
            "torch.from_numpy(a) for an array a (it keeps NumPy's float64), or torch.tensor(a, "
            "dtype=torch.float32)"]


# --- a method or function typed without its parentheses ------------------------------------------

def test_a_method_without_parentheses_gets_a_hint_that_nothing_ran():
    outputs = last_outputs("x = torch.arange(4.0, requires_grad=True)",
                           "y = 2 * torch.dot(x, x)", "y.backward")
    assert plain(outputs) == (
        "<bound method Tensor.backward of tensor(28., grad_fn=<MulBackward0>)>\n"
        "hint: y.backward is the method itself, so nothing ran: call it with parentheses, "
        "y.backward()")


def test_a_function_without_parentheses_gets_a_hint_and_a_value_gets_none():
    hints = [o.text for o in last_outputs("torch.exp") if isinstance(o, Hint)]
    assert hints == ["torch.exp is the function itself, so nothing ran: call it with parentheses "
                     "and its arguments, torch.exp(...)"]
    assert not [o for o in last_outputs("x = torch.ones(2)", "x.shape") if isinstance(o, Hint)]
