"""Datasets and batches as ``torch.utils.data``: ``Dataset``, ``TensorDataset``, ``Subset``,
``random_split``, ``DataLoader`` and its ``default_collate``.

A ``DataLoader`` walks a dataset (anything with ``__len__`` and ``__getitem__``) in batches of
``batch_size`` samples, in order or shuffled by minigrad's generator (``mg.manual_seed``), and
collates each batch as PyTorch does: tensors, arrays and numbers are stacked into one tensor
(with NumPy on their data: loaded data needs no gradient), tuples and lists into a list,
dicts key by key, strings into a list. Everything runs in the calling process.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from .. import factory
from .._checks import count, fail, flag, is_int, type_name
from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate"]


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(i)`` (one sample) and ``__len__``."""

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__}: __getitem__ is not defined; a Dataset subclass must define "
                        "__getitem__(self, index) and __len__(self) (like PyTorch)")


class TensorDataset(Dataset):
    """Samples are the i-th rows of the given tensors: ``TensorDataset(x, y)[i] == (x[i], y[i])``."""

    def __init__(self, *tensors):
        for k, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                fail("TensorDataset", f"tensors[{k}] must be a Tensor, got {type_name(t)}", TypeError)
            if t.ndim == 0:
                fail("TensorDataset", f"tensors[{k}] is 0-d: each tensor needs a first dimension to index")
        if len({t.shape[0] for t in tensors}) > 1:
            fail("TensorDataset", f"every tensor needs the same first size, got shapes {[t.shape for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0] if self.tensors else 0


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths) -> list:
    """``dataset`` cut into random non-overlapping ``Subset``s of the given lengths (counts, or fractions
    summing to 1 whose remainders go one each to the first subsets, like PyTorch), drawn from minigrad's generator."""
    n = _length("random_split", dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0):
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if not all(is_int(x) and x >= 0 for x in lengths) or sum(lengths) != n:
        fail("random_split", f"lengths must be non-negative ints summing to the dataset's length {n} "
                             f"(or fractions summing to 1), got {lengths}")
    order = factory.rng().permutation(n).tolist()
    out, start = [], 0
    for k in lengths:
        out.append(Subset(dataset, order[start:start + k]))
        start += k
    return out


def _length(fn, dataset) -> int:
    if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
        fail(fn, f"dataset must define __getitem__ and __len__ (a map-style dataset), got {type_name(dataset)}",
             TypeError)
    return len(dataset)


# ---------------------------------------------------------------- collation
def default_collate(batch):
    """A list of samples as one batch, the way PyTorch's ``default_collate`` does it (see the module docstring)."""
    return _collate(batch, "")


def _collate(batch, where):
    elem = batch[0]
    if isinstance(elem, (Tensor, np.ndarray, np.generic)) or (
            isinstance(elem, numbers.Number) and not isinstance(elem, complex)):
        return Tensor._leaf(_stack(batch, where), False)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return {k: _collate([d[k] for d in batch], f"{where}[{k!r}]") for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple keeps its type
        return type(elem)(*(_collate(list(s), f"{where}.{f}") for f, s in zip(elem._fields, zip(*batch))))
    if isinstance(elem, Sequence):
        if len({len(s) for s in batch}) > 1:
            fail("default_collate", f"the samples{where} have different lengths {[len(s) for s in batch]}; "
                                    "each sample must have the same number of parts")
        return [_collate(list(s), f"{where}[{i}]") for i, s in enumerate(zip(*batch))]
    fail("default_collate", f"a batch{where} must hold tensors, arrays, numbers, strings, dicts or lists, "
                            f"got {type_name(elem)}", TypeError)


def _stack(batch, where):
    """The samples' data stacked along a new first axis; Python numbers as torch types them
    (float64, int64 on every platform, bool)."""
    arrays = []
    for x in batch:
        a = x.data if isinstance(x, Tensor) else np.asarray(x)
        if a.dtype.kind not in "fiub":
            fail("default_collate", f"the samples{where} must be numeric, got dtype {a.dtype}", TypeError)
        arrays.append(a)
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        fail("default_collate", f"the samples{where} have different shapes {sorted(shapes)}; "
                                "a batch stacks samples of one shape (pass collate_fn= to batch others)")
    out = np.stack(arrays)
    return out.astype(np.int64) if type(batch[0]) is int else out


# ---------------------------------------------------------------- the loader
class DataLoader:
    """Batches of a dataset: ``for x, y in DataLoader(dataset, batch_size=64, shuffle=True): ...``.

    ``shuffle`` draws a new order from minigrad's generator at every pass (``mg.manual_seed``
    makes it reproducible); ``drop_last`` drops a last batch smaller than ``batch_size``;
    ``batch_size=None`` yields the samples one by one, unbatched. ``num_workers`` and
    ``pin_memory`` are accepted for PyTorch scripts and change nothing: loading runs here.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, num_workers=0, collate_fn=None, pin_memory=False,
                 drop_last=False):
        fn = "DataLoader"
        _length(fn, dataset)
        self.dataset = dataset
        self.batch_size = None if batch_size is None else count(fn, "batch_size", batch_size)
        self.shuffle = flag(fn, "shuffle", False if shuffle is None else shuffle)
        self.num_workers = count(fn, "num_workers", num_workers, minimum=0)
        flag(fn, "pin_memory", pin_memory)
        self.drop_last = flag(fn, "drop_last", drop_last)
        if collate_fn is not None and not callable(collate_fn):
            fail(fn, f"collate_fn must be callable or None, got {type_name(collate_fn)}", TypeError)
        self.collate_fn = default_collate if collate_fn is None else collate_fn

    def __len__(self):
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = factory.rng().permutation(n).tolist() if self.shuffle else range(n)
        if self.batch_size is None:
            for i in order:
                yield self.dataset[i]
            return
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield self.collate_fn([self.dataset[i] for i in order[start:start + self.batch_size]])

    def __repr__(self):
        return (f"DataLoader(dataset of {len(self.dataset)}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
