"""Value: every op against central differences, PyTorch's accumulation, depth without recursion."""
import gc
import math
import sys
import weakref

import pytest

import minigrad as mg
from minigrad.engine import topological_order


def central(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


UNARY = {
    "exp": (lambda v: v.exp(), math.exp),
    "log": (lambda v: v.log(), math.log),
    "tanh": (lambda v: v.tanh(), math.tanh),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0)),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), lambda x: x if x > 0 else 0.1 * x),
    "pow3": (lambda v: v ** 3, lambda x: x ** 3),
    "pow-half": (lambda v: v ** -0.5, lambda x: x ** -0.5),
    "neg": (lambda v: -v, lambda x: -x),
    "rdiv": (lambda v: 2.0 / v, lambda x: 2.0 / x),
    "rsub": (lambda v: 2.0 - v, lambda x: 2.0 - x),
}


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("x", [0.7, 1.9, -0.4])
def test_unary_ops_match_central_differences(name, x):
    op, ref = UNARY[name]
    if name in ("log", "pow-half") and x < 0:
        x = -x
    v = mg.Value(x, "x")
    y = op(v)
    assert y.data == pytest.approx(ref(x), rel=1e-12)
    y.backward()
    assert v.grad == pytest.approx(central(ref, x), rel=1e-6, abs=1e-9)


BINARY = {
    "+": (lambda a, b: a + b),
    "-": (lambda a, b: a - b),
    "*": (lambda a, b: a * b),
    "/": (lambda a, b: a / b),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_ops_match_central_differences(name):
    f = BINARY[name]
    a, b = mg.Value(1.3, "a"), mg.Value(-0.6, "b")
    y = f(a, b)
    y.backward()
    assert a.grad == pytest.approx(central(lambda t: f(t, -0.6), 1.3), rel=1e-6)
    assert b.grad == pytest.approx(central(lambda t: f(1.3, t), -0.6), rel=1e-6)
    assert (f(a, 2.0)).data == pytest.approx(f(1.3, 2.0))
    assert (f(2.0, a)).data == pytest.approx(f(2.0, 1.3))


def test_node_attributes_follow_the_api():
    a, b = mg.Value(2.0, name="a"), mg.Value(3.0, name="b")
    c = a * b
    assert (a.op, a.parents, a.grad, a.name) == ("", (), 0.0, "a")
    assert c.op == "*" and c.parents == (a, b) and c.name is None
    assert (a + b).op == "+" and a.relu().op == "relu" and a.exp().op == "exp"


def test_reused_node_and_diamond_visit_each_node_once():
    x = mg.Value(3.0, "x")
    y = x * x + x          # x used three times; the + node sees x directly and through x*x
    z = y * y              # a diamond: y reaches z twice
    z.backward()
    assert z.data == 144.0
    assert x.grad == pytest.approx(2 * 12 * (2 * 3 + 1))
    assert len(topological_order(z)) == 4


def test_grads_accumulate_like_pytorch_and_interior_grads_stay():
    x = mg.Value(2.0, "x")
    h = x * 3.0
    y = h * h
    y.backward()
    assert x.grad == 36.0 and h.grad == 12.0
    y.backward()          # a second pass adds the same gradient again, no more
    assert x.grad == 72.0 and h.grad == 24.0


def test_max_sends_the_whole_gradient_to_the_first_maximum():
    a, b, c = mg.Value(1.0, "a"), mg.Value(5.0, "b"), mg.Value(5.0, "c")
    m = mg.scalar.max(a, b, c)
    assert m.op == "max" and m.selected == 1 and m.data == 5.0
    (m * 2.0).backward()
    assert (a.grad, b.grad, c.grad) == (0.0, 2.0, 0.0)


def test_sum_is_one_nary_node():
    xs = [mg.Value(float(i)) for i in range(5)]
    s = mg.scalar.sum(xs, name="s")
    assert s.op == "sum" and len(s.parents) == 5 and s.data == 10.0
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_nan_and_inf_propagate_without_exceptions():
    assert math.isnan(mg.Value(-1.0).log().data)
    assert mg.Value(0.0).log().data == -math.inf
    assert mg.Value(1000.0).exp().data == math.inf
    assert math.isnan((mg.Value(-8.0) ** 0.5).data)
    z = mg.Value(0.0)
    y = 1.0 / z
    assert y.data == math.inf
    y.backward()
    assert z.grad == -math.inf


def test_a_million_chained_nodes_build_backpropagate_and_free_without_recursion():
    limit = sys.getrecursionlimit()
    x = mg.Value(1.0, "x")
    y = x
    for _ in range(1_000_000):
        y = y.relu()
    y.backward()
    assert x.grad == 1.0
    assert sys.getrecursionlimit() == limit
    ref = weakref.ref(x)
    del x, y
    gc.collect()
    assert ref() is None


def test_a_dropped_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        x = mg.Value(2.0)
        out = (x * x).tanh() + x.exp()
        out.backward()
        ref = weakref.ref(out)
        del out
        assert ref() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("bad, kind", [("3", TypeError), (None, TypeError), (True, TypeError), ([1.0], TypeError)])
def test_bad_data_is_a_clear_type_error(bad, kind):
    with pytest.raises(kind, match="Value: data must be a real number"):
        mg.Value(bad)


def test_bad_operands_name_the_operator():
    with pytest.raises(TypeError, match="Value.__mul__"):
        mg.Value(1.0) * "2"
    with pytest.raises(TypeError, match="Value.__pow__: the exponent must be a number"):
        mg.Value(1.0) ** mg.Value(2.0)
