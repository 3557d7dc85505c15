"""embedding: rows of a weight matrix picked by integer indices, as one node whose gradient
adds each use of a row into it (the padding row excepted)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..optable import register
from ..tensor import Tensor, record
from ..value import _const


# ---------------------------------------------------------------- embedding
class Lookup(NamedTuple):
    """embedding's row indices (int64, any shape) and the row that gets no gradient (or None)."""

    indices: np.ndarray
    padding_idx: int | None


def embedding(weight: Tensor, indices: np.ndarray, padding_idx) -> Tensor:
    """Row ``indices[...]`` of ``weight`` (V, D): out[..., d] = weight[i, d]. The gradient adds each
    use of a row into it (a row looked up twice gets both), except the ``padding_idx`` row, which
    gets none, like PyTorch."""
    return record(weight._data[indices], (weight,), EMBEDDING, Lookup(indices, padding_idx))


def _embedding_backward(out, g, needs):
    w = out.parents[0]._data
    indices, padding_idx = out._ctx
    gw = np.zeros(w.shape, g.dtype)
    np.add.at(gw, indices.reshape(-1), g.reshape(-1, w.shape[1]))
    if padding_idx is not None:
        gw[padding_idx] = 0
    return (gw,)


def _embedding_expand(t, W):
    """The weight's Values, row by row; the padding row as constants (it gets no gradient)."""
    indices, padding_idx = t._ctx
    if padding_idx is not None:
        W = W.copy()
        W[padding_idx] = [_const(float(v.data), "embedding") for v in W[padding_idx]]
    return W[indices]


EMBEDDING = register("embedding", _embedding_backward, scalar=False, expand=_embedding_expand)
