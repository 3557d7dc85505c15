"""``mg.scalar``: grids of Values, so every multiply-add and every pooling selection is a node."""
from .conv import avg_pool2d, conv2d, convolve2d, max_pool2d
from .expand import expand
from .grid import element_name, grads, grid, max, sum, values
from . import nn  # noqa: E402  micrograd's Neuron, Layer, MLP on Values

__all__ = ["grid", "sum", "max", "conv2d", "convolve2d", "max_pool2d", "avg_pool2d", "values", "grads", "element_name",
           "expand", "nn"]
