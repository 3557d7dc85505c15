"""Memory (issue 7, section 4): a graph lives exactly as long as its output is held.

Backward functions are plain module-level functions, never closures, so a graph holds no
reference cycles: dropping the loss frees every node at once by reference counting, with
the cycle collector switched off. Training for many steps keeps memory flat.
"""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.optim import SGD, Adam


def small_cnn():
    """The digits CNN's shape (conv, relu, pool twice, flatten, linear), with BatchNorm and Dropout too."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(0.1), nn.Linear(8 * 2 * 2, 10))


@pytest.fixture
def batch():
    r = np.random.default_rng(0)
    return mg.tensor(r.random((16, 1, 8, 8))), mg.tensor(r.integers(0, 10, 16))


def step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def test_dropped_graph_is_freed_by_reference_counting(batch):
    x, y = batch
    model = small_cnn()
    gc.disable()
    try:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        interior = loss.parents[0].parents[0]  # the linear layer's input, deep inside the graph
        refs = [weakref.ref(loss), weakref.ref(loss.parents[0]), weakref.ref(interior)]
        assert all(r() is not None for r in refs)
        assert interior.grad is not None  # the graph keeps its grads after backward
        del loss, interior
        assert [r() for r in refs] == [None, None, None]
    finally:
        gc.enable()


def test_training_step_creates_no_reference_cycles(batch):
    x, y = batch
    model = small_cnn()
    opt = Adam(model.parameters(), lr=1e-3)
    step(model, opt, x, y)  # warm up: optimizer state, caches
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            step(model, opt, x, y)
        model.eval()
        with mg.no_grad():
            model(x)
        model.train()
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_memory_flat_over_many_training_steps(batch):
    """300 SGD steps with momentum: Python heap growth (tracemalloc) stays under 200 KB."""
    x, y = batch
    model = small_cnn()
    opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(20):
        step(model, opt, x, y)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            step(model, opt, x, y)
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert growth < 200_000, f"memory grew by {growth} bytes over 300 steps"


def test_module_tree_has_no_cycles():
    gc.collect()
    gc.disable()
    try:
        model = small_cnn()
        ref = weakref.ref(model[0])
        del model
        assert ref() is None
    finally:
        gc.enable()
