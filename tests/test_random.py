"""Tests for ``autodiff_repl.engine.rng``: after the same ``manual_seed`` the engine's random
functions give PyTorch's CPU numbers, bit for bit, and so print what PyTorch prints.

Two kinds of tests:

* ``VALUES``, ``BIG`` and ``REPRS``: what PyTorch 2.13 (CPU, AVX2) gave for each program
  (``out.tolist()``, a few elements of a big tensor, ``repr(out)``), so they run without PyTorch;
* ``@pytest.mark.torch`` tests run programs on the engine and on the installed PyTorch (many
  seeds, sizes, dtypes and call sequences) and compare the bits; they skip without PyTorch.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from autodiff_repl import engine
from autodiff_repl.engine import rng


def run(code: str, torch):
    """Run ``code`` with ``torch`` bound to ``torch`` (the engine or PyTorch); its ``out``."""
    scope = {"torch": torch}
    exec(code, scope)
    return scope["out"]


@pytest.fixture(autouse=True)
def _engine_defaults(clean_engine):
    """Every test starts from the engine's defaults and leaves them behind."""


# --- what PyTorch 2.13 printed ------------------------------------------------------------------

def case(name: str, code: str, *expected):
    return pytest.param(code, *expected, id=name)


# out.tolist() in PyTorch 2.13
VALUES = [
    case("randn-scalar-path", "torch.manual_seed(0); out = torch.randn(3)",
         [1.5409960746765137, -0.293428897857666, -2.1787893772125244]),
    case("rand-after-randn", "torch.manual_seed(0); a = torch.randn(3); out = torch.rand(2)",
         [0.455627977848053, 0.6323062777519226]),
    case("cached-normal-next-call",
         "torch.manual_seed(0); a = torch.randn(3); out = torch.randn(2)",
         [0.5684312582015991, -1.0845223665237427]),
    case("cache-survives-rand",
         "torch.manual_seed(0); "
         "a = torch.randn(1); "
         "b = torch.rand(1); "
         "out = torch.randn(1, dtype=torch.float64)",
         [-0.2934289057609464]),
    case("manual-seed-clears-cache", "torch.randn(1); torch.manual_seed(0); out = torch.randn(2)",
         [1.5409960746765137, -0.293428897857666]),
    case("randn-16", "torch.manual_seed(0); out = torch.randn(16)",
         [-1.1258398294448853, -1.152360200881958, -0.2505785822868347, -0.4338788092136383,
          0.8487103581428528, 0.6920091509819031, -0.31601276993751526, -2.1152193546295166,
          0.32227492332458496, -1.2633347511291504, 0.34998318552970886, 0.30813392996788025,
          0.11984150856733322, 1.237657904624939, 1.1167771816253662, -0.2472781538963318]),
    case("randn-17-tail", "torch.manual_seed(0); out = torch.randn(17)",
         [-1.1258398294448853, -1.6959311962127686, 0.5666506290435791, 0.7935083508491516,
          0.5988394618034363, -1.5550950765609741, -0.3413603901863098, 1.85300612449646,
          0.46809640526771545, -0.5854975581169128, -0.1733967512845993, 0.18347793817520142,
          1.3893661499023438, 1.586334228515625, 0.946298360824585, -0.843676745891571,
          0.9318265914916992]),
    case("randn-2x3x5", "torch.manual_seed(11); out = torch.randn(2, 3, 5)",
         [[[-0.5107975602149963, 1.0282717943191528, -0.3531515896320343, 0.12299131602048874,
          -0.18155446648597717], [-1.4972281455993652, 0.14210453629493713, -0.5242824554443359,
          -0.24873711168766022, -0.5252376198768616], [2.8922135829925537, -0.5947133898735046,
          1.311833143234253, 0.3521793782711029, -1.8291064500808716]], [[-0.5514496564865112,
          -0.2255406230688095, 0.5217604041099548, -2.059774398803711, 0.1383378505706787],
          [0.4961748719215393, -0.6052795052528381, 0.9240058064460754, 0.22552748024463654,
          0.7127705812454224], [-0.743821918964386, 0.28007760643959045, 0.37349072098731995,
          2.995054006576538, -0.2569432556629181]]]),
    case("randn-float64-16", "torch.manual_seed(0); out = torch.randn(16, dtype=torch.float64)",
         [-2.310411800234176, -0.3732508612577643, -1.0608166785462863, 0.9995093547811761,
          -0.8840250045832653, -1.2755469302148053, -0.623224579866079, -0.8664416019125772,
          -1.2956271403277857, 1.52363162310635, 0.3236605664983738, 2.0177260314861085,
          1.1357423400213507, -1.226881339001083, 0.07138847120511693, 0.3380174030507378]),
    case("randn-float64-3", "torch.manual_seed(0); out = torch.randn(3, dtype=torch.float64)",
         [1.5409961082440433, -0.2934289057609464, -2.1787893820745574]),
    case("randn-float16", "torch.manual_seed(6); out = torch.randn(20, dtype=torch.float16)",
         [-1.2109375, 0.63037109375, -1.4716796875, -1.3349609375, -1.48046875, -1.0634765625,
          0.363037109375, 0.3994140625, 0.1456298828125, -0.734375, -0.9873046875, 1.8515625,
          -1.34375, 0.853515625, 0.88134765625, -0.65234375, 0.5810546875, 0.356201171875,
          0.01605224609375, 0.40185546875]),
    case("rand-float32", "torch.manual_seed(1); out = torch.rand(5)",
         [0.7576315999031067, 0.2793108820915222, 0.40306925773620605, 0.7346844673156738,
          0.029281556606292725]),
    case("rand-float64", "torch.manual_seed(1); out = torch.rand(5, dtype=torch.float64)",
         [0.06105327471962363, 0.2245545065676504, 0.23425251394483937, 0.17709922744775553,
          0.5560680561489946]),
    case("rand-like",
         "torch.manual_seed(1); out = torch.rand_like(torch.zeros(2, 2, dtype=torch.float64))",
         [[0.06105327471962363, 0.2245545065676504], [0.23425251394483937, 0.17709922744775553]]),
    case("randn-like", "torch.manual_seed(1); out = torch.randn_like(torch.zeros(4, 5))",
         [[-1.5255959033966064, -0.7502318024635315, -0.6539809107780457, -1.6094847917556763,
          0.8656923770904541], [0.2444038987159729, -0.6629113554954529, 0.8073082566261292,
          0.43914157152175903, 1.1712007522583008], [1.7674273252487183, -0.09536188095808029,
          0.0611552819609642, -0.6177444458007812, -0.7980698347091675], [-0.13162320852279663,
          -0.7984398007392883, 0.33573052287101746, 0.2753335237503052, 1.7163026332855225]]),
    case("randint-small", "torch.manual_seed(2); out = torch.randint(0, 10, (8,))",
         [8, 7, 1, 4, 8, 9, 2, 5]),
    case("randint-high-only", "torch.manual_seed(2); out = torch.randint(10, (8,))",
         [8, 7, 1, 4, 8, 9, 2, 5]),
    case("randint-wide", "torch.manual_seed(2); out = torch.randint(-2**40, 2**40, (3,))",
         [-377162200561, 1021908186696, -1000951875285]),
    case("normal-floats", "torch.manual_seed(3); out = torch.normal(2.0, 0.5, size=(20,))",
         [1.9616779088974, 2.179940700531006, 1.6089916229248047, 2.03576397895813,
          2.5230114459991455, 2.2610936164855957, 1.916595458984375, 2.0265166759490967,
          2.202303647994995, 2.305649757385254, 2.380195140838623, 1.9831783771514893,
          2.4989612102508545, 2.2295901775360107, 3.218198537826538, 1.92659592628479,
          2.2425570487976074, 2.1026172637939453, 2.1692140102386475, 2.676377058029175]),
    case("normal-floats-small", "torch.manual_seed(3); out = torch.normal(2.0, 0.5, size=(3,))",
         [2.4016380310058594, 2.087416648864746, 2.0444891452789307]),
    case("normal-tensor-mean",
         "torch.manual_seed(3); out = torch.normal(torch.arange(1., 4.), 0.1)",
         [1.0803276300430298, 2.0174832344055176, 3.0088977813720703]),
    case("normal-tensor-std",
         "torch.manual_seed(3); out = torch.normal(0.5, torch.tensor([0.5, 1.0, 2.0]))",
         [0.9016380310058594, 0.6748334169387817, 0.677956223487854]),
    case("normal-tensors",
         "torch.manual_seed(3); out = torch.normal(torch.arange(20.), torch.ones(20) * 0.25)",
         [-0.019161073490977287, 1.089970350265503, 1.8044958114624023, 3.0178818702697754,
          4.261505603790283, 5.130546569824219, 5.9582977294921875, 7.013258457183838,
          8.101151466369629, 9.152825355529785, 10.19009780883789, 10.991589546203613,
          12.249480247497559, 13.114794731140137, 14.609099388122559, 14.963297843933105,
          16.121278762817383, 17.051307678222656, 18.084606170654297, 19.33818817138672]),
    case("normal_-transposed", "torch.manual_seed(4); out = torch.zeros(4, 5); out.t().normal_()",
         [[-1.605276346206665, 0.23248571157455444, 2.239870071411133, 0.8472937941551208,
          1.2006442546844482], [-0.4015503227710724, -1.4260196685791016, 0.903931736946106,
          0.8557155728340149, 0.6888809204101562], [0.8849856853485107, 1.7706429958343506,
          -0.08094292879104614, 0.051263898611068726, -0.8687565326690674], [-0.2757461369037628,
          -1.2717219591140747, 0.8816379308700562, -0.6639689207077026, 0.26389747858047485]]),
    case("normal_-mean-std", "torch.manual_seed(4); out = torch.zeros(40).normal_(-1.0, 3.0)",
         [-3.824249505996704, 2.7897403240203857, -1.5513081550598145, -0.5484836101531982,
          -0.6774933338165283, -1.8340970277786255, -8.806406021118164, 0.8733724355697632,
          -3.605088710784912, -1.6151658296585083, 0.19268232583999634, 1.0097780227661133,
          -1.161120891571045, -0.859914243221283, -6.3013410568237305, -7.3613786697387695,
          3.557291030883789, -3.004594087600708, -0.9907668828964233, -1.4606434106826782,
          2.41884708404541, -1.69056236743927, 2.563197612762451, 1.303206443786621,
          -3.112682580947876, 5.0377349853515625, 1.7360330820083618, -0.16817635297775269,
          -0.3749280869960785, 5.703275680541992, 4.143740177154541, -2.1868174076080322,
          2.823148250579834, -1.5621391534805298, 5.528453826904297, -2.7213926315307617,
          -3.4257516860961914, -0.13279658555984497, -0.9715896248817444, -3.035454511642456]),
    case("uniform_", "torch.manual_seed(5); out = torch.zeros(6).uniform_(-1, 1)",
         [0.6605037450790405, -0.7477781772613525, 0.8149393796920776, 0.6398540735244751,
          0.8402068614959717, -0.766709566116333]),
    case("uniform_-float64",
         "torch.manual_seed(5); out = torch.zeros(3, dtype=torch.float64).uniform_(2.5, 7)",
         [5.3890675298264235, 3.668910618293419, 4.123724287422194]),
    case("uniform_-strided",
         "torch.manual_seed(5); out = torch.zeros(4, 6); out[:, ::2].uniform_()",
         [[0.8302518725395203, 0.0, 0.12611091136932373, 0.0, 0.9074696898460388, 0.0],
          [0.8199270367622375, 0.0, 0.9201034307479858, 0.0, 0.1166452169418335, 0.0],
          [0.16439151763916016, 0.0, 0.7379193902015686, 0.0, 0.0332646369934082, 0.0],
          [0.9941847324371338, 0.0, 0.6064285635948181, 0.0, 0.5645712614059448, 0.0]]),
    case("seed-wraps-mod-2**32", "torch.manual_seed(2**32 + 7); out = torch.randn(4)",
         [-0.1467950940132141, 0.7861412763595581, 0.9468216300010681, -1.1143440008163452]),
    case("negative-seed", "torch.manual_seed(-1); out = torch.rand(3)",
         [0.9937993884086609, 0.5713063478469849, 0.5700080394744873]),
]

