"""THE graph engine: topological order and the one reverse-mode pass, for Value and Tensor alike.

A node has the slots ``data``, ``grad``, ``parents``, ``op``, ``name``, ``_backward`` and
``_ctx``. ``_backward`` is the op's backward rule, a plain function written beside its forward
(value.py, ops/). It RETURNS its parents' contributions and never writes a grad:

- a scalar node's rule gives the local partials ``∂node/∂parent`` (``rule(node)``); the engine
  multiplies each by the node's adjoint;
- a tensor node's rule gives the vector-Jacobian products (``rule(node, g, needs)``, None where
  ``needs`` says a parent wants no gradient); the engine sums each back over broadcast axes.

This module alone accumulates. The same pass runs over numbers (``backward``), over formulas
(``mg.derive`` runs it on a mirror of the graph whose data are symbols) and for readers that
want every edge (a ``listener`` sees node, parent, local partial and contribution).
"""
from __future__ import annotations

import threading

import numpy as np


class _GradMode(threading.local):
    """Whether new operations record a graph; one flag per thread, like PyTorch."""

    enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations on tensors record the graph (outside ``no_grad``)."""
    return _mode.enabled


class no_grad:
    """Context manager (and decorator) under which tensor operations record no graph."""

    def __enter__(self):
        self._prev = _mode.enabled
        _mode.enabled = False
        return self

    def __exit__(self, *exc):
        _mode.enabled = self._prev
        return False

    def __call__(self, fn):
        def wrapped(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        wrapped.__name__ = getattr(fn, "__name__", "wrapped")
        wrapped.__doc__ = getattr(fn, "__doc__", None)
        return wrapped


class Node:
    """Base class of graph nodes. ``_SCALAR``: the backward rule returns local partials
    (Value, and the mirrors a derivation runs on) rather than vector-Jacobian products."""

    __slots__ = ()
    _SCALAR = True

    @property
    def is_leaf(self) -> bool:
        """A leaf has no parents: an input, a weight or a constant."""
        return not self.parents


_EMIT_NEXT = object()
"""On ``topological_order``'s stack, above a node whose parents are pushed above it: emit that node
(a marker instead of a (node, done) tuple per entry: one allocation less per node)."""


def topological_order(*roots, left_first=True) -> list:
    """Every node reachable from ``roots``, each once, parents before children.

    Iterative depth-first post-order (a chain of 10^6 nodes needs no recursion). Taking
    parents left to right, the order reads like the slides (x11, w11, x11*w11, x12, ...):
    derivations number unnamed nodes and diagrams lay them out in it. Right to left
    (``left_first=False``), its REVERSE reads left to right: the order of the backward pass.
    """
    order, seen = [], set()
    emit, add = order.append, seen.add
    stack = list(reversed(roots))
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node is _EMIT_NEXT:  # the node below it has all its parents emitted
            emit(pop())
            continue
        if node in seen:
            continue
        add(node)
        ps = node.parents
        if not ps:  # a leaf is done at once
            emit(node)
            continue
        push(node)
        push(_EMIT_NEXT)
        for p in (reversed(ps) if left_first else ps):
            if p not in seen:
                push(p)
    return order


def on_paths(order, targets) -> set:
    """The nodes of ``order`` (parents first) that lie on a path from one of ``targets``:
    the targets themselves and everything computed from them."""
    on = set(targets)
    for node in order:
        if node not in on:
            for p in node.parents:
                if p in on:
                    on.add(node)
                    break
    return on


def backward_order(root, targets=None) -> list:
    """The nodes one reverse pass from ``root`` visits, in visiting order (root first): all of
    its graph, or only the nodes on a path from ``targets`` to ``root``."""
    order = topological_order(root, left_first=False)
    if targets is not None:
        on = on_paths(order, targets)
        order = [n for n in order if n in on]
    order.reverse()
    return order


def adjoints(root, seed, targets=None, listener=None, order=None) -> dict:
    """One reverse pass: ``{node: ∂root/∂node}`` for every node it reaches, grads untouched.

    ``seed`` is ∂root/∂root (1.0, an array of root's shape, or a formula). With ``targets``,
    only the nodes on a path from a target to ``root`` are visited and only they receive
    contributions (tinygrad's compute_gradient). ``listener(node, parent, local, contribution)``,
    when given, hears every edge as it is sent (``local`` is None for tensors). Nodes are
    visited in ``backward_order``; each adjoint is complete when its node is visited.
    ``order`` is ``topological_order(root, left_first=False)`` when the caller has it already.
    """
    if order is None:
        order = topological_order(root, left_first=False)
    on = None if targets is None else on_paths(order, targets)
    if on is not None and root not in on:
        return {}
    adj = {root: seed}
    get = adj.get
    for node in reversed(order):
        if on is not None and node not in on:
            continue
        g = get(node)
        rule = node._backward
        if g is None or rule is None:
            continue
        parents = node.parents
        if node._SCALAR:
            for p, local in zip(parents, rule(node)):
                if on is not None and p not in on:
                    continue
                c = local * g
                prev = get(p)
                adj[p] = c if prev is None else prev + c
                if listener is not None:
                    listener(node, p, local, c)
        else:
            for p, c in step(node, g, None if on is None else on.__contains__):
                prev = get(p)
                adj[p] = c if prev is None else prev + c
                if listener is not None:
                    listener(node, p, None, c)
    return adj


def step(node, g, wanted=None) -> list:
    """What one tensor node sends back: ``[(parent, contribution)]`` for its adjoint ``g``, each
    summed back to the parent's shape and dtype, for the parents that wanted a gradient when
    the op was recorded (and that ``wanted(parent)`` accepts). Raises if an input changed."""
    parents, when = node.parents, node._recorded
    if node._version > when:
        node._changed(node)
    for p in parents:
        if p._version > when:
            node._changed(p)
    needs = node._needs
    out = []
    for p, c, need in zip(parents, node._backward(node, g, needs), needs):
        if c is None or not need:
            continue
        if wanted is not None and not wanted(p):
            continue
        pd = p._data
        if c.shape != pd.shape:
            c = unbroadcast(c, pd.shape)
        dt = pd.dtype
        if c.dtype is not dt and c.dtype != dt:
            c = c.astype(dt)
        out.append((p, c))
    return out


def backward(root, seed, targets=None):
    """Reverse mode from ``root``: each visited node's adjoint is added into its ``.grad``.

    Grads accumulate across passes, like PyTorch's leaves; interior nodes keep theirs as well
    (diagrams and derivations read them), so each pass adds only its own adjoints.
    """
    for node, g in adjoints(root, seed, targets).items():
        if node._SCALAR:
            node.grad += g
        else:
            old = node.grad  # contributions already have the node's dtype; a leaf's grad is its own array
            node.grad = (g if node.parents else np.array(g, copy=True)) if old is None else old + g


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` back to ``shape``: the adjoint of NumPy broadcasting."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    return g.sum(axis=axes).reshape(shape)


def gated(g: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``g · weight`` where ``weight`` (a 0/1 mask, or shares such as 1/2 on a tie) is nonzero,
    and exactly 0 where it is 0, even where ``g`` is inf or NaN: the gradient of a selection
    (relu, clamp, max, maximum) never reaches the inputs it did not select, as in PyTorch's
    masked backward formulas. The product first; the exact form only when the product is not
    finite (its sum, one fast pass, says so)."""
    out = g * weight
    if np.isfinite(np.sum(out)):
        return out
    return np.where(weight != 0, out, np.zeros((), out.dtype))
