"""F.conv2d / F.convolve2d on tensors: the slides' numbers, a loop-by-loop reference, central
differences (float64), and a clear error for every bad input."""
import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from numgrad import check_grads
from conftest import random_tensor as T, raises_naming

# ---------------------------------------------------------------- seed 004 (Hung-yi Lee, "CNN – Convolution")
IMAGE_6x6 = np.array([[1, 0, 0, 0, 0, 1],
                      [0, 1, 0, 0, 1, 0],
                      [0, 0, 1, 1, 0, 0],
                      [1, 0, 0, 0, 1, 0],
                      [0, 1, 0, 0, 1, 0],
                      [0, 0, 1, 0, 1, 0]], dtype=float)
FILTER_1 = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
FILTER_2 = np.array([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]], dtype=float)
MAP_1 = np.array([[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]], dtype=float)  # on the slide
MAP_2 = np.array([[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]], dtype=float)  # the lecture's


def reference_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """out[n,o,i,j] = b[o] + Σ_{c,u,v} xpad[n, g·C/g + c, i·s + u·d, j·s + v·d] · w[o,c,u,v], loop by loop."""
    s, p, d = (np.broadcast_to(a, 2) for a in (stride, padding, dilation))
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    n, _, hp, wp = xp.shape
    o, cg, kh, kw = w.shape
    ho, wo = (hp - d[0] * (kh - 1) - 1) // s[0] + 1, (wp - d[1] * (kw - 1) - 1) // s[1] + 1
    out = np.zeros((n, o, ho, wo))
    for oc in range(o):
        c0 = (oc // (o // groups)) * cg
        for i in range(ho):
            for j in range(wo):
                win = xp[:, c0:c0 + cg, i * s[0]:i * s[0] + d[0] * (kh - 1) + 1:d[0],
                         j * s[1]:j * s[1] + d[1] * (kw - 1) + 1:d[1]]
                out[:, oc, i, j] = (win * w[oc]).sum(axis=(1, 2, 3)) + (0 if b is None else b[oc])
    return out


# ---------------------------------------------------------------- the slides
def test_seed004_filter1_and_filter2_give_the_slides_4x4_maps():
    x = mg.tensor(IMAGE_6x6[None, None])
    w = mg.tensor(np.stack([FILTER_1, FILTER_2])[:, None])
    maps = F.conv2d(x, w, stride=1)
    assert maps.shape == (1, 2, 4, 4)  # "Do the same process for every filter": 2 filters, 2 channels
    np.testing.assert_array_equal(maps.data[0, 0], MAP_1)
    np.testing.assert_array_equal(maps.data[0, 1], MAP_2)


def test_seed004_stride_2_keeps_every_other_window():
    maps = F.conv2d(mg.tensor(IMAGE_6x6[None, None]), mg.tensor(FILTER_1[None, None]), stride=2)
    np.testing.assert_array_equal(maps.data[0, 0], [[3, -3], [-3, 0]])


def test_seed004_then_max_pool_gives_the_smaller_image():
    maps = F.conv2d(mg.tensor(IMAGE_6x6[None, None]), mg.tensor(np.stack([FILTER_1, FILTER_2])[:, None]))
    pooled = F.max_pool2d(maps, 2)
    np.testing.assert_array_equal(pooled.data[0, 0], [[3, 0], [3, 1]])
    np.testing.assert_array_equal(pooled.data[0, 1], [[-1, 1], [0, 3]])


def test_seed004_keras_model_shapes_25x26x26_then_13_then_11_then_5():
    x = T(2, 1, 28, 28, grad=False)                     # input_shape=(28, 28, 1), channels first here
    y = F.conv2d(x, T(25, 1, 3, 3, seed=1))               # Convolution2D(25, 3, 3)
    assert y.shape == (2, 25, 26, 26)
    y = F.max_pool2d(y, 2)                                # MaxPooling2D((2, 2))
    assert y.shape == (2, 25, 13, 13)
    y = F.conv2d(y, T(50, 25, 3, 3, seed=2))              # Convolution2D(50, 3, 3)
    assert y.shape == (2, 50, 11, 11)                     # "the output of the k-th filter is 11 x 11"
    assert F.max_pool2d(y, 2).shape == (2, 50, 5, 5)


def test_seed000_edge_extraction_map():
    img = np.array([[1, 0, 0, 1, 0, 0], [1, 1, 0, 1, 0, 0], [1, 0, 0, 1, 0, 0],
                    [1, 1, 1, 1, 1, 1], [1, 0, 0, 1, 0, 0], [1, 0, 0, 1, 0, 0]], dtype=float)
    k = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0]], dtype=float)
    out = F.conv2d(mg.tensor(img[None]), mg.tensor(k[None, None]))  # unbatched (C, H, W)
    np.testing.assert_array_equal(out.data[0], [[3, 1, 0, 3], [3, 2, 1, 3], [3, 1, 1, 3], [3, 1, 1, 3]])


