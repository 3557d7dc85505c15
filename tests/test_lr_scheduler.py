"""optim.lr_scheduler: the learning rates after every step are torch's, number for number."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim

torch = pytest.importorskip("torch")


def lrs(lib, make_sched, epochs=40, metrics=None, groups=((0.1, {}),)):
    """Each epoch's lr of every group, with an optimizer step before each scheduler step (as torch asks)."""
    opt_mod, new = (optim, lambda: mg.zeros(1, requires_grad=True)) if lib is mg else \
        (torch.optim, lambda: torch.zeros(1, requires_grad=True))
    opt = opt_mod.SGD([{"params": [new()], "lr": lr, **extra} for lr, extra in groups], lr=0.1, momentum=0.9)
    sched = make_sched(opt_mod.lr_scheduler, opt)
    out = [sched.get_last_lr()]
    for epoch in range(epochs):
        opt.step()
        sched.step(*([metrics[epoch]] if metrics is not None else []))
        out.append(sched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == out[-1]
    return out


SCHEDULES = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=7, gamma=0.3),
    "StepLR default": lambda s, o: s.StepLR(o, 5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.5),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=12),
    "CosineAnnealingLR eta_min": lambda s, o: s.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedules_equal_torchs(name):
    groups = ((0.1, {}), (0.02, {"momentum": 0.5}))
    assert lrs(mg, SCHEDULES[name], groups=groups) == lrs(torch, SCHEDULES[name], groups=groups)


def test_the_cosine_schedule_is_half_a_cosine():
    got = lrs(mg, lambda s, o: s.CosineAnnealingLR(o, T_max=10, eta_min=0.001), epochs=10)
    for t, (lr,) in enumerate(got):
        assert lr == pytest.approx(0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 10)) / 2, abs=1e-15)


@pytest.mark.parametrize("kwargs", [{}, dict(patience=2, factor=0.5), dict(mode="max", patience=1, cooldown=2),
                                    dict(threshold_mode="abs", threshold=0.05, patience=0, min_lr=0.004),
                                    dict(patience=1, min_lr=[0.05, 0.0], eps=1e-3)])
def test_reduce_on_plateau_equals_torchs(kwargs):
    r = np.random.default_rng(0)
    metrics = (np.linspace(1, 0.5, 40) + 0.2 * r.standard_normal(40)).tolist()
    metrics[7] = math.nan
    make = lambda s, o: s.ReduceLROnPlateau(o, **kwargs)  # noqa: E731
    groups = ((0.1, {}), (0.02, {}))
    assert lrs(mg, make, metrics=metrics, groups=groups) == lrs(torch, make, metrics=metrics, groups=groups)


def test_a_tensor_metric_is_accepted():
    opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.1)
    sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(mg.tensor(1.0))
    sched.step(mg.tensor(2.0))
    assert sched.get_last_lr() == [pytest.approx(0.01)]


def test_importable_as_torch_spells_it():
    from minigrad.optim.lr_scheduler import StepLR
    assert StepLR is mg.optim.lr_scheduler.StepLR


def test_state_dict_resumes_a_schedule(tmp_path):
    def make():
        opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.1)
        return opt, optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
    opt, sched = make()
    for _ in range(3):
        sched.step()
    mg.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "s.pth")
    ckpt = mg.load(tmp_path / "s.pth")
    opt2, sched2 = make()
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    for _ in range(3):
        sched.step()
        sched2.step()
        assert sched.get_last_lr() == sched2.get_last_lr()


@pytest.mark.parametrize("call,kind,msg", [
    (lambda o: optim.lr_scheduler.StepLR(o, 0), ValueError, "StepLR: step_size must be >= 1"),
    (lambda o: optim.lr_scheduler.StepLR("opt", 2), TypeError, "StepLR: optimizer must be a minigrad Optimizer, got str"),
    (lambda o: optim.lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "CosineAnnealingLR: T_max must be >= 1"),
    (lambda o: optim.lr_scheduler.MultiStepLR(o, [1.5]), TypeError, "MultiStepLR: milestones must be ints"),
    (lambda o: optim.lr_scheduler.ExponentialLR(o, "0.9"), TypeError, "ExponentialLR: gamma must be a number"),
    (lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "ReduceLROnPlateau: factor must be < 1"),
    (lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, mode="low"), ValueError, "ReduceLROnPlateau: mode must be one of"),
    (lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0, 0]), ValueError, "ReduceLROnPlateau: min_lr gives 2 values for 1"),
    (lambda o: optim.lr_scheduler.StepLR(o, 2, last_epoch=3), ValueError, r"StepLR: param_groups\[0\] has no 'initial_lr'"),
])
def test_bad_arguments(call, kind, msg):
    opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(kind, match=f"^{msg}"):
        call(opt)
