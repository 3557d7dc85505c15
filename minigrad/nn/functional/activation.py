"""The smooth and clipped activations beyond the slides' set: gelu, silu, elu, softplus and
hardtanh, with PyTorch's signatures (``inplace`` is accepted; minigrad never mutates)."""
from __future__ import annotations

from ..._checks import choice, fail, number
from ...ops import activation as _act
from ...tensor import Tensor, check_tensor as _tensor

__all__ = ["gelu", "silu", "elu", "softplus", "hardtanh"]


def gelu(input, approximate="none") -> Tensor:
    """x Φ(x) = x/2 (1 + erf(x/√2)); ``approximate='tanh'``: x/2 (1 + tanh(√(2/π)(x + 0.044715 x³)))."""
    _tensor("gelu", "input", input)
    return _act.gelu(input, choice("gelu", "approximate", approximate, ("none", "tanh")))


def silu(input, inplace=False) -> Tensor:
    """x σ(x) (the swish)."""
    return _act.silu(_tensor("silu", "input", input))


def elu(input, alpha=1.0, inplace=False) -> Tensor:
    """x if x > 0 else α (eˣ − 1)."""
    _tensor("elu", "input", input)
    return _act.elu(input, number("elu", "alpha", alpha))


def softplus(input, beta=1.0, threshold=20.0) -> Tensor:
    """log(1 + e^(βx)) / β, and x where βx > threshold."""
    _tensor("softplus", "input", input)
    beta = number("softplus", "beta", beta)
    if beta == 0:
        fail("softplus", "beta must not be 0 (the result divides by it)")
    return _act.softplus(input, beta, number("softplus", "threshold", threshold))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 0 at and beyond the ends."""
    _tensor("hardtanh", "input", input)
    lo, hi = number("hardtanh", "min_val", min_val), number("hardtanh", "max_val", max_val)
    if lo > hi:
        fail("hardtanh", f"min_val must not exceed max_val, got min_val={min_val}, max_val={max_val}")
    return _act.hardtanh(input, lo, hi)
