"""mg.scalar: the slides' numbers in, the slides' numbers out; every multiply-add a node."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import scalar as S

IMAGE_6x6 = [[1, 0, 0, 0, 0, 1],   # seed 004
             [0, 1, 0, 0, 1, 0],
             [0, 0, 1, 1, 0, 0],
             [1, 0, 0, 0, 1, 0],
             [0, 1, 0, 0, 1, 0],
             [0, 0, 1, 0, 1, 0]]
FILTER_1 = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
FILTER_2 = [[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]


def test_seed004_filter1_gives_the_slides_4x4_map():
    out = S.conv2d(S.grid(IMAGE_6x6, "x"), S.grid(FILTER_1, "w"))
    np.testing.assert_array_equal(S.values(out), [[3, -1, -3, -1],
                                                  [-3, 1, 0, -3],
                                                  [-3, -3, 0, 1],
                                                  [3, -2, -2, -1]])


def test_seed004_filter2_and_stride2():
    x = S.grid(IMAGE_6x6, "x")
    np.testing.assert_array_equal(S.values(S.conv2d(x, FILTER_2)), [[-1, -1, -1, -1],
                                                                   [-1, -1, -2, 1],
                                                                   [-1, -1, -2, 1],
                                                                   [-1, 0, -4, 3]])
    np.testing.assert_array_equal(S.values(S.conv2d(x, FILTER_1, stride=2)), [[3, -3], [-3, 0]])


def test_seed004_two_filters_make_two_channels_then_max_pool():
    x = S.grid(IMAGE_6x6, "x")
    maps = S.conv2d(x, np.array([[FILTER_1], [FILTER_2]]))     # W (O=2, C=1, 3, 3)
    assert maps.shape == (2, 4, 4)
    pooled = S.max_pool2d(maps, 2)
    np.testing.assert_array_equal(S.values(pooled), [[[3, 0], [3, 1]], [[-1, 1], [0, 3]]])


EDGE_IMAGE = [[1, 0, 0, 1, 0, 0],   # seed 000, "Edge extraction"
              [1, 1, 0, 1, 0, 0],
              [1, 0, 0, 1, 0, 0],
              [1, 1, 1, 1, 1, 1],
              [1, 0, 0, 1, 0, 0],
              [1, 0, 0, 1, 0, 0]]
EDGE_MAP = [[3, 1, 0, 3], [3, 2, 1, 3], [3, 1, 1, 3], [3, 1, 1, 3]]


def test_seed000_edge_extraction_and_its_pooling():
    edge = S.conv2d(S.grid(EDGE_IMAGE, "x"), [[1, 0, 0], [1, 0, 0], [1, 0, 0]])
    np.testing.assert_array_equal(S.values(edge), EDGE_MAP)
    np.testing.assert_array_equal(S.values(S.max_pool2d(edge, 2, stride=1)), [[3, 2, 3], [3, 2, 3], [3, 1, 3]])
    np.testing.assert_array_equal(S.values(S.avg_pool2d(edge, 2, stride=1)),
                                  [[2.25, 1, 1.75], [2.25, 1.25, 2], [2, 1, 2]])


@pytest.mark.parametrize("fmap", [[[3, 0, 4, 3], [4, 1, 2, 3], [1, 1, 8, 7], [2, 0, 6, 4]],
                                  [[1, 3, 0, 4], [2, 4, 1, 2], [1, 1, 1, 8], [1, 2, 0, 6]]])
def test_seed001_max_pooling_2x2_stride2(fmap):
    pooled = S.max_pool2d(S.grid(fmap, "a"), 2)
    np.testing.assert_array_equal(S.values(pooled), [[4, 4], [2, 8]])
    assert all(p.op == "max" and len(p.parents) == 4 for p in pooled.ravel())


def _letters():
    return np.array([[mg.Value(1.0, c) for c in row] for row in ("ABC", "DEF", "GHI")], dtype=object)


def _pairs(out):
    (node,) = out.ravel()
    assert node.op == "sum" and all(t.op == "*" for t in node.parents)
    return [(int(t.parents[0].data), t.parents[1].name) for t in node.parents]


def test_seed001_cross_correlation_is_1A_plus_2B_up_to_9I():
    out = S.conv2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], _letters())
    assert _pairs(out) == list(zip(range(1, 10), "ABCDEFGHI"))


def test_seed001_true_convolution_is_1I_plus_2H_up_to_9A():
    out = S.convolve2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], _letters())
    assert _pairs(out) == list(zip(range(1, 10), "IHGFEDCBA"))


def _slide_graph(w_values=((1.0, 2.0), (3.0, 4.0))):
    x = S.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = S.grid(w_values, "w")
    return x, w, S.conv2d(x, w, name="s")


def test_seed000_backprop_sum_case_dw11_is_x11_x12_x21_x22():
    x, w, s = _slide_graph()
    assert [v.name for v in s.ravel()] == ["s11", "s12", "s21", "s22"]
    assert [v.name for v in w.ravel()] == ["w11", "w12", "w21", "w22"]
    f = S.sum(s, name="f")
    f.backward()
    xv = S.values(x)
    assert S.grads(w)[0, 0] == xv[0, 0] + xv[0, 1] + xv[1, 0] + xv[1, 1] == 4
    np.testing.assert_array_equal(S.grads(w), [[4, 2], [3, 1]])
    np.testing.assert_array_equal(S.grads(s), np.ones((2, 2)))


def test_seed000_backprop_max_case_routes_everything_through_the_selected_window():
    x, w, s = _slide_graph()
    np.testing.assert_array_equal(S.values(s), [[10, 4], [6, 1]])
    f = S.max(s[0, 0], s[0, 1], name="f")         # f = maxpool(s11, s12)
    assert f.selected == 0 and f.data == 10       # if (s11 > s12): df/ds11 = 1, df/ds12 = 0
    f.backward()
    assert (s[0, 0].grad, s[0, 1].grad) == (1.0, 0.0)
    np.testing.assert_array_equal(S.grads(w), [[1, 1], [1, 1]])   # the x under window s11
    np.testing.assert_array_equal(S.grads(x), [[1, 2, 0], [3, 4, 0], [0, 0, 0]])


def test_seed000_a_tie_goes_to_the_first_window():
    x, w, s = _slide_graph(((1.0, 1.0), (1.0, 1.0)))
    twin = s[0, 0] * 1.0                          # the same number as s11, through another node
    f = S.max(s[0, 0], twin)
    assert f.data == twin.data and f.selected == 0
    f.backward()
    assert (s[0, 0].grad, twin.grad) == (1.0, 0.0)    # the first maximum takes it all
    g = S.max(twin, s[0, 0])                           # and the other way round
    assert g.selected == 0 and g.parents[0] is twin


def test_conv_options_stride_padding_dilation_and_names():
    x = S.grid(np.arange(49.0).reshape(7, 7), "x")
    k = np.ones((3, 3))
    assert S.conv2d(x, k).shape == (5, 5)
    assert S.conv2d(x, k, padding=1).shape == (7, 7)
    assert S.conv2d(x, k, stride=2).shape == (3, 3)
    dil = S.conv2d(x, k, dilation=2)
    assert dil.shape == (3, 3)
    assert {t.parents[0].name for t in dil[0, 0].parents} == {f"x{i}{j}" for i in (1, 3, 5) for j in (1, 3, 5)}
    padded = S.conv2d(x, k, padding=1, name="s")
    assert len(padded[0, 0].parents) == 4 and padded[0, 0].name == "s11"
    ref = np.array([[np.sum(np.pad(np.arange(49.0).reshape(7, 7), 1)[i:i + 3, j:j + 3]) for j in range(7)] for i in range(7)])
    np.testing.assert_array_equal(S.values(padded), ref)


def test_multi_channel_kernel_c_kh_kw_sums_channels():
    x = S.grid(np.ones((3, 4, 4)), "x")
    out = S.conv2d(x, np.ones((3, 2, 2)))
    assert out.shape == (3, 3) and S.values(out)[0, 0] == 12
    assert len(out[0, 0].parents) == 12


@pytest.mark.parametrize("call, kind, match", [
    (lambda: S.grid([[1, "a"]], "x"), TypeError, r"scalar.grid: array\[0, 1\] is str"),
    (lambda: S.conv2d(np.ones((2, 2)), np.ones((3, 3))), ValueError, r"scalar.conv2d: kernel \(3, 3\).*larger than the padded input \(2, 2\)"),
    (lambda: S.conv2d(np.ones((4, 4)), np.ones((2, 2)), stride=0), ValueError, "scalar.conv2d: stride must be >= 1, got 0"),
    (lambda: S.conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=-1), ValueError, "scalar.conv2d: padding must be >= 0"),
    (lambda: S.conv2d(np.ones((4, 4)), np.ones((2, 2)), dilation=-2), ValueError, "scalar.conv2d: dilation must be >= 1"),
    (lambda: S.conv2d(np.ones((2, 4, 4)), np.ones((3, 2, 2))), ValueError, r"X has 2 channels but W expects 3"),
    (lambda: S.max_pool2d(np.ones((4, 4)), 0), ValueError, "scalar.max_pool2d: kernel_size must be >= 1, got 0"),
    (lambda: S.avg_pool2d(np.ones((2, 2)), 3), ValueError, r"scalar.avg_pool2d: kernel_size \(3, 3\) is larger than the input \(2, 2\)"),
    (lambda: S.max(), ValueError, "scalar.max: needs at least one value"),
    (lambda: S.values([1.0]), TypeError, "scalar.values: grid"),
])
def test_bad_input_names_the_function_argument_and_shapes(call, kind, match):
    with pytest.raises(kind, match=match):
        call()
