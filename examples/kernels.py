"""Seed 001's kernel table on a real photo, and convolution vs cross-correlation on 1..9 with A..I.

The table: identity, three edge detectors, sharpen, box blur, Gaussian blur 3x3 and 5x5,
unsharp masking 5x5, each applied to scikit-learn's ``china.jpg`` in grayscale with
``F.conv2d`` (same size, the border copied: ``padding_mode="replicate"``).

Then the slide's two formulas on the 3x3 image 1..9 and the kernel A..I, read off the
scalar graph (one ``*`` node per tap under one ``sum`` node):
cross-correlation ``x ⊗ w = (1*A) + (2*B) + ... + (9*I)`` (``mg.scalar.conv2d``, what CNN
layers compute) and convolution ``x * w = (1*I) + (2*H) + ... + (9*A)``
(``mg.scalar.convolve2d``, the kernel flipped). Every kernel of the table is unchanged by a
half turn, so for them the two agree; a Sobel kernel is not, and the two differ in sign.

    python examples/kernels.py [--out DIR] [--small]
"""
from __future__ import annotations

import numpy as np
import sympy

import minigrad as mg
import minigrad.nn.functional as F

try:
    from _common import load_photo, parse_args, save, show_matrix, table, wrote
except ImportError:  # imported as examples.kernels
    from examples._common import load_photo, parse_args, save, show_matrix, table, wrote

_G5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])
KERNELS = {  # seed 001's table, in its order
    "Identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "Edge detection 1": np.array([[1, 0, -1], [0, 0, 0], [-1, 0, 1]]),
    "Edge detection 2": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "Edge detection 3": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "Sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "Box blur": np.ones((3, 3)) / 9,
    "Gaussian blur 3x3": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "Gaussian blur 5x5": _G5 / 256,
    "Unsharp masking 5x5": -(_G5 - np.pad([[512]], 2)) / 256,  # centre 36 - 512 = -476
}
SOBEL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])  # not in the table: changes under a half turn
LETTERS = np.array(list("ABCDEFGHI")).reshape(3, 3)


def detail(img):
    """The pagoda, cropped, so that a 3x3 kernel's effect is visible at the picture's size."""
    h, w = img.shape
    return img[int(0.12 * h):int(0.62 * h), int(0.04 * w):int(0.44 * w)]


