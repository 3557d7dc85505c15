"""The backprop stepper: one self-contained HTML page that plays the forward and the
backward pass node by node (``to_html``). The graph and the step list are computed here and
embedded as JSON; the page (``stepper.html``) is plain HTML/CSS/JS with no network access.

Each backward step shows the node's adjoint and the chain-rule line that produced it, the
same text ``mg.derive`` prints (its last line, ``∂f/∂w11 = ... = x11 + x12 + x21 + x22 = 4``),
with the max branches taken on the way (``if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0``). For a
Value root all of it is read off ONE reverse pass (``derivation.backprop``), at any size.
"""
from __future__ import annotations

import json
import math
import pathlib
import re
from html import escape
from importlib import resources

import numpy as np

from .._checks import fail
from ..derivation.backprop import Backprop
from ..derivation.render import Text, branch_line, derivation_lines, final_line
from ..engine import topological_order
from ..value import Value
from .dot import digraph, focus_label
from .graph import DEFAULT_MAX_NODES, build, fmt, forward_text, quiet_gc, roots_of
from .model import Graph
from .render import check_path, have_dot
from .svg import plain_svg

MAX_TEXT_LINES = 80   # a node's whole derivation is embedded when it is about this long at most
MAX_TERMS = 6         # chain-rule sums longer than this are written with Σ
# the template's three holes, filled in ONE pass: text from a filling is never read as a hole
_HOLES = re.compile(r"__TITLE__|<!--__SVG__-->|/\*__DATA__\*/null")
# characters that could end the <script> element or a JavaScript string, written as escapes
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@quiet_gc
def to_html(root, path, focus=None, max_nodes=DEFAULT_MAX_NODES, title=None) -> pathlib.Path:
    """Write the stepper page for ``root`` (a Value, a Tensor or a grid) to ``path`` (.html).

    ``focus=w`` limits the page to the nodes on a path from ``w`` to ``root`` (the part a
    derivation of ∂root/∂w walks); past ``max_nodes`` the graph collapses like the diagrams.
    """
    fn = "viz.to_html"
    path = check_path(fn, path, (".html", ".htm"))
    page = stepper_page(fn, root, focus=focus, max_nodes=max_nodes, title=title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def stepper_page(fn: str, root, focus=None, max_nodes=DEFAULT_MAX_NODES, title=None, rankdir="LR") -> str:
    """The stepper as one self-contained HTML text (what ``to_html`` writes, ``show`` embeds)."""
    if title is not None and not isinstance(title, str):
        fail(fn, f"title must be a str or None, got {type(title).__name__}", TypeError)
    data = stepper_data(root, focus=focus, max_nodes=max_nodes, fn=fn)
    g = data.pop("_graph")
    if title is not None:
        data["title"] = title
    fillings = {"__TITLE__": escape(data["title"]), "<!--__SVG__-->": _svg(g, focus_label(focus), rankdir),
                "/*__DATA__*/null": script_json(data)}
    page = resources.files("minigrad.viz").joinpath("stepper.html").read_text(encoding="utf-8")
    return _HOLES.sub(lambda m: fillings[m.group()], page)


def script_json(data) -> str:
    """``data`` as JSON safe inside a <script> element: no ``<``, ``>``, ``&``, U+2028 or U+2029
    (names like ``</script>`` or ``<!--`` stay text; JSON.parse reads the escapes back)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group()], text)


def _svg(g: Graph, focus: str, rankdir="LR") -> str:
    """The same drawing as the SVG diagrams (Graphviz), values shown, grads left to the steps;
    minigrad's own left-to-right SVG without Graphviz."""
    if have_dot():
        text = digraph(g, rankdir, False, focus).pipe(format="svg").decode("utf-8")
        return text[text.index("<svg"):]
    return plain_svg(g)


# ------------------------------------------------------------------ the step list
def _backward_order(g: Graph) -> list:
    """The drawn nodes in the order the engine's backward pass visits them (siblings left to
    right: ∂f/∂s11 before ∂f/∂s22); drawings of groups keep their reverse drawing order."""
    fallback = list(reversed(g.nodes))
    if g.collapsed or any(getattr(n, "node", None) is None for n in g.nodes):
        return fallback
    drawn = {id(n.node): n for n in g.nodes}
    roots = [n.node for n in g.nodes if n.is_root]
    order = [drawn[id(v)] for v in reversed(topological_order(*roots, left_first=False)) if id(v) in drawn]
    return order if len(order) == len(g.nodes) else fallback


def stepper_data(root, focus=None, max_nodes=DEFAULT_MAX_NODES, fn="viz.to_html") -> dict:
    """The page's data: ``nodes``, ``edges`` and ``steps`` (forward: each node in topological
    order with its value; backward: each node in reverse order with its adjoint and lines)."""
    roots = roots_of(fn, root)
    g = build(fn, root, focus, max_nodes)
    single = roots[0] if len(roots) == 1 and isinstance(roots[0], Value) else None
    out = next((n.label for n in g.nodes if n.is_root), "out") if len(roots) == 1 else "out"
    bp = Backprop(single) if single is not None else None
    children = {n.id: [] for n in g.nodes}
    for k, e in enumerate(g.edges):
        children[e.src].append(k)
    nodes = [_node_json(n) for n in g.nodes]
    edges = [{"src": e.src, "dst": e.dst, "selected": e.selected, "count": e.count,
              "local": _num(e.local_grad), "passes": None if e.grad is None else fmt(e.grad)} for e in g.edges]
    steps = [{"phase": "forward", "node": n.id, "lines": [_forward_line(g, n)]} for n in g.nodes]
    for n in _backward_order(g):
        step = {"phase": "backward", "node": n.id, "adjoint": fmt(n.grad), "adjoint_num": _num(n.grad),
                "flow": children[n.id]}
        if bp is not None and not n.grouped and n.node in bp.adjoint:
            step["lines"], step["derivation"], value = chain_rule_lines(bp, n.node)
            if step["adjoint_num"] is not None and not math.isclose(
                    value, step["adjoint_num"], rel_tol=1e-9, abs_tol=1e-12):
                step["lines"].append(f"note: .grad = {fmt(n.grad)} but the derivation gives {fmt(value)}: "
                                     f"has {out}.backward() run exactly once? (grads add up over passes)")
        else:
            step["lines"] = [_chain_line(g, n, out, children)]
        steps.append(step)
    what = f"∂{out}/∂{focus_label(focus)}" if focus is not None else f"{out}, node by node"
    note = g.note
    if not any(_ran(r) for r in roots):
        note = (f"no backward pass has reached {out} yet: call {out}.backward() first "
                f"(the adjoints shown are the nodes' current .grad)\n" + note).strip()
    data = {"title": f"minigrad backprop stepper: {what}", "output": out, "note": note,
            "focus": focus_label(focus), "collapsed": g.collapsed, "nodes": nodes, "edges": edges,
            "steps": steps, "_graph": g}
    return data


def chain_rule_lines(bp, node) -> tuple:
    """``(lines, whole derivation or "", value)`` for one node, read off the one pass ``bp``.

    The lines are the derivation's last line (how the node's adjoint is made) and the branches
    that decided it: a max or relu that uses the node, and, when the adjoint is 0, the branch
    that blocked it on the way to the output; a max node also shows how it splits. The whole
    derivation comes along when it is short."""
    text = Text()
    lines = [final_line(bp, node, text) if node is not bp.output else f"∂{bp.name(node)}/∂{bp.name(node)} = 1"]
    for gate in _gates(bp, node):
        line = branch_line(bp, gate, text)
        if line not in lines:
            lines.append(line)
    if node.op == "max":
        lines.append(f"splits: {branch_line(bp, node, text)}")
    path = bp.short_path(node, MAX_TEXT_LINES // 3)
    whole = "" if path is None else text.lines(derivation_lines(bp, node, text, path))
    return lines, whole, float(bp.value.get(node, 0.0))


def _gates(bp, node, limit=3) -> list:
    """The max / relu nodes that decide ``node``'s adjoint: those using it directly, and, for a
    0 adjoint, the first ones on each way up that passed it nothing (a bounded search)."""
    gates, stack, seen = [], [node], {node}
    zero = bp.adjoint[node].is_zero
    while stack and len(gates) < limit and len(seen) < 200:
        n = stack.pop()
        for child in bp.children.get(n, ()):
            if child.op in ("max", "relu", "leaky_relu") and (n is node or bp.local(child, n)[0].is_zero):
                if child not in gates:
                    gates.append(child)
            elif zero and child not in seen and bp.adjoint[child].is_zero:
                seen.add(child)
                stack.append(child)
    return gates[:limit]


def _ran(root) -> bool:
    """Whether a backward pass has reached this root (its grad holds the seed)."""
    g = root.grad
    return g is not None and bool(np.any(np.asarray(g) != 0))


def _num(x):
    """A finite float for JSON (None for arrays, ranges, nan and inf: the text says it)."""
    if isinstance(x, (float, int, np.floating)) and not isinstance(x, bool) and math.isfinite(x):
        return float(x)
    if isinstance(x, np.ndarray) and x.size == 1 and math.isfinite(float(x.reshape(-1)[0])):
        return float(x.reshape(-1)[0])
    return None


def _node_json(n) -> dict:
    d = {"id": n.id, "label": n.label, "op": n.op, "kind": n.kind, "root": n.is_root,
         "value": fmt(n.value), "value_num": _num(n.value), "grad": fmt(n.grad), "grad_num": _num(n.grad),
         "count": n.count}
    if n.shape is not None:
        d["shape"] = list(n.shape)
    return d


def _forward_line(g: Graph, n) -> str:
    """``mul1 = x11*w11 = 0.5`` (how ``mg.derive`` writes a node), a leaf's value, or a group."""
    if n.grouped:
        return f"{n.label}: values {fmt(n.value)}"
    if n.kind != "op":
        what = "constant" if n.kind == "const" else "input" if n.is_tensor or not n.node.name else "leaf"
        shape = f", shape {n.shape}" if n.shape is not None else ""
        return f"{n.label} = {fmt(n.value)} ({what}{shape})"
    names = [g.labels.get(id(p), "…") for p in n.node.parents]
    if len(names) > 12:
        expr = f"{n.op}({names[0]}, {names[1]}, …, {names[-1]}: {len(names)} inputs)"
    else:
        expr = forward_text(n.node, names)
    if n.taps:
        expr = f"Σ of {n.taps} multiply-adds"
    shape = f"  (shape {n.shape})" if n.shape is not None else ""
    return f"{n.label} = {expr} = {fmt(n.value)}{shape}"


def _chain_line(g: Graph, n, out: str, children: dict) -> str:
    """``∂out/∂n = ∂out/∂c · ∂c/∂n + ... = <grad>`` from the drawn graph (tensors, grids, groups)."""
    if n.grouped:
        return f"{n.label}: grads {fmt(n.grad)} (collapsed; draw with focus= to follow one node)"
    if n.is_root:
        return f"∂{out}/∂{n.label} = 1 (the seed)" if len(children[n.id]) == 0 else \
            f"∂{n.label}/∂{n.label} = 1 (the seed) + what its users send back = {fmt(n.grad)}"
    kids = [g.node(g.edges[k].dst).label for k in children[n.id]]
    if len(kids) > MAX_TERMS:
        chain = f"Σ ∂{out}/∂c · ∂c/∂{n.label} (over the {len(kids)} nodes c that use {n.label})"
    else:
        chain = " + ".join(f"∂{out}/∂{c} · ∂{c}/∂{n.label}" for c in kids)
    shape = f" (shape {n.shape})" if n.shape is not None else ""
    return f"∂{out}/∂{n.label} = {chain} = {fmt(n.grad)}{shape}" if chain else f"∂{out}/∂{n.label} = {fmt(n.grad)}"


__all__ = ["to_html", "stepper_data"]
