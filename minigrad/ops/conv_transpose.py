"""conv_transpose2d: the adjoint of conv2d, so ⟨conv2d(y, w), x⟩ = ⟨y, conv_transpose2d(x, w)⟩.

``out[n, co, i·sh + u·dh − pt, j·sw + v·dw − pl] += x[n, ci, i, j] · w[ci, co, u, v]`` for every
input pixel (i, j) and tap (u, v), plus ``bias[co]``, with weight (C_in, C_out/groups, kh, kw).
Each input pixel scatters a kh×kw copy of the kernel, ``stride`` apart: the "fractionally
strided" convolution that takes 3×3 to 5×5.

Forward = conv2d's input-gradient (``transpose_conv``: ``wᵀ @ x``, then one shifted add per tap);
backward = conv2d's forward (im2col of the gradient, then matmuls). Output size:
``(H − 1)·sh − pt − pb + dh·(kh − 1) + output_padding + 1``.

Graph contract: op ``"conv_transpose2d"``, parents ``(x, w)`` or ``(x, w, b)``, ``_ctx`` a
``ConvCtx`` (conv.py) whose ``padding`` is (top, bottom, left, right) and ``geom`` the geometry of
the adjoint conv2d (its input is this op's output).
"""
from __future__ import annotations

import numpy as np

from ..optable import register
from ..tensor import Tensor, needs_grad, record
from ..value import _const, sum_node
from .conv import (ConvCtx, Geometry, batched, bias_grad, grouped, im2col, narrow, transpose_conv, widen,
                   wrap_free_product)


def output_size(h, w, kernel, stride, padding, dilation, output_padding) -> tuple:
    """(H_out, W_out) = ((H − 1)·s − pt − pb + d·(k − 1) + output_padding + 1) per axis."""
    (kh, kw), (sh, sw), (pt, pb, pl, pr), (dh, dw), (oh, ow) = kernel, stride, padding, dilation, output_padding
    return ((h - 1) * sh - pt - pb + dh * (kh - 1) + oh + 1,
            (w - 1) * sw - pl - pr + dw * (kw - 1) + ow + 1)


def geometry(h, w, kernel, stride, padding, dilation, output_padding) -> Geometry:
    """The adjoint conv2d's geometry: input = this op's output, output = this op's input (h, w)."""
    hw = output_size(h, w, kernel, stride, padding, dilation, output_padding)
    return Geometry(hw, kernel, stride, dilation, padding, out_hw=(h, w))


def conv_transpose2d(x: Tensor, w: Tensor, b, stride, padding, output_padding, groups, dilation) -> Tensor:
    """x (N, C_in, H, W) or (C_in, H, W), w (C_in, C_out/groups, kh, kw), b (C_out,): validated already."""
    xd, unbatched, dtype = batched(x, w, b)
    n, _, h, wd = xd.shape
    cin, cout_g, kh, kw = w.data.shape
    g = geometry(h, wd, (kh, kw), stride, padding, dilation, output_padding)
    w3 = np.ascontiguousarray(w.data.astype(dtype, copy=False)).reshape(groups, cin // groups, -1)
    with np.errstate(all="ignore"):   # inf and NaN propagate silently, as everywhere
        out = transpose_conv(w3, xd, g)                         # (N, C_out, H_out, W_out), fresh
        if b is not None:
            out += b.data.astype(dtype, copy=False)[:, None, None]
    if unbatched:
        out = out[0]
    parents = (x, w) if b is None else (x, w, b)
    ctx = None
    if needs_grad(*parents):
        ctx = ConvCtx(stride, dilation, padding, groups, False, g, w3, xd, unbatched)
    return record(out, parents, CONV_TRANSPOSE2D, ctx)


def _conv_transpose2d_backward(out, gy, needs):
    w = out.parents[1]
    ctx = out._ctx
    g, groups = ctx.geom, ctx.groups
    if ctx.unbatched:
        gy = gy[None]
    grads = [None] * len(needs)
    if len(needs) == 3 and needs[2]:
        grads[2] = bias_grad(gy)
    if not (needs[0] or needs[1]):
        return grads
    cols = grouped(im2col(gy.astype(ctx.w3.dtype, copy=False), g), groups)  # (N, g, C_out/g·kh·kw, L), scratch
    if needs[1]:
        xw = grouped(widen(ctx.saved, g), groups)
        gw = wrap_free_product(xw, cols, g)                                 # (g, C_in/g, C_out/g·kh·kw)
        grads[1] = gw.reshape(w.data.shape)
    if needs[0]:
        gx = np.matmul(ctx.w3, cols)                                        # (N, g, C_in/g, L), fresh
        n = gx.shape[0]
        gx = narrow(gx.reshape(n, gx.shape[1] * gx.shape[2], g.L), g)
        grads[0] = gx[0] if ctx.unbatched else gx
    return grads


def _conv_transpose2d_expand(t, X, Wt, bias=None):
    """out[n, co, a, b] = Σ x[n, ci, i, j] · w[ci, co, u, v] over a = i·sh + u·dh − pt, b = j·sw + v·dw − pl
    (+ b[co]): every input pixel scatters a copy of the kernel; one ``sum`` node per output."""
    c = t._ctx
    X = X[None] if c.unbatched else X
    N, Cin, H, Wd = X.shape
    _, cog, kh, kw = Wt.shape
    (sh, sw), (dh, dw), (pt, _, pl, _) = c.stride, c.dilation, c.padding
    shape = (N,) + t.shape[-3:]
    cig = Cin // c.groups
    taps = {}
    for n, ci, i, j in np.ndindex(N, Cin, H, Wd):
        grp = ci // cig
        for co, u, v in np.ndindex(cog, kh, kw):
            a, b = i * sh + u * dh - pt, j * sw + v * dw - pl
            if 0 <= a < shape[2] and 0 <= b < shape[3]:
                taps.setdefault((n, grp * cog + co, a, b), []).append(X[n, ci, i, j] * Wt[ci, co, u, v])
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        parts = taps.get(idx, []) + ([bias[idx[1]]] if bias is not None else [])
        out[idx] = sum_node(tuple(parts)) if parts else _const(0.0, "expand")
    return out[0] if c.unbatched else out


CONV_TRANSPOSE2D = register("conv_transpose2d", _conv_transpose2d_backward, scalar=False,
                            expand=_conv_transpose2d_expand)
