"""optim as torch scripts use it: param_groups, state dicts that resume bit for bit, zero_grad(set_to_none),
RMSprop and AdamW, and hyper-parameters checked like torch's."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad import optim

torch = pytest.importorskip("torch")


def quad_grad(w, t, k):
    return (k + 1) / 10 * (w - t) ** 3


def run(lib, make_opt, init, targets, steps=6, between=None):
    """Minimise Σ c_k (w_k − t_k)^4 / 4 with the gradient written in; the weights after every step."""
    if lib is mg:
        params = [mg.Tensor(w.copy(), requires_grad=True) for w in init]
    else:
        params = [torch.tensor(w.copy(), requires_grad=True) for w in init]
    opt = make_opt(lib, params)
    out = []
    for step in range(steps):
        opt.zero_grad()
        for k, (p, t) in enumerate(zip(params, targets)):
            g = quad_grad(p.detach().numpy(), t, k)
            p.grad = g if lib is mg else torch.tensor(g)
        opt.step()
        if between:
            between(opt, step)
        out.append([p.detach().numpy().copy() for p in params])
    return out


@pytest.fixture
def problem():
    r = np.random.default_rng(0)
    shapes = [(3, 4), (5,), (2, 3)]
    return [r.standard_normal(s) for s in shapes], [r.standard_normal(s) for s in shapes]


def assert_same_run(make_opt, problem, between=None, atol=1e-12):
    init, targets = problem
    got = run(mg, make_opt, init, targets, between=between)
    want = run(torch, make_opt, init, targets, between=between)
    for step, (a, b) in enumerate(zip(got, want)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=0, atol=atol, err_msg=f"step {step + 1}")


def opt_of(lib):
    return optim if lib is mg else torch.optim


CONFIGS = {
    "RMSprop": dict(lr=0.01),
    "RMSprop centered momentum wd": dict(lr=0.01, alpha=0.9, momentum=0.8, centered=True, weight_decay=0.1),
    "RMSprop maximize": dict(lr=0.005, eps=1e-4, maximize=True),
    "AdamW": dict(lr=0.05),
    "AdamW amsgrad": dict(lr=0.05, betas=(0.5, 0.9), weight_decay=0.3, amsgrad=True),
    "Adam amsgrad maximize": dict(lr=0.05, amsgrad=True, maximize=True, weight_decay=0.1),
    "SGD nesterov": dict(lr=0.05, momentum=0.9, nesterov=True),
    "SGD dampening maximize": dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True),
    "SGD default lr": dict(),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_optimizers_match_torch_step_for_step(problem, name):
    cls, kwargs = name.split()[0], CONFIGS[name]
    assert_same_run(lambda lib, ps: getattr(opt_of(lib), cls)(ps, **kwargs), problem)


def test_per_group_options_as_torch(problem):
    def make(lib, ps):
        return opt_of(lib).SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.3, "momentum": 0.5}],
                               lr=0.05, momentum=0.9)
    assert_same_run(make, problem)
    opt = make(mg, [mg.zeros(2, requires_grad=True) for _ in range(3)])
    ref = make(torch, [torch.zeros(2, requires_grad=True) for _ in range(3)])
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["lr"] == 0.3 and opt.param_groups[0]["lr"] == 0.05
    assert {k: v for k, v in opt.param_groups[1].items() if k != "params"}.keys() <= ref.param_groups[1].keys()


def test_changing_a_groups_lr_takes_effect(problem):
    def halve(opt, step):
        for group in opt.param_groups:
            group["lr"] = group["lr"] / 2
    assert_same_run(lambda lib, ps: opt_of(lib).Adam(ps, lr=0.1), problem, between=halve)


def test_setting_opt_lr_is_refused_rather_than_ignored():
    opt = optim.SGD([mg.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(AttributeError, match=r"SGD: lr is an option of each parameter group: "
                                             r"for group in optimizer.param_groups: group\['lr'\] = 0.2"):
        opt.lr = 0.2


def test_add_param_group_and_zero_grad_set_to_none():
    a, b = mg.ones(2, requires_grad=True), mg.ones(3, requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    a.grad, b.grad = np.ones(2), np.ones(3)
    opt.step()
    np.testing.assert_allclose(a.data, 0.9)
    np.testing.assert_allclose(b.data, 0.99)
    opt.zero_grad(set_to_none=False)
    assert np.array_equal(a.grad, np.zeros(2)) and a.grad.dtype == np.float64
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    with pytest.raises(ValueError, match=r"SGD: params\[2\] .* appears more than once"):
        opt.add_param_group({"params": [a]})


# ---------------------------------------------------------------- checkpoints
def model_and_data():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 4))
    r = np.random.default_rng(1)
    batches = [(mg.tensor(r.standard_normal((5, 1, 6, 6))), mg.tensor(r.integers(0, 4, 5))) for _ in range(10)]
    return model, batches


def train(model, opt, batches, sched=None):
    for x, y in batches:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()


OPTIMIZERS = [("SGD", dict(lr=0.1, momentum=0.9, weight_decay=1e-3)), ("Adam", dict(lr=0.01)),
              ("AdamW", dict(lr=0.01, amsgrad=True)), ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True))]


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_a_checkpoint_resumes_bit_for_bit(tmp_path, name, kwargs):
    straight, batches = model_and_data()
    opt = getattr(optim, name)(straight.parameters(), **kwargs)
    sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    train(straight, opt, batches, sched)

    first, _ = model_and_data()
    opt = getattr(optim, name)(first.parameters(), **kwargs)
    sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    train(first, opt, batches[:5], sched)
    mg.save({"epoch": 5, "model": first.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
            tmp_path / "ckpt.pth")

    resumed, _ = model_and_data()
    opt = getattr(optim, name)(resumed.parameters(), **kwargs)
    sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    ckpt = mg.load(tmp_path / "ckpt.pth")
    resumed.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    sched.load_state_dict(ckpt["scheduler"])
    assert ckpt["epoch"] == 5
    train(resumed, opt, batches[5:], sched)
    for (k, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)


def test_state_dict_has_torchs_layout_and_copies():
    model, batches = model_and_data()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train(model, opt, batches[:1])
    sd = opt.state_dict()
    ref = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9).state_dict()
    assert sd.keys() == ref.keys() and sd["param_groups"][0]["params"] == list(range(len(list(model.parameters()))))
    assert set(sd["param_groups"][0]) >= set(ref["param_groups"][0]) - {"foreach", "differentiable", "fused"}
    buf = sd["state"][0]["momentum_buffer"]
    train(model, opt, batches[1:2])
    assert not np.array_equal(buf, opt.state_dict()["state"][0]["momentum_buffer"])


@pytest.mark.parametrize("bad,msg", [
    ({"state": {}}, "state_dict must be a dict with the keys 'state' and 'param_groups'"),
    ({"state": {}, "param_groups": [{"params": [0]}]}, r"the saved parameter groups hold \[1\] parameters but this optimizer's hold \[2\]"),
    ({"state": {5: {}}, "param_groups": [{"params": [0, 1]}]}, "state entry 5 does not name one of the 2 parameters"),
    ({"state": {0: {"momentum_buffer": np.zeros(3)}}, "param_groups": [{"params": [0, 1]}]},
     r"state\[0\]\['momentum_buffer'\] has shape \(3,\) but parameter 0 has shape \(2,\)"),
    ({"state": {}, "param_groups": [{"params": [0, 1], "lr": -1.0}]}, "lr must be >= 0.0, got -1.0"),
])
def test_load_state_dict_validates(bad, msg):
    opt = optim.SGD([mg.zeros(2, requires_grad=True), mg.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises((TypeError, ValueError), match=f"^SGD.load_state_dict: {msg}"):
        opt.load_state_dict(bad)


# ---------------------------------------------------------------- hyper-parameters
@pytest.mark.parametrize("cls,kwargs", [
    ("Adam", dict(lr=math.nan)), ("Adam", dict(lr=-1e-3)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(betas=(math.nan, 0.9))), ("Adam", dict(eps=-1.0)),
    ("AdamW", dict(weight_decay=-0.1)), ("SGD", dict(lr=0.1, momentum=-0.5)),
    ("SGD", dict(lr=0.1, nesterov=True)), ("RMSprop", dict(alpha=-0.1)), ("RMSprop", dict(eps=math.nan)),
    ("RMSprop", dict(momentum=-1.0)),
])
def test_bad_hyper_parameters_are_value_errors_as_torch(cls, kwargs):
    with pytest.raises(ValueError):
        getattr(torch.optim, cls)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match=f"^{cls}: "):
        getattr(optim, cls)([mg.zeros(1, requires_grad=True)], **kwargs)


def test_a_nan_lr_is_refused_even_where_torch_takes_it():
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=math.nan)  # torch checks lr < 0 only
    with pytest.raises(ValueError, match=r"^SGD: lr must be >= 0.0, got nan"):
        optim.SGD([mg.zeros(1, requires_grad=True)], lr=math.nan)


def test_per_group_options_are_checked_too():
    p = mg.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match=r"^Adam: lr must be >= 0.0, got nan"):
        optim.Adam([{"params": [p], "lr": math.nan}])
    with pytest.raises(TypeError, match=r"^SGD: unknown options \['learning_rate'\]"):
        optim.SGD([{"params": [p], "learning_rate": 0.1}])
