"""Tensor's PyTorch spellings, checked against torch itself: size(), numel(), dim() and friends."""
import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 4)])
def test_size_is_the_shape_like_torch(shape):
    t, ref = mg.zeros(shape), torch.zeros(shape)
    assert t.size() == tuple(ref.size()) and isinstance(t.size(), tuple)
    assert t.numel() == ref.numel() and t.nelement() == ref.nelement()
    assert t.dim() == ref.dim() and t.ndimension() == ref.ndimension()
    for d in range(-len(shape), len(shape)):
        assert t.size(d) == ref.size(d) and isinstance(t.size(d), int)


def test_size_slices_and_counts_like_torch_size():
    x = mg.zeros(4, 3, 5, 5)
    assert x.size()[1:] == (3, 5, 5) and repr(x.size()[1:]) == "minigrad.Size([3, 5, 5])"
    assert x.size()[1:].numel() == torch.zeros(4, 3, 5, 5).size()[1:].numel() == 75
    num_features = 1
    for s in x.size()[1:]:             # the 60-minute blitz's num_flat_features
        num_features *= s
    assert num_features == 75


@pytest.mark.parametrize("shape,d", [((2, 3), 2), ((2, 3), -3), ((), 0)])
def test_size_out_of_range_is_an_index_error_like_torch(shape, d):
    with pytest.raises(IndexError):
        torch.zeros(shape).size(d)
    with pytest.raises(IndexError, match="Tensor.size: dim"):
        mg.zeros(shape).size(d)


def test_size_needs_an_int_dim():
    with pytest.raises(TypeError, match="Tensor.size: dim must be an int"):
        mg.zeros(2).size(0.5)


# ---------------------------------------------------------------- dtypes and the device
@pytest.mark.parametrize("name", ["float32", "float", "float64", "double", "int64", "long", "int32", "int",
                                  "bool", "float16", "half", "uint8", "int8", "int16"])
def test_dtype_constants_name_torchs_dtypes(name):
    assert str(getattr(mg, name)) == str(getattr(torch, name)).removeprefix("torch.")
    assert mg.zeros(2).to(getattr(mg, name)).dtype == getattr(mg, name)