def apply_kernel(photo, kernel, fn=F.conv2d):
    """``fn`` (conv2d or convolve2d) of the photo with one kernel, same size, border replicated."""
    k = kernel.shape[0]
    x = mg.tensor(photo[None, None])
    w = mg.tensor(np.asarray(kernel, dtype=np.float64)[None, None])
    return fn(x, w, padding=k // 2, padding_mode="replicate").data[0, 0]


def tap_formula(out, letters):
    """The slide's formula for one output node: its ``*`` parents as ``(pixel * letter)``."""
    names = {f"w{i + 1}{j + 1}": letters[i, j] for i in range(3) for j in range(3)}
    pairs = [(x.data, names[w.name]) for x, w in (m.parents for m in out.parents)]
    text = " + ".join(f"({x:g} * {w})" for x, w in pairs)
    expr = sympy.Add(*(sympy.Integer(int(x)) * sympy.Symbol(w) for x, w in pairs))
    return text, expr


def conv_vs_correlation():
    """Cross-correlation and convolution of 1..9 with A..I, read off the scalar graph."""
    X = mg.scalar.grid(np.arange(1, 10).reshape(3, 3), "x")
    W = mg.scalar.grid(SOBEL, "w")  # any numbers: the formula only names the taps
    corr = mg.scalar.conv2d(X, W, name="s")[0, 0]
    conv = mg.scalar.convolve2d(X, W, name="s")[0, 0]
    show_matrix("\n== Convolution vs cross-correlation ==\nimage", np.arange(1, 10).reshape(3, 3))
    show_matrix("kernel", LETTERS, "{}")
    c_text, c_expr = tap_formula(corr, LETTERS)
    v_text, v_expr = tap_formula(conv, LETTERS)
    print(f"cross-correlation x ⊗ w (mg.scalar.conv2d, what CNN layers compute):\n  {c_text}")
    print(f"convolution x * w (mg.scalar.convolve2d, the kernel flipped):\n  {v_text}")
    values = dict(zip(LETTERS.ravel(), SOBEL.ravel()))
    show_matrix("with the Sobel kernel A..I =", SOBEL)
    print(f"  x ⊗ w = {c_expr.subs(values)} (graph: {corr.data:g});  x * w = {v_expr.subs(values)} "
          f"(graph: {conv.data:g})")
    grads = {}
    for name, out in (("x ⊗ w", corr), ("x * w", conv)):
        W.ravel()[0].grad = 0.0  # the two graphs share the kernel's leaves; measure each on its own
        out.backward()
        grads[name] = W.ravel()[0].grad
    print(f"backward: ∂(x ⊗ w)/∂A = {grads['x ⊗ w']:g} and ∂(x * w)/∂A = {grads['x * w']:g} "
          "(the pixel that meets A)")
    return {"correlation": c_text, "convolution": v_text, "corr_value": corr.data, "conv_value": conv.data,
            "corr_expr": c_expr, "conv_expr": v_expr, "grad_A": grads}


def picture_grid(photo, results, path):
    """The table as a 3x3 picture grid: each result titled with its kernel."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 3, figsize=(10, 10.4))
    for ax, (name, img) in zip(axes.ravel(), results.items()):
        k, img = KERNELS[name], detail(img)
        if abs(k.sum()) < 1e-12:  # an edge detector: show the edge strength |y|
            img = np.abs(img) / max(np.percentile(np.abs(img), 99.5), 1e-12)
        ax.imshow(np.clip(img, 0, 1), cmap="gray", vmin=0, vmax=1)
        scale = 256 if k.shape[0] == 5 else (9 if name == "Box blur" else 16 if "Gaussian" in name else 1)
        rows = "\n".join(" ".join(f"{v * scale:g}" for v in row) for row in k)
        ax.set_title(name + (f"  (1/{scale})" if scale != 1 else ""), fontsize=10)
        ax.text(0.02, 0.97, rows, transform=ax.transAxes, va="top", ha="left", family="monospace",
                fontsize=7 if k.shape[0] == 5 else 9, color="black",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("seed 001's kernels on china.jpg (a detail; F.conv2d, padding_mode='replicate');\n"
                 "edge detectors shown as |output|", fontsize=11)
    return save(fig, path, dpi=70)


def sobel_picture(photo, corr, conv, path):
    """Cross-correlation vs convolution with a kernel that a half turn changes: opposite signs."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 4.4))
    photo, corr, conv = detail(photo), detail(corr), detail(conv)
    span = np.percentile(np.abs(corr), 97)
    panels = [(photo, "gray", 0, 1, "photo"), (corr, "RdBu_r", -span, span, "cross-correlation x ⊗ sobel"),
              (conv, "RdBu_r", -span, span, "convolution x * sobel")]
    for ax, (img, cmap, lo, hi, title) in zip(axes, panels):
        ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("flipping the kernel flips the sign of a Sobel response (red +, blue -)", fontsize=10)
    return save(fig, path, dpi=70)


def main(argv=None) -> dict:
    """Apply the table to the photo, compare convolution with cross-correlation; return the numbers."""
    args = parse_args(__doc__.splitlines()[0], argv)
    photo = load_photo(small=args.small)
    print(f"photo: china.jpg in grayscale, {photo.shape[0]}x{photo.shape[1]}, mean {photo.mean():.4f}")
    results, rows, diffs = {}, [], {}
    for name, k in KERNELS.items():
        y = apply_kernel(photo, k)
        flipped = apply_kernel(photo, k, F.convolve2d)
        diffs[name] = float(np.abs(y - flipped).max())
        results[name] = y
        rows.append([name, f"{k.shape[0]}x{k.shape[1]}", f"{k.sum():g}", f"{y.mean():.4f}".replace("-0.0000", "0.0000"),
                     f"{y.min():.3f} .. {y.max():.3f}", f"{diffs[name]:.1e}"])
    print("\n== Seed 001's kernels on the photo (F.conv2d, same size, border replicated) ==")
    table(["kernel", "size", "sum", "output mean", "output range", "max abs(conv - xcorr)"], rows)
    print("kernels summing to 1 keep the brightness (mean ≈ the photo's); edge detectors sum to 0;\n"
          "every kernel of the table is unchanged by a half turn, so convolution = cross-correlation.")
    identity_diff = float(np.abs(results["Identity"] - photo).max())
    print(f"identity kernel: max |output - photo| = {identity_diff:.1e}")
    words = conv_vs_correlation()
    corr, conv = apply_kernel(photo, SOBEL), apply_kernel(photo, SOBEL, F.convolve2d)
    sobel_diff = float(np.abs(conv + corr).max())
    print(f"on the photo: max |convolve2d + conv2d| with the Sobel kernel = {sobel_diff:.1e} (opposite signs)")
    h, w = photo.shape  # a 32x32 patch at a roof tip, pixel by pixel: image ⊗ kernel = new pixels
    patch = photo[int(0.234 * h):int(0.234 * h) + 32, int(0.453 * w):int(0.453 * w) + 32]
    chosen = {name: KERNELS[name] for name in ("Identity", "Edge detection 3", "Sharpen")}
    files = [picture_grid(photo, results, args.out / "kernels.png"),
             sobel_picture(photo, corr, conv, args.out / "conv_vs_xcorr.png"),
             wrote(mg.viz.show_kernel_application(patch, chosen, args.out / "kernel_application.png",
                                                  title="image pixels ⊗ kernel = new pixels (a 32x32 patch)"))]
    return {"photo_shape": photo.shape, "results": results, "sym_diffs": diffs, "identity_diff": identity_diff,
            "sobel_diff": sobel_diff, **words, "files": files}


if __name__ == "__main__":
    main()
