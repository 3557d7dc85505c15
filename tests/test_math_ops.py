"""PyTorch's method names and common math (issue 13 item 13), against torch forward and backward,
with NaN and the edge cases where torch has a rule, and each new op's scalar expansion."""
import numpy as np
import pytest

import minigrad as mg
from conftest import compare_with_torch, raises_naming, same_as_expanded, twins

torch = pytest.importorskip("torch")

IDX = np.array([[0, 1], [2, 2], [3, 0]])

SAME = {  # written once, run on a minigrad tensor and on a torch tensor
    "add-alpha": lambda t: t.add(t * 2, alpha=0.5).sub(1.0, alpha=3),
    "mul-div-pow-neg": lambda t: t.mul(t).div(3.0).pow(3).neg(),
    "matmul-t": lambda t: t.matmul(t.t()),
    "clone": lambda t: t.clone() * t,
    "unsqueeze-squeeze-view": lambda t: t.unsqueeze(0).squeeze(0).view(4, 3).contiguous(),
    "expand": lambda t: t[:, :1].expand(3, 5) + t[None].expand(2, -1, -1).sum(0)[:, :1],
    "expand_as": lambda t: t[:1].expand_as(t),
    "repeat": lambda t: t.repeat(2, 1, 2),
    "permute": lambda t: t.permute(1, 0),
    "sin-cos": lambda t: t.sin() * t.cos(),
    "log2-log10": lambda t: t.abs().log2() + (t * t).log10(),
    "sign-floor-ceil-round": lambda t: (t.sign() + t.floor() + t.ceil() + (t * 3).round() + t.trunc()) * t,
    "round-decimals": lambda t: t.round(decimals=1) * t,
    "div-floor": lambda t: t.div(0.3, rounding_mode="floor") + t.div(0.3, rounding_mode="trunc") + t,
    "var": lambda t: t.var(),
    "var-dim": lambda t: t.var(1, keepdim=True) + t.var(0, unbiased=False).sum(),
    "var-correction": lambda t: t.var(dim=1, correction=0),
    "std": lambda t: t.std(1) + t.std(),
    "prod": lambda t: t.prod(1) + t.prod(),
    "prod-keepdim": lambda t: t.prod(0, keepdim=True),
    "logsumexp": lambda t: t.logsumexp(1) + t.logsumexp(0, keepdim=True).sum(),
    "cumsum": lambda t: t.cumsum(1) + t.cumsum(0),
    "norm": lambda t: t.norm() + t.norm(dim=1).sum() + t.norm(p=3, dim=0).sum() + t.norm(1.5),
    "norm-1": lambda t: t.norm(1) + t.norm(p=1, dim=1, keepdim=True).sum(),
    "norm-inf": lambda t: t.norm(float("inf"), dim=1) + t.norm(float("-inf")),
    "sort": lambda t: t.sort(1).values + t.sort(0, descending=True).values,
    "topk": lambda t: t.topk(2).values.sum() + t.topk(2, dim=0, largest=False).values.sum(),
    "masked_fill": lambda t: t.masked_fill(t > 0, 0.5) * t,
    "where-method": lambda t: t.where(t > 0, t * 2),
    "square": lambda t: t.square(),
}


@pytest.mark.parametrize("name", list(SAME))
def test_the_same_expression_gives_torchs_numbers_and_gradients(name):
    compare_with_torch(SAME[name], SAME[name], twins((3, 4), seed=len(name)))


def test_gather_takes_whole_number_floats_as_indexing_does():
    """mg.tensor([[0], [1]]) is float64 (Python ints become floats); gather reads it as indices."""
    x = mg.arange(6.0).reshape(2, 3)
    assert x.gather(1, mg.tensor([[0], [1]])).tolist() == [[0.0], [4.0]]


