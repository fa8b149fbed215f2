"""What the learner sees in five cases a QA pass found wrong: f-strings of tensors (PyTorch
formats a 0-dim tensor as its number), ``import math`` (a read-only facade of its functions),
internal names (``torch.Tensor``, the modules, ``x.mT`` of a vector), ``requires_grad_(7)``, and
NumPy meeting tensors (``np.exp(t)`` is a tensor, ``np.sum(t)`` PyTorch's TypeError,
``ndarray * tensor`` Python's). Each output is pinned as the user sees it, and compared with
Python running real PyTorch where it is installed."""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from pathlib import Path

import pytest
from support import autodiff_run, python_run

import autodiff_repl.engine as engine
from autodiff_repl.outputs import Error
from autodiff_repl.render import plain
from autodiff_repl.session import Session

SETUP = """\
import torch
import numpy as np
x = torch.tensor(2.5, requires_grad=True)
t = torch.tensor([1., 2.])
a = np.array([2., 3.])
m = torch.tensor([[3., 1.], [2., 5.]])
w = torch.tensor([1., 2.], requires_grad=True)"""

FORMAT = [
    ('f"{x}"', "'2.5'"),
    ('f"{x * 2}"', "'5.0'"),
    ('f"loss {x * 2:.3f}"', "'loss 5.000'"),
    ('f"{x:>8}"', "'     2.5'"),
    ('f"{x!r}"', "'tensor(2.5000, requires_grad=True)'"),
    ('f"{t}"', "'tensor([1., 2.])'"),
    ('f"{t:.2f}"', "TypeError: unsupported format string passed to Tensor.__format__"),
    ('f"{torch.tensor(3)}"', "'3'"),
    ('f"{torch.tensor(3):5d}"', "'    3'"),
    ('f"{torch.tensor(True)}"', "'True'"),
    ('f"{torch.tensor(0.1)}"', "'0.10000000149011612'"),
    ('f"{torch.ones(1):.2f}"', "TypeError: unsupported format string passed to Tensor.__format__"),
    ('print(f"loss {x * 2}")', "loss 5.0"),
]

MATH = [
    ("math.pi", "3.141592653589793"),
    ("math.tau", "6.283185307179586"),
    ("math.exp(1.0)", "2.718281828459045"),
    ("math.sqrt(2)", "1.4142135623730951"),
    ("math.log(8, 2)", "3.0"),
    ("math.cos(torch.tensor(0.0))", "1.0"),
    ("math.factorial(5)", "120"),
    ("math.comb(5, 2)", "10"),
    ("math.prod([1, 2, 3])", "6"),
    ("math.fsum(t)", "3.0"),
    ("math.isclose(0.1 + 0.2, 0.3)", "True"),
    ("math.exp", "<built-in function exp>"),
    ("math.factorial", "<built-in function factorial>"),
    ("type(math.factorial)", "<class 'builtin_function_or_method'>"),
    ("math.exp(1000)", "OverflowError: math range error"),
    ("math.foo", "AttributeError: module 'math' has no attribute 'foo'"),
    ("import math as m\nprint(m.tau)", "6.283185307179586"),
    ("from math import pi, exp as e\nprint(e(pi))", "23.140692632779267"),
]

NAMES = [
    ("torch.Tensor", "<class 'torch.Tensor'>"),
    ("torch.Size", "<class 'torch.Size'>"),
    ("torch.no_grad", "<class 'torch.autograd.grad_mode.no_grad'>"),
    ("torch.device", "<class 'torch.device'>"),
    ("torch.dtype", "<class 'torch.dtype'>"),
    ("torch.autograd.forward_ad.dual_level", "<class 'torch.autograd.forward_ad.dual_level'>"),
    ("torch.return_types.max", "<class 'torch.return_types.max'>"),
    ("[torch.Tensor, torch.Size]", "[<class 'torch.Tensor'>, <class 'torch.Size'>]"),
    ("isinstance(t, torch.Tensor)", "True"),
    ("torch.no_grad is torch.autograd.no_grad", "True"),
    ("torch.Tensor([1, 2])", "tensor([1., 2.])"),
    ("type(torch.Size)", "<class 'type'>"),
    ("torch.ones(3).mT", "RuntimeError: tensor.mT is only supported on matrices or batches of "
                         "matrices. Got 1-D tensor."),
    ("w.mT", "RuntimeError: tensor.mT is only supported on matrices or batches of matrices. "
             "Got 1-D tensor."),
    ("m.mT", "tensor([[3., 2.],\n        [1., 5.]])"),
    ("t[::-1]", "ValueError: step must be greater than zero"),
]

