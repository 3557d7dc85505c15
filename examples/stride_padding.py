"""Stride, padding (zero, constant, copy boundary, reflect, circular), dilation, and the output-size quiz.

Seeds 000-002: "Output Size: (N - F) / Stride + 1"; with padding P it is
``floor((N + 2P - F) / S) + 1`` and with dilation D the kernel spans ``D(F - 1) + 1``
pixels (``F.conv_output_size``). The quiz: a 480x640 image, a 5x5 filter, stride 5,
padding 5 -> 98x130; with 3 input channels and 9 filters -> 9 output channels.
Stride is "top-left sub-sampling": a stride-2 convolution is the stride-1 convolution
keeping every second row and column. Padding keeps the size (7x7 -> 7x7) and decides
what the kernel sees past the border: zeros, a constant, a copy of the boundary
(replicate), a mirror (reflect) or the other side (circular). A 3x3 kernel with
dilation 2 reads a 5x5 patch with holes (``F 0 F 0 F``). A stride below 1 (seed 003's
"fractionally-strided convolution") upsamples: zeros between the pixels, then a convolution.

    python examples/stride_padding.py [--out DIR] [--small]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

try:
    from _common import load_photo, parse_args, save, show_matrix, table
except ImportError:  # imported as examples.stride_padding
    from examples._common import load_photo, parse_args, save, show_matrix, table

PAD_MODES = [("zero", "constant", 0.0), ("constant 0.5", "constant", 0.5), ("copy boundary", "replicate", 0.0),
             ("reflect", "reflect", 0.0), ("circular", "circular", 0.0)]


def quiz():
    """Seed 000's quiz: (480x640) 3-channel image, 9 filters of 5x5, stride 5, padding 5."""
    h = F.conv_output_size(480, 5, stride=5, padding=5)
    w = F.conv_output_size(640, 5, stride=5, padding=5)
    x = mg.zeros(1, 3, 480, 640)
    weight = mg.zeros(9, 3, 5, 5)
    with mg.no_grad():
        y = F.conv2d(x, weight, stride=5, padding=5)
    print("== Quiz: (480x640) image, 3 channels => 9 filters of 5x5, stride 5, padding 5 ==")
    print(f"height: floor((480 + 2*5 - 5) / 5) + 1 = {h}")
    print(f"width:  floor((640 + 2*5 - 5) / 5) + 1 = {w}")
    print(f"F.conv2d on a (1, 3, 480, 640) input with a (9, 3, 5, 5) weight gives {tuple(y.shape)}: "
          f"{y.shape[2]}x{y.shape[3]}, {y.shape[1]} channels (one per filter)")
    rgb = load_photo(rgb=True)
    with mg.no_grad():
        z = F.conv2d(mg.tensor(rgb[None]), mg.randn(9, 3, 5, 5), stride=5, padding=5)
    print(f"the same layer on the colour photo china.jpg, RGB = 3 channels {rgb.shape}: output {tuple(z.shape)}")
    return {"size": (h, w), "shape": tuple(y.shape), "photo_shape": tuple(z.shape)}


def output_sizes():
    """The slides' other sizes, from the formula and from running the convolution."""
    cases = [("seed 001: no padding", 7, 3, 1, 0, 1), ("seed 001: zero padding", 7, 3, 1, 1, 1),
             ("seed 000: no padding, stride=2", 7, 3, 2, 0, 1), ("seed 002: 128x128 image", 128, 3, 1, 0, 1),
             ("seed 002: padding, stride 2", 128, 3, 2, 1, 1), ("seed 000: dilation=2", 7, 3, 1, 0, 2)]
    rows, sizes = [], {}
    for label, n, k, s, p, d in cases:
        formula = F.conv_output_size(n, k, stride=s, padding=p, dilation=d)
        with mg.no_grad():
            ran = F.conv2d(mg.zeros(1, 1, n, n), mg.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape[-1]
        rows.append([label, f"{n}x{n}", f"{k}x{k}", s, p, d, f"{formula}x{formula}", f"{ran}x{ran}"])
        sizes[label] = ran
    print("\n== Output sizes: floor((N + 2P - D(F-1) - 1) / S) + 1 ==")
    table(["case", "N", "F", "stride", "padding", "dilation", "formula", "conv2d"], rows)
    return sizes


def stride_is_subsampling(photo):
    """A stride-2 convolution equals the stride-1 one with every second row and column kept."""
    x = mg.tensor(photo[None, None])
    w = mg.tensor(np.array([[[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]]], dtype=np.float64))
    y1, y2 = F.conv2d(x, w, stride=1).data, F.conv2d(x, w, stride=2).data
    diff = float(np.abs(y2 - y1[..., ::2, ::2]).max())
    print(f"\n== Stride: top-left sub-sampling ==\nphoto {photo.shape}: stride 1 -> {y1.shape[2:]}, "
          f"stride 2 -> {y2.shape[2:]}; max |stride2 - stride1[::2, ::2]| = {diff:.1e}")
    return diff


def padding_modes():
    """``F.pad`` of the 3x3 grid 1..9 by 2 on every side, in each mode of seed 002."""
    x = mg.tensor(np.arange(1.0, 10.0).reshape(1, 1, 3, 3))
    print("\n== Padding: what the kernel sees past the border (F.pad by 2 on each side) ==")
    padded = {}
    for label, mode, value in PAD_MODES:
        p = F.pad(x, (2, 2, 2, 2), mode=mode, value=value).data[0, 0]
        show_matrix(f"{label} (mode={mode!r}{', value=0.5' if value else ''})", p)
        padded[label] = p
    return padded


def dilation_demo():
    """A 3x3 kernel with dilation 2 is the 5x5 kernel with zeros between its taps (``F 0 F 0 F``)."""
    print("\n== Dilation 2: a 3x3 kernel reads a 5x5 patch with holes ==")
    X = mg.scalar.grid(np.arange(1.0, 50.0).reshape(7, 7), "x")
    W = mg.scalar.grid(np.ones((3, 3)), "w")
    s11 = mg.scalar.conv2d(X, W, dilation=2, name="s")[0, 0]
    print("s11 = " + " + ".join(f"{x.name}*{w.name}" for x, w in (m.parents for m in s11.parents)))
    pattern = np.full((5, 5), "0", dtype=object)
    pattern[::2, ::2] = "F"
    print("the taps it reads:\n" + "\n".join("  " + " ".join(r) for r in pattern))
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((1, 1, 9, 9)))
    w3 = rng.standard_normal((1, 1, 3, 3))
    w5 = np.zeros((1, 1, 5, 5))
    w5[..., ::2, ::2] = w3
    a = F.conv2d(x, mg.tensor(w3), dilation=2).data
    b = F.conv2d(x, mg.tensor(w5)).data
    diff = float(np.abs(a - b).max())
    print(f"conv2d(x, w3x3, dilation=2) vs conv2d(x, w5x5 with holes): shapes {a.shape[2:]} and "
          f"{b.shape[2:]}, max |difference| = {diff:.1e}")
    return {"s11_inputs": [m.parents[0].name for m in s11.parents], "diff": diff}


