"""A graph lives exactly as long as the user holds its output; backward keeps it readable."""
import gc
import threading
import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F


def _net():
    x = mg.tensor(np.arange(16.0).reshape(1, 1, 4, 4), name="x")
    w = mg.tensor(np.ones((2, 1, 3, 3)) * 0.1, requires_grad=True, name="w")
    h = F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 2)
    return x, w, h, h.sum()


def test_backward_keeps_structure_values_and_interior_grads():
    x, w, h, loss = _net()
    loss.backward()
    assert loss.parents == (h,) and h.op and h.grad is not None
    assert np.array_equal(h.grad, np.ones(h.shape))
    first = w.grad.copy()
    loss.backward(retain_graph=True)           # accepted for PyTorch compatibility
    np.testing.assert_allclose(w.grad, 2 * first)  # a second pass accumulates, once
    np.testing.assert_allclose(h.grad, 2 * np.ones(h.shape))


def test_a_dropped_tensor_graph_is_freed_without_the_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        x, w, h, loss = _net()
        loss.backward()
        refs = [weakref.ref(t) for t in (h, loss)]
        del h, loss
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_no_grad_is_thread_local():
    a = mg.randn(3, requires_grad=True)
    seen = {}
    started, release = threading.Event(), threading.Event()

    def other():
        with mg.no_grad():
            started.set()
            release.wait(5)
            seen["other"] = (a * 2).requires_grad

    t = threading.Thread(target=other)
    t.start()
    started.wait(5)
    seen["main"] = (a * 2).requires_grad       # the other thread is inside no_grad right now
    release.set()
    t.join()
    assert seen == {"main": True, "other": False}
    assert mg.is_grad_enabled()


def test_no_grad_works_as_a_decorator_and_restores_the_mode():
    a = mg.randn(3, requires_grad=True)

    @mg.no_grad()
    def f():
        return a * 2

    assert not f().requires_grad and (a * 2).requires_grad
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            1 / 0
    assert mg.is_grad_enabled()


def test_a_deep_tensor_chain_backpropagates_without_recursion():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    y = a
    for _ in range(20_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 1.0])