def test_gather_picks_and_adds_back_like_torch():
    compare_with_torch(lambda t: t.gather(1, mg.tensor(IDX)), lambda t: t.gather(1, torch.tensor(IDX)), twins((3, 4)))
    compare_with_torch(lambda t: mg.gather(t, 0, mg.tensor(IDX[:2, :1])),
                       lambda t: torch.gather(t, 0, torch.tensor(IDX[:2, :1])), twins((3, 4), seed=2))


def test_sort_indices_and_nan_order_like_torchs_stable_sort():
    x = np.array([[3.0, 1.0, 2.0, 1.0], [np.nan, 0.0, 5.0, np.nan]])
    for descending in (False, True):
        ours = mg.tensor(x).sort(1, descending=descending)
        ref = torch.tensor(x).sort(dim=1, descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.data, ref.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())
        values, indices = ours
        assert type(ours).__name__ == "sort" and indices.dtype == mg.int64
    top = mg.tensor([[1.0, 5.0, 3.0]]).topk(2)
    assert top.indices.tolist() == [[1, 2]] and type(top).__name__ == "topk"


EDGES = {  # inputs where torch has a rule of its own
    "std-of-a-constant": (lambda t: t.std(1), np.ones((2, 3))),
    "norm-of-zeros": (lambda t: t.norm() + t.norm(dim=1).sum() + t.norm(3), np.zeros((2, 3))),
    "norm-1-at-0": (lambda t: t.norm(1), np.array([0.0, -2.0, 3.0])),
    "prod-with-a-zero": (lambda t: t.prod(1) + t.prod(), np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]])),
    "prod-with-two-zeros": (lambda t: t.prod(), np.array([0.0, 2.0, 0.0])),
    "prod-nan": (lambda t: t.prod(1), np.array([[1.0, np.nan, 2.0], [0.0, np.nan, 3.0]])),
    "logsumexp-inf": (lambda t: t.logsumexp(1), np.array([[-np.inf, -np.inf], [np.inf, 1.0], [1e4, 1e4]])),
    "log-of-negatives": (lambda t: t.log2() + t.log10(), np.array([-1.0, 0.0, np.nan])),
    "sin-cos-inf-nan": (lambda t: t.sin() + t.cos(), np.array([np.inf, -np.inf, np.nan, 0.0])),
    "cumsum-nan": (lambda t: t.cumsum(0), np.array([1.0, np.nan, 2.0])),
    "sign-nan": (lambda t: t.sign() * 2 + t.floor(), np.array([np.nan, 0.0, -0.0, 2.5])),
}


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_cases_like_torch(name, recwarn):
    f, x = EDGES[name]
    compare_with_torch(f, f, [(mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True))])
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_the_functions_are_there_as_torch_spells_them():
    (x, tx), = twins((3, 4))
    for name in ["add", "mul", "sin", "cos", "exp", "log2", "sum", "mean", "var", "std", "prod", "cumsum",
                 "logsumexp", "norm", "sort", "topk", "gather", "masked_fill", "clone", "abs", "sqrt", "tanh"]:
        assert callable(getattr(mg, name)) and callable(getattr(torch, name)), name
    np.testing.assert_allclose(mg.matmul(x, mg.t(x)).data, torch.matmul(tx, torch.t(tx)).detach().numpy())
    np.testing.assert_allclose(mg.sum(x, 1).data, torch.sum(tx, 1).detach().numpy())
    np.testing.assert_allclose(mg.transpose(x, 0, 1).data, torch.transpose(tx, 0, 1).detach().numpy())
    np.testing.assert_allclose(mg.clamp(x, -0.5, 0.5).data, torch.clamp(tx, -0.5, 0.5).detach().numpy())
    np.testing.assert_allclose(mg.std(x, 0).data, torch.std(tx, 0).detach().numpy())


