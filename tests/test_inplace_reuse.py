"""In-place ops that read the tensor they change (y.add_(y), y[1:] *= 2): the gradient is
PyTorch's, never the silently wrong one of a graph that points at the changed tensor."""
import pytest

from conftest import compare_with_torch, twins


@pytest.mark.parametrize("change", [
    lambda L, y: y.add_(y),
    lambda L, y: y.sub_(y * 3),
    lambda L, y: y.__setitem__(slice(1, None), y[1:] * 2),
    lambda L, y: y.__setitem__(0, y[1] + y[2]),
], ids=["add_ itself", "sub_ of itself", "y[1:] = y[1:] * 2", "y[0] = y[1] + y[2]"])
def test_a_change_that_reads_the_tensor_it_changes(change):
    def run(L, x):
        y = x * 1.5
        change(L, y)
        return y * y
    compare_with_torch(lambda x: run(None, x), lambda x: run(None, x), twins((3,)))


def test_augmented_item_assignment_as_python_spells_it():
    def run(x):
        y = x.clone()
        y[1:] *= 2          # y.__setitem__(slice(1, None), y.__getitem__(slice(1, None)).__imul__(2))
        y[0] += y[2]
        return y.exp()
    compare_with_torch(run, run, twins((3,)))


def test_y_times_itself_in_place_keeps_the_old_values_for_backward():
    """torch refuses y.mul_(y) (mul saved y); minigrad keeps y's old array in its history, so the
    gradient is d(x²·2.25)/dx = 4.5x."""
    import minigrad as mg
    x = mg.tensor([1.0, 2.0, -3.0], requires_grad=True)
    y = x * 1.5
    y.mul_(y)
    y.sum().backward()
    assert x.grad.tolist() == [4.5, 9.0, -13.5]


def test_a_loop_writing_rows_of_one_tensor():
    """h[t] = tanh(h[t-1] @ w) into one tensor: the gradient of the rows stacked out of place
    (torch refuses the in-place loop: matmul saved the view h[t-1] that a later row changes)."""
    import minigrad as mg
    torch = pytest.importorskip("torch")

    def in_place(w, h0):
        h = mg.zeros(4, 3, dtype=w.dtype)
        h[0] = h0
        for t in range(1, 4):
            h[t] = (h[t - 1] @ w).tanh()
        return h

    def stacked(w, h0):
        rows = [h0]
        for t in range(1, 4):
            rows.append((rows[-1] @ w).tanh())
        return torch.stack(rows)
    compare_with_torch(in_place, stacked, twins((3, 3), (3,)))


def test_an_earlier_user_of_the_changed_tensor_still_refuses():
    import minigrad as mg
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y                       # uses y's old values
    y.add_(1)
    with pytest.raises(RuntimeError, match="changed after the forward"):
        z.sum().backward()
