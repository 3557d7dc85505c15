"""Node labels: the names ``mg.derive`` prints (``s11``, ``mul1``), what a node computes
(``x11*w11``), and numbers formatted for a drawing."""
from __future__ import annotations

import numpy as np

from ..naming import display_names, format_number, forward_text, op_word  # noqa: F401 (forward_text: re-exported)
from ..tensor import Tensor

def auto_labels(order, roots) -> list:
    """Every node's label: the names ``mg.derive`` uses (``s11``, and ``mul1, sum2, ...`` for
    unnamed interior nodes, in the same order), so the diagram, the stepper and the derivation
    text agree; an unnamed constant shows its value; an unnamed tensor leaf ``param``/``const``."""
    if any(isinstance(r, Tensor) for r in roots):
        return _tensor_labels(order)
    names = display_names(*roots)
    labels = []
    for n in order:
        name = names.get(n)
        if name is None:
            if isinstance(n, Tensor):
                name = "param" if n.requires_grad else "const"
            else:
                name = format_number(n.data)
        labels.append(name)
    return labels


def _tensor_labels(order) -> list:
    """Tensor nodes: the name, else the op word and a running number (``matmul1``, ``relu1``)."""
    labels, counts = [], {}
    for n in order:
        if n.name:
            labels.append(n.name)
        elif not n.parents:
            labels.append("param" if n.requires_grad else "const")
        else:
            word = op_word(n)
            counts[word] = counts.get(word, 0) + 1
            labels.append(f"{word}{counts[word]}")
    return labels


def fmt(x) -> str:
    """A number (or a small array) for a label: 4 significant digits, no trailing noise."""
    if x is None:
        return "-"
    if isinstance(x, np.ndarray):
        if x.size <= 4:
            return np.array2string(x.reshape(-1) if x.ndim > 1 else x, precision=3, separator=", ",
                                   suppress_small=True) if x.ndim else fmt(float(x))
        return f"mean {float(np.mean(x)):.3g}, |max| {float(np.max(np.abs(x))):.3g}"
    if isinstance(x, tuple):
        lo, hi = x
        return fmt(lo) if lo == hi else f"{fmt(lo)} … {fmt(hi)}"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v == 0:
        return "0"
    return f"{v:.4g}"
