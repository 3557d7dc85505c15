"""``mg.scalar.expand``: a Tensor's computation rebuilt at scalar granularity, one Value per number.

The tensor graph is walked in the engine's topological order; each tensor node becomes an
object array of Values built with the same op at scalar level: a convolution output is ONE
``sum`` node over one ``*`` node per kernel tap (plus the bias), a max-pool output ONE n-ary
``max`` node over its window, a linear output ONE ``sum`` over ``x·w`` products and the bias,
elementwise ops map Value's operators, reshapes and indexing only move Values around. Leaves
are named after the tensors: ``x11`` for a small 2-D tensor named ``x``, ``x[n,c,i,j]``
otherwise (1-based, see ``element_name``); unnamed leaves that require grad are named ``t1,
t2, ...`` in topological order, other unnamed leaves are constants. A named interior tensor
(``s.name = "s"``) names the nodes it adds the same way. Values equal the tensor's
and, after ``backward``, the leaves' grads equal the tensors' grads element by element.
"""
from __future__ import annotations

import numpy as np

from .._checks import fail
from ..engine import topological_order
from ..tensor import Tensor
from ..value import Value, _const, max_node, sum_node
from .grid import element_name

_FN = "scalar.expand"


def expand(tensor):
    """The scalar graph of ``tensor``: a grid of Values of its shape (a Value for a 0-d tensor)."""
    out, _ = expand_graph(tensor)
    return out


def expand_graph(tensor):
    """``(expanded output, {id(tensor node): object array of Values})`` for every node."""
    if not isinstance(tensor, Tensor):
        fail(_FN, f"tensor must be a Tensor, got {type(tensor).__name__}", TypeError)
    grids, auto = {}, 0
    for t in topological_order(tensor):
        if not t.parents:
            name = t.name
            if name is None and t.requires_grad:
                auto += 1
                name = f"t{auto}"
            g = _leaf(t.data, name)
        else:
            rule = RULES.get(t.op)
            if rule is None:
                fail(_FN, f"cannot expand op {t.op!r} (output shape {t.shape}) to scalars; "
                     f"expandable ops: {', '.join(sorted(RULES))}")
            g = np.asarray(rule(t, *[grids[id(p)] for p in t.parents]), dtype=object)
            if g.shape != t.shape:
                fail(_FN, f"internal error: op {t.op!r} expanded to shape {g.shape}, expected {t.shape}",
                     RuntimeError)
            if t.name:  # a named interior tensor names its new nodes: s[1,1,1,1], or loss
                for idx, v in np.ndenumerate(g):
                    if v.name is None and v.parents:
                        v.name = element_name(t.name, idx, t.shape) if t.ndim else t.name
        grids[id(t)] = g
    out = grids[id(tensor)]
    return (out[()] if out.ndim == 0 else out), grids


def _leaf(data, name):
    out = np.empty(data.shape, dtype=object)
    for idx, x in np.ndenumerate(data):
        if name is None:
            out[idx] = _const(float(x), "expand")
        else:
            out[idx] = Value(float(x), element_name(name, idx, data.shape) if data.ndim else name)
    return out


def _obj(v):
    """A Value as a 0-d object array (np.asarray would try to iterate it)."""
    a = np.empty((), dtype=object)
    a[()] = v
    return a


def _map(f, *arrays):
    """``f`` applied element by element with NumPy broadcasting, always an object array."""
    out = np.frompyfunc(f, len(arrays), 1)(*arrays)
    return out if isinstance(out, np.ndarray) else _obj(out)


