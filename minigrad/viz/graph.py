"""The graph as data: walk a root into one neutral list of nodes and edges (no drawing here).

``build(fn, root, focus, max_nodes)`` returns a :class:`Graph` that ``dot.py``, ``nx.py``,
``fallback.py`` and ``html.py`` all draw from, so every picture shows the same thing:

- nodes in topological order (parents first), each with a label, op, value, grad, shape;
- edges in the forward direction (parent -> child) with the local partial
  ``local_grad = d child / d parent`` (scalars), the adjoint the edge passes back to the
  parent (``grad = child.grad * local_grad``), and ``selected`` True/False on edges into a
  max node (None elsewhere);
- ``focus=w``: only the nodes on a path from ``w`` to the root;
- past ``max_nodes``: a collapsed view (``collapse.py``), said so in ``Graph.note``.

The nodes and edges are ``model.py``'s; labels are the names ``mg.derive`` prints (``labels.py``). Every walk is iterative, so a
10^6-node chain is fine.
"""
from __future__ import annotations

import functools
import gc

import numpy as np

from .._checks import fail, is_int
from ..engine import topological_order
from ..tensor import Tensor
from ..value import Value
from .collapse import collapse, mark_clusters
from .labels import auto_labels, fmt, forward_text  # noqa: F401 (fmt: re-exported for the drawings)
from .model import Graph, VEdge, VNode, probe

DEFAULT_MAX_NODES = 200
"""Past this many nodes a diagram is collapsed (a torchviz drawing of 3,000 nodes helps nobody)."""

MAX_OPS = frozenset({"max", "max_pool2d"})
"""Ops whose inputs are winners or losers: edges into them carry ``selected``."""


# ------------------------------------------------------------------------- public edge
def roots_of(fn: str, root) -> list:
    """The graph nodes ``root`` stands for: a Value, a Tensor, or a grid (object array) of Values."""
    if isinstance(root, (Value, Tensor)):
        return [root]
    if isinstance(root, np.ndarray) and root.dtype != object:
        fail(fn, f"root is a {root.dtype} ndarray of shape {root.shape}, which has no graph; "
             f"give a Value, a Tensor or a grid (object ndarray) of Values", TypeError)
    if isinstance(root, (np.ndarray, list, tuple)):
        items = flatten(root)
        if not items:
            fail(fn, "root is an empty grid; give a Value, a Tensor or a grid of Values")
        for k, v in enumerate(items):
            if not isinstance(v, (Value, Tensor)):
                fail(fn, f"root grid element {k} is {type(v).__name__} {v!r}, not a Value "
                     f"(grid shape {np.shape(root)})", TypeError)
        return list(dict.fromkeys(items))  # identity-keyed: a Value defines no __eq__
    fail(fn, f"root must be a Value, a Tensor or a grid (object ndarray) of Values, "
         f"got {type(root).__name__}", TypeError)


def flatten(items) -> list:
    """The elements of a grid or of nested lists/tuples, in order (never recursion)."""
    if isinstance(items, np.ndarray):
        return list(items.ravel())
    out, stack = [], [iter(items)]
    while stack:
        for x in stack[-1]:
            if isinstance(x, (list, tuple)):
                stack.append(iter(x))
                break
            out.extend(x.ravel() if isinstance(x, np.ndarray) and x.dtype == object else [x])
        else:
            stack.pop()
    return out


def check_max_nodes(fn: str, max_nodes):
    """``max_nodes`` is None (never collapse) or an int >= 1."""
    if max_nodes is not None and (not is_int(max_nodes) or max_nodes < 1):
        fail(fn, f"max_nodes must be None or an int >= 1, got {max_nodes!r}",
             TypeError if not is_int(max_nodes) else ValueError)
    return max_nodes


def quiet_gc(draw):
    """Run a drawing function with the cyclic garbage collector paused: a diagram makes ~10
    objects per node and no cycles, and at 10^6 nodes the collector's passes would cost more
    than the drawing itself."""
    @functools.wraps(draw)
    def drawing(*args, **kwargs):
        paused = gc.isenabled()
        gc.disable()
        try:
            return draw(*args, **kwargs)
        finally:
            if paused:
                gc.enable()
    return drawing


