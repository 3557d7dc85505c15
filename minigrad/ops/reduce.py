"""Reductions: sum, mean, max, min (and argmax/argmin outside the graph).

The backward of a reduction spreads the output's gradient back over the reduced axes:
``sum`` copies it, ``mean`` divides it by the count, ``max``/``min`` send it to the
selected elements only.
"""
from __future__ import annotations

import builtins
from typing import NamedTuple

import numpy as np

from .. import return_types
from .._checks import dim as check_dim, fail, is_int
from ..engine import gated
from ..grids import each, reduce
from ..optable import register
from ..tensor import Tensor, needs_grad, record
from ..value import max_node, sum_node


class Reduced(NamedTuple):
    """What a reduction remembers: the reduced axes (None: all) and keepdims; max and min also
    the weight of each input in the result (ties: the first for one axis, split evenly for a
    full or tuple reduction, like PyTorch) and whether it is PyTorch's ``amax`` rule, a tuple of
    axes: ``(g / count) · hit``, so a slice whose maximum is NaN sends NaN to all its elements
    (and an inf gradient reaches the others as NaN), where a selection sends exactly 0."""

    axes: tuple | None
    keepdims: bool
    mask: np.ndarray | None = None
    spread: bool = False


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
    axes = None if axis is None else normalize_axis("sum", axis, a._data.ndim)
    with np.errstate(all="ignore"):
        data = np.sum(a._data, axis=axes, keepdims=keepdims)
    return record(np.asarray(data), (a,), SUM, Reduced(axes, keepdims))


def _sum_backward(out, g, needs):
    shape = out.parents[0]._data.shape
    axes, keepdims = out._ctx.axes, out._ctx.keepdims
    if axes is None:
        return (np.full(shape, g, out.parents[0]._data.dtype),)
    if not keepdims:
        g = g.reshape(_kept_shape(shape, axes))
    return (np.broadcast_to(g, shape),)


SUM = register("sum", _sum_backward, scalar=False,
               expand=lambda t, a: reduce(a, t._ctx.axes, sum_node).reshape(t.shape))


