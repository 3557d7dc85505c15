"""conv2d on tensors: pad → sliding-window view (im2col) → one batched matmul; backward per kernel tap.

``out[n,o,i,j] = b[o] + Σ_{c,u,v} x[n, c, i·sh + u·dh − pt, j·sw + v·dw − pl] · w[o, c, u, v]``
(cross-correlation, like PyTorch; ``convolve2d`` is the same with ``w`` flipped in both axes).

Forward: the windows are a strided *view* of the zero-padded input, copied once into ``cols``
(N, C·kh·kw, L); the product is ``w (O, C·kh·kw) @ cols`` per image (BLAS; float32 stays float32).
Backward: ``∂L/∂w = Σ_n grad @ colsᵀ`` and ``∂L/∂x = transpose_conv(w, grad)``: ``wᵀ @ grad`` sent
back one kernel tap at a time with shifted slice-adds (never ``np.add.at``).

Stride 1 uses the "wide" layout: each output row is computed over the whole padded width Wb, so
a window's rows line up in memory and every tap is one long contiguous run (the few extra
columns are dropped). Where the data are not finite those wrap-around columns are set to 0
before they meet a product whose sum reaches real numbers (the windows in ∂L/∂w, the kernel's
taps in ``transpose_conv``): 0 · inf there would be NaN, and NaN and inf propagate exactly as in
PyTorch (float64; see ``wrap_free_product``). The big temporaries reuse per-thread work buffers (``scratch``) and the
saved windows go back to a small pool when their graph dies (``recycled``): a training step
then asks the OS for no fresh pages, which otherwise cost as much as the arithmetic.

Graph contract: op ``"conv2d"`` (or ``"convolve2d"`` with the kernel flipped), parents
``(x, w)`` or ``(x, w, b)``, ``_ctx`` a :class:`ConvCtx` (``stride``, ``dilation``,
``padding`` as (top, bottom, left, right), ``groups``, ``flip``, ``unbatched``).
conv_transpose.py reuses the helpers below: it is this op's adjoint.
"""
from __future__ import annotations

import threading
import weakref

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..grids import correlate
from ..optable import register
from ..tensor import Tensor, needs_grad, record


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
        """Bytes of the biggest buffer for ``n`` images of ``c`` channels: the im2col windows
        (N, C·kh·kw, L), or those of the adjoint (``transpose_conv``: ∂L/∂x, conv_transpose2d's
        forward), the taps over every padded plane (C·kh·kw, N·Hb·Wb) at stride 1, else the
        (N, C, Hb, Wb) buffer: large strides or dilations make the plane large, not the windows."""
        plane = self.Hb * self.Wb * (self.kh * self.kw if self.wide else 1)
        return n * c * max(self.kh * self.kw * self.L, plane) * itemsize


class _Workspace(threading.local):
    """Scratch arrays reused from call to call, one set per thread, keyed by (role, shape, dtype).

    The big temporaries (windows, their gradients, the padded input) are the same shape at every
    training step; taking fresh ones each time makes the OS hand out and zero new pages (~1000
    page faults per step for T2). Nothing from here ever leaves an op: results are fresh arrays.
    """

    def __init__(self):
        self.arrays = {}
        self.nbytes = 0


_workspace = _Workspace()
SCRATCH_LIMIT = 256 * 2 ** 20  # at most this much per thread; an array over a quarter of it is not kept


def scratch(role: str, shape: tuple, dtype, key=()) -> np.ndarray:
    """A reusable array for ``role``; created zeroed, then holding whatever its last user left.

    Roles with an invariant (a zero border that is never written) put what fixes that border
    in ``key``.
    """
    dtype = np.dtype(dtype)
    k = (role, shape, dtype.str, key)
    ws = _workspace
    a = ws.arrays.get(k)
    if a is None:
        nbytes = int(np.prod(shape)) * dtype.itemsize
        if nbytes > SCRATCH_LIMIT // 4:
            return np.zeros(shape, dtype)
        if ws.nbytes + nbytes > SCRATCH_LIMIT:
            ws.arrays.clear()
            ws.nbytes = 0
        a = ws.arrays[k] = np.zeros(shape, dtype)
        ws.nbytes += nbytes
    return a


