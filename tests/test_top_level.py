"""PyTorch's top-level functions: mg.cat, stack, flatten, where, maximum, minimum (and their scalar expansion)."""
import numpy as np
import pytest

import minigrad as mg
from conftest import compare_with_torch, raises_naming, same_as_expanded, twins

torch = pytest.importorskip("torch")


def test_cat_joins_along_a_dim_like_torch():
    compare_with_torch(lambda a, b, c: mg.cat([a, b, c], 1), lambda a, b, c: torch.cat([a, b, c], 1),
                       twins((2, 3, 4), (2, 1, 4), (2, 2, 4)))
    compare_with_torch(lambda a, b: mg.concat((a, b), dim=-1), lambda a, b: torch.concat((a, b), dim=-1),
                       twins((3, 2), (3, 5), seed=1))


def test_cat_with_a_constant_sends_nothing_to_it():
    (a, ta), = twins((2, 2))
    c = mg.zeros(2, 2)
    compare_with_torch(lambda a: mg.cat([c, a]), lambda a: torch.cat([torch.zeros(2, 2, dtype=torch.float64), a]),
                       [(a, ta)])
    assert c.grad is None


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack_adds_a_dim_like_torch(dim):
    compare_with_torch(lambda a, b: mg.stack([a, b], dim), lambda a, b: torch.stack([a, b], dim),
                       twins((2, 3), (2, 3), seed=dim + 5))


def test_flatten_keeps_the_batch_like_torch():
    compare_with_torch(lambda x: mg.flatten(x, 1), lambda x: torch.flatten(x, 1), twins((2, 3, 2, 2)))
    compare_with_torch(lambda x: mg.flatten(x), lambda x: torch.flatten(x), twins((2, 3), seed=2))


def test_where_picks_and_routes_the_gradient_like_torch():
    (a, ta), (b, tb) = twins((3, 4), (4,))
    compare_with_torch(lambda a, b: mg.where(a > 0, a, b), lambda a, b: torch.where(a > 0, a, b), [(a, ta), (b, tb)])
    compare_with_torch(lambda a: mg.where(a > 0, a, 0.0), lambda a: torch.where(a > 0, a, 0.0), twins((3, 4), seed=4))


def test_where_masks_a_nan_gradient_exactly_like_torch():
    x = np.array([-1.0, 0.0, 4.0])
    a, ta = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mg.where(a > 0, a.sqrt(), mg.zeros(3)).sum().backward()      # sqrt(-1) is NaN, but it was not picked
    torch.where(ta > 0, ta.sqrt(), torch.zeros(3, dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())       # NaN·0 where the other side was picked, as torch


def test_where_of_a_condition_alone_gives_the_indices():
    x = np.array([[0.0, 2.0], [3.0, 0.0]])
    ours, ref = mg.where(mg.tensor(x) > 0), torch.where(torch.tensor(x) > 0)
    assert [i.tolist() for i in ours] == [i.tolist() for i in ref] and ours[0].dtype == mg.int64


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_and_minimum_split_ties_and_pass_nan_like_torch(fn):
    x = np.array([[1.0, 2.0, np.nan, 4.0, np.nan], [0.0, -1.0, 5.0, 3.0, 2.0]])
    y = np.array([1.0, 3.0, 1.0, np.nan, np.nan])
    pairs = [(mg.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)) for v in (x, y)]
    compare_with_torch(lambda a, b: getattr(mg, fn)(a, b), lambda a, b: getattr(torch, fn)(a, b), pairs)
    compare_with_torch(lambda a, b: getattr(mg, fn)(a, b), lambda a, b: getattr(torch, fn)(a, b), twins((3,), (2, 3)))


def test_cat_where_maximum_expand_to_scalars():
    rng = np.random.default_rng(0)
    a = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True, name="a")
    b = mg.tensor([[1.0], [-1.0]], requires_grad=True, name="b")
    c = mg.tensor([[1.0, 0.5, 0.5]], requires_grad=True, name="c")
    r = mg.tensor(rng.standard_normal((2, 4)))
    y = mg.cat([mg.where(a > 0, a, b), b], 1) * r
    z = mg.maximum(a, c) + mg.minimum(a.abs(), c) + mg.stack([a, a * 2], 2).sum(2) * 0.5
    same_as_expanded(y.sum() + z.sum(), [a, b, c])


def test_maximum_tie_expands_to_halves():
    a = mg.tensor([1.0, 2.0], requires_grad=True, name="a")
    b = mg.tensor([1.0, 3.0], requires_grad=True, name="b")
    same_as_expanded(mg.maximum(a, b).sum(), [a, b])
    assert a.grad.tolist() == [0.5, 0.0] and b.grad.tolist() == [0.5, 1.0]


def test_factories_are_all_there_like_torch():
    for name in ["zeros_like", "ones_like", "rand_like", "randn_like", "full", "arange", "linspace", "eye", "rand",
                 "randint", "from_numpy"]:
        assert callable(getattr(mg, name)) and callable(getattr(torch, name))
    arr = np.zeros(3)
    t = mg.from_numpy(arr)
    arr[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]                        # shares memory, like torch.from_numpy


def test_a_star_import_gets_the_functions_but_keeps_max_and_min_builtin():
    namespace = {}
    exec("from minigrad import *", namespace)
    assert {"cat", "stack", "where", "flatten", "maximum"} <= set(namespace)
    assert "max" not in namespace and "min" not in namespace


@pytest.mark.parametrize("call,kind,words", [
    (lambda: mg.cat([mg.zeros(2, 3), mg.zeros(3, 3)], 1), ValueError, ["cat", "except in dim 1", "(2, 3)", "(3, 3)"]),
    (lambda: mg.cat(mg.zeros(2)), TypeError, ["cat", "list or tuple", "minigrad.Tensor"]),
    (lambda: mg.cat([]), ValueError, ["cat", "non-empty"]),
    (lambda: mg.cat([mg.zeros(2), np.zeros(2)]), TypeError, ["cat", "tensors[1]", "numpy.ndarray"]),
    (lambda: mg.cat([mg.zeros(2), mg.zeros(2)], 1), ValueError, ["cat", "dim 1", "out of range"]),
    (lambda: mg.stack([mg.zeros(2), mg.zeros(3)]), ValueError, ["stack", "same shape", "(2,)", "(3,)"]),
    (lambda: mg.where(mg.zeros(2), mg.zeros(2), 0.0), TypeError, ["where", "condition", "bool", "float64"]),
    (lambda: mg.where(mg.zeros(2) > 0, mg.zeros(3), 0.0), ValueError, ["where", "broadcast", "(2,)", "(3,)"]),
    (lambda: mg.where(mg.zeros(2) > 0, "a", 0.0), TypeError, ["where", "input", "Tensor or a number", "str"]),
    (lambda: mg.maximum(mg.zeros(2), mg.zeros(3)), ValueError, ["maximum", "(2,)", "(3,)"]),
    (lambda: mg.flatten(torch.zeros(2)), TypeError, ["flatten", "torch.Tensor"]),
])
def test_bad_input_is_named(call, kind, words):
    raises_naming(call, kind, *words)
