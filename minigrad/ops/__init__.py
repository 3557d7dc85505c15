"""Tensor ops: each forward beside its backward, one family per file. Nothing here imports nn or viz.

Every op makes its output with ``tensor.record(data, parents, OP, ctx)``, where ``OP`` is the
op's entry in the op table (``optable.register``, next to the op): its name (the node's ``.op``),
its backward rule ``rule(out, g, needs) -> one VJP per parent`` (None where ``needs`` says that
parent wants none; the engine sums broadcasts back), its scalar ``expand`` rule and its diagram
word. ``_ctx`` is a small named record of the op's hyper-parameters and saved arrays (e.g.
``reduce.Reduced``, ``conv.ConvCtx``, ``pool.PoolCtx``); numbers are lifted to constant leaves.
"""

from . import activation, adaptive_pool, conv, conv_transpose, elementwise, embedding, fft, inplace, linalg, loss, norm, pad, pool, reduce, select, shape  # noqa: F401,E402 (each registers its ops)
