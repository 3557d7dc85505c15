"""What ``minigrad demo`` runs, kept inside the package so a plain ``pip install`` runs it whole.

``slide``: the backprop slide (seed 000) printed, derived, checked and drawn. ``digits``: the
small CNN on the shipped 8x8 digits. The examples (``examples/backprop_slide.py``,
``examples/digits_cnn.py``) call the same functions, so the demo and the examples never differ.
"""
