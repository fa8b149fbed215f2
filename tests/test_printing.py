"""Tests for ``autodiff_repl.engine.printing``: tensors must print exactly as PyTorch prints them.

Two kinds of tests:

* ``CASES``: literal strings copied from real PyTorch 2.13 output (``repr(torch.tensor(...))``),
  so they run without PyTorch;
* ``@pytest.mark.torch`` tests: compare ``format_tensor`` with ``repr`` of real PyTorch tensors
  on hundreds of random arrays and print options; they skip when torch is not installed.
"""

from __future__ import annotations

import math
import timeit

import numpy as np
import pytest

from autodiff_repl.engine import printing
from autodiff_repl.engine.printing import (
    OPTIONS,
    PrintOptions,
    format_tensor,
    get_printoptions,
    set_printoptions,
)

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def _restore_print_options():
    """Every test starts from, and leaves behind, the default print options."""
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def case(name, array, expected, *, options=None, **kwargs):
    """One literal case: ``format_tensor(array, **kwargs)`` under ``options`` is ``expected``."""
    return pytest.param(array, kwargs, options or {}, expected, id=name)


# Expected strings: what PyTorch 2.13 printed for torch.tensor(array) (plus requires_grad_() or
# ``* 1`` for grad_fn=<MulBackward0>) after torch.set_printoptions(**options).
CASES = [
    case("ints-as-floats", np.arange(4, dtype=np.float32) * 4, "tensor([ 0.,  4.,  8., 12.])"),
    case(
        "scalar-grad-fn",
        np.array(28.0, dtype=np.float32),
        "tensor(28., grad_fn=<MulBackward0>)",
        grad_fn="MulBackward0",
    ),
    case(
        "requires-grad",
        np.arange(4, dtype=np.float32),
        "tensor([0., 1., 2., 3.], requires_grad=True)",
        requires_grad=True,
    ),
    case("bool-all-true", np.ones(4, dtype=bool), "tensor([True, True, True, True])"),
    case("bool-mixed", np.array([True, False]), "tensor([ True, False])"),
    case("float64-dtype", np.array([1.0, 2.0]), "tensor([1., 2.], dtype=torch.float64)"),
    case("sci-small", np.array([1e-5, 1.0], dtype=np.float32), "tensor([1.0000e-05, 1.0000e+00])"),
    case("scalar-int", np.array(3), "tensor(3)"),
    case("scalar-bool", np.array(True), "tensor(True)"),
    case("scalar-float64", np.array(2.5), "tensor(2.5000, dtype=torch.float64)"),
    case("scalar-sci", np.array(1e-5, dtype=np.float32), "tensor(1.0000e-05)"),
    case("scalar-nan", np.array(np.nan, dtype=np.float32), "tensor(nan)"),
    case("scalar-negative-zero", np.array(-0.0, dtype=np.float32), "tensor(-0.)"),
    case("big-values", np.array([1e10, 2.0], dtype=np.float32), "tensor([1.0000e+10, 2.0000e+00])"),
    case(
        "above-1e8",
        np.array([123456789.0, 1.0], dtype=np.float32),
        "tensor([1.2346e+08, 1.0000e+00])",
    ),
    case(
        "ratio-above-1000",
        np.array([0.001, 2.0], dtype=np.float32),
        "tensor([1.0000e-03, 2.0000e+00])",
    ),
    case(
        "ratio-exactly-1000",
        np.array([0.5, 500.0], dtype=np.float32),
        "tensor([  0.5000, 500.0000])",
    ),
    case(
        "min-exactly-1e-4", np.array([1e-4, 0.05]), "tensor([0.0001, 0.0500], dtype=torch.float64)"
    ),
    case(
        "fixed-point",
        np.array([0.1, 0.25, -3.75], dtype=np.float32),
        "tensor([ 0.1000,  0.2500, -3.7500])",
    ),
    case(
        "rounding-widens", np.array([9.99999, 1.5], dtype=np.float32), "tensor([10.0000,  1.5000])"
    ),
    case(
        "negatives",
        np.array([-1.0, -2.5, 3.0], dtype=np.float32),
        "tensor([-1.0000, -2.5000,  3.0000])",
    ),
    case(
        "nan-inf-ints",
        np.array([np.nan, 1.0, -np.inf], dtype=np.float32),
        "tensor([nan, 1., -inf])",
    ),
    case(
        "only-nonfinite",
        np.array([np.nan, np.inf, -np.inf], dtype=np.float32),
        "tensor([nan, inf, -inf])",
    ),
    case(
        "nan-fixed",
        np.array([1.5, np.nan, -np.inf], dtype=np.float32),
        "tensor([1.5000,    nan,   -inf])",
    ),
    case(
        "nan-sci",
        np.array([1e-5, np.nan, np.inf], dtype=np.float32),
        "tensor([1.0000e-05,        nan,        inf])",
    ),
    case("zeros", np.zeros(3, dtype=np.float32), "tensor([0., 0., 0.])"),
    case("negative-zero", np.array([0.0, -0.0], dtype=np.float32), "tensor([0., -0.])"),
    case(
        "negative-zero-fixed", np.array([-0.0, 1.5], dtype=np.float32), "tensor([-0.0000, 1.5000])"
    ),
    case("int64", np.array([-10, 5, 300]), "tensor([-10,   5, 300])"),
    case("int64-large", np.array([2**40, -1]), "tensor([1099511627776,            -1])"),
    case("int32", np.array([1, 2, 3], dtype=np.int32), "tensor([1, 2, 3], dtype=torch.int32)"),
    case("int16", np.array([-7, 8], dtype=np.int16), "tensor([-7,  8], dtype=torch.int16)"),
    case("int8", np.array([-128, 127], dtype=np.int8), "tensor([-128,  127], dtype=torch.int8)"),
    case("uint8", np.array([0, 255], dtype=np.uint8), "tensor([  0, 255], dtype=torch.uint8)"),
    case(
        "float16",
        np.array([0.1, 1000.0, -2.0], dtype=np.float16),
        "tensor([ 9.9976e-02,  1.0000e+03, -2.0000e+00], dtype=torch.float16)",
    ),
    case(
        "float16-grad",
        np.array([0.5, 2.0], dtype=np.float16),
        "tensor([0.5000, 2.0000], dtype=torch.float16, requires_grad=True)",
        requires_grad=True,
    ),
    case(
        "2d-ints-as-floats",
        np.arange(6, dtype=np.float32).reshape(2, 3),
        ("tensor([[0., 1., 2.],\n        [3., 4., 5.]])"),
    ),
    case(
        "2d-fixed",
        np.array([[0.5, -1.25], [3.0, 100.125]], dtype=np.float32),
        ("tensor([[  0.5000,  -1.2500],\n        [  3.0000, 100.1250]])"),
    ),
    case(
        "2d-sci",
        np.array([[1e-8, 1.0], [2.0, 3e9]], dtype=np.float32),
        ("tensor([[1.0000e-08, 1.0000e+00],\n        [2.0000e+00, 3.0000e+09]])"),
    ),
    case(
        "2d-bool",
        np.array([[True, False], [False, True]]),
        ("tensor([[ True, False],\n        [False,  True]])"),
    ),
    case(
        "3d-floats",
        np.arange(24, dtype=np.float32).reshape(2, 3, 4),
        (
            "tensor([[[ 0.,  1.,  2.,  3.],\n"
            "         [ 4.,  5.,  6.,  7.],\n"
            "         [ 8.,  9., 10., 11.]],\n"
            "\n"
            "        [[12., 13., 14., 15.],\n"
            "         [16., 17., 18., 19.],\n"
            "         [20., 21., 22., 23.]]])"
        ),
    ),
    case(
        "3d-ints",
        np.arange(-6, 6).reshape(3, 2, 2),
        (
            "tensor([[[-6, -5],\n"
            "         [-4, -3]],\n"
            "\n"
            "        [[-2, -1],\n"
            "         [ 0,  1]],\n"
            "\n"
            "        [[ 2,  3],\n"
            "         [ 4,  5]]])"
        ),
    ),
    case(
        "4d",
        np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2) / 4,
        (
            "tensor([[[[0.0000, 0.2500],\n"
            "          [0.5000, 0.7500]],\n"
            "\n"
            "         [[1.0000, 1.2500],\n"
            "          [1.5000, 1.7500]]],\n"
            "\n"
            "\n"
            "        [[[2.0000, 2.2500],\n"
            "          [2.5000, 2.7500]],\n"
            "\n"
            "         [[3.0000, 3.2500],\n"
            "          [3.5000, 3.7500]]]])"
        ),
    ),
    case(
        "wrap-1d-floats",
        np.arange(30, dtype=np.float32) * 1.5,
        (
            "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
            "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n"
            "        24.0000, 25.5000, 27.0000, 28.5000, 30.0000, 31.5000, 33.0000, 34.5000,\n"
            "        36.0000, 37.5000, 39.0000, 40.5000, 42.0000, 43.5000])"
        ),
    ),
    case(
        "wrap-1d-ints",
        np.arange(40),
        (
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
            "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n"
            "        36, 37, 38, 39])"
        ),
    ),
    case(
        "wrap-2d",
        np.arange(40, dtype=np.float32).reshape(2, 20) / 3,
        (
            "tensor([[ 0.0000,  0.3333,  0.6667,  1.0000,  1.3333,  1.6667,  2.0000,  2.3333,\n"
            "          2.6667,  3.0000,  3.3333,  3.6667,  4.0000,  4.3333,  4.6667,  5.0000,\n"
            "          5.3333,  5.6667,  6.0000,  6.3333],\n"
            "        [ 6.6667,  7.0000,  7.3333,  7.6667,  8.0000,  8.3333,  8.6667,  9.0000,\n"
            "          9.3333,  9.6667, 10.0000, 10.3333, 10.6667, 11.0000, 11.3333, 11.6667,\n"
            "         12.0000, 12.3333, 12.6667, 13.0000]])"
        ),
    ),
    case(
        "summarised-1d",
        np.arange(2000, dtype=np.float32),
        (
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
            "        1.9990e+03])"
        ),
    ),
    case(
        "summarised-2d",
        np.arange(2500, dtype=np.float32).reshape(50, 50),
        (
            "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
            "         4.9000e+01],\n"
            "        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n"
            "         9.9000e+01],\n"
            "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n"
            "         1.4900e+02],\n"
            "        ...,\n"
            "        [2.3500e+03, 2.3510e+03, 2.3520e+03,  ..., 2.3970e+03, 2.3980e+03,\n"
            "         2.3990e+03],\n"
            "        [2.4000e+03, 2.4010e+03, 2.4020e+03,  ..., 2.4470e+03, 2.4480e+03,\n"
            "         2.4490e+03],\n"
            "        [2.4500e+03, 2.4510e+03, 2.4520e+03,  ..., 2.4970e+03, 2.4980e+03,\n"
            "         2.4990e+03]])"
        ),
    ),
    case(
        "summarised-3d-ints",
        np.arange(8000).reshape(20, 20, 20),
        (
            "tensor([[[   0,    1,    2,  ...,   17,   18,   19],\n"
            "         [  20,   21,   22,  ...,   37,   38,   39],\n"
            "         [  40,   41,   42,  ...,   57,   58,   59],\n"
            "         ...,\n"
            "         [ 340,  341,  342,  ...,  357,  358,  359],\n"
            "         [ 360,  361,  362,  ...,  377,  378,  379],\n"
            "         [ 380,  381,  382,  ...,  397,  398,  399]],\n"
            "\n"
            "        [[ 400,  401,  402,  ...,  417,  418,  419],\n"
            "         [ 420,  421,  422,  ...,  437,  438,  439],\n"
            "         [ 440,  441,  442,  ...,  457,  458,  459],\n"
            "         ...,\n"
            "         [ 740,  741,  742,  ...,  757,  758,  759],\n"
            "         [ 760,  761,  762,  ...,  777,  778,  779],\n"
            "         [ 780,  781,  782,  ...,  797,  798,  799]],\n"
            "\n"
            "        [[ 800,  801,  802,  ...,  817,  818,  819],\n"
            "         [ 820,  821,  822,  ...,  837,  838,  839],\n"
            "         [ 840,  841,  842,  ...,  857,  858,  859],\n"
            "         ...,\n"
            "         [1140, 1141, 1142,  ..., 1157, 1158, 1159],\n"
            "         [1160, 1161, 1162,  ..., 1177, 1178, 1179],\n"
            "         [1180, 1181, 1182,  ..., 1197, 1198, 1199]],\n"
            "\n"
            "        ...,\n"
            "\n"
            "        [[6800, 6801, 6802,  ..., 6817, 6818, 6819],\n"
            "         [6820, 6821, 6822,  ..., 6837, 6838, 6839],\n"
            "         [6840, 6841, 6842,  ..., 6857, 6858, 6859],\n"
            "         ...,\n"
            "         [7140, 7141, 7142,  ..., 7157, 7158, 7159],\n"
            "         [7160, 7161, 7162,  ..., 7177, 7178, 7179],\n"
            "         [7180, 7181, 7182,  ..., 7197, 7198, 7199]],\n"
            "\n"
            "        [[7200, 7201, 7202,  ..., 7217, 7218, 7219],\n"
            "         [7220, 7221, 7222,  ..., 7237, 7238, 7239],\n"
            "         [7240, 7241, 7242,  ..., 7257, 7258, 7259],\n"
            "         ...,\n"
            "         [7540, 7541, 7542,  ..., 7557, 7558, 7559],\n"
            "         [7560, 7561, 7562,  ..., 7577, 7578, 7579],\n"
            "         [7580, 7581, 7582,  ..., 7597, 7598, 7599]],\n"
            "\n"
            "        [[7600, 7601, 7602,  ..., 7617, 7618, 7619],\n"
            "         [7620, 7621, 7622,  ..., 7637, 7638, 7639],\n"
            "         [7640, 7641, 7642,  ..., 7657, 7658, 7659],\n"
            "         ...,\n"
            "         [7940, 7941, 7942,  ..., 7957, 7958, 7959],\n"
            "         [7960, 7961, 7962,  ..., 7977, 7978, 7979],\n"
            "         [7980, 7981, 7982,  ..., 7997, 7998, 7999]]])"
        ),
    ),
    case(
        "summarised-hidden-big-value",
        np.concatenate([np.ones(1000), [1e10], np.ones(3)]).astype(np.float32),
        "tensor([1., 1., 1.,  ..., 1., 1., 1.])",
    ),
    case(
        "summarised-grad",
        np.linspace(0, 1, 1001, dtype=np.float32),
        (
            "tensor([0.0000, 0.0010, 0.0020,  ..., 0.9980, 0.9990, 1.0000],\n"
            "       requires_grad=True)"
        ),
        requires_grad=True,
    ),
    case(
        "suffix-same-line",
        np.linspace(0, 1, 12, dtype=np.float32),
        (
            "tensor([0.0000, 0.0909, 0.1818, 0.2727, 0.3636, 0.4545, 0.5455, 0.6364, 0.7273,\n"
            "        0.8182, 0.9091, 1.0000], requires_grad=True)"
        ),
        requires_grad=True,
    ),
    case(
        "suffix-new-line",
        np.full((2, 8), 123.456, dtype=np.float32),
        (
            "tensor([[123.4560, 123.4560, 123.4560, 123.4560, 123.4560, 123.4560, 123.4560,\n"
            "         123.4560],\n"
            "        [123.4560, 123.4560, 123.4560, 123.4560, 123.4560, 123.4560, 123.4560,\n"
            "         123.4560]], requires_grad=True)"
        ),
        requires_grad=True,
    ),
    case(
        "suffix-dtype-and-grad-fn",
        np.full((2, 7), -0.5),
        (
            "tensor([[-0.5000, -0.5000, -0.5000, -0.5000, -0.5000, -0.5000, -0.5000],\n"
            "        [-0.5000, -0.5000, -0.5000, -0.5000, -0.5000, -0.5000, -0.5000]],\n"
            "       dtype=torch.float64, grad_fn=<MulBackward0>)"
        ),
        grad_fn="MulBackward0",
    ),
    case("empty", np.zeros(0, dtype=np.float32), "tensor([])"),
    case("empty-2d", np.zeros((0, 3), dtype=np.float32), "tensor([], size=(0, 3))"),
    case("empty-float64", np.zeros(0), "tensor([], dtype=torch.float64)"),
    case("empty-int64", np.zeros(0, dtype=np.int64), "tensor([], dtype=torch.int64)"),
    case(
        "empty-bool-2d", np.zeros((2, 0), dtype=bool), "tensor([], size=(2, 0), dtype=torch.bool)"
    ),
    case(
        "empty-requires-grad",
        np.zeros(0, dtype=np.float32),
        "tensor([], requires_grad=True)",
        requires_grad=True,
    ),
    case(
        "precision-2",
        np.array([1.12345, 2.0], dtype=np.float32),
        "tensor([1.12, 2.00])",
        options={"precision": 2},
    ),
    case(
        "precision-0",
        np.array([1.5, 2.5, 0.25], dtype=np.float32),
        "tensor([2, 2, 0])",
        options={"precision": 0},
    ),
    case(
        "threshold-5", np.arange(10), "tensor([0, 1, 2,  ..., 7, 8, 9])", options={"threshold": 5}
    ),
    case(
        "threshold-edgeitems-1",
        np.arange(20, dtype=np.float32).reshape(4, 5),
        ("tensor([[ 0.,  ...,  4.],\n        ...,\n        [15.,  ..., 19.]])"),
        options={"threshold": 5, "edgeitems": 1},
    ),
    case(
        "edgeitems-0",
        np.arange(2000, dtype=np.float32),
        "tensor([...], size=(2000,))",
        options={"edgeitems": 0},
    ),
    case(
        "edgeitems-0-small",
        np.arange(3, dtype=np.float32),
        "tensor([0., 1., 2.], size=(3,))",
        options={"edgeitems": 0},
    ),
    case(
        "linewidth-40",
        np.arange(20, dtype=np.float32),
        (
            "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,\n"
            "         6.,  7.,  8.,  9., 10., 11.,\n"
            "        12., 13., 14., 15., 16., 17.,\n"
            "        18., 19.])"
        ),
        options={"linewidth": 40},
    ),
    case(
        "linewidth-30-suffix",
        np.arange(4, dtype=np.float32),
        ("tensor([0., 1., 2., 3.],\n       requires_grad=True)"),
        requires_grad=True,
        options={"linewidth": 30},
    ),
    case(
        "sci-mode-on",
        np.array([1.0, 2.0], dtype=np.float32),
        "tensor([1.0000e+00, 2.0000e+00])",
        options={"sci_mode": True},
    ),
    case(
        "sci-mode-off",
        np.array([1e-5, 1e10], dtype=np.float32),
        "tensor([          0.0000, 10000000000.0000])",
        options={"sci_mode": False},
    ),
    case(
        "profile-short",
        np.array([1.12345, 2.0], dtype=np.float32),
        "tensor([1.12, 2.00])",
        options={"profile": "short"},
    ),
    case(
        "profile-short-summary",
        np.arange(2000),
        "tensor([   0,    1,  ..., 1998, 1999])",
        options={"profile": "short"},
    ),
    # names_suffix has no PyTorch counterpart to copy: extra suffixes go last, same wrapping rule.
    case(
        "names-suffix",
        np.array([1.0, 2.0], dtype=np.float32),
        "tensor([1., 2.], requires_grad=True, names=('N',))",
        requires_grad=True,
        names_suffix=("names=('N',)",),
    ),
    case(
        "names-suffix-wraps",
        np.arange(4, dtype=np.float32),
        "tensor([0., 1., 2., 3.], requires_grad=True,\n       names=('N',))",
        requires_grad=True,
        names_suffix=("names=('N',)",),
        options={"linewidth": 50},
    ),
]


