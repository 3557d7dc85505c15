"""minigrad.nn: modules, layers and Sequential behave like torch.nn, to the element.

The slide (seed 004, "CNN in Keras"): Conv2D(25, 3x3) on 28x28x1 then MaxPooling2D(2x2);
its summary shows 25x26x26 with 250 parameters, then 25x13x13.
"""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.optim import SGD

RNG = np.random.default_rng(0)


def arr(*shape):
    return RNG.standard_normal(shape)


def central_difference(f, x: np.ndarray, eps=1e-6):
    """∂f/∂x by (f(x + ε) − f(x − ε)) / 2ε, one element at a time."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        hi = f()
        x[i] = old - eps
        lo = f()
        x[i] = old
        g[i] = (hi - lo) / (2 * eps)
    return g


# ------------------------------------------------------------------ Module and Parameter
class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
        self.head = nn.Linear(2 * 2 * 2, 3)
        self.scale = nn.Parameter(np.ones(1))
        self.note = "not a parameter"

    def forward(self, x):
        return self.head(self.features(x).reshape(x.shape[0], -1)) * self.scale


def test_parameter_is_a_trainable_leaf():
    p = nn.Parameter(np.arange(3.0))
    assert isinstance(p, mg.Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == np.float64 and "Parameter containing" in repr(p)
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad


def test_module_registers_parameters_buffers_children_in_order():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                     "head.weight", "head.bias"]
    assert [n for n, _ in m.named_buffers()] == ["features.1.running_mean", "features.1.running_var",
                                                "features.1.num_batches_tracked"]
    assert [type(c).__name__ for c in m.children()] == ["Sequential", "Linear"]
    assert [type(c).__name__ for c in m.modules()] == ["TwoLayer", "Sequential", "Conv2d", "BatchNorm2d", "ReLU",
                                                       "Linear"]
    assert m.num_parameters() == 1 + 18 + 2 + 2 + 2 + 24 + 3
    assert m.note == "not a parameter"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        m.nothing


def test_train_eval_reach_every_module_and_zero_grad_clears():
    m = TwoLayer()
    assert m.training and m.features[1].training
    m.eval()
    assert not m.training and not m.features[1].training and not m.head.training
    m.train()
    assert all(x.training for x in m.modules())
    for p in m.parameters():
        p.grad = np.ones_like(p.data)
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_module_needs_super_init_and_forward():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(2))

    with pytest.raises(TypeError, match=r"Bad: call super\(\).__init__\(\)"):
        Bad()

    class NoForward(nn.Module):
        pass

    with pytest.raises(TypeError, match="NoForward: forward is not defined"):
        NoForward()(mg.zeros(1))


# ------------------------------------------------------------------ initialisation
@pytest.mark.parametrize("make,fan_in", [
    (lambda: nn.Conv2d(4, 64, 3), 4 * 9),
    (lambda: nn.Conv2d(4, 64, (3, 5), groups=2), 2 * 15),
    (lambda: nn.Linear(50, 400), 50),
    (lambda: nn.ConvTranspose2d(64, 8, 4), 8 * 16),
])
def test_default_init_is_uniform_with_bound_one_over_sqrt_fan_in(make, fan_in):
    """kaiming_uniform_(a=√5): b = √(2/(1+5))·√(3/fan_in) = 1/√fan_in; bias from the same range."""
    mg.manual_seed(1)
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    w = layer.weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.abs(layer.bias.data).max() <= bound
    mg.manual_seed(1)
    np.testing.assert_array_equal(make().weight.data, w)  # reproducible from the seed


def test_init_functions():
    t = nn.Parameter(np.zeros((200, 300)))
    mg.manual_seed(0)
    nn.init.kaiming_normal_(t, nonlinearity="relu")
    assert abs(t.data.std() - math.sqrt(2 / 300)) < 0.01 * math.sqrt(2 / 300) * 5
    nn.init.xavier_uniform_(t)
    assert np.abs(t.data).max() <= math.sqrt(6 / 500)
    nn.init.constant_(t, 0.5)
    assert np.all(t.data == 0.5)
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="calculate_fan_in_and_fan_out: .*at least 2"):
        nn.init.kaiming_uniform_(nn.Parameter(np.zeros(3)))
    with pytest.raises(ValueError, match="calculate_gain: nonlinearity must be one of"):
        nn.init.calculate_gain("swish")
    with pytest.raises(TypeError, match="uniform_: tensor must be a Tensor"):
        nn.init.uniform_(np.zeros(3))


def test_dtype_float32_layers_and_to():
    m = nn.Sequential(nn.Conv2d(1, 2, 3, dtype=np.float32), nn.BatchNorm2d(2, dtype=np.float32))
    assert all(p.dtype == np.float32 for p in m.parameters())
    m.double()
    assert all(p.dtype == np.float64 for p in m.parameters())
    assert m[1].running_mean.dtype == np.float64 and m[1].num_batches_tracked.dtype == np.int64
    with pytest.raises(ValueError, match="Sequential.to: dtype must be a floating-point type"):
        m.to(np.int32)


# ------------------------------------------------------------------ layers: values
def test_conv2d_layer_is_f_conv2d():
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1, dilation=1)
    x = mg.tensor(arr(2, 2, 7, 7))
    np.testing.assert_allclose(layer(x).data, F.conv2d(x, layer.weight, layer.bias, 2, 1).data)
    assert layer(x).shape == (2, 3, 4, 4)


def test_linear_and_activations_values():
    lin = nn.Linear(4, 3)
    x = arr(5, 4)
    np.testing.assert_allclose(lin(mg.tensor(x)).data, x @ lin.weight.data.T + lin.bias.data)
    assert nn.Linear(4, 3, bias=False).bias is None
    z = mg.tensor(np.array([-2.0, -0.5, 0.0, 1.5]))
    np.testing.assert_allclose(nn.ReLU()(z).data, [0, 0, 0, 1.5])
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(z).data, [-0.4, -0.1, 0, 1.5])
    np.testing.assert_allclose(nn.Tanh()(z).data, np.tanh(z.data))
    np.testing.assert_allclose(nn.Sigmoid()(z).data, 1 / (1 + np.exp(-z.data)))


def test_pooling_layers_slide_numbers():
    """Seed 001: max pooling of a 4x4 feature map with 2x2 windows, stride 2 → [[4, 4], [2, 8]]."""
    s = mg.tensor(np.array([[3, 0, 4, 3], [4, 1, 2, 3], [1, 1, 8, 7], [2, 0, 6, 4]], float)[None, None])
    np.testing.assert_array_equal(nn.MaxPool2d(2)(s).data[0, 0], [[4, 4], [2, 8]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(s).data[0, 0], [[2, 3], [1, 6.25]])


def test_flatten_and_dropout():
    x = mg.tensor(arr(2, 3, 4, 5))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    d = nn.Dropout(0.25)
    mg.manual_seed(0)
    y = d(mg.ones(1000)).data
    assert set(np.unique(y)) <= {0.0, 1 / 0.75} and 0.18 < (y == 0).mean() < 0.32
    d.eval()
    np.testing.assert_array_equal(d(x).data, x.data)
    assert np.all(nn.Dropout(1.0)(x).data == 0)


def test_batchnorm_train_then_eval_uses_running_stats():
    bn = nn.BatchNorm2d(3)
    x = arr(8, 3, 4, 4) * 2 + 1
    y = bn(mg.tensor(x)).data
    mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y, (x - mu[:, None, None]) / np.sqrt(var[:, None, None] + 1e-5), atol=1e-12)
    n = 8 * 16
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * mu)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * var * n / (n - 1))
    assert int(bn.num_batches_tracked.data) == 1
    bn.eval()
    z = bn(mg.tensor(x)).data
    rm, rv = bn.running_mean.data, bn.running_var.data
    np.testing.assert_allclose(z, (x - rm[:, None, None]) / np.sqrt(rv[:, None, None] + 1e-5))
    assert int(bn.num_batches_tracked.data) == 1


def test_batchnorm_cumulative_average_when_momentum_none():
    bn = nn.BatchNorm1d(2, momentum=None)
    xs = [arr(6, 2) + k for k in range(3)]
    for x in xs:
        bn(mg.tensor(x))
    np.testing.assert_allclose(bn.running_mean.data, np.mean([x.mean(axis=0) for x in xs], axis=0))


# ------------------------------------------------------------------ against PyTorch
def _torch_pair(torch):
    """The same small CNN in both frameworks, minigrad's weights copied from torch's."""
    tn = torch.nn
    t = tn.Sequential(tn.Conv2d(1, 4, 3, padding=1), tn.BatchNorm2d(4), tn.LeakyReLU(0.1), tn.MaxPool2d(2),
                      tn.Conv2d(4, 6, 3, stride=2, padding=1, bias=False), tn.ReLU(), tn.AvgPool2d(2),
                      tn.Flatten(), tn.Linear(6, 5), tn.BatchNorm1d(5), tn.Tanh(), tn.Linear(5, 3)).double()
    m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
                      nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=False), nn.ReLU(), nn.AvgPool2d(2),
                      nn.Flatten(), nn.Linear(6, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 3))
    with torch.no_grad():
        for p in t.parameters():
            p.normal_(0, 0.5)
    m.load_state_dict(t.state_dict())
    return m, t


def test_same_repr_and_state_dict_keys_as_torch():
    torch = pytest.importorskip("torch")
    m, t = _torch_pair(torch)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    assert m.num_parameters() == sum(p.numel() for p in t.parameters())
    tn = torch.nn
    extra = [(nn.ConvTranspose2d(8, 4, 4, 2, 1, output_padding=1, groups=2, bias=False),
              tn.ConvTranspose2d(8, 4, 4, 2, 1, output_padding=1, groups=2, bias=False)),
             (nn.Conv2d(2, 4, 3, padding="same", dilation=2, padding_mode="reflect"),
              tn.Conv2d(2, 4, 3, padding="same", dilation=2, padding_mode="reflect")),
             (nn.Dropout(0.3), tn.Dropout(0.3)), (nn.Sigmoid(), tn.Sigmoid()),
             (nn.BatchNorm1d(3, affine=False), tn.BatchNorm1d(3, affine=False))]
    for a, b in extra:
        assert repr(a) == repr(b)


def test_forward_backward_and_running_stats_match_torch():
    torch = pytest.importorskip("torch")
    m, t = _torch_pair(torch)
    x = arr(4, 1, 8, 8)
    target = np.array([0, 2, 1, 2])
    for step in range(2):
        xt = torch.tensor(x, requires_grad=True)
        lt = torch.nn.functional.cross_entropy(t(xt), torch.tensor(target))
        lt.backward()
        xm = mg.tensor(x, requires_grad=True)
        lm = F.cross_entropy(m(xm), mg.tensor(target))
        lm.backward()
        np.testing.assert_allclose(lm.item(), lt.item(), rtol=1e-12)
        np.testing.assert_allclose(xm.grad, xt.grad.numpy(), atol=1e-12)
        for (name, p), q in zip(m.named_parameters(), t.parameters()):
            np.testing.assert_allclose(p.grad, q.grad.numpy(), atol=1e-12, err_msg=name)
        m.zero_grad(), t.zero_grad()
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[k], v.numpy(), atol=1e-12, err_msg=k)
    m.eval(), t.eval()
    np.testing.assert_allclose(m(mg.tensor(x)).data, t(torch.tensor(x)).detach().numpy(), atol=1e-12)


def test_conv_transpose_layer_matches_torch():
    torch = pytest.importorskip("torch")
    t = torch.nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, groups=2).double()
    m = nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, groups=2)
    m.load_state_dict(t.state_dict())
    x = arr(2, 4, 3, 3)
    assert m.weight.shape == (4, 3, 4, 4)
    np.testing.assert_allclose(m(mg.tensor(x)).data, t(torch.tensor(x)).detach().numpy(), atol=1e-12)


def test_gradients_against_central_differences():
    """∂L/∂w of a whole small CNN (conv, BatchNorm, pooling, linear) by finite differences, float64."""
    mg.manual_seed(3)
    m = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.Tanh(), nn.AvgPool2d(2),
                      nn.Flatten(), nn.Linear(8, 3))
    x = mg.tensor(arr(3, 1, 4, 4))
    target = mg.tensor(np.array([0, 1, 2]))
    loss = F.cross_entropy(m(x), target)
    loss.backward()
    for name, p in m.named_parameters():
        def f():
            with mg.no_grad():
                return F.cross_entropy(m(x), target).item()
        num = central_difference(f, p.data)
        np.testing.assert_allclose(p.grad, num, atol=1e-6, err_msg=name)


# ------------------------------------------------------------------ state dict, save, load
def test_state_dict_is_a_copy_and_round_trips_through_a_file(tmp_path):
    m = TwoLayer()
    m(mg.tensor(arr(2, 1, 4, 4)))  # BatchNorm running statistics move
    sd = m.state_dict()
    assert "features.1.running_mean" in sd and sd["features.1.num_batches_tracked"] == 1
    sd["head.bias"][:] = 123.0
    assert not np.any(m.head.bias.data == 123.0)
    path = m.save(tmp_path / "model.pth")
    assert path == tmp_path / "model.pth" and [f.name for f in tmp_path.iterdir()] == ["model.pth"]
    m2 = TwoLayer()
    assert m2.load(path) is m2
    for (k, a), b in zip(m.state_dict().items(), m2.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    m.eval(), m2.eval()
    x = mg.tensor(arr(2, 1, 4, 4))
    np.testing.assert_array_equal(m(x).data, m2(x).data)


def test_load_state_dict_keeps_dtype_and_reports_every_problem():
    m = nn.Sequential(nn.Linear(3, 2, dtype=np.float32), nn.BatchNorm1d(2))
    sd = m.state_dict()
    sd["0.weight"] = np.ones((2, 3))
    m.load_state_dict(sd)
    assert m[0].weight.dtype == np.float32 and np.all(m[0].weight.data == 1)
    bad = dict(sd)
    del bad["1.running_var"]
    bad["extra.weight"] = np.ones(2)
    bad["0.bias"] = np.ones(3)
    with pytest.raises(ValueError) as e:
        m.load_state_dict(bad)
    msg = str(e.value)
    assert msg.startswith("Sequential.load_state_dict:")
    assert "missing keys ['1.running_var']" in msg and "unexpected keys ['extra.weight']" in msg
    assert "0.bias: expected (2,), got (3,)" in msg
    with pytest.raises(ValueError, match="misshapen"):
        m.load_state_dict({"0.bias": np.ones(3)}, strict=False)
    m.load_state_dict({"0.bias": np.full(2, 7.0)}, strict=False)
    assert np.all(m[0].bias.data == 7)
    with pytest.raises(TypeError, match="state_dict must be a mapping"):
        m.load_state_dict([1, 2])


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="Linear.load: no such file"):
        nn.Linear(2, 2).load(tmp_path / "nothing.npz")


# ------------------------------------------------------------------ Sequential
def test_sequential_add_index_slice_and_training():
    mg.manual_seed(0)
    s = nn.Sequential(nn.Linear(2, 4))
    assert s.add(nn.ReLU()) is s
    s.add(nn.Linear(4, 1), name="out")
    assert len(s) == 3 and isinstance(s[-1], nn.Linear) and s[-1] is s.out
    assert isinstance(s[:2], nn.Sequential) and len(s[:2]) == 2
    assert [type(x).__name__ for x in s] == ["Linear", "ReLU", "Linear"]
    x, y = mg.tensor(arr(64, 2)), None
    y = mg.tensor((x.data[:, :1] * x.data[:, 1:] > 0).astype(float))
    opt = SGD(s.parameters(), lr=0.1, momentum=0.9)
    first = None
    for _ in range(200):
        loss = F.mse_loss(s(x), y)
        first = first or loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * first


def test_summary_of_the_keras_slide(capsys):
    """Seed 004: Conv2D(25, 3x3) on 28x28x1 → 26x26x25, 250 params; MaxPooling2D(2x2) → 13x13x25."""
    model = nn.Sequential(nn.Conv2d(1, 25, 3), nn.MaxPool2d(2))
    text = model.summary((1, 28, 28), print_fn=None)
    assert capsys.readouterr().out == ""
    lines = text.splitlines()
    assert any("0 (Conv2d)" in ln and "(None, 25, 26, 26)" in ln and ln.rstrip().endswith("250") for ln in lines)
    assert any("1 (MaxPool2d)" in ln and "(None, 25, 13, 13)" in ln and ln.rstrip().endswith(" 0") for ln in lines)
    assert "Total params: 250" in text and "Trainable params: 250" in text
    assert model.training  # restored


def test_summary_prints_once_and_returns_none_like_keras(capsys):
    """A notebook cell ending in model.summary(...) shows the table once, not again as a quoted str."""
    model = nn.Sequential(nn.Conv2d(1, 25, 3), nn.MaxPool2d(2))
    assert model.summary((1, 28, 28)) is None
    assert capsys.readouterr().out == model.summary((1, 28, 28), print_fn=None) + "\n"
    lines = []
    assert model.summary((1, 28, 28), print_fn=lines.append) is None
    assert lines == [model.summary((1, 28, 28), print_fn=None)]


def test_summary_with_batch_shape_and_buffers():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(64, 10))
    text = model.summary((2, 1, 4, 4), print_fn=None)
    assert "(2, 10)" in text and "Total params: 698" in text and "8 buffer values" in text
    assert int(model[1].num_batches_tracked.data) == 0  # summary never trains
    with pytest.raises(ValueError, match=r"Sequential.summary: the model does not accept input_shape \(3, 8, 8\)"):
        model.summary((3, 8, 8), print_fn=None)
    with pytest.raises(TypeError, match="Sequential.summary: input_shape must be a tuple"):
        model.summary(28)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("make,kind,words", [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, ["Conv2d", "groups=2", "in_channels=3"]),
    (lambda: nn.Conv2d(1, 4, 0), ValueError, ["Conv2d", "kernel_size"]),
    (lambda: nn.Conv2d(1, 4, 3, stride=0), ValueError, ["Conv2d", "stride"]),
    (lambda: nn.Conv2d(1, 4, 3, padding=-1), ValueError, ["Conv2d", "padding"]),
    (lambda: nn.Conv2d(1, 4, 3, padding="same", stride=2), ValueError, ["Conv2d", "same", "stride"]),
    (lambda: nn.Conv2d(1, 4, 3, padding_mode="mirror"), ValueError, ["Conv2d", "padding_mode", "mirror"]),
    (lambda: nn.Conv2d(1.5, 4, 3), TypeError, ["Conv2d", "in_channels"]),
    (lambda: nn.Conv2d(1, 4, 3, bias=1), TypeError, ["Conv2d", "bias"]),
    (lambda: nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2), ValueError, ["ConvTranspose2d", "output_padding"]),
    (lambda: nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"), ValueError, ["ConvTranspose2d", "zeros"]),
    (lambda: nn.Linear(0, 3), ValueError, ["Linear", "in_features", "0"]),
    (lambda: nn.Linear(3, 2, dtype=np.int64), ValueError, ["Linear", "dtype"]),
    (lambda: nn.MaxPool2d(0), ValueError, ["MaxPool2d", "kernel_size"]),
    (lambda: nn.MaxPool2d(2, ceil_mode=True), ValueError, ["MaxPool2d", "ceil_mode"]),
    (lambda: nn.AvgPool2d(2, stride=-1), ValueError, ["AvgPool2d", "stride"]),
    (lambda: nn.BatchNorm2d(0), ValueError, ["BatchNorm2d", "num_features"]),
    (lambda: nn.BatchNorm2d(3, momentum=2), ValueError, ["BatchNorm2d", "momentum"]),
    (lambda: nn.Dropout(1.5), ValueError, ["Dropout", "p"]),
    (lambda: nn.LeakyReLU("a"), TypeError, ["LeakyReLU", "negative_slope"]),
    (lambda: nn.Flatten(1.0), TypeError, ["Flatten", "start_dim"]),
    (lambda: nn.Sequential(nn.ReLU), TypeError, ["Sequential.add", "forget the parentheses"]),
    (lambda: nn.Sequential(nn.ReLU())[3], ValueError, ["Sequential", "index 3", "1 layers"]),
    (lambda: nn.Sequential(nn.ReLU())["a"], TypeError, ["Sequential", "index"]),
    (lambda: nn.Linear(3, 2)(np.ones((2, 3))), TypeError, ["Linear", "input must be a Tensor"]),
    (lambda: nn.BatchNorm2d(3)(mg.zeros(2, 4, 5, 5)), ValueError, ["BatchNorm2d", "4 channels", "num_features=3"]),
    (lambda: nn.BatchNorm2d(3)(mg.zeros(2, 3)), ValueError, ["BatchNorm2d", "4-D", "(2, 3)"]),
    (lambda: nn.BatchNorm1d(3)(mg.zeros(2, 3, 4, 4)), ValueError, ["BatchNorm1d", "2-D or 3-D"]),
    (lambda: nn.BatchNorm1d(3)(mg.zeros(1, 3)), ValueError, ["BatchNorm1d", "more than 1 value per channel", "(1, 3)"]),
    (lambda: nn.Flatten(2, 5)(mg.zeros(2, 3)), ValueError, ["Flatten", "start_dim=2"]),
    (lambda: nn.Module().register_buffer("a.b", mg.zeros(1)), TypeError, ["register_buffer", "a.b"]),
    (lambda: nn.Linear(2, 2).train(1), TypeError, ["Linear.train", "mode"]),
])
def test_bad_input(make, kind, words):
    with pytest.raises(kind) as e:
        make()
    for w in words:
        assert w in str(e.value), (w, str(e.value))


def test_layer_errors_name_the_shapes():
    with pytest.raises(ValueError) as e:
        nn.Conv2d(1, 8, 3)(mg.zeros(1, 3, 28, 28))
    assert "3 channels" in str(e.value) and "(1, 3, 28, 28)" in str(e.value)
    with pytest.raises(ValueError) as e:
        nn.Linear(784, 10)(mg.zeros(2, 100))
    assert "linear" in str(e.value) and "100" in str(e.value) and "784" in str(e.value)


def test_docs_summary_block_matches_the_code():
    """docs/nn.md shows the slide's Keras model summary; it must be what the code prints."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "nn.md").read_text()
    block = page.split("<!-- summary:begin -->\n```text\n")[1].split("```\n<!-- summary:end -->")[0]
    model = nn.Sequential(nn.Conv2d(1, 25, 3), nn.MaxPool2d(2))
    assert model.summary((1, 28, 28), print_fn=None) + "\n" == block
    assert repr(model) in page


