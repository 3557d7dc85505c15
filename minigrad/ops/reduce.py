"""Reductions: sum, mean, max, min, var, std, prod, logsumexp, cumsum, norm (and argmax/argmin outside the graph).

The backward of a reduction spreads the output's gradient back over the reduced axes:
``sum`` copies it, ``mean`` divides it by the count, ``max``/``min`` send it to the
selected elements only.
"""
from __future__ import annotations

import builtins
import math
from typing import NamedTuple

import numpy as np

from .. import return_types
from .._checks import dim as check_dim, fail, flag, is_int
from ..engine import gated
from ..grids import each, reduce
from ..optable import register
from ..tensor import Tensor, floating, needs_grad, quietly, record
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
    """``axis`` (None, an int or a tuple of ints; negatives allowed) as None or a sorted tuple;
    an empty tuple or list means every axis, as in PyTorch (``x.sum(dim=())`` is ``x.sum()``)."""
    if axis is None or (isinstance(axis, (tuple, list)) and len(axis) == 0):
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
    keepdims = flag("sum", "keepdim", keepdims)
    axes = None if axis is None else normalize_axis("sum", axis, a._data.ndim)
    data = quietly(np.sum, a._data, axis=axes, keepdims=keepdims)
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
    keepdims = flag("mean", "keepdim", keepdims)
    axes = None if axis is None else normalize_axis("mean", axis, a._data.ndim)
    x = a._data
    if x.dtype.kind != "f":
        fail("mean", f"needs a floating-point tensor, got dtype {x.dtype}", TypeError)
    data = quietly(np.mean, x, axis=axes, keepdims=keepdims)
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
def max(a: Tensor, axis=None, keepdims=False, nan_hits=False) -> Tensor:
    """max of a over ``axis``; the gradient goes to the maximum.

    Ties follow PyTorch: over one axis (``torch.max(x, dim)``) the first maximum takes it
    all; over all axes or a tuple of axes (``torch.max(x)``, ``torch.amax``) it is split
    evenly among the tied maxima. ``nan_hits``: over a tuple of axes too, a NaN maximum goes to the
    NaNs (the inf-norm's rule in PyTorch), where ``torch.amax`` sends NaN to every element.
    """
    return _extreme("max", a, axis, keepdims, np.max, np.argmax, nan_hits)


def min(a: Tensor, axis=None, keepdims=False, nan_hits=False) -> Tensor:
    """min of a over ``axis``; the gradient goes to the minimum (ties and ``nan_hits`` as in ``max``)."""
    return _extreme("min", a, axis, keepdims, np.min, np.argmin, nan_hits)


def max_dim(a: Tensor, dim, keepdim=False):
    """``torch.max(a, dim)``: the named tuple ``(values, indices)``; the gradient goes to the
    maximum that ``indices`` names (ties: the first; NaN: the first NaN, whose value is NaN)."""
    return _extreme_dim("max", a, dim, keepdim, np.argmax)


def min_dim(a: Tensor, dim, keepdim=False):
    """``torch.min(a, dim)``: ``(values, indices)`` (ties as in ``max_dim``)."""
    return _extreme_dim("min", a, dim, keepdim, np.argmin)


def _extreme_dim(fn, a, dim, keepdim, arg):
    keepdim = flag(fn, "keepdim", keepdim)
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


def _refuse_empty(fn, shape, axes):
    """A maximum (minimum, arg-) over an axis of size 0 does not exist; over the others of an empty
    tensor it is empty, like PyTorch's (``amax`` of shape (0, 3) over dim 1 has shape (0,))."""
    empty = [i for i in (range(len(shape)) if axes is None else axes) if shape[i] == 0]
    if empty or (axes is None and 0 in shape):
        what = "an empty tensor" if axes is None else f"dim {empty[0]}, which has size 0,"
        fail(fn, f"cannot reduce {what} (shape {tuple(shape)})")


def _extreme(fn, a, axis, keepdims, reduce, arg, nan_hits=False):
    keepdims = flag(fn, "keepdim", keepdims)
    x = a._data
    axes = None if axis is None else normalize_axis(fn, axis, x.ndim)
    _refuse_empty(fn, x.shape, axes)
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
            if axes is None or nan_hits:    # torch.max(): a NaN maximum goes to the NaNs, split evenly
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
    keepdims = flag(fn, "keepdim", keepdims)
    x = a._data
    if axis is not None and not is_int(axis):
        fail(fn, f"axis must be None or an int, got {axis!r}", TypeError)
    if axis is not None:
        axes = normalize_axis(fn, axis, x.ndim)
        _refuse_empty(fn, x.shape, axes)
        axis = axes[0] if axes else None     # a 0-d tensor's dim 0 is the tensor itself
    elif x.size == 0:
        _refuse_empty(fn, x.shape, None)
    data = f(x, axis=axis, keepdims=keepdims) if axis is not None else np.asarray(f(x))
    if axis is None and keepdims:
        data = data.reshape((1,) * x.ndim)
    return Tensor._leaf(np.asarray(data, np.int64), False)


