"""Elementwise arithmetic with NumPy broadcasting: forward and backward side by side.

Each op registers its entry in the op table here: backward rule (returning the VJPs; the
engine sums broadcast operands back to their shapes) and scalar expansion.
Forward passes run under ``np.errstate(all="ignore")``, and ``Tensor.backward`` runs the whole
backward pass under one: inf and nan propagate like NumPy's, silently, never as exceptions.
"""
from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from .. import _checks
from .._checks import as_float, fail, result_allocation, short, type_name
from ..engine import gated
from ..grids import each
from ..optable import register
from ..tensor import Tensor, as_array, floating, quietly, record
from ..value import _const, max_node, sum_node

_quiet = np.errstate


def lift(x, like: Tensor, fn="Tensor") -> Tensor:
    """A Tensor for ``x``: Tensors pass through; numbers take ``like``'s dtype (like PyTorch:
    a float32 tensor times 0.5 stays float32; an integer tensor plus 0.5 becomes float64)."""
    if isinstance(x, Tensor):
        return x
    t = type(x)
    if t is float or t is int or (isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))):
        dt = like.data.dtype
        if dt.kind != "f" and not isinstance(x, numbers.Integral):
            dt = np.float64
        elif dt == np.bool_:     # a mask and an int: an int64, like PyTorch (mask + 2 is 3 where True)
            dt = np.int64
        try:
            return Tensor._leaf(np.asarray(x, dtype=dt), False)
        except OverflowError:   # 10**400, or 2**70 for an int64 tensor: PyTorch refuses it too
            fail(fn, f"the number {short(x)} does not fit in the tensor's dtype {dt} (tensor of shape {like.shape})")
    if isinstance(x, (np.ndarray, list, tuple, bool, np.bool_)):
        return Tensor._leaf(as_array(x, None, "Tensor"), False)
    fail(fn, f"cannot combine a Tensor with {type_name(x)} {short(x)}", TypeError)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """PyTorch's type promotion for two operands: a higher category (bool < integer < float)
    wins outright, so float32 with an int64 array stays float32 (NumPy would say float64); within
    a category the wider dtype; and a 0-d operand decides only when its category is higher."""
    da, db = a.dtype, b.dtype
    if da == db:
        return da
    ca, cb = _CATEGORY.get(da.kind, 4), _CATEGORY.get(db.kind, 4)
    if (a.ndim == 0) != (b.ndim == 0):       # a 0-d operand defers to the other within its category
        wide, narrow = (db, da) if a.ndim == 0 else (da, db)
        c_wide, c_narrow = (cb, ca) if a.ndim == 0 else (ca, cb)
        return wide if c_narrow <= c_wide else narrow
    if ca != cb:
        return da if ca > cb else db
    return np.promote_types(da, db)


def _broadcast_error(fn, a, b):
    fail(fn, f"shapes {a.shape} and {b.shape} cannot be broadcast together")


def _promoted(a: Tensor, b: Tensor, fn: str, result=None):
    """The two operands' data in PyTorch's result dtype (``result_dtype``), once the broadcast
    result (of dtype ``result``, by default that one) is known to fit the size limit
    (``_checks.result_allocation``)."""
    x, y = a._data, b._data
    dt = x.dtype if x.dtype == y.dtype else result_dtype(x, y)
    result_allocation(fn, x, y, np.broadcast_shapes, dt if result is None else result)
    if x.dtype == y.dtype:
        return x, y
    return (x if x.dtype == dt else x.astype(dt)), (y if y.dtype == dt else y.astype(dt))


def _binary(fn, ufunc, a, b):
    """Both operands as Tensors (numbers lifted) and ``ufunc`` of their data in PyTorch's result
    dtype, broadcasting; a shape mismatch is an error that names ``fn`` and both shapes."""
    if not isinstance(a, Tensor):
        a = lift(a, b, fn)
    if not isinstance(b, Tensor):
        b = lift(b, a, fn)
    x, y = a._data, b._data
    if x.dtype != y.dtype or x.size * y.size * 16 > _checks.MAX_ARRAY_BYTES:   # else nothing to do
        x, y = _promoted(a, b, fn)
    try:
        return a, b, quietly(ufunc, x, y)
    except ValueError:
        _broadcast_error(fn, a, b)


def _ew_op(name, backward, word, scalar_fn):
    """Register an elementwise op whose expansion applies ``scalar_fn`` to each element."""
    return register(name, backward, scalar=False, word=word,
                    expand=lambda t, *grids: each(scalar_fn, *grids))