def test_docs_net_example_runs():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3, padding=1)
            self.fc = nn.Linear(8 * 4 * 4, 10)

        def forward(self, x):
            return self.fc(F.max_pool2d(F.relu(self.conv(x)), 2).flatten(1))

    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["conv.weight", "conv.bias", "fc.weight", "fc.bias"]
    assert net(mg.zeros(2, 1, 8, 8)).shape == (2, 10)


@pytest.mark.parametrize("kwargs", [
    dict(in_channels=2, out_channels=4, kernel_size=3, padding="same", dilation=2, padding_mode="reflect"),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), groups=2),
    dict(in_channels=2, out_channels=3, kernel_size=3, padding=1, padding_mode="circular", bias=False),
    dict(in_channels=2, out_channels=3, kernel_size=3, padding="valid", padding_mode="replicate"),
])
def test_conv2d_layer_variants_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    t = torch.nn.Conv2d(**kwargs).double()
    m = nn.Conv2d(**kwargs)
    m.load_state_dict(t.state_dict())
    x = arr(2, kwargs["in_channels"], 7, 6)
    xt = torch.tensor(x, requires_grad=True)
    t(xt).pow(2).sum().backward()
    xm = mg.tensor(x, requires_grad=True)
    (m(xm) ** 2).sum().backward()
    np.testing.assert_allclose(m(mg.tensor(x)).data, t(torch.tensor(x)).detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(xm.grad, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(m.weight.grad, t.weight.grad.numpy(), atol=1e-10)


def test_pool_layer_variants_match_torch():
    torch = pytest.importorskip("torch")
    x = arr(2, 3, 7, 7)
    pairs = [(nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
             (nn.MaxPool2d(2, 1, dilation=2), torch.nn.MaxPool2d(2, 1, dilation=2)),
             (nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1)),
             (nn.AvgPool2d(3, 2, 1, count_include_pad=False), torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False))]
    for a, b in pairs:
        np.testing.assert_allclose(a(mg.tensor(x)).data, b(torch.tensor(x)).numpy(), atol=1e-12, err_msg=repr(a))
    out, idx = nn.MaxPool2d(2, return_indices=True)(mg.tensor(x))
    _, tidx = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(np.asarray(getattr(idx, "data", idx)), tidx.numpy())


def test_conv_transpose_output_size_picks_output_padding():
    """A stride-2 transposed conv can give 7 or 8 from 4: (4−1)·2 − 2·1 + 3 = 7, +1 with output_padding."""
    up = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = mg.tensor(arr(1, 2, 4, 4))
    assert up(x).shape == (1, 3, 7, 7)
    assert up(x, output_size=(8, 8)).shape == (1, 3, 8, 8)
    assert up(x, output_size=(1, 3, 7, 8)).shape == (1, 3, 7, 8)
    with pytest.raises(ValueError, match=r"ConvTranspose2d: output_size \(9, 9\) is not reachable .* \[7, 8\]"):
        up(x, output_size=(9, 9))
    torch = pytest.importorskip("torch")
    t = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    up.load_state_dict(t.state_dict())
    np.testing.assert_allclose(up(x, output_size=(8, 8)).data,
                               t(torch.tensor(x.data), output_size=(8, 8)).detach().numpy(), atol=1e-12)


def test_apply_and_requires_grad_():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Sequential(nn.Linear(2, 2)))
    seen = []
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen == ["Conv2d", "Linear", "Sequential", "Sequential"]  # PyTorch's order: children first
    m.apply(lambda mod: nn.init.zeros_(mod.weight) if isinstance(mod, nn.Linear) else None)
    assert np.all(m[1][0].weight.data == 0)
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    assert not m[0](mg.zeros(1, 1, 3, 3)).requires_grad  # a frozen model records no graph
    m.requires_grad_()
    assert all(p.requires_grad for p in m.parameters())
    with pytest.raises(TypeError, match="Sequential.apply: fn must be callable"):
        m.apply(3)


