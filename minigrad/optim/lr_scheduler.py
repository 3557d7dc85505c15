"""Learning-rate schedules as ``torch.optim.lr_scheduler``: the same lr after every ``step()``.

A scheduler changes ``group['lr']`` of its optimizer's parameter groups; call its ``step()``
after ``optimizer.step()``, once per epoch (``ReduceLROnPlateau.step(metric)`` takes the
validation loss). The formulas are PyTorch's recursive (chainable) forms, so the sequence of
learning rates is PyTorch's number for number. ``state_dict()`` / ``load_state_dict()`` save
and restore a schedule for a checkpoint.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter

from .._checks import choice, count, fail, is_int, number, type_name
from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau"]


def _optimizer(fn, optimizer):
    if not isinstance(optimizer, Optimizer):
        fail(fn, f"optimizer must be a minigrad Optimizer, got {type_name(optimizer)}", TypeError)
    return optimizer


class LRScheduler(ABC):
    """Base class: ``base_lrs`` (each group's lr at the start), ``last_epoch``, ``step()``, ``get_last_lr()``."""

    def __init__(self, optimizer, last_epoch=-1):
        fn = type(self).__name__
        self.optimizer = _optimizer(fn, optimizer)
        if not is_int(last_epoch) or last_epoch < -1:
            fail(fn, f"last_epoch must be an int >= -1, got {last_epoch!r}")
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                fail(fn, f"param_groups[{i}] has no 'initial_lr': resuming with last_epoch={last_epoch} needs the "
                         "optimizer's state_dict loaded first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._initial = True  # the constructor's step sets the starting lrs
        self.step()
        self._initial = False

    @abstractmethod
    def get_lr(self) -> list:
        """The lrs for ``last_epoch``, from the groups' current lrs (PyTorch's chainable form)."""

    def step(self):
        """Move to the next epoch and set every group's lr."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list:
        """The lrs the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def _lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Everything but the optimizer (PyTorch's layout), for a checkpoint."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict):
        """Restore what ``state_dict()`` returned."""
        fn = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or "last_epoch" not in state_dict:
            fail(fn, f"state_dict must be what state_dict() returned, got {type_name(state_dict)}", TypeError)
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """lr × gamma every ``step_size`` epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = count("StepLR", "step_size", step_size)
        self.gamma = number("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class MultiStepLR(LRScheduler):
    """lr × gamma at each epoch in ``milestones`` (a milestone listed twice multiplies twice)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        try:
            milestones = list(milestones)
        except TypeError:
            fail("MultiStepLR", f"milestones must be a list of ints, got {type_name(milestones)}", TypeError)
        if not all(is_int(m) for m in milestones):
            fail("MultiStepLR", f"milestones must be ints, got {milestones!r}", TypeError)
        self.milestones = Counter(int(m) for m in milestones)
        self.gamma = number("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._lrs()]


class ExponentialLR(LRScheduler):
    """lr × gamma every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = number("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class CosineAnnealingLR(LRScheduler):
    """lr from its start down to ``eta_min`` along half a cosine over ``T_max`` epochs (and back up after):
    η_t = η_min + (η_0 − η_min)(1 + cos(π t / T_max))/2, computed recursively as PyTorch does."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = count("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = number("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        e, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._lrs()
        if self._step_count == 1 and e > 0:
            return [lo + (base - lo) * (1 + math.cos(e * math.pi / T)) / 2 for base in self.base_lrs]
        if (e - 1 - T) % (2 * T) == 0:
            return [lr + (base - lo) * (1 - math.cos(math.pi / T)) / 2 for base, lr in zip(self.base_lrs, self._lrs())]
        return [(1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T)) * (lr - lo) + lo
                for lr in self._lrs()]


class ReduceLROnPlateau(LRScheduler):
    """lr × ``factor`` when the metric given to ``step(metric)`` has not improved for ``patience`` epochs.

    Improvement means below best·(1 − threshold) (mode 'min', threshold_mode 'rel'), or the
    corresponding 'abs'/'max' test; after a reduction, ``cooldown`` epochs are not counted.
    No lr goes below ``min_lr``, and a change smaller than ``eps`` is skipped.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        fn = "ReduceLROnPlateau"
        self.optimizer = _optimizer(fn, optimizer)
        self.mode = choice(fn, "mode", mode, ("min", "max"))
        self.threshold_mode = choice(fn, "threshold_mode", threshold_mode, ("rel", "abs"))
        self.factor = number(fn, "factor", factor, minimum=0.0)
        if self.factor >= 1.0:
            fail(fn, f"factor must be < 1 (it multiplies the lr), got {factor}")
        self.patience = count(fn, "patience", patience, minimum=0)
        self.threshold = number(fn, "threshold", threshold, minimum=0.0)
        self.cooldown = count(fn, "cooldown", cooldown, minimum=0)
        n = len(optimizer.param_groups)
        mins = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * n
        if len(mins) != n:
            fail(fn, f"min_lr gives {len(mins)} values for {n} parameter groups")
        self.min_lrs = [number(fn, "min_lr", m, minimum=0.0) for m in mins]
        self.eps = number(fn, "eps", eps, minimum=0.0)
        self.last_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = 0
        self._last_lr = self._lrs()

    def get_lr(self):
        return self._lrs()

    def step(self, metrics):
        """Count an epoch with validation ``metrics`` (a number or a one-element tensor)."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            fail("ReduceLROnPlateau.step", f"metrics must be a number, got {type_name(metrics)}", TypeError)
        self.last_epoch += 1
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, low in zip(self.optimizer.param_groups, self.min_lrs):
                new = max(group["lr"] * self.factor, low)
                if group["lr"] - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = self._lrs()

    def _is_better(self, a):
        best, th = self.best, self.threshold
        if self.mode == "min":
            return a < best * (1 - th) if self.threshold_mode == "rel" else a < best - th
        return a > best * (th + 1) if self.threshold_mode == "rel" else a > best + th
