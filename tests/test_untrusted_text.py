"""Text from a user is data (issue 11, items 1-4): a hand formula is parsed, never evaluated;
a node's name or a title is escaped for HTML, JSON-in-script, DOT and LaTeX, never run."""
import json
import re
import shutil

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from conftest import raises_naming
from minigrad.derivation.handwritten import MAX_DEPTH, parse
from minigrad.viz.html import stepper_page

# names a hostile (or unlucky) user may give a node
HOSTILE = [
    "</script><script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "/*__DATA__*/null<body onload=window.__pwned=1>",
    "<!--<script>",
    "__TITLE__",
    "<b>x</b>",
    "<<x>",
    "w\\N",
    "x\\",
    "a&b \"q\" 'q'",
    "x}\\input{/etc/passwd}\\mathrm{",
    "$x$ %#&^~_",
    "$x^{$",
    "line\u2028sep\u2029",
]


def slide_sum():
    x = mg.scalar.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = mg.scalar.grid([[1, 2], [3, 4]], "w")
    s = mg.scalar.conv2d(x, w, name="s")
    return x, w, s, mg.scalar.sum(s, name="f")


def hostile_graph(names=HOSTILE):
    """A small graph whose leaves carry the hostile names, backward done."""
    leaves = [mg.Value(float(k + 1), name=n) for k, n in enumerate(names)]
    f = leaves[0]
    for v in leaves[1:]:
        f = f * 0.5 + v.tanh()
    f.name = "f"
    f.backward()
    return f


# ------------------------------------------------------------------ 1. mg.check parses
@pytest.mark.parametrize("attack", [
    "__import__('os').system('id > {out}') or x11",
    "x11 + __import__('os').system('id > {out}')",
    "(lambda: open('{out}', 'w'))() or x11",
    "x11.__class__",
    "exec('open(\"{out}\", \"w\")')",
    "x11 if open('{out}', 'w') else x12",
])
def test_a_formula_that_is_python_writes_nothing_and_is_refused(tmp_path, monkeypatch, attack):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.txt"
    x, w, s, f = slide_sum()
    with pytest.raises(ValueError, match="check: cannot parse expected"):
        mg.check(f, w[0, 0], attack.format(out=out))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text, token", [
    ("x11 + __import__('os')", "'"),
    ("x11; x12", ";"),
    ("x11 = 1", "="),
    ("x11 @ x12", "@"),
    ("x11.real", "."),
    ("x11 + [1, 2]", "["),
    ("x11 +* x12", "*"),
    ("x11 + (x12", None),
    ("foo(x11)", "foo"),
    ("exp(x11, x12)", "exp"),
    ("max(x11)", "max"),
    ("exp + 1", "exp"),
    ("x11 x12", "x12"),
    ("", None),
    ("9**9**9", None),
])
def test_what_is_not_a_formula_is_a_value_error_naming_the_token(text, token):
    x, w, s, f = slide_sum()
    err = raises_naming(lambda: mg.check(f, w[0, 0], text), ValueError, "check", "cannot parse expected")
    if token is not None:
        assert repr(token) in str(err)


def test_deep_nesting_and_huge_text_are_refused_not_a_recursion_error():
    x, w, s, f = slide_sum()
    raises_naming(lambda: mg.check(f, w[0, 0], "(" * (MAX_DEPTH + 1) + "x11" + ")" * (MAX_DEPTH + 1)),
                  ValueError, "check", "nested more than")
    raises_naming(lambda: mg.check(f, w[0, 0], "-" * 10_000 + "x11"), ValueError, "check", "nested")
    raises_naming(lambda: mg.check(f, w[0, 0], "x11 + " * 20_000 + "x11"), ValueError, "check", "characters")
    assert mg.check(f, w[0, 0], "(" * 50 + "x11 + x12 + x21 + x22" + ")" * 50)


def test_ordinary_formulas_keep_working():
    a, b = mg.Value(0.3, name="a"), mg.Value(-0.7, name="b")
    f = (a * b + a ** 2).tanh() * 1.0
    f.name = "f"
    assert mg.check(f, a, "(1 - tanh(a*b + a**2)**2) * (b + 2*a)")
    assert mg.check(f, a, "(1 - tanh(a*b + a^2)^2) · (b + 2*a)")
    s = a.sigmoid()
    s.name = "g"
    assert mg.check(s, a, "sigmoid(a) * (1 - sigmoid(a))")
    assert mg.check(s, a, "exp(-a) / (1 + exp(-a))**2")
    e = a.exp() * 2.5e-1
    assert mg.check(e, a, "0.25*exp(a)")
    assert mg.check(e, a, ".25e0*exp(a)")