def fractional_stride():
    """Seed 003: a transposed ("fractionally-strided") convolution = upsample with zeros, then convolve.

    ``conv_transpose2d(x, w, stride=s)`` equals inserting ``s - 1`` zeros between the pixels
    of x, padding by ``k - 1`` and convolving (kernel flipped): 3x3 -> 5x5 at stride 1 (the
    "full convolution"), 3x3 -> 7x7 at stride 2.
    """
    print("\n== Fractional stride (seed 003): upsample, then convolve ==")
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [2.0, 0.0, 1.0]]]])
    diffs = {}
    for s in (1, 2):
        up = np.zeros((1, 1, 2 * s + 1, 2 * s + 1))
        up[..., ::s, ::s] = x
        y = F.conv_transpose2d(mg.tensor(x), mg.tensor(w), stride=s).data
        z = F.convolve2d(mg.tensor(up), mg.tensor(w), padding=2).data
        diffs[s] = (y.shape[2:], float(np.abs(y - z).max()))
        if s == 2:
            show_matrix("3x3 input with zeros inserted (stride 2)", up[0, 0])
        print(f"stride {s}: conv_transpose2d of the 3x3 input 1..9 gives {y.shape[2]}x{y.shape[3]}; "
              f"max |it - convolve2d(upsampled, w, padding=2)| = {diffs[s][1]:.1e}")
    return diffs


def padding_picture(photo, path):
    """Row 1: the photo padded in each mode. Row 2: a big box blur using that padding, same size.

    The blur's kernel is a fifth of the picture's height, so it runs through the FFT
    (``F.fft_conv2d``, the same result as ``F.conv2d``; see fft_theorem.py).
    """
    import matplotlib.pyplot as plt

    if photo.shape[0] > 200:
        photo = photo[::2, ::2]
    p, k = photo.shape[0] // 4, photo.shape[0] // 16 * 2 + 1
    x = mg.tensor(photo[None, None])
    box = mg.tensor(np.full((1, 1, k, k), 1.0 / k**2))
    fig, axes = plt.subplots(2, len(PAD_MODES), figsize=(3.0 * len(PAD_MODES), 5.8))
    with mg.no_grad():
        for (label, mode, value), top, bottom in zip(PAD_MODES, axes[0], axes[1]):
            padded = F.pad(x, (p, p, p, p), mode=mode, value=value).data[0, 0]
            blurred = F.fft_conv2d(F.pad(x, (k // 2,) * 4, mode=mode, value=value), box).data[0, 0]
            top.imshow(padded, cmap="gray", vmin=0, vmax=1)
            top.add_patch(plt.Rectangle((p - 0.5, p - 0.5), photo.shape[1], photo.shape[0], fill=False,
                                        color="crimson", lw=1))
            top.set_title(f"{label}\n(mode={mode!r})", fontsize=9)
            bottom.imshow(blurred, cmap="gray", vmin=0, vmax=1)
            bottom.set_title(f"{k}x{k} box blur, same size", fontsize=9)
            for ax in (top, bottom):
                ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("padding decides what the kernel sees past the border (seed 002)", fontsize=10)
    return save(fig, path)


def main(argv=None) -> dict:
    """Answer the quiz, print sizes, padding modes and dilation; draw the padding picture."""
    args = parse_args(__doc__.splitlines()[0], argv)
    photo = load_photo(small=args.small)
    results = {"quiz": quiz(), "sizes": output_sizes(), "stride_diff": stride_is_subsampling(photo),
               "padded": padding_modes(), "dilation": dilation_demo(), "transposed": fractional_stride()}
    results["files"] = [padding_picture(photo, args.out / "padding_modes.png")]
    return results


if __name__ == "__main__":
    main()
