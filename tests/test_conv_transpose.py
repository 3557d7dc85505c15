"""F.conv_transpose2d: seed 003's fractionally strided convolution (3x3 → 5x5), the adjoint of
conv2d (⟨conv(x), y⟩ = ⟨x, convT(y)⟩), output sizes, central differences, PyTorch, errors."""
import itertools

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from numgrad import check_grads
from conftest import random_tensor as T, raises_naming

try:
    import torch
except ImportError:  # torch is an optional oracle
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")


# ---------------------------------------------------------------- seed 003
def test_seed003_3x3_upsampled_then_convolved_gives_5x5():
    x, w = T(1, 1, 3, 3), T(1, 1, 3, 3, seed=1)
    y = F.conv_transpose2d(x, w, stride=2, padding=1)      # DCGAN's fractionally strided convolution
    assert y.shape == (1, 1, 5, 5)
    # the slide's recipe: put zeros between the pixels (stride 2), pad, convolve with the kernel
    up = np.zeros((1, 1, 5, 5))
    up[..., ::2, ::2] = x.data
    full = F.convolve2d(mg.tensor(up), w, padding=1)       # padding k - 1 - p = 1, kernel flipped
    np.testing.assert_allclose(y.data, full.data, atol=1e-12)


def test_seed003_full_convolution_3x3_to_5x5():
    x, w = T(1, 1, 3, 3), T(1, 1, 3, 3, seed=1)
    y = F.conv_transpose2d(x, w)                           # "Full convolution = upconvolution"
    assert y.shape == (1, 1, 5, 5)
    np.testing.assert_allclose(y.data, F.convolve2d(x, w, padding=2).data, atol=1e-12)


def test_each_pixel_stamps_a_copy_of_the_kernel_stride_apart():
    x = mg.tensor(np.array([[[[1.0, 2.0]]]]))
    w = mg.tensor(np.arange(1.0, 5.0).reshape(1, 1, 2, 2))
    y = F.conv_transpose2d(x, w, stride=3)
    np.testing.assert_array_equal(y.data[0, 0], [[1, 2, 0, 2, 4], [3, 4, 0, 6, 8]])


# ---------------------------------------------------------------- the adjoint identity
CONFIGS = [dict(), dict(stride=2), dict(stride=2, padding=1), dict(stride=(3, 2), padding=(1, 2), dilation=(1, 2)),
           dict(groups=2), dict(stride=2, padding=1, groups=3, dilation=2)]


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
def test_conv_transpose_is_the_adjoint_of_conv2d(cfg):
    g = cfg.get("groups", 1)
    x, w = T(2, 6, 11, 10, grad=False), T(12, 6 // g, 3, 2, seed=1, grad=False)
    y_shape = F.conv2d(x, w, **cfg).shape
    y = T(*y_shape, seed=2, grad=False)
    lhs = np.sum(F.conv2d(x, w, **cfg).data * y.data)                      # ⟨conv(x), y⟩
    out = F.conv_transpose2d(y, w, **cfg)
    # conv2d may not reach the last rows/cols; output_padding restores the size where needed
    if out.shape != x.shape:
        op = tuple(a - b for a, b in zip(x.shape[-2:], out.shape[-2:]))
        out = F.conv_transpose2d(y, w, output_padding=op, **cfg)
    assert out.shape == x.shape
    rhs = np.sum(x.data * out.data)                                         # ⟨x, convT(y)⟩
    assert lhs == pytest.approx(rhs, rel=1e-12)


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
def test_gradients_match_central_differences(cfg):
    g = cfg.get("groups", 1)
    x, w, b = T(2, 6, 4, 3), T(6, 6 // g, 3, 2, seed=1), T(6, seed=2)
    check_grads(lambda x, w, b: F.conv_transpose2d(x, w, b, **cfg), x, w, b)


def test_output_padding_adds_rows_only_the_bias_reaches():
    x, w, b = T(1, 2, 3, 3), T(2, 1, 3, 3, seed=1), T(1, seed=2)
    y = check_grads(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, output_padding=1), x, w, b)
    assert y.shape == (1, 1, 8, 8)                          # (3-1)*2 + 3 + 1
    y = check_grads(lambda x, w, b: F.conv_transpose2d(x, w, b, output_padding=1, dilation=2), x, w, b)
    assert y.shape == (1, 1, 8, 8)                          # (3-1)*1 + 2*2 + 1 + 1
    np.testing.assert_allclose(y.data[0, 0, -1], b.data[0])  # output_padding >= stride: only the bias


def test_unbatched_input():
    x, w = T(2, 4, 4), T(2, 3, 3, 3, seed=1)
    y = check_grads(lambda x, w: F.conv_transpose2d(x, w, stride=2), x, w)
    assert y.shape == (3, 9, 9)


def test_float32_stays_float32():
    x, w = T(1, 2, 4, 4, dtype=np.float32), T(2, 3, 3, 3, seed=1, dtype=np.float32)
    y = F.conv_transpose2d(x, w, stride=2, padding=1)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == np.float32 and x.grad.dtype == np.float32 and w.grad.dtype == np.float32


# ---------------------------------------------------------------- PyTorch
GRID = [c for c in itertools.product([1, 2, 3], [0, 1], [1, 2], [1, 2], [0, 1]) if c[4] < max(c[0], c[2])]


@needs_torch
@pytest.mark.parametrize("stride,padding,dilation,groups,output_padding", GRID)
def test_matches_torch(stride, padding, dilation, groups, output_padding):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s) for s in ((2, 4, 5, 6), (4, 6 // groups, 3, 2), (6,))]
    mine = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    y, yt = F.conv_transpose2d(*mine, **kw), torch.nn.functional.conv_transpose2d(*theirs, **kw)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-11)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.grad, t.grad.numpy(), rtol=1e-10, atol=1e-11)


# ---------------------------------------------------------------- bad input
BAD = [
    (lambda: F.conv_transpose2d(mg.zeros(1, 3, 4, 4), mg.zeros(2, 1, 3, 3)), ValueError, "conv_transpose2d: input has 3 channels but weight expects 2 (weight is (in_channels, out_channels/groups, kh, kw)"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 3, 4, 4), mg.zeros(3, 1, 3, 3), groups=2), ValueError, "conv_transpose2d: groups=2 does not divide the input's 3 channels"),
    (lambda: F.conv_transpose2d(mg.zeros(4, 4), mg.zeros(3, 1, 3, 3)), ValueError, "conv_transpose2d: expected input of 3 dimensions"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 1, 4, 4), mg.zeros(1, 1, 3, 3), stride=2, output_padding=2), ValueError, "conv_transpose2d: output_padding=(2, 2) must be smaller than either stride=(2, 2) or dilation=(1, 1)"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 1, 1, 1), mg.zeros(1, 1, 1, 1), padding=1), ValueError, "conv_transpose2d: output size (-1, -1) is too small"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 1, 4, 4), mg.zeros(1, 1, 3, 3), stride=0), ValueError, "conv_transpose2d: stride must be >= 1, got 0"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 1, 4, 4), mg.zeros(1, 1, 3, 3), padding="same"), TypeError, "conv_transpose2d: padding must be an int or a pair of ints"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 1, 4, 4), mg.zeros(1, 2, 3, 3), mg.zeros(3)), ValueError, "conv_transpose2d: bias must have shape (2,)"),
    (lambda: F.conv_transpose2d(mg.zeros(1, 1, 4, 4), mg.zeros(1, 2, 3)), ValueError, "conv_transpose2d: weight must be 4-D"),
]


@pytest.mark.parametrize("call,kind,message", BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, message):
    raises_naming(call, kind, message)
