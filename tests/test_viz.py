"""mg.viz diagrams: the slide's backprop graph drawn, exported to networkx, focused, collapsed,
and drawn without Graphviz; the slides' matplotlib pictures."""
import math
import os
import shutil
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import minigrad as mg
from minigrad import scalar as S
from minigrad import viz

SVG = "{http://www.w3.org/2000/svg}"
HAVE_DOT = shutil.which("dot") is not None


def need_dot():
    """Graphviz's dot: skipped without it, unless MINIGRAD_REQUIRE_DOT=1 (then a failure)."""
    if HAVE_DOT:
        return
    if os.environ.get("MINIGRAD_REQUIRE_DOT") == "1":
        pytest.fail("MINIGRAD_REQUIRE_DOT=1 but Graphviz's `dot` is not on PATH")
    pytest.skip("Graphviz's `dot` program is not installed (apt-get install graphviz)")


def slide(case="max"):
    """The slide's graph: a 3x3 image, a 2x2 kernel, f = maxpool(σ11, σ12) (or sum of all)."""
    x = S.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = S.grid([[0.5, -1.0], [2.0, 1.5]], "w")
    s = S.conv2d(x, w, name="s")
    f = S.max(s[0, 0], s[0, 1], name="f") if case == "max" else S.sum(s, name="f")
    f.backward()
    return x, w, s, f


def svg_tree(path):
    return ET.parse(path).getroot()


def svg_nodes(root):
    """{title: [text lines]} of the nodes graphviz drew."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            title = g.find(f"{SVG}title").text
            out[title] = [t.text for t in g.iter(f"{SVG}text")]
    return out


def svg_edges(root):
    """{'n3->n5': (path attributes, [label lines])}."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            title = g.find(f"{SVG}title").text
            path = next(g.iter(f"{SVG}path"))
            out[title] = (dict(path.attrib), [t.text for t in g.iter(f"{SVG}text")])
    return out


# ------------------------------------------------------------------ the slide's graph in SVG
def test_slide_graph_svg_nodes_labels_and_the_selected_edge(tmp_path):
    need_dot()
    x, w, s, f = slide("max")
    path = viz.render(f, tmp_path / "slide.svg")
    assert path == tmp_path / "slide.svg" and path.exists()
    root = svg_tree(path)
    nodes = svg_nodes(root)
    # f, s11, s12, 8 multiply-adds, x11 x12 x13 x21 x22 x23, w11 w12 w21 w22
    assert len(nodes) == 21
    heads = {lines[0] for lines in nodes.values()}
    assert {"f = max(s11, s12)", "s11 = sum", "s12 = sum", "mul1 = x11*w11", "mul8 = x23*w22"} <= heads
    assert {f"x{i}{j}" for i in (1, 2) for j in (1, 2, 3)} | {"w11", "w12", "w21", "w22"} <= heads
    by_head = {lines[0]: (title, lines) for title, lines in nodes.items()}
    assert by_head["f = max(s11, s12)"][1][1:] == ["data 3", "grad 1"]          # σ11 = 3 > σ12 = 2.5
    assert by_head["w11"][1][1:] == ["data 0.5", "grad 1"]             # ∂f/∂w11 = x11 = 1
    # the conv outputs' multiply-adds sit in one box each
    clusters = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters) == 2
    # the selected max input is bold red and says what it passes; the loser is dashed grey, grad 0
    edges = svg_edges(root)
    into_f = {t: e for t, e in edges.items() if t.endswith("->" + by_head["f = max(s11, s12)"][0])}
    assert len(into_f) == 2
    s11, s12 = by_head["s11 = sum"][0], by_head["s12 = sum"][0]
    sel, sel_label = into_f[f"{s11}->{by_head['f = max(s11, s12)'][0]}"]
    lose, lose_label = into_f[f"{s12}->{by_head['f = max(s11, s12)'][0]}"]
    assert sel["stroke"] == "#d62728" and float(sel["stroke-width"]) == 2.5 and "stroke-dasharray" not in sel
    assert sel_label == ["selected: passes 1"]
    assert "stroke-dasharray" in lose and lose["stroke"] != sel["stroke"]
    assert lose_label == ["not selected: grad 0"]
    others = [e for t, e in edges.items() if t not in into_f]
    assert all(e[0]["stroke"] != "#d62728" and "stroke-dasharray" not in e[0] for e in others)