# ---------------------------------------------------------------- mean
def mean(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """(1/n) Σ a over ``axis``; d/da_i = 1/n."""
    axes = None if axis is None else normalize_axis("mean", axis, a._data.ndim)
    x = a._data
    if x.dtype.kind != "f":
        fail("mean", f"needs a floating-point tensor, got dtype {x.dtype}", TypeError)
    with np.errstate(all="ignore"):
        data = np.mean(x, axis=axes, keepdims=keepdims)
    return record(np.asarray(data), (a,), MEAN, Reduced(axes, keepdims))


def _mean_backward(out, g, needs):
    x = out.parents[0]._data
    axes, keepdims = out._ctx.axes, out._ctx.keepdims
    shape = x.shape
    n = x.size if axes is None else int(np.prod([shape[i] for i in axes]))
    if n == 0:
        return (np.zeros(shape, x.dtype),)
    if not keepdims:
        g = g.reshape(_kept_shape(shape, axes))
    if axes is None:
        return (np.full(shape, g / n, x.dtype),)
    return (np.broadcast_to(g / n, shape),)


def _mean_expand(t, A):
    count = A.size // builtins.max(t._data.size, 1)  # Σ over the window, then one * node by 1/count
    return each(lambda s: s * (1.0 / count), reduce(A, t._ctx.axes, sum_node)).reshape(t.shape)


MEAN = register("mean", _mean_backward, scalar=False, expand=_mean_expand)


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


def max_dim(a: Tensor, dim, keepdim=False):
    """``torch.max(a, dim)``: the named tuple ``(values, indices)``; the gradient goes to the
    maximum that ``indices`` names (ties: the first; NaN: the first NaN, whose value is NaN)."""
    return _extreme_dim("max", a, dim, keepdim, np.argmax)


def min_dim(a: Tensor, dim, keepdim=False):
    """``torch.min(a, dim)``: ``(values, indices)`` (ties as in ``max_dim``)."""
    return _extreme_dim("min", a, dim, keepdim, np.argmin)


def _extreme_dim(fn, a, dim, keepdim, arg):
    x = a._data
    d = check_dim(fn, "dim", dim, x.ndim)
    if x.ndim == 0:  # a 0-d tensor is its own maximum, at index 0 (like PyTorch)
        values = record(x.copy(), (a,), MAX if fn == "max" else MIN, Reduced((), keepdim, np.ones((), x.dtype)))
        return _PAIRS[fn](values, Tensor._leaf(np.zeros((), np.int64), False))
    if x.shape[d] == 0:
        fail(fn, f"dim {dim} has size 0 in shape {x.shape}: there is no maximum to take" if fn == "max" else
             f"dim {dim} has size 0 in shape {x.shape}: there is no minimum to take")
    idx = arg(x, axis=d, keepdims=True)
    data = np.take_along_axis(x, idx, axis=d)
    mask = None
    if needs_grad(a):
        mask = np.zeros(x.shape, x.dtype)
        np.put_along_axis(mask, idx, 1.0, axis=d)
    if not keepdim:
        data, idx = data.squeeze(d), idx.squeeze(d)
    values = record(data, (a,), MAX if fn == "max" else MIN, Reduced((d,), keepdim, mask))
    return _PAIRS[fn](values, Tensor._leaf(idx.astype(np.int64, copy=False), False))


def _extreme(fn, a, axis, keepdims, reduce, arg):
    x = a._data
    if x.size == 0:
        fail(fn, f"cannot reduce an empty tensor (shape {x.shape})")
    axes = None if axis is None else normalize_axis(fn, axis, x.ndim)
    data = np.asarray(reduce(x, axis=axes, keepdims=keepdims))
    mask = None
    spread = axes is not None and not is_int(axis)   # a tuple of axes: torch.amax's rule
    if needs_grad(a):
        if axes is not None and len(axes) == 1 and is_int(axis):
            ax = axes[0]
            idx = arg(x, axis=ax, keepdims=True)
            mask = np.zeros(x.shape, x.dtype)
            np.put_along_axis(mask, idx, 1.0, axis=ax)
        else:
            best = data if keepdims else data.reshape(_kept_shape(x.shape, axes))
            hit = x == best
            if axes is None:    # torch.max(): a NaN maximum goes to the NaNs, split evenly
                hit |= np.isnan(x) & np.isnan(best)
            with np.errstate(all="ignore"):   # torch.amax over a tuple: 0 hits where the max is NaN, 0/0
                mask = hit / hit.sum(axis=axes, keepdims=True)
            mask = mask.astype(x.dtype, copy=False)
    return record(data, (a,), MAX if fn == "max" else MIN, Reduced(axes, keepdims, mask, spread))


def _extreme_backward(out, g, needs):
    axes, keepdims, mask, spread = out._ctx
    if not keepdims:
        g = g.reshape(_kept_shape(mask.shape, axes))
    return (g * mask if spread else gated(g, mask),)


def _extreme_expand(t, A):
    """One n-ary max node per window (min: -max(-x)); a tie split evenly becomes a weighted sum."""
    axes, mask = t._ctx.axes, t._ctx.mask
    sign = 1 if t.op == "max" else -1
    if mask is None:
        mask = np.ones(A.shape)  # not needed for the values; any weights do
    W = reduce(np.asarray(np.asarray(mask, dtype=float), dtype=object), axes, tuple)

    def pick(window, weights):
        if builtins.sum(1 for w in weights if w) <= 1:  # one winner: an n-ary max node (ties: the first)
            return max_node(window) if sign > 0 else -max_node(tuple(-v for v in window))
        return sum_node(tuple(v * float(w) for v, w in zip(window, weights) if w))
    return each(pick, reduce(A, axes, tuple), W).reshape(t.shape)


MAX = register("max", _extreme_backward, scalar=False, expand=_extreme_expand)
MIN = register("min", _extreme_backward, scalar=False, expand=_extreme_expand)
_PAIRS = {"max": return_types.max, "min": return_types.min}


# ---------------------------------------------------------------- argmax (no grad)
def argmax(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """Index of the (first) maximum, as an int64 tensor outside the graph."""
    return _arg("argmax", a, axis, keepdims, np.argmax)


def argmin(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """Index of the (first) minimum, as an int64 tensor outside the graph."""
    return _arg("argmin", a, axis, keepdims, np.argmin)


def _arg(fn, a, axis, keepdims, f):
    x = a._data
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
