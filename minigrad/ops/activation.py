"""Activations and (log-)softmax: forward and backward side by side.

softmax and log_softmax subtract the maximum first, so logits of 1e4 stay finite. Forward
passes that can meet inf or nan run under ``np.errstate(all="ignore")`` (backward passes run
under one errstate set by ``Tensor.backward``).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..engine import gated
from ..grids import each, reduce
from ..optable import register
from ..tensor import Tensor, floating, record
from ..value import _const, _node, max_node, sum_node


# ---------------------------------------------------------------- relu
def relu(a: Tensor) -> Tensor:
    """max(a, 0); d/da = 1 where a > 0, else 0 (0 at 0, like PyTorch)."""
    return record(np.maximum(a._data, 0), (a,), RELU)


def _relu_backward(out, g, needs):
    # not (y <= 0) rather than y > 0: a NaN passes its gradient on, like PyTorch; a float mask multiplies 2x faster
    return (gated(g, (~(out._data <= 0)).astype(g.dtype)),)


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
        data = np.tanh(floating(a._data))
    return record(data, (a,), TANH)


def _tanh_backward(out, g, needs):
    t = out._data
    return (g * (1 - t * t),)


TANH = register("tanh", _tanh_backward, scalar=False, expand=lambda t, a: each(lambda x: x.tanh(), a))


# ---------------------------------------------------------------- sigmoid
def sigmoid(a: Tensor) -> Tensor:
    """σ(a) = 1 / (1 + e^-a), without overflow: e^-|a| is never larger than 1; d/da = σ (1 - σ)."""
    with np.errstate(all="ignore"):
        data = _stable_sigmoid(floating(a._data))
    return record(data, (a,), SIGMOID)


def _stable_sigmoid(x):
    """σ(x) with e^-|x| <= 1 (never overflows), in x's dtype."""
    e = np.exp(-np.abs(x))
    return (np.where(x >= 0, 1, e) / (1 + e)).astype(x.dtype, copy=False)


def _sigmoid_backward(out, g, needs):
    s = out._data
    return (g * s * (1 - s),)


SIGMOID = register("sigmoid", _sigmoid_backward, scalar=False,
                   expand=lambda t, a: each(lambda x: x.sigmoid(), a))


# ---------------------------------------------------------------- softmax
def softmax(a: Tensor, dim: int) -> Tensor:
    """e^(a_i - max a) / Σ_j e^(a_j - max a) along ``dim``; d/da = s ⊙ (g - Σ g ⊙ s)."""
    x = floating(a._data)
    with np.errstate(all="ignore"):
        e = np.exp(x - x.max(axis=dim, keepdims=True, initial=-np.inf))   # initial: an empty tensor too
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
    x = floating(a._data)
    with np.errstate(all="ignore"):
        shifted = x - x.max(axis=dim, keepdims=True, initial=-np.inf)
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
def dropout(a: Tensor, p: float, rng, mask_shape=None) -> Tensor:
    """a ⊙ m / (1 - p) with m_i ~ Bernoulli(1 - p); d/da = m / (1 - p). ``mask_shape`` (e.g. (N, C, 1, 1)
    for dropout2d, which drops whole channels) draws fewer m_i, broadcast over the rest."""
    x = a._data
    shape = x.shape if mask_shape is None else mask_shape
    if p >= 1.0:
        mask = np.zeros(shape, x.dtype)
    else:
        mask = (rng.random(shape) >= p).astype(x.dtype) * np.asarray(1.0 / (1.0 - p), x.dtype)
    mask = np.broadcast_to(mask, x.shape)
    with np.errstate(all="ignore"):
        data = x * mask
    return record(data, (a,), DROPOUT, mask)


def _dropout_backward(out, g, needs):
    return (g * out._ctx,)


DROPOUT = register("dropout", _dropout_backward, scalar=False,
                   expand=lambda t, a: each(lambda v, m: v * float(m), a, np.asarray(t._ctx, dtype=float)))


# ---------------------------------------------------------------- gelu
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_TANH_BETA = math.sqrt(2.0 / math.pi)  # GELU's tanh form: tanh(√(2/π) (x + 0.044715 x³))
_TANH_KAPPA = 0.044715
_erf = np.frompyfunc(math.erf, 1, 1)  # Python's erf (libm's, to the last bit): NumPy has none


def erf(x: np.ndarray) -> np.ndarray:
    """erf elementwise, in x's dtype (``math.erf`` per element: exact, about 0.14 µs each)."""
    return np.asarray(_erf(x), dtype=np.float64).astype(x.dtype, copy=False)


def gelu(a: Tensor, approximate: str = "none") -> Tensor:
    """x Φ(x) = x/2 (1 + erf(x/√2)); d/dx = Φ(x) + x φ(x). ``approximate='tanh'``:
    x/2 (1 + tanh u), u = √(2/π)(x + 0.044715 x³); d/dx = (1 + tanh u)/2 + x/2 (1 - tanh² u) du/dx."""
    x = a._data
    with np.errstate(all="ignore"):
        if approximate == "tanh":
            inner = np.tanh(_TANH_BETA * (x + _TANH_KAPPA * x * x * x))
            data = 0.5 * x * (1 + inner)
        else:
            inner = 0.5 * (1 + erf(x * _SQRT_HALF))  # Φ(x)
            data = x * inner
    return record(data.astype(x.dtype, copy=False), (a,), GELU, Gelu(approximate, inner))