def test_assigning_a_plain_array_to_a_parameter_is_refused():
    """Silently unregistering a weight would train nothing: PyTorch refuses, so do we."""
    conv = nn.Conv2d(1, 1, 3, bias=False)
    with pytest.raises(TypeError, match=r"Conv2d: cannot assign a minigrad.Tensor to the parameter 'weight'.*\.data"):
        conv.weight = mg.tensor(np.ones((1, 1, 3, 3)))
    with pytest.raises(TypeError, match="Sequential: cannot assign a int to the child module '0'"):
        nn.Sequential(nn.ReLU()).__setattr__("0", 3)
    conv.weight = nn.Parameter(np.ones((1, 1, 3, 3)))  # the slide's way to set a filter
    assert [n for n, _ in conv.named_parameters()] == ["weight"]
    conv.weight.data = -np.ones((1, 1, 3, 3))
    assert conv(mg.ones(1, 1, 3, 3)).item() == -9


def test_a_model_is_the_same_graph_the_scalar_view_expands():
    """Layers record the F ops, so mg.scalar.expand rebuilds a whole small CNN scalar by scalar."""
    mg.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2, 3))
    x = mg.tensor(arr(1, 1, 4, 4), name="x")
    out = m(x).sum()
    assert [t.op for t in (out.parents[0], m[4](m[3](m[2](m[1](m[0](x))))))] == ["linear", "linear"]
    scalar = mg.scalar.expand(out)
    assert scalar.data == pytest.approx(out.item(), abs=1e-12)


