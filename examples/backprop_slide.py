"""Seed 000, "CNN BackPropagation": the slide's hand derivation, done and checked by minigrad.

The slide: a 3x3 image x, a 2x2 kernel w, the convolved feature s, f = maxpool(s11, s12),
sigma21 = x11*w11, d(sigma21)/d(w11) = x11, "if (s11 > s12): df/ds11 = 1, df/ds12 = 0",
and df/dw11 = x11 + x12 + x21 + x22. Run: python examples/backprop_slide.py [--out DIR]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import scalar as S

try:
    from _common import parse_args, wrote
except ImportError:  # run from another directory
    from examples._common import parse_args, wrote

IMAGE = [[1, 1, 0], [1, 1, 0], [1, 0, 0]]


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    x = S.grid(IMAGE, "x")
    w = S.grid([[1, 2], [3, 4]], "w")
    s = S.conv2d(x, w, name="s")                 # s11 = x11*w11 + x12*w12 + x21*w21 + x22*w22
    print("s =", S.values(s).tolist(), "(each s_ij: one sum node over four * nodes)")

    # 1. The sum over the map: the slide's formula holds exactly.
    f_sum = S.sum(s, name="f")
    f_sum.backward()
    print("\n1. f = s11 + s12 + s21 + s22")
    print(mg.derive(f_sum, w[0, 0]))
    ok = mg.check(f_sum, w[0, 0], "x11 + x12 + x21 + x22")
    print(ok)

    # 2. The slide's max: only the selected window's x reaches w11.
    x2, w2 = S.grid(IMAGE, "x"), S.grid([[1, 2], [3, 4]], "w")
    s2 = S.conv2d(x2, w2, name="s")
    f_max = S.max(s2[0, 0], s2[0, 1], name="f")
    f_max.backward()
    print("\n2. f = maxpool(s11, s12): the max selected", f_max.parents[f_max.selected].name)
    print(mg.derive(f_max, w2[0, 0]))
    loose = mg.check(f_max, w2[0, 0], "x11 + x12 + x21 + x22")
    print(loose)

    # 3. A tie: s11 == s12 when w12 + w22 = 0; PyTorch's rule, the first maximum wins.
    x3, w3 = S.grid(IMAGE, "x"), S.grid([[1, 1], [3, -1]], "w")
    s3 = S.conv2d(x3, w3, name="s")
    f_tie = S.max(s3[0, 0], s3[0, 1], name="f")
    f_tie.backward()
    print(f"\n3. a tie: s11 = s12 = {f_tie.data:g}; the max selects {f_tie.parents[f_tie.selected].name}")
    print(mg.derive(f_tie, w3[0, 0]))

    # 4. The same computation with tensors, opened back into scalar nodes by expand().
    xt = mg.tensor(np.array(IMAGE, float).reshape(1, 1, 3, 3), name="x")
    wt = mg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True, name="w")
    st = F.conv2d(xt, wt)                             # (1, 1, 2, 2)
    ft = F.max_pool2d(st[:, :, :1, :], (1, 2)).sum()   # maxpool(s11, s12) at tensor level
    ft.backward()
    d = mg.derive(ft, (wt, (0, 0, 0, 0)))
    print(f"\n4. tensors: dF/dw = {wt.grad.reshape(2, 2).tolist()}; derive through expand(): {d.expression} = {d.value:g}")

    files = []
    for name, root, focus in (("backprop_sum", f_sum, None), ("backprop_max", f_max, None),
                              ("backprop_max_focus_w11", f_max, w2[0, 0])):
        files.append(wrote(mg.viz.render(root, args.out / f"{name}.svg", focus=focus)))
    files.append(wrote(mg.viz.to_html(f_sum, args.out / "backprop_stepper.html")))
    return {"sum_grad_w11": w[0, 0].grad, "max_grad_w11": w2[0, 0].grad, "check_sum": ok.ok,
            "check_max": loose.ok, "tie_selected": f_tie.selected, "tensor_grad": wt.grad.copy(),
            "tensor_expression": str(d.expression), "files": files}


if __name__ == "__main__":
    main()