def test_seed000_quiz_480x640_5x5_stride5_padding5_is_98x130_and_9_filters_give_9_channels():
    assert F.conv_output_size(480, 5, stride=5, padding=5) == 98
    assert F.conv_output_size(640, 5, stride=5, padding=5) == 130
    x = mg.zeros(1, 3, 480, 640)                          # "(480X640)-Image 3-Channel"
    y = F.conv2d(x, mg.zeros(9, 3, 5, 5), stride=5, padding=5)
    assert y.shape == (1, 9, 98, 130)                     # "Channel => 9"


def test_seed001_7x7_gives_5x5_without_padding_and_7x7_with_zero_padding():
    x, w = T(1, 1, 7, 7), T(1, 1, 3, 3, seed=1)
    assert F.conv2d(x, w).shape == (1, 1, 5, 5)
    padded = F.conv2d(x, w, padding=1)
    assert padded.shape == (1, 1, 7, 7)
    assert F.conv2d(x, w, padding="same").shape == (1, 1, 7, 7)
    # the zero frame adds nothing: the inner 5x5 equals the unpadded output
    np.testing.assert_allclose(padded.data[..., 1:-1, 1:-1], F.conv2d(x, w).data)
    assert F.conv2d(x, w, stride=2).shape == (1, 1, 3, 3)  # seed 000: "No padding, stride=2 (3, 3)"


def test_seed000_dilation_2_makes_a_3x3_kernel_see_5x5():
    x, w = T(1, 1, 9, 9), T(1, 1, 3, 3, seed=1)
    spread = np.zeros((1, 1, 5, 5))
    spread[..., ::2, ::2] = w.data                        # F 0 F 0 F / 0 0 0 0 0 / ...
    dilated = F.conv2d(x, w, dilation=2)
    assert dilated.shape == (1, 1, 5, 5) == F.conv2d(x, mg.tensor(spread)).shape
    np.testing.assert_allclose(dilated.data, F.conv2d(x, mg.tensor(spread)).data, atol=1e-12)
    assert F.conv_output_size(9, 3, dilation=2) == 5


def test_seed001_cross_correlation_vs_convolution_on_1_to_9():
    x = mg.tensor(np.arange(1.0, 10.0).reshape(1, 3, 3))
    k = np.arange(10.0, 100.0, 10.0).reshape(3, 3)        # A..I = 10, 20, ..., 90
    corr = F.conv2d(x, mg.tensor(k[None, None])).item()     # (1*A) + (2*B) + ... + (9*I)
    conv = F.convolve2d(x, mg.tensor(k[None, None])).item()  # (1*I) + (2*H) + ... + (9*A)
    assert corr == sum(i * a for i, a in zip(range(1, 10), range(10, 100, 10)))
    assert conv == sum(i * a for i, a in zip(range(1, 10), range(90, 0, -10)))


def test_tensor_conv_equals_scalar_grid_conv():
    x, w = np.random.default_rng(0).integers(-3, 4, (2, 5, 6)).astype(float), np.arange(-4.0, 14.0).reshape(1, 2, 3, 3)
    grid = mg.scalar.values(mg.scalar.conv2d(x, w, stride=2, padding=1))
    np.testing.assert_allclose(F.conv2d(mg.tensor(x), mg.tensor(w), stride=2, padding=1).data, grid)


