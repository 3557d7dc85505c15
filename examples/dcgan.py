"""DCGAN on 8x8 digits (seed 003), following the slide's "guidelines for stable deep convolutional GANs":

- no pooling: strided convolutions in the discriminator, fractionally-strided (transposed)
  convolutions in the generator;
- batchnorm in both the generator and the discriminator;
- no fully connected hidden layers;
- ReLU in the generator for all layers except the output, which uses Tanh;
- LeakyReLU in the discriminator for all layers.

Generator:      z (16x1x1) -ConvT 2x2-> 64x2x2 -ConvT 4x4/2-> 32x4x4 -ConvT 4x4/2-> 1x8x8, Tanh
Discriminator:  1x8x8 -Conv 4x4/2-> 32x4x4 -Conv 4x4/2-> 64x2x2 -Conv 2x2-> 1 logit

Trained with Adam (lr 2e-4, β1 = 0.5, as in the DCGAN paper) on the 1,797 scikit-learn
digits scaled to [-1, 1], the discriminator on real-vs-fake, the generator on "make the
discriminator say real" (the non-saturating loss). It writes a grid of generated samples
(after each quarter of the training and at the end), the losses and a side-by-side with
real digits to ``out/dcgan/``.

    python examples/dcgan.py [--out DIR] [--epochs N] [--small]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common.py (and friends) sit beside this script
from _common import parse_args, save, wrote  # noqa: E402

NZ = 16
DTYPE = np.float32


def generator(nz=NZ, dtype=DTYPE) -> nn.Sequential:
    """Transposed convolutions with BatchNorm + ReLU, Tanh at the output: z (nz,1,1) → 1x8x8."""
    return nn.Sequential(
        nn.ConvTranspose2d(nz, 64, 2, 1, 0, bias=False, dtype=dtype), nn.BatchNorm2d(64, dtype=dtype), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False, dtype=dtype), nn.BatchNorm2d(32, dtype=dtype), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, 2, 1, dtype=dtype), nn.Tanh())


def discriminator(dtype=DTYPE) -> nn.Sequential:
    """Strided convolutions with LeakyReLU(0.2) (BatchNorm after the second): 1x8x8 → one logit."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1, dtype=dtype), nn.LeakyReLU(0.2),
        nn.Conv2d(32, 64, 4, 2, 1, bias=False, dtype=dtype), nn.BatchNorm2d(64, dtype=dtype), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 1, 2, 1, 0, dtype=dtype), nn.Flatten(0))


