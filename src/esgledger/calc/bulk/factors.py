"""The per-unit factor table of the bulk path, made by the engine's own formulas (issue 3, item 8).

Nothing here re-implements a formula. For each entity and activity metric, every derived metric
that reads the metric (:mod:`esgledger.calc.bulk.metrics`) is evaluated by its registered formula
function on a :class:`~esgledger.calc.context.FormulaContext` holding one unit of activity in the
metric's unit, exactly as ``Engine._evaluate_own`` (:mod:`esgledger.calc.engine`) evaluates a
reported value, measured site parameters (``site.*`` data points) included. The context records
which factor series it read; the formula is evaluated again on every date inside the period on
which one of those series takes a new value (or a measured parameter starts or stops), so each row
of the table holds per-unit results valid on ``valid_from <= day < valid_to``. All formulas
involved are linear in the activity, so quantity x per-unit result is what the engine computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from esgledger.calc.bulk.metrics import Target
from esgledger.calc.context import FormulaContext, SiteParameter, Value
from esgledger.calc.formulas import FORMULAS
from esgledger.calc.inputs import reported_values
from esgledger.calc.options import CalcOptions
from esgledger.calc.selection import Selection
from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint, Entity, Period
from esgledger.errors import EsgLedgerError
from esgledger.factors import FactorLibrary
from esgledger.units import conversion_factor

Parameters = dict[tuple[str, str], SiteParameter]
_REF_KEYS = (
    "factor",
    "value",
    "unit",
    "valid_from",
    "factor_set",
    "edition",
    "version",
    "measured",
    "lineage_key",
    "unverified",
)


@dataclass(frozen=True, order=True)
class DatedPeriod(Period):
    """A period whose factor look-ups happen on ``on`` instead of the period's first day."""

    on: dt.date = dt.date.min

    @property
    def start(self) -> dt.date:
        return self.on


@dataclass
class FactorRow:
    """Per-unit results of one activity metric of one entity over ``[valid_from, valid_to)``."""

    row_id: int
    entity: str
    metric: str
    valid_from: dt.date
    valid_to: dt.date
    per_unit: dict[str, float | None]
    factors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_row(self, columns: Iterable[str]) -> tuple[Any, ...]:
        return (
            self.row_id,
            self.entity,
            self.metric,
            self.valid_from,
            self.valid_to,
            *(self.per_unit.get(c) for c in columns),
        )


def site_parameters(
    points: list[DataPoint], period: Period, catalogue: Catalogue
) -> dict[str, list[Parameters]]:
    """``entity -> [parameters of months 1 .. 12]``: a month's measured value, else the year's."""
    overriding = [
        p
        for p in points
        if catalogue.metrics.get(p.metric_id) is not None
        and catalogue[p.metric_id].attributes.get("overrides")
    ]
    year = str(period.year)
    annual = _parameters(
        [p for p in overriding if p.period == year], Period(period.year), catalogue
    )
    found: dict[str, list[Parameters]] = {}
    for month in range(1, 13):
        month_period = Period(period.year, month)
        own = _parameters(
            [p for p in overriding if p.period == str(month_period)], month_period, catalogue
        )
        for entity_id in set(annual) | set(own):
            months = found.setdefault(entity_id, [{} for _ in range(12)])
            months[month - 1] = annual.get(entity_id, {}) | own.get(entity_id, {})
    return found


def _parameters(
    points: list[DataPoint], period: Period, catalogue: Catalogue
) -> dict[str, Parameters]:
    found: dict[str, Parameters] = {}
    for (entity_id, metric_id), item in reported_values(points, period, catalogue).items():
        metric = catalogue[metric_id]
        overrides = metric.attributes["overrides"]
        found.setdefault(entity_id, {})[(overrides["role"], overrides["metric"])] = SiteParameter(
            metric_id, item.value, metric.unit, item.record["key"]
        )
    return found


Interval = tuple[dt.date, dt.date, dict[str, float | None], dict[str, list[dict[str, Any]]]]


