"""The loss modules (issue 13 item 2): nn.CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss and
BCEWithLogitsLoss with PyTorch's options, equal to torch forward and backward (float64, NaN
included where torch propagates it), and clear errors for bad targets."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from conftest import compare_with_torch, raises_naming, twins

torch = pytest.importorskip("torch")
tnn = torch.nn
NAN = float("nan")


def classes(shape, c=5, seed=0, ignore=None):
    """The same class indices for both (some set to ``ignore`` when given)."""
    t = np.random.default_rng(seed).integers(0, c, shape)
    if ignore is not None:
        t.flat[::3] = ignore
    return mg.Tensor(t), torch.tensor(t)


def probabilities(shape, seed=0, cdim=1):
    p = np.random.default_rng(seed).uniform(0.0, 1.0, shape)
    p /= p.sum(cdim, keepdims=True)
    return twins_of(p)


def twins_of(a, grad=True):
    return mg.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def with_nan(pairs, where=(0,)):
    """``pairs`` (from twins) with NaN written at ``where`` of the first tensor, in both."""
    (m, t), *rest = pairs
    m.data[where] = NAN
    with torch.no_grad():
        t[where] = NAN
    return [(m, t), *rest]


def both(name, **kw):
    """The loss module ``name`` in minigrad and in torch, with the same options (arrays as tensors)."""
    def make(lib, to_tensor):
        return getattr(lib, name)(**{k: to_tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()})
    return make(nn, mg.tensor), make(tnn, torch.tensor)


WEIGHT = np.array([1.0, 2.0, 0.5, 3.0, 1.5])
REDUCTIONS = ["mean", "sum", "none"]


# ------------------------------------------------------------------ cross-entropy and nll
@pytest.mark.parametrize("xshape", [(5,), (6, 5), (2, 5, 3, 4)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": WEIGHT}, {"ignore_index": 2}, {"label_smoothing": 0.1},
                                     {"weight": WEIGHT, "ignore_index": 1, "label_smoothing": 0.2}])
@pytest.mark.parametrize("nan", [False, True])
def test_cross_entropy_loss_module_like_torch(xshape, reduction, options, nan):
    tshape = () if len(xshape) == 1 else (xshape[0],) + xshape[2:]
    tm, tt = classes(tshape, seed=1)
    pairs = twins(xshape, seed=2)
    if nan:
        pairs = with_nan(pairs, (0,) * len(xshape))
    kw = dict(options)
    if len(xshape) == 1 and kw.get("ignore_index") == int(tm.data) and reduction == "mean":
        kw.pop("ignore_index")  # a lone ignored target is 0/0 in both; tested on its own below
    mk, tk = both("CrossEntropyLoss", **kw, reduction=reduction)
    compare_with_torch(lambda x: mk(x, tm), lambda x: tk(x, tt), pairs, rtol=1e-9)


@pytest.mark.parametrize("xshape", [(5,), (6, 5), (2, 5, 3, 4)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": WEIGHT}, {"label_smoothing": 0.1},
                                     {"weight": WEIGHT, "label_smoothing": 0.3}])
def test_cross_entropy_loss_with_class_probabilities_like_torch(xshape, reduction, options):
    cdim = 0 if len(xshape) == 1 else 1
    pairs = twins(xshape, seed=3) + [probabilities(xshape, seed=4, cdim=cdim)]
    pairs = with_nan(pairs, (0,) * len(xshape))
    kw = dict(options)
    mk, tk = both("CrossEntropyLoss", **kw, reduction=reduction)
    compare_with_torch(mk, tk, pairs)


@pytest.mark.parametrize("xshape", [(5,), (6, 5), (2, 5, 3, 4)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": WEIGHT}, {"ignore_index": 2}, {"ignore_index": -1},
                                     {"weight": WEIGHT, "ignore_index": 0}])
def test_nll_loss_module_like_torch(xshape, reduction, options):
    tshape = () if len(xshape) == 1 else (xshape[0],) + xshape[2:]
    kw = dict(options)
    tm, tt = classes(tshape, seed=5, ignore=None if len(xshape) == 1 else kw.get("ignore_index"))
    if len(xshape) == 1 and kw.get("ignore_index") == int(tm.data) and reduction == "mean":
        kw.pop("ignore_index")
    pairs = with_nan(twins(xshape, seed=6), (0,) * len(xshape))
    mk, tk = both("NLLLoss", **kw, reduction=reduction)
    compare_with_torch(lambda x: mk(x, tm), lambda x: tk(x, tt), pairs)


@pytest.mark.parametrize("loss", ["CrossEntropyLoss", "NLLLoss"])
def test_every_target_ignored_gives_nan_like_torch(loss):
    tm, tt = classes((4,), seed=7)
    tm.data[:] = tt[:] = 3
    compare_with_torch(lambda x: getattr(nn, loss)(ignore_index=3)(x, tm),
                       lambda x: getattr(tnn, loss)(ignore_index=3)(x, tt), twins((4, 5), seed=8))


# ------------------------------------------------------------------ regression losses
@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_loss_modules_like_torch(loss, reduction):
    pairs = with_nan(twins((4, 3), (4, 3), seed=9), (1, 2))
    (x, xt), (y, yt) = pairs
    y.data[0, 0] = x.data[0, 0]  # equal: L1's gradient is sign(0) = 0
    with torch.no_grad():
        yt[0, 0] = xt[0, 0]
    compare_with_torch(getattr(nn, loss)(reduction=reduction), getattr(tnn, loss)(reduction=reduction), pairs)


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss"])
def test_regression_losses_take_integer_targets_and_warn_on_broadcasting_like_torch(fn):
    (x, xt), = twins((3,), seed=10)
    y = np.array([1, -2, 0])
    compare_with_torch(lambda x: getattr(F, fn)(x, mg.Tensor(y)),
                       lambda x: getattr(torch.nn.functional, fn)(x, torch.tensor(y)), [(x, xt)])
    with pytest.warns(UserWarning, match=fn):
        getattr(F, fn)(mg.zeros(3, 1), mg.zeros(3))


# ------------------------------------------------------------------ binary losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_loss_module_like_torch(reduction, weighted):
    rng = np.random.default_rng(11)
    pairs = [twins_of(rng.uniform(0.02, 0.98, (4, 3))), twins_of(rng.uniform(0, 1, (4, 3)))]
    w = rng.uniform(0.5, 2.0, 3) if weighted else None
    mk, tk = both("BCELoss", weight=w, reduction=reduction)
    compare_with_torch(mk, tk, pairs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"pos_weight": True}, {"weight": True, "pos_weight": True}])
def test_bce_with_logits_loss_module_like_torch(reduction, options):
    rng = np.random.default_rng(12)
    pairs = with_nan([twins_of(rng.standard_normal((4, 3)) * 5), twins_of(rng.uniform(0, 1, (4, 3)))], (2, 1))
    kw = {k: rng.uniform(0.5, 3.0, 3) for k, on in options.items() if on}
    mk, tk = both("BCEWithLogitsLoss", **kw, reduction=reduction)
    compare_with_torch(mk, tk, pairs)


def test_bce_with_logits_nan_target_propagates_like_torch():
    rng = np.random.default_rng(13)
    pairs = with_nan([twins_of(rng.uniform(0, 1, (2, 3))), twins_of(rng.standard_normal((2, 3)))], (0, 1))
    pairs = pairs[::-1]  # logits first, the NaN in the target
    compare_with_torch(nn.BCEWithLogitsLoss(pos_weight=mg.tensor([1.0, 2.0, 3.0])),
                       tnn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)), pairs)


# ------------------------------------------------------------------ the modules themselves
def test_loss_modules_repr_and_state_dict_like_torch():
    w = np.array([1.0, 2.0, 3.0])
    cases = [("CrossEntropyLoss", {}), ("CrossEntropyLoss", {"weight": w, "label_smoothing": 0.1}),
             ("NLLLoss", {"weight": w, "ignore_index": 2}), ("MSELoss", {"reduction": "sum"}), ("L1Loss", {}),
             ("BCELoss", {"weight": w}), ("BCEWithLogitsLoss", {"weight": w, "pos_weight": w * 2})]
    for name, kw in cases:
        m, t = both(name, **kw)
        assert repr(m) == repr(t)
        ours, theirs = m.state_dict(), t.state_dict()
        assert list(ours) == list(theirs), name
        for k in ours:
            np.testing.assert_array_equal(ours[k], theirs[k].numpy())
        m.load_state_dict(theirs)
        assert m.reduction == t.reduction


def test_loss_module_weight_follows_to_and_is_not_trained():
    loss = nn.CrossEntropyLoss(weight=mg.tensor([1.0, 2.0]))
    assert list(loss.parameters()) == []
    loss.to(mg.float32)
    assert loss.weight.dtype == np.float32


def test_a_classifier_trains_with_cross_entropy_loss_like_torch():
    """The blitz's loop: criterion = nn.CrossEntropyLoss(); loss = criterion(net(x), labels)."""
    rng = np.random.default_rng(14)
    x, labels = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    tnet = tnn.Linear(4, 3).double()
    net = nn.Linear(4, 3)
    net.load_state_dict(tnet.state_dict())
    opt, topt = mg.optim.SGD(net.parameters(), lr=0.1, momentum=0.9), torch.optim.SGD(tnet.parameters(), 0.1, 0.9)
    criterion, tcriterion = nn.CrossEntropyLoss(label_smoothing=0.05), tnn.CrossEntropyLoss(label_smoothing=0.05)
    for _ in range(5):
        opt.zero_grad(), topt.zero_grad()
        loss, tloss = criterion(net(mg.tensor(x)), mg.Tensor(labels)), tcriterion(tnet(torch.tensor(x)),
                                                                                  torch.tensor(labels))
        loss.backward(), tloss.backward()
        opt.step(), topt.step()
        assert abs(loss.item() - tloss.item()) < 1e-12
    np.testing.assert_allclose(net.weight.data, tnet.weight.detach().numpy(), rtol=1e-12)


