"""Loss functions as single nodes: the negative log-likelihood (under cross-entropy) and the
two binary cross-entropies. Inputs are validated by ``nn.functional``; these trust them."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, accumulate, needs_grad, record


# ---------------------------------------------------------------- nll_loss
def nll_loss(logp: Tensor, target: np.ndarray, weight, ignore_index: int, reduction: str) -> Tensor:
    """ℓ_n = -w[t_n] · logp[n, t_n]; 'mean' divides Σ ℓ by Σ w[t_n] (ignored targets count 0).

    ``logp`` is (N, C, d1, ...) with ``target`` (N, d1, ...), or (C,) with a 0-d target.
    """
    x = logp.data
    if x.ndim == 1:
        x, target = x[None], np.asarray(target).reshape(1)
    valid = target != ignore_index
    t = np.where(valid, target, 0).astype(np.intp)
    coef = valid.astype(x.dtype)
    if weight is not None:
        coef = coef * weight.astype(x.dtype)[t]
    picked = np.take_along_axis(x, t[:, None], axis=1)[:, 0]
    with np.errstate(all="ignore"):
        losses = -coef * picked
        if reduction == "none":
            data = losses.reshape(np.shape(target) if logp.data.ndim > 1 else ())
            denom = None
        elif reduction == "sum":
            data, denom = np.asarray(losses.sum()), None
        else:
            denom = coef.sum()
            data = np.asarray(losses.sum() / denom)
    ctx = (t, coef, reduction, denom) if needs_grad(logp) else None
    return record(data.astype(x.dtype, copy=False), (logp,), "nll_loss", _nll_loss_backward, ctx)


def _nll_loss_backward(out):
    logp = out.parents[0]
    t, coef, reduction, denom = out._ctx
    g = out.grad
    shape = logp.data.shape if logp.data.ndim > 1 else (1,) + logp.data.shape
    if reduction == "none":
        ge = g.reshape(t.shape)
    else:
        ge = np.broadcast_to(g if denom is None else g / denom, t.shape)
    grad = np.zeros(shape, logp.data.dtype)
    np.put_along_axis(grad, t[:, None], (-coef * ge)[:, None], axis=1)
    accumulate(logp, grad.reshape(logp.data.shape))


# ---------------------------------------------------------------- binary_cross_entropy
_EPS = float(np.float32(1e-12))  # PyTorch's EPSILON is the float 1e-12f, also in double


def binary_cross_entropy(p: Tensor, t: Tensor) -> Tensor:
    """ℓ = -(t · log p + (1 - t) · log(1 - p)), each log clamped at -100 like PyTorch (no reduction).

    d/dp = (p - t) / max(p (1 - p), 1e-12);  d/dt = log(1 - p) - log p (clamped).
    """
    x, y = p.data, t.data
    with np.errstate(all="ignore"):
        log_p = np.maximum(np.log(x), -100)
        log_q = np.maximum(np.log1p(-x), -100)
        data = -(y * log_p + (1 - y) * log_q)
    ctx = (log_p, log_q) if needs_grad(p, t) else None
    return record(data.astype(x.dtype, copy=False), (p, t), "binary_cross_entropy", _bce_backward, ctx)


def _bce_backward(out):
    p, t = out.parents
    log_p, log_q = out._ctx
    g = out.grad
    with np.errstate(all="ignore"):
        if p.requires_grad:
            x = p.data
            accumulate(p, g * (x - t.data) / np.maximum(x * (1 - x), _EPS))
        if t.requires_grad:
            accumulate(t, g * (log_q - log_p))


# ---------------------------------------------------------------- binary_cross_entropy_with_logits
def bce_with_logits(z: Tensor, t: Tensor, pos_weight) -> Tensor:
    """ℓ = (1 - t) z + L · softplus(-z) with L = 1 + (pos_weight - 1) t (no reduction);
    softplus(-z) = log(1 + e^-|z|) + max(-z, 0) never overflows.

    d/dz = (1 - t) - L σ(-z);  d/dt = -z + (pos_weight - 1) softplus(-z).
    """
    x, y = z.data, t.data
    with np.errstate(all="ignore"):
        soft = np.log1p(np.exp(-np.abs(x)))
        sp = soft + np.maximum(-x, 0)
        if pos_weight is None:  # the same, without cancelling -50 + 50 + 1.9e-22
            lw = 1
            data = np.maximum(x, 0) - y * x + soft
        else:
            lw = 1 + (pos_weight - 1) * y
            data = (1 - y) * x + lw * sp
    ctx = (sp, lw, pos_weight) if needs_grad(z, t) else None
    return record(np.asarray(data, x.dtype), (z, t), "bce_with_logits", _bce_logits_backward, ctx)


def _bce_logits_backward(out):
    z, t = out.parents
    sp, lw, pos_weight = out._ctx
    g = out.grad
    x, y = z.data, t.data
    with np.errstate(all="ignore"):
        if z.requires_grad:
            e = np.exp(-np.abs(x))
            sig_neg = np.where(x >= 0, e, 1) / (1 + e)  # σ(-x) without overflow
            accumulate(z, g * ((1 - y) - lw * sig_neg))
        if t.requires_grad:
            gt = -x if pos_weight is None else -x + (pos_weight - 1) * sp
            accumulate(t, g * gt)
