"""The calculation engine: metric graph evaluation, roll-ups, lineage."""

from esgledger.calc.engine import Engine
from esgledger.calc.inventory import Inventory, Result
from esgledger.calc.options import CalcOptions

__all__ = ["CalcOptions", "Engine", "Inventory", "Result"]
