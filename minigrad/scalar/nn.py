"""micrograd's ``nn`` on minigrad's Values: ``Neuron``, ``Layer``, ``MLP``, each a few lines.

``from micrograd.nn import MLP`` becomes ``from minigrad.scalar.nn import MLP`` and a micrograd
script runs as it was: the same classes, the same calls, and — drawn from Python's ``random``
as micrograd draws them — the same initial weights for the same ``random.seed``. Every weight is
a named Value (``w1``, ``b``; in an MLP ``L1.n2.w3``: layer 1, neuron 2, input 3), so diagrams
and derivations of a neuron read like a slide.
"""
from __future__ import annotations

import random

from .._checks import fail, is_int
from ..value import Value


class Module:
    """What every part has: its parameters, and ``zero_grad`` to reset their grads."""

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list:
        return []


class Neuron(Module):
    """``relu(Σ w_i·x_i + b)`` (or the bare sum when ``nonlin=False``); w ~ U(-1, 1), b = 0."""

    def __init__(self, nin, nonlin=True, prefix=""):
        if not is_int(nin) or nin < 1:
            fail("scalar.nn.Neuron", f"nin must be a positive int, got {nin!r}", TypeError if not is_int(nin) else ValueError)
        self.w = [Value(random.uniform(-1, 1), name=f"{prefix}w{i + 1}") for i in range(nin)]
        self.b = Value(0.0, name=f"{prefix}b")
        self.nonlin = nonlin

    def __call__(self, x):
        x = list(x)
        if len(x) != len(self.w):
            fail("scalar.nn.Neuron", f"x has {len(x)} inputs but the neuron takes {len(self.w)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list:
        return self.w + [self.b]

    def __repr__(self):
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons over the same inputs; one output is returned as itself, not a list."""

    def __init__(self, nin, nout, prefix="", **kwargs):
        if not is_int(nout) or nout < 1:
            fail("scalar.nn.Layer", f"nout must be a positive int, got {nout!r}", TypeError if not is_int(nout) else ValueError)
        self.neurons = [Neuron(nin, prefix=f"{prefix}n{j + 1}.", **kwargs) for j in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``nouts`` after ``nin`` inputs; ReLU everywhere but the last layer."""

    def __init__(self, nin, nouts):
        nouts = list(nouts)
        if not nouts:
            fail("scalar.nn.MLP", "nouts must list at least one layer size")
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], prefix=f"L{i + 1}.", nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x if isinstance(x, list) else [x])
        return x

    def parameters(self) -> list:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


__all__ = ["Module", "Neuron", "Layer", "MLP"]
