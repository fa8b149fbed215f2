"""Differential tests: random programs run on this engine and on PyTorch must agree.

Each program (seeded) starts from a few float64 leaves of random shapes and applies 5-15 random
operations, with broadcasting, each on earlier results. The engine runs it first (its shapes
decide which operations apply); the recorded steps are then replayed on PyTorch. Compared: every
intermediate value (1e-10 relative), its ``grad_fn`` name and its repr, and after a backward
every leaf's gradient. Smaller sets compare float32 results' reprs and the reprs of leaves.
"""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest

from autodiff_repl import engine

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")


# --- the operations: name -> (arity, applies to these shapes?, draw params, fn(T, *xs, **p)) ----

def _any(*shapes):
    return True


def _ndim_at_least(n):
    return lambda s, *_: len(s) >= n


def _no_params(rng, *shapes):
    return {}


def _a_dim(rng, s, *_):
    return {"dim": rng.randrange(-len(s), len(s))}


def _dim_keep(rng, s, *_):
    return {"dim": rng.randrange(-len(s), len(s)), "keepdim": rng.random() < 0.5}


def _permutation(rng, s, *_):
    dims = list(range(len(s)))
    rng.shuffle(dims)
    return {"dims": dims}


def _two_dims(rng, s, *_):
    return {"d0": rng.randrange(len(s)), "d1": rng.randrange(len(s))}


def _index(rng, s, *_):
    kind = rng.choice(["int", "slice", "step", "list", "ellipsis", "neg"])
    if kind == "int":
        return {"index": rng.randrange(s[0])}
    if kind == "neg":
        return {"index": -1 - rng.randrange(s[0])}
    if kind == "slice":
        return {"index": slice(rng.randrange(s[0]), s[0])}
    if kind == "step":
        return {"index": slice(None, None, 2)}
    if kind == "list":
        return {"index": [rng.randrange(s[0]) for _ in range(rng.randint(1, 3))]}
    return {"index": (Ellipsis, rng.randrange(s[-1]))}


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _same_shape(a, b):
    return a == b


UNARY = {
    "exp": lambda T, x: T.exp(T.tanh(x)),
    "log": lambda T, x: T.log(x * x + 0.5),
    "sin": lambda T, x: T.sin(x),
    "cos": lambda T, x: x.cos(),
    "tan": lambda T, x: T.tan(T.tanh(x)),
    "tanh": lambda T, x: T.tanh(x),
    "sigmoid": lambda T, x: T.sigmoid(x),
    "relu": lambda T, x: T.relu(x),
    "sqrt": lambda T, x: T.sqrt(x * x + 0.5),
    "abs": lambda T, x: T.abs(x),
    "neg": lambda T, x: -x,
    "square": lambda T, x: x ** 2,
    "cube": lambda T, x: x.pow(3),
    "rsqrt_pow": lambda T, x: (x * x + 1) ** -0.5,
    "reciprocal": lambda T, x: 1 / (x * x + 0.5),
    "scale": lambda T, x: 2.5 * x,
    "shift": lambda T, x: x + 1,
    "rsub": lambda T, x: 1 - x,
    "div_scalar": lambda T, x: x / 3,
    "rpow": lambda T, x: 2.0 ** T.tanh(x),
    "clamp": lambda T, x: T.clamp(x, min=-0.5, max=0.7),
    "clamp_min": lambda T, x: x.clamp(min=0.1),
    "sign_mul": lambda T, x: T.sign(x) * x,
    "clone": lambda T, x: x.clone(),
    "sum": lambda T, x: x.sum(),
    "mean": lambda T, x: T.mean(x),
    "max": lambda T, x: x.max(),
    "min": lambda T, x: T.min(x),
    "norm": lambda T, x: x.norm(),
    "prod": lambda T, x: T.tanh(x).prod(),
    "flatten": lambda T, x: x.flatten(),
    "reshape": lambda T, x: x.reshape(-1),
    "unsqueeze0": lambda T, x: x.unsqueeze(0),
    "square_fn": lambda T, x: T.square(x),
    "detach": lambda T, x: x.detach() * x,
    "no_grad": lambda T, x: _no_grad_step(T, x),
    "imul": lambda T, x: _imul(x * 1),
}


def _no_grad_step(T, x):
    with T.no_grad():
        c = x * 2
    return x + c


def _imul(y):
    y *= 3
    return y


def _setitem(y, index):
    y[index] = y[index] * 2
    return y


