"""The layers: PyTorch's arguments, defaults, weight layouts and initialisation, on ``F``.

Each layer holds its parameters and hyper-parameters and calls one function of
``minigrad.nn.functional``, which validates the input and records the graph. Weights are
initialised like PyTorch's ``reset_parameters`` (``init.default_weight_``/``default_bias_``).
"""
from __future__ import annotations

import numpy as np

from .._checks import allocation, choice, fail, is_int, number, pair, count as _count, flag as _flag
from ..dtypes import device_arg
from ..tensor import Tensor, check_tensor as _tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Linear", "BatchNorm1d", "BatchNorm2d",
           "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Flatten", "Dropout", "Dropout2d", "Identity"]


def _dtype(fn, dtype, device=None):
    """The parameters' floating dtype (float64 by default); ``device`` must be 'cpu'."""
    device_arg(fn, device)
    try:
        dtype = np.dtype(np.float64 if dtype is None else dtype)
    except TypeError:
        fail(fn, f"unknown dtype {dtype!r}", TypeError)
    if dtype.kind != "f":
        fail(fn, f"dtype must be a floating-point type, got {dtype}")
    return dtype


# ------------------------------------------------------------ convolutions
class _ConvNd(Module):
    def __init__(self, fn, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 padding_mode, device, dtype, transposed, output_padding=(0, 0)):
        super().__init__()
        self.in_channels = _count(fn, "in_channels", in_channels)
        self.out_channels = _count(fn, "out_channels", out_channels)
        self.groups = _count(fn, "groups", groups)
        if in_channels % groups or out_channels % groups:
            fail(fn, f"groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}")
        self.kernel_size = pair(fn, "kernel_size", kernel_size, minimum=1)
        self.stride = pair(fn, "stride", stride, minimum=1)
        self.padding = pair(fn, "padding", padding, minimum=0, allow=() if transposed else ("same", "valid"))
        if self.padding == "same" and self.stride != (1, 1):
            fail(fn, f"padding='same' is not supported for strided convolutions (stride={self.stride}), like PyTorch")
        self.dilation = pair(fn, "dilation", dilation, minimum=1)
        self.output_padding = output_padding
        self.padding_mode = choice(fn, "padding_mode", padding_mode, ("zeros", "reflect", "replicate", "circular"))
        _flag(fn, "bias", bias)
        dtype = _dtype(fn, dtype, device)
        kh, kw = self.kernel_size
        if transposed:
            shape = (self.in_channels, self.out_channels // self.groups, kh, kw)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, kh, kw)
        allocation(fn, shape, dtype)
        self.weight = Parameter(np.zeros(shape, dtype))
        self.bias = Parameter(np.zeros(self.out_channels, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: weight and bias from U(±1/√fan_in)."""
        init.default_weight_(self.weight)
        if self.bias is not None:
            init.default_bias_(self.bias, self.weight)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D cross-correlation layer: y = F.conv2d(x, weight, bias), weight (out, in/groups, kh, kw)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__("Conv2d", in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype, transposed=False)

    def forward(self, input):
        _tensor("Conv2d", "input", input, floating=False)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                        self.padding_mode)


class ConvTranspose2d(_ConvNd):
    """Transposed ("fractionally strided") convolution: the adjoint of Conv2d; weight (in, out/groups, kh, kw).

    Output size: (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            fail("ConvTranspose2d", f"only padding_mode='zeros' is supported, got {padding_mode!r} (like PyTorch)")
        out_pad = pair("ConvTranspose2d", "output_padding", output_padding, minimum=0)
        super().__init__("ConvTranspose2d", in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, transposed=True, output_padding=out_pad)
        for o, s, d in zip(self.output_padding, self.stride, self.dilation):
            if o >= max(s, d):
                fail("ConvTranspose2d", f"output_padding={self.output_padding} must be smaller than either "
                                        f"stride={self.stride} or dilation={self.dilation}")

    def forward(self, input, output_size=None):
        """``output_size`` (H, W) (or with leading N, C) picks the output_padding that gives that size."""
        _tensor("ConvTranspose2d", "input", input, floating=False)
        out_pad = self.output_padding if output_size is None else self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, out_pad,
                                  self.groups, self.dilation)

    def _output_padding(self, input, output_size):
        fn = "ConvTranspose2d"
        if not isinstance(output_size, (tuple, list)) or not all(is_int(n) for n in output_size):
            fail(fn, f"output_size must be a tuple of ints, got {output_size!r}", TypeError)
        size = tuple(output_size)[-2:]
        if len(size) != 2 or input.ndim < 3:
            fail(fn, f"output_size must end with (H, W), got {output_size!r} for input {input.shape}")
        pads = []
        for i, want in enumerate(size):
            k, s, p, d = self.kernel_size[i], self.stride[i], self.padding[i], self.dilation[i]
            smallest = (input.shape[-2 + i] - 1) * s - 2 * p + d * (k - 1) + 1
            if not smallest <= want < smallest + s:  # output_padding < stride, like PyTorch
                fail(fn, f"output_size {tuple(size)} is not reachable from input {input.shape}: dimension {i} "
                         f"must be in [{smallest}, {smallest + s - 1}]")
            pads.append(want - smallest)
        return tuple(pads)


# ------------------------------------------------------------ pooling
class MaxPool2d(Module):
    """Max over each kernel_size window (stride defaults to kernel_size); ties go to the first maximum."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        pair("MaxPool2d", "kernel_size", kernel_size, minimum=1)
        pair("MaxPool2d", "stride", self.stride, minimum=1)
        pair("MaxPool2d", "padding", padding, minimum=0)
        pair("MaxPool2d", "dilation", dilation, minimum=1)
        self.padding, self.dilation = padding, dilation
        self.return_indices = _flag("MaxPool2d", "return_indices", return_indices)
        if _flag("MaxPool2d", "ceil_mode", ceil_mode):
            fail("MaxPool2d", "ceil_mode=True is not supported; pad the input instead")
        self.ceil_mode = False

    def forward(self, input):
        _tensor("MaxPool2d", "input", input, floating=False)
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Mean over each kernel_size window (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        pair("AvgPool2d", "kernel_size", kernel_size, minimum=1)
        pair("AvgPool2d", "stride", self.stride, minimum=1)
        pair("AvgPool2d", "padding", padding, minimum=0)
        self.padding = padding
        if _flag("AvgPool2d", "ceil_mode", ceil_mode):
            fail("AvgPool2d", "ceil_mode=True is not supported; pad the input instead")
        self.ceil_mode = False
        self.count_include_pad = _flag("AvgPool2d", "count_include_pad", count_include_pad)

    def forward(self, input):
        _tensor("AvgPool2d", "input", input, floating=False)
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                            count_include_pad=self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


# ------------------------------------------------------------ dense
class Linear(Module):
    """Fully connected layer: y = x Wᵀ + b, weight (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = _count("Linear", "in_features", in_features)
        self.out_features = _count("Linear", "out_features", out_features)
        _flag("Linear", "bias", bias)
        dtype = _dtype("Linear", dtype, device)
        allocation("Linear", (self.out_features, self.in_features), dtype)
        self.weight = Parameter(np.zeros((self.out_features, self.in_features), dtype))
        self.bias = Parameter(np.zeros(self.out_features, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: weight and bias from U(±1/√in_features)."""
        init.default_weight_(self.weight)
        if self.bias is not None:
            init.default_bias_(self.bias, self.weight)

    def forward(self, input):
        _tensor("Linear", "input", input, floating=False)
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


# ------------------------------------------------------------ normalisation
class _BatchNorm(Module):
    _dims: tuple = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        fn = type(self).__name__
        self.num_features = _count(fn, "num_features", num_features)
        self.eps = number(fn, "eps", eps, minimum=0.0)
        self.momentum = None if momentum is None else number(fn, "momentum", momentum, minimum=0.0, maximum=1.0)
        self.affine = _flag(fn, "affine", affine)
        self.use_bias = _flag(fn, "bias", bias) and affine
        self.track_running_stats = _flag(fn, "track_running_stats", track_running_stats)
        dtype = _dtype(fn, dtype, device)
        allocation(fn, (num_features,), dtype)
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, input):
        fn = type(self).__name__
        _tensor(fn, "input", input, floating=False)
        if input.ndim not in self._dims:
            want = " or ".join(f"{d}-D" for d in self._dims)
            fail(fn, f"expected {want} input (N, C{', ...' if max(self._dims) > 2 else ''}), got {input.ndim}-D input of shape {input.shape}")
        if input.shape[1] != self.num_features:
            fail(fn, f"input has {input.shape[1]} channels but the layer has num_features={self.num_features} "
                     f"(input {input.shape})")
        if self.training and input.data.size // max(input.shape[1], 1) <= 1:
            fail(fn, f"training needs more than 1 value per channel to compute batch statistics, got input "
                     f"{input.shape} (use a larger batch, or call .eval() first)")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            n = self.num_batches_tracked
            n.data = n.data + 1
            if self.momentum is None:  # cumulative moving average, like PyTorch
                momentum = 1.0 / float(n.data)
        use_batch = self.training or self.running_mean is None
        return F.batch_norm(input,
                            self.running_mean if not self.training or self.track_running_stats else None,
                            self.running_var if not self.training or self.track_running_stats else None,
                            self.weight, self.bias, use_batch, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.use_bias}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L): y = (x − mean)/√(var + eps)·γ + β per channel."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W): y = (x − mean)/√(var + eps)·γ + β per channel."""

    _dims = (4,)


# ------------------------------------------------------------ activations and reshaping
class ReLU(Module):
    """relu(x) = max(0, x). ``inplace`` is accepted for PyTorch compatibility (never in place)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = _flag("ReLU", "inplace", inplace)

    def forward(self, input):
        return F.relu(_tensor("ReLU", "input", input, floating=False))

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """leaky_relu(x) = x if x > 0 else negative_slope·x."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = number("LeakyReLU", "negative_slope", negative_slope)
        self.inplace = _flag("LeakyReLU", "inplace", inplace)

    def forward(self, input):
        return F.leaky_relu(_tensor("LeakyReLU", "input", input, floating=False), self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Tanh(Module):
    """tanh(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)."""

    def forward(self, input):
        return F.tanh(_tensor("Tanh", "input", input, floating=False))


class Sigmoid(Module):
    """σ(x) = 1/(1 + e⁻ˣ)."""

    def forward(self, input):
        return F.sigmoid(_tensor("Sigmoid", "input", input, floating=False))


class Identity(Module):
    """identity(x) = x (a placeholder layer); any arguments are accepted and ignored, as in PyTorch."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Flatten dims start_dim..end_dim into one: (N, C, H, W) → (N, C·H·W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        if not is_int(start_dim) or not is_int(end_dim):
            fail("Flatten", f"start_dim and end_dim must be ints, got {start_dim!r}, {end_dim!r}", TypeError)
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, input):
        _tensor("Flatten", "input", input, floating=False)
        nd = max(input.ndim, 1)
        s = self.start_dim + nd if self.start_dim < 0 else self.start_dim
        e = self.end_dim + nd if self.end_dim < 0 else self.end_dim
        if not (0 <= s < nd and 0 <= e < nd) or s > e:
            fail("Flatten", f"start_dim={self.start_dim}, end_dim={self.end_dim} do not fit a {input.ndim}-D input "
                            f"of shape {input.shape}")
        shape = input.shape
        new = shape[:s] + (int(np.prod(shape[s:e + 1], dtype=np.int64)),) + shape[e + 1:]
        return input if new == shape else input.reshape(new)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Zero each element with probability p during training and scale the rest by 1/(1 − p)."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = number("Dropout", "p", p, minimum=0.0, maximum=1.0)
        self.inplace = _flag("Dropout", "inplace", inplace)

    def forward(self, input):
        return F.dropout(_tensor("Dropout", "input", input, floating=False), self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Zero each whole channel of (N, C, H, W) with probability p during training and scale the rest
    by 1/(1 − p)."""

    def forward(self, input):
        return F.dropout2d(_tensor("Dropout2d", "input", input, floating=False), self.p, self.training)
