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

    - ``adjoint[node]`` (Expr) and ``value[node]`` (float): ∂output/∂node, from one engine
      pass each (over the mirror, over the numbers);
    - ``children[node]``: the nodes that use it, each once;
    - ``local(child, parent)``: ∂child/∂parent as ``(formula, number)``, read from the child's
      own rule when asked (rules are pure; a parent used twice, as in h*h, gets the sum);
    - ``order``: the nodes in the engine's visiting order (output first).
    """

    def __init__(self, output):
        self.output = output
        backward = topological_order(output, left_first=False)      # parents first; reversed: the engine's visits
        self.names = display_names(output)                          # node -> name (None: a constant)
        self.nodes = {name: n for n, name in self.names.items() if name is not None}
        self.symbol, self._mirror, self.children = {}, {}, {}
        mirror, children = self._mirror, self.children
        for node in backward:
            name = self.names[node]
            s = E.sym(name) if name is not None else E.num(node.data)
            self.symbol[node] = s
            mirror[node] = Mirror(s, tuple(mirror[p] for p in node.parents), node)
        self.order = backward[::-1]
        for node in self.order:                                      # users in the order the pass visits them
            for p in node.parents:
                kids = children.setdefault(p, [])
                if not kids or kids[-1] is not node:
                    kids.append(node)
        shadows = [mirror[n] for n in backward]
        self.adjoint = {m.node: a for m, a in adjoints(mirror[output], E.ONE, order=shadows).items()}
        self.value = adjoints(output, 1.0, order=backward)
        self._forward = {}
        self._locals = {}

    def local(self, child, parent) -> tuple:
        """``(∂child/∂parent formula, its number)``."""
        key = (child, parent)
        got = self._locals.get(key)
        if got is None:
            m = self._mirror[child]
            formula, number = E.ZERO, 0.0
            for p, f, x in zip(child.parents, child._backward(m), child._backward(child)):
                if p is parent:
                    formula, number = formula + lift(f), number + x
            got = self._locals[key] = (formula, number)
        return got

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
        out = []
        for c in self.children.get(node, ()):
            if not self.adjoint.get(c, E.ZERO).is_zero:
                local, value = self.local(c, node)
                if not local.is_zero:
                    out.append((c, local, value))
        return out

    def edges(self, node, wrt) -> list:
        """``(parent, local, local value)`` for each distinct parent of ``node`` on a path from ``wrt``."""
        on = self._on(wrt)
        out, seen = [], set()
        for p in node.parents:
            if p in on and p not in seen:
                seen.add(p)
                out.append((p,) + self.local(node, p))
        return out

    def incoming_local(self, node, parent):
        """The local partial ∂node/∂parent (a formula)."""
        return self.local(node, parent)[0]

    def short_path(self, wrt, limit) -> list | None:
        """``path(wrt)`` when at most ``limit`` nodes lie on it (found by a bounded search from
        ``wrt``, so asking about every node of a big graph stays linear), else None."""
        on, stack = {wrt}, [wrt]
        while stack:
            for child in self.children.get(stack.pop(), ()):
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
            for n in _order_below(node, self._forward):
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


def _order_below(node, known) -> list:
    """The nodes under ``node`` not in ``known``, parents first (iterative; stops at known ones)."""
    order, seen, stack = [], set(), [(node, False)]
    while stack:
        n, done = stack.pop()
        if done:
            order.append(n)
        elif n not in seen and n not in known:
            seen.add(n)
            stack.append((n, True))
            stack.extend((p, False) for p in reversed(n.parents) if p not in seen and p not in known)
    return order
