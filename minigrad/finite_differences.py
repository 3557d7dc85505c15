"""``mg.gradcheck``: reverse mode against central differences, ``(f(x+ε) - f(x-ε)) / 2ε``.

For every element of every input that requires grad (Tensors) and every input Value, the
analytic gradient from ``backward`` is compared with the central difference of the output.
Outputs with up to ``_FULL_JACOBIAN`` elements are checked row by row (one backward pass per
output element, the whole Jacobian); larger outputs through one fixed random projection
``v · fn(x)`` (like PyTorch's fast mode), which a wrong gradient fails with probability 1.
"""
from __future__ import annotations


import numpy as np

from ._checks import fail, number, type_name
from .engine import adjoints, no_grad, topological_order
from .tensor import Tensor
from .value import MUL, Value, _const, _node, sum_node

_FULL_JACOBIAN = 64


class GradcheckError(AssertionError):
    """A gradient that disagrees with central differences; names input, index and both values."""

    def __init__(self, message, input_index=None, input_name=None, index=None, output_index=None,
                 analytic=None, numeric=None):
        super().__init__(message)
        self.input_index, self.input_name, self.index = input_index, input_name, index
        self.output_index, self.analytic, self.numeric = output_index, analytic, numeric


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3) -> bool:
    """True when ``fn(*inputs)``'s reverse-mode gradients match central differences
    ``(f(x+eps) - f(x-eps)) / (2 eps)`` within ``atol + rtol * |numeric|``, element by element;
    else raises ``GradcheckError`` naming the input, the element, the analytic and numeric value.

    ``inputs``: a Tensor, a Value, or a tuple/list of them (other items are passed through).
    Tensors must be float64 (float32 central differences lose half the digits). ``fn`` returns a
    Tensor, a Value, or a grid (object array) of Values.
    """
    if not callable(fn):
        fail("gradcheck", f"fn must be callable, got {type_name(fn)}", TypeError)
    eps = number("gradcheck", "eps", eps, minimum=0)
    atol = number("gradcheck", "atol", atol, minimum=0)
    rtol = number("gradcheck", "rtol", rtol, minimum=0)
    if eps == 0:
        fail("gradcheck", "eps must be > 0")
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    checked = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            if not x.requires_grad:
                continue
            if x.dtype != np.float64:
                fail("gradcheck", f"input {i}{_label(x)} has dtype {x.dtype}; gradcheck needs float64 "
                     f"(central differences in {x.dtype} lose about half the digits): "
                     "build it with dtype=float64")
            if x.parents:
                fail("gradcheck", f"input {i}{_label(x)} is not a leaf (op {x.op!r}); pass leaf tensors")
            checked.append((i, x))
        elif isinstance(x, Value):
            checked.append((i, x))
    if not checked:
        fail("gradcheck", "no input requires grad: pass Tensors with requires_grad=True or Values")

    out = _outputs("gradcheck", fn(*inputs))
    size = out["size"]
    rows = [np.eye(size)[k] for k in range(size)] if size <= _FULL_JACOBIAN else \
        [np.random.default_rng(0).standard_normal(size)]
    roots = [out["node"]] if out["kind"] == "tensor" else out["node"]
    saved = {id(n): (n, n.grad) for r in roots for n in topological_order(r) if not n.parents}
    saved.update({id(x): (x, x.grad) for _, x in checked})
    try:
        analytic = [_analytic(out, checked, r) for r in rows]
    finally:
        for x, g in saved.values():  # the user's leaves keep their grads
            x.grad = g
    for (i, x), *per_row in zip(checked, *analytic):
        numeric = _numeric(fn, inputs, x, rows, eps)
        for r, (a, n) in enumerate(zip(per_row, numeric)):
            bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
            if np.any(bad):
                k = np.unravel_index(int(np.argmax(bad)), np.shape(a)) if np.ndim(a) else ()
                av, nv = float(np.asarray(a)[k]), float(np.asarray(n)[k])
                if size == 1:
                    where = ""
                elif len(rows) > 1:
                    where = f" of output element {tuple(int(j) for j in np.unravel_index(r, out['shape']))}"
                else:
                    where = " of a fixed random projection of the output"
                at = f" at index {tuple(int(j) for j in k)}" if isinstance(x, Tensor) else ""
                raise GradcheckError(
                    f"gradcheck: gradient mismatch for input {i}{_label(x)}{at}"
                    f"{where}: analytic {av:.10g} vs numeric {nv:.10g} "
                    f"(|difference| {abs(av - nv):.3g} > atol {atol:g} + rtol {rtol:g} * |numeric|)",
                    i, x.name, tuple(int(j) for j in k), r, av, nv)
    return True


