"""What the engine produces and works on: the values of one period (:class:`Inventory`), each
entity's working state, and the rule that a value whose input is not computable is not either."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from esgledger.calc.context import SiteParameter, Value
from esgledger.calc.gaps import Gap
from esgledger.calc.inputs import Reported
from esgledger.calc.options import CalcOptions
from esgledger.catalogue import Metric
from esgledger.domain import Entity, Period
from esgledger.lineage import Record, key


@dataclass
class Result:
    entity_id: str
    period: str
    metric_id: str
    value: float
    unit: str
    lineage: Record


@dataclass
class Inventory:
    """All values of one period: the totals per entity, plus the records lineage refers to."""

    period: str
    options: CalcOptions
    results: dict[str, Result] = field(default_factory=dict)  # totals, by lineage key
    records: dict[str, Record] = field(default_factory=dict)  # every lineage record
    gaps: dict[str, Gap] = field(default_factory=dict)  # values without a number, by key
    scope3_categories: tuple[int, ...] | None = None  # reported categories; None: every one
    # the data points read, by review status: an inventory over unapproved figures says so
    input_statuses: dict[str, int] = field(default_factory=dict)

    def get(self, metric_id: str, entity_id: str) -> Result | None:
        return self.results.get(key(metric_id, entity_id, self.period))

    def value(self, metric_id: str, entity_id: str) -> float | None:
        found = self.get(metric_id, entity_id)
        return found.value if found else None

    def digest(self) -> str:
        body = json.dumps(
            sorted((k, round(r.value, 9)) for k, r in self.results.items()), separators=(",", ":")
        )
        return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class EntityState:
    """Working state of one entity while the engine evaluates a period."""

    entity: Entity
    split: bool  # has children: its own part gets records of its own
    reported: dict[str, Reported]
    own: dict[str, Value] = field(default_factory=dict)
    own_gaps: dict[str, Gap] = field(default_factory=dict)  # own values not computed, by metric
    site_parameters: dict[tuple[str, str], SiteParameter] = field(default_factory=dict)


def reports_beyond_validity(state: EntityState) -> bool:
    """Whether any data point the entity reported covers days outside its validity dates (an
    annual figure for an entity acquired mid-year), so that consolidation must pro-rate it."""
    entity = state.entity
    if entity.valid_from is None and entity.valid_to is None:
        return False
    for item in state.reported.values():
        for point in item.record.get("datapoints", []):
            span = Period.parse(point["period"])
            if (entity.valid_from and span.start < entity.valid_from) or (
                entity.valid_to and span.end > entity.valid_to
            ):
                return True
    return False


def blocking(metric: Metric, gaps: dict[str, Gap]) -> Gap | None:
    """The first input of ``metric`` that is not computable (so neither is ``metric``)."""
    assert metric.formula is not None
    for name in metric.formula.inputs:
        gap = gaps.get(name)
        if gap is not None and gap.blocks:
            return gap
    return None