# ---------------------------------------------------------------- values against the loop reference
CONFIGS = [
    dict(),
    dict(stride=2),
    dict(stride=(2, 3), padding=(1, 2)),
    dict(padding=2, dilation=2),
    dict(stride=3, padding=1, dilation=(1, 2)),
    dict(groups=2),
    dict(groups=4, stride=2, padding=1),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_values_equal_the_loop_reference(cfg, bias):
    x, w = T(2, 4, 9, 10, grad=False), T(8, 4 // cfg.get("groups", 1), 3, 2, seed=1, grad=False)
    b = T(8, seed=2, grad=False) if bias else None
    out = F.conv2d(x, w, b, **cfg)
    ref = reference_conv2d(x.data, w.data, None if b is None else b.data, **cfg)
    np.testing.assert_allclose(out.data, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
def test_gradients_match_central_differences(cfg):
    x, w, b = T(2, 4, 6, 7), T(4, 4 // cfg.get("groups", 1), 3, 2, seed=1), T(4, seed=2)
    check_grads(lambda x, w, b: F.conv2d(x, w, b, **cfg), x, w, b)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_padding_modes_pad_then_convolve(mode):
    x, w, b = T(2, 3, 5, 6), T(4, 3, 3, 3, seed=1), T(4, seed=2)
    out = check_grads(lambda x, w, b: F.conv2d(x, w, b, padding=(1, 2), padding_mode=mode), x, w, b)
    padded = F.pad(x, (2, 2, 1, 1), mode="constant" if mode == "zeros" else mode)
    np.testing.assert_allclose(out.data, reference_conv2d(padded.data, w.data, b.data), atol=1e-12)


@pytest.mark.parametrize("kernel,dilation", [((3, 3), 1), ((4, 2), 1), ((2, 3), 2)])
def test_same_padding_keeps_the_size_extra_on_bottom_right(kernel, dilation):
    x, w = T(1, 2, 7, 8), T(3, 2, *kernel, seed=1)
    out = check_grads(lambda x, w: F.conv2d(x, w, padding="same", dilation=dilation), x, w)
    assert out.shape == (1, 3, 7, 8)
    total = [dilation * (k - 1) for k in kernel]
    xp = np.pad(x.data, ((0, 0), (0, 0), (total[0] // 2, total[0] - total[0] // 2),
                         (total[1] // 2, total[1] - total[1] // 2)))
    np.testing.assert_allclose(out.data, reference_conv2d(xp, w.data, dilation=dilation), atol=1e-12)
    assert F.conv2d(x, w, padding="valid").shape == F.conv2d(x, w).shape


def test_unbatched_input_gives_unbatched_output_and_grad():
    x, w, b = T(3, 6, 5), T(2, 3, 3, 3, seed=1), T(2, seed=2)
    out = check_grads(lambda x, w, b: F.conv2d(x, w, b, padding=1), x, w, b)
    assert out.shape == (2, 6, 5) and x.grad.shape == (3, 6, 5)
    np.testing.assert_allclose(out.data, F.conv2d(mg.tensor(x.data[None]), w, b, padding=1).data[0])


def test_convolve2d_is_conv2d_with_the_kernel_flipped():
    x, w, b = T(2, 4, 7, 6), T(6, 2, 3, 2, seed=1), T(6, seed=2)
    out = check_grads(lambda x, w, b: F.convolve2d(x, w, b, stride=2, padding=1, groups=2), x, w, b)
    flipped = mg.tensor(w.data[:, :, ::-1, ::-1].copy())
    np.testing.assert_allclose(out.data, F.conv2d(x, flipped, b, stride=2, padding=1, groups=2).data)
    assert out.op == "convolve2d"


def test_conv_of_a_sum_is_the_sum_of_convs():
    x1, x2, w = T(2, 3, 6, 6, grad=False), T(2, 3, 6, 6, seed=1, grad=False), T(4, 3, 3, 3, seed=2, grad=False)
    lhs = F.conv2d(x1 + x2, w, padding=1)
    rhs = F.conv2d(x1, w, padding=1) + F.conv2d(x2, w, padding=1)
    np.testing.assert_allclose(lhs.data, rhs.data, atol=1e-12)


def test_float32_stays_float32_and_agrees_with_float64():
    x, w, b = T(2, 3, 8, 8), T(4, 3, 3, 3, seed=1), T(4, seed=2)
    x32, w32, b32 = (mg.tensor(t.data.astype(np.float32), requires_grad=True) for t in (x, w, b))
    y, y32 = F.conv2d(x, w, b, padding=1), F.conv2d(x32, w32, b32, padding=1)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32.data, y.data, rtol=1e-5, atol=1e-5)
    g = np.random.default_rng(5).standard_normal(y.shape)
    y.backward(g)
    y32.backward(g.astype(np.float32))
    for a, a32 in ((x, x32), (w, w32), (b, b32)):
        assert a32.grad.dtype == np.float32
        np.testing.assert_allclose(a32.grad, a.grad, rtol=1e-4, atol=1e-4)


def test_mixed_dtypes_compute_in_float64_and_grads_keep_each_dtype():
    x = mg.tensor(np.ones((1, 1, 4, 4), np.float32), requires_grad=True)
    w = T(1, 1, 3, 3)
    y = F.conv2d(x, w)
    assert y.dtype == np.float64
    y.backward(np.ones(y.shape))
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float64


def test_no_grad_records_nothing_and_the_graph_survives_backward():
    x, w = T(1, 2, 5, 5), T(3, 2, 3, 3, seed=1)
    with mg.no_grad():
        y = F.conv2d(x, w)
    assert not y.requires_grad and y.parents == ()
    y = F.conv2d(x, w, padding=1)
    y.backward(np.ones(y.shape))
    first = w.grad.copy()
    assert y.parents == (x, w) and y.op == "conv2d" and y._ctx.padding == (1, 1, 1, 1)
    y.backward(np.ones(y.shape))                          # grads accumulate, like PyTorch
    np.testing.assert_allclose(w.grad, 2 * first)


def test_only_the_inputs_that_need_it_get_a_grad():
    x, w, b = T(1, 2, 5, 5, grad=False), T(3, 2, 3, 3, seed=1), T(3, seed=2, grad=False)
    F.conv2d(x, w, b).sum().backward()
    assert x.grad is None and b.grad is None and w.grad.shape == w.shape
    x2, w2 = T(1, 2, 5, 5), T(3, 2, 3, 3, seed=1, grad=False)
    F.conv2d(x2, w2).sum().backward()
    assert x2.grad.shape == x2.shape and w2.grad is None


def test_empty_batch_is_fine():
    y = F.conv2d(mg.zeros(0, 2, 5, 5), T(3, 2, 3, 3))
    assert y.shape == (0, 3, 3, 3)


def test_conv_output_size_formula():
    assert F.conv_output_size(28, 3) == 26
    assert F.conv_output_size(28, 3, padding=1) == 28
    assert F.conv_output_size(7, 3, stride=2) == 3
    assert F.conv_output_size(10, 3, stride=3, padding=1, dilation=2) == 3  # floor((10+2-4-1)/3)+1
    for size, k, s, p, d in [(5, 2, 2, 0, 1), (17, 4, 3, 2, 2), (1, 1, 1, 0, 1)]:
        out = F.conv2d(mg.zeros(1, 1, size, size), mg.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
        assert out.shape[-1] == F.conv_output_size(size, k, s, p, d)


# ---------------------------------------------------------------- bad input
x4, w4 = mg.zeros(1, 3, 28, 28), mg.zeros(8, 1, 3, 3)
BAD = [
    (lambda: F.conv2d(x4, w4), ValueError, "conv2d: input has 3 channels but weight expects 1 (input (1, 3, 28, 28), weight (8, 1, 3, 3))"),
    (lambda: F.conv2d(mg.zeros(28, 28), w4), ValueError, "conv2d: expected input of 3 dimensions (C, H, W) or 4 (N, C, H, W), got shape (28, 28)"),
    (lambda: F.conv2d(mg.zeros(1, 1, 1, 28, 28), w4), ValueError, "got shape (1, 1, 1, 28, 28)"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), mg.zeros(1, 3, 3)), ValueError, "conv2d: weight must be 4-D"),
    (lambda: F.conv2d(mg.zeros(1, 4, 5, 5), mg.zeros(6, 2, 3, 3), groups=3), ValueError, "conv2d: groups=3 does not divide the input's 4 channels"),
    (lambda: F.conv2d(mg.zeros(1, 4, 5, 5), mg.zeros(5, 2, 3, 3), groups=2), ValueError, "conv2d: groups=2 does not divide the weight's 5 output channels"),
    (lambda: F.conv2d(mg.zeros(1, 4, 5, 5), mg.zeros(6, 1, 3, 3), groups=2), ValueError, "input has 4 channels but weight expects 1 x groups 2 = 2"),
    (lambda: F.conv2d(mg.zeros(1, 1, 2, 2), w4), ValueError, "conv2d: kernel (3, 3) is larger than the padded input (2, 2)"),
    (lambda: F.conv2d(mg.zeros(1, 1, 4, 4), w4, dilation=2), ValueError, "kernel (3, 3) dilated by (2, 2) to (5, 5) is larger than the padded input (4, 4)"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, stride=0), ValueError, "conv2d: stride must be >= 1, got 0"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, stride=-1), ValueError, "conv2d: stride must be >= 1, got -1"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, dilation=0), ValueError, "conv2d: dilation must be >= 1, got 0"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, padding=-1), ValueError, "conv2d: padding must be >= 0, got -1"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, padding="full"), ValueError, "conv2d: padding must be one of ['valid', 'same'], got 'full'"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, padding=1.5), TypeError, "conv2d: padding must be an int or a pair of ints"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, padding="same", stride=2), ValueError, "conv2d: padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, padding_mode="mirror"), ValueError, "conv2d: padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], got 'mirror'"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, padding=5, padding_mode="reflect"), ValueError, "conv2d: padding_mode='reflect': padding (5, 5) must be smaller than the size 5"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, mg.zeros(3)), ValueError, "conv2d: bias must have shape (8,), one per output channel, got (3,)"),
    (lambda: F.conv2d(np.zeros((1, 1, 5, 5)), w4), TypeError, "conv2d: input must be a Tensor, got numpy.ndarray"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), [[1.0]]), TypeError, "conv2d: weight must be a Tensor, got list"),
    (lambda: F.conv2d(mg.tensor(np.zeros((1, 1, 5, 5), int)), w4), TypeError, "conv2d: input must be a floating-point tensor, got dtype int64"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, groups=0), ValueError, "conv2d: groups must be >= 1, got 0"),
    (lambda: F.conv2d(mg.zeros(1, 1, 5, 5), w4, groups=1.0), TypeError, "conv2d: groups must be an int"),
    (lambda: F.convolve2d(x4, w4), ValueError, "convolve2d: input has 3 channels but weight expects 1"),
    (lambda: F.conv_output_size(4, 7), ValueError, "conv_output_size: kernel_size 7 (dilation 1) is larger than the padded size 4"),
    (lambda: F.conv_output_size(28, 3, stride=0), ValueError, "conv_output_size: stride must be >= 1, got 0"),
    (lambda: F.conv_output_size(28.0, 3), TypeError, "conv_output_size: size must be an int, got 28.0"),
]


