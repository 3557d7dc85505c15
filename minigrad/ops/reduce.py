"""Reductions: sum, mean, max, min (and argmax/argmin outside the graph).

The backward of a reduction spreads the output's gradient back over the reduced axes:
``sum`` copies it, ``mean`` divides it by the count, ``max``/``min`` send it to the
selected elements only.
"""
from __future__ import annotations

import builtins

import numpy as np

from .._checks import fail, is_int
from ..tensor import Tensor, accumulate, needs_grad, record


def normalize_axis(fn: str, axis, ndim: int):
    """``axis`` (None, an int or a tuple of ints; negatives allowed) as None or a sorted tuple."""
    if axis is None:
        return None
    axes = (axis,) if is_int(axis) else axis
    if not isinstance(axes, (tuple, list)) or not all(is_int(ax) for ax in axes):
        fail(fn, f"axis must be None, an int or a tuple of ints, got {axis!r}", TypeError)
    out = []
    for ax in axes:
        if not -builtins.max(ndim, 1) <= ax < builtins.max(ndim, 1):
            fail(fn, f"axis {ax} is out of range for a tensor with {ndim} dimensions")
        if not ndim:       # a 0-d tensor: axis 0 (or -1) names the tensor itself, like PyTorch
            continue
        ax = ax % ndim
        if ax in out:
            fail(fn, f"axis {ax} is repeated in {axis!r}")
        out.append(ax)
    return tuple(sorted(out))


def _kept_shape(shape, axes):
    """The shape of the result with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


# ---------------------------------------------------------------- sum
def sum(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """Σ a over ``axis`` (all axes by default); d/da_i = 1."""
    axes = None if axis is None else normalize_axis("sum", axis, a.data.ndim)
    with np.errstate(all="ignore"):
        data = np.sum(a.data, axis=axes, keepdims=keepdims)
    return record(np.asarray(data), (a,), "sum", _sum_backward, (axes, keepdims))


def _sum_backward(out):
    a = out.parents[0]
    axes, keepdims = out._ctx
    g = out.grad
    if axes is None:
        accumulate(a, np.full(a.data.shape, g, a.data.dtype))
        return
    if not keepdims:
        g = g.reshape(_kept_shape(a.data.shape, axes))
    accumulate(a, np.broadcast_to(g, a.data.shape))


# ---------------------------------------------------------------- mean
def mean(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """(1/n) Σ a over ``axis``; d/da_i = 1/n."""
    axes = None if axis is None else normalize_axis("mean", axis, a.data.ndim)
    x = a.data
    if x.dtype.kind != "f":
        fail("mean", f"needs a floating-point tensor, got dtype {x.dtype}", TypeError)
    with np.errstate(all="ignore"):
        data = np.mean(x, axis=axes, keepdims=keepdims)
    return record(np.asarray(data), (a,), "mean", _mean_backward, (axes, keepdims))


def _mean_backward(out):
    a = out.parents[0]
    axes, keepdims = out._ctx
    shape = a.data.shape
    n = a.data.size if axes is None else int(np.prod([shape[i] for i in axes]))
    g = out.grad
    if n == 0:
        accumulate(a, np.zeros(shape, a.data.dtype))
        return
    if not keepdims:
        g = g.reshape(_kept_shape(shape, axes))
    if axes is None:
        accumulate(a, np.full(shape, g / n, a.data.dtype))
        return
    accumulate(a, np.broadcast_to(g / n, shape))


# ---------------------------------------------------------------- max, min
def max(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """max of a over ``axis``; the gradient goes to the maximum.

    Ties follow PyTorch: over one axis (``torch.max(x, dim)``) the first maximum takes it
    all; over all axes or a tuple of axes (``torch.max(x)``, ``torch.amax``) it is split
    evenly among the tied maxima.
    """
    return _extreme("max", a, axis, keepdims, np.max, np.argmax)


def min(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """min of a over ``axis``; the gradient goes to the minimum (ties as in ``max``)."""
    return _extreme("min", a, axis, keepdims, np.min, np.argmin)


def _extreme(fn, a, axis, keepdims, reduce, arg):
    x = a.data
    if x.size == 0:
        fail(fn, f"cannot reduce an empty tensor (shape {x.shape})")
    axes = None if axis is None else normalize_axis(fn, axis, x.ndim)
    data = np.asarray(reduce(x, axis=axes, keepdims=keepdims))
    mask = None
    if needs_grad(a):
        if axes is not None and len(axes) == 1 and is_int(axis):
            ax = axes[0]
            idx = arg(x, axis=ax, keepdims=True)
            mask = np.zeros(x.shape, x.dtype)
            np.put_along_axis(mask, idx, 1.0, axis=ax)
        else:
            best = data if keepdims else data.reshape(_kept_shape(x.shape, axes))
            hit = (x == best) | (np.isnan(x) & np.isnan(best))
            with np.errstate(all="ignore"):
                mask = hit / hit.sum(axis=axes, keepdims=True)
            mask = mask.astype(x.dtype, copy=False)
    return record(data, (a,), fn, _extreme_backward, (axes, keepdims, mask))


def _extreme_backward(out):
    a = out.parents[0]
    axes, keepdims, mask = out._ctx
    g = out.grad
    if not keepdims:
        g = g.reshape(_kept_shape(a.data.shape, axes))
    accumulate(a, g * mask)


# ---------------------------------------------------------------- argmax (no grad)
def argmax(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """Index of the (first) maximum, as an int64 tensor outside the graph."""
    return _arg("argmax", a, axis, keepdims, np.argmax)


def argmin(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """Index of the (first) minimum, as an int64 tensor outside the graph."""
    return _arg("argmin", a, axis, keepdims, np.argmin)


def _arg(fn, a, axis, keepdims, f):
    x = a.data
    if x.size == 0:
        fail(fn, f"cannot reduce an empty tensor (shape {x.shape})")
    if axis is not None and not is_int(axis):
        fail(fn, f"axis must be None or an int, got {axis!r}", TypeError)
    if axis is not None:
        axis = normalize_axis(fn, axis, x.ndim)[0]
    data = f(x, axis=axis, keepdims=keepdims) if axis is not None else np.asarray(f(x))
    if axis is None and keepdims:
        data = data.reshape((1,) * x.ndim)
    return Tensor._leaf(np.asarray(data, np.int64), False)
