"""More of PyTorch's functions (issue 13 follow-up): each against torch, forward and backward."""
import numpy as np
import pytest

import minigrad as mg
from conftest import compare_with_torch, nonfinite, raises_naming, same_as_expanded, twins

torch = pytest.importorskip("torch")


# ------------------------------------------------------------------ elementwise
@pytest.mark.parametrize("name", ["log1p", "expm1", "reciprocal", "rsqrt"])
def test_elementwise_like_torch(name):
    pairs = twins((3, 4), positive=True)
    compare_with_torch(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), pairs)
    compare_with_torch(lambda a: getattr(mg, name)(a), lambda a: getattr(torch, name)(a), twins((3, 4), positive=True))


def test_log1p_and_expm1_are_exact_near_zero():
    x = mg.tensor([1e-20, -1e-18])
    assert x.log1p().tolist() == [1e-20, -1e-18]
    assert x.expm1().tolist() == [1e-20, -1e-18]


@pytest.mark.parametrize("name", ["log1p", "expm1", "reciprocal", "rsqrt"])
def test_elementwise_nonfinite_like_torch(name):
    a = nonfinite(np.random.default_rng(3).standard_normal((4, 5)) * 3)
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))]
    compare_with_torch(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), pairs)


@pytest.mark.parametrize("name", ["log1p", "expm1", "reciprocal", "rsqrt"])
def test_elementwise_at_the_edges_like_torch(name):
    a = np.array([-np.inf, -1.0, -0.0, 0.0, 1e-300, 1.0, np.inf, np.nan])
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))]
    compare_with_torch(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), pairs, grad=np.ones(8))


@pytest.mark.parametrize("name", ["log1p", "expm1", "rsqrt"])
def test_new_ops_expand_like_the_tensor_op(name):
    x = mg.tensor(np.array([[0.3, 1.5], [0.2, 2.0]]), requires_grad=True, name="x")
    same_as_expanded((getattr(x, name)() * mg.tensor([[1.0, -2.0], [0.5, 3.0]])).sum(), [x])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_tests_of_nonfinite(name):
    a = nonfinite(np.random.default_rng(0).standard_normal((5, 6)), fraction=0.4)
    got = getattr(mg, name)(mg.tensor(a))
    assert got.dtype == np.bool_ and not got.requires_grad
    np.testing.assert_array_equal(got.data, getattr(torch, name)(torch.tensor(a)).numpy())
    np.testing.assert_array_equal(getattr(mg.tensor([1, 2]), name)().data, getattr(torch.tensor([1, 2]), name)().numpy())


@pytest.mark.parametrize("kwargs", [{}, {"nan": 1.5}, {"nan": 0.0, "posinf": 7.0, "neginf": -7.0}])
def test_nan_to_num_like_torch(kwargs):
    a = nonfinite(np.random.default_rng(1).standard_normal((4, 5)), fraction=0.4)
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))]
    compare_with_torch(lambda t: t.nan_to_num(**kwargs), lambda t: t.nan_to_num(**kwargs), pairs)
    compare_with_torch(lambda t: mg.nan_to_num(t, **kwargs), lambda t: torch.nan_to_num(t, **kwargs),
                       [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))])


def test_nan_to_num_expands():
    x = mg.tensor([[np.nan, 1.0], [np.inf, -2.0]], requires_grad=True, name="x")
    same_as_expanded((x.nan_to_num(posinf=3.0) * 2.0).sum(), [x])


# ------------------------------------------------------------------ shape
@pytest.mark.parametrize("fn", [lambda t: t.flip(0), lambda t: t.flip((0, 2)), lambda t: t.flip(-1, 1),
                                lambda t: t.roll(1, 0), lambda t: t.roll((2, -1), (1, 2)), lambda t: t.roll(5),
                                lambda t: t.tril(), lambda t: t.triu(1), lambda t: t.tril(-1), lambda t: t.triu(-2),
                                lambda t: t.index_select(1, type(t)([2, 0, 0]).long()),
                                lambda t: t.view_as(type(t)(np.zeros((4, 6))))])
