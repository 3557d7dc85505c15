"""Big graphs stay readable: a conv output's taps grouped (or folded into one node), then
nodes grouped by name/op and depth, then by name/op; the note says what was left out."""
from __future__ import annotations

import re

import numpy as np

from .model import Graph, VEdge, VNode, probe


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
