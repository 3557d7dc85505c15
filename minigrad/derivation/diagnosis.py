"""Why a hand formula is wrong: the classic mistakes, each a rewritten pass over the graph.

``mg.check`` asks this module when a formula does not match. Each mistake is made on purpose,
one at a time — a max that passes its gradient to every input, a kernel flipped, a chain factor
left out — by running the derivation's reverse pass again with one rule changed (or by renaming
the leaves of the right answer); the first wrong gradient that equals the student's formula,
symbolically, names the mistake. One extra pass per candidate; graphs past ``MAX_NODES`` are
not diagnosed.
"""
from __future__ import annotations

import random

import numpy as np
import sympy

from ..engine import adjoints, on_paths
from ..grids import ConvOutput, sum_node
from ..naming import element, format_number, grid_shapes, named_elements, parse_element
from . import expr as E
from .backprop import Backprop, Mirror

MAX_NODES = 5_000      # larger graphs are not diagnosed (each candidate is one more pass)
MAX_EACH = 12          # candidates of one kind (the nodes nearest wrt first)
SHIFTS = [(di, dj) for di in range(-2, 3) for dj in range(-2, 3) if (di, dj) != (0, 0)]
CHAIN_OPS = {"tanh": "tanh", "sigmoid": "sigmoid", "exp": "exp", "log": "log"}


def diagnose(d, expected) -> str | None:
    """A sentence naming the classic mistake ``expected`` makes in ∂output/∂wrt, or None."""
    bp, wrt = d._bp, d._wrt
    if len(bp.order) > MAX_NODES or not bp.reached(wrt):
        return None
    try:
        derived = d.expression
    except ValueError:  # FormulaTooLarge
        return None
    candidates = _Diagnosis(bp, wrt, d, derived, expected).candidates()
    while True:
        try:
            formula, sentence = next(candidates)
            if formula is None or _equal(formula, derived):
                continue      # this mistake changes nothing here: it cannot be told apart
            if _equal(formula, expected):
                return sentence()
        except StopIteration:
            return None
        except (ValueError, TypeError, RecursionError):  # a wrong version too large to write out
            return None


def _equal(a, b) -> bool:
    """The same formula: equal when expanded, or (with functions in it) at a few random points."""
    diff = sympy.expand(a - b)
    if diff == 0:
        return True
    if diff.is_polynomial():
        return False
    rng = random.Random(0)
    symbols = sorted(diff.free_symbols, key=str)
    for _ in range(3):
        point = {s: sympy.Float(rng.uniform(0.3, 1.7)) for s in symbols}
        try:
            v = complex(diff.xreplace(point).evalf())
        except (TypeError, ValueError):
            return False
        if not abs(v) <= 1e-9:
            return False
    return True


