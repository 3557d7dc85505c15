"""The one reverse pass a derivation reads: the engine run twice over the same graph, on numbers
and on symbols, hearing every edge.

The symbolic run goes over a mirror of the graph: one ``Mirror`` per node with the node's op,
rule and ``_ctx`` (the branch the numbers took: relu's slope, max's winner) and, as data, the
node's symbol (``s11``, ``mul1``) or a constant's exact number. The rules are value.py's own,
unchanged; the engine multiplies and accumulates, so every node's adjoint ∂output/∂node comes
out of ONE pass, in terms of the named intermediates (``∂f/∂s11 · x11``), in time linear in the
graph. The numeric run is the engine's ordinary pass, so ``value`` is ``.grad`` by construction.
Nothing of the user's graph is written.
"""
from __future__ import annotations

from ..engine import Node, adjoints, on_paths, topological_order
from ..naming import display_names, format_number
from ..optable import lookup
from . import expr as E


class Mirror(Node):
    """A node's stand-in in the symbolic run: the slots the rules read, a formula as data."""

    __slots__ = ("data", "parents", "op", "_backward", "_ctx", "node")
    _SCALAR = True

    def __init__(self, data, parents, node):
        self.data, self.parents, self.node = data, parents, node
        self.op, self._backward = node.op, node._backward
        ctx = node._ctx
        self._ctx = E.exact(ctx) if isinstance(ctx, float) else ctx


class Backprop:
    """Every node's adjoint of ``output``, as a formula and as a number, with the edges between.

    - ``adjoint[node]`` (Expr) and ``value[node]`` (float): ∂output/∂node;
    - ``incoming[node]``: ``[(child, local Expr, local float)]``, the edges its adjoint came
      along (a parent used twice by one child, as in h*h, is one edge with the summed partial);
    - ``order``: the nodes in the engine's visiting order (output first).
    """

    def __init__(self, output):
        self.output = output
        forward = topological_order(output)                # parents first, left to right
        self.names = display_names(output, order=forward)  # node -> name (None: a constant)
        self.nodes = {name: n for n, name in self.names.items() if name is not None}
        self.symbol = {}
        mirror = {}
        for node in forward:
            name = self.names[node]
            s = E.sym(name) if name is not None else E.num(node.data)
            self.symbol[node] = s
            mirror[node] = Mirror(s, tuple(mirror[p] for p in node.parents), node)
        self.incoming = {}
        locals_ = {}

        def hear(m, mp, local, contribution):
            key = (m.node, mp.node)
            prev = locals_.get(key)
            locals_[key] = local if prev is None else prev + local

        self.adjoint = {m.node: a for m, a in adjoints(mirror[output], E.ONE, listener=hear).items()}
        values = {}

        def hear_numbers(node, parent, local, contribution):
            key = (node, parent)
            prev = values.get(key)
            values[key] = local if prev is None else prev + local

        self.value = adjoints(output, 1.0, listener=hear_numbers)
        for (node, parent), local in locals_.items():
            self.incoming.setdefault(parent, []).append((node, lift(local), float(values[(node, parent)])))
        self.order = _visiting_order(output)
        self._forward = {}

    # ------------------------------------------------------------ naming
    def name(self, node) -> str:
        """The node's display name; an unnamed constant is shown as its number."""
        n = self.names.get(node)
        return format_number(node.data) if n is None else n

    # ------------------------------------------------------------ one wrt
    def path(self, wrt) -> list:
        """The nodes on a path from ``wrt`` to the output with a non-zero adjoint, in visiting
        order (output first), ``wrt`` excluded: the nodes a derivation of ∂output/∂wrt shows."""
        on = on_paths(reversed(self.order), [wrt])
        return [n for n in self.order if n in on and n is not wrt and not self.adjoint.get(n, E.ZERO).is_zero]

    def reached(self, wrt) -> bool:
        return wrt in self.adjoint

    def contributions(self, node) -> list:
        """The edges ``(child, local, local value)`` that carried a non-zero part of node's adjoint."""
        return [(c, l, v) for c, l, v in self.incoming.get(node, ())
                if not l.is_zero and not self.adjoint.get(c, E.ZERO).is_zero]

    def edges(self, node, wrt) -> list:
        """``(parent, local, local value)`` for each distinct parent of ``node`` on a path from ``wrt``."""
        on = self._on(wrt)
        out, seen = [], set()
        for p in node.parents:
            if p in on and p not in seen:
                seen.add(p)
                for c, local, value in self.incoming.get(p, ()):
                    if c is node:
                        out.append((p, local, value))
                        break
        return out

    def incoming_local(self, node, parent):
        """The local partial ∂node/∂parent (a formula)."""
        for c, local, _ in self.incoming.get(parent, ()):
            if c is node:
                return local
        return E.ZERO

    def short_path(self, wrt, limit) -> list | None:
        """``path(wrt)`` when at most ``limit`` nodes lie on it (found by a bounded search from
        ``wrt``, so asking about every node of a big graph stays linear), else None."""
        on, stack = {wrt}, [wrt]
        while stack:
            for child, _, _ in self.incoming.get(stack.pop(), ()):
                if child not in on:
                    on.add(child)
                    if len(on) > limit + 1:
                        return None
                    stack.append(child)
        self.__dict__.setdefault("_paths", {})[wrt] = on
        index = self.__dict__.get("_index")
        if index is None:
            index = self._index = {n: i for i, n in enumerate(self.order)}
        return [n for n in sorted(on, key=index.__getitem__)
                if n is not wrt and not self.adjoint.get(n, E.ZERO).is_zero]

    def _on(self, wrt):
        cache = self.__dict__.setdefault("_paths", {})
        on = cache.get(wrt)
        if on is None:
            on = cache[wrt] = on_paths(reversed(self.order), [wrt])
        return on

    # ------------------------------------------------------------ formulas over the leaves
    def forward(self, node) -> E.Expr:
        """What ``node`` computes, written over the leaves' names (on the branches the numbers took)."""
        f = self._forward.get(node)
        if f is None:
            for n in topological_order(node):
                if n in self._forward:
                    continue
                op = lookup(n)
                if not n.parents or op is None or op.formula is None:
                    self._forward[n] = self.symbol[n]
                else:
                    ctx = n._ctx
                    self._forward[n] = op.formula([self._forward[p] for p in n.parents],
                                                  E.exact(ctx) if isinstance(ctx, float) else ctx)
            f = self._forward[node]
        return f

    def to_leaves(self, formula: E.Expr) -> E.Expr:
        """``formula`` with every interior node's name replaced by its forward over the leaves."""
        interior = {name: self.nodes[name] for name in formula.symbols()
                    if name in self.nodes and self.nodes[name].parents}
        if not interior:
            return formula
        return E.substitute(formula, {name: self.forward(n) for name, n in interior.items()})


def lift(x):
    """A local partial as a formula (the max rule returns plain 0.0 and 1.0)."""
    return x if isinstance(x, E.Expr) else E.num(x)


def _visiting_order(output) -> list:
    order = topological_order(output, left_first=False)
    order.reverse()
    return order
