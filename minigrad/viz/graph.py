"""The graph as data: walk a root into one neutral list of nodes and edges (no drawing here).

``build(fn, root, focus, max_nodes)`` returns a :class:`Graph` that ``dot.py``, ``nx.py``,
``fallback.py`` and ``html.py`` all draw from, so every picture shows the same thing:

- nodes in topological order (parents first), each with a label, op, value, grad, shape;
- edges in the forward direction (parent -> child) with the local partial
  ``local_grad = d child / d parent`` (scalars), the adjoint the edge passes back to the
  parent (``grad = child.grad * local_grad``), and ``selected`` True/False on edges into a
  max node (None elsewhere);
- ``focus=w``: only the nodes on a path from ``w`` to the root;
- past ``max_nodes``: a collapsed view, said so in ``Graph.note``.

Everything is iterative (the engine's topological order), so a 10^6-node chain is fine.
"""
from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field

import numpy as np

from .._checks import fail, is_int
from ..tensor import Tensor
from ..value import Value

DEFAULT_MAX_NODES = 200
"""Past this many nodes a diagram is collapsed (a torchviz drawing of 3,000 nodes helps nobody)."""

MAX_OPS = frozenset({"max", "max_pool2d"})
"""Ops whose inputs are winners or losers: edges into them carry ``selected``."""

_OP_WORDS = {"+": "add", "*": "mul", "**": "pow", "-": "sub", "/": "div", "@": "matmul"}


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


def build(fn: str, root, focus=None, max_nodes=DEFAULT_MAX_NODES) -> Graph:
    """The neutral graph of ``root`` (focused on ``focus``, collapsed past ``max_nodes``)."""
    check_max_nodes(fn, max_nodes)
    roots = roots_of(fn, root)
    order = forward_order(roots)
    labels = {id(n): lab for n, lab in zip(order, auto_labels(order, roots))}
    if focus is not None:
        keep = _focus(fn, focus, order, {id(n): i for i, n in enumerate(order)})
        order = [n for n in order if id(n) in keep]
    paused = gc.isenabled()
    gc.disable()  # ~10 objects per node and no cycles: the collector would only slow this down
    try:
        graph = _full(order, labels, {id(r) for r in roots})
        graph.total = len(graph.nodes)
        if max_nodes is not None and len(graph.nodes) > max_nodes:
            graph = collapse(graph, max_nodes)  # probes only when the taps are folded
        else:
            probe(graph)
    finally:
        if paused:
            gc.enable()
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
def forward_order(roots) -> list:
    """Every node the roots depend on, each once, parents before children, in reading order:
    x11, w11, x11·w11, x12, ... (a depth-first post-order taking parents left to right)."""
    order, seen = [], set()
    emit, add = order.append, seen.add
    stack = [(r, False) for r in reversed(roots)]
    push, pop = stack.append, stack.pop
    while stack:
        node, done = pop()
        if done:
            emit(node)
            continue
        if node in seen:  # identity: nodes hash by id
            continue
        add(node)
        push((node, True))
        ps = node.parents
        for k in range(len(ps) - 1, -1, -1):
            if ps[k] not in seen:
                push((ps[k], False))
    return order


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
    win = n.parents[n._ctx] if isinstance(n, Value) else None
    chosen = {}
    for p in n.parents:
        j = index.get(id(p))
        if j is not None:
            chosen[j] = chosen.get(j, False) or win is None or p is win
    return [VEdge(j, i, selected=flag) for j, flag in chosen.items()]


def probe(graph: Graph):
    """Fill in every edge's ``local_grad`` and passed ``grad`` by running each node's own
    backward rule once (skipped for grouped views, where one edge stands for many)."""
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
    """Run the node's own backward rule once with adjoint 1 to read d n / d parent exactly."""
    ps = n.parents
    saved = [p.grad for p in ps]
    g = n.grad
    try:
        for p in ps:
            p.grad = 0.0
        n.grad = 1.0
        n._backward(n)
        local = {id(p): p.grad for p in ps}
    finally:
        n.grad = g
        for p, s in zip(ps, saved):
            p.grad = s
    passed = {k: v * g for k, v in local.items()}
    return local, passed


def _tensor_probe(n):
    """The arrays a tensor op's backward sends to each parent (its Jacobian is not drawn)."""
    if n.grad is None or n._backward is None:
        return {}, {}
    ps = n.parents
    saved = [p.grad for p in ps]
    try:
        for p in ps:
            p.grad = None
        n._backward(n)
        passed = {id(p): p.grad for p in ps}
    finally:
        for p, s in zip(ps, saved):
            p.grad = s
    return {}, passed


# ------------------------------------------------------------------------- labels
class _Roots:
    """A stand-in output over all the roots of a grid, so the naming walk sees them all."""

    __slots__ = ("parents",)
    name, op = "\0roots", ""

    def __init__(self, roots):
        self.parents = tuple(roots)


