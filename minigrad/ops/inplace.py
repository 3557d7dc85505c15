"""In-place changes: ``add_ sub_ mul_ div_ zero_ fill_ copy_ clamp_``, ``+= -= *= /=`` and ``t[idx] = v``.

Two cases, as in PyTorch:

- Nothing to record (under ``no_grad``, or no tensor involved requires grad): the numbers are
  written into the tensor's own array, so everything sharing that memory (``from_numpy``'s
  array, ``numpy()``) sees them, and the tensor's version is stamped. A graph recorded before
  that used the tensor then refuses to backpropagate, naming it (``Tensor._changed``): this is
  how ``with mg.no_grad(): p -= lr * p.grad`` updates a parameter, and why a stale graph can
  never give a silently wrong gradient.
- Something to record: the tensor becomes the output of the op (its history moves to a new
  node that keeps the old array), so gradients flow through the change. A leaf that requires
  grad is refused here, like PyTorch, since its gradient would be lost.

The ops are the ordinary ones (``+`` for ``add_``, ``clip`` for ``clamp_``); only item
assignment has an op of its own, ``setitem``, with its backward and scalar expansion here.
"""
from __future__ import annotations

import numpy as np

from .._checks import fail, type_name
from ..engine import _mode
from ..optable import register
from ..tensor import Tensor, _clock, _new, _sharing, describe, record, stamp, unshare, view_of
from . import elementwise as _ew
from .shape import as_index, cast, getitem, index_error

_SLOTS = ("_data", "grad", "parents", "op", "name", "_backward", "_ctx", "requires_grad", "_version", "_needs",
          "_recorded")


def change(t: Tensor, fn: str, compute, others=(), *, any_dtype=False) -> Tensor:
    """Change ``t`` in place to ``compute(t, write)`` (an out-of-place op on ``t``; ``write``: it may
    write into ``t``'s array itself). ``others`` are the other operands (do any require grad?);
    ``any_dtype``: the result is cast to ``t``'s dtype whatever its kind (assignment), else only
    within its kind (``add_`` of a float into an integer tensor is refused, like PyTorch)."""
    recording = _mode.enabled and (t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others))
    if recording and t.requires_grad and not t.parents:
        fail(fn, f"{describe(t)} requires grad, and a leaf that requires grad cannot be changed in place outside "
                 "no_grad (its gradient would be lost), like PyTorch; change it under `with mg.no_grad():` as an "
                 "optimizer step does, or change a copy (t.clone())")
    base = _view_base(t) if recording else None
    if recording and base is None and _shared_view(t):
        fail(fn, f"{describe(t)} is a view that shares its memory with another tensor, and changing it in place "
                 "while recording would leave that tensor's numbers behind; change the base by item assignment "
                 "(y[i] = f(y[i])), or change a copy (t.clone())")
    source = _history(t) if recording else t
    r = compute(source, not recording)
    if r._data.shape != t._data.shape:
        fail(fn, f"the result has shape {r._data.shape} but the tensor changed in place has shape {t._data.shape} "
                 "(an in-place op cannot broadcast the tensor itself)")
    if not any_dtype and not np.can_cast(r._data.dtype, t._data.dtype, "same_kind"):
        fail(fn, f"the result has dtype {r._data.dtype}, which cannot be written into a tensor of dtype "
                 f"{t._data.dtype} in place (convert the tensor first, e.g. t = t.double())", TypeError)
    if not recording:
        if r._data is not t._data:
            t._data[...] = r._data
        stamp(t)
        return t
    if r._data.dtype != t._data.dtype:
        r = cast(r, t._data.dtype)
    _repoint(t, source, [r, *others])
    if base is not None:
        return _through_base(t, base, r, fn)
    for slot in ("_data", "parents", "op", "_backward", "_ctx", "_needs"):
        setattr(t, slot, getattr(r, slot))
    t.requires_grad, t.grad = r.requires_grad, None
    unshare(t, source)  # its new array is its own; its history keeps the old one, shared with its views
    stamp(t)
    t._recorded = t._version  # recorded now, after its own change
    return t


def _view_base(t: Tensor):
    """The tensor ``t`` is a basic-index view of (``t = base[i]`` recorded, neither changed since), else None."""
    if t.op != "getitem" or t._ctx.advanced or t._ctx.first is not None:
        return None
    base = t.parents[0]
    if base._version > t._recorded or t._version > t._recorded or not np.shares_memory(t._data, base._data):
        return None
    return base


