"""mg.scalar.expand: a Tensor graph rebuilt one Value per number; same values, same gradients."""
import numpy as np
import pytest
import sympy

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.engine import topological_order
from minigrad.scalar.expand import expand_graph

RNG = np.random.default_rng(7)


def leaf(*shape, name, grad=True, positive=False, scale=1.0):
    data = RNG.standard_normal(shape) * scale
    if positive:
        data = np.abs(data) + 0.5
    return mg.Tensor(data, requires_grad=grad, name=name)


def same_as_tensor_path(out, leaves):
    """Expand (out * R).sum(); values and every leaf's grads must equal the tensor path's."""
    R = mg.Tensor(RNG.standard_normal(out.shape))
    loss = (out * R).sum()
    scalar, grids = expand_graph(loss)
    out_grid = grids[id(out)]
    np.testing.assert_allclose(mg.scalar.values(out_grid), out.data, rtol=1e-10, atol=1e-12)
    loss.backward()
    scalar.backward()
    for t in leaves:
        if t.grad is None:  # not used by this output
            assert id(t) not in grids, t.name
            continue
        np.testing.assert_allclose(mg.scalar.grads(grids[id(t)]), t.grad, rtol=1e-9, atol=1e-12, err_msg=t.name)
    return grids


def test_the_tiny_net_conv_relu_maxpool_flatten_linear_sum():
    x = leaf(2, 1, 6, 6, name="x", grad=False)
    w = leaf(3, 1, 3, 3, name="w")
    b = leaf(3, name="b")
    v = leaf(4, 12, name="v")
    c = leaf(4, name="c")
    loss = F.linear(F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2).flatten(1), v, c).sum()
    S = mg.scalar.expand(loss)
    assert isinstance(S, mg.Value) and S.data == pytest.approx(loss.item(), rel=1e-12)
    ops = {n.op for n in topological_order(S)}
    assert {"sum", "*", "max", "relu"} <= ops
    loss.backward()
    S.backward()
    leaves = {n.name: n for n in topological_order(S) if not n.parents and n.name}
    for t in (w, b, v, c):
        got = np.zeros(t.shape)
        for idx in np.ndindex(*t.shape):
            got[idx] = leaves[mg.scalar.element_name(t.name, idx, t.shape)].grad
        np.testing.assert_allclose(got, t.grad, rtol=1e-9, atol=1e-12)
    # and derive on the tensor graph equals the tensor gradient
    d = mg.derive(loss, (w, (1, 0, 2, 0)))
    assert d.value == pytest.approx(w.grad[1, 0, 2, 0], rel=1e-9)


def test_each_conv_output_is_one_sum_over_its_taps_and_each_pool_one_max():
    x = mg.Tensor(np.array([[1.0, 1, 0], [1, 1, 0], [1, 0, 0]]).reshape(1, 1, 3, 3), name="x")
    w = mg.Tensor(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), requires_grad=True, name="w")
    s = F.conv2d(x, w)
    S = mg.scalar.expand(s)
    assert S.shape == (1, 1, 2, 2)
    s11 = S[0, 0, 0, 0]
    assert s11.op == "sum" and [p.op for p in s11.parents] == ["*"] * 4
    assert [(p.parents[0].name, p.parents[1].name) for p in s11.parents] == [
        ("x[1,1,1,1]", "w[1,1,1,1]"), ("x[1,1,1,2]", "w[1,1,1,2]"), ("x[1,1,2,1]", "w[1,1,2,1]"),
        ("x[1,1,2,2]", "w[1,1,2,2]")]
    P = mg.scalar.expand(F.max_pool2d(s, 2))
    assert P[0, 0, 0, 0].op == "max" and len(P[0, 0, 0, 0].parents) == 4


def test_leaf_names_follow_the_tensors():
    a = mg.Tensor(np.ones((2, 3)), requires_grad=True, name="a")
    big = mg.Tensor(np.ones((2, 12)), requires_grad=True, name="z")
    anon = mg.Tensor(np.ones(2), requires_grad=True)
    const = mg.Tensor(np.full(2, 3.0))
    y = (a.sum() + big.sum() + (anon * const).sum())
    _, grids = expand_graph(y)
    assert grids[id(a)][1, 2].name == "a23"
    assert grids[id(big)][1, 11].name == "z[2,12]"
    assert grids[id(anon)][1].name == "t1[2]"
    assert grids[id(const)][0].name is None and grids[id(const)][0].data == 3.0


