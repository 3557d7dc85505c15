"""Tensor factories and the one random generator that ``manual_seed`` resets."""
from __future__ import annotations

import numpy as np

from ._checks import fail, is_int
from .tensor import Tensor, as_array

_rng = np.random.default_rng()


def manual_seed(seed: int):
    """Reset minigrad's random generator (randn, init, dropout) to a reproducible state."""
    global _rng
    if not is_int(seed):
        fail("manual_seed", f"seed must be an int, got {type(seed).__name__} {seed!r}", TypeError)
    if seed < 0:
        fail("manual_seed", f"seed must be >= 0, got {seed}")
    _rng = np.random.default_rng(int(seed))


def rng() -> np.random.Generator:
    """The generator everything random in minigrad draws from."""
    return _rng


def _shape(fn, shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(is_int(n) and n >= 0 for n in shape):
        fail(fn, f"shape must be non-negative ints, got {shape!r}", TypeError)
    return tuple(int(n) for n in shape)


def _dtype(dtype):
    return np.dtype(np.float64 if dtype is None else dtype)


def zeros(*shape, requires_grad=False, dtype=None) -> Tensor:
    """A tensor of zeros, e.g. ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return Tensor(np.zeros(_shape("zeros", shape), _dtype(dtype)), requires_grad=requires_grad)


def ones(*shape, requires_grad=False, dtype=None) -> Tensor:
    """A tensor of ones."""
    return Tensor(np.ones(_shape("ones", shape), _dtype(dtype)), requires_grad=requires_grad)


def randn(*shape, requires_grad=False, dtype=None) -> Tensor:
    """Standard normal samples from minigrad's generator (see ``manual_seed``)."""
    data = _rng.standard_normal(_shape("randn", shape)).astype(_dtype(dtype), copy=False)
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape, requires_grad=False, dtype=None) -> Tensor:
    """Uniform samples in [0, 1)."""
    data = _rng.random(_shape("rand", shape)).astype(_dtype(dtype), copy=False)
    return Tensor(data, requires_grad=requires_grad)


def zeros_like(t, requires_grad=False) -> Tensor:
    """Zeros of ``t``'s shape and dtype."""
    arr = as_array(t, None, "zeros_like")
    return Tensor(np.zeros_like(arr), requires_grad=requires_grad)
