"""Scale (issue 12): derivations, the stepper and the diagrams on real-network-sized graphs.

Each row is timed once (wall clock, seconds) next to its target; compare on a quiet machine.

- a LeNet (conv 6@5x5, pool, conv 16@5x5, pool, 120, 84, 10) on one 28x28 image: ``mg.derive`` of
  the loss by one conv1 weight, expanded with ``mg.scalar.expand``, then ``str`` and ``latex``;
- nested chains of 1,000 sigmoids, 1,000 tanhs, 300 exps and a 3,000-step affine chain;
- the S1 graph's all-adjoints pass (28x28 ⊗ 3x3, 2x2 max-pool, sum);
- the stepper's lines on a small and on a 50,000-node graph (the same writer: the lines must agree);
- a 10^6-node scalar chain's ``to_networkx`` and ``to_html``; a 10^5-deep tensor chain's diagrams.

Run: ``.venv/bin/python benchmarks/bench_scale.py`` (or ``make bench``).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad.derivation.backprop import Backprop  # noqa: E402
from minigrad.viz.html import stepper_data  # noqa: E402

ROWS = []


def timed(what, target, fn):
    t = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t
    ROWS.append((what, seconds, target))
    return result


def derive_and_print(label, output, wrt, target):
    d = timed(f"{label}: derive", None, lambda: mg.derive(output, wrt))
    text = timed(f"{label}: str", None, lambda: str(d))
    tex = timed(f"{label}: latex", None, lambda: d.latex())
    total = sum(s for w, s, _ in ROWS[-3:])
    ROWS.append((f"{label}: derive + str + latex ({len(text):,} and {len(tex):,} characters)", total, target))
    return d


def lenet():
    mg.manual_seed(0)
    c1, c2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
    l1, l2, l3 = nn.Linear(16 * 4 * 4, 120), nn.Linear(120, 84), nn.Linear(84, 10)
    x = mg.Tensor(np.random.default_rng(0).standard_normal((1, 1, 28, 28)))
    h = F.max_pool2d(F.relu(c1(x)), 2)
    h = F.max_pool2d(F.relu(c2(h)), 2).flatten(1)
    loss = F.cross_entropy(l3(F.relu(l2(F.relu(l1(h))))), mg.Tensor(np.array([3])))
    loss.backward()
    d = derive_and_print("LeNet, ∂loss/∂conv1.weight[0,0,2,2]", loss, (c1.weight, (0, 0, 2, 2)), 10.0)
    assert abs(d.value - c1.weight.grad[0, 0, 2, 2]) < 1e-12


def chains():
    for kind, n in (("sigmoid", 1000), ("tanh", 1000), ("exp", 300)):
        x = mg.Value(0.1, "x")
        y = x
        for _ in range(n):
            y = (y * 0.01).exp() if kind == "exp" else getattr(y, kind)()
        y.backward()
        d = derive_and_print(f"{n:,} nested {kind}s", y, x, 10.0)
        assert d.value == x.grad
    x = mg.Value(0.5, "x")
    y = x
    for _ in range(3000):
        y = y * 1.0001 + 0.0001
    y.backward()
    assert derive_and_print("3,000-step affine chain", y, x, 10.0).value == x.grad


def s1():
    rng = np.random.default_rng(0)
    x = mg.scalar.grid(rng.standard_normal((28, 28)), "x")
    w = mg.scalar.grid(rng.standard_normal((3, 3)), "w")
    f = mg.scalar.sum(mg.scalar.max_pool2d(mg.scalar.conv2d(x, w, name="s"), 2), name="f")
    bp = timed("S1: every node's adjoint, one pass (7,723 nodes)", 0.5, lambda: Backprop(f))
    assert len(bp.adjoint) == 7723


def stepper():
    def graph(side):
        rng = np.random.default_rng(1)
        x = mg.scalar.grid(rng.standard_normal((side, side)), "x")
        w = mg.scalar.grid(rng.standard_normal((3, 3)), "w")
        f = mg.scalar.sum(mg.scalar.max_pool2d(mg.scalar.conv2d(x, w, name="s"), 2), name="f")
        f.backward()
        return w, f

    for side, how in ((4, {"max_nodes": None}), (44, {"max_nodes": None}), (70, {}), (70, {"focus": "w11"})):
        w, f = graph(side)
        nodes = len(mg.engine.topological_order(f))
        if how.get("focus"):
            how = {"focus": w[0, 0], "max_nodes": None}
        what = ("focused on w11" if "focus" in how else "every node drawn" if "max_nodes" in how
                else "drawn collapsed")
        data = timed(f"stepper lines, {nodes:,} nodes, {what}", None, lambda: stepper_data(f, **how))
        by_label = {data["nodes"][s["node"]]["label"]: s for s in data["steps"] if s["phase"] == "backward"}
        if "w11" in by_label:    # one line writer at every size: the derivation's own last line
            assert by_label["w11"]["lines"][0] == str(mg.derive(f, w[0, 0])).splitlines()[-1]


def diagrams():
    x = mg.Value(0.5, "x")
    y = x
    for _ in range(500_000):        # 10^6 nodes: each step adds a product and its constant
        y = y * 1.0000001
    y.backward()
    nodes = len(mg.engine.topological_order(y))
    timed(f"to_networkx, a {nodes:,}-node chain", 30.0, lambda: mg.viz.to_networkx(y))
    with tempfile.TemporaryDirectory() as tmp:
        timed(f"to_html, a {nodes:,}-node chain", 30.0, lambda: mg.viz.to_html(y, os.path.join(tmp, "chain.html")))
    t = mg.Tensor(np.ones(3), requires_grad=True)
    z = t
    for _ in range(100_000):
        z = z * 1.0
    z.sum().backward()
    timed("to_networkx, a 10^5-deep tensor chain", None, lambda: mg.viz.to_networkx(z))
    timed("to_dot, a 10^5-deep tensor chain (collapsed)", None, lambda: mg.viz.to_dot(z))


def main():
    for part in (s1, chains, stepper, lenet, diagrams):
        part()
    print("### Scale: derivations, stepper and diagrams on big graphs (wall clock, one run)\n")
    print("| what | seconds | target | met |")
    print("|---|---:|---:|---|")
    for what, seconds, target in ROWS:
        t = "" if target is None else f"< {target:g}"
        met = "" if target is None else ("yes" if seconds < target else "NO")
        print(f"| {what} | {seconds:.2f} | {t} | {met} |")


if __name__ == "__main__":
    main()
