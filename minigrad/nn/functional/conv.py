"""Convolutions, pooling, padding and output sizes: PyTorch's signatures and semantics, validated here.

Every argument is checked at this edge and a mistake is answered with a ValueError or TypeError
that names the function, the argument and the shapes (``conv2d: input has 3 channels but weight
expects 1 (input (1, 3, 28, 28), weight (8, 1, 3, 3))``); the ops in ``minigrad/ops`` then run on
arguments they can trust. Inputs are minigrad Tensors (wrap arrays with ``mg.tensor``), batched
(N, C, H, W) or unbatched (C, H, W) like PyTorch; mixed float32/float64 operands compute in float64.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..._checks import allocation, as_float, choice, fail, is_int, pair, type_name
from ...ops import conv as _conv
from ...ops import conv_transpose as _convT
from ...ops import fft as _fft
from ...ops import pad as _pad
from ...ops import pool as _pool
from ...tensor import Tensor, check_tensor as _tensor

__all__ = ["conv2d", "convolve2d", "fft_conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "pad",
           "conv_output_size"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_PAD_MODES = ("constant", "reflect", "replicate", "circular")


# ---------------------------------------------------------------- shared checks
def _image(fn, x, what="input"):
    """A (C, H, W) or (N, C, H, W) tensor, like PyTorch (2-D and 5-D inputs are refused)."""
    _tensor(fn, what, x)
    if x.ndim not in (3, 4):
        fail(fn, f"expected {what} of 3 dimensions (C, H, W) or 4 (N, C, H, W), got shape {x.shape}"
                 + (" (add the channel dimension: x.reshape(1, H, W))" if x.ndim == 2 else ""))
    if 0 in x.shape[-3:]:
        fail(fn, f"{what} has an empty channel or spatial dimension, shape {x.shape}")
    return x


def _weight(fn, w):
    _tensor(fn, "weight", w)
    if w.ndim != 4:
        fail(fn, f"weight must be 4-D (out_channels, in_channels/groups, kh, kw), got shape {w.shape}")
    if 0 in w.shape:
        fail(fn, f"weight has an empty dimension, shape {w.shape}")
    return w


def _bias(fn, b, channels, shapes):
    _tensor(fn, "bias", b, optional=True)
    if b is not None and b.shape != (channels,):
        fail(fn, f"bias must have shape ({channels},), one per output channel, got {b.shape} ({shapes})")
    return b


def _groups(fn, groups):
    if not is_int(groups):
        fail(fn, f"groups must be an int, got {groups!r}", TypeError)
    if groups < 1:
        fail(fn, f"groups must be >= 1, got {groups}")
    return int(groups)


class _shapes:
    """``input (…), weight (…)`` for messages, formatted only when a message is made."""

    __slots__ = ("x", "w")

    def __init__(self, x, w):
        self.x, self.w = x, w

    def __str__(self):
        return f"input {tuple(self.x.shape)}, weight {tuple(self.w.shape)}"


def _guard(fn, nbytes, what, detail):
    """Refuse a buffer above the one size limit (``_checks.allocation``); ``detail()`` names the shapes."""
    allocation(fn, nbytes=nbytes, what=what,
               hint=lambda: f"use a smaller batch, fewer channels or a larger stride ({detail()})")


def _conv_padding(fn, padding, kernel, dilation, stride):
    """``padding`` (int, pair, "valid", "same") as (top, bottom, left, right), like PyTorch."""
    if isinstance(padding, str):
        choice(fn, "padding", padding, ("valid", "same"))
        if padding == "valid":
            return (0, 0, 0, 0)
        if stride != (1, 1):
            fail(fn, f"padding='same' is not supported for strided convolutions (stride={stride}), like PyTorch")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]  # the odd one out goes bottom/right, like PyTorch
        return tuple(pads)
    ph, pw = pair(fn, "padding", padding, minimum=0)
    return (ph, ph, pw, pw)


def _check_fits(fn, hw, kernel, dilation, pads, detail):
    """The (dilated) kernel must fit in the padded input."""
    hp, wp = hw[0] + pads[0] + pads[1], hw[1] + pads[2] + pads[3]
    eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if eff[0] > hp or eff[1] > wp:
        dil = f" dilated by {tuple(dilation)} to {eff}" if tuple(dilation) != (1, 1) else ""
        fail(fn, f"kernel {tuple(kernel)}{dil} is larger than the padded input {(hp, wp)} ({detail}, "
                 f"padding {pads if pads[0::2] != pads[1::2] else (pads[0], pads[2])})")


# ---------------------------------------------------------------- convolutions
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros") -> Tensor:
    """2-D cross-correlation, ``out[n,o,i,j] = b[o] + Σ_{c,u,v} xpad[n,c,i·s+u·d, j·s+v·d] · w[o,c,u,v]``.

    input (N, C, H, W) or (C, H, W); weight (O, C/groups, kh, kw); padding an int, a pair,
    ``"valid"`` or ``"same"``; padding_mode ``zeros reflect replicate circular`` (as nn.Conv2d).
    """
    return _conv2d("conv2d", input, weight, bias, stride, padding, dilation, groups, padding_mode, flip=False)


def convolve2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros") -> Tensor:
    """True 2-D convolution: ``conv2d`` with the kernel flipped in both spatial axes (w[..., ::-1, ::-1])."""
    return _conv2d("convolve2d", input, weight, bias, stride, padding, dilation, groups, padding_mode, flip=True)


def _conv2d(fn, x, w, b, stride, padding, dilation, groups, padding_mode, flip):
    _image(fn, x)
    _weight(fn, w)
    shapes = _shapes(x, w)
    stride = pair(fn, "stride", stride, minimum=1)
    dilation = pair(fn, "dilation", dilation, minimum=1)
    groups = _groups(fn, groups)
    choice(fn, "padding_mode", padding_mode, _PADDING_MODES)
    c, (o, cg, kh, kw) = x.shape[-3], w.shape
    if o % groups:
        fail(fn, f"groups={groups} does not divide the weight's {o} output channels ({shapes})")
    if c % groups:
        fail(fn, f"groups={groups} does not divide the input's {c} channels ({shapes})")
    if cg * groups != c:
        expects = f"{cg}" if groups == 1 else f"{cg} x groups {groups} = {cg * groups}"
        fail(fn, f"input has {c} channels but weight expects {expects} ({shapes})")
    _bias(fn, b, o, shapes)
    pads = _conv_padding(fn, padding, (kh, kw), dilation, stride)
    _check_fits(fn, x.shape[-2:], (kh, kw), dilation, pads, shapes)
    geom = _conv.Geometry(x.shape[-2:], (kh, kw), stride, dilation, pads)
    n = x.shape[0] if x.ndim == 4 else 1
    _guard(fn, geom.cols_nbytes(n, c, np.result_type(x.data, w.data).itemsize), "the im2col window buffer",
           lambda: f"{shapes}, output {geom.Ho}x{geom.Wo}")
    if padding_mode != "zeros" and any(pads):             # a pad node first, then a conv without padding
        border = (pads[2], pads[3], pads[0], pads[1])
        _check_border_pads(fn, f"padding_mode={padding_mode!r}", padding_mode, border, x.shape)
        x = _pad.pad(x, border, padding_mode, 0.0)
        pads = (0, 0, 0, 0)
        geom = _conv.Geometry(x.shape[-2:], (kh, kw), stride, dilation, pads)
    return _conv.conv2d(x, w, b, stride, pads, dilation, groups, flip=flip, geom=geom)


def fft_conv2d(input, weight, bias=None, padding=0) -> Tensor:
    """conv2d with stride 1 through the convolution theorem: ``F⁻¹(Σ_c F[x_c] · conj(F[w_c]))``.

    The same result as ``conv2d(input, weight, bias, padding=padding)`` (to rounding), computed
    with ``numpy.fft``, and differentiable. padding an int, a pair, ``"valid"`` or ``"same"``.
    An input or weight holding inf or NaN (or such a gradient in the backward) is correlated
    directly instead: a spectrum would spread one non-finite value over the whole output as NaN,
    the direct sum keeps it to the windows that hold it, exactly like conv2d and PyTorch.
    """
    fn = "fft_conv2d"
    _image(fn, input)
    _weight(fn, weight)
    shapes = _shapes(input, weight)
    c, (o, cw, kh, kw) = input.shape[-3], weight.shape
    if cw != c:
        fail(fn, f"input has {c} channels but weight expects {cw} ({shapes}); fft_conv2d has no groups")
    _bias(fn, bias, o, shapes)
    pads = _conv_padding(fn, padding, (kh, kw), (1, 1), (1, 1))
    _check_fits(fn, input.shape[-2:], (kh, kw), (1, 1), pads, shapes)
    n = input.shape[0] if input.ndim == 4 else 1
    hp, wp = input.shape[-2] + pads[0] + pads[1], input.shape[-1] + pads[2] + pads[3]
    _guard(fn, _fft.spectrum_nbytes(n, c, o, _fft.fast_len(hp), _fft.fast_len(wp), 8), "the Fourier spectra",
           lambda: f"{shapes}, padded {hp}x{wp}")
    return _fft.fft_conv2d(input, weight, bias, pads)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """Transposed convolution, the adjoint of conv2d: each input pixel adds a stride-spaced copy of the kernel.

    input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out/groups, kh, kw); output size
    ``(H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1``.
    """
    fn = "conv_transpose2d"
    _image(fn, input)
    _weight(fn, weight)
    shapes = _shapes(input, weight)
    stride = pair(fn, "stride", stride, minimum=1)
    dilation = pair(fn, "dilation", dilation, minimum=1)
    ph, pw = pair(fn, "padding", padding, minimum=0)
    out_pad = pair(fn, "output_padding", output_padding, minimum=0)
    groups = _groups(fn, groups)
    c, (cin, cout_g, kh, kw) = input.shape[-3], weight.shape
    if c % groups:
        fail(fn, f"groups={groups} does not divide the input's {c} channels ({shapes})")
    if cin != c:
        fail(fn, f"input has {c} channels but weight expects {cin} (weight is (in_channels, out_channels/groups, "
                 f"kh, kw) for a transposed convolution; {shapes})")
    for op, s, d in zip(out_pad, stride, dilation):
        if op >= max(s, d):
            fail(fn, f"output_padding={out_pad} must be smaller than either stride={stride} or dilation={dilation}")
    _bias(fn, bias, cout_g * groups, shapes)
    pads = (ph, ph, pw, pw)
    h, w = input.shape[-2:]
    hw = _convT.output_size(h, w, (kh, kw), stride, pads, dilation, out_pad)
    if min(hw) < 1:
        fail(fn, f"output size {hw} is too small: (H - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1 "
                 f"with padding {(ph, pw)}, stride {stride} ({shapes})")
    geom = _convT.geometry(h, w, (kh, kw), stride, pads, dilation, out_pad)
    n = input.shape[0] if input.ndim == 4 else 1
    _guard(fn, geom.cols_nbytes(n, cout_g * groups, np.result_type(input.data, weight.data).itemsize),
           "the col2im window buffer", lambda: f"{shapes}, output {hw}")
    return _convT.conv_transpose2d(input, weight, bias, stride, pads, out_pad, groups, dilation)


# ---------------------------------------------------------------- pooling
def _pool_args(fn, x, kernel_size, stride, padding, dilation, ceil_mode):
    _image(fn, x)
    kernel = pair(fn, "kernel_size", kernel_size, minimum=1)
    stride = kernel if stride is None else pair(fn, "stride", stride, minimum=1)
    padding = pair(fn, "padding", padding, minimum=0)
    dilation = pair(fn, "dilation", dilation, minimum=1)
    if not isinstance(ceil_mode, bool):
        fail(fn, f"ceil_mode must be a bool, got {ceil_mode!r}", TypeError)
    if ceil_mode:
        fail(fn, "ceil_mode=True is not supported; pad the input instead")
    for p, k in zip(padding, kernel):
        if p > k // 2:
            fail(fn, f"padding should be at most half of kernel_size, got padding={padding} and "
                     f"kernel_size={kernel} (like PyTorch)")
    h, w = x.shape[-2:]
    out = tuple(_pool.output_size(n, k, s, p, d) for n, k, s, p, d in zip((h, w), kernel, stride, padding, dilation))
    if min(out) < 1:
        eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        fail(fn, f"kernel_size {kernel} (dilated: {eff}) is larger than the padded input "
                 f"{(h + 2 * padding[0], w + 2 * padding[1])} (input {tuple(x.shape)}, padding {padding}): "
                 f"output size would be {out}")
    return kernel, stride, padding, dilation


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, *, ceil_mode=False):
    """Max over each window, ``out[n,c,i,j] = max_{u,v} xpad[n,c,i·s+u·d, j·s+v·d]`` (padding is −∞).

    Ties go to the first maximum in the window (row-major), like PyTorch, and only it gets the
    gradient. stride defaults to kernel_size. With ``return_indices`` also returns the winners'
    flat indices into each H·W input plane (an int64 Tensor), like PyTorch.
    """
    fn = "max_pool2d"
    kernel, stride, padding, dilation = _pool_args(fn, input, kernel_size, stride, padding, dilation, ceil_mode)
    if not isinstance(return_indices, bool):
        fail(fn, f"return_indices must be a bool, got {return_indices!r}", TypeError)
    out, tap = _pool.max_pool2d(input, kernel, stride, padding, dilation)
    if not return_indices:
        return out
    idx = _pool.flat_indices(tap, kernel, stride, padding, dilation, input.shape[-1])
    return out, Tensor._leaf(idx, False)


def avg_pool2d(input, kernel_size, stride=None, padding=0, count_include_pad=True, *, ceil_mode=False) -> Tensor:
    """Mean over each window, ``out[n,c,i,j] = (1/k_h k_w) Σ_{u,v} xpad[n,c,i·s+u, j·s+v]``.

    With ``count_include_pad=False`` the divisor counts only the window's positions inside the
    input. stride defaults to kernel_size.
    """
    fn = "avg_pool2d"
    kernel, stride, padding, _ = _pool_args(fn, input, kernel_size, stride, padding, 1, ceil_mode)
    if not isinstance(count_include_pad, bool):
        fail(fn, f"count_include_pad must be a bool, got {count_include_pad!r}", TypeError)
    return _pool.avg_pool2d(input, kernel, stride, padding, count_include_pad)


# ---------------------------------------------------------------- padding
def pad(input, pad, mode="constant", value=0.0) -> Tensor:
    """Pad the last len(pad)/2 dimensions; ``pad`` lists (before, after) for the LAST dimension first.

    ``pad(x, (1, 1, 2, 0))`` adds 1 column left and right and 2 rows on top. Modes: ``constant``
    (``value``), ``reflect`` (mirror, edge not repeated), ``replicate`` (edge copied), ``circular``
    (wrap around). Negative pads crop, like PyTorch.
    """
    fn = "pad"
    _tensor(fn, "input", input)
    if not isinstance(pad, (tuple, list)) or not all(is_int(p) for p in pad):
        fail(fn, f"pad must be a tuple of ints (last dimension first), got {pad!r}", TypeError)
    pads = tuple(int(p) for p in pad)
    choice(fn, "mode", mode, _PAD_MODES)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(fn, f"value must be a number, got {type_name(value)} {value!r}", TypeError)
    if len(pads) % 2:
        fail(fn, f"pad must have an even length (before, after per dimension), got {len(pads)}: {pads}")
    if len(pads) // 2 > input.ndim:
        fail(fn, f"pad {pads} pads {len(pads) // 2} dimensions but the input has only {input.ndim} "
                 f"(shape {input.shape})")
    if mode != "constant":
        if value != 0:
            fail(fn, f"mode {mode!r} does not take a value (got value={value}); only 'constant' fills with it")
        k = len(pads) // 2
        if not 1 <= k <= 3 or input.ndim not in (k + 1, k + 2):
            fail(fn, f"mode {mode!r} pads 1, 2 or 3 trailing dimensions of a (k+1)- or (k+2)-D input (like "
                     f"PyTorch); got pad {pads} ({k} dimensions) for input shape {input.shape}")
        _check_border_pads(fn, f"mode {mode!r}", mode, pads, input.shape)
    else:
        for k in range(len(pads) // 2):
            n = input.shape[-1 - k]
            if n + pads[2 * k] + pads[2 * k + 1] < 0:
                fail(fn, f"pad {pads[2 * k:2 * k + 2]} crops dimension {input.ndim - 1 - k} of size {n} "
                         f"below zero (input shape {input.shape})")
    out = list(input.shape)
    for k in range(len(pads) // 2):
        out[-1 - k] += pads[2 * k] + pads[2 * k + 1]
    allocation(fn, out, input.dtype)
    return _pad.pad(input, pads, mode, as_float(fn, "value", value))


def _check_border_pads(fn, what, mode, pads, shape):
    """reflect needs pads < size, circular pads <= the (cropped) size, every output size >= 0.

    (PyTorch checks circular pads against the uncropped size, then wraps a cropped row twice
    with wrong gradients or garbage values; minigrad refuses what would wrap more than once.)"""
    ndim = len(shape)
    for k in range(len(pads) // 2):
        n, (before, after) = shape[ndim - 1 - k], pads[2 * k:2 * k + 2]
        dim = ndim - 1 - k
        if n + before + after < 0:
            fail(fn, f"{what}: pad ({before}, {after}) crops dimension {dim} of size {n} below zero "
                     f"(input shape {shape})")
        if mode == "reflect" and max(before, after) >= n:
            fail(fn, f"{what}: padding ({before}, {after}) must be smaller than the size {n} of dimension {dim} "
                     f"(input shape {shape})")
        if mode == "circular":
            kept = n + min(before, 0) + min(after, 0)   # negative pads crop first, then the rest wraps
            if max(before, after) > kept:
                fail(fn, f"{what}: padding ({before}, {after}) would wrap around dimension {dim} "
                         f"({n} long, {kept} after cropping) more than once (input shape {shape})")


# ---------------------------------------------------------------- sizes
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """floor((size + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1: the slides' (N − F)/stride + 1."""
    fn = "conv_output_size"
    for arg, v, lo in (("size", size, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                       ("padding", padding, 0), ("dilation", dilation, 1)):
        if not is_int(v):
            fail(fn, f"{arg} must be an int, got {v!r}", TypeError)
        if v < lo:
            fail(fn, f"{arg} must be >= {lo}, got {v}")
    out = (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if out < 1:
        fail(fn, f"kernel_size {kernel_size} (dilation {dilation}) is larger than the padded size "
                 f"{size + 2 * padding} (size {size}, padding {padding})")
    return int(out)
