"""Activations and (log-)softmax: forward and backward side by side.

softmax and log_softmax subtract the maximum first, so logits of 1e4 stay finite. Forward
passes that can meet inf or nan run under ``np.errstate(all="ignore")`` (backward passes run
under one errstate set by ``Tensor.backward``).
"""
from __future__ import annotations

import numpy as np

from ..grids import each, reduce
from ..optable import register
from ..tensor import Tensor, record
from ..value import sum_node


# ---------------------------------------------------------------- relu
def relu(a: Tensor) -> Tensor:
    """max(a, 0); d/da = 1 where a > 0, else 0 (0 at 0, like PyTorch)."""
    return record(np.maximum(a._data, 0), (a,), RELU)


def _relu_backward(out, g, needs):
    # not (y <= 0) rather than y > 0: a NaN passes its gradient on, like PyTorch; a float mask multiplies 2x faster
    return (g * (~(out._data <= 0)).astype(g.dtype),)


RELU = register("relu", _relu_backward, scalar=False, expand=lambda t, a: each(lambda x: x.relu(), a))


# ---------------------------------------------------------------- leaky_relu
def leaky_relu(a: Tensor, negative_slope=0.01) -> Tensor:
    """a if a > 0 else negative_slope * a; d/da = 1 or negative_slope (the slope at 0)."""
    x = a._data
    with np.errstate(all="ignore"):
        data = np.where(x > 0, x, x * np.asarray(negative_slope, x.dtype))
    return record(data, (a,), LEAKY_RELU, negative_slope)


def _leaky_relu_backward(out, g, needs):
    x = out.parents[0]._data
    return (np.where(x > 0, g, g * np.asarray(out._ctx, g.dtype)),)


LEAKY_RELU = register("leaky_relu", _leaky_relu_backward, scalar=False,
                      expand=lambda t, a: each(lambda x: x.leaky_relu(t._ctx), a))


# ---------------------------------------------------------------- tanh
def tanh(a: Tensor) -> Tensor:
    """tanh a; d/da = 1 - tanh² a."""
    with np.errstate(all="ignore"):
        data = np.tanh(a._data)
    return record(data, (a,), TANH)


def _tanh_backward(out, g, needs):
    t = out._data
    return (g * (1 - t * t),)


TANH = register("tanh", _tanh_backward, scalar=False, expand=lambda t, a: each(lambda x: x.tanh(), a))


# ---------------------------------------------------------------- sigmoid
def sigmoid(a: Tensor) -> Tensor:
    """σ(a) = 1 / (1 + e^-a), without overflow: e^-|a| is never larger than 1; d/da = σ (1 - σ)."""
    x = a._data
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))
        data = np.where(x >= 0, 1, e) / (1 + e)
    return record(data.astype(x.dtype, copy=False), (a,), SIGMOID)


def _sigmoid_backward(out, g, needs):
    s = out._data
    return (g * s * (1 - s),)


SIGMOID = register("sigmoid", _sigmoid_backward, scalar=False,
                   expand=lambda t, a: each(lambda x: x.sigmoid(), a))


# ---------------------------------------------------------------- softmax
def softmax(a: Tensor, dim: int) -> Tensor:
    """e^(a_i - max a) / Σ_j e^(a_j - max a) along ``dim``; d/da = s ⊙ (g - Σ g ⊙ s)."""
    x = a._data
    with np.errstate(all="ignore"):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        data = e / e.sum(axis=dim, keepdims=True)
    return record(data, (a,), SOFTMAX, dim)


def _softmax_backward(out, g, needs):
    s, dim = out._data, out._ctx
    return (s * (g - (g * s).sum(axis=dim, keepdims=True)),)


def _shifted(t, A):
    """A minus its row maximum along the softmax axis, as a constant (softmax does not change
    under a shift, and e^x never overflows), like the tensor op: logits of 1e3 stay finite."""
    M = np.max(np.frompyfunc(lambda v: v.data, 1, 1)(A).astype(float), axis=t._ctx, keepdims=True)
    return each(lambda v, m: v - float(m), A, M)


def _softmax_expand(t, A):
    E = each(lambda v: v.exp(), _shifted(t, A))
    S = np.expand_dims(reduce(E, (t._ctx,), sum_node), t._ctx)
    return each(lambda e, s: e / s, E, S)


SOFTMAX = register("softmax", _softmax_backward, scalar=False, expand=_softmax_expand)


# ---------------------------------------------------------------- log_softmax
def log_softmax(a: Tensor, dim: int) -> Tensor:
    """a_i - max a - log Σ_j e^(a_j - max a) along ``dim``; d/da = g - e^out Σ g."""
    x = a._data
    with np.errstate(all="ignore"):
        shifted = x - x.max(axis=dim, keepdims=True)
        data = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    return record(data, (a,), LOG_SOFTMAX, dim)


def _log_softmax_backward(out, g, needs):
    return (g - np.exp(out._data) * g.sum(axis=out._ctx, keepdims=True),)


def _log_softmax_expand(t, A):
    A = _shifted(t, A)
    E = each(lambda v: v.exp(), A)
    L = np.expand_dims(each(lambda s: s.log(), reduce(E, (t._ctx,), sum_node)), t._ctx)
    return each(lambda v, lse: v - lse, A, L)


LOG_SOFTMAX = register("log_softmax", _log_softmax_backward, scalar=False, expand=_log_softmax_expand)


# ---------------------------------------------------------------- dropout
def dropout(a: Tensor, p: float, rng) -> Tensor:
    """a ⊙ m / (1 - p) with m_i ~ Bernoulli(1 - p); d/da = m / (1 - p)."""
    x = a._data
    if p >= 1.0:
        mask = np.zeros(x.shape, x.dtype)
    else:
        mask = (rng.random(x.shape) >= p).astype(x.dtype) * np.asarray(1.0 / (1.0 - p), x.dtype)
    with np.errstate(all="ignore"):
        data = x * mask
    return record(data, (a,), DROPOUT, mask)


def _dropout_backward(out, g, needs):
    return (g * out._ctx,)


DROPOUT = register("dropout", _dropout_backward, scalar=False,
                   expand=lambda t, a: each(lambda v, m: v * float(m), a, np.asarray(t._ctx, dtype=float)))
