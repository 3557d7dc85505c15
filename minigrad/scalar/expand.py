"""``mg.scalar.expand``: a Tensor's computation rebuilt at scalar granularity, one Value per number.

The tensor graph is walked in the engine's topological order; each tensor node becomes an
object array of Values built by its op's ``expand`` rule, written beside the op in ``ops/``: a convolution output is ONE
``sum`` node over one ``*`` node per kernel tap (plus the bias), a max-pool output ONE n-ary
``max`` node over its window, a linear output ONE ``sum`` over ``x·w`` products and the bias,
elementwise ops map Value's operators, reshapes and indexing only move Values around. Leaves
are named after the tensors: ``x11`` for a small 2-D tensor named ``x``, ``x[n,c,i,j]``
otherwise (1-based, see ``element_name``); unnamed leaves that require grad are named ``t1,
t2, ...`` in topological order, other unnamed leaves are constants. A named interior tensor
(``s.name = "s"``) names the nodes it adds the same way. Values equal the tensor's
and, after ``backward``, the leaves' grads equal the tensors' grads element by element.
"""
from __future__ import annotations

import numpy as np

from .. import ops  # noqa: F401 (every tensor op's table entry, with its expansion rule)
from .._checks import fail, type_name
from ..engine import topological_order
from ..naming import element_name
from ..optable import TENSOR_OPS, lookup
from ..tensor import Tensor
from ..value import Value, _const

_FN = "scalar.expand"


def expand(tensor):
    """The scalar graph of ``tensor``: a grid of Values of its shape (a Value for a 0-d tensor)."""
    out, _ = expand_graph(tensor)
    return out


def expand_graph(tensor):
    """``(expanded output, {id(tensor node): object array of Values})`` for every node."""
    if not isinstance(tensor, Tensor):
        fail(_FN, f"tensor must be a Tensor, got {type_name(tensor)}", TypeError)
    grids, auto = {}, 0
    for t in topological_order(tensor):
        if not t.parents:
            name = t.name
            if name is None and t.requires_grad:
                auto += 1
                name = f"t{auto}"
            g = _leaf(t.data, name)
        else:
            op = lookup(t)
            if op is None or op.expand is None:
                fail(_FN, f"cannot expand op {t.op!r} (output shape {t.shape}) to scalars; "
                     f"expandable ops: {', '.join(expandable())}")
            g = np.asarray(op.expand(t, *[grids[id(p)] for p in t.parents]), dtype=object)
            if g.shape != t.shape:
                fail(_FN, f"internal error: op {t.op!r} expanded to shape {g.shape}, expected {t.shape}",
                     RuntimeError)
            if t.name:  # a named interior tensor names its new nodes: s[1,1,1,1], or loss
                for idx, v in np.ndenumerate(g):
                    if v.name is None and v.parents:
                        v.name = element_name(t.name, idx, t.shape)
        grids[id(t)] = g
    out = grids[id(tensor)]
    return (out[()] if out.ndim == 0 else out), grids


def _leaf(data, name):
    out = np.empty(data.shape, dtype=object)
    for idx, x in np.ndenumerate(data):
        if name is None:
            out[idx] = _const(float(x), "expand")
        else:
            out[idx] = Value(float(x), element_name(name, idx, data.shape))
    return out


def expandable() -> list:
    """The tensor ops ``expand`` can rebuild."""
    return sorted(name for name, op in TENSOR_OPS.items() if op.expand is not None)
