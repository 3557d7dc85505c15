"""The scalar expansion where a probe found it differing from the tensor op: a 0-d leaf's one
element is named as the expansion names it, and a variance with no degrees of freedom."""
import numpy as np
import pytest

import minigrad as mg
from conftest import same_as_expanded


def test_the_element_of_a_0d_tensor_is_named_after_the_tensor():
    assert mg.scalar.element_name("v", (), ()) == "v"
    v = mg.tensor(1.5, requires_grad=True, name="v")
    names = {n.name for n in mg.engine.topological_order(mg.scalar.expand(v * 2)) if not n.parents}
    assert mg.scalar.element_name("v", (), ()) in names


def test_masked_fill_with_a_tensor_value_expands_with_the_values_gradient():
    x = mg.tensor(np.array([[1.0, -2.0], [3.0, -4.0]]), requires_grad=True, name="x")
    v = mg.tensor(0.5, requires_grad=True, name="v")
    same_as_expanded((x.masked_fill(x > 0, v) * mg.tensor([[1.0, 2.0], [3.0, 4.0]])).sum(), [x, v])
    assert v.grad == 4.0


@pytest.mark.filterwarnings("ignore:.*[Dd]egrees of freedom")
@pytest.mark.parametrize("name", ["var", "std"])
def test_a_variance_of_one_element_expands_to_nan_like_the_tensor(name):
    x = mg.tensor(np.array([[2.0, 3.0]]), requires_grad=True, name="x")
    S = mg.scalar.expand(getattr(x, name)(0).sum())
    assert np.isnan(S.data) and np.isnan(getattr(x, name)(0).sum().item())
