"""The d2l "Automatic Differentiation" chapter, pasted cell by cell, prints what PyTorch prints;
its MXNet cells are explained; the student-notebook extras run."""

from __future__ import annotations

import pytest

from autodiff_repl.outputs import Error, Hint
from autodiff_repl.render import plain
from autodiff_repl.session import Session

CONTROL_FLOW = '''\
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c'''

PYTORCH_CELLS = [
    ("import torch", ""),
    ("x = torch.arange(4.0)\nx", "tensor([0., 1., 2., 3.])"),
    ("# Can also create x = torch.arange(4.0, requires_grad=True)\nx.requires_grad_(True)\n"
     "x.grad  # The gradient is None by default",
     "tensor([0., 1., 2., 3.], requires_grad=True)\n"
     "hint: x.grad is None: no backward() has reached x yet"),
    ("y = 2 * torch.dot(x, x)\ny", "tensor(28., grad_fn=<MulBackward0>)"),
    ("y.backward()\nx.grad", "tensor([ 0.,  4.,  8., 12.])"),
    ("x.grad == 4 * x", "tensor([True, True, True, True])"),
    ("x.grad.zero_()  # Reset the gradient\ny = x.sum()\ny.backward()\nx.grad",
     "tensor([0., 0., 0., 0.])\ntensor([1., 1., 1., 1.])"),
    ("x.grad.zero_()\ny = x * x\ny.backward(gradient=torch.ones(len(y)))  # Faster: "
     "y.sum().backward()\nx.grad",
     "tensor([0., 0., 0., 0.])\ntensor([0., 2., 4., 6.])"),
    ("x.grad.zero_()\ny = x * x\nu = y.detach()\nz = u * x\n\nz.sum().backward()\nx.grad == u",
     "tensor([0., 0., 0., 0.])\ntensor([True, True, True, True])"),
    ("x.grad.zero_()\ny.sum().backward()\nx.grad == 2 * x",
     "tensor([0., 0., 0., 0.])\ntensor([True, True, True, True])"),
    (CONTROL_FLOW, ""),
    ("a = torch.randn(size=(), requires_grad=True)\nd = f(a)\nd.backward()", ""),
    ("a.grad == d / a", "tensor(True)"),
]


def test_pytorch_cells_print_what_pytorch_prints():
    s = Session()
    for cell, expected in PYTORCH_CELLS:
        assert plain(s.execute(cell)) == expected, cell


def test_accumulation_without_zeroing_gives_1_5_9_13():
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)\ny.backward()")
    assert plain(s.execute("y = x.sum()\ny.backward()\nx.grad")) == "tensor([ 1.,  5.,  9., 13.])"


def test_control_flow_with_a_vector_needs_a_sum():
    s = Session()
    s.execute(CONTROL_FLOW)
    out = s.execute("a = torch.randn(size=(3,), requires_grad=True)\nd = f(a)\nd.backward()")
    assert out[-1].type == "RuntimeError"
    assert "d.sum().backward()" in " ".join(out[-1].hints)
    assert plain(s.execute("d.sum().backward()\n(a.grad == d / a).all()")) == "tensor(True)"


MXNET_CELLS = [
    ("from mxnet import autograd, np, npx\nnpx.set_np()\n\nx = np.arange(4.0)\nx",
     "ModuleNotFoundError", "No module named 'mxnet'", "x.requires_grad_()"),
    ("x.attach_grad()", "AttributeError", "'Tensor' object has no attribute 'attach_grad'",
     "x.requires_grad_()"),
    ("with autograd.record():\n    y = 2 * np.dot(x, x)", "NameError",
     "name 'autograd' is not defined", "autograd.record"),
    ("from torch import autograd\nwith autograd.record():\n    y = 2 * torch.dot(x, x)",
     "AttributeError", "module 'torch.autograd' has no attribute 'record'", "leave out"),
    ("y = x * x\ny.backward()", "RuntimeError",
     "grad can be implicitly created only for scalar outputs", "y.sum().backward()"),
    ("u = x.copy()", "AttributeError", "'Tensor' object has no attribute 'copy'", "x.clone()"),
    ("from torch import autograd\nautograd.is_training()", "AttributeError",
     "module 'torch.autograd' has no attribute 'is_training'", "torch.is_grad_enabled()"),
    ("y = np.ones(4) * 2", "NameError", "name 'np' is not defined", "torch.arange(4.0)"),
    ("x.grad.zero_()", "AttributeError", "'NoneType' object has no attribute 'zero_'",
     "no backward() has reached x yet"),
]


