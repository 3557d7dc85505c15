"""Reductions and elementwise math where a probe against PyTorch found them differing: an empty
``dim=()``, empty tensors, 0-d tensors, one-element variances, NaN in norms and signs, and integer
or bool inputs to float functions."""
import numpy as np
import pytest

import minigrad as mg
from conftest import compare_with_torch, raises_naming, twins

torch = pytest.importorskip("torch")

A = np.random.default_rng(0).standard_normal((3, 4))
WITH_NAN = np.array([[1., 3., 3., 0.], [2., 2., 2., 2.], [np.nan, 1., np.nan, 5.]])


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "amax", "amin", "norm"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_an_empty_dim_tuple_reduces_every_dim_like_torch(name, keepdim):
    (m, t), = twins((3, 4))
    if name in ("var", "std"):      # torch's backward reads dim=() as no dim at all (inf): compare the forward
        out = getattr(m, name)(dim=(), keepdim=keepdim)
        ref = getattr(t, name)(dim=(), keepdim=keepdim)
        assert out.shape == tuple(ref.shape)
        np.testing.assert_allclose(out.data, ref.detach().numpy())
        return
    compare_with_torch(lambda x: getattr(x, name)(dim=(), keepdim=keepdim),
                       lambda x: getattr(x, name)(dim=(), keepdim=keepdim), [(m, t)])


def test_logsumexp_over_an_empty_dim_tuple_is_over_every_dim():
    (m, t), = twins((3, 4))
    assert m.logsumexp(()).item() == pytest.approx(t.logsumexp((0, 1)).item(), rel=1e-14)


@pytest.mark.parametrize("name", ["amax", "amin", "argmax", "argmin"])
def test_reducing_the_full_dim_of_an_empty_tensor_gives_an_empty_result(name):
    x = np.zeros((0, 3))
    out = getattr(mg.tensor(x), name)(dim=1)
    ref = getattr(torch.tensor(x), name)(dim=1)
    assert out.shape == tuple(ref.shape) == (0,)
    assert out.dtype == np.dtype(str(ref.dtype).replace("torch.", ""))


@pytest.mark.parametrize("name", ["amax", "amin", "argmax", "argmin"])
def test_reducing_the_empty_dim_is_refused_by_name(name):
    fn = name if name.startswith("arg") else name[1:]     # amax is max over a tuple of dims
    raises_naming(lambda: getattr(mg.tensor(np.zeros((0, 3))), name)(dim=0), ValueError, fn, "dim 0", "(0, 3)")


def test_amax_of_an_empty_tensor_still_reduces_with_grad_over_the_full_dim():
    x = mg.tensor(np.zeros((0, 3)), requires_grad=True)
    x.amax(dim=1).sum().backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("dim", [0, -1])
def test_argmax_of_a_0d_tensor_over_its_dim_is_0(name, dim):
    out = getattr(mg.tensor(2.5), name)(dim)
    ref = getattr(torch.tensor(2.5), name)(dim)
    assert out.shape == () and out.item() == ref.item() == 0


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")   # both libraries warn; the numbers are the test
@pytest.mark.parametrize("name", ["var", "std"])
def test_one_element_variance_is_nan_with_nan_gradient_like_torch(name):
    (m, t), = twins((1, 3))
    compare_with_torch(lambda x: getattr(x, name)(0), lambda x: getattr(x, name)(0), [(m, t)])
    (m, t), = twins(())
    compare_with_torch(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), [(m, t)])


@pytest.mark.parametrize("p", [1, float("inf"), float("-inf"), 2, 3])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_norm_of_a_tensor_with_nan_has_torchs_gradient(p, dim):
    m, t = mg.tensor(WITH_NAN, requires_grad=True), torch.tensor(WITH_NAN, requires_grad=True)
    compare_with_torch(lambda x: x.norm(p, dim), lambda x: x.norm(p, dim), [(m, t)])


def test_sign_is_0_at_nan_and_keeps_bools_like_torch():
    x = [np.nan, -0.0, 2.0, -np.inf, np.inf]
    np.testing.assert_array_equal(mg.sign(mg.tensor(x)).data, torch.sign(torch.tensor(x)).numpy())
    mask = mg.tensor([True, False])
    assert mask.sign().dtype == np.bool_ and mask.sign().data.tolist() == [True, False]


@pytest.mark.parametrize("name", ["sin", "cos", "exp", "log", "log2", "log10", "sqrt", "tanh", "sigmoid"])
@pytest.mark.parametrize("data", [[[3, 1, 2], [0, -5, 5]], [[True, False], [True, True]]], ids=["int64", "bool"])
def test_float_functions_of_integer_and_bool_tensors_compute_in_float64(name, data):
    """PyTorch computes these in its float default (float32); minigrad in its own (float64).
    NumPy alone kept sigmoid's integers (all 0) and gave float16 for bools."""
    x = np.array(data)
    out = getattr(mg.tensor(x), name)()
    ref = getattr(torch.tensor(x).double(), name)()
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-15)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_and_logsumexp_of_integers_and_bools_are_float64(name):
    for x in (np.array([[3, 1, 2], [0, -5, 5]]), np.array([[True, False], [True, True]])):
        out = getattr(mg.tensor(x), name)(1)
        ref = getattr(torch.tensor(x).double(), name)(1)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-15)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_an_empty_tensor_is_empty(name):
    (m, t), = twins((0, 3))
    compare_with_torch(lambda x: getattr(x, name)(0), lambda x: getattr(x, name)(0), [(m, t)])


def test_an_integer_squared_stays_an_integer():
    x = np.array([3, -2, 5])
    out, ref = mg.tensor(x).square(), torch.tensor(x).square()
    assert out.dtype == np.int64 and out.data.tolist() == ref.tolist()
    assert (mg.tensor(x) ** 2).dtype == np.int64
    assert (mg.tensor(x) ** 0.5).dtype == np.float64


@pytest.mark.parametrize("name", ["round", "floor", "ceil", "trunc"])
def test_rounding_a_bool_tensor_keeps_it_bool(name):
    out = getattr(mg.tensor([True, False]), name)()
    assert out.dtype == np.bool_ and out.data.tolist() == [True, False]


def test_negating_a_bool_tensor_is_refused_by_name():
    raises_naming(lambda: -mg.tensor([True, False]), ValueError, "neg", "bool", "(2,)", "~")


def test_cumsum_takes_torchs_dtype():
    (m, t), = twins((2, 3), dtype=np.float32)
    compare_with_torch(lambda x: x.cumsum(1, dtype=mg.float64), lambda x: x.cumsum(1, dtype=torch.float64), [(m, t)],
                       rtol=1e-6)
    assert mg.tensor(np.array([1, 2])).cumsum(0, dtype=mg.float32).dtype == np.float32
