"""The loss modules: ``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(output, target)``.

Each keeps its options (PyTorch's names and defaults) and calls one function of
``minigrad.nn.functional``, which validates the tensors. A class ``weight`` and
BCEWithLogitsLoss' ``pos_weight`` are buffers, as in PyTorch, so they are in the state dict
(under the same keys) and follow ``.to(dtype)``.
"""
from __future__ import annotations

from .._checks import choice, fail, is_int, number, type_name
from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss"]


class _Loss(Module):
    """A loss: the reduction ('mean', 'sum' or 'none') checked once, here."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        fn = type(self).__name__
        if size_average is not None or reduce is not None:
            fail(fn, "size_average and reduce are deprecated in PyTorch and not supported; use reduction=", TypeError)
        self.reduction = choice(fn, "reduction", reduction, ("mean", "sum", "none"))


class _WeightedLoss(_Loss):
    """A loss with an optional per-class (or per-element) ``weight`` buffer."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(type(self).__name__, "weight", weight))


def _buffer(fn, arg, t):
    """``t`` (a Tensor, an array or None) as a Tensor outside the graph, or None."""
    if t is None:
        return None
    if isinstance(t, Tensor):
        return t.detach()
    if not hasattr(t, "shape") or not hasattr(t, "dtype"):
        fail(fn, f"{arg} must be a Tensor or None, got {type_name(t)}", TypeError)
    return Tensor(t)


def _ignore_index(fn, ignore_index):
    if not is_int(ignore_index):
        fail(fn, f"ignore_index must be an int, got {ignore_index!r}", TypeError)
    return int(ignore_index)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C) (or (C,), (N, C, d1, ...)) against class indices or class
    probabilities: ``F.cross_entropy`` (log_softmax then the negative log-likelihood)."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = _ignore_index("CrossEntropyLoss", ignore_index)
        self.label_smoothing = number("CrossEntropyLoss", "label_smoothing", label_smoothing, minimum=0.0,
                                      maximum=1.0)

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C) against class indices: ``F.nll_loss``."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = _ignore_index("NLLLoss", ignore_index)

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error (input − target)²: ``F.mse_loss``."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error |input − target|: ``F.l1_loss``."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1]: ``F.binary_cross_entropy``."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits (a sigmoid inside, computed stably):
    ``F.binary_cross_entropy_with_logits``; ``pos_weight`` weighs the positive term per class."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer("BCEWithLogitsLoss", "weight", weight))
        self.register_buffer("pos_weight", _buffer("BCEWithLogitsLoss", "pos_weight", pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
