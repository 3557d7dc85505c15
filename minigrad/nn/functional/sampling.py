"""Adaptive pooling (the output size given, the windows computed) and nearest-neighbour
``interpolate``, with PyTorch's signatures and index rules."""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..._checks import allocation, choice, fail, is_int
from ...ops import adaptive_pool as _adaptive
from ...tensor import Tensor, check_tensor as _tensor
from .conv import _image

__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate"]


def _output_hw(fn, input, output_size) -> tuple:
    """``output_size`` (an int, or a pair whose None entries keep the input's size) as (Ho, Wo)."""
    _image(fn, input)
    size = (output_size, output_size) if is_int(output_size) else output_size
    if not isinstance(size, (tuple, list)) or len(size) != 2 or not all(s is None or is_int(s) for s in size):
        fail(fn, f"output_size must be an int or a pair of ints (None keeps the input's size), got {output_size!r}",
             TypeError)
    hw = tuple(int(n) if s is None else int(s) for s, n in zip(size, input.shape[-2:]))
    if min(hw) < 1:
        fail(fn, f"output_size must be >= 1, got {output_size!r} (input {input.shape})")
    allocation(fn, input.shape[:-2] + hw, input.dtype)
    return hw


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """The mean over each of Ho × Wo windows that tile the input's H × W (overlapping by at most one)."""
    return _adaptive.adaptive_avg_pool2d(input, _output_hw("adaptive_avg_pool2d", input, output_size))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The maximum over each of Ho × Wo windows; with ``return_indices`` also the winners' flat
    indices into each H·W plane (an int64 Tensor), like PyTorch."""
    hw = _output_hw("adaptive_max_pool2d", input, output_size)
    if not isinstance(return_indices, bool):
        fail("adaptive_max_pool2d", f"return_indices must be a bool, got {return_indices!r}", TypeError)
    out, indices = _adaptive.adaptive_max_pool2d(input, hw)
    return (out, Tensor._leaf(indices, False)) if return_indices else out


# ---------------------------------------------------------------- interpolate
def nearest_source(n_in: int, n_out: int, scale=None) -> np.ndarray:
    """PyTorch's nearest-neighbour source index of each output: equal sizes copy, twice the size
    halves, else min(floor(i · s), n_in − 1) with s = n_in / n_out (or 1 / scale_factor) and the
    product in float32, as PyTorch computes it (so an index matches PyTorch's at every boundary)."""
    if n_out == n_in:
        return np.arange(n_out)
    if n_out == 2 * n_in:
        return np.arange(n_out) // 2
    s = np.float32(n_in) / np.float32(n_out) if scale is None else np.float32(1.0 / scale)
    return np.minimum(np.floor(np.arange(n_out, dtype=np.float32) * s).astype(np.int64), n_in - 1)


def _per_axis(fn, arg, value, k, kind):
    """``value`` (one, or one per spatial axis) as a tuple of k."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * k
    if len(values) != k or not all(kind(v) for v in values):
        fail(fn, f"{arg} must be one value or {k} (one per spatial dimension), got {value!r}", TypeError)
    return values


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False) -> Tensor:
    """Resize the spatial dims of (N, C, H, W) (or (N, C, D, H, W)) to ``size``, or by
    ``scale_factor`` (size = floor(n · scale)); mode 'nearest' only. Each output copies its
    nearest-neighbour input (PyTorch's index rule), so the gradient sums over the copies."""
    fn = "interpolate"
    _tensor(fn, "input", input)
    choice(fn, "mode", mode, ("nearest",))
    if align_corners is not None:
        fail(fn, "align_corners only applies to the linear modes; leave it None for mode='nearest' (like PyTorch)")
    if antialias:
        fail(fn, "antialias only applies to the bilinear and bicubic modes (like PyTorch)")
    if input.ndim not in (4, 5):
        fail(fn, f"expected input of 4 dimensions (N, C, H, W) or 5 (N, C, D, H, W), got shape {input.shape}")
    spatial = input.shape[2:]
    k = len(spatial)
    if (size is None) == (scale_factor is None):
        fail(fn, f"give exactly one of size and scale_factor, got size={size!r}, scale_factor={scale_factor!r}")
    if size is not None:
        out = _per_axis(fn, "size", size, k, is_int)
        scales = (None,) * k
    else:
        scales = _per_axis(fn, "scale_factor", scale_factor, k,
                           lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) and v > 0)
        out = tuple(int(math.floor(n * float(s))) for n, s in zip(spatial, scales))
        if recompute_scale_factor:
            scales = (None,) * k
    if min(out) < 1:
        fail(fn, f"the output size {out} must be >= 1 in every dimension (input {input.shape})")
    allocation(fn, input.shape[:2] + out, input.dtype)
    index = np.ix_(*(nearest_source(n, m, s) for n, m, s in zip(spatial, out, scales)))
    return input[(slice(None), slice(None)) + index]
