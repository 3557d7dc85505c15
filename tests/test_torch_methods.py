"""Tensor's PyTorch spellings, checked against torch itself: size(), numel(), dim() and friends."""
import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 4)])
def test_size_is_the_shape_like_torch(shape):
    t, ref = mg.zeros(shape), torch.zeros(shape)
    assert t.size() == tuple(ref.size()) and isinstance(t.size(), tuple)
    assert t.numel() == ref.numel() and t.nelement() == ref.nelement()
    assert t.dim() == ref.dim() and t.ndimension() == ref.ndimension()
    for d in range(-len(shape), len(shape)):
        assert t.size(d) == ref.size(d) and isinstance(t.size(d), int)


def test_size_slices_and_counts_like_torch_size():
    x = mg.zeros(4, 3, 5, 5)
    assert x.size()[1:] == (3, 5, 5) and repr(x.size()[1:]) == "minigrad.Size([3, 5, 5])"
    assert x.size()[1:].numel() == torch.zeros(4, 3, 5, 5).size()[1:].numel() == 75
    num_features = 1
    for s in x.size()[1:]:             # the 60-minute blitz's num_flat_features
        num_features *= s
    assert num_features == 75


@pytest.mark.parametrize("shape,d", [((2, 3), 2), ((2, 3), -3), ((), 0)])
def test_size_out_of_range_is_an_index_error_like_torch(shape, d):
    with pytest.raises(IndexError):
        torch.zeros(shape).size(d)
    with pytest.raises(IndexError, match="Tensor.size: dim"):
        mg.zeros(shape).size(d)


def test_size_needs_an_int_dim():
    with pytest.raises(TypeError, match="Tensor.size: dim must be an int"):
        mg.zeros(2).size(0.5)