def _iadd(y, b):
    y += b
    return y

WITH_PARAMS = {
    # name: (applies?, params, fn)
    "sum_dim": (_ndim_at_least(1), _dim_keep, lambda T, x, dim, keepdim: x.sum(dim, keepdim)),
    "mean_dim": (_ndim_at_least(1), _dim_keep,
                 lambda T, x, dim, keepdim: T.mean(x, dim=dim, keepdim=keepdim)),
    "prod_dim": (_ndim_at_least(1), _dim_keep,
                 lambda T, x, dim, keepdim: T.tanh(x).prod(dim, keepdim=keepdim)),
    "max_dim": (_ndim_at_least(1), _dim_keep,
                lambda T, x, dim, keepdim: x.max(dim=dim, keepdim=keepdim).values),
    "min_dim": (_ndim_at_least(1), _dim_keep, lambda T, x, dim, keepdim: T.min(x, dim, keepdim)[0]),
    "norm_dim": (_ndim_at_least(1), _dim_keep,
                 lambda T, x, dim, keepdim: x.norm(dim=dim, keepdim=keepdim)),
    "softmax": (_ndim_at_least(1), _a_dim, lambda T, x, dim: T.softmax(x, dim)),
    "log_softmax": (_ndim_at_least(1), _a_dim, lambda T, x, dim: x.log_softmax(dim)),
    "unsqueeze": (_any, lambda rng, s: {"dim": rng.randrange(-len(s) - 1, len(s) + 1)},
                  lambda T, x, dim: T.unsqueeze(x, dim)),
    "squeeze": (lambda s: 1 in s, _no_params, lambda T, x: x.squeeze()),
    "squeeze_dim": (_ndim_at_least(1), _a_dim, lambda T, x, dim: x.squeeze(dim)),
    "transpose": (_ndim_at_least(2), _two_dims, lambda T, x, d0, d1: x.transpose(d0, d1)),
    "t": (lambda s: len(s) == 2, _no_params, lambda T, x: x.t()),
    "T": (lambda s: len(s) == 2, _no_params, lambda T, x: x.T),
    "permute": (_ndim_at_least(2), _permutation, lambda T, x, dims: x.permute(*dims)),
    "expand": (lambda s: len(s) <= 3,
               lambda rng, s: {"size": (2, *(n if n != 1 else 3 for n in s))},
               lambda T, x, size: x.expand(*size)),
    "view": (lambda s: len(s) >= 1 and math.prod(s) % 2 == 0, _no_params,
             lambda T, x: x.reshape(2, -1)),
    "index": (_ndim_at_least(1), _index, lambda T, x, index: x[index]),
    "cat_self": (_ndim_at_least(1), _a_dim, lambda T, x, dim: T.cat([x, x * 2], dim=dim)),
    "stack_self": (_any, lambda rng, s: {"dim": rng.randrange(len(s) + 1)},
                   lambda T, x, dim: T.stack([x, -x], dim)),
    "setitem": (_ndim_at_least(1), _index, lambda T, x, index: _setitem(x.clone(), index)),
    "std": (lambda s: math.prod(s) > 1, _no_params, lambda T, x: x.std()),
    "var_dim": (lambda s: len(s) >= 1 and s[-1] > 1, lambda rng, s: {"keepdim": rng.random() < .5},
                lambda T, x, keepdim: T.var(x, -1, keepdim=keepdim)),
    "std_dim": (lambda s: len(s) >= 1 and s[0] > 1, _no_params,
                lambda T, x: x.std(0, unbiased=False)),
    "repeat": (lambda s: len(s) <= 2, lambda rng, s: {"sizes": (2, *(1 for _ in s))},
               lambda T, x, sizes: x.repeat(*sizes)),
    "sum_to_size": (lambda s: len(s) >= 2, lambda rng, s: {"size": (1, *s[1:])},
                    lambda T, x, size: x.sum_to_size(*size)),
}

