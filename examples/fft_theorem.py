"""The convolution theorem (seed 003): FFT convolution equals direct convolution, and wins for big kernels.

``feature map = input ⊗ kernel = F⁻¹(F[input] · F[kernel])``: a convolution is a product of
spectra. ``F.fft_conv2d`` computes ``F.conv2d`` (stride 1) that way with ``numpy.fft``; this
script prints the largest difference between the two (values and gradients), then times
both as the kernel grows (direct: ~H·W·k² multiply-adds; FFT: ~H·W·log(H·W) whatever k)
and shows where the FFT becomes faster. The spectrum picture shows "frequency filtering":
a Gaussian kernel keeps the low frequencies (high frequencies eliminated, a blur), an edge
kernel keeps the high ones. (The slide's √(2π) belongs to the continuous unitary Fourier
transform; the discrete FFT needs no factor.)

    python examples/fft_theorem.py [--out DIR] [--small]
"""
from __future__ import annotations

import time

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

try:
    from _common import load_photo, parse_args, save, table
except ImportError:  # imported as examples.fft_theorem
    from examples._common import load_photo, parse_args, save, table

GAUSS5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256
EDGE = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64)


def max_differences(photo, sizes, rng):
    """max |fft_conv2d - conv2d| of the values and of both gradients, for each kernel size."""
    rows, worst = [], 0.0
    for k in sizes:
        x = mg.tensor(photo[None, None], requires_grad=True)
        w = mg.tensor(rng.standard_normal((2, 1, k, k)), requires_grad=True)
        r = rng.standard_normal((1, 2) + photo.shape)
        out = {}
        for name, fn in (("direct", F.conv2d), ("fft", F.fft_conv2d)):
            x.zero_grad(), w.zero_grad()
            y = fn(x, w, padding=k // 2)
            (y * mg.tensor(r)).sum().backward()
            out[name] = (y.data, x.grad, w.grad)
        d = [float(np.abs(a - b).max()) for a, b in zip(out["direct"], out["fft"])]
        worst = max(worst, *d)
        rows.append([f"{k}x{k}", f"{d[0]:.1e}", f"{d[1]:.1e}", f"{d[2]:.1e}"])
    print(f"== FFT convolution equals direct convolution (photo {photo.shape[0]}x{photo.shape[1]}, "
          "2 random kernels, float64) ==")
    table(["kernel", "max abs Δ output", "max abs Δ grad input", "max abs Δ grad kernel"], rows)
    print(f"largest difference: {worst:.1e}")
    return worst


def best_time(fn, repeats, budget=0.3):
    """The fastest of at least ``repeats`` runs (more while they are cheap), in ms, after one warm-up."""
    fn()
    best, rounds, start = float("inf"), 0, time.perf_counter()
    while rounds < repeats or (time.perf_counter() - start < budget and rounds < 50):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
        rounds += 1
    return 1e3 * best


def timings(size, sizes, repeats, rng):
    """Forward time of F.conv2d and F.fft_conv2d on a size x size image as the kernel grows, one thread.

    BLAS is held to one thread (``threadpoolctl``, installed with scikit-learn): numpy.fft
    uses one anyway, and a two-thread BLAS on a machine whose other core is busy waits on
    it, which made the direct times jump 1 ms <-> 5 ms from run to run.
    """
    from threadpoolctl import threadpool_limits

    x = mg.tensor(rng.standard_normal((1, 1, size, size)))
    rows, table_rows = [], []
    with mg.no_grad(), threadpool_limits(limits=1):
        for k in sizes:
            w = mg.tensor(rng.standard_normal((1, 1, k, k)))
            direct = best_time(lambda: F.conv2d(x, w, padding=k // 2), repeats)
            fft = best_time(lambda: F.fft_conv2d(x, w, padding=k // 2), repeats)
            rows.append((k, direct, fft))
            table_rows.append([f"{k}x{k}", f"{direct:.2f}", f"{fft:.2f}", f"{direct / fft:.2f}",
                               "FFT" if fft < direct else "direct"])
    print(f"\n== Time of one forward pass, {size}x{size} image, one thread, fastest of >= {repeats} runs (ms) ==")
    table(["kernel", "conv2d (direct)", "fft_conv2d", "direct / FFT", "faster"], table_rows)
    crossover = None  # the smallest k from which the FFT wins for every larger kernel measured
    for k, d, f in reversed(rows):
        if f >= d:
            break
        crossover = k
    print("the FFT is faster from a " + (f"{crossover}x{crossover} kernel on (every larger one measured too)"
                                          if crossover else "kernel larger than measured"))
    return rows, crossover


def timing_picture(rows, size, path):
    """Direct vs FFT time against the kernel size."""
    import matplotlib.pyplot as plt

    k, direct, fft = (np.array(c) for c in zip(*rows))
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.plot(k, direct, "o-", label="F.conv2d (direct)")
    ax.plot(k, fft, "s-", label="F.fft_conv2d")
    ax.set_xlabel("kernel size k (k x k)")
    ax.set_ylabel("ms per forward pass")
    ax.set_yscale("log")
    ax.set_title(f"{size}x{size} image: direct ~ k², FFT ~ constant", fontsize=10)
    ax.legend()
    ax.grid(alpha=0.3)
    return save(fig, path)


def spectrum(a):
    """log(1 + |F[a]|), the zero frequency in the middle."""
    return np.log1p(np.abs(np.fft.fftshift(np.fft.fft2(a))))


def spectrum_picture(photo, path):
    """Per kernel: the photo's spectrum, the kernel's, their product, and the image it transforms back to."""
    import matplotlib.pyplot as plt

    H, W = photo.shape
    fig, axes = plt.subplots(2, 4, figsize=(13, 5.6))
    image_spec = np.fft.fft2(photo)
    for row, (name, k) in zip(axes, (("Gaussian blur 5x5", GAUSS5), ("edge detection", EDGE))):
        padded = np.zeros((H, W))
        padded[:k.shape[0], :k.shape[1]] = k
        padded = np.roll(padded, (-(k.shape[0] // 2), -(k.shape[1] // 2)), axis=(0, 1))  # centre at (0, 0)
        kernel_spec = np.fft.fft2(padded)
        result = F.fft_conv2d(mg.tensor(photo[None, None]), mg.tensor(k[None, None]), padding=k.shape[0] // 2)
        panels = [(spectrum(photo), "magma", "F[photo] (log magnitude)"),
                  (np.abs(np.fft.fftshift(kernel_spec)), "magma", f"|F[{name}]|"),
                  (np.log1p(np.abs(np.fft.fftshift(image_spec * kernel_spec))), "magma", "F[photo] · F[kernel]"),
                  (result.data[0, 0], "gray", f"F⁻¹(product) = photo ⊗ {name}")]
        for ax, (img, cmap, title) in zip(row, panels):
            lo, hi = np.percentile(img, [0.5, 99.5])  # the contrast of the bulk, not of a few extremes
            ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi)
            ax.set_title(title, fontsize=9)
            ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("frequency filtering: a blur keeps the low frequencies (centre), an edge kernel the high ones",
                 fontsize=10)
    return save(fig, path, dpi=70)


def main(argv=None) -> dict:
    """Check FFT = direct, time both as the kernel grows, draw the spectra; return the numbers."""
    args = parse_args(__doc__.splitlines()[0], argv)
    rng = np.random.default_rng(0)
    photo = load_photo(small=True)[:64, :96] if args.small else load_photo(small=True)
    worst = max_differences(photo, (3, 5, 9) if args.small else (3, 5, 9, 15), rng)
    size = 64 if args.small else 256
    sizes = (3, 9, 21) if args.small else (3, 5, 7, 9, 11, 15, 21, 31)
    rows, crossover = timings(size, sizes, 2 if args.small else 9, rng)
    files = [timing_picture(rows, size, args.out / "fft_timing.png"),
             spectrum_picture(load_photo(small=True) if args.small else load_photo()[::2, ::2],
                              args.out / "fft_spectrum.png")]
    return {"max_diff": worst, "timings": rows, "crossover": crossover, "files": files}


if __name__ == "__main__":
    main()
