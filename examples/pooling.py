"""Pooling, with the slides' own numbers (seeds 000 and 001): max and average, and where the gradient goes.

Seed 001 max-pools two 4x4 feature maps with 2x2 windows and stride 2; both give
``[[4, 4], [2, 8]]``. Seed 000 first extracts a 4x4 edge map from a 6x6 picture, then pools
it with 2x2 windows at stride 1: max ``[[3, 2, 3], [3, 2, 3], [3, 1, 3]]``, average
``[[2.25, 1, 1.75], [2.25, 1.25, 2], [2, 1, 2]]`` (the slide writes ``2.x 1 1.x ...``).

Every window is ONE ``max`` node of the scalar graph that remembers which input it selected;
the backward pass sends the whole gradient there and exactly 0 to the others (ties: the
first maximum in the window, as in PyTorch). The tensor path (``F.max_pool2d``) agrees.

    python examples/pooling.py [--out DIR] [--small]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

try:
    from _common import number_grids, parse_args, save, show_matrix
except ImportError:  # imported as examples.pooling
    from examples._common import number_grids, parse_args, save, show_matrix

# Seed 001, "Sampling (Pooling)": two feature maps, 2x2 max pooling at stride 2.
SEED001_MAPS = {
    "feature map A": [[3, 0, 4, 3], [4, 1, 2, 3], [1, 1, 8, 7], [2, 0, 6, 4]],
    "feature map B": [[1, 3, 0, 4], [2, 4, 1, 2], [1, 1, 1, 8], [1, 2, 0, 6]],
}
SEED001_MAX = [[4, 4], [2, 8]]

# Seed 000, "Edge extraction" then "Pooling": a 6x6 picture and a vertical-line kernel.
SEED000_IMAGE = [[1, 0, 0, 1, 0, 0],
                 [1, 1, 0, 1, 0, 0],
                 [1, 0, 0, 1, 0, 0],
                 [1, 1, 1, 1, 1, 1],
                 [1, 0, 0, 1, 0, 0],
                 [1, 0, 0, 1, 0, 0]]
SEED000_KERNEL = [[1, 0, 0], [1, 0, 0], [1, 0, 0]]
SEED000_MAP = [[3, 1, 0, 3], [3, 2, 1, 3], [3, 1, 1, 3], [3, 1, 1, 3]]
SEED000_MAX = [[3, 2, 3], [3, 2, 3], [3, 1, 3]]
SEED000_AVG = [[2.25, 1, 1.75], [2.25, 1.25, 2], [2, 1, 2]]


def pool_with_gradient(feature_map, kernel_size, stride, kind="max"):
    """Pool a grid of Values, back-propagate from the sum of the outputs; return (out, grad, grid, pooled)."""
    S = mg.scalar.grid(feature_map, "s")
    pool = mg.scalar.max_pool2d if kind == "max" else mg.scalar.avg_pool2d
    P = pool(S, kernel_size, stride, name="p")
    mg.scalar.sum(P, name="f").backward()
    return mg.scalar.values(P), mg.scalar.grads(S), S, P


def tensor_pool(feature_map, kernel_size, stride, kind="max"):
    """The same pooling on the tensor path (``F.max_pool2d`` / ``F.avg_pool2d``): (out, grad)."""
    x = mg.tensor(np.asarray(feature_map, dtype=np.float64)[None, None], requires_grad=True)
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    y = pool(x, kernel_size, stride)
    y.sum().backward()
    return y.data[0, 0], x.grad[0, 0]


def draw_pooling(panels, path):
    """One row per pooling: the map (selected inputs ringed, with their gradient), max and average outputs."""
    import matplotlib.pyplot as plt

    rows = [[(title, fmap), (f"max {k}x{k}, stride {s}", mx), (f"average {k}x{k}, stride {s}", av)]
            for title, fmap, mx, av, grad, k, s in panels]
    fig, axes = number_grids(rows, "max pooling sends the gradient to the selected input only "
                                   "(ringed; ties: the first)", cell=0.6)
    for (title, fmap, mx, av, grad, k, s), row in zip(panels, axes):
        if s == k:  # non-overlapping windows: draw their borders
            for t in range(k, np.shape(fmap)[0], k):
                row[0].axhline(t - 0.5, color="k", lw=2)
            for t in range(k, np.shape(fmap)[1], k):
                row[0].axvline(t - 0.5, color="k", lw=2)
        for (i, j), g in np.ndenumerate(grad):
            if g:  # an input that some window selected: ring it and show the gradient it got
                row[0].add_patch(plt.Circle((j, i), 0.33, fill=False, color="crimson", lw=2))
                row[0].text(j + 0.47, i - 0.47, f"grad {g:g}", ha="right", va="top", fontsize=7, color="crimson")
    return save(fig, path)


def main(argv=None) -> dict:
    """Print the slides' pooling examples and their gradients; draw them; return the numbers."""
    args = parse_args(__doc__.splitlines()[0], argv)
    results, panels = {}, []

    print("== Seed 001: 2x2 max pooling, stride 2 ==")
    for title, fmap in SEED001_MAPS.items():
        out, grad, _, _ = pool_with_gradient(fmap, 2, 2, "max")
        avg, _, _, _ = pool_with_gradient(fmap, 2, 2, "avg")
        t_out, t_grad = tensor_pool(fmap, 2, 2, "max")
        show_matrix(title, fmap)
        show_matrix("  max pool ->", out)
        show_matrix("  average pool ->", avg)
        show_matrix("  d(sum of max outputs)/d(map): 1 where a window selected", grad)
        assert np.array_equal(out, SEED001_MAX) and np.array_equal(t_out, out) and np.array_equal(t_grad, grad)
        results[title] = {"max": out, "avg": avg, "grad": grad}
        panels.append((title, fmap, out, avg, grad, 2, 2))
    print("scalar graph and F.max_pool2d agree (values and gradients)\n")

    print("== Seed 000: edge extraction, then 2x2 pooling at stride 1 ==")
    fmap = mg.scalar.conv2d(SEED000_IMAGE, SEED000_KERNEL, name="s")
    fmap = mg.scalar.values(fmap)
    show_matrix("6x6 picture", SEED000_IMAGE)
    show_matrix("vertical-line kernel", SEED000_KERNEL)
    show_matrix("feature map (cross-correlation)", fmap)
    mx, mgrad, S, P = pool_with_gradient(fmap, 2, 1, "max")
    av, agrad, _, _ = pool_with_gradient(fmap, 2, 1, "avg")
    show_matrix("2x2 max pooling, stride 1 ->", mx)
    show_matrix("2x2 average pooling, stride 1 ->", av)
    show_matrix("d(sum of max outputs)/d(map): how many windows selected each input", mgrad)
    show_matrix("d(sum of average outputs)/d(map): 1/4 per window covering the input", agrad)
    p11 = P[0, 0]
    names = [v.name for v in p11.parents]
    print(f"tie: window p11 holds {names} = {[v.data for v in p11.parents]}; "
          f"it selects {names[p11.selected]} (the first maximum, as in PyTorch)")
    t_mx, t_mgrad = tensor_pool(fmap, 2, 1, "max")
    t_av, t_agrad = tensor_pool(fmap, 2, 1, "avg")
    same = (np.array_equal(t_mx, mx) and np.array_equal(t_mgrad, mgrad)
            and np.allclose(t_av, av) and np.allclose(t_agrad, agrad))
    print(f"scalar graph and F.max_pool2d / F.avg_pool2d agree: {same}")
    results["seed000"] = {"map": fmap, "max": mx, "avg": av, "max_grad": mgrad, "avg_grad": agrad,
                          "tie_selected": names[p11.selected], "tensor_agrees": same}
    panels.append(("seed 000 edge map", fmap, mx, av, mgrad, 2, 1))

    results["files"] = [draw_pooling(panels, args.out / "pooling.png")]
    return results


if __name__ == "__main__":
    main()
