"""Tensor: a NumPy array as one node of the same graph, differentiated by the same engine.

Ops live in ``minigrad/ops/`` (forward and backward side by side); this file holds the
class, the constructor helpers, and the three pieces every op shares: ``record`` (make an
output node), ``accumulate`` (add a gradient into a parent) and ``unbroadcast``.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import engine
from .engine import Node

_new = object.__new__
_mode = engine._mode


class Tensor(Node):
    """An n-d array node: ``data`` (ndarray), ``grad`` (ndarray or None), ``requires_grad``."""

    __slots__ = ("data", "grad", "parents", "op", "name", "_backward", "_ctx", "requires_grad", "__weakref__")
    _NO_GRAD = None
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operators
    __hash__ = Node.__hash__  # comparisons are elementwise, identity stays the hash

    def __init__(self, data, requires_grad=False, name=None, dtype=None):
        self.data = as_array(data, dtype, "Tensor")
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Tensor: requires_grad must be a bool, got {requires_grad!r}")
        if requires_grad and self.data.dtype.kind != "f":
            raise ValueError(f"Tensor: only floating-point tensors can require grad, got dtype {self.data.dtype}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Tensor: name must be a str or None, got {type(name).__name__}")
        self.grad = None
        self.parents = ()
        self.op = ""
        self.name = name
        self._backward = None
        self._ctx = None
        self.requires_grad = requires_grad

    # ------------------------------------------------------------ attributes
    shape = property(lambda self: self.data.shape, doc="The shape of ``data``.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions.")
    dtype = property(lambda self: self.data.dtype, doc="The NumPy dtype of ``data``.")
    size = property(lambda self: self.data.size, doc="The number of elements.")

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", prefix="tensor(")
        extra = f", name={self.name!r}" if self.name else ""
        if self.op:
            extra += f", op={self.op!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        if self.data.dtype != np.float64:
            extra += f", dtype={self.data.dtype}"
        return f"tensor({body}{extra})"

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"Tensor.item: only one-element tensors can be converted, this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared, not copied, like PyTorch's)."""
        return self.data

    def detach(self) -> "Tensor":
        """The same data as a new leaf that does not require grad."""
        return Tensor._leaf(self.data, False)

    def zero_grad(self):
        """Forget the accumulated gradient (sets ``grad`` to None, like PyTorch)."""
        self.grad = None

    def requires_grad_(self, flag=True) -> "Tensor":
        """Turn gradient tracking on (or off) for this leaf, in place."""
        if flag and self.data.dtype.kind != "f":
            raise ValueError(f"Tensor.requires_grad_: only floating-point tensors can require grad, got {self.dtype}")
        self.requires_grad = bool(flag)
        return self

    def backward(self, grad=None, retain_graph=None):
        """Reverse mode from this tensor; ``grad`` may be omitted only for one element.

        The graph is always retained (diagrams and derivations read it afterwards), so
        ``retain_graph`` is accepted for PyTorch compatibility and changes nothing.
        """
        if not self.requires_grad:
            raise ValueError(
                "Tensor.backward: this tensor does not require grad and has no graph "
                "(make a leaf with requires_grad=True, outside no_grad)")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"Tensor.backward: grad can be implicitly created only for a one-element output; "
                    f"this tensor has shape {self.shape}, so pass grad= of that shape")
            seed = np.ones_like(self.data)
        else:
            seed = grad.data if isinstance(grad, Tensor) else np.asarray(grad, dtype=self.data.dtype)
            if seed.shape != self.shape:
                raise ValueError(f"Tensor.backward: grad has shape {seed.shape} but the tensor has shape {self.shape}")
            seed = seed.astype(self.data.dtype, copy=True)
        engine.backward(self, seed)

    @staticmethod
    def _leaf(data, requires_grad):
        """A leaf around an existing array (no copy, no checks)."""
        t = _new(Tensor)
        t.data = data
        t.grad = None
        t.parents = ()
        t.op = ""
        t.name = None
        t._backward = None
        t._ctx = None
        t.requires_grad = requires_grad
        return t


def as_array(data, dtype, where):
    """``data`` as an ndarray: float64 unless ``dtype`` says otherwise; integer arrays keep
    their dtype (class targets); anything that is not numeric is a TypeError naming ``where``."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{where}: unknown dtype {dtype!r}") from None
    try:
        arr = np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: data must be numbers or an array of numbers, got {type(data).__name__} ({e})") from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{where}: data must be numeric, got dtype {arr.dtype}")
    if dtype is None and (arr.dtype.kind == "b" or (arr.dtype.kind in "iu" and not isinstance(data, np.ndarray))):
        arr = arr.astype(np.float64)
    if dtype is None and arr.dtype.kind == "f" and arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if arr is data:
        arr = arr.copy()
    return arr


def tensor(data, requires_grad=False, name=None, dtype=None) -> Tensor:
    """The same as ``Tensor(...)``, like ``torch.tensor``."""
    return Tensor(data, requires_grad=requires_grad, name=name, dtype=dtype)


def lift(x, like: Tensor) -> Tensor:
    """A Tensor for ``x``: Tensors pass through; numbers take ``like``'s dtype (like PyTorch)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, numbers.Number) and not isinstance(x, bool):
        return Tensor._leaf(np.asarray(x, dtype=like.data.dtype), False)
    if isinstance(x, (np.ndarray, list, tuple, bool)):
        return Tensor._leaf(as_array(x, None, "Tensor"), False)
    raise TypeError(f"Tensor: cannot combine a Tensor with {type(x).__name__}")


# ------------------------------------------------------------ shared by every op
def record(data, parents, op, backward, ctx=None) -> Tensor:
    """The output node of ``op``: linked to its parents only when some parent needs a grad."""
    t = _new(Tensor)
    t.data = data
    t.grad = None
    t.name = None
    if _mode.enabled and any(p.requires_grad for p in parents):
        t.parents = parents
        t.op = op
        t._backward = backward
        t._ctx = ctx
        t.requires_grad = True
    else:
        t.parents = ()
        t.op = ""
        t._backward = None
        t._ctx = None
        t.requires_grad = False
    return t


def needs_grad(*tensors) -> bool:
    """True when an op on these tensors will be recorded (so its backward context is worth saving)."""
    return _mode.enabled and any(t.requires_grad for t in tensors)


def accumulate(t: Tensor, g: np.ndarray):
    """Add ``g`` into ``t.grad`` (never in place: grads may be shared between nodes)."""
    if not t.requires_grad:
        return
    if g.dtype != t.data.dtype:
        g = g.astype(t.data.dtype)
    if t.grad is None:
        t.grad = g if t.parents else np.array(g, copy=True)
    else:
        t.grad = t.grad + g


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` back to ``shape``: the adjoint of NumPy broadcasting."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    return g.sum(axis=axes).reshape(shape)
