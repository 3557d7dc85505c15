"""Optimizers: SGD and Adam take PyTorch's steps exactly (float64, 5 steps, 1e-12)."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.optim import SGD, Adam


def Parameter(data):
    """A trainable leaf (what nn.Parameter is), without importing nn."""
    return mg.Tensor(data, requires_grad=True)

SHAPES = [(3, 4), (5,), (2, 1, 3, 3)]


def quad_grads(ws, targets):
    """Gradient of L = Σ_k Σ c_k·(w_k − t_k)^4 / 4, c_k = (k+1)/10: c_k·(w_k − t_k)^3 (non-linear, so steps matter)."""
    return [(k + 1) / 10 * (w - t) ** 3 for k, (w, t) in enumerate(zip(ws, targets))]


def run_minigrad(opt_cls, kwargs, init, targets, steps=5):
    params = [Parameter(w.copy()) for w in init]
    opt = opt_cls(params, **kwargs)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        for p, g in zip(params, quad_grads([p.data for p in params], targets)):
            p.grad = g
        opt.step()
        history.append([p.data.copy() for p in params])
    return history


def reference_sgd(init, targets, lr, momentum=0.0, weight_decay=0.0, steps=5):
    """The update written out by hand: d = g + λw; b = μb + d; w -= lr·b."""
    ws = [w.copy() for w in init]
    bufs = [None] * len(ws)
    out = []
    for _ in range(steps):
        gs = quad_grads(ws, targets)
        for i, (w, g) in enumerate(zip(ws, gs)):
            d = g + weight_decay * w
            if momentum:
                bufs[i] = d.copy() if bufs[i] is None else momentum * bufs[i] + d
                d = bufs[i]
            ws[i] = w - lr * d
        out.append([w.copy() for w in ws])
    return out


@pytest.fixture
def problem():
    r = np.random.default_rng(0)
    return [r.standard_normal(s) for s in SHAPES], [r.standard_normal(s) for s in SHAPES]


@pytest.mark.parametrize("momentum,weight_decay", [(0.0, 0.0), (0.9, 0.0), (0.5, 1e-2)])
def test_sgd_matches_hand_written_update(problem, momentum, weight_decay):
    init, targets = problem
    got = run_minigrad(SGD, dict(lr=0.05, momentum=momentum, weight_decay=weight_decay), init, targets)
    want = reference_sgd(init, targets, 0.05, momentum, weight_decay)
    for g_step, w_step in zip(got, want):
        for g, w in zip(g_step, w_step):
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    """With bias correction, Adam's first step is lr·g/(|g| + ε') ≈ lr·sign(g)."""
    p = Parameter(np.array([1.0, -2.0, 3.0]))
    opt = Adam([p], lr=0.1)
    p.grad = np.array([0.5, -4.0, 1e-3])
    opt.step()
    np.testing.assert_allclose(p.data, [0.9, -1.9, 2.9], atol=1e-5)


def _torch_run(torch, opt_name, kwargs, init, targets, steps=5):
    params = [torch.tensor(w.copy(), dtype=torch.float64, requires_grad=True) for w in init]
    tt = [torch.tensor(t, dtype=torch.float64) for t in targets]
    opt = getattr(torch.optim, opt_name)(params, **kwargs)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = sum((k + 1) / 10 * ((p - t) ** 4).sum() / 4 for k, (p, t) in enumerate(zip(params, tt)))
        loss.backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out


CONFIGS = [
    ("SGD", SGD, dict(lr=0.05)),
    ("SGD", SGD, dict(lr=0.05, momentum=0.9)),
    ("SGD", SGD, dict(lr=0.02, momentum=0.8, weight_decay=0.1)),
    ("Adam", Adam, dict(lr=1e-3)),
    ("Adam", Adam, dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", Adam, dict(lr=0.05, weight_decay=0.01)),
]


@pytest.mark.parametrize("name,cls,kwargs", CONFIGS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CONFIGS)])
def test_matches_torch_step_for_step(problem, name, cls, kwargs):
    torch = pytest.importorskip("torch")
    init, targets = problem
    got = run_minigrad(cls, kwargs, init, targets)
    want = _torch_run(torch, name, kwargs, init, targets)
    for step, (g_step, w_step) in enumerate(zip(got, want)):
        for g, w in zip(g_step, w_step):
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-12, err_msg=f"{name} step {step + 1}")


def test_params_without_grad_are_skipped():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = SGD([a, b], lr=1.0, momentum=0.9)
    a.grad = np.array([1.0, 2.0])
    opt.step()
    np.testing.assert_array_equal(a.data, [0.0, -1.0])
    np.testing.assert_array_equal(b.data, [1.0, 1.0])


def test_step_writes_new_array_and_zero_grad_sets_none():
    p = Parameter(np.ones(3))
    old = p.data
    opt = Adam([p])
    p.grad = np.ones(3)
    opt.step()
    assert p.data is not old and np.all(old == 1.0)
    opt.zero_grad()
    assert p.grad is None


def test_float32_params_stay_float32():
    p = Parameter(np.ones(3, dtype=np.float32))
    for opt in (SGD([p], lr=0.1, momentum=0.9), Adam([p])):
        p.grad = np.ones(3, dtype=np.float32)
        opt.step()
        assert p.data.dtype == np.float32


@pytest.mark.parametrize("make,kind,words", [
    (lambda: SGD([], lr=0.1), ValueError, ["SGD", "empty"]),
    (lambda: Adam(iter([])), ValueError, ["Adam", "empty"]),
    (lambda: SGD([Parameter(np.ones(2))], lr=-1), ValueError, ["SGD", "lr"]),
    (lambda: SGD([Parameter(np.ones(2))], lr="0.1"), TypeError, ["SGD", "lr"]),
    (lambda: SGD(Parameter(np.ones(2)), lr=0.1), TypeError, ["SGD", "params", "iterable"]),
    (lambda: SGD([np.ones(2)], lr=0.1), TypeError, ["SGD", "params[0]", "ndarray"]),
    (lambda: SGD(5, lr=0.1), TypeError, ["SGD", "params", "int"]),
    (lambda: Adam([Parameter(np.ones(2))], betas=(0.9, 1.0)), ValueError, ["Adam", "betas"]),
    (lambda: Adam([Parameter(np.ones(2))], betas=0.9), TypeError, ["Adam", "betas"]),
    (lambda: Adam([Parameter(np.ones(2))], eps=-1e-8), ValueError, ["Adam", "eps"]),
    (lambda: SGD([mg.Tensor(np.ones(2), requires_grad=True) * 2], lr=0.1), ValueError,
     ["SGD", "params[0]", "not a leaf", "'*'"]),
])
def test_bad_input(make, kind, words):
    with pytest.raises(kind) as e:
        make()
    for w in words:
        assert w in str(e.value)


def test_duplicate_param_and_bad_grad_shape():
    p = Parameter(np.ones(2))
    with pytest.raises(ValueError, match="more than once"):
        SGD([p, p], lr=0.1)
    opt = SGD([p], lr=0.1)
    p.grad = np.ones(3)
    with pytest.raises(ValueError, match=r"SGD.step: grad has shape \(3,\)"):
        opt.step()


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=1e-3)),
    ("Adam", dict(lr=1e-2, betas=(0.9, 0.99), eps=1e-8)),
])
def test_training_a_cnn_matches_torch_for_5_steps(name, kwargs):
    """A small CNN in both frameworks, torch's initial weights copied over, 5 steps, float64, 1e-12."""
    torch = pytest.importorskip("torch")
    import minigrad.nn as nn
    import minigrad.nn.functional as F

    tn = torch.nn
    t = tn.Sequential(tn.Conv2d(1, 4, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2), tn.Flatten(),
                      tn.Linear(4 * 3 * 3, 5)).double()
    m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 5))
    m.load_state_dict(t.state_dict())
    opt_t = getattr(torch.optim, name)(t.parameters(), **kwargs)
    opt_m = {"SGD": SGD, "Adam": Adam}[name](m.parameters(), **kwargs)
    r = np.random.default_rng(1)
    for step in range(5):
        x, y = r.standard_normal((8, 1, 6, 6)), r.integers(0, 5, 8)
        lt = torch.nn.functional.cross_entropy(t(torch.tensor(x)), torch.tensor(y))
        opt_t.zero_grad()
        lt.backward()
        opt_t.step()
        lm = F.cross_entropy(m(mg.tensor(x)), mg.tensor(y))
        opt_m.zero_grad()
        lm.backward()
        opt_m.step()
        assert lm.item() == pytest.approx(lt.item(), abs=1e-12)
        for (k, v), w in zip(m.state_dict().items(), t.state_dict().values()):
            np.testing.assert_allclose(v, w.numpy(), rtol=0, atol=1e-12, err_msg=f"{name} step {step + 1}: {k}")
