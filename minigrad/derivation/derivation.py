"""``mg.derive(output, wrt)``: ∂output/∂wrt as the slides derive it, from the engine's one pass."""
from __future__ import annotations

import numpy as np

from .._checks import fail, is_int, type_name
from ..tensor import Tensor
from ..value import Value
from . import expr as E
from .backprop import Backprop
from .render import Latex, Text, derivation_lines, wrt_name


class Step:
    """One chain-rule step ``∂node/∂parent = local`` on a path from the output to ``wrt``.

    ``node`` and ``parent`` are names; ``local`` is the sympy local partial (``x11`` for
    ``∂mul1/∂w11``); ``value`` its float; ``adjoint`` / ``adjoint_value`` are ∂output/∂node;
    ``branch`` is the decision a max / relu took (text), else None.
    """

    __slots__ = ("node", "parent", "_local", "value", "_adjoint", "adjoint_value", "branch")

    def __init__(self, node, parent, local, value, adjoint, adjoint_value, branch=None):
        self.node, self.parent, self._local, self.value = node, parent, local, value
        self._adjoint, self.adjoint_value, self.branch = adjoint, adjoint_value, branch

    local = property(lambda self: E.to_sympy(self._local), doc="The local partial (sympy).")
    adjoint = property(lambda self: E.to_sympy(self._adjoint), doc="∂output/∂node (sympy).")

    def __str__(self):
        text = f"∂{self.node}/∂{self.parent} = {E.text(self._local)}"
        return text if self.branch is None else f"{self.branch}: {text}"

    def __repr__(self):
        return f"Step({self})"


class Derivation:
    """∂output/∂wrt: ``value`` (float), ``expression`` (sympy, over leaf names), ``steps``.

    ``str(d)`` is the derivation one chain-rule step per line; ``d.latex()`` the same in LaTeX.
    ``adjoint`` is the same gradient before intermediate names are expanded (``1 - tanh1**2``).
    The pass behind it holds every node's adjoint: ``d.partial(other)`` derives ∂output/∂other
    without another pass. Formulas too large to read are summarised in the text, and
    ``expression`` raises ``FormulaTooLarge`` (a ValueError) rather than build them.
    """

    def __init__(self, bp, wrt, scalar_output=None):
        self._bp, self._wrt = bp, wrt
        self.output = bp.name(bp.output)
        self.wrt = wrt_name(bp, wrt)
        self.value = float(bp.value.get(wrt, 0.0)) if bp.reached(wrt) else 0.0
        self.scalar_output = scalar_output  # the expanded scalar graph when output was a Tensor

    @property
    def formula(self) -> E.Expr:
        """∂output/∂wrt as minigrad's own formula type, over the leaves (never too large to hold)."""
        return self._bp.to_leaves(self._adjoint_formula())

    def _adjoint_formula(self):
        bp, wrt = self._bp, self._wrt
        if bp.output is wrt:
            return E.ONE
        return bp.adjoint.get(wrt, E.ZERO)

    @property
    def expression(self):
        """∂output/∂wrt over the leaves' names, as sympy (``x11 + x12 + x21 + x22``)."""
        return E.to_sympy(self.formula)

    @property
    def adjoint(self):
        """∂output/∂wrt over the named intermediates, as sympy (``1 - tanh1**2``)."""
        return E.to_sympy(self._adjoint_formula())

    @property
    def steps(self) -> list:
        """The chain-rule steps, one per edge on a path from wrt to the output, output first."""
        bp, wrt = self._bp, self._wrt
        steps = []
        if not bp.reached(wrt) or bp.output is wrt:
            return steps
        for node in bp.path(wrt):
            branch = f"selected {bp.name(node.parents[node.selected])}" if node.op == "max" else None
            for parent, local, value in bp.edges(node, wrt):
                if node.op in ("relu", "leaky_relu"):
                    branch = f"{bp.name(parent)} {'>' if parent.data > 0 else '<='} 0"
                steps.append(Step(bp.name(node), bp.name(parent), local, float(value),
                                  bp.adjoint[node], float(bp.value[node]), branch))
        return steps

    @property
    def symbols(self) -> dict:
        """Name -> sympy Symbol of every named node of the graph."""
        return {name: E.to_sympy(self._bp.symbol[node]) for name, node in self._bp.nodes.items()}

    def partial(self, wrt) -> "Derivation":
        """∂output/∂wrt for another node ``wrt``, from the same pass."""
        if not isinstance(wrt, Value):
            fail("Derivation.partial", f"wrt must be a Value of output's graph, got {type_name(wrt)}", TypeError)
        return Derivation(self._bp, wrt, self.scalar_output)

    def __str__(self):
        return Text().lines(derivation_lines(self._bp, self._wrt, Text()))

    def latex(self) -> str:
        """The derivation as a LaTeX ``aligned`` block, one step per line."""
        return Latex().lines(derivation_lines(self._bp, self._wrt, Latex()))

    def _repr_latex_(self):
        return f"$${self.latex()}$$"

    def __repr__(self):
        return f"Derivation(∂{self.output}/∂{self.wrt} = {E.text(self.formula)} = {self.value:.6g})"


