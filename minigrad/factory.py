"""Tensor factories as PyTorch spells them, and the one random generator that ``manual_seed`` resets.

Every factory takes ``dtype=``, ``device='cpu'`` and ``requires_grad=`` like PyTorch's, checks
the size it is asked for against the one allocation limit (``_checks.allocation``), and hands
the array it made to the new tensor without copying it (``mg.ones(10**8)`` holds one array of
800 MB, not two). ``from_numpy`` shares the caller's array, as in PyTorch.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._checks import allocation, count, fail, flag, is_int, number, type_name
from .dtypes import DEFAULT, device_arg, dtype_arg
from .tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed: int):
    """Reset minigrad's random generator (factories, init, dropout, DataLoader shuffles) to a reproducible state."""
    global _rng
    if not is_int(seed):
        fail("manual_seed", f"seed must be an int, got {type_name(seed)} {seed!r}", TypeError)
    if seed < 0:
        fail("manual_seed", f"seed must be >= 0, got {seed}")
    _rng = np.random.default_rng(int(seed))


def rng() -> np.random.Generator:
    """The generator everything random in minigrad draws from."""
    return _rng


# ---------------------------------------------------------------- shared by every factory
def _shape(fn, shape, size=None):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(size=(2, 3))`` as a tuple of ints."""
    if size is not None:
        if shape:
            fail(fn, f"give the size once, positionally or as size=, got {shape!r} and size={size!r}", TypeError)
        shape = (size,)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(is_int(n) for n in shape):
        fail(fn, f"size must be ints, got {shape!r}", TypeError)
    if any(n < 0 for n in shape):
        fail(fn, f"size must be non-negative, got {shape!r}")
    return tuple(int(n) for n in shape)


def _make(fn, make, shape, dtype, device, requires_grad, default=DEFAULT):
    """``make(shape, dtype)`` (after the checks) adopted by a new leaf, without a copy."""
    dtype = dtype_arg(fn, dtype, default=default)
    device_arg(fn, device)
    _requires_grad(fn, requires_grad, dtype)
    allocation(fn, shape, dtype)
    return Tensor._leaf(make(shape, dtype), requires_grad)


def _requires_grad(fn, requires_grad, dtype):
    flag(fn, "requires_grad", requires_grad)
    if requires_grad and dtype.kind != "f":
        fail(fn, f"only floating-point tensors can require grad, got dtype {dtype}")


def _like(fn, input):
    """The shape and dtype of ``input`` (a Tensor or an array)."""
    if isinstance(input, Tensor):
        return input.data.shape, input.data.dtype
    if isinstance(input, np.ndarray):
        return input.shape, input.dtype
    fail(fn, f"input must be a Tensor, got {type_name(input)}", TypeError)


def _random(fn, dtype):
    dt = dtype_arg(fn, dtype)
    if dt.kind != "f":
        fail(fn, f"dtype must be a floating-point type, got {dt}", TypeError)


def _draw(sample):
    """Samples drawn in float64 (so float32 ones equal ``.float()`` of the same seed's float64 ones)."""
    return lambda shape, dtype: sample(shape).astype(dtype, copy=False)


def _fill(value):
    return lambda shape, dtype: np.full(shape, value, dtype)


def _fill_value(fn, value):
    if isinstance(value, Tensor) and value.data.size == 1:
        value = value.item()
    if not isinstance(value, numbers.Real):
        fail(fn, f"fill_value must be a number, got {type_name(value)} {value!r}", TypeError)
    return value


def _dtype_of(*values):
    """PyTorch's inference: bool -> bool, all ints -> int64, any float -> the default float dtype."""
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return np.dtype(np.bool_)
    if all(is_int(v) or isinstance(v, (bool, np.bool_)) for v in values):
        return np.dtype(np.int64)
    return DEFAULT


# ---------------------------------------------------------------- filled
def tensor(data, dtype=None, device=None, requires_grad=False, name=None) -> Tensor:
    """A new tensor holding a copy of ``data`` (``torch.tensor``); float64 unless ``dtype`` says otherwise."""
    device_arg("tensor", device)
    return Tensor(data, requires_grad=requires_grad, name=name, dtype=dtype)


def zeros(*shape, dtype=None, device=None, requires_grad=False, size=None) -> Tensor:
    """A tensor of zeros, e.g. ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _make("zeros", np.zeros, _shape("zeros", shape, size), dtype, device, requires_grad)


def ones(*shape, dtype=None, device=None, requires_grad=False, size=None) -> Tensor:
    """A tensor of ones."""
    return _make("ones", np.ones, _shape("ones", shape, size), dtype, device, requires_grad)


def empty(*shape, dtype=None, device=None, requires_grad=False, size=None) -> Tensor:
    """A tensor whose values are whatever the memory held (fill it before reading it)."""
    return _make("empty", np.empty, _shape("empty", shape, size), dtype, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ``fill_value``; its dtype follows the value (bool, int64 or float) as in PyTorch."""
    value = _fill_value("full", fill_value)
    return _make("full", _fill(value), _shape("full", (size,)), dtype, device, requires_grad, _dtype_of(value))


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """The n x m identity matrix (m = n by default): ones on the diagonal."""
    n = count("eye", "n", n, minimum=0)
    m = n if m is None else count("eye", "m", m, minimum=0)
    return _make("eye", lambda shape, dt: np.eye(*shape, dtype=dt), (n, m), dtype, device, requires_grad)


# ---------------------------------------------------------------- like another tensor
def zeros_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Zeros of ``input``'s shape and (unless ``dtype`` is given) dtype."""
    shape, dt = _like("zeros_like", input)
    return _make("zeros_like", np.zeros, shape, dtype, device, requires_grad, dt)


def ones_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Ones of ``input``'s shape and dtype."""
    shape, dt = _like("ones_like", input)
    return _make("ones_like", np.ones, shape, dtype, device, requires_grad, dt)


def empty_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An uninitialised tensor of ``input``'s shape and dtype."""
    shape, dt = _like("empty_like", input)
    return _make("empty_like", np.empty, shape, dtype, device, requires_grad, dt)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``fill_value`` in ``input``'s shape and dtype."""
    shape, dt = _like("full_like", input)
    value = _fill_value("full_like", fill_value)
    return _make("full_like", _fill(value), shape, dtype, device, requires_grad, dt)


def rand_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform samples in [0, 1) in ``input``'s shape and (floating) dtype."""
    shape, dt = _like("rand_like", input)
    _random("rand_like", dt if dtype is None else dtype)
    return _make("rand_like", _draw(_rng.random), shape, dtype, device, requires_grad, dt)


def randn_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal samples in ``input``'s shape and (floating) dtype."""
    shape, dt = _like("randn_like", input)
    _random("randn_like", dt if dtype is None else dtype)
    return _make("randn_like", _draw(_rng.standard_normal), shape, dtype, device, requires_grad, dt)


# ---------------------------------------------------------------- random
def randn(*shape, dtype=None, device=None, requires_grad=False, size=None) -> Tensor:
    """Standard normal samples from minigrad's generator (see ``manual_seed``)."""
    _random("randn", dtype)
    return _make("randn", _draw(_rng.standard_normal), _shape("randn", shape, size), dtype, device, requires_grad)


def rand(*shape, dtype=None, device=None, requires_grad=False, size=None) -> Tensor:
    """Uniform samples in [0, 1)."""
    _random("rand", dtype)
    return _make("rand", _draw(_rng.random), _shape("rand", shape, size), dtype, device, requires_grad)


def randint(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or ``randint(low, high, size)``; int64."""
    if size is None and args and isinstance(args[-1], (tuple, list)):
        *args, size = args
    if size is None or len(args) not in (1, 2):
        fail("randint", f"expected randint(high, size) or randint(low, high, size), got {len(args)} bounds "
                        f"and size={size!r}", TypeError)
    low, high = (0, args[0]) if len(args) == 1 else args
    if not (is_int(low) and is_int(high)):
        fail("randint", f"low and high must be ints, got {low!r} and {high!r}", TypeError)
    if low >= high:
        fail("randint", f"low must be smaller than high, got low={low}, high={high}")
    draw = lambda shape, dt: _rng.integers(low, high, shape).astype(dt, copy=False)  # noqa: E731
    return _make("randint", draw, _shape("randint", (size,)), dtype, device, requires_grad, np.dtype(np.int64))


# ---------------------------------------------------------------- ranges
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``start, start + step, ...`` below ``end`` (``arange(5)`` is 0..4); int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    for arg, v in (("start", start), ("end", end), ("step", step)):
        number("arange", arg, v)
        if not np.isfinite(v):
            fail("arange", f"{arg} must be finite, got {v}")
    if step == 0:
        fail("arange", "step must be nonzero, got 0")
    if (end - start) * step < 0:
        fail("arange", f"the bounds and the step's sign disagree: start={start}, end={end}, step={step}")
    length = int(np.ceil((end - start) / step))

    def make(shape, dt):  # start + i·step for i < length, as PyTorch computes it (NumPy's arange differs)
        return (start + step * np.arange(length, dtype=np.float64 if dt.kind == "f" else np.int64)).astype(dt)

    return _make("arange", make, (length,), dtype, device, requires_grad, _dtype_of(start, end, step))


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included), computed as PyTorch does:
    the first half as start + i·δ, the second as end − (steps − 1 − i)·δ, δ = (end − start)/(steps − 1)."""
    start, end = number("linspace", "start", start), number("linspace", "end", end)
    steps = count("linspace", "steps", steps, minimum=0)

    def make(shape, dt):
        i = np.arange(steps, dtype=np.float64)
        delta = (end - start) / (steps - 1) if steps > 1 else 0.0
        out = np.where(i < max(steps // 2, 1), start + delta * i, end - delta * (steps - 1 - i))
        return out.astype(dt, copy=False)

    return _make("linspace", make, (steps,), dtype, device, requires_grad)


# ---------------------------------------------------------------- sharing
def from_numpy(ndarray) -> Tensor:
    """A tensor that SHARES ``ndarray``'s memory (a change to one shows in the other), like PyTorch's."""
    if not isinstance(ndarray, np.ndarray):
        fail("from_numpy", f"expected a numpy.ndarray, got {type(ndarray).__module__}.{type(ndarray).__qualname__}",
             TypeError)
    if ndarray.dtype.kind not in "fiub":
        fail("from_numpy", f"the array must be numeric (float, int or bool), got dtype {ndarray.dtype}", TypeError)
    return Tensor._leaf(ndarray, False)
