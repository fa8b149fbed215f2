"""Speed and memory of the autograd engine, side by side with PyTorch and raw NumPy.

Run ``python benchmarks/engine_bench.py [--quick] [--json FILE]``. Each workload is run by three
implementations in the same process and the same run: our engine (``autodiff_repl.engine``),
PyTorch (skipped with a note when it is not importable) and raw NumPy, a hand-written forward and
backward that keeps exactly what its backward needs. Workloads:

1. per-op overhead: a 1000-op chain on a 4-element float64 tensor, cycling ``* 0.9``, ``+ 0.1``,
   ``tanh``; forward + backward (``backward`` with a ones gradient); reported in µs per op.
2. the notebook case ``y = 2*dot(x, x); y.backward()`` with ``x = arange(4.0)``: µs per
   forward + backward.
3. an MLP step: batch 64, 784-256-10, tanh hidden layer, MSE loss against random targets,
   forward + backward (float32, and float64).
4. ``C = A @ B`` with 1024x1024 float32 matrices, forward + ``C.backward(ones)``; NumPy does
   ``A @ B``, ``G @ B.T`` and ``A.T @ G``.
5. a 10,000-op chain (forward + backward) at Python's default recursion limit.
6. peak memory of a 200-op chain on 10^6-element float32 tensors, forward then backward.
7. ``import autodiff_repl.engine`` against ``import numpy`` (and ``import torch``).

Timing (workloads 1-5). The machine has two shared, noisy cores, so the implementations are
interleaved: every round runs each implementation once (the order rotates from round to round),
and a workload's figure is the median over rounds. A sample is one ``time.perf_counter_ns``
measurement over ``inner`` back-to-back calls (``inner`` is calibrated after the warm-up runs so
that a sample lasts a few milliseconds), divided by ``inner``. The cyclic garbage collector is
off while timing (``gc.collect()`` runs between samples, outside the timed region). Gradients
are released after each call (``x.grad = None`` or the hand-written equivalent), and every
implementation's gradients are checked against the NumPy ones once, so all three compute the
same thing. The ratio columns are paired: the median over rounds of engine/other within the same
round, which follows the load of the machine less than a ratio of medians (the targets use them
too; the detail line also gives the ratio of medians). The BLAS workloads (3, 4) sleep 50 ms
before each sample, so the other library's worker threads, which busy-wait for a while after a
parallel call, are idle when a sample starts.

Memory (workload 6). Each implementation runs in its own fresh subprocess that imports only what it
needs, runs the same chain once on 1000 elements (so lazy initialisation, and the shared library
pages a first backward touches -- ``VmRSS`` counts them -- belong to the baseline; without it
PyTorch is charged ~40 MB of its own code), creates its input (and the ones gradient), runs
``gc.collect()`` and takes the baseline: the current resident set size (``VmRSS``). It then resets
the kernel's high-water mark (writing ``5`` to ``/proc/self/clear_refs``, so peaks from imports do
not hide the workload's) and runs the forward; ``VmHWM - baseline`` is the forward peak; then the
backward; ``VmHWM - baseline`` again is the reported peak. The same method is used for all three,
and it sees PyTorch's C++ allocations, which ``tracemalloc`` cannot. The subprocesses run with
``MALLOC_MMAP_THRESHOLD_=65536`` so glibc serves every large buffer with ``mmap`` and returns it to
the system on ``free``: resident memory then follows the live buffers instead of what glibc caches,
identically for the three. (Where ``clear_refs`` is not writable, ``ru_maxrss`` is used and the
table says so.) As a cross-check, ``tracemalloc``'s peak (NumPy's buffers are traced) is reported
for the engine and raw NumPy in further subprocesses.

Import time (workload 7): a fresh ``python -c`` per sample times the import statement with
``perf_counter_ns``; the imports are interleaved, median of 7 (5 with ``--quick``, which leaves
out torch). Measured twice: with the environment as it is (here ``PYTHONDONTWRITEBYTECODE=1``, so
the repository's modules are compiled from source at each import, while numpy's and torch's
``.pyc`` files ship in site-packages), and with bytecode cached in a temporary
``PYTHONPYCACHEPREFIX`` after one warm-up import (what an installed package costs); the target
is judged on the second.

Targets (issue 2): per-op overhead no more than PyTorch's; matmul forward + backward within
1.10x of raw NumPy; the float32 MLP step within 1.3x of raw NumPy; the 10,000-op chain runs at
the default recursion limit with the right gradient; peak memory of the 200-op chain within 1.1x
of PyTorch's; the engine's import "little more than numpy", taken here as at most 1.5x the time
of ``import numpy``. OPENBLAS_* variables are left as the environment sets them.

On a busy machine the BLAS workloads (3, 4) suffer most: OpenBLAS and PyTorch each run two
worker threads on the two cores, and a descheduled worker stalls the whole call. For steadier
(single-threaded, same for all three) figures, run with ``OPENBLAS_NUM_THREADS=1
OMP_NUM_THREADS=1``; the header line shows which thread settings a run used, and the end of the
run prints the machine's load with a warning when other processes were busy.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MUL, ADD = 0.9, 0.1  # the chain's constants: values stay in tanh's sensitive range
IMPLS = ("engine", "torch", "numpy")


# --- loading the implementations --------------------------------------------------------------

def load_engine():
    import autodiff_repl.engine as engine
    return engine


def load_torch():
    """PyTorch, or ``None`` (with the reason) when it is not importable."""
    try:
        import torch
    except Exception as exc:  # any import failure means "skip torch"
        return None, f"{type(exc).__name__}: {exc}"
    return torch, None


# --- timing ---------------------------------------------------------------------------------

def measure(cases: dict[str, Callable[[], object]], rounds: int, sample_ms: float,
            warmup: int = 2, settle_s: float = 0.0) -> dict[str, dict]:
    """Median ns per call of each case, the cases interleaved round by round. ``settle_s``: a
    pause before each sample, so the previous library's BLAS/OpenMP worker threads (which
    busy-wait for a while after a parallel call) have gone to sleep."""
    inner = {}
    for name, fn in cases.items():
        for _ in range(warmup):
            fn()
        t0 = time.perf_counter_ns()
        fn()
        once = builtin_max(time.perf_counter_ns() - t0, 1)
        inner[name] = builtin_max(1, int(sample_ms * 1e6 / once))
    samples: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                fn, n = cases[name], inner[name]
                gc.collect()
                if settle_s:
                    time.sleep(settle_s)
                t0 = time.perf_counter_ns()
                for _ in range(n):
                    fn()
                samples[name].append((time.perf_counter_ns() - t0) / n)
    finally:
        if enabled:
            gc.enable()
    result = {}
    for name, values in samples.items():
        q = statistics.quantiles(values, n=4) if len(values) >= 2 else [values[0]] * 3
        result[name] = {"median_ns": statistics.median(values), "min_ns": min(values),
                        "iqr_rel": (q[2] - q[0]) / statistics.median(values),
                        "rounds": len(values), "inner": inner[name], "samples_ns": values}
    return result


def paired_ratio(res: dict, a: str, b: str) -> float | None:
    """Median over rounds of ``a``'s sample / ``b``'s sample in the same round: steadier than a
    ratio of medians when the machine's load drifts during the run."""
    if a not in res or b not in res:
        return None
    return statistics.median(x / y for x, y in zip(res[a]["samples_ns"], res[b]["samples_ns"],
                                                      strict=True))


