"""The op table: everything a reader of the graph needs to know about an op, in one record.

Each op registers its ``Op`` in the file where its forward and backward rule are written
(value.py for scalars, ops/ for tensors), so adding an op touches one file. Nodes carry the
op's name in ``.op`` and its rule in ``._backward``; the engine needs nothing else. The
derivations, the diagrams and ``mg.scalar.expand`` look the rest up here by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, eq=False)
class Op:
    """One op: its name (the node's ``.op``), backward rule and the forms readers print.

    - ``word``: how automatic names and diagram labels call its nodes (``mul`` → mul1, mul2).
    - ``text(args, ctx)`` / ``latex(args, ctx)``: the forward written over its parents' names
      (``x11*w11``); None means ``word(args)``.
    - ``formula(args, ctx)``: the forward over formulas (derivation/expr.py), so a
      derivation can expand intermediate names down to the leaves (scalar ops).
    - ``decision(node)``: for ops whose partials depend on a comparison (max, relu), the
      comparisons the numbers made, as ``(left parent index, relation, right parent index or
      number)`` triples; a derivation prints them as ``if (s11 > s12): ...``.
    - ``expand(t, *parent_grids)``: the tensor op rebuilt at scalar granularity (Values).
    """

    name: str
    backward: Callable
    word: str = ""
    text: Callable | None = None
    latex: Callable | None = None
    formula: Callable | None = None
    decision: Callable | None = None
    expand: Callable | None = None

    def __post_init__(self):
        if not self.word:
            word = self.name if self.name.replace("_", "").isalnum() else "".join(c for c in self.name if c.isalnum())
            object.__setattr__(self, "word", word or "node")


SCALAR_OPS: dict[str, Op] = {}
"""The ops of Value nodes, by name."""
TENSOR_OPS: dict[str, Op] = {}
"""The ops of Tensor nodes, by name (``+`` on tensors is another op than ``+`` on Values)."""


def register(name: str, backward: Callable, *, scalar: bool, **forms) -> Op:
    """Make the ``Op`` called ``name`` and enter it in its table (a name is registered once)."""
    table = SCALAR_OPS if scalar else TENSOR_OPS
    if name in table:
        raise RuntimeError(f"op {name!r} is registered twice")
    op = table[name] = Op(name, backward, **forms)
    return op


def lookup(node) -> Op | None:
    """The ``Op`` of ``node`` (a Value, a Tensor or a mirror of one), None for a leaf."""
    return (SCALAR_OPS if node._SCALAR else TENSOR_OPS).get(node.op)