BINARY = {
    # name: (applies to (shape a, shape b)?, fn)
    "add": (_broadcastable, lambda T, a, b: a + b),
    "add_alpha": (_broadcastable, lambda T, a, b: T.add(a, b, alpha=2)),
    "sub": (_broadcastable, lambda T, a, b: a - b),
    "mul": (_broadcastable, lambda T, a, b: a * b),
    "div": (_broadcastable, lambda T, a, b: a / (b * b + 0.5)),
    "pow": (_broadcastable, lambda T, a, b: (a * a + 0.5) ** T.tanh(b)),
    "maximum": (_broadcastable, lambda T, a, b: T.maximum(a, b)),
    "minimum": (_broadcastable, lambda T, a, b: a.minimum(b)),
    "where": (_broadcastable, lambda T, a, b: T.where(a > b, a, b * 2)),
    "dot": (lambda a, b: len(a) == 1 and a == b, lambda T, a, b: T.dot(a, b)),
    "matmul": (lambda a, b: len(a) >= 1 and len(b) >= 1 and a[-1] == (b[-2] if len(b) > 1 else b[0])
               and _broadcastable(a[:-2], b[:-2]), lambda T, a, b: a @ b),
    "mm": (lambda a, b: len(a) == 2 and len(b) == 2 and a[1] == b[0], lambda T, a, b: T.mm(a, b)),
    "mv": (lambda a, b: len(a) == 2 and len(b) == 1 and a[1] == b[0], lambda T, a, b: a.mv(b)),
    "outer": (lambda a, b: len(a) == 1 and len(b) == 1, lambda T, a, b: T.outer(a, b)),
    "cat": (lambda a, b: len(a) >= 1 and a[1:] == b[1:] and len(a) == len(b),
            lambda T, a, b: T.cat((a, b))),
    "stack": (_same_shape, lambda T, a, b: T.stack([a, b], dim=-1)),
    "mse_loss": (_same_shape, lambda T, a, b: T.nn.functional.mse_loss(a, b)),
    "iadd": (lambda a, b: _broadcastable(a, b) and np.broadcast_shapes(a, b) == a,
             lambda T, a, b: _iadd(a * 1, b)),
}


# --- making and replaying programs ---------------------------------------------------------------

def _random_shape(rng) -> tuple[int, ...]:
    return tuple(rng.choice([1, 2, 3, 4]) for _ in range(rng.choice([0, 1, 1, 2, 2, 2, 3])))


def _partner_shape(rng, s) -> tuple[int, ...]:
    """A shape that broadcasts with ``s`` (or, sometimes, fits a matmul with it)."""
    roll = rng.random()
    if roll < 0.3:
        return s
    if roll < 0.5 and s:
        return s[rng.randrange(len(s)):]
    if roll < 0.7:
        return tuple(1 if rng.random() < 0.4 else n for n in s)
    if roll < 0.85 and s:
        return (s[-1], rng.choice([1, 2, 3]))
    return ()


def _leaf(T, shape, values, requires_grad):
    return T.tensor(np.asarray(values, dtype=np.float64).reshape(shape), dtype=T.float64,
                    requires_grad=requires_grad)