def test_shape_functions_like_torch(fn):
    compare_with_torch(fn, fn, twins((2, 3, 4)))


@pytest.mark.parametrize("name,args", [("flip", ([0, 1],)), ("roll", (1, 1)), ("tril", ()), ("triu", (1,)),
                                       ("argsort", (1,))])
def test_top_level_like_torch(name, args):
    (m, t), = twins((3, 4), seed=2)
    got, ref = getattr(mg, name)(m, *args), getattr(torch, name)(t, *args)
    np.testing.assert_array_equal(got.data, ref.detach().numpy())


def test_tril_and_triu_zero_nan_like_torch():
    a = np.full((3, 3), np.nan)
    pairs = [(mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))]
    compare_with_torch(lambda t: t.tril(), lambda t: t.tril(), pairs)


def test_flip_is_a_copy_like_torch():
    x = mg.arange(3.0)
    y = x.flip(0)
    y.mul_(2)
    assert x.tolist() == [0.0, 1.0, 2.0] and y.tolist() == [4.0, 2.0, 0.0]


@pytest.mark.parametrize("split", [2, 3, 5, [1, 4], [0, 2, 3]])
def test_split_like_torch(split):
    pairs = twins((5, 3))
    got = compare_with_torch(lambda t: mg.cat([p * (k + 1) for k, p in enumerate(t.split(split))]),
                             lambda t: torch.cat([p * (k + 1) for k, p in enumerate(t.split(split))]), pairs)
    assert got.shape == (5, 3)
    assert [p.shape for p in mg.split(pairs[0][0], split)] == [tuple(p.shape) for p in torch.split(pairs[0][1], split)]


@pytest.mark.parametrize("chunks,dim", [(2, 0), (3, 1), (7, 1), (4, 0)])
def test_chunk_like_torch(chunks, dim):
    (m, t), = twins((5, 6))
    got, ref = m.chunk(chunks, dim), t.chunk(chunks, dim)
    assert [p.shape for p in got] == [tuple(p.shape) for p in ref]
    compare_with_torch(lambda a: mg.cat([p * (k + 1) for k, p in enumerate(mg.chunk(a, chunks, dim))], dim),
                       lambda a: torch.cat([p * (k + 1) for k, p in enumerate(torch.chunk(a, chunks, dim))], dim),
                       twins((5, 6)))
    assert len(mg.zeros(0, 2).chunk(3)) == len(torch.zeros(0, 2).chunk(3))


def test_roll_of_a_0d_tensor_is_a_copy_like_torch():
    x = mg.tensor(2.0, requires_grad=True)
    y = x.roll(1, 0)
    assert y is not x and y.item() == 2.0
    y.backward()
    assert x.grad == 1.0


def test_split_pieces_are_views_like_torch():
    x = mg.arange(4.0)
    a, b = x.split(2)
    b.mul_(10)
    assert x.tolist() == [0.0, 1.0, 20.0, 30.0]


def test_bmm_like_torch():
    compare_with_torch(lambda a, b: a.bmm(b), lambda a, b: a.bmm(b), twins((2, 3, 4), (2, 4, 5)))
    compare_with_torch(mg.bmm, torch.bmm, twins((3, 1, 2), (3, 2, 2)))


def test_argsort_like_torch():
    a = nonfinite(np.random.default_rng(4).integers(-3, 3, (4, 6)).astype(float), fraction=0.2)
    for kwargs in ({}, {"dim": 0}, {"descending": True}):
        np.testing.assert_array_equal(mg.tensor(a).argsort(stable=True, **kwargs).data,
                                      torch.tensor(a).argsort(stable=True, **kwargs).numpy())


