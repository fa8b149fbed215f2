"""Errors that teach: each error path gives the type and message a user sees, and its hints."""

from __future__ import annotations

import pytest

from autodiff_repl.outputs import Error
from autodiff_repl.session import Session

SETUP = "x = torch.arange(4.0, requires_grad=True)"

CASES = [
    # (input, type, message, a hint must contain)
    ("lenn(x)", "NameError", "name 'lenn' is not defined", "did you mean 'len'?"),
    ("xx", "NameError", "name 'xx' is not defined", "did you mean 'x'?"),
    ("np.arange(4.0)", "NameError", "name 'np' is not defined", "torch.arange(4.0)"),
    ("npx.set_np()", "NameError", "name 'npx' is not defined", "import torch"),
    ("F.relu(x)", "NameError", "name 'F' is not defined", "import torch.nn.functional as F"),
    ("autograd.grad", "NameError", "name 'autograd' is not defined",
     "from torch import autograd"),
    ("exit()", "NameError", "name 'exit' is not defined", ":quit"),
    ("x.attach_grad()", "AttributeError", "'Tensor' object has no attribute 'attach_grad'",
     "x.requires_grad_()"),
    ("x.copy()", "AttributeError", "'Tensor' object has no attribute 'copy'", "x.clone()"),
    ("x.asnumpy()", "AttributeError", "'Tensor' object has no attribute 'asnumpy'",
     "x.detach().numpy()"),
    ("x.requires_grad_x", "AttributeError",
     "'Tensor' object has no attribute 'requires_grad_x'", "did you mean 'x.requires_grad_'?"),
    ("torch.autograd.record()", "AttributeError",
     "module 'torch.autograd' has no attribute 'record'", "leave out"),
    ("x.grad.zero_()", "AttributeError", "'NoneType' object has no attribute 'zero_'",
     "x.grad is None: no backward() has reached x yet"),
    ("'{}'.format(1)", "AttributeError", "'str' object has no attribute 'format'",
     "f-string"),
    ("(x * x).backward()", "RuntimeError",
     "grad can be implicitly created only for scalar outputs", "(x * x).sum().backward()"),
    ("y = x * x\ny.backward()", "RuntimeError",
     "grad can be implicitly created only for scalar outputs",
     "y.backward(gradient=torch.ones_like(y))"),
    ("y = x * x\nbackward y", "RuntimeError",
     "grad can be implicitly created only for scalar outputs",
     "backward y --gradient torch.ones_like(y)"),
    ("y = (x * x).sum()\ny.backward()\ny.backward()", "RuntimeError",
     "Trying to backward through the graph a second time", "retain_graph=True"),
    ("torch.arange(4).requires_grad_()", "RuntimeError",
     "only Tensors of floating point",
     "torch.arange(4.0)"),
    ("x -= 0.1", "RuntimeError",
     "a leaf Variable that requires grad is being used in an in-place operation.",
     "with torch.no_grad(): x -= 0.1"),
    ("torch.ones(2).sum().backward()", "RuntimeError",
     "element 0 of tensors does not require grad and does not have a grad_fn",
     "requires_grad_()"),
    ("if x > 1:\n    pass", "RuntimeError",
     "Boolean value of Tensor with more than one value is ambiguous", ".all()"),
    ("x.item()", "RuntimeError", "a Tensor with 4 elements cannot be converted to Scalar",
     "x.sum()"),
    ("x + torch.ones(3)", "RuntimeError",
     "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0",
     "broadcast"),
    ("x.shape()", "TypeError", "'Size' object is not callable", "x.shape"),
    ("torch.ones(10**8)", "RuntimeError",
     "a tensor of shape (100000000,) would have 100,000,000 elements; the limit is 10,000,000",
     "Limits.max_elements"),
    ("2 ** 100000", "LimitError",
     "2 ** 100000 would have about 100,000 bits; the limit is 10,000", "floats"),
    ("from d2l import torch as d2l", "ModuleNotFoundError", "No module named 'd2l'",
     "only `import torch`"),
    ("import tensorflow as tf", "ModuleNotFoundError", "No module named 'tensorflow'",
     "GradientTape"),
    ("import os", "ImportError", "import of 'os' is not allowed here", "numpy"),
    ("raise ValueError('x')", "SyntaxError", "'raise' statements are not supported here",
     "assert"),
    ("x.__class__", "AttributeError",
     "attribute '__class__' is not available: names starting with '_' are private",
     "public API"),
    (">>> x = 1", "SyntaxError", "invalid syntax", "remove the prompt"),
]


@pytest.mark.parametrize(("text", "kind", "message", "hint"), CASES)
def test_error_type_message_and_hint(text, kind, message, hint):
    s = Session()
    s.execute(SETUP)
    out = s.execute(text)
    errors = [o for o in out if isinstance(o, Error)]
    assert len(errors) == 1
    error = errors[0]
    assert error.type == kind
    assert error.message.lower().startswith(message.lower())
    assert any(hint in h for h in error.hints), error.hints


def test_syntax_error_caret_points_at_the_column():
    error = Session().execute("y = 2 *")[0]
    assert (error.type, error.line, error.col, error.source) == ("SyntaxError", 1, 8, "y = 2 *")


def test_refused_construct_points_at_its_line():
    error = Session().execute("a = 1\nclass A:\n    pass")[0]
    assert (error.line, error.col, error.source) == (2, 1, "class A:")


def test_keyboard_interrupt_is_explained():
    s = Session()

    def stop():
        raise KeyboardInterrupt
    s.builtins["stop"] = stop
    error = s.execute("stop()")[0]
    assert (error.type, error.message) == ("KeyboardInterrupt", "interrupted")
    assert "what it did before stopping stays done" in error.hints[0]