NOT_BOOL = "TypeError: requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
REQUIRES_GRAD = [
    ("torch.ones(2).requires_grad_(7)", NOT_BOOL + "int"),
    ("torch.ones(2).requires_grad_(None)", NOT_BOOL + "NoneType"),
    ("torch.ones(2).requires_grad_(np.bool_(True))", NOT_BOOL + "numpy.bool"),
    ("torch.arange(2).requires_grad_(7)", NOT_BOOL + "int"),
    ("torch.ones(2).requires_grad_(requires_grad=1)",
     "TypeError: requires_grad_(): argument 'requires_grad' must be bool, not int"),
    ("torch.ones(2).requires_grad_(True, requires_grad=True)",
     "TypeError: requires_grad_() got multiple values for argument 'requires_grad'"),
    ("torch.ones(2).requires_grad_(False)", "tensor([1., 1.])"),
    ("t.requires_grad = 1", "RuntimeError: requires_grad must be a bool"),
]

NO_NUMPY = ("RuntimeError: Can't call numpy() on Tensor that requires grad. Use "
            "tensor.detach().numpy() instead.")
STD_OVERLOADS = (" * (tuple of ints dim, bool unbiased = True, bool keepdim = False)\n"
                 " * (tuple of ints dim = None, *, Number correction = None, bool keepdim = "
                 "False)\n      didn't match because some of the keywords were incorrect: ddof, "
                 "dtype, out, axis\n * (bool unbiased = True)")
NUMPY = [
    ("np.exp(torch.ones(2))", "tensor([2.7183, 2.7183])"),
    ("np.exp(torch.arange(3))", "tensor([1.0000, 2.7183, 7.3891], dtype=torch.float64)"),
    ("np.add(a, t)", "tensor([3., 5.], dtype=torch.float64)"),
    ("np.multiply(t, 2)", "tensor([2., 4.])"),
    ("np.isnan(t)", "tensor([0, 0], dtype=torch.uint8)"),
    ("np.matmul(t, t)", "tensor(5.)"),
    ("np.exp(w)", NO_NUMPY),
    ("np.sum(torch.ones(2))", "TypeError: sum() got an unexpected keyword argument 'axis'"),
    ("np.sum(m, axis=0)", "TypeError: sum() got an unexpected keyword argument 'axis'"),
    ("np.sum(t, dtype=np.float64)",
     "TypeError: sum(): argument 'dtype' must be torch.dtype, not type"),
    ("np.mean(t)", "TypeError: mean() got an unexpected keyword argument 'axis'"),
    ("np.max(t)", "TypeError: max(): argument 'dim' must be int, not NoneType"),
    ("np.max(m, axis=0)", "TypeError: max() got an unexpected keyword argument 'axis'"),
    ("np.amin(m, axis=(0, 1))", "TypeError: min(): argument 'dim' must be int, not tuple"),
    ("np.max(m, axis=0, keepdims=True)",
     "TypeError: max() received an invalid combination of arguments - got (keepdims=bool, "
     "out=NoneType, axis=int, ), but expected one of:\n * ()\n * (Tensor other)\n"
     " * (int dim, bool keepdim = False)"),
    ("np.mean(t, keepdims=True)",
     "TypeError: mean() received an invalid combination of arguments - got (keepdims=bool, "
     "dtype=NoneType, out=NoneType, axis=NoneType, ), but expected one of:\n"
     " * (*, torch.dtype dtype = None)\n"
     " * (tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)\n"
     "      didn't match because some of the keywords were incorrect: keepdims, dtype, out, "
     "axis"),
    ("np.std(t)", "TypeError: std() received an invalid combination of arguments - got "
                  "(ddof=int, dtype=NoneType, out=NoneType, axis=NoneType, ), but expected one "
                  "of:\n" + STD_OVERLOADS),
    ("np.var(m, axis=0)", "TypeError: var() received an invalid combination of arguments - got "
                          "(ddof=int, dtype=NoneType, out=NoneType, axis=int, ), but expected "
                          "one of:\n" + STD_OVERLOADS),
    ("np.argmax(m)", "tensor(3)"),
    ("np.cumsum(m)", "tensor([ 3.,  4.,  6., 11.])"),
    ("np.reshape(t, (2, 1))", "tensor([[1.],\n        [2.]])"),
    ("np.clip(t, 0, 1.5)", "tensor([1.0000, 1.5000])"),
    ("np.clip(a, t, 5)", "tensor([2., 3.], dtype=torch.float64)"),
    ("np.flip(t)", "ValueError: step must be greater than zero"),
    ("np.array_equal(w, w)", "False"),
    ("np.multiply(np.ones(2, dtype=np.float32), 2)", "array([2., 2.], dtype=float32)"),
    ("np.where(t > 1, t, 0)", "array([0., 2.], dtype=float32)"),
    ("np.reshape(np.arange(4), (2, 2))", "array([[0, 1],\n       [2, 3]])"),
]

