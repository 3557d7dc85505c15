"""Batch normalisation: y = (x - μ) / √(σ² + eps) · γ + β per channel (axis 1), one fused node.

Training uses the batch's mean and biased variance, and updates the running statistics in
place like PyTorch: running = (1 - momentum) · running + momentum · batch, with the
unbiased variance (n / (n - 1)) in the running update. Evaluation uses the running ones.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, accumulate, needs_grad, record


def batch_norm(x: Tensor, running_mean, running_var, weight, bias, training, momentum, eps) -> Tensor:
    """The forward pass; ``running_mean``/``running_var`` are ndarrays (or None) updated in place."""
    with np.errstate(all="ignore"):  # inf and nan propagate silently
        return _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps):
    data = x.data
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
        ctx = (xhat, invstd, training, weight is not None, bias is not None, axes, bshape, mu, eps)
    return record(out if out is not xhat else xhat.copy(), parents, "batch_norm", _batch_norm_backward, ctx)


def _batch_norm_backward(out):
    xhat, invstd, training, has_w, has_b, axes, bshape, _, _ = out._ctx
    x = out.parents[0]
    g = out.grad
    k = 1
    if has_w:
        w = out.parents[k]
        k += 1
        if w.requires_grad:
            accumulate(w, (g * xhat).sum(axis=axes))
    if has_b:
        b = out.parents[k]
        if b.requires_grad:
            accumulate(b, g.sum(axis=axes))
    if x.requires_grad:
        gxhat = g * out.parents[1].data.reshape(bshape) if has_w else g
        scale = invstd.reshape(bshape)
        if training:
            n = g.size // g.shape[1]
            mean_g = gxhat.sum(axis=axes, keepdims=True) / n
            mean_gx = (gxhat * xhat).sum(axis=axes, keepdims=True) / n
            accumulate(x, scale * (gxhat - mean_g - xhat * mean_gx))
        else:
            accumulate(x, gxhat * scale)