@pytest.mark.parametrize("cast", ["float", "double", "long", "int", "bool", "half"])
def test_casts_give_torchs_dtypes_and_values(cast):
    x = np.array([[-1.5, 0.0, 2.7], [3.2, -0.4, 1.0]])
    out, ref = getattr(mg.tensor(x), cast)(), getattr(torch.tensor(x), cast)()
    assert str(out.dtype) == str(ref.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(out.data, ref.numpy())


def test_float_casts_stay_in_the_graph_and_integer_casts_leave_it():
    x = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (x.float() * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    assert x.grad.dtype == np.float64
    for cast in (x.long(), x.int(), x.bool(), x.type(mg.int64), x.to(mg.long)):
        assert cast.is_leaf and not cast.requires_grad


def test_to_takes_a_device_a_dtype_or_a_tensor_like_torch():
    x, ref = mg.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float64)
    assert x.to("cpu") is x and x.cpu() is x and x.to(device="cpu", dtype=mg.float64) is x
    assert x.to(mg.float32).dtype == mg.float32 == x.to("cpu", mg.float32).dtype
    assert x.to(mg.tensor([1], dtype=mg.int64)).dtype == mg.int64
    assert x.type(mg.float32).dtype == mg.float32 and x.type_as(mg.zeros(1, dtype=mg.float32)).dtype == mg.float32
    assert x.type() == ref.type().replace("torch", "minigrad") == "minigrad.DoubleTensor"
    assert x.long().type() == "minigrad.LongTensor"


def test_the_device_is_the_cpu_like_torchs():
    x = mg.zeros(2)
    assert x.device == "cpu" and str(x.device) == str(torch.zeros(2).device) == "cpu"
    assert repr(x.device) == repr(torch.zeros(2).device) == "device(type='cpu')"
    assert x.is_cuda is torch.zeros(2).is_cuda is False
    assert mg.device("cpu") == x.device and mg.device("cpu").type == "cpu"
    assert mg.zeros(2).to(torch.device("cpu")).device == "cpu"


@pytest.mark.parametrize("call", [lambda x: x.to("cuda"), lambda x: x.to(device="cuda:0"), lambda x: x.cuda(),
                                  lambda x: x.to("mps"), lambda x: mg.device("cuda")])
def test_another_device_is_a_value_error_naming_it(call):
    with pytest.raises(ValueError, match=r"'(cuda|cuda:0|mps)' is not available"):
        call(mg.zeros(2))


@pytest.mark.parametrize("dtype", ["garbage", object, "complex128", "U3", 3.5])
def test_a_bad_dtype_is_a_type_error_naming_the_method(dtype):
    with pytest.raises(TypeError, match=r"Tensor.to: dtype must be"):
        mg.zeros(2).to(dtype)


def test_module_to_returns_the_module_and_casts_in_place():
    model = mg.nn.Sequential(mg.nn.Linear(3, 2), mg.nn.BatchNorm1d(2))
    w = model[0].weight
    assert model.to("cpu") is model and model.cpu() is model
    assert model.to(mg.float32) is model and model[0].weight is w and w.dtype == mg.float32
    assert model[1].running_mean.dtype == mg.float32 and model[1].num_batches_tracked.dtype == mg.int64
    assert model.to(device="cpu", dtype=mg.float64) is model and w.dtype == mg.float64
    with pytest.raises(ValueError, match="Sequential.to: device 'cuda' is not available"):
        model.to("cuda")
    with pytest.raises(ValueError, match="Sequential.to: dtype must be a floating-point type"):
        model.to(mg.long)


# ---------------------------------------------------------------- Python numbers
def test_an_integer_prediction_indexes_a_list_like_torchs():
    classes = ("plane", "car", "bird", "cat")
    outputs = np.array([[0.1, 2.0, 0.3, 0.0], [1.5, 0.2, 0.1, 3.0]])
    pred, ref = mg.tensor(outputs).argmax(1), torch.tensor(outputs).argmax(1)
    assert [classes[pred[j]] for j in range(2)] == [classes[ref[j]] for j in range(2)] == ["car", "cat"]
    assert list(range(mg.tensor(3, dtype=mg.int64))) == [0, 1, 2] == list(range(torch.tensor(3)))
    assert [10, 20][mg.tensor([1], dtype=mg.int64)] == 20 and [10, 20][mg.tensor(True, dtype=mg.bool)] == 20


@pytest.mark.parametrize("value", [1.0, [1, 2]])
def test_only_one_integer_element_is_an_index_like_torch(value):
    data = np.array(value)
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        [0, 1, 2][torch.tensor(data)]
    with pytest.raises(TypeError, match="Tensor.__index__: only integer tensors of a single element"):
        [0, 1, 2][mg.tensor(data, dtype=data.dtype)]


@pytest.mark.parametrize("value", [2.7, -2.7, 0.0, 3.0])
def test_int_float_bool_like_torch(value):
    t, ref = mg.tensor(value), torch.tensor(value, dtype=torch.float64)
    assert int(t) == int(ref) and float(t) == float(ref) and bool(t) == bool(ref)
    assert int(mg.tensor([value])) == int(torch.tensor([value]))


def test_several_elements_are_not_a_number():
    for convert in (int, float, bool):
        with pytest.raises(ValueError):
            convert(mg.tensor([1.0, 2.0]))


def test_a_scalar_tensor_formats_as_its_number_like_torch():
    loss = mg.tensor(0.123456)
    assert f"{loss:.4f}" == f"{torch.tensor(0.123456, dtype=torch.float64):.4f}" == "0.1235"
    assert f"{mg.tensor([1.0, 2.0])}" == repr(mg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="Tensor.__format__: format spec '.2f' needs a 0-d tensor"):
        f"{mg.tensor([1.0, 2.0]):.2f}"


# ---------------------------------------------------------------- messages
@pytest.mark.parametrize("call", [lambda x: mg.nn.functional.conv2d(x, mg.zeros(1, 1, 1, 1)),
                                  lambda x: mg.nn.functional.relu(x), lambda x: mg.nn.Linear(1, 1)(x)])
def test_a_torch_tensor_is_named_torch_tensor(call):
    with pytest.raises(TypeError, match=r"input must be a Tensor, got torch\.Tensor"):
        call(torch.zeros(1, 1, 2, 2))


# ---------------------------------------------------------------- Module conveniences
def test_module_conveniences_torch_scripts_use():
    tn = torch.nn
    ours = mg.nn.Sequential(mg.nn.Linear(2, 3), mg.nn.Sequential(mg.nn.Linear(3, 1)), mg.nn.Identity(54, unused=0.1))
    ref = tn.Sequential(tn.Linear(2, 3), tn.Sequential(tn.Linear(3, 1)), tn.Identity(54, unused=0.1))
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in ref.named_modules()]
    assert len(list(ours.parameters(recurse=False))) == len(list(ref.parameters(recurse=False))) == 0
    assert len(list(ours[0].parameters(recurse=False))) == 2
    assert ours.train() is ours and ours.eval() is ours and ours.requires_grad_(False) is ours
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in ref.parameters()) == 13
    ours.requires_grad_(True)
    for p in ours.parameters():
        p.grad = np.ones(p.shape)
    ours.zero_grad(set_to_none=False)
    assert all(np.array_equal(p.grad, np.zeros(p.shape)) for p in ours.parameters())
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())
    with pytest.raises(ValueError, match="Sequential.cuda: device 'cuda' is not available"):
        ours.cuda()


def test_a_star_import_keeps_pythons_builtins():
    namespace = {}
    exec("from minigrad import *", namespace)
    assert "float32" in namespace and "int64" in namespace and "zeros" in namespace
    assert not {"float", "int", "bool"} & set(namespace)


def test_module_to_its_own_dtype_changes_nothing():
    model = mg.nn.Linear(2, 1)
    w = model.weight.data
    assert model.to(mg.float64) is model and model.weight.data is w
