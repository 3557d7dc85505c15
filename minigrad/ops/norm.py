"""Normalisation. Batch normalisation: y = (x - μ) / √(σ² + eps) · γ + β per channel (axis 1), one
fused node; layer_norm: x̂ over trailing axes (LayerNorm and, after a reshape, GroupNorm).

Training uses the batch's mean and biased variance, and updates the running statistics in
place like PyTorch: running = (1 - momentum) · running + momentum · batch, with the
unbiased variance (n / (n - 1)) in the running update. Evaluation uses the running ones.
"""
from __future__ import annotations

import numpy as np

from typing import NamedTuple

from ..grids import each
from ..optable import register
from ..tensor import Tensor, needs_grad, record
from ..value import sum_node


class Normalized(NamedTuple):
    """What batch_norm's backward and expansion need: x̂, 1/√(σ² + eps) per channel, the mode,
    which affine parameters are parents, and (for the expansion) μ and eps."""

    xhat: np.ndarray
    invstd: np.ndarray
    training: bool
    has_weight: bool
    has_bias: bool
    mean: np.ndarray
    eps: float


def batch_norm(x: Tensor, running_mean, running_var, weight, bias, training, momentum, eps) -> Tensor:
    """The forward pass; ``running_mean``/``running_var`` are ndarrays (or None) updated in place."""
    with np.errstate(all="ignore"):  # inf and nan propagate silently
        return _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps):
    data = x._data
    axes = (0,) + tuple(range(2, data.ndim))
    bshape = (1, data.shape[1]) + (1,) * (data.ndim - 2)
    if training:
        n = data.size // data.shape[1]
        mu = data.mean(axis=axes)
        var = data.var(axis=axes)
        if running_mean is not None:
            running_mean[...] = (1 - momentum) * running_mean + momentum * mu
        if running_var is not None:
            running_var[...] = (1 - momentum) * running_var + momentum * var * (n / (n - 1))
    else:
        mu, var = running_mean.astype(data.dtype), running_var.astype(data.dtype)
    invstd = (1.0 / np.sqrt(var + eps)).astype(data.dtype)
    xhat = (data - mu.reshape(bshape)) * invstd.reshape(bshape)
    out = xhat
    if weight is not None:
        out = out * weight.data.reshape(bshape)
    if bias is not None:
        out = out + bias.data.reshape(bshape)
    parents = (x,) + tuple(t for t in (weight, bias) if t is not None)
    ctx = None
    if needs_grad(*parents):
        ctx = Normalized(xhat, invstd, training, weight is not None, bias is not None, mu, eps)
    return record(out if out is not xhat else xhat.copy(), parents, BATCH_NORM, ctx)


def _batch_norm_backward(out, g, needs):
    xhat, invstd, training, has_w, has_b = out._ctx[:5]
    axes = (0,) + tuple(range(2, g.ndim))
    bshape = (1, g.shape[1]) + (1,) * (g.ndim - 2)
    grads = [None] * len(needs)
    if has_w and needs[1]:
        grads[1] = (g * xhat).sum(axis=axes)
    if has_b and needs[-1]:
        grads[-1] = g.sum(axis=axes)
    if needs[0]:
        gxhat = g * out.parents[1]._data.reshape(bshape) if has_w else g
        scale = invstd.reshape(bshape)
        if training:
            n = g.size // g.shape[1]
            mean_g = gxhat.sum(axis=axes, keepdims=True) / n
            mean_gx = (gxhat * xhat).sum(axis=axes, keepdims=True) / n
            grads[0] = scale * (gxhat - mean_g - xhat * mean_gx)
        else:
            grads[0] = gxhat * scale
    return grads


def _batch_norm_expand(t, X, *affine):
    """y = (x − μ) / √(σ² + eps) · γ + β per channel (axis 1). Training: μ and the biased σ² are
    sum nodes over the batch, so the gradient flows through them; eval: the running statistics
    are constants."""
    c = t._ctx
    gamma = affine[0] if c.has_weight else None
    beta = affine[-1] if c.has_bias else None
    out = np.empty(t.shape, dtype=object)
    for ch in range(t.shape[1]):
        sel = (slice(None), ch)
        xs = X[sel]
        if c.training:
            y = standardized(xs, c.eps)
        else:  # x̂ = (x − μ) · invstd with the running μ and invstd as constants
            mu_c = float(np.asarray(c.mean).reshape(-1)[ch])
            inv = float(np.asarray(c.invstd).reshape(-1)[ch])
            y = each(lambda v: (v - mu_c) * inv, xs)
        if gamma is not None:
            y = each(lambda v: v * gamma[ch], y)
        if beta is not None:
            y = each(lambda v: v + beta[ch], y)
        out[sel] = y
    return out


BATCH_NORM = register("batch_norm", _batch_norm_backward, scalar=False, expand=_batch_norm_expand)


def standardized(xs: np.ndarray, eps: float) -> np.ndarray:
    """(x − μ) / √(σ² + eps) over all of the grid ``xs``, μ and the biased σ² as sum nodes (so the
    gradient flows through them): the scalar form of batch_norm's training and of layer_norm."""
    n = xs.size
    mu = sum_node(tuple(xs.ravel())) * (1.0 / n)
    d = each(lambda v: v - mu, xs)
    var = sum_node(tuple(v * v for v in d.ravel())) * (1.0 / n)
    scale = (var + float(eps)) ** -0.5
    return each(lambda v: v * scale, d)


# ---------------------------------------------------------------- layer_norm (and group_norm)
class Standardized(NamedTuple):
    """layer_norm's x̂, 1/√(σ² + eps) per row (kept dims), how many trailing axes it normalises, and eps."""

    xhat: np.ndarray
    invstd: np.ndarray
    axes: tuple
    eps: float


def layer_norm(x: Tensor, n_axes: int, eps: float) -> Tensor:
    """x̂ = (x − μ) / √(σ² + eps) with μ and the biased σ² over the last ``n_axes`` axes (no affine:
    layer_norm and group_norm multiply and add theirs after it).

    d/dx = (1/√(σ² + eps)) (g − mean(g) − x̂ · mean(g x̂)), the means over the same axes.
    """
    data = x._data
    axes = tuple(range(data.ndim - n_axes, data.ndim))
    with np.errstate(all="ignore"):
        mu = data.mean(axis=axes, keepdims=True)
        centred = data - mu
        invstd = (1.0 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)).astype(data.dtype)
        xhat = centred * invstd
    return record(xhat, (x,), LAYER_NORM, Standardized(xhat, invstd, axes, eps) if needs_grad(x) else None)


def _layer_norm_backward(out, g, needs):
    xhat, invstd, axes, _ = out._ctx
    return (invstd * (g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True)),)


def _layer_norm_expand(t, X):
    axes, eps = t._ctx.axes, t._ctx.eps
    lead = X.shape[:X.ndim - len(axes)]
    out = np.empty(X.shape, dtype=object)
    for idx in np.ndindex(*lead):
        out[idx] = standardized(X[idx], eps)
    return out


LAYER_NORM = register("layer_norm", _layer_norm_backward, scalar=False, expand=_layer_norm_expand)
