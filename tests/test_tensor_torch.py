"""mg.Tensor against PyTorch: forward values and every input's gradient, op by op (float64)."""
import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

from conftest import compare_with_torch as compare, twins  # noqa: E402


def pair(*shape, seed=0, positive=False, dtype=np.float64):
    return twins(shape, seed=seed, positive=positive, dtype=dtype)[0]


BINARY = [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b), ("rsub_num", lambda a, b: 3.0 - a * b),
    ("rdiv_num", lambda a, b: 2.0 / (a + b)), ("rpow_num", lambda a, b: 1.5 ** (a - b)),
]


@pytest.mark.parametrize("name,op", BINARY)
@pytest.mark.parametrize("sa,sb", [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 5)), ((), (2, 2))])
def test_binary_ops_like_torch(name, op, sa, sb):
    compare(op, op, [pair(*sa, seed=1, positive=True), pair(*sb, seed=2, positive=True)])


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                                   ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_like_torch(sa, sb):
    compare(lambda a, b: a @ b, lambda a, b: a @ b, [pair(*sa, seed=3), pair(*sb, seed=4)])


UNARY = [
    ("neg", lambda t: -t, lambda t: -t, False),
    ("exp", lambda t: t.exp(), lambda t: t.exp(), False),
    ("log", lambda t: t.log(), lambda t: t.log(), True),
    ("sqrt", lambda t: t.sqrt(), lambda t: t.sqrt(), True),
    ("abs", lambda t: t.abs(), lambda t: t.abs(), False),
    ("tanh", lambda t: t.tanh(), lambda t: t.tanh(), False),
    ("sigmoid", lambda t: t.sigmoid(), lambda t: t.sigmoid(), False),
    ("relu", lambda t: t.relu(), lambda t: t.relu(), False),
    ("leaky_relu", lambda t: t.leaky_relu(0.2), lambda t: torch.nn.functional.leaky_relu(t, 0.2), False),
    ("clip", lambda t: t.clip(-0.5, 0.5), lambda t: t.clip(-0.5, 0.5), False),
    ("pow3", lambda t: t ** 3, lambda t: t ** 3, False),
    ("pow_half", lambda t: t ** -0.5, lambda t: t ** -0.5, True),
    ("softmax0", lambda t: t.softmax(0), lambda t: t.softmax(0), False),
    ("log_softmax1", lambda t: t.log_softmax(1), lambda t: t.log_softmax(1), False),
    ("sum", lambda t: t.sum(), lambda t: t.sum(), False),
    ("sum_dim", lambda t: t.sum(axis=1, keepdims=True), lambda t: t.sum(1, keepdim=True), False),
    ("sum_dims", lambda t: t.sum(axis=(0, 2)), lambda t: t.sum((0, 2)), False),
    ("mean", lambda t: t.mean(), lambda t: t.mean(), False),
    ("mean_dim", lambda t: t.mean(axis=-1), lambda t: t.mean(-1), False),
    ("max", lambda t: t.max(), lambda t: t.max(), False),
    ("max_dim", lambda t: t.max(axis=1), lambda t: t.max(1).values, False),
    ("amax", lambda t: t.max(axis=(1, 2)), lambda t: t.amax((1, 2)), False),
    ("min_dim_keep", lambda t: t.min(axis=0, keepdims=True), lambda t: t.min(0, keepdim=True).values, False),
    ("reshape", lambda t: t.reshape(4, -1), lambda t: t.reshape(4, -1), False),
    ("flatten1", lambda t: t.flatten(1), lambda t: t.flatten(1), False),
    ("transpose", lambda t: t.transpose(0, 2), lambda t: t.transpose(0, 2), False),
    ("permute", lambda t: t.permute(1, 2, 0), lambda t: t.permute(1, 2, 0), False),
    ("T", lambda t: t.T * 1.0, lambda t: t.permute(2, 1, 0) * 1.0, False),
    ("squeeze_unsqueeze", lambda t: t.unsqueeze(1).squeeze(1), lambda t: t.unsqueeze(1).squeeze(1), False),
    ("getitem_slice", lambda t: t[1:, ::2, -1], lambda t: t[1:, ::2, -1], False),
    ("getitem_fancy", lambda t: t[[0, 0, 1], :, [3, 3, 0]], lambda t: t[[0, 0, 1], :, [3, 3, 0]], False),
    ("getitem_mask", lambda t: t[t > 0], lambda t: t[t > 0], False),
    ("float32", lambda t: t.float() * 2, lambda t: t.float() * 2, False),
]


