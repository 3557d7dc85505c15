"""Grids of scalar nodes: object arrays of Value named like the slides, n-ary sum and max."""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import fail, type_name
from ..naming import element_name  # noqa: F401 (mg.scalar.element_name)
from ..value import Value, _const, max_node, sum_node


def grid(array, name: str) -> np.ndarray:
    """A leaf Value per element of ``array``, named after ``name`` and the 1-based index."""
    if not isinstance(name, str) or not name:
        fail("scalar.grid", f"name must be a non-empty str, got {name!r}", TypeError)
    arr = np.asarray(array, dtype=object)
    if arr.ndim == 0:
        fail("scalar.grid", f"array must have at least one dimension, got the scalar {array!r}")
    out = np.empty(arr.shape, dtype=object)
    for idx, x in np.ndenumerate(arr):
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            fail("scalar.grid", f"array{list(idx)} is {type_name(x)} {x!r}, not a number "
                 f"(array shape {arr.shape})", TypeError)
        out[idx] = Value(float(x), element_name(name, idx, arr.shape))
    return out


def as_grid(x, fn: str, arg: str) -> np.ndarray:
    """``x`` as an object array of Values; plain numbers become constant leaves."""
    if isinstance(x, Value):
        return np.array(x, dtype=object).reshape(())
    arr = np.asarray(x, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        if isinstance(v, Value):
            out[idx] = v
        elif isinstance(v, numbers.Real) and not isinstance(v, bool):
            out[idx] = _const(v, "grid")
        else:
            fail(fn, f"{arg}{list(idx)} is {type_name(v)} {v!r}, not a number or Value "
                 f"({arg} shape {arr.shape})", TypeError)
    return out


def _flat(values, fn):
    """The inputs of an n-ary node as a tuple of Values (numbers lifted, arrays flattened)."""
    if len(values) == 1 and not isinstance(values[0], (Value, numbers.Real)):
        values = values[0]
    items = tuple(as_grid(values, fn, "values").ravel())
    if not items:
        fail(fn, "values must not be empty")
    return items


def sum(values, name=None) -> Value:  # noqa: A001 - mirrors the slides' "sum" node
    """ONE n-ary sum node over ``values`` (a grid, a list, or Values): d(sum)/d(each) = 1."""
    return sum_node(_flat((values,), "scalar.sum"), name)


def max(*values, name=None) -> Value:  # noqa: A001
    """ONE n-ary max node; ``.selected`` indexes the winner in ``.parents`` (ties: the first)."""
    if not values:
        fail("scalar.max", "needs at least one value")
    return max_node(_flat(values, "scalar.max"), name)


def values(g) -> np.ndarray:
    """The ``.data`` of every Value of a grid, as a float array of the same shape."""
    return _floats(g, "data", "scalar.values")


def grads(g) -> np.ndarray:
    """The ``.grad`` of every Value of a grid, as a float array of the same shape."""
    return _floats(g, "grad", "scalar.grads")


def _floats(g, attr, fn):
    if isinstance(g, Value):
        return np.array(getattr(g, attr))
    arr = np.asarray(g, dtype=object)
    out = np.empty(arr.shape, dtype=np.float64)
    for idx, v in np.ndenumerate(arr):
        if not isinstance(v, Value):
            fail(fn, f"grid{list(idx)} is {type_name(v)}, not a Value (grid shape {arr.shape})", TypeError)
        out[idx] = getattr(v, attr)
    return out