def test_parameters_are_named_by_their_state_dict_keys_for_diagrams_and_derivations():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 2)))
    assert [p.name for p in model.parameters()] == ["0.weight", "0.bias", "2.0.weight", "2.0.bias"]
    mine = nn.Linear(2, 2)
    mine.weight.name = "W"                       # a name the user gave stays
    assert nn.Sequential(mine)[0].weight.name == "W"
    leaves = {v.name for v in mg.scalar.expand(model[0](mg.zeros(1, 1, 3, 3))).ravel()[0].parents[0].parents}
    assert any(n and n.startswith("0.weight[") for n in leaves)


def test_docs_list_every_module():
    """docs/nn.md names every module that minigrad.nn exports (layers, activations, losses)."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "nn.md").read_text()
    modules = [n for n in nn.__all__ if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)]
    assert [n for n in modules if not re.search(rf"`(nn\.)?{n}\b", page)] == []


def test_load_state_dict_returns_the_incompatible_keys_like_torch():
    torch = pytest.importorskip("torch")
    m, t = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    assert repr(m.load_state_dict(m.state_dict())) == repr(t.load_state_dict(t.state_dict()))
    partial = {"weight": m.weight.data, "extra": np.zeros(1)}
    got = m.load_state_dict(partial, strict=False)
    want = t.load_state_dict({"weight": torch.zeros(1, 2), "extra": torch.zeros(1)}, strict=False)
    assert (got.missing_keys, got.unexpected_keys) == (want.missing_keys, want.unexpected_keys) == (["bias"], ["extra"])
    missing, unexpected = got
    assert missing == ["bias"]
