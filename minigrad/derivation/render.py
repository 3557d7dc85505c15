"""Derivations as text or LaTeX: one chain-rule step per line, the way the slides write them."""
from __future__ import annotations

import re
import unicodedata

import sympy

from ..naming import format_number, forward_text
from ..optable import lookup
from . import expr as E

MAX_TERMS = 6  # a sum of more chain-rule terms than this is summarised, not spelled out
MAX_NODES = 120  # a derivation through more nodes shows the first and last half of this many


class Text:
    """Plain text: ``∂f/∂w11 = x11 + x12``."""

    cdot, sigma = " · ", "Σ "

    def name(self, name: str) -> str:
        return name

    def partial(self, top: str, bottom: str) -> str:
        return f"∂{top}/∂{bottom}"

    def expr(self, e) -> str:
        return E.text(e)

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

    def forward(self, node, args) -> str:
        """What ``node`` computes over its parents' names: its op's printed form."""
        return forward_text(node, args)


class Latex(Text):
    """LaTeX: ``\\frac{\\partial f}{\\partial w_{11}} = x_{11} + x_{12}``."""

    cdot, sigma = r" \cdot ", r"\sum_{n} "

    def name(self, name: str) -> str:
        return latex_name(name)

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {latex_name(top)}}}{{\partial {latex_name(bottom)}}}"

    def expr(self, e) -> str:
        return E.text(e, latex=True, names=latex_name)

    def words(self, s: str) -> str:
        return rf"\text{{{latex_text(s, text_mode=True)}}}"

    def cond(self, a: str, rel: str, b: str) -> str:
        return f"{a} {_LATEX_REL.get(rel, rel)} {b}"

    def branch(self, conds: list, parts: list) -> str:
        return rf"\text{{if }} ({', '.join(conds)}):\ " + r",\ ".join(parts)

    def lines(self, lines: list) -> str:
        body = " \\\\\n".join("& " + ("\\quad " * depth) + b for depth, b in lines)
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"

    def forward(self, node, args) -> str:
        op = lookup(node)
        form = None if op is None else op.latex
        if form:
            return form(args, node._ctx)
        name = latex_text(node.op)
        return f"\\operatorname{{{name}}}\\left({', '.join(args)}\\right)"


_LATEX_REL = {">=": r"\geq", "<=": r"\leq"}
_SPECIAL = re.compile(r"[\\{}$%#&_^~]")
_MATH_ESCAPES = {"\\": r"\backslash{}", "^": r"\hat{}", "~": r"\sim{}"}
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}


def latex_text(s: str, text_mode: bool = False) -> str:
    r"""``s`` with LaTeX's special characters escaped, so a name is printed, never run
    (``x}\input{f}`` stays those characters); ``text_mode`` for text inside ``\text{}``."""
    table = _TEXT_ESCAPES if text_mode else _MATH_ESCAPES
    return _SPECIAL.sub(lambda m: table.get(m.group(), "\\" + m.group()), str(s))


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
        return latex_text(base)
    if base.isascii() and base.replace("_", "").isalnum():  # sigma -> \sigma, alpha_1; other text is escaped
        greek = sympy.latex(sympy.Symbol(base))
        if greek.startswith("\\"):
            return greek
    return rf"\mathrm{{{latex_text(base)}}}"