@pytest.mark.parametrize(("cell", "kind", "message", "hint"), MXNET_CELLS)
def test_mxnet_cells_are_explained(cell, kind, message, hint):
    s = Session()
    s.execute("import torch\nx = torch.arange(4.0, requires_grad=True)")
    out = s.execute(cell)
    errors = [o for o in out if isinstance(o, Error)]
    assert len(errors) == 1
    assert (errors[0].type, errors[0].message) == (kind, message)
    assert hint in " ".join(errors[0].hints)
    assert "Traceback" not in plain(out)


def test_mxnet_np_arange_with_numpy_is_a_plain_array():
    s = Session()
    out = s.execute("import numpy as np\nx = np.arange(4.0)\nx\nx.attach_grad()")
    assert plain(out).splitlines()[0] == "array([0., 1., 2., 3.])"
    assert out[-1].message == "'numpy.ndarray' object has no attribute 'attach_grad'"
    assert "x.requires_grad_()" in out[-1].hints[0]


def test_second_derivative_with_create_graph():
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)")
    out = plain(s.execute("g, = torch.autograd.grad(y, x, create_graph=True)\ng"))
    assert out == "tensor([ 0.,  4.,  8., 12.], grad_fn=<AddBackward0>)"  # as PyTorch 2.13
    assert plain(s.execute("torch.autograd.grad(g.sum(), x)[0]")) == "tensor([4., 4., 4., 4.])"


def test_hessian_is_four_times_identity():
    s = Session()
    s.execute("x = torch.arange(4.0)")
    out = plain(s.execute("torch.autograd.functional.hessian(lambda v: 2 * torch.dot(v, v), x)"))
    assert out == ("tensor([[4., 0., 0., 0.],\n        [0., 4., 0., 0.],\n"
                   "        [0., 0., 4., 0.],\n        [0., 0., 0., 4.]])")


def test_backward_twice_fails_then_retain_graph_doubles():
    s = Session()
    s.execute("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)\ny.backward()")
    out = s.execute("y.backward()")
    assert out[0].message.startswith("Trying to backward through the graph a second time")
    assert any("retain_graph=True" in h for h in out[0].hints)
    s.execute("x.grad = None\ny = 2 * torch.dot(x, x)\ny.backward(retain_graph=True)")
    assert plain(s.execute("y.backward()\nx.grad")) == "tensor([ 0.,  8., 16., 24.])"


def test_variable_works_with_a_deprecation_hint():
    s = Session()
    out = s.execute("from torch.autograd import Variable as V\nv = V(torch.ones(2), "
                    "requires_grad=True)\nv")
    assert isinstance(out[0], Hint) and "deprecated since PyTorch 0.4" in out[0].text
    assert plain(out[1:]) == "tensor([1., 1.], requires_grad=True)"
    out = s.execute("torch.autograd.Variable(torch.ones(1))")
    assert "deprecated" in out[0].text


def test_import_forms_bind_as_python_does():
    s = Session()
    s.execute("import torch as t\nimport torch.autograd\nimport torch.nn.functional as F\n"
              "from torch.nn import functional as G\nfrom torch import autograd, nn")
    names = s.variables
    assert {"t", "torch", "F", "G", "autograd", "nn"} <= set(names)
    assert "functional" not in names
    assert plain(s.execute("F.relu(t.tensor([-1.0, 2.0]))")) == "tensor([0., 2.])"


def test_int_arange_cannot_require_grad():
    out = Session().execute("x = torch.arange(4, requires_grad=True)")
    assert out[0].message == ("Only Tensors of floating point and complex dtype can require "
                              "gradients")
    assert "torch.arange(4.0)" in out[0].hints[1]
