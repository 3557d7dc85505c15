"""F.pad: constant / reflect / replicate / circular borders in PyTorch's order (last dimension
first), negative pads that crop, exact adjoints (central differences), PyTorch, clear errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from numgrad import check_grads
from conftest import raises_naming

try:
    import torch
    TF = torch.nn.functional
except ImportError:  # torch is an optional oracle
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")

ROW = mg.tensor(np.arange(5.0).reshape(1, 1, 5))          # 0 1 2 3 4


@pytest.mark.parametrize("mode,pads,expected", [
    ("constant", (2, 1), [0, 0, 0, 1, 2, 3, 4, 0]),
    ("reflect", (2, 1), [2, 1, 0, 1, 2, 3, 4, 3]),        # the mirror does not repeat the edge
    ("replicate", (2, 1), [0, 0, 0, 1, 2, 3, 4, 4]),      # the edge is copied
    ("circular", (2, 1), [3, 4, 0, 1, 2, 3, 4, 0]),       # wrap around
    ("constant", (-1, 1), [1, 2, 3, 4, 0]),               # a negative pad crops
    ("reflect", (-2, 3), [2, 3, 4, 3, 2, 1]),
    ("replicate", (2, -2), [0, 0, 0, 1, 2]),
    ("circular", (1, -1), [3, 0, 1, 2, 3]),               # circular crops first, then wraps
])
def test_one_row(mode, pads, expected):
    np.testing.assert_array_equal(F.pad(ROW, pads, mode=mode).data[0, 0], expected)


def test_pad_order_is_last_dimension_first_and_value_fills():
    x = mg.ones(1, 2, 3)
    y = F.pad(x, (1, 0, 0, 2), value=7.0)                  # W: 1 left; H: 2 at the bottom
    assert y.shape == (1, 4, 4)
    np.testing.assert_array_equal(y.data[0], [[7, 1, 1, 1], [7, 1, 1, 1], [7, 7, 7, 7], [7, 7, 7, 7]])
    assert F.pad(x, (1, 1, 1, 1, 1, 1)).shape == (3, 4, 5)  # constant pads any dimension


def test_seed001_zero_padding_frames_a_7x7_image():
    x = mg.ones(1, 1, 7, 7)
    y = F.pad(x, (1, 1, 1, 1))
    assert y.shape == (1, 1, 9, 9)
    assert y.data.sum() == 49 and (y.data[0, 0, 0] == 0).all() and (y.data[0, 0, :, -1] == 0).all()


def test_reflect_2d_corners_reflect_both_ways():
    x = mg.tensor(np.arange(9.0).reshape(1, 3, 3))
    y = F.pad(x, (1, 1, 1, 1), mode="reflect").data[0]
    np.testing.assert_array_equal(y[0], [4, 3, 4, 5, 4])
    np.testing.assert_array_equal(y[:, 0], [4, 1, 4, 7, 4])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", [(1, 2), (2, 1, 0, 3), (-1, 2, 1, -1), (3, 3, 2, 2), (0, 0, 0, 0)])
def test_gradients_match_central_differences(mode, pads):
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 4, 5)), requires_grad=True)
    out = check_grads(lambda x: F.pad(x, pads, mode=mode), x)
    assert out.op == "pad"


def test_replicate_sums_the_border_gradient_into_the_edge():
    x = mg.tensor(np.arange(3.0).reshape(1, 1, 3), requires_grad=True)
    F.pad(x, (4, 2), mode="replicate").sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [5, 1, 3])


def test_float32_and_unchanged_input():
    x = mg.tensor(np.ones((1, 2, 2), np.float32), requires_grad=True)
    y = F.pad(x, (1, 1), mode="reflect")
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    z = F.pad(x, (0, 0))
    assert z.shape == x.shape and not np.shares_memory(z.data, x.data)


@needs_torch
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pads", [((2, 3, 5), (1, 2)), ((2, 3, 4, 5), (2, 1, 0, 3)), ((2, 3, 4, 5), (-1, 2, 1, -1)),
                                        ((1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2)), ((3, 4, 5), (4, 4, 3, 3))])
def test_matches_torch(mode, shape, pads):
    a = np.random.default_rng(1).standard_normal(shape)
    x, xt = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, yt = F.pad(x, pads, mode=mode), TF.pad(xt, pads, mode=mode)
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    g = np.random.default_rng(2).standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-13, atol=1e-13)


# ---------------------------------------------------------------- bad input
x4 = mg.zeros(1, 2, 4, 5)
BAD = [
    (lambda: F.pad(x4, (1, 1, 1)), ValueError, "pad: pad must have an even length (before, after per dimension), got 3: (1, 1, 1)"),
    (lambda: F.pad(x4, (1,) * 10), ValueError, "pad: pad (1, 1, 1, 1, 1, 1, 1, 1, 1, 1) pads 5 dimensions but the input has only 4 (shape (1, 2, 4, 5))"),
    (lambda: F.pad(x4, (1, 1), mode="mirror"), ValueError, "pad: mode must be one of ['constant', 'reflect', 'replicate', 'circular'], got 'mirror'"),
    (lambda: F.pad(x4, (5, 1, 0, 0), mode="reflect"), ValueError, "pad: mode 'reflect': padding (5, 1) must be smaller than the size 5 of dimension 3 (input shape (1, 2, 4, 5))"),
    (lambda: F.pad(x4, (6, 0, 0, 0), mode="circular"), ValueError, "pad: mode 'circular': padding (6, 0) would wrap around dimension 3 (5 long, 5 after cropping) more than once"),
    (lambda: F.pad(x4, (0, 0, -2, 3), mode="circular"), ValueError, "pad: mode 'circular': padding (-2, 3) would wrap around dimension 2 (4 long, 2 after cropping) more than once"),
    (lambda: F.pad(x4, (1, 1), mode="reflect"), ValueError, "pad: mode 'reflect' pads 1, 2 or 3 trailing dimensions of a (k+1)- or (k+2)-D input"),
    (lambda: F.pad(x4, (1, 1, 0, 0), mode="reflect", value=2.0), ValueError, "pad: mode 'reflect' does not take a value (got value=2.0)"),
    (lambda: F.pad(x4, (-3, -3)), ValueError, "pad: pad (-3, -3) crops dimension 3 of size 5 below zero"),
    (lambda: F.pad(x4, (-4, -2, 0, 0), mode="replicate"), ValueError, "pad: mode 'replicate': pad (-4, -2) crops dimension 3 of size 5 below zero"),
    (lambda: F.pad(x4, [1.5, 1]), TypeError, "pad: pad must be a tuple of ints (last dimension first), got [1.5, 1]"),
    (lambda: F.pad(x4, 1), TypeError, "pad: pad must be a tuple of ints"),
    (lambda: F.pad(x4, (1, 1), value="0"), TypeError, "pad: value must be a number, got str '0'"),
    (lambda: F.pad(np.zeros((2, 2)), (1, 1)), TypeError, "pad: input must be a Tensor, got numpy.ndarray"),
]


@pytest.mark.parametrize("call,kind,message", BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, message):
    raises_naming(call, kind, message)
