"""Dated, versioned, cited factor sets (coefficients, emission factors, GWPs)."""

from esgledger.factors.library import FactorLibrary, FactorValue, load_library

__all__ = ["FactorLibrary", "FactorValue", "load_library"]
