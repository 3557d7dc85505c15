"""Embedding: a lookup table of ``num_embeddings`` rows of ``embedding_dim`` numbers, trained like a
weight (PyTorch's arguments, N(0, 1) initialisation, ``weight`` key and ``repr``)."""
from __future__ import annotations

import numpy as np

from .._checks import allocation, count, fail, flag as _flag
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional.sparse import padding_idx_arg
from .layers import _dtype
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """y = weight[input]: each index picks a row of ``weight`` (num_embeddings, embedding_dim).
    ``padding_idx``'s row starts at 0 and gets no gradient."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        fn = "Embedding"
        self.num_embeddings = count(fn, "num_embeddings", num_embeddings)
        self.embedding_dim = count(fn, "embedding_dim", embedding_dim)
        self.padding_idx = padding_idx_arg(fn, padding_idx, self.num_embeddings)
        if max_norm is not None:
            fail(fn, "max_norm is not supported (it rescales the weight in place); renormalise explicitly")
        if _flag(fn, "scale_grad_by_freq", scale_grad_by_freq) or _flag(fn, "sparse", sparse):
            fail(fn, "scale_grad_by_freq and sparse are not supported; leave them False")
        self.max_norm, self.norm_type = None, norm_type
        self.scale_grad_by_freq, self.sparse = False, False
        shape = (self.num_embeddings, self.embedding_dim)
        dtype = _dtype(fn, dtype, device)
        if _weight is None:
            allocation(fn, shape, dtype)
            self.weight = Parameter(np.zeros(shape, dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            data = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if data.shape != shape:
                fail(fn, f"_weight must have shape {shape}, got {data.shape}")
            self.weight = Parameter(np.array(data, dtype=dtype if data.dtype.kind != "f" else data.dtype),
                                    requires_grad=not _freeze)

    def reset_parameters(self):
        """PyTorch's: weight from N(0, 1), the padding row 0."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding holding ``embeddings`` (a 2-D Tensor or array), frozen unless ``freeze=False``."""
        shape = getattr(embeddings, "shape", ())
        if len(shape) != 2:
            fail("Embedding.from_pretrained", f"embeddings must be 2-D (num_embeddings, embedding_dim), got shape {shape}")
        return cls(shape[0], shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=_flag("Embedding.from_pretrained", "freeze", freeze))

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
