"""mg.derive: the slide's ∂f/∂w11, produced by minigrad itself, step by step."""
import math

import numpy as np
import pytest
import sympy

import minigrad as mg

X = [[1, 1, 0], [1, 1, 0], [1, 0, 0]]  # the slide's image


def slide(w=((1, 2), (3, 4)), pool="pair"):
    """The slide's graph: 3x3 image x, 2x2 kernel w, conv outputs s11.., and f."""
    x = mg.scalar.grid(X, "x")
    w = mg.scalar.grid(w, "w")
    s = mg.scalar.conv2d(x, w, name="s")
    if pool == "pair":
        f = mg.scalar.max(s[0, 0], s[0, 1], name="f")
    elif pool == "map":
        f = mg.scalar.max(s, name="f")
    else:
        f = mg.scalar.sum(s, name="f")
    return x, w, s, f


def sym(*names):
    return [sympy.Symbol(n) for n in names]


def test_sum_of_the_conv_outputs_gives_the_slides_formula():
    x, w, s, f = slide(pool="sum")
    d = mg.derive(f, w[0, 0])
    x11, x12, x21, x22 = sym("x11", "x12", "x21", "x22")
    assert d.expression == x11 + x12 + x21 + x22
    assert str(d.expression) == "x11 + x12 + x21 + x22"
    f.backward()
    assert d.value == w[0, 0].grad == 4.0


def test_max_of_s11_s12_takes_the_branch_s11_and_gives_x11():
    x, w, s, f = slide(pool="pair")  # s11 = 10 > s12 = 4
    d = mg.derive(f, w[0, 0])
    assert d.expression == sympy.Symbol("x11")
    text = str(d)
    assert "if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0" in text
    assert "mul1 = x11*w11 = 1" in text
    assert "∂mul1/∂w11 = x11 = 1" in text
    assert text.splitlines()[-1] == "∂f/∂w11 = ∂f/∂mul1 · ∂mul1/∂w11 = x11 = 1"
    f.backward()
    assert d.value == w[0, 0].grad == 1.0


def test_when_s12_wins_the_gradient_flows_through_s12_only():
    x, w, s, f = slide(w=((-1, 2), (3, -4)), pool="pair")  # s11 = 0, s12 = 2
    assert s[0, 1].data > s[0, 0].data
    d = mg.derive(f, w[0, 0])
    assert "if (s12 > s11): ∂f/∂s11 = 0, ∂f/∂s12 = 1" in str(d)
    assert d.expression == sympy.Symbol("x12")   # the x under s12's w11 tap
    assert mg.derive(f, w[1, 1]).expression == sympy.Symbol("x23")


def test_a_tie_goes_to_the_first_input_and_says_so():
    x, w, s, f = slide(w=((0, 0), (0, 0)), pool="pair")  # s11 = s12 = 0
    d = mg.derive(f, w[0, 0])
    text = str(d)
    assert "if (s11 >= s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0" in text
    assert "tie with s12" in text
    assert d.expression == sympy.Symbol("x11")
    f.backward()
    assert d.value == w[0, 0].grad


def test_max_over_the_whole_map_is_the_x_under_the_selected_window():
    x, w, s, f = slide(pool="map")
    k = f.selected
    d = mg.derive(f, w[0, 0])
    i, j = divmod(k, 2)
    assert d.expression == sympy.Symbol(f"x{i + 1}{j + 1}")
    f.backward()
    assert d.value == w[0, 0].grad


def test_steps_are_the_chain_rule_path_with_local_partials():
    x, w, s, f = slide(pool="pair")
    d = mg.derive(f, w[0, 0])
    assert [(st.node, st.parent) for st in d.steps] == [("f", "s11"), ("f", "s12"), ("s11", "mul1"), ("mul1", "w11")]
    assert [st.local for st in d.steps] == [1, 0, 1, sympy.Symbol("x11")]
    assert [st.value for st in d.steps] == [1.0, 0.0, 1.0, 1.0]
    assert d.steps[0].branch == "selected s11"
    assert str(d.steps[-1]) == "∂mul1/∂w11 = x11"


