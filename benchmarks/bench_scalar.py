"""S1/S2 (issue 2): scalar graphs, minigrad beside micrograd in the same run.

S1: a 28x28 image cross-correlated with a 3x3 kernel as scalar nodes, 2x2 max-pool, sum,
backward. S2: the chain y = y*1.0001 + 0.0001 (10^5 steps, median of 3, and 10^6), build + backward.
"""
from __future__ import annotations

import gc
import statistics
import sys
import threading
import time
import tracemalloc

import numpy as np

import minigrad as mg
from minigrad.engine import topological_order
from targets import report, target

try:
    from micrograd.engine import Value as MicroValue
except ImportError:  # micrograd is a benchmark-only dependency (pip install -e '.[bench]')
    MicroValue = None

REPEATS = 5


def _s1_minigrad(img, ker):
    x = mg.scalar.grid(img, "x")
    w = mg.scalar.grid(ker, "w")
    t0 = time.perf_counter()
    f = mg.scalar.sum(mg.scalar.max_pool2d(mg.scalar.conv2d(x, w), 2))
    t1 = time.perf_counter()
    f.backward()
    t2 = time.perf_counter()
    return f, t1 - t0, t2 - t1, len(topological_order(f)), mg.scalar.grads(w)


def _s1_micrograd(img, ker):
    """micrograd has no max node: each window's winner is picked by value (no node), as its users do."""
    x = [[MicroValue(float(v)) for v in row] for row in img]
    w = [[MicroValue(float(v)) for v in row] for row in ker]
    t0 = time.perf_counter()
    conv = [[sum(x[i + u][j + v] * w[u][v] for u in range(3) for v in range(3)) for j in range(26)] for i in range(26)]
    pooled = [max((conv[2 * i + a][2 * j + b] for a in range(2) for b in range(2)), key=lambda n: n.data)
              for i in range(13) for j in range(13)]
    f = sum(pooled)
    t1 = time.perf_counter()
    f.backward()
    t2 = time.perf_counter()
    seen, stack = set(), [f, *(c for row in conv for c in row)]  # every node built, selected or not
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(n._prev)
    return (f, conv), t1 - t0, t2 - t1, len(seen), np.array([[v.grad for v in row] for row in w])


def _bytes(build, img, ker):
    gc.collect()
    tracemalloc.start()
    keep = build(img, ker)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del keep
    return size


def _s1_row(name, build, img, ker):
    times = [build(img, ker) for _ in range(REPEATS)]
    f, _, _, nodes, grads = times[-1]
    b, bw = statistics.median(t[1] for t in times), statistics.median(t[2] for t in times)
    size = _bytes(lambda i, k: build(i, k)[0], img, ker)
    return dict(name=name, nodes=nodes, build=b * 1e3, backward=bw * 1e3, total=(b + bw) * 1e3,
                bytes=size, per_node=size / nodes, grads=grads)


def _chain(V, steps):
    t0 = time.perf_counter()
    x = V(1.0)
    y = x
    for _ in range(steps):
        y = y * 1.0001 + 0.0001
    y.backward()
    return time.perf_counter() - t0, x.grad


def _micro_chain(steps):
    """micrograd's topological sort recurses: lift the limit and give it a big stack."""
    out = {}

    def run():
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(10 * steps + 1000)
        try:
            out["r"] = _chain(MicroValue, steps)
        except RecursionError:
            out["r"] = None
        finally:
            sys.setrecursionlimit(old)

    threading.stack_size(1 << 29)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    threading.stack_size(0)
    return out["r"]


def _median_chain(run, repeats):
    """(median seconds, dy/dx) of ``repeats`` runs of a chain, or None if one failed."""
    runs = []
    for _ in range(repeats):
        gc.collect()
        r = run()
        if r is None:
            return None
        runs.append(r)
    return statistics.median(t for t, _ in runs), runs[-1][1]


def _micro_default_limit():
    try:
        _chain(MicroValue, 2000)
        return "ok"
    except RecursionError:
        return "RecursionError"


def main():
    rng = np.random.default_rng(0)
    img, ker = rng.standard_normal((28, 28)), rng.standard_normal((3, 3))
    rows = [_s1_row("minigrad", _s1_minigrad, img, ker)]
    if MicroValue is not None:
        rows.append(_s1_row("micrograd", _s1_micrograd, img, ker))
        assert np.allclose(rows[0]["grads"], rows[1]["grads"]), "minigrad and micrograd disagree on S1"
    print("### S1: 28x28 image * 3x3 kernel as scalar nodes, 2x2 max-pool, sum, backward (median of %d)\n" % REPEATS)
    print("| library | nodes | build ms | backward ms | total ms | bytes | bytes/node |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['name']} | {r['nodes']:,} | {r['build']:.1f} | {r['backward']:.1f} | {r['total']:.1f} | "
              f"{r['bytes']:,} | {r['per_node']:.0f} |")
    if len(rows) == 2:
        m, u = rows
        report("S1", m["total"] / u["total"])
        print(f"\nS1 time minigrad/micrograd: {m['total'] / u['total']:.2f} (target {target('S1')}; "
              f"a speed-up of {u['total'] / m['total']:.1f}x); "
              f"bytes ratio minigrad/micrograd: {m['bytes'] / u['bytes']:.2f} (required <= 0.5)")
    print("\n### S2: chain y = y*1.0001 + 0.0001, build + backward\n")
    print("| library | steps | seconds | us/step | dy/dx |")
    print("|---|---:|---:|---:|---:|")
    ratio = None
    for steps in (100_000, 1_000_000):
        gc.collect()
        t, g = _median_chain(lambda: _chain(mg.Value, steps), 3 if steps == 100_000 else 1)
        print(f"| minigrad | {steps:,} | {t:.2f} | {t / steps * 1e6:.1f} | {g:.6g} |")
        if MicroValue is not None and steps == 100_000:
            r = _median_chain(lambda: _micro_chain(steps), 3)
            if r is None:
                print(f"| micrograd | {steps:,} | RecursionError | | |")
            else:
                print(f"| micrograd (recursion limit lifted) | {steps:,} | {r[0]:.2f} | {r[0] / steps * 1e6:.1f} | {r[1]:.6g} |")
                ratio = t / r[0]
    if ratio is not None:
        report("S2", ratio)
        print(f"\nS2 time minigrad/micrograd at 100,000 steps: {ratio:.2f} (target {target('S2')})")
    if MicroValue is not None:
        print(f"\nmicrograd at its default recursion limit, 2,000 steps: {_micro_default_limit()}")


if __name__ == "__main__":
    main()