def _shared_view(t: Tensor) -> bool:
    """Whether ``t``'s array is a view of memory that another live tensor holds too."""
    family = _sharing.get(id(t))
    return t._data.base is not None and family is not None and any(
        key != id(t) and ref() is not None for key, ref in list(family.items()))


def _through_base(t: Tensor, base: Tensor, value: Tensor, fn: str) -> Tensor:
    """An in-place change of the view ``t = base[i]`` while recording, as PyTorch does it: the base
    becomes ``setitem(base, i, value)`` (so ``y[0].mul_(2)`` and ``y[1:] *= 2`` change ``y``), and
    ``t`` is ``base[i]`` of the changed base, sharing its memory again."""
    index = t._ctx.index
    change(base, fn, lambda a, write: setitem(a, index, value, write, fn), (value,), any_dtype=True)
    view = getitem(base, index)
    family = _sharing.pop(id(t), None)   # t leaves the old memory's family (its history keeps that array)
    if family is not None:
        family.pop(id(t), None)
    for slot in ("_data", "parents", "op", "_backward", "_ctx", "_needs", "requires_grad"):
        setattr(t, slot, getattr(view, slot))
    t.grad = None
    view_of(t, base)
    t._version = t._recorded = _clock[0]   # later than every graph that read its old values: those refuse
    return t


def _repoint(t: Tensor, old: Tensor, roots) -> None:
    """The nodes recorded since ``t`` took its present value that use ``t`` — the new op itself
    (``y.add_(y)``) and the graph of what is written in (``y[1:] *= 2`` reads ``y[1:]`` first) —
    are made to use ``old``, the node that keeps that value, before ``t`` becomes the new op.
    Other users of ``t`` keep pointing at it, and its new version makes them refuse backward."""
    since = max(t._version, t._recorded)
    seen, stack = set(), [n for n in roots if isinstance(n, Tensor)]
    while stack:
        n = stack.pop()
        if n is t or id(n) in seen or not n.parents or n._recorded < since:
            continue
        seen.add(id(n))
        if any(p is t for p in n.parents):
            n.parents = tuple(old if p is t else p for p in n.parents)
        stack.extend(p for p in n.parents if p.parents)


def _history(t: Tensor) -> Tensor:
    """A new node holding what ``t`` was (its array, its op and parents): the input of the change."""
    old = _new(Tensor)
    for slot in _SLOTS:
        setattr(old, slot, getattr(t, slot))
    return old


# ---------------------------------------------------------------- arithmetic
def _scaled(fn, other, alpha):
    if alpha == 1:
        return other
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        fail(fn, f"alpha must be a number, got {type_name(alpha)} {alpha!r}", TypeError)
    return other * alpha


def add_(t, other, alpha=1, fn="Tensor.add_"):
    """t ← t + alpha·other, in place."""
    other = _scaled(fn, other, alpha)
    return change(t, fn, lambda a, write: _ew.add(a, other), (other,))


def sub_(t, other, alpha=1, fn="Tensor.sub_"):
    """t ← t − alpha·other, in place."""
    other = _scaled(fn, other, alpha)
    return change(t, fn, lambda a, write: _ew.sub(a, other), (other,))


def mul_(t, other, fn="Tensor.mul_"):
    """t ← t · other, in place."""
    return change(t, fn, lambda a, write: _ew.mul(a, other), (other,))


def div_(t, other, rounding_mode=None, fn="Tensor.div_"):
    """t ← t / other, in place (``rounding_mode`` 'trunc' or 'floor' as in ``Tensor.div``)."""
    return change(t, fn, lambda a, write: a.div(other, rounding_mode), (other,))


def clamp_(t, min=None, max=None):
    """t ← clamp(t, min, max), in place."""
    return change(t, "Tensor.clamp_", lambda a, write: _ew.clip(a, min, max))


