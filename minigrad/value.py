"""Value: one scalar node. Each op's forward and backward stand side by side.

Backward rules are plain functions of the output node (``_xxx_backward(out)``), shared by
every node of that op, so a node costs a few slots and no closure. Rules whose local
partial depends on a branch (relu, leaky_relu, max) store the numeric decision in ``_ctx``:
the symbolic pass of ``mg.derive`` reuses the same rules and so takes the same branch.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .engine import Node, backward as _run_backward

_ZERO = 0.0  # the grad of a node no backward pass has reached (see engine.backward)


class Value(Node):
    """One scalar in the graph: ``data``, ``grad``, ``name``, ``op`` and ``parents``."""

    __slots__ = ("data", "grad", "parents", "op", "name", "_backward", "_ctx", "__weakref__")
    _NO_GRAD = _ZERO

    def __init__(self, data, name=None):
        if isinstance(data, Value):
            raise TypeError(f"Value: data must be a number, got a Value ({data!r}); use it directly")
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__} {data!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Value: name must be a str or None, got {type(name).__name__}")
        self.data = float(data)
        self.grad = _ZERO
        self.parents = ()
        self.op = ""
        self.name = name
        self._backward = None
        self._ctx = None

    # ----------------------------------------------------------------- plumbing
    def backward(self):
        """Reverse mode from this node with seed 1.0; grads accumulate like PyTorch."""
        _run_backward(self, 1.0)

    @property
    def selected(self):
        """For a ``max`` node, the index into ``parents`` of the input it selected."""
        return self._ctx if self.op == "max" else None

    def __repr__(self):
        label = f"name={self.name!r}, " if self.name else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    def __float__(self):
        return self.data

    # ------------------------------------------------------------- binary ops
    def __add__(self, other):
        other = other if isinstance(other, Value) else _const(other, "+")
        return _node(self.data + other.data, (self, other), "+", _add_backward)

    def __mul__(self, other):
        other = other if isinstance(other, Value) else _const(other, "*")
        return _node(self.data * other.data, (self, other), "*", _mul_backward)

    def __pow__(self, n):
        if isinstance(n, Value) or isinstance(n, bool) or not isinstance(n, numbers.Real):
            raise TypeError(f"Value.__pow__: the exponent must be a number, got {type(n).__name__}")
        n = float(n)
        return _node(_pow(self.data, n), (self,), "**", _pow_backward, n)

    # derived from the primitives, so there are fewer rules to get right
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else _const(other, "/")
        return self * other ** -1.0

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return (-self) + other

    def __rtruediv__(self, other):
        return _const(other, "/") * self ** -1.0

    # ------------------------------------------------------------ unary ops
    def exp(self):
        """e^x."""
        try:
            y = math.exp(self.data)
        except OverflowError:
            y = math.inf
        return _node(y, (self,), "exp", _exp_backward)

    def log(self):
        """Natural log; log(0) = -inf and log(x<0) = nan, like NumPy."""
        x = self.data
        y = math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
        return _node(y, (self,), "log", _log_backward)

    def tanh(self):
        """tanh(x)."""
        return _node(math.tanh(self.data), (self,), "tanh", _tanh_backward)

    def sigmoid(self):
        """1 / (1 + e^-x), computed without overflow."""
        x = self.data
        if x >= 0:
            y = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            y = e / (1.0 + e)
        return _node(y, (self,), "sigmoid", _sigmoid_backward)

    def relu(self):
        """max(x, 0); the local partial (1 or 0) is kept as the branch taken."""
        x = self.data
        keep = not x <= 0  # NaN stays NaN and passes its gradient on, like PyTorch
        return _node(x if keep else 0.0, (self,), "relu", _gate_backward, 1.0 if keep else 0.0)

    def leaky_relu(self, negative_slope=0.01):
        """x if x > 0 else negative_slope * x."""
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
            raise TypeError(f"Value.leaky_relu: negative_slope must be a number, got {negative_slope!r}")
        x, a = self.data, float(negative_slope)
        return _node(x if x > 0 else a * x, (self,), "leaky_relu", _gate_backward, 1.0 if x > 0 else a)


def _node(data, parents, op, backward, ctx=None, name=None):
    """Make an interior node without the public constructor's checks (the hot path)."""
    v = _new(Value)
    v.data = data
    v.grad = _ZERO
    v.parents = parents
    v.op = op
    v.name = name
    v._backward = backward
    v._ctx = ctx
    return v


_new = object.__new__


def _const(x, where):
    """A plain number as a constant leaf (unnamed: diagrams and derivations show its value)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"Value.{_OPNAMES.get(where, where)}: cannot combine a Value with {type(x).__name__} {x!r}")
    return _node(float(x), (), "", None)


_OPNAMES = {"+": "__add__", "*": "__mul__", "/": "__truediv__"}


def _pow(x, n):
    """x**n as NumPy answers it: inf, -inf and nan instead of exceptions or complex numbers."""
    if type(x) is not float:  # a sympy expression during a derivation
        return x ** n
    try:
        return math.pow(x, n)
    except (ZeroDivisionError, ValueError, OverflowError):
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(x), n))


def _div(g, x):
    """g / x, with g/0 = ±inf (or nan for 0/0) instead of ZeroDivisionError."""
    try:
        return g / x
    except ZeroDivisionError:
        return math.copysign(math.inf, g) if g else math.nan


# ------------------------------------------------------------- backward rules
def _add_backward(out):
    """d(a+b)/da = 1, d(a+b)/db = 1."""
    a, b = out.parents
    g = out.grad
    a.grad += g
    b.grad += g


def _mul_backward(out):
    """d(a*b)/da = b, d(a*b)/db = a."""
    a, b = out.parents
    g = out.grad
    a.grad += b.data * g
    b.grad += a.data * g


def _pow_backward(out):
    """d(a**n)/da = n * a**(n-1)."""
    (a,) = out.parents
    n = out._ctx
    a.grad += n * _pow(a.data, n - 1.0) * out.grad


def _exp_backward(out):
    """d(e^a)/da = e^a."""
    out.parents[0].grad += out.data * out.grad


def _log_backward(out):
    """d(log a)/da = 1/a."""
    a = out.parents[0]
    a.grad += _div(out.grad, a.data)


def _tanh_backward(out):
    """d(tanh a)/da = 1 - tanh(a)^2."""
    out.parents[0].grad += (1 - out.data ** 2) * out.grad


def _sigmoid_backward(out):
    """d(sigmoid a)/da = s * (1 - s)."""
    s = out.data
    out.parents[0].grad += s * (1 - s) * out.grad


def _gate_backward(out):
    """relu / leaky_relu: the local partial is the slope of the branch taken (kept in _ctx)."""
    out.parents[0].grad += out._ctx * out.grad


def sum_node(parents, name=None):
    """ONE n-ary sum node: d(sum)/d(each input) = 1."""
    total = 0.0
    for p in parents:
        total += p.data
    return _node(total, parents, "sum", _sum_backward, None, name)


def _sum_backward(out):
    g = out.grad
    for p in out.parents:
        p.grad += g


def max_node(parents, name=None):
    """ONE n-ary max node; ``_ctx`` is the index of the selected input (ties: the first)."""
    best, k = parents[0].data, 0
    for i in range(1, len(parents)):
        d = parents[i].data
        if d > best or (d != d and best == best):  # NaN propagates, like PyTorch's max_pool2d
            best, k = d, i
    return _node(best, parents, "max", _max_backward, k, name)


def _max_backward(out):
    """The whole adjoint goes to the selected input, exactly 0 to the others."""
    out.parents[out._ctx].grad += out.grad