@pytest.mark.parametrize(("array", "kwargs", "options", "expected"), CASES)
def test_prints_like_pytorch(array, kwargs, options, expected):
    set_printoptions(**options)
    assert format_tensor(array, **kwargs) == expected


def test_enough_literal_cases():
    assert len(CASES) >= 40


def test_does_not_change_the_array():
    array = np.array([[1.5, -0.0], [np.nan, 2.0]], dtype=np.float32)
    before = array.copy()
    format_tensor(array)
    np.testing.assert_array_equal(array, before)


def test_accepts_non_contiguous_views():
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert format_tensor(array.T[::2]) == "tensor([[ 0.,  4.,  8.],\n        [ 2.,  6., 10.]])"


def test_unsupported_dtype_is_an_error():
    with pytest.raises(TypeError, match="complex128"):
        format_tensor(np.array([1j]))


def test_grad_fn_hides_requires_grad():
    array = np.array([1.0, 2.0], dtype=np.float32)
    text = format_tensor(array, requires_grad=True, grad_fn="AddBackward0")
    assert text == "tensor([1., 2.], grad_fn=<AddBackward0>)"


# --- print options ---------------------------------------------------------------------------


def test_default_options():
    assert get_printoptions() == DEFAULTS
    assert PrintOptions() == OPTIONS
    assert printing.OPTIONS is OPTIONS