def auto_labels(order, roots) -> list:
    """Every node's label: the names ``mg.derive`` uses (``s11``, and ``mul1, sum2, ...`` for
    unnamed interior nodes, in the same order), so the diagram, the stepper and the derivation
    text agree; an unnamed constant shows its value; an unnamed tensor leaf ``param``/``const``."""
    from ..derive.symbolic import display_names, format_number
    if any(isinstance(r, Tensor) for r in roots):
        return _tensor_labels(order)
    names = display_names(roots[0] if len(roots) == 1 else _Roots(roots))
    labels = []
    for n in order:
        name = names.get(id(n))
        if name is None:
            if isinstance(n, Tensor):
                name = "param" if n.requires_grad else "const"
            else:
                name = format_number(n.data)
        labels.append(name)
    return labels


def _tensor_labels(order) -> list:
    """Tensor nodes: the name, else the op word and a running number (``matmul1``, ``relu1``)."""
    labels, counts = [], {}
    for n in order:
        if n.name:
            labels.append(n.name)
        elif not n.parents:
            labels.append("param" if n.requires_grad else "const")
        else:
            word = _OP_WORDS.get(n.op, n.op) or "node"
            counts[word] = counts.get(word, 0) + 1
            labels.append(f"{word}{counts[word]}")
    return labels


def forward_text(n, args) -> str:
    """What a node computes from its parents' labels, the way ``mg.derive`` writes it:
    ``x11*w11``, ``max(s11, s12)``; a tensor op as ``conv2d(x, w)``."""
    if isinstance(n, Value):
        from ..derive.render import Text
        return Text().forward(n.op, list(args), n._ctx)
    return f"{n.op}({', '.join(args)})"


def fmt(x) -> str:
    """A number (or a small array) for a label: 4 significant digits, no trailing noise."""
    if x is None:
        return "-"
    if isinstance(x, np.ndarray):
        if x.size <= 4:
            return np.array2string(x.reshape(-1) if x.ndim > 1 else x, precision=3, separator=", ",
                                   suppress_small=True) if x.ndim else fmt(float(x))
        return f"mean {float(np.mean(x)):.3g}, |max| {float(np.max(np.abs(x))):.3g}"
    if isinstance(x, tuple):
        lo, hi = x
        return fmt(lo) if lo == hi else f"{fmt(lo)} … {fmt(hi)}"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v == 0:
        return "0"
    return f"{v:.4g}"


# ------------------------------------------------------------------------- conv clusters
def tap_clusters(graph: Graph) -> dict:
    """{sum node id: [tap ids]} for every sum node over >= 2 multiply nodes used only by it:
    "one conv output = a sum of multiply-adds"."""
    consumers = {}
    for e in graph.edges:
        consumers[e.src] = consumers.get(e.src, 0) + 1
    parents = {}
    for e in graph.edges:
        parents.setdefault(e.dst, []).append(e.src)
    out = {}
    for n in graph.nodes:
        if n.op != "sum" or n.grouped or n.is_tensor:
            continue
        ps = parents.get(n.id, [])
        if len(ps) >= 2 and all(graph.node(p).op == "*" and graph.node(p).kind == "op"
                                and consumers[p] == 1 and not graph.node(p).is_root for p in ps):
            out[n.id] = ps
    return out


def mark_clusters(graph: Graph):
    """Set ``cluster`` on a conv output's sum node and its taps (drawn as one box)."""
    for s, taps in tap_clusters(graph).items():
        graph.node(s).cluster = s
        for t in taps:
            graph.node(t).cluster = s


# ------------------------------------------------------------------------- collapsing
def collapse(graph: Graph, max_nodes: int) -> Graph:
    """Fewer nodes, same story: fold conv taps into their sums; then one node per
    (name or op, generation); then one per name or op. Stops at the first that fits."""
    total = graph.total or len(graph.nodes)
    clusters = tap_clusters(graph)
    if len(graph.nodes) - sum(len(t) for t in clusters.values()) <= max_nodes:
        probe(graph)
        g = fold_taps(graph, clusters)
    else:
        g = fold_taps(graph, clusters)
        keys = group_keys(g, by_level=True)
        g = group(g, keys if len(set(keys.values())) <= max_nodes else group_keys(g, by_level=False))
    g.total = total
    what = {"taps": "each conv output's multiply-adds folded into one node",
            "levels": "nodes grouped by name/op and depth",
            "ops": "nodes grouped by name/op"}[g.collapsed]
    g.note = (f"collapsed view: {total:,} nodes shown as {len(g.nodes):,} ({what});\n"
              f"budget max_nodes={max_nodes}; use focus= or a larger max_nodes to see more")
    return g


