"""Diagrams without Graphviz: networkx lays the graph out in topological generations,
matplotlib (Agg, no GUI) draws it with the same colours and edge styles as ``dot.py``."""
from __future__ import annotations

import pathlib
import textwrap
import warnings

import networkx as nx

from .dot import EDGE, INSTALL_DOT, LOSER, SELECTED, fill_color as _fill, node_text
from .graph import fmt
from .model import Graph
from .nx import from_graph


MPL = {"darkolivegreen1": "#caff70", "grey55": "#8c8c8c"}  # X11 names matplotlib lacks


def warn_no_dot(path):
    """The one warning a render without Graphviz gives."""
    warnings.warn(f"viz.render: {pathlib.Path(path).name} is drawn with networkx + matplotlib: "
                  f"{INSTALL_DOT} for the full diagram", RuntimeWarning, stacklevel=3)


def layers(g: Graph) -> list:
    """Node ids by topological generation (networkx), barycentre-ordered to cut crossings."""
    G = from_graph(g)
    G.remove_edges_from(list(nx.selfloop_edges(G)))
    if nx.is_directed_acyclic_graph(G):
        gens = [list(gen) for gen in nx.topological_generations(G)]
    else:  # a grouped view can loop (op -> op); fall back to the stored generations
        by = {}
        for n in g.nodes:
            by.setdefault(n.level, []).append(n.id)
        gens = [by[k] for k in sorted(by)]
    pos = {}
    for k, gen in enumerate(gens):
        if k:
            def centre(i):
                ps = [pos[p] for p in G.predecessors(i) if p in pos]
                return sum(ps) / len(ps) if ps else 0.0
            gen.sort(key=centre)
        else:
            gen.sort()
        for j, i in enumerate(gen):
            pos[i] = j - (len(gen) - 1) / 2
    return gens


def draw_graph(g: Graph, path, rankdir="LR", show_grad=True, focus="") -> pathlib.Path:
    """Draw ``g`` into ``path`` (.svg, .png or .pdf) with matplotlib; returns the Path."""
    path = pathlib.Path(path)
    figure(g, rankdir, show_grad, focus).savefig(path, format=path.suffix[1:].lower(), dpi="figure")
    return path


def inches(gens, rankdir) -> tuple:
    """(width, height) of the drawing in inches: a column per generation left to right, a row
    per generation top to bottom; at most 60 inches either way."""
    depth, width = len(gens), max(len(gen) for gen in gens)
    along, across = (depth, width) if rankdir in ("LR", "RL") else (width, depth)
    return min(60.0, 1.2 + along * 2.0), min(60.0, 1.2 + across * 0.75)


def figure(g: Graph, rankdir="LR", show_grad=True, focus=""):
    """``g`` drawn as a matplotlib Figure (Agg canvas, no GUI), the layout of :func:`layers`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    gens = layers(g)
    horizontal = rankdir in ("LR", "RL")
    xy = {}
    for k, gen in enumerate(gens):
        for j, i in enumerate(gen):
            a, b = k * 2.6, -(j - (len(gen) - 1) / 2) * 1.0
            if rankdir == "RL":
                a = -a
            xy[i] = (a, b) if horizontal else (b * 2.2, -a * 0.5 if rankdir == "TB" else a * 0.5)
    w_in, h_in = inches(gens, rankdir)
    fig = Figure(figsize=(w_in, h_in), dpi=110)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.9 if g.note or focus else 0.98))
    ax.set_axis_off()
    boxes = {}
    for n in g.nodes:
        fill = MPL.get(_fill(n), _fill(n))
        style = "round,pad=0.35" if n.kind == "op" else "round4,pad=0.4"
        x, y = xy[n.id]
        boxes[n.id] = ax.text(x, y, "\n".join(node_text(n, show_grad)), ha="center", va="center",
                              fontsize=7, zorder=3, parse_math=False,
                              bbox=dict(boxstyle=style, facecolor=fill,
                                        edgecolor="grey" if n.kind == "const" else "black",
                                        linewidth=1.6 if n.grouped else 0.8))
    xs = [p[0] for p in xy.values()]
    ys = [p[1] for p in xy.values()]
    ax.set_xlim(min(xs) - 1.4, max(xs) + 1.4)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    FigureCanvasAgg(fig).draw()  # lays the labels out, so arrows can stop at the boxes' edges
    to_data = ax.transData.inverted()
    half = {}
    for i, t in boxes.items():
        (x0, y0), (x1, y1) = to_data.transform(t.get_bbox_patch().get_window_extent())
        half[i] = (abs(x1 - x0) / 2, abs(y1 - y0) / 2)
    pairs = {}
    for e in g.edges:
        pairs.setdefault((e.src, e.dst), []).append(e)
    for (a, b), es in pairs.items():
        if a == b:
            continue
        for k, e in enumerate(es):
            rad = 0.0 if len(es) == 1 else (k - (len(es) - 1) / 2) * 0.35
            _arrow(ax, xy[a], xy[b], half[a], half[b], e, rad)
    title = [t for t in (f"focus on {focus}" if focus else "", g.note) if t]
    if title:
        wrap = max(40, int(w_in * 14))
        fig.suptitle("\n".join(textwrap.fill(t, wrap) for t in title), fontsize=8, y=0.995, va="top", parse_math=False)
    fig.text(0.99, 0.005, "drawn without Graphviz (networkx + matplotlib)", fontsize=6, color="grey",
             ha="right", va="bottom")
    return fig


def _clip(d, hw, hh):
    """How far along ``d`` (a fraction) the line from centre ``c`` leaves a box of half-sizes."""
    tx = hw / abs(d[0]) if d[0] else float("inf")
    ty = hh / abs(d[1]) if d[1] else float("inf")
    return min(tx, ty, 0.45)


def _arrow(ax, p, q, hp, hq, e, rad):
    """One edge from box ``p`` to box ``q``, styled like dot.py's, with its label at the middle."""
    color, lw, ls, label = EDGE, 0.8, "-", ""
    if e.selected is True:
        color, lw, label = SELECTED, 2.2, "selected" + ("" if e.grad is None else f": passes {fmt(e.grad)}")
    elif e.selected is False:
        color, ls, label = MPL[LOSER], "--", "not selected: grad 0"
    if e.count > 1:
        label = f"×{e.count} {label}".strip()
    d = (q[0] - p[0], q[1] - p[1])
    ta, tb = _clip(d, *hp), _clip(d, *hq)
    start = (p[0] + ta * d[0], p[1] + ta * d[1])
    end = (q[0] - tb * d[0], q[1] - tb * d[1])
    ax.annotate("", xy=end, xytext=start, zorder=1,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, linestyle=ls, shrinkA=1, shrinkB=1,
                                mutation_scale=9, connectionstyle=f"arc3,rad={rad}"))
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        mx, my = mx + rad * (end[1] - start[1]) / 2, my - rad * (end[0] - start[0]) / 2
        ax.text(mx, my, label, fontsize=6.5, color=color, ha="center", va="center", zorder=2, parse_math=False,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.85))
