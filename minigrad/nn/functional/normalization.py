"""layer_norm and group_norm: PyTorch's signatures, validated here; one ``layer_norm`` node
(ops/norm.py) standardises, then the affine weight and bias multiply and add."""
from __future__ import annotations

import numpy as np

from ..._checks import count, fail, is_int, number
from ...ops import norm as _norm
from ...tensor import Tensor, check_tensor as _tensor

__all__ = ["layer_norm", "group_norm"]


def _affine(fn, y, weight, bias, shape, bshape):
    """y · weight + bias, each of ``shape`` (checked) viewed as ``bshape`` to broadcast."""
    for arg, t in (("weight", weight), ("bias", bias)):
        _tensor(fn, arg, t, optional=True)
        if t is not None and t.shape != shape:
            fail(fn, f"{arg} must have shape {shape}, got {t.shape}")
    if weight is not None:
        y = y * (weight if bshape == shape else weight.reshape(bshape))
    if bias is not None:
        y = y + (bias if bshape == shape else bias.reshape(bshape))
    return y


def normalized_shape_arg(fn, normalized_shape) -> tuple:
    """An int or a sequence of ints, each >= 1, as a tuple."""
    shape = (normalized_shape,) if is_int(normalized_shape) else normalized_shape
    if not isinstance(shape, (tuple, list)) or not shape or not all(is_int(n) for n in shape):
        fail(fn, f"normalized_shape must be an int or a non-empty tuple of ints, got {normalized_shape!r}", TypeError)
    if min(shape) < 1:
        fail(fn, f"normalized_shape must hold sizes >= 1, got {tuple(shape)}")
    return tuple(int(n) for n in shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5) -> Tensor:
    """(x − mean) / √(var + eps) · weight + bias, mean and biased var over the last dims, which
    must equal ``normalized_shape`` (weight and bias have that shape)."""
    fn = "layer_norm"
    _tensor(fn, "input", input)
    shape = normalized_shape_arg(fn, normalized_shape)
    eps = number(fn, "eps", eps, minimum=0.0)
    k = len(shape)
    if input.shape[input.ndim - k:] != shape or input.ndim < k:
        fail(fn, f"input's last {k} dimension{'s' if k > 1 else ''} must be normalized_shape {shape}, "
                 f"got input {input.shape}")
    return _affine(fn, _norm.layer_norm(input, k, eps), weight, bias, shape, shape)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5) -> Tensor:
    """Channels (dim 1) split into ``num_groups`` groups; each sample's group standardised over its
    channels and positions, then weight · x̂ + bias per channel."""
    fn = "group_norm"
    _tensor(fn, "input", input)
    g = count(fn, "num_groups", num_groups)
    eps = number(fn, "eps", eps, minimum=0.0)
    if input.ndim < 2:
        fail(fn, f"input must be (N, C, ...), got shape {input.shape}")
    n, c = input.shape[:2]
    if c % g:
        fail(fn, f"num_groups={g} must divide the {c} channels (input {input.shape})")
    grouped = input.reshape((n, g, int(np.prod(input.shape[1:], dtype=np.int64)) // g))
    y = _norm.layer_norm(grouped, 1, eps).reshape(input.shape)
    return _affine(fn, y, weight, bias, (c,), (c,) + (1,) * (input.ndim - 2))
