"""mg.check: the slide's hand-derived ∂f/∂w11 against minigrad's derivation."""
import numpy as np
import pytest
import sympy

import minigrad as mg


def slide_sum():
    x = mg.scalar.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = mg.scalar.grid([[1, 2], [3, 4]], "w")
    s = mg.scalar.conv2d(x, w, name="s")
    return x, w, s, mg.scalar.sum(s, name="f")


def test_the_slides_formula_checks_out_for_the_sum_of_the_outputs():
    x, w, s, f = slide_sum()
    r = mg.check(f, w[0, 0], "x11 + x12 + x21 + x22")
    assert r.ok and r.symbolic_ok and r.numeric_ok and bool(r)
    assert r.derived == r.expected
    assert str(r).startswith("check ∂f/∂w11: OK")


def test_a_sympy_expression_and_intermediate_names_are_accepted():
    x, w, s, f = slide_sum()
    x11, x12, x21, x22 = sympy.symbols("x11 x12 x21 x22")
    assert mg.check(f, w[0, 0], x11 + x12 + x21 + x22)
    # ∂f/∂x11 = w11; written with the name of an intermediate node s11 = Σ x*w, d/dw11 ... :
    assert mg.check(f, x[0, 0], "w11")
    assert mg.check(s[0, 0] * s[0, 0], w[0, 0], "2*s11*x11")  # s11 stands for its forward
    assert mg.check(s[0, 0] * s[0, 0], w[0, 0], "2*x11*(x11*w11 + x12*w12 + x21*w21 + x22*w22)")


def test_the_slides_formula_is_wrong_for_a_max_over_two_windows():
    x = mg.scalar.grid([[1, 1, 0], [1, 1, 0], [1, 0, 0]], "x")
    w = mg.scalar.grid([[1, 2], [3, 4]], "w")
    s = mg.scalar.conv2d(x, w, name="s")
    f = mg.scalar.max(s[0, 0], s[0, 1], name="f")
    r = mg.check(f, w[0, 0], "x11 + x12 + x21 + x22")
    assert not r and not r.symbolic_ok and not r.numeric_ok
    assert [str(t) for t in r.extra] == ["x12", "x21", "x22"]
    text = str(r)
    assert "MISMATCH" in text and "terms in expected that the gradient does not have: x12, x21, x22" in text
    assert "values: derived 1, expected 4" in text


def test_missing_terms_and_wrong_coefficients_are_named():
    x, w, s, f = slide_sum()
    r = mg.check(f, w[0, 0], "x11 + 2*x12 + x21")
    assert [str(t) for t in r.missing] == ["x22"]
    assert [(str(t), got, want) for t, got, want in r.wrong] == [("x12", 1, 2)]
    text = str(r)
    assert "terms of the gradient that expected leaves out: x22" in text
    assert "wrong coefficient of x12: expected 2, derived 1" in text


def test_numerically_coincident_but_symbolically_wrong_is_reported_as_such():
    x, w, s, f = slide_sum()        # x11 = x12 = x21 = x22 = 1, so 4*x11 also gives 4
    r = mg.check(f, w[0, 0], "4*x11")
    assert r.numeric_ok and not r.symbolic_ok and not r.ok
    assert "numerically equal at the current values (4) but symbolically different" in str(r)
    assert not mg.check(f, w[0, 0], "4")


def test_power_with_caret_bracket_names_and_spaces_parse():
    a = mg.Value(1.5, "a")
    assert mg.check(a ** 3, a, "3*a^2")
    g = mg.scalar.grid(np.arange(1.0, 13.0).reshape(3, 4) * 0.5, "x")  # named x[i,j]? no: 3x4 -> x11..
    assert g[0, 0].name == "x11"
    big = mg.scalar.grid(np.ones((10, 2)), "z")                           # sides >= 10 -> z[i,j]
    y = big[0, 0] * big[9, 1] + big[0, 0]
    assert mg.check(y, big[0, 0], "z[10,2] + 1")
    assert mg.check(y, big[0, 0], "z[10, 2] + 1")
    r = mg.check(y, big[0, 0], "z[10,1] + 1")
    assert not r and "not in the graph: z[10,1]" in str(r)


def test_tensor_output_with_index():
    x = mg.Tensor(np.array([[1.0, 1, 0], [1, 1, 0], [1, 0, 0]]).reshape(1, 1, 3, 3), name="x")
    w = mg.Tensor(np.arange(1.0, 5.0).reshape(1, 1, 2, 2), requires_grad=True, name="w")
    loss = mg.nn.functional.conv2d(x, w).sum()
    assert mg.check(loss, (w, (0, 0, 0, 0)), "x[1,1,1,1] + x[1,1,1,2] + x[1,1,2,1] + x[1,1,2,2]")


def test_unparsable_and_wrong_types_raise_naming_check():
    x, w, s, f = slide_sum()
    with pytest.raises(ValueError, match=r"check: cannot parse expected 'x11 \+\* x12'"):
        mg.check(f, w[0, 0], "x11 +* x12")
    with pytest.raises(ValueError, match="check: cannot parse expected"):
        mg.check(f, w[0, 0], "x11 + (x12")
    with pytest.raises(TypeError, match="check: expected must be a str or a sympy expression"):
        mg.check(f, w[0, 0], [1, 2])
    with pytest.raises(TypeError, match="check: rtol must be a number"):
        mg.check(f, w[0, 0], "x11", rtol="tight")
    with pytest.raises(ValueError, match="check: expected 'x11 = 1' is not an expression|check: cannot parse"):
        mg.check(f, w[0, 0], "x11 = 1")


def test_a_wrt_outside_the_graph_is_pointed_out():
    x, w, s, f = slide_sum()
    other = mg.Value(2.0, "q")
    r = mg.check(f, other, "1")
    assert not r and "q is not an input of f" in str(r)
    assert mg.check(f, other, "0")