def derive(output, wrt):
    """∂output/∂wrt, derived by running value.py's backward rules on symbols in one pass.

    ``output`` and ``wrt`` are Values (``wrt`` may be a leaf or an interior node); a list of
    Values gives a list of Derivations from the same pass. For a one-element Tensor ``output``,
    ``wrt`` is ``(tensor, index)`` (e.g. ``(conv.weight, (0, 0, 1, 1))``) or a one-element Tensor
    (or a list of them): the tensor graph is first rebuilt at scalar granularity with
    ``mg.scalar.expand``, whose leaves are named after the tensors.
    """
    many = isinstance(wrt, list) or (isinstance(wrt, tuple) and wrt and all(isinstance(w, Value) for w in wrt))
    targets = list(wrt) if many else [wrt]
    if many and not targets:
        fail("derive", "wrt is an empty list", ValueError)
    scalar = None
    if isinstance(output, Tensor):
        output, targets, scalar = _expand_for("derive", output, targets)
    elif not isinstance(output, Value):
        fail("derive", f"output must be a Value or a one-element Tensor, got {type_name(output)}", TypeError)
    for w in targets:
        if not isinstance(w, Value):
            fail("derive", f"wrt must be a Value of output's graph, got {type_name(w)} {w!r}", TypeError)
    bp = Backprop(output)
    found = [Derivation(bp, w, scalar) for w in targets]
    return found if many else found[0]


def _expand_for(fn, output, targets):
    """The scalar graph of a one-element Tensor ``output`` and the Values standing for ``targets``."""
    from ..scalar.expand import expand_graph

    if output.data.size != 1:
        fail(fn, f"a Tensor output must have one element (a loss), got shape {output.shape}; "
             "pick one element first, e.g. output[0, 1] or output.sum()")
    picks = [_pick(fn, w) for w in targets]
    scalar, grids = expand_graph(output)
    out = scalar if isinstance(scalar, Value) else np.asarray(scalar, dtype=object).reshape(-1)[0]
    elements = []
    for tensor, index in picks:
        grid = grids.get(id(tensor))
        if grid is None:
            fail(fn, f"wrt (a Tensor of shape {tensor.shape}{_named(tensor)}) is not part of output's graph")
        elements.append(grid[index])
    return out, elements, scalar


def _pick(fn, wrt):
    """``(tensor, index)`` for ``wrt``, given as (tensor, index) or a one-element Tensor."""
    if isinstance(wrt, Tensor):
        tensor, index = wrt, None
    elif isinstance(wrt, tuple) and len(wrt) == 2 and isinstance(wrt[0], Tensor):
        tensor, index = wrt
    else:
        fail(fn, "with a Tensor output, wrt must be (tensor, index) or a one-element Tensor, "
             f"got {type_name(wrt)} {wrt!r}", TypeError)
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
    return tensor, index


def _named(t):
    return f" named {t.name!r}" if t.name else ""


__all__ = ["derive", "Derivation", "Step"]
