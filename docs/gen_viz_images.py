"""Write the pictures of docs/diagrams.md and docs/stepper.md into docs/img/.

Run: ``.venv/bin/python docs/gen_viz_images.py`` (needs Graphviz's ``dot``; the stepper
screenshots need chromium + Playwright, and are skipped without them).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
from minigrad import scalar as S  # noqa: E402
from minigrad import viz  # noqa: E402

IMG = Path(__file__).resolve().parent / "img"


def slide(case="max"):
    x = S.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = S.grid([[1, 2], [3, 4]], "w")
    s = S.conv2d(x, w, name="s")
    f = S.max(s[0, 0], s[0, 1], name="f") if case == "max" else S.sum(s, name="f")
    f.backward()
    return x, w, s, f


def diagrams():
    x, w, s, f = slide("max")
    out = [viz.render(f, IMG / "slide_graph.svg"), viz.render(f, IMG / "slide_graph.png"),
           viz.render(f, IMG / "slide_focus_w11.svg", focus=w[0, 0]),
           viz.render(f, IMG / "slide_focus_w11.png", focus=w[0, 0]),
           viz.render(f, IMG / "slide_folded.png", max_nodes=15)]
    rng = np.random.default_rng(0)
    bx = S.grid(rng.standard_normal((34, 34)), "x")
    bw = S.grid(rng.standard_normal((3, 3)), "w")
    big = S.sum(S.max_pool2d(S.conv2d(bx, bw, name="s"), 2, name="p"), name="f")
    big.backward()
    out += [viz.render(big, IMG / "big_collapsed.svg"), viz.render(big, IMG / "big_collapsed.png")]
    t = mg.tensor(rng.standard_normal((1, 1, 6, 6)), requires_grad=True, name="x")
    k = mg.tensor(rng.standard_normal((2, 1, 3, 3)), requires_grad=True, name="w")
    loss = mg.nn.functional.max_pool2d(mg.nn.functional.conv2d(t, k).relu(), 2).sum()
    loss.backward()
    out.append(viz.render(loss, IMG / "tensor_graph.png"))
    old = os.environ["PATH"]
    os.environ["PATH"] = tempfile.mkdtemp()          # draw as a machine without Graphviz would
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(viz.render(f, IMG / "slide_graph_fallback.png"))
    finally:
        os.environ["PATH"] = old
    return out


def pictures():
    image = [[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
             [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
    filters = np.array([[[[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]], [[[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]]], float)
    maps = S.conv2d(S.grid(image, "x"), filters)
    yy, xx = np.mgrid[0:48, 0:48]
    disc = (((xx - 24) ** 2 + (yy - 24) ** 2) < 240).astype(float)
    kernels = {"identity": np.pad([[1.0]], 1), "edge detection": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
               "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "box blur": np.ones((3, 3)) / 9}
    return [viz.show_feature_maps(maps, IMG / "feature_maps.png", title="the 6x6 image ⊗ two filters"),
            viz.show_kernels(filters, IMG / "plot_kernels.png"),
            viz.show_kernel_application(disc, kernels, IMG / "plot_kernel_application.png"),
            viz.plot_curves({"train loss": [2.30, 1.21, 0.74, 0.52, 0.41, 0.35],
                             "test loss": [2.31, 1.30, 0.90, 0.78, 0.74, 0.73]}, IMG / "curves.png",
                            title="loss", ylabel="cross entropy")]


def stepper_shots():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    if not shutil.which("chromium"):
        return []
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    tmp = Path(tempfile.mkdtemp())
    x, w, s, f = slide("max")
    xs, ws, ss, fs = slide("sum")
    pages = [(viz.to_html(f, tmp / "max.html"), 23, "stepper_max.png"),
             (viz.to_html(fs, tmp / "sum.html", focus=ws[0, 0]), 20, "stepper_sum_focus_w11.png")]
    out = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        for path, steps, name in pages:
            pg = b.new_page(viewport={"width": 1300, "height": 760})
            pg.goto(path.as_uri())
            for _ in range(steps):
                pg.click("#step")
            pg.screenshot(path=str(IMG / name))
            out.append(IMG / name)
        b.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return out


if __name__ == "__main__":
    IMG.mkdir(parents=True, exist_ok=True)
    for p in diagrams() + pictures() + stepper_shots():
        print(p.relative_to(IMG.parent.parent), f"{p.stat().st_size:,} bytes")
