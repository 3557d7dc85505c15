"""Optimizers: SGD (momentum, weight decay) and Adam, equal to PyTorch's updates step for step.

An optimizer holds the parameters and its own state (momentum buffers, Adam's moments);
``step()`` reads each ``p.grad`` and writes a NEW ``p.data`` array, so a graph the user keeps
for a diagram still shows the weights it was computed with. Parameters whose grad is None
are skipped, like PyTorch.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np

from ._checks import fail, number, type_name
from .tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer(ABC):
    """Base class: keeps ``params`` (a list of leaf Tensors) and ``zero_grad()``s them."""

    def __init__(self, params, name: str):
        if isinstance(params, Tensor):
            fail(name, "params must be an iterable of Tensors (e.g. model.parameters()), got one Tensor", TypeError)
        try:
            params = list(params)
        except TypeError:
            fail(name, f"params must be an iterable of Tensors, got {type(params).__name__}", TypeError)
        if not params:
            fail(name, "params is an empty list: the optimizer has nothing to update "
                       "(did the model register its Parameters, or was the generator used up?)")
        seen = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                fail(name, f"params[{i}] must be a Tensor, got {type_name(p)}", TypeError)
            if p.parents:
                fail(name, f"params[{i}] (shape {p.shape}) is not a leaf: it was computed by {p.op!r}; "
                           "an optimizer can only update leaves")
            if p.data.dtype.kind != "f":
                fail(name, f"params[{i}] must be floating point, got dtype {p.data.dtype}")
            if id(p) in seen:
                fail(name, f"params[{i}] (shape {p.shape}) appears more than once")
            seen.add(id(p))
        self.params = params
        self.state = [dict() for _ in params]

    def zero_grad(self):
        """Forget every parameter's gradient (``grad = None``, like PyTorch's default)."""
        for p in self.params:
            p.grad = None

    def step(self):
        """Update every parameter that has a gradient."""
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                g = np.asarray(p.grad)
                if g.shape != p.data.shape:
                    fail(f"{type(self).__name__}.step", f"grad has shape {g.shape} but the parameter has shape {p.data.shape}")
                p.data = self._update(p.data, g, state).astype(p.data.dtype, copy=False)

    @abstractmethod
    def _update(self, w, g, state):
        """The new weights from the old ``w``, the gradient ``g`` and this parameter's ``state``."""


class SGD(Optimizer):
    """Stochastic gradient descent: d = g + λw; b = μb + d (b = d at first); w ← w − lr·b.

    With ``momentum=0`` the update is w ← w − lr·(g + λw). ``dampening`` and ``nesterov``
    follow PyTorch too.
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, dampening=0.0, nesterov=False):
        self.lr = number("SGD", "lr", lr, minimum=0.0)
        self.momentum = number("SGD", "momentum", momentum, minimum=0.0)
        self.weight_decay = number("SGD", "weight_decay", weight_decay, minimum=0.0)
        self.dampening = number("SGD", "dampening", dampening)
        if not isinstance(nesterov, bool):
            fail("SGD", f"nesterov must be a bool, got {nesterov!r}", TypeError)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            fail("SGD", f"nesterov momentum needs momentum > 0 and dampening = 0, got momentum={momentum}, dampening={dampening}")
        self.nesterov = nesterov
        super().__init__(params, "SGD")

    def _update(self, w, g, state):
        d = g + self.weight_decay * w if self.weight_decay else g
        if self.momentum:
            buf = state.get("momentum_buffer")
            buf = np.array(d, copy=True) if buf is None else self.momentum * buf + (1 - self.dampening) * d
            state["momentum_buffer"] = buf
            d = d + self.momentum * buf if self.nesterov else buf
        return w - self.lr * d

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay}, params={len(self.params)})"


class Adam(Optimizer):
    """Adam: m = β1·m + (1−β1)g, v = β2·v + (1−β2)g², w ← w − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).

    The bias correction is applied exactly where PyTorch applies it (to the step size and
    to √v), so the updates agree to rounding.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.lr = number("Adam", "lr", lr, minimum=0.0)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            fail("Adam", f"betas must be a pair of numbers in [0, 1), got {betas!r}", TypeError)
        b1 = number("Adam", "betas[0]", betas[0], minimum=0.0)
        b2 = number("Adam", "betas[1]", betas[1], minimum=0.0)
        if b1 >= 1 or b2 >= 1:
            fail("Adam", f"betas must be in [0, 1), got {tuple(betas)}")
        self.betas = (b1, b2)
        self.eps = number("Adam", "eps", eps, minimum=0.0)
        self.weight_decay = number("Adam", "weight_decay", weight_decay, minimum=0.0)
        super().__init__(params, "Adam")

    def _update(self, w, g, state):
        b1, b2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * w
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(w)
            state["exp_avg_sq"] = np.zeros_like(w)
        state["step"] += 1
        t = state["step"]
        m = state["exp_avg"]
        m = m + (1 - b1) * (g - m)                    # torch: exp_avg.lerp_(grad, 1 - beta1)
        v = state["exp_avg_sq"] * b2 + (1 - b2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        step_size = self.lr / (1 - b1 ** t)
        denom = np.sqrt(v) / math.sqrt(1 - b2 ** t) + self.eps
        return w - step_size * (m / denom)

    def __repr__(self):
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, params={len(self.params)})"