def test_same_graph_prints_the_same_text_and_derive_leaves_the_graph_alone():
    x, w, s, f = slide(pool="sum")
    before = [(v.data, v.grad, v.name) for v in list(x.ravel()) + list(w.ravel()) + list(s.ravel()) + [f]]
    a, b = str(mg.derive(f, w[0, 0])), str(mg.derive(f, w[0, 0]))
    assert a == b
    after = [(v.data, v.grad, v.name) for v in list(x.ravel()) + list(w.ravel()) + list(s.ravel()) + [f]]
    assert before == after
    # a second, identical graph gets the same automatic names
    assert str(mg.derive(*_f_w(slide(pool="sum")))) == a


def _f_w(graph):
    x, w, s, f = graph
    return f, w[0, 0]


def test_latex_has_one_aligned_line_per_step():
    x, w, s, f = slide(pool="pair")
    d = mg.derive(f, w[0, 0])
    tex = d.latex()
    assert tex.startswith("\\begin{aligned}") and tex.endswith("\\end{aligned}")
    assert r"\frac{\partial f}{\partial w_{11}}" in tex
    assert r"\text{if } (s_{11} > s_{12})" in tex
    assert len(tex.splitlines()) == len(str(d).splitlines()) + 2


def central(fn, v, eps=1e-6):
    old = v.data
    v.data = old + eps
    up = fn()
    v.data = old - eps
    down = fn()
    v.data = old
    return (up - down) / (2 * eps)


def test_expression_through_every_value_op_matches_backward_and_central_differences():
    a, b = mg.Value(0.5, "a"), mg.Value(-1.5, "b")

    def build():
        t = (a * b).tanh()
        return t * t + a / b + (a - b).relu() + (a ** 3).exp().log() + (a * 2).sigmoid() + b.leaky_relu(0.1) * a

    y = build()
    for v in (a, b):
        d = mg.derive(y, v)
        value = float(d.expression.subs({sympy.Symbol("a"): a.data, sympy.Symbol("b"): b.data}))
        assert value == pytest.approx(d.value, rel=1e-12)
        assert d.value == pytest.approx(central(lambda: build().data, v), rel=1e-6)
    y.backward()
    assert mg.derive(y, a).value == a.grad and mg.derive(y, b).value == b.grad


def test_numbers_stay_exact_and_branches_show():
    a = mg.Value(2.0, "a")
    y = (a * 3 - 1) ** 2 / 4
    assert mg.derive(y, a).expression == sympy.Rational(3, 2) * (3 * sympy.Symbol("a") - 1)
    r = (a * -1).relu() + (a - 5).leaky_relu(0.01)
    d = mg.derive(r, a)
    assert d.expression == sympy.Rational(1, 100)
    assert "if (add1 <= 0): ∂lrelu1/∂add1 = 1/100" in str(d)


def test_intermediate_wrt_and_output_is_wrt_and_unreached():
    x, w, s, f = slide(pool="sum")
    assert mg.derive(f, s[0, 0]).expression == 1
    assert mg.derive(f, f).value == 1.0
    other = mg.Value(3.0, "q")
    d = mg.derive(f, other)
    assert d.value == 0.0 and d.expression == 0
    assert "q is not an input of f" in str(d)


def test_a_node_used_twice_adds_both_paths():
    a = mg.Value(3.0, "a")
    y = a * a
    d = mg.derive(y, a)
    assert d.expression == 2 * sympy.Symbol("a")
    assert d.steps[0].local == 2 * sympy.Symbol("a")
    assert d.value == 6.0


def test_28x28_scalar_graph_derives_and_equals_backward():
    rng = np.random.default_rng(0)
    x = mg.scalar.grid(rng.standard_normal((28, 28)), "x")
    w = mg.scalar.grid(rng.standard_normal((3, 3)), "w")
    f = mg.scalar.sum(mg.scalar.max_pool2d(mg.scalar.conv2d(x, w, name="s"), 2), name="f")
    d = mg.derive(f, w[0, 0])      # (benchmarks/bench_derive.py times it)
    f.backward()
    assert d.value == w[0, 0].grad
    assert len(d.expression.args) == 169  # one x per selected window


def test_tensor_output_with_an_index_into_a_tensor_leaf():
    x = mg.Tensor(np.array(X, dtype=float).reshape(1, 1, 3, 3), name="x")
    w = mg.Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2), requires_grad=True, name="w")
    loss = mg.nn.functional.conv2d(x, w).sum()
    d = mg.derive(loss, (w, (0, 0, 0, 0)))
    assert str(d.expression) == "x[1,1,1,1] + x[1,1,1,2] + x[1,1,2,1] + x[1,1,2,2]"
    loss.backward()
    assert d.value == w.grad[0, 0, 0, 0] == 4.0