def test_derive_and_check_on_a_tensor_graph_read_like_the_slide():
    x = mg.Tensor(np.array([[1.0, 1, 0], [1, 1, 0], [1, 0, 0]]).reshape(1, 1, 3, 3), name="x")
    w = mg.Tensor(np.arange(1.0, 5.0).reshape(1, 1, 2, 2), requires_grad=True, name="w")
    loss = F.conv2d(x, w).sum()
    d = mg.derive(loss, (w, (0, 0, 0, 0)))
    assert str(d.expression) == "x[1,1,1,1] + x[1,1,1,2] + x[1,1,2,1] + x[1,1,2,2]"
    assert mg.check(loss, (w, (0, 0, 0, 0)), "x[1,1,1,1] + x[1,1,1,2] + x[1,1,2,1] + x[1,1,2,2]")
    loss.backward()
    assert d.value == w.grad[0, 0, 0, 0] == 4.0
    pooled = F.max_pool2d(F.conv2d(x, w), 2).sum()  # a max over the whole 2x2 map: s11 = 10 wins
    assert mg.derive(pooled, (w, (0, 0, 0, 0))).expression == sympy.Symbol("x[1,1,1,1]")


ELEMENTWISE = {
    "add-broadcast": lambda a, b, p: a + b[0],
    "sub": lambda a, b, p: a - b,
    "mul-number": lambda a, b, p: a * 3.0 - 1.0,
    "div": lambda a, b, p: a / p,
    "neg-pow": lambda a, b, p: -(a ** 3),
    "exp-log-sqrt": lambda a, b, p: (a * 0.3).exp() + p.log() + p.sqrt(),
    "abs-tanh-sigmoid": lambda a, b, p: a.abs() + b.tanh() * a.sigmoid(),
    "relu-leaky": lambda a, b, p: F.relu(a) + F.leaky_relu(b, 0.2),
    "clip": lambda a, b, p: a.clip(-0.5, 0.5) + b.clip(min=0.0),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_ops(name):
    a, b, p = leaf(3, 4, name="a"), leaf(3, 4, name="b"), leaf(3, 4, name="p", positive=True)
    same_as_tensor_path(ELEMENTWISE[name](a, b, p), [a, b, p])


REDUCTIONS = {
    "sum-axis": lambda a: a.sum(axis=1),
    "sum-all-keepdims": lambda a: a.sum(keepdims=True),
    "mean-axes": lambda a: a.mean(axis=(0, 2), keepdims=True),
    "max-axis": lambda a: a.max(axis=1),
    "max-all": lambda a: a.max(),
    "min-axis": lambda a: a.min(axis=-1, keepdims=True),
    "reshape-transpose": lambda a: a.reshape(6, 4).T,
    "flatten-getitem": lambda a: a.flatten(1)[1, 2:7],
    "advanced-index": lambda a: a[np.array([0, 1, 0]), 1],
    "advanced-indices-split-by-a-slice": lambda a: a[0, :, [0, 2, 2]],   # torch's layout: (3, 3)
    "advanced-index-and-integer": lambda a: a[1, :, [2, 2, 0], ...],
    "softmax": lambda a: F.softmax(a, 1),
    "log_softmax": lambda a: F.log_softmax(a, -1),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reductions_shapes_and_softmax(name):
    a = leaf(2, 3, 4, name="a")
    same_as_tensor_path(REDUCTIONS[name](a), [a])


def test_max_ties_match_the_tensor_rule():
    a = mg.Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True, name="a")
    same_as_tensor_path(a.max(axis=1), [a])   # one axis: the first maximum takes it all
    a.grad = None
    same_as_tensor_path(a.max(), [a])          # all axes: split evenly (PyTorch)


def test_matmul_and_linear():
    a, b, v = leaf(2, 3, 4, name="a"), leaf(4, 5, name="b"), leaf(4, name="v")
    same_as_tensor_path(a @ b, [a, b])
    a.grad = b.grad = None
    same_as_tensor_path(v @ b, [v, b])
    x, w, c = leaf(5, 4, name="x"), leaf(3, 4, name="w"), leaf(3, name="c")
    same_as_tensor_path(F.linear(x, w, c), [x, w, c])
    x.grad = w.grad = None
    same_as_tensor_path(F.linear(x, w), [x, w])


def test_losses():
    z = leaf(4, 3, name="z")
    target = np.array([0, 2, 1, 2])
    same_as_tensor_path(F.cross_entropy(z, target), [z])
    z.grad = None
    same_as_tensor_path(F.cross_entropy(z, target, reduction="none"), [z])
    z.grad = None
    same_as_tensor_path(F.cross_entropy(z, target, label_smoothing=0.1), [z])
    z.grad = None
    for reduction in ("mean", "none"):  # class weights, an ignored target and smoothing in the one nll node
        same_as_tensor_path(F.cross_entropy(z, target, weight=mg.tensor([1.0, 2.0, 0.5]), ignore_index=1,
                                            label_smoothing=0.2, reduction=reduction), [z])
        z.grad = None
    soft = mg.Tensor(np.full((4, 3), 1 / 3))
    same_as_tensor_path(F.cross_entropy(z, soft), [z])
    z.grad = None
    y = mg.Tensor(RNG.random((4, 3)))
    same_as_tensor_path(F.mse_loss(z, y), [z])
    z.grad = None
    same_as_tensor_path(F.l1_loss(z, y, reduction="sum"), [z])
    z.grad = None
    same_as_tensor_path(F.binary_cross_entropy(F.sigmoid(z), y), [z])
    z.grad = None
    same_as_tensor_path(F.binary_cross_entropy_with_logits(z, y, pos_weight=mg.Tensor(2.0)), [z])


def test_dropout_uses_the_recorded_mask():
    mg.manual_seed(3)
    a = leaf(4, 5, name="a")
    same_as_tensor_path(F.dropout(a, 0.5, training=True), [a])


CONVS = {
    "stride-padding-bias": lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
    "dilation": lambda x, w, b: F.conv2d(x, w, dilation=2),
    "same": lambda x, w, b: F.conv2d(x, w[:, :, :2, :], padding="same"),
    "reflect": lambda x, w, b: F.conv2d(x, w, b, padding=1, padding_mode="reflect"),
    "circular": lambda x, w, b: F.conv2d(x, w, padding=(1, 2), padding_mode="circular"),
    "groups": lambda x, w, b: F.conv2d(x, w.reshape(4, 1, 3, 3)[:2], groups=2),
    "convolve2d": lambda x, w, b: F.convolve2d(x, w, b),
    "fft": lambda x, w, b: F.fft_conv2d(x, w, b, padding=1),
    "unbatched": lambda x, w, b: F.conv2d(x[0], w, b),
}


@pytest.mark.parametrize("name", list(CONVS))
def test_convolutions(name):
    x, w, b = leaf(2, 2, 5, 6, name="x"), leaf(2, 2, 3, 3, name="w"), leaf(2, name="b")
    out = CONVS[name](x, w, b)
    used = [t for t in (x, w, b) if any(n is t for n in topological_order(out))]
    same_as_tensor_path(out, used)


POOLS = {
    "max": lambda x: F.max_pool2d(x, 2),
    "max-stride-padding-dilation": lambda x: F.max_pool2d(x, 3, stride=2, padding=1, dilation=(1, 2)),
    "avg": lambda x: F.avg_pool2d(x, 2, stride=1),
    "avg-padding-exclude": lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
    "pad-replicate": lambda x: F.pad(x, (1, 2, 0, 1), mode="replicate"),
    "pad-constant": lambda x: F.pad(x, (1, 1, 2, 0), value=0.5),
}


@pytest.mark.parametrize("name", list(POOLS))
def test_pooling_and_padding(name):
    x = leaf(1, 2, 5, 6, name="x")
    same_as_tensor_path(POOLS[name](x), [x])


def test_max_pool_ties_go_to_the_first_like_the_tensor_op():
    x = mg.Tensor(np.array([[[[1.0, 1.0], [1.0, 0.0]]]]), requires_grad=True, name="x")
    grids = same_as_tensor_path(F.max_pool2d(x, 2), [x])
    assert mg.scalar.grads(grids[id(x)])[0, 0].tolist() != [[0, 0], [0, 0]]


def test_conv_transpose2d():
    x, w, b = leaf(2, 4, 3, 3, name="x"), leaf(4, 3, 2, 2, name="w"), leaf(6, name="b")
    same_as_tensor_path(F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2), [x, w, b])
    x.grad = w.grad = None
    same_as_tensor_path(F.conv_transpose2d(x[0], w[:, :2], dilation=2), [x, w])


