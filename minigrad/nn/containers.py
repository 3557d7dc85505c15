"""Containers: Sequential (layers applied in order, with a Keras-like ``summary``) and ModuleList."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .._checks import fail, is_int, type_name
from ..engine import no_grad
from ..tensor import Tensor
from .module import Module

__all__ = ["Sequential", "ModuleList"]


def _index(fn, i, n):
    if not is_int(i):
        fail(fn, f"index must be an int or a slice, got {type_name(i)} {i!r}", TypeError)
    if not -n <= i < n:
        fail(fn, f"index {i} is out of range for {n} layers")
    return i % n


class Sequential(Module):
    """y = fₙ(… f₂(f₁(x))): the modules applied in order; ``add`` appends one, ``summary`` tabulates them."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for m in modules:
                self.add(m)

    def add(self, module: Module, name: str | None = None) -> "Sequential":
        """Append ``module`` (named by its position unless ``name`` is given); returns self."""
        if not isinstance(module, Module):
            fail("Sequential.add", f"module must be a Module (e.g. nn.ReLU()), got {type_name(module)}"
                                   + (" (a class: did you forget the parentheses?)" if isinstance(module, type) else ""),
                 TypeError)
        name = str(len(self._modules)) if name is None else name
        if name in self._modules:
            fail("Sequential.add", f"a layer called {name!r} already exists")
        self.add_module(name, module)
        return self

    append = add

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, i):
        mods = list(self._modules.items())
        if isinstance(i, slice):
            return Sequential(OrderedDict(mods[i]))
        return mods[_index("Sequential", i, len(mods))][1]

    def forward(self, input):
        for m in self._modules.values():
            input = m(input)
        return input

    def summary(self, input_shape, print_fn=print):
        """A Keras-like table of layer, output shape and parameter count, with totals.

        ``input_shape`` is one example's shape without the batch, e.g. ``(1, 28, 28)``
        (Keras's ``input_shape``); a full batch shape ``(N, 1, 28, 28)`` works too. Runs one
        forward pass on zeros in eval mode under ``no_grad``. Like Keras, prints the table
        (through ``print_fn``) and returns None, so a notebook shows it once;
        ``print_fn=None`` prints nothing and returns the table as a str instead.
        """
        if not isinstance(input_shape, (tuple, list)) or not all(is_int(n) and n > 0 for n in input_shape):
            fail("Sequential.summary", f"input_shape must be a tuple of positive ints, got {input_shape!r}", TypeError)
        params = list(self.parameters())
        dtype = params[0].data.dtype if params else np.float64
        modes = [(m, m.training) for m in self.modules()]  # each module's own mode, restored after
        self.eval()
        rows = []
        try:
            with no_grad():
                x, batch = None, None
                for shape in ((1, *input_shape), tuple(input_shape)):
                    try:
                        first = Tensor(np.zeros(shape, dtype))
                        rows = self._trace(first)
                        batch = shape == tuple(input_shape)
                        break
                    except (ValueError, TypeError) as e:
                        x = e
                if batch is None:
                    fail("Sequential.summary", f"the model does not accept input_shape {tuple(input_shape)}: {x}")
        finally:
            for m, mode in modes:
                m.training = mode
        return self._table(rows, batch, print_fn)

    def _trace(self, x):
        rows = []
        for name, m in self._modules.items():
            x = m(x)
            out = x[0] if isinstance(x, tuple) else x
            rows.append((f"{name} ({type(m).__name__})", out.shape, m.num_parameters()))
        return rows

    def _table(self, rows, batch_given, print_fn):
        def shape_str(s):
            return str(tuple(s)) if batch_given else str((None, *s[1:]))

        w1 = max([len("Layer (type)")] + [len(r[0]) for r in rows]) + 3
        w2 = max([len("Output Shape")] + [len(shape_str(r[1])) for r in rows]) + 3
        width = w1 + w2 + 12
        total = self.num_parameters()
        buffers = sum(b.data.size for n, b in self.named_buffers() if not n.endswith("num_batches_tracked"))
        lines = [f'Model: "{type(self).__name__}"', "_" * width,
                 f"{'Layer (type)':<{w1}}{'Output Shape':<{w2}}{'Param #':>9}", "=" * width]
        for label, shape, n in rows:
            lines.append(f"{label:<{w1}}{shape_str(shape):<{w2}}{n:>9,}")
        lines += ["=" * width, f"Total params: {total:,}", f"Trainable params: {total:,}",
                  "Non-trainable params: 0" + (f" (plus {buffers:,} buffer values, e.g. BatchNorm running statistics)"
                                                if buffers else ""), "_" * width]
        text = "\n".join(lines)
        if print_fn is None:
            return text
        print_fn(text)
        return None


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees (no forward of its own)."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> "ModuleList":
        """Add ``module`` at the end; returns self."""
        if not isinstance(module, Module):
            fail("ModuleList.append", f"module must be a Module, got {type_name(module)}", TypeError)
        self.add_module(str(len(self._modules)), module)
        return self

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, i):
        mods = list(self._modules.values())
        if isinstance(i, slice):
            return ModuleList(mods[i])
        return mods[_index("ModuleList", i, len(mods))]
