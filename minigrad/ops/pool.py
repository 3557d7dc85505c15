"""max_pool2d and avg_pool2d on tensors: one strided view per window tap, combined elementwise.

``max:  out[n,c,i,j] = max_{u,v} xpad[n, c, i·sh + u·dh, j·sw + v·dw]``  (padding is −∞)
``avg:  out[n,c,i,j] = (1/count) Σ_{u,v} xpad[n, c, i·sh + u, j·sw + v]``  (padding is 0)

Max pooling walks the kh·kw taps in row-major order and keeps a tap only when it is strictly
larger (or NaN), so ties go to the first maximum in the window, exactly PyTorch's rule; the
winning tap per output is remembered (int8; int32 for huge windows) and the backward sends
each gradient to it, one strided slice per tap. A handful of ``np.maximum`` passes over views
beats an ``argmax`` over a window axis by about 10x in NumPy.

Graph contract: op ``"max_pool2d"``, parents ``(x,)``, ``_ctx`` a :class:`PoolCtx` with
``kernel_size, stride, padding, dilation`` and ``tap`` (the winning tap u·kw + v per output);
op ``"avg_pool2d"``, ``_ctx`` a ``PoolCtx`` with ``divisor`` (the count per output).
"""
from __future__ import annotations

import numpy as np

from ..grids import windows
from ..optable import register
from ..tensor import Tensor, needs_grad, record
from ..value import max_node, sum_node


def output_size(size, kernel, stride, padding, dilation) -> int:
    """floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


class PoolCtx:
    """A pooling node's hyper-parameters, input shape and what its backward needs."""

    __slots__ = ("kernel_size", "stride", "padding", "dilation", "shape", "out_hw", "tap", "divisor")

    def __init__(self, kernel_size, stride, padding, dilation, shape, out_hw, tap=None, divisor=None):
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.shape, self.out_hw, self.tap, self.divisor = shape, out_hw, tap, divisor


def _padded(x: np.ndarray, padding, fill) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    buf = np.full(x.shape[:-2] + (x.shape[-2] + 2 * ph, x.shape[-1] + 2 * pw), fill, dtype=x.dtype)
    buf[..., ph:ph + x.shape[-2], pw:pw + x.shape[-1]] = x
    return buf


def _tap_slices(kernel, stride, dilation, out_hw):
    """For each tap (u, v) in row-major order, the (rows, cols) slices of the padded input it reads."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    for u in range(kh):
        for v in range(kw):
            yield (slice(u * dh, u * dh + sh * (ho - 1) + 1, sh), slice(v * dw, v * dw + sw * (wo - 1) + 1, sw))


def _crop(g: np.ndarray, padding, shape) -> np.ndarray:
    ph, pw = padding
    return g[..., ph:ph + shape[-2], pw:pw + shape[-1]]


# ---------------------------------------------------------------- max pooling
def max_pool2d(x: Tensor, kernel_size, stride, padding, dilation):
    """Max over each window (first maximum wins); returns (out Tensor, winning tap array)."""
    xd = x.data
    (kh, kw), (ph, pw) = kernel_size, padding
    h, w = xd.shape[-2:]
    out_hw = (output_size(h, kh, stride[0], ph, dilation[0]), output_size(w, kw, stride[1], pw, dilation[1]))
    buf = _padded(xd, padding, -np.inf)
    taps = _tap_slices(kernel_size, stride, dilation, out_hw)
    rows, cols = next(taps)
    out = buf[..., rows, cols].copy()
    tap = np.zeros(out.shape, dtype=np.int8 if kh * kw < 128 else np.int32)
    for t, (rows, cols) in enumerate(taps, start=1):
        v = buf[..., rows, cols]
        # strictly larger wins, so ties keep the first; t grows, so max() overwrites earlier winners
        np.maximum(tap, (v > out) * tap.dtype.type(t), out=tap)
        np.maximum(out, v, out=out)                    # NaN propagates into the value
    if np.isnan(out).any():
        _nan_taps(buf, out.shape, tap, kernel_size, stride, dilation, out_hw)
    if ph or pw:
        _first_real_tap(out, tap, kernel_size, stride, padding, dilation, (h, w))
    ctx = PoolCtx(kernel_size, stride, padding, dilation, xd.shape, out_hw, tap=tap) if needs_grad(x) else None
    return record(out, (x,), MAX_POOL2D, ctx), tap


def _nan_taps(buf, shape, tap, kernel, stride, dilation, out_hw):
    """PyTorch's rule where a window holds NaN: the last NaN in the window is the one selected."""
    for t, (rows, cols) in enumerate(_tap_slices(kernel, stride, dilation, out_hw)):
        np.copyto(tap, t, where=np.isnan(buf[..., rows, cols]))


