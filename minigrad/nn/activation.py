"""Activation modules beyond the slides' set, and Softmax/LogSoftmax as layers: each keeps its
options (PyTorch's names, defaults and ``repr``) and calls one function of ``F``."""
from __future__ import annotations

from .._checks import choice, fail, is_int, number, flag as _flag
from ..tensor import check_tensor as _tensor
from . import functional as F
from .module import Module

__all__ = ["Softmax", "LogSoftmax", "GELU", "SiLU", "ELU", "Softplus", "Hardtanh"]


def _inplace(module, inplace):
    """``inplace`` is accepted (and shown in the repr, as PyTorch does); minigrad never mutates."""
    module.inplace = _flag(type(module).__name__, "inplace", inplace)
    return ", inplace=True" if inplace else ""


class _Along(Module):
    """softmax or log_softmax along ``dim`` (which must be given when called: PyTorch's implicit
    choice of dim is deprecated)."""

    def __init__(self, dim=None):
        super().__init__()
        if dim is not None and not is_int(dim):
            fail(type(self).__name__, f"dim must be an int or None, got {dim!r}", TypeError)
        self.dim = dim

    def forward(self, input):
        fn = type(self).__name__
        _tensor(fn, "input", input)
        if self.dim is None:
            fail(fn, f"give dim (e.g. {fn}(dim=1) for (N, C) logits); PyTorch's implicit choice of dim is "
                     f"deprecated (input {input.shape})", TypeError)
        return self._f(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_Along):
    """softmax(x)_i = e^x_i / Σ_j e^x_j along ``dim``."""

    _f = staticmethod(F.softmax)


class LogSoftmax(_Along):
    """log_softmax(x)_i = x_i − log Σ_j e^x_j along ``dim``."""

    _f = staticmethod(F.log_softmax)


class GELU(Module):
    """gelu(x) = x Φ(x) (erf), or its tanh approximation with ``approximate='tanh'``."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = choice("GELU", "approximate", approximate, ("none", "tanh"))

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """silu(x) = x σ(x)."""

    def __init__(self, inplace=False):
        super().__init__()
        self._extra = _inplace(self, inplace)[2:]

    def forward(self, input):
        return F.silu(input)

    def extra_repr(self):
        return self._extra


class ELU(Module):
    """elu(x) = x if x > 0 else α (eˣ − 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        number("ELU", "alpha", alpha)
        self.alpha = alpha
        self._extra = f"alpha={alpha}" + _inplace(self, inplace)

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return self._extra


class Softplus(Module):
    """softplus(x) = log(1 + e^(βx)) / β, and x where βx > threshold."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        number("Softplus", "beta", beta)
        number("Softplus", "threshold", threshold)
        if beta == 0:
            fail("Softplus", "beta must not be 0 (the result divides by it)")
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """hardtanh(x) = x clipped to [min_val, max_val] (gradient 0 at the ends)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        number("Hardtanh", "min_val", min_val)
        number("Hardtanh", "max_val", max_val)
        if min_val > max_val:
            fail("Hardtanh", f"min_val must not exceed max_val, got min_val={min_val}, max_val={max_val}")
        self.min_val, self.max_val = min_val, max_val
        self._extra = f"min_val={min_val}, max_val={max_val}" + _inplace(self, inplace)

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return self._extra
