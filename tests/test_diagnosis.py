"""mg.check names the mistake (issue 14.1): each classic wrong hand formula on the slide's graph
(seed 000: a 3x3 image x, a 2x2 kernel w, s = x ⊗ w, f = maxpool(s11, s12)) is diagnosed."""
import pytest

import minigrad as mg
from minigrad import scalar as S

IMAGE = [[1, 1, 0], [1, 1, 0], [1, 0, 0]]


def slide(pool="max", image=IMAGE, kernel=((1, 2), (3, 4)), conv=S.conv2d, **kw):
    x, w = S.grid(image, "x"), S.grid(kernel, "w")
    s = conv(x, w, name="s", **kw)
    if pool == "max":
        f = S.max(s[0, 0], s[0, 1], name="f")
    elif pool == "sum":
        f = S.sum(s, name="f")
    else:
        f = pool(s)
        f.name = "f"
    f.backward()
    return x, w, s, f


def diagnosis(f, wrt, formula):
    r = mg.check(f, wrt, formula)
    assert not r.ok
    assert r.diagnosis is not None, str(r)
    assert f"diagnosis: {r.diagnosis.split()[0]}" in str(r)
    return r.diagnosis


# ------------------------------------------------------------------ max-pool gating
def test_the_slides_formula_for_the_max_case_is_the_gradient_of_every_output():
    x, w, s, f = slide()
    d = diagnosis(f, w[0, 0], "x11 + x12 + x21 + x22")
    assert d.startswith("max-pool gating ignored")
    assert "∂(s11 + s12 + s21 + s22)/∂w11" in d
    assert "selected input, s11" in d and "∂f/∂w11 = x11" in d


def test_the_window_summed_and_the_wrong_winner_are_gating_mistakes_too():
    x, w, s, f = slide()
    d = diagnosis(f, w[0, 0], "x11 + x12")
    assert d.startswith("max-pool gating ignored") and "as if it were s11 + s12" in d
    d = diagnosis(f, w[0, 0], "x12")
    assert d.startswith("max-pool gating") and "to s12, but the max selected s11" in d


def test_a_max_pool_over_the_whole_map_read_as_a_sum():
    x, w, s, f = slide(pool=lambda s: S.max_pool2d(s, 2)[0, 0])
    d = diagnosis(f, w[0, 0], "x11 + x12 + x21 + x22")
    assert d.startswith("max-pool gating ignored")


# ------------------------------------------------------------------ kernel and indices
def test_a_flipped_kernel_pairs_w11_with_x22():
    x, w, s, f = slide()
    d = diagnosis(f, w[0, 0], "x22")
    assert d.startswith("kernel flipped") and "under w22" in d and "cross-correlates" in d


def test_cross_correlating_a_true_convolution_is_a_flip_the_other_way():
    x, w, s, f = slide(conv=S.convolve2d)          # s11 = x11*w22 + x12*w21 + x21*w12 + x22*w11
    assert mg.check(f, w[1, 1], "x11")
    d = diagnosis(f, w[1, 1], "x22")
    assert d.startswith("kernel flipped") and "convolves" in d


def test_indices_transposed():
    image = [[1, 2, 0, 1], [3, 1, 1, 0], [0, 2, 1, 1], [1, 0, 2, 3]]
    x, w, s, f = slide("sum", image=image, kernel=((1, 2, 0), (1, 1, 3), (0, 2, 1)))
    assert mg.check(f, w[0, 1], "x12 + x13 + x22 + x23")
    d = diagnosis(f, w[0, 1], "x21 + x22 + x31 + x32")
    assert d.startswith("indices transposed")
    x, w, s, f = slide("max", image=image, kernel=((1, 2, 0), (1, 1, 3), (0, 2, 1)))
    right = str(mg.check(f, w[0, 1], "x").derived)          # x12 or x13: the selected window's tap
    wrong = right.replace("x12", "x21").replace("x13", "x31")
    assert diagnosis(f, w[0, 1], wrong).startswith("indices transposed")


def test_the_window_shifted_by_one_column():
    x, w, s, f = slide("sum")
    d = diagnosis(f, w[0, 0], "x12 + x13 + x22 + x23")
    assert d.startswith("the window shifted") and "1 column right" in d


