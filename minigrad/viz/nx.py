"""The graph as a ``networkx.DiGraph``: the same nodes and edges the diagrams draw, as data."""
from __future__ import annotations

import networkx as nx

from .graph import build, quiet_gc
from .model import Graph


@quiet_gc
def to_networkx(root, focus=None, max_nodes=None) -> nx.DiGraph:
    """``root``'s graph as a DiGraph with forward edges (input -> output).

    Node attributes: ``label, op, name, value, grad`` (+ ``shape`` for tensors, ``count``
    for the groups of a collapsed view). Edge attributes: ``local_grad`` (d child / d parent;
    None for tensors), ``grad`` (the adjoint the edge passes back) and ``selected``
    (True/False on edges into a max node, absent elsewhere). Nodes are ints in topological
    order. ``max_nodes`` collapses like ``to_dot`` (default: never).
    """
    return from_graph(build("viz.to_networkx", root, focus, max_nodes))


def from_graph(g: Graph) -> nx.DiGraph:
    """A neutral graph as a networkx DiGraph; ``G.graph['note']`` says if it was collapsed."""
    G = nx.DiGraph(note=g.note, collapsed=g.collapsed, total=g.total)
    G.add_nodes_from((n.id, _node_attrs(n)) for n in g.nodes)
    if not g.collapsed:  # every (src, dst) pair is one edge: no merging needed
        G.add_edges_from((e.src, e.dst, _edge_attrs(e)) for e in g.edges)
        return G
    for e in g.edges:
        attrs = _edge_attrs(e)
        if G.has_edge(e.src, e.dst):  # a collapsed max group: winners and losers share the pair
            old = G.edges[e.src, e.dst]
            old["count"] = old.get("count", 1) + e.count
            old["selected"] = bool(old.get("selected")) or bool(e.selected)
            continue
        G.add_edge(e.src, e.dst, **attrs)
    return G


def _node_attrs(n) -> dict:
    attrs = {"label": n.label, "op": n.op, "name": n.name, "value": n.value, "grad": n.grad,
             "kind": n.kind, "level": n.level, "root": n.is_root}
    if n.shape is not None:
        attrs["shape"] = n.shape
    if n.grouped:
        attrs["count"] = n.count
    if n.cluster is not None:
        attrs["cluster"] = n.cluster
    return attrs


def _edge_attrs(e) -> dict:
    attrs = {"local_grad": e.local_grad, "grad": e.grad}
    if e.selected is not None:
        attrs["selected"] = e.selected
    if e.count > 1:
        attrs["count"] = e.count
    return attrs