class FactorTable:
    """Builds the rows for the entities and activity metrics of one period.

    Rows are built for every entity and metric before the records are read, so that the SQL knows
    whether every interval starts on a month's first day. A pair whose formula fails (a country
    without a grid series, say) keeps its error, raised by :meth:`check` only if records of that
    pair exist. Entities that the formulas cannot tell apart (same country and grid region, no
    measured parameters) share one evaluation.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        library: FactorLibrary,
        selection: Selection,
        options: CalcOptions,
        period: Period,
        parameters: dict[str, list[Parameters]] | None = None,
    ):
        self.catalogue, self.library, self.selection = catalogue, library, selection
        self.options, self.period = options, period
        self.parameters = parameters or {}
        self.rows: list[FactorRow] = []
        self.errors: dict[tuple[str, str], EsgLedgerError] = {}
        self._memo: dict[tuple[Any, ...], tuple[float | None, list[dict[str, Any]]]] = {}
        self._intervals: dict[tuple[Any, ...], list[Interval]] = {}

    def add(
        self, entity: Entity, metric_id: str, targets: list[Target], result_units: dict[str, str]
    ) -> None:
        """Add the rows of one entity and metric, one per interval of constant factors."""
        months = self.parameters.get(entity.id, [{} for _ in range(12)])
        relevant = [{k: v for k, v in month.items() if k[1] == metric_id} for month in months]
        signature = (
            entity.country,
            entity.grid_region,
            metric_id,
            tuple(_frozen(month) for month in relevant),
        )
        if signature not in self._intervals:
            try:
                self._intervals[signature] = self._build(
                    entity, metric_id, targets, relevant, result_units
                )
            except EsgLedgerError as exc:
                self.errors[(entity.id, metric_id)] = exc
                return
        for on, until, values, refs in self._intervals[signature]:
            self.rows.append(
                FactorRow(len(self.rows) + 1, entity.id, metric_id, on, until, values, refs)
            )

    def check(self, present: set[tuple[str, str]]) -> None:
        """Raise the error of the first pair with records whose rows could not be built."""
        for pair in sorted(present):
            if pair in self.errors:
                raise self.errors[pair]

    def month_aligned(self) -> bool:
        """Whether every interval starts and ends on the first day of a month."""
        return all(row.valid_from.day == 1 and row.valid_to.day == 1 for row in self.rows)

    def _build(
        self,
        entity: Entity,
        metric_id: str,
        targets: list[Target],
        relevant: list[Parameters],
        result_units: dict[str, str],
    ) -> list[Interval]:
        first, end = self.period.start, self.period.end + dt.timedelta(days=1)
        dates = {first} | {
            dt.date(self.period.year, m + 1, 1)
            for m in range(1, 12)
            if relevant[m] != relevant[m - 1]
        }
        while True:
            evaluations = {
                on: self._evaluate_all(
                    entity, metric_id, targets, on, relevant[on.month - 1], result_units
                )
                for on in sorted(dates)
            }
            read = {
                ref["factor"]
                for _values, refs in evaluations.values()
                for column_refs in refs.values()
                for ref in column_refs
                if not ref.get("measured")
            }
            changes = {
                v.valid_from
                for factor_id in read
                for v in self.library.values(factor_id)
                if first < v.valid_from < end
            }
            if changes <= dates:
                break
            dates |= changes
        starts = sorted(dates)
        return [
            (on, until, *evaluations[on])
            for on, until in zip(starts, [*starts[1:], end], strict=True)
        ]

    def _evaluate_all(
        self,
        entity: Entity,
        metric_id: str,
        targets: list[Target],
        on: dt.date,
        parameters: Parameters,
        result_units: dict[str, str],
    ) -> tuple[dict[str, float | None], dict[str, list[dict[str, Any]]]]:
        values: dict[str, float | None] = {}
        refs: dict[str, list[dict[str, Any]]] = {}
        for target in targets:
            value, read = self._evaluate(entity, metric_id, target, on, parameters)
            if value is None:
                continue
            value *= conversion_factor(target.derived.unit, result_units[target.column])
            values[target.column] = (values.get(target.column) or 0.0) + value
            refs.setdefault(target.column, []).extend(
                r for r in read if r not in refs.get(target.column, [])
            )
        return values, refs

    def _evaluate(
        self, entity: Entity, metric_id: str, target: Target, on: dt.date, parameters: Parameters
    ) -> tuple[float | None, list[dict[str, Any]]]:
        """One unit of ``metric_id`` through ``target``'s formula on ``on`` (memoised by what the
        formulas read of an entity: its country and grid region, and its measured parameters)."""
        memo_key = (
            entity.country,
            entity.grid_region,
            metric_id,
            target.derived.id,
            on,
            _frozen(parameters),
        )
        if memo_key in self._memo:
            return self._memo[memo_key]
        metric = self.catalogue[metric_id]
        assert target.derived.formula is not None
        context = FormulaContext(
            metric=target.derived,
            entity=entity,
            period=DatedPeriod(on.year, on.month, on=on),
            options=self.options,
            catalogue=self.catalogue,
            library=self.library,
            selection=self.selection,
            values={metric_id: Value(1.0, metric.unit, f"{metric_id}@{entity.id}@unit")},
            site_parameters=parameters,
        )
        value = FORMULAS[target.derived.formula.function](context)
        read = [
            {k: v for k, v in ref.items() if k in _REF_KEYS and v is not None and v is not False}
            for ref in context.factors_read
        ]
        self._memo[memo_key] = (value, read)
        return value, read


def _frozen(parameters: Parameters) -> tuple[Any, ...]:
    return tuple(sorted((k, p.metric_id, p.value, p.unit, p.key) for k, p in parameters.items()))
