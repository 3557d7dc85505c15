"""The diffusion view of a kernel (seed 003): softmax of the kernel as a propagator, applied again and again.

"Convolution = diffusion process (propagator = pdf)": a kernel whose entries are
probabilities (the softmax of the kernel, ``Z = softmax(K)``) moves each pixel's intensity
(the salt concentration) to its neighbours; applying it n times is n steps of diffusion.
The slide's ``Z = softmax([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])`` keeps 0.999 of each
pixel in place, so it diffuses slowly; a softer propagator ``softmax(K / T)`` (T = 4)
spreads faster. With circular padding no salt leaves the picture (the sum is conserved),
the spread of a single drop grows like ``n · Var(Z)`` (a random walk), and n steps equal
one multiplication by ``F[Z]ⁿ`` in Fourier space (the convolution theorem).

    python examples/diffusion.py [--out DIR] [--small]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

try:
    from _common import load_photo, parse_args, save, show_matrix, table
except ImportError:  # imported as examples.diffusion
    from examples._common import load_photo, parse_args, save, show_matrix, table

KERNEL = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64)
SLIDE_Z = np.array([[0.0001, 0.0001, 0.0001], [0.0001, 0.9992, 0.0001], [0.0001, 0.0001, 0.0001]])


def propagator(kernel, temperature=1.0):
    """``softmax(kernel / T)`` over all its entries (``F.softmax`` of the flattened kernel)."""
    flat = mg.tensor(np.asarray(kernel, dtype=np.float64).reshape(1, -1) / temperature)
    return F.softmax(flat, dim=1).data.reshape(np.shape(kernel))


def diffuse(image, Z, steps):
    """``steps`` applications of the propagator: ``x ← conv2d(x, Z)`` with circular padding."""
    x = mg.tensor(image[None, None])
    w = mg.tensor(Z[None, None])
    with mg.no_grad():
        for _ in range(steps):
            x = F.conv2d(x, w, padding=1, padding_mode="circular")
    return x.data[0, 0]


def fourier_power(image, Z, steps):
    """The same n steps in one go: ``F⁻¹(F[x] · conj(F[Z])ⁿ)`` (cross-correlation with Z, n times)."""
    padded = np.zeros_like(image)
    padded[:3, :3] = Z
    padded = np.roll(padded, (-1, -1), axis=(0, 1))  # the kernel's centre at (0, 0)
    return np.real(np.fft.ifft2(np.fft.fft2(image) * np.conj(np.fft.fft2(padded)) ** steps))


def axis_variance(Z):
    """Per-axis variance of one step of the random walk: sum of Z[i, j] * (i - 1)^2."""
    return float((Z * (np.arange(3) - 1.0)[:, None] ** 2).sum())


def drop_variance(field):
    """Per-axis variance of the distribution of salt in ``field`` (rows)."""
    p = field / field.sum()
    i = np.arange(field.shape[0], dtype=np.float64)
    mean = (p.sum(1) * i).sum()
    return float((p.sum(1) * (i - mean) ** 2).sum())


def main(argv=None) -> dict:
    """Print the slide's propagator, diffuse the photo and a drop, check the physics; draw it."""
    args = parse_args(__doc__.splitlines()[0], argv)
    Z = propagator(KERNEL)
    Z4 = propagator(KERNEL, 4.0)
    show_matrix("kernel K", KERNEL)
    show_matrix("Z = softmax(K), computed", Z, "{:.4f}")
    show_matrix("Z on the slide", SLIDE_Z, "{:.4f}")
    print(f"centre exactly: e^8 / (e^8 + 8 e^-1) = {Z[1, 1]:.6f}; edges e^-1 / (e^8 + 8 e^-1) = {Z[0, 0]:.6f}.\n"
          f"The slide's 0.9992 is 1 - 8 x 0.0001 (the edges rounded first); the exact centre rounds to "
          f"{Z[1, 1]:.4f}. Z sums to {Z.sum():.12f}.")
    show_matrix("a softer propagator, Z4 = softmax(K / 4)", Z4, "{:.4f}")

    photo = load_photo(small=True) if args.small else load_photo()[::2, ::2]
    steps = (0, 1, 10, 100) if args.small else (0, 1, 10, 100, 1000)
    rows_img, checks = [], []
    for label, P in (("Z (slide)", Z), ("Z4 = softmax(K/4)", Z4)):
        row, x, done = [], photo, 0
        for n in steps:
            x = diffuse(x, P, n - done)
            done = n
            row.append((f"{label}, {n} steps", x))
        fourier = fourier_power(photo, P, steps[-1])
        checks.append([label, steps[-1], f"{photo.sum():.6f}", f"{x.sum():.6f}",
                       f"{abs(x.sum() - photo.sum()) / photo.sum():.1e}", f"{np.abs(x - fourier).max():.1e}"])
        rows_img.append(row)
    print(f"\n== Diffusing the photo ({photo.shape[0]}x{photo.shape[1]}, circular padding) ==")
    table(["propagator", "steps n", "salt before", "salt after", "relative change",
           "max abs(conv^n - F⁻¹(F[x]·F[Z]ⁿ))"], checks)

    size, n = (65, 100) if args.small else (129, 400)
    drop = np.zeros((size, size))
    drop[size // 2, size // 2] = 1.0
    spread = diffuse(drop, Z4, n)
    measured, predicted = drop_variance(spread), n * axis_variance(Z4)
    print(f"\n== A drop of salt, {n} steps of Z4: a random walk ==\nvariance per axis: measured "
          f"{measured:.6f}, predicted n · Var(Z4) = {n} x {axis_variance(Z4):.6f} = {predicted:.6f}")

    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, len(steps), figsize=(2.9 * len(steps), 7.2))
    for r, row in enumerate(rows_img):
        for ax, (title, img) in zip(axes[r], row):
            ax.imshow(img, cmap="gray", vmin=0, vmax=1)
            ax.set_title(title, fontsize=9)
    drop_steps = [0, 1, n // 20, n // 4, n][:len(steps)]
    for ax, k in zip(axes[2], drop_steps):
        ax.imshow(diffuse(drop, Z4, k), cmap="magma")
        ax.set_title(f"a drop of salt, Z4, {k} steps", fontsize=9)
    for ax in axes.ravel():
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("softmax(kernel) as a propagator: each step moves intensity to the neighbours", fontsize=10)
    files = [save(fig, args.out / "diffusion.png", dpi=70)]
    return {"Z": Z, "Z4": Z4, "checks": checks, "variance": (measured, predicted), "files": files,
            "final": {label: row[-1][1] for label, row in zip(("Z", "Z4"), rows_img)}, "photo": photo}


if __name__ == "__main__":
    main()
