"""Selection by index: gather, sort and topk. Each output element is one input element, so the
backward sends each gradient element back to the place it came from (added where one place
was picked twice), and the scalar expansion picks the same Values."""
from __future__ import annotations

import numpy as np

from .. import return_types
from .._checks import dim as check_dim, fail, is_int, type_name
from ..optable import register
from ..tensor import Tensor, record
from .shape import IndexOutOfRange, whole_numbers


def gather(a: Tensor, dim, index, fn="gather") -> Tensor:
    """out[i][j][k] = a[i][index[i][j][k]][k] for dim = 1 (PyTorch's ``gather``); ``index`` has
    ``a``'s number of dimensions and is no larger than ``a`` outside ``dim``."""
    x = a._data
    d = check_dim(fn, "dim", dim, x.ndim)
    idx = whole_numbers(index._data) if isinstance(index, Tensor) else index
    if not isinstance(idx, np.ndarray) or idx.dtype.kind not in "iu":
        fail(fn, f"index must be an integer tensor, got {type_name(index)}"
                 + (f" of dtype {idx.dtype}" if isinstance(idx, np.ndarray) else ""), TypeError)
    if idx.ndim != max(x.ndim, 1) and not (x.ndim == 0 and idx.ndim == 0):
        fail(fn, f"index has {idx.ndim} dimensions but input has {x.ndim} (shapes {idx.shape} and {x.shape})")
    shape = idx.shape
    if x.ndim == 0:
        x, idx = x.reshape(1), idx.reshape(1)
    for i, (n, m) in enumerate(zip(idx.shape, x.shape)):
        if i != d and n > m:
            fail(fn, f"index is larger than input in dim {i}: shapes {idx.shape} and {x.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[d]):
        raise IndexOutOfRange(f"{fn}: index holds values outside [0, {x.shape[d]}) for dim {d} of shape {x.shape}")
    where = tuple(idx if i == d else np.arange(n).reshape((-1,) + (1,) * (idx.ndim - 1 - i))
                  for i, n in enumerate(idx.shape))
    data = x[where].reshape(shape)
    return record(data, (a,), GATHER, where)


def _gather_backward(out, g, needs):
    x = out.parents[0]._data
    ga = np.zeros(x.reshape(-1).shape if x.ndim == 0 else x.shape, g.dtype)
    np.add.at(ga, out._ctx, g.reshape(out._ctx[0].shape) if g.ndim == 0 else g)
    return (ga.reshape(x.shape),)


def _gather_expand(t, A):
    src = A.reshape(1) if A.ndim == 0 else A
    return src[t._ctx].reshape(t.shape)


GATHER = register("gather", _gather_backward, scalar=False, expand=_gather_expand)


def _order(fn, x, d, descending):
    """Indices that sort ``x`` along ``d`` stably (equal values keep their order), NaN last
    ascending and first descending, like PyTorch's stable sort."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    flipped = np.flip(x, d)
    return x.shape[d] - 1 - np.flip(np.argsort(flipped, axis=d, kind="stable"), d)


def sort(a: Tensor, dim=-1, descending=False):
    """``(values, indices)`` along ``dim``; the values are a ``gather``, so the gradient goes back
    to where each value came from."""
    x = a._data
    d = check_dim("sort", "dim", dim, x.ndim)
    if x.ndim == 0:
        return return_types.sort(gather(a, 0, np.zeros((), np.int64), "sort"),
                                 Tensor._leaf(np.zeros((), np.int64), False))
    idx = _order("sort", x, d, bool(descending)).astype(np.int64)
    return return_types.sort(gather(a, d, idx, "sort"), Tensor._leaf(idx, False))


def topk(a: Tensor, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) along ``dim`` as ``(values, indices)``, largest first."""
    x = a._data
    d = check_dim("topk", "dim", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not is_int(k) or not 0 <= k <= n:
        fail("topk", f"k must be an int in [0, {n}] for dim {dim} of shape {x.shape}, got {k!r}")
    if x.ndim == 0:
        return return_types.topk(*sort(a))
    idx = np.take(_order("topk", x, d, bool(largest)), np.arange(k), axis=d).astype(np.int64)
    return return_types.topk(gather(a, d, idx, "topk"), Tensor._leaf(idx, False))
