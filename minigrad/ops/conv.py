"""conv2d on tensors: pad → sliding-window view (im2col) → one batched matmul; backward per kernel tap.

``out[n,o,i,j] = b[o] + Σ_{c,u,v} x[n, c, i·sh + u·dh − pt, j·sw + v·dw − pl] · w[o, c, u, v]``
(cross-correlation, like PyTorch; ``convolve2d`` is the same with ``w`` flipped in both axes).

The windows are a strided *view* of the zero-padded input, copied once into ``cols``
(N, C·kh·kw, L); the product is ``w (O, C·kh·kw) @ cols`` per image (BLAS, float32 stays float32).
The backward sends ``wᵀ @ grad`` back through the same view one kernel tap at a time: kh·kw
strided slice-adds, never ``np.add.at``.

Stride 1 uses the "wide" trick: each output row is computed over the whole padded width Wb,
so the rows of a window line up in memory and every tap is one long contiguous run (the few
extra columns are dropped). That keeps both the im2col copy and the per-tap adds fast.

Graph contract: op ``"conv2d"`` (or ``"convolve2d"`` with the kernel flipped), parents
``(x, w)`` or ``(x, w, b)``, ``_ctx`` a :class:`ConvCtx` (``stride``, ``dilation``,
``padding`` as (top, bottom, left, right), ``groups``, ``flip``). conv_transpose.py reuses the
helpers below: it is this op's adjoint.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..tensor import Tensor, accumulate, needs_grad, record

MAX_BUFFER_BYTES = 2 * 1024 ** 3  # an im2col (windows) buffer larger than this is refused up front


class Geometry:
    """Where every window of a convolution lies: input, padded buffer and output sizes.

    ``H, W`` the input size, ``pads`` (top, bottom, left, right), ``Ho, Wo`` the output size;
    the padded buffer is ``Hb × Wb`` and each output row is computed over ``Wx`` columns
    (``Wx = Wb`` in the wide stride-1 layout, else ``Wo``).
    """

    __slots__ = ("H", "W", "kh", "kw", "sh", "sw", "dh", "dw", "pads", "Ho", "Wo", "Hb", "Wb", "Wx", "wide")

    def __init__(self, hw, kernel, stride, dilation, pads, out_hw=None):
        self.H, self.W = hw
        self.kh, self.kw = kernel
        self.sh, self.sw = stride
        self.dh, self.dw = dilation
        self.pads = pt, pb, pl, pr = pads
        Hp, Wp = self.H + pt + pb, self.W + pl + pr
        if out_hw is None:
            out_hw = ((Hp - self.dh * (self.kh - 1) - 1) // self.sh + 1,
                      (Wp - self.dw * (self.kw - 1) - 1) // self.sw + 1)
        self.Ho, self.Wo = out_hw
        self.wide = self.sh == 1 and self.sw == 1
        self.Wb = Wp
        self.Wx = Wp if self.wide else self.Wo
        # the wide view of the last row reads up to (kw-1)·dw elements past the padded image
        self.Hb = Hp + (1 if self.wide and self.kw > 1 else 0)

    @property
    def L(self) -> int:
        """Output positions per channel as laid out in ``cols``: Ho·Wx."""
        return self.Ho * self.Wx

    def cols_nbytes(self, n, c, itemsize) -> int:
        """Bytes of the im2col buffer (N, C·kh·kw, L) for ``n`` images of ``c`` channels."""
        return n * c * self.kh * self.kw * self.L * itemsize


def pad_buffer(x: np.ndarray, g: Geometry) -> np.ndarray:
    """``x`` (N, C, H, W) inside a zero buffer (N, C, Hb, Wb) at offset (top, left)."""
    pt, _, pl, _ = g.pads
    if g.Hb == g.H and g.Wb == g.W:
        return x
    n, c = x.shape[:2]
    buf = np.zeros((n, c, g.Hb, g.Wb), dtype=x.dtype)
    buf[:, :, pt:pt + g.H, pl:pl + g.W] = x
    return buf


def im2col(x: np.ndarray, g: Geometry) -> np.ndarray:
    """The windows of ``x`` (N, C, H, W) as a contiguous (N, C·kh·kw, Ho·Wx) array.

    ``cols[n, (c,u,v), (i,j)] = xpad[n, c, i·sh + u·dh, j·sw + v·dw]``: one strided view, one copy.
    """
    buf = pad_buffer(x, g)
    n, c = buf.shape[:2]
    sN, sC, sH, sW = buf.strides
    shape, strides = (n, c, g.kh, g.kw, g.Ho, g.Wx), (sN, sC, g.dh * sH, g.dw * sW, g.sh * sH, g.sw * sW)
    if buf.flags.c_contiguous:   # the same view as as_strided, without its Python overhead
        view = np.ndarray(shape, buf.dtype, buffer=buf, strides=strides)
    else:
        view = as_strided(buf, shape, strides, writeable=False)
    return view.reshape(n, c * g.kh * g.kw, g.L)


def col2im(cols: np.ndarray, g: Geometry) -> np.ndarray:
    """The adjoint of ``im2col``: (N, C·kh·kw, Ho·Wx) summed back into (N, C, H, W), one tap at a time."""
    n = cols.shape[0]
    c = cols.shape[1] // (g.kh * g.kw)
    cols = cols.reshape(n, c, g.kh, g.kw, g.Ho, g.Wx)
    buf = np.zeros((n, c, g.Hb, g.Wb), dtype=cols.dtype)
    if g.wide:
        flat = buf.reshape(n, c, g.Hb * g.Wb)
        run = g.Ho * g.Wx
        for u in range(g.kh):
            for v in range(g.kw):
                off = u * g.dh * g.Wb + v * g.dw
                flat[:, :, off:off + run] += cols[:, :, u, v].reshape(n, c, run)
    else:
        rows, cols_ = g.sh * (g.Ho - 1) + 1, g.sw * (g.Wo - 1) + 1
        for u in range(g.kh):
            r = u * g.dh
            for v in range(g.kw):
                q = v * g.dw
                buf[:, :, r:r + rows:g.sh, q:q + cols_:g.sw] += cols[:, :, u, v]
    pt, _, pl, _ = g.pads
    return buf[:, :, pt:pt + g.H, pl:pl + g.W]


def widen(y: np.ndarray, g: Geometry) -> np.ndarray:
    """(N, O, Ho, Wo) laid out as (N, O, Ho·Wx): zero columns appended in the wide layout."""
    n, o = y.shape[:2]
    if g.Wx == g.Wo:
        return np.ascontiguousarray(y).reshape(n, o, g.L)
    out = np.zeros((n, o, g.Ho, g.Wx), dtype=y.dtype)
    out[..., :g.Wo] = y
    return out.reshape(n, o, g.L)


def narrow(y: np.ndarray, g: Geometry) -> np.ndarray:
    """(N, O, Ho·Wx) back to a contiguous (N, O, Ho, Wo): the inverse of ``widen``."""
    n, o = y.shape[:2]
    y = y.reshape(n, o, g.Ho, g.Wx)
    return y if g.Wx == g.Wo else np.ascontiguousarray(y[..., :g.Wo])


def grouped(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, L) viewed as (N, groups, C/groups, L)."""
    n, c, l = a.shape
    return a.reshape(n, groups, c // groups, l)


def bias_grad(gy: np.ndarray) -> np.ndarray:
    """Σ over batch and positions of the output gradient (N, O, H, W) → (O,)."""
    n, o = gy.shape[:2]
    return np.einsum("nol->o", gy.reshape(n, o, -1))


class ConvCtx:
    """What a conv node remembers: its hyper-parameters, geometry and the cached windows."""

    __slots__ = ("stride", "dilation", "padding", "groups", "flip", "geom", "w3", "cols", "unbatched")

    def __init__(self, stride, dilation, padding, groups, flip, geom, w3, cols, unbatched):
        self.stride, self.dilation, self.padding, self.groups, self.flip = stride, dilation, padding, groups, flip
        self.geom, self.w3, self.cols, self.unbatched = geom, w3, cols, unbatched


def kernel_matrix(w: np.ndarray, groups: int, flip: bool) -> np.ndarray:
    """w (O, C/g, kh, kw) as (g, O/g, C/g·kh·kw), flipped in both spatial axes for true convolution."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    o = w.shape[0]
    return np.ascontiguousarray(w).reshape(groups, o // groups, -1)


def conv2d(x: Tensor, w: Tensor, b, stride, padding, dilation, groups, flip=False, geom=None) -> Tensor:
    """Cross-correlation of x (N, C, H, W) or (C, H, W) with w (O, C/groups, kh, kw), plus b (O,).

    ``padding`` is (top, bottom, left, right) zeros; arguments are already validated (nn.functional),
    which may pass the ``Geometry`` it built for them.
    """
    xd = x.data
    unbatched = xd.ndim == 3
    if unbatched:
        xd = xd[None]
    dtype = np.result_type(xd, w.data, *(() if b is None else (b.data,)))
    xd = xd.astype(dtype, copy=False)
    n, c, h, wd = xd.shape
    o, _, kh, kw = w.data.shape
    g = geom or Geometry((h, wd), (kh, kw), stride, dilation, padding)
    w3 = kernel_matrix(w.data.astype(dtype, copy=False), groups, flip)
    cols = grouped(im2col(xd, g), groups)
    out = np.matmul(w3, cols).reshape(n, o, g.L)
    if b is not None:
        out += b.data.astype(dtype, copy=False)[:, None]
    out = narrow(out, g)
    if unbatched:
        out = out[0]
    parents = (x, w) if b is None else (x, w, b)
    ctx = None
    if needs_grad(*parents):
        ctx = ConvCtx(stride, dilation, padding, groups, flip, g, w3,
                      cols if w.requires_grad else None, unbatched)
    return record(out, parents, "convolve2d" if flip else "conv2d", _conv2d_backward, ctx)


def _conv2d_backward(out):
    x, w = out.parents[:2]
    ctx = out._ctx
    g, groups = ctx.geom, ctx.groups
    gy = out.grad[None] if ctx.unbatched else out.grad
    if len(out.parents) == 3:
        accumulate(out.parents[2], bias_grad(gy))
    gyw = grouped(widen(gy, g), groups)                       # (N, g, O/g, L)
    if w.requires_grad:
        gw = np.matmul(gyw, ctx.cols.transpose(0, 1, 3, 2)).sum(axis=0)  # (g, O/g, C/g·kh·kw)
        gw = gw.reshape(w.data.shape)
        accumulate(w, gw[:, :, ::-1, ::-1] if ctx.flip else gw)
    if x.requires_grad:
        gcols = np.matmul(ctx.w3.transpose(0, 2, 1), gyw)    # (N, g, C/g·kh·kw, L)
        n = gcols.shape[0]
        gx = col2im(gcols.reshape(n, -1, g.L), g)
        accumulate(x, gx[0] if ctx.unbatched else gx)
