"""The slides' matplotlib pictures: feature maps, kernels, a kernel applied to an image,
image grids and loss curves. Plain functions that write a file and return its Path
(matplotlib's object API, so no GUI and no pyplot state)."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import fail
from ..tensor import Tensor
from ..value import Value
from .render import check_path

FORMATS = (".png", ".svg", ".pdf", ".jpg")
MAX_PANELS = 64


def as_array(fn: str, arg: str, x) -> np.ndarray:
    """A float array from a Tensor, a grid of Values, an ndarray or nested lists of numbers."""
    if isinstance(x, Tensor):
        return np.asarray(x.data, dtype=np.float64)
    if isinstance(x, Value):
        return np.array(x.data)
    arr = np.asarray(x, dtype=object) if not isinstance(x, np.ndarray) else x
    if arr.dtype == object:
        out = np.empty(arr.shape, dtype=np.float64)
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, Value):
                out[idx] = v.data
            elif isinstance(v, numbers.Real) and not isinstance(v, bool):
                out[idx] = float(v)
            else:
                fail(fn, f"{arg}{list(idx)} is {type(v).__name__} {v!r}, not a number ({arg} shape {arr.shape})",
                     TypeError)
        return out
    if arr.dtype.kind not in "fiub":
        fail(fn, f"{arg} must be numeric, got dtype {arr.dtype}", TypeError)
    return arr.astype(np.float64)


def _figure(rows, cols, size=1.9, extra_h=0.0):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(max(2.0, cols * size), max(2.0, rows * size + extra_h)), dpi=100)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes


def _save(fig, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix[1:].lower().replace("jpg", "jpeg"), bbox_inches="tight")
    return path


def _annotate(ax, im, a, fmt="{:g}"):
    """Write each cell's number on a small matrix (kernels, the slides' 4x4 maps), white on
    dark cells and black on light ones."""
    if a.size > 49:
        return
    for (i, j), v in np.ndenumerate(a):
        r, g, b, _ = im.cmap(im.norm(v))
        ax.text(j, i, fmt.format(round(float(v), 3)), ha="center", va="center", fontsize=8,
                color="white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black")


def show_feature_maps(maps, path, cmap="viridis", title=None, numbers=None):
    """Each channel of ``maps`` as an image: (H,W), (C,H,W) or (N,C,H,W) (one row per image).

    ``numbers`` (default: when a map has at most 7x7 cells) writes the values in the cells.
    """
    fn = "viz.show_feature_maps"
    path = check_path(fn, path, FORMATS)
    a = as_array(fn, "maps", maps)
    if a.ndim == 2:
        a = a[None, None]
    elif a.ndim == 3:
        a = a[None]
    elif a.ndim != 4:
        fail(fn, f"maps must be (H, W), (C, H, W) or (N, C, H, W), got shape {a.shape}")
    n, c = min(a.shape[0], 8), min(a.shape[1], MAX_PANELS)
    fig, axes = _figure(n, c)
    for i in range(n):
        for j in range(c):
            ax = axes[i, j]
            im = ax.imshow(a[i, j], cmap=cmap, interpolation="nearest")
            if numbers or (numbers is None and a.shape[2] * a.shape[3] <= 49):
                _annotate(ax, im, a[i, j])
            ax.set_title(f"channel {j}" if n == 1 else f"image {i}, channel {j}", fontsize=8)
    if title:
        fig.suptitle(title, y=1.0, va="bottom", parse_math=False)
    return _save(fig, path)


def show_kernels(weight, path, title=None, cmap="RdBu_r"):
    """A layer's kernels, one panel per (out, in) pair: weight (kh,kw), (C,kh,kw) or (O,C,kh,kw).

    A diverging colour map centred on 0, so positive and negative taps read apart; small
    kernels get their numbers written in the cells.
    """
    fn = "viz.show_kernels"
    path = check_path(fn, path, FORMATS)
    w = as_array(fn, "weight", weight.weight if hasattr(weight, "weight") and not isinstance(weight, Tensor) else weight)
    if w.ndim == 2:
        w = w[None, None]
    elif w.ndim == 3:
        w = w[None]
    elif w.ndim != 4:
        fail(fn, f"weight must be (kh, kw), (C, kh, kw) or (O, C, kh, kw), got shape {w.shape}")
    o, c = min(w.shape[0], MAX_PANELS), min(w.shape[1], 16)
    lim = float(np.max(np.abs(w))) or 1.0
    fig, axes = _figure(o, c, size=1.8)
    for i in range(o):
        for j in range(c):
            ax = axes[i, j]
            im = ax.imshow(w[i, j], cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
            _annotate(ax, im, w[i, j])
            ax.set_title(f"out {i}, in {j}", fontsize=7)
    if title:
        fig.suptitle(title, y=1.0, va="bottom", parse_math=False)
    return _save(fig, path)


def correlate_same(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation with zero padding keeping the image's size:
    ``out[i,j] = sum_uv image[i+u-ph, j+v-pw] * kernel[u,v]``."""
    kh, kw = kernel.shape
    ph, pw = (kh - 1) // 2, (kw - 1) // 2
    padded = np.pad(image, ((ph, kh - 1 - ph), (pw, kw - 1 - pw)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))
    return np.einsum("ijuv,uv->ij", windows, kernel)


