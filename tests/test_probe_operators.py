"""Python operators PyTorch tensors have that a probe found missing: masks combined with
``& | ^ ~`` (integers bitwise), ``abs(t)``, ``value in t``, ``t.any()`` / ``t.all()``."""
import numpy as np
import pytest

import minigrad as mg
from conftest import raises_naming

torch = pytest.importorskip("torch")

X = np.array([-1.0, 0.5, 2.0, 0.0])


def both(fn):
    """``fn`` on minigrad's tensor of X and on torch's; both results as lists."""
    out, ref = fn(mg.tensor(X)), fn(torch.tensor(X))
    assert out.shape == tuple(ref.shape)
    return out.data.tolist(), ref.tolist()


@pytest.mark.parametrize("fn", [
    lambda x: (x > 0) & (x < 1),
    lambda x: (x > 0) | (x < -0.5),
    lambda x: (x > 0) ^ (x < 1),
    lambda x: ~(x > 0),
    lambda x: (x > 0) & True,
    lambda x: False | (x > 0),
    lambda x: (x > 0)[:, None] & (x < 1),
], ids=["and", "or", "xor", "invert", "and-bool", "ror-bool", "broadcast"])
def test_masks_combine_like_torch(fn):
    out, ref = both(fn)
    assert out == ref
    assert fn(mg.tensor(X)).dtype == np.bool_
    assert not fn(mg.tensor(X, requires_grad=True)).requires_grad


@pytest.mark.parametrize("fn", [lambda x: x & 6, lambda x: x | (x + 1), lambda x: 3 ^ x, lambda x: ~x])
def test_integers_are_bitwise_like_torch(fn):
    a = np.array([5, 3, 0, -2])
    out, ref = fn(mg.tensor(a)), fn(torch.tensor(a))
    assert out.data.tolist() == ref.tolist() and out.dtype == np.int64


def test_float_tensors_are_refused_by_name():
    raises_naming(lambda: mg.tensor(X) & mg.tensor(X), TypeError, "Tensor.__and__", "float64", "(4,)")
    raises_naming(lambda: ~mg.tensor(X), TypeError, "Tensor.__invert__", "float64")
    raises_naming(lambda: (mg.tensor(X) > 0) | mg.tensor([True, False]), ValueError, "Tensor.__or__", "(4,)", "(2,)")


def test_abs_builtin_is_the_differentiable_abs():
    x = mg.tensor(X, requires_grad=True)
    abs(x).sum().backward()
    t = torch.tensor(X, requires_grad=True)
    abs(t).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_in_asks_whether_some_element_equals_the_value():
    for v in (0.5, 7.0, 0):
        assert (v in mg.tensor(X)) == (v in torch.tensor(X))


@pytest.mark.parametrize("name", ["any", "all"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_any_and_all_like_torch(name, dim, keepdim):
    a = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    out, ref = getattr(mg.tensor(a), name)(**kw), getattr(torch.tensor(a), name)(**kw)
    assert out.data.tolist() == ref.tolist() and out.dtype == np.bool_
    assert getattr(mg, name)(mg.tensor(a) > 0).item() == getattr(torch, name)(torch.tensor(a) > 0).item()


@pytest.mark.parametrize("fn", [lambda m: m + 2, lambda m: 2 * m, lambda m: m < 2, lambda m: m == 1, lambda m: m >= -1,
                                lambda m: m * -1],
                         ids=["add", "rmul", "lt", "eq", "ge", "mul-neg"])
def test_a_mask_and_a_python_int_compute_in_int64_like_torch(fn):
    """The int was cast to bool first (2 became True), so mask < 2 was all False and mask + 2 a bool."""
    a = np.array([True, False, True])
    out, ref = fn(mg.tensor(a)), fn(torch.tensor(a))
    assert out.data.tolist() == ref.tolist()
    assert out.dtype == np.dtype(str(ref.dtype).replace("torch.", ""))


@pytest.mark.parametrize("da, sa, db, sb", [
    (np.float32, (3, 4), np.int64, ()), (np.int64, (), np.float32, (4,)), (np.float32, (3, 4), np.float64, ()),
    (np.int64, (), np.int32, (4,)), (np.uint8, (3, 4), np.int32, ()), (np.bool_, (4,), np.float32, ()),
    (np.float32, (), np.float64, ()), (np.int64, (3, 4), np.float32, (3, 4))])
def test_where_promotes_like_torch(da, sa, db, sb):
    """NumPy's promotion made float32 with an int64 or a 0-d float64 a float64."""
    rng = np.random.default_rng(0)
    a, b = (rng.integers(0, 3, s).astype(d) for d, s in ((da, sa), (db, sb)))
    cond = np.array([True, False, True, False])
    out, ref = mg.where(mg.tensor(cond), mg.tensor(a), mg.tensor(b)), torch.where(torch.tensor(cond), torch.tensor(a), torch.tensor(b))
    assert out.dtype == np.dtype(str(ref.dtype).replace("torch.", ""))
    np.testing.assert_array_equal(out.data, ref.numpy())


def test_where_of_float32_and_float64_backpropagates_to_both():
    x = mg.tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    y = mg.tensor(np.array([3.0, 4.0]), requires_grad=True)
    mg.where(x > 0, x, y).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0] and y.grad.tolist() == [0.0, 1.0]


def test_subtracting_masks_is_refused_by_name():
    m = mg.tensor([True, False])
    raises_naming(lambda: m - m, TypeError, "sub", "bool", "~", "(2,)")
    raises_naming(lambda: m - True, TypeError, "sub", "bool")
