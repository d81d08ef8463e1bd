"""Import data points from CSV or XLSX: columns entity, period, metric, value, unit
(method, source, note, dimensions, covers, publish_note optional). Every row is checked before
anything is written.

``dimensions`` breaks a figure down by the metric's axes (``gender=female;age_band=under_30``);
an empty cell is the total. ``covers`` states the entities a figure covers when that is not its
entity's whole subtree (``mill;foil``, or ``-power`` to leave one out): such a figure is kept under
its own key, never added to a roll-up of another boundary. A value printed as nil (``-``, ``—``,
``不适用``) is kept as such, with method ``nil``: there is nothing to report, which is not a zero.
``publish_note`` (yes/no, true/false, 1/0, 是/否; empty is no) marks the row's note for the report's
footnotes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from esgledger.catalogue import Catalogue, Metric
from esgledger.catalogue.breakdowns import (
    COVERS,
    BreakdownError,
    covers_text,
    dimensions_text,
    metric_key,
    parse_dimensions,
    split_key,
)
from esgledger.domain import METHODS, Entity, OrgTree, Period
from esgledger.errors import InputIssue, InputRejected
from esgledger.factors.densities import (
    accepted_units,
    density_factor,
    is_volume,
    mass_per_unit,
    shipped_density,
)
from esgledger.free_text import MAX_LENGTH, text_problem
from esgledger.ingest.tables import Table, check_columns
from esgledger.ingest.values import NumberRefused, is_nil, magnitude_problem, read_number
from esgledger.ledger.change import Change
from esgledger.ledger.granularity import mixed_granularity
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import load_entities
from esgledger.ledger.writes import NewValue, WriteSummary, write_values
from esgledger.suggestions import did_you_mean
from esgledger.units import UnitError, conversion_factor_via, spelling

REQUIRED = ["entity", "period", "metric", "value", "unit"]
OPTIONAL = ["method", "source", "note", "dimensions", "covers", "publish_note"]
# How a yes/no cell may be written (case-insensitive); an empty cell is no.
YES = frozenset({"yes", "y", "true", "1", "是"})
NO = frozenset({"no", "n", "false", "0", "否", ""})
# Reference columns written by the collection template; read back but not stored.
REFERENCE = ["metric_name", "entity_name", "last_year_value", "last_year_unit", "metric_unit"]


class EntityIndex:
    """Find an entity by id or alias."""

    def __init__(self, entities: list[Entity]):
        self.by_key: dict[str, Entity] = {}
        self._hints: dict[str, str] = {}
        self._tree = OrgTree(entities)
        for entity in entities:
            self.by_key[entity.id] = entity
            for alias in entity.aliases:
                self.by_key.setdefault(alias, entity)

    def find(self, key: str) -> Entity | None:
        return self.by_key.get(key)

    def subtree(self, entity_id: str) -> set[str]:
        """``entity_id`` and every entity below it."""
        return {entity_id, *self._tree.descendants(entity_id)}

    def unknown(self, key: str) -> str:
        """What to expect instead of ``key``, an unknown id or alias (the closest ones named)."""
        hint = self._hints.get(key)
        if hint is None:
            hint = self._hints[key] = did_you_mean(key, self.by_key)
        return "the id or alias of an entity in the organisation" + hint


def _unit_expected(metric: Metric, error: UnitError) -> str:
    accepted = accepted_units(metric.unit, metric.attributes)
    return f"a unit convertible to {spelling(metric.unit)}, such as {accepted} ({error})"


def _by_density(
    unit: str, metric: Metric, period: Period | None
) -> tuple[float | None, str | None]:
    """A liquid fuel's volume as its mass per unit, at the shipped density valid at the period
    start (provisional: the calculation converts again, with a measured density where reported).
    ``(None, "")`` when the unit is no volume or the carrier has no density (the unit error
    stands); ``(None, why)`` when the density is missing for the period."""
    factor_id = density_factor(metric.attributes)
    if factor_id is None or not is_volume(unit):
        return None, ""
    if period is None:
        return None, None  # the period is refused on its own
    density = shipped_density(factor_id, period.start)
    if density is None:
        return None, (
            f"a mass ({spelling(metric.unit)}): {factor_id} has no density valid on "
            f"{period.start.isoformat()} to convert {unit!r}"
        )
    return mass_per_unit(unit, density.value, density.unit, metric.unit), None


def _whole(number: float) -> bool:
    """Whether ``number`` is a whole number (up to the rounding of a unit conversion)."""
    return abs(number - round(number)) <= 1e-9 * max(1.0, abs(number))


def validate_rows(table: Table, catalogue: Catalogue, entities: list[Entity]) -> list[NewValue]:
    """Turn table rows into values, or raise :class:`InputRejected` with every problem found."""
    return [value for _row, value in numbered_values(table, catalogue, entities)]


def numbered_values(
    table: Table, catalogue: Catalogue, entities: list[Entity], covers: str = ""
) -> list[tuple[int, NewValue]]:
    """:func:`validate_rows` with the row number of each value. ``covers``: the boundary of the
    whole import (``-power``, ``mill;foil``), for each row whose ``covers`` cell is empty."""
    issues = check_columns(table, REQUIRED, OPTIONAL, REFERENCE)
    if issues:
        raise InputRejected(issues)
    name = str(table.path)
    covers_default = covers.strip()
    index = EntityIndex(entities)
    values: list[tuple[int, NewValue]] = []
    first_row: dict[tuple[str, str, str], int] = {}
    is_template = "metric_name" in table.columns
    metric_hints: dict[str, str] = {}
    for row_number, row in table:
        if is_template and not row.get("value"):
            continue  # a collection-template row left blank: the metric was not reported
        row_issues: list[InputIssue] = []

        def issue(
            field: str,
            found: str,
            expected: str,
            rn: int = row_number,
            bucket: list[InputIssue] = row_issues,
        ) -> None:
            bucket.append(InputIssue(name, rn, field, found, expected, table.cell(rn, field)))

        nil = bool(row.get("value")) and is_nil(row["value"])
        for field in REQUIRED:
            if not row.get(field) and not (nil and field == "unit"):
                issue(field, "an empty cell", "a value")
        entity = index.find(row["entity"]) if row.get("entity") else None
        if row.get("entity") and entity is None:
            issue("entity", row["entity"], index.unknown(row["entity"]))
        metric_text, written_members = split_key(row.get("metric", ""))
        written_covers = written_members.pop(COVERS, "")  # a key written back (a correction)
        metric = catalogue.metrics.get(metric_text)
        if row.get("metric") and metric is None:
            if row["metric"] not in metric_hints:
                metric_hints[row["metric"]] = did_you_mean(
                    row["metric"], [m.id for m in catalogue.inputs()]
                )
            issue(
                "metric",
                row["metric"],
                "a metric id from the catalogue, e.g. energy.raw_coal"
                + metric_hints[row["metric"]],
            )
        elif metric is not None and metric.is_derived and row.get("method") != "reported":
            issue(
                "metric",
                metric.id,
                "an input metric (this one is calculated by esgledger), or method 'reported' "
                "with its source for the figure the organisation published",
            )
            metric = None
        elif metric is not None and metric.attributes.get("source"):
            issue(
                "metric",
                metric.id,
                f"a metric entered as data (this one is filled from "
                f"{metric.attributes['source']}: use 'esgledger "
                f"{metric.attributes['source'].rstrip('s')} import')",
            )
            metric = None
        members: dict[str, str] = {}
        if metric is not None and (row.get("dimensions") or written_members):
            written = row.get("dimensions") or dimensions_text(written_members)
            try:
                members = parse_dimensions(written, metric.id, metric.axes, catalogue.axes)
            except BreakdownError as refused:
                where = "dimensions" if row.get("dimensions") else "metric"
                issue(where, written, f"axis=member pairs of {metric.id}'s axes ({refused})")
                metric = None
        given = row.get("covers") or written_covers
        covers = given or covers_default
        if metric is not None and entity is not None and covers:
            try:
                boundary = covers_text(entity.id, covers, index.subtree(entity.id))
            except BreakdownError as refused:
                whose = "" if given else " (the boundary given for the whole import)"
                issue("covers", covers, f"entity ids of {entity.id}'s subtree{whose} ({refused})")
                metric = None
            else:
                if boundary:
                    members[COVERS] = boundary
        period: Period | None = None
        if row.get("period"):
            try:
                period = Period.parse(row["period"])
            except ValueError:
                issue("period", row["period"], "a year such as 2024 or a month such as 2024-03")
        if entity is not None and period is not None and not entity.valid_during(period):
            issue(
                "period",
                row["period"],
                f"a period within {entity.id}'s validity "
                f"({entity.valid_from or 'open'} to {entity.valid_to or 'open'})",
            )
        for field in ("unit", "source", "note"):
            problem = text_problem(row.get(field, ""), field)
            if problem is not None:
                issue(field, row[field], f"{problem.expected} (found {problem.found})")
        note_public = False
        flag = str(row.get("publish_note") or "").strip().lower()
        if flag in YES:
            note_public = True
            if not row.get("note"):
                issue("publish_note", row["publish_note"], "no, or a note (column note) to publish")
        elif flag not in NO:
            issue("publish_note", row["publish_note"], "yes or no (true/false, 1/0, 是/否)")
        number = None
        if nil:
            number = 0.0
        elif row.get("value"):
            try:
                number = read_number(row["value"])
            except NumberRefused as refused:
                issue("value", row["value"], refused.expected)
            if number is not None and metric is not None and metric.nonnegative and number < 0:
                issue("value", row["value"], f"a value of zero or more for {metric.id}")
        factor = None
        if nil and metric is not None:
            factor = 1.0  # nothing to convert; the unit as printed is kept when given
        elif row.get("unit") and metric is not None and len(row["unit"]) <= MAX_LENGTH["unit"]:
            try:
                factor = conversion_factor_via(
                    row["unit"], metric.unit, metric.attributes.get("density")
                )
            except UnitError as exc:
                factor, why = _by_density(row["unit"], metric, period)
                if why is not None:
                    issue("unit", row["unit"], why or _unit_expected(metric, exc))
        if metric is not None and number is not None and factor is not None:
            normalised = number * factor
            unit = spelling(metric.unit)
            bounds = metric.attributes.get("bounds") or {}
            low, high = bounds.get("min"), bounds.get("max")
            too_large = magnitude_problem(normalised, unit)
            if too_large is not None:
                issue("value", row["value"], f"{too_large} for {metric.id}")
            elif (low is not None and normalised < low) or (high is not None and normalised > high):
                issue(
                    "value",
                    row["value"],
                    f"a physically plausible {metric.id} between {low} and {high} {unit}",
                )
            elif metric.count and not _whole(normalised):
                issue("value", row["value"], f"a whole number of {unit}: {metric.id} is a count")
        method = row.get("method") or ("nil" if nil else "measured")
        if nil and method != "nil":
            issue(
                "method",
                method,
                f"method nil or an empty cell: {row['value']!r} says there is nothing to report",
            )
        elif method == "nil" and not nil:
            issue("value", row["value"], "'-', '—' or '不适用' with method nil")
        elif method not in METHODS:
            issue("method", method, "one of " + ", ".join(METHODS))
        elif method == "reported" and not row.get("source"):
            issue(
                "source",
                "an empty cell",
                "where the published figure is printed, e.g. '2024 ESG report p. 63'",
            )
        if entity is not None and metric is not None and period is not None:
            key = (entity.id, str(period), metric_key(metric.id, members))
            if key in first_row:
                issue(
                    "metric",
                    metric.id,
                    f"one row per entity, period, metric and breakdown (same as row "
                    f"{first_row[key]})",
                )
            else:
                first_row[key] = row_number
        if row_issues:
            issues.extend(row_issues)
            continue
        assert entity is not None and metric is not None and period is not None
        assert number is not None and factor is not None
        values.append(
            (
                row_number,
                NewValue(
                    entity_id=entity.id,
                    period=str(period),
                    metric_id=metric_key(metric.id, members),
                    value=number,
                    unit=row.get("unit") or metric.unit,
                    value_normalised=number * factor,
                    method=method,
                    source=row.get("source") or None,
                    note=row.get("note") or None,
                    note_public=note_public,
                ),
            )
        )
    if issues:
        raise InputRejected(issues)
    return values


def import_datapoints(
    change: Change,
    table: Table,
    catalogue: Catalogue,
    statuses: Callable[[Sequence[NewValue]], list[str]] | None = None,
    may_enter: Callable[[str], bool] | None = None,
    visible: Callable[[str], bool] | None = None,
    covers: str = "",
) -> WriteSummary:
    """Validate every row of ``table`` (read before the change took the head), then write them
    as one batch; ``statuses`` gives each value's review status (default: submitted);
    ``may_enter(entity_id)`` says whether the importing person may enter values of an entity;
    ``visible(entity_id)`` whether they may see it (the others are unknown to them, and never
    suggested); ``covers``: the boundary of the whole import (:func:`numbered_values`)."""
    known = load_entities(change.connection)
    if visible is not None:
        known = [entity for entity in known if visible(entity.id)]
    numbered = numbered_values(table, catalogue, known, covers)
    if may_enter is not None:
        allowed = {entity: may_enter(entity) for entity in {v.entity_id for _r, v in numbered}}
        outside = [
            InputIssue(
                str(table.path),
                row,
                "entity",
                value.entity_id,
                "an entity you may enter values for (yours or one below it)",
                table.cell(row, "entity"),
            )
            for row, value in numbered
            if not allowed[value.entity_id]
        ]
        if outside:
            raise InputRejected(outside)
    values = [value for _row, value in numbered]
    refuse_locked(change.connection, {v.period for v in values}, f"importing {table.path.name}")
    mixed = mixed_granularity(change.connection, values)
    if mixed:
        raise InputRejected(
            [
                InputIssue(
                    str(table.path),
                    numbered[index][0],
                    "period",
                    values[index].period,
                    reason,
                    table.cell(numbered[index][0], "period"),
                )
                for index, reason in sorted(mixed.items())
            ]
        )
    batch = {
        "kind": "datapoints",
        "file_name": table.path.name,
        "sha256": table.sha256,
        "rows": len(values),
    }
    chosen = statuses(values) if statuses is not None else ["submitted"] * len(values)
    return write_values(
        change,
        [v if v.status == s else replace(v, status=s) for v, s in zip(values, chosen, strict=True)],
        batch,
    )
