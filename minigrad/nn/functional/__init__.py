"""``minigrad.nn.functional`` (as ``F``): PyTorch's signatures and semantics, validated at the edge.

Split by family: ``basic`` (linear, the slides' activations, softmax, normalisation, dropout,
losses), ``activation`` (gelu, silu, elu, softplus, hardtanh), ``normalization`` (layer_norm,
group_norm), ``conv`` (convolutions, pooling, padding, output sizes), ``sampling`` (adaptive
pooling, interpolate) and ``sparse`` (embedding, one_hot). Each calls the ops in ``minigrad/ops``.
"""
from .activation import *  # noqa: F401,F403
from .activation import __all__ as _activation_all
from .basic import *  # noqa: F401,F403
from .basic import __all__ as _basic_all
from .conv import *  # noqa: F401,F403
from .conv import __all__ as _conv_all
from .normalization import *  # noqa: F401,F403
from .normalization import __all__ as _normalization_all
from .sampling import *  # noqa: F401,F403
from .sampling import __all__ as _sampling_all
from .sparse import *  # noqa: F401,F403
from .sparse import __all__ as _sparse_all

__all__ = [*_basic_all, *_activation_all, *_normalization_all, *_conv_all, *_sampling_all, *_sparse_all]
