"""Training benchmarks: T4 (one step of a small CNN), the digits CNN's epoch, memory over 1,000 steps.

- T4 (issue 3): batch 64 of 1x28x28; conv 1->8 3x3 pad 1, relu, max-pool 2, conv 8->16 3x3
  pad 1, relu, max-pool 2, flatten, linear 784->10, cross-entropy, backward, SGD step.
  minigrad vs PyTorch in the same run, float32, same initial weights; required ratio <= 1.5.
- The digits CNN of ``minigrad/demo/digits.py`` (Adam, batch 32, 1,437 images): one epoch,
  minigrad vs the same model in PyTorch; required ratio <= 1.5.
- Memory: 1,000 training steps of the digits CNN after a warm-up; growth of the Python heap
  (tracemalloc) and of the process's resident set (RSS); required < 5 MB.

Thread counts come from the caller's environment (``benchmarks/run.py`` sets them).
Run: ``.venv/bin/python benchmarks/bench_train.py``.
"""
from __future__ import annotations

import gc
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad.optim import SGD, Adam  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from targets import report, target  # noqa: E402

try:
    import torch
except ImportError:  # torch is an optional oracle
    torch = None

DTYPE = np.float32


def _threads():
    n = os.environ.get("MINIGRAD_BENCH_THREADS") or os.environ.get("OMP_NUM_THREADS")
    if torch is not None and n:
        torch.set_num_threads(int(n))
    return n or "default"


def _median_ms(fns, repeats, warmup):
    """Median ms per call of each function in ``fns``, calls interleaved (so both frameworks
    see the same machine load, which matters on shared cores)."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) * 1e3 for ts in times]


# ------------------------------------------------------------------ T4
def t4_model():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, dtype=DTYPE), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1, dtype=DTYPE), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(784, 10, dtype=DTYPE))


def t4_torch_model():
    tn = torch.nn
    return tn.Sequential(tn.Conv2d(1, 8, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                         tn.Conv2d(8, 16, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                         tn.Flatten(), tn.Linear(784, 10))


def _mg_step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def _torch_step(model, opt, x, y):
    loss = torch.nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def bench_t4(repeats=100, warmup=10):
    """ms per training step (median, minigrad and torch interleaved) and the loss difference
    after 3 steps from the same initial weights."""
    rng = np.random.default_rng(0)
    xs = rng.random((64, 1, 28, 28)).astype(DTYPE)
    ys = rng.integers(0, 10, 64)
    mg.manual_seed(0)
    model = t4_model()
    x, y = mg.tensor(xs), mg.tensor(ys)
    if torch is None:
        opt = SGD(model.parameters(), lr=0.01)
        return {"minigrad": _median_ms([lambda: _mg_step(model, opt, x, y)], repeats, warmup)[0]}
    torch.manual_seed(0)
    tm = t4_torch_model()
    model.load_state_dict(tm.state_dict())  # the same starting weights
    opt = SGD(model.parameters(), lr=0.01)
    topt = torch.optim.SGD(tm.parameters(), lr=0.01)
    tx, ty = torch.tensor(xs), torch.tensor(ys)
    l_mg = [_mg_step(model, opt, x, y).item() for _ in range(3)]
    l_t = [_torch_step(tm, topt, tx, ty).item() for _ in range(3)]
    mine, theirs = _median_ms([lambda: _mg_step(model, opt, x, y), lambda: _torch_step(tm, topt, tx, ty)],
                              repeats, warmup)
    return {"minigrad": mine, "torch": theirs, "loss_diff": max(abs(a - b) for a, b in zip(l_mg, l_t))}


# ------------------------------------------------------------------ digits CNN epoch
def _digits():
    """The digits CNN's data, model and epoch (minigrad/demo/digits.py, which examples/digits_cnn.py runs)."""
    from minigrad.demo import digits

    return digits