def test_edges_point_forward_and_carry_the_local_gradient(tmp_path):
    need_dot()
    x, w, s, f = slide("sum")
    G = viz.to_networkx(f)
    label = {n: d["label"] for n, d in G.nodes(data=True)}
    root = svg_tree(viz.render(f, tmp_path / "sum.svg"))
    for title, (attrs, text) in svg_edges(root).items():
        a, b = (int(p[1:]) for p in title.split("->"))
        assert G.has_edge(a, b)                     # inputs -> outputs
        assert text == [f"∂ {G.edges[a, b]['local_grad']:g}"]
    assert label[max(G.nodes)] == "f"


def test_dot_source_and_jupyter_display(tmp_path):
    x, w, s, f = slide("max")
    dot = viz.to_dot(f)
    assert dot.source.startswith("digraph")
    assert "rankdir=LR" in dot.source
    assert 'label="f = max(s11, s12)\ndata 3\ngrad 1"' in dot.source
    assert "grad" not in viz.to_dot(f, show_grad=False).source.split("label=")[2].split("]")[0]
    path = viz.render(f, tmp_path / "g.dot")                 # .dot never needs Graphviz
    assert path.read_text(encoding="utf-8") == dot.source
    need_dot()
    bundle = dot._repr_mimebundle_()                          # what Jupyter calls
    assert "<svg" in bundle["image/svg+xml"]
    png = viz.render(f, tmp_path / "g.png", rankdir="TB")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = viz.render(f, tmp_path / "g.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


# ------------------------------------------------------------------ networkx
def test_networkx_attributes_of_the_slide_graph():
    x, w, s, f = slide("max")
    G = viz.to_networkx(f)
    assert G.number_of_nodes() == 21 and G.number_of_edges() == 2 * 8 + 8 + 2
    by = {d["label"]: n for n, d in G.nodes(data=True)}
    for n, d in G.nodes(data=True):
        assert set(d) >= {"label", "op", "name", "value", "grad"}
        assert "shape" not in d
    assert G.nodes[by["w11"]]["value"] == 0.5 and G.nodes[by["w11"]]["grad"] == w[0, 0].grad == 1.0
    assert G.nodes[by["f"]]["op"] == "max" and G.nodes[by["s11"]]["op"] == "sum"
    assert G.nodes[by["mul1"]]["name"] is None and G.nodes[by["mul1"]]["op"] == "*"
    # local partials: ∂(x11·w11)/∂w11 = x11, ∂(x11·w11)/∂x11 = w11, ∂s11/∂tap = 1, max: 1 and 0
    assert G.edges[by["w11"], by["mul1"]]["local_grad"] == 1.0
    assert G.edges[by["x11"], by["mul1"]]["local_grad"] == 0.5
    assert G.edges[by["mul1"], by["s11"]]["local_grad"] == 1.0
    assert G.edges[by["s11"], by["f"]] == {"local_grad": 1.0, "grad": 1.0, "selected": True}
    assert G.edges[by["s12"], by["f"]] == {"local_grad": 0.0, "grad": 0.0, "selected": False}
    assert all("selected" not in d for a, b, d in G.edges(data=True) if b != by["f"])


def test_exactly_one_selected_edge_per_max_pool_window():
    fmap = S.grid([[3, 0, 4, 3], [4, 1, 2, 3], [1, 1, 8, 7], [2, 0, 6, 4]], "a")  # seed 001
    p = S.max_pool2d(fmap, 2, name="p")
    f = S.sum(p, name="f")
    f.backward()
    G = viz.to_networkx(f)
    by = {d["label"]: n for n, d in G.nodes(data=True)}
    maxes = [n for n, d in G.nodes(data=True) if d["op"] == "max"]
    assert len(maxes) == 4
    for m in maxes:
        flags = [d["selected"] for a, b, d in G.in_edges(m, data=True)]
        assert sorted(flags) == [False, False, False, True]
    winners = {G.nodes[m]["label"]: next(G.nodes[a]["label"] for a, b, d in G.in_edges(m, data=True) if d["selected"])
               for m in maxes}
    assert winners == {"p11": "a21", "p12": "a13", "p21": "a41", "p22": "a33"}   # 4, 4, 2, 8
    for m in maxes:
        node = next(v for v in p.ravel() if v.name == G.nodes[m]["label"])
        assert winners[node.name] == node.parents[node.selected].name
    assert G.nodes[by["a21"]]["grad"] == 1.0 and G.nodes[by["a11"]]["grad"] == 0.0


def test_passed_gradients_add_up_to_each_nodes_grad():
    """Every node's grad is the sum of what its outgoing edges pass back (the chain rule)."""
    a, b = mg.Value(0.7, "a"), mg.Value(-1.3, "b")
    y = ((a * b + a.exp()).tanh() * a + (b ** 2).sigmoid() - a.relu() / (b * b + 1)).log()
    y.backward()
    G = viz.to_networkx(y)
    for n, d in G.nodes(data=True):
        out = list(G.out_edges(n, data=True))
        if out:
            assert math.isclose(sum(e["grad"] for _, _, e in out), d["grad"], rel_tol=1e-12, abs_tol=1e-12)
        for _, c, e in out:
            assert math.isclose(e["grad"], e["local_grad"] * G.nodes[c]["grad"], rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("op", ["exp", "log", "tanh", "sigmoid", "relu", "leaky", "pow", "mul", "add", "div"])
def test_local_grads_match_central_differences(op):
    make = {
        "exp": lambda a, b: a.exp(), "log": lambda a, b: a.log(), "tanh": lambda a, b: a.tanh(),
        "sigmoid": lambda a, b: a.sigmoid(), "relu": lambda a, b: a.relu(),
        "leaky": lambda a, b: (a - 2).leaky_relu(0.1), "pow": lambda a, b: a ** 3, "mul": lambda a, b: a * b,
        "add": lambda a, b: a + b, "div": lambda a, b: a * b ** -1.0,
    }[op]
    av, bv, h = 1.3, -0.6, 1e-6
    a, b = mg.Value(av, "a"), mg.Value(bv, "b")
    out = make(a, b)
    out.backward()
    G = viz.to_networkx(out)
    by = {d["label"]: n for n, d in G.nodes(data=True)}
    root = max(G.nodes)
    for leaf, (dp, dm) in {"a": ((av + h, bv), (av - h, bv)), "b": ((av, bv + h), (av, bv - h))}.items():
        if leaf not in by:  # a unary op of a
            continue
        numeric = (make(mg.Value(dp[0]), mg.Value(dp[1])).data - make(mg.Value(dm[0]), mg.Value(dm[1])).data) / (2 * h)
        assert math.isclose(path_product(G, by[leaf], root), numeric, rel_tol=1e-6, abs_tol=1e-8)


def path_product(G, a, b):
    """d b / d a as the sum over paths of the product of local partials (the chain rule)."""
    import networkx as nx
    return sum(math.prod(G.edges[u, v]["local_grad"] for u, v in zip(p, p[1:]))
               for p in nx.all_simple_paths(G, a, b))


def test_x_times_x_is_one_edge_with_the_whole_partial():
    x = mg.Value(3.0, "x")
    y = x * x
    y.backward()
    G = viz.to_networkx(y)
    assert G.number_of_edges() == 1
    (a, b, d), = G.edges(data=True)
    assert d["local_grad"] == 6.0 and d["grad"] == 6.0 == x.grad
    assert G.nodes[b]["label"] == "mul1"
    assert "mul1 = x*x" in viz.to_dot(y).source


def test_grid_root_and_readable_auto_labels():
    x, w, s, f = slide("sum")
    G = viz.to_networkx(s)                        # a grid: its four sums are all roots
    assert G.number_of_nodes() == 4 + 16 + 9 + 4
    assert sorted(d["label"] for n, d in G.nodes(data=True) if d["root"]) == ["s11", "s12", "s21", "s22"]
    c = mg.Value(2.0, "c")
    y = (c * 3.0).tanh() + c * c * c
    labels = {d["label"] for _, d in viz.to_networkx(y).nodes(data=True)}
    assert {"c", "3", "mul1", "tanh1", "mul2", "mul3", "add1"} == labels


def test_labels_are_the_names_mg_derive_prints():
    x, w, s, f = slide("sum")
    text = str(mg.derive(f, w[0, 0]))
    G = viz.to_networkx(f)
    by = {d["label"]: n for n, d in G.nodes(data=True)}
    for line in text.splitlines():
        head = line.split(" = ")[0].strip()
        if "∂" not in head and "(" not in head:
            assert head in by, head                    # s11, mul1, mul5, ... name the same nodes
    assert "mul5 = x12*w11" in text and "mul5 = x12*w11" in viz.to_dot(f).source
    assert next(n for n in f.parents[1].parents if n.parents[1] is w[0, 0]).data == G.nodes[by["mul5"]]["value"]


def test_tensor_graph_has_shapes_and_passed_gradients(tmp_path):
    x = mg.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True, name="x")
    w = mg.tensor([[0.5], [-1.0]], requires_grad=True, name="w")
    y = ((x @ w).relu() * 2.0).sum()
    y.backward()
    G = viz.to_networkx(y)
    by = {d["label"]: n for n, d in G.nodes(data=True)}
    assert G.nodes[by["x"]]["shape"] == (2, 2) and G.nodes[by["w"]]["shape"] == (2, 1)
    assert G.nodes[by["sum1"]]["shape"] == () and G.nodes[by["sum1"]]["root"]
    np.testing.assert_array_equal(G.nodes[by["x"]]["grad"], x.grad)
    edge = G.edges[by["w"], by["matmul1"]]
    assert G.nodes[by["matmul1"]]["op"] == "@"
    assert edge["local_grad"] is None
    np.testing.assert_array_equal(edge["grad"], w.grad)      # w feeds only @: it passes all of w.grad
    assert viz.to_dot(y).source.count("shape (2, 2)") == 1
    need_dot()
    assert len(svg_nodes(svg_tree(viz.render(y, tmp_path / "t.svg")))) == G.number_of_nodes()


def test_a_tensor_cnn_graph_marks_the_max_pool_edge(tmp_path):
    F = mg.nn.functional
    rng = np.random.default_rng(3)
    x = mg.tensor(rng.standard_normal((1, 1, 6, 6)), requires_grad=True, name="x")
    w = mg.tensor(rng.standard_normal((2, 1, 3, 3)), requires_grad=True, name="w")
    h = F.conv2d(x, w).relu()
    loss = F.max_pool2d(h, 2).sum()
    loss.backward()
    G = viz.to_networkx(loss)
    by = {d["op"]: n for n, d in G.nodes(data=True)}
    assert set(by) == {"", "conv2d", "relu", "max_pool2d", "sum"}
    assert G.nodes[by["conv2d"]]["shape"] == (1, 2, 4, 4) and G.nodes[by["max_pool2d"]]["shape"] == (1, 2, 2, 2)
    (src, _, edge), = G.in_edges(by["max_pool2d"], data=True)
    assert edge["selected"] is True and src == by["relu"]
    np.testing.assert_array_equal(edge["grad"], G.nodes[by["relu"]]["grad"])
    assert np.count_nonzero(edge["grad"]) == 8                  # one winner per 2x2 window and channel
    assert all("selected" not in d for a, b, d in G.edges(data=True) if b != by["max_pool2d"])
    src = viz.to_dot(loss).source
    assert "conv2d1 = conv2d(x, w)" in src and "to the maxima only: passes" in src


# ------------------------------------------------------------------ focus
def test_focus_keeps_only_the_paths_from_w11_to_f(tmp_path):
    x, w, s, f = slide("max")
    G = viz.to_networkx(f, focus=w[0, 0])
    assert sorted(d["label"] for _, d in G.nodes(data=True)) == sorted(
        ["w11", "mul1", "mul5", "s11", "s12", "f"])
    import networkx as nx
    src = next(n for n, d in G.nodes(data=True) if d["label"] == "w11")
    dst = next(n for n, d in G.nodes(data=True) if d["label"] == "f")
    assert all(nx.has_path(G, src, n) and nx.has_path(G, n, dst) for n in G.nodes)
    assert "focus on w11" in viz.to_dot(f, focus=w[0, 0]).source
    two = viz.to_networkx(s, focus=[w[0, 0], w[1, 1]])       # a grid root, several focus nodes
    assert sum(1 for _, d in two.nodes(data=True) if d["op"] == "*") == 8
    need_dot()
    nodes = svg_nodes(svg_tree(viz.render(f, tmp_path / "focus.svg", focus=w[0, 0])))
    assert len(nodes) == 6


def test_focus_on_a_node_outside_the_graph_is_a_clear_error():
    x, w, s, f = slide("max")
    with pytest.raises(ValueError, match=r"viz.to_dot: focus .*w\d\d.* is not in the graph of root"):
        viz.to_dot(f, focus=mg.Value(1.0, "w99"))
    with pytest.raises(ValueError, match=r"viz.to_networkx: focus .*x33.* is not in the graph"):
        viz.to_networkx(f, focus=x[2, 2])            # f = max(σ11, σ12) does not use x33
    with pytest.raises(TypeError, match="viz.render: focus must be a Value, a Tensor or a grid"):
        viz.render(f, "unused.svg", focus="w11")


# ------------------------------------------------------------------ without Graphviz
def test_fallback_draws_svg_and_png_with_one_warning(no_dot):
    x, w, s, f = slide("max")
    for name in ("slide.svg", "slide.png"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            viz.render(f, no_dot / name)
        assert len(caught) == 1 and issubclass(caught[0].category, RuntimeWarning)
        assert "networkx + matplotlib" in str(caught[0].message) and name in str(caught[0].message)
    assert svg_tree(no_dot / "slide.svg").tag == f"{SVG}svg"
    assert (no_dot / "slide.png").read_bytes()[:4] == b"\x89PNG"
    import matplotlib.image
    img = matplotlib.image.imread(no_dot / "slide.png")
    assert img.shape[0] > 300 and img.shape[1] > 300
    assert img[..., :3].std() > 0.05               # not a blank page
    with pytest.warns(RuntimeWarning):
        pdf = viz.render(f, no_dot / "slide.pdf", rankdir="TB", show_grad=False)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # .dot needs no Graphviz and warns nothing
        assert "digraph" in viz.render(f, no_dot / "slide.dot").read_text(encoding="utf-8")


def test_fallback_layers_follow_topological_generations():
    from minigrad.viz.fallback import layers
    from minigrad.viz.graph import build
    x, w, s, f = slide("max")
    g = build("t", f)
    gens = layers(g)
    assert [len(k) for k in gens] == [10, 8, 2, 1]
    assert {g.node(i).label for i in gens[-1]} == {"f"}


# ------------------------------------------------------------------ big graphs
def test_collapse_folds_conv_taps_and_says_so():
    x, w, s, f = slide("sum")
    G = viz.to_networkx(f, max_nodes=20)            # 34 nodes -> s11..s22 each "Σ 4 taps"
    assert "collapsed view: 34 nodes shown as 18" in G.graph["note"]
    by = {d["label"]: n for n, d in G.nodes(data=True)}
    assert G.number_of_nodes() == 18 and "mul1" not in by
    # d s11 / d w11 through the folded taps = x11; d s11 / d x22 = w22
    assert G.edges[by["w11"], by["s11"]]["local_grad"] == 1.0
    assert G.edges[by["x22"], by["s11"]]["local_grad"] == 1.5
    assert "s11 = Σ 4 taps" in viz.to_dot(f, max_nodes=20).source


def test_collapse_groups_past_the_budget_and_keeps_winners_apart():
    x, w, s, f = slide("max")
    G = viz.to_networkx(f, max_nodes=6)
    labels = sorted(d["label"] for _, d in G.nodes(data=True))
    assert labels == ["f", "s: 2 × sum of 4 taps", "w: 4 leaves", "x: 6 leaves"]
    by = {d["label"]: n for n, d in G.nodes(data=True)}
    assert G.nodes[by["x: 6 leaves"]]["count"] == 6 and G.nodes[by["x: 6 leaves"]]["value"] == (0.0, 1.0)
    src = viz.to_dot(f, max_nodes=6).source
    assert "selected" in src and "not selected: grad 0" in src and "collapsed view: 21 nodes shown as 4" in src


def test_a_ten_thousand_node_graph_renders_collapsed(tmp_path, big_graph):
    x, w, f = big_graph
    G = viz.to_networkx(f)
    assert G.number_of_nodes() == 1156 + 9 + 1024 * 10 + 256 + 1
    dot = viz.to_dot(f)
    assert dot.source.count("->") < 30 and "collapsed view: 11,662 nodes" in dot.source
    assert "s: 1024 × sum of 9 taps" in dot.source and "p: 256 × max" in dot.source
    if HAVE_DOT:
        root = svg_tree(viz.render(f, tmp_path / "big.svg"))
        assert len(svg_nodes(root)) == 5
    focused = viz.to_networkx(f, focus=w[1, 1], max_nodes=None)
    assert focused.number_of_nodes() == 1 + 1024 + 1024 + 256 + 1


@pytest.mark.slow
def test_a_long_chain_needs_no_recursion():
    y = mg.Value(1.0, "y0")
    for _ in range(25_000):                       # 10^5 nodes: the recursion limit is 10^3
        y = y * 1.0001 + 0.0001
    y.backward()
    src = viz.to_dot(y).source   # (benchmarks/bench_scale.py times the 10^6-node chain)
    assert "collapsed view: 100,001 nodes shown as 4 (nodes grouped by name/op)" in src
    assert "25000 × *" in src
    G = viz.to_networkx(y)
    assert G.number_of_nodes() == 100_001 and G.nodes[100_000]["grad"] == 1.0


# ------------------------------------------------------------------ bad input
def test_bad_input_names_the_function_and_the_argument(tmp_path):
    x, w, s, f = slide("max")
    with pytest.raises(TypeError, match="viz.to_dot: root must be a Value, a Tensor or a grid"):
        viz.to_dot(3.0)
    with pytest.raises(TypeError, match=r"viz.to_networkx: root is a float64 ndarray of shape \(2, 2\)"):
        viz.to_networkx(np.zeros((2, 2)))
    with pytest.raises(TypeError, match=r"viz.to_dot: root grid element 1 is int"):
        viz.to_dot([f, 2])
    with pytest.raises(ValueError, match="viz.to_dot: root is an empty grid"):
        viz.to_dot([])
    with pytest.raises(ValueError, match=r"viz.render: path must end in one of .svg .png .pdf .dot, got '.*g.jpg'"):
        viz.render(f, tmp_path / "g.jpg")
    with pytest.raises(TypeError, match="viz.render: path must be a str or a path, got int"):
        viz.render(f, 7)
    with pytest.raises(ValueError, match=r"viz.to_dot: rankdir must be one of \['LR', 'TB', 'RL', 'BT'\], got 'XY'"):
        viz.to_dot(f, rankdir="XY")
    with pytest.raises(TypeError, match="viz.to_dot: show_grad must be a bool"):
        viz.to_dot(f, show_grad="yes")
    with pytest.raises(ValueError, match="viz.to_networkx: max_nodes must be None or an int >= 1, got 0"):
        viz.to_networkx(f, max_nodes=0)


# ------------------------------------------------------------------ matplotlib pictures
def png_shape(path):
    import matplotlib.image
    assert path.read_bytes()[:4] == b"\x89PNG"
    return matplotlib.image.imread(path).shape


SEED_IMAGE = [[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
              [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
FILTERS = np.array([[[[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]], [[[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]]], float)


def test_feature_maps_kernels_images_and_curves(tmp_path):
    maps = S.conv2d(S.grid(SEED_IMAGE, "x"), FILTERS)              # a grid of Values (2, 4, 4)
    h, w_, _ = png_shape(viz.show_feature_maps(maps, tmp_path / "maps.png", title="two filters"))
    assert w_ > h > 100                                             # two panels side by side
    png_shape(viz.show_feature_maps(mg.tensor(np.zeros((2, 3, 5, 5))), tmp_path / "batch.png"))
    h, w_, _ = png_shape(viz.show_kernels(mg.tensor(FILTERS), tmp_path / "kernels.png"))
    assert h > w_                                                   # one column of two kernels
    png_shape(viz.show_images(np.random.default_rng(0).random((10, 1, 8, 8)), tmp_path / "im.png",
                              labels=list(range(10)), ncols=5))
    png_shape(viz.plot_curves({"train": [2.3, 1.1, 0.7], "test": np.array([2.4, 1.5, 1.2])},
                              tmp_path / "loss.png", title="loss", logy=True))
    assert viz.plot_curves({"loss": [1.0, 0.5]}, tmp_path / "loss.svg").read_text().lstrip().startswith("<?xml")


def test_kernel_application_is_the_same_cross_correlation_as_conv2d(tmp_path):
    from minigrad.viz.plots import correlate_same
    img = np.random.default_rng(1).random((7, 9))
    k = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float)     # sharpen
    expected = S.values(S.conv2d(S.grid(img, "x"), k, padding=1))
    np.testing.assert_allclose(correlate_same(img, k), expected, rtol=1e-12)
    path = viz.show_kernel_application(img, {"identity": np.pad([[1.0]], 1), "sharpen": k},
                                       tmp_path / "apply.png")
    h, w_, _ = png_shape(path)
    assert w_ > 300 and h > 250


def test_plot_functions_reject_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"viz.show_feature_maps: maps must be \(H, W\), \(C, H, W\) or \(N, C, H, W\), got shape \(5,\)"):
        viz.show_feature_maps(np.zeros(5), tmp_path / "a.png")
    with pytest.raises(ValueError, match=r"viz.show_kernels: path must end in one of .png .svg .pdf .jpg, got '.*a.txt'"):
        viz.show_kernels(np.zeros((3, 3)), tmp_path / "a.txt")
    with pytest.raises(TypeError, match=r"viz.show_kernels: weight\[0, 1\] is str"):
        viz.show_kernels([[1, "a"], [0, 0]], tmp_path / "a.png")
    with pytest.raises(ValueError, match=r"viz.show_kernel_application: kernel 'big' \(5, 5\) is larger than the image \(3, 3\)"):
        viz.show_kernel_application(np.zeros((3, 3)), {"big": np.zeros((5, 5))}, tmp_path / "a.png")
    with pytest.raises(ValueError, match="viz.show_images: labels has 2 entries but there are 3 images"):
        viz.show_images(np.zeros((3, 4, 4)), tmp_path / "a.png", labels=[1, 2])
    with pytest.raises(TypeError, match="viz.plot_curves: curves must be a non-empty dict"):
        viz.plot_curves([1, 2, 3], tmp_path / "a.png")
    with pytest.raises(ValueError, match=r"viz.plot_curves: curves\['loss'\] must be a non-empty 1-D list"):
        viz.plot_curves({"loss": []}, tmp_path / "a.png")