@pytest.mark.parametrize("name,f_mg,f_torch,positive", UNARY, ids=[u[0] for u in UNARY])
def test_unary_and_shape_ops_like_torch(name, f_mg, f_torch, positive):
    rtol = 1e-6 if name == "float32" else 1e-10
    compare(f_mg, f_torch, [pair(2, 3, 4, seed=5, positive=positive)], rtol=rtol, atol=1e-6 if name == "float32" else 1e-12)


def test_ties_in_max_like_torch():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for f_mg, f_t in [(lambda t: t.max(), lambda t: t.max()), (lambda t: t.max(axis=1), lambda t: t.max(1).values),
                      (lambda t: t.min(axis=0), lambda t: t.min(0).values), (lambda t: t.min(), lambda t: t.min())]:
        compare(f_mg, f_t, [(mg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True))])


def test_a_small_network_float32_like_torch():
    x, tx = pair(8, 5, seed=6, dtype=np.float32)
    w, tw = pair(5, 3, seed=7, dtype=np.float32)
    b, tb = pair(3, seed=8, dtype=np.float32)

    def f(x, w, b):
        return ((x @ w + b).tanh() * 2 - 1).sigmoid().log_softmax(1).sum(0)

    compare(f, f, [(x, tx), (w, tw), (b, tb)], rtol=1e-5, atol=1e-6)
    assert x.grad.dtype == np.float32


# PyTorch takes integer indices first and then the lists; NumPy counts integers among the
# advanced indices, so where they are separated by a slice the layouts differ (issue 11 item 9)
INDEXING = {
    "0,:,[0,2]": lambda t: t[0, :, [0, 2]],
    ":,0,:,[1,2]": lambda t: t[:, 0, :, [1, 2]],
    "0,...,[0,2]": lambda t: t[0, ..., [0, 2]],
    "0,None,:,[0,2]": lambda t: t[0, None, :, [0, 2]],
    "0,:,[[0],[2]],[1,3]": lambda t: t[0, :, [[0], [2]], [1, 3]],
    "0,:,:,mask": lambda t: t[0, :, :, [True, False, True, False, True]],
    "1,:,[2,2,0],0 (repeats)": lambda t: t[1, :, [2, 2, 0], 0],
    "[0,1],:,[0,2]": lambda t: t[[0, 1], :, [0, 2]],
    "[1],:,0,[0,2]": lambda t: t[[1], :, 0, [0, 2]],
    "[0,1],0,[0,2]": lambda t: t[[0, 1], 0, [0, 2]],
    "...,0,[0,2]": lambda t: t[..., 0, [0, 2]],
    "0,[[T,F,T,F]]": lambda t: t[0, [[True, False, True, False], [False] * 4, [True] * 4]],
}


@pytest.mark.parametrize("name", list(INDEXING))
def test_indexing_follows_torchs_layout(name):
    """Values, shape and gradient (repeated picks add up) equal torch's on a (2, 3, 4, 5) tensor."""
    compare(INDEXING[name], INDEXING[name], [pair(2, 3, 4, 5, seed=6)])


def test_a_0d_integer_tensor_indexes_like_an_integer():
    compare(lambda t: t[mg.tensor(1), :, [0, 2]], lambda t: t[torch.tensor(1), :, [0, 2]], [pair(2, 3, 4, seed=7)])


def test_the_issues_example_has_torchs_shape():
    assert mg.zeros(2, 3, 4)[0, :, [0, 2]].shape == (3, 2)


def test_assignment_with_advanced_indices_split_by_a_slice_follows_torchs_layout():
    """t[0, :, [0, 2]] = v takes v of shape (3, 2), as in torch; both gradients equal torch's."""
    def put(a, v):
        y = a * 1.0
        y[0, :, [0, 2]] = v
        return y
    compare(put, put, [pair(2, 3, 4, seed=8), pair(3, 2, seed=9)])
