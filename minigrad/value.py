"""Value: one scalar node. Each op's forward, backward rule and printed forms stand together.

A backward rule takes the output node and RETURNS the local partials ∂out/∂parent, one per
parent (``engine.py`` multiplies them by the adjoint and accumulates). Rules are plain
functions shared by every node of the op, so a node costs a few slots and no closure, and
they use only arithmetic, so ``mg.derive`` runs the same rules on formulas. Where a partial
depends on a branch (relu, leaky_relu, max), the forward keeps the decision in ``_ctx``.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ._checks import as_float, type_name
from .engine import Node, backward as _run_backward
from .optable import Op, register


class Value(Node):
    """One scalar in the graph: ``data``, ``grad``, ``name``, ``op`` and ``parents``."""

    __slots__ = ("data", "grad", "parents", "op", "name", "_backward", "_ctx", "__weakref__")

    def __init__(self, data, name=None):
        if isinstance(data, Value):
            raise TypeError(f"Value: data must be a number, got a Value ({data!r}); use it directly")
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type_name(data)} {data!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Value: name must be a str or None, got {type_name(name)}")
        _node(as_float("Value", "data", data), (), _LEAF, None, name, self)

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
        return _node(self.data + other.data, (self, other), ADD)

    def __mul__(self, other):
        other = other if isinstance(other, Value) else _const(other, "*")
        return _node(self.data * other.data, (self, other), MUL)

    def __pow__(self, n):
        if isinstance(n, Value) or isinstance(n, bool) or not isinstance(n, numbers.Real):
            raise TypeError(f"Value.__pow__: the exponent must be a number, got {type_name(n)}")
        n = float(n)
        return _node(_pow(self.data, n), (self,), POW, n)

    # derived from the primitives, so there are fewer rules to get right
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        other = other if isinstance(other, Value) else _const(other, "-")
        return self + (-other)

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else _const(other, "/")
        return self * other ** -1.0

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return (-self) + _const(other, "-")

    def __rtruediv__(self, other):
        return _const(other, "/") * self ** -1.0

    # ------------------------------------------------------------ unary ops
    def exp(self):
        """e^x."""
        try:
            y = math.exp(self.data)
        except OverflowError:
            y = math.inf
        return _node(y, (self,), EXP)

    def log(self):
        """Natural log; log(0) = -inf and log(x<0) = nan, like NumPy."""
        x = self.data
        y = math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
        return _node(y, (self,), LOG)

    def tanh(self):
        """tanh(x)."""
        return _node(math.tanh(self.data), (self,), TANH)

    def sin(self):
        """sin(x) (NaN at ±inf, like NumPy)."""
        return _node(_sin(self.data), (self,), SIN)

    def cos(self):
        """cos(x)."""
        return _node(_cos(self.data), (self,), COS)

    def sigmoid(self):
        """1 / (1 + e^-x), computed without overflow."""
        x = self.data
        if x >= 0:
            y = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            y = e / (1.0 + e)
        return _node(y, (self,), SIGMOID)

    def relu(self):
        """max(x, 0); the local partial (1 or 0) is kept as the branch taken."""
        x = self.data
        keep = not x <= 0  # NaN stays NaN and passes its gradient on, like PyTorch
        return _node(x if keep else 0.0, (self,), RELU, 1.0 if keep else 0.0)

    def leaky_relu(self, negative_slope=0.01):
        """x if x > 0 else negative_slope * x."""
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
            raise TypeError(f"Value.leaky_relu: negative_slope must be a number, got {negative_slope!r}")
        x, a = self.data, float(negative_slope)
        return _node(x if x > 0 else a * x, (self,), LEAKY_RELU, 1.0 if x > 0 else a)


_new = object.__new__


_LEAF = Op("", None)
"""A leaf's op: no name, no rule (not in the op table, so ``optable.lookup`` of a leaf stays None)."""