def test_set_printoptions_changes_only_what_is_given():
    set_printoptions(precision=2)
    set_printoptions(linewidth=60)
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "linewidth": 60}


def test_sci_mode_is_reset_by_every_call():
    # As in PyTorch: sci_mode is not "keep if None", every call sets it.
    set_printoptions(sci_mode=True)
    assert OPTIONS.sci_mode is True
    set_printoptions(precision=3)
    assert OPTIONS.sci_mode is None


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("default", DEFAULTS),
        ("short", {**DEFAULTS, "precision": 2, "edgeitems": 2}),
        ("full", {**DEFAULTS, "threshold": math.inf}),
        ("no-such-profile", {**DEFAULTS, "precision": 7}),  # ignored, as in PyTorch
    ],
)
def test_profiles(profile, expected):
    set_printoptions(precision=7)
    set_printoptions(profile=profile)
    assert get_printoptions() == expected


def test_profile_then_overrides():
    set_printoptions(profile="short", precision=6, edgeitems=1)
    assert get_printoptions() == {**DEFAULTS, "precision": 6, "edgeitems": 1}


def test_get_printoptions_round_trips():
    set_printoptions(precision=2, threshold=10, edgeitems=1, linewidth=40, sci_mode=False)
    saved = get_printoptions()
    set_printoptions(profile="default")
    set_printoptions(**saved)
    assert get_printoptions() == saved


