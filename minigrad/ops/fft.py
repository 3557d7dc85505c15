"""fft_conv2d: conv2d (stride 1) through the convolution theorem, with numpy.fft.

Cross-correlation is a product of spectra, one conjugated:
``out[n,o] = F⁻¹( Σ_c F[xpad[n,c]] · conj(F[w[o,c]]) )`` cropped to the valid (Ho, Wo) block,
with every transform of size Hp × Wp (the padded input); no wrap-around reaches the valid block
because each window fits inside the padded image (transforms are at least that big, rounded up
to a length with small prime factors, where the FFT is fast). The backward is two more products of spectra:

- ``∂L/∂xpad = F⁻¹( Σ_o F[g] · F[w] )``   (a convolution of the gradient with the kernel)
- ``∂L/∂w    = F⁻¹( Σ_n F[xpad] · conj(F[g]) )`` cropped to kh × kw  (a correlation)

Inf or NaN in x or w (or in the backward's gradient) would make every output NaN through the
spectra; those are computed directly with conv.py's windows instead, exactly as conv2d.

Graph contract: op ``"fft_conv2d"``, parents ``(x, w)`` or ``(x, w, b)``, ``_ctx`` an
:class:`FFTCtx` with ``padding`` (top, bottom, left, right) and the saved spectra.
"""
from __future__ import annotations

import numpy as np

from ..grids import correlate
from ..optable import register
from ..tensor import Tensor, needs_grad, record
from . import conv as _conv
from .conv import batched


class FFTCtx:
    """An FFT conv node's padding, sizes, and the spectra its backward reuses."""

    __slots__ = ("padding", "size", "hw", "out_hw", "kernel", "X", "Wf", "unbatched")

    def __init__(self, padding, size, hw, out_hw, kernel, X, Wf, unbatched):
        self.padding, self.size, self.hw, self.out_hw, self.kernel = padding, size, hw, out_hw, kernel
        self.X, self.Wf, self.unbatched = X, Wf, unbatched


def fast_len(n: int) -> int:
    """The smallest 2^a·3^b·5^c >= n: numpy's FFT is fastest on such lengths (262 = 2·131 is slow).

    Any transform length >= the padded size gives the same valid block: windows never wrap."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def spectrum_nbytes(n, c, o, hp, wp, itemsize) -> int:
    """Bytes of the complex spectra of input, kernel and output (for the memory guard)."""
    bins = hp * (wp // 2 + 1)
    return (n * c + o * c + n * o) * bins * 2 * itemsize


def fft_conv2d(x: Tensor, w: Tensor, b, padding) -> Tensor:
    """Cross-correlation of x (N, C, H, W) or (C, H, W) with w (O, C, kh, kw), zero ``padding``
    (top, bottom, left, right), stride 1, through rfft2/irfft2; arguments already validated.

    An input or kernel holding inf or NaN is correlated directly (as conv2d does) instead: a
    spectrum spreads one non-finite value over every output, where the direct sum keeps it to the
    windows that hold it, exactly as PyTorch's conv2d. The backward does the same for a
    non-finite gradient.
    """
    xd, unbatched, dtype = batched(x, w, b)
    n, c, h, wd = xd.shape
    o, _, kh, kw = w.data.shape
    pt, pb, pl, pr = padding
    hp, wp = h + pt + pb, wd + pl + pr
    ho, wo = hp - kh + 1, wp - kw + 1
    size = (fast_len(hp), fast_len(wp))                          # transforms of at least Hp × Wp
    wd_ = w.data.astype(dtype, copy=False)
    direct = not (np.isfinite(xd).all() and np.isfinite(wd_).all())
    X = Wf = None
    with np.errstate(all="ignore"):
        if direct:
            out, _ = _conv.correlate_windows(xd, _conv.kernel_matrix(wd_, 1, False), _geometry(xd, w, padding))
        else:
            xp = np.zeros((n, c) + size, dtype=dtype)
            xp[:, :, pt:pt + h, pl:pl + wd] = xd
            X = np.fft.rfft2(xp)                                 # (N, C, Fh, Fw//2+1)
            Wf = np.fft.rfft2(wd_, s=size)                       # the kernel zero-padded
            Y = np.einsum("ncyx,ocyx->noyx", X, Wf.conj())
            out = np.fft.irfft2(Y, s=size)[:, :, :ho, :wo].astype(dtype, copy=False)
        if b is not None:
            out = out + b.data.astype(dtype, copy=False)[:, None, None]
    out = np.ascontiguousarray(out)
    if unbatched:
        out = out[0]
    parents = (x, w) if b is None else (x, w, b)
    ctx = None
    if needs_grad(*parents):
        ctx = FFTCtx(padding, size, (h, wd), (ho, wo), (kh, kw), X if w.requires_grad else None, Wf, unbatched)
    return record(out, parents, FFT_CONV2D, ctx)


def _geometry(xd, w, padding) -> _conv.Geometry:
    """The stride-1 conv2d geometry of x (N, C, H, W) and w: the direct path's windows."""
    return _conv.Geometry(xd.shape[-2:], w.shape[-2:], (1, 1), (1, 1), padding)