@pytest.mark.parametrize("call,kind,message", BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, message):
    raises_naming(call, kind, message)


def test_a_huge_im2col_is_refused_before_numpy_tries():
    # (64, 512, 512, 512) float64 with a 3x3 kernel would need ~590 GiB of windows; the
    # input itself is a zero-strided broadcast view, so the test allocates nothing big.
    big = mg.Tensor._leaf(np.broadcast_to(np.zeros((), np.float64), (64, 512, 512, 512)), False)
    with pytest.raises(ValueError, match=r"conv2d: the im2col window buffer would need \d+\.\d GiB"):
        F.conv2d(big, mg.zeros(8, 512, 3, 3), padding=1)


# ---------------------------------------------------------------- reused work buffers never leak into results
ALIAS_CASES = [
    ("conv2d", dict(padding=1), (1, 1, 1, 4), (1, 1, 1, 3)),      # one output row: a crop that is contiguous
    ("conv2d", dict(), (1, 1, 3, 3), (1, 1, 1, 1)),               # 1x1 kernel, stride 1
    ("conv2d", dict(padding=1), (2, 3, 6, 5), (4, 3, 3, 3)),
    ("conv2d", dict(stride=2, padding=1), (2, 3, 7, 6), (4, 3, 3, 3)),
    ("conv_transpose2d", dict(dilation=2, output_padding=1), (1, 1, 3, 3), (1, 1, 3, 3)),
    ("conv_transpose2d", dict(stride=2, padding=1), (2, 4, 3, 3), (4, 2, 3, 3)),
    ("conv_transpose2d", dict(), (1, 2, 1, 1), (2, 1, 2, 2)),
]


