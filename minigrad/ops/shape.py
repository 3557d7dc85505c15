"""Shape ops: reshape, transpose, indexing, dtype casts, cat and where. They move numbers, never
change them, so each backward moves the gradient back the same way."""
from __future__ import annotations

import numpy as np

from typing import NamedTuple

from .._checks import allocation, dim as _dim, fail, is_int, type_name
from ..grids import each, obj
from ..optable import register
from ..tensor import Tensor, record, view_of


class IndexOutOfRange(IndexError, ValueError):
    """An index outside a tensor's shape: an IndexError (so iteration stops, like NumPy's)
    that is also a ValueError (minigrad's contract for bad input)."""


# ---------------------------------------------------------------- reshape
def shape_arg(fn, shape):
    """``reshape(2, 3)`` or ``reshape((2, 3))`` as a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(is_int(n) for n in shape):
        fail(fn, f"shape must be ints, got {shape!r}", TypeError)
    shape = tuple(int(n) for n in shape)
    if fn in ("reshape", "view"):    # NumPy takes any negative size for -1; PyTorch refuses them
        if any(n < -1 for n in shape):
            fail(fn, f"invalid shape {shape}: a size must be >= 0, or -1 to infer one")
        if shape.count(-1) > 1:
            fail(fn, f"invalid shape {shape}: only one size can be -1 (inferred)")
    return shape


def reshape(a: Tensor, shape: tuple, fn="reshape") -> Tensor:
    """The same numbers in a new shape (-1 infers one size); the gradient is reshaped back."""
    x = a._data
    if shape != x.shape:
        try:
            data = x.reshape(shape)
        except ValueError:
            fail(fn, f"cannot reshape a tensor of shape {x.shape} ({x.size} elements) to {shape}")
    else:
        data = x.view()
    return view_of(record(data, (a,), RESHAPE), a)


def _reshape_backward(out, g, needs):
    return (g.reshape(out.parents[0]._data.shape),)


RESHAPE = register("reshape", _reshape_backward, scalar=False, expand=lambda t, a: a.reshape(t.shape))


def flatten(a: Tensor, start_dim=0, end_dim=-1) -> Tensor:
    """Dimensions start_dim..end_dim merged into one (PyTorch's ``flatten``)."""
    nd = a._data.ndim
    if nd == 0:
        return reshape(a, (1,), "flatten")
    s, e = (_dim("flatten", "start_dim", start_dim, nd), _dim("flatten", "end_dim", end_dim, nd))
    if s > e:
        fail("flatten", f"start_dim {start_dim} comes after end_dim {end_dim} (shape {a.shape})")
    shp = a._data.shape
    return reshape(a, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:], "flatten")