# ---------------------------------------------------------------- assignment
def setitem(a: Tensor, index, value, write=False, fn="Tensor.__setitem__") -> Tensor:
    """A copy of ``a`` (``a`` itself when ``write``) with ``value`` put at ``index`` (broadcast, cast to
    ``a``'s dtype). d/da = 1 outside the index and 0 inside; d/dvalue = the gradient at the places
    it landed (a place assigned twice by a repeated index keeps the last write, as NumPy does)."""
    if isinstance(value, Tensor):
        v = value
    elif isinstance(value, (bool, int, float, np.generic, np.ndarray, list, tuple)):
        _representable(fn, np.asarray(value), a._data.dtype, a)
        v = _ew.lift(value, a)
    else:
        fail(fn, f"value must be a Tensor, a number or an array, got {type_name(value)}", TypeError)
    ctx = as_index(index, fn)
    data = a._data if write else a._data.copy()
    try:
        slot = ctx.at(data)[ctx.index]            # PyTorch's layout (see shape.as_index)
    except (IndexError, TypeError, ValueError) as e:
        index_error(fn, ctx.index if ctx.first is None else index, a._data.shape, e)
    try:
        np.broadcast_to(v._data, np.shape(slot))
        ctx.at(data)[ctx.index] = v._data
    except ValueError:
        fail(fn, f"a value of shape {v._data.shape} cannot be put into t[{ctx.index!r}], which has shape "
                 f"{np.shape(slot)} (tensor of shape {a._data.shape})")
    return record(data, (a, v), SETITEM, ctx)


def _representable(fn, x: np.ndarray, dtype: np.dtype, t: Tensor) -> None:
    """A number put into ``t`` fits its dtype, as PyTorch checks: NaN, inf or 1e20 in an integer
    tensor, or 1e300 in a float32 one, is refused (NumPy would write garbage or inf)."""
    if x.dtype.kind != "f" or dtype == x.dtype or dtype.itemsize > x.itemsize and dtype.kind == "f":
        return
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(x) | (x < info.min) | (x >= float(info.max) + 1.0)
    elif dtype.kind == "f":
        bad = np.isfinite(x) & (np.abs(x) > np.finfo(dtype).max)
    else:
        return
    if bad.any():
        fail(fn, f"the value {float(x[bad].flat[0])!r} cannot be converted to the dtype {dtype} of {describe(t)} "
                 "without overflow, like PyTorch")


def _setitem_backward(out, g, needs):
    a, v = out.parents
    ctx = out._ctx
    index, at = ctx.index, ctx.at
    ga = gv = None
    if needs[0]:
        ga = g.copy()
        at(ga)[index] = 0
    if needs[1]:
        if ctx.advanced:  # each place goes to the element of the broadcast value written last there
            owner = np.full(g.shape, -1, np.intp)
            size = at(owner)[index].shape
            at(owner)[index] = np.arange(int(np.prod(size))).reshape(size)
            landed = owner >= 0
            gv = np.zeros(int(np.prod(size)), g.dtype)
            np.add.at(gv, owner[landed], g[landed])
            gv = gv.reshape(size)
        else:
            gv = np.array(at(g)[index])
        if gv.ndim < v._data.ndim:  # t[0] = ones(1, 3): the value's leading 1s
            gv = gv.reshape((1,) * (v._data.ndim - gv.ndim) + gv.shape)
    return ga, gv


def _setitem_expand(t, A, V):
    out = np.array(A, dtype=object)
    t._ctx.at(out)[t._ctx.index] = V if V.ndim else V[()]
    return out


SETITEM = register("setitem", _setitem_backward, scalar=False, expand=_setitem_expand)


def assign(t: Tensor, index, value) -> Tensor:
    """``t[index] = value``."""
    return change(t, "Tensor.__setitem__", lambda a, write: setitem(a, index, value, write), (value,), any_dtype=True)


def fill_(t: Tensor, value) -> Tensor:
    """Every element ← ``value`` (a number or a one-element tensor), in place."""
    if isinstance(value, Tensor) and value._data.size != 1:
        fail("Tensor.fill_", f"value must be a number or a one-element tensor, got shape {value._data.shape}")
    if not isinstance(value, Tensor) and (isinstance(value, bool) or not isinstance(value, (int, float, np.number))):
        fail("Tensor.fill_", f"value must be a number, got {type_name(value)} {value!r}", TypeError)
    value = value.reshape(()) if isinstance(value, Tensor) else value
    return change(t, "Tensor.fill_", lambda a, write: setitem(a, Ellipsis, value, write, "Tensor.fill_"), (value,),
                  any_dtype=True)


def copy_(t: Tensor, src) -> Tensor:
    """The numbers of ``src`` (broadcast to ``t``'s shape, cast to its dtype) copied into ``t``."""
    if not isinstance(src, (Tensor, np.ndarray)):
        fail("Tensor.copy_", f"src must be a Tensor, got {type_name(src)}", TypeError)
    return change(t, "Tensor.copy_", lambda a, write: setitem(a, Ellipsis, src, write, "Tensor.copy_"), (src,),
                  any_dtype=True)
