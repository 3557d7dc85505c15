"""The backprop stepper's data (issue 8), checked in Python: the forward order, each adjoint
equal to the node's .grad, and the chain-rule lines equal to what mg.derive prints."""
import json
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad import scalar as S
from minigrad import viz
from minigrad.viz.html import stepper_data


def slide(case="sum"):
    x = S.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = S.grid([[0.5, -1.0], [2.0, 1.5]], "w")
    s = S.conv2d(x, w, name="s")
    f = S.sum(s, name="f") if case == "sum" else S.max(s[0, 0], s[0, 1], name="f")
    f.backward()
    return x, w, s, f


def data_of(root, **kw):
    d = stepper_data(root, **kw)
    d.pop("_graph")
    return d


def by_label(d):
    return {n["label"]: n for n in d["nodes"]}


def test_forward_then_backward_one_step_per_node_in_topological_order():
    x, w, s, f = slide("sum")
    d = data_of(f)
    n = len(d["nodes"])
    assert n == 34 and len(d["steps"]) == 2 * n
    fwd = [st["node"] for st in d["steps"][:n]]
    bwd = [st["node"] for st in d["steps"][n:]]
    assert all(st["phase"] == "forward" for st in d["steps"][:n])
    assert all(st["phase"] == "backward" for st in d["steps"][n:])
    assert sorted(fwd) == list(range(n)) and sorted(bwd) == list(range(n))
    pos = {node: k for k, node in enumerate(fwd)}
    back = {node: k for k, node in enumerate(bwd)}
    for e in d["edges"]:                       # a parent lights up before its child, and after it going back
        assert pos[e["src"]] < pos[e["dst"]] and back[e["dst"]] < back[e["src"]]
    assert d["nodes"][bwd[0]]["label"] == "f" and d["nodes"][bwd[0]]["root"]
    labels = [d["nodes"][i]["label"] for i in bwd]
    assert labels.index("s11") < labels.index("s12") < labels.index("s21") < labels.index("s22")  # reading order


def test_every_adjoint_is_the_nodes_grad():
    x, w, s, f = slide("sum")
    d = data_of(f)
    graph = {v.name: v for v in [*x.ravel(), *w.ravel(), *s.ravel(), f]}
    seen = 0
    for st in d["steps"]:
        if st["phase"] != "backward":
            continue
        label = d["nodes"][st["node"]]["label"]
        if label in graph:
            assert st["adjoint_num"] == graph[label].grad
            seen += 1
    assert seen == 9 + 4 + 4 + 1
    assert by_label(d)["w11"]["grad_num"] == 4.0 and by_label(d)["x22"]["grad_num"] == 0.5 - 1 + 2 + 1.5


def test_w11_line_is_mg_derive_text_for_the_sum_case():
    x, w, s, f = slide("sum")
    d = data_of(f)
    step = next(st for st in d["steps"] if st["phase"] == "backward" and d["nodes"][st["node"]]["label"] == "w11")
    derived = str(mg.derive(f, w[0, 0]))
    assert step["lines"][0] == derived.splitlines()[-1]
    assert "= x11 + x12 + x21 + x22 = 4" in step["lines"][0]
    assert step["derivation"] == derived
    assert step["adjoint"] == "4" and step["adjoint_num"] == 4.0


def test_max_pool_branch_and_losers_get_zero():
    x, w, s, f = slide("max")
    d = data_of(f)
    back = {d["nodes"][st["node"]]["label"]: st for st in d["steps"] if st["phase"] == "backward"}
    branch = "if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0"
    assert back["f"]["lines"] == ["∂f/∂f = 1", "splits: " + branch]
    assert back["s12"]["adjoint_num"] == 0.0 and branch in back["s12"]["lines"]
    assert back["s11"]["adjoint_num"] == 1.0 and branch in back["s11"]["lines"]
    assert back["w11"]["lines"] == ["∂f/∂w11 = ∂f/∂mul1 · ∂mul1/∂w11 = x11 = 1"]
    assert back["x13"]["adjoint_num"] == 0.0                    # only under the loser
    sel = [e for e in d["edges"] if e["selected"] is not None]
    assert sorted(e["selected"] for e in sel) == [False, True]
    assert d["nodes"][next(e for e in sel if e["selected"])["src"]]["label"] == "s11"


def test_focus_limits_the_steps_to_the_derivation_path():
    x, w, s, f = slide("sum")
    d = data_of(f, focus=w[0, 0])
    labels = sorted(n["label"] for n in d["nodes"])
    assert labels == sorted(["w11", "mul1", "mul5", "mul9", "mul13", "s11", "s12", "s21", "s22", "f"])
    assert len(d["steps"]) == 20 and d["title"].endswith("∂f/∂w11")
    assert d["steps"][-1]["lines"][0].endswith("= x11 + x12 + x21 + x22 = 4")
    fwd = next(st for st in d["steps"] if d["nodes"][st["node"]]["label"] == "mul1")
    assert fwd["lines"] == ["mul1 = x11*w11 = 0.5"]        # the focused-away x11 keeps its name


