"""What does a CNN learn? (seed 004): find the input each filter likes best, by gradient ascent.

The slide: the output of the k-th filter is a matrix a^k; its degree of activation is

    a^k = Σ_i Σ_j a_ij^k,        x* = argmax_x a^k   (gradient ascent on the input x).

Here the CNN is the trained digits CNN of ``digits_cnn.py`` (loaded from its saved
``digits_cnn.npz``, or trained first). Starting from a grey image with a little noise, each
step moves x along ∂a^k/∂x (normalised) and clips it to the pixel range [0, 1]. All filters
of a layer are optimised at once, as one batch: image k only feeds filter k's sum. The
same for the 10 outputs (the class scores y_c, before the softmax) shows what the network
thinks each digit looks like: noise to us, a sure digit to the CNN. The slide's fix, a
penalty λ·Σ|x_ij| that prefers few inked pixels, makes them look more like digits.

    python examples/what_cnn_learns.py [--out DIR] [--steps N] [--small]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import minigrad as mg

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common.py (and friends) sit beside this script
from _common import parse_args, save, table  # noqa: E402
import digits_cnn  # noqa: E402


L1 = 0.5  # the weight of the slide's sparsity penalty on the class images


def activation_degree(part, x):
    """a^k for image k: Σ_ij of channel k of ``part(x)`` (N = K images, K channels)."""
    a = part(x)
    k = a.shape[1]
    onehot = np.eye(k, dtype=a.dtype).reshape((k, k) + (1,) * (a.ndim - 2))
    axes = tuple(range(1, a.ndim))
    return (a * mg.tensor(onehot)).sum(axis=axes)  # shape (K,): a^k of image k


def gradient_ascent(part, k, steps=100, lr=0.05, l1=0.0, seed=0, dtype=np.float32):
    """x*_k = argmax_x (a^k − l1·Σ_ij |x_ij|) for each of the K filters of ``part``, with 0 <= x <= 1.

    Returns (x*, a^k at start, a^k at x*). ``l1 > 0`` is the slide's regularised version: it
    prefers few inked pixels, so x* looks less like noise.
    """
    rng = np.random.default_rng(seed)
    x = (0.5 + 0.05 * rng.standard_normal((k, 1, 8, 8))).astype(dtype)
    start = None
    for _ in range(steps):
        xt = mg.tensor(x, requires_grad=True)
        a = activation_degree(part, xt)
        if start is None:
            start = a.data.copy()
        a.sum().backward()  # image k only reaches a^k, so one backward gives every ∂a^k/∂x_k
        g = xt.grad - l1  # ∂(−l1·Σ|x|)/∂x = −l1 (x >= 0)
        g = g / (np.sqrt((g ** 2).mean(axis=(1, 2, 3), keepdims=True)) + 1e-8)
        x = np.clip(x + lr * g, 0.0, 1.0).astype(dtype)
    with mg.no_grad():
        end = activation_degree(part, mg.tensor(x)).data
    return x, start, end


def load_or_train(args):
    """The trained digits CNN: from ``out/digits_cnn/digits_cnn.npz`` when present, else trained now."""
    path = args.out / "digits_cnn" / "digits_cnn.npz"
    model = digits_cnn.build_model()
    if path.exists() and not args.retrain:
        try:
            model.load(path)
            print(f"loaded the trained digits CNN from {path}")
            return model
        except ValueError as e:  # a file from an older minigrad, or damaged: train again
            print(f"not using {path}: {e}")
    print("training the digits CNN first (examples/digits_cnn.py) ...")
    mg.manual_seed(0)
    digits_cnn.train(model, digits_cnn.load_data(), epochs=4 if args.small else 20, progress=False)
    model.save(path)
    return model


def plot_grid(images, titles, path, title, cols=8):
    """The images x* as a grid of grey pictures (ink dark on white, 0..1, like the digits)."""
    import matplotlib.pyplot as plt

    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols, 1.35 * rows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([]), ax.set_yticks([])
        if i < len(images):
            ax.imshow(images[i, 0], cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(titles[i], fontsize=7)
        else:
            ax.axis("off")
    fig.suptitle(title, fontsize=10)
    return save(fig, path)


def main(argv=None) -> dict:
    def extra(p):
        p.add_argument("--steps", type=int, default=100, help="gradient-ascent steps (default 100)")
        p.add_argument("--retrain", action="store_true", help="train the CNN again even if it was saved")

    args = parse_args(__doc__.splitlines()[0], argv, extra)
    steps = 20 if args.small else args.steps
    out = args.out / "what_cnn_learns"
    out.mkdir(parents=True, exist_ok=True)
    model = load_or_train(args)
    model.eval()

    layers = [("conv1", model[digits_cnn.CONV1], 16), ("conv2", model[digits_cnn.CONV2], 32)]
    results, written = {}, []
    for name, part, k in layers:
        x, a0, a1 = gradient_ascent(part, k, steps=steps)
        results[name] = (x, a0, a1)
        print(f"\n{name}: a^k = Σ_ij a_ij^k of each filter, before and after {steps} steps of gradient ascent")
        table(["k", "a^k at start", "a^k at x*"], [[i + 1, f"{a0[i]:.3f}", f"{a1[i]:.3f}"] for i in range(min(k, 8))])
        if k > 8:
            print(f"... ({k - 8} more filters; every a^k rose: {bool(np.all(a1 >= a0))})")
        written.append(plot_grid(x, [f"k={i + 1}  a={a1[i]:.1f}" for i in range(k)], out / f"{name}_filters.png",
                                 f"{name}: x* = argmax_x a^k for each of its {k} filters (gradient ascent)"))

    # the classes: maximise the score y_c of each digit (the logits before the softmax)
    def class_scores(x):
        return model(x)[:, :, None, None]

    x, y0, y1 = gradient_ascent(class_scores, 10, steps=steps * 2)
    xr, _, yr = gradient_ascent(class_scores, 10, steps=steps * 2, l1=L1)
    with mg.no_grad():
        pred = model(mg.tensor(x)).data.argmax(axis=1)
        pred_r = model(mg.tensor(xr)).data.argmax(axis=1)
    print("\nclasses: the input that maximises each digit's score y_c, and what the CNN then predicts;")
    print(f"then the slide's regularised version, argmax_x (y_c - λ·Σ|x_ij|) with λ = {L1}")
    table(["digit c", "y_c at start", "y_c at x*", "predicted", "y_c with λ", "predicted with λ"],
          [[c, f"{y0[c]:.2f}", f"{y1[c]:.2f}", pred[c], f"{yr[c]:.2f}", pred_r[c]] for c in range(10)])
    titles = [f"y{c}={y1[c]:.1f} → {pred[c]}" for c in range(10)] + [f"λ: y{c}={yr[c]:.1f} → {pred_r[c]}"
                                                                     for c in range(10)]
    written.append(plot_grid(np.concatenate([x, xr]), titles, out / "classes.png",
                             f"x* = argmax_x y_c for each digit c (top), and with the penalty λ·Σ|x_ij|, λ = {L1} "
                             "(bottom)", cols=10))
    results["classes"] = (x, y0, y1)
    results["classes_l1"] = (xr, y0, yr)
    return {"results": results, "written": written, "predicted": pred, "predicted_l1": pred_r}


if __name__ == "__main__":
    main()