def dcgan_init_(model):
    """The DCGAN paper's initialisation: conv weights N(0, 0.02²), BatchNorm γ ~ N(1, 0.02²), β = 0."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return model


def load_digits_tanh(dtype=DTYPE):
    """All 1,797 digits as (N, 1, 8, 8) in [-1, 1] (the Tanh output's range)."""
    from minigrad.datasets import load_digits

    return (load_digits().images / 8.0 - 1.0).astype(dtype)[:, None]


def train(epochs=60, batch_size=64, lr=2e-4, seed=0, progress=True, log_every=10, n_images=None):
    """Alternate one discriminator and one generator step per batch; returns (G, D, history).

    ``n_images`` trains on the first n digits only (the quick runs of the tests).
    """
    from tqdm import tqdm

    mg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data = load_digits_tanh()[:n_images]
    G, D = dcgan_init_(generator()), dcgan_init_(discriminator())
    opt_g = mg.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = mg.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    fixed_z = rng.standard_normal((64, NZ, 1, 1)).astype(DTYPE)
    hist = {"d_loss": [], "g_loss": [], "d_real": [], "d_fake": [], "snapshots": []}
    bar = tqdm(range(1, epochs + 1), desc="DCGAN", unit="epoch", disable=not progress)
    for epoch in bar:
        order = rng.permutation(len(data))
        dl, gl, dr, df = [], [], [], []
        for i in range(0, len(data) - batch_size + 1, batch_size):
            real = mg.tensor(data[order[i:i + batch_size]])
            n = real.shape[0]
            ones, zeros = mg.tensor(np.ones(n, DTYPE)), mg.tensor(np.zeros(n, DTYPE))
            z = mg.tensor(rng.standard_normal((n, NZ, 1, 1)).astype(DTYPE))
            # discriminator: real → 1, fake → 0 (the fake is detached: G is not updated here)
            fake = G(z)
            d_real, d_fake = D(real), D(fake.detach())
            loss_d = (F.binary_cross_entropy_with_logits(d_real, ones)
                      + F.binary_cross_entropy_with_logits(d_fake, zeros))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            # generator: make D say "real" for the fake
            loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            dl.append(loss_d.item()), gl.append(loss_g.item())
            dr.append(float((d_real.data > 0).mean())), df.append(float((d_fake.data < 0).mean()))
        for k, v in zip(("d_loss", "g_loss", "d_real", "d_fake"), (dl, gl, dr, df)):
            hist[k].append(float(np.mean(v)))
        bar.set_postfix(d_loss=f"{hist['d_loss'][-1]:.3f}", g_loss=f"{hist['g_loss'][-1]:.3f}")
        if epoch % max(1, epochs // 4) == 0 or epoch == epochs:
            hist["snapshots"].append((epoch, sample(G, fixed_z)))
        if log_every and (epoch % log_every == 0 or epoch == epochs):
            bar.write(f"epoch {epoch:3d}  D loss {hist['d_loss'][-1]:.3f}  G loss {hist['g_loss'][-1]:.3f}  "
                      f"D right on real {hist['d_real'][-1]:.2f}, on fake {hist['d_fake'][-1]:.2f}")
    return G, D, hist


def sample(G, z):
    """G(z) in eval mode (BatchNorm running statistics), as images in [0, 1]."""
    G.eval()
    with mg.no_grad():
        x = G(mg.tensor(z)).data
    G.train()
    return (x + 1) / 2


def plot_samples(images, path, title, cols=8):
    """A grid of 8x8 digits (mg.viz.show_images), ink dark on white like the dataset's pictures.

    The title is printed, not drawn: the grid stays compact.
    """
    print(title)
    return wrote(mg.viz.show_images(images, path, ncols=cols, cmap="gray_r"))


def plot_progress(hist, path):
    """Losses per epoch and the samples of the same z after each quarter of the training."""
    import matplotlib.pyplot as plt

    snaps = hist["snapshots"][-3:]
    fig = plt.figure(figsize=(10, 3.2))
    grid = fig.add_gridspec(2, 4 + 4 * len(snaps))
    ax = fig.add_subplot(grid[:, :4])
    ep = np.arange(1, len(hist["d_loss"]) + 1)
    ax.plot(ep, hist["d_loss"], label="D loss"), ax.plot(ep, hist["g_loss"], label="G loss")
    ax.set_xlabel("epoch"), ax.legend(fontsize=8), ax.set_title("losses", fontsize=9)
    for j, (epoch, imgs) in enumerate(snaps):
        for r in range(2):
            for c in range(2):
                a = fig.add_subplot(grid[r, 4 + 4 * j + 2 * c: 4 + 4 * j + 2 * c + 2])
                a.imshow(imgs[2 * r + c, 0], cmap="gray_r", vmin=0, vmax=1), a.axis("off")
                if r == 0 and c == 0:
                    a.set_title(f"epoch {epoch}", fontsize=8, loc="left")
    return save(fig, path)


def main(argv=None) -> dict:
    def extra(p):
        p.add_argument("--epochs", type=int, default=60, help="training epochs (default 60)")
        p.add_argument("--quick", action="store_true", help="the same as --small")
        p.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")

    args = parse_args(__doc__.splitlines()[0], argv, extra)
    small = args.small or args.quick
    epochs = 2 if small else args.epochs
    out = args.out / "dcgan"
    out.mkdir(parents=True, exist_ok=True)
    G, D = generator(), discriminator()
    print("Generator:")
    G.summary((NZ, 1, 1))
    print("Discriminator:")
    D.summary((1, 8, 8))
    t0 = time.perf_counter()
    G, D, hist = train(epochs=epochs, progress=not args.no_progress, n_images=320 if small else None)
    seconds = time.perf_counter() - t0
    print(f"\ntrained {epochs} epochs in {seconds:.1f} s")
    final = hist["snapshots"][-1][1]
    real = (load_digits_tanh()[:64] + 1) / 2
    written = [plot_samples(final, out / "samples.png", f"DCGAN samples after {epochs} epochs (64 fixed z)"),
               plot_samples(real, out / "real.png", "real digits (for comparison)"),
               plot_progress(hist, out / "progress.png"),
               G.save(out / "generator.npz")]
    return {"seconds": seconds, "history": hist, "written": written, "samples": final}


if __name__ == "__main__":
    main()
