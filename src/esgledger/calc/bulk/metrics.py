"""Which metrics activity records may carry, and which engine formulas value them (issue 3, item 8).

Read off the catalogue, not hard-coded: an activity metric is an energy carrier that users report
directly (:meth:`~esgledger.catalogue.Catalogue.activity_metrics`, which the importer checks
files against). Its per-unit results come from the derived metrics
whose formula reads it: standard coal (energy), fuel combustion (Scope 1), grid electricity
(Scope 2 location-based), market-based electricity with no certificates (Scope 2 market-based), and
purchased heat (both Scope 2 totals). Each result column lands in the metric of the catalogue
role ``activity_<column>`` (the ``activity.*`` metrics), which the energy and scope totals of the
catalogue already add up.
"""

from __future__ import annotations

from dataclasses import dataclass

from esgledger.calc.bulk.sql import RESULT_COLUMNS
from esgledger.catalogue import Catalogue, Metric

FORMULA_COLUMNS: dict[str, tuple[str, ...]] = {
    "standard_coal": ("energy_tce",),
    "combustion_co2e": ("scope1_co2e",),
    "grid_electricity_co2e": ("scope2_location_co2e",),
    "market_electricity_co2e": ("scope2_market_co2e",),
    "purchased_heat_co2e": ("scope2_location_co2e", "scope2_market_co2e"),
}
# Formulas that read only their first input as the activity (the others are contract data).
FIRST_INPUT_ONLY = {"market_electricity_co2e"}


@dataclass(frozen=True)
class Target:
    """A derived metric whose formula values one unit of an activity metric, and its result."""

    derived: Metric
    column: str


def result_metrics(catalogue: Catalogue) -> dict[str, str]:
    """``result column -> metric id``: the metric playing the role ``activity_<column>``."""
    return {column: catalogue.role(f"activity_{column}").id for column in RESULT_COLUMNS}


def activity_metrics(catalogue: Catalogue) -> dict[str, list[Target]]:
    """``metric id -> targets`` for every metric an activity file may carry."""
    found: dict[str, list[Target]] = {}
    for metric in catalogue.activity_metrics():
        metric_id = metric.id
        targets: list[Target] = []
        for derived in catalogue.derived():
            formula = derived.formula
            if formula is None or formula.function not in FORMULA_COLUMNS:
                continue
            inputs = formula.inputs[:1] if formula.function in FIRST_INPUT_ONLY else formula.inputs
            if metric_id in inputs:
                targets.extend(Target(derived, c) for c in FORMULA_COLUMNS[formula.function])
        found[metric_id] = targets
    return found
