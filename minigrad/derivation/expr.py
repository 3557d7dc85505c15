"""Formulas a derivation can afford at any graph size: a tiny expression DAG, built in O(1) per
operation, turned into sympy (or text) only when it is small enough to read.

The backward rules run on these unchanged (they only use ``+ - * / **`` and the node's data),
so a symbolic pass costs what a numeric one does. Numbers stay exact while they are small
(integers and fractions with denominators up to 1000, like ``1/9``); anything else is a float.
Sharing is kept: a node's adjoint used by its parents is one object, and walks over a formula
(its size, its symbols, substitution, conversion) are iterative and visit each object once.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from .._checks import type_name

MAX_SYMPY = 20_000
"""A formula whose tree has more nodes than this is never converted to sympy (FormulaTooLarge)."""
MAX_PRINT = 400
"""A formula whose tree has more nodes than this is printed as a summary."""
_MAX_DENOMINATOR = 10 ** 6


class FormulaTooLarge(ValueError):
    """The formula is too large to build as one expression; its summary and value still exist."""


class Expr:
    """One formula node: ``num`` (value), ``sym`` (name), ``add``/``mul`` (two args),
    ``pow`` (base, number exponent) or ``fn`` (exp, log, tanh, sin, cos over one arg)."""

    __slots__ = ("kind", "args", "value", "_size")

    def __init__(self, kind, args, value):
        self.kind, self.args, self.value, self._size = kind, args, value, None

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return add(self, lift(other))

    def __radd__(self, other):
        return add(lift(other), self)

    def __sub__(self, other):
        return add(self, mul(MINUS_ONE, lift(other)))

    def __rsub__(self, other):
        return add(lift(other), mul(MINUS_ONE, self))

    def __mul__(self, other):
        return mul(self, lift(other))

    def __rmul__(self, other):
        return mul(lift(other), self)

    def __neg__(self):
        return mul(MINUS_ONE, self)

    def __truediv__(self, other):
        return mul(self, power(lift(other), -1))

    def __rtruediv__(self, other):
        return mul(lift(other), power(self, -1))

    def __pow__(self, n):
        if isinstance(n, Expr):
            if n.kind != "num":
                raise TypeError("Expr: only number exponents")
            n = n.value
        return power(self, n)

    def exp(self):
        return fn("exp", self)

    def log(self):
        return fn("log", self)

    def tanh(self):
        return fn("tanh", self)

    def sin(self):
        return fn("sin", self)

    def cos(self):
        return fn("cos", self)

    def sigmoid(self):
        """1 / (1 + e^-x), as the slides write σ."""
        return power(add(ONE, fn("exp", mul(MINUS_ONE, self))), -1)

    # ------------------------------------------------------------ reading
    @property
    def is_zero(self) -> bool:
        return self.kind == "num" and self.value == 0

    @property
    def is_one(self) -> bool:
        return self.kind == "num" and self.value == 1

    def size(self) -> int:
        """The number of nodes of the formula written out as a tree (shared parts counted each
        time they are used): what printing it costs. Saturates far above any printing limit."""
        if self._size is None:
            for e in _post_order(self):
                if e._size is None:
                    e._size = min(1 + sum(a._size for a in e.args), 10 ** 12)
        return self._size

    def symbols(self) -> set:
        """The names in the formula."""
        return {e.value for e in _post_order(self) if e.kind == "sym"}

    def __repr__(self):
        return f"Expr({text(self)})"


def _post_order(root):
    """Every distinct node under ``root``, arguments first (iterative)."""
    out, seen, stack = [], set(), [(root, False)]
    while stack:
        e, done = stack.pop()
        if done:
            out.append(e)
            continue
        if id(e) in seen:
            continue
        seen.add(id(e))
        stack.append((e, True))
        stack.extend((a, False) for a in e.args if id(a) not in seen)
    return out


# ------------------------------------------------------------ construction (with folding)
def exact(x):
    """A Python number as the exact value the formulas use: int, a small Fraction, or float."""
    if isinstance(x, (int, Fraction)) and not isinstance(x, bool):
        if isinstance(x, Fraction) and x.denominator > _MAX_DENOMINATOR:
            return float(x)
        return x.numerator if isinstance(x, Fraction) and x.denominator == 1 else x
    x = float(x)
    got = _EXACT.get(x)
    if got is None:
        got = x
        if not math.isfinite(x):
            pass
        elif x.is_integer():
            got = int(x)
        else:
            f = Fraction(x).limit_denominator(1000)
            got = f if f.numerator / f.denominator == x else x
        if len(_EXACT) > 10_000:
            _EXACT.clear()
        _EXACT[x] = got
    return got


_EXACT: dict = {}  # float -> its exact form: a graph repeats its constants (y * 1.0001, 10^5 times)


def num(x) -> Expr:
    """A number."""
    v = exact(x)
    if v == 0 and not isinstance(v, float):
        return ZERO
    if v == 1 and not isinstance(v, float):
        return ONE
    return Expr("num", (), v)


def sym(name: str) -> Expr:
    """A named quantity (a node of the graph)."""
    return Expr("sym", (), name)


def lift(x) -> Expr:
    if isinstance(x, Expr):
        return x
    if isinstance(x, (int, float, Fraction)) and not isinstance(x, bool):
        return num(x)
    raise TypeError(f"Expr: cannot combine a formula with {type_name(x)}")


def _arith(f, a, b):
    """``f(a, b)`` for two numbers: exact while both are, a float once one is (a product of
    floats is no small fraction; searching for one would cost more than the pass)."""
    try:
        v = f(a, b)
    except (OverflowError, ZeroDivisionError, ValueError):
        v = f(float(a), float(b)) if not isinstance(a, float) or not isinstance(b, float) else math.nan
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            v = int(v)
        return Expr("num", (), v) if v not in (0, 1) or isinstance(v, float) else (ZERO if v == 0 else ONE)
    return num(v)


def add(a: Expr, b: Expr) -> Expr:
    if a.is_zero:
        return b
    if b.is_zero:
        return a
    if a.kind == "num" and b.kind == "num":
        return _arith(lambda x, y: x + y, a.value, b.value)
    return Expr("add", (a, b), None)


def mul(a: Expr, b: Expr) -> Expr:
    if a.is_zero or b.is_zero:
        return ZERO
    if a.is_one:
        return b
    if b.is_one:
        return a
    if a.kind == "num" and b.kind == "num":
        return _arith(lambda x, y: x * y, a.value, b.value)
    return Expr("mul", (a, b), None)


def power(a: Expr, n) -> Expr:
    n = exact(n)
    if n == 0:
        return ONE
    if n == 1:
        return a
    if a.kind == "num":
        x = a.value
        if isinstance(n, int) and not isinstance(x, float) and (x != 0 or n > 0) and abs(n) <= 64:
            return num(Fraction(x) ** n)
    if a.kind == "pow" and isinstance(n, int):
        return power(a.args[0], _arith(lambda x, y: x * y, a.value, n).value)
    return Expr("pow", (a,), n)


def fn(name: str, a: Expr) -> Expr:
    return Expr("fn", (a,), name)


ZERO = Expr("num", (), 0)
ONE = Expr("num", (), 1)
MINUS_ONE = Expr("num", (), -1)


# ------------------------------------------------------------ rewriting
def substitute(root: Expr, mapping: dict) -> Expr:
    """``root`` with each symbol named in ``mapping`` replaced by its formula (each shared part
    rebuilt once; folding applies again, so a branch that became 0 disappears)."""
    done = {}
    for e in _post_order(root):
        if e.kind == "sym":
            done[id(e)] = mapping.get(e.value, e)
        elif not e.args:
            done[id(e)] = e
        else:
            args = [done[id(a)] for a in e.args]
            if all(x is y for x, y in zip(args, e.args)):
                done[id(e)] = e
            elif e.kind == "add":
                done[id(e)] = add(*args)
            elif e.kind == "mul":
                done[id(e)] = mul(*args)
            elif e.kind == "pow":
                done[id(e)] = power(args[0], e.value)
            else:
                done[id(e)] = fn(e.value, args[0])
    return done[id(root)]


def terms(root: Expr, limit: int) -> tuple[list, int]:
    """The first ``limit`` summands of ``root`` read as a sum, and how many there are."""
    first, count, stack = [], 0, [root]
    while stack:
        e = stack.pop()
        if e.kind == "add":
            stack.extend(reversed(e.args))
            continue
        count += 1
        if len(first) < limit:
            first.append(e)
    return first, count


# ------------------------------------------------------------ conversion and printing
_FUNCTIONS = {"exp": sympy.exp, "log": sympy.log, "tanh": sympy.tanh, "sin": sympy.sin, "cos": sympy.cos}


def _sympy_number(v):
    if isinstance(v, int):
        return sympy.Integer(v)
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if math.isnan(v):
        return sympy.nan
    if math.isinf(v):
        return sympy.oo if v > 0 else -sympy.oo
    return sympy.Float(v)


def to_sympy(root: Expr, limit: int = MAX_SYMPY):
    """The formula as a sympy expression (FormulaTooLarge past ``limit`` tree nodes)."""
    if root.size() > limit:
        raise FormulaTooLarge(
            f"the formula has {root.size():,} terms and factors written out (more than {limit:,}); "
            "its value and a summary are available (str() of it, or the derivation's text)")
    done, operands, stack = {}, {}, [root]
    while stack:
        e = stack[-1]
        if id(e) in done:
            stack.pop()
            continue
        kids = operands.get(id(e))
        if kids is None:
            kids = operands[id(e)] = _operands(e)
        pending = [a for a in kids if id(a) not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        done[id(e)] = _build(e, [done[id(a)] for a in kids])
    return done[id(root)]


def _operands(e) -> list:
    """What ``e`` is built from: a chain of binary + (or *) read as one n-ary sum (product)."""
    if e.kind not in ("add", "mul"):
        return list(e.args)
    out, stack = [], list(reversed(e.args))
    while stack:
        x = stack.pop()
        if x.kind == e.kind:
            stack.extend(reversed(x.args))
        else:
            out.append(x)
    return out


def _build(e, args):
    k = e.kind
    if k == "num":
        return _sympy_number(e.value)
    if k == "sym":
        return sympy.Symbol(e.value)
    if k == "add":
        return sympy.Add(*args)
    if k == "mul":
        return sympy.Mul(*args)
    if k == "pow":
        return sympy.Pow(args[0], _sympy_number(e.value))
    return _FUNCTIONS[e.value](args[0], evaluate=False)


def text(root: Expr, latex: bool = False, names=None) -> str:
    """The formula as text (or LaTeX); a summary when it is too long to read."""
    if root.size() <= MAX_PRINT:
        e = to_sympy(root)
        return sympy.latex(e, symbol_names=_latex_names(e, names)) if latex else str(e)
    first, count = terms(root, 3)
    shown = [text(t, latex, names) if t.size() <= MAX_PRINT // 4 else None for t in first]
    if count > 1 and all(s is not None for s in shown):
        body = " + ".join(shown)
        what = f"{count:,} terms"
        return (rf"{body} + \dots\ \text{{({what})}}" if latex else f"{body} + … ({what})")
    what = f"a formula of {root.size():,} terms and factors written out"
    return rf"\text{{({what})}}" if latex else f"({what})"


def _latex_names(e, names):
    if names is None:
        return None
    return {s: names(s.name) for s in e.free_symbols}
