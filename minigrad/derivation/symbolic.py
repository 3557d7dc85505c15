"""The symbolic backward pass: value.py's own backward rules run on shadow nodes holding sympy.

For ``∂out/∂wrt`` every node on a path from ``wrt`` to ``out`` gets a shadow with the same
``parents``, ``op`` and ``_ctx`` (the branch the numbers took: relu's slope, max's winner) and
``data`` = a sympy Symbol named after the node. Calling the node's own ``_backward`` on a
shadow with ``grad = 1`` leaves the local partials ``∂node/∂parent`` in the parents' shadow
grads; the adjoints follow by the chain rule in the engine's topological order, one visit per
node (cost linear in the graph, no path enumeration). A second set of shadows holding the
floats repeats the engine's numeric pass, so ``value`` equals ``wrt.grad`` after ``backward``.
The user's graph is only read, never written.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from ..engine import topological_order

# Stable automatic names for unnamed interior nodes: a prefix per op plus a counter.
PREFIX = {"+": "add", "*": "mul", "**": "pow", "sum": "sum", "max": "max", "exp": "exp", "log": "log",
          "tanh": "tanh", "sigmoid": "sig", "relu": "relu", "leaky_relu": "lrelu"}


def exact(x):
    """A float as sympy: Integer when integral, a small Rational when that is the same float
    (0.5, 1/9, 0.01), else a Float. So integer data reads ``x11 + x12``, not ``1.0*x11``."""
    if isinstance(x, sympy.Basic):
        return x
    x = float(x)
    if math.isnan(x):
        return sympy.nan
    if math.isinf(x):
        return sympy.oo if x > 0 else -sympy.oo
    if x.is_integer():
        return sympy.Integer(int(x))
    f = Fraction(x).limit_denominator(1000)
    if f.numerator / f.denominator == x:
        return sympy.Rational(f.numerator, f.denominator)
    return sympy.Float(x)


def exactify(expr):
    """``expr`` with every Float that is an integer or a small fraction made exact (see ``exact``)."""
    if not isinstance(expr, sympy.Basic):
        return exact(expr)
    rule = {}
    for f in expr.atoms(sympy.Float):
        e = exact(float(f))
        if not isinstance(e, sympy.Float):
            rule[f] = e
    return _replace(expr, rule) if rule else expr


def _replace(expr, rule):
    """``expr.xreplace(rule)`` without re-evaluating functions (tanh, exp, log) around a changed
    argument: sympy's evaluation of nested tanh(tanh(...)) grows exponentially with depth.
    Iterative, post-order, each shared subexpression rebuilt once."""
    done = {}
    stack = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if e in done:
            continue
        if e in rule or not e.args:
            done[e] = rule.get(e, e)
        elif not ready:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if a not in done)
        else:
            args = [done[a] for a in e.args]
            if all(a is b for a, b in zip(args, e.args)):
                done[e] = e
            elif isinstance(e, sympy.Function):
                done[e] = e.func(*args, evaluate=False)
            else:
                done[e] = e.func(*args)
    return done[expr]


def display_names(root) -> dict:
    """``id(node) -> name`` for every node under ``root``; ``None`` for unnamed constant leaves.

    Named nodes keep their names (a second distinct node with the same name gets a prime:
    ``x'``). Unnamed interior nodes are named by op and position: ``mul1, mul2, ..., sum1,
    max1`` in topological order, skipping names the user already took. Deterministic: the same
    graph always gets the same names.
    """
    order = topological_order(root)
    taken = {n.name for n in order if n.name}
    names, used, counters = {}, set(), {}
    for node in order:
        name = node.name
        if name:
            while name in used:
                name += "'"
        elif node.parents:
            prefix = PREFIX.get(node.op) or "".join(c for c in str(node.op) if c.isalnum()) or "node"
            while True:
                counters[prefix] = counters.get(prefix, 0) + 1
                name = f"{prefix}{counters[prefix]}"
                if name not in taken and name not in used:
                    break
        names[id(node)] = name
        if name:
            used.add(name)
    return names


class Shadow:
    """A stand-in node for the backward rules: the slots they read, numbers of our choosing."""

    __slots__ = ("data", "grad", "parents", "op", "name", "_ctx", "_backward")

    def __init__(self, data, grad, op, name, ctx):
        self.data, self.grad, self.op, self.name, self._ctx = data, grad, op, name, ctx
        self.parents = ()
        self._backward = None


class Edge:
    """One edge ``node -> parent`` on a path from ``wrt`` to the output, with its local partial."""

    __slots__ = ("node", "parent", "position", "local", "value")

    def __init__(self, node, parent, position, local, value):
        self.node, self.parent, self.position, self.local, self.value = node, parent, position, local, value


class Visit:
    """One node of the backward pass: its adjoint ∂out/∂node and the edges it sends it along."""

    __slots__ = ("node", "adjoint", "adjoint_value", "edges", "contributions")

    def __init__(self, node, adjoint, adjoint_value):
        self.node, self.adjoint, self.adjoint_value = node, adjoint, adjoint_value
        self.edges = []          # Edge, one per parent on a path to wrt (in parent order)
        self.contributions = []  # (child Visit, Edge) pairs that made this adjoint


class Pass:
    """The result of ``symbolic_backward``: names, visits in backward order, symbols."""

    def __init__(self, output, wrt, names):
        self.output, self.wrt, self.names = output, wrt, names
        self.symbols = {}   # id(node) -> sympy symbol or number
        self.nodes = {}     # symbol name -> node (named or automatically named)
        self.visits = []    # Visit per node whose adjoint is not 0, output first
        self.zero = []      # nodes on a path to wrt whose adjoint is 0 (a max that lost, relu off)
        self.reached = False
        self.wrt_contributions = []  # (Visit, Edge) pairs whose products sum to the adjoint of wrt
        self.adjoint = sympy.Integer(0)
        self.value = 0.0

    def symbol(self, node):
        """The node's sympy stand-in: a Symbol named after it, or the exact number of a constant."""
        s = self.symbols.get(id(node))
        if s is None:
            name = self.names.get(id(node))
            if name is None and node is self.wrt:
                name = node.name or "wrt"
            if name is None:
                s = exact(node.data)
            else:
                s = sympy.Symbol(name)
                self.nodes[name] = node
            self.symbols[id(node)] = s
        return s

    def name(self, node) -> str:
        n = self.names.get(id(node))
        if n is None:
            return (node.name or "wrt") if node is self.wrt else format_number(node.data)
        return n


def symbolic_backward(output, wrt) -> Pass:
    """∂output/∂wrt symbolically and numerically, by the engine's own rules (see the module doc)."""
    names = display_names(output)
    result = Pass(output, wrt, names)
    order = topological_order(output, left_first=False)  # reversed, the steps read s11, s12, ...
    on_path = {id(wrt)}
    path = []
    for node in order:
        if node is wrt:
            result.reached = True
        elif any(id(p) in on_path for p in node.parents):
            on_path.add(id(node))
            path.append(node)
    if not result.reached:
        return result
    if output is wrt:
        result.adjoint, result.value = sympy.Integer(1), 1.0
        return result

    sym, num = {}, {}

    def numeric(node):
        n = num.get(id(node))
        if n is None:
            n = num[id(node)] = Shadow(node.data, 0.0, node.op, node.name, node._ctx)
        return n

    def symbolic(node):
        s = sym.get(id(node))
        if s is None:
            ctx = node._ctx
            ctx = exact(ctx) if isinstance(ctx, float) else ctx
            s = sym[id(node)] = Shadow(result.symbol(node), sympy.Integer(0), node.op, node.name, ctx)
        return s

    terms = {id(output): [(None, None, sympy.Integer(1))]}
    for node in reversed(path):
        rule = node._backward
        n_out = numeric(node)
        n_parents = n_out.parents = tuple(numeric(p) for p in node.parents)
        # numeric local partials: the rule with seed 1.0 into zeroed parent grads
        saved = [n.grad for n in n_parents]
        for n in n_parents:
            n.grad = 0.0
        adjoint_value = 1.0 if node is output else n_out.grad
        n_out.grad = 1.0
        rule(n_out)
        local_values = [n.grad for n in n_parents]
        for n, g in zip(n_parents, saved):
            n.grad = g
        # the engine's own numeric step (same order, same arithmetic)
        n_out.grad = adjoint_value
        rule(n_out)

        contributions = terms.pop(id(node), [])
        adjoint = sympy.Add(*[t for _, _, t in contributions])
        if adjoint == 0:
            result.zero.append(node)
            continue
        visit = Visit(node, adjoint, adjoint_value)
        visit.contributions = [(c, e) for c, e, _ in contributions if c is not None]
        result.visits.append(visit)
        # symbolic local partials: the same rule on the symbolic shadows
        s_out = symbolic(node)
        s_parents = s_out.parents = tuple(symbolic(p) for p in node.parents)
        for s in s_parents:
            s.grad = sympy.Integer(0)
        s_out.grad = sympy.Integer(1)
        rule(s_out)
        seen = set()
        for k, (p, s) in enumerate(zip(node.parents, s_parents)):
            if id(p) not in on_path or id(p) in seen:
                continue
            seen.add(id(p))
            local = exactify(s.grad)
            edge = Edge(node, p, k, local, local_values[k])
            visit.edges.append(edge)
            if local != 0:
                terms.setdefault(id(p), []).append((visit, edge, adjoint * local))
    contributions = terms.pop(id(wrt), [])
    result.adjoint = sympy.Add(*[t for _, _, t in contributions])
    result.wrt_contributions = [(c, e) for c, e, _ in contributions]
    result.value = num[id(wrt)].grad if id(wrt) in num else 0.0
    return result


# ------------------------------------------------------ symbolic forward, to reach leaf names
def _relu(a, ctx):
    return a * ctx


FORWARD = {
    "+": lambda ps, ctx: ps[0] + ps[1],
    "*": lambda ps, ctx: ps[0] * ps[1],
    "**": lambda ps, ctx: ps[0] ** ctx,
    "exp": lambda ps, ctx: sympy.exp(ps[0], evaluate=False),
    "log": lambda ps, ctx: sympy.log(ps[0], evaluate=False),
    "tanh": lambda ps, ctx: sympy.tanh(ps[0], evaluate=False),
    "sigmoid": lambda ps, ctx: 1 / (1 + sympy.exp(-ps[0], evaluate=False)),
    "relu": lambda ps, ctx: _relu(ps[0], ctx),          # the branch taken: a or 0
    "leaky_relu": lambda ps, ctx: _relu(ps[0], ctx),    # the branch taken: a or slope*a
    "sum": lambda ps, ctx: sympy.Add(*ps),
    "max": lambda ps, ctx: ps[ctx],                     # the input the numbers selected
}
"""The forward of each Value op on sympy inputs, on the branch the numbers took (``_ctx``)."""


def to_leaves(expr, result: Pass):
    """``expr`` with every interior node's symbol replaced by its forward over leaf names."""
    interior = [s for s in expr.free_symbols if s.name in result.nodes and result.nodes[s.name].parents]
    if not interior:
        return expr
    forward = {}
    for node in topological_order(*[result.nodes[s.name] for s in interior]):  # one walk for all
        rule = FORWARD.get(node.op)
        if not node.parents or rule is None:  # a leaf, or an op with no symbolic forward: its symbol
            forward[id(node)] = result.symbol(node)
            continue
        ctx = node._ctx
        ctx = exact(ctx) if isinstance(ctx, float) else ctx
        forward[id(node)] = rule([forward[id(p)] for p in node.parents], ctx)
    return exactify(expr.xreplace({s: forward[id(result.nodes[s.name])] for s in interior}))


def format_number(x) -> str:
    """A float for display: ``4`` for 4.0, else 6 significant digits."""
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"
