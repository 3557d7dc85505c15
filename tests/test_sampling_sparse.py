"""AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample (F.interpolate, nearest), Dropout2d, Embedding and
F.one_hot (issue 13 item 10): PyTorch's numbers forward and backward (NaN and ties included),
PyTorch's init, state_dict keys and repr, and the new ops' scalar expansions."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from conftest import compare_with_torch, raises_naming, twins
from minigrad.scalar.expand import expand_graph

torch = pytest.importorskip("torch")
tnn, TF = torch.nn, torch.nn.functional


def same_expansion(out, x):
    """(out * R).sum() rebuilt from Values: its value and x's gradient equal the tensor path's."""
    r = mg.tensor(np.random.default_rng(9).standard_normal(out.shape))
    loss = (out * r).sum()
    scalar, grids = expand_graph(loss)
    assert scalar.data == pytest.approx(loss.item(), rel=1e-10, abs=1e-12)
    loss.backward()
    scalar.backward()
    np.testing.assert_allclose(mg.scalar.grads(grids[id(x)]), x.grad, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ adaptive pooling
ADAPTIVE = [((2, 3, 7, 9), (3, 4)), ((1, 2, 5, 5), 1), ((2, 3, 6, 6), (3, None)), ((3, 7, 5), (2, 2)),
            ((1, 1, 3, 3), (5, 5)), ((2, 2, 8, 8), 4), ((1, 2, 10, 7), (None, 3))]


@pytest.mark.parametrize("shape,size", ADAPTIVE)
@pytest.mark.parametrize("kind", ["Avg", "Max"])
@pytest.mark.parametrize("special", [None, "nan", "ties"])
def test_adaptive_pool_like_torch(shape, size, kind, special):
    name = f"Adaptive{kind}Pool2d"
    m, t = getattr(nn, name)(size), getattr(tnn, name)(size)
    assert repr(m) == repr(t)
    pairs = twins(shape, seed=1, integer=special == "ties")
    if special == "nan":
        for idx in [(0,) * len(shape), (0,) * (len(shape) - 2) + (1, 2), (-1,) * len(shape)]:
            pairs[0][0].data[idx] = np.nan
            with torch.no_grad():
                pairs[0][1][idx] = np.nan
    compare_with_torch(m, t, pairs)


@pytest.mark.parametrize("special", [None, "nan", "ties"])
def test_adaptive_max_pool_indices_are_torch_s(special):
    (x, xt), = twins((2, 3, 7, 5), seed=2, integer=special == "ties")
    if special == "nan":
        x.data[0, 0, :2, :2] = xt.data[0, 0, :2, :2] = np.nan  # several NaNs in one window: the last wins
    _, idx = F.adaptive_max_pool2d(x, (3, 2), return_indices=True)
    _, tidx = TF.adaptive_max_pool2d(xt, (3, 2), return_indices=True)
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    out, tout = nn.AdaptiveMaxPool2d((3, 2), return_indices=True)(x), tnn.AdaptiveMaxPool2d((3, 2), True)(xt)
    np.testing.assert_array_equal(out[1].data, tout[1].numpy())


@pytest.mark.parametrize("pool", [F.adaptive_avg_pool2d, F.adaptive_max_pool2d])
def test_adaptive_pool_expands_one_node_per_window(pool):
    x = mg.tensor(np.random.default_rng(3).standard_normal((1, 2, 5, 7)), requires_grad=True, name="x")
    out = pool(x, (3, 4))
    first = mg.scalar.expand(out)[0, 0, 0, 0]  # the window rows 0-1, columns 0-1
    if pool is F.adaptive_avg_pool2d:
        assert first.op == "*" and first.parents[1].data == 0.25
        first = first.parents[0]
    assert first.op == ("sum" if pool is F.adaptive_avg_pool2d else "max") and len(first.parents) == 4
    same_expansion(out, x)


# ------------------------------------------------------------------ interpolate / Upsample
def test_interpolate_nearest_picks_torch_s_index_at_every_size():
    for h_in in range(1, 30):
        for h_out in list(range(1, 70)) + [82, 94, 110, 122, 123]:
            x = np.arange(h_in, dtype=np.float64).reshape(1, 1, h_in, 1)
            ours = F.interpolate(mg.tensor(x), size=(h_out, 2)).data
            theirs = TF.interpolate(torch.tensor(x), size=(h_out, 2), mode="nearest").numpy()
            np.testing.assert_array_equal(ours, theirs, err_msg=f"{h_in} -> {h_out}")
    for h_in in range(2, 30):
        for scale in [0.3, 0.5, 1.5, 2, 2.5, 3, 1 / 3, 0.7, 1.1, 4.0]:
            x = np.arange(h_in * 3, dtype=np.float64).reshape(1, 1, h_in, 3)
            if int(h_in * scale) < 1 or int(3 * scale) < 1:
                continue
            ours = F.interpolate(mg.tensor(x), scale_factor=scale).data
            theirs = TF.interpolate(torch.tensor(x), scale_factor=scale, mode="nearest").numpy()
            np.testing.assert_array_equal(ours, theirs, err_msg=f"{h_in} x {scale}")


UPSAMPLES = [({"scale_factor": 2}, (2, 3, 4, 5)), ({"size": (7, 3)}, (1, 2, 4, 5)), ({"scale_factor": (1.5, 0.5)}, (2, 1, 5, 6)),
             ({"size": 9}, (1, 2, 4, 4)), ({"scale_factor": 2.5, "recompute_scale_factor": True}, (1, 1, 3, 5)),
             ({"scale_factor": 2}, (1, 2, 2, 3, 4)), ({"size": (3, 5, 2)}, (1, 1, 2, 3, 4))]


@pytest.mark.parametrize("kw,shape", UPSAMPLES)
def test_upsample_like_torch_forward_backward_and_repr(kw, shape):
    m, t = nn.Upsample(**kw), tnn.Upsample(**kw)
    assert repr(m) == repr(t)
    pairs = twins(shape, seed=4)
    pairs[0][0].data[(0,) * len(shape)] = np.nan
    with torch.no_grad():
        pairs[0][1][(0,) * len(shape)] = np.nan
    compare_with_torch(m, t, pairs)


def test_interpolate_is_one_getitem_node_that_expands():
    x = mg.tensor(np.random.default_rng(5).standard_normal((1, 1, 3, 2)), requires_grad=True, name="x")
    out = F.interpolate(x, scale_factor=2)
    assert out.op == "getitem" and out.parents == (x,)
    same_expansion(out, x)


# ------------------------------------------------------------------ Dropout2d
def test_dropout2d_drops_whole_channels_and_scales_the_rest():
    mg.manual_seed(0)
    x = mg.tensor(np.ones((8, 16, 3, 3)), requires_grad=True)
    m = nn.Dropout2d(0.25)
    assert repr(m) == repr(tnn.Dropout2d(0.25))
    y = m(x)
    per_channel = y.data.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1)).all()
    dropped = (per_channel == 0).all(-1).mean()
    assert 0.1 < dropped < 0.4
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # d/dx = the scaled mask
    m.eval()
    assert m(x) is x
    mg.manual_seed(0)
    np.testing.assert_array_equal(nn.Dropout2d(0.25)(x).data, y.data)  # seeded like every draw
    with pytest.warns(UserWarning, match="dropout2d"):
        F.dropout2d(mg.ones(2, 3, 4))


def test_dropout2d_expands_with_its_recorded_mask():
    mg.manual_seed(1)
    x = mg.tensor(np.random.default_rng(6).standard_normal((2, 3, 2, 2)), requires_grad=True, name="x")
    same_expansion(F.dropout2d(x, 0.5), x)


# ------------------------------------------------------------------ Embedding
@pytest.mark.parametrize("padding_idx", [None, 0, -1])
def test_embedding_like_torch_with_repeated_indices(padding_idx):
    t = tnn.Embedding(6, 4, padding_idx=padding_idx).double()
    m = nn.Embedding(6, 4, padding_idx=padding_idx)
    assert repr(m) == repr(t) and list(m.state_dict()) == list(t.state_dict())
    m.load_state_dict(t.state_dict())
    idx = np.array([[0, 2, 5, 2], [1, 1, 0, 5], [4, 3, 2, 2]])
    out, tout = m(mg.tensor(idx)), t(torch.tensor(idx))
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    g = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(m.weight.grad, t.weight.grad.numpy(), rtol=1e-14, atol=1e-15)
    if padding_idx is not None:
        assert (m.weight.grad[padding_idx] == 0).all()


def test_embedding_init_is_standard_normal_with_the_padding_row_zero():
    mg.manual_seed(0)
    m = nn.Embedding(2000, 50, padding_idx=3)
    w = m.weight.data
    assert (w[3] == 0).all()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    f = nn.Embedding.from_pretrained(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not f.weight.requires_grad and repr(f) == "Embedding(2, 2)"
    np.testing.assert_array_equal(f(mg.tensor([1, 0, 1])).data, [[3, 4], [1, 2], [3, 4]])
    assert nn.Embedding.from_pretrained(mg.ones(2, 3), freeze=False).weight.requires_grad


def test_embedding_expands_to_the_weight_s_values_and_the_padding_row_to_constants():
    w = mg.tensor(np.random.default_rng(8).standard_normal((4, 3)), requires_grad=True, name="w")
    same_expansion(F.embedding(mg.tensor([[0, 2], [2, 3]]), w, padding_idx=2), w)


# ------------------------------------------------------------------ one_hot
@pytest.mark.parametrize("values,num_classes", [([0, 2, 1, 2], -1), ([[0, 3], [1, 1]], 5), (3, 4), ([], 3)])
def test_one_hot_like_torch(values, num_classes):
    a = np.asarray(values, dtype=np.int64)
    ours = F.one_hot(mg.tensor(a), num_classes)
    theirs = TF.one_hot(torch.tensor(a), num_classes)
    assert ours.dtype == np.int64 and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(F.one_hot(mg.tensor(values), num_classes).data, theirs.numpy())  # whole floats


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("call,kind,words", [
    (lambda: nn.AdaptiveAvgPool2d(0)(mg.zeros(1, 1, 4, 4)), ValueError, ["adaptive_avg_pool2d", "output_size"]),
    (lambda: nn.AdaptiveMaxPool2d((2, 2, 2))(mg.zeros(1, 1, 4, 4)), TypeError, ["adaptive_max_pool2d", "output_size"]),
    (lambda: nn.AdaptiveAvgPool2d(2)(mg.zeros(4, 4)), ValueError, ["adaptive_avg_pool2d", "(4, 4)"]),
    (lambda: nn.AdaptiveMaxPool2d(2, return_indices=1), TypeError, ["AdaptiveMaxPool2d", "return_indices"]),
    (lambda: nn.Upsample(scale_factor=2, mode="bilinear"), ValueError, ["Upsample", "mode", "bilinear"]),
    (lambda: nn.Upsample(), ValueError, ["Upsample", "size", "scale_factor"]),
    (lambda: F.interpolate(mg.zeros(1, 1, 4), scale_factor=2), ValueError, ["interpolate", "(1, 1, 4)"]),
    (lambda: F.interpolate(mg.zeros(1, 1, 4, 4), size=(2, 2, 2)), TypeError, ["interpolate", "size", "2"]),
    (lambda: F.interpolate(mg.zeros(1, 1, 4, 4), scale_factor=-1.0), TypeError, ["interpolate", "scale_factor"]),
    (lambda: F.interpolate(mg.zeros(1, 1, 4, 4), scale_factor=0.1), ValueError, ["interpolate", "output size", "(0, 0)"]),
    (lambda: F.interpolate(mg.zeros(1, 1, 4, 4), size=2, align_corners=True), ValueError, ["interpolate", "align_corners"]),
    (lambda: F.dropout2d(mg.zeros(4, 4), 0.5), ValueError, ["dropout2d", "(4, 4)"]),
    (lambda: nn.Dropout2d(1.5), ValueError, ["Dropout", "p"]),
    (lambda: nn.Embedding(5, 2)(mg.tensor([0, 5])), ValueError, ["embedding", "index 5", "5 embeddings", "(2,)", "(5, 2)"]),
    (lambda: nn.Embedding(5, 2)(mg.tensor([0.5])), ValueError, ["embedding", "integer", "0.5"]),
    (lambda: nn.Embedding(5, 2)([1, 2]), TypeError, ["embedding", "input", "list"]),
    (lambda: nn.Embedding(5, 2, padding_idx=5), ValueError, ["Embedding", "padding_idx 5", "num_embeddings=5"]),
    (lambda: nn.Embedding(5, 2, max_norm=1.0), ValueError, ["Embedding", "max_norm"]),
    (lambda: nn.Embedding(0, 2), ValueError, ["Embedding", "num_embeddings"]),
    (lambda: F.embedding(mg.tensor([0]), mg.zeros(5)), ValueError, ["embedding", "weight", "2-D", "(5,)"]),
    (lambda: F.one_hot(mg.tensor([0, 3]), 3), ValueError, ["one_hot", "3", "num_classes=3", "(2,)"]),
    (lambda: F.one_hot(mg.tensor([-1, 0])), ValueError, ["one_hot", "non-negative", "-1"]),
    (lambda: F.one_hot(mg.tensor([0.5])), ValueError, ["one_hot", "integer", "0.5"]),
    (lambda: F.one_hot(mg.tensor([], dtype=mg.int64)), ValueError, ["one_hot", "empty", "num_classes"]),
    (lambda: F.one_hot(np.array([1])), TypeError, ["one_hot", "tensor", "ndarray"]),
])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, words):
    raises_naming(call, kind, *words)
