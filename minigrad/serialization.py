"""``mg.save`` / ``mg.load``: checkpoints as data, never as code.

A file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) written to exactly the path
given. One entry, ``__minigrad__``, is UTF-8 JSON describing the saved object: dicts, lists,
tuples, strings, numbers, bools and None inline, and each tensor or array as a reference to
one ``.npy`` entry (plus, for a tensor, its ``requires_grad`` and name). Reading parses that
JSON and loads the arrays with ``allow_pickle=False``, so loading a file never runs code: a
pickle, a PyTorch checkpoint, or anything else that is not such an archive is a ValueError
naming the path.
"""
from __future__ import annotations

import io
import json
import math
import os
import pathlib
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np

from ._checks import fail, type_name
from .dtypes import device_arg
from .parameter import Parameter
from .tensor import Tensor

__all__ = ["save", "load"]

INDEX = "__minigrad__"
FORMAT, VERSION = "minigrad", 1
_NUMERIC = "fiub"


# ---------------------------------------------------------------- writing
def save(obj, path, fn: str = "save") -> pathlib.Path:
    """Write ``obj`` (nested dicts, lists and tuples of tensors, arrays, numbers, strings, bools
    and None, e.g. ``{'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3}``)
    to ``path`` exactly (``m.pth`` writes ``m.pth``); returns the path."""
    path = _path(fn, path)
    arrays = []
    index = {"format": FORMAT, "version": VERSION, "object": _encode(fn, obj, arrays, "obj")}
    entries = {f"{k}": a for k, a in enumerate(arrays)}
    entries[INDEX] = np.frombuffer(json.dumps(index, allow_nan=False).encode("utf-8"), np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:  # a file object, so NumPy appends no ".npz" to the name
            np.savez(f, **entries)
        os.replace(tmp, path)           # a failed save never leaves half a file under the name
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def _encode(fn, x, arrays, where):
    if x is None or isinstance(x, (bool, str, int)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else {"float": repr(x)}
    if isinstance(x, Tensor):
        node = {"tensor": _array(fn, x.data, arrays, where), "requires_grad": x.requires_grad, "name": x.name}
        if isinstance(x, Parameter):
            node["parameter"] = True
        return node
    if isinstance(x, np.ndarray):
        return {"array": _array(fn, x, arrays, where)}
    if isinstance(x, np.generic):
        return {"scalar": _array(fn, np.asarray(x), arrays, where)}
    if isinstance(x, (list, tuple)):
        kind = "list" if isinstance(x, list) else "tuple"
        return {kind: [_encode(fn, v, arrays, f"{where}[{i}]") for i, v in enumerate(x)]}
    if isinstance(x, dict):
        items = [[_encode(fn, k, arrays, f"{where} key {k!r}"), _encode(fn, v, arrays, f"{where}[{k!r}]")]
                 for k, v in x.items()]
        return {"ordered_dict" if isinstance(x, OrderedDict) else "dict": items}
    hint = "; save its state_dict() instead" if hasattr(x, "state_dict") else ""
    fail(fn, f"{where} is a {type_name(x)}, which a minigrad file cannot hold (it holds tensors, arrays, "
             f"numbers, strings, bools, None, and lists, tuples and dicts of them){hint}", TypeError)


def _array(fn, a, arrays, where) -> int:
    if a.dtype.kind not in _NUMERIC:
        fail(fn, f"{where} has dtype {a.dtype}; a minigrad file holds numeric and bool arrays only", TypeError)
    arrays.append(a)
    return len(arrays) - 1


# ---------------------------------------------------------------- reading
def load(path, map_location=None, weights_only=None, fn: str = "load"):
    """The object ``save`` wrote to ``path``: tensors come back with their dtype, shape, values,
    ``requires_grad`` and name. ``map_location`` may only name the CPU; ``weights_only`` is
    accepted for PyTorch scripts (a minigrad file is always data only)."""
    path = _path(fn, path)
    device_arg(fn, map_location, "map_location")
    if not path.exists():
        fail(fn, f"no such file: {str(path)!r}", FileNotFoundError)
    if path.is_dir():
        fail(fn, f"{str(path)!r} is a directory, not a file written by mg.save")
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":
        fail(fn, f"{str(path)!r} is not a file written by mg.save: {_what(head)}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if INDEX not in npz.files:
                fail(fn, f"{str(path)!r} is a zip archive without minigrad's index (a PyTorch checkpoint, or an "
                         "npz from np.savez?); minigrad reads the files mg.save writes and never unpickles")
            index = json.loads(npz[INDEX].tobytes().decode("utf-8"))
            arrays = {name: npz[name] for name in npz.files if name != INDEX}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, UnicodeDecodeError) as e:
        if str(e).startswith(f"{fn}: "):
            raise
        fail(fn, f"{str(path)!r} is damaged or not a file written by mg.save ({type(e).__name__}: {e})")
    return _Decoder(fn, path, arrays).document(index)


def _what(head: bytes) -> str:
    if not head:
        return "it is empty"
    if head[:1] == b"\x80":
        return "it is a pickle, and minigrad never unpickles (a pickle can run code)"
    return "it does not start like a zip archive (truncated, or another format)"


class _Decoder:
    """The index's JSON turned back into objects; anything unexpected names the file."""

    def __init__(self, fn, path, arrays):
        self.fn, self.path, self.arrays = fn, path, arrays

    def damaged(self, msg):
        fail(self.fn, f"{str(self.path)!r} is damaged: {msg}")

    def document(self, index):
        if not isinstance(index, dict) or index.get("format") != FORMAT or "object" not in index:
            self.damaged("its index is not minigrad's")
        if index.get("version") != VERSION:
            self.damaged(f"format version {index.get('version')!r}; this minigrad reads version {VERSION}")
        return self.node(index["object"])

    def node(self, x):
        if x is None or isinstance(x, (bool, str, int, float)):
            return x
        if not isinstance(x, dict) or not x:
            self.damaged(f"unexpected entry {x!r:.80}")
        kind = next(iter(x))
        value = x[kind]
        if kind in ("list", "tuple") and isinstance(value, list):
            items = [self.node(v) for v in value]
            return items if kind == "list" else tuple(items)
        if kind in ("dict", "ordered_dict") and isinstance(value, list):
            out = OrderedDict() if kind == "ordered_dict" else {}
            for pair in value:
                if not isinstance(pair, list) or len(pair) != 2:
                    self.damaged(f"a dict item is {pair!r:.80}")
                key = self.node(pair[0])
                try:
                    out[key] = self.node(pair[1])
                except TypeError:
                    self.damaged(f"a dict key is {key!r:.80}")
            return out
        if kind == "float" and value in ("nan", "inf", "-inf"):
            return float(value)
        if kind == "array":
            return self.array(value)
        if kind == "scalar":
            return self.array(value)[()]
        if kind == "tensor":
            return self.tensor(x)
        self.damaged(f"unexpected entry {x!r:.80}")

    def array(self, ref):
        a = self.arrays.get(f"{ref}") if isinstance(ref, int) and not isinstance(ref, bool) else None
        if a is None:
            self.damaged(f"array {ref!r} is missing")
        if a.dtype.kind not in _NUMERIC:
            self.damaged(f"array {ref} has dtype {a.dtype}")
        return a

    def tensor(self, x):
        data = self.array(x["tensor"])
        requires_grad, name = x.get("requires_grad", False), x.get("name")
        if not isinstance(requires_grad, bool) or (requires_grad and data.dtype.kind != "f"):
            self.damaged(f"requires_grad={requires_grad!r} for a tensor of dtype {data.dtype}")
        if name is not None and not isinstance(name, str):
            self.damaged(f"a tensor's name is {name!r:.80}")
        if x.get("parameter"):
            t = Parameter(data, requires_grad=requires_grad)
        else:
            t = Tensor._leaf(data, requires_grad)
        t.name = name
        return t


def _path(fn, path) -> pathlib.Path:
    if isinstance(path, io.IOBase) or not isinstance(path, (str, os.PathLike)):
        fail(fn, f"path must be a str or a path, got {type_name(path)}", TypeError)
    return pathlib.Path(path)
