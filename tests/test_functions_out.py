"""mg.<function>(..., out=t) and arrays as inputs: the tensors tutorial's torch.matmul(a, b, out=y)
and the CIFAR tutorial's torch.max(outputs.data, 1), with only the imports changed."""
import numpy as np
import pytest

import minigrad as mg
from conftest import raises_naming


def test_out_receives_the_result_like_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(16.0).reshape(4, 4)
    for lib in (mg, torch):
        t = lib.tensor(a)
        y = lib.rand_like(t)
        got = lib.matmul(t, t.T, out=y)
        assert got is y
        np.testing.assert_array_equal(np.asarray(y), a @ a.T)
        z = lib.rand_like(t)
        lib.mul(t, t, out=z)
        np.testing.assert_array_equal(np.asarray(z), a * a)


def test_out_refuses_a_graph_a_wrong_shape_and_a_non_tensor():
    w = mg.ones(2, 2, requires_grad=True)
    raises_naming(lambda: mg.mul(w, w, out=mg.zeros(2, 2)), ValueError, "mul", "out=", "requires grad")
    with mg.no_grad():
        assert mg.mul(w, w, out=mg.zeros(2, 2)).sum().item() == 4.0
    raises_naming(lambda: mg.add(mg.ones(2), 1, out=mg.zeros(3)), ValueError, "add", "(3,)", "(2,)")
    raises_naming(lambda: mg.add(mg.ones(2), 1, out=np.zeros(2)), TypeError, "add", "out", "numpy.ndarray")


def test_a_tensors_data_is_accepted_where_torch_takes_the_tensor():
    out = mg.tensor([[0.1, 0.9, 0.0], [0.7, 0.2, 0.1]], requires_grad=True)
    _, predicted = mg.max(out.data, 1)
    assert predicted.tolist() == [1, 0] and not predicted.requires_grad
    assert mg.argmax(out.data, 1).tolist() == [1, 0]
    raises_naming(lambda: mg.max([1, 2], 0), TypeError, "max", "input", "list")
