"""D1 (issue 4): how long ``mg.derive(f, w11)`` takes on the S1 scalar graph, and its relatives.

S1's graph: a 28x28 image grid cross-correlated with a 3x3 kernel grid by ``mg.scalar.conv2d``
(676 sums over 6,084 products), 2x2 max-pool (169 max nodes), ``mg.scalar.sum``: 7,723 nodes
with the 793 leaves.
``derive`` runs value.py's backward rules on sympy shadows of the nodes on a path from w11 to
f (no path enumeration), so it must take well under a second. Also timed: the derivation's
text, ``mg.check`` of the right formula, and the same derivative through a Tensor graph
(``F.conv2d`` → ``F.max_pool2d`` → ``sum``) expanded to scalars by ``mg.scalar.expand``.

Run: ``.venv/bin/python benchmarks/bench_derive.py``.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg  # noqa: E402
from minigrad.engine import topological_order  # noqa: E402

REPEATS = 5


def s1_graph(seed=0):
    rng = np.random.default_rng(seed)
    x = mg.scalar.grid(rng.standard_normal((28, 28)), "x")
    w = mg.scalar.grid(rng.standard_normal((3, 3)), "w")
    f = mg.scalar.sum(mg.scalar.max_pool2d(mg.scalar.conv2d(x, w, name="s"), 2), name="f")
    return x, w, f


def timed(fn, repeats=REPEATS):
    """(first call in seconds, median of the next ``repeats`` calls, last result)."""
    t = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times), result


def measure() -> dict:
    rows = {}
    t = time.perf_counter()
    import minigrad.derivation  # noqa: F401 - sympy loads here, once; timed apart
    rows["import minigrad.derivation (sympy), once"] = (time.perf_counter() - t, float("nan"))
    x, w, f = s1_graph()
    nodes = len(topological_order(f))
    first, med, d = timed(lambda: mg.derive(f, w[0, 0]))
    rows["derive(f, w11)"] = (first, med)
    f.backward()
    assert d.value == w[0, 0].grad, (d.value, w[0, 0].grad)
    assert len(d.expression.args) == 169
    rows["str(derivation)"] = timed(lambda: str(d))[:2]
    rows["d.latex()"] = timed(lambda: d.latex())[:2]
    rows["check(f, w11, derived formula)"] = timed(lambda: mg.check(f, w[0, 0], d.expression))[:2]
    rows["f.backward() (numeric, for scale)"] = timed(lambda: f.backward())[:2]

    rng = np.random.default_rng(0)
    xt = mg.Tensor(rng.standard_normal((1, 1, 28, 28)), name="x")
    wt = mg.Tensor(rng.standard_normal((1, 1, 3, 3)), requires_grad=True, name="w")
    loss = mg.nn.functional.max_pool2d(mg.nn.functional.conv2d(xt, wt), 2).sum()
    rows["expand(tensor loss)"] = timed(lambda: mg.scalar.expand(loss))[:2]
    first, med, dt = timed(lambda: mg.derive(loss, (wt, (0, 0, 0, 0))))
    rows["derive(tensor loss, (w, (0,0,0,0))) incl. expand"] = (first, med)
    loss.backward()
    assert abs(dt.value - wt.grad[0, 0, 0, 0]) <= 1e-9 * max(1.0, abs(dt.value))
    return {"nodes": nodes, "rows": rows, "value": d.value}


def main():
    """Print the markdown table of D1 (ms: first call, then the median of 5 more)."""
    r = measure()
    print(f"### D1: ∂f/∂w11 on the S1 scalar graph ({r['nodes']} nodes; 28x28 conv 3x3, 2x2 max-pool, sum)\n")
    print("| what | first call ms | median ms | required |")
    print("|---|---:|---:|---|")
    for name, (first, med) in r["rows"].items():
        need = "well under 1000" if name.startswith("derive(f") else ""
        median = "" if med != med else f"{med * 1e3:.1f}"
        print(f"| {name} | {first * 1e3:.1f} | {median} | {need} |")
    print(f"\nderive value = f.backward()'s w11.grad = {r['value']:.6g} (exactly equal; 169 terms, one x per window)\n")
    return r


if __name__ == "__main__":
    main()