# ---------------------------------------------------------------- a + b
def add(a, b) -> Tensor:
    """a + b; d/da = 1, d/db = 1."""
    a, b, data = _binary("add", np.add, a, b)
    return record(data, (a, b), ADD)


def _add_backward(out, g, needs):
    return g, g


ADD = _ew_op("+", _add_backward, "add", lambda x, y: x + y)


# ---------------------------------------------------------------- a - b
def sub(a, b) -> Tensor:
    """a - b; d/da = 1, d/db = -1."""
    if all(isinstance(x, Tensor) and x._data.dtype == np.bool_ for x in (a, b)) or \
            any(isinstance(x, (bool, np.bool_)) for x in (a, b)) and any(isinstance(x, Tensor) and x._data.dtype == np.bool_ for x in (a, b)):
        fail("sub", f"subtraction of bool tensors is not supported, like PyTorch; to invert a mask use ~, "
                    f"to compare two use ^ (shapes {np.shape(getattr(a, '_data', a))} and {np.shape(getattr(b, '_data', b))})", TypeError)
    a, b, data = _binary("sub", np.subtract, a, b)
    return record(data, (a, b), SUB)


def _sub_backward(out, g, needs):
    return g, (-g if needs[1] else None)


SUB = _ew_op("-", _sub_backward, "sub", lambda x, y: x - y)


# ---------------------------------------------------------------- a * b
def mul(a, b) -> Tensor:
    """a * b; d/da = b, d/db = a."""
    a, b, data = _binary("mul", np.multiply, a, b)
    return record(data, (a, b), MUL)


def _mul_backward(out, g, needs):
    a, b = out.parents
    return (g * b._data if needs[0] else None), (g * a._data if needs[1] else None)


MUL = _ew_op("*", _mul_backward, "mul", lambda x, y: x * y)


# ---------------------------------------------------------------- a / b
def div(a, b) -> Tensor:
    """a / b; d/da = 1/b, d/db = -a/b² = -(a/b)/b."""
    a, b, data = _binary("div", np.divide, a, b)
    return record(data, (a, b), DIV)


def _div_backward(out, g, needs):
    gb = g / out.parents[1]._data
    return gb, (-gb * out._data if needs[1] else None)


DIV = _ew_op("/", _div_backward, "div", lambda x, y: x / y)


# ---------------------------------------------------------------- -a
def neg(a: Tensor) -> Tensor:
    """-a; d/da = -1."""
    if a._data.dtype == np.bool_:
        fail("neg", f"negation of a bool tensor (shape {a._data.shape}) is not supported, like PyTorch; "
                    "to invert a mask use ~ or logical_not")
    return record(np.negative(a._data), (a,), NEG)


def _neg_backward(out, g, needs):
    return (-g,)


NEG = _ew_op("neg", _neg_backward, "neg", lambda x: -x)


# ---------------------------------------------------------------- a ** n, a ** b
def power(a, b) -> Tensor:
    """a ** b. A number exponent n gives op ``**`` (d/da = n a^(n-1)); a tensor exponent
    gives op ``pow`` with also d/db = a^b log a (0 where a = 0, like PyTorch)."""
    if isinstance(b, numbers.Real) and not isinstance(b, bool) and isinstance(a, Tensor):
        if a._data.dtype.kind in "iu" and float(b).is_integer() and b < 0:
            fail("pow", f"an integer tensor (dtype {a._data.dtype}, shape {a._data.shape}) to a negative "
                        f"integer power {b} is not allowed, like PyTorch; convert it with .float() first")
        n = as_float("pow", "the exponent", b)
        x = a._data
        with _quiet(all="ignore"):
            if x.dtype.kind in "iu" and n.is_integer():   # int ** 2 stays an int, like PyTorch
                data = np.power(x, int(n))
            else:
                data = np.power(floating(x), n)
        return record(data, (a,), POW_N, n)
    a, b, data = _binary("pow", np.power, a, b)
    return record(data, (a, b), POW)


def _pow_n_backward(out, g, needs):
    x = out.parents[0]._data
    n = out._ctx
    if n == 2.0:
        local = 2.0 * x
    elif n == 1.0:
        local = np.ones_like(x)
    elif n == 0.0:
        return (np.zeros_like(g),)   # exactly 0, even for an inf or NaN gradient (PyTorch's)
    else:
        local = n * np.power(x, n - 1.0)
    return (g * local,)


POW_N = register("**", _pow_n_backward, scalar=False, word="pow",
                 expand=lambda t, a: each(lambda x: x ** t._ctx, a))


