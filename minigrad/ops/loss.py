"""Loss functions as single nodes: the negative log-likelihood (under cross-entropy) and the
two binary cross-entropies. Inputs are validated by ``nn.functional``; these trust them."""
from __future__ import annotations

import numpy as np

from typing import NamedTuple

from .._checks import fail
from ..grids import each, obj
from ..optable import register
from ..tensor import Tensor, needs_grad, record
from ..value import _const, max_node, sum_node
from .elementwise import abs_value


# ---------------------------------------------------------------- nll_loss
def nll_loss(logp: Tensor, target: np.ndarray, weight, ignore_index: int, reduction: str,
             smoothing: float = 0.0) -> Tensor:
    """ℓ_n = -(1 - ε) w[t_n] logp[n, t_n] - ε/C Σ_c w_c logp[n, c] (ε: cross_entropy's label
    smoothing, else 0); 'mean' divides Σ ℓ by Σ w[t_n]. An ignored target counts 0 in the
    denominator and its ℓ_n is 0, even where logp is NaN, like PyTorch.

    ``logp`` is (N, C, d1, ...) with ``target`` (N, d1, ...), or (C,) with a 0-d target.
    """
    x = logp._data
    if x.ndim == 1:
        x, target = x[None], np.asarray(target).reshape(1)
    valid = target != ignore_index
    t = np.where(valid, target, 0).astype(np.intp)
    coef = valid.astype(x.dtype)
    if weight is not None:
        weight = weight.astype(x.dtype)
        coef = coef * weight[t]
    picked = np.take_along_axis(x, t[:, None], axis=1)[:, 0]
    with np.errstate(all="ignore"):
        losses = -coef * picked
        if smoothing:
            losses = losses * (1 - smoothing) - smoothing / x.shape[1] * _class_sum(x, weight)
        losses = np.where(valid, losses, 0)
        if reduction == "none":
            data = losses.reshape(np.shape(target) if logp._data.ndim > 1 else ())
            denom = None
        elif reduction == "sum":
            data, denom = np.asarray(losses.sum()), None
        else:
            denom = coef.sum()
            data = np.asarray(losses.sum() / denom)
    ctx = Picked(t, coef, reduction, denom, valid, smoothing, weight) if needs_grad(logp) else None
    return record(data.astype(x.dtype, copy=False), (logp,), NLL_LOSS, ctx)


def _class_weights(weight, x):
    """The per-class weights w_c shaped to broadcast over x (N, C, d1, ...): ones without a weight."""
    w = np.ones(x.shape[1], x.dtype) if weight is None else weight
    return w.reshape((1, -1) + (1,) * (x.ndim - 2))


def _class_sum(x, weight):
    """Σ_c w_c x[n, c, ...] over the class axis."""
    return (x * _class_weights(weight, x)).sum(axis=1)


class Picked(NamedTuple):
    """nll_loss's targets (ignored ones as class 0), their weights w[t_n] (0 when ignored), the
    reduction, the 'mean' denominator Σ w[t_n] (None otherwise), which targets are not ignored,
    the label smoothing ε and the class weights (None: all 1)."""

    target: np.ndarray
    coef: np.ndarray
    reduction: str
    denom: object
    valid: np.ndarray
    smoothing: float
    weight: object


def _nll_loss_backward(out, g, needs):
    logp = out.parents[0]
    t, coef, reduction, denom, valid, eps, weight = out._ctx
    shape = logp._data.shape if logp._data.ndim > 1 else (1,) + logp._data.shape
    if reduction == "none":
        ge = g.reshape(t.shape)
    else:
        ge = np.broadcast_to(g if denom is None else g / denom, t.shape)
    grad = np.zeros(shape, logp._data.dtype)
    if eps:
        grad -= (eps / shape[1]) * _class_weights(weight, grad) * np.expand_dims(np.where(valid, ge, 0), 1)
        coef = coef * (1 - eps)
    picked = np.take_along_axis(grad, t[:, None], axis=1)
    np.put_along_axis(grad, t[:, None], picked - np.where(valid, coef * ge, 0)[:, None], axis=1)
    return (grad.reshape(logp._data.shape),)


def _nll_loss_expand(t, A):
    target, coef, reduction, denom, valid, eps, weight = t._ctx
    X = A[None] if A.ndim == 1 else A
    n_classes = X.shape[1]
    w = np.ones(n_classes) if weight is None else weight
    losses = np.empty(target.shape, dtype=object)
    for idx in np.ndindex(*target.shape):
        if not valid[idx]:  # an ignored target adds a constant 0
            losses[idx] = _const(0.0, "nll_loss")
            continue
        row = [X[(idx[0], c) + idx[1:]] for c in range(n_classes)]
        loss = row[int(target[idx])] * -(float(coef[idx]) * (1 - eps))
        if eps:
            loss = loss - sum_node(tuple(v * float(wc) for v, wc in zip(row, w))) * (eps / n_classes)
        losses[idx] = loss
    if reduction == "none":
        return losses.reshape(t.shape)
    s = sum_node(tuple(losses.ravel()))
    return obj(s if denom is None else s * (1.0 / float(denom)))