# ---------------------------------------------------------------- var, std
class Moments(NamedTuple):
    """var/std's reduced axes (None: all), keepdims and correction (1: Bessel's, n - 1)."""

    axes: tuple | None
    keepdims: bool
    correction: float


def var(a: Tensor, axis=None, correction=1, keepdims=False, fn="var") -> Tensor:
    """Σ (a - mean)² / (n - correction) over ``axis``; d/da = 2 (a - mean) / (n - correction)."""
    return _moment(fn, a, axis, correction, keepdims, VAR)


def std(a: Tensor, axis=None, correction=1, keepdims=False, fn="std") -> Tensor:
    """√var; d/da = (a - mean) / ((n - correction) · std), and 0 where std = 0 (like PyTorch)."""
    return _moment(fn, a, axis, correction, keepdims, STD)


def _moment(fn, a, axis, correction, keepdims, op):
    x = a._data
    if x.dtype.kind != "f":
        fail(fn, f"needs a floating-point tensor, got dtype {x.dtype}", TypeError)
    axes = None if axis is None else normalize_axis(fn, axis, x.ndim)
    with np.errstate(all="ignore"):
        data = np.var(x, axis=axes, ddof=correction, keepdims=keepdims)
        if op is STD:
            data = np.sqrt(data)
    return record(np.asarray(data, x.dtype), (a,), op, Moments(axes, keepdims, correction))


def _moment_backward(out, g, needs):
    x = out.parents[0]._data
    axes, keepdims, c = out._ctx
    n = x.size if axes is None else int(np.prod([x.shape[i] for i in axes]))
    kept = _kept_shape(x.shape, axes)
    centred = x - np.mean(x, axis=axes, keepdims=True)
    g = g.reshape(kept)
    dof = np.asarray(builtins.max(n - c, 0), x.dtype)   # 0 degrees of freedom: inf, and NaN beside 0, like PyTorch
    if out.op == "var":
        return (g * (2.0 / dof) * centred,)
    s = out._data.reshape(kept)
    return (np.where(s == 0, 0.0, g / (dof * s)) * centred,)


def _moment_expand(t, A):
    axes, c = t._ctx.axes, t._ctx.correction

    def moment(window):
        n = len(window)
        mean = sum_node(window) * (1.0 / n)
        scale = 1.0 / (n - c) if n > c else math.inf     # no degrees of freedom: 0 · inf, NaN as the tensor's
        v = sum_node(tuple((x - mean) ** 2 for x in window)) * scale
        if t.op == "var":
            return v
        return v * 0.0 if v.data == 0 else v ** 0.5   # std 0: gradient 0, as the tensor rule
    return reduce(A, axes, moment).reshape(t.shape)


VAR = register("var", _moment_backward, scalar=False, expand=_moment_expand)
STD = register("std", _moment_backward, scalar=False, expand=_moment_expand)


# ---------------------------------------------------------------- prod
def prod(a: Tensor, axis=None, keepdims=False) -> Tensor:
    """Π a over one axis (or all); d/da_i = Π_{j≠i} a_j: result / a_i when the tensor has no zero,
    else the product of the others (PyTorch's rule, so NaN and zeros give its numbers)."""
    x = a._data
    axes = None if axis is None else normalize_axis("prod", axis, x.ndim)
    with np.errstate(all="ignore"):
        data = np.prod(x, axis=axes, keepdims=keepdims)
    return record(np.asarray(data), (a,), PROD, Reduced(axes, keepdims))


def _prod_backward(out, g, needs):
    x = out.parents[0]._data
    axes = out._ctx.axes
    kept = _kept_shape(x.shape, axes)
    g = g.reshape(kept)
    if not (x == 0).any():
        return (g * (out._data.reshape(kept) / x),)
    axes = tuple(range(x.ndim)) if axes is None else axes
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = x.transpose(rest + list(axes))
    rows = moved.reshape(moved.shape[:len(rest)] + (-1,))
    ones = np.ones(rows.shape[:-1] + (1,), x.dtype)
    left = np.cumprod(np.concatenate([ones, rows[..., :-1]], -1), -1)             # Π of those before
    right = np.cumprod(np.concatenate([ones, rows[..., :0:-1]], -1), -1)[..., ::-1]  # Π of those after
    others = (left * right).reshape(moved.shape).transpose(np.argsort(rest + list(axes)))
    return (g * others,)


def _product(window):
    p = window[0]
    for v in window[1:]:
        p = p * v
    return p


PROD = register("prod", _prod_backward, scalar=False,
                expand=lambda t, A: reduce(A, t._ctx.axes, _product).reshape(t.shape))