def test_bad_input_names_derive():
    x, w, s, f = slide()
    with pytest.raises(TypeError, match="derive: output must be a Value"):
        mg.derive(3.0, w[0, 0])
    with pytest.raises(TypeError, match="derive: wrt must be a Value"):
        mg.derive(f, "w11")
    t = mg.Tensor([1.0, 2.0], requires_grad=True, name="t")
    with pytest.raises(ValueError, match=r"derive: a Tensor output must have one element.*\(2,\)"):
        mg.derive(t * 2, (t, (0,)))
    with pytest.raises(ValueError, match=r"derive: wrt is a Tensor of shape \(2,\)"):
        mg.derive((t * 2).sum(), t)
    with pytest.raises(IndexError, match=r"derive: index \(5,\) is out of range"):
        mg.derive((t * 2).sum(), (t, (5,)))
    other = mg.Tensor([1.0], requires_grad=True, name="u")
    with pytest.raises(ValueError, match=r"derive: wrt \(a Tensor of shape \(1,\) named 'u'\) is not part of output's graph"):
        mg.derive((t * 2).sum(), other)
    with pytest.raises(TypeError, match="derive: with a Tensor output, wrt must be"):
        mg.derive((t * 2).sum(), w[0, 0])


def test_importing_the_package_never_hides_the_function():
    import minigrad.derivation  # noqa: F401 - named apart from mg.derive on purpose
    x, w, s, f = slide(pool="sum")
    assert callable(mg.derive) and not isinstance(mg.derive, type(minigrad.derivation))
    assert math.isclose(mg.derive(f, w[0, 0]).value, 4.0)


def test_docs_show_the_current_output():
    """docs/derivations.md prints derivations next to the code; it must match the code."""
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "derivations.md"
    text = doc.read_text(encoding="utf-8")
    x, w, s, f = slide(pool="pair")
    assert str(mg.derive(f, w[0, 0])) in text
    assert mg.derive(f, w[0, 0]).latex() in text
    assert str(mg.check(f, w[0, 0], "x11 + x12 + x21 + x22")) in text
    x, w, s, g = slide(pool="sum")
    assert str(mg.derive(g, w[0, 0])) in text
    assert str(mg.check(g, w[0, 0], "x11")) in text           # the diagnosis section


def test_the_slide_against_torch():
    torch = pytest.importorskip("torch")
    for wv in ([[1.0, 2.0], [3.0, 4.0]], [[-1.0, 2.0], [3.0, -4.0]], [[0.0, 0.0], [0.0, 0.0]]):
        for pool in ("pair", "map", "sum"):
            x, w, s, f = slide(w=wv, pool=pool)
            tx = torch.tensor(X, dtype=torch.float64).reshape(1, 1, 3, 3)
            tw = torch.tensor(wv, dtype=torch.float64, requires_grad=True)
            ts = torch.nn.functional.conv2d(tx, tw.reshape(1, 1, 2, 2))[0, 0]
            if pool == "pair":
                tf = torch.stack([ts[0, 0], ts[0, 1]]).max(dim=0).values  # one dim: the first max wins
            elif pool == "map":
                tf = torch.nn.functional.max_pool2d(ts[None, None], 2).reshape(())
            else:
                tf = ts.sum()
            tf.backward()
            for i in range(2):
                for j in range(2):
                    assert mg.derive(f, w[i, j]).value == pytest.approx(tw.grad[i, j].item(), abs=1e-12), (wv, pool, i, j)


