"""The training examples (digits CNN, what the CNN learns, DCGAN) run small and write their pictures."""
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import dcgan  # noqa: E402
import digits_cnn  # noqa: E402
import what_cnn_learns  # noqa: E402

import minigrad as mg  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """digits_cnn.py --quick: 3 epochs, pictures and the saved model in a temporary out/."""
    out = tmp_path_factory.mktemp("out")
    result = digits_cnn.main(["--quick", "--out", str(out), "--no-progress"])
    return out, result


def test_digits_cnn_quick_learns_and_writes(trained):
    out, r = trained
    assert r["epochs"] == 3
    assert r["test_acc"] > 0.9  # 3 epochs already reach ~97 %; the full 20 reach ~99 %
    assert r["history"]["train_loss"][-1] < r["history"]["train_loss"][0]
    for name in ("curves.png", "filters.png", "feature_maps.png", "predictions.png", "digits_cnn.npz"):
        path = out / "digits_cnn" / name
        assert path.exists() and path.stat().st_size > 1000, name


def test_saved_digits_model_reloads_to_the_same_predictions(trained):
    out, r = trained
    xtr, ytr, xte, yte = digits_cnn.load_data()
    model = digits_cnn.build_model().load(out / "digits_cnn" / "digits_cnn.npz")
    acc = digits_cnn.evaluate(model, xte, yte)[1]
    assert acc == pytest.approx(r["test_acc"])


def test_what_cnn_learns_small_raises_every_activation(trained):
    out, _ = trained
    r = what_cnn_learns.main(["--small", "--out", str(out)])
    for name in ("conv1", "conv2"):
        x, a0, a1 = r["results"][name]
        assert np.all(a1 > a0), name  # gradient ascent raised every filter's a^k = Σ a_ij^k
        assert x.min() >= 0 and x.max() <= 1
    np.testing.assert_array_equal(r["predicted"], np.arange(10))  # y_c's maximiser is classified as c
    for name in ("conv1_filters.png", "conv2_filters.png", "classes.png"):
        assert (out / "what_cnn_learns" / name).stat().st_size > 1000


def test_activation_degree_is_the_sum_of_channel_k():
    """a^k = Σ_ij a_ij^k of image k's channel k, and ∂a^k/∂x reaches only image k."""
    a = mg.tensor(np.arange(2 * 2 * 3 * 3, dtype=float).reshape(2, 2, 3, 3), requires_grad=True)
    deg = what_cnn_learns.activation_degree(lambda x: x * 1.0, a)
    np.testing.assert_allclose(deg.data, [a.data[0, 0].sum(), a.data[1, 1].sum()])
    deg.sum().backward()
    np.testing.assert_array_equal(a.grad[0, 0], 1), np.testing.assert_array_equal(a.grad[0, 1], 0)


def test_dcgan_architecture_follows_the_slide():
    g, d = dcgan.generator(), dcgan.discriminator()
    kinds_g = [type(m).__name__ for m in g]
    kinds_d = [type(m).__name__ for m in d]
    assert "MaxPool2d" not in kinds_g + kinds_d and "Linear" not in kinds_g + kinds_d
    assert kinds_g.count("ConvTranspose2d") == 3 and kinds_g[-1] == "Tanh" and "ReLU" in kinds_g
    assert "BatchNorm2d" in kinds_g and "BatchNorm2d" in kinds_d and "ReLU" not in kinds_d
    assert all(m.stride == (2, 2) for m in d if type(m).__name__ == "Conv2d" and m.kernel_size == (4, 4))
    assert kinds_d.count("LeakyReLU") == 2
    g.eval(), d.eval()
    with mg.no_grad():
        fake = g(mg.randn(5, dcgan.NZ, 1, 1, dtype=np.float32))
        assert fake.shape == (5, 1, 8, 8) and np.abs(fake.data).max() <= 1
        assert d(fake).shape == (5,)


@pytest.mark.slow
def test_dcgan_small_runs_and_writes(tmp_path):
    r = dcgan.main(["--small", "--out", str(tmp_path), "--no-progress"])
    assert np.isfinite(r["history"]["d_loss"]).all() and np.isfinite(r["history"]["g_loss"]).all()
    assert r["samples"].shape == (64, 1, 8, 8)
    for name in ("samples.png", "real.png", "progress.png", "generator.npz"):
        assert (tmp_path / "dcgan" / name).stat().st_size > 500, name
