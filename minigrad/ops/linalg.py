"""Matrix products: ``a @ b`` (NumPy's matmul rules) and ``linear`` (x @ wᵀ + b), through BLAS."""
from __future__ import annotations

import numpy as np

from .._checks import fail, result_allocation
from ..engine import unbroadcast
from ..grids import each, rows, total
from ..optable import register
from ..tensor import Tensor, quietly, record
from ..value import sum_node
from .elementwise import lift


# ---------------------------------------------------------------- a @ b
def matmul(a, b, fn="matmul") -> Tensor:
    """a @ b; d/da = g @ bᵀ, d/db = aᵀ @ g (batch dimensions broadcast and summed back)."""
    if not isinstance(a, Tensor):
        a = lift(a, b)
    if not isinstance(b, Tensor):
        b = lift(b, a)
    result_allocation(fn, a._data, b._data, _matmul_shape, np.result_type(a._data, b._data))
    try:
        data = quietly(np.matmul, a._data, b._data)
    except ValueError:
        _matmul_error(fn, a._data.shape, b._data.shape)
    return record(data, (a, b), MATMUL)


def _matmul_shape(sa, sb) -> tuple:
    """The shape of ``a @ b`` (a ValueError when the shapes do not fit, as np.matmul's)."""
    if not sa or not sb:
        raise ValueError("0-d operand")
    batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    return batch + sa[-2:-1] + sb[-1:] if len(sb) > 1 else batch + sa[-2:-1]


def _matmul_error(fn, sa, sb):
    if not sa or not sb:
        fail(fn, f"both operands need at least 1 dimension, got shapes {sa} and {sb}")
    k1, k2 = sa[-1], sb[-2] if len(sb) > 1 else sb[0]
    if k1 != k2:
        fail(fn, f"shapes {sa} and {sb} cannot be multiplied ({k1} columns vs {k2} rows)")
    fail(fn, f"the batch dimensions of shapes {sa} and {sb} cannot be broadcast together")


def _matmul_backward(out, g, needs):
    a, b = out.parents
    x, y = a._data, b._data
    if x.ndim == 1 and y.ndim == 1:  # dot product: a scalar
        return (g * y if needs[0] else None), (g * x if needs[1] else None)
    x2 = x[None, :] if x.ndim == 1 else x
    y2 = y[:, None] if y.ndim == 1 else y
    if x.ndim == 1:
        g = np.expand_dims(g, -2)
    if y.ndim == 1:
        g = np.expand_dims(g, -1)
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(np.matmul(g, np.swapaxes(y2, -1, -2)), x2.shape).reshape(x.shape)
    if needs[1]:
        gb = unbroadcast(np.matmul(np.swapaxes(x2, -1, -2), g), y2.shape).reshape(y.shape)
    return ga, gb


def _matmul_expand(t, A, B):
    a = A[None, :] if A.ndim == 1 else A
    b = B[:, None] if B.ndim == 1 else B
    P = each(lambda x, y: x * y, a[..., :, :, None], b[..., None, :, :])   # (..., M, K, N)
    return rows(np.moveaxis(P, -2, -1), total).reshape(t.shape)


MATMUL = register("@", _matmul_backward, scalar=False, word="matmul", expand=_matmul_expand)


# ---------------------------------------------------------------- linear
def linear(x: Tensor, w: Tensor, b: Tensor | None = None) -> Tensor:
    """x @ wᵀ + b with x (..., in), w (out, in), b (out,): PyTorch's ``F.linear``.

    d/dx = g @ w,  d/dw = Σ_batch gᵀ x,  d/db = Σ_batch g.
    """
    with np.errstate(all="ignore"):
        data = np.matmul(x._data, w._data.T)
        if b is not None:
            data = data + b._data
    return record(data, (x, w) if b is None else (x, w, b), LINEAR)


def _linear_backward(out, g, needs):
    x, w = out.parents[0]._data, out.parents[1]._data
    gx = gw = None
    if needs[0]:
        gx = np.matmul(g, w)
    if needs[1]:
        gw = np.outer(g, x) if x.ndim == 1 else g.reshape(-1, g.shape[-1]).T @ x.reshape(-1, x.shape[-1])
    if len(needs) == 2:
        return gx, gw
    return gx, gw, ((g.reshape(-1, g.shape[-1]).sum(axis=0) if g.ndim > 1 else g) if needs[2] else None)


def _linear_expand(t, X, W, b=None):
    """One neuron is ONE sum node: Σ x·w (+ b)."""
    P = each(lambda x, w: x * w, X[..., None, :], W)                        # (..., out, in)
    if b is None:
        return rows(P, total)
    B = np.broadcast_to(b, P.shape[:-1])
    out = np.empty(P.shape[:-1], dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = sum_node(tuple(P[idx]) + (B[idx],))
    return out


LINEAR = register("linear", _linear_backward, scalar=False, expand=_linear_expand)
