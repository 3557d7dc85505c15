"""Property: mg.scalar.expand rebuilds any small conv net at scalar granularity with the same
values and, after backward, the same gradients as the tensor path (issue 7, identities)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import scalar as S
from minigrad.engine import topological_order


@st.composite
def nets(draw):
    c, o = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k, s, p, d = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 1)), draw(st.integers(1, 2))
    size = draw(st.integers(max(2, d * (k - 1) + 1 - 2 * p), 6))   # the dilated kernel fits the padded input
    pool = draw(st.sampled_from(["max", "avg", "none"]))
    act = draw(st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"]))
    integer = draw(st.booleans())                     # integer data: pooling windows tie
    return c, o, k, s, p, d, size, pool, act, integer, draw(st.integers(0, 2 ** 16))


@settings(max_examples=40, deadline=None)
@given(nets())
def test_expand_equals_the_tensor_path(cfg):
    c, o, k, s, p, d, size, pool, act, integer, seed = cfg
    rng = np.random.default_rng(seed)
    def draw(*shape):
        return rng.integers(-2, 3, shape).astype(float) if integer else rng.standard_normal(shape)

    x = mg.tensor(draw(1, c, size, size), requires_grad=True, name="x")
    w = mg.tensor(draw(o, c, k, k), requires_grad=True, name="w")
    b = mg.tensor(draw(o), requires_grad=True, name="b")
    h = getattr(F, act)(F.conv2d(x, w, b, stride=s, padding=p, dilation=d))
    if pool != "none" and min(h.shape[2:]) >= 2:
        h = F.max_pool2d(h, 2) if pool == "max" else F.avg_pool2d(h, 2)
    loss = (h * h).sum()
    loss.backward()

    f = S.expand(loss)
    np.testing.assert_allclose(f.data, loss.item(), rtol=1e-10, atol=1e-10)
    f.backward()
    leaves = {n.name: n for n in topological_order(f) if not n.parents and n.name}
    for t in (x, w, b):
        for idx in np.ndindex(t.shape):
            name = S.element_name(t.name, idx, t.shape)
            got = leaves[name].grad if name in leaves else 0.0
            np.testing.assert_allclose(got, t.grad[idx], rtol=1e-8, atol=1e-10, err_msg=f"{name}: {cfg}")
