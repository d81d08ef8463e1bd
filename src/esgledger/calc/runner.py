"""Load what an inventory needs from the ledger, run the engine, and restate the base year when
the boundary or method moved it by more than the threshold (GHG Protocol Corporate Standard ch. 5):
a ``restated`` calculation run of the base year that keeps the restatement's figures and reasons."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.calc.engine import Engine
from esgledger.calc.inventory import Inventory
from esgledger.calc.options import CalcOptions
from esgledger.calc.results import save_run
from esgledger.calc.selection import Selection
from esgledger.catalogue import Catalogue
from esgledger.domain import Entity, OrgTree, Period
from esgledger.factors.persist import load_stored_library
from esgledger.ledger import settings
from esgledger.ledger.change import Change
from esgledger.ledger.reads import current_datapoints, load_entities
from esgledger.ledger.runs import RESTATED, current_run, root_value, run_value
from esgledger.ledger.transfers import load_certificates, load_transfers
from esgledger.lineage import key

BASE_TOTAL_ROLE = "base_year_total"  # the catalogue role of the total a restatement compares


def period_keys(period: Period) -> list[str]:
    """The stored periods an inventory of ``period`` reads (a year reads its months too)."""
    if period.month:
        return [str(period)]
    return [str(period)] + [f"{period.year}-{month:02d}" for month in range(1, 13)]


def compute(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: Period,
    options: CalcOptions,
    entities: list[Entity] | None = None,
) -> Inventory:
    engine = Engine(
        catalogue,
        load_stored_library(connection),
        Selection.load(),
        options,
        tuple(settings.read(connection, "scope3.categories")),
    )
    keys = period_keys(period)
    return engine.run(
        entities if entities is not None else load_entities(connection),
        current_datapoints(connection, keys),
        period,
        load_transfers(connection, keys),
        load_certificates(connection, keys),
    )


def root_total(inventory: Inventory, entities: list[Entity], metric_id: str) -> float:
    tree = OrgTree(entities)
    return sum(inventory.value(metric_id, root) or 0.0 for root in tree.roots())


@dataclass
class Restatement:
    """A base year recalculated with today's boundary and methods: its total (the metric of the
    role ``base_year_total``) before and after, the relative change, the threshold, and the
    restated run when the change passed the threshold."""

    base_year: str
    original: float
    restated: float
    change: float
    threshold: float
    restated_run: int | None
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def figures(self) -> dict[str, Any]:
        """What the restated run keeps (``calc_runs.restatement``)."""
        return {k: v for k, v in self.as_dict().items() if k != "restated_run"}


def check_base_year(
    change: Change, catalogue: Catalogue, period: Period, options: CalcOptions
) -> Restatement | None:
    """Recompute the base year with today's boundary and method; restate it past the threshold.

    The restated boundary is the set of entities in the group during ``period``: a divested entity
    leaves the base year too, and an acquired one enters it with the base-year data it has.
    """
    connection = change.connection
    base_year = settings.read(connection, "base_year")
    base_text = None if base_year is None else str(base_year)
    if base_text is None or base_text == str(period):
        return None
    threshold = float(settings.read(connection, "restatement_threshold"))
    base = Period.parse(base_text)
    original_run = current_run(connection, base_text)
    if original_run is None:
        return None
    entities = load_entities(connection)
    # members at the end of the period: an entity divested during the year leaves the base year
    # for that whole year (GHG Protocol Corporate Standard ch. 5, timing of recalculations)
    current_members = [
        e
        for e in entities
        if e.valid_during(period) and (e.valid_to is None or e.valid_to >= period.end)
    ]
    restated_entities = [
        dataclasses.replace(e, valid_from=None, valid_to=None) for e in current_members
    ]
    restated = compute(connection, catalogue, base, options, restated_entities)
    total_id = catalogue.role(BASE_TOTAL_ROLE).id
    original_total = _stored_root_total(connection, original_run.id, entities, total_id)
    restated_total = root_total(restated, restated_entities, total_id)
    moved = (restated_total - original_total) / original_total if original_total else 0.0
    reasons = _reasons(entities, base, period, json.loads(original_run.options), options)
    found = Restatement(base_text, original_total, restated_total, moved, threshold, None, reasons)
    if abs(moved) <= threshold:
        return found
    found.restated_run = save_run(change, restated, catalogue.sha256, RESTATED, found.figures())
    change.record(
        "calc.restate",
        "calc_run",
        str(found.restated_run),
        found.figures() | {"triggered_by": str(period)},
    )
    return found


def _stored_root_total(
    connection: sa.Connection, run_id: int, entities: list[Entity], metric_id: str
) -> float:
    return root_value(connection, run_id, metric_id, OrgTree(entities).roots())


def _reasons(
    entities: list[Entity],
    base: Period,
    period: Period,
    original_options: dict,
    options: CalcOptions,
) -> list[str]:
    reasons = []
    for entity in entities:
        if (
            entity.valid_during(base)
            and entity.valid_to is not None
            and entity.valid_to < period.end
        ):
            reasons.append(f"{entity.id} left the group (valid to {entity.valid_to})")
        if entity.valid_during(period) and not entity.valid_during(base):
            reasons.append(f"{entity.id} joined the group (valid from {entity.valid_from})")
    for name, value in options.as_dict().items():
        if original_options.get(name) != value:
            reasons.append(f"method change: {name} {original_options.get(name)} -> {value}")
    return reasons


def restated_value(
    connection: sa.Connection, metric_id: str, entity_id: str, period: str
) -> float | None:
    """The restated value of a base-year figure, if the base year was restated."""
    run = current_run(connection, period, kind=RESTATED)
    return None if run is None else run_value(connection, run.id, metric_id, entity_id)


__all__ = ["Restatement", "check_base_year", "compute", "key", "period_keys", "restated_value"]
