"""Tensor ops: each forward beside its backward, one family per file. Nothing here imports nn or viz.

Every op makes its output with ``tensor.record(data, parents, op, backward, ctx)``. The table
below is the contract readers of the graph (diagrams, ``scalar.expand``, derivations) rely on:
``op`` string, ``parents`` in order, and what ``_ctx`` holds.

=================  ======================  ==============================================
op                 parents                 _ctx
=================  ======================  ==============================================
``+ - * /``        (a, b)                  None (numbers are lifted to constant leaves)
``neg``            (a,)                    None
``**``             (a,)                    the exponent n (a Python float)
``pow``            (a, b)                  None (a tensor exponent)
``@``              (a, b)                  None (np.matmul semantics, 1-D operands too)
``exp log sqrt``   (a,)                    None
``abs tanh``       (a,)                    None
``sigmoid relu``   (a,)                    None
``leaky_relu``     (a,)                    negative_slope
``clip``           (a,)                    (min, max), either may be None
``sum mean``       (a,)                    (axis tuple or None, keepdims)
``max min``        (a,)                    (axis, keepdims, mask): mask is the 0/1 weight
                                           of each input in the result (ties: the first
                                           for one axis, split evenly for a full/tuple
                                           reduction, like PyTorch)
``reshape``        (a,)                    None (view, flatten, squeeze, unsqueeze too)
``transpose``      (a,)                    the permutation (np.transpose axes)
``getitem``        (a,)                    (NumPy index, True if advanced indexing)
``cast``           (a,)                    None (dtype change; grad cast back)
``linear``         (x, w) or (x, w, b)     None: x @ w.T + b
``softmax``        (a,)                    dim
``log_softmax``    (a,)                    dim
``batch_norm``     (x[, w][, b])           saved statistics (see ops/norm.py)
``nll_loss``       (logp,)                 see ops/loss.py
``binary_cross_entropy``, ``bce_with_logits``  (input, target)   see ops/loss.py
``dropout``        (a,)                    the scaled keep-mask
``conv2d``         (x, w) or (x, w, b)     ConvCtx: stride, dilation, padding, groups, flip,
``convolve2d``                             geometry, kernel matrix, saved windows (ops/conv.py)
``conv_transpose2d`` (x, w) or (x, w, b)   the adjoint conv's geometry (ops/conv_transpose.py)
``max_pool2d``     (x,)                    PoolCtx: window geometry and the first-max tap
``avg_pool2d``     (x,)                    PoolCtx: window geometry, count_include_pad
``pad``            (x,)                    PadCtx: the pads and the mode (ops/pad.py)
``fft_conv2d``     (x, w) or (x, w, b)     FFTCtx: padding and the spectra (ops/fft.py)
=================  ======================  ==============================================
"""
