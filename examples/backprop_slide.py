"""Seed 000, "CNN BackPropagation": the slide's hand derivation, done and checked by minigrad.

The slide: a 3x3 image x, a 2x2 kernel w, the convolved feature s, f = maxpool(s11, s12),
sigma21 = x11*w11, d(sigma21)/d(w11) = x11, "if (s11 > s12): df/ds11 = 1, df/ds12 = 0",
and df/dw11 = x11 + x12 + x21 + x22. The slide itself (the max case, the sum case, the checks
of the hand formula, the diagrams and steppers) is ``minigrad.demo.slide``, the part that
``minigrad demo`` prints first; this script adds a tie and the same slide with tensors.
Run: python examples/backprop_slide.py [--out DIR]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import scalar as S
from minigrad.demo.slide import IMAGE, backprop_slide

try:
    from _common import parse_args, wrote
except ImportError:  # run from another directory
    from examples._common import parse_args, wrote


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    slide = backprop_slide(args.out)
    _, w, _, _ = slide["max"]
    _, ws, _, _ = slide["sum"]

    # A tie: s11 == s12 when w12 + w22 = 0; PyTorch's rule, the first maximum wins.
    x3, w3 = S.grid(IMAGE, "x"), S.grid([[1, 1], [3, -1]], "w")
    s3 = S.conv2d(x3, w3, name="s")
    f_tie = S.max(s3[0, 0], s3[0, 1], name="f")
    f_tie.backward()
    print(f"\n-- a tie: s11 = s12 = {f_tie.data:g}; the max selects {f_tie.parents[f_tie.selected].name} --")
    print(mg.derive(f_tie, w3[0, 0]))

    # The same computation with tensors, opened back into scalar nodes by expand().
    xt = mg.tensor(np.array(IMAGE, float).reshape(1, 1, 3, 3), name="x")
    wt = mg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True, name="w")
    st = F.conv2d(xt, wt)                             # (1, 1, 2, 2)
    ft = F.max_pool2d(st[:, :, :1, :], (1, 2)).sum()   # maxpool(s11, s12) at tensor level
    ft.backward()
    d = mg.derive(ft, (wt, (0, 0, 0, 0)))
    print(f"\n-- tensors: dF/dw = {wt.grad.reshape(2, 2).tolist()}; derive through expand(): "
          f"{d.expression} = {d.value:g} --")

    files = [wrote(p) for p in slide["files"]]
    return {"sum_grad_w11": ws[0, 0].grad, "max_grad_w11": w[0, 0].grad, "check_sum": slide["check_sum"].ok,
            "check_max": slide["check_max"].ok, "tie_selected": f_tie.selected, "tensor_grad": wt.grad.copy(),
            "tensor_expression": str(d.expression), "files": files}


if __name__ == "__main__":
    main()