builtin_max = max


# --- workload 1 and 5: the mul/add/tanh chain ------------------------------------------------

def chain_autograd(mod, x, n: int, g):
    """``n`` ops cycling ``* MUL``, ``+ ADD``, ``tanh`` (the same code for engine and torch)."""
    t = x
    tanh = mod.tanh
    for _ in range(n // 3):
        t = tanh(t * MUL + ADD)
    if n % 3 >= 1:
        t = t * MUL
    if n % 3 == 2:
        t = t + ADD
    t.backward(g)
    grad = x.grad
    x.grad = None
    return grad


def chain_numpy(x: np.ndarray, n: int, g: np.ndarray) -> np.ndarray:
    """The same chain by hand: the forward keeps the tanh outputs, the backward walks them back."""
    saved = []
    t = x
    tanh = np.tanh
    for _ in range(n // 3):
        t = tanh(t * MUL + ADD)
        saved.append(t)
    del t  # the chain's output is not needed by its backward
    if n % 3 >= 1:
        g = g * MUL
    while saved:
        y = saved.pop()
        g = g * (1.0 - y * y)  # tanh; the add passes the gradient through
        g = g * MUL
    return g


def chain_inputs(engine, torch, size: int, dtype: str):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, size).astype(dtype)
    g = np.ones(size, dtype=dtype)
    out = {"numpy": (x, g),
           "engine": (engine.from_numpy(x.copy()).requires_grad_(), engine.from_numpy(g.copy()))}
    if torch is not None:
        out["torch"] = (torch.tensor(x, requires_grad=True), torch.from_numpy(g.copy()))
    return out


def chain_cases(engine, torch, n: int, size: int = 4, dtype: str = "float64"):
    inp = chain_inputs(engine, torch, size, dtype)
    cases = {"engine": lambda: chain_autograd(engine, inp["engine"][0], n, inp["engine"][1])}
    if torch is not None:
        cases["torch"] = lambda: chain_autograd(torch, inp["torch"][0], n, inp["torch"][1])
    cases["numpy"] = lambda: chain_numpy(inp["numpy"][0], n, inp["numpy"][1])
    return cases


# --- workload 2: the notebook case ----------------------------------------------------------

def notebook_cases(engine, torch):
    def autograd(mod, x):
        y = 2 * mod.dot(x, x)
        y.backward()
        grad = x.grad
        x.grad = None
        return grad

    xn = np.arange(4.0)

    def numpy_case():
        y = 2 * np.dot(xn, xn)  # forward
        gd = 2.0 * 1.0  # dy/d(dot) times the seed
        gx = gd * xn + gd * xn  # dot's vjp, once per argument
        return y, gx

    xe = engine.arange(4.0, requires_grad=True)
    cases = {"engine": lambda: autograd(engine, xe)}
    if torch is not None:
        xt = torch.arange(4.0, dtype=torch.float64, requires_grad=True)
        cases["torch"] = lambda: autograd(torch, xt)
    cases["numpy"] = lambda: numpy_case()[1]
    return cases


# --- workload 3: MLP step -------------------------------------------------------------------

def mlp_arrays(dtype: str):
    rng = np.random.default_rng(1)
    return {
        "X": rng.standard_normal((64, 784)).astype(dtype),
        "T": rng.standard_normal((64, 10)).astype(dtype),
        "W1": (rng.standard_normal((784, 256)) / 28.0).astype(dtype),
        "b1": np.zeros(256, dtype=dtype),
        "W2": (rng.standard_normal((256, 10)) / 16.0).astype(dtype),
        "b2": np.zeros(10, dtype=dtype),
    }


def mlp_step_autograd(mod, X, T, W1, b1, W2, b2):
    h = mod.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    loss = ((out - T) ** 2).mean()
    loss.backward()
    grads = (W1.grad, b1.grad, W2.grad, b2.grad)
    W1.grad = b1.grad = W2.grad = b2.grad = None
    return grads


def mlp_step_numpy(X, T, W1, b1, W2, b2):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    diff = out - T
    loss = (diff * diff).mean()
    dout = diff * (2.0 / diff.size)
    dout = dout.astype(X.dtype, copy=False)
    gW2 = h.T @ dout
    gb2 = dout.sum(axis=0)
    dh = dout @ W2.T
    dpre = dh * (1 - h * h)
    gW1 = X.T @ dpre
    gb1 = dpre.sum(axis=0)
    del loss
    return gW1, gb1, gW2, gb2


def mlp_cases(engine, torch, dtype: str):
    arr = mlp_arrays(dtype)
    params = ("W1", "b1", "W2", "b2")

    def wrap(make, requires):
        return [make(arr[k].copy()).requires_grad_(True) if k in requires
                else make(arr[k].copy()) for k in ("X", "T", *params)]

    te = wrap(engine.from_numpy, params)
    cases = {"engine": lambda: mlp_step_autograd(engine, *te)}
    if torch is not None:
        tt = wrap(torch.from_numpy, params)
        cases["torch"] = lambda: mlp_step_autograd(torch, *tt)
    tn = [arr[k] for k in ("X", "T", *params)]
    cases["numpy"] = lambda: mlp_step_numpy(*tn)
    return cases


# --- workload 4: matmul ---------------------------------------------------------------------

def matmul_cases(engine, torch, n: int = 1024):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((n, n), dtype=np.float32)
    B = rng.standard_normal((n, n), dtype=np.float32)
    G = np.ones((n, n), dtype=np.float32)

    def autograd(A_, B_, G_):
        C = A_ @ B_
        C.backward(G_)
        grads = (A_.grad, B_.grad)
        A_.grad = B_.grad = None
        return grads

    def numpy_case():
        C = A @ B
        gA = G @ B.T
        gB = A.T @ G
        del C
        return gA, gB

    e = (engine.from_numpy(A.copy()).requires_grad_(), engine.from_numpy(B.copy()).requires_grad_(),
         engine.from_numpy(G.copy()))
    cases = {"engine": lambda: autograd(*e)}
    if torch is not None:
        t = (torch.from_numpy(A.copy()).requires_grad_(),
             torch.from_numpy(B.copy()).requires_grad_(), torch.from_numpy(G.copy()))
        cases["torch"] = lambda: autograd(*t)
    cases["numpy"] = numpy_case
    return cases


# --- checking that the three compute the same gradients --------------------------------------

def as_numpy(value):
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):
        value = value.detach()
    return np.asarray(value.numpy())


