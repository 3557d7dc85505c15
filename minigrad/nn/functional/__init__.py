"""``minigrad.nn.functional`` (as ``F``): PyTorch's signatures and semantics, validated at the edge.

Split by family: ``basic`` (linear, activations, softmax, normalisation, dropout, losses) and
``conv`` (convolutions, pooling, padding, output sizes). Both call the ops in ``minigrad/ops``.
"""
from .basic import *  # noqa: F401,F403
from .basic import __all__ as _basic_all
from .conv import *  # noqa: F401,F403
from .conv import __all__ as _conv_all

__all__ = [*_basic_all, *_conv_all]
