"""Tensor: a NumPy array as one node of the same graph, differentiated by the same engine.

Ops live in ``minigrad/ops/`` (forward, backward rule and op-table entry side by side); this
file holds the class, the constructor helpers and ``record``, which every op calls to make its
output node. ``data`` is a property: every assignment to it (``p.data -= lr * g`` included)
bumps the tensor's version, and a recorded op refuses to backpropagate through inputs whose
version changed after its forward, so a kept graph never gives a silently wrong gradient.
"""
from __future__ import annotations

import numbers
import weakref
from operator import attrgetter

import numpy as np

from . import engine
from ._checks import dim as _dim, fail, number, short, type_name
from .engine import Node
from .torch_api import TorchMethods

_new = object.__new__
_mode = engine._mode


class Tensor(TorchMethods, Node):
    """An n-d array node: ``data`` (ndarray), ``grad`` (ndarray or None), ``requires_grad``."""

    __slots__ = ("_data", "grad", "parents", "op", "name", "_backward", "_ctx", "requires_grad",
                 "_version", "_needs", "_recorded", "__weakref__")
    _SCALAR = False
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operators
    __hash__ = Node.__hash__  # comparisons are elementwise, identity stays the hash

    def __init__(self, data, requires_grad=False, name=None, dtype=None):
        data = as_array(data, dtype, "Tensor")
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Tensor: requires_grad must be a bool, got {requires_grad!r}")
        if requires_grad and data.dtype.kind != "f":
            raise ValueError(f"Tensor: only floating-point tensors can require grad, got dtype {data.dtype}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Tensor: name must be a str or None, got {type_name(name)}")
        _init_leaf(self, data, requires_grad, name)

    # ------------------------------------------------------------ attributes
    def _set_data(self, value):
        if not isinstance(value, np.ndarray):
            if not isinstance(value, np.generic) or value.dtype.kind not in "fiub":
                raise TypeError(f"Tensor.data: assign an ndarray, got {type_name(value)}")
            value = np.asarray(value)  # a 0-d result such as t.data - 1 on a 0-d tensor
        self._data = value
        stamp(self)  # and whatever shares its memory: `p.data -= g` changes that memory in place

    data = property(attrgetter("_data"), _set_data,
                    doc="The ndarray. Assigning to it (``p.data -= lr * g`` too) counts as a change of the "
                        "tensor: graphs recorded before refuse to backpropagate through the old values.")
    shape = property(lambda self: self._data.shape, doc="The shape of ``data``.")
    ndim = property(lambda self: self._data.ndim, doc="The number of dimensions.")
    dtype = property(lambda self: self._data.dtype, doc="The NumPy dtype of ``data``.")

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __repr__(self):
        body = np.array2string(self._data, precision=4, separator=", ", prefix="tensor(")
        extra = f", name={self.name!r}" if self.name else ""
        if self.op:
            extra += f", op={self.op!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        if self._data.dtype != np.float64:
            extra += f", dtype={self._data.dtype}"
        return f"tensor({body}{extra})"

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"Tensor.item: only one-element tensors can be converted, this one has shape {self.shape}")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared, not copied, like PyTorch's)."""
        return self._data

    def detach(self) -> "Tensor":
        """The same data (shared, like PyTorch's) as a new leaf that does not require grad."""
        return view_of(Tensor._leaf(self._data, False), self)

    def zero_grad(self):
        """Forget the accumulated gradient (sets ``grad`` to None, like PyTorch)."""
        self.grad = None

    def requires_grad_(self, flag=True) -> "Tensor":
        """Turn gradient tracking on (or off) for this leaf, in place."""
        if flag and self._data.dtype.kind != "f":
            raise ValueError(f"Tensor.requires_grad_: only floating-point tensors can require grad, got {self.dtype}")
        self.requires_grad = bool(flag)
        return self

    def backward(self, grad=None, retain_graph=None, inputs=None, *, gradient=None):
        """Reverse mode from this tensor; ``grad`` (PyTorch's ``gradient=``) may be omitted only for one element.

        The graph is always retained (diagrams and derivations read it afterwards), so
        ``retain_graph`` is accepted for PyTorch compatibility and changes nothing. ``inputs``
        (tensors) limits the pass to the paths from them, as in PyTorch.
        """
        if gradient is not None:
            if grad is not None:
                raise TypeError("Tensor.backward: give grad or gradient (the same argument), not both")
            grad = gradient
        if not self.requires_grad:
            raise ValueError(
                f"Tensor.backward: this tensor (shape {self.shape}) does not require grad and has no graph "
                "(make a leaf with requires_grad=True, outside no_grad)")
        if grad is None:
            if self._data.size != 1:
                raise ValueError(
                    f"Tensor.backward: grad can be implicitly created only for a one-element output; "
                    f"this tensor has shape {self.shape}, so pass grad= of that shape")
            seed = np.ones_like(self._data)
        else:
            seed = _seed(grad, self)
            if seed.shape != self.shape:
                raise ValueError(f"Tensor.backward: grad has shape {seed.shape} but the tensor has shape {self.shape}")
            seed = seed.astype(self._data.dtype, copy=True)
        with np.errstate(all="ignore"):  # once for the whole pass: inf and nan propagate silently
            engine.backward(self, seed, None if inputs is None else _inputs(inputs))

    # ------------------------------------------------------------ operators
    # Thin: each calls the op in minigrad/ops/ where its forward and backward live.
    def __add__(self, other):
        return _ew.add(self, other)

    def __radd__(self, other):
        return _ew.add(other, self)

    def __sub__(self, other):
        return _ew.sub(self, other)

    def __rsub__(self, other):
        return _ew.sub(other, self)

    def __mul__(self, other):
        return _ew.mul(self, other)

    def __rmul__(self, other):
        return _ew.mul(other, self)

    def __truediv__(self, other):
        return _ew.div(self, other)

    def __rtruediv__(self, other):
        return _ew.div(other, self)

    def __pow__(self, other):
        return _ew.power(self, other)

    def __rpow__(self, other):
        return _ew.power(other, self)

    def __matmul__(self, other):
        return _la.matmul(self, other)

    def __rmatmul__(self, other):
        return _la.matmul(other, self)

    def __neg__(self):
        return _ew.neg(self)

    def __pos__(self):
        return self

    # comparisons: bool tensors outside the graph, like PyTorch's
    def _comparison(ufunc):
        identity = ufunc in (np.equal, np.not_equal)

        def compare(self, other):
            if identity and not _ew.comparable(other):
                return NotImplemented     # t == None is False and t != "a" True, as in PyTorch
            return _ew.compare(self, other, ufunc)
        compare.__name__ = f"__{ufunc.__name__}__"
        return compare

    __lt__, __le__, __gt__, __ge__, __eq__, __ne__ = map(_comparison, (
        np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal))
    del _comparison

    # bitwise on integers, logical on masks: bool tensors outside the graph, like PyTorch's
    def _bitwise(ufunc, name, reflected=False):
        def op(self, other):
            if not _ew.comparable(other):
                return NotImplemented
            fn = f"Tensor.{name}"
            return _ew.bitwise(other, self, ufunc, fn) if reflected else _ew.bitwise(self, other, ufunc, fn)
        op.__name__ = name
        return op

    __and__, __rand__ = _bitwise(np.bitwise_and, "__and__"), _bitwise(np.bitwise_and, "__rand__", True)
    __or__, __ror__ = _bitwise(np.bitwise_or, "__or__"), _bitwise(np.bitwise_or, "__ror__", True)
    __xor__, __rxor__ = _bitwise(np.bitwise_xor, "__xor__"), _bitwise(np.bitwise_xor, "__rxor__", True)
    del _bitwise

    def __invert__(self):
        return _ew.bitwise(self, None, np.invert, "Tensor.__invert__")

    def __abs__(self):
        return _ew.absolute(self)

    def __contains__(self, value):
        """``value in t``: whether some element equals it (PyTorch's ``(t == value).any()``)."""
        return bool(np.any(_ew.compare(self, value, np.equal)._data))

    def any(self, dim=None, keepdim=False):
        """Whether some element is nonzero (over ``dim``, or all), a bool tensor outside the graph."""
        return _truth(self, np.any, dim, keepdim, "Tensor.any")

    def all(self, dim=None, keepdim=False):
        """Whether every element is nonzero (over ``dim``, or all), a bool tensor outside the graph."""
        return _truth(self, np.all, dim, keepdim, "Tensor.all")

    def __bool__(self):
        if self._data.size != 1:
            raise ValueError(f"Tensor.__bool__: the truth value of a tensor of shape {self.shape} is ambiguous; "
                             "use .any() or .all()")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)`` (and matplotlib) see the data, not an object array of tensors."""
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def tolist(self):
        """The data as (nested) Python lists."""
        return self._data.tolist()

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, index):
        return _shape.getitem(self, index)

    # ------------------------------------------------------------ in place (minigrad/ops/inplace.py)
    def __setitem__(self, index, value):
        """``t[index] = value``: in place; recorded (``setitem``) when a tensor involved requires grad."""
        _inplace.assign(self, index, value)

    def __iadd__(self, other):
        return _inplace.add_(self, other, fn="Tensor.__iadd__")

    def __isub__(self, other):
        return _inplace.sub_(self, other, fn="Tensor.__isub__")

    def __imul__(self, other):
        return _inplace.mul_(self, other, fn="Tensor.__imul__")

    def __itruediv__(self, other):
        return _inplace.div_(self, other, fn="Tensor.__itruediv__")

    def add_(self, other, alpha=1):
        """self += alpha * other, in place (refused on a leaf that requires grad, outside no_grad)."""
        return _inplace.add_(self, other, alpha)

    def sub_(self, other, alpha=1):
        """self -= alpha * other, in place."""
        return _inplace.sub_(self, other, alpha)

    def mul_(self, other):
        """self *= other, in place."""
        return _inplace.mul_(self, other)

    def div_(self, other, rounding_mode=None):
        """self /= other, in place (``rounding_mode`` as in ``div``)."""
        return _inplace.div_(self, other, rounding_mode)

    def clamp_(self, min=None, max=None):
        """self limited to [min, max], in place."""
        return _inplace.clamp_(self, min, max)

    clip_ = clamp_

    def fill_(self, value):
        """Every element set to ``value``, in place."""
        return _inplace.fill_(self, value)

    def zero_(self):
        """Every element set to 0, in place."""
        return _inplace.fill_(self, 0)

    def copy_(self, src):
        """``src``'s numbers (broadcast, cast to this dtype) copied into this tensor, in place."""
        return _inplace.copy_(self, src)

    # ------------------------------------------------------------ reductions
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Σ over ``axis`` (``dim``/``keepdim`` accepted as PyTorch spells them)."""
        return _red.sum(self, _axis(axis, dim), keepdims if keepdim is None else keepdim)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Mean over ``axis`` (all axes by default)."""
        return _red.mean(self, _axis(axis, dim), keepdims if keepdim is None else keepdim)

    def max(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """``t.max()`` a 0-d tensor; ``t.max(dim)`` the named tuple (values, indices); ``t.max(other)`` the maximum.

        ``dim`` may be given as ``dim=``; ``t.max(other)`` is the elementwise ``maximum``. The NumPy
        spelling ``t.max(axis=..., keepdims=...)`` returns the values only (an int or a tuple of axes).

        Ties follow PyTorch: along one dim the first maximum takes the whole gradient; over all
        axes or a tuple of axes it is split evenly among the tied maxima.
        """
        return _extreme_method("max", self, dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """PyTorch's ``min``, spelled and tied as ``max``."""
        return _extreme_method("min", self, dim, keepdim, axis, keepdims)

    def maximum(self, other):
        """The larger of the two, element by element (``torch.maximum``; a tie splits the gradient)."""
        return _ew.maximum(self, other)

    def minimum(self, other):
        """The smaller of the two, element by element (``torch.minimum``)."""
        return _ew.minimum(self, other)

    def amax(self, dim=(), keepdim=False):
        """The maximum over ``dim`` (an int or a tuple; ``()`` or None: all), values only; ties split
        evenly, and a NaN maximum gives its whole slice a NaN gradient (``torch.amax``'s rule)."""
        return _red.max(self, _all_dims(dim, self.ndim), keepdim)

    def amin(self, dim=(), keepdim=False):
        """The minimum over ``dim`` (an int or a tuple), values only; ties and NaN as in ``amax``."""
        return _red.min(self, _all_dims(dim, self.ndim), keepdim)

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Index of the first maximum (int64, no grad)."""
        return _red.argmax(self, _axis(axis, dim), keepdims if keepdim is None else keepdim)

    def argmin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Index of the first minimum (int64, no grad)."""
        return _red.argmin(self, _axis(axis, dim), keepdims if keepdim is None else keepdim)

    # ------------------------------------------------------------ shape
    def reshape(self, *shape):
        """The same numbers in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, -1))``."""
        return _shape.reshape(self, _shape.shape_arg("reshape", shape))

    def view(self, *shape):
        """``reshape`` (PyTorch's name)."""
        return _shape.reshape(self, _shape.shape_arg("view", shape), "view")

    def flatten(self, start_dim=0, end_dim=-1):
        """Dimensions start_dim..end_dim merged into one."""
        return _shape.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        """Drop dimensions of size 1 (just ``dim`` if given)."""
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        """Insert a dimension of size 1 at ``dim``."""
        return _shape.unsqueeze(self, dim)

    def transpose(self, *axes):
        """No axes: reverse them; two: swap them (PyTorch); one per dimension: permute (NumPy)."""
        return _shape.transpose(self, axes)

    def permute(self, *dims):
        """Axes reordered: result axis i is axis ``dims[i]``."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return _shape.permute(self, dims)

    T = property(lambda self: _shape.transpose(self, ()), doc="The axes reversed (the transpose of a matrix).")
    mT = property(lambda self: _shape.transpose(self, (-2, -1)) if self._data.ndim >= 2 else _shape.matrix_needed(self),
                  doc="The last two axes swapped (a batch of matrices transposed; PyTorch's ``mT``).")

    # ------------------------------------------------------------ elementwise functions
    def exp(self):
        """e^x."""
        return _ew.exp(self)

    def log(self):
        """Natural log."""
        return _ew.log(self)

    def sqrt(self):
        """Square root."""
        return _ew.sqrt(self)

    def abs(self):
        """|x|."""
        return _ew.absolute(self)

    def clip(self, min=None, max=None):
        """Values limited to [min, max] (``clamp`` is the same)."""
        return _ew.clip(self, min, max)

    clamp = clip

    def tanh(self):
        """tanh x."""
        return _act.tanh(self)

    def sigmoid(self):
        """1 / (1 + e^-x)."""
        return _act.sigmoid(self)

    def relu(self):
        """max(x, 0)."""
        return _act.relu(self)

    def leaky_relu(self, negative_slope=0.01):
        """x if x > 0 else negative_slope * x."""
        return _act.leaky_relu(self, number("Tensor.leaky_relu", "negative_slope", negative_slope))

    def softmax(self, dim):
        """Softmax along ``dim``."""
        return _act.softmax(self, _shape._dim("softmax", "dim", dim, max(self.ndim, 1)))

    def log_softmax(self, dim):
        """Log-softmax along ``dim``."""
        return _act.log_softmax(self, _shape._dim("log_softmax", "dim", dim, max(self.ndim, 1)))

    # ------------------------------------------------------------ PyTorch's names for the operators
    def add(self, other, alpha=1):
        """self + alpha * other."""
        return _ew.add(self, other if alpha == 1 else other * number("Tensor.add", "alpha", alpha))

    def sub(self, other, alpha=1):
        """self - alpha * other."""
        return _ew.sub(self, other if alpha == 1 else other * number("Tensor.sub", "alpha", alpha))

    def mul(self, other):
        """self * other."""
        return _ew.mul(self, other)

    def div(self, other, rounding_mode=None):
        """self / other; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (gradient 0, like PyTorch)."""
        q = _ew.div(self, other)
        if rounding_mode is None:
            return q
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"Tensor.div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        r = _ew.step(q, rounding_mode)
        dt = _ew.result_dtype(self._data, _ew.lift(other, self, "Tensor.div")._data)
        return _shape.cast(r, dt) if dt.kind in "iu" else r   # integers stay integers, like PyTorch

    true_divide = divide = div
    multiply = mul
    subtract = sub

    def pow(self, exponent):
        """self ** exponent."""
        return _ew.power(self, exponent)

    def neg(self):
        """-self."""
        return _ew.neg(self)

    negative = neg

    def matmul(self, other):
        """self @ other."""
        return _la.matmul(self, other)

    def mm(self, other):
        """The product of two matrices (``matmul`` for 2-D tensors only, like PyTorch's ``mm``)."""
        if self._data.ndim != 2 or getattr(other, "ndim", None) != 2:
            raise ValueError(f"Tensor.mm: both operands must be matrices, got shapes {self.shape} and "
                             f"{getattr(other, 'shape', type_name(other))} (matmul takes others)")
        return _la.matmul(self, other, "mm")

    def t(self):
        """The transpose of a matrix (a tensor of at most 2 dimensions, like PyTorch's ``t()``)."""
        if self._data.ndim > 2:
            raise ValueError(f"Tensor.t: expects a tensor of at most 2 dimensions, got shape {self.shape} "
                             "(use transpose(dim0, dim1))")
        return _shape.transpose(self, ())

    def clone(self):
        """A copy with its own memory that stays in the graph."""
        return _shape.clone(self)

    def contiguous(self):
        """This tensor (NumPy arrays need no reordering for minigrad's ops)."""
        return self

    def expand(self, *sizes):
        """A view broadcast to ``sizes`` (-1 keeps a dimension); the gradient is summed back."""
        return _shape.expand(self, _shape.shape_arg("expand", sizes))

    def expand_as(self, other):
        """``expand(other.shape)``."""
        return _shape.expand(self, other.shape, "expand_as")

    def repeat(self, *repeats):
        """Tiled ``repeats`` times along each dimension (NumPy's ``tile``)."""
        return _shape.repeat(self, _shape.shape_arg("repeat", repeats))

    def masked_fill(self, mask, value):
        """``value`` where ``mask`` holds, this tensor elsewhere (the gradient passes where it was kept)."""
        return _shape.masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        """``masked_fill`` in place."""
        return _inplace.change(self, "Tensor.masked_fill_", lambda a, write: _shape.masked_fill(a, mask, value),
                               (value,), any_dtype=True)

    def where(self, condition, other):
        """This tensor where ``condition`` holds, else ``other`` (``torch.where(condition, self, other)``)."""
        return _shape.where(condition, self, other)

    # ------------------------------------------------------------ more math (PyTorch's names)
    def sin(self):
        """sin x."""
        return _ew.sin(self)

    def cos(self):
        """cos x."""
        return _ew.cos(self)

    def log2(self):
        """log₂ x."""
        return _ew.log2(self)

    def log10(self):
        """log₁₀ x."""
        return _ew.log10(self)

    def sign(self):
        """-1, 0 or 1 (gradient 0)."""
        return _ew.step(self, "sign")

    def floor(self):
        """Rounded down (gradient 0)."""
        return _ew.step(self, "floor")

    def ceil(self):
        """Rounded up (gradient 0)."""
        return _ew.step(self, "ceil")

    def trunc(self):
        """Rounded towards 0 (gradient 0)."""
        return _ew.step(self, "trunc")

    def round(self, decimals=0):
        """Rounded half to even, to ``decimals`` places (gradient 0)."""
        return _ew.step(self, "round", decimals)

    def square(self):
        """x²."""
        return _ew.power(self, 2)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """The variance over ``dim`` with ``correction`` (1, or 0 when ``unbiased=False``), as PyTorch."""
        return _red.var(self, dim, _correction("var", unbiased, correction), keepdim)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """The standard deviation √var (gradient 0 where it is 0, like PyTorch)."""
        return _red.std(self, dim, _correction("std", unbiased, correction), keepdim)

    def prod(self, dim=None, keepdim=False):
        """The product over ``dim`` (all elements by default)."""
        return _red.prod(self, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        """log Σ e^x over ``dim``, computed without overflow."""
        return _red.logsumexp(self, dim, keepdim)

    def cumsum(self, dim, *, dtype=None):
        """Running sums along ``dim`` (of the tensor cast to ``dtype`` first, if given)."""
        return _red.cumsum(self._cast("Tensor.cumsum", dtype), dim)

    def norm(self, p="fro", dim=None, keepdim=False):
        """The p-norm over ``dim`` (all elements by default): 'fro' or 2, a number > 0, inf or -inf."""
        return _norm(self, p, dim, keepdim)

    def gather(self, dim, index):
        """out[i][j] = self[i][index[i][j]] for dim = 1 (PyTorch's ``gather``)."""
        return _select.gather(self, dim, index)

    def sort(self, dim=-1, descending=False, stable=False):
        """``(values, indices)`` sorted along ``dim``; the sort is always stable."""
        return _select.sort(self, dim, descending)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The ``k`` largest (``largest=False``: smallest) along ``dim``: ``(values, indices)``."""
        return _select.topk(self, k, dim, largest)

    # ------------------------------------------------------------ more of PyTorch's functions (issue 13)
    def isnan(self):
        """True where the element is NaN (a bool tensor outside the graph)."""
        return Tensor._leaf(np.isnan(self._data), False)

    def isinf(self):
        """True where the element is inf or -inf."""
        return Tensor._leaf(np.isinf(self._data), False)

    def isfinite(self):
        """True where the element is neither NaN nor infinite."""
        return Tensor._leaf(np.isfinite(self._data), False)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        """NaN, inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
        dtype's largest and smallest numbers); the gradient passes where the element was finite."""
        return _compose.nan_to_num(self, nan, posinf, neginf)

    def log1p(self):
        """ln(1 + x), exact for small x."""
        return _ew.log1p(self)

    def expm1(self):
        """e^x - 1, exact for small x."""
        return _ew.expm1(self)

    def reciprocal(self):
        """1 / x."""
        return _ew.div(1.0, self)

    def rsqrt(self):
        """1 / √x."""
        return _ew.rsqrt(self)

    def flip(self, *dims):
        """The elements in reverse order along each of ``dims`` (a copy, as PyTorch's)."""
        return _compose.flip(self, dims)

    def roll(self, shifts, dims=None):
        """The elements moved ``shifts`` places along ``dims`` (ints or tuples of ints), those pushed
        off the end coming back at the start; ``dims=None`` rolls the flattened tensor."""
        return _compose.roll(self, shifts, dims)

    def chunk(self, chunks, dim=0):
        """At most ``chunks`` views along ``dim``, each of ceil(n / chunks) elements (the last may be smaller)."""
        return _compose.chunk(self, chunks, dim)

    def split(self, split_size_or_sections, dim=0):
        """Views along ``dim``: of ``split_size`` elements each (the last may be smaller), or of the
        sizes in a list, which must add up to the side."""
        return _compose.split(self, split_size_or_sections, dim)

    def index_select(self, dim, index):
        """The entries at ``index`` (a 1-D tensor of whole numbers) along ``dim``, in its order: a copy."""
        return _compose.index_select(self, dim, index)

    def bmm(self, other):
        """A batch of matrix products: (b, n, m) @ (b, m, p) is (b, n, p) (``matmul`` for 3-D tensors only)."""
        return _compose.bmm(self, other)

    def argsort(self, dim=-1, descending=False, stable=False):
        """The indices that sort along ``dim`` (``sort(...).indices``)."""
        return _select.sort(self, dim, descending).indices

    def tril(self, diagonal=0):
        """The lower triangle of the last two dimensions (on and below ``diagonal``), zeros above."""
        return _compose.triangle(self, "tril", diagonal)

    def triu(self, diagonal=0):
        """The upper triangle of the last two dimensions (on and above ``diagonal``), zeros below."""
        return _compose.triangle(self, "triu", diagonal)

    def view_as(self, other):
        """``view(other.shape)``."""
        if not isinstance(other, Tensor):
            fail("Tensor.view_as", f"other must be a Tensor, got {type_name(other)}", TypeError)
        return _shape.reshape(self, other.shape, "Tensor.view_as")

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of ``size`` in this tensor's dtype (unless ``dtype`` is given)."""
        return _factory.zeros(*size, dtype=self._data.dtype if dtype is None else dtype, device=device,
                              requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones of ``size`` in this tensor's dtype."""
        return _factory.ones(*size, dtype=self._data.dtype if dtype is None else dtype, device=device,
                             requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        """``fill_value`` in ``size`` and this tensor's dtype."""
        return _factory.full(size, fill_value, dtype=self._data.dtype if dtype is None else dtype, device=device,
                             requires_grad=requires_grad)

    # ------------------------------------------------------------ dtype
    def astype(self, dtype):
        """The same numbers in ``dtype`` (float results stay differentiable)."""
        return _shape.cast(self, dtype)

    def float(self):
        """As float32 (PyTorch's ``float()``)."""
        return _shape.cast(self, np.float32)

    def double(self):
        """As float64."""
        return _shape.cast(self, np.float64)

    def long(self):
        """As int64 (outside the graph)."""
        return _shape.cast(self, np.int64)

    def numel(self) -> int:
        """The number of elements (PyTorch's name for ``size``)."""
        return self._data.size

    def dim(self) -> int:
        """The number of dimensions (PyTorch's name for ``ndim``)."""
        return self._data.ndim

    @staticmethod
    def _leaf(data, requires_grad):
        """A leaf around an existing array (no copy, no checks)."""
        return _init_leaf(_new(Tensor), data, requires_grad, None)

    # ------------------------------------------------------------ read by the engine
    def _changed(self, t):
        """Refuse to backpropagate through ``t``, an input of this op changed since its forward."""
        _changed(self, t)


def _init_leaf(t, data, requires_grad, name):
    """The one place a leaf's slots are filled."""
    t._data = data
    t.grad = None
    t.parents = ()
    t.op = ""
    t.name = name
    t._backward = None
    t._ctx = None
    t.requires_grad = requires_grad
    t._version = 0
    t._needs = ()
    t._recorded = 0
    return t


_clock = [0]
"""The change clock: every assignment to a tensor's ``data`` ticks it and stamps the tensor
(``_version``); a recorded op keeps the time of its forward (``_recorded``), so an input
stamped later was changed after the forward used it. One int per node, compared at backward."""


# ------------------------------------------------------------ memory shared between tensors
_sharing: dict = {}
"""``id(tensor)`` → its family: ``{id: weak reference}`` of the tensors whose arrays share its
memory, itself included (made by ``detach()`` and the view ops: reshape, transpose, basic
indexing, expand). An in-place change through any member stamps them all, as PyTorch's views
share one version counter. A tensor leaves its family when it is garbage collected."""


def view_of(view: Tensor, base: Tensor) -> Tensor:
    """Note that ``view``'s array shares ``base``'s memory; returns ``view``."""
    if view is base or (view._data.base is None and view._data is not base._data):
        return view
    family = _sharing.get(id(base))
    if family is None:
        family = {}
        _join(family, base)
    _join(family, view)
    return view


def _join(family: dict, t: Tensor):
    key = id(t)
    family[key] = weakref.ref(t, lambda ref: (family.pop(key, None), _sharing.pop(key, None)))
    _sharing[key] = family


def stamp(t: Tensor):
    """Tick the change clock and stamp ``t`` and every tensor sharing its memory: graphs recorded
    before refuse to backpropagate through their old values."""
    _clock[0] += 1
    now = _clock[0]
    t._version = now
    family = _sharing.get(id(t))
    if family is not None:
        for ref in list(family.values()):
            member = ref()
            if member is not None:
                member._version = now


def unshare(t: Tensor, heir: Tensor):
    """``t`` holds a new array of its own now, and ``heir`` its old one: ``heir`` takes its place in its family."""
    family = _sharing.pop(id(t), None)
    if family is not None:
        family.pop(id(t), None)
        _join(family, heir)


def check_tensor(fn: str, arg: str, x, *, optional=False, floating=True):
    """``x`` must be a Tensor (or None when ``optional``), floating point unless ``floating=False``:
    the check every public function makes of its tensor arguments."""
    if x is None and optional:
        return None
    if not isinstance(x, Tensor):
        fail(fn, f"{arg} must be a Tensor, got {type_name(x)} (wrap arrays with mg.tensor(...))", TypeError)
    if floating and x.data.dtype.kind != "f":
        fail(fn, f"{arg} must be a floating-point tensor, got dtype {x.data.dtype} "
                 f"(e.g. mg.tensor(data, dtype='float64'))", TypeError)
    return x


def describe(t) -> str:
    """How an error message names a tensor: its name (parameters carry their state-dict key) and shape."""
    what = f"tensor {t.name!r}" if t.name else ("an unnamed leaf tensor" if not t.parents else f"the {t.op} output")
    return f"{what} of shape {tuple(t._data.shape)}"


def _changed(node, t):
    raise RuntimeError(
        f"backward: {describe(t)} was changed after the forward used it (in place, by an optimizer step or by "
        f"assigning its .data), so the gradient of the {node.op} that read it would be wrong. Run the forward "
        "again after changing it (or change a copy, t.detach().clone()).")


def _inputs(inputs):
    """``backward(inputs=...)``: a tensor or a sequence of tensors."""
    items = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for t in items:
        if not isinstance(t, Tensor):
            raise TypeError(f"Tensor.backward: inputs must be tensors, got {type_name(t)}")
    return items


def as_array(data, dtype, where):
    """``data`` as an ndarray: float64 unless ``dtype`` says otherwise; integer arrays keep
    their dtype (class targets) and bools stay bool (masks, as in PyTorch); anything that is not
    numeric is a TypeError naming ``where``."""
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
        raise TypeError(f"{where}: data must be numbers or an array of numbers, got {type_name(data)} ({e})") from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{where}: data must be numeric, got dtype {arr.dtype}")
    if dtype is None and arr.dtype.kind in "iu" and not isinstance(data, np.ndarray):
        arr = arr.astype(np.float64)
    if dtype is None and arr.dtype.kind == "f" and arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if arr is data:
        arr = arr.copy()
    return arr


def floating(x: np.ndarray) -> np.ndarray:
    """``x`` itself if it holds floats, else as float64: what exp, sin, sigmoid, softmax, ... compute in
    for an integer or bool tensor (PyTorch's float default is float32, minigrad's float64; NumPy alone
    would give float16 for bools and keep sigmoid's integers)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


# ------------------------------------------------------------ shared by every op
def record(data, parents, op, ctx=None) -> Tensor:
    """The output node of ``op`` (an ``optable.Op``): linked to its parents only when some
    parent needs a grad, remembering which ones did and their versions (see ``_check_inputs``)."""
    t = _new(Tensor)
    t._data = data
    t.grad = None
    t.name = None
    t._version = 0
    if _mode.enabled:
        n = len(parents)
        if n == 1:
            needs = _ONE_NEEDS if parents[0].requires_grad else None
        elif n == 2:
            needs = _TWO_NEEDS[parents[0].requires_grad, parents[1].requires_grad]
        else:
            needs = tuple([p.requires_grad for p in parents])
            if True not in needs:
                needs = None
        if needs is not None:
            t.parents = parents
            t.op = op.name
            t._backward = op.backward
            t._ctx = ctx
            t.requires_grad = True
            t._needs = needs
            t._recorded = _clock[0]
            return t
    t.parents = ()
    t.op = ""
    t._backward = None
    t._ctx = None
    t.requires_grad = False
    t._needs = ()
    t._recorded = 0
    return t


def _call(fn, *args, **kwargs):
    return fn(*args, **kwargs)


if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
    quietly = np.errstate(all="ignore")(_call)
    """``fn(*args, **kwargs)`` with NumPy's floating-point warnings off, so inf and nan propagate
    silently: ``with np.errstate(all="ignore")`` without a new context-manager object per op (NumPy 2's
    decorator keeps its token per call, so it is safe in threads and nested)."""
else:  # NumPy 1's errstate keeps the state to restore on the shared instance: one per call
    def quietly(fn, *args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)


_ONE_NEEDS = (True,)
_TWO_NEEDS = {(True, True): (True, True), (True, False): (True, False), (False, True): (False, True),
              (False, False): None}


def needs_grad(*tensors) -> bool:
    """True when an op on these tensors will be recorded (so its backward context is worth saving)."""
    return _mode.enabled and any(t.requires_grad for t in tensors)


def _extreme_method(fn, t, dim, keepdim, axis, keepdims):
    """``Tensor.max``/``min``: which of PyTorch's three meanings (or NumPy's spelling) was asked for."""
    if keepdim is not None and keepdims is not None and keepdim != keepdims:
        raise TypeError(f"Tensor.{fn}: give keepdim or keepdims, not both")
    keep = keepdims if keepdim is None else keepdim
    if dim is None:
        return (_red.max if fn == "max" else _red.min)(t, axis, (False if keep is None else keep))
    if axis is not None:
        raise TypeError(f"Tensor.{fn}: give axis or dim, not both")
    if isinstance(dim, Tensor):
        if keep is not None:
            raise TypeError(f"Tensor.{fn}: keepdim has no meaning for the elementwise {fn} of two tensors")
        return (_ew.maximum if fn == "max" else _ew.minimum)(t, dim)
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"Tensor.{fn}: dim must be an int (amax/amin take a tuple of dims, or use axis=), "
                        f"got {dim!r}")
    return (_red.max_dim if fn == "max" else _red.min_dim)(t, dim, (False if keep is None else keep))


def _seed(grad, t) -> np.ndarray:
    """``backward``'s ``grad`` as an array of real numbers (a Tensor, an array, a list or a number)."""
    if isinstance(grad, Tensor):
        seed = grad.data
    elif isinstance(grad, (np.ndarray, np.generic, list, tuple, numbers.Number)) and not isinstance(grad, (str, bytes)):
        try:
            seed = np.asarray(grad)
        except (ValueError, OverflowError) as e:
            raise ValueError(f"Tensor.backward: grad must hold real numbers ({e})") from None
    else:
        raise TypeError(f"Tensor.backward: grad must be a Tensor or an array of real numbers, got {type_name(grad)} "
                        f"{short(grad)}")
    if seed.dtype.kind not in "biuf":
        kind = "complex numbers" if seed.dtype.kind == "c" else f"dtype {seed.dtype}"
        raise TypeError(f"Tensor.backward: grad must hold real numbers, got {kind} (shape {seed.shape}); "
                        f"the tensor is {t.dtype}")
    return seed


def _correction(fn, unbiased, correction):
    if unbiased is not None and correction is not None:
        raise TypeError(f"Tensor.{fn}: give unbiased or correction, not both")
    if correction is not None:
        return number(f"Tensor.{fn}", "correction", correction)
    return 1 if unbiased is None or unbiased else 0


def _norm(t, p, dim, keepdim):
    """``Tensor.norm``: 'fro' is 2; ±inf are the largest / smallest |x| (ties split the gradient)."""
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str) or isinstance(p, bool) or not isinstance(p, (int, float)):
        raise ValueError(f"Tensor.norm: p must be 'fro', a number > 0, inf or -inf, got {p!r}")
    axes = _all_dims(dim, t.ndim)
    if p == float("inf"):   # a NaN norm sends its gradient to the NaNs, where |x|' is 0: PyTorch's 0
        return _red.max(_ew.absolute(t), axes, keepdim, nan_hits=True)
    if p == float("-inf"):
        return _red.min(_ew.absolute(t), axes, keepdim, nan_hits=True)
    if not p > 0:
        raise ValueError(f"Tensor.norm: p must be 'fro', a number > 0, inf or -inf, got {p!r}")
    return _red.norm(t, p, axes, keepdim)


def _all_dims(dim, ndim):
    """amax/amin's ``dim`` as the reductions take it, always a tuple (``torch.amax``'s rule for
    ties and NaN): ``()``/None mean every axis, and one int is a tuple of one."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    return (dim,) if isinstance(dim, int) else tuple(dim) if isinstance(dim, list) else dim


def _truth(t, reduce, dim, keepdim, fn):
    axes = _red.normalize_axis(fn, dim, t._data.ndim)
    return Tensor._leaf(np.asarray(reduce(t._data, axis=axes, keepdims=bool(keepdim))), False)


def _axis(axis, dim):
    if dim is None:
        return axis
    if axis is not None:
        raise TypeError("Tensor: give axis or dim, not both")
    return dim


# The ops import this module, so they are bound last.
from .ops import activation as _act  # noqa: E402
from .ops import compose as _compose  # noqa: E402
from .ops import elementwise as _ew  # noqa: E402
from .ops import inplace as _inplace  # noqa: E402
from .ops import linalg as _la  # noqa: E402
from .ops import reduce as _red  # noqa: E402
from .ops import select as _select  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from . import factory as _factory  # noqa: E402