@pytest.mark.parametrize("fn,kw,xshape,wshape", ALIAS_CASES)
def test_outputs_and_grads_survive_the_next_call_with_the_same_shapes(fn, kw, xshape, wshape):
    op = getattr(F, fn)
    x1, w = T(*xshape, seed=1), T(*wshape, seed=2)
    h1 = x1 * 1.0                                          # an interior node: its grad is stored, not copied
    y1 = op(h1, w, **kw)
    y1.backward(np.ones(y1.shape))
    saved = y1.data.copy(), h1.grad.copy(), w.grad.copy()
    x2 = T(*xshape, seed=3)
    y2 = op(x2 * 1.0, w, **kw)
    y2.backward(np.full(y2.shape, 5.0))
    for got, want in zip((y1.data, h1.grad), saved[:2]):
        np.testing.assert_array_equal(got, want)
    assert not np.shares_memory(y1.data, y2.data)


def test_saved_windows_are_recycled_only_after_their_graph_dies():
    x, w = T(2, 3, 6, 6), T(4, 3, 3, 3, seed=1)
    y1, y2 = F.conv2d(x, w, padding=1), F.conv2d(x, w, padding=1)
    assert not np.shares_memory(y1._ctx.saved, y2._ctx.saved)   # two live graphs, two buffers
    base = y1._ctx.saved.base if y1._ctx.saved.base is not None else y1._ctx.saved
    del y1                                                        # graph 1 dies: its windows go back
    y3 = F.conv2d(x, w, padding=1)
    assert np.shares_memory(y3._ctx.saved, base)                  # ... and the next step takes them
    assert not np.shares_memory(y3._ctx.saved, y2._ctx.saved)
    y3.backward(np.ones(y3.shape))
    grad = w.grad.copy()
    w.grad = None
    y2.backward(np.ones(y2.shape))                                # y2's windows are untouched
    np.testing.assert_allclose(w.grad, grad)


