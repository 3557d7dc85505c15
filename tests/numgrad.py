"""Central differences, the reference every gradient test compares against (float64).

    from numgrad import check_grads, numerical_grad

``numerical_grad(f, x)`` is ∂ f() / ∂ x for a scalar-valued ``f`` (a function of no arguments
that reads ``x.data``); ``check_grads(fn, *inputs)`` runs ``fn`` on the inputs, back-propagates a
random upstream gradient and compares every input's ``.grad`` with central differences.
"""
from __future__ import annotations

import numpy as np

import minigrad as mg


def numerical_grad(f, x, eps=1e-6):
    """(f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every element i of ``x.data`` (in place, restored)."""
    data = x.data
    grad = np.zeros(data.shape, np.float64)
    flat = data.reshape(-1)  # a view: the inputs tests build are contiguous
    assert np.shares_memory(flat, data), "numerical_grad needs a contiguous x.data"
    with mg.no_grad():
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = float(f())
            flat[i] = old - eps
            down = float(f())
            flat[i] = old
            grad.reshape(-1)[i] = (up - down) / (2 * eps)
    return grad


def check_grads(fn, *inputs, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Compare reverse mode with central differences for every input that requires grad.

    ``fn(*inputs)`` returns a Tensor of any shape; the scalar checked is Σ fn(...) ⊙ r with a
    fixed random r, so every output element's gradient is exercised. Returns the output.
    """
    rng = np.random.default_rng(seed)
    out = fn(*inputs)
    r = rng.standard_normal(out.shape)
    for x in inputs:
        if isinstance(x, mg.Tensor):
            x.grad = None
    out.backward(r)
    for k, x in enumerate(inputs):
        if not (isinstance(x, mg.Tensor) and x.requires_grad):
            continue
        num = numerical_grad(lambda: float(np.sum(fn(*inputs).data * r)), x, eps)
        assert x.grad is not None, f"input {k} got no gradient"
        assert x.grad.shape == x.shape, f"input {k}: grad shape {x.grad.shape} != {x.shape}"
        np.testing.assert_allclose(x.grad, num, atol=atol, rtol=rtol, err_msg=f"input {k} of shape {x.shape}")
    return out
