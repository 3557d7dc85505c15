"""Backprop diagrams as Graphviz: ``to_dot(root) -> graphviz.Digraph``.

Colours follow torchviz: leaves that take a gradient light blue, constants white, ops grey,
the output green; a max node is light orange and its selected input's edge is bold red,
labelled with the gradient it passes, while the losers' edges are dashed grey with grad 0
(the slide's ``if (σ11 > σ12)`` at a glance). A conv output's multiply-adds sit in one box.
Edges point forward, from inputs to outputs, and an edge out of an op weighs more, so the
computation's spine is drawn straight. In Jupyter the returned Digraph displays inline
(graphviz's ``_repr_mimebundle_``); that and every drawing need the ``dot`` program, and
without it they fail with one line saying what to install (``DotNotFound``).
"""
from __future__ import annotations

import re
import shutil

import graphviz

from .._checks import choice, fail
from .graph import DEFAULT_MAX_NODES, MAX_OPS, build, fmt, quiet_gc
from .model import Graph, VNode

FONT = "Helvetica"
COLORS = {
    "leaf": "lightblue",        # torchviz: parameters
    "const": "white",
    "op": "lightgrey",
    "max": "#ffd8a8",           # a branch: one input wins
    "root": "darkolivegreen1",  # torchviz: outputs
}
SELECTED = "#d62728"
LOSER = "grey55"
EDGE = "#444444"
SMALL = 60  # up to this many nodes, every edge is labelled with its local gradient
SPINE = "8"  # graphviz edge weight of op -> op edges: the chain of ops stays in one line
INSTALL_DOT = ("Graphviz's `dot` program is not on PATH; install graphviz: apt-get install graphviz "
               "(Debian/Ubuntu), conda install graphviz, or brew install graphviz (macOS)")


def dot_text(s: str) -> str:
    """Any text (a node's name, a title) as a DOT string that Graphviz draws as itself: its
    backslashes are not escapes (``\\N``, ``\\l``) and ``<...>`` is not an HTML label."""
    return graphviz.escape(str(s))


def dot_tooltip(s: str) -> str:
    """``dot_text`` for tooltips, which Graphviz also expands after unescaping (``\\N`` would
    become the node's id): an invisible word joiner (U+2060) keeps a backslash off a letter."""
    return dot_text(re.sub(r"\\(?=[A-Za-z])", lambda m: "\\\u2060", str(s)))


def have_dot() -> bool:
    """True when Graphviz's ``dot`` program is on PATH."""
    return shutil.which("dot") is not None


class DotNotFound(graphviz.ExecutableNotFound):
    """Drawing needs Graphviz's ``dot``: one line naming the function and what to install."""

    def __init__(self, fn: str):
        RuntimeError.__init__(self, f"{fn}: {INSTALL_DOT}")