def _pow_backward(out, g, needs):
    a, b = out.parents
    x, y = a._data, b._data
    ga = gb = None
    if needs[0]:
        ga = np.where(y == 0, 0.0, g * y * np.power(x, y - 1.0))   # 0 where b = 0, like PyTorch
    if needs[1]:
        gb = g * np.where((x == 0) & (y >= 0), 0.0, out._data * np.log(x))   # PyTorch's order: g · (0 there)
    return ga, gb


def _pow_expand(t, A, B):
    """a ** b as exp(b · log a), which needs a > 0."""
    base = np.asarray(t.parents[0]._data)
    if np.any(base <= 0):
        fail("scalar.expand", f"pow with a tensor exponent expands as exp(b·log a), which needs a > 0; "
             f"the base has {int(np.sum(base <= 0))} elements <= 0 (shape {base.shape})")
    return each(lambda a, b: (b * a.log()).exp(), A, B)


POW = register("pow", _pow_backward, scalar=False, expand=_pow_expand)


# ---------------------------------------------------------------- unary functions
def exp(a: Tensor) -> Tensor:
    """e^a; d/da = e^a."""
    with _quiet(all="ignore"):
        data = np.exp(floating(a._data))
    return record(data, (a,), EXP)


def _exp_backward(out, g, needs):
    return (g * out._data,)


EXP = _ew_op("exp", _exp_backward, "exp", lambda x: x.exp())


def log(a: Tensor) -> Tensor:
    """ln a; d/da = 1/a (log 0 = -inf, log of a negative number = nan)."""
    with _quiet(all="ignore"):
        data = np.log(floating(a._data))
    return record(data, (a,), LOG)


def _log_backward(out, g, needs):
    return (g / out.parents[0]._data,)


LOG = _ew_op("log", _log_backward, "log", lambda x: x.log())


def sqrt(a: Tensor) -> Tensor:
    """√a; d/da = 1 / (2√a)."""
    with _quiet(all="ignore"):
        data = np.sqrt(floating(a._data))
    return record(data, (a,), SQRT)


def _sqrt_backward(out, g, needs):
    return (g * 0.5 / out._data,)


SQRT = _ew_op("sqrt", _sqrt_backward, "sqrt", lambda x: x ** 0.5)


def absolute(a: Tensor) -> Tensor:
    """|a|; d/da = sign(a) (0 at 0, like PyTorch)."""
    return record(np.abs(a._data), (a,), ABS)


def _abs_backward(out, g, needs):
    x = out.parents[0]._data
    return (g * np.where(np.isnan(x), 0, np.sign(x)),)   # 0 at NaN, like PyTorch


def abs_value(v):
    """|x| on a Value: relu(x) + relu(-x), so d/dx = sign(x), 0 at 0 like PyTorch."""
    return v.relu() + (-v).relu()


ABS = _ew_op("abs", _abs_backward, "abs", abs_value)


def clip(a: Tensor, min=None, max=None) -> Tensor:
    """min(max(a, lo), hi); d/da = 1 where lo <= a <= hi, else 0 (PyTorch's clamp)."""
    fn = "clip"
    if min is None and max is None:
        fail(fn, "at least one of min and max must be given", TypeError)
    for arg, v in (("min", min), ("max", max)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Real)):
            fail(fn, f"{arg} must be a number or None, got {type_name(v)} {v!r}", TypeError)
        if v is not None:
            as_float(fn, arg, v)
    x = a._data
    if x.dtype.kind != "f" and any(isinstance(v, float) and not v.is_integer() for v in (min, max)):
        x = x.astype(np.float64)        # an integer tensor clipped at 0.5 becomes float, like PyTorch
    data = x
    if min is not None:
        data = np.maximum(data, np.asarray(min, x.dtype))
    if max is not None:
        data = np.minimum(data, np.asarray(max, x.dtype))
    if data is x:
        data = x.copy()
    return record(data, (a,), CLIP, Bounds(min, max))


class Bounds(NamedTuple):
    """clip's limits; either may be None."""

    lo: float | None
    hi: float | None


def _clip_backward(out, g, needs):
    x = out.parents[0]._data
    lo, hi = out._ctx
    keep = np.ones(x.shape, bool)
    if lo is not None:
        keep &= x >= lo
    if hi is not None:
        keep &= x <= hi
    return (gated(g, keep.astype(g.dtype)),)


