"""Every mistake gets a message that teaches: ValueError/TypeError naming the function, the
argument and the shapes or values involved (API.md section 8). One row per bad input."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad import scalar as S


def r(*shape):
    return mg.randn(*shape)


def _huge_conv():
    x = mg.Tensor._leaf(np.broadcast_to(np.zeros((1,), np.float32), (256, 64, 512, 512)), False)
    return F.conv2d(x, mg.zeros(64, 64, 7, 7, dtype="float32"))


CASES = [
    # (id, call, exception, regex the message must match)
    ("Value data", lambda: mg.Value("a"), TypeError, r"^Value: data must be a real number, got str 'a'"),
    ("Value name", lambda: mg.Value(1.0, name=3), TypeError, r"^Value: name must be a str"),
    ("Value pow", lambda: mg.Value(1.0) ** mg.Value(2.0), TypeError, r"^Value.__pow__: the exponent must be a number"),
    ("Value * str", lambda: mg.Value(1.0) * "2", TypeError, r"^Value.__mul__: cannot combine a Value with str"),
    ("grid of non-numbers", lambda: S.grid([[1, "a"]], "x"), TypeError, r"^scalar.grid: array\[0, 1\] is str 'a'.*\(1, 2\)"),
    ("scalar kernel too big", lambda: S.conv2d(np.ones((2, 2)), np.ones((3, 3))), ValueError,
     r"^scalar.conv2d: kernel \(3, 3\).*larger than the padded input \(2, 2\)"),
    ("scalar stride 0", lambda: S.conv2d(np.ones((4, 4)), np.ones((2, 2)), stride=0), ValueError, r"^scalar.conv2d: stride must be >= 1, got 0"),
    ("scalar negative padding", lambda: S.conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=-1), ValueError, r"^scalar.conv2d: padding must be >= 0"),
    ("scalar pool window 0", lambda: S.max_pool2d(np.ones((4, 4)), 0), ValueError, r"^scalar.max_pool2d: kernel_size must be >= 1, got 0"),
    ("scalar channels", lambda: S.conv2d(np.ones((2, 4, 4)), np.ones((3, 2, 2))), ValueError, r"^scalar.conv2d: X has 2 channels but W expects 3"),
    ("conv2d channel mismatch", lambda: F.conv2d(r(1, 3, 28, 28), r(8, 1, 3, 3)), ValueError,
     r"^conv2d: input has 3 channels but weight expects 1 \(input \(1, 3, 28, 28\), weight \(8, 1, 3, 3\)\)"),
    ("conv2d groups", lambda: F.conv2d(r(1, 3, 8, 8), r(4, 1, 3, 3), groups=2), ValueError, r"^conv2d: groups=2 does not divide the input's 3 channels"),
    ("conv2d 2-D input", lambda: F.conv2d(r(8, 8), r(1, 1, 3, 3)), ValueError, r"^conv2d: expected input of 3 dimensions.*got shape \(8, 8\)"),
    ("conv2d kernel too big", lambda: F.conv2d(r(1, 1, 2, 2), r(1, 1, 3, 3)), ValueError, r"^conv2d: kernel \(3, 3\) is larger than the padded input \(2, 2\)"),
    ("conv2d stride 0", lambda: F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), stride=0), ValueError, r"^conv2d: stride must be >= 1, got 0"),
    ("conv2d dilation < 1", lambda: F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), dilation=-1), ValueError, r"^conv2d: dilation must be >= 1, got -1"),
    ("conv2d negative padding", lambda: F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), padding=-1), ValueError, r"^conv2d: padding must be >= 0, got -1"),
    ("conv2d padding_mode", lambda: F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), padding_mode="mirror"), ValueError, r"^conv2d: padding_mode must be one of"),
    ("conv2d same + stride", lambda: F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), padding="same", stride=2), ValueError, r"^conv2d: padding='same' is not supported for strided"),
    ("conv2d huge im2col", _huge_conv, ValueError, r"^conv2d: the im2col window buffer would need [\d.]+ GiB"),
    ("conv_transpose2d channels", lambda: F.conv_transpose2d(r(1, 2, 3, 3), r(3, 1, 3, 3)), ValueError, r"^conv_transpose2d: input has 2 channels but weight expects 3"),
    ("fft_conv2d channels", lambda: F.fft_conv2d(r(1, 2, 5, 5), r(1, 3, 3, 3)), ValueError, r"^fft_conv2d: input has 2 channels but weight expects 3"),
    ("max_pool2d padding", lambda: F.max_pool2d(r(1, 1, 4, 4), 2, padding=2), ValueError, r"^max_pool2d: padding should be at most half of kernel_size"),
    ("avg_pool2d window 0", lambda: F.avg_pool2d(r(1, 1, 4, 4), 0), ValueError, r"^avg_pool2d: kernel_size must be >= 1, got 0"),
    ("pad mode", lambda: F.pad(r(1, 1, 4, 4), (1, 1), mode="wrap"), ValueError, r"^pad: mode must be one of"),
    ("pad odd length", lambda: F.pad(r(1, 1, 4, 4), (1, 1, 1)), ValueError, r"^pad: pad must have an even length"),
    ("conv_output_size", lambda: F.conv_output_size(5, 7), ValueError, r"^conv_output_size: kernel_size 7.*larger than the padded size 5"),
    ("cross_entropy target out of range", lambda: F.cross_entropy(r(2, 3), mg.tensor([0, 5])), ValueError,
     r"^cross_entropy: target 5 is out of range for 3 classes.*input \(2, 3\), target \(2,\)"),
    ("cross_entropy float target", lambda: F.cross_entropy(r(2, 3), mg.tensor([0.5, 1.0])), ValueError, r"^cross_entropy: target must hold integer class indices, got 0.5"),
    ("nll_loss target shape", lambda: F.nll_loss(r(2, 3), mg.tensor([0, 1, 2])), ValueError, r"^nll_loss: target must have shape \(2,\)"),
    ("mse_loss shapes", lambda: F.mse_loss(r(2, 3), r(4, 5)), ValueError, r"^mse_loss: input \(2, 3\) and target \(4, 5\)"),
    ("linear features", lambda: F.linear(r(2, 3), r(4, 5)), ValueError, r"^linear: input has 3 features.*weight expects 5"),
    ("softmax dim", lambda: F.softmax(r(2, 3), dim=5), ValueError, r"^softmax: dim 5 is out of range"),
    ("batch_norm running stats", lambda: F.batch_norm(r(2, 3), mg.zeros(4), mg.ones(4)), ValueError, r"^batch_norm: running_mean must have shape \(3,\)"),
    ("dropout p", lambda: F.dropout(r(3), p=1.5), ValueError, r"^dropout: p must be a probability in \[0, 1\], got 1.5"),
    ("backward without grad", lambda: (mg.randn(3, requires_grad=True) * 2).backward(), ValueError,
     r"^Tensor.backward: grad can be implicitly created only for a one-element output; this tensor has shape \(3,\)"),
    ("backward on a tensor without graph", lambda: r(3).sum().backward(), ValueError, r"^Tensor.backward: this tensor .* does not require grad"),
    ("backward grad shape", lambda: (mg.randn(3, requires_grad=True) * 2).backward(np.ones(4)), ValueError, r"^Tensor.backward: grad has shape \(4,\)"),
    ("reshape size", lambda: r(2, 3).reshape(4, 2), ValueError, r"^reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) to \(4, 2\)"),
    ("matmul shapes", lambda: r(2, 3) @ r(4, 5), ValueError, r"^matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied"),
    ("broadcast shapes", lambda: r(2, 3) + r(4, 5), ValueError, r"^add: shapes \(2, 3\) and \(4, 5\) cannot be broadcast"),
    ("Tensor of strings", lambda: mg.Tensor("abc"), TypeError, r"^Tensor: data must be numeric"),
    ("integer tensor requires grad", lambda: mg.Tensor(np.array([1, 2]), requires_grad=True), ValueError, r"^Tensor: only floating-point tensors can require grad"),
    ("item of many", lambda: r(3).item(), ValueError, r"^Tensor.item: only one-element tensors.*\(3,\)"),
    ("manual_seed", lambda: mg.manual_seed(-1), ValueError, r"^manual_seed: seed must be >= 0, got -1"),
    ("check unparsable", lambda: mg.check(S.sum([mg.Value(1.0, "a")]), mg.Value(1.0), "x11 +* x12"), ValueError, r"^check: cannot parse expected 'x11 \+\* x12'"),
    ("derive of a number", lambda: mg.derive(3.0, mg.Value(1.0)), TypeError, r"^derive: output must be a Value or a one-element Tensor, got float"),
    ("gradcheck float32", lambda: mg.gradcheck(lambda a: (a * a).sum(), [mg.randn(3, requires_grad=True, dtype="float32")]), ValueError,
     r"^gradcheck: input 0 has dtype float32"),
    ("viz focus not in graph", lambda: mg.viz.to_dot(mg.Value(1.0, "a") * 2, focus=mg.Value(3.0, "z")), ValueError, r"^viz.to_dot: focus .* is not in the graph"),
    ("viz render suffix", lambda: mg.viz.render(mg.Value(1.0, "a") * 2, "out/x.bmp"), ValueError, r"^viz.render: path must end in one of .svg .png .pdf .dot, got"),
    ("viz root type", lambda: mg.viz.to_networkx("abc"), TypeError, r"^viz.to_networkx: root must be a Value, a Tensor or a grid"),
    ("optimizer without parameters", lambda: mg.optim.SGD([], lr=0.1), ValueError, r"^SGD: params is an empty list"),
    ("SGD negative lr", lambda: mg.optim.SGD(nn.Linear(2, 2).parameters(), lr=-1), ValueError, r"^SGD: lr must be >= 0"),
    ("Adam betas", lambda: mg.optim.Adam(nn.Linear(2, 2).parameters(), betas=(1.5, 0.9)), ValueError, r"^Adam: betas must be in \[0, 1\)"),
    ("load_state_dict missing key", lambda: nn.Linear(2, 2).load_state_dict({"weight": np.zeros((2, 2))}), ValueError, r"^Linear.load_state_dict: missing keys \['bias'\]"),
    ("load_state_dict misshapen key", lambda: nn.Linear(2, 2).load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(2)}), ValueError,
     r"^Linear.load_state_dict: misshapen keys \[weight: expected \(2, 2\), got \(3, 2\)\]"),
    ("Conv2d layer channels", lambda: nn.Conv2d(3, 8, 3)(r(1, 1, 8, 8)), ValueError, r"^conv2d: input has 1 channels but weight expects 3"),
    ("Conv2d groups", lambda: nn.Conv2d(3, 8, 3, groups=2), ValueError, r"^Conv2d: groups=2 must divide in_channels=3"),
    ("MaxPool2d window 0", lambda: nn.MaxPool2d(0), ValueError, r"^MaxPool2d: kernel_size must be >= 1, got 0"),
    ("summary with a wrong input shape", lambda: nn.Sequential(nn.Linear(4, 2)).summary((1, 5)), ValueError, r"^Sequential.summary: the model does not accept input_shape \(1, 5\)"),
]


@pytest.mark.parametrize("call, kind, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_message_that_names_function_argument_and_shapes(call, kind, pattern):
    with pytest.raises(kind, match=pattern):
        call()


def test_the_table_covers_every_layer_of_the_library():
    assert len(CASES) >= 40
    areas = {"Value", "scalar.", "conv2d", "Tensor", "cross_entropy", "check", "derive", "viz.", "SGD", "load_state_dict", "gradcheck"}
    text = " ".join(c[3] for c in CASES)
    assert all(a in text for a in areas)