def squeeze(a: Tensor, dim=None) -> Tensor:
    """Drop dimensions of size 1 (only ``dim`` if given, and only if it has size 1, like PyTorch)."""
    shp = a._data.shape
    if dim is None:
        new = tuple(n for n in shp if n != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        ds = {_dim("squeeze", "dim", d, len(shp)) for d in dims}
        new = tuple(n for i, n in enumerate(shp) if not (i in ds and n == 1))
    return reshape(a, new, "squeeze")


def unsqueeze(a: Tensor, dim) -> Tensor:
    """A new dimension of size 1 at ``dim`` (negative counts from the end of the result)."""
    nd = a._data.ndim + 1
    d = _dim("unsqueeze", "dim", dim, nd)
    shp = a._data.shape
    return reshape(a, shp[:d] + (1,) + shp[d:], "unsqueeze")


# ---------------------------------------------------------------- transpose
def permute(a: Tensor, axes, fn="permute") -> Tensor:
    """Axes reordered: result axis i is input axis ``axes[i]``; the gradient uses the inverse."""
    nd = a._data.ndim
    if len(axes) != nd or not all(is_int(ax) and -nd <= ax < nd for ax in axes) \
            or sorted(ax % nd for ax in axes) != list(range(nd)):
        fail(fn, f"axes {tuple(axes)} are not a permutation of the {nd} dimensions of shape {a.shape}")
    axes = tuple(int(ax) % nd for ax in axes)
    return view_of(record(a._data.transpose(axes), (a,), TRANSPOSE, axes), a)


def transpose(a: Tensor, axes) -> Tensor:
    """``t.transpose()`` reverses the axes; ``t.transpose(i, j)`` swaps two axes like PyTorch
    (so ``transpose(0, 1)`` of a matrix is its transpose); ``t.transpose(*perm)`` with one
    axis per dimension permutes them like NumPy."""
    nd = a._data.ndim
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    if not axes:
        return permute(a, tuple(range(nd))[::-1], "transpose")
    if len(axes) == 2:
        i, j = (_dim("transpose", "dim", d, nd) for d in axes)
        if nd == 0:          # a 0-d tensor's dims 0 and -1 are the tensor itself, as in PyTorch
            return permute(a, (), "transpose")
        perm = list(range(nd))
        perm[i], perm[j] = perm[j], perm[i]
        return permute(a, tuple(perm), "transpose")
    return permute(a, axes, "transpose")


def matrix_needed(a: Tensor):
    """``mT`` of a tensor with fewer than 2 dimensions: refused by name."""
    fail("Tensor.mT", f"needs a tensor of at least 2 dimensions, got shape {a._data.shape}")


def _transpose_backward(out, g, needs):
    return (g.transpose(np.argsort(out._ctx)),)


TRANSPOSE = register("transpose", _transpose_backward, scalar=False, expand=lambda t, a: a.transpose(t._ctx))


# ---------------------------------------------------------------- indexing
def whole_numbers(x: np.ndarray) -> np.ndarray:
    """A float array of whole numbers as int64 indices (``mg.tensor([0, 2])`` is float64, since
    Python ints become floats); any other array as it is. Indexing, gather and index_select use it."""
    if x.dtype.kind == "f" and np.all(np.mod(x, 1) == 0):
        return x.astype(np.int64)
    return x


def _index_part(x, fn):
    if isinstance(x, Tensor):
        x = whole_numbers(x._data)
        if x.dtype.kind == "f":
            fail(fn, f"a float tensor used as an index must hold whole numbers, got {x}", TypeError)
    elif isinstance(x, list):
        x = np.asarray(x)
        if x.dtype.kind == "f":
            fail(fn, f"indices must be integers, got a list of floats {x.tolist()}", TypeError)
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iu":
        x = int(x)      # t[i] with a 0-d integer tensor is a view, as PyTorch's (NumPy would copy)
    return x


def _is_array_index(p) -> bool:
    return isinstance(p, np.ndarray) and (p.ndim > 0 or p.dtype.kind == "b")


def _is_integer(p) -> bool:
    """A Python or NumPy integer, or a 0-d integer array (a 0-d tensor): PyTorch's basic index."""
    if isinstance(p, np.ndarray):
        return p.ndim == 0 and p.dtype.kind in "iu"
    return isinstance(p, (int, np.integer)) and not isinstance(p, (bool, np.bool_))


def as_index(index, fn="Tensor.__getitem__") -> "Index":
    """A user's index (ints, slices, tensors, lists, arrays) as NumPy indices with PyTorch's
    layout, and whether it is advanced.

    NumPy and PyTorch differ in one rule: NumPy counts integers among the advanced indices, so
    ``t[0, :, [0, 2]]`` has two advanced indices separated by a slice and their dimension goes
    first, (2, 3) for a (2, 3, 4) tensor; PyTorch takes the integers first (basic indexing) and
    then the lists, (3, 2). With both, the integers (and slices) are then a first, basic index
    (``Index.first``: a view), and the lists index what it leaves (``Index.index``).
    """
    parts = index if isinstance(index, tuple) else (index,)
    parts = tuple(_index_part(p, fn) for p in parts)
    advanced = any(_is_array_index(p) for p in parts)
    if advanced and any(_is_integer(p) for p in parts):
        first, rest = [], []
        for p in parts:
            if _is_integer(p):
                first.append(int(p))
            elif _is_array_index(p):
                first.extend([slice(None)] * (p.ndim if p.dtype.kind == "b" else 1))   # the dims it indexes
                rest.append(p)
            elif p is Ellipsis:
                first.append(p)
                rest.append(p)
            else:                           # a slice or None: applied first, then kept whole
                first.append(p)
                rest.append(slice(None))
        return Index(tuple(rest), True, tuple(first))
    return Index(parts if isinstance(index, tuple) or len(parts) != 1 else parts[0], advanced)


def index_error(fn, index, shape, e):
    """The one message for an index that does not fit (an IndexError that is also a ValueError) or is invalid."""
    if isinstance(e, IndexError):
        raise IndexOutOfRange(f"{fn}: index {index!r} does not fit shape {shape} ({e})") from None
    fail(fn, f"invalid index {index!r} for shape {shape} ({e})", TypeError)


def getitem(a: Tensor, index) -> Tensor:
    """``a[index]`` with PyTorch's rules (NumPy's basic and advanced indexing, integers taken first:
    see ``as_index``). Backward scatters the gradient back, adding where an element was picked
    more than once (``np.add.at``)."""
    ctx = as_index(index)
    try:
        data = ctx.at(a._data)[ctx.index]
    except (IndexError, TypeError, ValueError) as e:
        index_error("Tensor.__getitem__", ctx.index if ctx.first is None else index, a.shape, e)
    out = record(np.asarray(data), (a,), GETITEM, ctx)
    return out if ctx.advanced else view_of(out, a)


class Index(NamedTuple):
    """getitem's (and setitem's) NumPy index, whether it is advanced (elements may repeat), and
    the basic index ``first`` that PyTorch's layout applies before it (None: nothing)."""

    index: object
    advanced: bool
    first: tuple | None = None

    def at(self, a):
        """The part of ``a`` that ``index`` applies to: ``a[first]`` (a view), or ``a`` itself."""
        return a if self.first is None else a[self.first]


def _getitem_backward(out, g, needs):
    ctx = out._ctx
    ga = np.zeros(out.parents[0]._data.shape, g.dtype)
    if ctx.advanced:
        np.add.at(ctx.at(ga), ctx.index, g)
    else:
        ctx.at(ga)[ctx.index] = g
    return (ga,)


def _getitem_expand(t, A):
    picked = t._ctx.at(A)[t._ctx.index]
    return picked if isinstance(picked, np.ndarray) else obj(picked)


GETITEM = register("getitem", _getitem_backward, scalar=False, expand=_getitem_expand)


# ---------------------------------------------------------------- dtype
def cast(a: Tensor, dtype) -> Tensor:
    """The same numbers in another dtype; a float result stays in the graph (grad cast back)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        fail("Tensor.to", f"unknown dtype {dtype!r}", TypeError)
    if dt == a._data.dtype:
        return a
    data = a._data.astype(dt)
    if dt.kind != "f":
        return Tensor._leaf(data, False)
    return record(data, (a,), CAST)


def _cast_backward(out, g, needs):
    return (g,)  # the engine casts it to the parent's dtype


CAST = register("cast", _cast_backward, scalar=False, expand=lambda t, a: a)


# ---------------------------------------------------------------- cat
class Pieces(NamedTuple):
    """cat's axis and where each input's part ends along it."""

    axis: int
    ends: tuple


def cat(tensors, dim=0, fn="cat") -> Tensor:
    """The tensors joined along ``dim`` (same shape elsewhere); the gradient is cut back into pieces."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        fail(fn, f"tensors must be a list or tuple of Tensors, got {type_name(tensors)}", TypeError)
    if not tensors:
        fail(fn, "expected a non-empty list of Tensors")
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            fail(fn, f"tensors[{k}] must be a Tensor, got {type_name(t)}", TypeError)
    # PyTorch skips 1-D empty tensors, so out = cat([out, x]) can start from tensor([])
    tensors = [t for t in tensors if t._data.shape != (0,)] or tensors
    first = tensors[0]._data
    if first.ndim == 0:
        fail(fn, "zero-dimensional tensors cannot be concatenated (stack them, or unsqueeze(0) first)")
    d = _dim(fn, "dim", dim, first.ndim)
    for k, t in enumerate(tensors):
        s = t._data.shape
        if len(s) != first.ndim or s[:d] + s[d + 1:] != first.shape[:d] + first.shape[d + 1:]:
            fail(fn, f"tensors must have the same shape except in dim {d}, got {first.shape} and {s} "
                     f"(tensors[0] and tensors[{k}])")
    size = sum(t._data.shape[d] for t in tensors)
    allocation(fn, first.shape[:d] + (size,) + first.shape[d + 1:], np.result_type(*[t._data for t in tensors]))
    data = np.concatenate([t._data for t in tensors], axis=d)
    return record(data, tuple(tensors), CAT, Pieces(d, tuple(np.cumsum([t._data.shape[d] for t in tensors]))))


def _cat_backward(out, g, needs):
    axis, ends = out._ctx
    parts = np.split(g, ends[:-1], axis=axis)
    return tuple(p if need else None for p, need in zip(parts, needs))


CAT = register("cat", _cat_backward, scalar=False, expand=lambda t, *grids: np.concatenate(grids, axis=t._ctx.axis))


def stack(tensors, dim=0) -> Tensor:
    """The tensors (all of one shape) along a new dimension ``dim``: each unsqueezed, then ``cat``."""
    fn = "stack"
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)) or not tensors:
        fail(fn, f"tensors must be a non-empty list or tuple of Tensors, got {type_name(tensors)}", TypeError)
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            fail(fn, f"tensors[{k}] must be a Tensor, got {type_name(t)}", TypeError)
        if t._data.shape != tensors[0]._data.shape:
            fail(fn, f"expects each tensor to have the same shape, got {tensors[0]._data.shape} and "
                     f"{t._data.shape} (tensors[0] and tensors[{k}])")
    d = _dim(fn, "dim", dim, tensors[0]._data.ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d, fn)