def _clip_expand(t, A):
    lo, hi = t._ctx  # d/dx = 1 where lo <= x <= hi: max/min ties go to x, the first input

    def f(v):
        if lo is not None:
            v = max_node((v, _const(float(lo), "clip")))
        if hi is not None:
            v = -max_node((-v, _const(-float(hi), "clip")))
        return v
    return each(f, A)


CLIP = register("clip", _clip_backward, scalar=False, expand=_clip_expand)


# ---------------------------------------------------------------- sin, cos, log2, log10
def _unary(ufunc, a, op):
    """``ufunc`` of a's data (inf and nan silently, like NumPy's) as the output node of ``op``."""
    with _quiet(all="ignore"):
        return record(ufunc(floating(a._data)), (a,), op)


def sin(a: Tensor) -> Tensor:
    """sin a; d/da = cos a."""
    return _unary(np.sin, a, SIN)


def _sin_backward(out, g, needs):
    return (g * np.cos(out.parents[0]._data),)


SIN = _ew_op("sin", _sin_backward, "sin", lambda x: x.sin())


def cos(a: Tensor) -> Tensor:
    """cos a; d/da = -sin a."""
    return _unary(np.cos, a, COS)


def _cos_backward(out, g, needs):
    return (-g * np.sin(out.parents[0]._data),)


COS = _ew_op("cos", _cos_backward, "cos", lambda x: x.cos())


def log2(a: Tensor) -> Tensor:
    """log₂ a; d/da = 1 / (a ln 2)."""
    return _unary(np.log2, a, LOG2)


def log10(a: Tensor) -> Tensor:
    """log₁₀ a; d/da = 1 / (a ln 10)."""
    return _unary(np.log10, a, LOG10)


def _log_base_backward(out, g, needs):
    return (g / (out.parents[0]._data * _LN[out.op]),)


_LN = {"log2": np.log(2.0), "log10": np.log(10.0)}
LOG2 = _ew_op("log2", _log_base_backward, "log2", lambda x: x.log() * (1.0 / float(_LN["log2"])))
LOG10 = _ew_op("log10", _log_base_backward, "log10", lambda x: x.log() * (1.0 / float(_LN["log10"])))


# ---------------------------------------------------------------- log1p, expm1 (exact near 0)
def log1p(a: Tensor) -> Tensor:
    """ln(1 + a), exact for small a; d/da = 1 / (1 + a)."""
    return _unary(np.log1p, a, LOG1P)


def _log1p_backward(out, g, needs):
    return (g / (1.0 + out.parents[0]._data),)


LOG1P = _ew_op("log1p", _log1p_backward, "log1p", lambda x: (1.0 + x).log())


def expm1(a: Tensor) -> Tensor:
    """e^a - 1, exact for small a; d/da = e^a = out + 1."""
    return _unary(np.expm1, a, EXPM1)


def _expm1_backward(out, g, needs):
    return (g * (out._data + 1.0),)


EXPM1 = _ew_op("expm1", _expm1_backward, "expm1", lambda x: x.exp() - 1.0)


def rsqrt(a: Tensor) -> Tensor:
    """1 / √a (NaN for a < 0, -inf included, as PyTorch's); d/da = -½ · out³."""
    return _unary(lambda x: 1.0 / np.sqrt(x), a, RSQRT)


def _rsqrt_backward(out, g, needs):
    return (g * -0.5 * out._data ** 3,)


RSQRT = _ew_op("rsqrt", _rsqrt_backward, "rsqrt", lambda x: x ** -0.5)


# ---------------------------------------------------------------- step functions: gradient 0
def step(a: Tensor, name: str, decimals=0) -> Tensor:
    """sign, floor, ceil, round (half to even, to ``decimals`` places) or trunc of a: piecewise
    constant, so d/da = 0 everywhere (PyTorch's convention, also at the jumps)."""
    x = a._data
    if x.dtype == np.bool_:      # a mask stays a mask (NumPy's round would give float16)
        data = x.copy()
    elif name == "round":
        data = np.round(x, decimals)
    else:
        data = _STEPS[name](x)
    return record(np.asarray(data), (a,), STEP_OPS[name])


def _step_backward(out, g, needs):
    return (np.zeros_like(g),)


def _step_expand(t, A):
    """Constants: the values, with no path back (the gradient is 0)."""
    return each(lambda x, y: _const(float(y), t.op), A, t._data)


def _sign(x):
    """-1, 0 or 1, PyTorch's way: 0 at NaN (NumPy says NaN), and a bool tensor's own values."""
    if x.dtype == np.bool_:
        return x.copy()
    s = np.sign(x)
    return np.where(np.isnan(s), np.zeros((), s.dtype), s) if s.dtype.kind == "f" else s


