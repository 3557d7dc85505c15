"""mg.gradcheck: reverse mode against central differences, and it catches a wrong backward."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.optable import Op
from minigrad.tensor import record
from minigrad.value import _node


def test_passes_on_correct_tensor_gradients_and_leaves_grads_alone():
    mg.manual_seed(0)
    a = mg.randn(3, 4, requires_grad=True)
    b = mg.randn(4, 2, requires_grad=True)
    a.name = "a"
    a.grad = np.full((3, 4), 7.0)
    assert mg.gradcheck(lambda a, b: ((a @ b).tanh() * 2 + a.sum()).sigmoid(), (a, b)) is True
    assert np.all(a.grad == 7.0) and b.grad is None  # the user's grads are untouched
    assert mg.gradcheck(lambda a: (a * a).sum(), a)  # one Tensor, not a tuple


def test_passes_on_values_and_grids_of_values():
    a, b = mg.Value(0.7, "a"), mg.Value(-1.2, "b")
    assert mg.gradcheck(lambda a, b: (a * b).tanh() + a / b + (a - b).relu(), [a, b])
    assert a.grad == 0.0 and b.grad == 0.0
    x = mg.scalar.grid(np.arange(9.0).reshape(3, 3) / 7, "x")
    w = mg.scalar.grid([[0.5, -1.0], [2.0, 0.25]], "w")
    assert mg.gradcheck(lambda *ws: mg.scalar.conv2d(x, np.array(ws, dtype=object).reshape(2, 2)), list(w.ravel()))


def _bad_mul(a, b):
    """a * b whose backward forgets nothing but doubles d/da: the bug gradcheck must catch."""
    return record(a.data * b.data, (a, b), BAD_MUL)


def _bad_mul_backward(out, g, needs):
    a, b = out.parents
    return 2 * b.data * g, a.data * g


BAD_MUL = Op("bad_mul", _bad_mul_backward)


def test_catches_a_deliberately_wrong_tensor_backward_and_names_input_index_values():
    a = mg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="a")
    b = mg.Tensor([[0.5, -1.0], [2.0, 3.0]], requires_grad=True, name="b")
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda a, b: _bad_mul(a, b), (a, b))
    e = info.value
    assert isinstance(e, AssertionError)
    assert (e.input_index, e.input_name, e.index) == (0, "a", (0, 0))
    assert e.analytic == pytest.approx(1.0) and e.numeric == pytest.approx(0.5)
    msg = str(e)
    assert "input 0 ('a') at index (0, 0) of output element (0, 0)" in msg
    assert "analytic 1 vs numeric 0.5" in msg


def test_catches_a_wrong_value_backward():
    def backward(out):  # d(x^2)/dx = 2x, written as x
        return (out.parents[0].data,)
    square = Op("sq", backward)

    def bad_square(x):
        return _node(x.data ** 2, (x,), square)

    x = mg.Value(3.0, "x")
    with pytest.raises(mg.GradcheckError, match=r"input 0 \('x'\): analytic 3 vs numeric 6"):
        mg.gradcheck(bad_square, [x])


def test_large_outputs_use_a_random_projection_and_still_catch_bugs():
    a = mg.Tensor(np.linspace(-1, 1, 100).reshape(10, 10), requires_grad=True, name="a")
    b = mg.Tensor(np.linspace(1, 2, 100).reshape(10, 10), requires_grad=True, name="b")
    assert mg.gradcheck(lambda a, b: a * b, (a, b))
    with pytest.raises(mg.GradcheckError, match="random projection"):
        mg.gradcheck(_bad_mul, (a, b))


def test_inputs_that_do_not_require_grad_and_non_tensors_are_skipped():
    a = mg.Tensor([1.0, 2.0], requires_grad=True)
    c = mg.Tensor([3.0, 4.0])
    assert mg.gradcheck(lambda a, c, k: (a * c * k).sum(), (a, c, 2.0))


def test_bad_input():
    a32 = mg.Tensor([1.0, 2.0], requires_grad=True, dtype=np.float32, name="w")
    with pytest.raises(ValueError, match=r"gradcheck: input 0 \('w'\) has dtype float32; gradcheck needs float64"):
        mg.gradcheck(lambda a: a.sum(), (a32,))
    with pytest.raises(ValueError, match="gradcheck: no input requires grad"):
        mg.gradcheck(lambda a: a.sum(), (mg.Tensor([1.0]),))
    with pytest.raises(TypeError, match="gradcheck: fn must be callable"):
        mg.gradcheck("f", (mg.Tensor([1.0], requires_grad=True),))
    with pytest.raises(ValueError, match="gradcheck: eps must be > 0"):
        mg.gradcheck(lambda a: a.sum(), (mg.Tensor([1.0], requires_grad=True),), eps=0)
    with pytest.raises(TypeError, match="gradcheck: fn must return a Tensor, a Value or a grid"):
        mg.gradcheck(lambda a: 3.0, (mg.Tensor([1.0], requires_grad=True),))
    a = mg.Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="gradcheck: input 0 is not a leaf"):
        mg.gradcheck(lambda a: a.sum(), (a * 2,))


def test_mg_gradcheck_is_callable_even_after_importing_the_module():
    from minigrad.finite_differences import GradcheckError  # noqa: F401 - named apart from mg.gradcheck

    a = mg.Tensor([1.0, 2.0], requires_grad=True)
    assert mg.gradcheck(lambda a: (a * a).sum(), (a,)) is True


def test_an_output_that_is_a_view_of_the_input_is_differenced_correctly():
    a = mg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert mg.gradcheck(lambda a: a.reshape(3, 2), (a,))
    assert mg.gradcheck(lambda a: a.T, (a,))