class Gelu(NamedTuple):
    """gelu's form ('none' or 'tanh') and what its backward reuses: Φ(x), or tanh u."""

    approximate: str
    inner: np.ndarray


def _gelu_backward(out, g, needs):
    x = out.parents[0]._data
    approximate, inner = out._ctx
    if approximate == "tanh":
        du = _TANH_BETA * (1 + 3 * _TANH_KAPPA * x * x)
        return (g * (0.5 * (1 + inner) + 0.5 * x * (1 - inner * inner) * du),)
    return (g * (inner + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)),)


def _erf_partials(out):
    """∂erf(a)/∂a = 2/√π e^(-a²) (on numbers, and on formulas in a derivation)."""
    a = out.parents[0].data
    square = a * a
    return (_TWO_OVER_SQRT_PI * (math.exp(-square) if isinstance(square, float) else (-square).exp()),)


ERF = register("erf", _erf_partials, scalar=True, latex=lambda a, ctx: f"\\operatorname{{erf}}\\left({a[0]}\\right)")


def erf_node(v):
    """erf(v) as one scalar node."""
    return _node(math.erf(v.data), (v,), ERF)


def _gelu_expand(t, A):
    if t._ctx.approximate == "tanh":
        return each(lambda v: v * 0.5 * ((v + v ** 3 * _TANH_KAPPA) * _TANH_BETA).tanh() + v * 0.5, A)
    return each(lambda v: v * ((erf_node(v * _SQRT_HALF) + 1.0) * 0.5), A)


GELU = register("gelu", _gelu_backward, scalar=False, expand=_gelu_expand)


# ---------------------------------------------------------------- silu
def silu(a: Tensor) -> Tensor:
    """x σ(x); d/dx = σ(x) (1 + x (1 - σ(x)))."""
    x = a._data
    with np.errstate(all="ignore"):
        s = _stable_sigmoid(x)
        data = x * s
    return record(data, (a,), SILU, s)


def _silu_backward(out, g, needs):
    x, s = out.parents[0]._data, out._ctx
    return (g * s * (1 + x * (1 - s)),)


SILU = register("silu", _silu_backward, scalar=False, expand=lambda t, a: each(lambda v: v * v.sigmoid(), a))


# ---------------------------------------------------------------- elu
def elu(a: Tensor, alpha: float) -> Tensor:
    """x if x > 0 else α (eˣ - 1); d/dx = 1 or α eˣ (NaN in, NaN out and a NaN gradient, like PyTorch)."""
    x = a._data
    with np.errstate(all="ignore"):
        data = np.where(x <= 0, alpha * np.expm1(x), x).astype(x.dtype, copy=False)
    return record(data, (a,), ELU, alpha)


def _elu_backward(out, g, needs):
    x, alpha = out.parents[0]._data, out._ctx
    return (np.where(x > 0, g, g * (alpha * np.exp(x))),)


ELU = register("elu", _elu_backward, scalar=False,
               expand=lambda t, a: each(lambda v: (v.exp() - 1.0) * float(t._ctx) if v.data <= 0 else v, a))


# ---------------------------------------------------------------- softplus
def softplus(a: Tensor, beta: float, threshold: float) -> Tensor:
    """log(1 + e^(βx)) / β, and x itself where βx > threshold (PyTorch's); d/dx = σ(βx) or 1."""
    x = a._data
    with np.errstate(all="ignore"):
        bx = x * beta
        linear = bx > threshold
        data = np.where(linear, x, np.log1p(np.exp(bx)) / beta).astype(x.dtype, copy=False)
    return record(data, (a,), SOFTPLUS, Softplus(beta, threshold, linear))


class Softplus(NamedTuple):
    """softplus' β and threshold, and where βx > threshold (the linear part)."""

    beta: float
    threshold: float
    linear: np.ndarray


def _softplus_backward(out, g, needs):
    x = out.parents[0]._data
    beta, _, linear = out._ctx
    z = np.exp(x * beta)
    return (np.where(linear, g, g * z / (z + 1)),)


def _softplus_expand(t, A):
    beta, threshold, _ = t._ctx
    return each(lambda v: v if v.data * beta > threshold else ((v * float(beta)).exp() + 1.0).log() * (1.0 / beta), A)


SOFTPLUS = register("softplus", _softplus_backward, scalar=False, expand=_softplus_expand)


# ---------------------------------------------------------------- hardtanh
def hardtanh(a: Tensor, min_val: float, max_val: float) -> Tensor:
    """min(max(x, min_val), max_val); d/dx = 1 strictly inside (min_val, max_val), else 0 (PyTorch's,
    unlike clamp's 1 at the ends)."""
    x = a._data
    data = np.minimum(np.maximum(x, np.asarray(min_val, x.dtype)), np.asarray(max_val, x.dtype))
    return record(data, (a,), HARDTANH, (min_val, max_val))


def _hardtanh_backward(out, g, needs):
    x = out.parents[0]._data
    lo, hi = out._ctx
    return (gated(g, ((x > lo) & (x < hi)).astype(g.dtype)),)


def _hardtanh_expand(t, A):
    lo, hi = (float(b) for b in t._ctx)  # the bound first: a tie selects it, so x gets 0 at the ends
    return each(lambda v: -max_node((_const(-hi, "hardtanh"), -max_node((_const(lo, "hardtanh"), v)))), A)


HARDTANH = register("hardtanh", _hardtanh_backward, scalar=False, expand=_hardtanh_expand)
