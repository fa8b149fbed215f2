"""The language runs Python's semantics for the constructs it allows."""

from __future__ import annotations

import pytest

from autodiff_repl.outputs import Echo, Error
from autodiff_repl.render import plain
from autodiff_repl.session import Session


def run(text: str, session: Session | None = None) -> str:
    return plain((session or Session()).execute(text))


@pytest.mark.parametrize(("text", "expected"), [
    ("a, *b = [1, 2, 3]\n(a, b)", "(1, [2, 3])"),
    ("a = b = 2\na + b", "4"),
    ("x = 5\nx += 2\nx //= 3\nx", "2"),
    ("[i * i for i in range(4) if i % 2]", "[1, 9]"),
    ("{k: v for k, v in zip('ab', [1, 2])}", "{'a': 1, 'b': 2}"),
    ("{i % 2 for i in range(5)}", "{0, 1}"),
    ("sum(i for i in range(5))", "10"),
    ("f'{3.14159:.2f} {\"x\"!r}'", "\"3.14 'x'\""),
    ("(lambda a, b=2: a * b)(3)", "6"),
    ("def f(a, *args, k=1, **kw):\n    return (a, args, k, kw)\nf(1, 2, k=3, z=4)",
     "(1, (2,), 3, {'z': 4})"),
    ("def outer():\n    n = 3\n    def inner():\n        return n * 2\n    return inner()\n"
     "outer()", "6"),
    ("i = 0\nwhile True:\n    i += 1\n    if i > 3:\n        break\ni", "4"),
    ("t = 0\nfor i in range(5):\n    if i == 2:\n        continue\n    t += i\nt", "8"),
    ("for i in range(2):\n    pass\nelse:\n    r = 'done'\nr", "'done'"),
    ("1 if 2 > 3 else 0", "0"),
    ("1 < 2 < 3, 3 < 2 < 4", "(True, False)"),
    ("(n := 5) + n", "10"),
    ("x = [1, 2]\nx[0] = 9\ndel x[1]\nx", "[9]"),
    ("d = {'a': 1}\nd.get('b', 2), len(d), sorted([3, 1, 2]), list(reversed(range(3)))",
     "(2, 1, [1, 2, 3], [2, 1, 0])"),
    ("isinstance(torch.ones(1), torch.Tensor), isinstance(1, (int, float))", "(True, True)"),
    ("x = torch.ones(3)\nx[1] = 5\nx", "tensor([1., 5., 1.])"),
    ("with torch.no_grad():\n    y = torch.ones(2, requires_grad=True) * 2\ny.requires_grad",
     "False"),
    ("with torch.enable_grad():\n    pass\ntorch.is_grad_enabled()", "True"),
    ("x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    x -= 0.5\nx",
     "tensor([0.5000, 0.5000], requires_grad=True)"),
    ("assert 1 + 1 == 2\n'ok'", "'ok'"),
    ("x = torch.arange(6.0).reshape(2, 3)\nx.sum(dim=0), x.shape, x.T.shape",
     "(tensor([3., 5., 7.]), torch.Size([2, 3]), torch.Size([3, 2]))"),
    ("@torch.no_grad()\ndef f(x):\n    return x * 2\nf(torch.ones(1, requires_grad=True))",
     "tensor([2.])"),
    ("torch.autograd.functional.jacobian(lambda v: v * v, torch.tensor([1.0, 2.0]))",
     "tensor([[2., 0.],\n        [0., 4.]])"),
    ("x = torch.tensor([1.0, 2.0], requires_grad=True)\nh = x.register_hook(lambda g: g * 10)\n"
     "(x * x).sum().backward()\nx.grad", "tensor([20., 40.])"),
    ("import numpy as np\na = np.linspace(0, 1, 3)\na * 2, np.dot(a, a)",
     "(array([0., 1., 2.]), np.float64(1.25))"),
    ("torch.tensor(1.5).item(), round(2.567, 2), abs(-3), int('7'), float(2)",
     "(1.5, 2.57, 3, 7, 2.0)"),
    ("x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3\ng, = torch.autograd.grad(y, x, "
     "create_graph=True)\ng2, = torch.autograd.grad(g, x)\ng, g2",
     "(tensor(12., grad_fn=<MulBackward0>), tensor(12.))"),
])
def test_python_semantics(text, expected):
    assert run(text).splitlines()[-1] == expected.splitlines()[-1]
    assert run(text) == expected


@pytest.mark.parametrize(("text", "kind", "message"), [
    ("def f(a): return a\nf()", "TypeError", "f() missing 1 required positional argument: 'a'"),
    ("def f(a, b): return a\nf()", "TypeError",
     "f() missing 2 required positional arguments: 'a' and 'b'"),
    ("def f(a): return a\nf(1, 2)", "TypeError", "f() takes 1 positional argument but 2 were "
     "given"),
    ("def f(a): return a\nf(b=1)", "TypeError", "f() got an unexpected keyword argument 'b'"),
    ("def f(*, k): return k\nf()", "TypeError", "f() missing 1 required keyword-only argument: "
     "'k'"),
    ("def f():\n    y = n\n    n = 1\nf()", "UnboundLocalError",
     "cannot access local variable 'n' where it is not associated with a value"),
    ("a, b = [1, 2, 3]", "ValueError", "too many values to unpack (expected 2)"),
    ("a, b, c = [1, 2]", "ValueError", "not enough values to unpack (expected 3, got 2)"),
    ("assert 1 == 2, 'no'", "AssertionError", "no"),
    ("{}['k']", "KeyError", "'k'"),
    ("x = 1\nx()", "TypeError", "'int' object is not callable"),
    ("torch()", "TypeError", "'module' object is not callable"),
    ("break", "SyntaxError", "'break' outside loop"),
    ("def f():\n    continue", "SyntaxError", "'continue' not properly in loop"),
    ("x = 1j", "SyntaxError", "complex numbers are not supported here"),
    ("from torch import *", "SyntaxError", "'from torch import *' is not supported here"),
    ("from torch import nothing", "ImportError", "cannot import name 'nothing' from 'torch'"),
    ("del nothing", "NameError", "name 'nothing' is not defined"),
    ("x.y = 1", "NameError", "name 'x' is not defined"),
    ("_x = 1", "NameError", "name '_x' is not available: names starting with '_' are private"),
    ("f(_k=1)", "SyntaxError",
     "keyword argument '_k' is not available: names starting with '_' are private"),
])
def test_errors_have_pythons_type_and_message(text, kind, message):
    out = Session().execute(text)
    errors = [o for o in out if isinstance(o, Error)]
    assert [(e.type, e.message) for e in errors] == [(kind, message)]


def test_for_underscore_is_allowed():
    assert Session().execute("for _ in range(2): pass\n'ok'") == [Echo("'ok'")]


def test_function_sees_later_session_bindings():
    s = Session()
    s.execute("def f():\n    return k * 2")
    s.execute("k = 21")
    assert s.execute("f()") == [Echo("42")]


def test_user_function_repr_has_no_address():
    assert Session().execute("def f(): pass\nf") == [Echo("<function f>")]


def test_sources_record_what_each_assigned_name_was_computed_from():
    import ast

    from autodiff_repl.lang.scopes import sources_of
    loop = ast.parse("for step in range(n):\n    loss = (w * x).sum()\n    w -= lr * w.grad\n"
                     "    def f(a):\n        inner = a").body[0]
    assert sources_of(loop, {"w": frozenset({"torch"})}) == {
        "step": {"range", "n"}, "loss": {"w", "x"}, "w": {"torch", "lr"}}
