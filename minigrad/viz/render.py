"""Write a diagram to disk; the format comes from the suffix: .svg .png .pdf .dot."""
from __future__ import annotations

import os
import pathlib

import graphviz

from .._checks import fail
from .dot import check_style, digraph, focus_label, have_dot
from .graph import DEFAULT_MAX_NODES, build, quiet_gc

FORMATS = (".svg", ".png", ".pdf", ".dot")


@quiet_gc
def render(root, path, focus=None, rankdir="LR", show_grad=True, max_nodes=DEFAULT_MAX_NODES) -> pathlib.Path:
    """Draw ``root``'s backprop diagram into ``path`` (format by suffix); returns the Path.

    With Graphviz's ``dot`` program: the ``to_dot`` drawing. Without it, .svg/.png/.pdf are
    drawn by networkx + matplotlib (layered by topological generation) with one warning;
    .dot is always written.
    """
    fn = "viz.render"
    path = check_path(fn, path, FORMATS)
    check_style(fn, rankdir, show_grad)
    g = build(fn, root, focus, max_nodes)
    dot = digraph(g, rankdir, show_grad, focus_label(focus))
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".dot":
        path.write_text(dot.source, encoding="utf-8")
        return path
    if have_dot():
        try:
            path.write_bytes(dot.pipe(format=suffix[1:]))
            return path
        except graphviz.ExecutableNotFound:
            pass
    from .fallback import draw_graph, warn_no_dot
    warn_no_dot(path)
    return draw_graph(g, path, rankdir=rankdir, show_grad=show_grad, focus=focus_label(focus))


def check_path(fn: str, path, formats) -> pathlib.Path:
    """``path`` as a Path whose suffix is one of ``formats``."""
    if not isinstance(path, (str, os.PathLike)):
        fail(fn, f"path must be a str or a path, got {type(path).__name__}", TypeError)
    p = pathlib.Path(path)
    if p.suffix.lower() not in formats:
        fail(fn, f"path must end in one of {' '.join(formats)}, got {str(p)!r}")
    return p


__all__ = ["render", "have_dot", "digraph"]
