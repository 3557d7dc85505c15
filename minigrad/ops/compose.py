"""PyTorch's functions that are built from other ops and need no backward rule of their own:
``flip roll chunk split index_select bmm tril triu nan_to_num``. Each is indexing, ``where`` or
``matmul`` underneath, so its gradient and its scalar expansion are those ops'."""
from __future__ import annotations

import numpy as np

from .._checks import count, dim as _dim, fail, is_int, number, type_name
from ..tensor import Tensor
from . import linalg as _la
from . import shape as _shape


def nan_to_num(t: Tensor, nan, posinf, neginf) -> Tensor:
    """NaN, inf and -inf replaced (by default 0 and the dtype's largest and smallest numbers)."""
    fn = "Tensor.nan_to_num"
    nan, posinf, neginf = (None if v is None and arg != "nan" else number(fn, arg, v)
                           for arg, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)))
    x = t._data
    if x.dtype.kind != "f":
        return _shape.clone(t)
    fill = np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    return _shape.where(np.isfinite(x), t, Tensor._leaf(fill, False))


def flip(t: Tensor, dims) -> Tensor:
    """The elements reversed along each of ``dims`` (a copy)."""
    if not dims:
        fail("Tensor.flip", "dims must be given (an int or a tuple of ints), as in PyTorch", TypeError)
    out = t
    for d in _dims_arg("flip", dims, t._data.ndim):
        out = _take(out, d, np.arange(t._data.shape[d] - 1, -1, -1))
    return out if out is not t else _shape.clone(t)


def roll(t: Tensor, shifts, dims) -> Tensor:
    """The elements moved ``shifts`` places along ``dims``; ``dims=None`` rolls the flattened tensor."""
    fn = "Tensor.roll"
    if dims is None:
        if not is_int(shifts):
            fail(fn, f"shifts must be an int when dims is None, got {shifts!r}", TypeError)
        return roll(t.reshape(-1), shifts, 0).reshape(t.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims) or not all(is_int(k) for k in shifts):
        fail(fn, f"shifts and dims must be ints or tuples of ints of one length, got shifts={shifts!r} "
                 f"and dims={dims!r}", TypeError)
    out = t
    for k, d in zip(shifts, _dims_arg("roll", dims, t._data.ndim)):
        n = t._data.shape[d]
        out = _take(out, d, (np.arange(n) - int(k)) % n if n else np.arange(0))
    return out if out is not t else _shape.clone(t)     # a copy, as PyTorch's


def chunk(t: Tensor, chunks, dim) -> tuple:
    """At most ``chunks`` views along ``dim`` of ceil(n / chunks) elements each."""
    fn = "Tensor.chunk"
    chunks = count(fn, "chunks", chunks)
    d = _dim(fn, "dim", dim, t._data.ndim)
    n = t._data.shape[d]
    if n == 0:      # PyTorch gives ``chunks`` empty pieces
        return tuple(t[(slice(None),) * d + (slice(0, 0),)] for _ in range(chunks))
    return split(t, -(-n // chunks), d)


def split(t: Tensor, split_size_or_sections, dim) -> tuple:
    """Views along ``dim`` of ``split_size`` elements each, or of the sizes in a list."""
    fn = "Tensor.split"
    d = _dim(fn, "dim", dim, t._data.ndim)
    n = t._data.shape[d]
    sizes = split_size_or_sections
    if is_int(sizes):
        if sizes < 0 or (sizes == 0 and n):
            fail(fn, f"split_size must be a positive int, got {sizes} (dim {dim} of shape {t.shape})")
        sizes = [sizes] * (n // sizes) + ([n % sizes] if n % sizes else []) if n else [0]
    elif isinstance(sizes, (tuple, list)) and all(is_int(k) and k >= 0 for k in sizes):
        if sum(sizes) != n:
            fail(fn, f"split sizes {list(sizes)} add up to {sum(sizes)}, but dim {dim} of shape "
                     f"{t.shape} has {n} elements")
    else:
        fail(fn, f"split_size_or_sections must be an int or a list of non-negative ints, got "
                 f"{split_size_or_sections!r}", TypeError)
    starts = np.cumsum([0, *sizes])
    lead = (slice(None),) * d
    return tuple(t[lead + (slice(int(a), int(b)),)] for a, b in zip(starts[:-1], starts[1:]))


def index_select(t: Tensor, dim, index) -> Tensor:
    """The entries at ``index`` (a 1-D tensor of whole numbers) along ``dim``, in its order: a copy."""
    fn = "Tensor.index_select"
    d = _dim(fn, "dim", dim, t._data.ndim)
    idx = _shape.whole_numbers(index._data) if isinstance(index, Tensor) else None
    if idx is None or idx.dtype.kind not in "iu" or idx.ndim > 1:
        what = f"dtype {idx.dtype} and shape {idx.shape}" if idx is not None else type_name(index)
        fail(fn, f"index must be a 1-D integer tensor, got {what}", TypeError)
    n = t._data.shape[d] if t._data.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        fail(fn, f"index holds {idx.min() if idx.min() < 0 else idx.max()}, out of range for dim {dim} "
                 f"of shape {t.shape} (size {n})")
    if t._data.ndim == 0:
        if idx.size != 1:
            fail(fn, f"a 0-d tensor takes an index of one element, got {idx.size}")
        return _shape.clone(t)
    return _take(t, d, idx.reshape(-1))


def bmm(t: Tensor, other) -> Tensor:
    """(b, n, m) @ (b, m, p) is (b, n, p): ``matmul`` for 3-D tensors of one batch size only."""
    sa, sb = t.shape, getattr(other, "shape", type_name(other))
    if len(sa) != 3 or getattr(other, "ndim", None) != 3 or sa[0] != sb[0]:
        fail("Tensor.bmm", f"both operands must be 3-D with one batch size, got shapes {sa} and {sb}")
    return _la.matmul(t, other, "bmm")


def triangle(t: Tensor, fn: str, diagonal) -> Tensor:
    """``tril`` / ``triu``: the last two dimensions kept on one side of ``diagonal``, zeros on the other."""
    x = t._data
    if x.ndim < 2:
        fail(f"Tensor.{fn}", f"needs a tensor of at least 2 dimensions, got shape {x.shape}")
    if not is_int(diagonal):
        fail(f"Tensor.{fn}", f"diagonal must be an int, got {type_name(diagonal)} {diagonal!r}", TypeError)
    n, m = x.shape[-2:]
    keep = np.tri(n, m, int(diagonal), dtype=bool) if fn == "tril" else ~np.tri(n, m, int(diagonal) - 1, dtype=bool)
    return _shape.where(keep, t, Tensor._leaf(np.zeros((), x.dtype), False))


def _dims_arg(fn, dims, ndim) -> tuple:
    """``flip(0, 1)``, ``flip((0, 1))`` or ``flip([0, 1])`` as distinct non-negative dims."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    out = tuple(_dim(f"Tensor.{fn}", "dims", d, ndim) for d in dims)
    if len(set(out)) != len(out):
        fail(f"Tensor.{fn}", f"dims {dims} name a dimension twice")
    return out if ndim else ()


def _take(t: Tensor, d: int, idx: np.ndarray) -> Tensor:
    """The entries ``idx`` of ``t`` along ``d``: a getitem (a copy, its gradient added back)."""
    return _shape.getitem(t, (slice(None),) * d + (idx.astype(np.int64),))
