"""Property tests (hypothesis) for the convolution family: random configurations against PyTorch,
and the identities that hold for every configuration — conv of a sum is the sum of convs,
FFT conv equals direct conv, conv_transpose2d is the adjoint of conv2d, float32 agrees with float64.

The torch comparisons also draw which operands hold NaN, inf and -inf (input, weight, bias, the
upstream gradient): those propagate exactly as in PyTorch (float64), forward and backward."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from conftest import nonfinite

try:
    import torch
except ImportError:  # torch is an optional oracle
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conv_configs(draw, max_stride=3):
    """A valid conv2d configuration: shapes, stride, padding, dilation, groups, bias."""
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 9))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 9))
    return dict(x=(draw(st.integers(1, 3)), cin, h, w), w=(cout, cin // groups, kh, kw), bias=draw(st.booleans()),
                kw=dict(stride=(draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride))),
                        padding=(ph, pw), dilation=(dh, dw), groups=groups))


def arrays(cfg, seed, integer=False, poisoned=()):
    """x, w and b (or None) for ``cfg``; those named in ``poisoned`` hold NaN, inf and -inf."""
    rng = np.random.default_rng(seed)
    make = (lambda s: rng.integers(-3, 4, s).astype(float)) if integer else rng.standard_normal
    out = make(cfg["x"]), make(cfg["w"]), (make(cfg["w"][0]) if cfg["bias"] else None)
    return tuple(poison(a, name, poisoned, seed + k) for k, (a, name) in enumerate(zip(out, ("input", "weight", "bias"))))


def poison(a, name, poisoned, seed):
    """``a`` with NaN, inf and -inf sprinkled in when ``name`` is in ``poisoned``."""
    return nonfinite(a, seed) if a is not None and name in poisoned else a


POISONED = st.sets(st.sampled_from(["input", "weight", "bias", "grad"]))   # which operands are not finite


def upstream(shape, seed, poisoned):
    """The gradient sent into the output: random, and not finite when "grad" is in ``poisoned``."""
    return poison(np.random.default_rng(seed).standard_normal(shape), "grad", poisoned, seed)


def assert_grads_equal(pairs, rtol=1e-10, atol=1e-10):
    """Each (minigrad, torch) leaf got the same gradient, NaN for NaN and inf for inf."""
    for m, t in pairs:
        if m is not None:
            np.testing.assert_allclose(m.grad, t.grad.numpy(), rtol=rtol, atol=atol)


def tensors(*arrays_):
    return [None if a is None else mg.tensor(a, requires_grad=True) for a in arrays_]


def torch_leaves(*arrays_):
    return [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays_]


@needs_torch
@SETTINGS
@given(conv_configs(), st.integers(0, 2 ** 16), POISONED)
def test_conv2d_equals_torch_for_random_configurations(cfg, seed, poisoned):
    x, w, b = arrays(cfg, seed, poisoned=poisoned)
    mx, mw, mb = tensors(x, w, b)
    tx, tw, tb = torch_leaves(x, w, b)
    y, yt = F.conv2d(mx, mw, mb, **cfg["kw"]), torch.nn.functional.conv2d(tx, tw, tb, **cfg["kw"])
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    g = upstream(y.shape, seed + 1, poisoned)
    y.backward(g)
    yt.backward(torch.tensor(g))
    assert_grads_equal(((mx, tx), (mw, tw), (mb, tb)))


@needs_torch
@SETTINGS
@given(conv_configs(), st.integers(0, 2 ** 16), st.data(), POISONED)
def test_conv_transpose2d_equals_torch_for_random_configurations(cfg, seed, data, poisoned):
    _, w, _ = arrays(cfg, seed, poisoned=poisoned)
    kw = dict(cfg["kw"])
    kw["output_padding"] = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(kw["stride"], kw["dilation"]))
    # as a transposed conv: input has w.shape[0] channels, weight (in, out/groups, kh, kw)
    rng = np.random.default_rng(seed + 2)
    y_in = poison(rng.standard_normal((cfg["x"][0], w.shape[0], 3, 4)), "input", poisoned, seed + 2)
    bias = poison(rng.standard_normal(w.shape[1] * kw["groups"]), "bias", poisoned, seed + 3) if cfg["bias"] else None
    mx, mw, mb = tensors(y_in, w, bias)
    tx, tw, tb = torch_leaves(y_in, w, bias)
    hw = [(n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in
          zip((3, 4), kw["stride"], kw["padding"], kw["dilation"], w.shape[2:], kw["output_padding"])]
    if min(hw) < 1:
        with pytest.raises(ValueError, match="conv_transpose2d: output size"):
            F.conv_transpose2d(mx, mw, mb, **kw)
        return
    y, yt = F.conv_transpose2d(mx, mw, mb, **kw), torch.nn.functional.conv_transpose2d(tx, tw, tb, **kw)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    g = upstream(y.shape, seed + 4, poisoned)
    y.backward(g)
    yt.backward(torch.tensor(g))
    assert_grads_equal(((mx, tx), (mw, tw), (mb, tb)))


@SETTINGS
@given(conv_configs(), st.integers(0, 2 ** 16), st.floats(-3, 3))
def test_conv_of_a_sum_is_the_sum_of_convs(cfg, seed, a):
    x1, w, _ = arrays(cfg, seed)
    x2 = np.random.default_rng(seed + 1).standard_normal(x1.shape)
    conv = lambda x: F.conv2d(mg.tensor(x), mg.tensor(w), **cfg["kw"]).data  # noqa: E731
    np.testing.assert_allclose(conv(a * x1 + x2), a * conv(x1) + conv(x2), rtol=1e-9, atol=1e-9)


@SETTINGS
@given(conv_configs(), st.integers(0, 2 ** 16))
def test_conv_transpose_is_the_adjoint_of_conv(cfg, seed):
    x, w, _ = arrays(cfg, seed)
    kw = cfg["kw"]
    y = F.conv2d(mg.tensor(x), mg.tensor(w), **kw)
    r = np.random.default_rng(seed + 1).standard_normal(y.shape)
    # conv2d may skip the last rows/cols of x; output_padding (< stride) gives convT the full size back
    out_pad = []
    for n, o, s, p, d, k in zip(x.shape[-2:], y.shape[-2:], kw["stride"], kw["padding"], kw["dilation"], w.shape[-2:]):
        out_pad.append(n - ((o - 1) * s - 2 * p + d * (k - 1) + 1))
    assert all(0 <= op < s for op, s in zip(out_pad, kw["stride"]))
    back = F.conv_transpose2d(mg.tensor(r), mg.tensor(w), output_padding=tuple(out_pad), **kw)
    assert back.shape == x.shape
    assert np.sum(y.data * r) == pytest.approx(np.sum(x * back.data), rel=1e-9, abs=1e-9)


@SETTINGS
@given(conv_configs(max_stride=1), st.integers(0, 2 ** 16), POISONED)
def test_fft_conv_equals_direct_conv(cfg, seed, poisoned):
    """Values and gradients; with NaN or inf anywhere fft_conv2d correlates directly, so the
    non-finite values stay in the windows that hold them (never an all-NaN output)."""
    cfg["kw"].update(groups=1, dilation=(1, 1))
    cfg["w"] = (cfg["w"][0], cfg["x"][1]) + cfg["w"][2:]
    h, w_ = cfg["x"][2:]
    kh, kw = cfg["w"][2:]
    ph, pw = cfg["kw"]["padding"]
    if kh > h + 2 * ph or kw > w_ + 2 * pw:
        return
    arrays_ = arrays(cfg, seed, poisoned=poisoned)
    fft_in, direct_in = tensors(*arrays_), tensors(*arrays_)
    fft = F.fft_conv2d(*fft_in, padding=cfg["kw"]["padding"])
    direct = F.conv2d(*direct_in, padding=cfg["kw"]["padding"])
    np.testing.assert_allclose(fft.data, direct.data, rtol=0, atol=1e-9)
    g = upstream(fft.shape, seed + 1, poisoned)
    fft.backward(g)
    direct.backward(g)
    for a, b in zip(fft_in, direct_in):
        if a is not None:
            np.testing.assert_allclose(a.grad, b.grad, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(conv_configs(), st.integers(0, 2 ** 16), POISONED)
def test_float32_agrees_with_float64(cfg, seed, poisoned):
    """NaN and inf land in the same places in both dtypes. (PyTorch's float32 CPU conv, oneDNN,
    skips the taps over the zero padding and so turns some 0 · inf into nothing where its float64
    conv, like minigrad in both dtypes, gives NaN.)"""
    x, w, b = arrays(cfg, seed, poisoned=poisoned - {"grad"})
    y64 = F.conv2d(*tensors(x, w, b), **cfg["kw"])
    y32 = F.conv2d(*[None if a is None else mg.tensor(a.astype(np.float32)) for a in (x, w, b)], **cfg["kw"])
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32.data, y64.data, rtol=1e-4, atol=1e-4)


@st.composite
def pool_configs(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 8))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 8))
    return dict(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), kernel_size=(kh, kw),
                stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))), padding=(ph, pw), dilation=(dh, dw))


POOL_POISONED = st.sets(st.sampled_from(["input", "grad"]))


@needs_torch
@SETTINGS
@given(pool_configs(), st.integers(0, 2 ** 16), POOL_POISONED)
def test_max_pool_with_ties_equals_torch(cfg, seed, poisoned):
    a = np.random.default_rng(seed).integers(0, 3, cfg["shape"]).astype(float)   # ties everywhere
    a = poison(a, "input", poisoned, seed)
    x, xt = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    kw = {k: cfg[k] for k in ("kernel_size", "stride", "padding", "dilation")}
    y, idx = F.max_pool2d(x, return_indices=True, **kw)
    yt, it = torch.nn.functional.max_pool2d(xt, return_indices=True, **kw)
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    np.testing.assert_array_equal(idx.data, it.numpy())
    if np.isinf(F.max_pool2d(mg.zeros(*cfg["shape"]), **kw).data).any():
        # a dilated window that lies wholly in the padding (PyTorch allows it): the output is -inf
        # and minigrad sends its gradient nowhere, while torch writes it through an index outside
        # the plane (into the next channel, or past the buffer: its backward corrupts the heap);
        # compare the gradients only where every window is real
        return
    g = upstream(y.shape, seed + 1, poisoned)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@needs_torch
@SETTINGS
@given(pool_configs(), st.integers(0, 2 ** 16), st.booleans(), POOL_POISONED)
def test_avg_pool_equals_torch(cfg, seed, count_include_pad, poisoned):
    a = poison(np.random.default_rng(seed).standard_normal(cfg["shape"]), "input", poisoned, seed)
    x, xt = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    kw = dict(kernel_size=cfg["kernel_size"], stride=cfg["stride"], padding=cfg["padding"],
              count_include_pad=count_include_pad)
    y, yt = F.avg_pool2d(x, **kw), torch.nn.functional.avg_pool2d(xt, **kw)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = upstream(y.shape, seed + 1, poisoned)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@needs_torch
@SETTINGS
@given(st.sampled_from(["constant", "reflect", "replicate", "circular"]), st.integers(1, 2),
       st.lists(st.integers(-2, 3), min_size=4, max_size=4), st.integers(0, 2 ** 16), POOL_POISONED)
def test_pad_equals_torch(mode, extra_dims, pads, seed, poisoned):
    shape = (2, 3)[:extra_dims] + (4, 5)
    pads = tuple(pads)
    a = poison(np.random.default_rng(seed).standard_normal(shape), "input", poisoned, seed)
    x, xt = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    kept = [n + min(p, 0) + min(q, 0) for n, p, q in zip(shape[::-1], pads[0::2], pads[1::2])]
    if mode == "circular" and any(max(p, q) > k for k, p, q in zip(kept, pads[0::2], pads[1::2])):
        # a crop that leaves less than the pad would wrap twice: torch lets some of these through
        # with garbage values or wrong gradients (its own gradcheck fails); minigrad refuses them
        with pytest.raises(ValueError, match="more than once"):
            F.pad(x, pads, mode=mode)
        return
    try:
        yt = torch.nn.functional.pad(xt, pads, mode=mode)
    except (RuntimeError, NotImplementedError, ValueError):
        with pytest.raises(ValueError):                   # where torch refuses, so do we
            F.pad(x, pads, mode=mode)
        return
    y = F.pad(x, pads, mode=mode)
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    g = upstream(y.shape, seed + 1, poisoned)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-13, atol=1e-13)
