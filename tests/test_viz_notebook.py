"""mg.viz.show in a notebook: the diagram as SVG, the stepper in an iframe, readable wide
graphs, and one clear line instead of graphviz's traceback when `dot` is missing."""
import html
import pathlib
import re
import shutil
import warnings
import xml.etree.ElementTree as ET

import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad import viz
from minigrad.demo.slide import slide_graph
from minigrad.viz.notebook import NOTEBOOK_MAX_NODES, NOTEBOOK_WIDTH

HAVE_DOT = shutil.which("dot") is not None
INSTALLS = ("apt-get install graphviz", "conda install graphviz", "brew install graphviz")


def slide(case="max"):
    x, w, s, f = slide_graph(case)
    f.backward()
    return w, f


def lenet_loss():
    """A LeNet's loss: 25 tensor nodes in a chain of 15 generations, wide when drawn left to right."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5),
                          nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh(),
                          nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))
    loss = F.cross_entropy(model(mg.randn(2, 1, 28, 28)), mg.tensor([1, 2]))
    loss.backward()
    return loss


def svg_width(svg):
    return float(re.search(r'<svg[^>]*?\swidth="([\d.]+)pt"', svg).group(1))


def test_show_is_the_diagram_as_svg_for_jupyter(tmp_path):
    w, f = slide()
    shown = viz.show(f, focus=w[0, 0])
    assert shown.save(tmp_path / "focus.svg").read_text(encoding="utf-8") == shown._repr_svg_()
    assert shown._repr_html_() is None
    root = ET.fromstring(shown._repr_svg_())
    assert root.tag.endswith("svg")
    assert shown.nodes == len(viz.to_networkx(f, focus=w[0, 0])) and shown.rankdir == "LR" and shown.note == ""
    assert "focus on w11" in shown._repr_svg_()


def test_show_stepper_is_the_page_in_an_escaped_srcdoc_iframe(tmp_path):
    w, f = slide("sum")
    frame = viz.show(f, stepper=True, title='<b>"slide" & co</b>')._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and frame.endswith("</iframe>")
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', frame).group(1)  # no raw quote inside the attribute
    assert "<" not in srcdoc and ">" not in srcdoc
    page = html.unescape(srcdoc)
    assert page.startswith("<!doctype html>") and "&lt;b&gt;&quot;slide&quot; &amp; co&lt;/b&gt;" in page
    saved = viz.to_html(f, tmp_path / "page.html", title='<b>"slide" & co</b>')
    assert isinstance(saved, pathlib.Path) and saved.read_text(encoding="utf-8") == page
    assert 'sandbox="allow-scripts"' in frame


def test_wide_graphs_turn_top_to_bottom_and_big_ones_collapse():
    if not HAVE_DOT:
        pytest.skip("Graphviz's `dot` lays the graphs out")
    loss = lenet_loss()
    assert svg_width(viz.to_dot(loss).pipe(format="svg").decode()) > 3 * NOTEBOOK_WIDTH  # LR: ~3,700 pt
    shown = viz.show(loss)
    assert shown.rankdir == "TB" and svg_width(shown._repr_svg_()) < 1.6 * NOTEBOOK_WIDTH
    w, f = slide()
    assert viz.show(f).rankdir == "LR" and svg_width(viz.show(f)._repr_svg_()) <= NOTEBOOK_WIDTH
    assert viz.show(loss, rankdir="LR").rankdir == "LR"
    x = mg.scalar.grid([[float((i * 6 + j) % 3) for j in range(6)] for i in range(6)], "x")
    k = mg.scalar.grid([[1, 0, -1]] * 3, "k")
    big = mg.scalar.sum(mg.scalar.max_pool2d(mg.scalar.conv2d(x, k, name="s"), 2, name="p"), name="f")
    big.backward()
    shown = viz.show(big)                       # 210 nodes: past the budget, the taps fold
    assert shown.nodes <= NOTEBOOK_MAX_NODES and "collapsed view: 210 nodes" in shown.note
    assert viz.show(big, max_nodes=None).nodes == 210


def test_show_checks_its_arguments():
    w, f = slide()
    with pytest.raises(TypeError, match="viz.show: stepper must be a bool"):
        viz.show(f, stepper="yes")
    with pytest.raises(ValueError, match="viz.show: rankdir"):
        viz.show(f, rankdir="UP")
    with pytest.raises(ValueError, match="viz.show: height must be None or an int >= 100"):
        viz.show(f, stepper=True, height=5)
    with pytest.raises(ValueError, match="viz.show: title names the stepper page"):
        viz.show(f, title="slide")


def test_without_dot_show_draws_with_matplotlib(no_dot):
    w, f = slide()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shown = viz.show(f)
    svg = shown._repr_svg_()
    assert ET.fromstring(svg).tag.endswith("svg") and "matplotlib" in svg
    frame = viz.show(f, stepper=True)._repr_html_()
    assert "window.minigradStepper" in html.unescape(frame)


def test_without_dot_to_dot_says_in_one_line_what_to_install(no_dot):
    w, f = slide()
    dot = viz.to_dot(f)
    assert "digraph" in dot.source                   # the DOT text needs no Graphviz
    for draw in (lambda: dot.pipe(format="svg"), lambda: dot.render(no_dot / "slide")):
        with pytest.raises(viz.dot.DotNotFound) as info:
            draw()
        message = str(info.value)
        assert "\n" not in message and message.startswith("viz.to_dot: Graphviz's `dot` program is not on PATH")
        assert all(how in message for how in INSTALLS)
    bundle = dot._repr_mimebundle_()                 # Jupyter: that line, not a traceback
    assert list(bundle) == ["text/plain"] and all(how in bundle["text/plain"] for how in INSTALLS)


def test_without_dot_render_warns_in_one_line_what_to_install(no_dot):
    w, f = slide()
    with pytest.warns(RuntimeWarning) as caught:
        viz.render(f, no_dot / "slide.svg")
    message = str(caught[0].message)
    assert "\n" not in message and all(how in message for how in INSTALLS)