class _Diagnosis:
    """The candidates for one derivation, built lazily in the order of the list in the docs."""

    def __init__(self, bp, wrt, d, derived, expected):
        self.bp, self.wrt, self.d, self.derived, self.expected = bp, wrt, d, derived, expected
        self.o, self.w = d.output, d.wrt
        upward = bp.order[::-1]                              # parents first: the nodes nearest wrt first
        on = on_paths(upward, [wrt])
        self.above = [n for n in upward if n in on and n is not wrt]
        self.grids = grid_shapes(bp.nodes)

    # ------------------------------------------------------------ one rewritten pass
    def rewired(self, rules: dict):
        """∂output/∂wrt over the leaves, with the rules of some nodes replaced."""
        bp, mirror = self.bp, {}
        backward = bp.order[::-1]
        for node in backward:
            m = Mirror(bp.symbol[node], tuple(mirror[p] for p in node.parents), node)
            if node in rules:
                m._backward = rules[node]
            mirror[node] = m
        adj = adjoints(mirror[bp.output], E.ONE, targets=[mirror[self.wrt]], order=[mirror[n] for n in backward])
        got = adj.get(mirror[self.wrt])
        return None if got is None else self.leaves(got)

    def leaves(self, formula):
        return E.to_sympy(self.bp.to_leaves(formula))

    def candidates(self):
        yield from self.max_gating()
        yield from self.kernel_flipped()
        yield from self.indices_transposed()
        yield from self.relu_ignored()
        yield from self.average_without_1_over_n()
        yield from self.chain_factor_dropped()
        yield from self.window_shifted()
        yield from self.window_misplaced()
        yield from self.shared_weight_once()

    # ------------------------------------------------------------ 1. max-pool gating
    def max_gating(self):
        bp = self.bp
        maxes = [n for n in self.above if n.op == "max"][:MAX_EACH]
        if not maxes:
            return
        for conv in _convs_below(maxes):
            yield from self.every_output(conv, maxes)
        for m in maxes:
            yield (self.rewired({m: _all_ones}),
                   lambda m=m: (f"max-pool gating ignored: {self.expected} is the derivative through every input of "
                                f"{bp.name(m)} = max({', '.join(bp.name(p) for p in m.parents)}), as if it were "
                                f"{' + '.join(bp.name(p) for p in m.parents)}; but a max passes the gradient only "
                                f"to its selected input, {self.selected(m)}, so ∂{self.o}/∂{self.w} = {self.derived}"))
        for m in maxes:
            for k, p in enumerate(m.parents):
                if k != m.selected:
                    yield (self.rewired({m: _only(k)}),
                           lambda m=m, p=p: (f"max-pool gating: {self.expected} passes the gradient of "
                                             f"{bp.name(m)} = max({', '.join(bp.name(q) for q in m.parents)}) to "
                                             f"{bp.name(p)}, but the max selected {self.selected(m)}; "
                                             f"∂{self.o}/∂{self.w} = {self.derived}"))
        if len(maxes) > 1:
            yield (self.rewired({m: _all_ones for m in maxes}),
                   lambda: (f"max-pool gating ignored: {self.expected} lets every max pass the gradient to every "
                            f"input (as if each window were summed); but each max passes it only to its selected "
                            f"input ({', '.join(self.selected(m) for m in maxes)}), so ∂{self.o}/∂{self.w} = {self.derived}"))

    def every_output(self, conv, maxes):
        """The formula as ∂(sum of every output of the convolution)/∂wrt, times the maxes'
        common adjoint: the slide's f = max(s11, s12) read as if f were s11 + s12 + s21 + s22."""
        scale = {self.bp.adjoint[m] for m in maxes}
        if len(scale) != 1:
            return
        (scale,) = scale
        if scale.symbols():
            return
        outputs = [v for v in conv.outputs().ravel() if v.parents]
        root = sum_node(tuple(outputs))
        bp = Backprop(root)
        if self.wrt not in bp.adjoint:
            return
        formula = E.to_sympy(scale) * E.to_sympy(bp.to_leaves(bp.adjoint[self.wrt]))
        names = [v.name or bp.name(v) for v in outputs]
        m = maxes[0]
        where = (f"{self.bp.name(m)} = max({', '.join(self.bp.name(p) for p in m.parents)})" if len(maxes) == 1
                 else f"each of the {len(maxes)} max nodes")
        total = " + ".join(names) if len(names) <= 8 else f"{names[0]} + {names[1]} + … + {names[-1]}"
        yield (formula,
               lambda: (f"max-pool gating ignored: {self.expected} is ∂({total})/∂{self.w}, the derivative through "
                        f"every output of the convolution; but {where} passes the gradient only to its selected "
                        f"input, {', '.join(self.selected(x) for x in maxes[:4])}, so ∂{self.o}/∂{self.w} = {self.derived}"))

    def selected(self, m) -> str:
        bp = self.bp
        win = m.parents[m.selected]
        others = [p for i, p in enumerate(m.parents) if i != m.selected]
        if not others:
            return bp.name(win)
        rel = ", ".join(f"{bp.name(p)} = {format_number(p.data)}" for p in others[:3])
        return f"{bp.name(win)} ({bp.name(win)} = {format_number(win.data)} beats {rel})"

    # ------------------------------------------------------------ 2-3. kernels and indices
    def renamed(self, base, how):
        """The renaming of grid ``base``'s elements by ``how(index, shape) -> index`` (None if
        an element would leave the grid)."""
        shape = self.grids.get(base)
        if shape is None:
            return None
        out = {}
        for name, (b, idx, form) in named_elements(self.bp.nodes):
            if b == base:
                new = how(idx, shape)
                if new is None:
                    return None
                out[sympy.Symbol(name)] = sympy.Symbol(element(base, new, form))
        return out

    def partner(self, how):
        """``(the wrt element paired with it by how, the renaming)`` for wrt in a grid."""
        parsed = parse_element(self.w)
        if parsed is None:
            return None, None
        base, idx, form = parsed
        shape = self.grids.get(base)
        new = how(idx, shape)
        if new is None:
            return None, None
        node = self.bp.nodes.get(element(base, new, form))
        return node, self.renamed(base, how)

    def paired_gradient(self, how, say):
        """The gradient of wrt's partner under ``how``, its leaves renamed back; ``say(partner)``."""
        node, rename = self.partner(how)
        if node is not None and rename is not None and node in self.bp.adjoint:
            yield self.leaves(self.bp.adjoint[node]).xreplace(rename), lambda: say(self.bp.name(node))

    def kernel_flipped(self):
        yield from self.paired_gradient(_flip, lambda partner: (
            f"kernel flipped: {self.expected} pairs {self.w} with the input under {partner}; "
            f"{self.how_it_pairs()}, so ∂{self.o}/∂{self.w} = {self.derived}"))

    def how_it_pairs(self) -> str:
        """Whether the convolution that uses wrt flips its kernel (true convolution) or not."""
        found = self.conv_of_wrt()
        if found is None:
            return "check which input each weight multiplies in the forward pass"
        flipped = self.bp.names.get(found[0].W.flat[0]) != element(*_first(self.w))
        return ("but this graph convolves (the kernel flipped, as convolve2d does)" if flipped else
                "but this graph cross-correlates, as conv2d and PyTorch do (no flip)")

    def indices_transposed(self):
        yield from self.paired_gradient(_transpose, lambda partner: (
            f"indices transposed: {self.expected} is the gradient of {partner} (row and column swapped); "
            f"∂{self.o}/∂{self.w} = {self.derived}"))
        for base in self.othergrid_shapes():
            rename = self.renamed(base, _transpose)
            if rename:
                yield (self.derived.xreplace(rename),
                       lambda base=base: (f"indices transposed: {self.expected} reads {base}_ij as {base}_ji; "
                                          f"∂{self.o}/∂{self.w} = {self.derived}"))

    def othergrid_shapes(self):
        parsed = parse_element(self.w)
        mine = parsed[0] if parsed else None
        names = {str(s) for s in self.derived.free_symbols}
        return [b for b in sorted(self.grids) if b != mine and any(parse_element(n) and parse_element(n)[0] == b
                                                                   for n in names)]

    # ------------------------------------------------------------ 4-6. one rule changed
    def chain_factor_dropped(self):
        bp = self.bp
        for n in [n for n in self.above if n.op in CHAIN_OPS][:MAX_EACH]:
            local = bp.local(n, n.parents[0])[0]
            yield (self.rewired({n: _all_ones}),
                   lambda n=n, local=local: (
                       f"a chain factor dropped: {self.expected} leaves out {n.op}'s local partial "
                       f"∂{bp.name(n)}/∂{bp.name(n.parents[0])} = {E.text(local)}; ∂{self.o}/∂{self.w} = {self.derived}"))
        chain = [n for n in self.above if n is not bp.output and not bp.adjoint[n].is_one
                 and not bp.adjoint[n].is_zero]                    # 0: a gate, said above
        chain.sort(key=lambda n: not n.name)                       # the nodes the user named first
        for s in chain[:MAX_EACH]:
            inner = Backprop(s)
            if self.wrt not in inner.adjoint:
                continue
            yield (E.to_sympy(inner.to_leaves(inner.adjoint[self.wrt])),
                   lambda s=s: (f"a chain factor dropped: {self.expected} is ∂{bp.name(s)}/∂{self.w}, as if "
                                f"∂{self.o}/∂{bp.name(s)} were 1; it is {E.text(bp.adjoint[s])} = "
                                f"{format_number(bp.value[s])}, so ∂{self.o}/∂{self.w} = {self.derived}"))

    def relu_ignored(self):
        bp = self.bp
        for n in [n for n in self.above if n.op in ("relu", "leaky_relu") and n.parents[0].data <= 0][:MAX_EACH]:
            p = bp.name(n.parents[0])
            yield (self.rewired({n: _all_ones}),
                   lambda n=n, p=p: (f"a ReLU branch ignored: {p} = {format_number(n.parents[0].data)} ≤ 0, so "
                                     f"{bp.name(n)} = {n.op}({p}) passes no gradient (∂{bp.name(n)}/∂{p} = "
                                     f"{E.text(bp.local(n, n.parents[0])[0])}); {self.expected} lets it through; "
                                     f"∂{self.o}/∂{self.w} = {self.derived}"))

    def average_without_1_over_n(self):
        pools = [(n, k) for n in self.above if n.op == "*" for k in _mean_factor(n)][:MAX_EACH]
        if not pools:
            return
        rules = {n: _drop_factor(k) for n, k in pools}
        n, k = pools[0]
        count = round(1 / n.parents[1 - k].data)
        yield (self.rewired(rules),
               lambda: (f"average pooling's 1/n forgotten: {self.bp.name(n)} averages {count} inputs, so the "
                        f"gradient it passes back is scaled by 1/{count}; {self.expected} leaves that out; "
                        f"∂{self.o}/∂{self.w} = {self.derived}"))

    # ------------------------------------------------------------ 7-8. positions
    def window_shifted(self):
        for base in self.othergrid_shapes():
            for di, dj in SHIFTS:
                rename = self.renamed(base, lambda idx, shape, di=di, dj=dj: _shift(idx, di, dj))
                if rename:
                    yield (self.derived.xreplace(rename),
                           lambda base=base, di=di, dj=dj: (
                               f"the window shifted: {self.expected} has the right taps of {base} but "
                               f"{_offset(di, dj)} (check the stride and the padding); "
                               f"∂{self.o}/∂{self.w} = {self.derived}"))

    def conv_of_wrt(self):
        """``(Correlation, (o, c, u, v))`` of the convolution whose kernel holds wrt, or None."""
        for tap in self.bp.children.get(self.wrt, ()):
            for out in self.bp.children.get(tap, ()):
                if isinstance(out._ctx, ConvOutput):
                    conv = out._ctx.conv
                    for idx in np.ndindex(conv.W.shape):
                        if conv.W[idx] is self.wrt:
                            return conv, idx
        return None

    def window_misplaced(self):
        """The windows placed with another stride or padding than the convolution's."""
        found = self.conv_of_wrt()
        if found is None:
            return
        conv, (_, _, u, v) = found
        (sh, sw), (dh, dw), (pt, _, pl, _) = conv.stride, conv.dilation, conv.pads
        where = {conv.X[idx]: idx for idx in np.ndindex(conv.X.shape)}
        names = self.bp.names
        for stride, pad in [(s_, p_) for s_ in (1, 2, 3) for p_ in (0, 1, 2) if (s_, p_) != (sh, pt)]:
            rename, ok = {}, True
            for leaf, (n, c, r, q) in where.items():
                i, ri = divmod(r - u * dh + pt, sh)
                j, rj = divmod(q - v * dw + pl, sw)
                if ri or rj or i < 0 or j < 0:
                    continue
                r2, q2 = i * stride + u * dh - pad, j * stride + v * dw - pad
                if not (0 <= r2 < conv.X.shape[2] and 0 <= q2 < conv.X.shape[3]):
                    ok = False
                    break
                old, new = names.get(leaf), names.get(conv.X[n, c, r2, q2])
                if old and new:
                    rename[sympy.Symbol(old)] = sympy.Symbol(new)
            if ok and rename:
                yield (self.derived.xreplace(rename),
                       lambda stride=stride, pad=pad: (
                           f"the window shifted: {self.expected} places the windows with stride {stride} and "
                           f"padding {pad}, but this convolution has stride {sh} and padding {pt}; "
                           f"∂{self.o}/∂{self.w} = {self.derived}"))

    def shared_weight_once(self):
        bp = self.bp
        users = [c for c in bp.children.get(self.wrt, ()) if not bp.adjoint.get(c, E.ZERO).is_zero]
        if len(users) < 2:
            return
        def where(c):
            above = [u for u in bp.children.get(c, ()) if u.op == "sum"]
            return bp.name(above[0]) if c.op == "*" and len(above) == 1 else bp.name(c)

        for c in users[:MAX_EACH]:
            part = self.leaves(bp.adjoint[c] * bp.local(c, self.wrt)[0]) if c is not bp.output else \
                self.leaves(bp.local(c, self.wrt)[0])
            yield (part,
                   lambda c=c: (f"a shared weight counted at one position only: {self.w} is used by "
                                f"{len(users)} positions ({', '.join(where(u) for u in users[:6])}"
                                f"{', …' if len(users) > 6 else ''}) and {self.expected} counts it only in "
                                f"{where(c)}; the gradient sums over every position: "
                                f"∂{self.o}/∂{self.w} = {self.derived}"))