def build(fn: str, root, focus=None, max_nodes=DEFAULT_MAX_NODES, names=None) -> Graph:
    """The neutral graph of ``root`` (focused on ``focus``, collapsed past ``max_nodes``);
    ``names`` ({id(node): label}) overrides the labels of some nodes (torchviz's ``params``)."""
    check_max_nodes(fn, max_nodes)
    roots = roots_of(fn, root)
    order = topological_order(*roots)
    labels = {id(n): lab for n, lab in zip(order, auto_labels(order, roots))}  # one walk, shared
    if names:
        labels.update((key, lab) for key, lab in names.items() if key in labels)
    if focus is not None:
        keep = _focus(fn, focus, order, {id(n): i for i, n in enumerate(order)})
        order = [n for n in order if id(n) in keep]
    graph = _full(order, labels, {id(r) for r in roots})
    graph.total = len(graph.nodes)
    if max_nodes is not None and len(graph.nodes) > max_nodes:
        graph = collapse(graph, max_nodes)  # probes only when the taps are folded
    else:
        probe(graph)
    graph.labels = labels
    _fill_expr(graph, labels)
    mark_clusters(graph)
    return graph


def _focus(fn, focus, order, index) -> set:
    """ids of the nodes on a path from ``focus`` (a node or a grid of nodes) to the root."""
    if isinstance(focus, (Value, Tensor)):
        targets = [focus]
    elif isinstance(focus, (np.ndarray, list, tuple)):
        targets = flatten(focus)
    else:
        fail(fn, f"focus must be a Value, a Tensor or a grid of Values, got {type(focus).__name__}", TypeError)
    if not targets:
        fail(fn, "focus is empty; give the node whose gradient you want to follow")
    for t in targets:
        if not isinstance(t, (Value, Tensor)):
            fail(fn, f"focus must hold Values or Tensors, got {type(t).__name__} {t!r}", TypeError)
        if id(t) not in index:
            fail(fn, f"focus {_describe(t)} is not in the graph of root ({len(order)} nodes); "
                 f"the root does not depend on it")
    children = [[] for _ in order]
    for i, n in enumerate(order):
        for p in n.parents:
            children[index[id(p)]].append(i)
    seen = set()
    stack = [index[id(t)] for t in targets]
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        stack.extend(children[i])
    return {id(order[i]) for i in seen}


def _describe(node) -> str:
    if isinstance(node, Tensor):
        return f"Tensor(name={node.name!r}, shape={node.shape})"
    return repr(node)


# ------------------------------------------------------------------------- the full graph
def _full(order, labels, root_ids) -> Graph:
    index = {id(n): i for i, n in enumerate(order)}
    nodes, edges, level = [], [], [0] * len(order)
    add_node, add_edge = nodes.append, edges.append
    for i, n in enumerate(order):
        tensor = isinstance(n, Tensor)
        ps = n.parents
        if ps:
            deepest = -1
            for p in ps:
                j = index.get(id(p))
                if j is not None:
                    if level[j] > deepest:
                        deepest = level[j]
                    if n.op not in MAX_OPS:
                        add_edge(VEdge(j, i))
            level[i] = deepest + 1
            if n.op in MAX_OPS:
                edges.extend(_max_edges(i, n, index))
            kind = "op"
        elif tensor:
            kind = "leaf" if n.requires_grad else "const"
        else:
            kind = "leaf" if n.name else "const"
        add_node(VNode(
            id=i, label=labels[id(n)], op=n.op, name=n.name, value=n.data, grad=n.grad, kind=kind,
            level=level[i], shape=tuple(n.shape) if tensor else None, is_root=id(n) in root_ids, node=n))
    return Graph(nodes, _dedupe(edges))


def _fill_expr(graph: Graph, labels: dict):
    """Each drawn op node's ``expr`` (parents focused away keep their labels)."""
    for n in graph.nodes:
        if not n.grouped and n.node is not None and 0 < len(n.node.parents) <= 8:
            n.expr = forward_text(n.node, [labels[id(p)] for p in n.node.parents])


def _dedupe(edges) -> list:
    """One edge per (parent, child): ``x*x`` is one edge whose local grad is 2x."""
    seen, out = set(), []
    for e in edges:
        k = (e.src, e.dst)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out


def _max_edges(i, n, index) -> list:
    """Edges into a max node: the selected input True, the losers False (a tensor max-pool's
    single input carries the winners' gradient: True)."""
    win = n.parents[n.selected] if isinstance(n, Value) else None
    chosen = {}
    for p in n.parents:
        j = index.get(id(p))
        if j is not None:
            chosen[j] = chosen.get(j, False) or win is None or p is win
    return [VEdge(j, i, selected=flag) for j, flag in chosen.items()]
