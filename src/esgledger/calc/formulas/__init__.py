"""Formula functions named by derived metrics in the catalogue.

Each function takes a :class:`~esgledger.calc.context.FormulaContext` and returns the value in the
metric's unit, or None when none of its inputs were reported. Units are checked by pint: every
product is converted to the metric's unit through :func:`esgledger.units.product_conversion`.
"""

from esgledger.calc.formulas import basic, combustion, energy, process, scope2, scope3  # noqa: F401
from esgledger.calc.formulas.registry import EXPRESSIONS, FORMULAS

__all__ = ["EXPRESSIONS", "FORMULAS"]
