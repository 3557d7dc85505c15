"""dtypes and the one device: PyTorch's names (``mg.float32``, ``mg.long``, ``device='cpu'``) as NumPy dtypes.

minigrad computes with NumPy on the CPU, so ``'cpu'`` is the only device: it is accepted
wherever PyTorch takes ``device=``, and any other device is a ValueError that names it. The
dtype constants are NumPy dtypes, so ``t.dtype == mg.float32`` and ``np.zeros(3, mg.long)``
both work. As in PyTorch, ``mg.float`` is float32 and ``mg.int`` is int32.
"""
from __future__ import annotations

import numpy as np

from ._checks import fail, type_name

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8, int16, uint8 = np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.uint8)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

DEFAULT = float64  # minigrad's default (PyTorch's is float32): exact checks first


def dtype_arg(fn: str, dtype, arg: str = "dtype", default=DEFAULT) -> np.dtype:
    """``dtype`` (a NumPy dtype, its name, a Python type or a minigrad constant) as a numeric
    NumPy dtype; None gives ``default``. Anything else is a TypeError naming ``fn`` and ``arg``."""
    if dtype is None:
        return default
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        fail(fn, f"{arg} must be a dtype such as mg.float32 or mg.int64, got {dtype!r}", TypeError)
    if dt.kind not in "fiub":
        fail(fn, f"{arg} must be a floating-point, integer or bool dtype, got {dt}", TypeError)
    return dt


class device:
    """The device a tensor lives on: always the CPU (``torch.device('cpu')``).

    It prints as ``cpu`` and equals ``'cpu'``, so ``t.device == 'cpu'`` and
    ``f"on {t.device}"`` read as in PyTorch.
    """

    __slots__ = ("index",)

    def __init__(self, type="cpu", index=None):
        name = device_arg("device", type)
        if index is not None and not isinstance(index, int):
            fail("device", f"index must be an int or None, got {index!r}", TypeError)
        self.index = index if index is not None else _index(name)

    type = property(lambda self: "cpu", doc="The device type: always 'cpu'.")

    def __str__(self):
        return "cpu" if self.index is None else f"cpu:{self.index}"

    def __repr__(self):
        return "device(type='cpu')" if self.index is None else f"device(type='cpu', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, (str, device)):
            return str(other).split(":")[0] == "cpu"
        return NotImplemented

    def __hash__(self):
        return hash("cpu")


def _index(name: str):
    _, _, index = name.partition(":")
    return int(index) if index else None


# PyTorch's device types: a string naming one is a device (refused unless cpu), any other string a dtype
_DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hpu", "mtia", "ipu", "vulkan")


def is_device(x) -> bool:
    """True for what PyTorch takes as a device: a device object or a device name like ``'cuda:0'``."""
    if isinstance(x, device) or type(x).__name__ == "device":
        return True
    return isinstance(x, str) and x.partition(":")[0] in _DEVICE_TYPES


def device_arg(fn: str, dev, arg: str = "device") -> str:
    """``dev`` (None, ``'cpu'``, ``'cpu:0'``, a device) as its name; another device is a ValueError."""
    if dev is None:
        return "cpu"
    name = str(dev) if isinstance(dev, (str, device)) or type(dev).__name__ == "device" else None
    if name is None:
        fail(fn, f"{arg} must be 'cpu' or a device, got {type_name(dev)} {dev!r}", TypeError)
    kind, _, index = name.partition(":")
    if kind != "cpu" or (index and not index.isdigit()):
        fail(fn, f"{arg} {name!r} is not available: minigrad computes with NumPy on the CPU, "
                 "so 'cpu' is its only device")
    return name
