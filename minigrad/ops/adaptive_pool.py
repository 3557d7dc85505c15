"""Adaptive pooling: the output size is given and each output's window is computed, PyTorch's
way: along an axis of n inputs and m outputs, output i pools inputs floor(i·n/m) up to
ceil((i+1)·n/m) (windows may overlap by one and differ in size by one).

Average pooling is separable: a mean over each row window, then over each column window, one
NumPy slice per output row and column. Max pooling walks its Ho·Wo windows (a few dozen for the
usual 7×7 or 1×1 outputs), each vectorised over N and C; ties go to the first maximum in the
window's row-major order and a NaN wins (the last NaN), like PyTorch.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..optable import register
from ..tensor import Tensor, needs_grad, record
from ..value import max_node, sum_node


def bounds(n: int, m: int) -> list:
    """The m windows ``(start, stop)`` over n inputs."""
    return [((i * n) // m, -(-((i + 1) * n) // m)) for i in range(m)]


class Adaptive(NamedTuple):
    """An adaptive pool's input shape, its row and column windows, and (max) the flat argmax indices."""

    shape: tuple
    rows: list
    cols: list
    indices: object = None


# ---------------------------------------------------------------- average
def adaptive_avg_pool2d(x: Tensor, out_hw) -> Tensor:
    """The mean of each window over the last two axes."""
    xd = x._data
    rows, cols = bounds(xd.shape[-2], out_hw[0]), bounds(xd.shape[-1], out_hw[1])
    with np.errstate(all="ignore"):
        by_row = np.stack([xd[..., a:b, :].mean(axis=-2) for a, b in rows], axis=-2)
        data = np.stack([by_row[..., a:b].mean(axis=-1) for a, b in cols], axis=-1)
    return record(data, (x,), ADAPTIVE_AVG_POOL2D, Adaptive(xd.shape, rows, cols) if needs_grad(x) else None)


def _adaptive_avg_pool2d_backward(out, g, needs):
    shape, rows, cols, _ = out._ctx
    by_row = np.zeros(g.shape[:-1] + (shape[-1],), g.dtype)
    for j, (a, b) in enumerate(cols):
        by_row[..., a:b] += g[..., j:j + 1] / (b - a)
    gx = np.zeros(shape, g.dtype)
    for i, (a, b) in enumerate(rows):
        gx[..., a:b, :] += by_row[..., i:i + 1, :] / (b - a)
    return (gx,)


def _windows(t, A):
    """``(index, window)`` for every output: the window's Values in row-major order."""
    _, rows, cols, _ = t._ctx
    for lead in np.ndindex(*A.shape[:-2]):
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                yield lead + (i, j), tuple(A[lead][r0:r1, c0:c1].ravel())


def _adaptive_avg_pool2d_expand(t, A):
    """One sum node per window, then one * node by 1/count."""
    out = np.empty(t.shape, dtype=object)
    for idx, win in _windows(t, A):
        out[idx] = sum_node(win) * (1.0 / len(win))
    return out


ADAPTIVE_AVG_POOL2D = register("adaptive_avg_pool2d", _adaptive_avg_pool2d_backward, scalar=False,
                               expand=_adaptive_avg_pool2d_expand)


# ---------------------------------------------------------------- max
def adaptive_max_pool2d(x: Tensor, out_hw):
    """The maximum of each window over the last two axes, and its flat index into H·W (PyTorch's
    ``return_indices``), as ``(values, indices)``; the indices are an int64 ndarray."""
    xd = x._data
    h, w = xd.shape[-2:]
    rows, cols = bounds(h, out_hw[0]), bounds(w, out_hw[1])
    lead = xd.shape[:-2]
    data = np.empty(lead + tuple(out_hw), xd.dtype)
    indices = np.empty(lead + tuple(out_hw), np.int64)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            win = xd[..., r0:r1, c0:c1].reshape(lead + (-1,))
            nan = np.isnan(win)
            last_nan = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
            k = np.where(nan.any(axis=-1), last_nan, np.argmax(win, axis=-1))
            data[..., i, j] = np.take_along_axis(win, k[..., None], axis=-1)[..., 0]
            indices[..., i, j] = (r0 + k // (c1 - c0)) * w + c0 + k % (c1 - c0)
    ctx = Adaptive(xd.shape, rows, cols, indices)
    return record(data, (x,), ADAPTIVE_MAX_POOL2D, ctx), indices


def _adaptive_max_pool2d_backward(out, g, needs):
    shape, _, _, indices = out._ctx
    lead = int(np.prod(shape[:-2], dtype=np.int64))
    gx = np.zeros((lead, shape[-2] * shape[-1]), g.dtype)
    np.add.at(gx, (np.arange(lead)[:, None], indices.reshape(lead, -1)), g.reshape(lead, -1))
    return (gx.reshape(shape),)


def _adaptive_max_pool2d_expand(t, A):
    """One n-ary max node per window (it records its selection; ties go to the first)."""
    out = np.empty(t.shape, dtype=object)
    for idx, win in _windows(t, A):
        out[idx] = max_node(win)
    return out


ADAPTIVE_MAX_POOL2D = register("adaptive_max_pool2d", _adaptive_max_pool2d_backward, scalar=False,
                               expand=_adaptive_max_pool2d_expand)
