"""Instructions the engine's Python work costs per MLP step, counted exactly (not timed).

Timings on this 2-core shared machine drift by tens of percent within minutes; instruction counts
under valgrind do not. On 4x6 matrices the MLP step of ``engine_bench.py`` is almost all Python
work, so the engine's count minus NumPy's is the "glue" the MLP target depends on.

    apt-get install valgrind   # once
    python benchmarks/glue_instructions.py           # engine, numpy and their difference

Each figure is the difference of a 120-step and a 20-step run (start-up cancels out), divided by
100, with ``PYTHONHASHSEED=0`` (dict layouts, hence counts, depend on the hash seed) and one BLAS
thread. ``python benchmarks/glue_instructions.py --step engine 10`` runs the steps alone (what
valgrind measures). Session 3 figures: engine 493k, NumPy 155k per step (glue 338k); session 4:
engine 426k, NumPy 154k (glue 272k).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

import numpy as np


def _arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    shapes = {"X": (4, 6), "T": (4, 3), "W1": (6, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}
    return {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}


def run_steps(which: str, n: int) -> None:
    """``n`` MLP steps of ``which`` (``engine`` or ``numpy``) on the small arrays."""
    import gc

    arr = _arrays()
    if which == "engine":
        import autodiff_repl.engine as engine
        t = {k: engine.from_numpy(v.copy()) for k, v in arr.items()}
        for k in ("W1", "b1", "W2", "b2"):
            t[k].requires_grad_(True)

        def step() -> None:
            h = engine.tanh(t["X"] @ t["W1"] + t["b1"])
            loss = ((h @ t["W2"] + t["b2"] - t["T"]) ** 2).mean()
            loss.backward()
            for k in ("W1", "b1", "W2", "b2"):
                t[k].grad = None
    else:
        X, T, W1, b1, W2, b2 = (arr[k] for k in ("X", "T", "W1", "b1", "W2", "b2"))

        def step() -> None:
            h = np.tanh(X @ W1 + b1)
            diff = h @ W2 + b2 - T
            (diff * diff).mean()
            dout = (diff * (2.0 / diff.size)).astype(X.dtype, copy=False)
            h.T @ dout, dout.sum(axis=0)
            dpre = (dout @ W2.T) * (1 - h * h)
            X.T @ dpre, dpre.sum(axis=0)
    gc.disable()
    for _ in range(n):
        step()


def count(which: str, n: int) -> int:
    """Instructions valgrind counts for a process running ``n`` steps."""
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         __file__, "--step", which, str(n)], env=env, capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--step", nargs=2, metavar=("WHICH", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        run_steps(args.step[0], int(args.step[1]))
        return
    if shutil.which("valgrind") is None:
        sys.exit("needs valgrind (apt-get install valgrind)")
    per_step = {w: (count(w, 120) - count(w, 20)) // 100 for w in ("engine", "numpy")}
    for which, n in per_step.items():
        print(f"{which:7s} {n:>9,} instructions per step")
    print(f"glue    {per_step['engine'] - per_step['numpy']:>9,} (engine - numpy)")


if __name__ == "__main__":
    main()
