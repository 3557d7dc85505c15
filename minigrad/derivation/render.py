"""Derivations as text or LaTeX: one chain-rule step per line, the way the slides write them."""
from __future__ import annotations

import re
import unicodedata

import sympy

from .symbolic import format_number

MAX_TERMS = 6  # a sum of more chain-rule terms than this is summarised, not spelled out


class Text:
    """Plain text: ``∂f/∂w11 = x11 + x12``."""

    cdot, sigma = " · ", "Σ "

    def name(self, name: str) -> str:
        return name

    def partial(self, top: str, bottom: str) -> str:
        return f"∂{top}/∂{bottom}"

    def expr(self, e) -> str:
        return str(e)

    def number(self, x) -> str:
        return format_number(x)

    def words(self, s: str) -> str:
        return s

    def cond(self, a: str, rel: str, b: str) -> str:
        return f"{a} {rel} {b}"

    def branch(self, conds: list, parts: list) -> str:
        return f"if ({', '.join(conds)}): {', '.join(parts)}"

    def lines(self, lines: list) -> str:
        return "\n".join(("  " * depth) + body for depth, body in lines)

    def forward(self, op, args, ctx) -> str:
        a = args
        if op == "+":
            return f"{a[0]} + {a[1]}"
        if op == "*":
            return f"{a[0]}*{_paren(a[1])}"
        if op == "**":
            return f"{_paren(a[0])}**{format_number(ctx)}"
        if op == "sum":
            return " + ".join(a)
        return f"{op}({', '.join(a)})"


class Latex(Text):
    """LaTeX: ``\\frac{\\partial f}{\\partial w_{11}} = x_{11} + x_{12}``."""

    cdot, sigma = r" \cdot ", r"\sum_{n} "

    def name(self, name: str) -> str:
        return latex_name(name)

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {latex_name(top)}}}{{\partial {latex_name(bottom)}}}"

    def expr(self, e) -> str:
        names = {s: latex_name(s.name) for s in getattr(e, "free_symbols", ())}
        return sympy.latex(e, symbol_names=names)

    def words(self, s: str) -> str:
        return rf"\text{{{s}}}"

    def cond(self, a: str, rel: str, b: str) -> str:
        return f"{a} {_LATEX_REL.get(rel, rel)} {b}"

    def branch(self, conds: list, parts: list) -> str:
        return rf"\text{{if }} ({', '.join(conds)}):\ " + r",\ ".join(parts)

    def lines(self, lines: list) -> str:
        body = " \\\\\n".join("& " + ("\\quad " * depth) + b for depth, b in lines)
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"

    def forward(self, op, args, ctx) -> str:
        a = args
        if op == "*":
            return f"{a[0]} \\cdot {_paren(a[1], latex=True)}"
        if op == "**":
            return f"{{{_paren(a[0], latex=True)}}}^{{{format_number(ctx)}}}"
        if op == "exp":
            return f"e^{{{a[0]}}}"
        if op in ("log", "tanh", "max"):
            return f"\\{op}\\left({', '.join(a)}\\right)"
        if op == "sigmoid":
            return f"\\sigma\\left({a[0]}\\right)"
        if op in ("+", "sum"):
            return Text.forward(self, op, args, ctx)
        name = op.replace("_", r"\_")
        return f"\\operatorname{{{name}}}\\left({', '.join(a)}\\right)"


_LATEX_REL = {">=": r"\geq", "<=": r"\leq"}


def _paren(s: str, latex=False) -> str:
    if s.startswith("-") or " " in s:
        return f"\\left({s}\\right)" if latex else f"({s})"
    return s


_PLAIN = re.compile(r"^([^\W\d_]+)(\d+)('*)$")
_BRACKET = re.compile(r"^([^\W\d_]\w*?)\[([\d,]+)\]('*)$")


def latex_name(name: str) -> str:
    """``x11 -> x_{11}``, ``x[1,2] -> x_{1,2}``, ``sigma11 -> \\sigma_{11}``, ``mul3 -> \\mathrm{mul}_{3}``."""
    m = _PLAIN.match(name) or _BRACKET.match(name)
    if m:
        base, sub, primes = m.groups()
        return f"{_base(base)}_{{{sub}}}{primes}"
    return _base(name)


def _base(base: str) -> str:
    if len(base) == 1:
        greek = unicodedata.name(base, "")
        if greek.startswith("GREEK ") and "LETTER" in greek:  # σ -> \sigma, Σ -> \Sigma
            word = greek.split()[-1].lower()
            return "\\" + (word.capitalize() if "CAPITAL" in greek else word)
        return base
    greek = sympy.latex(sympy.Symbol(base))
    if greek.startswith("\\"):
        return greek
    base = base.replace("_", r"\_")
    return rf"\mathrm{{{base}}}"