class Diagram(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``to_dot`` returns. Its DOT ``source`` needs nothing; its
    drawings (``pipe``, ``render``, ``view``, Jupyter's display) need ``dot`` and without it
    raise :class:`DotNotFound` (Jupyter shows that one line instead of a traceback)."""

    def pipe(self, *args, **kwargs):
        if not have_dot():
            raise DotNotFound("viz.to_dot")
        return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):
        if not have_dot():
            raise DotNotFound("viz.to_dot")
        return super().render(*args, **kwargs)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if not have_dot():
            return {"text/plain": str(DotNotFound("viz.to_dot"))}
        return super()._repr_mimebundle_(include, exclude, **kwargs)


@quiet_gc
def to_dot(root, focus=None, rankdir="LR", show_grad=True, max_nodes=DEFAULT_MAX_NODES) -> graphviz.Digraph:
    """The backprop diagram of ``root`` (a Value, a Tensor or a grid of Values) as a Digraph.

    ``focus=w`` keeps only the nodes on a path from ``w`` to ``root``; past ``max_nodes``
    nodes the drawing is collapsed (conv taps folded, then nodes grouped) and its title
    says so; ``max_nodes=None`` never collapses.
    """
    fn = "viz.to_dot"
    check_style(fn, rankdir, show_grad)
    return digraph(build(fn, root, focus, max_nodes), rankdir, show_grad, focus_label(focus))


def check_style(fn: str, rankdir, show_grad):
    """``rankdir`` one of LR TB RL BT; ``show_grad`` a bool."""
    choice(fn, "rankdir", rankdir, ("LR", "TB", "RL", "BT"))
    if not isinstance(show_grad, bool):
        fail(fn, f"show_grad must be a bool, got {show_grad!r}", TypeError)


def focus_label(focus) -> str:
    """How the title names the focus node: its name, or a Tensor's op."""
    if focus is None:
        return ""
    name = getattr(focus, "name", None)
    return name or getattr(focus, "op", "") or "the given nodes"


def digraph(g: Graph, rankdir="LR", show_grad=True, focus="") -> Diagram:
    """Draw a neutral graph (from ``graph.build``) with graphviz."""
    dot = Diagram("minigrad", format="svg")
    title = []
    if focus:
        title.append(f"focus on {focus}: only the nodes on a path from {focus} to the output")
    if g.note:
        title.append(g.note)
    dot.attr(rankdir=rankdir, fontname=FONT, fontsize="11", labelloc="t", nodesep="0.25",
             ranksep="0.45", label=dot_text("\n".join(title)))
    dot.attr("node", fontname=FONT, fontsize="10", penwidth="1")
    dot.attr("edge", fontname=FONT, fontsize="9", color=EDGE, arrowsize="0.7")
    clusters = {}
    for n in g.nodes:
        if n.cluster is not None:
            clusters.setdefault(n.cluster, []).append(n)
    for n in g.nodes:
        if n.cluster is None:
            _node(dot, n, show_grad)
    for s, members in clusters.items():
        head = g.node(s)
        with dot.subgraph(name=f"cluster_{s}") as sub:
            sub.attr(label=dot_text(f"{head.label} = Σ {len(members) - 1} multiply-adds"), style="rounded,dashed",
                     color="grey60", fontcolor="grey30", fontsize="9")
            for n in members:
                _node(sub, n, show_grad)
    small = len(g.nodes) <= SMALL
    for e in g.edges:
        _edge(dot, g, e, show_grad and small)
    return dot


def node_text(n: VNode, show_grad=True) -> list:
    """The lines of a node's label: what it is, then its data and (optionally) its grad."""
    if n.grouped:
        head = n.label
    elif n.taps:
        head = f"{n.label} = Σ {n.taps} taps"
    elif n.kind == "op":
        expr = n.expr if n.expr and len(n.expr) <= 24 else n.op
        head = f"{n.label} = {expr}"
    else:
        head = n.label
    lines = [head]
    if n.shape is not None and not n.grouped:
        lines.append(f"shape {n.shape}")
    lines.append(f"data {fmt(n.value)}")
    if show_grad:
        lines.append(f"grad {fmt(n.grad)}")
    return lines


def fill_color(n: VNode) -> str:
    """Output green, max orange, ops grey, leaves blue, constants white."""
    return COLORS["root"] if n.is_root else COLORS["max"] if n.op in MAX_OPS else COLORS[n.kind]


def _node(dot, n: VNode, show_grad):
    attrs = dict(style="filled", fillcolor=fill_color(n))
    if n.kind == "op":
        attrs.update(shape="box", style="rounded,filled")
    elif n.kind == "const":
        attrs.update(shape="ellipse", color="grey50")
    else:
        attrs.update(shape="ellipse")
    if n.grouped:
        attrs.update(peripheries="2")
    attrs["tooltip"] = dot_tooltip(n.label if not n.op else f"{n.label}: {n.op}")
    dot.node(f"n{n.id}", dot_text("\n".join(node_text(n, show_grad))), **attrs)


def _edge(dot, g: Graph, e, label_local):
    attrs = {}
    src, dst = g.node(e.src), g.node(e.dst)
    many = f"×{e.count} " if e.count > 1 else ""
    if e.selected is True:
        passes = "" if e.grad is None else f": passes {fmt(e.grad)}"
        what = "to the maxima only" if dst.is_tensor else "selected"
        attrs.update(color=SELECTED, fontcolor=SELECTED, penwidth="2.5", style="bold",
                     label=f"{many}{what}{passes}")
    elif e.selected is False:
        attrs.update(color=LOSER, fontcolor=LOSER, style="dashed", label=f"{many}not selected: grad 0")
    elif e.count > 1:
        attrs.update(label=f"×{e.count}", fontcolor="grey35")
    elif label_local and e.local_grad is not None:
        attrs.update(label=f"∂ {fmt(e.local_grad)}", fontcolor="grey35")
    if src.kind == "op":
        attrs["weight"] = SPINE
    if e.local_grad is not None:
        attrs["tooltip"] = dot_tooltip(f"∂{dst.label}/∂{src.label} = {fmt(e.local_grad)}"
                                       + ("" if e.grad is None else f"; passes {fmt(e.grad)} back"))
    if "label" in attrs:
        attrs["label"] = dot_text(attrs["label"])
    dot.edge(f"n{e.src}", f"n{e.dst}", **attrs)
