"""Fixtures shared by the test files."""
import shutil

import pytest


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH without Graphviz's ``dot`` (an empty directory); returns a temporary directory."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None
    return tmp_path


# ------------------------------------------------------------------ shared helpers
# Test files import these by name (``from conftest import compare_with_torch``): pytest puts this
# directory on sys.path, so each is written once instead of once per file.
import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402


def random_tensor(*shape, seed=0, grad=True, dtype=np.float64):
    """A standard-normal tensor of ``shape`` (the same numbers for the same seed)."""
    return mg.tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=grad)


def raises_naming(call, kind, *words):
    """``call()`` raises ``kind`` and the message says every one of ``words`` (the function,
    the argument, the shapes): the bad-input contract of API.md section 8."""
    with pytest.raises(kind) as err:
        call()
    for w in words:
        assert w in str(err.value), (w, str(err.value))
    return err.value


def twins(*shapes, seed=0, dtype=np.float64, integer=False, positive=False):
    """Pairs (minigrad tensor, torch tensor) with the same numbers, both requiring grad."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    out = []
    for shape in shapes:
        a = rng.integers(-3, 4, shape) if integer else rng.standard_normal(shape)
        if positive:
            a = np.abs(a) + 0.5
        a = a.astype(dtype)
        out.append((mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)))
    return out


def nonfinite(a, seed=0, fraction=0.2):
    """A copy of the array ``a`` with about ``fraction`` of its elements NaN, inf or -inf."""
    rng = np.random.default_rng(seed)
    a = np.array(a, copy=True)
    hit = rng.random(a.shape) < fraction
    a[hit] = rng.choice(np.array([np.nan, np.inf, -np.inf], dtype=a.dtype), int(hit.sum()))
    return a


def compare_with_torch(fn_mg, fn_torch, pairs, rtol=1e-10, atol=1e-12, seed=1, grad=None):
    """The same forward on both, then backward with the same upstream gradient (``grad``, an
    array or a function of the output shape; random by default): the outputs and every input's
    gradient agree, NaN for NaN and inf for inf. Returns minigrad's output."""
    torch = pytest.importorskip("torch")
    out = fn_mg(*[m for m, _ in pairs])
    ref = fn_torch(*[t for _, t in pairs])
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=rtol, atol=atol)
    if grad is None:
        g = np.random.default_rng(seed).standard_normal(out.shape)
    else:
        g = grad(out.shape) if callable(grad) else grad
    g = np.asarray(g, dtype=out.dtype)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for k, (m, t) in enumerate(pairs):
        np.testing.assert_allclose(m.grad, t.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"grad of input {k}")
    return out


def same_as_expanded(loss, leaves, rtol=1e-12):
    """``mg.scalar.expand(loss)`` has the tensor's value, and after both backward passes each named
    leaf's scalar grads equal the tensor grads element by element. Returns the scalar root."""
    S = mg.scalar.expand(loss)
    loss.backward()
    S.backward()
    assert S.data == pytest.approx(loss.item(), rel=rtol, nan_ok=True)
    grads = {v.name: v.grad for v in mg.engine.topological_order(S) if not v.parents and v.name}
    for t in leaves:  # an element the loss never read has no Value in the graph: its gradient is 0
        got = np.array([grads.get(mg.scalar.element_name(t.name, i, t.shape), 0.0) for i in np.ndindex(*t.shape)])
        if t.grad is None:
            assert not got.any(), t.name
            continue
        np.testing.assert_allclose(got.reshape(t.shape), t.grad, rtol=rtol, atol=1e-14, err_msg=t.name)
    return S


@pytest.fixture
def big_graph():
    """~1.2·10^4 scalar nodes after backward: a 34x34 image, 3x3 conv, 2x2 max-pool, sum: (x, w, f)."""
    S = mg.scalar
    rng = np.random.default_rng(0)
    x = S.grid(rng.standard_normal((34, 34)), "x")
    w = S.grid(rng.standard_normal((3, 3)), "w")
    f = S.sum(S.max_pool2d(S.conv2d(x, w, name="s"), 2, name="p"), name="f")
    f.backward()
    return x, w, f
