"""NaN and inf through the ops that select or gate, against PyTorch (issue 11 items 8 and 10):
pow at exponent 0, a broadcast sum that meets -inf, selections (relu, clamp, max, maximum)
under an inf or NaN upstream gradient, and max/min over a tuple of axes holding a NaN."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
from conftest import compare_with_torch as compare  # noqa: E402

NAN, INF = math.nan, math.inf
SPECIAL = [0.0, -0.0, 2.0, -1.0, 0.5, INF, -INF, NAN]


def leaves(*arrays):
    """(minigrad, torch) leaf pairs holding the same float64 numbers."""
    return [(mg.tensor(np.asarray(a, float), requires_grad=True),
             torch.tensor(np.asarray(a, float), requires_grad=True)) for a in arrays]


# ---------------------------------------------------------------- pow at exponent 0 (item 8)
@pytest.mark.parametrize("v", SPECIAL)
@pytest.mark.parametrize("n", [0, 0.0])
def test_value_pow_zero_has_gradient_zero_everywhere(v, n):
    """d(v**0)/dv = 0, at v = 0 too (not 0 · 0^-1 = NaN), as torch's pow."""
    x = mg.Value(v)
    y = x ** n
    y.backward()
    assert y.data == 1.0 and x.grad == 0.0
    t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
    (t ** n).backward()
    assert t.grad.item() == x.grad


def test_a_broadcast_pow_sums_a_minus_inf_gradient_like_torch():
    """0 ** [0, -1, 2] summed: the base's gradient is 0 + (-inf) + 0 = -inf (was NaN: 0 · 0^-1)."""
    pairs = leaves([0.0], [0.0, -1.0, 2.0])
    compare(lambda a, b: (a ** b).sum(), lambda a, b: (a ** b).sum(), pairs, grad=np.ones)
    assert pairs[0][0].grad[0] == -INF


@pytest.mark.parametrize("g", [INF, -INF, NAN])
def test_pow_zero_sends_exactly_zero_back_even_for_a_non_finite_gradient(g):
    pairs = leaves(SPECIAL)
    compare(lambda t: t ** 0, lambda t: t ** 0, pairs, grad=np.full(len(SPECIAL), g))


def test_tensor_pow_tensor_at_zero_base_and_an_inf_gradient_like_torch():
    pairs = leaves([0.0, 0.0, 2.0, 0.0], [1.0, 0.0, 0.0, -1.0])
    compare(lambda a, b: a ** b, lambda a, b: a ** b, pairs, grad=np.full(4, INF))


# ---------------------------------------------------------------- selections under an inf gradient
SELECTIONS = [
    ("relu", lambda t: t.relu(), lambda t: t.relu()),
    ("clamp", lambda t: t.clamp(-1, 1), lambda t: t.clamp(-1, 1)),
    ("clamp_min", lambda t: t.clamp(min=0), lambda t: t.clamp(min=0)),
    ("hardtanh", lambda t: F.hardtanh(t), lambda t: TF.hardtanh(t)),
    ("max", lambda t: t.max() * mg.ones(8), lambda t: t.max() * torch.ones(8, dtype=torch.float64)),
    ("max_dim", lambda t: t.reshape(2, 4).max(1)[0], lambda t: t.reshape(2, 4).max(1)[0]),
    ("min_dim", lambda t: t.reshape(2, 4).min(dim=0).values, lambda t: t.reshape(2, 4).min(dim=0).values),
    ("amax", lambda t: t.reshape(2, 4).amax(1), lambda t: t.reshape(2, 4).amax(1)),
    ("maximum_broadcast", lambda t: mg.maximum(t.reshape(8, 1), mg.tensor([[0.5, -1.0, 3.0]])),
     lambda t: torch.maximum(t.reshape(8, 1), torch.tensor([[0.5, -1.0, 3.0]], dtype=torch.float64))),
    ("minimum", lambda t: mg.minimum(t, mg.zeros(8)), lambda t: torch.minimum(t, torch.zeros(8, dtype=torch.float64))),
]


