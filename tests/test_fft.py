"""F.fft_conv2d: the convolution theorem (seed 003) computes the same numbers as the direct
conv2d, to 1e-9 in float64, and is differentiable (central differences, PyTorch)."""
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


@pytest.mark.parametrize("xshape,wshape,padding", [
    ((2, 3, 16, 16), (4, 3, 3, 3), 0),
    ((2, 3, 16, 16), (4, 3, 3, 3), 1),
    ((1, 2, 13, 17), (3, 2, 5, 4), (2, 1)),
    ((3, 1, 28, 28), (8, 1, 7, 7), 3),
    ((1, 1, 9, 9), (1, 1, 9, 9), 0),                      # kernel as large as the image: one output
    ((2, 2, 10, 11), (2, 2, 4, 3), "same"),
    ((2, 2, 10, 11), (2, 2, 4, 3), "valid"),
])
def test_fft_equals_direct_conv_to_1e9(xshape, wshape, padding):
    x, w, b = T(*xshape), T(*wshape, seed=1), T(wshape[0], seed=2)
    fft, direct = F.fft_conv2d(x, w, b, padding=padding), F.conv2d(x, w, b, padding=padding)
    assert fft.shape == direct.shape
    np.testing.assert_allclose(fft.data, direct.data, rtol=0, atol=1e-9)
    g = np.random.default_rng(3).standard_normal(fft.shape)
    fft.backward(g)
    grads = [t.grad.copy() for t in (x, w, b)]
    for t in (x, w, b):
        t.grad = None
    direct.backward(g)
    for got, want in zip(grads, (x.grad, w.grad, b.grad)):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_seed003_convolution_theorem_with_the_laplacian_kernel():
    # seed 003: feature map = input ⊗ kernel = F⁻¹(F[input] · F[kernel]), kernel [[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]
    k = np.full((3, 3), -1.0)
    k[1, 1] = 8
    photo = mg.tensor(np.random.default_rng(4).random((1, 1, 32, 32)))
    np.testing.assert_allclose(F.fft_conv2d(photo, mg.tensor(k[None, None]), padding=1).data,
                               F.conv2d(photo, mg.tensor(k[None, None]), padding=1).data, atol=1e-12)
    flat = F.fft_conv2d(mg.ones(1, 1, 8, 8), mg.tensor(k[None, None]))
    np.testing.assert_allclose(flat.data, 0, atol=1e-12)  # the kernel sums to 0: a flat image has no edges


@pytest.mark.parametrize("padding", [0, 1, (2, 0)])
def test_gradients_match_central_differences(padding):
    x, w, b = T(2, 2, 6, 7), T(3, 2, 3, 2, seed=1), T(3, seed=2)
    out = check_grads(lambda x, w, b: F.fft_conv2d(x, w, b, padding=padding), x, w, b)
    assert out.op == "fft_conv2d" and out.parents == (x, w, b)


def test_unbatched_and_without_bias():
    x, w = T(2, 8, 8), T(3, 2, 3, 3, seed=1)
    out = check_grads(lambda x, w: F.fft_conv2d(x, w, padding=1), x, w)
    assert out.shape == (3, 8, 8)
    np.testing.assert_allclose(out.data, F.conv2d(x, w, padding=1).data, atol=1e-12)


def test_float32_in_float32_out():
    x, w = T(1, 2, 12, 12, dtype=np.float32), T(2, 2, 3, 3, seed=1, dtype=np.float32)
    y = F.fft_conv2d(x, w, padding=1)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, F.conv2d(x, w, padding=1).data, rtol=1e-4, atol=1e-4)
    y.backward(np.ones(y.shape, np.float32))
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_matches_torch_conv2d():
    x, w, b = T(2, 3, 15, 14), T(5, 3, 4, 3, seed=1), T(5, seed=2)
    xt, wt, bt = (torch.tensor(t.data, requires_grad=True) for t in (x, w, b))
    y, yt = F.fft_conv2d(x, w, b, padding=(2, 1)), torch.nn.functional.conv2d(xt, wt, bt, padding=(2, 1))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-9)
    g = np.random.default_rng(5).standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    for m, t in ((x, xt), (w, wt), (b, bt)):
        np.testing.assert_allclose(m.grad, t.grad.numpy(), atol=1e-9)


BAD = [
    (lambda: F.fft_conv2d(mg.zeros(1, 3, 8, 8), mg.zeros(2, 1, 3, 3)), ValueError, "fft_conv2d: input has 3 channels but weight expects 1 (input (1, 3, 8, 8), weight (2, 1, 3, 3)); fft_conv2d has no groups"),
    (lambda: F.fft_conv2d(mg.zeros(8, 8), mg.zeros(2, 1, 3, 3)), ValueError, "fft_conv2d: expected input of 3 dimensions"),
    (lambda: F.fft_conv2d(mg.zeros(1, 1, 2, 2), mg.zeros(2, 1, 3, 3)), ValueError, "fft_conv2d: kernel (3, 3) is larger than the padded input (2, 2)"),
    (lambda: F.fft_conv2d(mg.zeros(1, 1, 8, 8), mg.zeros(2, 1, 3, 3), padding=-1), ValueError, "fft_conv2d: padding must be >= 0, got -1"),
    (lambda: F.fft_conv2d(mg.zeros(1, 1, 8, 8), mg.zeros(2, 1, 3, 3), mg.zeros(3)), ValueError, "fft_conv2d: bias must have shape (2,)"),
    (lambda: F.fft_conv2d(mg.zeros(1, 1, 8, 8), np.zeros((2, 1, 3, 3))), TypeError, "fft_conv2d: weight must be a Tensor, got numpy.ndarray"),
]


@pytest.mark.parametrize("call,kind,message", BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, message):
    raises_naming(call, kind, message)


def test_huge_spectra_are_refused_before_numpy_tries():
    big = mg.Tensor._leaf(np.broadcast_to(np.zeros((), np.float64), (64, 256, 1024, 1024)), False)
    with pytest.raises(ValueError, match=r"fft_conv2d: the Fourier spectra would need \d+\.\d GiB"):
        F.fft_conv2d(big, mg.zeros(64, 256, 3, 3), padding=1)


def test_transform_lengths_are_the_smallest_with_prime_factors_2_3_5():
    from minigrad.ops.fft import fast_len

    def smooth(m):
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        return m == 1

    for n in range(1, 600):
        f = fast_len(n)
        assert f >= n and smooth(f) and not any(smooth(m) for m in range(n, f))
    assert fast_len(262) == 270          # 262 = 2·131 would be slow