def fold_taps(graph: Graph, clusters=None) -> Graph:
    """Each conv output's ``*`` taps folded into its ``sum`` node: ``s11 = Σ 4 taps``.

    The folded edge x -> s11 has local grad d s11 / d x = the sum of the taps' partials.
    """
    clusters = tap_clusters(graph) if clusters is None else clusters
    if not clusters:
        out = Graph(list(graph.nodes), list(graph.edges), collapsed="taps")
        return out
    tap_of = {t: s for s, taps in clusters.items() for t in taps}
    nodes = []
    for n in graph.nodes:
        if n.id in tap_of:
            continue
        if n.id in clusters:
            n = _copy(n, taps=len(clusters[n.id]), count=1 + len(clusters[n.id]))
        nodes.append(n)
    merged = {}
    for e in graph.edges:
        if e.dst in tap_of:  # x -> tap becomes x -> s
            s = tap_of[e.dst]
            key = (e.src, s)
            if key in merged:
                m = merged[key]
                m.local_grad = _add(m.local_grad, e.local_grad)
                m.grad = _add(m.grad, e.grad)
                m.count += 1
            else:
                merged[key] = VEdge(e.src, s, e.local_grad, e.grad, None, 1)
        elif e.src in tap_of:
            continue  # tap -> s is inside the folded node
        else:
            merged[(e.src, e.dst)] = e
    return Graph(nodes, list(merged.values()), collapsed="taps")


def _add(a, b):
    return None if a is None or b is None else a + b


def _copy(n: VNode, **changes) -> VNode:
    d = dict(n.__dict__)
    d.update(changes)
    return VNode(**d)


_INDEX = re.compile(r"^(.*?)(\[[\d,\s]+\]|\d+)$")


def _stem(label: str) -> str:
    """``x`` for ``x11`` or ``x[3,4]`` (or the group label ``x: 9 leaves``): the shared name."""
    label = label.split(":")[0] if ": " in label else label
    m = _INDEX.match(label)
    return m.group(1) if m and m.group(1) else label


def group_keys(graph: Graph, by_level: bool) -> dict:
    """{node id: its group}: (kind, name stem or op, generation if ``by_level``)."""
    keys = {}
    for n in graph.nodes:
        stem = _stem(n.name) if n.name else (_stem(n.label) if n.grouped else "")
        keys[n.id] = (n.kind, stem, n.op, n.taps, n.level if by_level else -1, n.is_tensor)
    return keys


def group(graph: Graph, key_of: dict) -> Graph:
    """One node per group of ``key_of`` (see ``group_keys``); edges merged with counts;
    edges into max nodes keep winners and losers apart."""
    groups = {}
    for n in graph.nodes:
        groups.setdefault(key_of[n.id], []).append(n)
    gid = {key: k for k, key in enumerate(groups)}
    nodes = []
    for key, members in groups.items():
        nodes.append(_group_node(gid[key], key, members))
    edges = {}
    for e in graph.edges:
        a, b = gid[key_of[e.src]], gid[key_of[e.dst]]
        k = (a, b, e.selected)
        if k in edges:
            edges[k].count += e.count
        else:
            edges[k] = VEdge(a, b, None, None, e.selected, e.count)
    by_level = next(iter(key_of.values()))[4] >= 0
    return Graph(nodes, list(edges.values()), collapsed="levels" if by_level else "ops")


def _originals(n: VNode) -> list:
    return n.members if n.grouped else [n.node]


def _group_node(gid, key, members) -> VNode:
    """One node standing for ``members``: ``x: 1156 leaves``, ``s: 1024 × sum of 9 taps``."""
    originals = [o for m in members for o in _originals(m)]
    if len(members) == 1:
        return _copy(members[0], id=gid, members=originals if members[0].grouped else [])
    first, stem, n = members[0], key[1], len(originals)
    if first.kind == "leaf":
        what = f"{n} leaves"
    elif first.kind == "const":
        what = f"{n} constants"
    elif first.taps:
        what = f"{n} × sum of {first.taps} taps"
    else:
        what = f"{n} × {first.op}"
    label = f"{stem}: {what}" if stem else what
    return VNode(
        id=gid, label=label, op=first.op, name=None, value=_range([m.value for m in members]),
        grad=_range([m.grad for m in members]), kind=first.kind, level=min(m.level for m in members),
        shape=first.shape, is_root=any(m.is_root for m in members), count=sum(m.count for m in members),
        taps=first.taps, members=originals, grouped=True)


def _range(xs):
    """(min, max) over the members' numbers (arrays contribute their extremes)."""
    vals = []
    for x in xs:
        if x is None:
            continue
        if isinstance(x, tuple):
            vals.extend(x)
        elif isinstance(x, np.ndarray):
            if x.size:
                vals.extend((float(np.min(x)), float(np.max(x))))
        else:
            vals.append(float(x))
    if not vals:
        return None
    return (min(vals), max(vals))
