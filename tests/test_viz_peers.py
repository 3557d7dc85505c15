"""torchviz's make_dot and micrograd's draw_dot: their README examples with the imports changed."""
import shutil

import pytest

import minigrad as mg
import minigrad.nn as nn
from conftest import raises_naming
from minigrad.viz import draw_dot, make_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def torchviz_readme():
    model = nn.Sequential()
    model.add_module("W0", nn.Linear(8, 16))
    model.add_module("tanh", nn.Tanh())
    model.add_module("W1", nn.Linear(16, 1))
    x = mg.randn(1, 8)
    y = model(x)
    return model, y


def test_make_dot_labels_the_parameters_by_their_keys():
    model, y = torchviz_readme()
    dot = make_dot(y.mean(), params=dict(model.named_parameters()))
    for key in ("W0.weight", "W0.bias", "W1.weight", "W1.bias"):
        assert key in dot.source
    renamed = make_dot(y.mean(), params={"first layer": model.W0.weight})
    assert "first layer" in renamed.source


@needs_dot
def test_make_dot_renders_like_torchviz(tmp_path):
    model, y = torchviz_readme()
    out = make_dot(y.mean(), params=dict(model.named_parameters()), show_attrs=True, show_saved=True)
    path = out.render(str(tmp_path / "attached"), format="png")
    assert (tmp_path / "attached.png").stat().st_size > 1000 and path.endswith(".png")


@needs_dot
def test_draw_dot_of_a_micrograd_neuron():
    from minigrad.scalar.nn import Neuron
    n = Neuron(2)
    y = n([mg.Value(1.0), mg.Value(-2.0)])
    y.backward()
    dot = draw_dot(y)
    assert dot.format == "svg" and b"<svg" in dot.pipe()
    assert draw_dot(y, format="png", rankdir="TB").format == "png"


def test_bad_arguments_are_named():
    model, y = torchviz_readme()
    raises_naming(lambda: make_dot(y, params=[1]), TypeError, "viz.make_dot", "params", "list")
    raises_naming(lambda: make_dot(y, params={"a": 1}), TypeError, "viz.make_dot", "params['a']", "int")
    raises_naming(lambda: make_dot(y, show_attrs="yes"), TypeError, "viz.make_dot", "show_attrs")
    raises_naming(lambda: draw_dot(mg.Value(1.0), format="gif"), ValueError, "viz.draw_dot", "format")
    raises_naming(lambda: draw_dot(mg.Value(1.0), rankdir="XY"), ValueError, "viz.draw_dot", "rankdir")
