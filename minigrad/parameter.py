"""``nn.Parameter``: a Tensor that a Module trains. It lives below ``nn`` and ``serialization``
so that a checkpoint can rebuild parameters without the file format importing the layers."""
from __future__ import annotations

from .tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module trains: a leaf with ``requires_grad=True`` (``nn.Parameter``)."""

    __slots__ = ()
    __module__ = "minigrad.nn"  # its public home (messages and reprs say minigrad.nn.Parameter)

    def __init__(self, data, requires_grad=True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