# ------------------------------------------------------------------ rules made wrong on purpose
def _all_ones(m):
    """Every input gets the whole adjoint: a max read as a sum, a dropped factor, an open ReLU."""
    return (1.0,) * len(m.parents)


def _only(k):
    """A max that selected input ``k`` instead."""
    def rule(m):
        parts = [0.0] * len(m.parents)
        parts[k] = 1.0
        return parts
    return rule


def _drop_factor(k):
    """The local partial to parent ``k`` of a product, set to 1 (a constant factor left out)."""
    def rule(m):
        parts = list(m.node._backward(m))
        parts[k] = 1.0
        return parts
    return rule


def _mean_factor(n) -> list:
    """``[k]`` when product ``n`` scales a sum (parent k) by a constant 1/count, as average pooling does."""
    for k in (0, 1):
        s, c = n.parents[k], n.parents[1 - k]
        if s.op == "sum" and not c.parents and not c.name and c.data > 0:
            count = 1 / c.data
            if abs(count - round(count)) < 1e-9 and round(count) >= 2 and round(count) == len(s.parents):
                return [k]
    return []


def _convs_below(maxes) -> list:
    """The convolutions (``Correlation`` records) whose outputs feed these max nodes."""
    out = []
    for m in maxes:
        for p in m.parents:
            ctx = p._ctx
            if isinstance(ctx, ConvOutput) and all(ctx.conv is not c for c in out):
                out.append(ctx.conv)
    return out


# ------------------------------------------------------------------ moving along a grid's indices
def _first(name):
    """The first element of name's grid, as ``(base, index, form)``."""
    base, idx, form = parse_element(name)
    return base, (1,) * len(idx), form


def _flip(idx, shape):
    if shape is None or len(idx) < 2:
        return None
    return idx[:-2] + (shape[-2] + 1 - idx[-2], shape[-1] + 1 - idx[-1])


def _transpose(idx, shape):
    if len(idx) < 2:
        return None
    return idx[:-2] + (idx[-1], idx[-2])


def _shift(idx, di, dj):
    if len(idx) < 2 or idx[-2] + di < 1 or idx[-1] + dj < 1:
        return None
    return idx[:-2] + (idx[-2] + di, idx[-1] + dj)


def _offset(di, dj) -> str:
    parts = []
    if di:
        parts.append(f"{abs(di)} row{'s' if abs(di) > 1 else ''} {'down' if di > 0 else 'up'}")
    if dj:
        parts.append(f"{abs(dj)} column{'s' if abs(dj) > 1 else ''} {'right' if dj > 0 else 'left'}")
    return "off by " + " and ".join(parts)


__all__ = ["diagnose"]
