"""LayerNorm and GroupNorm: PyTorch's arguments, initialisation (weight 1, bias 0), parameter
names and ``repr``, on ``F.layer_norm`` and ``F.group_norm``."""
from __future__ import annotations

import numpy as np

from .._checks import allocation, count, fail, number, flag as _flag
from . import functional as F
from .functional.normalization import normalized_shape_arg
from .layers import _dtype
from .module import Module, Parameter
from ..tensor import Tensor

__all__ = ["LayerNorm", "GroupNorm"]


def _affine_parameters(module, fn, shape, affine, bias, device, dtype):
    """weight = 1 and bias = 0 of ``shape`` (None when not ``affine``, bias None without ``bias``)."""
    dtype = _dtype(fn, dtype, device)
    _flag(fn, "bias", bias)
    allocation(fn, shape, dtype)
    module.weight = Parameter(np.ones(shape, dtype)) if affine else None
    module.bias = Parameter(np.zeros(shape, dtype)) if affine and bias else None


class LayerNorm(Module):
    """y = (x − mean) / √(var + eps) · weight + bias over the last dims (``normalized_shape``)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = normalized_shape_arg("LayerNorm", normalized_shape)
        self.eps = number("LayerNorm", "eps", eps, minimum=0.0)
        self.elementwise_affine = _flag("LayerNorm", "elementwise_affine", elementwise_affine)
        _affine_parameters(self, "LayerNorm", self.normalized_shape, elementwise_affine, bias, device, dtype)

    def reset_parameters(self):
        """weight = 1, bias = 0 (PyTorch's)."""
        if self.weight is not None:
            self.weight.data = np.ones_like(self.weight.data)
        if self.bias is not None:
            self.bias.data = np.zeros_like(self.bias.data)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """The channels in ``num_groups`` groups, each standardised per sample over its channels and
    positions, then weight · x̂ + bias per channel."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_groups = count("GroupNorm", "num_groups", num_groups)
        self.num_channels = count("GroupNorm", "num_channels", num_channels)
        if num_channels % num_groups:
            fail("GroupNorm", f"num_groups={num_groups} must divide num_channels={num_channels}")
        self.eps = number("GroupNorm", "eps", eps, minimum=0.0)
        self.affine = _flag("GroupNorm", "affine", affine)
        _affine_parameters(self, "GroupNorm", (self.num_channels,), affine, bias, device, dtype)

    reset_parameters = LayerNorm.reset_parameters

    def forward(self, input):
        if isinstance(input, Tensor) and input.ndim >= 2 and input.shape[1] != self.num_channels:
            fail("GroupNorm", f"input has {input.shape[1]} channels but the layer has num_channels="
                              f"{self.num_channels} (input {input.shape})")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"
