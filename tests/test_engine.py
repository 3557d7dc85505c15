"""The one reverse pass (issue 12) and what it refuses (issue 11 items 6 and 7)."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import engine


def _net():
    w = mg.tensor([[0.5, -1.0, 0.25]], requires_grad=True, name="w")
    x = mg.tensor([[1.0, 2.0, 3.0]], requires_grad=True, name="x")
    return w, x, F.linear(x, w).tanh().sum()


def test_rules_return_contributions_and_the_engine_alone_accumulates():
    a = mg.Value(2.0, "a")
    b = mg.Value(-3.0, "b")
    y = a * b + a
    heard = []
    adj = engine.adjoints(y, 1.0, listener=lambda n, p, local, c: heard.append((p.name, local, c)))
    assert adj[a] == -2.0 and adj[b] == 2.0
    assert (a.grad, b.grad) == (0.0, 0.0)               # a pass of its own changes no grad
    assert ("a", -3.0, -3.0) in heard and ("b", 2.0, 2.0) in heard
    y.backward()
    assert (a.grad, b.grad, y.grad) == (-2.0, 2.0, 1.0)


def test_targets_prune_the_pass_to_the_paths_from_them():
    a, b, c = (mg.Value(v, n) for v, n in ((2.0, "a"), (3.0, "b"), (4.0, "c")))
    cc = c * c
    y = (a * b).tanh() + cc
    adj = engine.adjoints(y, 1.0, targets=[c])
    assert set(adj) == {y, cc, c} and adj[c] == 8.0     # tanh's branch is never visited
    assert engine.adjoints(y, 1.0, targets=[mg.Value(1.0)]) == {}


def test_tensor_backward_inputs_limits_the_pass():
    w, x, loss = _net()
    loss.backward(inputs=[w])
    assert w.grad is not None and x.grad is None


def test_weights_changed_after_the_forward_are_refused_by_name():
    w, x, loss = _net()
    opt = mg.optim.SGD([w], lr=0.1)
    w.grad = np.ones_like(w.data)
    opt.step()                                           # the kept graph saw the old w
    with pytest.raises(RuntimeError, match="tensor 'w' of shape \\(1, 3\\) was changed after the forward"):
        loss.backward()
    w, x, loss = _net()
    w.data += 1                                          # p.data += ... counts as a change too
    with pytest.raises(RuntimeError, match="'w'"):
        loss.backward()
    assert x.grad is None                                # and nothing was half-written


def test_a_fresh_forward_after_the_change_is_fine():
    w, x, loss = _net()
    w.data = w.data * 2
    loss = F.linear(x, w).tanh().sum()
    loss.backward()
    assert w.grad is not None


def test_requires_grad_switched_on_after_the_forward_follows_what_was_recorded():
    x = mg.randn(2, 1, 5, 5, requires_grad=True)
    for conv in (lambda x, w: F.conv2d(x, w), lambda x, w: F.conv_transpose2d(x, w),
                 lambda x, w: F.fft_conv2d(x, w) if hasattr(F, "fft_conv2d") else F.conv2d(x, w)):
        w = mg.randn(1, 1, 3, 3)                          # frozen at forward time
        y = conv(x, w).sum()
        w.requires_grad_()                                # unfrozen before the backward (a GAN's D)
        x.grad = None
        y.backward()
        assert w.grad is None and x.grad is not None
    w = mg.randn(3, 25)
    y = F.linear(x.reshape(2, 25), w).sum()
    w.requires_grad_()
    y.backward()
    assert w.grad is None


def test_abs_gradient_at_nan_is_zero_like_torch():
    t = mg.tensor(np.array([np.nan, 1.0, -2.0]), requires_grad=True)
    t.abs().sum().backward()
    assert np.array_equal(t.grad, [0.0, 1.0, -1.0])


def test_squeeze_on_a_0d_tensor_checks_dim():
    s = mg.tensor(np.array(3.0))
    assert s.squeeze(0).shape == () and s.squeeze(-1).shape == ()
    with pytest.raises(ValueError, match="squeeze"):
        s.squeeze(5)


def test_pow_base_gradient_is_zero_where_the_exponent_is_zero():
    a = mg.tensor(np.array([0.0, 2.0, 3.0]), requires_grad=True)
    b = mg.tensor(np.array([0.0, 0.0, 2.0]))
    (a ** b).sum().backward()
    assert np.array_equal(a.grad, [0.0, 0.0, 6.0])


def test_an_integer_tensor_to_a_negative_integer_power_is_refused():
    with pytest.raises(ValueError, match="pow.*negative"):
        mg.tensor(np.array([1, 2, 3])) ** -1
