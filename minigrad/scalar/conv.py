"""Convolution and pooling on grids of Values: every multiply-add and every selection a node."""
from __future__ import annotations

import numpy as np

from .._checks import fail, pair
from ..grids import correlate, windows
from ..value import MUL, _const, _node, max_node, sum_node
from .grid import as_grid, element_name


def _name(name, idx, shape):
    return None if name is None else element_name(name, idx, shape)


def conv2d(X, W, stride=1, padding=0, dilation=1, name=None):
    """Cross-correlation: ``out[i,j] = sum over taps (u,v) of X[i*s+u*d-p, j*s+v*d-p] * W[u,v]``.

    Each output is ONE ``sum`` node over one ``*`` node per tap (taps on the zero padding
    add nothing and get no node). X is (H,W) or (C,H,W); W is (kh,kw), (C,kh,kw) or
    (O,C,kh,kw), giving an output of shape (Ho,Wo), (Ho,Wo) or (O,Ho,Wo).
    """
    return _correlate("scalar.conv2d", X, W, stride, padding, dilation, name, flip=False)


def convolve2d(X, W, stride=1, padding=0, dilation=1, name=None):
    """True convolution: conv2d with the kernel flipped in both spatial axes."""
    return _correlate("scalar.convolve2d", X, W, stride, padding, dilation, name, flip=True)


def _correlate(fn, X, W, stride, padding, dilation, name, flip):
    X, W = as_grid(X, fn, "X"), as_grid(W, fn, "W")
    sh, sw = pair(fn, "stride", stride, minimum=1)
    ph, pw = pair(fn, "padding", padding, minimum=0)
    dh, dw = pair(fn, "dilation", dilation, minimum=1)
    if X.ndim not in (2, 3):
        fail(fn, f"X must be (H, W) or (C, H, W), got shape {X.shape}")
    if W.ndim not in (2, 3, 4):
        fail(fn, f"W must be (kh, kw), (C, kh, kw) or (O, C, kh, kw), got shape {W.shape}")
    X3 = X if X.ndim == 3 else X[None]
    W4 = W.reshape((1,) * (4 - W.ndim) + W.shape)
    if flip:
        W4 = W4[:, :, ::-1, ::-1]
    C, H, Wd = X3.shape
    O, Cw, kh, kw = W4.shape
    if Cw != C:
        fail(fn, f"X has {C} channels but W expects {Cw} (X {X.shape}, W {W.shape})")
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (Wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if Ho < 1 or Wo < 1:
        fail(fn, f"kernel {(kh, kw)} (dilation {(dh, dw)}) is larger than the padded input "
             f"{(H + 2 * ph, Wd + 2 * pw)} (X {X.shape}, W {W.shape}, padding {(ph, pw)})")
    out_shape = (O, Ho, Wo) if W.ndim == 4 else (Ho, Wo)
    label = None if name is None else (
        lambda n, o, i, j: element_name(name, (o, i, j) if W.ndim == 4 else (i, j), out_shape))
    out = correlate(X3[None], W4, (sh, sw), (dh, dw), (ph, ph, pw, pw), out_hw=(Ho, Wo), name=label)[0]
    return out.reshape(out_shape)


def _windows(fn, S, kernel_size, stride):
    S = as_grid(S, fn, "S")
    kh, kw = pair(fn, "kernel_size", kernel_size, minimum=1)
    sh, sw = pair(fn, "stride", (kh, kw) if stride is None else stride, minimum=1)
    if S.ndim not in (2, 3):
        fail(fn, f"S must be (H, W) or (C, H, W), got shape {S.shape}")
    S3 = S if S.ndim == 3 else S[None]
    C, H, Wd = S3.shape
    if kh > H or kw > Wd:
        fail(fn, f"kernel_size {(kh, kw)} is larger than the input {(H, Wd)} (S {S.shape})")
    Ho, Wo = (H - kh) // sh + 1, (Wd - kw) // sw + 1
    out_shape = (C, Ho, Wo) if S.ndim == 3 else (Ho, Wo)
    for (c, i, j), win in windows(S3, (kh, kw), (sh, sw), out_hw=(Ho, Wo)):
        yield ((c, i, j) if S.ndim == 3 else (i, j)), win, out_shape


def max_pool2d(S, kernel_size, stride=None, name=None):
    """One n-ary ``max`` node per window (row-major window order; ties go to the first)."""
    return _pool("scalar.max_pool2d", S, kernel_size, stride, name, _max)


def avg_pool2d(S, kernel_size, stride=None, name=None):
    """One ``sum`` node per window, then one ``*`` node scaling it by 1/(kh*kw)."""
    return _pool("scalar.avg_pool2d", S, kernel_size, stride, name, _avg)


def _max(win, name):
    return max_node(win, name)


def _avg(win, name):
    s = sum_node(win)
    scale = _const(1.0 / len(win), "avg_pool2d")
    return _node(s.data * scale.data, (s, scale), MUL, None, name)


def _pool(fn, S, kernel_size, stride, name, make):
    out, shape = {}, None
    for idx, win, shape in _windows(fn, S, kernel_size, stride):
        out[idx] = make(win, _name(name, idx, shape))
    arr = np.empty(shape, dtype=object)
    for idx, v in out.items():
        arr[idx] = v
    return arr
