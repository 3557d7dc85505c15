"""`minigrad demo`: the backprop slide end to end, then a short CNN training run.

The slide (seed 000): a 3x3 image, a 2x2 kernel, f = maxpool(s11, s12), and by hand
df/dw11 = x11 + x12 + x21 + x22 (for f = the sum of the map). minigrad computes it,
derives it step by step, checks the hand formula, and draws the graph.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import scalar as S

IMAGE = [[1, 1, 0], [1, 1, 0], [1, 0, 0]]
KERNEL = [[1, 2], [3, 4]]


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


def _grid_text(g) -> str:
    return np.array2string(g, separator=", ", formatter={"float_kind": lambda v: f"{v:g}"})


def backprop_slide(out: Path) -> list[Path]:
    """Print the slide's forward values, the max selection, the grads, the derivation and the
    check of the hand formula; write the diagrams and the stepper. Returns the files written."""
    print("== The backprop slide (seed 000) ==")
    x, w, s, f = slide_graph("max")
    print(f"image x = {_grid_text(S.values(x))}\nkernel w = {_grid_text(S.values(w))}")
    print(f"s = x (cross-correlated with) w = {_grid_text(S.values(s))}   (each s_ij is one sum node over 4 '*' nodes)")
    a, b = f.parents
    taken = f"{a.name} > {b.name}" if f.selected == 0 else f"{b.name} >= {a.name}"
    print(f"f = maxpool(s11, s12) = {f.data:g}: if ({taken}) the max selects {f.parents[f.selected].name}")
    f.backward()
    print(f"df/dw = {_grid_text(S.grads(w))}   (the x under the selected window only)")

    print("\n-- derivation of df/dw11 (max case) --")
    print(mg.derive(f, w[0, 0]))

    print("\n-- the sum case: f = s11 + s12 + s21 + s22 --")
    xs, ws, ss, fs = slide_graph("sum")
    fs.backward()
    print(f"df/dw = {_grid_text(S.grads(ws))}")
    d = mg.derive(fs, ws[0, 0])
    print(d)
    result = mg.check(fs, ws[0, 0], "x11 + x12 + x21 + x22")
    print(f"\ncheck of the slide's hand formula df/dw11 = x11 + x12 + x21 + x22: {result}")
    wrong = mg.check(f, w[0, 0], "x11 + x12 + x21 + x22")
    print(f"the same formula for the max case: {wrong}")

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, root, focus in (("backprop_slide", f, None), ("backprop_slide_focus_w11", f, w[0, 0]),
                              ("backprop_slide_sum", fs, None)):
        for suffix in (".svg", ".png"):
            written.append(mg.viz.render(root, out / f"{name}{suffix}", focus=focus))
    written.append(mg.viz.to_html(fs, out / "backprop_stepper.html"))
    written.append(mg.viz.to_html(f, out / "backprop_stepper_max.html"))
    return written


def training_run(out: Path, epochs: int = 3) -> list[Path]:
    """The digits CNN of ``minigrad.demo.digits``, run short; returns the saved model's file.

    It needs only minigrad's own dependencies (the digits ship inside the package);
    ``examples/digits_cnn.py`` trains the same model longer and draws its pictures.
    """
    from minigrad.demo import digits

    print(f"\n== A small CNN on the 8x8 digits shipped with minigrad ({epochs} epochs; "
          "examples/digits_cnn.py draws its pictures) ==")
    return [digits.run(out / "digits_cnn", epochs=epochs)["saved"]]


def demo(out: Path, train: bool = True) -> int:
    written = backprop_slide(out)
    if train:
        written += training_run(out)
    print("\n== Written ==")
    for p in written:
        print(f"  {p}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="minigrad", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="the backprop slide end to end, then a short training run")
    d.add_argument("--out", default="out", help="where pictures and pages go (default: out/)")
    d.add_argument("--no-train", action="store_true", help="skip the training run")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(Path(args.out), train=not args.no_train)
    return 2


if __name__ == "__main__":
    sys.exit(main())
