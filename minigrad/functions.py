"""PyTorch's top-level functions (``torch.cat``, ``torch.max(x, 1)``, ``torch.flatten(x, 1)``, ...).

Each checks that ``input`` is a Tensor (a message naming the function and the real type of
what it got) and calls the op or the Tensor method of the same name, so nothing here adds a
backward rule: the ops in ``minigrad/ops`` hold every forward, rule and scalar expansion.
"""
from __future__ import annotations

import numpy as np

from ._checks import fail, type_name
from .engine import is_grad_enabled, no_grad
from .ops import elementwise as _ew
from .ops import shape as _shape
from .tensor import Tensor, check_tensor as _tensor_arg


def _input(fn, x):
    """``x`` as a Tensor: a Tensor, or a NumPy array (a tensor's ``.data`` or ``.grad`` is one,
    so ``torch.max(outputs.data, 1)`` reads as in PyTorch); anything else is a TypeError."""
    if isinstance(x, np.ndarray) and x.dtype != object:
        return Tensor(x)
    return _tensor_arg(fn, "input", x, floating=False)


def _into(fn, out, result):
    """PyTorch's ``out=``: ``result``'s numbers written into the tensor ``out``, which is returned."""
    if not isinstance(out, Tensor):
        fail(fn, f"out must be a Tensor, got {type_name(out)}", TypeError)
    if not isinstance(result, Tensor):
        fail(fn, "out= is taken only by functions that return one tensor", TypeError)
    if result.requires_grad and is_grad_enabled():
        fail(fn, "functions with out= do not record a graph, but one of the arguments requires grad "
                 "(as in PyTorch; call it under mg.no_grad() or without out=)")
    if out.shape != result.shape:
        fail(fn, f"out has shape {out.shape} but the result has shape {result.shape}")
    with no_grad():
        out.copy_(result)
    return out


# ---------------------------------------------------------------- shape
def flatten(input, start_dim=0, end_dim=-1) -> Tensor:
    """Dimensions start_dim..end_dim merged into one: ``torch.flatten(x, 1)`` keeps the batch."""
    return _shape.flatten(_input("flatten", input), start_dim, end_dim)


def cat(tensors, dim=0) -> Tensor:
    """The tensors joined along ``dim``; they agree in every other dimension."""
    return _shape.cat(tensors, dim)


def concat(tensors, dim=0) -> Tensor:
    """``cat`` (PyTorch's other name)."""
    return _shape.cat(tensors, dim, "concat")


concatenate = concat


def stack(tensors, dim=0) -> Tensor:
    """Tensors of one shape along a new dimension ``dim``."""
    return _shape.stack(tensors, dim)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other``; ``where(condition)`` alone gives the
    indices of the True elements, one int64 tensor per dimension (``nonzero(as_tuple=True)``)."""
    if input is None and other is None:
        cond = _input("where", condition)
        return tuple(Tensor._leaf(i.astype("int64"), False) for i in cond.data.nonzero())
    return _shape.where(condition, input, other)


# ---------------------------------------------------------------- max and min
def max(input, dim=None, keepdim=False):
    """``max(x)`` the largest element; ``max(x, dim)`` the named tuple ``(values, indices)``;
    ``max(x, other)`` the elementwise ``maximum``."""
    x = _input("max", input)
    if dim is None or isinstance(dim, Tensor):
        return x.max(dim)
    return x.max(dim, keepdim)


def min(input, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim)`` (values, indices), ``min(x, other)``: as ``max``."""
    x = _input("min", input)
    if dim is None or isinstance(dim, Tensor):
        return x.min(dim)
    return x.min(dim, keepdim)


def amax(input, dim=(), keepdim=False) -> Tensor:
    """The maximum over ``dim`` (an int or a tuple; all by default), values only."""
    return _input("amax", input).amax(dim, keepdim)


def amin(input, dim=(), keepdim=False) -> Tensor:
    """The minimum over ``dim`` (an int or a tuple), values only."""
    return _input("amin", input).amin(dim, keepdim)


def argmax(input, dim=None, keepdim=False) -> Tensor:
    """Index of the first maximum (of the flattened tensor when ``dim`` is None), int64."""
    return _input("argmax", input).argmax(dim=dim, keepdim=keepdim)


def argmin(input, dim=None, keepdim=False) -> Tensor:
    """Index of the first minimum, int64."""
    return _input("argmin", input).argmin(dim=dim, keepdim=keepdim)


def maximum(input, other) -> Tensor:
    """The larger of the two, element by element (a tie splits the gradient in halves)."""
    return _ew.maximum(_input("maximum", input), other)


def minimum(input, other) -> Tensor:
    """The smaller of the two, element by element."""
    return _ew.minimum(_input("minimum", input), other)


# ---------------------------------------------------------------- the Tensor methods as functions
_METHODS = ("add", "sub", "mul", "div", "true_divide", "pow", "neg", "matmul", "mm", "clone", "t", "transpose", "permute",
            "reshape", "squeeze", "unsqueeze", "exp", "log", "log2", "log10", "sqrt", "square", "abs", "sin", "cos",
            "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round", "trunc", "clamp", "clip", "sum", "mean",
            "var", "std", "prod", "logsumexp", "cumsum", "norm", "sort", "topk", "gather", "masked_fill", "softmax",
            "log_softmax", "numel", "any", "all", "isnan", "isinf", "isfinite", "nan_to_num", "log1p", "expm1",
            "reciprocal", "rsqrt", "flip", "roll", "chunk", "split", "index_select", "bmm", "argsort", "tril", "triu")


def _method_function(name):
    """``torch.NAME(input, ...)`` as ``input.NAME(...)``, with ``input`` checked first."""
    def function(input, *args, out=None, **kwargs):
        result = getattr(_input(name, input), name)(*args, **kwargs)
        return result if out is None else _into(name, out, result)

    summary = (getattr(Tensor, name).__doc__ or "").strip().splitlines()[0]
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``{name}(input, ...)`` is ``input.{name}(...)``: {summary}"
    return function


globals().update({name: _method_function(name) for name in _METHODS})

# max, min, abs, pow, round, sum, any and all stay out of __all__: a star import must not shadow Python's builtins
_BUILTINS = {"max", "min", "abs", "pow", "round", "sum", "any", "all"}
__all__ = ["flatten", "cat", "concat", "concatenate", "stack", "where", "amax", "amin", "argmax", "argmin",
           "maximum", "minimum", *(name for name in _METHODS if name not in _BUILTINS)]