OPERATORS = [
    ("np.array([1., 2.]) * torch.ones(2)",
     "TypeError: unsupported operand type(s) for *: 'numpy.ndarray' and 'Tensor'"),
    ("a + t", "TypeError: Concatenation operation is not implemented for NumPy arrays, use "
              "np.concatenate() instead. Please do not rely on this error; it may not be given "
              "on all Python implementations."),
    ("a - t", "TypeError: unsupported operand type(s) for -: 'numpy.ndarray' and 'Tensor'"),
    ("a ** t",
     "TypeError: unsupported operand type(s) for ** or pow(): 'numpy.ndarray' and 'Tensor'"),
    ("np.array(2.0) * t",
     "TypeError: unsupported operand type(s) for *: 'numpy.ndarray' and 'Tensor'"),
    ("a *= t", "TypeError: unsupported operand type(s) for *=: 'numpy.ndarray' and 'Tensor'"),
    ("a / t", "tensor([2.0000, 1.5000], dtype=torch.float64)"),
    ("a / w", NO_NUMPY),
    ("a != t", "True"),
    ("a < t", "TypeError: '<' not supported between instances of 'numpy.ndarray' and 'Tensor'"),
    ("t > a", "TypeError: '>' not supported between instances of 'Tensor' and 'numpy.ndarray'"),
    ("t * a", "tensor([2., 6.], dtype=torch.float64)"),
    ("t @ a", "tensor(8., dtype=torch.float64)"),
    ("w * a", NO_NUMPY),
    ("torch.tensor([True, True]) & np.array([True, False])", "tensor([1, 0], dtype=torch.uint8)"),
    ("t += a\nprint(t)", "tensor([3., 5.], dtype=torch.float64)"),
    ("a == t", "tensor([False, False])"),
    ("np.dot(t, t)", "np.float32(5.0)"),
    ("np.array(t)", "array([1., 2.], dtype=float32)"),
    ("np.concatenate([t, t])", "array([1., 2., 1., 2.], dtype=float32)"),
]

CASES = [pytest.param(SETUP + "\nimport math" if case in MATH else SETUP, *case, id=case[0])
         for case in FORMAT + MATH + NAMES + REQUIRES_GRAD + NUMPY + OPERATORS]


def language(statement: str, setup: str = SETUP) -> str:
    """What the language shows for ``statement`` after ``setup``, hint lines left out."""
    s = Session()
    s.execute(setup)
    shown = plain(s.execute(statement)).splitlines()
    return "\n".join(line for line in shown if not line.startswith("hint:"))


def python(statement: str, setup: str = SETUP) -> str:
    """What Python with real PyTorch shows for ``statement`` after ``setup``, as a console
    would."""
    torch = pytest.importorskip("torch")
    namespace: dict = {}
    exec(setup, namespace)
    assert namespace["torch"] is torch
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            try:
                code = compile(statement, "<input>", "eval")
            except SyntaxError:
                exec(statement, namespace)
                value = None
            else:
                value = eval(code, namespace)
        except Exception as error:
            return f"{type(error).__name__}: {error}".rstrip("\n")
    shown = printed.getvalue().rstrip("\n")
    return shown if value is None else repr(value)


