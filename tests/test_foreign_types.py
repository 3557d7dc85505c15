"""A torch tensor (or any object minigrad does not take) is named by its real type (issue 13 item 14)."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad._checks import type_name

torch = pytest.importorskip("torch")
T = torch.ones(2, 2)

CALLS = {
    "operator": lambda: mg.ones(2, 2) * T,
    "matmul": lambda: mg.ones(2, 2) @ T,
    "in place": lambda: mg.ones(2, 2).add_(T),
    "setitem": lambda: mg.ones(2, 2).__setitem__(0, T),
    "function": lambda: mg.sin(T),
    "cat": lambda: mg.cat([mg.ones(2, 2), T]),
    "where": lambda: mg.where(T > 0, T, T),
    "F.relu": lambda: F.relu(T),
    "F.mse_loss target": lambda: F.mse_loss(mg.ones(2, 2), T),
    "loss module": lambda: nn.MSELoss()(T, mg.ones(2, 2)),
    "module": lambda: nn.Linear(2, 2)(T),
    "optimizer": lambda: mg.optim.SGD([T], lr=0.1),
    "dataset": lambda: mg.utils.data.TensorDataset(T),
    "Value": lambda: mg.Value(torch.tensor(1.0)),
    "expand": lambda: mg.scalar.expand(T),
    "clip bound": lambda: mg.ones(2).clip(torch.tensor(0.0)),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_torch_tensor_is_called_torch_tensor(name):
    with pytest.raises(TypeError) as err:
        CALLS[name]()
    assert "torch.Tensor" in str(err.value), str(err.value)
    assert "got Tensor" not in str(err.value) and "with Tensor" not in str(err.value)


def test_types_are_named_by_their_public_path():
    assert [type_name(x) for x in (1.0, [1], np.zeros(1), np.float32(1), T, torch.nn.ReLU(), mg.ones(1),
                                   nn.Linear(1, 1), mg.Value(1.0))] == [
        "float", "list", "numpy.ndarray", "numpy.float32", "torch.Tensor", "torch.nn.ReLU", "minigrad.Tensor",
        "minigrad.nn.Linear", "minigrad.Value"]
    with pytest.raises(TypeError, match=r"module must be a Module \(e.g. nn.ReLU\(\)\), got torch.nn.ReLU"):
        nn.Sequential().add(torch.nn.ReLU())
