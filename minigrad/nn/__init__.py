"""``minigrad.nn``: modules, layers and containers built on ``minigrad.nn.functional``.

The same names and arguments as ``torch.nn``, so a script moves between the two::

    import minigrad.nn as nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    model.summary((1, 1, 8, 8))
"""
from . import functional, init
from .activation import ELU, GELU, Hardtanh, LogSoftmax, SiLU, Softmax, Softplus
from .containers import ModuleList, Sequential
from .layers import (AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, Dropout2d, Flatten,
                     Identity, LeakyReLU, Linear, MaxPool2d, ReLU, Sigmoid, Tanh)
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module, Parameter
from .normalization import GroupNorm, LayerNorm
from .sampling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample
from .sparse import Embedding

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "Conv2d", "ConvTranspose2d", "MaxPool2d",
           "AvgPool2d", "Linear", "BatchNorm1d", "BatchNorm2d", "ReLU", "LeakyReLU", "Tanh", "Sigmoid",
           "Flatten", "Dropout", "Identity", "Softmax", "LogSoftmax", "GELU", "SiLU", "ELU", "Softplus", "Hardtanh",
           "LayerNorm", "GroupNorm", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Dropout2d", "Embedding", "Upsample",
           "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCELoss",
           "BCEWithLogitsLoss", "functional", "init"]
