"""Grids of Values (object arrays): the scalar building blocks that ``mg.scalar`` and the tensor
ops' expansion rules (``mg.scalar.expand``) share, so each loop is written once: elementwise
maps, reductions over axes, THE convolution tap loop and THE pooling window walk."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .value import MUL, SUM, _const, _node, sum_node


def obj(v) -> np.ndarray:
    """A Value as a 0-d object array (``np.asarray`` would try to iterate it)."""
    a = np.empty((), dtype=object)
    a[()] = v
    return a


def each(f, *arrays) -> np.ndarray:
    """``f`` applied element by element with NumPy broadcasting, always an object array."""
    out = np.frompyfunc(f, len(arrays), 1)(*arrays)
    return out if isinstance(out, np.ndarray) else obj(out)


def rows(P, f) -> np.ndarray:
    """``f(tuple(row))`` for every row along the last axis of ``P``: shape ``P.shape[:-1]``."""
    out = np.empty(P.shape[:-1], dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = f(tuple(P[idx]))
    return out


def reduce(A, axes, f) -> np.ndarray:
    """``f(window)`` over ``axes`` (None: all) of ``A``; the reduced axes are dropped."""
    axes = tuple(range(A.ndim)) if axes is None else tuple(a % A.ndim for a in axes)
    rest = [a for a in range(A.ndim) if a not in axes]
    P = A.transpose(rest + list(axes))
    return rows(P.reshape(P.shape[:len(rest)] + (-1,)), f)


def total(values):
    """One value as itself, several as ONE n-ary sum node."""
    return values[0] if len(values) == 1 else sum_node(values)


@dataclass(frozen=True, eq=False)
class Correlation:
    """One call of ``correlate``: its arguments (the input and kernel grids, the geometry, the
    namer). Each output's sum node keeps it (as ``ConvOutput``), so a reader of the graph can
    rebuild the convolution's other outputs, e.g. the outputs a max-pool did not use."""

    X: np.ndarray
    W: np.ndarray
    stride: tuple
    dilation: tuple
    pads: tuple
    groups: int
    bias: object
    out_hw: tuple
    name: object

    def outputs(self) -> np.ndarray:
        """Every output of this convolution, rebuilt as new nodes over the same leaves."""
        return correlate(self.X, self.W, self.stride, self.dilation, self.pads, self.groups, self.bias,
                         self.out_hw, self.name)


@dataclass(frozen=True, eq=False)
class ConvOutput:
    """The ``_ctx`` of a convolution output's sum node: which call made it, at which index."""

    conv: Correlation
    index: tuple


def correlate(X, W, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), groups=1, bias=None, out_hw=None,
              name=None):
    """THE convolution tap loop: ``out[n,o,i,j] = Σ_{c,u,v} x[n, c, i·sh + u·dh − pt, j·sw + v·dw − pl]
    · w[o,c,u,v] (+ b[o])`` for X (N, C, H, W) and W (O, C/groups, kh, kw), grids of Values.

    Each output is ONE ``sum`` node over one ``*`` node per tap that lands inside the input
    (taps on the padding add nothing and get no node). ``name(n, o, i, j)`` names the sums.
    """
    N, C, H, Wd = X.shape
    O, Cg, kh, kw = W.shape
    (sh, sw), (dh, dw), (pt, pb, pl, pr) = stride, dilation, pads
    if out_hw is None:
        out_hw = ((H + pt + pb - dh * (kh - 1) - 1) // sh + 1, (Wd + pl + pr - dw * (kw - 1) - 1) // sw + 1)
    Ho, Wo = out_hw
    og = O // groups
    call = Correlation(X, W, stride, dilation, pads, groups, bias, out_hw, name)
    out = np.empty((N, O, Ho, Wo), dtype=object)
    for n, o, i, j in np.ndindex(N, O, Ho, Wo):
        taps = []
        c0 = (o // og) * Cg
        for c in range(Cg):
            for u in range(kh):
                r = i * sh + u * dh - pt
                if 0 <= r < H:
                    for v in range(kw):
                        q = j * sw + v * dw - pl
                        if 0 <= q < Wd:
                            x, w = X[n, c0 + c, r, q], W[o, c, u, v]
                            taps.append(_node(x.data * w.data, (x, w), MUL))
        if bias is not None:
            taps.append(bias[o])
        label = None if name is None else name(n, o, i, j)
        out[n, o, i, j] = (_node(_total(taps), tuple(taps), SUM, ConvOutput(call, (n, o, i, j)), label)
                           if taps else _const(0.0, "expand"))
    return out


def _total(values) -> float:
    t = 0.0
    for v in values:
        t += v.data
    return t


def windows(A, kernel, stride, padding=(0, 0), dilation=(1, 1), out_hw=None):
    """THE pooling window walk: ``(index, window)`` for every output of a pool over the last two
    axes of ``A``, the window holding the Values that lie inside the input, row-major."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    H, Wd = A.shape[-2:]
    if out_hw is None:
        out_hw = ((H + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (Wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1)
    Ho, Wo = out_hw
    for lead in np.ndindex(*A.shape[:-2]):
        for i, j in np.ndindex(Ho, Wo):
            win = tuple(A[lead + (r, q)] for u in range(kh) for v in range(kw)
                        for r, q in [(i * sh + u * dh - ph, j * sw + v * dw - pw)] if 0 <= r < H and 0 <= q < Wd)
            yield lead + (i, j), win