# Big tensors (the vectorized paths): out[indices].tolist() in PyTorch 2.13
BIG = [
    case("randn-1e6-float32", "torch.manual_seed(0); out = torch.randn(1_000_003)",
         [0, 1, 15, 16, 499999, 999986, 999987, 1000002],
         [-1.1258398294448853, -1.152360200881958, -0.2472781538963318, -1.3526537418365479,
          0.16448113322257996, -0.6011585593223572, -1.4323650598526, 1.1610534191131592]),
    case("randn-1e6-float64",
         "torch.manual_seed(0); out = torch.randn(1_000_003, dtype=torch.float64)",
         [0, 1, 15, 16, 499999, 999986, 999987, 1000002],
         [-2.310411800234176, -0.3732508612577643, 0.3380174030507378, 0.15351883531544036,
          -0.07591718800732464, 0.9376859571658226, 0.7322322393019365, -1.9797789390365164]),
]

# repr(out) in PyTorch 2.13
REPRS = [
    case("randn-2x3-seed-42", "torch.manual_seed(42); out = torch.randn(2, 3)",
         "tensor([[ 0.3367,  0.1288,  0.2345],\n        [ 0.2303, -1.1229, -0.1863]])"),
    case("rand-float64", "torch.manual_seed(0); out = torch.rand(2, 2, dtype=torch.float64)",
         "tensor([[0.9701, 0.7078],\n        [0.4594, 0.9207]], dtype=torch.float64)"),
    case("randint", "torch.manual_seed(0); out = torch.randint(0, 100, (2, 4))",
         "tensor([[44, 39, 33, 60],\n        [63, 79, 27,  3]])"),
    case("randn-requires-grad", "torch.manual_seed(1); out = torch.randn(3, requires_grad=True)",
         "tensor([0.6614, 0.2669, 0.0617], requires_grad=True)"),
    case("randn-20-wraps", "torch.manual_seed(0); out = torch.randn(20)",
         "tensor([-1.1258, -1.1524, -0.2506, -0.4339,  0.5988, -1.5551, -0.3414,  1.8530,\n"
         "         0.4681, -0.1577,  1.4437,  0.2660,  1.3894,  1.5863,  0.9463, -0.8437,\n"
         "         0.9318,  1.2590,  2.0050,  0.0537])"),
]