def _node(data, parents, op, ctx=None, name=None, into=None):
    """The one place a Value's slots are filled: a node of ``op`` (``_LEAF`` for a leaf) made without
    the public constructor's checks (the hot path), or ``into`` the Value that ``Value()`` makes."""
    v = _new(Value) if into is None else into
    v.data = data
    v.grad = 0.0
    v.parents = parents
    v.op = op.name
    v._backward = op.backward
    v.name = name
    v._ctx = ctx
    return v


def _const(x, where):
    """A plain number as a constant leaf (unnamed: diagrams and derivations show its value)."""
    if type(x) is float:  # the common case (y * 1.0001) needs no check: skip the ABC test and the message
        return _node(x, (), _LEAF)
    fn = f"Value.{_OPNAMES.get(where, where)}"
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{fn}: cannot combine a Value with {type_name(x)} {x!r}")
    return _node(as_float(fn, "the number", x), (), _LEAF)


_OPNAMES = {"+": "__add__", "*": "__mul__", "/": "__truediv__", "-": "__sub__"}


def _pow(x, n):
    """x**n as NumPy answers it: inf, -inf and nan instead of exceptions or complex numbers."""
    if type(x) is not float:  # a formula during a derivation
        return x ** n
    try:
        return math.pow(x, n)
    except (ZeroDivisionError, ValueError, OverflowError):
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(x), n))


def _reciprocal(x):
    """1/x, with 1/0 = inf instead of ZeroDivisionError (formulas divide symbolically)."""
    try:
        return 1 / x
    except ZeroDivisionError:
        return math.inf


def _paren(s: str, latex=False) -> str:
    """``s`` in parentheses when it would otherwise bind wrongly (``-1``, ``a + b``)."""
    if s.startswith("-") or " " in s:
        return f"\\left({s}\\right)" if latex else f"({s})"
    return s


def _number(x) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:.6g}"


def _fn_latex(command):
    return lambda a, ctx: f"{command}\\left({', '.join(a)}\\right)"


# ------------------------------------------------------------- backward rules and forms
def _add_partials(out):
    """∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1."""
    return 1.0, 1.0


ADD = register("+", _add_partials, scalar=True, word="add", text=lambda a, ctx: f"{a[0]} + {a[1]}",
               latex=lambda a, ctx: f"{a[0]} + {a[1]}", formula=lambda a, ctx: a[0] + a[1])


def _mul_partials(out):
    """∂(a·b)/∂a = b, ∂(a·b)/∂b = a."""
    a, b = out.parents
    return b.data, a.data


MUL = register("*", _mul_partials, scalar=True, word="mul", text=lambda a, ctx: f"{a[0]}*{_paren(a[1])}",
               latex=lambda a, ctx: f"{a[0]} \\cdot {_paren(a[1], latex=True)}",
               formula=lambda a, ctx: a[0] * a[1])


def _pow_partials(out):
    """∂(a**n)/∂a = n · a**(n-1); 0 when n = 0 (a constant), also at a = 0."""
    n = out._ctx
    if n == 0:
        return (0.0,)
    return (n * _pow(out.parents[0].data, n - 1.0),)


POW = register("**", _pow_partials, scalar=True, word="pow", text=lambda a, ctx: f"{_paren(a[0])}**{_number(ctx)}",
               latex=lambda a, ctx: f"{{{_paren(a[0], latex=True)}}}^{{{_number(ctx)}}}",
               formula=lambda a, ctx: a[0] ** ctx)


def _exp_partials(out):
    """∂(e^a)/∂a = e^a."""
    return (out.data,)


EXP = register("exp", _exp_partials, scalar=True, latex=lambda a, ctx: f"e^{{{a[0]}}}", formula=lambda a, ctx: a[0].exp())


def _log_partials(out):
    """∂(log a)/∂a = 1/a."""
    return (_reciprocal(out.parents[0].data),)


LOG = register("log", _log_partials, scalar=True, latex=_fn_latex("\\log"), formula=lambda a, ctx: a[0].log())


