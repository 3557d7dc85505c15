"""The backprop slide (seed 000) end to end: what ``minigrad demo`` prints first and
``examples/backprop_slide.py`` builds on.

The slide: a 3x3 image, a 2x2 kernel, f = maxpool(s11, s12), and by hand
df/dw11 = x11 + x12 + x21 + x22 (for f = the sum of the map). minigrad computes it,
derives it step by step, checks the hand formula, and draws the graph.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import scalar as S

IMAGE = [[1, 1, 0], [1, 1, 0], [1, 0, 0]]
KERNEL = [[1, 2], [3, 4]]
HAND_FORMULA = "x11 + x12 + x21 + x22"  # the slide's df/dw11, right for the sum of the map


def slide_graph(case: str = "max"):
    """The slide's graph: x (3x3) cross-correlated with w (2x2) into s, then f.

    ``case="max"`` is the slide's f = maxpool(s11, s12); ``case="sum"`` is f = s11+s12+s21+s22.
    Returns (x, w, s, f) with the grids as object arrays of Values.
    """
    x = S.grid(IMAGE, "x")
    w = S.grid(KERNEL, "w")
    s = S.conv2d(x, w, name="s")
    f = S.max(s[0, 0], s[0, 1], name="f") if case == "max" else S.sum(s, name="f")
    return x, w, s, f


def grid_text(g) -> str:
    """A grid of numbers printed compactly, integers without a trailing ``.0``."""
    return np.array2string(g, separator=", ", formatter={"float_kind": lambda v: f"{v:g}"})


def backprop_slide(out: Path) -> dict:
    """Print the slide's forward values, the max selection, the grads, the derivation and the
    check of the hand formula; write the diagrams and the stepper into ``out``.

    Returns the graphs (``"max"`` and ``"sum"``: each (x, w, s, f), after backward), the two
    checks (``"check_sum"``, ``"check_max"``) and the files written (``"files"``).
    """
    print("== The backprop slide (seed 000) ==")
    x, w, s, f = slide_graph("max")
    print(f"image x = {grid_text(S.values(x))}\nkernel w = {grid_text(S.values(w))}")
    print(f"s = x (cross-correlated with) w = {grid_text(S.values(s))}   (each s_ij is one sum node over 4 '*' nodes)")
    a, b = f.parents
    taken = f"{a.name} > {b.name}" if f.selected == 0 else f"{b.name} >= {a.name}"
    print(f"f = maxpool(s11, s12) = {f.data:g}: if ({taken}) the max selects {f.parents[f.selected].name}")
    f.backward()
    print(f"df/dw = {grid_text(S.grads(w))}   (the x under the selected window only)")

    print("\n-- derivation of df/dw11 (max case) --")
    print(mg.derive(f, w[0, 0]))

    print("\n-- the sum case: f = s11 + s12 + s21 + s22 --")
    xs, ws, ss, fs = slide_graph("sum")
    fs.backward()
    print(f"df/dw = {grid_text(S.grads(ws))}")
    print(mg.derive(fs, ws[0, 0]))
    check_sum = mg.check(fs, ws[0, 0], HAND_FORMULA)
    print(f"\ncheck of the slide's hand formula df/dw11 = {HAND_FORMULA}: {check_sum}")
    check_max = mg.check(f, w[0, 0], HAND_FORMULA)
    print(f"the same formula for the max case: {check_max}")

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, root, focus in (("backprop_slide", f, None), ("backprop_slide_focus_w11", f, w[0, 0]),
                              ("backprop_slide_sum", fs, None)):
        for suffix in (".svg", ".png"):
            files.append(mg.viz.render(root, out / f"{name}{suffix}", focus=focus))
    files.append(mg.viz.to_html(fs, out / "backprop_stepper.html"))
    files.append(mg.viz.to_html(f, out / "backprop_stepper_max.html"))
    return {"max": (x, w, s, f), "sum": (xs, ws, ss, fs), "check_sum": check_sum, "check_max": check_max,
            "files": files}
