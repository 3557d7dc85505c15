"""The Optimizer base: parameter groups, per-parameter state, ``zero_grad``, ``step`` and state dicts, as PyTorch's.

``param_groups`` is a list of dicts, each ``{'params': [...], 'lr': ..., ...}``: options missing
from a group come from the constructor's defaults, and changing ``group['lr']`` between steps
takes effect at the next step. ``state_dict()`` numbers the parameters across the groups in
order (PyTorch's layout: ``{'state': {0: {...}}, 'param_groups': [{..., 'params': [0, 1]}]}``)
and copies every array, so ``mg.save`` of it, then ``load_state_dict`` into a fresh optimizer
over the same model, resumes training bit for bit.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .._checks import fail, flag, number, type_name
from ..tensor import Tensor


def _assign(p: Tensor, new: np.ndarray):
    """The one place an optimizer changes a weight: a new array assigned to ``p.data`` (same dtype)."""
    p.data = new.astype(p.data.dtype, copy=False)


def hyper(fn: str, name: str, value) -> float:
    """A hyper-parameter >= 0, NaN refused: PyTorch's ``Invalid ...`` checks."""
    return number(fn, name, value, minimum=0.0)


class Optimizer(ABC):
    """Base class: ``param_groups``, ``state``, ``zero_grad()``, ``step()``, ``state_dict()``."""

    def __init__(self, params, defaults: dict):
        fn = type(self).__name__
        object.__setattr__(self, "defaults", self._options(fn, dict(defaults)))
        self.state = {}
        self.param_groups = []
        if isinstance(params, Tensor):
            fail(fn, "params must be an iterable of Tensors (e.g. model.parameters()), got one Tensor", TypeError)
        try:
            groups = list(params)
        except TypeError:
            fail(fn, f"params must be an iterable of Tensors or of dicts, got {type_name(params)}", TypeError)
        if not groups:
            fail(fn, "params is an empty list: the optimizer has nothing to update "
                     "(did the model register its Parameters, or was the generator used up?)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __setattr__(self, name, value):
        if name in self.__dict__.get("defaults", ()):  # opt.lr = ... would change nothing: say where it lives
            fail(type(self).__name__, f"{name} is an option of each parameter group: "
                                      f"for group in optimizer.param_groups: group[{name!r}] = {value!r}", AttributeError)
        object.__setattr__(self, name, value)

    def add_param_group(self, group: dict):
        """Add ``{'params': [...], **options}``; missing options come from the defaults."""
        fn = f"{type(self).__name__}"
        if not isinstance(group, dict) or "params" not in group:
            fail(fn, f"a parameter group must be a dict with a 'params' entry, got {type_name(group)}", TypeError)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        offset = sum(len(g["params"]) for g in self.param_groups)
        for i, p in enumerate(params):
            where = f"params[{offset + i}]"
            if not isinstance(p, Tensor):
                fail(fn, f"{where} must be a Tensor, got {type_name(p)}", TypeError)
            if p.parents:
                fail(fn, f"{where} (shape {p.shape}) is not a leaf: it was computed by {p.op!r}; "
                         "an optimizer can only update leaves")
            if p.data.dtype.kind != "f":
                fail(fn, f"{where} must be floating point, got dtype {p.data.dtype}")
            if id(p) in seen:
                fail(fn, f"{where} (shape {p.shape}) appears more than once")
            seen.add(id(p))
        unknown = [k for k in group if k not in ("params", "initial_lr") and k not in self.defaults]
        if unknown:
            fail(fn, f"unknown options {unknown} in a parameter group; {fn} takes {sorted(self.defaults)}", TypeError)
        options = self._options(fn, {**self.defaults, **{k: v for k, v in group.items() if k != "params"}})
        self.param_groups.append({"params": params, **options})

    # ------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True):
        """Forget every parameter's gradient: ``grad = None`` (PyTorch 2's default) or zeros."""
        flag(f"{type(self).__name__}.zero_grad", "set_to_none", set_to_none)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.grad = None if set_to_none else np.zeros_like(p.grad)

    def step(self, closure=None):
        """Update every parameter that has a gradient; ``closure()`` (re-computing the loss) first, if given."""
        loss = None if closure is None else closure()
        fn = f"{type(self).__name__}.step"
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = np.asarray(p.grad)
                if g.shape != p.data.shape:
                    fail(fn, f"grad has shape {g.shape} but the parameter has shape {p.data.shape}")
                _assign(p, self._update(p.data, g, self.state.setdefault(p, {}), group))
        return loss

    @abstractmethod
    def _options(self, fn: str, options: dict) -> dict:
        """The group's options validated (a ValueError/TypeError naming the option)."""

    @abstractmethod
    def _update(self, w, g, state, group):
        """The new weights from the old ``w``, the gradient ``g``, this parameter's ``state`` and its group."""

    # ------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{options..., 'params': [indices]}]}``, arrays copied."""
        index, groups = {}, []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v for k, v in s.items()}
                 for p, s in self.state.items() if s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict):
        """Take the options and state of ``state_dict()`` (from an optimizer over parameters of the same shapes)."""
        fn = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            fail(fn, "state_dict must be a dict with the keys 'state' and 'param_groups' (what state_dict() returns), "
                     f"got {type_name(state_dict)}", TypeError)
        saved = state_dict["param_groups"]
        sizes, mine = [len(g.get("params", ())) for g in saved], [len(g["params"]) for g in self.param_groups]
        if sizes != mine:
            fail(fn, f"the saved parameter groups hold {sizes} parameters but this optimizer's hold {mine}")
        params = [p for g in self.param_groups for p in g["params"]]
        state = {}
        for key, entry in state_dict["state"].items():
            if not isinstance(key, int) or not 0 <= key < len(params) or not isinstance(entry, dict):
                fail(fn, f"state entry {key!r} does not name one of the {len(params)} parameters")
            p = params[key]
            state[p] = {}
            for k, v in entry.items():
                if isinstance(v, Tensor):
                    v = v.data
                if isinstance(v, np.ndarray):
                    if v.shape != p.data.shape:
                        fail(fn, f"state[{key}][{k!r}] has shape {v.shape} but parameter {key} has shape {p.data.shape}")
                    v = np.array(v, dtype=p.data.dtype, copy=True)
                state[p][k] = v
        groups = []
        for group, given in zip(self.param_groups, saved):
            options = {k: v for k, v in given.items() if k != "params"}
            groups.append({"params": group["params"], **self._options(fn, {**self.defaults, **options})})
        self.param_groups, self.state = groups, state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])
