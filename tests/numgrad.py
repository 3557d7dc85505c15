"""Central differences, the reference every gradient test compares against (float64).

    from numgrad import check_grads

``check_grads(fn, *inputs)`` is ``mg.gradcheck`` plus a backward pass that must reach every input.
"""
from __future__ import annotations

import numpy as np

import minigrad as mg


def check_grads(fn, *inputs, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Reverse mode against central differences for every input that requires grad, by
    ``mg.gradcheck`` (the whole Jacobian, or a random projection of a large output); also that
    ``backward`` of a random upstream gradient gives every such input a grad of its shape.
    Returns the output."""
    out = fn(*inputs)
    r = np.random.default_rng(seed).standard_normal(out.shape)
    for x in inputs:
        if isinstance(x, mg.Tensor):
            x.grad = None
    out.backward(r)
    for k, x in enumerate(inputs):
        if isinstance(x, mg.Tensor) and x.requires_grad:
            assert x.grad is not None, f"input {k} got no gradient"
            assert x.grad.shape == x.shape, f"input {k}: grad shape {x.grad.shape} != {x.shape}"
    assert mg.gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol)
    return out
