"""T1-T3: conv2d and max_pool2d forward+backward, minigrad vs PyTorch vs a plain-NumPy baseline.

- T1 conv2d, x (32, 1, 28, 28), w (8, 1, 3, 3), padding 1, bias
- T2 conv2d, x (32, 8, 14, 14), w (16, 8, 3, 3), padding 1, bias
- T3 max_pool2d 2x2 stride 2 on (32, 16, 28, 28)

float32; every input requires grad; one step = forward + backward with a fixed output
gradient. The three contenders are timed in turn inside each repeat (so a noisy neighbour
hurts all alike) and we report the median after a warm-up. Thread counts come from the
environment (OMP_NUM_THREADS etc.; ``benchmarks/run.py`` sets them); torch gets the same
through ``torch.set_num_threads``. Targets (issue 15, at 1 and 2 threads): benchmarks/targets.py.

Run: ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_conv.py``.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from targets import report, target  # noqa: E402

DTYPE = np.float32
CASES = {
    "T1": ("conv2d x (32,1,28,28) w (8,1,3,3) pad 1 + bias", "conv", (32, 1, 28, 28), (8, 1, 3, 3)),
    "T2": ("conv2d x (32,8,14,14) w (16,8,3,3) pad 1 + bias", "conv", (32, 8, 14, 14), (16, 8, 3, 3)),
    "T3": ("max_pool2d 2x2 stride 2 on (32,16,28,28)", "pool", (32, 16, 28, 28), None),
}


# ---------------------------------------------------------------- plain NumPy baseline
def numpy_conv_step(x, w, b, gy):
    """Hand-written im2col conv (padding 1, stride 1) forward + backward: the textbook way."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    s = xp.strides
    win = as_strided(xp, (n, c, kh, kw, h, wd), (s[0], s[1], s[2], s[3], s[2], s[3]))
    cols = win.reshape(n, c * kh * kw, h * wd)
    w2 = w.reshape(o, -1)
    y = np.matmul(w2, cols).reshape(n, o, h, wd) + b[:, None, None]
    g2 = gy.reshape(n, o, h * wd)
    gb = gy.sum(axis=(0, 2, 3))
    gw = np.matmul(g2, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    gcols = np.matmul(w2.T, g2).reshape(n, c, kh, kw, h, wd)
    gxp = np.zeros_like(xp)
    for u in range(kh):
        for v in range(kw):
            gxp[:, :, u:u + h, v:v + wd] += gcols[:, :, u, v]
    return y, gxp[:, :, 1:-1, 1:-1], gw, gb


def numpy_pool_step(x, gy):
    """2x2 stride-2 max pool forward + backward with np.maximum over the 4 strided views, first max wins."""
    views = [x[:, :, u::2, v::2] for u in range(2) for v in range(2)]
    y = views[0].copy()
    tap = np.zeros(y.shape, np.int8)
    for t, v in enumerate(views[1:], start=1):
        np.maximum(tap, (v > y) * np.int8(t), out=tap)   # strictly larger: ties keep the first
        np.maximum(y, v, out=y)
    gx = np.empty_like(x)
    for t in range(4):
        gx[:, :, t // 2::2, t % 2::2] = gy * (tap == t)
    return y, gx


# ---------------------------------------------------------------- the three contenders
def steps(kind, xshape, wshape, rng):
    """{name: zero-argument step} for minigrad, the NumPy baseline and (if importable) torch."""
    x = rng.standard_normal(xshape).astype(DTYPE)
    if kind == "conv":
        w = (rng.standard_normal(wshape) / np.sqrt(np.prod(wshape[1:]))).astype(DTYPE)
        b = rng.standard_normal(wshape[0]).astype(DTYPE)
        gy = rng.standard_normal((xshape[0], wshape[0]) + xshape[2:]).astype(DTYPE)
    else:
        gy = rng.standard_normal(xshape[:2] + (xshape[2] // 2, xshape[3] // 2)).astype(DTYPE)
    out = {}

    mx = mg.tensor(x, requires_grad=True)
    if kind == "conv":
        mw, mb = mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)

        def minigrad_step():
            mx.grad = mw.grad = mb.grad = None
            F.conv2d(mx, mw, mb, padding=1).backward(gy)

        out["numpy"] = lambda: numpy_conv_step(x, w, b, gy)
    else:
        def minigrad_step():
            mx.grad = None
            F.max_pool2d(mx, 2, 2).backward(gy)

        out["numpy"] = lambda: numpy_pool_step(x, gy)
    out["minigrad"] = minigrad_step

    try:
        import torch
    except ImportError:
        return out
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():   # as many threads as NumPy's BLAS gets
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(gy)
    if kind == "conv":
        tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)

        def torch_step():
            tx.grad = tw.grad = tb.grad = None
            torch.nn.functional.conv2d(tx, tw, tb, padding=1).backward(tg)
    else:
        def torch_step():
            tx.grad = None
            torch.nn.functional.max_pool2d(tx, 2, 2).backward(tg)
    out["torch"] = torch_step
    return out


def measure(case, repeats=200, warmup=20, seed=0):
    """Median ms per forward+backward step for each contender of one case."""
    _, kind, xshape, wshape = CASES[case]
    fns = steps(kind, xshape, wshape, np.random.default_rng(seed))
    times = {name: [] for name in fns}
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) * 1e3 for name, ts in times.items()}


def agree(seed=1):
    """The baseline and minigrad compute the same numbers (float32 tolerance), or this raises."""
    rng = np.random.default_rng(seed)
    for case, (_, kind, xshape, wshape) in CASES.items():
        x = rng.standard_normal(xshape).astype(DTYPE)
        mx = mg.tensor(x, requires_grad=True)
        if kind == "conv":
            w, b = rng.standard_normal(wshape).astype(DTYPE), rng.standard_normal(wshape[0]).astype(DTYPE)
            gy = rng.standard_normal((xshape[0], wshape[0]) + xshape[2:]).astype(DTYPE)
            mw, mb = mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)
            y = F.conv2d(mx, mw, mb, padding=1)
            y.backward(gy)
            pairs = zip(numpy_conv_step(x, w, b, gy), (y.data, mx.grad, mw.grad, mb.grad))
        else:
            gy = rng.standard_normal(xshape[:2] + (xshape[2] // 2, xshape[3] // 2)).astype(DTYPE)
            y = F.max_pool2d(mx, 2, 2)
            y.backward(gy)
            pairs = zip(numpy_pool_step(x, gy), (y.data, mx.grad))
        for ref, got in pairs:
            np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4, err_msg=case)


def main(repeats=200):
    """Print the markdown table of T1-T3; returns {case: {contender: ms}}."""
    agree()
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    print(f"### T1-T3: conv2d / max_pool2d forward+backward, float32, median of {repeats} "
          f"(OMP_NUM_THREADS={threads})\n")
    print("| case | what | minigrad ms | torch ms | NumPy baseline ms | minigrad/torch | target (issue 15) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    results = {}
    for case, (what, *_) in CASES.items():
        r = results[case] = measure(case, repeats)
        if "torch" in r:
            torch_ms, ratio = f"{r['torch']:.3f}", f"{r['minigrad'] / r['torch']:.2f}"
            report(case, r["minigrad"] / r["torch"])
        else:
            torch_ms, ratio = "(not installed)", ""
        print(f"| {case} | {what} | {r['minigrad']:.3f} | {torch_ms} | {r['numpy']:.3f} | {ratio} | {target(case)} |",
              flush=True)
    print()
    return results


if __name__ == "__main__":
    main()
