"""A hand formula read as data: a tokenizer and a small parser that build sympy objects.

``mg.check`` takes a student's formula as text. Text from a user is never evaluated, so this
module accepts only a formula — names, numbers, ``+ - * / ** ^ ·``, parentheses and the
functions below — and builds the sympy expression itself (sympy's own ``parse_expr`` calls
Python's ``eval``). Anything else is a ValueError naming the token and its position.

Grammar (usual precedence; ``**`` and ``^`` bind right, ``-x**2`` is ``-(x**2)``)::

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/" | "·") unary)*
    unary   := ("+" | "-") unary | power
    power   := atom (("**" | "^") unary)?
    atom    := number | name | name "(" sum ("," sum)* ")" | "(" sum ")"
"""
from __future__ import annotations

import re

import sympy

from .._checks import fail

MAX_LENGTH = 100_000
"""Longer text is refused before it is read."""
MAX_DEPTH = 100
"""Deeper nesting (parentheses, signs, powers) is refused: no formula on a slide comes close."""
MAX_EXPONENT = 1000
"""A number raised to a numeric power larger than this is refused (sympy would compute it)."""


def _sigmoid(x):
    return 1 / (1 + sympy.exp(-x))


FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "tanh": sympy.tanh, "sigmoid": _sigmoid, "σ": _sigmoid,
    "relu": lambda x: sympy.Max(x, 0), "abs": sympy.Abs,
    "sin": sympy.sin, "cos": sympy.cos, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "max": sympy.Max, "min": sympy.Min,
}
"""The functions a formula may call (``max``/``min`` take two or more arguments)."""
_ONE_ARGUMENT = {name for name in FUNCTIONS if name not in ("max", "min")}
CONSTANTS = {"pi": sympy.pi, "π": sympy.pi, "e": sympy.E}
"""Names that stand for numbers unless the graph has a node of that name."""

# A name: a letter, then letters, digits and _; optionally the slides' x_{11}, or an index in
# brackets (w[1,2], as minigrad names the elements of big grids), then primes (x', x'').
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d]\w*_\{[^{}]*\}'*|[^\W\d]\w*(?:\[[\d,\s]*\])?'*)
  | (?P<op>\*\*|[-+*/^(),·])
""", re.VERBOSE)


# Names the graph may give that a formula's name pattern does not cover: a module's parameters
# (``conv1.weight[1,1,3,3]``, ``0.weight[2,1]``, micrograd-style ``L1.n2.w3``). Such a run of
# text is a name only when the graph has exactly that name; anything else is read as usual.
_DOTTED = re.compile(r"[\w.]+(?:\[[\d,\s]*\])?'*")


def tokens(text: str, known=frozenset()) -> list[tuple[str, str, int]]:
    """``(kind, text, position)`` for each token; a character that starts none is refused.
    ``known``: the graph's names (without spaces), so dotted ones are read whole."""
    out, pos = [], 0
    while pos < len(text):
        d = _DOTTED.match(text, pos) if known else None
        if d is not None and "." in d.group() and _key(d.group()) in known:
            out.append(("name", d.group(), pos))
            pos = d.end()
            continue
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _Refused(text[pos], pos, "is not part of a formula (names, numbers, + - * / ** ^, "
                                           "parentheses and functions only)")
        if m.lastgroup != "space":
            out.append((m.lastgroup, m.group(), pos))
        pos = m.end()
    return out


def spellings(name: str) -> list[str]:
    """The ways a formula may write the graph's name: ``x_{11}`` also as x11, x_11, x[11]."""
    m = re.fullmatch(r"([^\W\d]\w*?)_\{([^{}]*)\}('*)", name)
    if not m:
        return [name]
    base, index, primes = m.groups()
    flat = re.sub(r"[\s,]+", "", index)
    return [name, f"{base}{flat}{primes}", f"{base}_{flat}{primes}", f"{base}[{index}]{primes}"]


