"""PyTorch's weight initialisation, drawn from minigrad's generator (``mg.manual_seed``).

Layers call ``default_weight_`` / ``default_bias_``: ``kaiming_uniform_(w, a=sqrt(5))``, i.e.
U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from the same range; exactly what
``torch.nn.Conv2d`` and ``torch.nn.Linear`` do in ``reset_parameters``. The functions end in
``_`` because they overwrite the tensor's data.
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import choice, fail, number, type_name
from ..factory import rng
from ..tensor import Tensor

__all__ = ["calculate_fan_in_and_fan_out", "calculate_gain", "uniform_", "normal_", "zeros_", "ones_",
           "constant_", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_",
           "default_weight_", "default_bias_"]


def _check(fn, t):
    if not isinstance(t, Tensor):
        fail(fn, f"tensor must be a Tensor, got {type_name(t)}", TypeError)
    return t


def _fill(t, values):
    t.data = np.asarray(values, dtype=t.data.dtype).reshape(t.data.shape)
    return t


def calculate_fan_in_and_fan_out(t) -> tuple[int, int]:
    """fan_in = size(1)·kh·kw and fan_out = size(0)·kh·kw, as PyTorch counts them.

    For a conv weight (out, in/groups, kh, kw) that is the inputs seen by one output; for a
    transposed conv weight (in, out/groups, kh, kw) PyTorch uses the same rule.
    """
    _check("calculate_fan_in_and_fan_out", t)
    if t.ndim < 2:
        fail("calculate_fan_in_and_fan_out", f"needs a tensor with at least 2 dimensions, got shape {t.shape}")
    receptive = int(np.prod(t.shape[2:])) if t.ndim > 2 else 1
    return t.shape[1] * receptive, t.shape[0] * receptive


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The gain that keeps activations' variance: relu √2, tanh 5/3, leaky_relu √(2/(1+a²)), linear 1."""
    choice("calculate_gain", "nonlinearity", nonlinearity,
           ("linear", "conv2d", "conv_transpose2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"))
    if nonlinearity in ("linear", "conv2d", "conv_transpose2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4
    a = 0.01 if param is None else number("calculate_gain", "param", param)
    return math.sqrt(2.0 / (1 + a * a))


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with samples of U(a, b)."""
    _check("uniform_", tensor)
    return _fill(tensor, rng().uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with samples of N(mean, std²)."""
    _check("normal_", tensor)
    number("normal_", "std", std, minimum=0)
    return _fill(tensor, rng().normal(mean, std, tensor.shape))


def constant_(tensor, val):
    """Fill with ``val``."""
    _check("constant_", tensor)
    return _fill(tensor, np.full(tensor.shape, number("constant_", "val", val)))


def zeros_(tensor):
    """Fill with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill with 1."""
    return constant_(tensor, 1.0)


def _fan(fn, tensor, mode):
    choice(fn, "mode", mode, ("fan_in", "fan_out"))
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        fail(fn, f"cannot initialise a tensor with zero elements (shape {tensor.shape})")
    return fan


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He init: U(-b, b) with b = gain·√(3/fan), gain = calculate_gain(nonlinearity, a)."""
    _check("kaiming_uniform_", tensor)
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan("kaiming_uniform_", tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He init: N(0, std²) with std = gain/√fan."""
    _check("kaiming_normal_", tensor)
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan("kaiming_normal_", tensor, mode))
    return normal_(tensor, 0.0, std)


def xavier_uniform_(tensor, gain=1.0):
    """Glorot init: U(-b, b) with b = gain·√(6/(fan_in + fan_out))."""
    _check("xavier_uniform_", tensor)
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """Glorot init: N(0, std²) with std = gain·√(2/(fan_in + fan_out))."""
    _check("xavier_normal_", tensor)
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def default_weight_(weight):
    """PyTorch's default for Conv/Linear weights: kaiming_uniform_(a=√5) = U(±1/√fan_in)."""
    return kaiming_uniform_(weight, a=math.sqrt(5))


def default_bias_(bias, weight):
    """PyTorch's default for biases: U(±1/√fan_in), fan_in taken from the layer's weight."""
    fan_in, _ = calculate_fan_in_and_fan_out(weight)
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return uniform_(bias, -bound, bound)