def test_full_profile_prints_everything():
    set_printoptions(profile="full")
    text = format_tensor(np.arange(2000))
    assert "..." not in text
    # Elements take 4 + 2 characters and lines start at column 8: (80 - 8) // 6 = 12 per line.
    assert text.count("\n") + 1 == math.ceil(2000 / 12)


def test_is_fast():
    """Printing is on the REPL's hot path: a small tensor must take a few microseconds."""
    array = np.array([0.0, 1.5, 2.0, 3.0], dtype=np.float32)
    best = min(timeit.repeat(lambda: format_tensor(array), number=200, repeat=5)) / 200
    assert best < 200e-6  # measured about 11 us; the bound leaves room for slow CI machines


# --- differential tests against real PyTorch ---------------------------------------------------


@pytest.fixture
def torch():
    """The real torch module, with its print options restored after the test."""
    torch = pytest.importorskip("torch")
    from torch._tensor_str import get_printoptions as torch_get_printoptions

    saved = torch_get_printoptions()
    yield torch
    torch.set_printoptions(**saved)


def torch_repr(torch, array, requires_grad=False, grad_fn=None):
    """repr() of a real torch tensor with the values of ``array`` and the given autograd state."""
    tensor = torch.tensor(array)
    if requires_grad or grad_fn:
        tensor.requires_grad_(True)
    if grad_fn == "MulBackward0":
        tensor = tensor * 1  # x * 1 keeps every value, -0.0 and nan included
    elif grad_fn == "CloneBackward0":
        tensor = tensor.clone()
    elif grad_fn is not None:
        raise ValueError(grad_fn)
    return repr(tensor)


