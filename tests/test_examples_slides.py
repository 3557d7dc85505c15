"""The slide examples (kernels, slide_cnn, stride_padding, pooling, fft_theorem, diffusion), run small.

Each example's ``main(["--small", "--out", tmp])`` prints what its slide shows and returns
its numbers; these tests check the slides' numbers, the printed text and the pictures, and
recompute the key results independently with plain NumPy.
"""
import importlib
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))


def run(name, tmp_path, capsys):
    module = importlib.import_module(name)
    result = module.main(["--small", "--out", str(tmp_path)])
    text = capsys.readouterr().out
    for f in result["files"]:  # every picture written, a real PNG, announced
        assert Path(f).is_file() and Path(f).stat().st_size > 2000, f
        assert Path(f).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"wrote {f}" in text
    return module, result, text


def correlate(x, k, pad_mode="edge"):
    """Reference cross-correlation, same size, with ``np.pad`` doing the border."""
    p = k.shape[0] // 2
    win = sliding_window_view(np.pad(x, p, mode=pad_mode), k.shape)
    return np.einsum("ijuv,uv->ij", win, k)


# ----------------------------------------------------------------- kernels (item 1)
def test_kernels_table_on_the_photo(tmp_path, capsys):
    mod, r, text = run("kernels", tmp_path, capsys)
    photo = mod.load_photo(small=True)
    assert r["photo_shape"] == (107, 160) and 0 <= photo.min() < photo.max() <= 1
    rgb = mod.load_photo(small=True, rgb=True)
    assert rgb.shape == (3, 107, 160)
    np.testing.assert_allclose(np.einsum("chw,c->hw", rgb, [0.299, 0.587, 0.114]), photo, atol=1e-12)
    assert list(r["results"]) == ["Identity", "Edge detection 1", "Edge detection 2", "Edge detection 3", "Sharpen",
                                  "Box blur", "Gaussian blur 3x3", "Gaussian blur 5x5", "Unsharp masking 5x5"]
    unsharp = mod.KERNELS["Unsharp masking 5x5"] * -256
    assert unsharp[2, 2] == -476 and unsharp[0, 0] == 1 and unsharp[1, 2] == 24
    for name, k in mod.KERNELS.items():  # independent reference: np.pad(mode="edge") + a window einsum
        np.testing.assert_allclose(r["results"][name], correlate(photo, k), atol=1e-12)
        assert r["sym_diffs"][name] < 1e-12  # every table kernel is unchanged by a half turn
    assert r["identity_diff"] < 1e-15
    assert abs(r["results"]["Gaussian blur 5x5"].mean() - photo.mean()) < 1e-2
    assert "| Unsharp masking 5x5 | 5x5" in text


def test_convolution_vs_cross_correlation(tmp_path, capsys):
    _, r, text = run("kernels", tmp_path, capsys)
    assert r["correlation"] == " + ".join(f"({i} * {c})" for i, c in zip(range(1, 10), "ABCDEFGHI"))
    assert r["convolution"] == " + ".join(f"({i} * {c})" for i, c in zip(range(1, 10), "IHGFEDCBA"))
    assert r["correlation"] in text and r["convolution"] in text
    # Sobel A..I = 1 0 -1 / 2 0 -2 / 1 0 -1: 1 - 3 + 8 - 12 + 7 - 9 = -8, and +8 flipped
    assert r["corr_value"] == -8 and r["conv_value"] == 8
    assert str(r["corr_expr"].subs({"A": 1, "B": 0, "C": -1, "D": 2, "E": 0, "F": -2, "G": 1, "H": 0, "I": -1})) == "-8"
    assert r["sobel_diff"] < 1e-12
    assert r["grad_A"] == {"x ⊗ w": 1.0, "x * w": 9.0}  # backward: the pixel that meets A


# ----------------------------------------------------------------- slide_cnn (item 2)
def test_slide_cnn_numbers(tmp_path, capsys):
    mod, r, text = run("slide_cnn", tmp_path, capsys)
    np.testing.assert_array_equal(r["stride1"][0], mod.SLIDE_FILTER1_MAP)  # seed 004's 4x4 map
    img, f1, f2 = (np.array(a, float) for a in (mod.IMAGE, mod.FILTER1, mod.FILTER2))
    win = sliding_window_view(img, (3, 3))
    for k, f in enumerate((f1, f2)):
        ref = np.einsum("ijuv,uv->ij", win, f)
        np.testing.assert_array_equal(r["stride1"][k], ref)
        np.testing.assert_array_equal(r["stride2"][k], ref[::2, ::2])
        np.testing.assert_array_equal(r["pooled"][k], ref.reshape(2, 2, 2, 2).max(axis=(1, 3)))
    # the lecture's stride-2 map of Filter 1 and its Filter 2 map
    np.testing.assert_array_equal(r["stride2"][0], [[3, -3], [-3, 0]])
    np.testing.assert_array_equal(r["stride1"][1], [[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]])
    assert "the top-left 3 of Filter 1 is one sum node over 9 products" in text


