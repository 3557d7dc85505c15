"""The named tuples that PyTorch's ``torch.return_types`` holds: ``max``, ``min``, ``sort``, ``topk``.

``values, indices = t.max(1)`` unpacks, ``t.max(1).values`` reads a field, and the repr says
what it is, as PyTorch's structseqs do.
"""
from __future__ import annotations

from typing import NamedTuple


class _Pair(NamedTuple):
    values: object
    indices: object


def _named(name):
    def __repr__(self):
        return f"minigrad.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    cls = type(name, (_Pair,), {"__slots__": (), "__repr__": __repr__,
                                "__doc__": f"What ``{name}`` along a dim returns: ``(values, indices)``."})
    cls.__module__ = __name__
    return cls


max = _named("max")
min = _named("min")
sort = _named("sort")
topk = _named("topk")

__all__ = ["max", "min", "sort", "topk"]
