"""The metric catalogue: what can be reported, in which unit, and how derived metrics are computed."""

from esgledger.catalogue.loader import load_catalogue
from esgledger.catalogue.model import Catalogue, FormulaSpec, Metric

__all__ = ["Catalogue", "FormulaSpec", "Metric", "load_catalogue"]
