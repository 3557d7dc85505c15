"""LayerNorm and GroupNorm (issue 13 item 10): PyTorch's numbers forward and backward for the
input, weight and bias (NaN included), PyTorch's init, state_dict keys and repr, and the
layer_norm op's scalar expansion equal to the tensor op."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from conftest import compare_with_torch, raises_naming, twins
from minigrad.scalar.expand import expand_graph

torch = pytest.importorskip("torch")
tnn = torch.nn


def copied(module, tmodule):
    """``module`` with ``tmodule``'s parameters (perturbed from 1 and 0 so they matter), both float64."""
    tmodule.double()
    with torch.no_grad():
        for p in tmodule.parameters():
            p.add_(torch.tensor(np.random.default_rng(p.numel()).standard_normal(p.shape)))
    module.load_state_dict(tmodule.state_dict())
    return module, tmodule


def parameters_match(module, tmodule):
    for (name, p), (tname, tp) in zip(module.named_parameters(), tmodule.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


LAYER_NORMS = [((3, 4), 4, {}), ((2, 3, 4), (3, 4), {}), ((5, 6), 6, {"elementwise_affine": False}),
               ((2, 6), [6], {"bias": False}), ((2, 3, 2, 2), (2, 2), {"eps": 1e-3})]


@pytest.mark.parametrize("shape,normalized,kw", LAYER_NORMS)
@pytest.mark.parametrize("nan", [False, True])
def test_layer_norm_like_torch(shape, normalized, kw, nan):
    m, t = copied(nn.LayerNorm(normalized, **kw), tnn.LayerNorm(normalized, **kw))
    assert repr(m) == repr(t)
    pairs = twins(shape, seed=1)
    if nan:
        pairs[0][0].data[(0,) * len(shape)] = np.nan
        with torch.no_grad():
            pairs[0][1][(0,) * len(shape)] = np.nan
    compare_with_torch(m, t, pairs)
    parameters_match(m, t)


GROUP_NORMS = [((2, 4, 3, 3), 2, 4, {}), ((3, 6, 5), 3, 6, {}), ((2, 6), 6, 6, {}), ((2, 4, 2, 2), 1, 4, {}),
               ((2, 4, 3, 3), 4, 4, {"affine": False}), ((2, 4, 3), 2, 4, {"bias": False, "eps": 0.1})]


@pytest.mark.parametrize("shape,groups,channels,kw", GROUP_NORMS)
@pytest.mark.parametrize("nan", [False, True])
def test_group_norm_like_torch(shape, groups, channels, kw, nan):
    m, t = copied(nn.GroupNorm(groups, channels, **kw), tnn.GroupNorm(groups, channels, **kw))
    assert repr(m) == repr(t)
    pairs = twins(shape, seed=2)
    if nan:
        pairs[0][0].data[(1,) * len(shape)] = np.nan
        with torch.no_grad():
            pairs[0][1][(1,) * len(shape)] = np.nan
    compare_with_torch(m, t, pairs)
    parameters_match(m, t)


def test_init_state_dict_keys_and_float32_like_torch():
    for m, t in [(nn.LayerNorm((2, 3)), tnn.LayerNorm((2, 3))), (nn.GroupNorm(2, 4), tnn.GroupNorm(2, 4)),
                 (nn.LayerNorm(3, bias=False), tnn.LayerNorm(3, bias=False)),
                 (nn.GroupNorm(1, 2, affine=False), tnn.GroupNorm(1, 2, affine=False))]:
        sd, tsd = m.state_dict(), t.state_dict()
        assert list(sd) == list(tsd)
        for k in sd:
            np.testing.assert_array_equal(sd[k], tsd[k].numpy())
    m = nn.LayerNorm(4, dtype=mg.float32)
    y = m(mg.randn(2, 4, dtype=mg.float32))
    assert y.dtype == np.float32 and m.weight.dtype == np.float32


def test_functional_forms_are_the_modules():
    x = mg.randn(2, 4, 3)
    np.testing.assert_array_equal(F.layer_norm(x, (3,)).data, nn.LayerNorm(3, elementwise_affine=False)(x).data)
    np.testing.assert_array_equal(F.group_norm(x, 2).data, nn.GroupNorm(2, 4, affine=False)(x).data)


@pytest.mark.parametrize("make", [lambda x: F.layer_norm(x, (3,), weight=mg.tensor([1.0, 2.0, 0.5]), eps=0.01),
                                  lambda x: F.group_norm(x, 2, bias=mg.tensor([0.1, 0.2, 0.3, 0.4]))])
def test_scalar_expansion_equals_the_tensor_op(make):
    x = mg.tensor(np.random.default_rng(3).standard_normal((2, 4, 3)), requires_grad=True, name="x")
    r = mg.tensor(np.random.default_rng(4).standard_normal((2, 4, 3)))
    loss = (make(x) * r).sum()
    scalar, grids = expand_graph(loss)
    assert scalar.data == pytest.approx(loss.item(), rel=1e-10, abs=1e-12)
    loss.backward()
    scalar.backward()
    np.testing.assert_allclose(mg.scalar.grads(grids[id(x)]), x.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("call,kind,words", [
    (lambda: nn.LayerNorm(4)(mg.zeros(2, 3)), ValueError, ["layer_norm", "normalized_shape (4,)", "(2, 3)"]),
    (lambda: nn.LayerNorm((2, 3))(mg.zeros(3)), ValueError, ["layer_norm", "(2, 3)", "(3,)"]),
    (lambda: nn.LayerNorm("4"), TypeError, ["LayerNorm", "normalized_shape"]),
    (lambda: nn.LayerNorm(0), ValueError, ["LayerNorm", "normalized_shape"]),
    (lambda: F.layer_norm(mg.zeros(2, 3), 3, weight=mg.ones(4)), ValueError, ["layer_norm", "weight", "(3,)", "(4,)"]),
    (lambda: nn.GroupNorm(3, 4), ValueError, ["GroupNorm", "num_groups=3", "num_channels=4"]),
    (lambda: nn.GroupNorm(2, 4)(mg.zeros(2, 6, 3)), ValueError, ["GroupNorm", "6 channels", "num_channels=4", "(2, 6, 3)"]),
    (lambda: F.group_norm(mg.zeros(4), 2), ValueError, ["group_norm", "(N, C, ...)", "(4,)"]),
    (lambda: F.group_norm(mg.zeros(2, 6), 4), ValueError, ["group_norm", "num_groups=4", "6 channels"]),
    (lambda: F.group_norm(mg.zeros(2, 4), 2, weight=mg.ones(2)), ValueError, ["group_norm", "weight", "(4,)", "(2,)"]),
    (lambda: nn.GroupNorm(2, 4, eps=-1), ValueError, ["GroupNorm", "eps"]),
    (lambda: nn.LayerNorm(3)(np.zeros((2, 3))), TypeError, ["layer_norm", "input", "ndarray"]),
])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, words):
    raises_naming(call, kind, *words)