def _label(x):
    return f" ({x.name!r})" if x.name else ""


def _outputs(fn_name, y) -> dict:
    """The output as a flat list of nodes plus its shape: a Tensor, a Value or a grid of Values."""
    if isinstance(y, Tensor):
        if not y.requires_grad:
            fail(fn_name, f"fn's output (shape {y.shape}) does not require grad: it does not depend on the inputs")
        if y.dtype != np.float64:
            fail(fn_name, f"fn's output has dtype {y.dtype}; gradcheck needs float64")
        return {"kind": "tensor", "node": y, "shape": y.shape, "size": y.data.size}
    if isinstance(y, Value):
        return {"kind": "values", "node": [y], "shape": (), "size": 1}
    arr = np.asarray(y, dtype=object) if isinstance(y, (list, tuple, np.ndarray)) else None
    if arr is None or arr.size == 0 or not all(isinstance(v, Value) for v in arr.ravel()):
        fail(fn_name, f"fn must return a Tensor, a Value or a grid of Values, got {type_name(y)}", TypeError)
    return {"kind": "values", "node": list(arr.ravel()), "shape": arr.shape, "size": arr.size}


def _value_of(out) -> np.ndarray:
    """The output's numbers, flat: a copy (an output may be a view of the input being perturbed)."""
    if isinstance(out, Tensor):
        return np.array(out.data, dtype=np.float64).ravel()
    if isinstance(out, Value):
        return np.array([out.data])
    arr = np.asarray(out, dtype=object).ravel()
    return np.array([v.data for v in arr], dtype=np.float64)


def _analytic(out, checked, row) -> list:
    """d(row · output)/d(each checked input), by the engine: one reverse pass, grads untouched."""
    xs = [x for _, x in checked]
    if out["kind"] == "tensor":
        y = out["node"]
        with np.errstate(all="ignore"):
            adj = adjoints(y, row.reshape(y.shape).astype(y.dtype), targets=xs) if y.requires_grad else {}
    else:  # a weighted sum node over the outputs: Σ row_k * y_k
        terms = [_node(v.data * float(w), (v, _const(float(w), "gradcheck")), MUL)
                 for w, v in zip(row, out["node"]) if w != 0]
        adj = adjoints(sum_node(tuple(terms)), 1.0, targets=xs) if terms else {}
    grads = []
    for x in xs:
        g = adj.get(x)
        if isinstance(x, Tensor):
            grads.append(np.zeros(x.shape) if g is None else np.array(g, dtype=np.float64))
        else:
            grads.append(np.float64(0.0 if g is None else g))
    return grads


def _numeric(fn, inputs, x, rows, eps) -> list:
    """Central differences of row · fn(inputs) for every element of ``x``, one array per row."""
    R = np.stack(rows)
    if isinstance(x, Value):
        orig = x.data
        try:
            x.data = orig + eps
            plus = _value_of(fn(*inputs))
            x.data = orig - eps
            minus = _value_of(fn(*inputs))
        finally:
            x.data = orig
        d = R @ ((plus - minus) / (2 * eps))
        return [np.float64(v) for v in d]
    result = np.zeros((len(rows),) + x.shape)
    data = x.data
    with no_grad():
        for idx in np.ndindex(*x.shape):
            orig = data[idx]
            try:
                data[idx] = orig + eps
                plus = _value_of(fn(*inputs))
                data[idx] = orig - eps
                minus = _value_of(fn(*inputs))
            finally:
                data[idx] = orig
            result[(slice(None),) + idx] = R @ ((plus - minus) / (2 * eps))
    return list(result)


__all__ = ["gradcheck", "GradcheckError"]