def _first_real_tap(out, tap, kernel, stride, padding, dilation, hw):
    """A window whose real values are all −∞ selects its first real element (PyTorch), not padding."""
    stuck = out == -np.inf
    if not stuck.any():
        return
    (_, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    ho, wo = out.shape[-2:]
    u0 = -(-np.maximum(ph - sh * np.arange(ho), 0) // dh)   # first u with i·sh + u·dh − ph >= 0
    v0 = -(-np.maximum(pw - sw * np.arange(wo), 0) // dw)
    first = (u0[:, None] * kw + v0[None, :]).astype(tap.dtype)
    np.copyto(tap, np.broadcast_to(first, tap.shape), where=stuck)


def _max_pool2d_backward(out, g, needs):
    ctx = out._ctx
    gbuf = np.zeros(ctx.shape[:-2] + tuple(n + 2 * p for n, p in zip(ctx.shape[-2:], ctx.padding)), g.dtype)
    finite = bool(np.isfinite(g).all())    # then g·mask is exact and much faster than np.where
    (kh, kw), (sh, sw), (dh, dw) = ctx.kernel_size, ctx.stride, ctx.dilation
    disjoint = sh > dh * (kh - 1) and sw > dw * (kw - 1)   # windows never overlap: assign, not add
    zero = g.dtype.type(0)
    for t, (rows, cols) in enumerate(_tap_slices(ctx.kernel_size, ctx.stride, ctx.dilation, ctx.out_hw)):
        mask = ctx.tap == t
        if disjoint and finite:
            np.multiply(g, mask, out=gbuf[..., rows, cols])   # straight into the taps' places: no temporary
            continue
        part = g * mask if finite else np.where(mask, g, zero)
        if disjoint:
            gbuf[..., rows, cols] = part
        else:
            gbuf[..., rows, cols] += part
    return (_crop(gbuf, ctx.padding, ctx.shape),)


def _max_pool2d_expand(t, A):
    """One n-ary max node per window (ties: the first maximum, like PyTorch and the tensor op)."""
    c = t._ctx
    out = np.empty(t.shape, dtype=object)
    for idx, win in windows(A, c.kernel_size, c.stride, c.padding, c.dilation, t.shape[-2:]):
        out[idx] = max_node(win)
    return out


MAX_POOL2D = register("max_pool2d", _max_pool2d_backward, scalar=False, expand=_max_pool2d_expand)


def flat_indices(tap: np.ndarray, kernel_size, stride, padding, dilation, width) -> np.ndarray:
    """PyTorch's ``return_indices``: the winner's flat index row·W + col in each (unpadded) input plane."""
    (_, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    ho, wo = tap.shape[-2:]
    t = tap.astype(np.int64)
    row = np.arange(ho)[:, None] * sh - ph + (t // kw) * dh
    col = np.arange(wo)[None, :] * sw - pw + (t % kw) * dw
    return row * width + col


# ---------------------------------------------------------------- average pooling
def avg_pool2d(x: Tensor, kernel_size, stride, padding, count_include_pad) -> Tensor:
    """Mean over each window; the divisor counts the zero padding only when ``count_include_pad``."""
    xd = x.data
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    h, w = xd.shape[-2:]
    out_hw = (output_size(h, kh, sh, ph, 1), output_size(w, kw, sw, pw, 1))
    buf = _padded(xd, padding, 0)
    taps = _tap_slices(kernel_size, stride, (1, 1), out_hw)
    rows, cols = next(taps)
    out = buf[..., rows, cols].copy()
    with np.errstate(all="ignore"):   # inf − inf is NaN, silently
        for rows, cols in taps:
            out += buf[..., rows, cols]
    if count_include_pad or (ph == 0 and pw == 0):
        divisor = np.asarray(kh * kw, dtype=xd.dtype)
    else:
        per_row, per_col = _real_count(h, kh, sh, ph, out_hw[0]), _real_count(w, kw, sw, pw, out_hw[1])
        divisor = np.outer(per_row, per_col).astype(xd.dtype)
    out /= divisor
    ctx = PoolCtx(kernel_size, stride, padding, (1, 1), xd.shape, out_hw, divisor=divisor) if needs_grad(x) else None
    return record(out, (x,), AVG_POOL2D, ctx)


def _real_count(size, k, s, p, n_out) -> np.ndarray:
    """How many of each window's k positions along one axis fall inside the unpadded input."""
    start = np.arange(n_out) * s - p
    return np.minimum(start + k, size) - np.maximum(start, 0)


def _avg_pool2d_backward(out, g, needs):
    ctx = out._ctx
    g = g / ctx.divisor
    gbuf = np.zeros(ctx.shape[:-2] + tuple(n + 2 * p for n, p in zip(ctx.shape[-2:], ctx.padding)), g.dtype)
    for rows, cols in _tap_slices(ctx.kernel_size, ctx.stride, (1, 1), ctx.out_hw):
        gbuf[..., rows, cols] += g
    return (_crop(gbuf, ctx.padding, ctx.shape),)


def _avg_pool2d_expand(t, A):
    """One sum node per window, then one * node by 1/count."""
    c = t._ctx
    divisor = np.broadcast_to(np.asarray(c.divisor, dtype=float), t.shape[-2:])
    out = np.empty(t.shape, dtype=object)
    for idx, win in windows(A, c.kernel_size, c.stride, c.padding, (1, 1), t.shape[-2:]):
        out[idx] = sum_node(win) * (1.0 / float(divisor[idx[-2:]]))
    return out


AVG_POOL2D = register("avg_pool2d", _avg_pool2d_backward, scalar=False, expand=_avg_pool2d_expand)
