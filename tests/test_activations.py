"""GELU, SiLU, ELU, Softplus, Hardtanh, Softmax and LogSoftmax as modules and F functions (issue 13
item 10): PyTorch's numbers forward and backward (NaN, inf and the branch points included),
PyTorch's repr, and each op's scalar expansion equal to the tensor op."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from conftest import compare_with_torch, raises_naming, twins
from minigrad.scalar.expand import expand_graph

torch = pytest.importorskip("torch")
tnn = torch.nn

# the branch points (0, ±1, the threshold), NaN, ±inf and large values, then random numbers
SPECIAL = np.array([0.0, 1.0, -1.0, 2.0, -2.0, 10.0, 20.0, 25.0, -30.0, 1e-8, np.nan, np.inf, -np.inf, 800.0, -800.0])


def inputs(seed=0):
    x = np.concatenate([SPECIAL, np.random.default_rng(seed).standard_normal(25) * 3]).reshape(5, 8)
    return [(mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True))]


MODULES = [("GELU", {}), ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("ELU", {}), ("ELU", {"alpha": 0.5}),
           ("Softplus", {}), ("Softplus", {"beta": 2, "threshold": 10}), ("Softplus", {"beta": 0.5}),
           ("Hardtanh", {}), ("Hardtanh", {"min_val": -2, "max_val": 3}), ("Softmax", {"dim": 1}),
           ("LogSoftmax", {"dim": 0}), ("Identity", {})]


@pytest.mark.parametrize("name,kw", MODULES, ids=[f"{n}{kw}" for n, kw in MODULES])
def test_module_like_torch_forward_backward_and_repr(name, kw):
    m, t = getattr(nn, name)(**kw), getattr(tnn, name)(**kw)
    assert repr(m) == repr(t)
    compare_with_torch(m, t, inputs(), rtol=1e-12, atol=1e-14)


FUNCTIONS = {
    "gelu": (lambda x: F.gelu(x), lambda x: torch.nn.functional.gelu(x)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: torch.nn.functional.gelu(x, approximate="tanh")),
    "silu": (F.silu, torch.nn.functional.silu),
    "elu": (lambda x: F.elu(x, 1.5), lambda x: torch.nn.functional.elu(x, 1.5)),
    "softplus": (lambda x: F.softplus(x, beta=3.0, threshold=5.0),
                 lambda x: torch.nn.functional.softplus(x, beta=3.0, threshold=5.0)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 2.0), lambda x: torch.nn.functional.hardtanh(x, -0.5, 2.0)),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_like_torch(name, dtype):
    f, ref = FUNCTIONS[name]
    pairs = twins((3, 4), seed=1, dtype=dtype)
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-6)
    out = compare_with_torch(f, ref, pairs, **tol)
    assert out.dtype == dtype and pairs[0][0].grad.dtype == dtype


def test_hardtanh_gradient_is_zero_at_the_ends_unlike_clamp():
    x = mg.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    F.hardtanh(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    x.grad = None
    x.clamp(-1, 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_scalar_expansion_equals_the_tensor_op(name):
    f, _ = FUNCTIONS[name]
    data = np.array([[-2.5, -0.5, 0.0, 0.3], [1.0, 2.0, 6.0, -1e-3]])  # both branches of each
    x = mg.tensor(data, requires_grad=True, name="x")
    r = mg.tensor(np.random.default_rng(2).standard_normal(data.shape))
    loss = (f(x) * r).sum()
    scalar, grids = expand_graph(loss)
    assert scalar.data == pytest.approx(loss.item(), rel=1e-12)
    loss.backward()
    scalar.backward()
    np.testing.assert_allclose(mg.scalar.grads(grids[id(x)]), x.grad, rtol=1e-10, atol=1e-14)


def test_gelu_expands_through_an_erf_node_that_derive_reads():
    x = mg.tensor([0.7], requires_grad=True, name="x")
    y = F.gelu(x).sum()
    S = mg.scalar.expand(y)
    ops = set()
    stack = [S]
    while stack:
        v = stack.pop()
        ops.add(v.op)
        stack.extend(v.parents)
    assert "erf" in ops
    y.backward()
    assert mg.derive(y, (x, (0,))).value == pytest.approx(x.grad[0], rel=1e-12)


def test_softmax_modules_need_a_dim():
    raises_naming(lambda: nn.Softmax()(mg.zeros(2, 3)), TypeError, "Softmax", "dim", "(2, 3)")
    assert repr(nn.Softmax()) == repr(tnn.Softmax())


@pytest.mark.parametrize("call,kind,words", [
    (lambda: nn.GELU("erf"), ValueError, ["GELU", "approximate", "erf"]),
    (lambda: F.gelu(mg.zeros(2), approximate="fast"), ValueError, ["gelu", "approximate", "fast"]),
    (lambda: F.silu([1.0]), TypeError, ["silu", "input", "list"]),
    (lambda: nn.ELU(alpha="1"), TypeError, ["ELU", "alpha"]),
    (lambda: nn.Softplus(beta=0), ValueError, ["Softplus", "beta", "0"]),
    (lambda: F.softplus(mg.zeros(2), threshold=None), TypeError, ["softplus", "threshold"]),
    (lambda: nn.Hardtanh(2, 1), ValueError, ["Hardtanh", "min_val", "max_val"]),
    (lambda: F.hardtanh(mg.zeros(2), 1.0, -1.0), ValueError, ["hardtanh", "min_val=1.0", "max_val=-1.0"]),
    (lambda: nn.SiLU(inplace=1), TypeError, ["SiLU", "inplace"]),
    (lambda: nn.LogSoftmax(dim=1.0), TypeError, ["LogSoftmax", "dim"]),
    (lambda: nn.Softmax(dim=2)(mg.zeros(2, 3)), ValueError, ["softmax", "dim 2"]),
])
def test_bad_input_names_the_function_and_the_argument(call, kind, words):
    raises_naming(call, kind, *words)