def test_the_window_shifted_by_the_stride():
    image = [[1, 2, 0, 1, 1], [3, 1, 1, 0, 2], [0, 2, 1, 1, 1], [1, 0, 2, 3, 1], [2, 1, 0, 1, 1]]
    x, w, s, f = slide("sum", image=image, stride=2)
    assert mg.check(f, w[0, 0], "x11 + x13 + x31 + x33")
    d = diagnosis(f, w[0, 0], "x11 + x12 + x21 + x22")
    assert d.startswith("the window shifted") and "with stride 1 and padding 0" in d and "has stride 2" in d


# ------------------------------------------------------------------ chain factors and gates
def test_a_dropped_tanh_factor():
    x, w, s, _ = slide()
    f = s[0, 0].tanh()
    f.name = "f"
    assert mg.check(f, w[0, 0], "(1 - tanh(s11)**2) * x11")
    d = diagnosis(f, w[0, 0], "x11")
    assert d.startswith("a chain factor dropped") and "tanh's local partial" in d


def test_df_ds_treated_as_one():
    x, w, s, _ = slide()
    f = s[0, 0] * s[0, 0]
    f.name = "f"
    d = diagnosis(f, w[0, 0], "x11")
    assert d.startswith("a chain factor dropped") and "as if ∂f/∂s11 were 1" in d


def test_a_relu_that_passed_nothing():
    x, w, s, _ = slide()
    f = (-s[0, 0]).relu()
    f.name = "f"
    assert mg.check(f, w[0, 0], "0")
    d = diagnosis(f, w[0, 0], "-x11")
    assert d.startswith("a ReLU branch ignored") and "≤ 0" in d


def test_average_pooling_without_its_one_over_n():
    x, w, s, f = slide(pool=lambda s: S.avg_pool2d(s, 2)[0, 0])
    assert mg.check(f, w[0, 0], "(x11 + x12 + x21 + x22) / 4")
    d = diagnosis(f, w[0, 0], "x11 + x12 + x21 + x22")
    assert d.startswith("average pooling's 1/n forgotten") and "1/4" in d


def test_a_shared_weight_counted_at_one_position_the_sum_case_read_backwards():
    x, w, s, f = slide("sum")
    d = diagnosis(f, w[0, 0], "x11")
    assert d.startswith("a shared weight counted at one position only")
    assert "s11, s12, s21, s22" in d and "only in s11" in d


# ------------------------------------------------------------------ no diagnosis
def test_a_right_formula_or_an_unexplained_one_has_no_diagnosis():
    x, w, s, f = slide()
    assert mg.check(f, w[0, 0], "x11").diagnosis is None
    r = mg.check(f, w[0, 0], "3*x13 - x21")
    assert not r and r.diagnosis is None and "diagnosis" not in str(r)


def test_the_mismatch_says_which_side_has_the_terms():
    x, w, s, f = slide()
    text = str(mg.check(f, w[0, 0], "x11 + x12 + x21 + x22"))
    assert "terms in expected that the gradient does not have: x12, x21, x22" in text
    x, w, s, g = slide("sum")
    text = str(mg.check(g, w[0, 0], "x11 + x12"))
    assert "terms of the gradient that expected leaves out: x21, x22" in text


@pytest.mark.parametrize("formula", ["x11 + x12 + x21 + x22", "x22", "x12"])
def test_the_diagnosis_never_changes_the_verdict(formula):
    x, w, s, f = slide()
    r = mg.check(f, w[0, 0], formula)
    before = (r.ok, r.symbolic_ok, r.numeric_ok, str(r.derived))
    assert r.diagnosis
    assert (r.ok, r.symbolic_ok, r.numeric_ok, str(r.derived)) == before
    assert f.grad == 1.0 and S.grads(w).tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_a_wrong_version_too_large_to_write_out_gives_no_diagnosis(monkeypatch):
    from minigrad.derivation import diagnosis as D
    x, w, s, f = slide()

    def too_large(self):
        raise mg.FormulaTooLarge("the formula has 10,000,000 terms")
        yield  # a generator, like the real candidates

    monkeypatch.setattr(D._Diagnosis, "max_gating", too_large)
    r = mg.check(f, w[0, 0], "x11 + x12 + x21 + x22")
    assert not r and r.diagnosis is None and "MISMATCH" in str(r)


def test_graphs_past_the_size_limit_are_not_diagnosed(monkeypatch):
    from minigrad.derivation import diagnosis as D
    monkeypatch.setattr(D, "MAX_NODES", 10)
    x, w, s, f = slide()
    assert mg.check(f, w[0, 0], "x11 + x12 + x21 + x22").diagnosis is None
