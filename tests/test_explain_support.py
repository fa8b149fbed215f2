"""Shared scenarios and the snapshot helper for the ``test_explain_*`` tests (no tests here).

Each scenario runs a small PyTorch-style program on the engine with values recorded (as the
Session records them) and returns ``(output, names)``: the tensor to explain and the variables a
learner would have bound. ``snapshot(name, text)`` compares text with
``tests/snapshots/explain/<name>.txt``; set ``UPDATE_SNAPSHOTS=1`` to rewrite the files.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import autodiff_repl.engine as torch
from autodiff_repl.engine.graph import RECORDING

SNAPSHOTS = Path(__file__).parent / "snapshots" / "explain"


@contextmanager
def recording():
    old = RECORDING.keep_values
    RECORDING.keep_values = True
    try:
        yield
    finally:
        RECORDING.keep_values = old


def snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name}: plain text differs from {path}"


# --- scenarios ----------------------------------------------------------------------------------

def d2l():
    """d2l's first example: y = 2·xᵀx at x = [0, 1, 2, 3]."""
    with recording():
        x = torch.arange(4.0, requires_grad=True)
        y = 2 * torch.dot(x, x)
    return y, {"x": x, "y": y}


def exercise(x0: float = 2.0):
    """d2l exercise 5-7: f(x) = log(x²)·sin x + 1/x."""
    with recording():
        x = torch.tensor(x0, requires_grad=True)
        a = x ** 2
        b = torch.log(a)
        c = torch.sin(x)
        d = b * c
        e = 1 / x
        f = d + e
    return f, {"x": x, "a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def broadcast():
    """A (3, 1) + (1, 4) add: each input's gradient sums over the axis it was stretched along."""
    with recording():
        a = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
        b = torch.tensor([[10.0, 20.0, 30.0, 40.0]], requires_grad=True)
        s = a + b
        y = (s * s).sum()
    return y, {"a": a, "b": b, "s": s, "y": y}


def matmul():
    """A tiny linear layer: X @ W + bias, tanh, mean."""
    with recording():
        X = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
        W = torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], requires_grad=True)
        bias = torch.tensor([0.1, -0.1], requires_grad=True)
        h = torch.tanh(X @ W + bias)
        loss = h.mean()
    return loss, {"X": X, "W": W, "bias": bias, "h": h, "loss": loss}


def reductions():
    """Sums and means along a dim."""
    with recording():
        x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        rows = x.sum(dim=1)
        cols = x.mean(dim=0, keepdim=True)
        y = (rows * rows).sum() + (cols * x).sum()
    return y, {"x": x, "rows": rows, "cols": cols, "y": y}


def indexing():
    """A slice and a repeated index: the picked elements get the gradient, repeats add up."""
    with recording():
        x = torch.arange(1.0, 6.0, requires_grad=True)
        y = (x[1:4] * x[0]).sum() + x[[0, 0, 4]].sum()
    return y, {"x": x, "y": y}


def control_flow(a0: float = 0.1257):
    """d2l's f(a): double until the norm reaches 1000, then a branch."""
    with recording():
        a = torch.tensor(a0, requires_grad=True)
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        c = b if b.sum() > 0 else 100 * b
        d = c
    return d, {"a": a, "d": d}


def detached():
    """d2l's detach cell: z = u·x with u = (x·x).detach(), so x.grad = u."""
    with recording():
        x = torch.arange(4.0, requires_grad=True)
        y = x * x
        u = y.detach()
        z = u * x
        s = z.sum()
    return s, {"x": x, "y": y, "u": u, "z": z, "s": s}


def long_loop(n: int = 500):
    """A loop unrolled n times: 2n + 1 nodes."""
    with recording():
        x = torch.tensor(0.5, requires_grad=True)
        y = x
        for _ in range(n):
            y = torch.sin(y) * 1.01
    return y, {"x": x, "y": y}


SCENARIOS = {"d2l": d2l, "exercise": exercise, "broadcast": broadcast, "matmul": matmul,
             "reductions": reductions, "indexing": indexing, "control_flow": control_flow,
             "detached": detached}