# ---------------------------------------------------------------- logsumexp
def logsumexp(a: Tensor, axis, keepdims=False) -> Tensor:
    """log Σ e^a over ``axis``, with the maximum taken out first (finite for logits of 1e4);
    d/da = e^(a - result), the softmax."""
    x = floating(a._data)
    axes = normalize_axis("logsumexp", axis, x.ndim)
    axes = tuple(range(x.ndim)) if axes is None else axes
    with np.errstate(all="ignore"):
        m = _finite_max(x, axes)
        data = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    if not keepdims:
        data = data.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))
    return record(data, (a,), LOGSUMEXP, Reduced(axes, keepdims))


def _finite_max(x, axes):
    """The maximum over ``axes`` (kept), 0 where it is ±inf (so x - m stays a number), as PyTorch."""
    m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros(_kept_shape(x.shape, axes), x.dtype)
    return np.where(np.isinf(m), 0.0, m).astype(x.dtype, copy=False)


def _logsumexp_backward(out, g, needs):
    x = out.parents[0]._data
    kept = _kept_shape(x.shape, out._ctx.axes)
    return (g.reshape(kept) * np.exp(x - out._data.reshape(kept)),)


def _logsumexp_expand(t, A):
    m = _finite_max(t.parents[0]._data, t._ctx.axes)
    M = reduce(np.asarray(m, dtype=object), t._ctx.axes, lambda w: float(w[0]))

    def lse(window, shift):
        return sum_node(tuple((v - shift).exp() for v in window)).log() + shift
    return each(lse, reduce(A, t._ctx.axes, tuple), M).reshape(t.shape)


LOGSUMEXP = register("logsumexp", _logsumexp_backward, scalar=False, expand=_logsumexp_expand)


# ---------------------------------------------------------------- cumsum
def cumsum(a: Tensor, axis: int) -> Tensor:
    """Running sums along ``axis``; the gradient is the running sum of g from the other end."""
    d = check_dim("cumsum", "dim", axis, a._data.ndim)
    with np.errstate(all="ignore"):
        data = np.cumsum(a._data, axis=d) if a._data.ndim else a._data.copy()
    return record(data, (a,), CUMSUM, d)


def _cumsum_backward(out, g, needs):
    if g.ndim == 0:
        return (g,)
    d = out._ctx
    return (np.flip(np.cumsum(np.flip(g, d), axis=d), d),)


def _cumsum_expand(t, A):
    if A.ndim == 0:
        return A
    B = np.moveaxis(np.array(A, dtype=object), t._ctx, -1)
    for idx in np.ndindex(*B.shape[:-1]):
        for k in range(1, B.shape[-1]):
            B[idx + (k,)] = B[idx + (k - 1,)] + B[idx + (k,)]
    return np.moveaxis(B, -1, t._ctx)


CUMSUM = register("cumsum", _cumsum_backward, scalar=False, expand=_cumsum_expand)


# ---------------------------------------------------------------- norm
class PNorm(NamedTuple):
    """norm's reduced axes (None: all), keepdims and p."""

    axes: tuple | None
    keepdims: bool
    p: float


def norm(a: Tensor, p=2.0, axis=None, keepdims=False) -> Tensor:
    """(Σ |a|^p)^(1/p) over ``axis`` for a number p > 0; d/da = sign(a) |a|^(p-1) / norm^(p-1), and 0
    where the norm is 0 (PyTorch's rule, so the norm of zeros has gradient 0, not NaN)."""
    x = a._data
    if x.dtype.kind != "f":
        fail("norm", f"needs a floating-point tensor, got dtype {x.dtype}", TypeError)
    axes = None if axis is None else normalize_axis("norm", axis, x.ndim)
    with np.errstate(all="ignore"):
        if p == 2:
            data = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdims))
        else:
            data = np.sum(np.abs(x) ** p, axis=axes, keepdims=keepdims) ** (1.0 / p)
    return record(np.asarray(data, x.dtype), (a,), NORM, PNorm(axes, keepdims, float(p)))


def _norm_backward(out, g, needs):
    x = out.parents[0]._data
    axes, p = out._ctx.axes, out._ctx.p
    kept = _kept_shape(x.shape, axes)
    n, g = out._data.reshape(kept), g.reshape(kept)
    if p == 2:
        scale = g / n
    else:
        scale = g / n ** (p - 1.0)
        x = np.where((x == 0) | np.isnan(x), 0.0, np.sign(x) * np.abs(x) ** (p - 1.0))   # 0 at 0 and NaN (sign's, in PyTorch)
    return (x * np.where(n == 0, 0.0, scale),)


def _norm_expand(t, A):
    axes, _, p = t._ctx

    def pnorm(window):
        if p == 2:
            total = sum_node(tuple(v * v for v in window))
        else:
            total = sum_node(tuple((v.relu() + (-v).relu()) ** p for v in window))
        return total * 0.0 if total.data == 0 else total ** (1.0 / p)   # 0: gradient 0, as the tensor rule
    return reduce(A, axes, pnorm).reshape(t.shape)


NORM = register("norm", _norm_backward, scalar=False, expand=_norm_expand)