def test_random_graphs_derive_equals_backward_exactly():
    """Property: on random Value graphs (diamonds, reuse, every op, max and relu branches) the
    derivation's value is the engine's grad exactly, and its expression evaluates to it."""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    ops = ["+", "*", "-", "/", "tanh", "sigmoid", "relu", "leaky", "exp", "max", "sum", "pow"]

    @hypothesis.settings(max_examples=30, deadline=None)
    @hypothesis.given(st.lists(st.floats(-2, 2, allow_nan=False).filter(lambda v: abs(v) > 0.05), min_size=3, max_size=3),
                      st.lists(st.tuples(st.sampled_from(ops), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
                               min_size=1, max_size=12))
    def prop(leaves, program):
        nodes = [mg.Value(v, n) for v, n in zip(leaves, "abc")]
        for op, i, j in program:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            if op == "+":
                y = a + b
            elif op == "*":
                y = a * b
            elif op == "-":
                y = a - b
            elif op == "/":
                y = a / (b * b + 1)
            elif op == "tanh":
                y = a.tanh()
            elif op == "sigmoid":
                y = a.sigmoid()
            elif op == "relu":
                y = a.relu()
            elif op == "leaky":
                y = a.leaky_relu(0.1)
            elif op == "exp":
                y = (a.tanh()).exp()
            elif op == "max":
                y = mg.scalar.max(a, b, nodes[(i + j) % len(nodes)])
            elif op == "sum":
                y = mg.scalar.sum([a, b, a])
            else:
                y = (a * a + 1) ** 1.5
            nodes.append(y)
        out = nodes[-1]
        ds = [mg.derive(out, leaf) for leaf in nodes[:3]]
        out.backward()
        values = {sympy.Symbol(n): v for n, v in zip("abc", leaves)}
        for d, leaf in zip(ds, nodes[:3]):
            assert d.value == leaf.grad
            assert float(d.expression.subs(values)) == pytest.approx(d.value, rel=1e-9, abs=1e-12)

    prop()


def test_greek_names_like_the_slide():
    s11, s12 = mg.Value(10.0, "σ11"), mg.Value(4.0, "σ12")
    f = mg.scalar.max(s11, s12, name="f")
    d = mg.derive(f, s11)
    assert "if (σ11 > σ12): ∂f/∂σ11 = 1, ∂f/∂σ12 = 0" in str(d)
    assert r"\text{if } (\sigma_{11} > \sigma_{12})" in d.latex()
    assert mg.check(f * s11, s11, "2*σ11")


def test_deep_tanh_chains_derive_in_linear_time():
    """sympy's automatic evaluation of tanh(tanh(...)) once made this exponential in depth."""
    x = mg.Value(0.3, "x")
    y = x
    for _ in range(16):
        y = (y * 1.0001).tanh()
    y.backward()
    d = mg.derive(y, x)
    assert math.isclose(d.value, x.grad, rel_tol=1e-12)
    assert d.expression.has(sympy.tanh)


# ------------------------------------------------------------------ one pass, any size (issue 12)
def test_one_pass_answers_every_wrt():
    x = mg.scalar.grid([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], "x")
    w = mg.scalar.grid([[1.0, 2.0], [3.0, 4.0]], "w")
    s = mg.scalar.conv2d(x, w, name="s")
    f = mg.scalar.max(s[0, 0], s[0, 1], name="f")
    f.backward()
    d11, d12 = mg.derive(f, [w[0, 0], w[0, 1]])
    assert d11._bp is d12._bp                            # the same pass
    assert (d11.value, d12.value) == (w[0, 0].grad, w[0, 1].grad)
    assert f.selected == 1                               # s12 = 47 > s11 = 37: the window at x12 wins
    assert (str(d11.expression), str(d12.expression)) == ("x12", "x13")
    assert str(d11.partial(w[1, 1]).expression) == "x23"
    assert mg.derive(f, (w[0, 0], w[1, 0]))[1].value == w[1, 0].grad


def test_a_thousand_nested_tanhs_derive_print_and_summarise():
    x = mg.Value(0.3, "x")
    y = x
    for _ in range(1000):
        y = y.tanh()
    y.backward()
    d = mg.derive(y, x)
    assert d.value == x.grad
    text, tex = str(d), d.latex()
    assert len(text) < 200_000 and len(tex) < 400_000
    assert "more nodes" in text                          # the middle of the chain is left out, said so
    assert "terms and factors written out" in text.splitlines()[-1]   # the final formula is summarised
    with pytest.raises(mg.FormulaTooLarge, match="terms and factors"):
        d.expression


def test_the_adjoints_are_in_terms_of_the_named_intermediates():
    a, b = mg.Value(2.0, "a"), mg.Value(-3.0, "b")
    h = (a * b).tanh()
    h.name = "h"
    y = h * h
    y.backward()
    d = mg.derive(y, a)
    assert str(d.adjoint) == "2*b*h*(1 - h**2)" and d.value == a.grad
    assert any(str(s) == "∂mul2/∂h = 2*h" for s in d.steps)   # h used twice: one edge, the whole partial