def test_big_graphs_collapse_like_the_diagrams():
    rng = np.random.default_rng(0)
    x = S.grid(rng.standard_normal((12, 12)), "x")
    w = S.grid(rng.standard_normal((3, 3)), "w")
    f = S.sum(S.max_pool2d(S.conv2d(x, w, name="s"), 2, name="p"), name="f")
    f.backward()
    d = data_of(f, max_nodes=50)
    assert d["collapsed"] == "levels" and "collapsed view" in d["note"]
    assert [n["label"] for n in d["nodes"]] == ["x: 144 leaves", "w: 9 leaves", "s: 100 × sum of 9 taps",
                                                "p: 25 × max", "f"]
    assert len(d["steps"]) == 10
    last = d["steps"][-1]
    assert "grads" in last["lines"][0] and last["adjoint_num"] is None


def test_the_lines_are_the_derivations_last_line_at_any_size():
    x, w, s, f = slide("sum")
    d = data_of(f, max_nodes=None)
    w11 = next(st for st in d["steps"] if st["phase"] == "backward" and d["nodes"][st["node"]]["label"] == "w11")
    assert w11["lines"] == ["∂f/∂w11 = ∂f/∂mul1 · ∂mul1/∂w11 + ∂f/∂mul5 · ∂mul5/∂w11 + ∂f/∂mul9 · ∂mul9/∂w11"
                            " + ∂f/∂mul13 · ∂mul13/∂w11 = x11 + x12 + x21 + x22 = 4"]
    assert w11["lines"][0] == str(mg.derive(f, w[0, 0])).splitlines()[-1]


def test_tensor_and_grid_roots_get_chain_lines_from_the_graph():
    a = mg.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True, name="a")
    y = (a * a).relu().sum()
    y.backward()
    d = data_of(y)
    back = {d["nodes"][st["node"]]["label"]: st for st in d["steps"] if st["phase"] == "backward"}
    assert back["sum1"]["lines"] == ["∂sum1/∂sum1 = 1 (the seed)"]
    assert back["a"]["lines"][0].startswith("∂sum1/∂a = ∂sum1/∂mul1 · ∂mul1/∂a = ")
    assert back["a"]["adjoint"] == viz.graph.fmt(a.grad)
    assert by_label(d)["a"]["shape"] == [2, 2]
    x, w, s, f = slide("sum")
    g = data_of(s)                                        # a grid: four outputs, no single derivation
    assert sum(n["root"] for n in g["nodes"]) == 4 and g["output"] == "out"


def test_the_page_is_one_self_contained_file(tmp_path):
    x, w, s, f = slide("max")
    path = viz.to_html(f, tmp_path / "stepper.html")
    assert path == tmp_path / "stepper.html"
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)   # nothing fetched
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    for url in re.findall(r"https?://[^\s\"'<>)]+", page):
        assert url.startswith(("http://www.w3.org/", "http://www.w3.org")), url   # SVG/XLink namespaces only
    blob = page.split('<script type="application/json" id="data">')[1].split("</script>")[0]
    data = json.loads(blob)
    assert len(data["steps"]) == 42 and data["output"] == "f"


def test_the_page_works_without_graphviz(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    x, w, s, f = slide("max")
    page = viz.to_html(f, tmp_path / "p.html").read_text(encoding="utf-8")
    assert page.count('<g class="node"><title>n') == 21
    assert page.count('<g class="edge"><title>n') == 26
    assert 'stroke="#d62728" stroke-width="2.5"' in page and 'stroke-dasharray="5,2"' in page
    assert ">mul1 = x11*w11</text>" in page and ">f = max(s11, s12)</text>" in page and ">data 3</text>" in page
    assert ">selected: passes 1</text>" in page and ">not selected: grad 0</text>" in page


def test_before_backward_the_page_says_so():
    x = mg.Value(1.5, "x")
    y = (x * x).tanh()
    d = data_of(y)
    assert d["note"].startswith("no backward pass has reached tanh1 yet: call tanh1.backward() first")
    back = [st for st in d["steps"] if st["phase"] == "backward"]
    assert all(st["adjoint_num"] == 0.0 for st in back)
    assert "has tanh1.backward() run exactly once?" in back[0]["lines"][-1]
    y.backward()
    d = data_of(y)
    back = [st for st in d["steps"] if st["phase"] == "backward"]
    assert d["note"] == "" and back[0]["lines"] == ["∂tanh1/∂tanh1 = 1"]
    assert not any(line.startswith("note:") for st in back for line in st["lines"])
    assert back[-1]["adjoint_num"] == x.grad != 0


def test_bad_input(tmp_path):
    x, w, s, f = slide("max")
    with pytest.raises(ValueError, match=r"viz.to_html: path must end in one of .html .htm, got '.*p.svg'"):
        viz.to_html(f, tmp_path / "p.svg")
    with pytest.raises(TypeError, match="viz.to_html: root must be a Value, a Tensor or a grid"):
        viz.to_html("f", tmp_path / "p.html")
    with pytest.raises(ValueError, match="viz.to_html: focus .* is not in the graph of root"):
        viz.to_html(f, tmp_path / "p.html", focus=mg.Value(2.0, "z"))
    with pytest.raises(TypeError, match="viz.to_html: title must be a str or None"):
        viz.to_html(f, tmp_path / "p.html", title=3)
    with pytest.raises(ValueError, match="viz.to_html: max_nodes must be None or an int >= 1"):
        viz.to_html(f, tmp_path / "p.html", max_nodes=-1)
