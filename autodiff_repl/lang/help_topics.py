"""Help on the ideas of autograd that are not a function of their own: ``:help create_graph``,
``:help retain_graph``, ``:help .grad`` (also ``x.grad?``), ``:help detach``.

Each page says what the idea does, when a learner needs it, a small example with its real
numbers, and (for the options) the error met without it. The examples are written as a
transcript (``>>> `` lines, then what they print, then a blank line) and the tests run them, so
the numbers and messages on a page are the ones the REPL prints.

``find(topic, session)`` is the page for a topic, or None. A topic may be written as a keyword
(``create_graph``), as a command option (``create-graph``), as an attribute (``.grad``,
``Tensor.grad``) or on a variable (``x.grad``: any name that is not a module of the torch
facade): an attribute or a method then gets its page, not the function of the same name
(``torch.autograd.grad``).
"""

from __future__ import annotations

CREATE_GRAPH = """\
create_graph=True: record the backward pass, so gradients can be differentiated
  torch.autograd.grad(y, x, create_graph=True)   y.backward(create_graph=True)
  command: grad y x --create-graph

What it does: backward computes each gradient with tensor ops. With
create_graph=True those ops are recorded as they run, so the gradient it
returns has a grad_fn of its own: it is a function of x that autograd can
differentiate again. (It keeps y's graph too, as retain_graph=True does.)

When you need it: for a second derivative -- d²y/dx², a Hessian, a gradient of
a gradient (lessons 3 and 4). A first derivative does not need it.

Example: y = x³ at x = 3, so dy/dx = 3x² = 27 and d²y/dx² = 6x = 18.
  >>> x = torch.tensor(3.0, requires_grad=True)
  >>> g, = torch.autograd.grad(x ** 3, x, create_graph=True)
  >>> g
  tensor(27., grad_fn=<MulBackward0>)
  >>> torch.autograd.grad(g, x)
  (tensor(18.),)

Without it, g is tensor(27.): a constant, with no grad_fn, so the second
derivative fails:
  >>> g, = torch.autograd.grad(x ** 3, x)
  >>> torch.autograd.grad(g, x)
  RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
"""

RETAIN_GRAPH = """\
retain_graph=True: keep the graph's saved values for another backward
  y.backward(retain_graph=True)   torch.autograd.grad(y, x, retain_graph=True)
  command: backward y --retain-graph (grad y x --retain-graph)

What it does: the forward pass saves the values backward will need (y = x * x
saves x, for ∂y/∂x = 2x). A backward frees them as it goes, to save memory;
retain_graph=True keeps them, so the same graph can run backward again. Each
backward adds its gradient into .grad.

When you need it: two backwards through one graph -- two losses that share
part of it, or a backward run twice to see gradients add up (lesson 4). Often
it is simpler to compute y again: a new y has a new graph.

Example: y = x² at x = 3, so dy/dx = 2x = 6; two backwards add up to 12.
  >>> x = torch.tensor(3.0, requires_grad=True)
  >>> y = x * x
  >>> y.backward(retain_graph=True)
  >>> x.grad
  tensor(6.)
  >>> y.backward()
  >>> x.grad
  tensor(12.)

Without it, the second backward fails: the first one freed the saved x.
  >>> y = x * x
  >>> y.backward()
  >>> y.backward()
  RuntimeError: Trying to backward through the graph a second time (or directly \
access saved tensors after they have already been freed). Saved intermediate values of the \
graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you \
need to backward through the graph a second time or if you need to access saved tensors after \
calling backward.
"""

GRAD_ATTRIBUTE = """\
x.grad: the gradient backward stored in the tensor x (an attribute)
  not the grad command, nor torch.autograd.grad: for those, :help grad

What it holds: ∂y/∂x, with x's shape, once y.backward() has reached x.
- None until then: x.grad echoes nothing (why x.grad says why it is None).
- Each backward adds into it (old + new), so zero it before the next one:
  x.grad.zero_() (or x.grad = None), as a training loop does.
- Only leaves get it: tensors made with requires_grad=True (or made to require
  it with .requires_grad_()), not results computed from them. A computed y
  keeps y.grad only if y.retain_grad() ran before the backward.
- torch.autograd.grad (and the grad command) return the gradients instead and
  leave .grad alone.

Example: y = Σ x², so ∂y/∂x = 2x; a second backward adds 2x again.
  >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
  >>> x.grad is None
  True
  >>> (x * x).sum().backward()
  >>> x.grad
  tensor([2., 4.])
  >>> (x * x).sum().backward()
  >>> x.grad
  tensor([4., 8.])
  >>> x.grad.zero_()
  tensor([0., 0.])
"""

DETACH = """\
x.detach() (or torch.detach(x)): x's values, cut from the graph

What it does: returns a new tensor that shares x's memory but has no grad_fn
and does not require grad. For autograd it is a constant: no gradient flows
back through it to x. (Shared memory: an in-place change to one shows in the
other; x.detach().clone() is an independent copy.)

When you need it: to treat part of a computation as a constant (lesson 1:
u = y.detach(), then z = u * x), or to take values out of the graph for
.numpy(), printing or plotting. `with torch.no_grad():` records nothing in a
whole block; detach() cuts one tensor.

Example: y = x², u = y.detach(), z = u·x: ∂z/∂x = u = x², where for z = y·x
(that is x³) it would be 3x².
  >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
  >>> y = x * x
  >>> u = y.detach()
  >>> u
  tensor([1., 4.])
  >>> (u * x).sum().backward()
  >>> x.grad
  tensor([1., 4.])
"""

PAGES = {
    "create_graph": CREATE_GRAPH,
    "retain_graph": RETAIN_GRAPH,
    ".grad": GRAD_ATTRIBUTE,
    "detach": DETACH,
}
"""Topic -> page. A method's page is under its bare name (``detach``), an attribute's under
``.name``: ``x.detach?`` finds the first, ``x.grad?`` the second."""

SEE_ALSO = {"grad": "x.grad, the gradient stored in a tensor: :help .grad"}
"""A line added to the help of a function or command (``:help grad``) whose name is also that of
a topic here."""


def names() -> list[str]:
    """The topics, as a learner types them after ``:help``."""
    return list(PAGES)


def find(topic: str, session=None) -> str | None:
    """The page for ``topic`` (``create_graph``, ``retain-graph``, ``.grad``, ``x.grad``,
    ``torch.Tensor.grad``, ``x.detach``), or None."""
    key = topic.lstrip("-").replace("-", "_")
    key = key if key in PAGES else topic  # retain-graph, as the command's option says it
    head, dot, attr = key.rpartition(".")
    if dot and head:  # a module's function (torch.detach), else a tensor's attribute (x.grad)
        key = attr if _is_module(head, session) else "." + attr
    return PAGES.get(key) or (PAGES.get(key[1:]) if key.startswith(".") else None)


def _is_module(path: str, session) -> bool:
    """Whether ``path`` names a module of the torch facade (``torch``, ``torch.autograd``, or a
    variable bound to one, as ``F`` after ``import torch.nn.functional as F``)."""
    if path == "torch" or (path.startswith("torch.") and path != "torch.Tensor"):
        return True
    if session is None:
        return False
    value = session.variables.get(path.split(".")[0])
    return value is not None and type(value) is type(session.torch)
