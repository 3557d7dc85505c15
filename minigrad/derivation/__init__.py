"""``mg.derive`` and ``mg.check`` (the package is named apart from the function, so importing it never hides ``mg.derive``): the slides' hand derivations, produced and checked by minigrad.

``derive(output, wrt)`` runs the engine's one reverse pass with value.py's own backward rules
over symbols (branch decisions from the numbers), giving every node's adjoint at once, and
prints the chain rule step by step; ``check(output, wrt, expected)``
compares a hand-derived formula with it, symbolically and at the current numbers.
"""
from .checking import CheckResult, check
from .derivation import Derivation, Step, derive
from .expr import FormulaTooLarge

__all__ = ["derive", "check", "Derivation", "CheckResult", "Step", "FormulaTooLarge"]

