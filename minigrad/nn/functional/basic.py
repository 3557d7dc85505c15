"""linear, activations, softmax, batch_norm, dropout and the losses: PyTorch's signatures and
semantics, validated here (the public edge), computed by the ops in ``minigrad/ops``."""
from __future__ import annotations

import warnings

import numpy as np

from ... import factory
from ..._checks import allocation, choice, fail, flag, is_int, number, type_name, dim as _dim
from ...ops import activation as _act
from ...ops import linalg as _la
from ...ops import loss as _loss
from ...ops import norm as _norm
from ...tensor import Tensor, check_tensor as _tensor

__all__ = ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "log_softmax", "batch_norm",
           "dropout", "dropout2d", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _legacy(fn, size_average, reduce):
    if size_average is not None or reduce is not None:
        fail(fn, "size_average and reduce are deprecated in PyTorch and not supported; use reduction=", TypeError)


# ---------------------------------------------------------------- linear
def linear(input, weight, bias=None) -> Tensor:
    """input @ weightᵀ + bias: input (..., in_features), weight (out_features, in_features), bias (out_features,)."""
    fn = "linear"
    _tensor(fn, "input", input)
    _tensor(fn, "weight", weight)
    _tensor(fn, "bias", bias, optional=True)
    if weight.ndim != 2:
        fail(fn, f"weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if input.ndim == 0:
        fail(fn, "input must have at least 1 dimension, got a 0-d tensor")
    if input.shape[-1] != weight.shape[1]:
        fail(fn, f"input has {input.shape[-1]} features (last dim) but weight expects {weight.shape[1]} "
                 f"(input {input.shape}, weight {weight.shape})")
    if bias is not None and bias.shape != (weight.shape[0],):
        fail(fn, f"bias must have shape ({weight.shape[0]},) to match weight {weight.shape}, got {bias.shape}")
    allocation(fn, input.shape[:-1] + (weight.shape[0],), np.result_type(input.data, weight.data))
    return _la.linear(input, weight, bias)


# ---------------------------------------------------------------- activations
def relu(input, inplace=False) -> Tensor:
    """max(x, 0) elementwise (``inplace`` is accepted and ignored: minigrad never mutates)."""
    return _act.relu(_tensor("relu", "input", input))


def leaky_relu(input, negative_slope=0.01, inplace=False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    _tensor("leaky_relu", "input", input)
    return _act.leaky_relu(input, number("leaky_relu", "negative_slope", negative_slope))


def tanh(input) -> Tensor:
    """tanh x elementwise."""
    return _act.tanh(_tensor("tanh", "input", input))


def sigmoid(input) -> Tensor:
    """1 / (1 + e^-x) elementwise."""
    return _act.sigmoid(_tensor("sigmoid", "input", input))


def softmax(input, dim) -> Tensor:
    """e^x_i / Σ_j e^x_j along ``dim`` (stable: the maximum is subtracted first)."""
    _tensor("softmax", "input", input)
    return _act.softmax(input, _dim("softmax", "dim", dim, input.ndim))


def log_softmax(input, dim) -> Tensor:
    """x_i - log Σ_j e^x_j along ``dim``, finite for logits of 1e4."""
    _tensor("log_softmax", "input", input)
    return _act.log_softmax(input, _dim("log_softmax", "dim", dim, input.ndim))


# ---------------------------------------------------------------- batch_norm
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5) -> Tensor:
    """(x - mean) / √(var + eps) · weight + bias per channel (dim 1) of (N, C), (N, C, L) or (N, C, H, W).

    training=True normalises with the batch statistics (biased variance) and, when given,
    updates ``running_mean``/``running_var`` in place (unbiased variance), like PyTorch.
    """
    fn = "batch_norm"
    _tensor(fn, "input", input)
    if input.ndim < 2:
        fail(fn, f"input must be (N, C), (N, C, L) or (N, C, H, W), got shape {input.shape}")
    c = input.shape[1]
    stats = []
    for arg, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is None:
            if not training:
                fail(fn, f"{arg} must be given when training=False (evaluation uses the running statistics)")
            stats.append(None)
            continue
        arr = t.data if isinstance(t, Tensor) else t
        if not isinstance(arr, np.ndarray):
            fail(fn, f"{arg} must be a Tensor, an ndarray or None, got {type_name(t)}", TypeError)
        if arr.shape != (c,):
            fail(fn, f"{arg} must have shape ({c},) for input {input.shape}, got {arr.shape}")
        if arr.dtype.kind != "f":
            fail(fn, f"{arg} must be floating point, got dtype {arr.dtype} (the running update would be "
                     f"truncated to integers; e.g. mg.zeros({c}))", TypeError)
        stats.append(arr)
    for arg, t in (("weight", weight), ("bias", bias)):
        _tensor(fn, arg, t, optional=True)
        if t is not None and t.shape != (c,):
            fail(fn, f"{arg} must have shape ({c},) for input {input.shape}, got {t.shape}")
    training = flag(fn, "training", training)
    momentum = number(fn, "momentum", momentum, minimum=0.0, maximum=1.0)
    eps = number(fn, "eps", eps, minimum=0.0)
    if training and input.data.size // max(c, 1) <= 1:
        fail(fn, f"expected more than 1 value per channel when training, got input {input.shape}")
    return _norm.batch_norm(input, stats[0], stats[1], weight, bias, bool(training), momentum, eps)


# ---------------------------------------------------------------- dropout
def dropout(input, p=0.5, training=True, inplace=False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (identity when not training)."""
    return _dropout("dropout", input, p, training, inplace, None)


def dropout2d(input, p=0.5, training=True, inplace=False) -> Tensor:
    """Zero each whole channel of (N, C, H, W) with probability p and scale the rest by 1/(1-p). A 3-D
    input is taken as (N, C, L), with PyTorch's warning; (C, H, W) without a batch: add one."""
    fn = "dropout2d"
    _tensor(fn, "input", input)
    if input.ndim not in (3, 4):
        fail(fn, f"expected input of 4 dimensions (N, C, H, W) (or 3, (N, C, L)), got shape {input.shape}")
    if input.ndim == 3:
        warnings.warn("dropout2d: received a 3-D input; it is taken as (N, C, L) and each of its channels dropped "
                      "(PyTorch warns the same; for (C, H, W) add a batch dimension)", UserWarning, stacklevel=2)
    return _dropout(fn, input, p, training, inplace, input.shape[:2] + (1,) * (input.ndim - 2))


def _dropout(fn, input, p, training, inplace, mask_shape):
    _tensor(fn, "input", input)
    p = number(fn, "p", p)
    if not 0.0 <= p <= 1.0:
        fail(fn, f"p must be a probability in [0, 1], got {p}")
    training = flag(fn, "training", training)   # "no" is a truthy string: it would drop out
    flag(fn, "inplace", inplace)
    if not training or p == 0.0:
        return input
    return _act.dropout(input, p, factory.rng(), mask_shape)


# ---------------------------------------------------------------- classification losses
def _class_targets(fn, input, target, ignore_index):
    """Integer class indices of the right shape and range, as an int64 ndarray."""
    if not isinstance(target, (Tensor, np.ndarray)):
        fail(fn, f"target must be a Tensor of class indices, got {type_name(target)}", TypeError)
    t = target.data if isinstance(target, Tensor) else target
    if t.dtype.kind == "f":
        ok = np.isfinite(t) & (t == np.round(t))
        if not ok.all():
            bad = t[~ok].flat[0]
            fail(fn, f"target must hold integer class indices, got {bad} (target dtype {t.dtype}, shape {t.shape})")
    elif t.dtype.kind not in "iu":
        fail(fn, f"target must hold integer class indices, got dtype {t.dtype}", TypeError)
    t = t.astype(np.int64)
    shape = input.shape
    expected = () if input.ndim == 1 else (shape[0],) + shape[2:]
    if t.shape != expected:
        fail(fn, f"target must have shape {expected} for input {shape} (classes on dim {0 if input.ndim == 1 else 1}), "
                 f"got {t.shape}")
    c = shape[0] if input.ndim == 1 else shape[1]
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if bad.any():
        fail(fn, f"target {int(t[bad].flat[0])} is out of range for {c} classes (valid: 0..{c - 1}; "
                 f"input {shape}, target {t.shape})")
    return t


def _class_weight(fn, weight, c):
    if weight is None:
        return None
    arr = weight.data if isinstance(weight, Tensor) else weight
    if not isinstance(arr, np.ndarray) or arr.shape != (c,):
        fail(fn, f"weight must be a Tensor of shape ({c},) (one per class), got {getattr(arr, 'shape', type_name(arr))}")
    return arr


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean") -> Tensor:
    """-input[n, target_n] (log-probabilities in, class indices as target), averaged or summed."""
    fn = "nll_loss"
    _legacy(fn, size_average, reduce)
    _tensor(fn, "input", input)
    choice(fn, "reduction", reduction, _REDUCTIONS)
    if input.ndim == 0:
        fail(fn, "input must be (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor")
    if not is_int(ignore_index):
        fail(fn, f"ignore_index must be an int, got {ignore_index!r}", TypeError)
    t = _class_targets(fn, input, target, ignore_index)
    w = _class_weight(fn, weight, input.shape[0] if input.ndim == 1 else input.shape[1])
    return _loss.nll_loss(input, t, w, int(ignore_index), reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0) -> Tensor:
    """nll_loss(log_softmax(input, class dim), target): logits (C,), (N, C) or (N, C, H, W) in.

    ``target`` holds class indices (shape of input without the class dim), or, when it is a
    float tensor of the input's own shape, class probabilities (PyTorch's soft targets).
    """
    fn = "cross_entropy"
    _legacy(fn, size_average, reduce)
    _tensor(fn, "input", input)
    choice(fn, "reduction", reduction, _REDUCTIONS)
    eps = number(fn, "label_smoothing", label_smoothing)
    if not 0.0 <= eps <= 1.0:
        fail(fn, f"label_smoothing must be in [0, 1], got {eps}")
    if input.ndim == 0:
        fail(fn, "input must be (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor")
    if not is_int(ignore_index):
        fail(fn, f"ignore_index must be an int, got {ignore_index!r}", TypeError)
    cdim = 0 if input.ndim == 1 else 1
    c = input.shape[cdim]
    w = _class_weight(fn, weight, c)
    if _probabilities(fn, input, target):
        if ignore_index >= 0:
            fail(fn, f"ignore_index={ignore_index} is not supported for class-probability targets (a float target "
                     f"of the input's shape {input.shape}), like PyTorch")
        return _soft_cross_entropy(input, target, w, cdim, reduction, eps)
    t = _class_targets(fn, input, target, ignore_index)
    return _loss.nll_loss(_act.log_softmax(input, cdim), t, w, int(ignore_index), reduction, eps)


def _probabilities(fn, input, target) -> bool:
    """Whether ``target`` holds class probabilities (a float tensor of the input's shape, PyTorch's
    soft targets) rather than class indices; a float target of the input's rank but another
    shape is neither."""
    if not isinstance(target, Tensor) or target.dtype.kind != "f" or target.ndim != input.ndim:
        return False
    if target.shape != input.shape:
        fail(fn, f"a class-probability target must have the input's shape {input.shape}, got {target.shape} "
                 f"(class indices have shape {() if input.ndim == 1 else (input.shape[0],) + input.shape[2:]})")
    return True


def _soft_cross_entropy(input, target, w, cdim, reduction, eps):
    """-Σ_c w_c p_c log softmax(x)_c with probabilities p (smoothed: (1 - ε) p + ε/C); 'mean'
    divides by the number of samples (N·d1·...), unweighted, like PyTorch."""
    c = input.shape[cdim]
    logp = _act.log_softmax(input, cdim)
    p = target if eps == 0.0 else target * (1.0 - eps) + eps / c
    if w is not None:
        p = p * Tensor._leaf(w.astype(input.dtype).reshape((c,) + (1,) * (input.ndim - 1 - cdim)), False)
    loss = -(logp * p).sum(axis=cdim)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- regression / binary losses
def _binary_targets(fn, input, target, probabilities):
    """input and target tensors of one shape; with ``probabilities`` (binary_cross_entropy, as in
    PyTorch) the target's values must lie in [0, 1] (NaN does not: PyTorch refuses it too)."""
    _tensor(fn, "input", input)
    _tensor(fn, "target", target)
    if input.shape != target.shape:
        fail(fn, f"target shape {target.shape} must equal input shape {input.shape}")
    if not probabilities:
        return
    y = target.data
    outside = ~((y >= 0) & (y <= 1))
    if outside.any():
        fail(fn, f"target must hold probabilities in [0, 1], got {y[outside].flat[0]} (target {target.shape})")


def _regression(fn, input, target, size_average, reduce, reduction):
    """The checks mse_loss and l1_loss share: tensors, the reduction, shapes that broadcast (with
    PyTorch's warning when they differ); returns input - target."""
    _legacy(fn, size_average, reduce)
    _tensor(fn, "input", input)
    _tensor(fn, "target", target, floating=False)
    choice(fn, "reduction", reduction, _REDUCTIONS)
    if input.shape != target.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            fail(fn, f"input {input.shape} and target {target.shape} have different shapes that do not broadcast")
        warnings.warn(f"{fn}: target shape {target.shape} differs from input shape {input.shape}; they are "
                      "broadcast, which is likely not what you want (PyTorch warns the same)", UserWarning, stacklevel=3)
    return input - target


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """(input - target)², averaged or summed; broadcasting with a warning, like PyTorch."""
    d = _regression("mse_loss", input, target, size_average, reduce, reduction)
    return _reduce(d * d, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """|input - target|, averaged or summed (gradient sign(input - target), 0 where equal or NaN, like PyTorch)."""
    d = _regression("l1_loss", input, target, size_average, reduce, reduction)
    return _reduce(d.abs(), reduction)


def _elementwise_weight(fn, weight, shape, arg="weight"):
    if weight is None:
        return None
    if not isinstance(weight, Tensor):
        fail(fn, f"{arg} must be a Tensor or None, got {type_name(weight)}", TypeError)
    try:
        if np.broadcast_shapes(weight.shape, shape) != shape:
            raise ValueError
    except ValueError:
        fail(fn, f"{arg} of shape {weight.shape} does not broadcast to input {shape}")
    return weight


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) with each log clamped at -100; p must lie in [0, 1]."""
    fn = "binary_cross_entropy"
    _legacy(fn, size_average, reduce)
    _binary_targets(fn, input, target, True)
    choice(fn, "reduction", reduction, _REDUCTIONS)
    x = input.data
    outside = ~((x >= 0) & (x <= 1))   # NaN too, as PyTorch refuses it
    if outside.any():
        fail(fn, f"input must be probabilities in [0, 1] (apply sigmoid, or use binary_cross_entropy_with_logits), "
                 f"got {x[outside].flat[0]} (input {input.shape})")
    w = _elementwise_weight(fn, weight, input.shape)
    loss = _loss.binary_cross_entropy(input, target)
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target) computed stably from the logits."""
    fn = "binary_cross_entropy_with_logits"
    _legacy(fn, size_average, reduce)
    _binary_targets(fn, input, target, False)
    choice(fn, "reduction", reduction, _REDUCTIONS)
    w = _elementwise_weight(fn, weight, input.shape)
    pw = None
    if pos_weight is not None:
        pwt = _elementwise_weight(fn, pos_weight, input.shape, "pos_weight")
        pw = pwt.data.astype(input.dtype)
    loss = _loss.bce_with_logits(input, target, pw)
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)