def test_greek_and_the_slides_subscripts_are_names():
    sigma = mg.Value(2.0, name="σ11")
    w = mg.Value(3.0, name="w_{11}")
    f = sigma * w
    f.name = "f"
    assert mg.check(f, w, "σ11")
    for spelling in ("x_{11}", "x11", "x_11", "x[11]"):
        x = mg.Value(5.0, name="x_{11}")
        g = x * w
        assert mg.check(g, w, spelling), spelling


def test_max_min_abs_and_relu_take_the_branch_the_numbers_take():
    x, w, s, f = slide_sum()
    m = mg.scalar.max(s[0, 0], s[0, 1], name="m")   # s11 = 7 wins over s12 = 5
    assert mg.check(m, w[0, 0], "x11") and not mg.check(m, w[0, 0], "x12")
    a, b = mg.Value(2.0, name="a"), mg.Value(-3.0, name="b")
    assert mg.check(a * b, a, "max(b, -5)")        # max(-3, -5) is b
    assert mg.check(a * b, a, "min(b, 4)")
    assert mg.check(a * b, a, "-abs(b)")
    assert mg.check((a * b).relu(), a, "0")
    r = (a * -b).relu()
    assert mg.check(r, a, "relu(-b)")
    assert not mg.check(a * b, a, "abs(b)")


def test_pi_and_e_are_numbers_unless_the_graph_names_a_node_so():
    e = mg.Value(2.0, name="e")
    y = mg.Value(3.0, name="y")
    assert mg.check(e * y, y, "e")                  # the node e, 2
    z = mg.Value(1.0, name="z")
    assert mg.check(z * 2.0, z, "2") and not mg.check(z * 2.0, z, "e")


def test_the_parser_builds_sympy_itself():
    x11, x12 = sympy.symbols("x11 x12")
    names = {"x11": x11, "x12": x12}
    assert parse("check", "-x11**2", names) == -(x11 ** 2)
    assert parse("check", "2**3**2", names) == 512
    assert parse("check", "x11/x12/2", names) == x11 / x12 / 2
    assert parse("check", "2^-1", names) == sympy.Rational(1, 2)
    assert parse("check", "x13", names) == sympy.Symbol("x13")


