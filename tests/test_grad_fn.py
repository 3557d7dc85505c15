"""grad_fn names the op that made a tensor (None on leaves), and backward takes PyTorch's gradient=."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")


def test_leaves_have_none_and_results_name_their_op_like_torch():
    x, tx = mg.ones(2, requires_grad=True), torch.ones(2, dtype=torch.float64, requires_grad=True)
    assert x.grad_fn is None and tx.grad_fn is None
    assert mg.ones(2).grad_fn is None and (mg.ones(2) * 2).grad_fn is None     # nothing to differentiate
    for f in (lambda a: a * 2, lambda a: a + 1, lambda a: a - 1, lambda a: a / 2, lambda a: a ** 2,
              lambda a: a.sum(), lambda a: a.mean(), lambda a: a.exp(), lambda a: a.relu(), lambda a: a.tanh()):
        ours, ref = f(x).grad_fn, f(tx).grad_fn
        assert ours.name == ours.name() == ref.name(), (ours, ref)
        assert repr(ours) == f"<{ref.name()}>"


def test_next_functions_walk_back_like_the_blitz():
    """The 60-minute blitz prints loss.grad_fn, then its next_functions, down to the leaves."""
    x, w = mg.ones(1, 3), mg.ones(2, 3, requires_grad=True)
    loss = F.relu(F.linear(x, w)).sum()
    assert loss.grad_fn.op == "sum"
    relu = loss.grad_fn.next_functions[0][0]
    assert relu.name == "ReluBackward0" and relu.op == "relu"
    linear = relu.next_functions[0][0]
    assert linear.next_functions[0] == (None, 0)                 # x does not require grad
    acc = linear.next_functions[1][0]
    assert acc.name() == "AccumulateGrad" and acc.variable is w and acc.next_functions == ()
    assert loss.grad_fn == loss.grad_fn and hash(relu) == hash(loss.grad_fn.next_functions[0][0])


def test_backward_takes_gradient_as_torch_spells_it():
    x, tx = mg.ones(2, 2, requires_grad=True), torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    (x * 3).backward(gradient=g)
    (tx * 3).backward(gradient=torch.tensor(g))
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    (x * 3).backward(mg.tensor(g))                               # positional, as before
    np.testing.assert_array_equal(x.grad, 2 * tx.grad.numpy())
    with pytest.raises(TypeError, match="Tensor.backward: give grad or gradient"):
        (x * 3).backward(g, gradient=g)