def bench_digits_epoch(epochs=3):
    """Seconds per epoch (median over ``epochs``; minigrad and torch epochs alternate), the
    same model (same initial weights), Adam, batch 32; and the test accuracy afterwards."""
    dc = _digits()
    xtr, ytr, xte, yte = dc.load_data()
    mg.manual_seed(0)
    model = dc.build_model()
    opt = Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    if torch is not None:
        torch.manual_seed(0)
        tn = torch.nn
        tm = tn.Sequential(tn.Conv2d(1, 16, 3, padding=1), tn.BatchNorm2d(16), tn.ReLU(), tn.MaxPool2d(2),
                           tn.Conv2d(16, 32, 3, padding=1), tn.BatchNorm2d(32), tn.ReLU(), tn.MaxPool2d(2),
                           tn.Flatten(), tn.Linear(128, 10))
        assert list(tm.state_dict()) == list(model.state_dict()), "the two models must be the same"
        model.load_state_dict(tm.state_dict())
        topt = torch.optim.Adam(tm.parameters(), lr=3e-3)
        tx, ty = torch.tensor(xtr), torch.tensor(ytr)
        trng = np.random.default_rng(0)

        def torch_epoch():
            order = torch.tensor(trng.permutation(len(tx)))
            for i in range(0, len(tx), 32):
                idx = order[i:i + 32]
                _torch_step(tm, topt, tx[idx], ty[idx])

    mine, theirs = [], []
    for _ in range(epochs):
        t0 = time.perf_counter()
        dc.train_epoch(model, opt, xtr, ytr, 32, rng)
        mine.append(time.perf_counter() - t0)
        if torch is not None:
            t0 = time.perf_counter()
            torch_epoch()
            theirs.append(time.perf_counter() - t0)
    out = {"minigrad": statistics.median(mine), "minigrad_acc": dc.evaluate(model, xte, yte)[1]}
    if torch is not None:
        tm.eval()
        with torch.no_grad():
            out["torch_acc"] = float((tm(torch.tensor(xte)).argmax(1).numpy() == yte).mean())
        out["torch"] = statistics.median(theirs)
    return out


# ------------------------------------------------------------------ memory
def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_memory(steps=1000, warmup=100):
    """Growth over ``steps`` training steps of the digits CNN: tracemalloc (Python heap) and RSS."""
    dc = _digits()
    xtr, ytr, _, _ = dc.load_data()
    mg.manual_seed(0)
    model = dc.build_model()
    opt = Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)

    def batch(i):
        idx = rng.integers(0, len(xtr), 32)
        return mg.tensor(xtr[idx]), mg.tensor(ytr[idx])

    for i in range(warmup):
        _mg_step(model, opt, *batch(i))
    gc.collect()
    rss0 = _rss_bytes()
    t0 = time.perf_counter()
    for i in range(steps):
        _mg_step(model, opt, *batch(i))
    gc.collect()
    rss = _rss_bytes() - rss0
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(steps):
        _mg_step(model, opt, *batch(i))
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rss": rss, "traced": current - base, "peak": peak - base, "seconds": seconds, "steps": steps}


def main():
    """Print the three markdown tables; returns the measured numbers."""
    threads = _threads()
    results = {}
    print(f"### T4: one training step of a small CNN, batch 64 of 1x28x28, float32 (threads={threads})\n")
    print("| minigrad ms/step | torch ms/step | minigrad/torch | target (issue 15) | max loss diff, 3 steps |")
    print("|---:|---:|---:|---:|---:|")
    r = results["t4"] = bench_t4()
    if "torch" in r:
        report("T4", r["minigrad"] / r["torch"])
        print(f"| {r['minigrad']:.2f} | {r['torch']:.2f} | {r['minigrad'] / r['torch']:.2f} | {target('T4')} | "
              f"{r['loss_diff']:.1e} |")
    else:
        print(f"| {r['minigrad']:.2f} | (torch not installed) | | {target('T4')} | |")

    print(f"\n### Digits CNN (minigrad/demo/digits.py): one epoch, 1,437 images, batch 32, Adam (threads={threads})\n")
    print("| minigrad s/epoch | torch s/epoch | minigrad/torch (required <= 1.5) | test acc after 3 epochs (minigrad, torch) |")
    print("|---:|---:|---:|---|")
    r = results["digits"] = bench_digits_epoch()
    if "torch" in r:
        print(f"| {r['minigrad']:.3f} | {r['torch']:.3f} | {r['minigrad'] / r['torch']:.2f} | "
              f"{r['minigrad_acc']:.3f}, {r['torch_acc']:.3f} |")
    else:
        print(f"| {r['minigrad']:.3f} | (torch not installed) | | {r['minigrad_acc']:.3f} |")

    print(f"\n### Memory over 1,000 training steps of the digits CNN, after 100 warm-up steps (threads={threads})\n")
    print("| tracemalloc growth | tracemalloc peak above start | RSS growth | required | s for 1,000 steps |")
    print("|---:|---:|---:|---|---:|")
    r = results["memory"] = bench_memory()
    mb = 1024 * 1024
    print(f"| {r['traced'] / mb:.3f} MB | {r['peak'] / mb:.3f} MB | {r['rss'] / mb:.3f} MB | < 5 MB | {r['seconds']:.2f} |")
    print()
    return results


if __name__ == "__main__":
    main()
