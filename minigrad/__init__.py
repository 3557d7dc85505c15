"""minigrad: a small, exact autodiff framework for learning and checking CNNs.

One graph and one reverse-mode engine under scalar ``Value`` nodes (every multiply-add and
max-pool selection a node) and NumPy-backed ``Tensor`` nodes.
"""
from importlib import import_module

from . import scalar
from .dtypes import bool_ as bool, device, double, float16, float32, float64, half, int8, int16, int32, int64, long, uint8
from .dtypes import float32 as float, int32 as int  # PyTorch's mg.float is float32 and mg.int is int32
from .engine import is_grad_enabled, no_grad
from .factory import (arange, empty, empty_like, eye, from_numpy, full, full_like, linspace, manual_seed, ones,
                      ones_like, rand, rand_like, randint, randn, randn_like, tensor, zeros, zeros_like)
from . import functions as _functions
from .functions import (amax, amin, argmax, argmin, cat, concat, concatenate, flatten, max, maximum, min, minimum,
                        stack, where)
from .tensor import Tensor
from .value import Value

globals().update({name: getattr(_functions, name) for name in _functions._METHODS})  # mg.sin, mg.add, mg.sum, ...

__version__ = "0.1.0"

# Heavier parts load on first use, so ``import minigrad`` stays fast.
_LAZY = {
    "nn": ("minigrad.nn", None),
    "optim": ("minigrad.optim", None),
    "utils": ("minigrad.utils", None),
    "save": ("minigrad.serialization", "save"),
    "load": ("minigrad.serialization", "load"),
    "viz": ("minigrad.viz", None),
    "derive": ("minigrad.derivation", "derive"),
    "check": ("minigrad.derivation", "check"),
    "Derivation": ("minigrad.derivation", "Derivation"),
    "CheckResult": ("minigrad.derivation", "CheckResult"),
    "FormulaTooLarge": ("minigrad.derivation", "FormulaTooLarge"),
    "gradcheck": ("minigrad.finite_differences", "gradcheck"),
    "cuda": ("minigrad.accelerators", "cuda"),
    "backends": ("minigrad.accelerators", "backends"),
    "accelerator": ("minigrad.accelerators", "accelerator"),
    "GradcheckError": ("minigrad.finite_differences", "GradcheckError"),
}


def __getattr__(name):
    if name in _LAZY:
        module, attr = _LAZY[name]
        mod = import_module(module)
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


# mg.float, mg.int, mg.bool, mg.max and mg.min stay out of __all__: "from minigrad import *" must not shadow the builtins
__all__ = ["Value", "Tensor", "tensor", "scalar", "manual_seed", "no_grad", "is_grad_enabled",
           "device", "float16", "half", "float32", "float64", "double", "int8", "int16", "int32", "int64", "long",
           "uint8", "zeros", "ones", "empty", "full", "eye", "arange", "linspace", "randn", "rand", "randint",
           "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like", "from_numpy", *_functions.__all__,
           *_LAZY]
