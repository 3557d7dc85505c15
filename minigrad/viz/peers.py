"""The drawing calls of torchviz and micrograd, so their scripts move by their imports:
``from torchviz import make_dot`` → ``from minigrad.viz import make_dot``; micrograd's
``draw_dot`` (its trace_graph notebook) → ``from minigrad.viz import draw_dot``.

Both return minigrad's diagram (``to_dot``): values and grads in every node, the max-pool
branch in colour, big graphs collapsed. torchviz's ``params`` name the parameters' nodes.
"""
from __future__ import annotations

from .._checks import fail
from ..tensor import Tensor
from .dot import check_style, digraph, focus_label
from .graph import DEFAULT_MAX_NODES, build, quiet_gc


@quiet_gc
def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """torchviz's ``make_dot(y, params=dict(model.named_parameters()))``: the diagram of ``var``
    with each tensor of ``params`` labelled by its key. ``show_attrs``/``show_saved`` are
    accepted; minigrad's nodes always show their op, data and grad, so they change nothing."""
    fn = "viz.make_dot"
    for arg, flag in (("show_attrs", show_attrs), ("show_saved", show_saved)):
        if not isinstance(flag, bool):
            fail(fn, f"{arg} must be a bool, got {flag!r}", TypeError)
    if isinstance(max_attr_chars, bool) or not isinstance(max_attr_chars, int) or max_attr_chars < 1:
        fail(fn, f"max_attr_chars must be a positive int, got {max_attr_chars!r}", TypeError)
    names = {}
    if params is not None:
        if not isinstance(params, dict):
            fail(fn, f"params must be a dict of name -> Tensor (dict(model.named_parameters())), "
                     f"got {type(params).__name__}", TypeError)
        for key, t in params.items():
            if not isinstance(t, Tensor):
                fail(fn, f"params[{key!r}] must be a Tensor, got {type(t).__name__}", TypeError)
            names[id(t)] = str(key)
    return digraph(build(fn, var, None, DEFAULT_MAX_NODES, names=names), "TB", True, focus_label(None))


@quiet_gc
def draw_dot(root, format="svg", rankdir="LR"):
    """micrograd's ``draw_dot(root, format='svg', rankdir='LR')``: the diagram of ``root``."""
    fn = "viz.draw_dot"
    check_style(fn, rankdir, True)
    if format not in ("svg", "png", "pdf"):
        fail(fn, f"format must be 'svg', 'png' or 'pdf', got {format!r}")
    dot = digraph(build(fn, root), rankdir, True, "")
    dot.format = format
    return dot


__all__ = ["make_dot", "draw_dot"]