ALPHABET = st.sampled_from(["x11", "x12", " ", "+", "-", "*", "/", "**", "^", "(", ")", ",", "1", "2.5",
                            "exp", "max", "relu", "'", ";", "__import__", ".", "[", "]", "=", "_", "e", "π"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_any_text_is_a_formula_or_a_value_error(text):
    names = {"x11": sympy.Symbol("x11"), "x12": sympy.Symbol("x12")}
    try:
        out = parse("check", text, names)
    except ValueError as e:
        assert str(e).startswith("check: cannot parse expected")
    else:
        assert isinstance(out, sympy.Basic)


# ------------------------------------------------------------------ 2. the stepper page
def _data_blob(page: str) -> str:
    return re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)


def test_the_page_is_filled_once_and_its_data_cannot_end_the_script():
    f = hostile_graph()
    page = stepper_page("viz.to_html", f, title="<i>t</i> __TITLE__ /*__DATA__*/null")
    assert page.count('<script type="application/json" id="data">') == 1
    blob = _data_blob(page)
    assert not re.search("[<>&\u2028\u2029]", blob)
    data = json.loads(blob)
    labels = {n["label"] for n in data["nodes"]}
    assert set(HOSTILE) <= labels                               # the names come back as they were
    assert data["title"] == "<i>t</i> __TITLE__ /*__DATA__*/null"
    assert "<title>&lt;i&gt;t&lt;/i&gt; __TITLE__ /*__DATA__*/null</title>" in page
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert "<body onload" not in page


def test_the_default_title_names_the_focus_escaped():
    v = mg.Value(2.0, name="<b>w</b>")
    f = v * v
    f.name = "<i>f</i>"
    f.backward()
    page = stepper_page("viz.to_html", f, focus=v)
    assert "<b>w</b>" not in page and "<i>f</i>" not in page
    assert "&lt;b&gt;w&lt;/b&gt;" in page


# ------------------------------------------------------------------ 3. Graphviz
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


@needs_dot
def test_every_name_is_drawn_as_itself_by_graphviz():
    import html
    f = hostile_graph()
    svg = mg.viz.to_dot(f).pipe(format="svg").decode("utf-8")
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    tips = [html.unescape(t).replace("\u2060", "") for t in re.findall(r'xlink:title="([^"]*)"', svg)]
    for name in HOSTILE:
        shown = name.replace("\u2028", " ").replace("\u2029", " ")
        assert any(shown.strip() in t or name in t for t in texts), name
        assert any(t.startswith(name) for t in tips), name


@needs_dot
def test_render_and_to_html_work_for_hostile_names(tmp_path):
    f = hostile_graph()
    for suffix in (".svg", ".png", ".dot"):
        assert mg.viz.render(f, tmp_path / f"g{suffix}").stat().st_size > 0
    assert mg.viz.to_html(f, tmp_path / "page.html").stat().st_size > 0


def test_the_matplotlib_drawing_takes_names_as_text(no_dot):
    f = hostile_graph()
    with pytest.warns(RuntimeWarning, match="networkx"):
        out = mg.viz.render(f, no_dot / "g.png")
    assert out.stat().st_size > 0


# ------------------------------------------------------------------ 4. LaTeX
def test_latex_escapes_every_special_character():
    x = mg.Value(2.0, name="x}\\input{/etc/passwd}\\mathrm{")
    y = mg.Value(3.0, name="$y$ %#&^~_")
    f = x * y
    f.name = "f"
    tex = mg.derive(f, x).latex()
    assert "\\input{" not in tex and "$y$" not in tex
    assert "\\}\\backslash{}input\\{" in tex
    assert "\\$y\\$" in tex and "\\%" in tex and "\\#" in tex and "\\&" in tex
    unescaped = re.sub(r"\\[{}]", "", tex)
    assert unescaped.count("{") == unescaped.count("}")
    assert not re.search(r"(?<!\\)[$%#~]", tex)


def test_latex_of_a_name_outside_the_graph_says_so_in_escaped_text():
    a = mg.Value(1.0, name="a")
    b = mg.Value(2.0, name="b_%")
    tex = mg.derive(a * 2.0, b).latex()
    assert "b\\_\\%" in tex and "b_%" not in tex


def test_a_modules_dotted_parameter_names_are_names():
    """conv1.weight[1,1,3,3] (a module's parameter, expanded) and micrograd-style L1.n1.w1 are read
    whole when the graph has them; x11.real is still refused."""
    from minigrad.scalar.nn import Neuron
    n = Neuron(2, prefix="L1.n1.")
    x = [mg.Value(1.0, name="x1"), mg.Value(2.0, name="x2")]
    y = n(x) * 1.0
    y.backward()
    w = n.w[0]
    assert mg.check(y, w, "x1") if n(x).data > 0 else mg.check(y, w, "0")
    assert mg.check(n.w[0] * n.w[1], n.w[0], "L1.n1.w2")
    conv = mg.nn.Conv2d(1, 1, 2, bias=False)
    conv.weight.name = "conv1.weight"
    img = mg.tensor([[[[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [2.0, 0.0, 1.0]]]], name="x", requires_grad=True)
    loss = conv(img).sum()
    loss.backward()
    assert mg.check(loss, (conv.weight, (0, 0, 0, 0)), "x[1,1,1,1] + x[1,1,1,2] + x[1,1,2,1] + x[1,1,2,2]")
    # the centre pixel is under every weight once
    assert mg.check(loss, (img, (0, 0, 1, 1)), "conv1.weight[1,1,1,1] + conv1.weight[1,1,1,2] + "
                                               "conv1.weight[1,1,2,1] + conv1.weight[1, 1, 2, 2]")
    raises_naming(lambda: mg.check(loss, (conv.weight, (0, 0, 0, 0)), "conv1.weight[1,1,1,2].real"),
                  ValueError, "check", "cannot parse expected")
    a = mg.Value(1.0, name="a")
    raises_naming(lambda: mg.check(a * a, a, "a.real"), ValueError, "check", "'.'")
