"""THE graph engine: topological order and one reverse-mode pass for Value and Tensor alike.

A node is any object with the slots ``data``, ``grad``, ``parents``, ``op``, ``name``,
``_backward`` and ``_ctx``. ``_backward(out)`` is a plain function (never a closure, so a
graph holds no reference cycles) that adds ``out.grad`` times the local partials into the
parents' grads; it sits right beside the forward it differentiates, in value.py or ops/.
"""
from __future__ import annotations

import threading


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
    """Marker base class of graph nodes (Value, Tensor); the engine needs only the slots."""

    __slots__ = ()

    @property
    def is_leaf(self) -> bool:
        """A leaf has no parents: an input, a weight or a constant."""
        return not self.parents


def topological_order(*roots, left_first=True) -> list:
    """Every node reachable from ``roots``, each once, parents before children.

    Iterative depth-first post-order (a chain of 10^6 nodes needs no recursion). Taking
    parents left to right, the order reads like the slides (x11, w11, x11*w11, x12, ...):
    derivations number unnamed nodes and diagrams lay them out in it. Right to left
    (``left_first=False``), its REVERSE reads left to right: the order a backward pass
    that is printed step by step wants.
    """
    order, seen = [], set()
    emit, add = order.append, seen.add
    stack = [(r, False) for r in reversed(roots)]
    push, pop = stack.append, stack.pop
    while stack:
        node, done = pop()
        if done:
            emit(node)
            continue
        if node in seen:
            continue
        add(node)
        push((node, True))
        ps = node.parents
        for p in (reversed(ps) if left_first else ps):
            if p not in seen:
                push((p, False))
    return order


def backward(root, seed) -> list:
    """Reverse mode from ``root`` with adjoint ``seed``; returns the nodes in topological order.

    Leaf grads accumulate across passes (like PyTorch). Interior nodes keep their grads too
    (diagrams and derivations read them), so each pass starts their adjoints at zero and adds
    the old grads back at the end: a second pass never re-sends the first one's adjoints.
    """
    order = topological_order(root, left_first=False)  # the order mg.derive replays, so its sums agree bit for bit
    kept = []
    for node in order:
        if node.parents:
            g = node.grad
            if g is not node._NO_GRAD:
                kept.append((node, g))
                node.grad = node._NO_GRAD
    g = root.grad
    root.grad = seed if g is None else g + seed
    try:
        for node in reversed(order):
            fn = node._backward
            if fn is not None and node.grad is not None:
                fn(node)
    finally:  # even a pass interrupted midway gives the interior nodes their old grads back
        for node, old in kept:
            new = node.grad
            node.grad = old if new is None else old + new
    return order
