"""Edge cases found in review: each once wrong, each now like PyTorch / NumPy."""
import math

import numpy as np
import pytest

import minigrad as mg


@pytest.mark.parametrize("axes", [(0, -3), (2, 1)])
def test_permute_refuses_axes_out_of_range(axes):
    with pytest.raises(ValueError, match=r"permute: axes .* are not a permutation of the 2 dimensions"):
        mg.tensor(np.zeros((2, 3))).permute(*axes)


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
def test_reducing_a_0d_tensor_over_axis_0_is_the_tensor_itself(op):
    t = mg.tensor(3.0, requires_grad=True)
    y = getattr(t, op)(axis=0)
    assert y.shape == () and y.item() == 3.0
    y.backward()
    assert t.grad == 1.0


def test_relu_keeps_nan_and_passes_its_gradient_like_pytorch():
    t = mg.tensor([math.nan, 1.0, -1.0], requires_grad=True)
    y = t.relu()
    y.sum().backward()
    assert math.isnan(y.data[0]) and list(t.grad) == [1.0, 1.0, 0.0]
    v = mg.Value(math.nan)
    r = v.relu()
    r.backward()
    assert math.isnan(r.data) and v.grad == 1.0


def test_clipping_an_integer_tensor_at_a_fraction_gives_floats():
    np.testing.assert_array_equal(mg.tensor(np.array([0, 1, 2])).clip(0.5).data, [0.5, 1, 2])


def test_tensor_leaky_relu_validates_its_slope():
    with pytest.raises(TypeError, match="Tensor.leaky_relu: negative_slope must be a number"):
        mg.randn(2).leaky_relu("a")


@pytest.mark.parametrize("x, n, expected", [(-1e200, 3.0, -math.inf), (-0.0, -1.0, -math.inf),
                                            (0.0, -1.0, math.inf), (1e200, 2.0, math.inf)])
def test_value_pow_overflows_with_numpys_sign(x, n, expected):
    assert (mg.Value(x) ** n).data == expected


def test_value_pow_of_a_negative_base_to_a_fraction_is_nan():
    assert math.isnan((mg.Value(-8.0) ** 0.5).data)


def test_an_interrupted_backward_changes_no_grad():
    x = mg.Value(2.0, "x")
    h = x * 3.0
    y = h * h
    y.backward()
    assert (h.grad, x.grad, y.grad) == (12.0, 36.0, 1.0)

    def boom(out):
        raise KeyboardInterrupt

    h._backward, keep = boom, h._backward
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    h._backward = keep
    assert (h.grad, x.grad, y.grad) == (12.0, 36.0, 1.0)   # a pass adds its adjoints only once complete
    y.backward()
    assert (h.grad, x.grad, y.grad) == (24.0, 72.0, 2.0)


def test_expand_equals_the_tensor_at_extreme_logits_and_probabilities():
    import minigrad.nn.functional as F
    from minigrad import scalar as S

    z = mg.tensor([[1000.0, 0.0]], requires_grad=True, name="z")
    for y in (F.softmax(z, 1), F.log_softmax(z, 1), F.cross_entropy(z, mg.tensor(np.array([1])))):
        np.testing.assert_allclose(S.values(S.expand(y)).ravel(), y.data.ravel())
    logits = mg.tensor([-800.0, 3.0], requires_grad=True, name="z")
    y = F.binary_cross_entropy_with_logits(logits, mg.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(S.values(S.expand(y)), y.data)
    p = mg.tensor([0.0, 1.0, 0.3], requires_grad=True, name="p")
    y = F.binary_cross_entropy(p, mg.tensor([0.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(S.values(S.expand(y)), y.data)