@pytest.mark.parametrize(("setup", "statement", "expected"), CASES)
def test_the_language_prints_what_pytorch_prints(setup, statement, expected):
    assert language(statement, setup) == expected


@pytest.mark.parametrize(("setup", "statement", "expected"), CASES)
def test_the_pinned_outputs_are_pythons_with_pytorch(setup, statement, expected):
    assert python(statement, setup) == expected


# --- 1. f-strings: the engine on its own formats as PyTorch does --------------------------------

def test_the_engine_formats_a_number_tensor_as_its_number():
    x = engine.tensor(2.5, requires_grad=True)
    assert (f"{x}", f"{x * 2}", f"{x:.2f}", f"{engine.tensor(7):03d}") == ("2.5", "5.0", "2.50",
                                                                        "007")
    assert f"{engine.ones(2)}" == "tensor([1., 1.])"
    with pytest.raises(TypeError) as error:
        format(engine.ones(2), ">20")
    assert str(error.value) == "unsupported format string passed to Tensor.__format__"


# --- 2. import math -------------------------------------------------------------------------

def shown(session: Session, text: str) -> str:
    return plain(session.execute(text))


def test_math_is_read_only_and_shows_no_internals():
    s = Session()
    s.execute("import math")
    assert shown(s, "math.pi = 3") == ("AttributeError: cannot set 'pi' on module 'math': the "
                                       "torch, numpy and math modules are read-only here")
    assert shown(s, "math.pi") == "3.141592653589793"
    for private in ("math.__dict__", "math.__loader__", "math.exp.__self__"):
        assert shown(s, private).startswith("AttributeError: attribute '__")
    for absent in ("os", "sys", "builtins", "sumprod"):
        assert shown(s, f"math.{absent}") == (f"AttributeError: module 'math' has no attribute "
                                              f"'{absent}'")
    assert shown(s, "del math.pi").startswith("AttributeError: cannot delete attribute")
    assert shown(s, "type(math)") == "<class 'module'>"


@pytest.mark.parametrize("statement", ["math.factorial(10 ** 6)", "math.comb(10 ** 6, 5 * 10 ** 5)",
                                       "math.perm(10 ** 5)", "math.prod(range(1, 10 ** 5))",
                                       "math.lcm(*range(1, 10 ** 4))", "math.fsum(range(10 ** 8))",
                                       "math.prod([2 ** 9000, 2 ** 9000])"])
def test_math_functions_that_grow_stop_at_the_limits_at_once(statement):
    s = Session()
    s.execute("import math")
    start = time.monotonic()
    [error] = [o for o in s.execute(statement) if isinstance(o, Error)]
    assert error.type == "LimitError"
    assert time.monotonic() - start < 2


def test_math_factorial_names_the_limit_and_a_float_way_round():
    s = Session()
    s.execute("import math")
    assert shown(s, "math.factorial(10000)") == (
        "LimitError: factorial(10000) would have about 118,458 bits; the limit is 10,000\n"
        "hint: use floats for big numbers: math.gamma(n + 1) is n! as a float, "
        "math.lgamma(n + 1) its logarithm")


@pytest.mark.parametrize(("statement", "expected"), [
    ("import os", "ImportError: import of 'os' is not allowed here"),
    ("import math.os", "ImportError: import of 'math.os' is not allowed here"),
    ("from math import *", "SyntaxError: 'from math import *' is not supported here"),
    ("import numpy as np\nnp.save", "AttributeError: module 'numpy' has no attribute 'save'"),
    ("import numpy as np\nnp.exp(np.array([0., 1.]))", "array([1.        , 2.71828183])"),
])
def test_other_imports_stay_as_they_were(statement, expected):
    assert shown(Session(hints=False), statement).splitlines()[0] == expected


# --- 3. names: modules say where they come from, without a path that is not there -------------

@pytest.mark.parametrize(("statement", "expected"), [
    ("torch", "<module 'torch' from '<autodiff-repl>'>"),
    ("torch.autograd", "<module 'torch.autograd' from '<autodiff-repl>'>"),
    ("np", "<module 'numpy' from '<autodiff-repl>'>"),
    ("import math\nmath", "<module 'math' from '<autodiff-repl>'>"),
    ("torch.return_types", "<module 'torch.return_types' from '<autodiff-repl>'>"),
])
def test_modules_print_as_pythons_without_a_path(statement, expected):
    assert language(statement) == expected


