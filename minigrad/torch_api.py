"""PyTorch's spellings on Tensor: ``size()``, ``numel()``, ``grad_fn``, devices, dtype casts, ``__index__``.

``Tensor`` inherits these methods, so a script written for ``torch.Tensor`` runs unchanged.
Every method here is built from existing ops (``cast`` for dtypes), so no method adds a
backward rule of its own.
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import fail, is_int, type_name
from .dtypes import device as _device, device_arg, dtype_arg, is_device


class Size(tuple):
    """A tensor's shape as ``t.size()`` returns it (``torch.Size``): a tuple of its sides."""

    __slots__ = ()

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape: the product of the sides."""
        return math.prod(self)


class _Name(str):
    """An op's PyTorch-style name, readable as ``grad_fn.name`` and, as PyTorch spells it, ``grad_fn.name()``."""

    __slots__ = ()

    def __call__(self) -> str:
        return str(self)


# the names PyTorch prints where minigrad's op word reads otherwise
_TORCH_WORDS = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "**": "Pow", "@": "Mm", "linear": "Addmm",
                "getitem": "Index", "reshape": "View", "cast": "ToCopy", "conv2d": "Convolution"}


class GradFn:
    """What made a tensor, as ``grad_fn`` shows it: ``<MulBackward0>``, with ``.name`` (also callable,
    like PyTorch's ``name()``), ``.op`` (minigrad's op) and ``.next_functions`` (one pair per input:
    its ``GradFn``, an ``AccumulateGrad`` for a leaf that requires grad, or None; and 0)."""

    __slots__ = ("_node",)

    def __init__(self, node):
        self._node = node

    @property
    def name(self) -> str:
        op = self._node.op
        word = _TORCH_WORDS.get(op) or "".join(part.capitalize() for part in _op_word(self._node).split("_"))
        return _Name(f"{word}Backward0")

    op = property(lambda self: self._node.op, doc="minigrad's name of the op (the node's ``.op``).")

    @property
    def next_functions(self) -> tuple:
        out = []
        for p, need in zip(self._node.parents, self._node._needs):
            if not need:
                out.append((None, 0))
            elif p.parents:
                out.append((GradFn(p), 0))
            else:
                out.append((AccumulateGrad(p), 0))
        return tuple(out)

    def __eq__(self, other):
        return type(other) is type(self) and other._node is self._node

    def __hash__(self):
        return id(self._node)

    def __repr__(self):
        return f"<{self.name}>"


class AccumulateGrad(GradFn):
    """Where a leaf's gradient is added up (PyTorch's ``AccumulateGrad``); ``.variable`` is the leaf."""

    __slots__ = ()
    name = property(lambda self: _Name("AccumulateGrad"))
    op = property(lambda self: "")
    variable = property(lambda self: self._node, doc="The leaf tensor.")
    next_functions = property(lambda self: ())


def _op_word(node) -> str:
    from .optable import lookup  # the op table is filled by the ops, which import tensor

    op = lookup(node)
    return op.word if op is not None else node.op


_TYPE_NAMES = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
               "int8": "CharTensor", "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor",
               "uint8": "ByteTensor", "bool": "BoolTensor"}