def make_program(seed: int):
    """Run a random program on the engine; returns its steps and the engine's tensors."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    steps, pool = [], []

    def leaf(shape, requires_grad=True):
        values = nrng.uniform(-2, 2, size=shape).round(6).tolist()
        steps.append(("leaf", shape, values, requires_grad))
        pool.append(_leaf(engine, shape, values, requires_grad))

    for _ in range(rng.randint(1, 3)):
        leaf(_random_shape(rng))
    for _ in range(rng.randint(5, 15)):
        i = len(pool) - 1 if rng.random() < 0.6 else rng.randrange(len(pool))
        x = pool[i]
        s = tuple(x.shape)
        if x.numel() > 200 or float(x.detach().abs().max()) > 50:
            name, args, params = "tanh", (i,), {}
        else:
            kind = rng.random()
            if kind < 0.4:
                name, args, params = rng.choice(sorted(UNARY)), (i,), {}
            elif kind < 0.7:
                candidates = [n for n, (ok, _, _) in WITH_PARAMS.items() if ok(s)]
                name = rng.choice(sorted(candidates))
                args, params = (i,), WITH_PARAMS[name][1](rng, s)
            else:
                partners = [j for j, t in enumerate(pool) if j != i]
                if not partners or rng.random() < 0.5:
                    leaf(_partner_shape(rng, s), requires_grad=rng.random() < 0.7)
                    partners = [len(pool) - 1]
                j = rng.choice(partners)
                if rng.random() < 0.5:
                    i, j = j, i
                sa, sb = tuple(pool[i].shape), tuple(pool[j].shape)
                names = [n for n, (ok, _) in BINARY.items() if ok(sa, sb)]
                if not names:
                    continue
                name, args, params = rng.choice(sorted(names)), (i, j), {}
        steps.append((name, args, params))
        pool.append(run_step(engine, name, [pool[a] for a in args], params))
    return steps, pool


def run_step(T, name, xs, params):
    if name in UNARY:
        return UNARY[name](T, *xs)
    if name in WITH_PARAMS:
        return WITH_PARAMS[name][2](T, *xs, **params)
    return BINARY[name][1](T, *xs)


def replay(T, steps):
    pool = []
    for step in steps:
        if step[0] == "leaf":
            pool.append(_leaf(T, *step[1:]))
        else:
            name, args, params = step
            pool.append(run_step(T, name, [pool[a] for a in args], params))
    return pool


def graph_names(t) -> list:
    """The grad_fn names reachable from ``t``, depth first (the graph's shape, as text)."""
    out, stack, seen = [], [t.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node.name())
        stack.extend(f for f, _ in reversed(node.next_functions))
    return out


def same_bits(x, y) -> bool:
    """Equal values, and zeros of the same sign (a rounding or a -0 apart, reprs may differ: the
    values themselves are compared to 1e-10 separately)."""
    return np.array_equal(x, y) and np.array_equal(np.signbit(x), np.signbit(y))


def torch_repr_of(values, like, grad_fn: str | None = None) -> str:
    """PyTorch's repr of ``values`` (this engine's result, a rounding away from PyTorch's: 3 may
    be 3.0000000000000004 and print as ``3.0000``) with ``like``'s suffixes, laid out by
    PyTorch's own printing code."""
    from torch import _tensor_str

    t = torch.from_numpy(values.copy())
    suffixes = [] if t.dtype == torch.get_default_dtype() else [f"dtype={t.dtype}"]
    if like.grad_fn is not None:
        name = grad_fn or like.grad_fn.name()
        suffixes.append(f"grad_fn=<{name.rsplit('::', 1)[-1]}>")
    elif like.requires_grad:
        suffixes.append("requires_grad=True")
    body = _tensor_str._tensor_str(t, len("tensor("))
    return _tensor_str._add_suffixes("tensor(" + body, suffixes, len("tensor("), False)


def describe(steps) -> str:
    return "\n".join(f"  {i}: {s[0]} {s[1]} {s[2] if s[0] != 'leaf' else ''}"
                     for i, s in enumerate(steps))


SEEDS = range(300)
# How PyTorch's batched matmul may end: a view of bmm's result, or, where it computes (bᵀ aᵀ)ᵀ,
# a transpose or a copy of one.
BATCHED_MATMUL_ENDS = ("UnsafeViewBackward0", "TransposeBackward0", "CloneBackward0")


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program(seed):
    steps, ours = make_program(seed)
    theirs = replay(torch, steps)
    where = f"program {seed}:\n{describe(steps)}"
    # A batched matmul is one node here (UnsafeViewBackward0); PyTorch builds it from bmm, views
    # and expands, so programs with one compare grad_fn names but not whole graphs.
    batched = False
    for k, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        at = f"{where}\nat step {k}"
        step = steps[k]
        batched_step = step[0] == "matmul" and any(ours[i].ndim > 2 for i in step[1])
        batched = batched or batched_step
        assert tuple(a.shape) == tuple(b.shape), at
        assert a.dtype.name == str(b.dtype).removeprefix("torch."), at
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=at)
        assert a.requires_grad == b.requires_grad, at
        assert a.is_leaf == b.is_leaf, at
        expected = repr(b) if same_bits(a.detach().numpy(), b.detach().numpy()) else \
            torch_repr_of(a.detach().numpy(), b)
        if b.grad_fn is not None:
            names = (a.grad_fn.name(), b.grad_fn.name())
            if batched_step and names[1] in BATCHED_MATMUL_ENDS:
                expected = torch_repr_of(b.detach().numpy(), b, names[0])
            else:
                assert names[0] == names[1], at
            if not batched:
                assert graph_names(a) == graph_names(b), at
        assert repr(a) == expected, at
    # backward from a weighted sum of the last result, so no gradient cancels by symmetry
    last_ours, last_theirs = ours[-1], theirs[-1]
    if not last_theirs.requires_grad:
        return
    w = np.random.default_rng(seed).uniform(0.5, 1.5, size=tuple(last_theirs.shape))
    (last_ours * engine.tensor(w)).sum().backward()
    (last_theirs * torch.tensor(w)).sum().backward()
    for k, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        if b.is_leaf and b.requires_grad:
            at = f"{where}\ngradient of leaf {k}"
            assert (a.grad is None) == (b.grad is None), at
            if b.grad is not None:
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10,
                                           atol=1e-12, err_msg=at)
                # (+ 0.0: the sign of a zero gradient may differ where PyTorch's kernels
                # order their arithmetic differently, e.g. log_softmax over a size-1 dim)
                ga, gb = (a.grad + 0.0).numpy(), (b.grad + 0.0).numpy()
                expected = repr(b.grad + 0.0) if np.array_equal(ga, gb) else \
                    torch_repr_of(ga, b.grad)
                assert repr(a.grad + 0.0) == expected, at


