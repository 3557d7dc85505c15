"""PyTorch's tensor factories: the same values, dtypes and arguments as torch's (float64 where torch says float32)."""
import tracemalloc

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn

torch = pytest.importorskip("torch")


@pytest.fixture
def torch_float64():
    """torch with minigrad's default dtype (float64), so that default dtypes compare equal."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def same(out, ref):
    """Equal shapes and dtypes; equal values (float ranges to rounding: torch's vectorised kernels add
    the step to a per-vector base, so its last bits depend on the CPU's vector width)."""
    assert out.shape == tuple(ref.shape) and str(out.dtype) == str(ref.dtype).removeprefix("torch.")
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-14, atol=0)


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3)), lambda m: m.zeros([4]), lambda m: m.zeros(size=(2, 1)),
    lambda m: m.ones(3, dtype=m.int64), lambda m: m.ones(2, 2, dtype=m.bool), lambda m: m.zeros(()),
    lambda m: m.full((2, 3), 7), lambda m: m.full((2,), 1.5), lambda m: m.full((2,), True),
    lambda m: m.full((2, 2), 3, dtype=m.float64), lambda m: m.eye(3), lambda m: m.eye(2, 4, dtype=m.int32),
    lambda m: m.arange(5), lambda m: m.arange(1, 10, 3), lambda m: m.arange(0.0, 1.0, 0.1),
    lambda m: m.arange(0.1, 2.3, 0.2, dtype=m.float64), lambda m: m.arange(5, 0, -2), lambda m: m.arange(3, 3),
    lambda m: m.arange(10, dtype=m.float64), lambda m: m.linspace(0, 1, 11, dtype=m.float64),
    lambda m: m.linspace(-3.7, 12.1, 100, dtype=m.float64), lambda m: m.linspace(2, 5, 1, dtype=m.float64),
    lambda m: m.linspace(2, 5, 0, dtype=m.float64),
    lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int64)), lambda m: m.ones_like(m.zeros(2, dtype=m.float32)),
    lambda m: m.full_like(m.zeros(3, dtype=m.int64), 2.7), lambda m: m.zeros_like(m.zeros(2), dtype=m.bool),
])
def test_deterministic_factories_equal_torchs(call, torch_float64):
    same(call(mg), call(torch))


@pytest.mark.parametrize("name,args", [("zeros", (2,)), ("ones", (2,)), ("empty", (2,)), ("rand", (2,)),
                                       ("randn", (2,)), ("full", ((2,), 1.0)), ("eye", (2,)), ("arange", (3.0,)),
                                       ("linspace", (0, 1, 5))])
def test_factories_take_dtype_device_and_requires_grad(name, args):
    t = getattr(mg, name)(*args, dtype=mg.float32, device="cpu", requires_grad=True)
    ref = getattr(torch, name)(*args, dtype=torch.float32, device="cpu", requires_grad=True)
    assert t.dtype == mg.float32 and t.requires_grad and t.is_leaf and t.device == "cpu"
    assert t.shape == tuple(ref.shape) and str(ref.dtype) == "torch.float32"
    with pytest.raises(ValueError, match=f"^{name}: device 'cuda' is not available"):
        getattr(mg, name)(*args, device="cuda")


@pytest.mark.parametrize("like", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like_factories_keep_the_shape_and_dtype(like):
    x = mg.zeros(2, 3, dtype=mg.float32)
    t = getattr(mg, like)(x, requires_grad=True, device="cpu")
    assert t.shape == (2, 3) and t.dtype == mg.float32 and t.requires_grad
    assert getattr(mg, like)(x, dtype=mg.float64).dtype == mg.float64


def test_random_factories_follow_manual_seed():
    def draw():
        mg.manual_seed(3)
        return [mg.rand(4).data, mg.randn(2, 2).data, mg.randint(10, (5,)).data, mg.randint(-3, 3, (2, 3)).data,
                mg.rand_like(mg.zeros(3)).data, mg.randn_like(mg.zeros(3)).data]
    first, second = draw(), draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    r = first[2]
    assert r.dtype == np.int64 and r.shape == (5,) and r.min() >= 0 and r.max() < 10
    assert first[3].min() >= -3 and first[3].max() < 3
    assert 0 <= first[0].min() and first[0].max() < 1


def test_float32_draws_are_the_float64_draws_rounded():
    mg.manual_seed(5)
    a = mg.randn(6)
    mg.manual_seed(5)
    np.testing.assert_array_equal(mg.randn(6, dtype=mg.float32).data, a.float().data)


def test_randint_has_torchs_signatures():
    assert mg.randint(3, 10, (2, 2)).shape == tuple(torch.randint(3, 10, (2, 2)).shape)
    assert mg.randint(5, size=(3,)).shape == (3,) and mg.randint(5, (3,), dtype=mg.int32).dtype == mg.int32
    with pytest.raises(ValueError, match="randint: low must be smaller than high, got low=4, high=4"):
        mg.randint(4, 4, (2,))
    with pytest.raises(TypeError, match=r"randint: expected randint\(high, size\)"):
        mg.randint(4)


def test_from_numpy_shares_memory_like_torch():
    a = np.arange(6.0).reshape(2, 3)
    t, ref = mg.from_numpy(a), torch.from_numpy(a)
    a[0, 0] = 42.0
    assert t.data is a and t[0, 0].item() == ref[0, 0].item() == 42.0
    t.data[1, 2] = -1.0
    assert a[1, 2] == -1.0 and not t.requires_grad
    assert mg.from_numpy(np.arange(3)).dtype == mg.int64
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray, got builtins.list"):
        mg.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="from_numpy: the array must be numeric"):
        mg.from_numpy(np.array(["a"]))


