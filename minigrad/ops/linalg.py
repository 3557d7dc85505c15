"""Matrix products: ``a @ b`` (NumPy's matmul rules) and ``linear`` (x @ wᵀ + b), through BLAS."""
from __future__ import annotations

import numpy as np

from .._checks import fail
from ..tensor import Tensor, accumulate, record, unbroadcast
from .elementwise import lift


# ---------------------------------------------------------------- a @ b
def matmul(a, b, fn="matmul") -> Tensor:
    """a @ b; d/da = g @ bᵀ, d/db = aᵀ @ g (batch dimensions broadcast and summed back)."""
    if not isinstance(a, Tensor):
        a = lift(a, b)
    if not isinstance(b, Tensor):
        b = lift(b, a)
    with np.errstate(all="ignore"):
        try:
            data = np.matmul(a.data, b.data)
        except ValueError:
            _matmul_error(fn, a.data.shape, b.data.shape)
    return record(data, (a, b), "@", _matmul_backward)


def _matmul_error(fn, sa, sb):
    if not sa or not sb:
        fail(fn, f"both operands need at least 1 dimension, got shapes {sa} and {sb}")
    k1, k2 = sa[-1], sb[-2] if len(sb) > 1 else sb[0]
    if k1 != k2:
        fail(fn, f"shapes {sa} and {sb} cannot be multiplied ({k1} columns vs {k2} rows)")
    fail(fn, f"the batch dimensions of shapes {sa} and {sb} cannot be broadcast together")


def _matmul_backward(out):
    a, b = out.parents
    x, y, g = a.data, b.data, out.grad
    if x.ndim == 1 and y.ndim == 1:  # dot product: a scalar
        if a.requires_grad:
            accumulate(a, g * y)
        if b.requires_grad:
            accumulate(b, g * x)
        return
    x2 = x[None, :] if x.ndim == 1 else x
    y2 = y[:, None] if y.ndim == 1 else y
    if x.ndim == 1:
        g = np.expand_dims(g, -2)
    if y.ndim == 1:
        g = np.expand_dims(g, -1)
    if a.requires_grad:
        ga = np.matmul(g, np.swapaxes(y2, -1, -2))
        accumulate(a, unbroadcast(ga, x2.shape).reshape(x.shape))
    if b.requires_grad:
        gb = np.matmul(np.swapaxes(x2, -1, -2), g)
        accumulate(b, unbroadcast(gb, y2.shape).reshape(y.shape))


# ---------------------------------------------------------------- linear
def linear(x: Tensor, w: Tensor, b: Tensor | None = None) -> Tensor:
    """x @ wᵀ + b with x (..., in), w (out, in), b (out,): PyTorch's ``F.linear``.

    d/dx = g @ w,  d/dw = Σ_batch gᵀ x,  d/db = Σ_batch g.
    """
    with np.errstate(all="ignore"):
        data = np.matmul(x.data, w.data.T)
        if b is not None:
            data = data + b.data
    if b is None:
        return record(data, (x, w), "linear", _linear_backward)
    return record(data, (x, w, b), "linear", _linear_backward)


def _linear_backward(out):
    x, w = out.parents[0], out.parents[1]
    g = out.grad
    if x.requires_grad:
        accumulate(x, np.matmul(g, w.data))
    if w.requires_grad:
        if x.data.ndim == 1:
            accumulate(w, np.outer(g, x.data))
        else:
            g2 = g.reshape(-1, g.shape[-1])
            accumulate(w, g2.T @ x.data.reshape(-1, x.data.shape[-1]))
    if len(out.parents) == 3 and out.parents[2].requires_grad:
        accumulate(out.parents[2], g.reshape(-1, g.shape[-1]).sum(axis=0) if g.ndim > 1 else g)