@pytest.mark.torch
@pytest.mark.parametrize(("array", "kwargs", "options", "expected"), CASES)
def test_literal_cases_are_what_pytorch_prints(torch, array, kwargs, options, expected):
    if kwargs.get("names_suffix"):
        pytest.skip("names_suffix has no PyTorch counterpart")
    torch.set_printoptions(**options)
    assert torch_repr(torch, array, **kwargs) == expected


FLOATS = [np.float16, np.float32, np.float64]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8]


def random_shape(rng):
    """Up to 4-D; mostly small, sometimes around the 1000-element summarisation threshold."""
    ndim = int(rng.integers(0, 5))
    if ndim and rng.random() < 0.25:  # large: 300 to 3000 elements
        numel = int(rng.integers(300, 3000))
        shape = [1] * ndim
        for axis in range(ndim - 1):
            shape[axis] = int(rng.integers(1, 12))
        shape[-1] = max(1, numel // math.prod(shape))
        return tuple(shape)
    low = 0 if rng.random() < 0.05 else 1  # an occasional empty tensor
    return tuple(int(n) for n in rng.integers(low, 7, size=ndim))


def random_floats(rng, size):
    """Values of mixed signs and magnitudes (1e-8 to 1e10), integers, zeros, nan and inf."""
    kind = rng.choice(["magnitudes", "integers", "normal", "rounded", "tiny-spread"])
    if kind == "magnitudes":
        low = rng.uniform(-8, 10)
        high = rng.uniform(low, 10)
        values = 10.0 ** rng.uniform(low, high, size)
    elif kind == "integers":
        values = rng.integers(-(10 ** int(rng.integers(1, 10))), 10**4, size).astype(float)
    elif kind == "normal":
        values = rng.standard_normal(size) * 10.0 ** rng.integers(-3, 4)
    elif kind == "rounded":
        values = np.round(rng.uniform(0, 1000, size), int(rng.integers(0, 6)))
    else:
        values = rng.uniform(0.999e-4, 1.001e-4, size)  # around the 1e-4 switch
    if rng.random() < 0.7:
        values *= rng.choice([-1.0, 1.0], size)
    if rng.random() < 0.3:
        specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
        mask = rng.random(size) < 0.2
        values[mask] = rng.choice(specials, int(mask.sum()))
    return values


def random_array(rng):
    shape = random_shape(rng)
    size = math.prod(shape)
    kind = rng.choice(["float", "float", "float", "int", "bool"])
    if kind == "bool":
        return rng.random(size).reshape(shape) < rng.random()
    if kind == "int":
        dtype = rng.choice(INTS)
        info = np.iinfo(dtype)
        bits = int(rng.integers(1, info.bits))
        low = max(info.min, -(2**bits))
        high = min(info.max, 2**bits)
        return rng.integers(low, high, size, endpoint=True).astype(dtype).reshape(shape)
    dtype = rng.choice(FLOATS, p=[0.15, 0.6, 0.25])
    with np.errstate(over="ignore"):  # float16 turns 1e10 into inf: fine, torch does too
        return random_floats(rng, size).astype(dtype).reshape(shape)


def random_options(rng):
    if rng.random() < 0.6:
        return {}
    options = {}
    if rng.random() < 0.3:
        options["profile"] = str(rng.choice(["default", "short", "full"]))
    if rng.random() < 0.5:
        options["precision"] = int(rng.integers(0, 9))
    if rng.random() < 0.4:
        options["threshold"] = rng.choice([0, 5, 50, 500, 1000, math.inf]).item()
    if rng.random() < 0.4:
        options["edgeitems"] = int(rng.integers(0, 6))
    if rng.random() < 0.4:
        options["linewidth"] = int(rng.choice([10, 30, 60, 80, 120, 200]))
    if rng.random() < 0.3:
        options["sci_mode"] = rng.choice([True, False]).item()
    return options


def random_autograd(rng, array):
    """requires_grad / grad_fn; PyTorch allows them on floating-point tensors only."""
    if array.dtype.kind != "f" or rng.random() < 0.5:
        return {}
    if rng.random() < 0.5:
        return {"requires_grad": True}
    return {"grad_fn": str(rng.choice(["MulBackward0", "CloneBackward0"]))}


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(400))
def test_random_arrays_match_pytorch(torch, seed):
    rng = np.random.default_rng(seed)
    array = random_array(rng)
    options = random_options(rng)
    kwargs = random_autograd(rng, array)
    set_printoptions(**options)
    torch.set_printoptions(**options)
    assert format_tensor(array, **kwargs) == torch_repr(torch, array, **kwargs)


