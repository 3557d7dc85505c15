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


# ---------------------------------------------------------------- NaN and inf (issue 11 item 5)
def inf_at(shape, *where, base=None):
    a = np.arange(float(np.prod(shape))).reshape(shape) if base is None else base
    for idx in where:
        a[idx] = np.inf
    return a


def test_stride_1_conv2d_weight_grad_keeps_an_inf_to_its_windows():
    """The issue's example: the wide layout's wrap-around columns once made 0·inf = NaN in W.grad."""
    x, w = inf_at((1, 1, 4, 4), (0, 0, 1, 0)), np.ones((1, 1, 2, 2))
    X, W = mg.tensor(x, requires_grad=True), mg.tensor(w, requires_grad=True)
    F.conv2d(X, W).sum().backward()
    np.testing.assert_array_equal(W.grad.ravel(), [np.inf, 54, np.inf, 90])
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)) for a in (x, w)]
    compare(lambda x, w: F.conv2d(x, w), lambda x, w: TF.conv2d(x, w), pairs, grad=np.ones)


def test_stride_1_conv2d_input_grad_with_an_inf_weight_matches_torch():
    w = inf_at((1, 1, 2, 2), (0, 0, 0, 1), base=np.ones((1, 1, 2, 2)))
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)) for a in (inf_at((1, 1, 4, 4)), w)]
    compare(lambda x, w: F.conv2d(x, w), lambda x, w: TF.conv2d(x, w), pairs, grad=np.ones)
    assert not np.isnan(pairs[0][0].grad[0, 0, 1:, 0]).any()   # [2 2 1] like torch, once NaN


def test_stride_1_conv_transpose2d_with_an_inf_weight_matches_torch():
    w = inf_at((1, 1, 2, 2), (0, 0, 0, 1), base=np.ones((1, 1, 2, 2)))
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)) for a in (inf_at((1, 1, 3, 3)), w)]
    out = compare(lambda x, w: F.conv_transpose2d(x, w), lambda x, w: TF.conv_transpose2d(x, w), pairs)
    np.testing.assert_array_equal(out.data[0, 0, 1:, 0], [3, 9, 6])   # once NaN


@pytest.mark.parametrize("op", [
    lambda x, w: F.conv2d(x, w, padding=1),
    lambda x, w: F.conv_transpose2d(x, w),
    lambda x, w: F.conv_transpose2d(x, w, stride=2),
    lambda x, w: F.fft_conv2d(x, w, padding=1),
    lambda x, w: F.avg_pool2d(x, 2),
    lambda x, w: F.max_pool2d(x, 2, padding=1),
], ids=["conv2d", "conv_transpose2d", "conv_transpose2d-strided", "fft_conv2d", "avg_pool2d", "max_pool2d"])
def test_non_finite_values_raise_no_warnings(op, recwarn):
    """inf − inf and 0 · inf inside a forward give NaN silently, as in every other op."""
    x = inf_at((1, 1, 4, 4), (0, 0, 1, 0))
    x[0, 0, 0, 1] = -np.inf   # inf − inf in the first window
    w = inf_at((1, 1, 2, 2), (0, 0, 0, 1), base=np.ones((1, 1, 2, 2)))
    y = op(mg.tensor(x, requires_grad=True), mg.tensor(w, requires_grad=True))
    y.backward(np.ones(y.shape))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_fft_conv2d_with_one_inf_keeps_it_to_its_windows():
    """A spectrum would spread one inf over every output as NaN; fft_conv2d then correlates directly."""
    x, w = inf_at((1, 1, 5, 5), (0, 0, 2, 2)), np.random.default_rng(0).standard_normal((2, 1, 3, 3))
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)) for a in (x, w)]
    out = compare(lambda x, w: F.fft_conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1), pairs)
    assert np.isfinite(out.data[..., 0, :]).all()


def test_fft_conv2d_with_an_inf_gradient_matches_torch():
    pairs = twins((1, 2, 5, 6), (3, 2, 2, 3), seed=11)
    g = np.random.default_rng(1).standard_normal((1, 3, 4, 4))
    g[0, 1, 2, 3] = np.inf
    compare(lambda x, w: F.fft_conv2d(x, w), lambda x, w: TF.conv2d(x, w), pairs, grad=g)


@pytest.mark.parametrize("stride,groups", [(1, 1), (2, 1), (1, 2), ((2, 3), 2)])
def test_conv_transpose2d_on_an_empty_batch_matches_torch(stride, groups):
    """(0, C, H, W) in, (0, C_out, H_out, W_out) out and zero gradients, like PyTorch."""
    x = np.zeros((0, 2, 3, 4))
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))
             for a in (x, np.ones((2, 4 // groups, 3, 3)), np.ones(4))]
    out = compare(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=stride, groups=groups),
                  lambda x, w, b: TF.conv_transpose2d(x, w, b, stride=stride, groups=groups), pairs)
    assert out.shape[0] == 0 and out.shape[1] == 4


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "zeros"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_padding_modes_with_nan_and_inf_match_torch(mode, padding):
    """The padded copies of an inf or NaN (reflect, replicate, circular) reach the same outputs and
    send their gradients back to the same pixel as in torch; the weight holds some too."""
    from conftest import nonfinite
    rng = np.random.default_rng(12)
    arrays = nonfinite(rng.standard_normal((2, 3, 7, 8)), 1, 0.1), nonfinite(rng.standard_normal((4, 3, 3, 4)), 2, 0.05)
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)) for a in arrays]
    layer = torch.nn.Conv2d(3, 4, (3, 4), padding=padding, padding_mode=mode, bias=False).double()
    compare(lambda x, w: F.conv2d(x, w, padding=padding, padding_mode=mode), lambda x, w: layer._conv_forward(x, w, None),
            pairs, grad=lambda shape: nonfinite(np.random.default_rng(3).standard_normal(shape), 4, 0.05))
