"""Top-level functions and shape methods where a probe against PyTorch found them differing:
``where`` of two numbers, ``cat`` starting from ``tensor([])``, ``t.maximum``, ``mT``, a 0-d transpose."""
import numpy as np
import pytest

import minigrad as mg
from conftest import compare_with_torch, raises_naming, twins

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("a, b", [(1, 0), (1.0, 0.0), (1, 0.5), (True, False)])
def test_where_of_two_numbers_gives_torchs_values_and_dtype(a, b):
    cond = np.array([True, False, True])
    out = mg.where(mg.tensor(cond), a, b)
    ref = torch.where(torch.tensor(cond), a, b)
    assert out.data.tolist() == ref.tolist()
    expected = {torch.int64: np.int64, torch.bool: np.bool_}.get(ref.dtype, np.float64)   # floats: minigrad's default
    assert out.dtype == expected


def test_where_refuses_a_value_that_is_neither_tensor_nor_number_by_name():
    raises_naming(lambda: mg.where(mg.tensor([True]), "a", 0), TypeError, "where", "input", "str")


def test_cat_skips_one_dimensional_empty_tensors_like_torch():
    """The loop idiom out = torch.cat([out, x]) starting from torch.tensor([])."""
    (m, t), = twins((2, 3))
    compare_with_torch(lambda x: mg.cat([mg.tensor([]), x, mg.tensor([])]),
                       lambda x: torch.cat([torch.tensor([], dtype=torch.float64), x, torch.tensor([], dtype=torch.float64)]),
                       [(m, t)])
    out = mg.tensor([])
    for k in range(3):
        out = mg.cat([out, mg.tensor([float(k)])])
    assert out.data.tolist() == [0.0, 1.0, 2.0]
    assert mg.cat([mg.tensor([]), mg.tensor([])]).shape == (0,)


def test_cat_still_refuses_other_empty_shapes_by_name():
    raises_naming(lambda: mg.cat([mg.zeros(0, 2), mg.zeros(2, 3)]), ValueError, "cat", "(0, 2)", "(2, 3)")


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_and_minimum_are_methods_too(name):
    (m, t), (m2, t2) = twins((3, 4), (4,))
    compare_with_torch(lambda x, y: getattr(x, name)(y), lambda x, y: getattr(x, name)(y), [(m, t), (m2, t2)])


def test_mT_swaps_the_last_two_dims():
    (m, t), = twins((2, 3, 4))
    compare_with_torch(lambda x: x.mT, lambda x: x.mT, [(m, t)])
    raises_naming(lambda: mg.tensor([1.0]).mT, ValueError, "mT", "(1,)")


@pytest.mark.parametrize("dims", [(0, 0), (0, -1), (-1, -1)])
def test_transposing_a_0d_tensor_gives_it_back(dims):
    (m, t), = twins(())
    compare_with_torch(lambda x: x.transpose(*dims), lambda x: x.transpose(*dims), [(m, t)])
