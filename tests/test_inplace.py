"""In-place ops and item assignment (issue 13 item 8): the tensor itself changes, its version is
stamped, and a graph that saved the old numbers refuses to backpropagate, naming the tensor."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from conftest import compare_with_torch, raises_naming, same_as_expanded, twins

torch = pytest.importorskip("torch")

START = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -6.0]])

CHANGES = {  # the same in-place change on a minigrad tensor and a torch tensor
    "add_": lambda t, lib: t.add_(lib.ones(3, dtype=lib.float64)),
    "add_alpha": lambda t, lib: t.add_(lib.ones(2, 3, dtype=lib.float64), alpha=2.5),
    "sub_": lambda t, lib: t.sub_(1.5),
    "mul_": lambda t, lib: t.mul_(t),
    "div_": lambda t, lib: t.div_(4.0),
    "zero_": lambda t, lib: t.zero_(),
    "fill_": lambda t, lib: t.fill_(7.0),
    "copy_": lambda t, lib: t.copy_(lib.arange(3, dtype=lib.float64)),
    "clamp_": lambda t, lib: t.clamp_(-1.0, 2.0),
    "clamp_max": lambda t, lib: t.clamp_(max=0.0),
    "setitem_row": lambda t, lib: t.__setitem__(0, lib.arange(3, dtype=lib.float64)),
    "setitem_slice": lambda t, lib: t.__setitem__((slice(None), slice(1, None)), 9.0),
    "setitem_mask": lambda t, lib: t.__setitem__(t > 0, 0.0),
    "setitem_index": lambda t, lib: t.__setitem__((lib.tensor([1, 0]), lib.tensor([2, 2])), 5.0),
}


def _operators(t, lib):
    t += 1.0
    t -= lib.ones(3, dtype=lib.float64)
    t *= 3.0
    t /= 2.0
    return t


CHANGES["operators"] = _operators


@pytest.mark.parametrize("name", list(CHANGES))
def test_an_in_place_change_gives_torchs_numbers_and_the_same_tensor(name):
    t, ref = mg.tensor(START), torch.tensor(START)
    out = CHANGES[name](t, mg)
    CHANGES[name](ref, torch)
    np.testing.assert_array_equal(t.data, ref.numpy())
    assert out is t or out is None                       # __setitem__ returns None, the methods the tensor


def test_the_memory_changes_so_a_shared_array_sees_it():
    arr = np.zeros(3)
    t = mg.from_numpy(arr)
    t += 1.0
    t.mul_(3.0)
    t[0] = -1.0
    assert arr.tolist() == [-1.0, 3.0, 3.0] and t.numpy() is arr


def test_manual_sgd_under_no_grad_updates_the_parameters_in_place_like_torch():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    ref = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2)).double()
    with torch.no_grad():
        for p, q in zip(model.parameters(), ref.parameters()):
            q.copy_(torch.tensor(p.data))
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    params = list(model.parameters())
    x = np.random.default_rng(0).standard_normal((5, 4))
    for step in range(3):
        loss, tloss = (model(mg.tensor(x)) ** 2).mean(), (ref(torch.tensor(x)) ** 2).mean()
        model.zero_grad()
        ref.zero_grad()
        loss.backward()
        tloss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        with torch.no_grad():
            for q in ref.parameters():
                q -= 0.1 * q.grad
        for p, q in zip(model.parameters(), ref.parameters()):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-14, atol=1e-15)
    assert all(a is b for a, b in zip(model.parameters(), params))
    assert all(a is b for a, b in zip(opt.param_groups[0]["params"], params))   # the optimizer still holds them
    with pytest.raises(RuntimeError, match=r"backward: tensor '2.weight' of shape \(2, 3\) was changed after"):
        loss.backward()                                  # the old graph saw the old weights


def test_a_leaf_that_requires_grad_is_refused_outside_no_grad_like_torch():
    w, tw = mg.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    w.name = "w"
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        tw.add_(1)
    for change in (lambda: w.add_(1), lambda: w.__iadd__(1), lambda: w.zero_(), lambda: w.__setitem__(0, 2.0)):
        raises_naming(change, ValueError, "tensor 'w' of shape (3,)", "leaf that requires grad", "no_grad")
    assert w.tolist() == [1.0, 1.0, 1.0]
    with mg.no_grad():
        w.add_(1)
        w[0] = 0.0
    assert w.tolist() == [0.0, 2.0, 2.0] and w.requires_grad and w.is_leaf


SAVED = {  # a forward that saves a tensor, then an in-place change of that tensor (or of memory it shares)
    "input of mul": lambda x, h: (h * x, lambda: h.mul_(2)),
    "setitem": lambda x, h: (h * x, lambda: h.__setitem__(0, 5.0)),
    "through detach": lambda x, h: (h * x, lambda: h.detach().zero_()),
    "through a view": lambda x, h: (h * x, lambda: h[1:].fill_(3.0)),
    "the view is saved": lambda x, h: (h.reshape(3, 1) * x, lambda: h.clamp_(0, 1)),
}


@pytest.mark.parametrize("name", list(SAVED))
def test_a_saved_tensor_changed_in_place_is_refused_by_name(name):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = mg.tensor([4.0, 5.0, 6.0], name="h")
    out, change = SAVED[name](x, h)
    with mg.no_grad():
        change()
    with pytest.raises(RuntimeError, match="was changed after the forward used it"):
        out.sum().backward()


def test_changing_data_in_place_reaches_what_shares_its_memory():
    w, x = mg.ones(3), mg.ones(3, requires_grad=True)
    y = (w.detach() * x).sum()                     # the detached copy shares w's memory
    w.data -= 1.0                                  # NumPy's -= writes into that memory
    with pytest.raises(RuntimeError, match="was changed after the forward used it"):
        y.backward()


def test_the_refusal_names_the_saved_tensor():
    x = mg.tensor([1.0, 2.0], requires_grad=True, name="x")
    e = x.exp()
    e.name = "e"
    loss = (e * e).sum()
    with mg.no_grad():
        e += 1.0
    raises_naming(loss.backward, RuntimeError, "tensor 'e' of shape (2,)", "changed after the forward used it")


def _recorded(x, w, lib):
    """In-place changes of an interior tensor while recording: the gradient flows through them."""
    h = x * 1.0
    h += w
    h *= w
    h[0] = w[1] * 2.0
    h[:, 1] = 0.5
    h.sub_(x, alpha=0.5)
    h.clamp_(-1.0, 1.5)
    h.div_(w.abs() + 1.0)
    return h


def test_in_place_changes_while_recording_give_torchs_gradients():
    compare_with_torch(lambda x, w: _recorded(x, w, mg), lambda x, w: _recorded(x, w, torch), twins((3, 4), (4,)))


def test_a_plain_tensor_changed_by_one_that_requires_grad_joins_the_graph_like_torch():
    (w, tw), = twins((3,))
    acc, tacc = mg.zeros(3), torch.zeros(3, dtype=torch.float64)
    acc += w * w
    tacc += tw * tw
    assert acc.requires_grad and acc.grad_fn is not None and tacc.requires_grad
    compare_with_torch(lambda w: (acc * 2), lambda w: (tacc * 2), [(w, tw)])


def test_copy_and_fill_send_the_gradient_to_the_source_like_torch():
    def f(lib, a, b):
        h = a * 1.0
        h.copy_(b)                      # b broadcast over the rows
        out = h * a
        g = a * 1.0
        g.fill_(b[0])
        return out + g
    compare_with_torch(lambda a, b: f(mg, a, b), lambda a, b: f(torch, a, b), twins((2, 3), (3,)))


def test_a_repeated_index_keeps_the_last_write_and_its_gradient():
    v = mg.tensor([1.0, 2.0], requires_grad=True)
    h = mg.zeros(3)
    h[mg.tensor([0, 0])] = v
    assert h.tolist() == [2.0, 0.0, 0.0]
    (h * mg.tensor([10.0, 1.0, 1.0])).sum().backward()
    assert v.grad.tolist() == [0.0, 10.0]


def test_setitem_expands_to_scalars():
    a = mg.tensor(START, requires_grad=True, name="a")
    v = mg.tensor([1.0, -1.0, 2.0], requires_grad=True, name="v")
    h = a * 2.0
    h[1] = v * v
    h[0, ::2] = v[1]
    same_as_expanded((h * a).sum(), [a, v])


@pytest.mark.parametrize("call,kind,words", [
    (lambda: mg.zeros(3, dtype=mg.int64).add_(0.5), TypeError, ["Tensor.add_", "float64", "int64"]),
    (lambda: mg.zeros(3).add_(mg.zeros(2, 3)), ValueError, ["Tensor.add_", "(2, 3)", "(3,)"]),
    (lambda: mg.zeros(2, 3).__setitem__(0, mg.zeros(2)), ValueError, ["Tensor.__setitem__", "(2,)", "(3,)"]),
    (lambda: mg.zeros(2, 3).__setitem__(5, 1.0), IndexError, ["Tensor.__setitem__", "index 5", "(2, 3)"]),
    (lambda: mg.zeros(2).__setitem__(0, "a"), TypeError, ["Tensor.__setitem__", "value", "str"]),
    (lambda: mg.zeros(2).fill_(mg.zeros(2)), ValueError, ["Tensor.fill_", "one-element", "(2,)"]),
    (lambda: mg.zeros(2).copy_([1.0, 2.0]), TypeError, ["Tensor.copy_", "src", "list"]),
    (lambda: mg.zeros(2).add_(1, alpha="x"), TypeError, ["Tensor.add_", "alpha", "str"]),
])
def test_bad_in_place_changes_are_named_and_change_nothing(call, kind, words):
    raises_naming(call, kind, *words)
