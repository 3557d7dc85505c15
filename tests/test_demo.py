"""`minigrad demo` on minigrad's own dependencies: the shipped digits and the whole demo run."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minigrad.datasets import load_digits
from minigrad.demo import digits

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_digits_are_scikit_learns_in_the_same_order():
    sk = pytest.importorskip("sklearn.datasets").load_digits()
    split = pytest.importorskip("sklearn.model_selection").train_test_split
    ours = load_digits()
    np.testing.assert_array_equal(ours.images, sk.images)
    np.testing.assert_array_equal(ours.labels, sk.target)
    train, test = split(np.arange(len(sk.target)), test_size=0.2, random_state=0, stratify=sk.target)
    np.testing.assert_array_equal(ours.train, train)
    np.testing.assert_array_equal(ours.test, test)


def test_digits_data_is_the_stratified_split_in_0_1():
    xtr, ytr, xte, yte = digits.load_data()
    assert xtr.shape == (1437, 1, 8, 8) and xte.shape == (360, 1, 8, 8)
    assert xtr.dtype == np.float32 and xtr.min() == 0 and xtr.max() == 1
    per_digit = np.bincount(np.concatenate([ytr, yte]))
    assert np.abs(np.bincount(yte) - per_digit / 5).max() < 1  # stratified: a fifth of each digit in test


def test_the_licence_ships_beside_the_digits():
    licence = (ROOT / "minigrad" / "datasets" / "LICENSE").read_text()
    assert "BSD 3-Clause License" in licence and "scikit-learn developers" in licence


@pytest.mark.slow
def test_demo_runs_whole_with_scikit_learn_blocked(tmp_path):
    """The slide and the training part, with any `import sklearn` failing as in a bare venv."""
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "from minigrad.cli import main\n"
            f"sys.exit(main(['demo', '--out', {str(tmp_path)!r}]))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "== The backprop slide (seed 000) ==" in run.stdout
    assert "diagnosis: max-pool gating ignored" in run.stdout        # the slide's max case, explained
    assert "Total params: 6,186" in run.stdout and "after 3 epochs" in run.stdout
    assert (tmp_path / "digits_cnn" / "digits_cnn.npz").stat().st_size > 1000
    assert (tmp_path / "backprop_stepper.html").stat().st_size > 1000