def codes(cases: list) -> list:
    return [pytest.param(c.values[0], id=c.id) for c in cases]


@pytest.mark.parametrize(("code", "expected"), VALUES)
def test_values_are_pytorchs(code, expected):
    assert run(code, engine).tolist() == expected


@pytest.mark.parametrize(("code", "indices", "expected"), BIG)
def test_big_tensors_are_pytorchs(code, indices, expected):
    assert run(code, engine)[indices].tolist() == expected


@pytest.mark.parametrize(("code", "expected"), REPRS)
def test_prints_what_pytorch_prints(code, expected):
    assert repr(run(code, engine)) == expected


def test_manual_seed_returns_the_generator():
    g = engine.manual_seed(2**32 + 7)
    assert g.initial_seed() == 2**32 + 7
    assert repr(g) == "<torch._C.Generator object>"
    assert engine.manual_seed(-1).initial_seed() == 2**64 - 1
    with pytest.raises(ValueError, match=r"^Overflow when unpacking long long$"):
        engine.manual_seed(2**64)


# PyTorch 2.13's errors
ERRORS = [
    ("out = torch.randn(3, dtype=torch.int64)", NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    ("out = torch.rand(3, dtype=torch.int64)", NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    ("out = torch.normal(0., -0.5, size=(2,))", RuntimeError,
     "normal expects std >= 0.0, but found std -0.5"),
    ("out = torch.normal(torch.zeros(2), torch.tensor([1., -1.]))", RuntimeError,
     "normal expects all elements of std >= 0.0"),
    ("out = torch.zeros(3).uniform_(1.5, 0.25)", RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=1.5 > to=0.25"),
    ("out = torch.randint(5, 3, (2,))", RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
]


@pytest.mark.parametrize(("code", "error", "message"), ERRORS)
def test_errors_are_pytorchs(code, error, message):
    with pytest.raises(error) as caught:
        run(code, engine)
    assert str(caught.value) == message


def test_float64_when_numpy_differs_from_the_c_library(monkeypatch):
    """A NumPy whose ``cos`` is one ulp off: the C library's ``cos`` is used instead."""
    cos = np.cos
    monkeypatch.setattr(np, "cos", lambda x: np.nextafter(cos(x), np.inf))
    monkeypatch.setattr(rng, "LIBM", rng._Libm())
    for param in VALUES:
        code, expected = param.values
        assert run(code, engine).tolist() == expected, param.id


def _rounded(exact: Fraction, dtype) -> float:
    """``exact`` rounded to the nearest ``dtype`` (ties to even)."""
    near = dtype(float(exact))
    candidates = [near, np.nextafter(near, dtype(np.inf)), np.nextafter(near, dtype(-np.inf))]
    return min(candidates, key=lambda v: (abs(Fraction(float(v)) - exact),
                                          int(np.array(v).view(f"i{v.itemsize}")) & 1))


# a * b lands exactly half-way between two floats; c, far smaller, decides the rounding
TIES = {np.float32: (2**13 + 1, 2**11 + 1, 2.0**-30), np.float64: (2**27 + 1, 2**26 + 1, 2.0**-10)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fma_rounds_once(dtype):
    """``rng.fma`` is C's ``fma`` (what PyTorch's compiler emits for ``a * b + c``)."""
    r = np.random.default_rng(0)
    a = r.standard_normal(2000).astype(dtype)
    b = r.standard_normal(2000).astype(dtype)
    c = (r.standard_normal(2000) * 2.0 ** r.integers(-40, 4, 2000)).astype(dtype)
    x, y, tiny = TIES[dtype]
    a[:3], b[:3], c[:3] = x, y, [tiny, -tiny, 0.0]
    got = rng.fma(a, b, c)
    assert got.dtype == dtype
    for x, y, z, g in zip(a, b, c, got, strict=True):
        assert g == _rounded(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)), dtype)


# --- against the installed PyTorch --------------------------------------------------------------

@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def assert_same(ours, theirs, context: str) -> None:
    """The same dtype, shape and bits (``-0.0`` is not ``0.0``)."""
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    assert (a.dtype, a.shape) == (b.dtype, b.shape), context
    assert a.tobytes() == b.tobytes(), f"{context}\nours:   {a}\ntheirs: {b}"


def compare(code: str, torch) -> None:
    """Run ``code`` on both; ``out`` (a tensor or a list of them) and the generators' next
    draws (the state left behind, the cached normal included) must be the same."""
    code += "; after = [torch.randn(1, dtype=torch.float64), torch.rand(2), torch.randn(17)]"
    results = []
    for module in (engine, torch):
        scope = {"torch": module}
        exec(code, scope)
        out = scope["out"]
        results.append([*(out if isinstance(out, list) else [out]), *scope["after"]])
    for ours, theirs in zip(*results, strict=True):
        assert_same(ours, theirs, code)


@pytest.mark.torch
@pytest.mark.parametrize("code", codes(VALUES + BIG + REPRS))
def test_programs_match_installed_pytorch(code, torch):
    compare(code, torch)
    assert repr(run(code, engine)) == repr(run(code, torch))


SIZES = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 100, 257, 4099]
KERNELS = {
    "randn": "torch.randn({n}, dtype=torch.{dt})",
    "rand": "torch.rand({n}, dtype=torch.{dt})",
    "normal": "torch.normal(0.75, 2.5, size=({n},), dtype=torch.{dt})",
    "normal_": "torch.zeros({n}, dtype=torch.{dt}).normal_(-3.0, 0.1)",
    "uniform_": "torch.zeros({n}, dtype=torch.{dt}).uniform_(-1.25, 3.5)",
}


@pytest.mark.torch
@pytest.mark.parametrize("dt", ["float32", "float64", "float16"])
@pytest.mark.parametrize("kernel", KERNELS)
def test_sizes_and_dtypes(kernel, dt, torch):
    """Each kernel at sizes on both sides of the 16-element switch, after a small draw that
    leaves a cached normal behind; three seeds."""
    for seed in (0, 1, 12345):
        outs = ", ".join(KERNELS[kernel].format(n=n, dt=dt) for n in SIZES)
        compare(f"torch.manual_seed({seed}); torch.randn(1); out = [{outs}]", torch)


@pytest.mark.torch
@pytest.mark.parametrize("seed", [0, 1, 2**31 - 1, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1, -1,
                                  -(2**63), 67280421310721])
def test_seeds(seed, torch):
    compare(f"torch.manual_seed({seed}); out = [torch.randn(5), torch.randn(40), "
            "torch.randint(0, 2**30, (3,))]", torch)


def random_call(r: random.Random) -> str:
    """One random-number call with random arguments, as code."""
    n = r.choice([0, 1, 2, 3, 5, 15, 16, 17, 40, 100])
    shape = r.choice([f"({n},)", f"(2, {n})", f"({n}, 3)"])
    dt = f"torch.{r.choice(['float32', 'float32', 'float64'])}"
    low = r.randrange(-100, 100)
    a, w = round(r.uniform(-3, 3), 3), round(r.uniform(0, 4), 3)
    view = r.choice(["", ".t()", "[:, ::2]", "[1:]"])
    return r.choice([
        f"torch.randn{shape}",
        f"torch.randn(size={shape}, dtype={dt})",
        f"torch.rand(size={shape}, dtype={dt})",
        f"torch.randint({low}, {low + r.choice([1, 7, 2**20, 2**28, 2**40])}, {shape})",
        f"torch.normal({a}, {w}, size={shape}, dtype={dt})",
        f"torch.normal(torch.zeros({shape}, dtype={dt}), {w})",
        f"torch.normal({a}, torch.full({shape}, {w}, dtype={dt}))",
        f"torch.randn_like(torch.zeros({shape}, dtype={dt}))",
        f"torch.rand_like(torch.zeros({shape}, dtype={dt}))",
        f"torch.zeros(4, {n}, dtype={dt}){view}.normal_({a}, {w})",
        f"torch.zeros(4, {n}, dtype={dt}){view}.uniform_({a}, {a + w})",
    ])


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(60))
def test_call_sequences(seed, torch):
    """Random sequences of calls: each result, and so the state each call leaves, must match."""
    r = random.Random(seed)
    calls = ", ".join(random_call(r) for _ in range(r.randrange(2, 9)))
    compare(f"torch.manual_seed({seed}); out = [{calls}]", torch)


@pytest.mark.torch
def test_in_place_views_fill_the_base(torch):
    """``normal_``/``uniform_`` on views write PyTorch's numbers at PyTorch's places."""
    code = ("torch.manual_seed(9); out = torch.zeros(3, 4, 5); out.permute(2, 0, 1).normal_(); "
            "out[:, 1].uniform_(); out[1:, :, ::2].normal_(1.0, 2.0)")
    compare(code, torch)


@pytest.mark.torch
def test_float32_fill_path_on_a_million_numbers(torch):
    """The float32 Box-Muller polynomials over many angles and radii."""
    code = "torch.manual_seed(3); out = [torch.randn(1_000_000), torch.normal(1.5, 0.3, (99_999,))]"
    compare(code, torch)


def sampling_call(r: random.Random) -> str:
    """One call of randperm, bernoulli or multinomial with random arguments, as code."""
    n = r.choice([0, 1, 2, 3, 5, 16, 17, 40, 100])
    k = r.randrange(1, 6)
    dt = f"torch.{r.choice(['float32', 'float64'])}"
    p = round(r.random(), 3)
    return r.choice([
        f"torch.randperm({n})",
        f"torch.randperm({n}, dtype={dt})",
        f"torch.bernoulli(torch.rand({n}, dtype={dt}))",
        f"torch.bernoulli(torch.zeros(3, {n}), {p})",
        f"torch.zeros({n}, 3, dtype={dt}).t().bernoulli_({p})",
        f"torch.zeros(4, {n}).bernoulli_(torch.rand({n}, dtype={dt}))",
        f"torch.zeros({n}, dtype=torch.int64).bernoulli_({p})",
        f"torch.multinomial(torch.rand({k + 3}, dtype={dt}), {k})",
        f"torch.multinomial(torch.rand(3, {k + 3}, dtype={dt}), {k}, replacement=True)",
        f"torch.multinomial(torch.rand(2, {k + 3}, dtype={dt}), 1)",
        f"torch.tensor([0.0, 0.3, 0.0, 0.7], dtype={dt}).multinomial({k + 1}, True)",
        "torch.tensor([0.0, 0.0, 1.0, 2.0]).multinomial(3)",
    ])


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(40))
def test_sampling_sequences(seed, torch):
    """randperm, bernoulli and multinomial draw PyTorch's numbers, and leave the generator where
    PyTorch leaves it."""
    r = random.Random(seed)
    calls = ", ".join(sampling_call(r) for _ in range(r.randrange(1, 6)))
    compare(f"torch.manual_seed({seed}); out = [{calls}]", torch)