def test_batch_norm_training_and_eval():
    x, g, b = leaf(3, 2, 2, 2, name="x"), leaf(2, name="g"), leaf(2, name="b")
    same_as_tensor_path(F.batch_norm(x, np.zeros(2), np.ones(2), g, b, training=True), [x, g, b])
    x.grad = g.grad = b.grad = None
    same_as_tensor_path(F.batch_norm(x, np.array([0.3, -0.1]), np.array([2.0, 0.5]), g, b), [x, g, b])
    x.grad = None
    same_as_tensor_path(F.batch_norm(x, None, None, training=True, eps=1e-3), [x])


def test_pow_with_a_tensor_exponent():
    a, e = leaf(3, name="a", positive=True), leaf(3, name="e")
    same_as_tensor_path(a ** e, [a, e])
    with pytest.raises(ValueError, match=r"scalar.expand: pow with a tensor exponent .* needs a > 0"):
        mg.scalar.expand(mg.Tensor([-1.0, 2.0], requires_grad=True) ** e[:2])


def test_bad_input():
    from minigrad.optable import Op
    from minigrad.tensor import record

    with pytest.raises(TypeError, match="scalar.expand: tensor must be a Tensor, got minigrad.Value"):
        mg.scalar.expand(mg.Value(1.0))
    x = leaf(2, 3, name="x")
    custom = record(x.data * 2, (x,), Op("twice", None))
    with pytest.raises(ValueError, match=r"scalar.expand: cannot expand op 'twice' \(output shape \(2, 3\)\)"):
        mg.scalar.expand(custom.sum())