_recycled: dict = {}   # (shape, dtype) -> arrays whose graph has been freed, ready for the next step
_RECYCLE_MAX = 2       # arrays kept per shape
_RECYCLE_BYTES = 256 * 2 ** 20   # and in all
_recycled_bytes = [0]            # what the pool holds now
_recycle_lock = threading.Lock()


def recycled(shape: tuple, dtype, owner) -> np.ndarray:
    """An array that ``owner`` keeps (e.g. the windows a conv node saves for its backward) and
    that goes back to a small pool once ``owner`` is garbage: the next training step takes it
    again instead of fresh pages from the OS (no page faults, no zeroing). Contents are stale.
    """
    key = (shape, np.dtype(dtype).str)
    with _recycle_lock:
        free = _recycled.get(key)
        a = free.pop() if free else None
        if a is not None:
            _recycled_bytes[0] -= a.nbytes
    if a is None:
        a = np.empty(shape, dtype)
    weakref.finalize(owner, _give_back, key, a)
    return a


def _give_back(key, a):
    """Run by a finalizer, on whichever thread drops the graph, at any moment (a GC pass may run
    it while this very thread holds the lock inside ``recycled``): so it never waits for the
    lock. When the lock is busy the array is simply freed instead of pooled; no deadlock is possible."""
    if not _recycle_lock.acquire(blocking=False):
        return
    try:
        free = _recycled.setdefault(key, [])
        if len(free) < _RECYCLE_MAX and _recycled_bytes[0] + a.nbytes <= _RECYCLE_BYTES:
            free.append(a)
            _recycled_bytes[0] += a.nbytes
    finally:
        _recycle_lock.release()


def pad_buffer(x: np.ndarray, g: Geometry) -> np.ndarray:
    """``x`` (N, C, H, W) inside a zero buffer (N, C, Hb, Wb) at offset (top, left) (a scratch array)."""
    pt, _, pl, _ = g.pads
    if g.Hb == g.H and g.Wb == g.W:
        return x
    n, c = x.shape[:2]
    buf = scratch("pad", (n, c, g.Hb, g.Wb), x.dtype, key=(pt, pl, g.H, g.W))  # the border stays 0
    buf[:, :, pt:pt + g.H, pl:pl + g.W] = x
    return buf


