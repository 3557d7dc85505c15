"""F.max_pool2d and F.avg_pool2d: the slides' pooling examples, PyTorch's tie rule (the first
maximum in the window gets the whole gradient), return_indices, padding, dilation,
count_include_pad, central differences, PyTorch itself, and clear errors."""
import itertools

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

# seed 000: the edge map of the 6x6 image, pooled 2x2 with stride 1
EDGE_MAP = np.array([[3, 1, 0, 3], [3, 2, 1, 3], [3, 1, 1, 3], [3, 1, 1, 3]], dtype=float)
# seed 001: two 4x4 feature maps pooled 2x2 with stride 2, both to [[4, 4], [2, 8]]
FEATURE_MAP_A = np.array([[3, 0, 4, 3], [4, 1, 2, 3], [1, 1, 8, 7], [2, 0, 6, 4]], dtype=float)
FEATURE_MAP_B = np.array([[1, 3, 0, 4], [2, 4, 1, 2], [1, 1, 1, 8], [1, 2, 0, 6]], dtype=float)


def img(a):
    return mg.tensor(np.asarray(a, dtype=float)[None, None], requires_grad=True)


def T(*shape, seed=0, integer=False, grad=True):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, shape).astype(float) if integer else rng.standard_normal(shape)
    return mg.tensor(a, requires_grad=grad)


# ---------------------------------------------------------------- the slides
def test_seed000_2x2_max_and_avg_pooling_with_stride_1():
    x = img(EDGE_MAP)
    np.testing.assert_array_equal(F.max_pool2d(x, 2, stride=1).data[0, 0], [[3, 2, 3], [3, 2, 3], [3, 1, 3]])
    # the slide writes 2.x, 1, 1.x / 2.x, 1.x, 2 / 2, 1, 2
    np.testing.assert_allclose(F.avg_pool2d(x, 2, stride=1).data[0, 0], [[2.25, 1, 1.75], [2.25, 1.25, 2], [2, 1, 2]])


@pytest.mark.parametrize("fmap", [FEATURE_MAP_A, FEATURE_MAP_B], ids=["A", "B"])
def test_seed001_2x2_max_pooling_with_stride_2(fmap):
    x = img(fmap)
    y = F.max_pool2d(x, 2)                                  # stride defaults to kernel_size
    np.testing.assert_array_equal(y.data[0, 0], [[4, 4], [2, 8]])
    y.backward(np.ones(y.shape))
    # each window's maximum gets the gradient, every other input 0
    winners = np.zeros((4, 4))
    for i, j in itertools.product(range(2), range(2)):
        win = fmap[2 * i:2 * i + 2, 2 * j:2 * j + 2]
        u, v = np.unravel_index(np.argmax(win), (2, 2))       # argmax: the first maximum
        winners[2 * i + u, 2 * j + v] = 1
    np.testing.assert_array_equal(x.grad[0, 0], winners)


def test_seed001_avg_pooling_stride_2():
    np.testing.assert_allclose(F.avg_pool2d(img(FEATURE_MAP_A), 2).data[0, 0], [[2, 3], [1, 6.25]])


def test_ties_send_the_whole_gradient_to_the_first_maximum_row_major():
    x = img([[5, 5], [5, 5]])
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 0], [0, 0]])
    assert idx.data.item() == 0 and idx.dtype == np.int64
    x = img([[1, 7], [7, 7]])
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 1], [0, 0]])
    assert idx.data.item() == 1


def test_overlapping_windows_add_their_gradients():
    x = img([[0, 0, 0], [0, 9, 0], [0, 0, 0]])
    y = F.max_pool2d(x, 2, stride=1)                       # the 9 wins all four windows
    y.backward(np.ones(y.shape))
    assert x.grad[0, 0, 1, 1] == 4 and x.grad.sum() == 4


def test_scalar_grid_max_pool_agrees_with_the_tensor_path():
    fmap = np.random.default_rng(1).integers(0, 3, (2, 6, 6)).astype(float)
    grid = mg.scalar.max_pool2d(fmap, 2, stride=2)
    np.testing.assert_array_equal(F.max_pool2d(mg.tensor(fmap), 2).data, mg.scalar.values(grid))