def parse(function: str, text: str, names: dict):
    """``text`` as a sympy expression; ``names`` maps the graph's names to their symbols.

    A name the graph does not have becomes a symbol of its own (check reports it as not in
    the graph). Bad text raises ValueError naming ``function``, the text and the token."""
    if len(text) > MAX_LENGTH:
        fail(function, f"expected is {len(text):,} characters long; a formula may have at most {MAX_LENGTH:,}")
    lookup = {}
    for name, symbol in names.items():
        for spelling in spellings(name):
            lookup.setdefault(_key(spelling), symbol)
    try:
        return _Parser(tokens(text, frozenset(k for k in lookup if "." in k)), lookup).formula()
    except _Refused as r:
        where = f"at position {r.position}" if r.position is not None else "at the end"
        token = repr(r.token) if r.token is not None else "the text"
        fail(function, f"cannot parse expected {text!r} as a formula: {token} {where} {r.why}")


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name)


class _Refused(Exception):
    def __init__(self, token, position, why):
        super().__init__(why)
        self.token, self.position, self.why = token, position, why


class _Parser:
    """Precedence climbing over the token list; builds sympy objects, evaluates nothing."""

    def __init__(self, toks, names):
        self.toks, self.names, self.i, self.depth = toks, names, 0, 0

    # ------------------------------------------------------------ reading tokens
    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None, None)

    def take(self, *ops):
        kind, text, _ = self.peek()
        if kind == "op" and text in ops:
            self.i += 1
            return text
        return None

    def expect(self, op, why):
        if not self.take(op):
            self.refuse(why)

    def refuse(self, why):
        _, text, pos = self.peek()
        raise _Refused(text, pos, why)

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.refuse(f"is nested more than {MAX_DEPTH} levels deep")

    # ------------------------------------------------------------ grammar
    def formula(self):
        if not self.toks:
            raise _Refused(None, None, "is empty")
        out = self.sum()
        if self.i < len(self.toks):
            self.refuse("was not expected here (an operator is missing, or a parenthesis is unmatched)")
        return out

    def sum(self):
        out = self.product()
        while op := self.take("+", "-"):
            rhs = self.product()
            out = out + rhs if op == "+" else out - rhs
        return out

    def product(self):
        out = self.unary()
        while op := self.take("*", "/", "·"):
            rhs = self.unary()
            out = out / rhs if op == "/" else out * rhs
        return out

    def unary(self):
        if op := self.take("+", "-"):
            self.deeper()
            inner = self.unary()
            self.depth -= 1
            return -inner if op == "-" else inner
        return self.power()

    def power(self):
        base = self.atom()
        if self.take("**", "^"):
            _, _, pos = self.peek()
            self.deeper()
            exponent = self.unary()
            self.depth -= 1
            if exponent.is_Number and base.is_Number and abs(exponent) > MAX_EXPONENT:
                raise _Refused(str(exponent), pos, f"is too large an exponent for a number "
                                                   f"(at most {MAX_EXPONENT})")
            return base ** exponent
        return base

    def atom(self):
        kind, text, pos = self.peek()
        if kind == "number":
            self.i += 1
            return sympy.Integer(text) if text.isdigit() else sympy.Float(text)
        if kind == "name":
            self.i += 1
            if self.take("("):
                return self.call(text, pos)
            key = _key(text)
            if key in self.names:
                return self.names[key]
            if key in CONSTANTS:
                return CONSTANTS[key]
            if key in FUNCTIONS:
                raise _Refused(text, pos, "is a function: call it with parentheses, e.g. exp(x)")
            return sympy.Symbol(key)
        if self.take("("):
            self.deeper()
            inner = self.sum()
            self.depth -= 1
            self.expect(")", "was found where a closing parenthesis was expected")
            return inner
        if kind is None:
            raise _Refused(None, None, "ends where a name, a number or '(' was expected")
        self.refuse("was found where a name, a number or '(' was expected")

    def call(self, name, pos):
        if name not in FUNCTIONS:
            raise _Refused(name, pos, f"is not a function a formula may call ({', '.join(sorted(FUNCTIONS))})")
        self.deeper()
        args = [self.sum()]
        while self.take(","):
            args.append(self.sum())
        self.depth -= 1
        self.expect(")", "was found where ',' or ')' was expected")
        if name in _ONE_ARGUMENT and len(args) != 1:
            raise _Refused(name, pos, f"takes one argument, got {len(args)}")
        if name not in _ONE_ARGUMENT and len(args) < 2:
            raise _Refused(name, pos, "takes two or more arguments")
        return FUNCTIONS[name](*args)