@pytest.mark.torch
def test_hypothesis_arrays_match_pytorch(torch):
    """Hypothesis explores the corners: subnormals, huge values, -0.0, nan, odd shapes."""
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    dtypes = st.sampled_from([*FLOATS, *INTS, np.bool_]).map(np.dtype)
    arrays = dtypes.flatmap(
        lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, max_side=5))
    )

    @hypothesis.settings(max_examples=300, deadline=None, database=None)
    @hypothesis.given(array=arrays, precision=st.integers(0, 8), linewidth=st.integers(20, 120))
    def check(array, precision, linewidth):
        set_printoptions(precision=precision, linewidth=linewidth)
        torch.set_printoptions(precision=precision, linewidth=linewidth)
        assert format_tensor(array) == torch_repr(torch, array)

    check()


@pytest.mark.torch
def test_print_options_match_pytorch(torch):
    from torch._tensor_str import get_printoptions as torch_get_printoptions

    calls = [
        {"precision": 2},
        {"linewidth": 60, "sci_mode": True},
        {"threshold": 10},
        {"profile": "short"},
        {"profile": "full", "edgeitems": 1},
        {"profile": "no-such-profile", "precision": 5},
        {"profile": "default"},
    ]
    for call in calls:
        set_printoptions(**call)
        torch.set_printoptions(**call)
        assert get_printoptions() == torch_get_printoptions(), call