NLL_LOSS = register("nll_loss", _nll_loss_backward, scalar=False, expand=_nll_loss_expand)


# ---------------------------------------------------------------- binary_cross_entropy
_EPS = float(np.float32(1e-12))  # PyTorch's EPSILON is the float 1e-12f, also in double


def binary_cross_entropy(p: Tensor, t: Tensor) -> Tensor:
    """ℓ = -(t · log p + (1 - t) · log(1 - p)), each log clamped at -100 like PyTorch (no reduction).

    d/dp = (p - t) / max(p (1 - p), 1e-12);  d/dt = log(1 - p) - log p (clamped).
    """
    x, y = p._data, t._data
    with np.errstate(all="ignore"):
        log_p = np.maximum(np.log(x), -100)
        log_q = np.maximum(np.log1p(-x), -100)
        data = -(y * log_p + (1 - y) * log_q)
    ctx = (log_p, log_q) if needs_grad(p, t) else None
    return record(data.astype(x.dtype, copy=False), (p, t), BCE, ctx)


def _bce_backward(out, g, needs):
    p, t = out.parents
    log_p, log_q = out._ctx
    gp = gt = None
    with np.errstate(all="ignore"):
        if needs[0]:
            x = p._data
            gp = g * (x - t._data) / np.maximum(x * (1 - x), _EPS)
        if needs[1]:
            gt = g * (log_q - log_p)
    return gp, gt


def _bce_expand(t, P, T):
    """-(y log p + (1-y) log(1-p)), each log clamped at -100 like PyTorch (a max node)."""
    def clamped_log(v):
        return max_node((v.log(), _const(-100.0, "bce")))
    return each(lambda p, y: -(y * clamped_log(p) + (1 - y) * clamped_log(1 - p)), P, T)


BCE = register("binary_cross_entropy", _bce_backward, scalar=False, expand=_bce_expand)


# ---------------------------------------------------------------- binary_cross_entropy_with_logits
def bce_with_logits(z: Tensor, t: Tensor, pos_weight) -> Tensor:
    """ℓ = (1 - t) z + L · softplus(-z) with L = 1 + (pos_weight - 1) t (no reduction);
    softplus(-z) = log(1 + e^-|z|) + max(-z, 0) never overflows.

    d/dz = (1 - t) - L σ(-z);  d/dt = -z + (pos_weight - 1) softplus(-z).
    """
    x, y = z._data, t._data
    with np.errstate(all="ignore"):
        soft = np.log1p(np.exp(-np.abs(x)))
        sp = soft + np.maximum(-x, 0)
        if pos_weight is None:  # the same, without cancelling -50 + 50 + 1.9e-22
            lw = 1
            data = np.maximum(x, 0) - y * x + soft
        else:
            lw = 1 + (pos_weight - 1) * y
            data = (1 - y) * x + lw * sp
    ctx = Logits(sp, lw, pos_weight) if needs_grad(z, t) else None
    return record(np.asarray(data, x.dtype), (z, t), BCE_LOGITS, ctx)


class Logits(NamedTuple):
    """bce_with_logits' softplus(-z), its weight L = 1 + (pos_weight - 1) t, and pos_weight."""

    softplus: np.ndarray
    weight: object
    pos_weight: object


def _bce_logits_backward(out, g, needs):
    z, t = out.parents
    sp, lw, pos_weight = out._ctx
    x, y = z._data, t._data
    gz = gt = None
    with np.errstate(all="ignore"):
        if needs[0]:
            e = np.exp(-np.abs(x))
            sig_neg = np.where(x >= 0, e, 1) / (1 + e)  # σ(-x) without overflow
            gz = g * ((1 - y) - lw * sig_neg)
        if needs[1]:
            gt = g * (-x if pos_weight is None else -x + (pos_weight - 1) * sp)
    return gz, gt


def _bce_logits_expand(t, Z, T):
    pos_weight = t._ctx.pos_weight
    if pos_weight is not None and np.ndim(pos_weight):
        fail("scalar.expand", "bce_with_logits with a per-class pos_weight cannot be expanded yet")

    def f(z, y):
        # softplus(-z) = log(1 + e^-z) = relu(-z) + log(1 + e^-|z|): finite for any z
        softplus = (-z).relu() + ((-abs_value(z)).exp() + 1).log()
        weight = 1 if pos_weight is None else 1 + (float(pos_weight) - 1) * y
        return (1 - y) * z + weight * softplus
    return each(f, Z, T)


BCE_LOGITS = register("bce_with_logits", _bce_logits_backward, scalar=False, expand=_bce_logits_expand)
