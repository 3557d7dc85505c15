"""PyTorch's spellings on Tensor: ``size()``, ``numel()``, devices, dtype casts, ``__index__``.

``Tensor`` inherits these methods, so a script written for ``torch.Tensor`` runs unchanged.
Every method here is built from existing ops (``cast`` for dtypes), so no method adds a
backward rule of its own.
"""
from __future__ import annotations

import math

from ._checks import fail, is_int


class Size(tuple):
    """A tensor's shape as ``t.size()`` returns it (``torch.Size``): a tuple of its sides."""

    __slots__ = ()

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape: the product of the sides."""
        return math.prod(self)


class TorchMethods:
    """The methods of ``torch.Tensor`` that ``Tensor`` spells the same way (a mixin)."""

    __slots__ = ()

    # ------------------------------------------------------------ shape
    def size(self, dim=None):
        """The shape (``size()``, a ``Size``) or one side (``size(d)``, an int; d < 0 counts from the end)."""
        shape = self.data.shape
        if dim is None:
            return Size(shape)
        if not is_int(dim):
            fail("Tensor.size", f"dim must be an int, got {type(dim).__name__} {dim!r}", TypeError)
        from .ops.shape import IndexOutOfRange  # the ops import tensor, which imports this module

        n = len(shape)
        if n == 0:
            raise IndexOutOfRange(f"Tensor.size: dim {dim} given but the tensor has no dimensions (shape ())")
        if not -n <= dim < n:
            raise IndexOutOfRange(f"Tensor.size: dim {dim} is out of range: expected one of [{-n}, {n - 1}] "
                                  f"for shape {shape}")
        return shape[dim]

    def nelement(self) -> int:
        """The number of elements (PyTorch's other name for ``numel``)."""
        return self.data.size

    def ndimension(self) -> int:
        """The number of dimensions (PyTorch's other name for ``dim``)."""
        return self.data.ndim
