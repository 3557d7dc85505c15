"""A plain SVG drawing of a neutral graph, for the stepper page when Graphviz is missing.

Same structure as Graphviz's SVG (``<g class="node"><title>n3</title>``, ``<g class="edge">
<title>n3->n5</title>``), so the page's script treats both alike; layered by topological
generation like ``fallback.py``.
"""
from __future__ import annotations

from html import escape

from .dot import COLORS, EDGE, LOSER, SELECTED, fill_color, node_text
from .fallback import MPL, layers
from .graph import fmt
from .model import Graph

CHAR_W, LINE_H, GAP_X, GAP_Y = 6.6, 14, 110, 18


def plain_svg(g: Graph, show_grad=False) -> str:
    """The graph drawn left to right as SVG text (boxes, arrows, the selected edge in red)."""
    gens = layers(g)
    text = {n.id: node_text(n, show_grad) for n in g.nodes}
    size = {i: (max(len(t) for t in lines) * CHAR_W + 16, len(lines) * LINE_H + 10) for i, lines in text.items()}
    col_w = [max(size[i][0] for i in gen) for gen in gens]
    pos, x = {}, 10.0
    heights = [sum(size[i][1] for i in gen) + GAP_Y * (len(gen) - 1) for gen in gens]
    total_h = max(heights) + 40  # room under the lowest node for the stepper's adjoint badge
    for k, gen in enumerate(gens):
        y = 10 + (total_h - 40 - heights[k]) / 2
        for i in gen:
            w, h = size[i]
            pos[i] = (x + (col_w[k] - w) / 2, y, w, h)
            y += h + GAP_Y
        x += col_w[k] + GAP_X
    width = x - GAP_X + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}pt" height="{total_h:.0f}pt" '
           f'viewBox="0 0 {width:.0f} {total_h:.0f}">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
           'markerUnits="userSpaceOnUse" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke"/>'
           '</marker></defs>',
           '<g id="graph0" class="graph">']
    for e in g.edges:
        if e.src == e.dst:
            continue
        x1, y1, w1, h1 = pos[e.src]
        x2, y2, w2, h2 = pos[e.dst]
        a, b = (x1 + w1, y1 + h1 / 2), (x2, y2 + h2 / 2)
        color, width_, dash, label = EDGE, 1, "", ""
        many = f"×{e.count} " if e.count > 1 else ""
        if e.selected is True:
            color, width_ = SELECTED, 2.5
            label = f"{many}selected" + ("" if e.grad is None else f": passes {fmt(e.grad)}")
        elif e.selected is False:
            color, dash, label = MPL[LOSER], ' stroke-dasharray="5,2"', f"{many}not selected: grad 0"
        elif e.count > 1:
            label = f"×{e.count}"
        tag = "" if not label else (
            f'<text text-anchor="middle" x="{(a[0] + b[0]) / 2:.1f}" y="{(a[1] + b[1]) / 2 - 4:.1f}" '
            f'font-family="Helvetica,sans-serif" font-size="9" fill="{color}">{escape(label)}</text>')
        out.append(f'<g class="edge"><title>n{e.src}-&gt;n{e.dst}</title>'
                   f'<path fill="none" stroke="{color}" stroke-width="{width_}"{dash} marker-end="url(#arrow)" '
                   f'd="M{a[0]:.1f},{a[1]:.1f} C{a[0] + 30:.1f},{a[1]:.1f} {b[0] - 30:.1f},{b[1]:.1f} '
                   f'{b[0]:.1f},{b[1]:.1f}"/>{tag}</g>')
    for n in g.nodes:
        x, y, w, h = pos[n.id]
        fill = MPL.get(fill_color(n), fill_color(n))
        rx = 8 if n.kind == "op" else h / 2
        lines = "".join(f'<text text-anchor="middle" x="{x + w / 2:.1f}" y="{y + 5 + (k + 0.8) * LINE_H:.1f}" '
                        f'font-family="Helvetica,sans-serif" font-size="11">{escape(t)}</text>'
                        for k, t in enumerate(text[n.id]))
        stroke = "grey" if n.kind == "const" else "black"
        out.append(f'<g class="node"><title>n{n.id}</title><path fill="{fill}" stroke="{stroke}" '
                   f'd="{_rounded(x, y, w, h, rx)}"/>{lines}</g>')
    out.append("</g></svg>")
    return "\n".join(out)


def _rounded(x, y, w, h, r) -> str:
    r = min(r, w / 2, h / 2)
    return (f"M{x + r:.1f},{y:.1f} H{x + w - r:.1f} A{r:.1f},{r:.1f} 0 0 1 {x + w:.1f},{y + r:.1f} "
            f"V{y + h - r:.1f} A{r:.1f},{r:.1f} 0 0 1 {x + w - r:.1f},{y + h:.1f} H{x + r:.1f} "
            f"A{r:.1f},{r:.1f} 0 0 1 {x:.1f},{y + h - r:.1f} V{y + r:.1f} A{r:.1f},{r:.1f} 0 0 1 {x + r:.1f},{y:.1f} Z")


__all__ = ["plain_svg", "COLORS"]