def test_slide_cnn_keras_summary(tmp_path, capsys):
    _, r, text = run("slide_cnn", tmp_path, capsys)
    assert r["keras_shapes"] == [(1, 25, 26, 26), (1, 25, 13, 13)]
    plain = r["summary"].replace(",", "")
    assert "250" in plain and "26" in plain and "13" in plain and r["summary"] in text
    # 250 + (25*9*50 + 50) + (1250*100 + 100) + (100*10 + 10)
    assert str(250 + 11300 + 125100 + 1010) in r["whole_summary"].replace(",", "")
    assert "11" in r["whole_summary"]  # the 11x11 maps of "What does CNN learn?"


# ----------------------------------------------------------------- stride_padding (item 3)
def test_output_size_quiz(tmp_path, capsys):
    _, r, text = run("stride_padding", tmp_path, capsys)
    assert r["quiz"] == {"size": (98, 130), "shape": (1, 9, 98, 130), "photo_shape": (1, 9, 87, 130)}
    assert "= 98" in text and "= 130" in text and "9 channels" in text
    assert r["sizes"] == {"seed 001: no padding": 5, "seed 001: zero padding": 7, "seed 000: no padding, stride=2": 3,
                          "seed 002: 128x128 image": 126, "seed 002: padding, stride 2": 64, "seed 000: dilation=2": 3}
    assert r["stride_diff"] < 1e-12


def test_padding_modes_and_dilation(tmp_path, capsys):
    _, r, text = run("stride_padding", tmp_path, capsys)
    g = np.arange(1.0, 10.0).reshape(3, 3)
    expected = {"zero": np.pad(g, 2), "constant 0.5": np.pad(g, 2, constant_values=0.5),
                "copy boundary": np.pad(g, 2, mode="edge"), "reflect": np.pad(g, 2, mode="reflect"),
                "circular": np.pad(g, 2, mode="wrap")}
    for label, want in expected.items():
        np.testing.assert_array_equal(r["padded"][label], want)
        assert label in text
    assert r["dilation"]["s11_inputs"] == ["x11", "x13", "x15", "x31", "x33", "x35", "x51", "x53", "x55"]
    assert r["dilation"]["diff"] < 1e-12
    assert "F 0 F 0 F" in text
    assert r["transposed"][1][0] == (5, 5) and r["transposed"][2][0] == (7, 7)  # seed 003: 3x3 -> 5x5
    assert r["transposed"][1][1] < 1e-12 and r["transposed"][2][1] < 1e-12


# ----------------------------------------------------------------- pooling (item 4)
def test_pooling_slide_numbers(tmp_path, capsys):
    mod, r, text = run("pooling", tmp_path, capsys)
    for title in mod.SEED001_MAPS:
        np.testing.assert_array_equal(r[title]["max"], [[4, 4], [2, 8]])
        assert r[title]["grad"].sum() == 4  # one selected input per window
    np.testing.assert_array_equal(r["feature map A"]["avg"], [[2, 3], [1, 6.25]])
    s = r["seed000"]
    np.testing.assert_array_equal(s["map"], mod.SEED000_MAP)
    np.testing.assert_array_equal(s["max"], [[3, 2, 3], [3, 2, 3], [3, 1, 3]])
    np.testing.assert_allclose(s["avg"], [[2.25, 1, 1.75], [2.25, 1.25, 2], [2, 1, 2]])
    assert s["tie_selected"] == "s11" and s["tensor_agrees"]
    assert s["max_grad"].sum() == 9 and s["max_grad"][1, 1] == 2  # s22 = 2 wins two windows
    np.testing.assert_allclose(s["avg_grad"], np.outer([1, 2, 2, 1], [1, 2, 2, 1]) / 4)
    assert "it selects s11 (the first maximum, as in PyTorch)" in text


# ----------------------------------------------------------------- fft_theorem (item 6)
def test_fft_equals_direct_and_timings(tmp_path, capsys):
    _, r, text = run("fft_theorem", tmp_path, capsys)
    assert r["max_diff"] < 1e-9
    assert [k for k, _, _ in r["timings"]] == [3, 9, 21]
    assert all(d > 0 and f > 0 for _, d, f in r["timings"])
    assert "largest difference" in text and "| 21x21" in text and "the FFT is faster from" in text


# ----------------------------------------------------------------- diffusion (item 10)
def test_diffusion_propagator_and_physics(tmp_path, capsys):
    mod, r, text = run("diffusion", tmp_path, capsys)
    e = math.exp
    assert r["Z"][1, 1] == pytest.approx(e(8) / (e(8) + 8 * e(-1)), rel=1e-12)
    assert r["Z"].sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(r["Z"], mod.SLIDE_Z, atol=2e-4)  # the slide's rounding, see the text
    assert "0.9992" in text and "0.9990" in text and "0.0001" in text
    for _, n, before, after, change, fourier in r["checks"]:
        assert n == 100 and float(change) < 1e-12 and float(fourier) < 1e-9
    measured, predicted = r["variance"]
    assert measured == pytest.approx(predicted, rel=1e-4)
    # the slow slide propagator barely blurs; the softer one spreads much more
    photo = r["photo"]
    assert np.abs(r["final"]["Z"] - photo).mean() < np.abs(r["final"]["Z4"] - photo).mean() / 5


