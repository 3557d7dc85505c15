"""micrograd's nn (Neuron, Layer, MLP) on minigrad's Values: a micrograd script moves by its
imports and gives micrograd's numbers (its demo's hinge-loss step, the same random.seed)."""
import random

import pytest

import minigrad as mg
from minigrad.scalar.nn import MLP, Layer, Neuron


def demo_step(Value, MLP, seed=1337, steps=3):
    """micrograd's demo.ipynb training loop (moons replaced by 12 fixed points), as written there."""
    random.seed(seed)
    X = [[0.5, 1.0], [-1.0, 0.2], [1.5, -0.5], [0.1, 0.1], [-0.7, -1.2], [2.0, 0.3],
         [-1.5, 0.9], [0.9, -1.1], [0.0, 1.5], [-0.3, -0.4], [1.2, 1.2], [-2.0, -0.1]]
    y = [1, -1, 1, -1, -1, 1, -1, 1, 1, -1, 1, -1]
    model = MLP(2, [16, 16, 1])
    history = []
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((total_loss.data, sum(accuracy) / len(accuracy)))
    return model, history


def test_the_demo_trains_exactly_as_micrograd():
    micro = pytest.importorskip("micrograd.nn")
    from micrograd.engine import Value as MicroValue
    ours, h1 = demo_step(mg.Value, MLP)
    theirs, h2 = demo_step(MicroValue, micro.MLP)
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    assert [p.data for p in ours.parameters()] == pytest.approx([p.data for p in theirs.parameters()], abs=1e-12)
    assert [v for step in h1 for v in step] == pytest.approx([v for step in h2 for v in step], abs=1e-12)
    assert repr(ours) == repr(theirs)


def test_same_seed_same_initial_weights_as_micrograds_draws():
    random.seed(0)
    n = Neuron(3)
    random.seed(0)
    assert [w.data for w in n.w] == [random.uniform(-1, 1) for _ in range(3)] and n.b.data == 0.0


def test_a_neuron_is_a_slide_sized_graph_with_named_weights():
    n = Neuron(2)
    x = [mg.Value(1.0, name="x1"), mg.Value(-2.0, name="x2")]
    y = n(x)
    y.backward()
    assert [w.grad for w in n.w] == ([1.0, -2.0] if y.data > 0 else [0.0, 0.0])
    d = mg.derive(y, n.w[0])
    assert d.value == n.w[0].grad
    assert {p.name for p in MLP(2, [2, 1]).parameters()} >= {"L1.n1.w1", "L1.n2.b", "L2.n1.w2"}
    assert repr(Layer(2, 2)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"


def test_bad_sizes_and_inputs_are_named():
    from conftest import raises_naming
    raises_naming(lambda: Neuron(0), ValueError, "scalar.nn.Neuron", "nin")
    raises_naming(lambda: Neuron(2.5), TypeError, "scalar.nn.Neuron", "nin")
    raises_naming(lambda: Neuron(2)([mg.Value(1.0)]), ValueError, "scalar.nn.Neuron", "1 inputs", "takes 2")
    raises_naming(lambda: MLP(2, []), ValueError, "scalar.nn.MLP", "nouts")
