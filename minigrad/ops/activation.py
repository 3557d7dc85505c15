"""Activations and (log-)softmax: forward and backward side by side.

softmax and log_softmax subtract the maximum first, so logits of 1e4 stay finite. Forward
passes that can meet inf or nan run under ``np.errstate(all="ignore")`` (backward passes run
under one errstate set by ``Tensor.backward``).
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, accumulate, record


# ---------------------------------------------------------------- relu
def relu(a: Tensor) -> Tensor:
    """max(a, 0); d/da = 1 where a > 0, else 0 (0 at 0, like PyTorch)."""
    return record(np.maximum(a.data, 0), (a,), "relu", _relu_backward)


def _relu_backward(out):
    g = out.grad
    # not (y <= 0) rather than y > 0: a NaN passes its gradient on, like PyTorch; a float mask multiplies 2x faster
    accumulate(out.parents[0], g * (~(out.data <= 0)).astype(g.dtype))


# ---------------------------------------------------------------- leaky_relu
def leaky_relu(a: Tensor, negative_slope=0.01) -> Tensor:
    """a if a > 0 else negative_slope * a; d/da = 1 or negative_slope (the slope at 0)."""
    x = a.data
    with np.errstate(all="ignore"):
        data = np.where(x > 0, x, x * np.asarray(negative_slope, x.dtype))
    return record(data, (a,), "leaky_relu", _leaky_relu_backward, negative_slope)


def _leaky_relu_backward(out):
    a = out.parents[0]
    x, g = a.data, out.grad
    accumulate(a, np.where(x > 0, g, g * np.asarray(out._ctx, g.dtype)))


# ---------------------------------------------------------------- tanh
def tanh(a: Tensor) -> Tensor:
    """tanh a; d/da = 1 - tanh² a."""
    with np.errstate(all="ignore"):
        data = np.tanh(a.data)
    return record(data, (a,), "tanh", _tanh_backward)


def _tanh_backward(out):
    t = out.data
    accumulate(out.parents[0], out.grad * (1 - t * t))


# ---------------------------------------------------------------- sigmoid
def sigmoid(a: Tensor) -> Tensor:
    """σ(a) = 1 / (1 + e^-a), without overflow: e^-|a| is never larger than 1; d/da = σ (1 - σ)."""
    x = a.data
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))
        data = np.where(x >= 0, 1, e) / (1 + e)
    return record(data.astype(x.dtype, copy=False), (a,), "sigmoid", _sigmoid_backward)


def _sigmoid_backward(out):
    s = out.data
    accumulate(out.parents[0], out.grad * s * (1 - s))


# ---------------------------------------------------------------- softmax
def softmax(a: Tensor, dim: int) -> Tensor:
    """e^(a_i - max a) / Σ_j e^(a_j - max a) along ``dim``; d/da = s ⊙ (g - Σ g ⊙ s)."""
    x = a.data
    with np.errstate(all="ignore"):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        data = e / e.sum(axis=dim, keepdims=True)
    return record(data, (a,), "softmax", _softmax_backward, dim)


def _softmax_backward(out):
    s, g, dim = out.data, out.grad, out._ctx
    accumulate(out.parents[0], s * (g - (g * s).sum(axis=dim, keepdims=True)))


# ---------------------------------------------------------------- log_softmax
def log_softmax(a: Tensor, dim: int) -> Tensor:
    """a_i - max a - log Σ_j e^(a_j - max a) along ``dim``; d/da = g - e^out Σ g."""
    x = a.data
    with np.errstate(all="ignore"):
        shifted = x - x.max(axis=dim, keepdims=True)
        data = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    return record(data, (a,), "log_softmax", _log_softmax_backward, dim)


def _log_softmax_backward(out):
    g, dim = out.grad, out._ctx
    accumulate(out.parents[0], g - np.exp(out.data) * g.sum(axis=dim, keepdims=True))


# ---------------------------------------------------------------- dropout
def dropout(a: Tensor, p: float, rng) -> Tensor:
    """a ⊙ m / (1 - p) with m_i ~ Bernoulli(1 - p); d/da = m / (1 - p)."""
    x = a.data
    if p >= 1.0:
        mask = np.zeros(x.shape, x.dtype)
    else:
        mask = (rng.random(x.shape) >= p).astype(x.dtype) * np.asarray(1.0 / (1.0 - p), x.dtype)
    with np.errstate(all="ignore"):
        data = x * mask
    return record(data, (a,), "dropout", _dropout_backward, mask)


def _dropout_backward(out):
    accumulate(out.parents[0], out.grad * out._ctx)
