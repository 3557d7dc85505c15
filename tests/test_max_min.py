"""max and min along a dim return (values, indices) like torch.return_types.max; amax/amin take dims."""
import numpy as np
import pytest

import minigrad as mg
from conftest import compare_with_torch, raises_naming, same_as_expanded, twins

torch = pytest.importorskip("torch")

TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 0.0, 2.0], [np.nan, 1.0, np.nan, 5.0]])


def pair(x):
    return [(mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True))]


@pytest.mark.parametrize("rows", [2, 4])
def test_underscore_pred_is_the_predicted_class_like_torch(rows):
    """The CIFAR-10 tutorial's ``_, predicted = torch.max(outputs, 1)``: once silently wrong for 2 rows."""
    outputs = np.random.default_rng(rows).standard_normal((rows, 10))
    _, predicted = mg.max(mg.tensor(outputs), 1)
    _, ref = torch.max(torch.tensor(outputs), 1)
    assert predicted.tolist() == ref.tolist() == outputs.argmax(1).tolist()
    _, predicted = mg.tensor(outputs).max(1)
    assert predicted.dtype == mg.int64 and predicted.shape == (rows,)
    labels = mg.tensor(ref.numpy())
    assert (predicted == labels).sum().item() == rows


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("dim,keepdim", [(1, False), (0, True), (-1, False)])
def test_a_dim_gives_values_and_indices_like_torch(fn, dim, keepdim):
    out = compare_with_torch(lambda t: getattr(t, fn)(dim, keepdim).values,
                             lambda t: getattr(t, fn)(dim, keepdim).values, pair(TIES))
    ours, ref = getattr(mg.tensor(TIES), fn)(dim=dim, keepdim=keepdim), getattr(torch.tensor(TIES), fn)(dim, keepdim)
    assert type(ours).__name__ == type(ref).__name__ == fn
    np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())
    values, indices = ours                                     # it unpacks
    assert values is ours.values and indices is ours[1] and out.shape == values.shape
    assert f"minigrad.return_types.{fn}(\nvalues=" in repr(ours)


def test_ties_go_to_the_first_and_nan_wins_like_torch():
    (a, ta), = pair(TIES)
    (a.max(1).values * mg.tensor([1.0, 2.0, 3.0])).sum().backward()
    (ta.max(1).values * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    assert a.grad.tolist()[2] == [3.0, 0.0, 0.0, 0.0]          # the first NaN takes it
    assert np.isnan(a.max(1).values.data[2]) and a.max(1).indices.tolist()[2] == 0


def test_the_functions_spell_it_as_torch_does():
    x = mg.tensor(TIES[:2])
    t = torch.tensor(TIES[:2])
    for ours, ref in [(mg.max(x, 1), torch.max(t, 1)), (mg.min(x, dim=0), torch.min(t, dim=0)),
                      (mg.max(x, 1, keepdim=True), torch.max(t, 1, keepdim=True))]:
        np.testing.assert_array_equal(ours.values.data, ref.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())
    assert mg.max(x).item() == torch.max(t).item() and mg.min(x).item() == torch.min(t).item()
    assert mg.argmax(x, 1).tolist() == torch.argmax(t, 1).tolist() and mg.argmax(x).item() == torch.argmax(t).item()
    assert mg.argmin(x, dim=0).tolist() == torch.argmin(t, dim=0).tolist()


def test_max_of_two_tensors_is_the_elementwise_maximum():
    a, b = twins((3, 4), (4,))
    compare_with_torch(lambda x, y: x.max(y), lambda x, y: x.max(y), [a, b])
    compare_with_torch(lambda x, y: mg.min(x, y), lambda x, y: torch.min(x, y), twins((3, 4), (4,), seed=3))


def test_the_numpy_spelling_keeps_returning_the_values():
    x = mg.tensor(TIES[:2])
    assert isinstance(x.max(axis=1), mg.Tensor) and x.max(axis=1).tolist() == [3.0, 2.0]
    assert x.min(axis=0, keepdims=True).shape == (1, 4)
    assert x.max(axis=(0, 1)).item() == 3.0 and x.max().item() == 3.0


def test_a_zero_d_tensor_is_its_own_maximum_like_torch():
    x, t = mg.tensor(2.5, requires_grad=True), torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    v, i = x.max(0)
    tv, ti = t.max(0)
    assert v.shape == () and v.item() == tv.item() and i.item() == ti.item() == 0
    v.backward()
    tv.backward()
    assert x.grad == t.grad.item() == 1.0


@pytest.mark.parametrize("fn", ["amax", "amin"])
@pytest.mark.parametrize("dim", [1, (0, 1), (0,), -1, ()])
def test_amax_takes_an_int_or_a_tuple_and_splits_ties_like_torch(fn, dim):
    x = TIES[:2]
    compare_with_torch(lambda t: getattr(t, fn)(dim), lambda t: getattr(t, fn)(dim), pair(x))
    compare_with_torch(lambda t: getattr(mg, fn)(t, dim, keepdim=True),
                       lambda t: getattr(torch, fn)(t, dim, keepdim=True), pair(x))


def test_values_expand_to_scalars_with_the_same_gradients():
    x = mg.tensor(TIES[:2], requires_grad=True, name="x")
    same_as_expanded((x.max(1).values * mg.tensor([1.0, 2.0])).sum() + x.min(0, keepdim=True).values.sum(), [x])


@pytest.mark.parametrize("call,kind,words", [
    (lambda: mg.zeros(2, 3).max(2), ValueError, ["max", "dim 2", "out of range"]),
    (lambda: mg.zeros(2, 3).max((0, 1)), TypeError, ["Tensor.max", "dim must be an int", "amax"]),
    (lambda: mg.zeros(2, 0).min(1), ValueError, ["min", "size 0", "(2, 0)"]),
    (lambda: mg.zeros(2, 3).max(1, axis=0), TypeError, ["Tensor.max", "axis or dim"]),
    (lambda: mg.max([1.0, 2.0]), TypeError, ["max", "input must be a Tensor", "list"]),
])
def test_bad_dims_are_named(call, kind, words):
    raises_naming(call, kind, *words)