# ---------------------------------------------------------------- semantics
def test_padding_is_minus_infinity_for_max_and_zero_for_avg():
    x = img(-np.ones((3, 3)))
    assert (F.max_pool2d(x, 3, stride=1, padding=1).data == -1).all()  # never the padding
    avg = F.avg_pool2d(x, 3, stride=1, padding=1).data[0, 0]
    assert avg[1, 1] == -1 and avg[0, 0] == pytest.approx(-4 / 9)
    assert F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False).data[0, 0, 0, 0] == -1


def test_all_minus_inf_window_selects_its_first_real_element():
    x = img(np.full((3, 3), -np.inf))
    y, idx = F.max_pool2d(x, 2, stride=2, padding=1, return_indices=True)
    np.testing.assert_array_equal(idx.data[0, 0], [[0, 1], [3, 4]])  # never a padding position
    y.backward(np.ones(y.shape))
    assert x.grad.sum() == 4


def test_dilation_spreads_the_window():
    x = T(1, 1, 7, 7, seed=2)
    y = F.max_pool2d(x, 3, stride=1, dilation=2)
    assert y.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(y.data[0, 0, 0, 0], x.data[0, 0, 0:5:2, 0:5:2].max())


def test_return_indices_are_flat_positions_in_each_plane():
    x = T(2, 3, 6, 5, seed=3)
    y, idx = F.max_pool2d(x, (2, 3), stride=(2, 1), padding=(1, 1), return_indices=True)
    planes = x.data.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(planes, idx.data.reshape(2, 3, -1), axis=2).reshape(y.shape), y.data)
    assert not idx.requires_grad


def test_nan_wins_its_window():
    x = img([[1, np.nan], [3, 2]])
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(y.item()) and idx.item() == 1


def test_unbatched_input():
    x = T(3, 6, 6, seed=4)
    y = F.max_pool2d(x, 2)
    assert y.shape == (3, 3, 3)
    np.testing.assert_array_equal(y.data, F.max_pool2d(mg.tensor(x.data[None]), 2).data[0])
    assert F.avg_pool2d(x, 3, 3).shape == (3, 2, 2)


def test_float32_stays_float32():
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 2, 4, 4)).astype(np.float32), requires_grad=True)
    for y in (F.max_pool2d(x, 2), F.avg_pool2d(x, 2)):
        y.backward(np.ones(y.shape, np.float32))
        assert y.dtype == np.float32 and x.grad.dtype == np.float32


# ---------------------------------------------------------------- central differences (no ties: distinct values)
@pytest.mark.parametrize("k,s,p,d", [(2, 2, 0, 1), (3, 1, 1, 1), (3, 2, 1, 2), ((2, 3), (1, 2), (1, 0), 1)])
def test_max_pool_gradients_match_central_differences(k, s, p, d):
    x = mg.tensor(np.random.default_rng(5).permutation(2 * 2 * 7 * 8).reshape(2, 2, 7, 8) / 10.0, requires_grad=True)
    check_grads(lambda x: F.max_pool2d(x, k, s, p, d), x)


@pytest.mark.parametrize("k,s,p,cip", [(2, 2, 0, True), (3, 1, 1, True), (3, 2, 1, False), ((2, 3), (1, 2), (1, 1), False)])
def test_avg_pool_gradients_match_central_differences(k, s, p, cip):
    check_grads(lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=cip), T(2, 2, 7, 8, seed=6))


# ---------------------------------------------------------------- PyTorch
MAX_GRID = [(2, None, 0, 1), (2, 1, 1, 1), (3, 2, 1, 1), (3, 1, 1, 2), ((2, 3), (2, 1), (1, 1), (1, 2)), (3, 3, 0, 1)]


@needs_torch
@pytest.mark.parametrize("k,s,p,d", MAX_GRID)
@pytest.mark.parametrize("integer", [True, False], ids=["ties", "distinct"])
def test_max_pool_matches_torch_values_indices_and_grads(k, s, p, d, integer):
    x = T(2, 3, 9, 10, seed=7, integer=integer)
    xt = torch.tensor(x.data, requires_grad=True)
    y, idx = F.max_pool2d(x, k, s, p, d, return_indices=True)
    yt, it = TF.max_pool2d(xt, k, s, p, d, return_indices=True)
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    np.testing.assert_array_equal(idx.data, it.numpy())
    g = np.random.default_rng(8).standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("k,s,p", [(2, None, 0), (2, 1, 1), (3, 2, 1), ((2, 3), (2, 1), (1, 1)), (3, 3, 0)])