def check(cases: dict, rtol: float, atol: float) -> str:
    """``"ok"``, or what differs from the NumPy result."""
    ref = cases["numpy"]()
    ref = ref if isinstance(ref, tuple) else (ref,)
    problems = []
    for name, fn in cases.items():
        if name == "numpy":
            continue
        try:
            got = fn()
        except RecursionError as exc:
            problems.append(f"{name}: RecursionError ({exc})")
            continue
        got = got if isinstance(got, tuple) else (got,)
        for i, (a, b) in enumerate(zip(got, ref, strict=True)):
            if a is None or not np.allclose(as_numpy(a), b, rtol=rtol, atol=atol):
                problems.append(f"{name}: gradient {i} differs")
    return "ok" if not problems else "; ".join(problems)


# --- workload 6: peak memory, one subprocess per implementation ------------------------------

def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def memory_child(impl: str, n: int, size: int, use_tracemalloc: bool) -> dict:
    """Runs in a fresh subprocess: the peak memory of the chain's forward and backward."""
    import resource

    gc.disable()
    mod = None if impl == "numpy" else load_engine() if impl == "engine" else load_torch()[0]

    def make(size: int):
        """The chain's input, gradient, forward and backward for ``size`` elements."""
        src = np.random.default_rng(0).uniform(-1, 1, size).astype(np.float32)
        ones = np.ones(size, dtype=np.float32)
        if mod is None:
            def forward():
                saved, t = [], src
                for _ in range(n // 3):
                    t = np.tanh(t * np.float32(MUL) + np.float32(ADD))
                    saved.append(t)
                return saved

            def backward(saved):
                grad = ones * np.float32(MUL) if n % 3 >= 1 else ones
                while saved:
                    y = saved.pop()
                    grad = grad * (1 - y * y)
                    grad = grad * np.float32(MUL)
                return grad
            return forward, backward

        x = mod.from_numpy(src).requires_grad_()
        g = mod.from_numpy(ones)

        def forward():
            t = x
            for _ in range(n // 3):
                t = mod.tanh(t * MUL + ADD)
            if n % 3 >= 1:
                t = t * MUL
            if n % 3 == 2:
                t = t + ADD
            return t

        def backward(t):
            t.backward(g)
            return x.grad
        return forward, backward

    # a small warm-up run first: lazy initialisation and code pages (VmRSS counts the pages of
    # the shared libraries it touches) then belong to the baseline, for all three alike
    forward, backward = make(1000)
    backward(forward())
    forward, backward = make(size)
    gc.collect()
    out: dict = {"impl": impl}
    if use_tracemalloc:
        import tracemalloc
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        result = forward()
        out["forward_peak_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
        grad = backward(result)
        del result
        out["peak_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
        out["after_mb"] = (tracemalloc.get_traced_memory()[0] - base) / 2**20
        tracemalloc.stop()
        out["method"] = "tracemalloc"
    else:
        base = _status_kb("VmRSS")
        exact = _reset_peak()
        start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = forward()
        hwm = _status_kb("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["forward_peak_mb"] = (hwm - (base if exact else start)) / 1024
        grad = backward(result)
        del result
        hwm = _status_kb("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["peak_mb"] = (hwm - (base if exact else start)) / 1024
        out["after_mb"] = (_status_kb("VmRSS") - base) / 1024
        out["rss_file_mb_end"] = _status_kb("RssFile") / 1024
        out["method"] = "VmHWM-VmRSS" if exact else "ru_maxrss delta (approximate)"
    out["grad_sum"] = float(np.asarray(as_numpy(grad), dtype=np.float64).sum())
    return out


def run_memory(impls, n: int, size: int, use_tracemalloc: bool) -> dict:
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536")
    results = {}
    for impl in impls:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", impl,
               "--memory-ops", str(n), "--memory-size", str(size)]
        if use_tracemalloc:
            cmd.append("--tracemalloc")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=300)
        if proc.returncode != 0:
            results[impl] = {"error": proc.stderr.strip().splitlines()[-1:]}
        else:
            results[impl] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


# --- workload 7: import time ----------------------------------------------------------------

IMPORTS = {"engine": "autodiff_repl.engine", "torch": "torch", "numpy": "numpy"}


def import_times(impls, repeats: int, pycache: str | None = None) -> dict:
    """Median import time per implementation, fresh interpreters interleaved. With ``pycache``
    (a temporary directory) bytecode is written and read there (``PYTHONPYCACHEPREFIX``, even
    when the environment sets ``PYTHONDONTWRITEBYTECODE``) after one untimed warm-up import, so
    the figures are those of an installed package with its ``.pyc`` files."""
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
        for impl in impls:
            subprocess.run([sys.executable, "-c", "import " + IMPORTS[impl]], cwd=ROOT, env=env,
                           capture_output=True, timeout=300)
    samples: dict[str, list[float]] = {i: [] for i in impls}
    for r in range(repeats):
        order = list(impls)
        shift = r % len(order)
        for impl in order[shift:] + order[:shift]:
            code = ("import time; t = time.perf_counter_ns(); import " + IMPORTS[impl]
                    + "; print(time.perf_counter_ns() - t)")
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  cwd=ROOT, env=env, timeout=120)
            if proc.returncode == 0:
                samples[impl].append(int(proc.stdout.strip()) / 1e6)
    return {i: {"median_ms": statistics.median(v), "samples_ms": v}
            for i, v in samples.items() if v}


# --- machine load -----------------------------------------------------------------------

def machine_load() -> dict:
    """The 1-minute load average and, where the kernel has it, CPU pressure (the share of time
    some runnable task waited for a CPU over the last 60 s)."""
    load = {"loadavg_1m": round(os.getloadavg()[0], 2)}
    try:
        with open("/proc/pressure/cpu") as f:
            fields = dict(kv.split("=") for kv in f.readline().split()[1:])
        load["cpu_pressure_avg60_pct"] = float(fields["avg60"])
    except (OSError, KeyError, ValueError):
        pass
    return load


# --- the table ------------------------------------------------------------------------------

def fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}{unit}"
    if value >= 10:
        return f"{value:.1f}{unit}"
    return f"{value:.2f}{unit}"


def ratio(a, b, paired=None) -> str:
    if paired is not None:
        return f"{paired:.2f}x"
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def print_table(rows: list[dict]) -> None:
    header = ("workload", "unit", "engine", "torch", "numpy", "eng/torch", "eng/numpy", "spread")
    lines = [header]
    for row in rows:
        lines.append((row["name"], row["unit"], fmt(row.get("engine")), fmt(row.get("torch")),
                      fmt(row.get("numpy")),
                      ratio(row.get("engine"), row.get("torch"), row.get("r_torch")),
                      ratio(row.get("engine"), row.get("numpy"), row.get("r_numpy")),
                      row.get("spread", "")))
    widths = [builtin_max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for k, line in enumerate(lines):
        print("  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths, strict=True))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def timing_row(name: str, unit: str, res: dict, scale: float, rows: list) -> dict:
    row = {"name": name, "unit": unit}
    for impl, r in res.items():
        row[impl] = r["median_ns"] * scale
    row["r_torch"] = paired_ratio(res, "engine", "torch")
    row["r_numpy"] = paired_ratio(res, "engine", "numpy")
    row["spread"] = "iqr " + "/".join(f"{res[i]['iqr_rel'] * 100:.0f}%" for i in res)
    rows.append(row)
    return row


# --- main -----------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (under ~60 s)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--memory-child", choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument("--memory-ops", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--memory-size", type=int, default=10**6, help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args.memory_ops, args.memory_size,
                                      args.tracemalloc)))
        return 0

    started = time.perf_counter()
    quick = args.quick
    engine = load_engine()
    torch, torch_note = load_torch()
    impls = [i for i in IMPLS if i != "torch" or torch is not None]
    recursion_limit = sys.getrecursionlimit()

    env = {
        "python": platform.python_version(), "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "cpus": os.cpu_count(), "loadavg": os.getloadavg(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "recursion_limit": recursion_limit, "quick": quick,
    }
    print("engine_bench: " + ", ".join(f"{k}={v}" for k, v in env.items()))
    load_start = machine_load()
    if torch is None:
        print(f"note: PyTorch not importable, its column is skipped ({torch_note})")

    small_rounds = 7 if quick else 31
    sample_ms = 5.0 if quick else 15.0
    rows: list[dict] = []
    results: dict = {"env": env, "workloads": {}, "checks": {}}

    def timed(key, title, unit, cases, scale, rounds, ms, rtol=1e-6, atol=1e-9, run_ok=None,
              settle=0.0):
        results["checks"][key] = check(cases, rtol, atol)
        if run_ok is not None:
            run_ok(results["checks"][key])
        res = measure(cases, rounds, ms, settle_s=settle)
        results["workloads"][key] = res
        timing_row(title, unit, res, scale, rows)
        print(f"  [{time.perf_counter() - started:5.1f}s] {title}: done "
              f"(grad check {results['checks'][key]})", flush=True)

    # 1. per-op overhead
    timed("per_op", "1. per-op overhead (1000-op chain, 4 x f64)", "us/op",
          chain_cases(engine, torch, 1000), 1e-3 / 1000, small_rounds, sample_ms, atol=0.0)
    # 2. the notebook case
    timed("notebook", "2. y = 2*dot(x,x); y.backward()", "us",
          notebook_cases(engine, torch), 1e-3, small_rounds, sample_ms)
    # 3. MLP step
    # BLAS workloads: longer samples, and a pause before each so that the other library's
    # spinning worker threads do not steal the two cores
    settle = 0.05
    blas_ms = 20.0 if quick else 60.0
    timed("mlp_f32", "3. MLP step 64x784-256-10 f32", "ms", mlp_cases(engine, torch, "float32"),
          1e-6, 7 if quick else 21, blas_ms, rtol=2e-3, atol=1e-5, settle=settle)
    timed("mlp_f64", "3. MLP step 64x784-256-10 f64", "ms", mlp_cases(engine, torch, "float64"),
          1e-6, 5 if quick else 15, blas_ms, settle=settle)
    # 4. matmul
    timed("matmul", "4. 1024^2 f32 matmul fwd+bwd", "ms", matmul_cases(engine, torch),
          1e-6, 3 if quick else 11, 1.0, rtol=1e-3, atol=1e-2, settle=settle)
    # 5. 10,000-op chain
    long_ok: dict = {}

    def record_long(status):
        long_ok["status"] = status

    assert sys.getrecursionlimit() == recursion_limit
    timed("chain_10k", "5. 10,000-op chain fwd+bwd", "ms", chain_cases(engine, torch, 10_000),
          1e-6, 3 if quick else 9, 1.0, atol=0.0, run_ok=record_long)

    # 6. memory
    mem = run_memory(impls, 200, 10**6, use_tracemalloc=False)
    mem_tm = {} if quick else run_memory(["engine", "numpy"], 200, 10**6, use_tracemalloc=True)
    results["workloads"]["memory"] = {"rss": mem, "tracemalloc": mem_tm}
    method = next((m.get("method") for m in mem.values() if "method" in m), "?")
    for key, title in (("forward_peak_mb", "6. 200-op chain 10^6 f32: forward peak"),
                       ("peak_mb", "6. 200-op chain 10^6 f32: peak (fwd+bwd)")):
        rows.append({"name": title, "unit": "MB",
                     **{i: m.get(key) for i, m in mem.items() if key in m},
                     "spread": method})
    if mem_tm:
        rows.append({"name": "6. same, tracemalloc peak (fwd+bwd)", "unit": "MB",
                     **{i: m.get("peak_mb") for i, m in mem_tm.items() if "peak_mb" in m},
                     "spread": "tracemalloc"})
    for impl, m in [*mem.items(), *mem_tm.items()]:
        if "error" in m:
            print(f"note: memory run of {impl} failed: {m['error']}")
    print(f"  [{time.perf_counter() - started:5.1f}s] 6. memory: done", flush=True)

    # 7. import time
    repeats = 5 if quick else 7
    # (--quick leaves out torch's import, which takes seconds and has no target)
    imp = import_times([i for i in impls if not (quick and i == "torch")], repeats)
    with tempfile.TemporaryDirectory(prefix="engine_bench_pyc") as pyc:
        imp_cached = import_times(["engine", "numpy"], repeats, pycache=pyc)
    results["workloads"]["import"] = imp
    results["workloads"]["import_cached_bytecode"] = imp_cached
    dont_write = os.environ.get("PYTHONDONTWRITEBYTECODE")
    rows.append({"name": "7. import time (fresh process, env as is)", "unit": "ms",
                 **{i: v["median_ms"] for i, v in imp.items()},
                 "spread": f"median of {repeats}"})
    rows.append({"name": "7. import time (.pyc cached)", "unit": "ms",
                 **{i: v["median_ms"] for i, v in imp_cached.items()},
                 "spread": f"median of {repeats}"})
    if dont_write:
        print("note: PYTHONDONTWRITEBYTECODE is set here, so the repository's modules are "
              "compiled from source at every import; the .pyc-cached row shows an installed "
              "package", flush=True)
    print(f"  [{time.perf_counter() - started:5.1f}s] 7. import: done", flush=True)

    print()
    print_table(rows)
    print()

    # targets
    w = results["workloads"]

    def med(key, impl):
        r = w.get(key, {}).get(impl)
        return None if r is None else r["median_ns"]

    def within(key, other, limit, title):
        """A ratio target, judged on the paired per-round ratio (the ratio of medians shown)."""
        r = paired_ratio(w[key], "engine", other)
        if r is None:
            return (title, None, f"{other} not measured")
        plain = med(key, "engine") / med(key, other)
        return (title, r <= limit, f"{r:.2f}x paired (ratio of medians {plain:.2f}x), "
                f"limit {limit:.2f}x")

    targets = []
    if "torch" in w["per_op"]:
        e, t = med("per_op", "engine") / 1e6, med("per_op", "torch") / 1e6
        title, ok, detail = within("per_op", "torch", 1.0, "per-op overhead <= PyTorch")
        targets.append((title, ok, f"{e:.2f} vs {t:.2f} us/op; {detail}"))
    else:
        e = med("per_op", "engine") / 1e6
        targets.append(("per-op overhead <= PyTorch", e <= 3.6,
                        f"{e:.2f} us/op vs the issue's PyTorch reference 3.6 us/op"))
    targets.append(within("matmul", "numpy", 1.10, "matmul fwd+bwd <= 1.10x raw NumPy"))
    targets.append(within("mlp_f32", "numpy", 1.3, "MLP step (f32) <= 1.3x raw NumPy"))
    ok = long_ok.get("status") == "ok" and sys.getrecursionlimit() == 1000
    targets.append(("10,000-op chain at default recursion limit", ok,
                    f"limit {sys.getrecursionlimit()}, check: {long_ok.get('status')}"))
    pe, pt = mem.get("engine", {}).get("peak_mb"), mem.get("torch", {}).get("peak_mb")
    if pe is not None and pt is not None:
        targets.append(("peak memory 200-op chain <= 1.1x PyTorch", pe <= 1.1 * pt,
                        f"{pe:.0f} vs {pt:.0f} MB ({pe / pt:.2f}x)"))
    else:
        targets.append(("peak memory 200-op chain <= 1.1x PyTorch", None,
                        "not measured (torch missing or run failed)"))
    ie, inp = (imp_cached[k]["median_ms"] for k in ("engine", "numpy"))
    raw = imp["engine"]["median_ms"] / imp["numpy"]["median_ms"]
    targets.append(("import engine <= 1.5x import numpy", ie <= 1.5 * inp,
                    f"{ie:.0f} vs {inp:.0f} ms ({ie / inp:.2f}x) with .pyc cached; "
                    f"{raw:.2f}x as the environment runs it"))
    results["targets"] = [{"target": t, "pass": p, "detail": d} for t, p, d in targets]
    width = builtin_max(len(t) for t, _, _ in targets)
    print("targets (issue 2):")
    for t, p, d in targets:
        status = "SKIP" if p is None else ("PASS" if p else "FAIL")
        print(f"  {status}  {t.ljust(width)}  {d}")
    bad = {k: v for k, v in results["checks"].items() if v != "ok"}
    if bad:
        print("gradient checks FAILED: " + "; ".join(f"{k}: {v}" for k, v in bad.items()))
    load_end = machine_load()
    results["load"] = {"start": load_start, "end": load_end}
    print(f"machine load: start {load_start}, end {load_end}")
    if load_start["loadavg_1m"] > 0.7:  # at the start, before this run adds its own load
        print("warning: other processes were using the CPUs during this run; absolute figures "
              "are inflated and noisy -- the paired ratios are the figures to compare")
    elapsed = time.perf_counter() - started
    results["elapsed_s"] = elapsed
    print(f"total {elapsed:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
