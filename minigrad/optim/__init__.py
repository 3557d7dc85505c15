"""``minigrad.optim``: PyTorch's optimizers (SGD, Adam, AdamW, RMSprop) and ``lr_scheduler``, update for update.

An optimizer keeps ``param_groups`` (a list of dicts: the parameters and their options) and a
``state`` per parameter (momentum buffers, Adam's moments); ``step()`` reads each ``p.grad`` and
assigns a new ``p.data`` (through ``optimizer._assign``, the one place a weight changes).
Parameters whose grad is None are skipped, like PyTorch.
"""
from . import lr_scheduler
from .algorithms import SGD, Adam, AdamW, RMSprop
from .optimizer import Optimizer

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]
