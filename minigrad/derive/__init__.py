"""``mg.derive`` and ``mg.check``: the slides' hand derivations, produced and checked by minigrad.

``derive(output, wrt)`` runs value.py's own backward rules on sympy symbols (branch decisions
from the numbers) and prints the chain rule step by step; ``check(output, wrt, expected)``
compares a hand-derived formula with it, symbolically and at the current numbers.
"""
import sys
import types

from .checking import CheckResult, check
from .derivation import Derivation, Step, derive

__all__ = ["derive", "check", "Derivation", "CheckResult", "Step"]


class _CallableModule(types.ModuleType):
    """Importing ``minigrad.derive`` makes Python set ``minigrad.derive`` to this module, hiding
    the function of the same name; so the module, called, is ``derive``."""

    def __call__(self, output, wrt):
        return derive(output, wrt)


sys.modules[__name__].__class__ = _CallableModule
