"""Module: a tree of layers that owns weights and buffers, like ``torch.nn.Module``.

A module keeps three ordered tables, filled by plain attribute assignment:
``_parameters`` (``Parameter``), ``_buffers`` (state that is saved but not trained, e.g.
BatchNorm's running statistics) and ``_modules`` (child modules). ``state_dict()`` walks the
tree and names every entry with dots (``features.0.weight``), exactly as PyTorch does, so
a state dict moves between the two frameworks.
"""
from __future__ import annotations

import pathlib
from collections import OrderedDict, namedtuple

import numpy as np

from .. import serialization
from .._checks import fail, type_name
from ..dtypes import device_arg, dtype_arg, is_device
from ..parameter import Parameter
from ..tensor import Tensor


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns, as in PyTorch: the keys it missed and did not expect."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _adopted(name: str, child: "Module") -> "Module":
    """``child``, its parameters' automatic names qualified by ``name`` (``weight`` -> ``0.weight``),
    so diagrams and derivations name every weight by its state-dict key; user names stay."""
    for path, p in child.named_parameters():
        if p.name == path:
            p.name = f"{name}.{path}"
    return child


class Module:
    """Base class of every layer: ``forward`` computes, ``__call__`` runs it.

    Assigning a ``Parameter`` or a ``Module`` to an attribute registers it; buffers are
    registered with ``register_buffer``. ``training`` switches Dropout and BatchNorm.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            fail(type(self).__name__, "call super().__init__() before assigning attributes", TypeError)
        cls = type(self).__name__
        if name in self._parameters and value is not None and not isinstance(value, Parameter):
            fail(cls, f"cannot assign a {type_name(value)} to the parameter {name!r}: use nn.Parameter(...), "
                      f"or change its values with .data (e.g. layer.{name}.data = array)", TypeError)
        if name in self._modules and value is not None and not isinstance(value, Module):
            fail(cls, f"cannot assign a {type_name(value)} to the child module {name!r}: a Module or None expected",
                 TypeError)
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Parameter):
            if value.name is None:          # diagrams and derivations show "weight", not an anonymous leaf
                value.name = name
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = _adopted(name, value)
        elif name in self.__dict__.get("_buffer_names", ()):
            if value is not None and not isinstance(value, Tensor):
                fail(type(self).__name__, f"buffer {name!r} must be a Tensor or None, got {type_name(value)}", TypeError)
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)
            return
        self.__dict__.pop(name, None)

    def __getattr__(self, name):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor):
        """Keep ``tensor`` (not trained) in the state dict under ``name``."""
        if not isinstance(name, str) or not name or "." in name:
            fail("Module.register_buffer", f"name must be a non-empty str without dots, got {name!r}", TypeError)
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        self.__dict__.setdefault("_buffer_names", set()).add(name)
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor

    def add_module(self, name: str, module: "Module"):
        """Register ``module`` as a child called ``name``."""
        if not isinstance(module, Module):
            fail("Module.add_module", f"module must be a Module, got {type_name(module)}", TypeError)
        if not isinstance(name, str) or not name or "." in name:
            fail("Module.add_module", f"name must be a non-empty str without dots, got {name!r}", TypeError)
        self._modules[name] = _adopted(name, module)

    # ------------------------------------------------------------ running
    def forward(self, *args, **kwargs):
        """The computation; every subclass defines it."""
        raise TypeError(f"{type(self).__name__}: forward is not defined; a Module subclass must define "
                        "forward(self, ...) (like PyTorch)")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def train(self, mode: bool = True) -> "Module":
        """Training mode (Dropout drops, BatchNorm uses batch statistics) for this tree."""
        if not isinstance(mode, bool):
            fail(f"{type(self).__name__}.train", f"mode must be a bool, got {mode!r}", TypeError)
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: the same as ``train(False)``."""
        return self.train(False)

    # ------------------------------------------------------------ walking the tree
    def children(self):
        """The direct child modules, in registration order."""
        return iter(self._modules.values())

    def named_children(self):
        """``(name, module)`` of the direct children."""
        return iter(self._modules.items())

    def named_modules(self, prefix: str = ""):
        """``(dotted name, module)`` for this module and every descendant, depth first."""
        stack = [(prefix, self)]
        seen = set()
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            kids = [(f"{name}.{k}" if name else k, c) for k, c in m._modules.items() if c is not None]
            stack.extend(reversed(kids))

    def modules(self):
        """This module and every descendant, depth first."""
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """``(dotted name, Parameter)`` for every parameter of the tree (of this module only with
        ``recurse=False``), each once."""
        seen = set()
        for mname, m in (self.named_modules(prefix) if recurse else [(prefix, self)]):
            for k, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mname}.{k}" if mname else k), p

    def parameters(self, recurse: bool = True):
        """Every Parameter of the tree (what an optimizer is given); ``recurse=False``: this module's own."""
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = ""):
        """``(dotted name, Tensor)`` for every buffer of the tree."""
        for mname, m in self.named_modules(prefix):
            for k, b in m._buffers.items():
                if b is not None:
                    yield (f"{mname}.{k}" if mname else k), b

    def buffers(self):
        """Every buffer of the tree."""
        return (b for _, b in self.named_buffers())

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every descendant, then on this module (children first, like
        PyTorch), e.g. a custom initialisation; returns self."""
        if not callable(fn):
            fail(f"{type(self).__name__}.apply", f"fn must be callable, got {type_name(fn)}", TypeError)
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Turn gradient tracking of every parameter on or off (e.g. freeze a GAN's discriminator)."""
        if not isinstance(requires_grad, bool):
            fail(f"{type(self).__name__}.requires_grad_", f"requires_grad must be a bool, got {requires_grad!r}", TypeError)
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True):
        """Forget every parameter's gradient: ``grad = None`` (PyTorch's default) or zeros."""
        if not isinstance(set_to_none, bool):
            fail(f"{type(self).__name__}.zero_grad", f"set_to_none must be a bool, got {set_to_none!r}", TypeError)
        for p in self.parameters():
            if p.grad is not None:
                p.grad = None if set_to_none else np.zeros_like(p.grad)

    def num_parameters(self) -> int:
        """The number of trainable scalars: Σ over parameters of their sizes."""
        return int(sum(p.data.size for p in self.parameters()))

    def to(self, *args, dtype=None, device=None, non_blocking=False) -> "Module":
        """PyTorch's ``model.to('cpu')``, ``model.to(mg.float32)`` or ``to(device=, dtype=)``:
        casts every parameter and floating buffer in place and returns the model."""
        fn = f"{type(self).__name__}.to"
        for a in args:
            if is_device(a):
                device = a
            else:
                dtype = a.data.dtype if isinstance(a, Tensor) else a
        device_arg(fn, device)
        if dtype is None:
            return self
        dtype = dtype_arg(fn, dtype)
        if dtype.kind != "f":
            fail(fn, f"dtype must be a floating-point type, got {dtype}")
        for p in self.parameters():
            if p.data.dtype != dtype:  # a cast that changes nothing leaves the tensor (and its version) alone
                p.data = p.data.astype(dtype)
                p.grad = None if p.grad is None else p.grad.astype(dtype)
        for b in self.buffers():
            if b.data.dtype.kind == "f" and b.data.dtype != dtype:
                b.data = b.data.astype(dtype)
        return self

    def cpu(self) -> "Module":
        """The module itself (it is already on the CPU)."""
        return self

    def cuda(self, device=None) -> "Module":
        """Refused with a ValueError: minigrad computes on the CPU only."""
        device_arg(f"{type(self).__name__}.cuda", "cuda" if device is None else f"cuda:{device}")

    def float(self) -> "Module":
        """Cast to float32 (PyTorch's default precision, and faster)."""
        return self.to(np.float32)

    def double(self) -> "Module":
        """Cast to float64 (minigrad's default precision, for exact checks)."""
        return self.to(np.float64)

    # ------------------------------------------------------------ state
    def state_dict(self) -> "OrderedDict[str, Tensor]":
        """Every parameter and buffer as a detached tensor (a copy, so a later step cannot change a
        saved state), keyed like PyTorch (``0.weight``, ``0.bias``, ``1.running_mean``, ``1.running_var``,
        ``1.num_batches_tracked``)."""
        out = OrderedDict()
        for mname, m in self.named_modules():
            pre = f"{mname}." if mname else ""
            for k, p in m._parameters.items():
                if p is not None:
                    out[pre + k] = Tensor._leaf(np.array(p.data, copy=True), False)
            for k, b in m._buffers.items():
                if b is not None:
                    out[pre + k] = Tensor._leaf(np.array(b.data, copy=True), False)
        return out

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy arrays (NumPy, minigrad or PyTorch tensors) into the parameters and buffers.

        Every key must exist and every shape must match; otherwise a ValueError lists the
        missing, unexpected and misshapen keys (with ``strict=False`` missing and unexpected
        keys are allowed, misshapen ones never are). Values keep each parameter's dtype.
        Returns the missing and unexpected keys as PyTorch does (``IncompatibleKeys``).
        """
        fn = f"{type(self).__name__}.load_state_dict"
        if not hasattr(state_dict, "keys"):
            fail(fn, f"state_dict must be a mapping of names to arrays, got {type_name(state_dict)}", TypeError)
        targets = OrderedDict()
        for mname, m in self.named_modules():
            pre = f"{mname}." if mname else ""
            for table in (m._parameters, m._buffers):
                for k, t in table.items():
                    if t is not None:
                        targets[pre + k] = t
        given = {}
        for k in state_dict.keys():
            v = state_dict[k]
            if isinstance(v, Tensor):
                v = v.data
            elif hasattr(v, "detach") and hasattr(v, "cpu"):  # a torch tensor, without importing torch
                v = v.detach().cpu().numpy()
            try:
                given[k] = np.asarray(v)
            except Exception:
                fail(fn, f"value of {k!r} is not an array ({type_name(v)})", TypeError)
            if given[k].dtype.kind not in "fiub":
                fail(fn, f"value of {k!r} has dtype {given[k].dtype}; a state dict holds numbers", TypeError)
        missing = [k for k in targets if k not in given]
        unexpected = [k for k in given if k not in targets]
        misshapen = [f"{k}: expected {targets[k].data.shape}, got {given[k].shape}"
                     for k in targets if k in given and given[k].shape != targets[k].data.shape]
        problems = []
        if strict and missing:
            problems.append(f"missing keys {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys {unexpected}")
        if misshapen:
            problems.append(f"misshapen keys [{'; '.join(misshapen)}]")
        if problems:
            fail(fn, "; ".join(problems))
        for k, t in targets.items():
            if k in given:
                t.data = np.array(given[k], dtype=t.data.dtype, copy=True)
        return IncompatibleKeys(missing, unexpected)

    def save(self, path) -> pathlib.Path:
        """Write ``state_dict()`` to exactly ``path`` in ``mg.save``'s format; returns the path."""
        return serialization.save(self.state_dict(), path, fn=f"{type(self).__name__}.save")

    def load(self, path) -> "Module":
        """Read a state dict written by ``save`` (or ``mg.save(model.state_dict(), path)``) into this
        module, strictly; returns self."""
        fn = f"{type(self).__name__}.load"
        state = serialization.load(path, fn=fn)
        if not isinstance(state, dict):
            fail(fn, f"{str(path)!r} holds a {type_name(state)}, not a state dict")
        self.load_state_dict(state)
        return self

    # ------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of ``repr``."""
        return ""

    def __repr__(self):
        lines = []
        for name, m in self._modules.items():
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"{extra}" if extra else "")
        return head + "\n" + "\n".join(lines) + "\n)"