def derivation_lines(bp, wrt, fmt, path=None) -> list:
    """The chain-rule derivation of ∂output/∂wrt from the pass ``bp`` as (indent, text) lines
    (``path``: ``bp.path(wrt)`` when the caller has it)."""
    out = bp.output
    o, w = bp.name(out), wrt_name(bp, wrt)
    if not bp.reached(wrt):
        return [(0, f"{fmt.partial(o, w)} = 0 " + fmt.words(f"({w} is not an input of {o})"))]
    if out is wrt:
        return [(0, f"{fmt.partial(o, w)} = 1")]
    lines = []
    path = bp.path(wrt) if path is None else path
    shown = path if len(path) <= MAX_NODES else path[:MAX_NODES // 2] + [None] + path[-(MAX_NODES // 2):]
    for node in shown:
        if node is None:
            lines.append((0, fmt.words(f"… {len(path) - 2 * (MAX_NODES // 2):,} more nodes, each with its "
                                       "chain-rule step like those around it …")))
            continue
        lines.extend(node_lines(bp, node, wrt, fmt))
    lines.append((0, final_line(bp, wrt, fmt)))
    return lines


def wrt_name(bp, wrt) -> str:
    n = bp.names.get(wrt)
    return (wrt.name or "wrt") if n is None else n


def arg_names(bp, node, wrt, fmt) -> list:
    """The parents of ``node`` as the forward line writes them: names, constants as numbers."""
    return [fmt.name(bp.names[p]) if bp.names.get(p) else (fmt.name(wrt_name(bp, wrt)) if p is wrt else
            fmt.number(p.data)) for p in node.parents]


def node_lines(bp, node, wrt, fmt) -> list:
    """One node's lines: what it computes, its adjoint by the chain rule, its local partials."""
    n = bp.name(node)
    lines = [(0, f"{fmt.name(n)} = {fmt.forward(node, arg_names(bp, node, wrt, fmt))} = {fmt.number(node.data)}")]
    contributions = bp.contributions(node)
    if node is not bp.output and any(c is not bp.output for c, _, _ in contributions):
        lines.append((1, adjoint_line(bp, node, n, contributions, fmt)))
    lines.extend((1, line) for line in local_lines(bp, node, n, bp.edges(node, wrt), fmt))
    return lines


def branch_line(bp, node, fmt) -> str:
    """The decision a max or relu node took, as its local-partial line writes it."""
    n = bp.name(node)
    if node.op == "max":
        return max_line(bp, node, n, fmt)
    parent = node.parents[0]
    local = bp.incoming_local(node, parent)
    cond = fmt.cond(fmt.name(bp.name(parent)), ">" if parent.data > 0 else "<=", "0")
    return fmt.branch([cond], [f"{fmt.partial(n, bp.name(parent))} = {fmt.expr(local)}"])


def adjoint_line(bp, node, n, contributions, fmt) -> str:
    """``∂f/∂n = ∂f/∂c · ∂c/∂n + ... = <adjoint> = <value>``."""
    head = fmt.partial(bp.name(bp.output), n)
    chain = _chain(bp, contributions, n, fmt)
    return " = ".join(_dedupe([head, chain, fmt.expr(bp.adjoint[node]), fmt.number(bp.value[node])]))


def _chain(bp, contributions, n, fmt):
    out = bp.output
    o = bp.name(out)
    if all(c is out for c, _, _ in contributions):
        return None
    if len(contributions) > MAX_TERMS:
        return (fmt.sigma + f"{fmt.partial(o, 'n')}{fmt.cdot}{fmt.partial('n', n)} "
                + fmt.words(f"(over the {len(contributions)} nodes n that use {n})"))
    terms = []
    for c, _, _ in contributions:
        cn = bp.name(c)
        terms.append(fmt.partial(cn, n) if c is out else f"{fmt.partial(o, cn)}{fmt.cdot}{fmt.partial(cn, n)}")
    return " + ".join(terms)


def local_lines(bp, node, n, edges, fmt) -> list:
    """The local partials of ``n``: a branch line for max / relu, else ``∂n/∂p = local = value``."""
    if node.op == "max":
        return [max_line(bp, node, n, fmt)]
    lines = []
    for parent, local, value in edges:
        p = bp.name(parent)
        d = fmt.partial(n, p)
        if node.op in ("relu", "leaky_relu"):
            cond = fmt.cond(fmt.name(p), ">" if parent.data > 0 else "<=", "0")
            lines.append(fmt.branch([cond], [f"{d} = {fmt.expr(local)}"]))
        else:
            lines.append(" = ".join(_dedupe([d, fmt.expr(local), fmt.number(value)])))
    return lines


def max_line(bp, node, n, fmt) -> str:
    """``if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0``: the branch the numbers took (ties: the first)."""
    k = node.selected
    ps = node.parents
    names = [bp.name(p) for p in ps]
    win = names[k]
    conds = [fmt.cond(fmt.name(win), rel, fmt.name(names[i])) for k_, rel, i in lookup(node).decision(node)]
    parts, done = [], set()
    for i, name in enumerate(names):
        if name not in done:
            done.add(name)
            parts.append(f"{fmt.partial(n, name)} = {1 if i == k else 0}")
    tie = [names[i] for i, p in enumerate(ps) if i != k and p.data == ps[k].data]
    text = fmt.branch(conds, parts)
    if tie:
        text += " " + fmt.words(f"(a tie with {', '.join(tie)}: the first maximum wins)")
    return text


def final_line(bp, wrt, fmt) -> str:
    """``∂f/∂w11 = Σ ∂f/∂n · ∂n/∂w11 = <adjoint> = <over leaves> = <value>``."""
    o, w = bp.name(bp.output), wrt_name(bp, wrt)
    adjoint = bp.adjoint[wrt]
    # over the leaves only when the adjoint is small enough to print: expanding can only grow it
    leaves = bp.to_leaves(adjoint) if adjoint.size() <= E.MAX_PRINT else None
    parts = [fmt.partial(o, w), _chain(bp, bp.contributions(wrt), w, fmt),
             fmt.expr(adjoint), None if leaves is None else fmt.expr(leaves), fmt.number(bp.value[wrt])]
    return " = ".join(_dedupe(parts))


def _dedupe(parts):
    """Drop empty parts and a part equal to the one before it (``= 1 = 1``)."""
    out = []
    for p in parts:
        if p and (not out or p != out[-1]):
            out.append(p)
    return out