EXPANDED = {  # every op new here, rebuilt one Value per number
    "sin-cos-log": lambda a, p: a.sin() * a.cos() + p.log2() + p.log10(),
    "step-functions": lambda a, p: a.sign() * a + a.floor() + a.round() * p,
    "var-std": lambda a, p: a.var(1) + a.std(0).sum() + a.var(correction=0),
    "prod-logsumexp": lambda a, p: p.prod(1) + a.logsumexp(0).sum() + a.prod(),
    "cumsum-norm": lambda a, p: a.cumsum(1).sum(0) + a.norm() + a.norm(3, dim=0),
    "sort-topk-gather": lambda a, p: a.sort(1).values[:, 0] + a.topk(2, dim=0).values.sum()
    + a.gather(1, mg.tensor(IDX[:2])).sum(),
    "clone-expand-repeat": lambda a, p: a.clone()[:, :1].expand(2, 4).sum(1) + a.repeat(2, 1)[3].sum(),
    "masked_fill": lambda a, p: a.masked_fill(a > 0, 1.5).sum(1),
}


@pytest.mark.parametrize("name", list(EXPANDED))
def test_new_ops_expand_to_scalars(name):
    rng = np.random.default_rng(3)
    a = mg.tensor(rng.standard_normal((2, 4)), requires_grad=True, name="a")
    p = mg.tensor(np.abs(rng.standard_normal((2, 4))) + 0.5, requires_grad=True, name="p")
    out = EXPANDED[name](a, p)
    same_as_expanded((out * mg.tensor(rng.standard_normal(out.shape))).sum(), [a, p], rtol=1e-10)


def test_sin_and_cos_derive_like_the_chain_rule():
    x = mg.Value(0.5, "x")
    d = mg.derive(x.sin() * x.cos(), x)
    assert d.value == pytest.approx(np.cos(1.0)) and str(d.expression) == "-sin(x)**2 + cos(x)**2"


@pytest.mark.parametrize("call,kind,words", [
    (lambda: mg.zeros(2, 3, 4).t(), ValueError, ["Tensor.t", "at most 2", "(2, 3, 4)"]),
    (lambda: mg.zeros(2, 3).expand(4, 3), ValueError, ["expand", "(2, 3)", "(4, 3)"]),
    (lambda: mg.zeros(2, 3).expand(3), ValueError, ["expand", "fewer dimensions"]),
    (lambda: mg.zeros(2, 3).repeat(2), ValueError, ["repeat", "one count per dimension", "(2, 3)"]),
    (lambda: mg.zeros(2, 3).gather(1, mg.full((2, 1), 0.5)), TypeError, ["gather", "integer tensor", "float64"]),
    (lambda: mg.zeros(2, 3).gather(1, mg.tensor([[3]], dtype=mg.int64)), IndexError, ["gather", "[0, 3)"]),
    (lambda: mg.zeros(2, 3).gather(1, mg.tensor([0], dtype=mg.int64)), ValueError, ["gather", "dimensions"]),
    (lambda: mg.zeros(2, 3).topk(4), ValueError, ["topk", "k must be", "[0, 3]"]),
    (lambda: mg.zeros(2, 3).masked_fill(mg.zeros(2, 3), 1.0), TypeError, ["masked_fill", "mask", "bool"]),
    (lambda: mg.zeros(2, 3).masked_fill(mg.zeros(3, 3) > 0, 1.0), ValueError, ["masked_fill", "(3, 3)", "(2, 3)"]),
    (lambda: mg.zeros(2, 3).norm(p="nuc"), ValueError, ["Tensor.norm", "p must be", "'nuc'"]),
    (lambda: mg.zeros(2, 3).var(unbiased=True, correction=1), TypeError, ["Tensor.var", "unbiased or correction"]),
    (lambda: mg.zeros(2, 3).div(2, rounding_mode="up"), ValueError, ["Tensor.div", "rounding_mode", "'up'"]),
    (lambda: mg.zeros(2, 3).cumsum(2), ValueError, ["cumsum", "dim 2", "out of range"]),
    (lambda: mg.sin(torch.zeros(2)), TypeError, ["sin", "input must be a Tensor", "torch.Tensor"]),
])
def test_bad_input_is_named(call, kind, words):
    raises_naming(call, kind, *words)
