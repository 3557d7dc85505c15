"""The slides' whole CNN (seed 004) on the 8x8 digits shipped with minigrad: data, model, training.

    input -> Convolution -> Max Pooling -> Convolution -> Max Pooling -> Flatten -> Linear

``minigrad demo`` runs :func:`run` for 3 epochs; ``examples/digits_cnn.py`` runs it for 20 and
draws the curves, filters, feature maps and predictions. Only NumPy and minigrad: no scikit-learn.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.datasets import load_digits

DTYPE = np.float32  # PyTorch's default precision; plenty for training, and faster than float64


def load_data(dtype=DTYPE):
    """The digits as (N, 1, 8, 8) arrays in [0, 1] with integer labels: 1,437 to train, 360 to test.

    The split is the fixed stratified one shipped with the data (scikit-learn's
    ``train_test_split(test_size=0.2, stratify=y, random_state=0)``), in its order.
    """
    digits = load_digits()
    x = (digits.images / 16.0).astype(dtype)[:, None]
    y = digits.labels
    return x[digits.train], y[digits.train], x[digits.test], y[digits.test]


def build_model(dtype=DTYPE) -> nn.Sequential:
    """Conv(1->16) BN ReLU Pool, Conv(16->32) BN ReLU Pool, Flatten, Linear(128->10): 6,186 weights."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, dtype=dtype), nn.BatchNorm2d(16, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, dtype=dtype), nn.BatchNorm2d(32, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10, dtype=dtype))


CONV1 = slice(0, 3)  # conv1, its BatchNorm and ReLU: model[CONV1](x) is the first block's feature maps
CONV2 = slice(0, 7)  # ... up to conv2's ReLU


def evaluate(model, x, y, batch_size=512):
    """(mean cross-entropy, accuracy) of ``model`` on (x, y), in eval mode without a graph."""
    model.eval()
    total, correct = 0.0, 0
    with mg.no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(mg.tensor(x[i:i + batch_size]))
            target = y[i:i + batch_size]
            total += F.cross_entropy(logits, mg.tensor(target), reduction="sum").item()
            correct += int((logits.data.argmax(axis=1) == target).sum())
    model.train()
    return total / len(x), correct / len(x)


def train_epoch(model, opt, x, y, batch_size, rng):
    """One pass over (x, y) in shuffled mini-batches; returns the mean training loss."""
    order = rng.permutation(len(x))
    losses = []
    for i in range(0, len(x), batch_size):
        idx = order[i:i + batch_size]
        loss = F.cross_entropy(model(mg.tensor(x[idx])), mg.tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return float(np.mean(losses))


def train(model, data, epochs=20, batch_size=32, lr=3e-3, seed=0, progress=True):
    """Train with Adam, the learning rate on a cosine from ``lr`` down to 0: lr_e = lr·(1 + cos(π e/E))/2.

    Returns the history: per-epoch train/test loss and accuracy, and the seconds so far.
    """
    from tqdm import tqdm

    xtr, ytr, xte, yte = data
    rng = np.random.default_rng(seed)
    opt = mg.optim.Adam(model.parameters(), lr=lr)
    hist = {"train_loss": [], "test_loss": [], "train_acc": [], "test_acc": [], "seconds": []}
    bar = tqdm(range(1, epochs + 1), desc="digits CNN", unit="epoch", disable=not progress, leave=True)
    t0 = time.perf_counter()
    for epoch in bar:
        for group in opt.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / epochs))
        train_epoch(model, opt, xtr, ytr, batch_size, rng)
        hist["seconds"].append(time.perf_counter() - t0)
        tr_loss, tr_acc = evaluate(model, xtr, ytr)
        te_loss, te_acc = evaluate(model, xte, yte)
        for k, v in zip(("train_loss", "train_acc", "test_loss", "test_acc"), (tr_loss, tr_acc, te_loss, te_acc)):
            hist[k].append(v)
        bar.set_postfix(loss=f"{tr_loss:.3f}", test_acc=f"{te_acc:.3f}")
        bar.write(f"epoch {epoch:2d}  train loss {tr_loss:.4f}  train acc {tr_acc:.3f}  "
                  f"test loss {te_loss:.4f}  test acc {te_acc:.3f}  ({hist['seconds'][-1]:.1f} s)")
    return hist


def run(out: Path, epochs: int = 20, seed: int = 0, progress: bool = True) -> dict:
    """Print the data and the model's summary, train, report the test accuracy and save the
    model to ``out/digits_cnn.npz``. Returns the numbers, the trained model, the data and the file."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mg.manual_seed(seed)
    data = load_data()
    xtr, ytr, xte, yte = data
    print(f"digits: {len(xtr)} training and {len(xte)} test images of 8x8 pixels, 10 classes")
    model = build_model()
    print(model)
    model.summary((1, 8, 8))

    t0 = time.perf_counter()
    hist = train(model, data, epochs=epochs, seed=seed, progress=progress)
    seconds = time.perf_counter() - t0
    test_acc = hist["test_acc"][-1]
    print(f"\ntest accuracy {test_acc:.2%} after {epochs} epochs in {seconds:.1f} s "
          f"({'meets' if test_acc >= 0.97 else 'below'} the 97 % goal)")
    saved = model.save(out / "digits_cnn.npz")
    print(f"saved the trained model to {saved} (load it with build_model().load(path))")
    return {"test_acc": test_acc, "seconds": seconds, "epochs": epochs, "history": hist, "model": model,
            "data": data, "saved": saved}