# ----------------------------------------------------------------- the command line
@pytest.mark.parametrize("name", ["pooling", "slide_cnn"])
def test_runs_as_a_script(name, tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--small", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and any((tmp_path / "o").glob("*.png"))


def test_bad_arguments_are_refused(tmp_path, capsys):
    common = importlib.import_module("_common")
    with pytest.raises(SystemExit) as err:
        common.parse_args("x", ["--bogus"])
    assert err.value.code == 2 and "unrecognized arguments: --bogus" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(FileExistsError):
        common.parse_args("x", ["--out", str(blocker)])


# ----------------------------------------------------------------- the docs pages
DOCS = EXAMPLES.parent / "docs"
PAGES = ["kernels", "slide_cnn", "stride_padding", "pooling", "fft_theorem", "diffusion"]


@pytest.mark.parametrize("page", PAGES)
def test_docs_page_links_resolve(page):
    import re

    text = (DOCS / "examples" / f"{page}.md").read_text()
    assert "**Slide" in text and f"examples/{page}.py" in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images, "a page per example with its pictures"
    for link in images + re.findall(r"\]\((\.\./\.\./examples/[^)]+)\)", text):
        assert (DOCS / "examples" / link).resolve().is_file(), link


def test_examples_index_lists_every_script():
    index = (EXAMPLES / "README.md").read_text()
    for script in ["kernels", "slide_cnn", "stride_padding", "pooling", "backprop_slide", "fft_theorem",
                   "digits_cnn", "what_cnn_learns", "dcgan", "diffusion"]:
        assert f"[`{script}.py`]({script}.py)" in index


def test_api_page_generator():
    sys.path.insert(0, str(DOCS))
    gen = importlib.import_module("gen_api")
    text = gen.generate()
    for name in ["### class `mg.Value(data, name=None)`", "### `mg.scalar.conv2d(X, W, stride=1, padding=0",
                 "### `F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, "
                 "padding_mode='zeros')", "### class `nn.Conv2d(", "mg.optim.SGD"]:
        assert name in text, name
    assert "could not be imported" not in text
    assert gen.anchor("minigrad.nn.functional") == "minigradnnfunctional"


@pytest.mark.parametrize("page", ["index.md", "../examples/README.md"])
def test_index_links_resolve(page):
    """docs/index.md (linked from the README) and the examples index point at files that exist."""
    import re

    path = DOCS / page
    links = [link for link in re.findall(r"\]\(([^)#]+)\)", path.read_text()) if "://" not in link]
    assert len(links) >= 10
    missing = [link for link in links if not (path.parent / link).resolve().exists()]
    assert not missing, missing


# ----------------------------------------------------------------- PyTorch as the oracle (when installed)
def test_slide_numbers_against_torch(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    t = lambda a: torch.tensor(np.asarray(a, dtype=np.float64))  # noqa: E731

    _, pool, _ = run("pooling", tmp_path, capsys)  # seed 000's map: overlapping windows with ties
    s = pool["seed000"]
    for kind, fn in (("max", tF.max_pool2d), ("avg", tF.avg_pool2d)):
        x = t(s["map"])[None, None].requires_grad_()
        y = fn(x, 2, 1)
        y.sum().backward()
        np.testing.assert_allclose(y.detach().numpy()[0, 0], s[kind])
        np.testing.assert_allclose(x.grad.numpy()[0, 0], s[f"{kind}_grad"])  # PyTorch's tie rule too

    mod, cnn, _ = run("slide_cnn", tmp_path, capsys)
    w = t([mod.FILTER1, mod.FILTER2])[:, None]
    for stride in (1, 2):
        np.testing.assert_array_equal(tF.conv2d(t(mod.IMAGE)[None, None], w, stride=stride).numpy()[0],
                                      cnn[f"stride{stride}"])

    kmod, ker, _ = run("kernels", tmp_path, capsys)
    photo = t(kmod.load_photo(small=True))[None, None]
    for name in ("Edge detection 1", "Gaussian blur 5x5", "Unsharp masking 5x5"):
        k = kmod.KERNELS[name]
        ref = tF.conv2d(tF.pad(photo, (k.shape[0] // 2,) * 4, mode="replicate"), t(k)[None, None])
        np.testing.assert_allclose(ker["results"][name], ref.numpy()[0, 0], atol=1e-12)

    dmod, diff, _ = run("diffusion", tmp_path, capsys)
    np.testing.assert_allclose(diff["Z"], torch.softmax(t(dmod.KERNEL).flatten(), 0).reshape(3, 3).numpy(),
                               rtol=1e-12)
