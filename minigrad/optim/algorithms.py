"""SGD, Adam, AdamW and RMSprop: PyTorch's update rules, written in the order PyTorch computes them.

Each ``_update`` takes the old weights ``w``, the gradient ``g``, the parameter's state and its
group's options, and returns the new weights; the base class assigns them. The formulas are
torch's single-tensor CPU implementations (``add(param, alpha=λ)``, ``lerp_``, ``addcmul_``,
``addcdiv_``), so the numbers agree with PyTorch's to rounding.
"""
from __future__ import annotations

import numpy as np

from .._checks import fail, flag, number
from .optimizer import Optimizer, hyper

__all__ = ["SGD", "Adam", "AdamW", "RMSprop"]


def _lerp(a, b, weight):
    """torch.lerp: a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w)."""
    return a + weight * (b - a) if abs(weight) < 0.5 else b - (b - a) * (1 - weight)


class SGD(Optimizer):
    """Stochastic gradient descent: d = g + λw; b = μb + (1 − τ)d (b = d at first); w ← w − lr·b.

    With ``momentum=0`` the update is w ← w − lr·(g + λw); ``nesterov`` uses d + μb instead of b;
    ``maximize`` ascends.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0, dampening=0.0, nesterov=False, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, dampening=dampening,
                                      nesterov=nesterov, maximize=maximize))

    def _options(self, fn, o):
        o["lr"] = hyper(fn, "lr", o["lr"])
        o["momentum"] = hyper(fn, "momentum", o["momentum"])
        o["weight_decay"] = hyper(fn, "weight_decay", o["weight_decay"])
        o["dampening"] = number(fn, "dampening", o["dampening"])
        flag(fn, "nesterov", o["nesterov"])
        flag(fn, "maximize", o["maximize"])
        if o["nesterov"] and (o["momentum"] <= 0 or o["dampening"] != 0):
            fail(fn, f"nesterov momentum needs momentum > 0 and dampening = 0, got momentum={o['momentum']}, "
                     f"dampening={o['dampening']}")
        return o

    def _update(self, w, g, state, o):
        d = -g if o["maximize"] else g
        if o["weight_decay"]:
            d = d + o["weight_decay"] * w
        if o["momentum"]:
            buf = state.get("momentum_buffer")
            buf = np.array(d, copy=True) if buf is None else buf * o["momentum"] + (1 - o["dampening"]) * d
            state["momentum_buffer"] = buf
            d = d + o["momentum"] * buf if o["nesterov"] else buf
        return w + (-o["lr"]) * d


class Adam(Optimizer):
    """Adam: m = β1·m + (1−β1)g, v = β2·v + (1−β2)g², w ← w − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).

    The bias correction is applied where PyTorch applies it (to the step size and to √v);
    ``weight_decay`` adds λw to g (AdamW instead shrinks w by lr·λ first); ``amsgrad`` divides
    by the running maximum of v.
    """

    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize))

    def _options(self, fn, o):
        o["lr"] = hyper(fn, "lr", o["lr"])
        betas = o["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            fail(fn, f"betas must be a pair of numbers in [0, 1), got {betas!r}", TypeError)
        o["betas"] = tuple(number(fn, f"betas[{i}]", b) for i, b in enumerate(betas))
        if not all(0 <= b < 1 for b in o["betas"]):
            fail(fn, f"betas must be in [0, 1), got {tuple(betas)}")
        o["eps"] = hyper(fn, "eps", o["eps"])
        o["weight_decay"] = hyper(fn, "weight_decay", o["weight_decay"])
        flag(fn, "amsgrad", o["amsgrad"])
        flag(fn, "maximize", o["maximize"])
        return o

    def _update(self, w, g, state, o):
        lr, (b1, b2), wd = o["lr"], o["betas"], o["weight_decay"]
        if o["maximize"]:
            g = -g
        if wd and self._decoupled:
            w = w * (1 - lr * wd)
        elif wd:
            g = g + wd * w
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(w)
            state["exp_avg_sq"] = np.zeros_like(w)
            if o["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(w)
        state["step"] += 1
        t = state["step"]
        state["exp_avg"] = m = _lerp(state["exp_avg"], g, 1 - b1)
        state["exp_avg_sq"] = v = state["exp_avg_sq"] * b2 + (1 - b2) * g * g
        if o["amsgrad"]:
            state["max_exp_avg_sq"] = v = np.maximum(state["max_exp_avg_sq"], v)
        step_size = lr / (1 - b1 ** t)
        denom = np.sqrt(v) / (1 - b2 ** t) ** 0.5 + o["eps"]
        return w + (-step_size) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): w ← w·(1 − lr·λ), then Adam's step on g."""

    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class RMSprop(Optimizer):
    """RMSprop: s = α·s + (1−α)g²; w ← w − lr·g / (√s + ε).

    ``centered`` divides by √(s − ḡ²) with ḡ the running mean of g; ``momentum`` μ keeps
    b = μb + g/(√s + ε) and steps by lr·b; ``weight_decay`` adds λw to g.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    def _options(self, fn, o):
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            o[name] = hyper(fn, name, o[name])
        flag(fn, "centered", o["centered"])
        flag(fn, "maximize", o["maximize"])
        return o

    def _update(self, w, g, state, o):
        alpha = o["alpha"]
        if o["maximize"]:
            g = -g
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(w)
            if o["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(w)
            if o["centered"]:
                state["grad_avg"] = np.zeros_like(w)
        state["step"] += 1
        if o["weight_decay"]:
            g = g + o["weight_decay"] * w
        state["square_avg"] = s = state["square_avg"] * alpha + (1 - alpha) * g * g
        if o["centered"]:
            state["grad_avg"] = mean = _lerp(state["grad_avg"], g, 1 - alpha)
            avg = np.sqrt(s + (-1 * mean) * mean)
        else:
            avg = np.sqrt(s)
        avg = avg + o["eps"]
        if o["momentum"] > 0:
            state["momentum_buffer"] = buf = state["momentum_buffer"] * o["momentum"] + g / avg
            return w + (-o["lr"]) * buf
        return w + (-o["lr"]) * (g / avg)