def derivation_lines(result, fmt) -> list:
    """The chain-rule derivation of ``result`` (a symbolic.Pass) as (indent, text) lines."""
    out, wrt = result.output, result.wrt
    o, w = result.name(out), result.name(wrt)
    lines = []
    if not result.reached:
        lines.append((0, f"{fmt.partial(o, w)} = 0 " + fmt.words(f"({w} is not an input of {o})")))
        return lines
    if out is wrt:
        lines.append((0, f"{fmt.partial(o, w)} = 1"))
        return lines
    for visit in result.visits:
        node = visit.node
        n = result.name(node)
        args = [fmt.name(result.name(p)) if result.names.get(id(p)) or p is wrt else fmt.number(p.data)
                for p in node.parents]
        lines.append((0, f"{fmt.name(n)} = {fmt.forward(node.op, args, node._ctx)} = {fmt.number(node.data)}"))
        if node is not out and any(c.node is not out for c, _ in visit.contributions):
            lines.append((1, adjoint_line(result, visit, n, fmt)))
        lines.extend((1, line) for line in local_lines(result, visit, n, fmt))
    lines.append((0, final_line(result, fmt)))
    return lines


def adjoint_line(result, visit, n, fmt) -> str:
    """``∂f/∂n = ∂f/∂c · ∂c/∂n + ... = <adjoint> = <value>``."""
    o = result.name(result.output)
    head = fmt.partial(o, n)
    chain = _chain(result, visit.contributions, n, fmt)
    return " = ".join(_dedupe([head, chain, fmt.expr(visit.adjoint), fmt.number(visit.adjoint_value)]))


def _chain(result, contributions, n, fmt):
    o = result.name(result.output)
    if all(c.node is result.output for c, _ in contributions):
        return None
    if len(contributions) > MAX_TERMS:
        return (fmt.sigma + f"{fmt.partial(o, 'n')}{fmt.cdot}{fmt.partial('n', n)} "
                + fmt.words(f"(over the {len(contributions)} nodes n that use {n})"))
    terms = []
    for c, _ in contributions:
        cn = result.name(c.node)
        if c.node is result.output:
            terms.append(fmt.partial(cn, n))
        else:
            terms.append(f"{fmt.partial(o, cn)}{fmt.cdot}{fmt.partial(cn, n)}")
    return " + ".join(terms)


def local_lines(result, visit, n, fmt) -> list:
    """The local partials of ``n``: a branch line for max / relu, else ``∂n/∂p = local = value``."""
    node = visit.node
    if node.op == "max":
        return [max_line(result, node, n, fmt)]
    lines = []
    for e in visit.edges:
        p = result.name(e.parent)
        d = fmt.partial(n, p)
        if node.op in ("relu", "leaky_relu"):
            x = e.parent.data
            cond = fmt.cond(fmt.name(p), ">" if x > 0 else "<=", "0")
            lines.append(fmt.branch([cond], [f"{d} = {fmt.expr(e.local)}"]))
        else:
            lines.append(" = ".join(_dedupe([d, fmt.expr(e.local), fmt.number(e.value)])))
    return lines


def max_line(result, node, n, fmt) -> str:
    """``if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0``: the branch the numbers took (ties: the first)."""
    k = node._ctx
    ps = node.parents
    names = [result.name(p) for p in ps]
    win = names[k]
    conds = []
    for i, p in enumerate(ps):
        if i == k:
            continue
        rel = ">" if ps[k].data > p.data else (">=" if i > k else "?")
        conds.append(fmt.cond(fmt.name(win), rel, fmt.name(names[i])))
    parts = []
    done = set()
    for i, name in enumerate(names):
        if name in done:
            continue
        done.add(name)
        parts.append(f"{fmt.partial(n, name)} = {1 if i == k else 0}")
    tie = [names[i] for i, p in enumerate(ps) if i != k and p.data == ps[k].data]
    text = fmt.branch(conds, parts)
    if tie:
        text += " " + fmt.words(f"(a tie with {', '.join(tie)}: the first maximum wins)")
    return text


def final_line(result, fmt) -> str:
    """``∂f/∂w11 = Σ ∂f/∂n · ∂n/∂w11 = <adjoint> = <over leaves> = <value>``."""
    o, w = result.name(result.output), result.name(result.wrt)
    parts = [fmt.partial(o, w), _chain(result, result.wrt_contributions, w, fmt),
             fmt.expr(result.adjoint), fmt.expr(result.expression), fmt.number(result.value)]
    return " = ".join(_dedupe(parts))


def _dedupe(parts):
    """Drop empty parts and a part equal to the one before it (``= 1 = 1``)."""
    out = []
    for p in parts:
        if p and (not out or p != out[-1]):
            out.append(p)
    return out
