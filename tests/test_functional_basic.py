"""minigrad.nn.functional basics: linear, activations, softmax, batch_norm, dropout and the
losses, against central differences (float64), against PyTorch, and with clear bad-input errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from numgrad import check_grads
from conftest import raises_naming

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # torch is an optional oracle
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")


def T(*shape, seed=0, grad=True, low=None, high=None, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return mg.Tensor(x.astype(dtype), requires_grad=grad)


def tt(t):
    """The torch twin of a minigrad tensor (same numbers, same requires_grad)."""
    return torch.tensor(t.data, requires_grad=t.requires_grad)


def same_as_torch(out, ref, pairs, rtol=1e-10, atol=1e-12, seed=3):
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g, dtype=ref.dtype))
    for k, (m, t) in enumerate(pairs):
        np.testing.assert_allclose(m.grad, t.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"grad {k}")


# ------------------------------------------------------------------ linear
@pytest.mark.parametrize("xshape", [(5, 4), (4,), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_is_x_wT_plus_b(xshape, bias):
    x, w = T(*xshape, seed=1), T(3, 4, seed=2)
    b = T(3, seed=3) if bias else None
    args = (x, w, b) if bias else (x, w)
    out = check_grads(lambda *a: F.linear(*a), *args)
    ref = x.data @ w.data.T + (b.data if bias else 0)
    np.testing.assert_allclose(out.data, ref)
    if torch is not None:
        for t in args:
            t.grad = None
        targs = [tt(t) for t in args]
        same_as_torch(F.linear(*args), TF.linear(*targs), list(zip(args, targs)))


# ------------------------------------------------------------------ activations, softmax
ACTS = [
    ("relu", lambda x: F.relu(x), lambda x: TF.relu(x)),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.3), lambda x: TF.leaky_relu(x, 0.3)),
    ("leaky_relu_default", lambda x: F.leaky_relu(x), lambda x: TF.leaky_relu(x)),
    ("tanh", lambda x: F.tanh(x), lambda x: torch.tanh(x)),
    ("sigmoid", lambda x: F.sigmoid(x), lambda x: torch.sigmoid(x)),
    ("softmax1", lambda x: F.softmax(x, dim=1), lambda x: TF.softmax(x, dim=1)),
    ("softmax-1", lambda x: F.softmax(x, -1), lambda x: TF.softmax(x, -1)),
    ("log_softmax0", lambda x: F.log_softmax(x, 0), lambda x: TF.log_softmax(x, 0)),
    ("log_softmax1", lambda x: F.log_softmax(x, dim=1), lambda x: TF.log_softmax(x, dim=1)),
]


@pytest.mark.parametrize("name,f,ref", ACTS, ids=[a[0] for a in ACTS])
def test_activations(name, f, ref):
    x = T(3, 4, 2, seed=4)
    x.data[np.abs(x.data) < 1e-3] = 0.5
    check_grads(f, x)
    if torch is not None:
        x.grad = None
        xt = tt(x)
        same_as_torch(f(x), ref(xt), [(x, xt)])


@needs_torch
@pytest.mark.parametrize("scale", [1e3, 1e4])
def test_softmax_and_log_softmax_stay_finite_for_huge_logits(scale):
    x = T(4, 5, seed=5)
    x.data *= scale
    for f, ref in [(F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)]:
        x.grad = None
        xt = tt(x)
        out = f(x, 1)
        assert np.isfinite(out.data).all()
        same_as_torch(out, ref(xt, 1), [(x, xt)], rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------------ batch_norm
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_gradients(shape, affine):
    x = T(*shape, seed=6)
    w, b = (T(3, seed=7), T(3, seed=8)) if affine else (None, None)
    args = (x, w, b) if affine else (x,)

    def f(x, w=None, b=None):
        return F.batch_norm(x, None, None, w, b, training=True)

    out = check_grads(f, *args, atol=1e-5)
    axes = (0,) + tuple(range(2, len(shape)))
    ref = (x.data - x.data.mean(axes, keepdims=True)) / np.sqrt(x.data.var(axes, keepdims=True) + 1e-5)
    if affine:
        bs = (1, 3) + (1,) * (len(shape) - 2)
        ref = ref * w.data.reshape(bs) + b.data.reshape(bs)
    np.testing.assert_allclose(out.data, ref, rtol=1e-10, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 2, 5)])
@pytest.mark.parametrize("affine", ["both", "weight", "bias"])
def test_batch_norm_like_torch_including_running_stats(training, shape, affine):
    x = T(*shape, seed=9)
    w = T(3, seed=10) if affine in ("both", "weight") else None
    b = T(3, seed=11) if affine in ("both", "bias") else None
    rm, rv = np.array([0.1, -0.2, 0.3]), np.array([1.0, 2.0, 0.5])
    trm, trv = torch.tensor(rm), torch.tensor(rv)
    rm_t = mg.Tensor(rm)  # a buffer tensor: updated in place, like PyTorch's
    xt, wt, bt = tt(x), (None if w is None else tt(w)), (None if b is None else tt(b))
    out = F.batch_norm(x, rm_t, rv, w, b, training=training, momentum=0.2, eps=1e-3)
    ref = TF.batch_norm(xt, trm, trv, wt, bt, training=training, momentum=0.2, eps=1e-3)
    pairs = [(m, t) for m, t in [(x, xt), (w, wt), (b, bt)] if m is not None]
    same_as_torch(out, ref, pairs, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(rm_t.data, trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv, trv.numpy(), rtol=1e-12)


def test_batch_norm_eval_uses_running_stats():
    x = T(4, 2, seed=12)
    out = F.batch_norm(x, np.array([1.0, -1.0]), np.array([4.0, 0.25]), eps=0.0)
    np.testing.assert_allclose(out.data, (x.data - [1.0, -1.0]) / [2.0, 0.5])
    check_grads(lambda x: F.batch_norm(x, np.array([1.0, -1.0]), np.array([4.0, 0.25])), x)


# ------------------------------------------------------------------ dropout
def test_dropout_scales_kept_units_and_is_reproducible():
    x = T(1000, seed=13)
    mg.manual_seed(0)
    y = F.dropout(x, 0.3)
    kept = y.data != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(y.data[kept], x.data[kept] / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.7)
    mg.manual_seed(0)
    np.testing.assert_array_equal(F.dropout(x, 0.3).data, y.data)
    assert F.dropout(x, 0.3, training=False) is x and F.dropout(x, 0.0) is x
    assert (F.dropout(x, 1.0).data == 0).all()


# ------------------------------------------------------------------ classification losses
def _targets(shape, c, seed):
    return mg.Tensor(np.random.default_rng(seed).integers(0, c, shape))


@pytest.mark.parametrize("xshape", [(5,), (4, 5), (2, 5, 3, 3)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_and_nll_gradients(xshape, reduction):
    x = T(*xshape, seed=14)
    tshape = () if len(xshape) == 1 else (xshape[0],) + xshape[2:]
    t = _targets(tshape, 5, 15)
    out = check_grads(lambda x: F.cross_entropy(x, t, reduction=reduction), x)
    cdim = 0 if len(xshape) == 1 else 1
    logp = x.data - np.log(np.exp(x.data).sum(cdim, keepdims=True))
    picked = np.take_along_axis(logp, np.expand_dims(t.data, cdim), cdim).squeeze(cdim)
    ref = {"mean": -picked.mean(), "sum": -picked.sum(), "none": -picked}[reduction]
    np.testing.assert_allclose(out.data, ref)
    check_grads(lambda x: F.nll_loss(F.log_softmax(x, cdim), t, reduction=reduction), x)


@needs_torch
@pytest.mark.parametrize("xshape", [(5,), (6, 5), (2, 5, 3, 4)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 2}, {"label_smoothing": 0.1},
                                     {"weight": True, "ignore_index": 1, "label_smoothing": 0.2}])
def test_cross_entropy_like_torch(xshape, reduction, options):
    x = T(*xshape, seed=16)
    tshape = () if len(xshape) == 1 else (xshape[0],) + xshape[2:]
    t = _targets(tshape, 5, 17)
    kw = dict(options)
    if kw.pop("weight", False):
        kw["weight"] = np.array([1.0, 2.0, 0.5, 3.0, 1.5])
    if len(xshape) == 1 and "ignore_index" in kw and reduction == "mean" and int(t.data) == kw["ignore_index"]:
        kw.pop("ignore_index")  # an ignored lone target divides by zero in both
    tkw = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    mkw = {k: (mg.Tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    xt = tt(x)
    same_as_torch(F.cross_entropy(x, t, reduction=reduction, **mkw),
                  TF.cross_entropy(xt, torch.tensor(t.data), reduction=reduction, **tkw), [(x, xt)],
                  rtol=1e-9, atol=1e-12)
    if "label_smoothing" not in kw:
        x.grad = None
        xt = tt(x)
        same_as_torch(F.nll_loss(x, t, reduction=reduction, **mkw),
                      TF.nll_loss(xt, torch.tensor(t.data), reduction=reduction, **tkw), [(x, xt)])


@needs_torch
def test_cross_entropy_stays_finite_for_logits_of_1e4():
    x = T(3, 4, seed=18)
    x.data *= 1e4
    t = mg.Tensor(np.array([0, 3, 1]))
    xt = tt(x)
    out = F.cross_entropy(x, t)
    assert np.isfinite(out.data).all()
    same_as_torch(out, TF.cross_entropy(xt, torch.tensor(t.data)), [(x, xt)], rtol=1e-9)


@needs_torch
@pytest.mark.parametrize("xshape", [(5,), (6, 5), (2, 5, 3, 4)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"label_smoothing": 0.1}])
def test_cross_entropy_with_class_probabilities_like_torch(xshape, reduction, options):
    x = T(*xshape, seed=32)
    cdim = 0 if len(xshape) == 1 else 1
    p = T(*xshape, seed=33, low=0.0, high=1.0, grad=True)
    p.data /= p.data.sum(cdim, keepdims=True)
    kw = dict(options)
    if kw.pop("weight", False):
        kw["weight"] = np.array([1.0, 2.0, 0.5, 3.0, 1.5])
    tkw = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    xt, pt = tt(x), tt(p)
    same_as_torch(F.cross_entropy(x, p, reduction=reduction, **kw),
                  TF.cross_entropy(xt, pt, reduction=reduction, **tkw), [(x, xt), (p, pt)])


def test_cross_entropy_accepts_whole_float_class_indices():
    # mg.tensor([...]) of Python ints is float64; whole numbers still name classes
    x = T(3, 4, seed=19)
    a = F.cross_entropy(x, mg.tensor([0, 3, 1]))
    b = F.cross_entropy(x, mg.Tensor(np.array([0, 3, 1])))
    assert a.item() == b.item()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction):
    x, y = T(3, 4, seed=20), T(3, 4, seed=21)
    out = check_grads(lambda x, y: F.mse_loss(x, y, reduction=reduction), x, y)
    d = (x.data - y.data) ** 2
    np.testing.assert_allclose(out.data, {"mean": d.mean(), "sum": d.sum(), "none": d}[reduction])
    if torch is not None:
        x.grad = y.grad = None
        xt, yt = tt(x), tt(y)
        same_as_torch(F.mse_loss(x, y, reduction=reduction), TF.mse_loss(xt, yt, reduction=reduction), [(x, xt), (y, yt)])


def test_mse_loss_warns_when_shapes_broadcast():
    with pytest.warns(UserWarning, match="mse_loss"):
        F.mse_loss(T(3, 1, seed=1), T(3, seed=2))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    p, y = T(4, 3, seed=22, low=0.05, high=0.95), T(4, 3, seed=23, low=0.0, high=1.0)
    w = T(3, seed=24, grad=False, low=0.5, high=2.0) if weighted else None
    out = check_grads(lambda p, y: F.binary_cross_entropy(p, y, weight=w, reduction=reduction), p, y, atol=1e-5)
    ref = -(y.data * np.log(p.data) + (1 - y.data) * np.log(1 - p.data)) * (w.data if weighted else 1)
    np.testing.assert_allclose(out.data, {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction])
    if torch is not None:
        p.grad = y.grad = None
        pt, yt = tt(p), tt(y)
        same_as_torch(F.binary_cross_entropy(p, y, weight=w, reduction=reduction),
                      TF.binary_cross_entropy(pt, yt, weight=None if w is None else tt(w), reduction=reduction),
                      [(p, pt), (y, yt)])


@needs_torch
def test_binary_cross_entropy_clamps_logs_at_minus_100_like_torch():
    p = mg.Tensor(np.array([0.0, 1.0, 0.0, 1.0, 0.5]), requires_grad=True)
    y = mg.Tensor(np.array([1.0, 0.0, 0.0, 1.0, 1.0]))
    pt = tt(p)
    out = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(out.data[:4], [100, 100, 0, 0])
    same_as_torch(out, TF.binary_cross_entropy(pt, torch.tensor(y.data), reduction="none"), [(p, pt)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("extras", [{}, {"weight": True}, {"pos_weight": True}, {"weight": True, "pos_weight": True}])
def test_binary_cross_entropy_with_logits(reduction, extras):
    z, y = T(4, 3, seed=25), T(4, 3, seed=26, low=0.0, high=1.0)
    kw = {}
    if extras.get("weight"):
        kw["weight"] = T(3, seed=27, grad=False, low=0.5, high=2.0)
    if extras.get("pos_weight"):
        kw["pos_weight"] = T(3, seed=28, grad=False, low=0.5, high=3.0)
    check_grads(lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction=reduction, **kw), z, y)
    if torch is not None:
        z.grad = y.grad = None
        zt, yt = tt(z), tt(y)
        tkw = {k: tt(v) for k, v in kw.items()}
        same_as_torch(F.binary_cross_entropy_with_logits(z, y, reduction=reduction, **kw),
                      TF.binary_cross_entropy_with_logits(zt, yt, reduction=reduction, **tkw), [(z, zt), (y, yt)])


def test_bce_with_logits_is_stable_for_huge_logits():
    z = mg.Tensor(np.array([1e4, -1e4, 50.0, -50.0]), requires_grad=True)
    y = mg.Tensor(np.array([0.0, 1.0, 1.0, 0.0]))
    out = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    np.testing.assert_allclose(out.data, [1e4, 1e4, np.log1p(np.exp(-50.0)), np.log1p(np.exp(-50.0))])
    out.sum().backward()
    np.testing.assert_allclose(z.grad, [1, -1, 0, 0], atol=1e-20)


def test_float32_through_the_functional_api():
    x, w, b = T(6, 4, seed=29, dtype=np.float32), T(3, 4, seed=30, dtype=np.float32), T(3, seed=31, dtype=np.float32)
    h = F.batch_norm(F.leaky_relu(F.linear(x, w, b)), None, None, training=True)
    loss = F.cross_entropy(F.dropout(h, 0.1), mg.Tensor(np.array([0, 1, 2, 0, 1, 2]))) + F.mse_loss(h.tanh(), h.sigmoid())
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


# ------------------------------------------------------------------ bad input
X45 = lambda: T(4, 5, seed=40)  # noqa: E731


@pytest.mark.parametrize("call,kind,words", [
    (lambda: F.linear(T(2, 3), T(4, 5)), ValueError, ["linear", "3 features", "expects 5", "(2, 3)", "(4, 5)"]),
    (lambda: F.linear(T(2, 3), T(3)), ValueError, ["linear", "weight", "2-D", "(3,)"]),
    (lambda: F.linear(T(2, 3), T(4, 3), T(5)), ValueError, ["linear", "bias", "(4,)", "(5,)"]),
    (lambda: F.linear(np.ones((2, 3)), T(4, 3)), TypeError, ["linear", "input", "ndarray"]),
    (lambda: F.relu([1.0, 2.0]), TypeError, ["relu", "input", "list"]),
    (lambda: F.leaky_relu(T(2), "0.1"), TypeError, ["leaky_relu", "negative_slope"]),
    (lambda: F.softmax(T(2, 3), 2), ValueError, ["softmax", "dim 2", "2 dimensions"]),
    (lambda: F.log_softmax(T(2, 3), None), TypeError, ["log_softmax", "dim"]),
    (lambda: F.dropout(T(3), 1.5), ValueError, ["dropout", "p", "1.5"]),
    (lambda: F.dropout(T(3), -0.1), ValueError, ["dropout", "p"]),
    (lambda: F.cross_entropy(X45(), mg.Tensor(np.array([0, 1, 5, 2]))), ValueError,
     ["cross_entropy", "target 5", "5 classes", "(4, 5)", "(4,)"]),
    (lambda: F.cross_entropy(X45(), mg.Tensor(np.array([0, -1, 1, 2]))), ValueError, ["cross_entropy", "target -1"]),
    (lambda: F.cross_entropy(X45(), mg.tensor([0.5, 1, 1, 2])), ValueError, ["cross_entropy", "integer", "0.5"]),
    (lambda: F.cross_entropy(X45(), mg.Tensor(np.array([0, 1, 2]))), ValueError, ["cross_entropy", "target", "(4,)", "(3,)"]),
    (lambda: F.cross_entropy(X45(), mg.Tensor(np.array([0, 1, 1, 2])), reduction="avg"), ValueError,
     ["cross_entropy", "reduction", "avg"]),
    (lambda: F.cross_entropy(X45(), [0, 1, 1, 2]), TypeError, ["cross_entropy", "target", "list"]),
    (lambda: F.cross_entropy(X45(), mg.Tensor(np.array([0, 1, 1, 2])), weight=np.ones(3)), ValueError,
     ["cross_entropy", "weight", "(5,)"]),
    (lambda: F.cross_entropy(X45(), mg.Tensor(np.array([0, 1, 1, 2])), size_average=True), TypeError,
     ["cross_entropy", "reduction"]),
    (lambda: F.nll_loss(T(2, 3, 4, 4), mg.Tensor(np.zeros((2, 4), int))), ValueError, ["nll_loss", "(2, 4, 4)", "(2, 4)"]),
    (lambda: F.mse_loss(T(2, 3), T(4)), ValueError, ["mse_loss", "(2, 3)", "(4,)"]),
    (lambda: F.binary_cross_entropy(T(3), T(3)), ValueError, ["binary_cross_entropy", "[0, 1]"]),
    (lambda: F.binary_cross_entropy(T(3, low=0, high=1), T(4, low=0, high=1)), ValueError,
     ["binary_cross_entropy", "(4,)", "(3,)"]),
    (lambda: F.binary_cross_entropy_with_logits(T(3), T(3), pos_weight=T(4)), ValueError,
     ["binary_cross_entropy_with_logits", "(4,)", "(3,)"]),
    (lambda: F.batch_norm(T(4, 3), None, None), ValueError, ["batch_norm", "running_mean", "training=False"]),
    (lambda: F.batch_norm(T(4, 3), np.zeros(2), np.ones(2)), ValueError, ["batch_norm", "running_mean", "(3,)", "(2,)"]),
    (lambda: F.batch_norm(T(4, 3), None, None, weight=T(4), training=True), ValueError, ["batch_norm", "weight", "(4,)"]),
    (lambda: F.batch_norm(T(1, 3), None, None, training=True), ValueError, ["batch_norm", "more than 1 value"]),
    (lambda: F.batch_norm(T(3), None, None, training=True), ValueError, ["batch_norm", "(3,)"]),
    (lambda: F.batch_norm(T(4, 3), None, None, training=True, momentum=2), ValueError, ["batch_norm", "momentum"]),
])
def test_bad_input_names_the_function_the_argument_and_the_shapes(call, kind, words):
    raises_naming(call, kind, *words)


# ------------------------------------------------------------------ NaN and inf (issue 7, section 3)
def _nonfinite():
    return mg.tensor([[np.nan, np.inf, -np.inf, 1e308], [0.0, -1.0, 1e-300, 2.0]], requires_grad=True)


_T2 = np.array([1, 2])
NONFINITE = {
    "add": lambda a: a + a[:, ::-1], "sub": lambda a: a - a, "mul_zero": lambda a: a * 0,
    "mul_overflow": lambda a: a * 1e10, "div": lambda a: a / a, "pow": lambda a: a ** a, "matmul": lambda a: a @ a.T,
    "sum": lambda a: a.sum() * 1e308, "mean": lambda a: a.mean(1), "max": lambda a: a.max(), "max_dim": lambda a: a.max(1).values,
    "amin": lambda a: a.min(axis=(0, 1)), "exp": lambda a: a.exp(), "log": lambda a: a.log(), "sqrt": lambda a: a.sqrt(),
    "abs": lambda a: a.abs(), "tanh": lambda a: a.tanh(), "sigmoid": lambda a: a.sigmoid(), "relu": lambda a: a.relu(),
    "clip": lambda a: a.clip(-1, 1), "getitem": lambda a: a[[0, 0], [1, 1]], "T": lambda a: a.T * a.T,
    "linear": lambda a: F.linear(a, a), "leaky_relu": lambda a: F.leaky_relu(a), "softmax": lambda a: F.softmax(a, 1),
    "log_softmax": lambda a: F.log_softmax(a, 1), "batch_norm": lambda a: F.batch_norm(a, None, None, training=True),
    "batch_norm_eval": lambda a: F.batch_norm(a, np.zeros(4), np.zeros(4), eps=0.0),
    "dropout": lambda a: F.dropout(a, 0.5), "cross_entropy": lambda a: F.cross_entropy(a, mg.Tensor(_T2)),
    "nll_loss": lambda a: F.nll_loss(a, mg.Tensor(_T2)), "mse_loss": lambda a: F.mse_loss(a, a * 2),
    "bce_with_logits": lambda a: F.binary_cross_entropy_with_logits(a, a.sigmoid()),
    # NaN is refused as an input or target probability (like PyTorch): inf logits give 0 and 1
    "bce": lambda a: F.binary_cross_entropy(mg.where(a == a, a.sigmoid(), mg.tensor(0.5)),
                                            mg.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]])),
    "l1_loss": lambda a: F.l1_loss(a, a * 2), "gelu": lambda a: F.gelu(a), "gelu_tanh": lambda a: F.gelu(a, "tanh"),
    "silu": lambda a: F.silu(a), "elu": lambda a: F.elu(a), "softplus": lambda a: F.softplus(a),
    "hardtanh": lambda a: F.hardtanh(a), "layer_norm": lambda a: F.layer_norm(a, 4), "group_norm": lambda a: F.group_norm(a, 2),
    "adaptive_avg_pool2d": lambda a: F.adaptive_avg_pool2d(a.reshape(1, 1, 2, 4), (1, 3)),
    "adaptive_max_pool2d": lambda a: F.adaptive_max_pool2d(a.reshape(1, 1, 2, 4), (2, 3)),
    "interpolate": lambda a: F.interpolate(a.reshape(1, 1, 2, 4), scale_factor=1.5),
    "dropout2d": lambda a: F.dropout2d(a.reshape(1, 2, 2, 2), 0.5), "embedding": lambda a: F.embedding(mg.tensor([1, 0, 1]), a),
}


@pytest.mark.parametrize("name", list(NONFINITE))
def test_nan_and_inf_propagate_without_exceptions_or_warnings(name, recwarn):
    a = _nonfinite()
    y = NONFINITE[name](a)
    (y.sum() if y.ndim else y).backward()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in recwarn]
    assert a.grad is not None and a.grad.shape == a.shape


# ------------------------------------------------------------------ the slides
def test_softmaxed_laplacian_kernel_is_the_slides_propagator():
    """Seed 003: Z = softmax of the 3x3 kernel [[-1,-1,-1],[-1,8,-1],[-1,-1,-1]] is ~0.0001 everywhere
    but ~1 in the centre. Exactly: e^8 / (e^8 + 8/e) = 0.99901 (the slide prints 0.9992)."""
    k = mg.tensor([[-1.0, -1, -1], [-1, 8, -1], [-1, -1, -1]], requires_grad=True)
    z = F.softmax(k.flatten(), 0).reshape(3, 3)
    slide = np.full((3, 3), 0.0001)
    slide[1, 1] = 0.9992
    np.testing.assert_allclose(z.data, slide, atol=3e-4)
    assert z.data[1, 1] == pytest.approx(np.exp(8) / (np.exp(8) + 8 / np.e), rel=1e-15)
    assert z.sum().item() == pytest.approx(1.0)
    check_grads(lambda k: F.softmax(k.flatten(), 0).reshape(3, 3), k)
