"""pad on tensors: constant, reflect, replicate and circular borders, each a gather with a clean adjoint.

Along one padded axis of size n with pads (before, after), output position j reads input
position ``t = j − before`` mapped back into [0, n):

- constant:  t itself, or the fill ``value`` outside the input;
- reflect:   −t left of the input, 2(n − 1) − t right of it (the edge is not repeated);
- replicate: clip(t, 0, n − 1);
- circular:  the input cropped by any negative pads first, then t modulo its size.

Negative pads crop, like PyTorch. Axes are padded one after another (the modes are separable).
The backward of a gather sums the gradient back into the positions read: the index map along an
axis is a few runs of step +1, −1 or 0, so each run is one slice-add (no ``np.add.at``).

Graph contract: op ``"pad"``, parents ``(x,)``, ``_ctx`` a :class:`PadCtx` with the fill ``value`` and the per-axis index maps (the
mode is in the maps).
"""
from __future__ import annotations

import numpy as np

from ..optable import register
from ..tensor import Tensor, needs_grad, record
from ..value import _const


def source_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each output position along one axis, the input position it copies (−1: the constant fill)."""
    j = np.arange(n + before + after)
    if mode == "circular":
        lo = max(-before, 0)
        m = n - lo - max(-after, 0)
        return lo + (j - max(before, 0)) % m
    t = j - before
    if mode == "constant":
        return np.where((t >= 0) & (t < n), t, -1)
    if mode == "reflect":
        return np.where(t < 0, -t, np.where(t >= n, 2 * (n - 1) - t, t))
    return np.clip(t, 0, n - 1)  # replicate


def _runs(idx: np.ndarray):
    """Split an index map into runs (out_start, out_stop, in_start, step) with step in {+1, −1, 0}."""
    runs, j, n = [], 0, len(idx)
    while j < n:
        if idx[j] < 0:
            j += 1
            continue
        k = j + 1
        step = int(idx[k] - idx[j]) if k < n and idx[k] >= 0 else 1
        if step not in (-1, 0, 1):
            step = 1
        else:
            while k < n and idx[k] >= 0 and idx[k] - idx[k - 1] == step:
                k += 1
        runs.append((j, k, int(idx[j]), step))
        j = k
    return runs


class PadCtx:
    """A pad node's fill value and, per padded axis, (axis, input size, index map)."""

    __slots__ = ("value", "axes")

    def __init__(self, value, axes):
        self.value, self.axes = value, axes


def pad(x: Tensor, pads, mode: str, value: float) -> Tensor:
    """``x`` padded on its last len(pads)/2 axes; ``pads`` in PyTorch order (last axis first)."""
    data = x.data
    axes = []
    for k in range(len(pads) // 2):
        axis = data.ndim - 1 - k
        before, after = pads[2 * k], pads[2 * k + 1]
        if before or after:
            axes.append((axis, data.shape[axis], source_index(data.shape[axis], before, after, mode)))
    if mode == "constant":
        out = _constant(data, axes, value)
    else:
        out = data
        for axis, _, idx in axes:
            out = np.take(out, idx, axis=axis)
        if not axes:
            out = data.copy()
    ctx = PadCtx(value, tuple(axes)) if needs_grad(x) else None
    return record(out, (x,), PAD, ctx)


def _constant(data, axes, value):
    """The constant mode in one go: a filled array with the kept block copied in."""
    shape, dst, src = list(data.shape), [slice(None)] * data.ndim, [slice(None)] * data.ndim
    for axis, _, idx in axes:
        shape[axis] = len(idx)
        inside = np.flatnonzero(idx >= 0)
        if len(inside):
            dst[axis] = slice(inside[0], inside[-1] + 1)
            src[axis] = slice(idx[inside[0]], idx[inside[-1]] + 1)
        else:
            dst[axis] = src[axis] = slice(0, 0)
    out = np.full(shape, value, dtype=data.dtype)
    out[tuple(dst)] = data[tuple(src)]
    return out


def _pad_backward(out, g, needs):
    for axis, n, idx in reversed(out._ctx.axes):
        g = _gather_adjoint(g, axis, n, idx)
    return (g,)


def _pad_expand(t, A):
    """The same gather on Values: padding positions are one constant leaf (the fill)."""
    c = t._ctx
    fill = _const(float(c.value or 0.0), "pad")
    for axis, _, index in c.axes:
        B = np.take(A, np.where(index >= 0, index, 0), axis=axis)
        outside = np.nonzero(index < 0)[0]
        if outside.size:
            sl = [slice(None)] * B.ndim
            sl[axis] = outside
            B[tuple(sl)] = fill
        A = B
    return A


PAD = register("pad", _pad_backward, scalar=False, expand=_pad_expand)


def _gather_adjoint(g: np.ndarray, axis: int, n: int, idx: np.ndarray) -> np.ndarray:
    """Σ over the output positions j with idx[j] = i of g[..., j, ...], for every input position i."""
    shape = list(g.shape)
    shape[axis] = n
    res = np.zeros(shape, dtype=g.dtype)
    lead = (slice(None),) * axis
    for j0, j1, i0, step in _runs(idx):
        part = g[lead + (slice(j0, j1),)]
        if step == 1:
            res[lead + (slice(i0, i0 + j1 - j0),)] += part
        elif step == -1:
            res[lead + (slice(i0 - (j1 - j0) + 1, i0 + 1),)] += np.flip(part, axis)
        else:
            res[lead + (slice(i0, i0 + 1),)] += part.sum(axis=axis, keepdims=True)
    return res
