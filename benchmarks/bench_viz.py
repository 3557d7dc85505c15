"""V1 (issue 5): diagrams of a 10^4-node scalar graph stay fast because they collapse.

The graph: a 34x34 image grid cross-correlated with a 3x3 kernel grid by ``mg.scalar.conv2d``
(1,024 sums over 9,216 products), 2x2 max-pool (256 max nodes), ``mg.scalar.sum``: 11,662
nodes. Timed: ``to_dot`` (collapsed past the default budget of 200 nodes to the 5-node
"tensor-level" view), ``render`` to SVG through Graphviz, ``to_networkx`` of the whole graph
(every node and edge with its attributes), the stepper page (collapsed), and, for scale,
the slide's 21-node graph drawn in full.

Run: ``.venv/bin/python benchmarks/bench_viz.py``.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg  # noqa: E402
from minigrad import viz  # noqa: E402

REPEATS = 3


def big_graph(seed=0):
    """34x34 image, 3x3 conv, 2x2 max-pool, sum; after backward."""
    rng = np.random.default_rng(seed)
    x = mg.scalar.grid(rng.standard_normal((34, 34)), "x")
    w = mg.scalar.grid(rng.standard_normal((3, 3)), "w")
    f = mg.scalar.sum(mg.scalar.max_pool2d(mg.scalar.conv2d(x, w, name="s"), 2, name="p"), name="f")
    f.backward()
    return x, w, f


def slide_graph():
    x = mg.scalar.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = mg.scalar.grid([[1, 2], [3, 4]], "w")
    s = mg.scalar.conv2d(x, w, name="s")
    f = mg.scalar.max(s[0, 0], s[0, 1], name="f")
    f.backward()
    return x, w, f


def timed(fn, repeats=REPEATS):
    """(first call in seconds, median of the next ``repeats`` calls, last result)."""
    t = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times), out


def measure() -> dict:
    x, w, f = big_graph()
    sx, sw, sf = slide_graph()
    tmp = Path(tempfile.mkdtemp(prefix="bench_viz_"))
    rows = {}
    try:
        first, med, dot = timed(lambda: viz.to_dot(f))
        drawn = len(re.findall(r"^\s*n\d+ \[", dot.source, flags=re.M))
        rows["to_dot(f), collapsed"] = (first, med, f"{drawn} drawn nodes")
        if shutil.which("dot"):
            first, med, p = timed(lambda: viz.render(f, tmp / "big.svg"))
            rows["render(f, 'big.svg'), collapsed, Graphviz"] = (first, med, f"{p.stat().st_size:,} bytes")
        first, med, G = timed(lambda: viz.to_networkx(f))
        rows["to_networkx(f), every node"] = (first, med, f"{G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")
        first, med, G = timed(lambda: viz.to_networkx(f, focus=w[1, 1]))
        rows["to_networkx(f, focus=w22)"] = (first, med, f"{G.number_of_nodes():,} nodes")
        first, med, p = timed(lambda: viz.to_html(f, tmp / "big.html"))
        rows["to_html(f), collapsed"] = (first, med, f"{p.stat().st_size:,} bytes")
        first, med, p = timed(lambda: viz.render(sf, tmp / "slide.svg"))
        rows["render(slide f, 'slide.svg'), 21 nodes in full"] = (first, med, f"{p.stat().st_size:,} bytes")
        first, med, p = timed(lambda: viz.to_html(sf, tmp / "slide.html"))
        rows["to_html(slide f): 42 steps, mg.derive per node"] = (first, med, f"{p.stat().st_size:,} bytes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"nodes": viz.to_networkx(f).number_of_nodes(), "rows": rows}


def main():
    """Print the markdown table of V1 (ms: first call, then the median of 3 more)."""
    r = measure()
    print(f"### V1: diagrams of a {r['nodes']:,}-node scalar graph (34x34 conv 3x3, 2x2 max-pool, sum)\n")
    print("| what | first call ms | median ms | result |")
    print("|---|---:|---:|---|")
    for name, (first, med, what) in r["rows"].items():
        print(f"| {name} | {first * 1e3:.1f} | {med * 1e3:.1f} | {what} |")
    if not shutil.which("dot"):
        print("\n(Graphviz's `dot` is not installed: the SVG render row is left out.)")
    print()
    return r


if __name__ == "__main__":
    main()