# ------------------------------------------------------------------ bad input
X45 = lambda: mg.zeros(4, 5)  # noqa: E731
T4 = lambda: mg.Tensor(np.array([0, 1, 2, 3]))  # noqa: E731


@pytest.mark.parametrize("call,kind,words", [
    (lambda: nn.CrossEntropyLoss()(X45(), mg.Tensor(np.array([0, 1, 7, 2]))), ValueError,
     ["cross_entropy", "target 7", "5 classes", "(4, 5)", "(4,)"]),
    (lambda: nn.CrossEntropyLoss()(X45(), mg.Tensor(np.zeros((4, 2), int))), ValueError,
     ["cross_entropy", "target", "(4,)", "(4, 2)"]),
    (lambda: nn.CrossEntropyLoss()(X45(), mg.tensor([0.5, 1, 1, 2])), ValueError, ["cross_entropy", "integer", "0.5"]),
    (lambda: nn.CrossEntropyLoss()(X45(), mg.rand(4, 3)), ValueError,
     ["cross_entropy", "probability target", "(4, 5)", "(4, 3)"]),
    (lambda: nn.CrossEntropyLoss(ignore_index=1)(X45(), mg.rand(4, 5)), ValueError,
     ["cross_entropy", "ignore_index=1", "probability"]),
    (lambda: nn.CrossEntropyLoss(weight=mg.ones(3))(X45(), T4()), ValueError, ["cross_entropy", "weight", "(5,)", "(3,)"]),
    (lambda: nn.CrossEntropyLoss(label_smoothing=1.5), ValueError, ["CrossEntropyLoss", "label_smoothing", "1.5"]),
    (lambda: nn.CrossEntropyLoss(reduction="avg"), ValueError, ["CrossEntropyLoss", "reduction", "avg"]),
    (lambda: nn.CrossEntropyLoss(ignore_index=1.0), TypeError, ["CrossEntropyLoss", "ignore_index"]),
    (lambda: nn.CrossEntropyLoss(weight=[1.0, 2.0]), TypeError, ["CrossEntropyLoss", "weight", "list"]),
    (lambda: nn.NLLLoss(size_average=True), TypeError, ["NLLLoss", "reduction"]),
    (lambda: nn.NLLLoss()(X45(), mg.Tensor(np.array([0, 1, 2, -3]))), ValueError, ["nll_loss", "target -3", "(4, 5)"]),
    (lambda: nn.NLLLoss()(X45(), [0, 1, 2, 3]), TypeError, ["nll_loss", "target", "list"]),
    (lambda: nn.MSELoss()(mg.zeros(2, 3), mg.zeros(4)), ValueError, ["mse_loss", "(2, 3)", "(4,)"]),
    (lambda: nn.L1Loss()(mg.zeros(2, 3), mg.zeros(2, 4)), ValueError, ["l1_loss", "(2, 3)", "(2, 4)"]),
    (lambda: nn.L1Loss()(np.zeros(3), mg.zeros(3)), TypeError, ["l1_loss", "input", "ndarray"]),
    (lambda: nn.BCELoss()(mg.full((3,), 0.5), mg.tensor([0.0, 2.0, 1.0])), ValueError,
     ["binary_cross_entropy", "target", "[0, 1]", "2.0", "(3,)"]),
    (lambda: nn.BCELoss()(mg.tensor([0.5, 1.5]), mg.zeros(2)), ValueError, ["binary_cross_entropy", "input", "[0, 1]"]),
    (lambda: nn.BCELoss()(mg.full((3,), 0.5), mg.zeros(2)), ValueError, ["binary_cross_entropy", "(2,)", "(3,)"]),
    (lambda: nn.BCEWithLogitsLoss(pos_weight=mg.ones(4))(mg.zeros(2, 3), mg.zeros(2, 3)), ValueError,
     ["binary_cross_entropy_with_logits", "pos_weight", "(4,)", "(2, 3)"]),
])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, words):
    raises_naming(call, kind, *words)
