"""``mg.viz``: backprop diagrams (graphviz, networkx, a matplotlib fallback), the slides'
matplotlib pictures, and a self-contained HTML page that steps through backprop.

In Jupyter, a cell ending in ``mg.viz.show(f)`` shows the diagram inline (``stepper=True``: the
stepper), with or without Graphviz; ``to_dot(root)`` returns a ``graphviz.Digraph``, which also
displays inline when Graphviz's ``dot`` is installed.
"""
from .dot import to_dot
from .html import to_html
from .notebook import show
from .nx import to_networkx
from .peers import draw_dot, make_dot
from .plots import plot_curves, show_feature_maps, show_images, show_kernel_application, show_kernels
from .render import render

__all__ = ["to_dot", "render", "show", "to_networkx", "to_html", "show_feature_maps", "show_kernels",
           "show_kernel_application", "show_images", "plot_curves", "make_dot", "draw_dot"]