@pytest.mark.parametrize("name,f_mg,f_torch", SELECTIONS, ids=[s[0] for s in SELECTIONS])
@pytest.mark.parametrize("g", [INF, -INF, NAN])
def test_a_selection_sends_a_non_finite_gradient_only_where_it_selected(name, f_mg, f_torch, g):
    """relu, clamp, max and maximum pass the gradient through a mask: the inputs not selected get
    exactly 0 (not inf · 0 = NaN), as PyTorch's masked backward formulas; amax (g/count · hit) differs."""
    x = np.array([-2.0, 0.0, 0.5, 3.0, 0.7, -1.5, 2.0, 1.0])
    pairs = leaves(x)
    compare(f_mg, f_torch, pairs, grad=lambda shape: np.where(np.arange(np.prod(shape)).reshape(shape) % 2, g, 1.0))


def test_a_broadcast_maximum_sums_a_minus_inf_gradient_like_torch():
    """maximum(a (2,1), b (1,2)) with one -inf upstream: a[0]'s gradient is 1 where it won,
    not NaN from the -inf it lost (-inf · 0) summed in."""
    pairs = leaves([[2.0], [-INF]], [[1.0, 3.0]])
    compare(lambda a, b: mg.maximum(a, b), torch.maximum, pairs, grad=np.array([[1.0, -INF], [2.0, 1.0]]))
    np.testing.assert_array_equal(pairs[0][0].grad.ravel(), [1.0, 0.0])


# ---------------------------------------------------------------- max/min over a tuple of axes (item 10)
X_NAN = np.array([[[1.0, NAN, 3.0], [2.0, 5.0, 5.0]], [[4.0, 4.0, 0.0], [NAN, NAN, 1.0]]])


@pytest.mark.parametrize("dims", [(0, 1), (1, 2), (0, 2), (0, 1, 2), (2,), 2, (), (-1, 0)])
@pytest.mark.parametrize("fn", ["amax", "amin"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_and_amin_over_axes_with_nan_equal_torch(dims, fn, keepdim):
    """A slice whose maximum is NaN gives all its elements a NaN gradient (torch.amax: g/count · hit
    with no hit); the other slices split the gradient among their tied maxima."""
    compare(lambda t: getattr(t, fn)(dims, keepdim), lambda t: getattr(t, fn)(dims, keepdim), leaves(X_NAN))


@pytest.mark.parametrize("axes", [(0, 1), (1, 2), (0, 1, 2)])
@pytest.mark.parametrize("fn", ["max", "min"])
def test_numpy_spelled_max_over_a_tuple_of_axes_equals_torch_amax(axes, fn):
    compare(lambda t: getattr(t, fn)(axis=axes), lambda t: getattr(torch, "a" + fn)(t, dim=axes), leaves(X_NAN))


@pytest.mark.parametrize("fn", ["max", "min"])
def test_full_max_with_nan_sends_the_gradient_to_the_nans_like_torch(fn):
    """torch.max() (no dim) splits the gradient among the NaNs, unlike amax() over all axes."""
    compare(lambda t: getattr(t, fn)(), lambda t: getattr(t, fn)(), leaves(X_NAN))
    compare(lambda t: getattr(t, "a" + fn)(), lambda t: getattr(t, "a" + fn)(), leaves(X_NAN))


def test_the_scalar_expansion_of_amax_with_nan_equals_the_tensor():
    """mg.scalar.expand rebuilds amax over a tuple of axes from the same weights: NaN where the
    slice's maximum is NaN, the tie split elsewhere, values and leaf gradients as the tensor's."""
    from minigrad.scalar.expand import expand_graph
    a = X_NAN.copy()
    a[1, 1] = [1.0, 2.0, 4.0]                       # the second slice: no NaN, a three-way tie at 4
    x = mg.tensor(a, requires_grad=True, name="x")
    out = x.amax((1, 2))
    loss = (out * mg.tensor([2.0, 3.0])).sum()
    scalar, grids = expand_graph(loss)
    loss.backward()
    scalar.backward()
    np.testing.assert_array_equal(mg.scalar.values(grids[id(out)]), out.data)
    np.testing.assert_array_equal(mg.scalar.grads(grids[id(x)]), x.grad)
    assert np.isnan(x.grad[0]).all() and not np.isnan(x.grad[1]).any()
