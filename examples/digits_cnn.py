"""A small CNN on scikit-learn's handwritten digits (8x8, shipped with minigrad): the whole CNN of seed 004.

    input -> Convolution -> Max Pooling -> Convolution -> Max Pooling -> Flatten -> Linear

1,797 digits, 80 % to train and 20 % to test (a fixed stratified split shipped with the data).
Two conv blocks (1->16 and 16->32 channels, 3x3 kernels with padding 1, BatchNorm, ReLU, 2x2 max
pooling: 8x8 -> 4x4 -> 2x2), then a linear layer to the 10 classes, trained with Adam on the
cross-entropy (learning rate on a cosine). It reaches about 99 % test accuracy in a few seconds on
2 cores.

The data, the model and the training live in ``minigrad.demo.digits`` (``minigrad demo`` runs
them for 3 epochs). This script prints the model summary and one line per epoch, writes the
loss/accuracy curves, the learned 3x3 filters, the feature maps of one test digit and a page of
predictions to ``out/digits_cnn/``, and saves the trained model (``digits_cnn.npz``) for
``what_cnn_learns.py``.

    python examples/digits_cnn.py [--out DIR] [--epochs N] [--quick]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad.demo.digits import CONV1, CONV2, build_model, evaluate, load_data, run, train  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common.py (and friends) sit beside this script
from _common import parse_args, save  # noqa: E402


# ------------------------------------------------------------------ pictures
def plot_curves(hist, path):
    """Loss and accuracy per epoch, train and test."""
    import matplotlib.pyplot as plt

    ep = np.arange(1, len(hist["train_loss"]) + 1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3))
    a.plot(ep, hist["train_loss"], "o-", label="train")
    a.plot(ep, hist["test_loss"], "s-", label="test")
    a.set_xlabel("epoch"), a.set_ylabel("cross-entropy"), a.set_yscale("log"), a.legend(), a.set_title("loss")
    b.plot(ep, hist["train_acc"], "o-", label="train")
    b.plot(ep, hist["test_acc"], "s-", label="test")
    b.axhline(0.97, color="gray", lw=0.8, ls="--")
    b.set_xlabel("epoch"), b.set_ylabel("accuracy"), b.legend(), b.set_title("accuracy")
    return save(fig, path)


def plot_filters(weight, path, title="conv1: the 16 learned 3x3 filters"):
    """Each output channel's kernel (first input channel) as a small picture, blue < 0 < red."""
    import matplotlib.pyplot as plt

    w = weight[:, 0]
    cols = min(8, len(w))
    rows = -(-len(w) // cols)
    span = np.abs(w).max()
    fig, axes = plt.subplots(rows, cols, figsize=(1.1 * cols, 1.2 * rows + 0.4), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([]), ax.set_yticks([])
        if k < len(w):
            ax.imshow(w[k], cmap="RdBu_r", vmin=-span, vmax=span)
            ax.set_title(f"k={k + 1}", fontsize=8)
        else:
            ax.axis("off")
    fig.suptitle(title, fontsize=10)
    return save(fig, path)


def plot_feature_maps(model, image, label, path):
    """One test digit and what each block makes of it: conv1 (16 maps 8x8), conv2 (32 maps 4x4)."""
    import matplotlib.pyplot as plt

    with mg.no_grad():
        x = mg.tensor(image[None])
        model.eval()
        a1 = model[CONV1](x)  # conv1 + BatchNorm + ReLU: 16 x 8 x 8
        a2 = model[CONV2](x)  # ... pool, conv2 + BatchNorm + ReLU: 32 x 4 x 4
        model.train()
    fig = plt.figure(figsize=(10, 3.6))
    grid = fig.add_gridspec(4, 18, height_ratios=[2, 2, 1, 1])
    ax = fig.add_subplot(grid[1:3, 0:2])
    ax.imshow(image[0], cmap="gray_r"), ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(f"digit {label}", fontsize=9)
    for k in range(16):  # conv1: 2 rows of 8, each map two cells wide
        ax = fig.add_subplot(grid[k // 8, 2 + 2 * (k % 8): 4 + 2 * (k % 8)])
        ax.imshow(a1.data[0, k], cmap="viridis"), ax.set_xticks([]), ax.set_yticks([])
    for k in range(32):  # conv2: 2 rows of 16
        ax = fig.add_subplot(grid[2 + k // 16, 2 + k % 16])
        ax.imshow(a2.data[0, k], cmap="viridis"), ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("feature maps after conv1+BN+ReLU (rows 1-2: 16 maps of 8x8) and conv2+BN+ReLU (rows 3-4: 32 maps of 4x4)", fontsize=9)
    return save(fig, path)


def plot_predictions(model, x, y, path, n=40):
    """The first ``n`` test digits with the predicted label (red when wrong)."""
    import matplotlib.pyplot as plt

    with mg.no_grad():
        model.eval()
        pred = model(mg.tensor(x[:n])).data.argmax(axis=1)
        model.train()
    cols = 10
    fig, axes = plt.subplots(-(-n // cols), cols, figsize=(cols * 0.8, 0.95 * -(-n // cols)), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([]), ax.set_yticks([])
        if k >= n:
            ax.axis("off")
            continue
        ax.imshow(x[k, 0], cmap="gray_r")
        ok = pred[k] == y[k]
        ax.set_title(f"{pred[k]}" if ok else f"{pred[k]} (is {y[k]})", fontsize=8, color="black" if ok else "red")
    fig.suptitle("test digits and the model's answers", fontsize=10)
    return save(fig, path)


def main(argv=None) -> dict:
    def extra(p):
        p.add_argument("--epochs", type=int, default=20, help="training epochs (default 20)")
        p.add_argument("--quick", action="store_true", help="a short run (3 epochs), the same as --small")
        p.add_argument("--seed", type=int, default=0, help="random seed (weights and shuffling)")
        p.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")

    args = parse_args(__doc__.splitlines()[0], argv, extra)
    out = args.out / "digits_cnn"
    result = run(out, epochs=3 if args.quick or args.small else args.epochs, seed=args.seed,
                 progress=not args.no_progress)
    model, hist, (xtr, ytr, xte, yte) = result["model"], result["history"], result["data"]
    written = [plot_curves(hist, out / "curves.png"),
               plot_filters(model[0].weight.data, out / "filters.png"),
               plot_feature_maps(model, xte[0], yte[0], out / "feature_maps.png"),
               plot_predictions(model, xte, yte, out / "predictions.png"), result["saved"]]
    return {**result, "written": written}


if __name__ == "__main__":
    main()