_STEPS = {"sign": _sign, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "round": np.round}
STEP_OPS = {name: register(name, _step_backward, scalar=False, expand=_step_expand) for name in _STEPS}


# ---------------------------------------------------------------- maximum(a, b), minimum(a, b)
def maximum(a, b) -> Tensor:
    """The larger of a and b, element by element (NaN if either is NaN). The gradient goes to the
    larger; a tie splits it in halves; where a NaN is involved both get it whole (PyTorch's rule)."""
    a, b, data = _binary("maximum", np.maximum, a, b)
    return record(data, (a, b), MAXIMUM)


def minimum(a, b) -> Tensor:
    """The smaller of a and b, element by element (ties and NaN as in ``maximum``)."""
    a, b, data = _binary("minimum", np.minimum, a, b)
    return record(data, (a, b), MINIMUM)


def _extremum_shares(x, y, larger):
    """The share of the gradient each operand takes: 1 for the winner, 1/2 each on a tie, 0 for
    the loser; where a comparison is False both ways (a NaN) both keep 1."""
    tie = x == y
    wins_a, wins_b = (x > y, x < y) if larger else (x < y, x > y)
    share_a = np.where(tie, 0.5, np.where(wins_b, 0.0, 1.0))
    share_b = np.where(tie, 0.5, np.where(wins_a, 0.0, 1.0))
    return share_a, share_b


def _extremum_backward(out, g, needs):
    a, b = out.parents
    share_a, share_b = _extremum_shares(a._data, b._data, out.op == "maximum")
    return (gated(g, share_a) if needs[0] else None), (gated(g, share_b) if needs[1] else None)


def _extremum_expand(t, A, B):
    """One 2-input max node where one side wins; a tie (or a NaN) as the weighted sum of the two."""
    larger = t.op == "maximum"

    def pick(a, b):
        sa, sb = (float(s) for s in _extremum_shares(np.float64(a.data), np.float64(b.data), larger))
        if sa + sb != 1.0 or sa == sb:      # a tie (halves) or a NaN (both whole)
            return sum_node((a * sa, b * sb))
        return max_node((a, b)) if larger else -max_node((-a, -b))
    return each(pick, A, B)


MAXIMUM = register("maximum", _extremum_backward, scalar=False, expand=_extremum_expand)
MINIMUM = register("minimum", _extremum_backward, scalar=False, expand=_extremum_expand)


# ---------------------------------------------------------------- comparisons (no grad)
def comparable(x) -> bool:
    """Whether ``x`` can be compared with a tensor elementwise (a number, an array, a tensor)."""
    return isinstance(x, (Tensor, numbers.Number, np.ndarray, np.generic, list, tuple))


def compare(a: Tensor, b, op) -> Tensor:
    """a < b etc.: a bool tensor outside the graph, like PyTorch's (operands promoted as in arithmetic)."""
    if type(b) is float:                  # the common t > 0.5: nothing to lift, promote or guard
        return Tensor._leaf(np.asarray(op(a._data, b)), False)
    b = lift(b, a, op.__name__)
    x, y = a._data, b._data
    if x.dtype != y.dtype or x.size * y.size * 16 > _checks.MAX_ARRAY_BYTES:
        x, y = _promoted(a, b, op.__name__, np.bool_)
    try:
        data = op(x, y)
    except ValueError:
        _broadcast_error(op.__name__, a, b)
    return Tensor._leaf(np.asarray(data), False)


# ---------------------------------------------------------------- bitwise and logical (no grad)
def bitwise(a, b, ufunc, fn) -> Tensor:
    """a & b, a | b, a ^ b (``b`` None: ~a) of bool or integer tensors, outside the graph like
    PyTorch's: logical on masks (``(x > 0) & (x < 1)``), bitwise on integers."""
    operands = [a] if b is None else [a, b]
    operands = [x if isinstance(x, Tensor) else lift(x, a if isinstance(a, Tensor) else b, fn) for x in operands]
    for x in operands:
        if x._data.dtype.kind not in "biu":
            fail(fn, f"needs bool or integer tensors, got dtype {x._data.dtype} (shape {x._data.shape}); "
                     "compare first (x > 0) to make a mask", TypeError)
    if b is None:
        return Tensor._leaf(np.asarray(ufunc(operands[0]._data)), False)
    try:
        data = ufunc(*_promoted(*operands, fn))
    except ValueError:
        _broadcast_error(fn, *operands)
    return Tensor._leaf(np.asarray(data), False)
