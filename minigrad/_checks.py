"""Validation at the public edge: every message reads ``function: argument ... (shapes)``."""
from __future__ import annotations

import math
import numbers
import sys

import numpy as np

MAX_ARRAY_BYTES = 2 * 1024 ** 3  # an array the user's arguments ask for beyond this is refused up front


def fail(fn: str, msg: str, kind=ValueError):
    """Raise ``kind`` with the one message shape every public function uses."""
    raise kind(f"{fn}: {msg}")


def type_name(x) -> str:
    """``x``'s type as a reader knows it: ``float``, ``numpy.ndarray``, ``torch.Tensor``, ``torch.nn.ReLU``,
    ``minigrad.Tensor``: a builtin by its name, anything else by the shortest public module path
    that holds it (``torch.nn.modules.activation.ReLU`` is ``torch.nn.ReLU``)."""
    t = type(x)
    if t.__module__ == "builtins":
        return t.__qualname__
    parts = t.__module__.split(".")
    for n in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:n]))
        if module is not None and getattr(module, t.__name__, None) is t:
            return f"{'.'.join(parts[:n])}.{t.__qualname__}"
    return f"{t.__module__}.{t.__qualname__}"


def is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def pair(fn: str, arg: str, x, *, minimum: int, allow=()):
    """An int or a pair of ints, each >= ``minimum``, as a tuple of two ints."""
    if isinstance(x, str) and x in allow:
        return x
    if is_int(x):
        x = (int(x), int(x))
    elif isinstance(x, (tuple, list)) and len(x) == 2 and all(is_int(v) for v in x):
        x = (int(x[0]), int(x[1]))
    else:
        hint = f" or one of {list(allow)}" if allow else ""
        fail(fn, f"{arg} must be an int or a pair of ints{hint}, got {x!r}", TypeError)
    if min(x) < minimum:
        fail(fn, f"{arg} must be >= {minimum}, got {x if x[0] != x[1] else x[0]}")
    return x


def number(fn: str, arg: str, x, *, minimum=None, maximum=None) -> float:
    """A real number (not a bool), optionally within [minimum, maximum] (then NaN is refused too)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        fail(fn, f"{arg} must be a number, got {type_name(x)} {x!r}", TypeError)
    x = as_float(fn, arg, x)
    bounded = minimum is not None or maximum is not None
    if (minimum is not None and x < minimum) or (maximum is not None and x > maximum) or (bounded and x != x):
        if maximum is None:
            fail(fn, f"{arg} must be >= {minimum}, got {x}")
        if minimum is None:
            fail(fn, f"{arg} must be <= {maximum}, got {x}")
        fail(fn, f"{arg} must be in [{minimum}, {maximum}], got {x}")
    return float(x)


def choice(fn: str, arg: str, x, options):
    """One of ``options`` (strings)."""
    if x not in options:
        fail(fn, f"{arg} must be one of {list(options)}, got {x!r}")
    return x


def count(fn: str, arg: str, x, minimum: int = 1) -> int:
    """An int >= ``minimum`` (channels, features, sizes)."""
    if not is_int(x):
        fail(fn, f"{arg} must be an int, got {type_name(x)} {x!r}", TypeError)
    if x < minimum:
        fail(fn, f"{arg} must be >= {minimum}, got {x}")
    return int(x)


def flag(fn: str, arg: str, x) -> bool:
    """A bool (or NumPy's bool; not 0/1, not a string)."""
    if not isinstance(x, (bool, np.bool_)):
        fail(fn, f"{arg} must be a bool, got {type_name(x)} {short(x)}", TypeError)
    return bool(x)


def dim(fn: str, arg: str, d, ndim: int) -> int:
    """A dimension index in [-ndim, ndim) (a 0-d tensor accepts 0 and -1), as a non-negative int."""
    if not is_int(d):
        fail(fn, f"{arg} must be an int, got {d!r}", TypeError)
    n = max(ndim, 1)
    if not -n <= d < n:
        fail(fn, f"{arg} {d} is out of range for {ndim} dimensions")
    return d % n


def allocation(fn: str, shape=None, dtype=None, *, nbytes=None, what=None, hint=None):
    """Refuse an array above ``MAX_ARRAY_BYTES`` before NumPy tries: a ValueError naming ``fn``
    and the size, instead of a MemoryError (or a machine swapping) from deep inside.

    Give ``shape`` and ``dtype`` (a tensor the user asked for) or ``nbytes`` and ``what`` (a
    buffer an op needs); ``hint`` (a str, or a callable making one) says what to change.
    """
    if nbytes is None:
        nbytes = math.prod(int(n) for n in shape) * np.dtype(dtype).itemsize
    if nbytes <= MAX_ARRAY_BYTES:
        return
    if what is None:
        what = f"a tensor of shape {tuple(shape)} and dtype {np.dtype(dtype)}"
    hint = hint() if callable(hint) else hint
    fail(fn, f"{what} would need {_bytes(nbytes)} (more than the {_bytes(MAX_ARRAY_BYTES, 0)} "
             f"limit, minigrad._checks.MAX_ARRAY_BYTES)" + (f"; {hint}" if hint else ""))


def result_allocation(fn: str, a: np.ndarray, b: np.ndarray, shape_of, dtype):
    """``allocation`` for the result of an op on ``a`` and ``b`` (broadcasting, matmul), whose
    shape ``shape_of(a.shape, b.shape)`` is computed only when it could be too big: such a result
    holds at most a.size · b.size elements, a bound that costs nothing for the usual small ones."""
    if a.size * b.size * np.dtype(dtype).itemsize <= MAX_ARRAY_BYTES:
        return
    try:
        shape = shape_of(a.shape, b.shape)
    except ValueError:     # shapes that do not fit: the op names them
        return
    allocation(fn, shape, dtype)


def _bytes(n, digits=1) -> str:
    """``n`` bytes in GiB (or MiB below one GiB) for a message."""
    return f"{n / 2 ** 30:.{digits}f} GiB" if n >= 2 ** 30 else f"{n / 2 ** 20:.{digits}f} MiB"


def short(x) -> str:
    """``repr(x)``, cut for a message (an int of 400 digits prints as its first digits and length)."""
    text = repr(x)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def as_float(fn: str, arg: str, x) -> float:
    """A real number as a float: an int too large for float64 (10**400) is a ValueError naming
    ``fn``, not an OverflowError from deep inside."""
    try:
        return float(x)
    except OverflowError:
        fail(fn, f"{arg} {short(x)} is too large for a float64 number")