def test_the_modules_have_pythons_shape():
    pytest.importorskip("torch")
    for statement in ("torch", "torch.autograd", "np", "math"):
        setup = SETUP + "\nimport math"
        real, ours = python(statement, setup), language(statement, setup)
        assert real.split(" from ")[0] == ours.split(" from ")[0], statement


def test_mT_of_a_number_is_the_number_with_pytorchs_warning_once():
    s = Session()
    s.execute("s = torch.tensor(2.0)")
    assert shown(s, "s.mT") == ("UserWarning: Tensor.mT is deprecated on 0-D tensors. This "
                                "function is the identity in these cases.\ntensor(2.)")
    assert shown(s, "s.mT") == "tensor(2.)"


def test_class_stand_ins_still_do_what_the_classes_do():
    s = Session()
    s.execute("x = torch.ones(2, requires_grad=True)")
    assert shown(s, "with torch.no_grad():\n    y = x * 2\ny.requires_grad") == "False"
    assert shown(s, "@torch.no_grad()\ndef f(v):\n    return v * 2\nf(x)") == "tensor([2., 2.])"
    assert shown(s, "type(x)([1.0])") == "tensor([1.])"
    assert shown(s, "torch.Size([2, 3])") == "torch.Size([2, 3])"
    assert shown(s, "type(x.max(0)) is torch.return_types.max") == "True"
    assert shown(s, "torch.Tensor.add").startswith("AttributeError")


# --- 4. requires_grad_: the engine on its own ---------------------------------------------------

def test_the_engine_checks_requires_grad_as_pytorch():
    t = engine.ones(2)
    with pytest.raises(TypeError) as error:
        t.requires_grad_(7)
    assert str(error.value) == NOT_BOOL.removeprefix("TypeError: ") + "int"
    with pytest.raises(RuntimeError) as error:
        t.requires_grad = 1
    assert str(error.value) == "requires_grad must be a bool"
    assert t.requires_grad is False
    assert t.requires_grad_().requires_grad is True


# --- 5. NumPy: results are new tensors, and plain arrays are as before --------------------------

def test_a_numpy_result_is_a_new_tensor_without_a_graph():
    s = Session()
    s.execute(SETUP)
    assert shown(s, "y = np.exp(w.detach())\n(y.requires_grad, y.is_leaf, type(y))") == (
        "(False, True, <class 'torch.Tensor'>)")
    assert shown(s, "np.isinf(np.array([1.0]))") == "array([False])"


@pytest.mark.parametrize("statement", ["np.tril(np.ones(10 ** 6))", "np.triu(t.repeat(10 ** 6))",
                                       "np.add(np.ones((10 ** 4, 1)), torch.ones(10 ** 4))"])
def test_the_facade_still_checks_sizes_before_numpy_computes(statement):
    s = Session()
    s.execute(SETUP)
    start = time.monotonic()
    [error] = [o for o in s.execute(statement) if isinstance(o, Error)]
    assert "the limit is 10,000,000" in error.message
    assert time.monotonic() - start < 2


SCRIPT = """\
import math
import numpy as np
import torch
x = torch.tensor(2.0, requires_grad=True)
y = x ** 2 * math.pi
y.backward()
print(f"loss {y}, grad {x.grad:.3f}")
print(torch.Tensor, np.exp(torch.ones(2)))
print(np.array([1.0, 2.0]) / torch.ones(2))
"""

SCRIPT_OUTPUT = """\
loss 12.566370964050293, grad 12.566
<class 'torch.Tensor'> tensor([2.7183, 2.7183])
tensor([1., 2.], dtype=torch.float64)
"""


def test_autodiff_run_runs_a_script_that_uses_them(tmp_path: Path):
    script = tmp_path / "mixing.py"
    script.write_text(SCRIPT)
    proc = autodiff_run(script, tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, SCRIPT_OUTPUT, "")


def test_the_script_prints_what_python_with_pytorch_prints(tmp_path: Path):
    pytest.importorskip("torch")
    script = tmp_path / "mixing.py"
    script.write_text(SCRIPT)
    proc = python_run(script, "-W", "ignore")
    assert (proc.returncode, proc.stdout) == (0, SCRIPT_OUTPUT)
