"""Small data sets shipped inside the package, so the demo and the examples run offline on
minigrad's own dependencies.

``load_digits()``: scikit-learn's 8x8 handwritten digits (BSD-3-Clause, see ``LICENSE`` beside
``digits.npz``), the same 1,797 images in the same order as ``sklearn.datasets.load_digits()``.
"""
from __future__ import annotations

from importlib import resources
from typing import NamedTuple

import numpy as np


class Digits(NamedTuple):
    """The digits: ``images`` (1797, 8, 8) uint8 in 0..16, ``labels`` (1797,) int64 in 0..9,
    and the fixed stratified split as index arrays ``train`` (1,437) and ``test`` (360)."""

    images: np.ndarray
    labels: np.ndarray
    train: np.ndarray
    test: np.ndarray


def load_digits() -> Digits:
    """scikit-learn's 8x8 digits, read from the package's ``digits.npz`` (49 kB, no download).

    ``images`` equal ``sklearn.datasets.load_digits().images`` (which are floats 0..16) element
    for element, in the same order. ``train``/``test`` are the indices that
    ``sklearn.model_selection.train_test_split(test_size=0.2, stratify=labels, random_state=0)``
    draws, in the order it returns them: every digit is in both parts, about 36 per digit in test.
    """
    with resources.files(__name__).joinpath("digits.npz").open("rb") as fh, np.load(fh) as z:
        return Digits(images=z["images"], labels=z["labels"].astype(np.int64),
                      train=z["train"].astype(np.intp), test=z["test"].astype(np.intp))