def test_the_tiny_net_against_torch():
    torch = pytest.importorskip("torch")
    x = leaf(2, 1, 6, 6, name="x", grad=False)
    w, b, v, c = leaf(3, 1, 3, 3, name="w"), leaf(3, name="b"), leaf(4, 12, name="v"), leaf(4, name="c")
    loss = F.linear(F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2).flatten(1), v, c).sum()
    S = mg.scalar.expand(loss)
    S.backward()
    tt = {n: torch.tensor(t.data, requires_grad=n != "x") for n, t in dict(x=x, w=w, b=b, v=v, c=c).items()}
    tf = torch.nn.functional
    tl = tf.linear(tf.max_pool2d(tf.relu(tf.conv2d(tt["x"], tt["w"], tt["b"])), 2).flatten(1), tt["v"], tt["c"]).sum()
    tl.backward()
    assert S.data == pytest.approx(tl.item(), rel=1e-12)
    leaves = {n.name: n for n in topological_order(S) if not n.parents and n.name}
    for name, t in dict(w=w, b=b, v=v, c=c).items():
        got = np.zeros(t.shape)
        for idx in np.ndindex(*t.shape):
            got[idx] = leaves[mg.scalar.element_name(name, idx, t.shape)].grad
        np.testing.assert_allclose(got, tt[name].grad.numpy(), rtol=1e-9, atol=1e-12)


def test_named_interior_tensors_name_their_scalar_nodes():
    x = mg.Tensor(np.ones((1, 1, 3, 3)), name="x")
    w = mg.Tensor(np.ones((1, 1, 2, 2)), requires_grad=True, name="w")
    s = F.conv2d(x, w)
    s.name = "s"
    f = s.sum()
    f.name = "f"
    S = mg.scalar.expand(f)
    assert S.name == "f" and [p.name for p in S.parents] == ["s[1,1,1,1]", "s[1,1,1,2]", "s[1,1,2,1]", "s[1,1,2,2]"]
    assert "∂f/∂s[1,1,1,1] = 1" in str(mg.derive(f, (w, (0, 0, 0, 0))))


def test_expand_of_advanced_indices_split_by_a_slice_has_torchs_layout():
    """t[0, :, [0, 2]] on (2, 3, 4) is (3, 2) as in PyTorch (the integer first, then the list)."""
    a = leaf(2, 3, 4, name="a")
    out = a[0, :, [0, 2]]
    grid = mg.scalar.expand(out)
    assert grid.shape == (3, 2)
    np.testing.assert_array_equal(mg.scalar.values(grid), a.data[0][:, [0, 2]])
    same_as_tensor_path(out, [a])
