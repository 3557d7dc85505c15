"""Issue 15's table: each workload's ratio minigrad/peer, its target, and where `make bench` collects it.

A benchmark prints its own table with the target beside the ratio (``target(row)``) and hands
the ratio to ``report``; ``benchmarks/run.py`` gathers every row at 1 and at 2 threads into
one closing table. Runs on the shared machine drift by ±30%: compare ratios of one run.
"""
from __future__ import annotations

import json
import os

# row: (what, peer, target ratio minigrad/peer, to be met at 1 and at 2 threads)
TARGETS = {
    "T1": ("conv 1→8 fwd+bwd, (32,1,28,28)", "torch", 0.7),
    "T2": ("conv 8→16 fwd+bwd, (32,8,14,14)", "torch", 0.9),
    "T3": ("max-pool 2x2 fwd+bwd, (32,16,28,28)", "torch", 0.5),
    "T4": ("LeNet train step, batch 64", "torch", 0.9),
    "T5": ("micrograd's MLP step (worse of f32, f64)", "torch", 0.5),
    "S1": ("28x28 scalar conv+pool+backward", "micrograd", 0.25),
    "S2": ("100k-step scalar chain", "micrograd", 0.35),
}
RESULTS = "MINIGRAD_BENCH_RESULTS"   # the file run.py collects the rows in (one JSON object a line)


def target(row: str) -> str:
    """The issue's target as a table cell: ``<= 0.7``."""
    return f"<= {TARGETS[row][2]}"


def report(row: str, ratio: float) -> None:
    """Hand ``row``'s ratio minigrad/peer to ``make bench`` (a no-op when run on its own)."""
    path = os.environ.get(RESULTS)
    if path:
        threads = os.environ.get("MINIGRAD_BENCH_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
        with open(path, "a") as f:
            f.write(json.dumps({"row": row, "threads": threads, "ratio": ratio}) + "\n")


def summary(lines) -> str:
    """The closing markdown table: every row of issue 15 at each thread count, its target, met or not."""
    got: dict[tuple[str, str], list[float]] = {}
    for line in lines:
        r = json.loads(line)
        got.setdefault((r["row"], r["threads"]), []).append(r["ratio"])
    threads = sorted({t for _, t in got}, key=lambda t: (not t.isdigit(), int(t) if t.isdigit() else 0, t))
    head = " | ".join(f"{t} thread{'' if t == '1' else 's'}" for t in threads)
    out = ["### Issue 15: ratio minigrad/peer, every row at each thread count (same run)\n",
           f"| row | workload | peer | {head} | target | met |",
           "|---|---|---|" + "---:|" * len(threads) + "---:|---|"]
    for row, (what, peer, goal) in TARGETS.items():
        cells, met = [], True
        for t in threads:
            rs = got.get((row, t))
            cells.append("" if rs is None else ", ".join(f"{r:.2f}" for r in rs))
            met = met and rs is not None and all(r <= goal for r in rs)
        out.append(f"| {row} | {what} | {peer} | {' | '.join(cells)} | {target(row)} | {'yes' if met else 'no'} |")
    return "\n".join(out)
