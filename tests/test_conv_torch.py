"""The convolution family against PyTorch: forward values and every input's gradient over
parametrised configurations (stride, padding, dilation, groups, bias, padding modes, "same",
unbatched inputs, float32), element by element."""
import itertools

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
from conftest import compare_with_torch as compare, twins  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on even kernels


CONV_GRID = list(itertools.product([1, 2, (3, 1)], [0, 1, (2, 0)], [1, 2, (1, 3)], [1, 2]))


@pytest.mark.parametrize("stride,padding,dilation,groups", CONV_GRID)
def test_conv2d_matches_torch(stride, padding, dilation, groups):
    pairs = twins((2, 4, 11, 12), (6, 4 // groups, 3, 2), (6,))
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    compare(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw), pairs)


@pytest.mark.parametrize("kernel", [(1, 1), (3, 3), (5, 2), (2, 4)])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_kernel_shapes_without_bias(kernel, stride):
    pairs = twins((3, 2, 9, 8), (5, 2, *kernel), seed=2)
    compare(lambda x, w: F.conv2d(x, w, stride=stride, padding=1), lambda x, w: TF.conv2d(x, w, stride=stride, padding=1), pairs)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "zeros"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_padding_modes_match_torch_nn_conv2d(mode, padding):
    pairs = twins((2, 3, 7, 8), (4, 3, 3, 4), (4,), seed=3)
    layer = torch.nn.Conv2d(3, 4, (3, 4), padding=padding, padding_mode=mode).double()

    def ref(x, w, b):
        return layer._conv_forward(x, w, b)

    compare(lambda x, w, b: F.conv2d(x, w, b, padding=padding, padding_mode=mode), ref, pairs)


@pytest.mark.parametrize("kernel,dilation", [((3, 3), 1), ((4, 4), 1), ((2, 5), 2), ((4, 3), (2, 1))])
def test_same_and_valid_match_torch(kernel, dilation):
    pairs = twins((2, 3, 9, 10), (4, 3, *kernel), seed=4)
    for padding in ("same", "valid"):
        for m, t in pairs:
            m.grad, t.grad = None, None
        compare(lambda x, w: F.conv2d(x, w, padding=padding, dilation=dilation),
                lambda x, w: TF.conv2d(x, w, padding=padding, dilation=dilation), pairs)


def test_unbatched_matches_torch():
    pairs = twins((3, 7, 6), (4, 3, 3, 3), (4,), seed=5)
    compare(lambda x, w, b: F.conv2d(x, w, b, padding=1, stride=2), lambda x, w, b: TF.conv2d(x, w, b, padding=1, stride=2), pairs)


def test_convolve2d_matches_torch_conv2d_with_flipped_weight():
    pairs = twins((2, 4, 8, 9), (6, 2, 3, 4), (6,), seed=6)
    compare(lambda x, w, b: F.convolve2d(x, w, b, padding=(1, 2), groups=2, dilation=(2, 1)),
            lambda x, w, b: TF.conv2d(x, torch.flip(w, (2, 3)), b, padding=(1, 2), groups=2, dilation=(2, 1)), pairs)


def test_depthwise_conv_matches_torch():
    pairs = twins((2, 6, 10, 10), (12, 1, 3, 3), (12,), seed=7)
    compare(lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=6), lambda x, w, b: TF.conv2d(x, w, b, padding=1, groups=6), pairs)


def test_integer_valued_inputs_are_exact():
    pairs = twins((2, 3, 8, 8), (4, 3, 3, 3), (4,), seed=8, integer=True)
    out = compare(lambda x, w, b: F.conv2d(x, w, b, padding=1), lambda x, w, b: TF.conv2d(x, w, b, padding=1), pairs)
    ref = TF.conv2d(*[t.detach() for _, t in pairs], padding=1).numpy()
    np.testing.assert_array_equal(out.data, ref)  # small integers: every sum is exact


@pytest.mark.parametrize("shapes,kw", [(((32, 1, 28, 28), (8, 1, 3, 3), (8,)), dict(padding=1)),
                                       (((32, 8, 14, 14), (16, 8, 3, 3), (16,)), dict(padding=1)),
                                       (((4, 6, 15, 15), (6, 3, 3, 3), (6,)), dict(stride=2, groups=2))])
def test_float32_matches_torch_float32(shapes, kw):
    pairs = twins(*shapes, seed=9, dtype=np.float32)
    out = compare(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw), pairs,
                  rtol=1e-4, atol=1e-4)
    assert out.dtype == np.float32 and all(m.grad.dtype == np.float32 for m, _ in pairs)


def test_float64_benchmark_shapes_match_torch_tightly():
    pairs = twins((32, 8, 14, 14), (16, 8, 3, 3), (16,), seed=10)
    compare(lambda x, w, b: F.conv2d(x, w, b, padding=1), lambda x, w, b: TF.conv2d(x, w, b, padding=1), pairs)


def test_nan_and_inf_propagate_like_torch():
    x = np.random.default_rng(0).standard_normal((1, 1, 5, 5))
    x[0, 0, 1, 1], x[0, 0, 3, 4] = np.nan, np.inf
    w = np.ones((1, 1, 3, 3))
    out = F.conv2d(mg.tensor(x), mg.tensor(w), padding=1).data
    ref = TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy()
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref))
    np.testing.assert_array_equal(np.isinf(out), np.isinf(ref))
