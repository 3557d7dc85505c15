"""``mg.viz``: backprop diagrams (graphviz, networkx, a matplotlib fallback), the slides'
matplotlib pictures, and a self-contained HTML page that steps through backprop.

``to_dot(root)`` returns a ``graphviz.Digraph``; in Jupyter it displays inline (graphviz's
``_repr_mimebundle_``), so a cell ending in ``mg.viz.to_dot(f)`` shows the diagram.
"""
from .dot import to_dot
from .html import to_html
from .nx import to_networkx
from .plots import plot_curves, show_feature_maps, show_images, show_kernel_application, show_kernels
from .render import render

__all__ = ["to_dot", "render", "to_networkx", "to_html", "show_feature_maps", "show_kernels",
           "show_kernel_application", "show_images", "plot_curves"]