def _tanh_partials(out):
    """∂(tanh a)/∂a = 1 - tanh(a)²."""
    return (1 - out.data ** 2,)


TANH = register("tanh", _tanh_partials, scalar=True, latex=_fn_latex("\\tanh"), formula=lambda a, ctx: a[0].tanh())


def _sin(x):
    """sin of a number (NaN at ±inf instead of ValueError) or of a formula."""
    if type(x) is not float:
        return x.sin()
    return math.sin(x) if math.isfinite(x) else math.nan


def _cos(x):
    if type(x) is not float:
        return x.cos()
    return math.cos(x) if math.isfinite(x) else math.nan


def _sin_partials(out):
    """∂(sin a)/∂a = cos a."""
    return (_cos(out.parents[0].data),)


def _cos_partials(out):
    """∂(cos a)/∂a = -sin a."""
    return (-_sin(out.parents[0].data),)


SIN = register("sin", _sin_partials, scalar=True, latex=_fn_latex("\\sin"), formula=lambda a, ctx: a[0].sin())
COS = register("cos", _cos_partials, scalar=True, latex=_fn_latex("\\cos"), formula=lambda a, ctx: a[0].cos())


def _sigmoid_partials(out):
    """∂σ(a)/∂a = σ · (1 - σ)."""
    s = out.data
    return (s * (1 - s),)


SIGMOID = register("sigmoid", _sigmoid_partials, scalar=True, word="sig", latex=_fn_latex("\\sigma"),
                   formula=lambda a, ctx: a[0].sigmoid())


def _gate_partials(out):
    """relu / leaky_relu: the slope of the branch the forward took (kept in ``_ctx``)."""
    return (out._ctx,)


def _gate_decision(node):
    """relu and leaky_relu compared their input with 0."""
    return [(0, ">" if node.parents[0].data > 0 else "<=", 0)]


RELU = register("relu", _gate_partials, scalar=True, formula=lambda a, ctx: a[0] * ctx, decision=_gate_decision)
LEAKY_RELU = register("leaky_relu", _gate_partials, scalar=True, word="lrelu", formula=lambda a, ctx: a[0] * ctx,
                      decision=_gate_decision)


def _sum_partials(out):
    """∂(Σ a_i)/∂a_i = 1 for every input."""
    return (1.0,) * len(out.parents)


SUM = register("sum", _sum_partials, scalar=True, text=lambda a, ctx: " + ".join(a), latex=lambda a, ctx: " + ".join(a),
               formula=lambda a, ctx: _add_all(a))


def sum_node(parents, name=None):
    """ONE n-ary sum node: d(sum)/d(each input) = 1."""
    total = 0.0
    for p in parents:
        total += p.data
    return _node(total, parents, SUM, None, name)


def _add_all(terms):
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _max_partials(out):
    """The whole adjoint goes to the selected input, exactly 0 to the others."""
    parts = [0.0] * len(out.parents)
    parts[out._ctx] = 1.0  # the selected input (``Value.selected``; a mirror has no property)
    return parts


def _max_decision(node):
    """The selected input against each other input: ``>`` (or ``>=`` for a later tie)."""
    ps, k = node.parents, node.selected
    win = ps[k].data
    return [(k, ">" if win > p.data else (">=" if i > k else "?"), i) for i, p in enumerate(ps) if i != k]


MAX = register("max", _max_partials, scalar=True, latex=_fn_latex("\\max"), formula=lambda a, ctx: a[ctx],
               decision=_max_decision)


def max_node(parents, name=None):
    """ONE n-ary max node; ``_ctx`` is the index of the selected input (ties: the first)."""
    best, k = parents[0].data, 0
    for i in range(1, len(parents)):
        d = parents[i].data
        if d > best or (d != d and best == best):  # NaN propagates, like PyTorch's max_pool2d
            best, k = d, i
    return _node(best, parents, MAX, k, name)
