"""Seed 004 (Hung-yi Lee, "CNN - Convolution"): the 6x6 image, Filter 1 and 2, stride 1 and 2, max-pool, Keras model.

The slide slides two 3x3 filters over a 6x6 black-and-white image. Filter 1 (a diagonal)
gives the 4x4 map ``3 -1 -3 -1 / -3 1 0 -3 / -3 -3 0 1 / 3 -2 -2 -1`` at stride 1; at
stride 2 it gives 2x2. "Do the same process for every filter": Filter 2 (a vertical line)
gives a second 4x4 map, so two filters make a 2-channel "4 x 4 image". 2x2 max pooling
then makes each map "smaller than the original image".

Then "CNN in Keras": ``Convolution2D(25, 3, 3, input_shape=(28, 28, 1))`` and
``MaxPooling2D((2, 2))``, here ``nn.Conv2d(1, 25, 3)`` and ``nn.MaxPool2d(2)`` with the
Keras-like ``Sequential.summary``: 28x28x1 -> 26x26x25 (250 parameters) -> 13x13x25, and
the whole CNN of the slide, whose second convolution's maps are the 11x11 matrices of
"What does CNN learn?".

    python examples/slide_cnn.py [--out DIR] [--small]
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

try:
    from _common import number_grids, parse_args, save, show_matrix
except ImportError:  # imported as examples.slide_cnn
    from examples._common import number_grids, parse_args, save, show_matrix

IMAGE = [[1, 0, 0, 0, 0, 1],
         [0, 1, 0, 0, 1, 0],
         [0, 0, 1, 1, 0, 0],
         [1, 0, 0, 0, 1, 0],
         [0, 1, 0, 0, 1, 0],
         [0, 0, 1, 0, 1, 0]]
FILTER1 = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
FILTER2 = [[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]
SLIDE_FILTER1_MAP = [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]]


def feature_maps(stride):
    """Both filters over the image as ONE scalar graph: X (1,6,6), W (2,1,3,3) -> maps (2,Ho,Wo)."""
    X = mg.scalar.grid(np.array(IMAGE)[None], "x")
    W = np.stack([mg.scalar.grid(FILTER1, "a"), mg.scalar.grid(FILTER2, "b")])[:, None]
    return X, W, mg.scalar.conv2d(X, W, stride=stride, name="s")


def tensor_feature_maps(stride):
    """The same on the tensor path: ``F.conv2d`` of a (1,1,6,6) batch with a (2,1,3,3) weight."""
    x = mg.tensor(np.array(IMAGE, dtype=np.float64)[None, None])
    w = mg.tensor(np.array([FILTER1, FILTER2], dtype=np.float64)[:, None])
    return F.conv2d(x, w, stride=stride)


def keras_model():
    """The slide's Keras model: ``Convolution2D(25, 3, 3)`` on 28x28x1, then ``MaxPooling2D((2, 2))``."""
    return nn.Sequential(nn.Conv2d(1, 25, 3), nn.MaxPool2d(2))


def whole_cnn():
    """"The whole CNN" of the slide: conv 25 -> pool -> conv 50 -> pool -> flatten -> dense 100 -> dense 10."""
    return nn.Sequential(nn.Conv2d(1, 25, 3), nn.MaxPool2d(2), nn.Conv2d(25, 50, 3), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(50 * 5 * 5, 100), nn.ReLU(), nn.Linear(100, 10))


def main(argv=None) -> dict:
    """Print the slide's feature maps, pooled maps and model summaries; draw them; return the numbers."""
    args = parse_args(__doc__.splitlines()[0], argv)
    show_matrix("6 x 6 image", IMAGE)
    show_matrix("Filter 1", FILTER1)
    show_matrix("Filter 2", FILTER2)
    results = {}
    for stride in (1, 2):
        X, W, S = feature_maps(stride)
        maps = mg.scalar.values(S)
        t = tensor_feature_maps(stride).data[0]
        assert np.array_equal(maps, t), "scalar graph and F.conv2d disagree"
        print(f"\n== stride={stride}: two filters -> a {maps.shape[0]}-channel "
              f"{maps.shape[1]} x {maps.shape[2]} image (F.conv2d gives the same) ==")
        for k in range(2):
            show_matrix(f"Filter {k + 1}, stride {stride}", maps[k])
        results[f"stride{stride}"] = maps
    s11 = feature_maps(1)[2][0, 0, 0]
    terms = " + ".join(f"{x.data:g}*{w.data:g}" if w.data >= 0 else f"{x.data:g}*({w.data:g})"
                       for x, w in (m.parents for m in s11.parents))
    print(f"\nthe top-left 3 of Filter 1 is one sum node over {len(s11.parents)} products: "
          f"{terms} = {s11.data:g}")

    fmap = mg.tensor(results["stride1"][None])
    pooled = F.max_pool2d(fmap, 2).data[0]
    print("\n== 2x2 max pooling: a new image, smaller than the original ==")
    for k in range(2):
        show_matrix(f"Filter {k + 1} map, max-pooled", pooled[k])
    results["pooled"] = pooled

    print("\n== CNN in Keras: Convolution2D(25, 3, 3, input_shape=(28, 28, 1)); MaxPooling2D((2, 2)) ==")
    model = keras_model()
    results["summary"] = model.summary((1, 1, 28, 28), print_fn=None)
    print(results["summary"])
    x = mg.randn(1, 1, 28, 28)
    with mg.no_grad():
        results["keras_shapes"] = [tuple(model[0](x).shape), tuple(model(x).shape)]
    print(f"shapes: input (1, 1, 28, 28) -> conv {results['keras_shapes'][0]} -> pool {results['keras_shapes'][1]}")
    print("\n== the whole CNN (conv, pool, conv, pool, flatten, dense 100, dense 10) ==")
    results["whole_summary"] = whole_cnn().summary((1, 1, 28, 28), print_fn=None)
    print(results["whole_summary"])

    rows = [[("6 x 6 image", IMAGE), ("Filter 1", FILTER1), ("Filter 1, stride 1", results["stride1"][0]),
             ("stride 2", results["stride2"][0]), ("max pool 2x2", pooled[0])],
            [("", None), ("Filter 2", FILTER2), ("Filter 2, stride 1", results["stride1"][1]),
             ("stride 2", results["stride2"][1]), ("max pool 2x2", pooled[1])]]
    fig, _ = number_grids(rows, "seed 004: two filters make a 2-channel 4 x 4 image", cmap="RdBu_r", symmetric=True)
    results["files"] = [save(fig, args.out / "slide_cnn.png")]
    return results


if __name__ == "__main__":
    main()