def _rows(P, f):
    """``f(tuple(row))`` for every row along the last axis of ``P``: shape ``P.shape[:-1]``."""
    out = np.empty(P.shape[:-1], dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = f(tuple(P[idx]))
    return out


def _reduce(A, axes, f):
    """``f(window)`` over ``axes`` (None: all) of ``A``; the reduced axes are dropped."""
    axes = tuple(range(A.ndim)) if axes is None else tuple(a % A.ndim for a in axes)
    rest = [a for a in range(A.ndim) if a not in axes]
    P = A.transpose(rest + list(axes))
    return _rows(P.reshape(P.shape[:len(rest)] + (-1,)), f)


def _sum(values):
    return values[0] if len(values) == 1 else sum_node(values)


# ------------------------------------------------------------------ elementwise
def _scale(v, c):
    return v * float(c)


def _abs(v):
    return v.relu() + (-v).relu()  # |x|, d/dx = sign(x), 0 at 0 like PyTorch


def _mean(t, A):
    count = A.size // max(t.data.size, 1)  # Σ over the window, then one * node by 1/count
    return _map(lambda s: s * (1.0 / count), _reduce(A, t._ctx[0], sum_node)).reshape(t.shape)


def _getitem(t, A):
    picked = A[t._ctx[0]]
    return picked if isinstance(picked, np.ndarray) else _obj(picked)


def _clip(t, A):
    lo, hi = t._ctx  # d/dx = 1 where lo <= x <= hi: max/min ties go to x, the first input

    def f(v):
        if lo is not None:
            v = max_node((v, _const(float(lo), "clip")))
        if hi is not None:
            v = -max_node((-v, _const(-float(hi), "clip")))
        return v
    return _map(f, A)


def _extreme(t, A, sign):
    axes, keepdims, mask = t._ctx
    if mask is None:
        mask = np.ones(A.shape)  # not needed for the values; any weights do
    M = np.asarray(mask, dtype=float)
    W = _reduce(np.asarray(M, dtype=object), axes, tuple)

    def pick(window, weights):
        if sum(1 for w in weights if w) <= 1:  # one winner: an n-ary max node (ties: the first)
            return max_node(window) if sign > 0 else -max_node(tuple(-v for v in window))
        return sum_node(tuple(v * float(w) for v, w in zip(window, weights) if w))  # a tie split evenly
    windows = _reduce(A, axes, tuple)
    return _map(pick, windows, W).reshape(t.shape)


def _matmul(t, A, B):
    a = A[None, :] if A.ndim == 1 else A
    b = B[:, None] if B.ndim == 1 else B
    P = _map(lambda x, y: x * y, a[..., :, :, None], b[..., None, :, :])   # (..., M, K, N)
    return _rows(np.moveaxis(P, -2, -1), _sum).reshape(t.shape)


def _linear(t, X, W, b=None):
    P = _map(lambda x, w: x * w, X[..., None, :], W)                        # (..., out, in)
    if b is None:
        return _rows(P, _sum)
    B = np.broadcast_to(b, P.shape[:-1])
    out = np.empty(P.shape[:-1], dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = sum_node(tuple(P[idx]) + (B[idx],))  # one neuron: Σ x·w + b
    return out


def _shifted(t, A):
    """A minus its row maximum along the softmax axis, as a constant (softmax does not change
    under a shift, and e^x never overflows), like the tensor op: logits of 1e3 stay finite."""
    M = np.max(np.frompyfunc(lambda v: v.data, 1, 1)(A).astype(float), axis=t._ctx, keepdims=True)
    return _map(lambda v, m: v - float(m), A, M)


def _softmax(t, A):
    E = _map(lambda v: v.exp(), _shifted(t, A))
    S = np.expand_dims(_reduce(E, (t._ctx,), sum_node), t._ctx)
    return _map(lambda e, s: e / s, E, S)


def _log_softmax(t, A):
    A = _shifted(t, A)
    E = _map(lambda v: v.exp(), A)
    L = np.expand_dims(_map(lambda s: s.log(), _reduce(E, (t._ctx,), sum_node)), t._ctx)
    return _map(lambda v, lse: v - lse, A, L)


def _nll_loss(t, A):
    target, coef, reduction, denom = t._ctx
    X = A[None] if A.ndim == 1 else A
    losses = np.empty(target.shape, dtype=object)
    for idx in np.ndindex(*target.shape):
        v = X[(idx[0], int(target[idx])) + idx[1:]]
        losses[idx] = v * -float(coef[idx])
    if reduction == "none":
        return losses.reshape(t.shape)
    s = sum_node(tuple(losses.ravel()))
    return _obj(s if denom is None else s * (1.0 / float(denom)))


def _bce(t, P, T):
    """-(y log p + (1-y) log(1-p)), each log clamped at -100 like PyTorch (a max node)."""
    def clamped_log(v):
        return max_node((v.log(), _const(-100.0, "bce")))
    return _map(lambda p, y: -(y * clamped_log(p) + (1 - y) * clamped_log(1 - p)), P, T)


def _bce_logits(t, Z, T):
    pos_weight = t._ctx[2]

    def f(z, y):
        # softplus(-z) = log(1 + e^-z) = relu(-z) + log(1 + e^-|z|): finite for any z
        softplus = (-z).relu() + ((-_abs(z)).exp() + 1).log()
        weight = 1 if pos_weight is None else 1 + (float(pos_weight) - 1) * y
        return (1 - y) * z + weight * softplus
    if pos_weight is not None and np.ndim(pos_weight):
        fail(_FN, "bce_with_logits with a per-class pos_weight cannot be expanded yet")
    return _map(f, Z, T)


# ------------------------------------------------------------------ convolution and pooling
def _conv(X, Wt, bias, stride, dilation, pads, groups, unbatched, out_shape):
    """out[n,o,i,j] = Σ_{c,u,v} x[n, c, i·sh + u·dh − pt, j·sw + v·dw − pl] · w[o,c,u,v] (+ b[o]):
    one ``sum`` node over one ``*`` node per tap inside the input (padding taps add nothing)."""
    X = X[None] if unbatched else X
    N, C, H, Wd = X.shape
    O, Cg, kh, kw = Wt.shape
    (sh, sw), (dh, dw), (pt, _, pl, _) = stride, dilation, pads
    Ho, Wo = out_shape[-2:]
    og = O // groups
    out = np.empty((N, O, Ho, Wo), dtype=object)
    for n, o, i, j in np.ndindex(N, O, Ho, Wo):
        taps = []
        c0 = (o // og) * Cg
        for c in range(Cg):
            for u in range(kh):
                r = i * sh + u * dh - pt
                if 0 <= r < H:
                    for v in range(kw):
                        q = j * sw + v * dw - pl
                        if 0 <= q < Wd:
                            taps.append(X[n, c0 + c, r, q] * Wt[o, c, u, v])
        if bias is not None:
            taps.append(bias[o])
        out[n, o, i, j] = sum_node(tuple(taps)) if taps else _const(0.0, "expand")
    return out[0] if unbatched else out


def _conv2d(t, X, Wt, b=None):
    c = t._ctx
    if c.flip:
        Wt = Wt[:, :, ::-1, ::-1]
    return _conv(X, Wt, b, c.stride, c.dilation, c.padding, c.groups, c.unbatched, t.shape)


def _fft_conv2d(t, X, Wt, b=None):
    c = t._ctx
    return _conv(X, Wt, b, (1, 1), (1, 1), c.padding, 1, c.unbatched, t.shape)


def _conv_transpose2d(t, X, Wt, bias=None):
    """out[n, co, a, b] = Σ x[n, ci, i, j] · w[ci, co, u, v] over a = i·sh + u·dh − pt, b = j·sw + v·dw − pl
    (+ b[co]): every input pixel scatters a copy of the kernel; one ``sum`` node per output."""
    c = t._ctx
    X = X[None] if c.unbatched else X
    N, Cin, H, Wd = X.shape
    _, cog, kh, kw = Wt.shape
    (sh, sw), (dh, dw), (pt, _, pl, _) = c.stride, c.dilation, c.padding
    shape = (N,) + t.shape[-3:]
    cig = Cin // c.groups
    taps = {}
    for n, ci, i, j in np.ndindex(N, Cin, H, Wd):
        g = ci // cig
        for co, u, v in np.ndindex(cog, kh, kw):
            a, b = i * sh + u * dh - pt, j * sw + v * dw - pl
            if 0 <= a < shape[2] and 0 <= b < shape[3]:
                taps.setdefault((n, g * cog + co, a, b), []).append(X[n, ci, i, j] * Wt[ci, co, u, v])
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        parts = taps.get(idx, []) + ([bias[idx[1]]] if bias is not None else [])
        out[idx] = sum_node(tuple(parts)) if parts else _const(0.0, "expand")
    return out[0] if c.unbatched else out


def _batch_norm(t, X, *affine):
    """y = (x − μ) / √(σ² + eps) · γ + β per channel (axis 1). Training: μ and the biased σ² are
    sum nodes over the batch, so the gradient flows through them; eval: the running statistics
    are constants (the op keeps μ and eps in its context)."""
    xhat, invstd, training, has_w, has_b, axes, bshape, mean, eps = t._ctx
    gamma = affine[0] if has_w else None
    beta = affine[-1] if has_b else None
    out = np.empty(t.shape, dtype=object)
    for ch in range(t.shape[1]):
        sel = (slice(None), ch)
        xs = X[sel]
        inv = float(np.asarray(invstd).reshape(-1)[ch])
        if training:
            n = xs.size
            mu = sum_node(tuple(xs.ravel())) * (1.0 / n)
            d = _map(lambda v: v - mu, xs)
            var = sum_node(tuple(v * v for v in d.ravel())) * (1.0 / n)
            scale = (var + float(eps)) ** -0.5
            y = _map(lambda v: v * scale, d)
        else:  # x̂ = (x − μ) · invstd with the running μ and invstd as constants
            mu_c = float(np.asarray(mean).reshape(-1)[ch])
            y = _map(lambda v: (v - mu_c) * inv, xs)
        if gamma is not None:
            y = _map(lambda v: v * gamma[ch], y)
        if beta is not None:
            y = _map(lambda v: v + beta[ch], y)
        out[sel] = y
    return out


def _pow(t, A, B):
    base = np.asarray(t.parents[0].data)
    if np.any(base <= 0):
        fail(_FN, f"pow with a tensor exponent expands as exp(b·log a), which needs a > 0; "
             f"the base has {int(np.sum(base <= 0))} elements <= 0 (shape {base.shape})")
    return _map(lambda a, b: (b * a.log()).exp(), A, B)


def _windows(t, A, dilation):
    """For each pooling output, the Values of its window that lie inside the input (row-major)."""
    c = t._ctx
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = c.kernel_size, c.stride, c.padding, dilation
    H, Wd = A.shape[-2:]
    Ho, Wo = t.shape[-2:]
    for lead in np.ndindex(*A.shape[:-2]):
        for i, j in np.ndindex(Ho, Wo):
            win = tuple(A[lead + (r, q)] for u in range(kh) for v in range(kw)
                        for r, q in [(i * sh + u * dh - ph, j * sw + v * dw - pw)] if 0 <= r < H and 0 <= q < Wd)
            yield lead + (i, j), win


def _max_pool2d(t, A):
    out = np.empty(t.shape, dtype=object)
    for idx, win in _windows(t, A, t._ctx.dilation):
        out[idx] = max_node(win)  # ties: the first maximum, like PyTorch and the tensor op
    return out


def _avg_pool2d(t, A):
    divisor = np.broadcast_to(np.asarray(t._ctx.divisor, dtype=float), t.shape[-2:])
    out = np.empty(t.shape, dtype=object)
    for idx, win in _windows(t, A, (1, 1)):
        out[idx] = sum_node(win) * (1.0 / float(divisor[idx[-2:]]))
    return out


def _pad(t, A):
    c = t._ctx
    fill = _const(float(c.value or 0.0), "pad")
    for axis, _, index in c.axes:
        B = np.take(A, np.where(index >= 0, index, 0), axis=axis)
        outside = np.nonzero(index < 0)[0]
        if outside.size:
            sl = [slice(None)] * B.ndim
            sl[axis] = outside
            B[tuple(sl)] = fill
        A = B
    return A


def _dropout(t, A):
    return _map(_scale, A, np.asarray(t._ctx, dtype=float))


RULES = {
    "+": lambda t, a, b: _map(lambda x, y: x + y, a, b),
    "-": lambda t, a, b: _map(lambda x, y: x - y, a, b),
    "*": lambda t, a, b: _map(lambda x, y: x * y, a, b),
    "/": lambda t, a, b: _map(lambda x, y: x / y, a, b),
    "neg": lambda t, a: _map(lambda x: -x, a),
    "**": lambda t, a: _map(lambda x: x ** t._ctx, a),
    "exp": lambda t, a: _map(lambda x: x.exp(), a),
    "log": lambda t, a: _map(lambda x: x.log(), a),
    "sqrt": lambda t, a: _map(lambda x: x ** 0.5, a),
    "abs": lambda t, a: _map(_abs, a),
    "tanh": lambda t, a: _map(lambda x: x.tanh(), a),
    "sigmoid": lambda t, a: _map(lambda x: x.sigmoid(), a),
    "relu": lambda t, a: _map(lambda x: x.relu(), a),
    "leaky_relu": lambda t, a: _map(lambda x: x.leaky_relu(t._ctx), a),
    "clip": _clip,
    "sum": lambda t, a: _reduce(a, t._ctx[0], sum_node).reshape(t.shape),
    "mean": _mean,
    "max": lambda t, a: _extreme(t, a, 1),
    "min": lambda t, a: _extreme(t, a, -1),
    "reshape": lambda t, a: a.reshape(t.shape),
    "transpose": lambda t, a: a.transpose(t._ctx),
    "getitem": _getitem,
    "cast": lambda t, a: a,
    "@": _matmul,
    "linear": _linear,
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "nll_loss": _nll_loss,
    "binary_cross_entropy": _bce,
    "bce_with_logits": _bce_logits,
    "dropout": _dropout,
    "conv2d": _conv2d,
    "convolve2d": _conv2d,
    "fft_conv2d": _fft_conv2d,
    "max_pool2d": _max_pool2d,
    "avg_pool2d": _avg_pool2d,
    "pad": _pad,
    "conv_transpose2d": _conv_transpose2d,
    "batch_norm": _batch_norm,
    "pow": _pow,
}
"""Tensor op -> scalar rebuild ``rule(tensor_node, *parent_grids) -> object array``."""
