"""Index lookups: ``embedding`` (rows of a weight matrix, differentiable in the weight) and
``one_hot`` (class indices to 0/1 rows, outside the graph), with PyTorch's signatures."""
from __future__ import annotations

import numpy as np

from ..._checks import allocation, fail, is_int, type_name
from ...ops import embedding as _embedding
from ...tensor import Tensor, check_tensor as _tensor

__all__ = ["embedding", "one_hot"]


def indices_arg(fn, arg, x) -> np.ndarray:
    """An integer Tensor (or whole-number floats, as ``mg.tensor([0, 2])`` makes) as an int64 ndarray."""
    if not isinstance(x, Tensor):
        fail(fn, f"{arg} must be a Tensor of indices, got {type_name(x)}", TypeError)
    a = x.data
    if a.dtype.kind == "f":
        ok = np.isfinite(a) & (a == np.round(a))
        if not ok.all():
            fail(fn, f"{arg} must hold integer indices, got {a[~ok].flat[0]} ({arg} dtype {a.dtype}, shape {a.shape})")
    elif a.dtype.kind not in "iu":
        fail(fn, f"{arg} must hold integer indices, got dtype {a.dtype}", TypeError)
    return a.astype(np.int64)


def padding_idx_arg(fn, padding_idx, n):
    """None, or a row in [-n, n) as a non-negative int (PyTorch counts a negative one from the end)."""
    if padding_idx is None:
        return None
    if not is_int(padding_idx):
        fail(fn, f"padding_idx must be an int or None, got {padding_idx!r}", TypeError)
    if not -n <= padding_idx < n:
        fail(fn, f"padding_idx {padding_idx} is out of range for num_embeddings={n}")
    return int(padding_idx) % n


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False) -> Tensor:
    """weight[input]: each index of ``input`` (any shape) picks a row of ``weight`` (V, D), giving
    shape input.shape + (D,). The ``padding_idx`` row gets no gradient."""
    fn = "embedding"
    _tensor(fn, "weight", weight)
    if weight.ndim != 2:
        fail(fn, f"weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    idx = indices_arg(fn, "input", input)
    n = weight.shape[0]
    bad = (idx < 0) | (idx >= n)
    if bad.any():
        fail(fn, f"index {int(idx[bad].flat[0])} is out of range for {n} embeddings (valid: 0..{n - 1}; "
                 f"input {idx.shape}, weight {weight.shape})")
    if max_norm is not None:
        fail(fn, "max_norm is not supported (it rescales the weight in place); renormalise explicitly")
    if scale_grad_by_freq or sparse:
        fail(fn, "scale_grad_by_freq and sparse are not supported; leave them False")
    return _embedding.embedding(weight, idx, padding_idx_arg(fn, padding_idx, n))


def one_hot(tensor, num_classes=-1) -> Tensor:
    """An int64 tensor of shape tensor.shape + (num_classes,): 1 at each index, 0 elsewhere;
    ``num_classes=-1`` means max + 1. Outside the graph, like PyTorch's."""
    fn = "one_hot"
    idx = indices_arg(fn, "tensor", tensor)
    if not is_int(num_classes):
        fail(fn, f"num_classes must be an int, got {num_classes!r}", TypeError)
    if idx.size and idx.min() < 0:
        fail(fn, f"class values must be non-negative, got {int(idx.min())} (tensor {idx.shape})")
    if num_classes == -1:
        if not idx.size:
            fail(fn, "cannot infer num_classes from an empty tensor; give num_classes")
        num_classes = int(idx.max()) + 1
    elif num_classes < 1:
        fail(fn, f"num_classes must be -1 or >= 1, got {num_classes}")
    elif idx.size and idx.max() >= num_classes:
        fail(fn, f"class value {int(idx.max())} is too large for num_classes={num_classes} (tensor {idx.shape})")
    allocation(fn, idx.shape + (num_classes,), np.int64)
    allocation(fn, (num_classes,), np.int64)
    return Tensor._leaf((idx[..., None] == np.arange(num_classes)).astype(np.int64), False)
