"""T5: micrograd's demo network on tensors, minigrad vs PyTorch: per-op overhead, not FLOPs.

A 2-16-16-1 MLP (relu hidden layers, linear output) on 100 two-moons points, the SVM hinge
loss mean(relu(1 - y·score)) plus 1e-4 · Σ p² (L2), then one SGD step: the loop of
micrograd's demo.ipynb. Both frameworks run the same graph in float64 (micrograd's precision)
from the same initial weights, in float32 (the other benchmarks' precision) and float64
(micrograd's); we report the median time of one step after a warm-up.
Thread counts come from the caller's environment (OMP_NUM_THREADS etc.).

Run: ``.venv/bin/python benchmarks/bench_mlp.py``.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import minigrad as mg  # noqa: E402
from targets import report, target  # noqa: E402

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4


def data(n=100, seed=1):
    """Two moons (sklearn's make_moons when installed, else the same construction), y in {-1, 1}."""
    try:
        from sklearn.datasets import make_moons

        x, y = make_moons(n_samples=n, noise=0.1, random_state=seed)
    except ImportError:  # pragma: no cover - sklearn is an example dependency
        rng = np.random.default_rng(seed)
        t = np.pi * rng.random(n)
        half = np.arange(n) % 2
        x = np.stack([np.cos(t) - half, np.sin(t) * (1 - 2 * half) + 0.5 * half], 1) + 0.1 * rng.standard_normal((n, 2))
        y = half
    return x.astype(np.float64), (2.0 * y - 1.0).reshape(-1, 1)


def init(seed=0):
    """Weights (in, out) and biases, uniform(-1, 1) like micrograd's Neuron."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        params.append(rng.uniform(-1, 1, (fan_in, fan_out)))
        params.append(np.zeros(fan_out))
    return params


def minigrad_step(params, x, y, lr):
    """One forward + backward + SGD step with minigrad; returns the loss."""
    h = x
    last = len(params) // 2 - 1
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i // 2 < last:
            h = h.relu()
    loss = (1 - y * h).relu().mean() + ALPHA * sum((p * p).sum() for p in params)
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss


def torch_step(params, x, y, lr, torch):
    """The same step with PyTorch."""
    h = x
    last = len(params) // 2 - 1
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i // 2 < last:
            h = h.relu()
    loss = (1 - y * h).relu().mean() + ALPHA * sum((p * p).sum() for p in params)
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
    return loss


def _time(step, repeats, warmup):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def measure(dtype="float32", repeats=300, warmup=30):
    """{framework: ms per step} and the final losses after the same number of steps."""
    xs, ys = data()
    xs, ys = xs.astype(dtype), ys.astype(dtype)
    lr = 0.1
    results = {}
    params = [mg.Tensor(p.astype(dtype), requires_grad=True) for p in init()]
    x, y = mg.Tensor(xs), mg.Tensor(ys)
    results["minigrad"] = _time(lambda: minigrad_step(params, x, y, lr), repeats, warmup)
    losses = {"minigrad": minigrad_step(params, x, y, lr).item()}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        n = os.environ.get("MINIGRAD_BENCH_THREADS") or os.environ.get("OMP_NUM_THREADS")
        if n and n.isdigit():
            torch.set_num_threads(int(n))
        tp = [torch.tensor(p.astype(dtype), requires_grad=True) for p in init()]
        tx, ty = torch.tensor(xs), torch.tensor(ys)
        results["torch"] = _time(lambda: torch_step(tp, tx, ty, lr, torch), repeats, warmup)
        losses["torch"] = torch_step(tp, tx, ty, lr, torch).item()
    return results, losses


def main():
    """Print the markdown table of T5 (ms per step, ratio minigrad/torch); returns the ratios."""
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    print(f"### T5: 2-16-16-1 MLP, 100 points, hinge loss + L2, forward+backward+SGD (OMP_NUM_THREADS={threads})\n")
    print("| dtype | minigrad ms/step | torch ms/step | minigrad/torch | target (issue 15) | loss minigrad | loss torch |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ratios = {}
    for dtype in ("float32", "float64"):
        results, losses = measure(dtype)
        mine = results["minigrad"]
        if "torch" in results:
            ratios[dtype] = mine / results["torch"]
            print(f"| {dtype} | {mine:.3f} | {results['torch']:.3f} | {ratios[dtype]:.2f} | {target('T5')} | "
                  f"{losses['minigrad']:.6f} | {losses['torch']:.6f} |")
        else:
            print(f"| {dtype} | {mine:.3f} | (torch not installed) | | {target('T5')} | {losses['minigrad']:.6f} | |")
    print()
    if ratios:
        report("T5", max(ratios.values()))
    return ratios


if __name__ == "__main__":
    main()