def test_threads_each_get_their_own_work_buffers():
    import threading
    x, w = T(4, 3, 9, 9), T(5, 3, 3, 3, seed=1, grad=False)
    y = F.conv2d(x, w, padding=1)
    y.backward(np.ones(y.shape))
    want, want_grad = y.data, x.grad                       # the input grad does not depend on x
    results, errors = [], []

    def worker(scale):
        try:
            for _ in range(20):
                xs = mg.tensor(x.data * scale, requires_grad=True)
                ys = F.conv2d(xs, w, padding=1)
                ys.backward(np.ones(ys.shape))
                results.append(np.allclose(ys.data, want * scale) and np.allclose(xs.grad, want_grad))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (1.0, 2.0, 3.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 60 and all(results)


class _NoWaitLock:
    """A stand-in for the recycle lock that records, instead of blocking, when someone would wait
    for it while it is held (a real, non-reentrant lock held by the same thread: a deadlock)."""

    def __init__(self):
        self.held, self.waited = 0, False

    def acquire(self, blocking=True, timeout=-1):
        if self.held and not blocking:
            return False
        self.waited = self.waited or bool(self.held)
        self.held += 1
        return True

    def release(self):
        self.held -= 1

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


def test_a_graph_dying_while_the_recycle_lock_is_held_cannot_deadlock(monkeypatch):
    """Finalizers give the saved windows back on whichever thread drops the graph, also during a
    GC pass inside ``recycled`` that holds the (non-reentrant) lock: they must never wait for it."""
    import minigrad.ops.conv as conv_ops
    lock = _NoWaitLock()
    monkeypatch.setattr(conv_ops, "_recycle_lock", lock)
    x, w = T(2, 3, 6, 6), T(4, 3, 3, 3, seed=1)
    y = F.conv2d(x, w, padding=1)
    alive = weakref.ref(y._ctx)
    with lock:                         # as if the GC ran inside recycled()
        del y                          # the finalizer runs now, on this thread
        assert alive() is None
    assert not lock.waited
    y = F.conv2d(x, w, padding=1)      # the pool works as before once the lock is free
    base = y._ctx.saved.base
    del y
    assert np.shares_memory(F.conv2d(x, w, padding=1)._ctx.saved, base)