# ---------------------------------------------------------------- where
def _number_leaf(fn, arg, x) -> Tensor:
    """A Python number as a 0-d tensor of PyTorch's dtype for it (int64, float64 here, bool)."""
    if not isinstance(x, (int, float, bool, np.number, np.bool_)):
        fail(fn, f"{arg} must be a Tensor or a number, got {type_name(x)}", TypeError)
    return Tensor._leaf(np.asarray(x), False)


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast together); each gets the gradient
    where it was picked and exactly 0 elsewhere (a NaN gradient included, like PyTorch)."""
    from .elementwise import lift, result_dtype

    fn = "where"
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        fail(fn, f"condition must be a bool tensor (e.g. x > 0), got dtype {cond.dtype}", TypeError)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):   # where(c, 1., 0.): the numbers' own dtypes
        a, b = (_number_leaf(fn, name, x) for name, x in (("input", a), ("other", b)))
    a = a if isinstance(a, Tensor) else lift(a, b)
    b = b if isinstance(b, Tensor) else lift(b, a)
    try:
        shape = np.broadcast_shapes(cond.shape, a._data.shape, b._data.shape)
    except ValueError:
        fail(fn, f"condition, input and other cannot be broadcast together: shapes {cond.shape}, "
                 f"{a._data.shape} and {b._data.shape}")
    dt = result_dtype(a._data, b._data)      # PyTorch's promotion: float32 with an int64 stays float32
    allocation(fn, shape, dt)
    data = np.where(cond, a._data.astype(dt, copy=False), b._data.astype(dt, copy=False))
    return record(data, (a, b), WHERE, cond)


def _where_backward(out, g, needs):
    cond = out._ctx
    zero = np.zeros((), g.dtype)
    return (np.where(cond, g, zero) if needs[0] else None), (np.where(cond, zero, g) if needs[1] else None)


def _where_expand(t, A, B):
    return each(lambda c, a, b: a if c else b, t._ctx, A, B)


WHERE = register("where", _where_backward, scalar=False, expand=_where_expand)


def masked_fill(a: Tensor, mask, value) -> Tensor:
    """``value`` (a number or a one-element tensor) where ``mask`` holds, ``a`` elsewhere: a ``where``."""
    from .elementwise import lift

    fn = "Tensor.masked_fill"
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        fail(fn, f"mask must be a bool tensor, got dtype {m.dtype}", TypeError)
    if not _broadcasts(m.shape, a._data.shape) or np.broadcast_shapes(m.shape, a._data.shape) != a._data.shape:
        fail(fn, f"mask of shape {m.shape} does not broadcast to the tensor's shape {a._data.shape}")
    if isinstance(value, Tensor):
        if value._data.size != 1:
            fail(fn, f"value must be a number or a one-element tensor, got shape {value._data.shape}")
        v = value.reshape(()) if value._data.shape else value
    else:
        v = lift(value, a)
    if v._data.dtype != a._data.dtype:
        v = cast(v, a._data.dtype)
    return where(m, v, a)


def _broadcasts(*shapes) -> bool:
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------- clone, expand, repeat
def clone(a: Tensor) -> Tensor:
    """A copy with its own memory, in the graph (d/da = 1)."""
    return record(a._data.copy(), (a,), CLONE)


CLONE = register("clone", lambda out, g, needs: (g,), scalar=False, expand=lambda t, a: a)


def expand(a: Tensor, shape: tuple, fn="expand") -> Tensor:
    """``a`` broadcast to ``shape`` without copying (-1 keeps a size); the engine sums the gradient back."""
    x = a._data
    lead = len(shape) - x.ndim
    if lead < 0:
        fail(fn, f"the shape {shape} has fewer dimensions than the tensor's {x.shape}")
    full = tuple(x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
    if any(n < 0 for n in full):
        fail(fn, f"-1 is only allowed for an existing dimension, got {shape} for shape {x.shape}")
    try:
        data = np.broadcast_to(x, full)
    except ValueError:
        fail(fn, f"shape {x.shape} cannot be expanded to {shape} (only sizes 1 can grow)")
    # a view, but every op on it makes an array that big: refused here, by the one size guard
    allocation(fn, full, x.dtype, hint="expand is a view, yet anything computed from it has its size")
    return view_of(record(data, (a,), EXPAND), a)


EXPAND = register("expand", lambda out, g, needs: (g,), scalar=False,
                  expand=lambda t, a: np.broadcast_to(a, t.shape))


def repeat(a: Tensor, reps: tuple) -> Tensor:
    """``a`` tiled ``reps`` times along each dimension (PyTorch's ``repeat``, NumPy's ``tile``);
    the gradient sums the copies."""
    x = a._data
    if len(reps) < x.ndim:
        fail("repeat", f"needs at least one count per dimension: {len(reps)} counts for shape {x.shape}")
    if any(r < 0 for r in reps):
        fail("repeat", f"counts must be >= 0, got {reps}")
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    allocation("repeat", tuple(n * r for n, r in zip(shape, reps)), x.dtype)
    return record(np.tile(x, reps), (a,), REPEAT, tuple(reps))


def _repeat_backward(out, g, needs):
    reps = out._ctx
    shape = (1,) * (len(reps) - out.parents[0]._data.ndim) + out.parents[0]._data.shape
    split = g.reshape(tuple(n for r, s in zip(reps, shape) for n in (r, s)))
    return (split.sum(axis=tuple(range(0, 2 * len(reps), 2))).reshape(out.parents[0]._data.shape),)


REPEAT = register("repeat", _repeat_backward, scalar=False, expand=lambda t, a: np.tile(a, t._ctx))