# --- float32 and leaves: reprs ----------------------------------------------------------------

FLOAT32_PROGRAMS = [
    "2 * T.dot(x, x)",
    "x * x",
    "(x * x).sum()",
    "x.sum()",
    "x.mean()",
    "x + 1",
    "x / 2",
    "x.exp()",
    "x.sigmoid()",
    "T.tanh(x)",
    "x.relu() * 3",
    "x ** 2 + 2 * x + 1",
    "x.reshape(2, 2)",
    "x[1:]",
    "x[2]",
    "x.max()",
    "x.norm()",
    "T.softmax(x, 0)",
    "x @ x",
    "T.outer(x, x)",
    "x.double()",
    "x.detach()",
    "x.unsqueeze(1) * x",
]


@pytest.mark.parametrize("code", FLOAT32_PROGRAMS)
def test_float32_reprs(code):
    results = []
    for T in (engine, torch):
        x = T.arange(4.0, requires_grad=True) * 0.7 - 1
        results.append(repr(eval(code, {"T": T, "x": x})))  # fixed test code, not user input
    assert results[0] == results[1]


@pytest.mark.parametrize("seed", range(40))
def test_leaf_reprs(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 4, size=rng.integers(0, 3)))
    values = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4)
    dtype = rng.choice(["float32", "float64"])
    ours = engine.tensor(values, dtype=getattr(engine, dtype), requires_grad=True)
    theirs = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
    assert repr(ours) == repr(theirs)
    assert repr(ours * 2) == repr(theirs * 2)
    assert repr(ours.detach()) == repr(theirs.detach())


def test_d2l_chapter_matches_torch():
    out = []
    for T in (engine, torch):
        lines = []
        x = T.arange(4.0)
        x.requires_grad_(True)
        y = 2 * T.dot(x, x)
        lines += [repr(x), repr(y)]
        y.backward()
        lines.append(repr(x.grad))
        x.grad.zero_()
        y = x.sum()
        y.backward()
        lines.append(repr(x.grad))
        x.grad.zero_()
        y = x * x
        y.backward(gradient=T.ones(len(y)))
        lines.append(repr(x.grad))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lines.append(repr(y.grad))
        out.append(lines)
    assert out[0] == out[1]


@pytest.mark.parametrize("seed", range(1000, 1080))
def test_second_derivatives_of_random_programs(seed):
    """Gradients with create_graph, differentiated again: values only (the graphs of gradients
    are built from this engine's own formulas, not PyTorch's)."""
    steps, _ = make_program(seed)
    results = []
    for T in (engine, torch):
        pool = replay(T, steps)
        leaves = [t for t in pool if t.is_leaf and t.requires_grad]
        last = pool[-1]
        if not (leaves and last.requires_grad):
            pytest.skip("nothing to differentiate")
        w = np.random.default_rng(seed).uniform(0.5, 1.5, size=tuple(last.shape))
        first = T.autograd.grad((last * T.tensor(w)).sum(), leaves, create_graph=True,
                                allow_unused=True)
        v = [T.tensor(np.random.default_rng(seed + k).uniform(-1, 1, size=tuple(x.shape)))
             for k, x in enumerate(leaves)]
        terms = [(g * vk).sum() for g, vk in zip(first, v, strict=True)
                 if g is not None and g.requires_grad]
        second = T.autograd.grad(sum(terms), leaves, allow_unused=True) if terms else \
            [None] * len(leaves)
        results.append(([None if g is None else g.detach().numpy() for g in first],
                        [None if g is None else g.numpy() for g in second]))
    for ours, theirs in zip(*results, strict=True):
        for a, b in zip(ours, theirs, strict=True):
            a = 0.0 if a is None else a
            b = 0.0 if b is None else b
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10,
                                       err_msg=f"program {seed}:\n{describe(steps)}")