def _fft_conv2d_backward(out, gy, needs):
    ctx = out._ctx
    if ctx.unbatched:
        gy = gy[None]
    grads = [None] * len(needs)
    if len(needs) == 3 and needs[2]:
        grads[2] = gy.sum(axis=(0, 2, 3))
    if ctx.Wf is None or not np.isfinite(gy).all():
        gx, gw = _direct_grads(out, gy, needs)
    else:
        gx, gw = _spectral_grads(ctx, gy, needs)
    if needs[0]:
        grads[0] = gx[0] if ctx.unbatched else gx
    if needs[1]:
        grads[1] = gw
    return grads


def _spectral_grads(ctx, gy, needs):
    """∂L/∂x and ∂L/∂w as products of spectra (finite inputs and gradient)."""
    gx = gw = None
    G = np.fft.rfft2(gy, s=ctx.size)                            # gradient zero-padded to Hp × Wp
    if needs[0]:
        pt, _, pl, _ = ctx.padding
        (h, wd) = ctx.hw
        gxp = np.fft.irfft2(np.einsum("noyx,ocyx->ncyx", G, ctx.Wf), s=ctx.size)
        gx = gxp[:, :, pt:pt + h, pl:pl + wd]
    if needs[1]:
        kh, kw = ctx.kernel
        gw = np.ascontiguousarray(np.fft.irfft2(np.einsum("ncyx,noyx->ocyx", ctx.X, G.conj()), s=ctx.size)[:, :, :kh, :kw])
    return gx, gw


def _direct_grads(out, gy, needs):
    """∂L/∂x and ∂L/∂w as conv2d computes them (inf or NaN in the inputs or the gradient)."""
    x, w = out.parents[:2]
    xd, _, dtype = batched(x, w, out.parents[2] if len(out.parents) == 3 else None)
    g = _geometry(xd, w, out._ctx.padding)
    w3 = _conv.kernel_matrix(w.data.astype(dtype, copy=False), 1, False)
    cols = _conv.grouped(_conv.im2col(xd, g), 1) if needs[1] else None
    gx, gw = _conv.correlate_grads(gy, w3, cols, g, needs[0], needs[1])
    return gx, None if gw is None else gw.reshape(w.shape)


def _fft_conv2d_expand(t, X, W, b=None):
    """The same correlation, one ``sum`` node per output over one ``*`` node per tap."""
    c = t._ctx
    out = correlate(X[None] if c.unbatched else X, W, pads=c.padding, bias=b, out_hw=t.shape[-2:])
    return out[0] if c.unbatched else out


FFT_CONV2D = register("fft_conv2d", _fft_conv2d_backward, scalar=False, expand=_fft_conv2d_expand)
