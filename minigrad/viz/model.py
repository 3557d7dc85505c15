"""What a drawing is made of: drawn nodes, forward edges and the graph that holds them, plus
``probe``, which asks each node's own backward rule what it sends along each edge. ``graph.py``
builds these from a root, ``collapse.py`` folds them, and every drawing reads them."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import step
from ..tensor import Tensor


@dataclass
class VNode:
    """One drawn node: an original graph node, or a group of them in a collapsed view."""

    id: int
    label: str                 # what the drawing calls it: the name, or a readable auto label
    op: str                    # "" for a leaf
    name: str | None           # the node's own ``.name`` (None when unnamed or a group)
    value: object              # float (Value), ndarray (Tensor), or (min, max) for a group
    grad: object               # likewise; None for a tensor no backward pass has reached
    kind: str                  # "leaf" (input/weight), "const" or "op"
    level: int = 0             # topological generation: 0 for leaves, 1 + the deepest parent
    shape: tuple | None = None  # tensors only
    expr: str = ""             # what an op node computes: ``x11*w11``, ``max(s11, s12)``
    is_root: bool = False
    count: int = 1             # how many original nodes it stands for
    taps: int = 0              # a folded conv output: how many multiply-add taps it absorbed
    cluster: int | None = None  # id of the sum node whose multiply-adds this node belongs to
    node: object = None        # the original Value/Tensor (None for groups)
    members: list = field(default_factory=list)  # original nodes of a group (collapsed views)
    grouped: bool = False      # a group of several nodes (value and grad are (min, max) ranges)

    @property
    def is_tensor(self) -> bool:
        return self.shape is not None


@dataclass
class VEdge:
    """One forward edge ``src -> dst`` (ids), with what backward sends along it."""

    src: int
    dst: int
    local_grad: object = None   # d dst / d src (a float for scalars; None for tensors)
    grad: object = None         # the adjoint this edge adds into src's grad
    selected: bool | None = None  # into a max node: True for the winner, False for the losers
    count: int = 1              # how many original edges it stands for


@dataclass
class Graph:
    """Nodes (topological order), forward edges, and a note saying what was left out."""

    nodes: list
    edges: list
    note: str = ""
    collapsed: str = ""        # "" (every node), "taps", "levels" or "ops"
    total: int = 0             # nodes in the full (uncollapsed, focused) graph
    labels: dict = field(default_factory=dict)  # id(original node) -> label, focused-away ones too

    def node(self, i: int) -> VNode:
        return self._by_id[i]

    def __post_init__(self):
        self._by_id = {n.id: n for n in self.nodes}


def probe(graph: Graph):
    """Fill in every edge's ``local_grad`` and passed ``grad`` from each node's own backward
    rule (rules are pure: they return what they send and change nothing); skipped for grouped
    views, where one edge stands for many."""
    into = {}
    for e in graph.edges:
        into.setdefault(e.dst, []).append(e)
    for dst, es in into.items():
        n = graph.node(dst).node
        local, passed = _tensor_probe(n) if isinstance(n, Tensor) else _value_probe(n)
        for e in es:
            src = graph.node(e.src).node
            e.local_grad, e.grad = local.get(id(src)), passed.get(id(src))


def _value_probe(n):
    """d n / d parent from the rule (a parent used twice, as in x*x, gets the sum: 2x)."""
    local = {}
    for p, d in zip(n.parents, n._backward(n)):
        local[id(p)] = local.get(id(p), 0.0) + d
    return local, {k: v * n.grad for k, v in local.items()}


def _tensor_probe(n):
    """The arrays a tensor op's backward sends to each parent (its Jacobian is not drawn)."""
    if n.grad is None or n._backward is None:
        return {}, {}
    try:
        sent = step(n, n.grad)
    except RuntimeError:  # an input changed since the forward: nothing trustworthy to draw
        return {}, {}
    passed = {}
    for p, c in sent:
        passed[id(p)] = c if id(p) not in passed else passed[id(p)] + c
    return {}, passed