def test_new_factories_take_the_tensors_dtype():
    x = mg.zeros(2, dtype=mg.float32)
    for got, ref in ((x.new_zeros(2, 3), torch.zeros(2, dtype=torch.float32).new_zeros(2, 3)),
                     (x.new_ones((1, 2)), torch.zeros(2, dtype=torch.float32).new_ones((1, 2))),
                     (x.new_full((2,), 7), torch.zeros(2, dtype=torch.float32).new_full((2,), 7))):
        assert got.dtype == np.float32 and got.shape == tuple(ref.shape)
        np.testing.assert_array_equal(got.data, ref.numpy())
    assert x.new_zeros(2, dtype=mg.int64).dtype == np.int64
    assert x.new_ones(2, requires_grad=True).requires_grad


def test_shape_functions_expand_like_the_tensor_op():
    x = mg.tensor(np.arange(12.0).reshape(3, 4) / 7 + 0.5, requires_grad=True, name="x")
    w = mg.tensor(np.random.default_rng(0).standard_normal((3, 4)))
    y = x.flip(1).roll(1, 0).tril() + x.index_select(0, mg.tensor([2, 2, 0])).triu() + x.split([1, 2])[1].sum()
    same_as_expanded((y * w).sum(), [x])


# ------------------------------------------------------------------ bad input, named
def test_bad_input_is_named():
    x = mg.zeros(2, 3)
    raises_naming(lambda: x.flip(2), ValueError, "Tensor.flip", "dims")
    raises_naming(lambda: x.flip(0, 0), ValueError, "Tensor.flip", "twice")
    raises_naming(lambda: x.flip(), TypeError, "Tensor.flip", "dims")
    raises_naming(lambda: x.roll((1, 2), 0), TypeError, "Tensor.roll", "shifts")
    raises_naming(lambda: x.roll(1.5), TypeError, "Tensor.roll", "shifts")
    raises_naming(lambda: x.chunk(0), ValueError, "Tensor.chunk", "chunks")
    raises_naming(lambda: x.split([1, 2]), ValueError, "Tensor.split", "[1, 2]", "(2, 3)")
    raises_naming(lambda: x.split(0), ValueError, "Tensor.split", "split_size")
    raises_naming(lambda: x.split("a"), TypeError, "Tensor.split", "split_size_or_sections")
    raises_naming(lambda: x.index_select(1, mg.tensor([3])), ValueError, "Tensor.index_select", "3", "(2, 3)")
    raises_naming(lambda: x.index_select(1, mg.tensor([0.5])), TypeError, "Tensor.index_select", "index", "float64")
    raises_naming(lambda: x.index_select(1, [0]), TypeError, "Tensor.index_select", "index", "list")
    raises_naming(lambda: x.bmm(mg.zeros(2, 3, 4)), ValueError, "Tensor.bmm", "(2, 3)", "(2, 3, 4)")
    raises_naming(lambda: mg.bmm(mg.zeros(2, 3, 4), mg.zeros(3, 4, 2)), ValueError, "bmm", "(2, 3, 4)", "(3, 4, 2)")
    raises_naming(lambda: mg.bmm(mg.zeros(2, 3, 4), mg.zeros(2, 3, 2)), ValueError, "bmm", "(2, 3, 4)", "(2, 3, 2)")
    raises_naming(lambda: mg.zeros(3).tril(), ValueError, "Tensor.tril", "(3,)")
    raises_naming(lambda: x.triu(0.5), TypeError, "Tensor.triu", "diagonal")
    raises_naming(lambda: x.view_as(mg.zeros(4)), ValueError, "view_as", "(2, 3)", "(4,)")
    raises_naming(lambda: x.view_as((3, 2)), TypeError, "view_as", "tuple")
    raises_naming(lambda: x.nan_to_num(nan="a"), TypeError, "Tensor.nan_to_num", "nan")
    raises_naming(lambda: x.new_zeros(-1), ValueError, "zeros", "size")
    raises_naming(lambda: mg.isnan([1.0]), TypeError, "isnan", "list")