@pytest.mark.parametrize("cip", [True, False])
def test_avg_pool_matches_torch(k, s, p, cip):
    x = T(2, 3, 9, 10, seed=9)
    xt = torch.tensor(x.data, requires_grad=True)
    y, yt = F.avg_pool2d(x, k, s, p, count_include_pad=cip), TF.avg_pool2d(xt, k, s, p, count_include_pad=cip)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = np.random.default_rng(10).standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


@needs_torch
def test_nan_windows_pick_the_same_index_as_torch():
    a = np.array([[1, np.nan, 3, 2], [np.nan, 0, -np.inf, -np.inf], [5, 5, -np.inf, -np.inf], [5, np.nan, 1, 1]])
    for k, s, p in [(2, 2, 0), (2, 1, 1), (3, 1, 1)]:
        y, idx = F.max_pool2d(mg.tensor(a[None, None]), k, s, p, return_indices=True)
        yt, it = TF.max_pool2d(torch.tensor(a[None, None]), k, s, p, return_indices=True)
        np.testing.assert_array_equal(y.data, yt.numpy())  # NaN == NaN for assert_array_equal
        np.testing.assert_array_equal(idx.data, it.numpy())


@needs_torch
def test_benchmark_shape_float32_matches_torch():
    x = mg.tensor(np.random.default_rng(11).integers(0, 5, (32, 16, 28, 28)).astype(np.float32), requires_grad=True)
    xt = torch.tensor(x.data, requires_grad=True)
    y, yt = F.max_pool2d(x, 2, 2), TF.max_pool2d(xt, 2, 2)
    g = np.random.default_rng(12).standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())


# ---------------------------------------------------------------- bad input
x4 = mg.zeros(1, 2, 5, 5)
BAD = [
    (lambda: F.max_pool2d(x4, 3, padding=2), ValueError, "max_pool2d: padding should be at most half of kernel_size, got padding=(2, 2) and kernel_size=(3, 3)"),
    (lambda: F.avg_pool2d(x4, 2, padding=(0, 2)), ValueError, "avg_pool2d: padding should be at most half of kernel_size"),
    (lambda: F.max_pool2d(x4, 6), ValueError, "max_pool2d: kernel_size (6, 6) (dilated: (6, 6)) is larger than the padded input (5, 5) (input (1, 2, 5, 5)"),
    (lambda: F.avg_pool2d(x4, 6), ValueError, "avg_pool2d: kernel_size (6, 6)"),
    (lambda: F.max_pool2d(x4, 3, dilation=3), ValueError, "max_pool2d: kernel_size (3, 3) (dilated: (7, 7)) is larger than the padded input"),
    (lambda: F.max_pool2d(x4, 0), ValueError, "max_pool2d: kernel_size must be >= 1, got 0"),
    (lambda: F.max_pool2d(x4, 2, stride=0), ValueError, "max_pool2d: stride must be >= 1, got 0"),
    (lambda: F.max_pool2d(x4, 2, padding=-1), ValueError, "max_pool2d: padding must be >= 0, got -1"),
    (lambda: F.max_pool2d(x4, 2, dilation=0), ValueError, "max_pool2d: dilation must be >= 1, got 0"),
    (lambda: F.max_pool2d(mg.zeros(5, 5), 2), ValueError, "max_pool2d: expected input of 3 dimensions (C, H, W) or 4 (N, C, H, W), got shape (5, 5)"),
    (lambda: F.avg_pool2d(mg.zeros(5), 2), ValueError, "avg_pool2d: expected input of 3 dimensions"),
    (lambda: F.max_pool2d(np.zeros((1, 1, 4, 4)), 2), TypeError, "max_pool2d: input must be a Tensor, got numpy.ndarray"),
    (lambda: F.max_pool2d(x4, 2.5), TypeError, "max_pool2d: kernel_size must be an int or a pair of ints, got 2.5"),
    (lambda: F.max_pool2d(x4, 2, return_indices=1), TypeError, "max_pool2d: return_indices must be a bool"),
    (lambda: F.avg_pool2d(x4, 2, count_include_pad="yes"), TypeError, "avg_pool2d: count_include_pad must be a bool"),
    (lambda: F.max_pool2d(x4, 2, ceil_mode=True), ValueError, "max_pool2d: ceil_mode=True is not supported"),
]


@pytest.mark.parametrize("call,kind,message", BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, message):
    raises_naming(call, kind, message)