def test_tensor_copies_and_takes_torchs_arguments():
    a = np.ones(3)
    t = mg.tensor(a, dtype=mg.float32, device="cpu", requires_grad=True)
    a[0] = 5.0
    assert t.data[0] == 1.0 and t.dtype == mg.float32 and t.requires_grad
    with pytest.raises(ValueError, match="tensor: device 'cuda' is not available"):
        mg.tensor([1.0], device="cuda")


@pytest.mark.parametrize("factory", [mg.ones, mg.zeros, mg.randn, mg.empty])
def test_factories_hand_their_array_over_without_a_copy(factory):
    tracemalloc.start()
    try:
        t = factory(10 ** 6)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert t.data.nbytes == 8 * 10 ** 6 and peak < 1.1 * t.data.nbytes  # one array, not two


@pytest.mark.parametrize("call", [
    lambda: mg.zeros(dtype="garbage"), lambda: mg.ones(2, dtype=object), lambda: mg.full((2,), 1, dtype="str"),
    lambda: mg.rand(2, dtype=mg.int64), lambda: mg.arange(3, dtype=complex),
])
def test_a_bad_dtype_is_a_type_error_naming_the_function_and_argument(call):
    with pytest.raises(TypeError, match=r"^(zeros|ones|full|rand|arange): dtype must be"):
        call()


@pytest.mark.parametrize("call,msg", [
    (lambda: mg.zeros(-1), "zeros: size must be non-negative"), (lambda: mg.ones(2.5), "ones: size must be ints"),
    (lambda: mg.arange(0, 5, 0), "arange: step must be nonzero"),
    (lambda: mg.arange(5, 0), "arange: the bounds and the step's sign disagree"),
    (lambda: mg.arange(float("inf")), "arange: end must be finite"),
    (lambda: mg.linspace(0, 1, -1), "linspace: steps must be >= 0"),
    (lambda: mg.full((2,), "a"), "full: fill_value must be a number"),
    (lambda: mg.zeros(2, requires_grad=1), "zeros: requires_grad must be a bool"),
    (lambda: mg.zeros(2, dtype=mg.int64, requires_grad=True), "zeros: only floating-point tensors can require grad"),
    (lambda: mg.zeros_like([1, 2]), "zeros_like: input must be a Tensor, got list"),
])
def test_bad_arguments_name_the_factory(call, msg):
    with pytest.raises((TypeError, ValueError), match=f"^{msg}"):
        call()


@pytest.mark.parametrize("call,fn", [
    (lambda: mg.zeros(10 ** 12), "zeros"), (lambda: mg.ones(10 ** 6, 10 ** 6), "ones"),
    (lambda: mg.randn(10 ** 5, 10 ** 5), "randn"), (lambda: mg.full((10 ** 11,), 1.0), "full"),
    (lambda: mg.eye(10 ** 6), "eye"), (lambda: mg.arange(10 ** 12), "arange"),
    (lambda: mg.zeros_like(mg.Tensor._leaf(np.broadcast_to(0.0, (10 ** 6, 10 ** 6)), False)), "zeros_like"),
    (lambda: nn.Linear(10 ** 6, 10 ** 6), "Linear"), (lambda: nn.Conv2d(10 ** 4, 10 ** 4, 100), "Conv2d"),
    (lambda: nn.ConvTranspose2d(10 ** 4, 10 ** 4, 100), "ConvTranspose2d"),
    (lambda: nn.BatchNorm2d(10 ** 12), "BatchNorm2d"),
])
def test_huge_sizes_are_refused_by_the_one_size_guard(call, fn):
    with pytest.raises(ValueError, match=rf"^{fn}: a tensor of shape \(.*\) and dtype \w+ would need [\d.]+ GiB "
                                         r"\(more than the 2 GiB limit, minigrad._checks.MAX_ARRAY_BYTES\)"):
        call()


def test_layers_take_device_like_torch():
    assert nn.Linear(2, 3, device="cpu").weight.device == "cpu"
    assert nn.Conv2d(1, 2, 3, device="cpu", dtype=mg.float32).weight.dtype == mg.float32
    with pytest.raises(ValueError, match="BatchNorm1d: device 'cuda' is not available"):
        nn.BatchNorm1d(3, device="cuda")


@pytest.mark.parametrize("call,fn", [
    (lambda: mg.nn.functional.pad(mg.zeros(2, 2), (10 ** 11, 0)), "pad"),
    (lambda: mg.nn.functional.linear(mg.zeros(10 ** 5, 1), mg.zeros(10 ** 5, 1)), "linear"),
])
def test_functions_whose_output_the_arguments_size_use_the_guard(call, fn):
    with pytest.raises(ValueError, match=rf"^{fn}: a tensor of shape \(.*\) and dtype float64 would need [\d.]+ GiB"):
        call()


def test_bools_stay_bool_as_masks_like_pytorch():
    """mg.tensor([True, False]) is a bool mask (it was float64), so masked_fill and where take it."""
    torch = pytest.importorskip("torch")
    for data in ([True, False, True], np.array([True, False, True])):
        m = mg.tensor(data)
        assert m.dtype == mg.bool and str(torch.tensor(data).dtype) == "torch.bool"
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert x.masked_fill(m, 0.0).tolist() == [0.0, 2.0, 0.0]
    assert mg.where(m, x, 0.0).tolist() == [1.0, 0.0, 3.0]
    assert mg.tensor([1, 2]).dtype == mg.float64          # Python ints stay float64 (docs/nn.md)
