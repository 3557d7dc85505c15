"""AdaptiveAvgPool2d, AdaptiveMaxPool2d and Upsample (nearest): PyTorch's arguments and ``repr``,
on ``F.adaptive_avg_pool2d``, ``F.adaptive_max_pool2d`` and ``F.interpolate``."""
from __future__ import annotations

from .._checks import choice, fail, flag as _flag
from . import functional as F
from .module import Module

__all__ = ["AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample"]


class AdaptiveAvgPool2d(Module):
    """The mean over Ho × Wo windows that tile the input: ``output_size`` (an int, or a pair whose
    None keeps that side) is the output's, whatever the input's size (``AdaptiveAvgPool2d(1)``:
    global average pooling)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size!r}"


class AdaptiveMaxPool2d(AdaptiveAvgPool2d):
    """The maximum over Ho × Wo windows that tile the input; ``return_indices`` also returns the
    winners' flat indices into each H·W plane."""

    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = _flag("AdaptiveMaxPool2d", "return_indices", return_indices)

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class Upsample(Module):
    """Resize (N, C, H, W) to ``size`` or by ``scale_factor``, copying each output's nearest input
    (mode 'nearest', PyTorch's index rule)."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        super().__init__()
        self.mode = choice("Upsample", "mode", mode, ("nearest",))
        if (size is None) == (scale_factor is None):
            fail("Upsample", f"give exactly one of size and scale_factor, got size={size!r}, "
                             f"scale_factor={scale_factor!r}")
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            scale_factor = tuple(float(s) for s in scale_factor)
        elif scale_factor is not None:
            scale_factor = float(scale_factor)
        self.scale_factor = scale_factor
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self):
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"