def show_kernel_application(image, kernels, path, title=None):
    """Each kernel applied to ``image`` (cross-correlation, zero 'same' padding): one row
    per kernel showing image ⊗ kernel = result, like the slides' table of filters.

    ``image`` is (H,W) (or (1,H,W), (1,1,H,W)); ``kernels`` a (kh,kw) array, a stack
    (K,kh,kw), or a dict {name: kernel} (e.g. identity, edge detection, sharpen, box blur).
    """
    fn = "viz.show_kernel_application"
    path = check_path(fn, path, FORMATS)
    img = as_array(fn, "image", image)
    while img.ndim > 2 and img.shape[0] == 1:
        img = img[0]
    if img.ndim != 2:
        fail(fn, f"image must be one gray image (H, W), got shape {as_array(fn, 'image', image).shape}")
    if isinstance(kernels, dict):
        if not kernels:
            fail(fn, "kernels is an empty dict")
        names = [str(k) for k in kernels]
        ks = [as_array(fn, f"kernels[{k!r}]", v) for k, v in kernels.items()]
    else:
        k = as_array(fn, "kernels", kernels)
        ks = [k] if k.ndim == 2 else list(k.reshape((-1,) + k.shape[-2:])) if k.ndim in (3, 4) else None
        if ks is None:
            fail(fn, f"kernels must be (kh, kw), (K, kh, kw) or a dict of them, got shape {k.shape}")
        names = [f"kernel {i}" for i in range(len(ks))]
    for name, k in zip(names, ks):
        if k.ndim != 2:
            fail(fn, f"kernel {name!r} must be 2-D (kh, kw), got shape {k.shape}")
        if k.shape[0] > img.shape[0] or k.shape[1] > img.shape[1]:
            fail(fn, f"kernel {name!r} {k.shape} is larger than the image {img.shape}")
    ks = ks[:MAX_PANELS]
    fig, axes = _figure(len(ks), 3, size=2.2)
    for r, (name, k) in enumerate(zip(names, ks)):
        out = correlate_same(img, k)
        axes[r, 0].imshow(img, cmap="gray", interpolation="nearest")
        axes[r, 0].set_title("image", fontsize=8)
        lim = float(np.max(np.abs(k))) or 1.0
        im = axes[r, 1].imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        _annotate(axes[r, 1], im, k, "{:.3g}")
        axes[r, 1].set_title(f"⊗ {name}", fontsize=8, parse_math=False)
        axes[r, 2].imshow(out, cmap="gray", interpolation="nearest")
        axes[r, 2].set_title("= result", fontsize=8)
    if title:
        fig.suptitle(title, y=1.0, va="bottom", parse_math=False)
    return _save(fig, path)


def show_images(images, path, labels=None, ncols=8, cmap="gray", title=None):
    """A grid of images: (N,H,W), (N,1,H,W) or (N,3,H,W) (RGB), with optional labels."""
    fn = "viz.show_images"
    path = check_path(fn, path, FORMATS)
    a = as_array(fn, "images", images)
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 4 and a.shape[1] in (1, 3):
        a = a[:, 0] if a.shape[1] == 1 else np.moveaxis(a, 1, -1)
    if a.ndim not in (3, 4) or (a.ndim == 4 and a.shape[-1] != 3):
        fail(fn, f"images must be (N, H, W), (N, 1, H, W) or (N, 3, H, W), got shape {as_array(fn, 'images', images).shape}")
    if not isinstance(ncols, numbers.Integral) or isinstance(ncols, bool) or ncols < 1:
        fail(fn, f"ncols must be an int >= 1, got {ncols!r}", TypeError if not isinstance(ncols, numbers.Integral) else ValueError)
    if labels is not None and len(labels) != len(a):
        fail(fn, f"labels has {len(labels)} entries but there are {len(a)} images")
    n = min(len(a), MAX_PANELS)
    cols = min(ncols, n)
    rows = math.ceil(n / cols)
    fig, axes = _figure(rows, cols, size=1.3)
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.set_axis_off()
            continue
        img = a[k]
        if img.ndim == 3:  # RGB: scale into [0, 1] for imshow
            lo, hi = float(img.min()), float(img.max())
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        ax.imshow(img, cmap=cmap, interpolation="nearest")
        if labels is not None:
            ax.set_title(str(labels[k]), fontsize=8, parse_math=False)
    if title:
        fig.suptitle(title, y=1.0, va="bottom", parse_math=False)
    return _save(fig, path)


def plot_curves(curves, path, title=None, xlabel="epoch", ylabel=None, logy=False):
    """Line plot of ``{name: [y0, y1, ...]}`` (loss and accuracy curves), one line per name."""
    fn = "viz.plot_curves"
    path = check_path(fn, path, FORMATS)
    if not isinstance(curves, dict) or not curves:
        fail(fn, f"curves must be a non-empty dict {{name: list of numbers}}, got {type(curves).__name__}",
             TypeError if not isinstance(curves, dict) else ValueError)
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6, 3.6), dpi=100)
    ax = fig.add_subplot()
    for name, ys in curves.items():
        if not isinstance(ys, (list, tuple, np.ndarray, Tensor)):
            fail(fn, f"curves[{name!r}] must be a list of numbers, got {type(ys).__name__}", TypeError)
        if isinstance(ys, (list, tuple)):
            ys = [v.item() if isinstance(v, Tensor) else v for v in ys]
        y = as_array(fn, f"curves[{name!r}]", ys)
        if y.ndim != 1 or y.size == 0:
            fail(fn, f"curves[{name!r}] must be a non-empty 1-D list of numbers, got shape {y.shape}")
        ax.plot(np.arange(len(y)), y, marker="o" if len(y) <= 30 else None, markersize=3, label=str(name))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel, parse_math=False)
    if ylabel:
        ax.set_ylabel(ylabel, parse_math=False)
    if title:
        ax.set_title(title, parse_math=False)
    ax.grid(alpha=0.3)
    for text in ax.legend().get_texts():  # names are text, not mathtext
        text.set_parse_math(False)
    fig.tight_layout()
    return _save(fig, path)