def im2col(x: np.ndarray, g: Geometry, owner=None) -> np.ndarray:
    """The windows of ``x`` (N, C, H, W) as a contiguous (N, C·kh·kw, Ho·Wx) array: scratch, or
    kept by ``owner`` (see ``recycled``).

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
    cols = scratch("cols", shape, buf.dtype) if owner is None else recycled(shape, buf.dtype, owner)
    np.copyto(cols, view)
    return cols.reshape(n, c * g.kh * g.kw, g.L)


def wrap_free_product(yw: np.ndarray, cols: np.ndarray, g: Geometry) -> np.ndarray:
    """``Σ_n yw @ colsᵀ`` (the weight gradient): yw (N, g, a, L) is 0 in the wide layout's
    wrap-around columns, which hold whatever the windows read there. Only 0 · inf or 0 · NaN
    could make them count, and any of those leaves a NaN in the (small) result: then the
    product is taken again with those columns of ``cols`` set to 0, exactly the valid sum."""
    prod = np.matmul(yw, cols.transpose(0, 1, 3, 2)).sum(axis=0)
    if g.Wx != g.Wo and np.isnan(prod).any():
        n, groups, k = cols.shape[:3]
        cols.reshape(n, groups, k, g.Ho, g.Wx)[..., g.Wo:] = 0
        prod = np.matmul(yw, cols.transpose(0, 1, 3, 2)).sum(axis=0)
    return prod


def col2im(cols: np.ndarray, g: Geometry) -> np.ndarray:
    """The adjoint of ``im2col`` for strided convolutions: (N, C·kh·kw, Ho·Wo) summed back into
    (N, C, H, W), one strided slice-add per kernel tap. Returns a view into a fresh buffer."""
    n = cols.shape[0]
    c = cols.shape[1] // (g.kh * g.kw)
    cols = cols.reshape(n, c, g.kh, g.kw, g.Ho, g.Wx)
    buf = np.zeros((n, c, g.Hb, g.Wb), dtype=cols.dtype)
    rows, cols_ = g.sh * (g.Ho - 1) + 1, g.sw * (g.Wo - 1) + 1
    for u in range(g.kh):
        r = u * g.dh
        for v in range(g.kw):
            q = v * g.dw
            buf[:, :, r:r + rows:g.sh, q:q + cols_:g.sw] += cols[:, :, u, v]
    pt, _, pl, _ = g.pads
    return buf[:, :, pt:pt + g.H, pl:pl + g.W]


def transpose_conv(w3: np.ndarray, y: np.ndarray, g: Geometry, widened=None) -> np.ndarray:
    """``Σ_o w[o,c,u,v] · y[n,o,i,j]`` added at ``x[n, c, i·sh + u·dh − pt, j·sw + v·dw − pl]``: the
    gradient of conv2d with respect to its input, and conv_transpose2d's forward.

    ``w3`` is the kernel matrix (g, O/g, C/g·kh·kw), ``y`` (N, O, Ho, Wo); returns (N, C, H, W).
    ``widened`` is ``widen(y, g)`` when the caller has it already.
    First ``wᵀ @ y`` (one matmul per image), then one shifted add per kernel tap. At stride 1 the
    products are laid out tap-major over the whole batch, each image a full padded plane of
    Hb·Wb positions, so each tap is C long contiguous adds (the rows below the products stay
    zero and absorb the shifts); otherwise each tap is a strided 2-D slice-add.
    """
    groups, kg = w3.shape[0], w3.shape[2]
    n = y.shape[0]
    c = groups * kg // (g.kh * g.kw)
    w3t = w3.transpose(0, 2, 1)
    yw = grouped(widen(y, g) if widened is None else widened, groups)   # (N, g, O/g, L)
    if not g.wide:
        gcols = matmul_into("convT_gcols", w3t, yw)                        # (N, g, C/g·kh·kw, L)
        return np.ascontiguousarray(col2im(gcols.reshape(n, groups * kg, g.L), g))
    plane = g.Hb * g.Wb
    prods = scratch("taps", (groups, kg, n, plane), np.result_type(w3, y), key=g.L)  # [..., L:] stays 0
    np.matmul(w3t, yw, out=prods.transpose(2, 0, 1, 3)[..., :g.L])
    if not np.isfinite(w3).all():   # 0 · inf in the wrap-around columns would be added into real pixels
        prods[..., :g.L].reshape(groups, kg, n, g.Ho, g.Wx)[..., g.Wo:] = 0
    prods = prods.reshape(c, g.kh, g.kw, n * plane)
    last = (g.kh - 1) * g.dh * g.Wb + (g.kw - 1) * g.dw
    acc = scratch("acc", (c, n * plane + last), prods.dtype)
    acc.fill(0)
    for u in range(g.kh):
        for v in range(g.kw):
            off = u * g.dh * g.Wb + v * g.dw
            acc[:, off:off + n * plane] += prods[:, u, v]
    pt, _, pl, _ = g.pads
    out = acc[:, :n * plane].reshape(c, n, g.Hb, g.Wb)[:, :, pt:pt + g.H, pl:pl + g.W]
    return out.transpose(1, 0, 2, 3).copy()   # always a copy (C order): acc is scratch


def widen(y: np.ndarray, g: Geometry) -> np.ndarray:
    """(N, O, Ho, Wo) laid out as (N, O, Ho·Wx): zero columns appended in the wide layout (a scratch
    array), otherwise y itself made contiguous."""
    n, o = y.shape[:2]
    if g.Wx == g.Wo:
        return np.ascontiguousarray(y).reshape(n, o, g.L)
    buf = scratch("wide", (n, o, g.Ho, g.Wx), y.dtype, key=g.Wo)   # columns >= Wo stay 0
    buf[..., :g.Wo] = y
    return buf.reshape(n, o, g.L)


def narrow(y: np.ndarray, g: Geometry) -> np.ndarray:
    """(N, O, Ho·Wx) back to a contiguous (N, O, Ho, Wo): the inverse of ``widen`` (a fresh copy
    in the wide layout; otherwise a view, so pass a fresh array)."""
    n, o = y.shape[:2]
    y = y.reshape(n, o, g.Ho, g.Wx)
    return y if g.Wx == g.Wo else y[..., :g.Wo].copy()   # always a copy: y may be scratch


def grouped(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, L) viewed as (N, groups, C/groups, L)."""
    n, c, l = a.shape
    return a.reshape(n, groups, c // groups, l)


def bias_grad(gy: np.ndarray) -> np.ndarray:
    """Σ over batch and positions of the output gradient (N, O, H, W) → (O,)."""
    n, o = gy.shape[:2]
    return np.einsum("nol->o", gy.reshape(n, o, gy.shape[2] * gy.shape[3]))


class ConvCtx:
    """What a conv node remembers: its hyper-parameters, geometry, kernel matrix and ``saved``,
    what its backward needs for ∂L/∂w (conv2d: the windows of x, when w requires grad;
    conv_transpose2d: the batched input)."""

    __slots__ = ("stride", "dilation", "padding", "groups", "flip", "geom", "w3", "saved", "unbatched", "__weakref__")

    def __init__(self, stride, dilation, padding, groups, flip, geom, w3, saved, unbatched):
        self.stride, self.dilation, self.padding, self.groups, self.flip = stride, dilation, padding, groups, flip
        self.geom, self.w3, self.saved, self.unbatched = geom, w3, saved, unbatched


def kernel_matrix(w: np.ndarray, groups: int, flip: bool) -> np.ndarray:
    """w (O, C/g, kh, kw) as (g, O/g, C/g·kh·kw), flipped in both spatial axes for true convolution."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    o = w.shape[0]
    return np.ascontiguousarray(w).reshape(groups, o // groups, -1)


def batched(x: Tensor, w: Tensor, b):
    """x's data as (N, C, H, W) (an unbatched (C, H, W) input gets N = 1), whether it was
    unbatched, and the dtype x, w and b compute in (mixed float32/float64: float64)."""
    xd = x.data
    unbatched = xd.ndim == 3
    if unbatched:
        xd = xd[None]
    dtype = np.result_type(xd, w.data, *(() if b is None else (b.data,)))
    return xd.astype(dtype, copy=False), unbatched, dtype


def conv2d(x: Tensor, w: Tensor, b, stride, padding, dilation, groups, flip=False, geom=None) -> Tensor:
    """Cross-correlation of x (N, C, H, W) or (C, H, W) with w (O, C/groups, kh, kw), plus b (O,).

    ``padding`` is (top, bottom, left, right) zeros; arguments are already validated (nn.functional),
    which may pass the ``Geometry`` it built for them.
    """
    xd, unbatched, dtype = batched(x, w, b)
    n, c, h, wd = xd.shape
    o, _, kh, kw = w.data.shape
    g = geom or Geometry((h, wd), (kh, kw), stride, dilation, padding)
    w3 = kernel_matrix(w.data.astype(dtype, copy=False), groups, flip)
    parents = (x, w) if b is None else (x, w, b)
    ctx = ConvCtx(stride, dilation, padding, groups, flip, g, None, None, unbatched) if needs_grad(*parents) else None
    # the backward needs the windows for ∂L/∂w: the node keeps them (recycled when the graph dies)
    with np.errstate(all="ignore"):   # inf and NaN propagate silently, as everywhere
        out, cols = correlate_windows(xd, w3, g, ctx if ctx is not None and w.requires_grad else None)
        if b is not None:
            out += b.data.astype(dtype, copy=False)[:, None, None]
    if unbatched:
        out = out[0]
    if ctx is not None:
        ctx.w3, ctx.saved = w3, cols if w.requires_grad else None
    return record(out, parents, CONVOLVE2D if flip else CONV2D, ctx)


def correlate_windows(xd: np.ndarray, w3: np.ndarray, g: Geometry, owner=None):
    """``w3 @ windows(xd)``: the conv's output (N, O, Ho, Wo), fresh, without bias, and the grouped
    windows (N, g, C/g·kh·kw, L) (scratch, or kept by ``owner`` for the backward)."""
    n, groups, o = xd.shape[0], w3.shape[0], w3.shape[0] * w3.shape[1]
    cols = grouped(im2col(xd, g, owner), groups)
    # the product may be scratch only when the valid columns are copied out of it below
    out = matmul_into("conv_out" if g.Wx != g.Wo else None, w3, cols).reshape(n, o, g.Ho, g.Wx)
    if g.Wx != g.Wo:
        out = out[..., :g.Wo].copy()                          # the valid columns, out of the scratch
    return out, cols


def matmul_into(role, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` (np.matmul broadcasting) into a scratch array for ``role``, or a fresh one if None."""
    if role is None:
        return np.matmul(a, b)
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    return np.matmul(a, b, out=scratch(role, shape, np.result_type(a, b)))


def correlate_grads(gy: np.ndarray, w3: np.ndarray, cols, g: Geometry, need_x: bool, need_w: bool):
    """The VJPs of ``correlate_windows`` for an output gradient gy (N, O, Ho, Wo): ∂L/∂x
    (N, C, H, W) and ∂L/∂w3 (g, O/g, C/g·kh·kw), None where not needed (``cols`` then unused)."""
    gy = gy.astype(w3.dtype, copy=False)
    gyw = widen(gy, g)                                       # (N, O, L), shared by both products
    gw = gx = None
    if need_w:
        gw = wrap_free_product(grouped(gyw, w3.shape[0]), cols, g)
    if need_x:
        gx = transpose_conv(w3, gy, g, gyw)
    return gx, gw


def _conv2d_backward(out, gy, needs):
    w = out.parents[1]
    ctx = out._ctx
    if ctx.unbatched:
        gy = gy[None]
    grads = [None] * len(needs)
    if len(needs) == 3 and needs[2]:
        grads[2] = bias_grad(gy)
    gx, gw = correlate_grads(gy, ctx.w3, ctx.saved, ctx.geom, needs[0], needs[1])
    if gw is not None:
        gw = gw.reshape(w.data.shape)
        grads[1] = gw[:, :, ::-1, ::-1] if ctx.flip else gw
    if gx is not None:
        grads[0] = gx[0] if ctx.unbatched else gx
    return grads


def _conv2d_expand(t, X, W, b=None):
    """One ``sum`` node per output over one ``*`` node per tap (the kernel flipped for convolve2d)."""
    c = t._ctx
    if c.flip:
        W = W[:, :, ::-1, ::-1]
    out = correlate(X[None] if c.unbatched else X, W, c.stride, c.dilation, c.padding, c.groups, b, t.shape[-2:])
    return out[0] if c.unbatched else out


CONV2D = register("conv2d", _conv2d_backward, scalar=False, expand=_conv2d_expand)
CONVOLVE2D = register("convolve2d", _conv2d_backward, scalar=False, expand=_conv2d_expand)
