"""``mg.derive(output, wrt)``: ∂output/∂wrt as the slides derive it, from the engine's own rules."""
from __future__ import annotations

import numpy as np

from .._checks import fail, is_int
from ..tensor import Tensor
from ..value import Value
from .render import Latex, Text, derivation_lines
from .symbolic import symbolic_backward, to_leaves


class Step:
    """One chain-rule step ``∂node/∂parent = local`` on a path from the output to ``wrt``.

    ``node`` and ``parent`` are names; ``local`` is the sympy local partial (``x11`` for
    ``∂mul1/∂w11``); ``value`` its float; ``adjoint`` / ``adjoint_value`` are ∂output/∂node;
    ``branch`` is the decision a max / relu took (text), else None.
    """

    __slots__ = ("node", "parent", "local", "value", "adjoint", "adjoint_value", "branch")

    def __init__(self, node, parent, local, value, adjoint, adjoint_value, branch=None):
        self.node, self.parent, self.local, self.value = node, parent, local, value
        self.adjoint, self.adjoint_value, self.branch = adjoint, adjoint_value, branch

    def __str__(self):
        text = f"∂{self.node}/∂{self.parent} = {self.local}"
        return text if self.branch is None else f"{self.branch}: {text}"

    def __repr__(self):
        return f"Step({self})"


class Derivation:
    """∂output/∂wrt: ``value`` (float), ``expression`` (sympy, over leaf names), ``steps``.

    ``str(d)`` is the derivation one chain-rule step per line; ``d.latex()`` the same in LaTeX.
    ``adjoint`` is the same gradient before intermediate names are expanded (``1 - tanh1**2``).
    """

    def __init__(self, result, scalar_output=None):
        self._result = result
        self.output = result.name(result.output)
        self.wrt = result.name(result.wrt)
        self.value = float(result.value)
        self.adjoint = result.adjoint
        self.expression = to_leaves(result.adjoint, result)
        result.expression = self.expression
        self.steps = _steps(result)
        self.scalar_output = scalar_output  # the expanded scalar graph when output was a Tensor

    @property
    def symbols(self) -> dict:
        """Name -> sympy Symbol of every named node the derivation met."""
        return {name: self._result.symbol(node) for name, node in self._result.nodes.items()}

    def __str__(self):
        return Text().lines(derivation_lines(self._result, Text()))

    def latex(self) -> str:
        """The derivation as a LaTeX ``aligned`` block, one step per line."""
        return Latex().lines(derivation_lines(self._result, Latex()))

    def _repr_latex_(self):
        return f"$${self.latex()}$$"

    def __repr__(self):
        return f"Derivation(∂{self.output}/∂{self.wrt} = {self.expression} = {self.value:.6g})"


def _steps(result) -> list:
    steps = []
    for visit in result.visits:
        node = visit.node
        branch = None
        if node.op == "max":
            k = node._ctx
            branch = f"selected {result.name(node.parents[k])}"
        for e in visit.edges:
            if node.op in ("relu", "leaky_relu"):
                branch = f"{result.name(e.parent)} {'>' if e.parent.data > 0 else '<='} 0"
            steps.append(Step(result.name(node), result.name(e.parent), e.local, float(e.value),
                              visit.adjoint, float(visit.adjoint_value), branch))
    return steps


def derive(output, wrt) -> Derivation:
    """∂output/∂wrt, derived by running value.py's backward rules on sympy symbols.

    ``output`` and ``wrt`` are Values (``wrt`` may be a leaf or an interior node). For a
    one-element Tensor ``output``, ``wrt`` is ``(tensor, index)`` (e.g. ``(conv.weight,
    (0, 0, 1, 1))``) or a one-element Tensor: the tensor graph is first rebuilt at scalar
    granularity with ``mg.scalar.expand``, whose leaves are named after the tensors.
    """
    if isinstance(output, Tensor):
        output, wrt, scalar = _expand_for("derive", output, wrt)
        return Derivation(symbolic_backward(output, wrt), scalar)
    if not isinstance(output, Value):
        fail("derive", f"output must be a Value or a one-element Tensor, got {type(output).__name__}", TypeError)
    if not isinstance(wrt, Value):
        fail("derive", f"wrt must be a Value of output's graph, got {type(wrt).__name__} {wrt!r}", TypeError)
    return Derivation(symbolic_backward(output, wrt))


def _expand_for(fn, output, wrt):
    """The scalar graph of a one-element Tensor ``output`` and the Value standing for ``wrt``."""
    from ..scalar.expand import expand_graph

    if output.data.size != 1:
        fail(fn, f"a Tensor output must have one element (a loss), got shape {output.shape}; "
             "pick one element first, e.g. output[0, 1] or output.sum()")
    if isinstance(wrt, Tensor):
        tensor, index = wrt, None
    elif isinstance(wrt, tuple) and len(wrt) == 2 and isinstance(wrt[0], Tensor):
        tensor, index = wrt
    else:
        fail(fn, "with a Tensor output, wrt must be (tensor, index) or a one-element Tensor, "
             f"got {type(wrt).__name__} {wrt!r}", TypeError)
    if index is None:
        if tensor.data.size != 1:
            fail(fn, f"wrt is a Tensor of shape {tensor.shape}; pass (tensor, index) to pick one element")
        index = (0,) * tensor.ndim
    if is_int(index):
        index = (int(index),)
    if not (isinstance(index, tuple) and all(is_int(i) for i in index)):
        fail(fn, f"the index in wrt must be a tuple of ints, got {index!r}", TypeError)
    if len(index) != tensor.ndim or any(not -n <= i < n for i, n in zip(index, tensor.shape)):
        fail(fn, f"index {index} is out of range for wrt of shape {tensor.shape}", IndexError)
    scalar, grids = expand_graph(output)
    grid = grids.get(id(tensor))
    if grid is None:
        fail(fn, f"wrt (a Tensor of shape {tensor.shape}{_named(tensor)}) is not part of output's graph")
    out = scalar if isinstance(scalar, Value) else np.asarray(scalar, dtype=object).reshape(-1)[0]
    return out, grid[index], scalar


def _named(t):
    return f" named {t.name!r}" if t.name else ""


__all__ = ["derive", "Derivation", "Step"]
