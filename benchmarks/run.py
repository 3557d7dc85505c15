"""`make bench`: every benchmark in one run, minigrad beside its peers, one table each.

Each benchmark module runs in a fresh process so its thread settings (OMP/OPENBLAS/MKL
_NUM_THREADS, read by NumPy and torch at import) take effect; compare ratios, not absolutes.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from targets import RESULTS, summary  # noqa: E402

# (module, thread counts): every row of issue 15's table (benchmarks/targets.py) runs at 1 and
# at 2 threads, scalar graphs too (pure Python: a second thread must change nothing).
BENCHES = [
    ("bench_scalar", (1, 2)),
    ("bench_derive", (1,)),
    ("bench_scale", (1,)),
    ("bench_viz", (1,)),
    ("bench_mlp", (1, 2)),
    ("bench_conv", (1, 2)),
    ("bench_train", (1, 2)),
]


def run(module: str, threads: int, results: str) -> int:
    env = dict(os.environ, **{RESULTS: results})
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MINIGRAD_BENCH_THREADS"):
        env[var] = str(threads)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE), env.get("PYTHONPATH", "")])
    code = f"import {module}; {module}.main()"
    return subprocess.call([sys.executable, "-c", code], env=env, cwd=HERE.parent)


def main(argv=None) -> int:
    only = set(argv if argv is not None else sys.argv[1:])
    failed = []
    results = tempfile.NamedTemporaryFile("r", prefix="minigrad-bench-", suffix=".jsonl")
    for module, thread_counts in BENCHES:
        if only and module not in only:
            continue
        if not (HERE / f"{module}.py").exists():
            print(f"\n## {module}: not present, skipped\n")
            continue
        for threads in thread_counts:
            print(f"\n## {module} ({threads} thread{'s' if threads > 1 else ''})\n", flush=True)
            if run(module, threads, results.name) != 0:
                failed.append(f"{module}@{threads}")
    rows = results.readlines()
    results.close()
    if rows:
        print("\n" + summary(rows))
    if failed:
        print("\nbenchmarks that failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
