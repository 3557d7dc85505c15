"""Issue 11's "bad input accepted or badly reported", one row each: a clear ValueError or
TypeError naming the function, the argument and the shapes or values (API.md section 8), never
a silent answer, a raw NumPy or Python error, or a MemoryError from deep inside."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from conftest import raises_naming


def r(*shape):
    return mg.randn(*shape)


def graph(*shape):
    """An output with a graph (it requires grad), for backward's rows."""
    return mg.randn(*shape, requires_grad=True) * 2


def saved(tmp, name, content=None):
    """A file in ``tmp``: a real mg.save of a Linear(3, 2), cut to ``content`` bytes when given one."""
    path = tmp / name
    nn.Linear(3, 2).save(path)
    if content is not None:
        path.write_bytes(content(path.read_bytes()))
    return path


HUGE = 10 ** 6   # a side of 10^6: 10^12 elements, thousands of GiB

CASES = [
    # (id, call(tmp_path), exception, words the message must hold)
    # ---- accepted silently
    ("dropout training a string", lambda tmp: F.dropout(r(4, 3), 0.5, training="no"), TypeError,
     ["dropout", "training", "bool", "'no'"]),
    ("batch_norm int64 running stats", lambda tmp: F.batch_norm(r(4, 3), mg.zeros(3, dtype=mg.int64), mg.ones(3, dtype=mg.int64),
                                                                training=True), TypeError,
     ["batch_norm", "running_mean", "int64", "floating point"]),
    ("batch_norm training a string", lambda tmp: F.batch_norm(r(4, 3), mg.zeros(3), mg.ones(3), training="yes"), TypeError,
     ["batch_norm", "training", "bool"]),
    ("binary_cross_entropy target 2.0", lambda tmp: F.binary_cross_entropy(mg.tensor([0.5, 0.3]), mg.tensor([2.0, 0.0])),
     ValueError, ["binary_cross_entropy", "target", "[0, 1]", "2.0", "(2,)"]),
    ("binary_cross_entropy NaN input", lambda tmp: F.binary_cross_entropy(mg.tensor([np.nan, 0.3]), mg.tensor([1.0, 0.0])),
     ValueError, ["binary_cross_entropy", "input", "[0, 1]", "nan", "(2,)"]),
    ("binary_cross_entropy NaN target", lambda tmp: F.binary_cross_entropy(mg.tensor([0.5, 0.3]), mg.tensor([np.nan, 0.0])),
     ValueError, ["binary_cross_entropy", "target", "nan"]),
    ("reshape(-2, 6)", lambda tmp: r(12).reshape(-2, 6), ValueError, ["reshape", "(-2, 6)", "-1"]),
    ("view with two -1", lambda tmp: r(12).view(-1, -1), ValueError, ["view", "(-1, -1)", "only one"]),
    ("Adam lr NaN", lambda tmp: mg.optim.Adam([mg.randn(2, requires_grad=True)], lr=float("nan")), ValueError,
     ["Adam", "lr", "nan"]),
    ("SGD lr NaN", lambda tmp: mg.optim.SGD([mg.randn(2, requires_grad=True)], lr=float("nan")), ValueError,
     ["SGD", "lr", "nan"]),
    ("backward complex grad", lambda tmp: graph(2).backward(np.array([1 + 1j, 2])), TypeError,
     ["Tensor.backward", "grad", "complex", "(2,)"]),
    # ---- raw NumPy or Python errors
    ("backward grad a string", lambda tmp: graph(2).backward(grad="a"), TypeError, ["Tensor.backward", "grad", "str", "'a'"]),
    ("backward grad strings", lambda tmp: graph(2).backward(["a", "b"]), TypeError, ["Tensor.backward", "grad", "real numbers"]),
    ("backward grad an object", lambda tmp: graph(2).backward(object()), TypeError, ["Tensor.backward", "grad", "object"]),
    ("sum keepdims a string", lambda tmp: r(4, 3).sum(keepdims="yes"), TypeError, ["sum", "keepdim", "bool", "'yes'"]),
    ("sum keepdim a string", lambda tmp: r(4, 3).sum(dim=0, keepdim="yes"), TypeError, ["sum", "keepdim", "bool"]),
    ("mean keepdims a string", lambda tmp: r(4, 3).mean(keepdims="yes"), TypeError, ["mean", "keepdim", "bool"]),
    ("max keepdim a string", lambda tmp: r(4, 3).max(dim=0, keepdim="yes"), TypeError, ["max", "keepdim", "bool"]),
    ("amin keepdim a string", lambda tmp: r(4, 3).amin(0, keepdim="yes"), TypeError, ["min", "keepdim", "bool"]),
    ("argmax keepdims a string", lambda tmp: r(4, 3).argmax(0, keepdims="yes"), TypeError, ["argmax", "keepdim", "bool"]),
    ("t < 'a'", lambda tmp: r(4, 3) < "a", TypeError, ["less", "Tensor", "str 'a'"]),
    ("t < None", lambda tmp: r(4, 3) < None, TypeError, ["less", "Tensor", "NoneType"]),
    ("t >= None", lambda tmp: r(4, 3) >= None, TypeError, ["greater_equal", "NoneType"]),
    ("t + 'a'", lambda tmp: r(4, 3) + "a", TypeError, ["add", "Tensor", "str 'a'"]),
    ("t + 10**400", lambda tmp: r(4, 3) + 10 ** 400, ValueError, ["add", "1000000", "float64", "(4, 3)"]),
    ("10**400 - t", lambda tmp: 10 ** 400 - r(4, 3), ValueError, ["sub", "float64", "(4, 3)"]),
    ("int64 t * 2**70", lambda tmp: mg.zeros(3, dtype=mg.int64) * 2 ** 70, ValueError, ["mul", "int64", "(3,)"]),
    ("t < 10**400", lambda tmp: r(4, 3) < 10 ** 400, ValueError, ["less", "float64"]),
    ("t ** 10**400", lambda tmp: r(4, 3) ** 10 ** 400, ValueError, ["pow", "exponent", "float64"]),
    ("clamp(min=10**400)", lambda tmp: r(4, 3).clamp(min=10 ** 400), ValueError, ["clip", "min", "float64"]),
    ("pad value 10**400", lambda tmp: F.pad(r(4, 3), (1, 1), value=10 ** 400), ValueError, ["pad", "value", "float64"]),
    ("zeros dtype garbage", lambda tmp: mg.zeros(3, dtype="garbage"), TypeError, ["zeros", "dtype", "'garbage'"]),
    ("ones dtype garbage", lambda tmp: mg.ones(3, dtype="garbage"), TypeError, ["ones", "dtype", "'garbage'"]),
    ("Value - 's'", lambda tmp: mg.Value(1.0) - "s", TypeError, ["Value.__sub__", "str 's'"]),
    ("'s' - Value", lambda tmp: "s" - mg.Value(1.0), TypeError, ["Value.__sub__", "str 's'"]),
    ("Value - None", lambda tmp: mg.Value(1.0) - None, TypeError, ["Value.__sub__", "NoneType"]),
    ("Value + 10**400", lambda tmp: mg.Value(1.0) + 10 ** 400, ValueError, ["Value.__add__", "float64"]),
    ("Value(10**400)", lambda tmp: mg.Value(10 ** 400), ValueError, ["Value", "data", "float64"]),
    ("Module.load garbage", lambda tmp: nn.Linear(3, 2).load(saved(tmp, "garbage.bin", lambda b: bytes(range(200)))),
     ValueError, ["Linear.load", "garbage.bin", "not a file written by mg.save"]),
    ("Module.load truncated", lambda tmp: nn.Linear(3, 2).load(saved(tmp, "cut.bin", lambda b: b[:len(b) // 2])),
     ValueError, ["Linear.load", "cut.bin", "mg.save"]),
    ("Module.load empty", lambda tmp: nn.Linear(3, 2).load(saved(tmp, "empty.bin", lambda b: b"")), ValueError,
     ["Linear.load", "empty.bin", "empty"]),
    ("Module.load a directory", lambda tmp: nn.Linear(3, 2).load(tmp), ValueError, ["Linear.load", "directory"]),
    ("mg.load garbage", lambda tmp: mg.load(saved(tmp, "junk.bin", lambda b: b"\x00" * 64)), ValueError,
     ["load", "junk.bin", "mg.save"]),
    ("load_state_dict string arrays", lambda tmp: nn.Linear(3, 2).load_state_dict(
        {"weight": np.array([["a"] * 3] * 2), "bias": np.array(["x", "y"])}), TypeError,
     ["Linear.load_state_dict", "weight", "<U1", "numbers"]),
    ("load_state_dict object arrays", lambda tmp: nn.Linear(3, 2).load_state_dict(
        {"weight": np.array([[None] * 3] * 2), "bias": np.zeros(2)}), TypeError, ["Linear.load_state_dict", "weight", "object"]),
    # ---- huge sizes: the one named size guard (_checks.allocation)
    ("Linear huge", lambda tmp: nn.Linear(HUGE, HUGE), ValueError, ["Linear", f"({HUGE}, {HUGE})", "GiB", "MAX_ARRAY_BYTES"]),
    ("Conv2d huge", lambda tmp: nn.Conv2d(10 ** 4, 10 ** 4, 100), ValueError, ["Conv2d", "(10000, 10000, 100, 100)", "GiB"]),
    ("ConvTranspose2d huge", lambda tmp: nn.ConvTranspose2d(10 ** 4, 10 ** 4, 100), ValueError, ["ConvTranspose2d", "GiB"]),
    ("BatchNorm1d huge", lambda tmp: nn.BatchNorm1d(10 ** 11), ValueError, ["BatchNorm1d", "GiB"]),
    ("pad huge", lambda tmp: F.pad(r(4, 3), (0, 10 ** 10)), ValueError, ["pad", "(4, 10000000003)", "GiB"]),
    ("linear huge output", lambda tmp: F.linear(r(10 ** 5, 3), mg.zeros(HUGE, 3)), ValueError, ["linear", f"(100000, {HUGE})", "GiB"]),
    ("zeros huge", lambda tmp: mg.zeros(HUGE, HUGE), ValueError, ["zeros", f"({HUGE}, {HUGE})", "GiB"]),
    ("ones huge", lambda tmp: mg.ones(10 ** 11), ValueError, ["ones", "GiB"]),
    ("randn huge", lambda tmp: mg.randn(HUGE, HUGE), ValueError, ["randn", "GiB"]),
    ("full huge", lambda tmp: mg.full((HUGE, HUGE), 1.0), ValueError, ["full", "GiB"]),
    ("arange huge", lambda tmp: mg.arange(10 ** 12), ValueError, ["arange", "GiB"]),
    ("eye huge", lambda tmp: mg.eye(HUGE), ValueError, ["eye", "GiB"]),
]


@pytest.mark.parametrize("call, kind, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_by_name(call, kind, words, tmp_path):
    raises_naming(lambda: call(tmp_path), kind, *words)


SMALL_LIMIT_CALLS = [
    ("conv2d windows", lambda: F.conv2d(mg.zeros(4, 8, 32, 32), mg.zeros(8, 8, 3, 3), padding=1)),
    ("conv_transpose2d windows", lambda: F.conv_transpose2d(mg.zeros(4, 8, 32, 32), mg.zeros(8, 8, 3, 3))),
    ("Linear", lambda: nn.Linear(1000, 1000)),
    ("Conv2d", lambda: nn.Conv2d(64, 64, 7)),
    ("pad", lambda: F.pad(mg.zeros(10, 10), (0, 20000))),
    ("linear", lambda: F.linear(mg.zeros(2000, 3), mg.zeros(1000, 3))),
    ("zeros", lambda: mg.zeros(1000, 1000)),
    ("randn", lambda: mg.randn(1000, 1000)),
    ("tensor", lambda: mg.full((1000, 1000), 2.0)),
]


@pytest.mark.parametrize("call", [c[1] for c in SMALL_LIMIT_CALLS], ids=[c[0] for c in SMALL_LIMIT_CALLS])
def test_every_allocation_the_arguments_control_goes_through_the_one_size_guard(call, monkeypatch):
    """Lower the one limit (minigrad._checks.MAX_ARRAY_BYTES) to 1 MiB: conv's buffers, layers, pad,
    linear and the factories are all refused by name, so there is one guard, not several."""
    from minigrad import _checks
    monkeypatch.setattr(_checks, "MAX_ARRAY_BYTES", 2 ** 20)
    raises_naming(call, ValueError, "MiB (more than the 1 MiB limit, minigrad._checks.MAX_ARRAY_BYTES)")


def test_eq_and_ne_with_something_else_are_false_and_true_like_torch():
    t = r(3)
    assert (t == None) is False and (t != None) is True and (t == "a") is False  # noqa: E711


# ---- float32 + int64 stays float32: PyTorch's type promotion (the category decides, then the width)
PROMOTIONS = [
    ("float32 + int64 array", lambda: mg.ones(3, dtype=mg.float32) + np.array([1, 2, 3]), np.float32),
    ("int64 array * float32", lambda: np.array([1, 2, 3]) * mg.ones(3, dtype=mg.float32), np.float32),
    ("float32 - int64 tensor", lambda: mg.ones(3, dtype=mg.float32) - mg.tensor([1, 2, 3], dtype=mg.int64), np.float32),
    ("float32 < int64 array", lambda: mg.ones(3, dtype=mg.float32) < np.array([1, 2, 3]), np.bool_),
    ("float32 + float64 array", lambda: mg.ones(3, dtype=mg.float32) + np.array([1.0, 2, 3]), np.float64),
    ("float32 + float64 0-d", lambda: mg.ones(3, dtype=mg.float32) + mg.tensor(2.0), np.float32),
    ("int64 + float64 0-d", lambda: mg.tensor([1, 2], dtype=mg.int64) + mg.tensor(0.5), np.float64),
    ("int32 + int64 array", lambda: mg.tensor([1, 2], dtype=mg.int32) + np.array([1, 2]), np.int64),
    ("float32 + 2.5", lambda: mg.ones(3, dtype=mg.float32) + 2.5, np.float32),
    ("float32 maximum int64", lambda: mg.maximum(mg.ones(3, dtype=mg.float32), mg.tensor([0, 2, 1], dtype=mg.int64)), np.float32),
]


@pytest.mark.parametrize("call, dtype", [p[1:] for p in PROMOTIONS], ids=[p[0] for p in PROMOTIONS])
def test_mixed_dtypes_promote_like_torch(call, dtype):
    assert call().dtype == dtype


def test_mixed_dtypes_promote_like_torch_against_torch():
    torch = pytest.importorskip("torch")
    pairs = [(np.float32, np.int64), (np.int64, np.float32), (np.float16, np.int64), (np.int32, np.int64),
             (np.uint8, np.int8), (np.bool_, np.int32), (np.float32, np.float64), (np.bool_, np.float32)]
    for a, b in pairs:
        x, y = np.ones(3, a), np.ones(3, b)
        got = (mg.Tensor._leaf(x, False) + mg.Tensor._leaf(y, False)).dtype
        want = (torch.from_numpy(x) + torch.from_numpy(y)).numpy().dtype
        assert got == want, (a, b, got, want)


def test_float32_training_step_with_int_labels_stays_float32():
    """A float32 weight times an int64 mask keeps its dtype, and so does the gradient."""
    w = mg.ones(3, dtype=mg.float32, requires_grad=True)
    y = (w * np.array([1, 0, 2])).sum()
    y.backward()
    assert y.dtype == np.float32 and w.grad.dtype == np.float32


# ---- allocations whose size the arguments decide beyond the constructors: the same guard
RESULT_SIZES = [
    ("broadcast", lambda: mg.zeros(10 ** 6, 1) * mg.zeros(1, 10 ** 6), ["mul", f"({HUGE}, {HUGE})", "float64"]),
    ("a broadcast view", lambda: mg.Tensor._leaf(np.broadcast_to(np.zeros(1), (10 ** 11,)), False) + 1,
     ["add", "(100000000000,)"]),
    ("comparison", lambda: mg.zeros(10 ** 6, 1) < mg.zeros(1, 10 ** 6), ["less", "bool"]),
    ("matmul", lambda: mg.zeros(10 ** 6, 1) @ mg.zeros(1, 10 ** 6), ["matmul", f"({HUGE}, {HUGE})"]),
    ("repeat", lambda: mg.zeros(3).repeat(10 ** 6, 10 ** 6), ["repeat", "(1000000, 3000000)"]),
    ("conv_transpose2d stride", lambda: F.conv_transpose2d(mg.zeros(1, 1, 2, 2), mg.zeros(1, 1, 1, 1), stride=10 ** 5),
     ["conv_transpose2d", "buffer", "GiB"]),
    ("conv_transpose2d dilation", lambda: F.conv_transpose2d(mg.zeros(1, 1, 2, 2), mg.zeros(1, 1, 2, 2), dilation=10 ** 5),
     ["conv_transpose2d", "buffer", "GiB"]),
    ("conv2d dilation (its input gradient's taps)", lambda: F.conv2d(mg.Tensor._leaf(
        np.broadcast_to(np.zeros(1), (1, 64, 1000, 1000)), False), mg.zeros(1, 64, 3, 3), dilation=499),
     ["conv2d", "buffer", "GiB"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in RESULT_SIZES], ids=[c[0] for c in RESULT_SIZES])
def test_a_huge_result_is_refused_before_numpy_tries(call, words):
    raises_naming(call, ValueError, "MAX_ARRAY_BYTES", *words)


NEWER_SIZES = [
    ("one_hot", lambda: F.one_hot(mg.tensor([0, 1], dtype=mg.int64), 10 ** 12), ["one_hot", "int64"]),
    ("one_hot of nothing", lambda: F.one_hot(mg.zeros(0, dtype=mg.int64), 10 ** 12), ["one_hot", "(1000000000000,)"]),
    ("interpolate", lambda: F.interpolate(mg.zeros(1, 1, 2, 2), scale_factor=10 ** 5), ["interpolate", "(1, 1, 200000, 200000)"]),
    ("Upsample", lambda: nn.Upsample(scale_factor=10 ** 5)(mg.zeros(1, 1, 2, 2)), ["interpolate", "(1, 1, 200000, 200000)"]),
    ("adaptive_avg_pool2d", lambda: F.adaptive_avg_pool2d(mg.zeros(1, 1, 2, 2), 10 ** 5), ["adaptive_avg_pool2d", "(1, 1, 100000, 100000)"]),
    ("AdaptiveMaxPool2d", lambda: nn.AdaptiveMaxPool2d(10 ** 5)(mg.zeros(1, 1, 2, 2)), ["adaptive_max_pool2d", "GiB"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in NEWER_SIZES], ids=[c[0] for c in NEWER_SIZES])
def test_the_sampling_and_sparse_functions_use_the_size_guard_too(call, words):
    raises_naming(call, ValueError, "MAX_ARRAY_BYTES", *words)


def big_view(*shape):
    """A tensor of ``shape`` that costs no memory (a broadcast view of one zero)."""
    return mg.Tensor._leaf(np.broadcast_to(np.zeros(1), shape), False)


VIEW_SIZES = [
    ("expand", lambda: mg.zeros(1).expand(10 ** 11), ["expand", "(100000000000,)", "view"]),
    ("cat", lambda: mg.cat([big_view(1, 2 * 10 ** 8), big_view(1, 2 * 10 ** 8)]), ["cat", "(2, 200000000)"]),
    ("stack", lambda: mg.stack([big_view(2 * 10 ** 8)] * 2), ["stack", "(2, 200000000)"]),
    ("where", lambda: mg.where(mg.zeros(10 ** 6, 1) > 0, mg.zeros(1, 10 ** 6), 0.0), ["where", f"({HUGE}, {HUGE})"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in VIEW_SIZES], ids=[c[0] for c in VIEW_SIZES])
def test_joins_and_views_too_big_to_compute_with_are_refused(call, words):
    raises_naming(call, ValueError, "MAX_ARRAY_BYTES", *words)
