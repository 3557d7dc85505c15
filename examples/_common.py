"""What every example shares: the command line (``--out DIR``, ``--small``), the photo, printing.

Each example is a script (``python examples/kernels.py``) whose ``main(argv=None)`` parses
the command line with :func:`parse_args`, prints what its slide shows, writes its pictures
into ``--out`` (default ``out/``) and returns its numbers as a dict, so a test can call
``main(["--small", "--out", tmp])`` and check them.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # pictures go to files; no window ever opens

import numpy as np  # noqa: E402


def parse_args(description: str, argv=None, extra=None) -> argparse.Namespace:
    """``--out DIR`` (created; default ``out/``) and ``--small`` (a fast run for tests)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("MINIGRAD_OUT", "out")),
                        help="directory the pictures are written to (default: out/)")
    parser.add_argument("--small", action="store_true",
                        help="a small, fast run (smaller photo, fewer sizes); used by the tests")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def load_photo(small: bool = False, rgb: bool = False) -> np.ndarray:
    """scikit-learn's ``china.jpg`` (427x640, shipped offline) as grayscale float64 in [0, 1].

    Gray = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601). ``small`` keeps every 4th pixel
    in each direction (107x160). ``rgb=True`` gives the colour photo as 3 channels (3, H, W).
    """
    from sklearn.datasets import load_sample_image

    colour = load_sample_image("china.jpg").astype(np.float64) / 255.0
    image = np.moveaxis(colour, -1, 0) if rgb else colour @ np.array([0.299, 0.587, 0.114])
    return np.ascontiguousarray(image[..., ::4, ::4] if small else image)


def show_matrix(title: str, matrix, fmt: str = "{:g}") -> str:
    """Print a small matrix the way a slide shows it: a title line, then aligned rows."""
    m = np.asarray(matrix)
    if m.ndim == 1:
        m = m[None]
    cells = [[fmt.format(x) for x in row] for row in m]
    width = max(len(c) for row in cells for c in row)
    text = "\n".join([title] + ["  " + "  ".join(c.rjust(width) for c in row) for row in cells])
    print(text)
    return text


def table(headers, rows) -> str:
    """Print a markdown table (the same text renders in a terminal and in the docs)."""
    if any("|" in str(c) for c in [*headers, *(c for r in rows for c in r)]):
        raise ValueError("table: a cell contains '|', which would break the markdown table")
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    text = "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])
    print(text)
    return text


def wrote(path) -> Path:
    """Say where a picture went (every example ends with the list of files it wrote)."""
    path = Path(path)
    print(f"wrote {path}")
    return path


def number_grids(rows, suptitle: str = "", cell: float = 0.55, cmap: str = "Blues", symmetric: bool = False):
    """A figure of small matrices drawn like the slides: shaded cells with their numbers written in.

    ``rows`` is a list of rows, each a list of ``(title, matrix)`` (a ``None`` matrix leaves
    the place empty); ``symmetric`` centres the colours on 0 (for a diverging ``cmap``).
    Returns ``(fig, axes)`` (axes indexed ``[row][col]``) so a caller can ring or outline
    cells before :func:`save`.
    """
    import matplotlib.pyplot as plt

    ncols = max(len(r) for r in rows)
    shapes = [[np.shape(m) if m is not None else (1, 1) for _, m in r] for r in rows]
    widths = [max(s[c][-1] if c < len(s) else 1 for s in shapes) for c in range(ncols)]
    height = max(s[0] for row in shapes for s in row)
    fig, axes = plt.subplots(len(rows), ncols, squeeze=False, gridspec_kw={"width_ratios": widths},
                             figsize=(cell * sum(widths) + 0.5 * ncols, (cell * height + 0.6) * len(rows) + 0.3))
    for r, row in enumerate(rows):
        for c in range(ncols):
            ax = axes[r][c]
            ax.set_xticks([]), ax.set_yticks([])
            if c >= len(row) or row[c][1] is None:
                ax.axis("off")
                continue
            title, m = row[c]
            m = np.atleast_2d(np.asarray(m, dtype=float))
            span = max(abs(m).max(), 1e-9)
            lo, hi = (-1.4 * span, 1.4 * span) if symmetric else (min(m.min(), 0.0), 1.6 * span)
            ax.imshow(m, cmap=cmap, vmin=lo, vmax=hi)
            for (i, j), v in np.ndenumerate(m):
                ax.text(j, i, f"{v:.4g}", ha="center", va="center", fontsize=10 if m.shape[1] < 8 else 7)
            ax.set_title(title, fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig, axes


def save(fig, path, dpi: int = 80) -> Path:
    """Lay out, write the figure to ``path`` (PNG by suffix), close it, and say where it went."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return wrote(path)
