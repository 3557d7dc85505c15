"""Elementwise arithmetic with NumPy broadcasting: forward and backward side by side.

Gradients of broadcast operands are summed back to their shapes by ``unbroadcast``.
Forward passes run under ``np.errstate(all="ignore")``, and ``Tensor.backward`` runs the whole
backward pass under one: inf and nan propagate like NumPy's, silently, never as exceptions.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import fail
from ..tensor import Tensor, accumulate, as_array, record, unbroadcast

_quiet = np.errstate


def lift(x, like: Tensor) -> Tensor:
    """A Tensor for ``x``: Tensors pass through; numbers take ``like``'s dtype (like PyTorch:
    a float32 tensor times 0.5 stays float32; an integer tensor plus 0.5 becomes float64)."""
    if isinstance(x, Tensor):
        return x
    t = type(x)
    if t is float or t is int or (isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))):
        dt = like.data.dtype
        if dt.kind != "f" and not isinstance(x, numbers.Integral):
            dt = np.float64
        return Tensor._leaf(np.asarray(x, dtype=dt), False)
    if isinstance(x, (np.ndarray, list, tuple, bool, np.bool_)):
        return Tensor._leaf(as_array(x, None, "Tensor"), False)
    raise TypeError(f"Tensor: cannot combine a Tensor with {type(x).__name__} {x!r}")


def _broadcast_error(fn, a, b):
    fail(fn, f"shapes {a.shape} and {b.shape} cannot be broadcast together")


def _binary(fn, ufunc, a, b):
    """Both operands as Tensors (numbers lifted) and ``ufunc`` of their data, broadcasting;
    a shape mismatch is an error that names ``fn`` and both shapes."""
    if not isinstance(a, Tensor):
        a = lift(a, b)
    if not isinstance(b, Tensor):
        b = lift(b, a)
    with _quiet(all="ignore"):
        try:
            return a, b, ufunc(a.data, b.data)
        except ValueError:
            _broadcast_error(fn, a, b)


# ---------------------------------------------------------------- a + b
def add(a, b) -> Tensor:
    """a + b; d/da = 1, d/db = 1."""
    a, b, data = _binary("add", np.add, a, b)
    return record(data, (a, b), "+", _add_backward)


def _add_backward(out):
    a, b = out.parents
    g = out.grad
    if a.requires_grad:
        accumulate(a, unbroadcast(g, a.data.shape))
    if b.requires_grad:
        accumulate(b, unbroadcast(g, b.data.shape))


# ---------------------------------------------------------------- a - b
def sub(a, b) -> Tensor:
    """a - b; d/da = 1, d/db = -1."""
    a, b, data = _binary("sub", np.subtract, a, b)
    return record(data, (a, b), "-", _sub_backward)


def _sub_backward(out):
    a, b = out.parents
    g = out.grad
    if a.requires_grad:
        accumulate(a, unbroadcast(g, a.data.shape))
    if b.requires_grad:
        accumulate(b, unbroadcast(-g, b.data.shape))


# ---------------------------------------------------------------- a * b
def mul(a, b) -> Tensor:
    """a * b; d/da = b, d/db = a."""
    a, b, data = _binary("mul", np.multiply, a, b)
    return record(data, (a, b), "*", _mul_backward)


def _mul_backward(out):
    a, b = out.parents
    g = out.grad
    if a.requires_grad:
        accumulate(a, unbroadcast(g * b.data, a.data.shape))
    if b.requires_grad:
        accumulate(b, unbroadcast(g * a.data, b.data.shape))


# ---------------------------------------------------------------- a / b
def div(a, b) -> Tensor:
    """a / b; d/da = 1/b, d/db = -a/b² = -(a/b)/b."""
    a, b, data = _binary("div", np.divide, a, b)
    return record(data, (a, b), "/", _div_backward)


def _div_backward(out):
    a, b = out.parents
    gb = out.grad / b.data
    if a.requires_grad:
        accumulate(a, unbroadcast(gb, a.data.shape))
    if b.requires_grad:
        accumulate(b, unbroadcast(-gb * out.data, b.data.shape))


# ---------------------------------------------------------------- -a
def neg(a: Tensor) -> Tensor:
    """-a; d/da = -1."""
    return record(np.negative(a.data), (a,), "neg", _neg_backward)


def _neg_backward(out):
    accumulate(out.parents[0], -out.grad)


# ---------------------------------------------------------------- a ** n, a ** b
def power(a, b) -> Tensor:
    """a ** b. A number exponent n gives op ``**`` (d/da = n a^(n-1)); a tensor exponent
    gives op ``pow`` with also d/db = a^b log a (0 where a = 0, like PyTorch)."""
    if isinstance(b, numbers.Real) and not isinstance(b, bool) and isinstance(a, Tensor):
        n = float(b)
        with _quiet(all="ignore"):
            data = np.power(a.data, n) if a.data.dtype.kind == "f" else np.power(a.data.astype(np.float64), n)
        return record(data, (a,), "**", _pow_n_backward, n)
    a, b, data = _binary("pow", np.power, a, b)
    return record(data, (a, b), "pow", _pow_backward)


def _pow_n_backward(out):
    a = out.parents[0]
    n = out._ctx
    x = a.data
    if n == 2.0:
        local = 2.0 * x
    elif n == 1.0:
        local = np.ones_like(x)
    elif n == 0.0:
        local = np.zeros_like(x)
    else:
        local = n * np.power(x, n - 1.0)
    accumulate(a, out.grad * local)


def _pow_backward(out):
    a, b = out.parents
    g = out.grad
    x, y = a.data, b.data
    if a.requires_grad:
        accumulate(a, unbroadcast(g * y * np.power(x, y - 1.0), x.shape))
    if b.requires_grad:
        gb = g * out.data * np.log(x)
        gb = np.where((x == 0) & (y >= 0), 0.0, gb)
        accumulate(b, unbroadcast(gb, y.shape))


# ---------------------------------------------------------------- unary functions
def exp(a: Tensor) -> Tensor:
    """e^a; d/da = e^a."""
    with _quiet(all="ignore"):
        data = np.exp(a.data)
    return record(data, (a,), "exp", _exp_backward)


def _exp_backward(out):
    accumulate(out.parents[0], out.grad * out.data)


def log(a: Tensor) -> Tensor:
    """ln a; d/da = 1/a (log 0 = -inf, log of a negative number = nan)."""
    with _quiet(all="ignore"):
        data = np.log(a.data)
    return record(data, (a,), "log", _log_backward)


def _log_backward(out):
    accumulate(out.parents[0], out.grad / out.parents[0].data)


def sqrt(a: Tensor) -> Tensor:
    """√a; d/da = 1 / (2√a)."""
    with _quiet(all="ignore"):
        data = np.sqrt(a.data)
    return record(data, (a,), "sqrt", _sqrt_backward)


def _sqrt_backward(out):
    accumulate(out.parents[0], out.grad * 0.5 / out.data)


def absolute(a: Tensor) -> Tensor:
    """|a|; d/da = sign(a) (0 at 0, like PyTorch)."""
    return record(np.abs(a.data), (a,), "abs", _abs_backward)


def _abs_backward(out):
    accumulate(out.parents[0], out.grad * np.sign(out.parents[0].data))


def clip(a: Tensor, min=None, max=None) -> Tensor:
    """min(max(a, lo), hi); d/da = 1 where lo <= a <= hi, else 0 (PyTorch's clamp)."""
    fn = "clip"
    if min is None and max is None:
        fail(fn, "at least one of min and max must be given", TypeError)
    for arg, v in (("min", min), ("max", max)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Real)):
            fail(fn, f"{arg} must be a number or None, got {type(v).__name__} {v!r}", TypeError)
    x = a.data
    if x.dtype.kind != "f" and any(isinstance(v, float) and not v.is_integer() for v in (min, max)):
        x = x.astype(np.float64)        # an integer tensor clipped at 0.5 becomes float, like PyTorch
    data = x
    if min is not None:
        data = np.maximum(data, np.asarray(min, x.dtype))
    if max is not None:
        data = np.minimum(data, np.asarray(max, x.dtype))
    if data is x:
        data = x.copy()
    return record(data, (a,), "clip", _clip_backward, (min, max))


def _clip_backward(out):
    x = out.parents[0].data
    lo, hi = out._ctx
    keep = np.ones(x.shape, bool)
    if lo is not None:
        keep &= x >= lo
    if hi is not None:
        keep &= x <= hi
    accumulate(out.parents[0], out.grad * keep.astype(out.grad.dtype))


# ---------------------------------------------------------------- comparisons (no grad)
def compare(a: Tensor, b, op) -> Tensor:
    """a < b etc.: a bool tensor outside the graph, like PyTorch's."""
    other = b.data if isinstance(b, Tensor) else b
    try:
        data = op(a.data, other)
    except ValueError:
        _broadcast_error(op.__name__, a, b if isinstance(b, Tensor) else lift(b, a))
    return Tensor._leaf(np.asarray(data), False)
