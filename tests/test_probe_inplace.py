"""In-place changes where a probe against PyTorch found them differing: numbers that do not fit the
tensor's dtype (NumPy writes garbage or inf silently; PyTorch refuses) and ``div_(rounding_mode=)``."""
import numpy as np
import pytest

import minigrad as mg
from conftest import compare_with_torch, raises_naming, twins

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e19, -1e19])
def test_a_number_an_integer_tensor_cannot_hold_is_refused_like_torch(value):
    x = mg.tensor(np.arange(4))
    with pytest.raises(RuntimeError):
        torch.arange(4)[0] = value
    raises_naming(lambda: x.__setitem__(0, value), ValueError, "__setitem__", "int64", "(4,)", "overflow")
    raises_naming(lambda: x.fill_(value), ValueError, "fill_", "int64")
    assert x.data.tolist() == [0, 1, 2, 3]      # nothing was written


def test_numbers_that_fit_are_written_and_truncated_like_torch():
    x, ref = mg.tensor(np.arange(4)), torch.arange(4)
    x[0], ref[0] = 2.9, 2.9
    x[1:3], ref[1:3] = -1.5, -1.5
    assert x.data.tolist() == ref.tolist()


def test_a_float_beyond_float32_is_refused_for_a_float32_tensor_like_torch():
    x = mg.tensor(np.ones(2, np.float32))
    with pytest.raises(RuntimeError):
        torch.ones(2)[0] = 1e300
    raises_naming(lambda: x.__setitem__(0, 1e300), ValueError, "float32", "overflow")
    x[0] = 1e30
    assert x.data[0] == np.float32(1e30)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_div_in_place_takes_a_rounding_mode(mode):
    (m, t), = twins((3, 4))
    compare_with_torch(lambda x: (x * 1.0).div_(0.3, rounding_mode=mode),
                       lambda x: (x * 1.0).div_(0.3, rounding_mode=mode), [(m, t)])
    x = mg.tensor(np.array([7, -7]))
    x.div_(2, rounding_mode=mode)
    assert x.data.tolist() == torch.tensor([7, -7]).div_(2, rounding_mode=mode).tolist()


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_integers_divided_with_rounding_stay_integers(mode):
    a = np.array([7, -7])
    for other in (2, np.array([2, 3]), 2.0):
        o_mg = mg.tensor(other) if isinstance(other, np.ndarray) else other
        o_t = torch.tensor(other) if isinstance(other, np.ndarray) else other
        out, ref = mg.tensor(a).div(o_mg, rounding_mode=mode), torch.tensor(a).div(o_t, rounding_mode=mode)
        assert out.data.tolist() == ref.tolist()
        assert (out.dtype.kind == "i") == (not ref.dtype.is_floating_point)


# An in-place change of a view y[i] while recording: it changed a copy and left y behind, silently
VIEW_CHANGES = {
    "row mul_": lambda L, y: y[0].mul_(2),
    "column zero_": lambda L, y: y[:, 1].zero_(),
    "view of a view": lambda L, y: y[0][1:].mul_(3),
    "a view plus itself": lambda L, y: (lambda v: v.add_(v))(y[1]),
    "strided clamp_": lambda L, y: y[1:, ::2].clamp_(-0.1, 0.1),
    "ellipsis sub_": lambda L, y: y[..., 0].sub_(1),
    "0-d integer tensor index": lambda L, y: y[L.tensor(1)].mul_(2),
    "augmented slice": lambda L, y: y.__setitem__(slice(1, None), y[1:].__imul__(2)),
    "then the base again": lambda L, y: (y.__setitem__(2, 0.0), y[0].mul_(2)),
}


@pytest.mark.parametrize("name", list(VIEW_CHANGES))
def test_an_in_place_change_of_a_view_changes_its_base_like_torch(name):
    def run(L):
        def f(x):
            y = x * 1.0
            VIEW_CHANGES[name](L, y)
            return y * y
        return f
    compare_with_torch(run(mg), run(torch), twins((3, 4)))


def test_the_view_follows_its_changed_base():
    (m, t), = twins((3, 4))
    compare_with_torch(lambda x: (lambda y: (lambda v: (v.mul_(2), v * y)[1])(y[0]))(x * 1.0),
                       lambda x: (lambda y: (lambda v: (v.mul_(2), v * y)[1])(y[0]))(x * 1.0), [(m, t)])


def test_a_0d_integer_tensor_index_is_a_view_outside_the_graph_too():
    x, ref = mg.tensor(np.arange(6.0).reshape(2, 3)), torch.arange(6.0).reshape(2, 3)
    x[mg.tensor(np.array(1))].mul_(2)
    ref[torch.tensor(1)].mul_(2)
    assert x.data.tolist() == ref.tolist()


@pytest.mark.parametrize("change", [lambda y: y.view(-1).mul_(2), lambda y: y.t().add_(1),
                                    lambda y: (lambda a, b: (a.mul_(2), b.add_(1)))(y[0], y[1])],
                         ids=["reshape view", "transpose view", "a second view after the base changed"])
def test_other_views_changed_while_recording_are_refused_by_name(change):
    y = mg.tensor(np.ones((3, 4)), requires_grad=True) * 1.0
    raises_naming(lambda: change(y), ValueError, "is a view that shares its memory", "y[i] = f(y[i])")


def test_a_view_of_a_leaf_that_requires_grad_is_refused_like_torch():
    w = mg.tensor(np.ones(3), requires_grad=True, name="w")
    raises_naming(lambda: w[0:2].mul_(2), ValueError, "tensor 'w' of shape (3,)", "leaf that requires grad")
    assert w.tolist() == [1.0, 1.0, 1.0]
