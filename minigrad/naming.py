"""Names the readers of a graph agree on: slide-style element names, automatic names for
unnamed nodes (``mul1``, ``sum2``) and numbers for display. Derivations, diagrams and the
stepper all take their names from here, so they always call a node the same thing."""
from __future__ import annotations

import math
import re

from .engine import topological_order
from .optable import lookup


def element_name(name: str, index: tuple, shape: tuple) -> str:
    """``x11`` for a 2-D grid with both sides < 10 (1-based, like the slides), else ``x[i,j]``; the
    one element of a 0-d tensor is ``x`` itself (the name ``mg.scalar.expand`` gives it)."""
    if not shape:
        return name
    if len(shape) == 2 and shape[0] < 10 and shape[1] < 10:
        return f"{name}{index[0] + 1}{index[1] + 1}"
    return f"{name}[{','.join(str(i + 1) for i in index)}]"


_SMALL = re.compile(r"^([^\W\d_]+)(\d)(\d)$")
_BRACKET = re.compile(r"^([^\W\d]\w*?)\[(\d+(?:,\d+)*)\]$")


def parse_element(name: str):
    """The inverse of ``element_name``: ``(base, 1-based index, form)`` (x11 -> ('x', (1, 1), 'small')), else None."""
    m = _SMALL.match(name)
    if m:
        return m.group(1), (int(m.group(2)), int(m.group(3))), "small"
    m = _BRACKET.match(name)
    if m:
        return m.group(1), tuple(int(i) for i in m.group(2).split(",")), "bracket"
    return None


def named_elements(nodes):
    """``(name, (base, index, form))`` for each name that is a grid element."""
    for name in nodes:
        p = parse_element(name)
        if p is not None:
            yield name, p


def grid_shapes(nodes) -> dict:
    """base -> shape (the largest index per axis) of every grid named in the graph."""
    shapes = {}
    for _, (base, idx, _) in named_elements(nodes):
        old = shapes.get(base)
        if old is None or len(old) == len(idx):
            shapes[base] = idx if old is None else tuple(max(a, b) for a, b in zip(old, idx))
    return shapes


def element(base, idx, form) -> str:
    """The name of element ``idx`` (1-based) of grid ``base``, written in ``form``."""
    if form == "small" and all(1 <= i <= 9 for i in idx):
        return f"{base}{idx[0]}{idx[1]}"
    return f"{base}[{','.join(str(i) for i in idx)}]"


def op_word(node) -> str:
    """How automatic names call an interior node: its op's table word (``*`` → ``mul``)."""
    entry = lookup(node)
    if entry is not None:
        return entry.word
    return "".join(c for c in str(node.op) if c.isalnum()) or "node"


def display_names(*roots, order=None) -> dict:
    """``node -> name`` for every node under ``roots``; ``None`` for unnamed constant leaves.

    Named nodes keep their names (a second distinct node with the same name gets a prime:
    ``x'``). Unnamed interior nodes are named by op and position: ``mul1, mul2, ..., sum1,
    max1`` in topological order, skipping names the user already took. Deterministic: the same
    graph always gets the same names.
    """
    if order is None:
        order = topological_order(*roots)
    taken = {n.name for n in order if n.name}
    names, used, counters = {}, set(), {}
    for node in order:
        name = node.name
        if name:
            while name in used:
                name += "'"
        elif node.parents:
            prefix = op_word(node)
            while True:
                counters[prefix] = counters.get(prefix, 0) + 1
                name = f"{prefix}{counters[prefix]}"
                if name not in taken and name not in used:
                    break
        names[node] = name
        if name:
            used.add(name)
    return names


def format_number(x) -> str:
    """A float for display: ``4`` for 4.0, else 6 significant digits."""
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def forward_text(node, args) -> str:
    """What ``node`` computes over its parents' names, in its op's printed form (``x11*w11``,
    ``max(s11, s12)``); an op without one as ``op(args)`` (``conv2d(x, w)``)."""
    op = lookup(node)
    form = None if op is None else op.text
    return form(list(args), node._ctx) if form else f"{node.op}({', '.join(args)})"