class TorchMethods:
    """The methods of ``torch.Tensor`` that ``Tensor`` spells the same way (a mixin)."""

    __slots__ = ()

    # ------------------------------------------------------------ shape
    def size(self, dim=None):
        """The shape (``size()``, a ``Size``) or one side (``size(d)``, an int; d < 0 counts from the end)."""
        shape = self.data.shape
        if dim is None:
            return Size(shape)
        if not is_int(dim):
            fail("Tensor.size", f"dim must be an int, got {type_name(dim)} {dim!r}", TypeError)
        from .ops.shape import IndexOutOfRange  # the ops import tensor, which imports this module

        n = len(shape)
        if n == 0:
            raise IndexOutOfRange(f"Tensor.size: dim {dim} given but the tensor has no dimensions (shape ())")
        if not -n <= dim < n:
            raise IndexOutOfRange(f"Tensor.size: dim {dim} is out of range: expected one of [{-n}, {n - 1}] "
                                  f"for shape {shape}")
        return shape[dim]

    def nelement(self) -> int:
        """The number of elements (PyTorch's other name for ``numel``)."""
        return self.data.size

    def ndimension(self) -> int:
        """The number of dimensions (PyTorch's other name for ``dim``)."""
        return self.data.ndim

    # ------------------------------------------------------------ Python numbers
    def __index__(self) -> int:
        """An integer (or bool) one-element tensor as an index: ``classes[pred[j]]``, ``range(n)``."""
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            fail("Tensor.__index__", f"only integer tensors of a single element can be converted to an index, "
                                     f"got dtype {self.data.dtype} and shape {self.data.shape}", TypeError)
        return int(self.data.reshape(-1)[0])

    def __format__(self, spec):
        """A one-element tensor formats as its number (``f"{loss:.4f}"``); others only with an empty spec."""
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        if spec:
            fail("Tensor.__format__", f"format spec {spec!r} needs a 0-d tensor, got shape {self.data.shape} "
                                      "(format t.item() or t.tolist())", TypeError)
        return repr(self)

    # ------------------------------------------------------------ the graph
    @property
    def grad_fn(self):
        """None for a leaf; else a small ``GradFn`` naming the op that made this tensor (``<MulBackward0>``)."""
        return GradFn(self) if self.parents else None

    # ------------------------------------------------------------ device
    device = property(lambda self: _device(), doc="Where the data lives: always the CPU (prints as cpu).")
    is_cuda = property(lambda self: False, doc="False: minigrad has no GPU.")

    def cpu(self):
        """This tensor (it is already on the CPU)."""
        return self

    def cuda(self, *args, **kwargs):
        """Refused with a ValueError: minigrad computes on the CPU only."""
        device_arg("Tensor.cuda", "cuda")

    def to(self, *args, dtype=None, device=None, non_blocking=False):
        """PyTorch's ``to``: ``to('cpu')``, ``to(mg.float32)``, ``to(other)`` (its dtype), ``to(device=, dtype=)``.

        The result is this tensor when nothing changes, else a cast (differentiable between
        float dtypes, a new leaf for integer and bool targets).
        """
        for a in args:
            if isinstance(a, TorchMethods):
                dtype = a.data.dtype
            elif is_device(a):
                device = a
            else:
                dtype = a
        device_arg("Tensor.to", device)
        return self._cast("Tensor.to", dtype)

    def type_as(self, other):
        """This tensor cast to ``other``'s dtype."""
        if not isinstance(other, TorchMethods):
            fail("Tensor.type_as", f"other must be a Tensor, got {type_name(other)}", TypeError)
        return self._cast("Tensor.type_as", other.data.dtype)

    def is_floating_point(self) -> bool:
        """True for float16, float32 and float64 tensors."""
        return self.data.dtype.kind == "f"

    def _cast(self, fn, dtype):
        if dtype is None:
            return self
        from .ops.shape import cast  # the ops import tensor, which imports this module

        return cast(self, dtype_arg(fn, dtype))

    # ------------------------------------------------------------ casts (named after builtins: defined last)
    def half(self):
        """As float16."""
        return self._cast("Tensor.half", np.float16)

    def int(self):
        """As int32, a new leaf outside the graph (PyTorch's ``int()``)."""
        return self._cast("Tensor.int", np.int32)

    def bool(self):
        """As bool, a new leaf outside the graph."""
        return self._cast("Tensor.bool", np.bool_)

    def type(self, dtype=None):
        """No argument: the type's name (``'minigrad.DoubleTensor'``); with a dtype: the cast (like ``to``)."""
        if dtype is None:
            return "minigrad." + _TYPE_NAMES.get(self.data.dtype.name, "Tensor")
        return self._cast("Tensor.type", dtype)
