"""``mg.check(output, wrt, expected)``: a hand-derived gradient against minigrad's derivation."""
from __future__ import annotations

import math
import numbers
import textwrap

import sympy

from .._checks import fail, number, type_name
from ..naming import format_number
from . import expr as E
from .derivation import Derivation, derive
from .diagnosis import diagnose
from .handwritten import parse


class CheckResult:
    """Does a hand-derived ∂output/∂wrt agree with minigrad's? ``bool(result) == result.ok``.

    ``symbolic_ok``: the two formulas are the same expression. ``numeric_ok``: they give the
    same number at the graph's current values (within ``rtol``). ``ok`` needs both. When they
    differ, ``missing`` / ``extra`` / ``wrong`` list the terms (after expanding both sums),
    ``diagnosis`` names the classic mistake the formula makes (derivation/diagnosis.py; None
    when none explains it) and ``str(result)`` says all of it.
    """

    def __init__(self, derivation: Derivation, expected, expected_value, unknown, rtol):
        self.derivation = derivation
        self.derived = derivation.expression
        self.expected = expected
        self.derived_value = derivation.value
        self.expected_value = expected_value
        self.unknown = sorted(unknown)
        diff = sympy.expand(self.derived - expected)
        # an expanded polynomial is 0 only when it is literally 0; only other formulas need simplify
        self.symbolic_ok = diff == 0 or (not diff.is_polynomial() and sympy.simplify(diff) == 0)
        self.numeric_ok = expected_value is not None and _close(expected_value, self.derived_value, rtol)
        self.ok = bool(self.symbolic_ok and self.numeric_ok)
        self.missing, self.extra, self.wrong = ([], [], []) if self.symbolic_ok else _term_diff(self.derived, expected)

    def __bool__(self):
        return self.ok

    @property
    def diagnosis(self) -> str | None:
        """The mistake the expected formula makes, as a sentence (computed when first asked:
        one extra reverse pass per candidate mistake), or None."""
        if not hasattr(self, "_diagnosis"):
            self._diagnosis = None if self.symbolic_ok else diagnose(self.derivation, self.expected)
        return self._diagnosis

    def __str__(self):
        d = self.derivation
        head = f"check ∂{d.output}/∂{d.wrt}"
        dv = format_number(self.derived_value)
        ev = "?" if self.expected_value is None else format_number(self.expected_value)
        if self.ok:
            if str(self.expected) == str(self.derived):
                return f"{head}: OK, {self.derived} = {dv}"
            return f"{head}: OK, expected {self.expected} is derived {self.derived} = {dv}"
        lines = [f"{head}: MISMATCH",
                 f"  derived:  {self.derived} = {dv}",
                 f"  expected: {self.expected} = {ev}"]
        if not d._bp.reached(d._wrt):
            lines.append(f"  note: {d.wrt} is not an input of {d.output}, so ∂{d.output}/∂{d.wrt} = 0")
        if self.unknown:
            lines.append(f"  not in the graph: {', '.join(self.unknown)}")
        if self.diagnosis:
            lines.append(textwrap.fill(self.diagnosis, 100, initial_indent="  diagnosis: ", subsequent_indent="    ",
                                       break_long_words=False, break_on_hyphens=False))
        if self.extra:
            lines.append(f"  terms in expected that the gradient does not have: {_join(self.extra)}")
        if self.missing:
            lines.append(f"  terms of the gradient that expected leaves out: {_join(self.missing)}")
        for term, got, want in self.wrong:
            lines.append(f"  wrong coefficient of {term}: expected {want}, derived {got}")
        if not self.symbolic_ok and self.numeric_ok:
            lines.append(f"  numerically equal at the current values ({dv}) but symbolically different: "
                         "the formula is wrong, the numbers only happen to agree")
        elif self.symbolic_ok and not self.numeric_ok:
            lines.append(f"  symbolically equal, but the values differ: derived {dv}, expected {ev}")
        elif not self.numeric_ok:
            lines.append(f"  values: derived {dv}, expected {ev}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"CheckResult(ok={self.ok}, symbolic_ok={self.symbolic_ok}, numeric_ok={self.numeric_ok}, "
                f"derived={self.derived}, expected={self.expected})")


def check(output, wrt, expected, rtol=1e-6) -> CheckResult:
    """Compare a hand-derived ∂output/∂wrt (a string like ``"x11 + x12 + x21 + x22"`` or a sympy
    expression over the graph's names) with ``mg.derive(output, wrt)``, symbolically and at the
    current numbers. Names of intermediate nodes may be used too (``s11``); they stand for
    their forward expressions. ``^`` means power."""
    rtol = number("check", "rtol", rtol, minimum=0)
    d = derive(output, wrt)
    if isinstance(d, list):
        fail("check", "wrt must be one node (check one hand formula at a time)", TypeError)
    bp = d._bp
    nodes = _named_nodes(d)
    names = {name: sympy.Symbol(name) for name in nodes}
    if isinstance(expected, str):
        parsed = parse("check", expected, names)
    elif isinstance(expected, sympy.Basic):
        parsed = expected
    elif isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        parsed = sympy.Integer(int(expected)) if float(expected).is_integer() else sympy.Float(float(expected))
    else:
        fail("check", f"expected must be a str or a sympy expression, got {type_name(expected)} {expected!r}",
             TypeError)
    if not isinstance(parsed, sympy.Expr):
        fail("check", f"expected {expected!r} is not an expression (parsed as {type(parsed).__name__})")
    parsed = _exactify(parsed.xreplace({s: names[s.name] for s in parsed.free_symbols if s.name in names}))
    interior = {s: E.to_sympy(bp.forward(nodes[s.name])) for s in parsed.free_symbols
                if s.name in nodes and nodes[s.name].parents}
    parsed = _exactify(parsed.xreplace(interior)) if interior else parsed
    unknown = {s.name for s in parsed.free_symbols if s.name not in names}
    values = {sympy.Symbol(name): sympy.Float(node.data) for name, node in nodes.items()}
    value = None
    if not unknown:
        parsed = take_branches(parsed, values)
        try:
            value = complex(parsed.xreplace(values).evalf())
            value = value.real if value.imag == 0 else None
        except (TypeError, ValueError):
            value = None
    return CheckResult(d, parsed, value, unknown, rtol)


def _named_nodes(d) -> dict:
    """Name -> node for every named node in the output's graph (leaves and interior)."""
    nodes = dict(d._bp.nodes)
    if "wrt" not in nodes and d._bp.names.get(d._wrt) is None:
        nodes["wrt"] = d._wrt
    return nodes


def _exactify(expr):
    """Floats that are integers or small fractions (0.5, 1/9) made exact, as the derivation's are."""
    rule = {f: E.to_sympy(E.num(float(f))) for f in expr.atoms(sympy.Float)}
    return expr.xreplace(rule) if rule else expr


def take_branches(expr, values: dict):
    """``expr`` with each max, min, abs (and relu, a max with 0) replaced by the branch the
    graph's current numbers take, as the derivation does: the first maximum on ties."""
    def branch(e):
        args = [branch(a) for a in e.args]
        if isinstance(e, (sympy.Max, sympy.Min)):
            numbers_ = [complex(a.xreplace(values).evalf()).real for a in args]
            pick = max(numbers_) if isinstance(e, sympy.Max) else min(numbers_)
            return args[numbers_.index(pick)]
        if isinstance(e, sympy.Abs):
            return args[0] if complex(args[0].xreplace(values).evalf()).real >= 0 else -args[0]
        return e.func(*args) if args else e

    if not expr.has(sympy.Max, sympy.Min, sympy.Abs):
        return expr
    return branch(expr)


def _terms(expr) -> dict:
    """``expr`` expanded, as {monomial: coefficient}."""
    out = {}
    for term in sympy.Add.make_args(sympy.expand(expr)):
        coeff, mono = term.as_coeff_Mul()
        out[mono] = out.get(mono, 0) + coeff
    return {m: c for m, c in out.items() if c != 0}


def _term_diff(derived, expected):
    d, e = _terms(derived), _terms(expected)
    missing = [c * m for m, c in d.items() if m not in e]
    extra = [c * m for m, c in e.items() if m not in d]
    wrong = [(m, d[m], e[m]) for m in d if m in e and d[m] != e[m]]
    return missing, extra, wrong


def _join(terms) -> str:
    return ", ".join(str(t) for t in terms)


def _close(a, b, rtol) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= max(rtol * max(abs(a), abs(b)), 1e-12)
