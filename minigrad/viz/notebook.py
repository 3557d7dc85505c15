"""Diagrams in Jupyter: ``show(root)`` returns an object a notebook displays inline.

The diagram comes as SVG (``_repr_svg_``): Graphviz's drawing, or without the ``dot``
program the networkx + matplotlib one. ``stepper=True`` gives the backprop stepper page in an
``<iframe srcdoc=...>`` (``_repr_html_``), sandboxed to its own scripts.

Readable by default in a cell about 960 px wide: past ``NOTEBOOK_MAX_NODES`` drawn nodes the
graph is collapsed (conv taps folded, then nodes grouped, as in ``to_dot``), and ``rankdir=None``
draws left to right unless that is wider than ``NOTEBOOK_WIDTH`` and top to bottom is narrower
(a LeNet: 3,683 pt left to right, 1,060 pt top to bottom).
"""
from __future__ import annotations

import io
import pathlib
import re
from html import escape

from .._checks import fail, is_int
from .dot import check_style, digraph, focus_label, have_dot
from .fallback import figure, inches, layers
from .graph import build
from .model import Graph
from .html import stepper_page

NOTEBOOK_MAX_NODES = 100
"""Past this many nodes ``show`` collapses: the slide (21 nodes), its sum case (34) and a tensor
LeNet (25) are drawn whole; a 6x6 image's 3x3 conv, pool and sum (210 nodes) folds its taps (66)."""

NOTEBOOK_WIDTH = 720
"""A notebook cell's width in points (960 px): wider left-to-right drawings turn top to bottom."""

_SVG_WIDTH = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"')


class Shown:
    """What :func:`show` returns: Jupyter displays ``svg`` (a diagram) or ``html`` (the stepper).

    ``rankdir`` is the direction drawn, ``nodes`` the number of drawn nodes and ``note`` the
    collapsed view's explanation ("" when drawn whole); ``save(path)`` writes the SVG or HTML.
    """

    def __init__(self, svg=None, html=None, rankdir="LR", nodes=0, note=""):
        self.svg, self.html, self.rankdir, self.nodes, self.note = svg, html, rankdir, nodes, note

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        return self.html

    def save(self, path):
        """Write the SVG (a diagram) or the frame's HTML (the stepper) to ``path``; returns the Path."""
        path = pathlib.Path(path)
        path.write_text(self.svg if self.svg is not None else self.html, encoding="utf-8")
        return path

    def __repr__(self):
        what = "backprop stepper" if self.html is not None else "diagram"
        return f"<minigrad {what}: {self.nodes} nodes, rankdir={self.rankdir}>"


def show(root, focus=None, stepper=False, rankdir=None, show_grad=True, max_nodes=NOTEBOOK_MAX_NODES,
         title=None, height=None) -> Shown:
    """``root``'s backprop diagram (or, ``stepper=True``, its stepper) for a Jupyter cell.

    ``focus``, ``show_grad`` and ``max_nodes`` as in ``to_dot`` (``max_nodes`` defaults to
    ``NOTEBOOK_MAX_NODES``); ``rankdir=None`` picks LR or TB to fit the cell's width. Without
    Graphviz's ``dot`` the diagram is the matplotlib drawing. ``title`` names the stepper page
    and ``height`` (px) sizes its frame (default: from the drawing, 420 to 900).
    """
    fn = "viz.show"
    if not isinstance(stepper, bool):
        fail(fn, f"stepper must be a bool, got {stepper!r}", TypeError)
    if height is not None and (not is_int(height) or height < 100):
        fail(fn, f"height must be None or an int >= 100 (pixels), got {height!r}",
             TypeError if not is_int(height) else ValueError)
    check_style(fn, rankdir or "LR", show_grad)
    g = build(fn, root, focus, max_nodes)
    label = focus_label(focus)
    if stepper:
        direction = rankdir or _pick(g, None, False, label)[0]
        page = stepper_page(fn, root, focus=focus, max_nodes=max_nodes, title=title, rankdir=direction)
        frame = (f'<iframe srcdoc="{escape(page, quote=True)}" sandbox="allow-scripts" '
                 f'style="width: 100%; height: {height or _frame_height(g, direction)}px; border: 0"></iframe>')
        return Shown(html=frame, rankdir=direction, nodes=len(g.nodes), note=g.note)
    if title is not None:
        fail(fn, "title names the stepper page; pass it with stepper=True", ValueError)
    direction, svg = _pick(g, rankdir, show_grad, label)
    return Shown(svg=svg, rankdir=direction, nodes=len(g.nodes), note=g.note)


def _pick(g: Graph, rankdir, show_grad: bool, focus: str) -> tuple:
    """(direction, SVG): ``rankdir`` if given; else LR when it fits ``NOTEBOOK_WIDTH``, otherwise
    whichever of LR and TB is narrower (Graphviz's layouts; the fallback's estimate without it)."""
    if rankdir is None and not have_dot():
        gens = layers(g)
        wide = inches(gens, "LR")[0] * 72
        rankdir = "TB" if wide > NOTEBOOK_WIDTH and inches(gens, "TB")[0] * 72 < wide else "LR"
    if rankdir is not None:
        return rankdir, _diagram_svg(g, rankdir, show_grad, focus)
    lr = _diagram_svg(g, "LR", show_grad, focus)
    if _svg_width(lr) <= NOTEBOOK_WIDTH:
        return "LR", lr
    tb = _diagram_svg(g, "TB", show_grad, focus)
    return ("TB", tb) if _svg_width(tb) < _svg_width(lr) else ("LR", lr)


def _diagram_svg(g: Graph, rankdir: str, show_grad: bool, focus: str) -> str:
    """Graphviz's SVG, or matplotlib's without ``dot``."""
    if have_dot():
        return digraph(g, rankdir, show_grad, focus).pipe(format="svg").decode("utf-8")
    buf = io.StringIO()
    figure(g, rankdir, show_grad, focus).savefig(buf, format="svg")
    return buf.getvalue()


def _svg_width(svg: str) -> float:
    """The width (points) an SVG declares on its ``<svg>`` element."""
    return float(_SVG_WIDTH.search(svg).group(1))


def _frame_height(g: Graph, rankdir: str) -> int:
    """The stepper frame's height (px): the drawing's rows plus the page's controls and text."""
    gens = layers(g)
    rows = max(len(gen) for gen in gens) if rankdir in ("LR", "RL") else len(gens)
    return max(420, min(900, 300 + 70 * rows))
