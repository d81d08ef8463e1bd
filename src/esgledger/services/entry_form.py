"""The entry form of an entity and period: its rows (last year's value, the change against last
year, the explanations given), the change of a value being typed, and applying a typed form one
value at a time, so that one refused value does not lose the others; a value saved and then
refused on submit stays saved, and is reported so. The web page and the API offer the same."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from esgledger.access.policy import can
from esgledger.access.principal import Principal
from esgledger.catalogue import Catalogue
from esgledger.catalogue.breakdowns import metric_key
from esgledger.catalogue.model import Metric
from esgledger.domain import DataPoint, Period
from esgledger.errors import EsgLedgerError
from esgledger.ingest.values import entered_number, is_nil, parse_version
from esgledger.service_errors import Invalid, ServiceError
from esgledger.services.collection import all_points, previous_year
from esgledger.services.datapoints import DataPoints
from esgledger.services.operation import Call, Capability, Reading, reads, staged
from esgledger.services.organisation import configuration, metric_key_of, visible_entity
from esgledger.units import canonical_unit_text, conversion_factor_via, suggested_units
from esgledger.workflow import queries, trail
from esgledger.workflow.entries import Entry, already_has_value
from esgledger.workflow.periods import parse_period
from esgledger.workflow.queries import Filters
from esgledger.workflow.review import change_between
from esgledger.workflow.views import point_dict

OPEN_STATUSES = ("draft", "rejected")
__all__ = ["Applied", "EntryForms", "Typed", "parse_version", "typed_keys", "typed_metrics"]


def typed_metrics(catalogue: Catalogue) -> list[Metric]:
    """Input metrics a person types in; those filled by imports (transfers, certificates: a
    ``source`` attribute) and the bulk activity results (roles ``activity_*``) are left out."""
    return [
        m
        for m in catalogue.inputs()
        if "source" not in m.attributes and not any(r.startswith("activity_") for r in m.roles)
    ]


def same_unit(a: str, b: str) -> bool:
    return canonical_unit_text(a) == canonical_unit_text(b)


def unit_choices(unit: str) -> list[str]:
    """The units a value of a metric in ``unit`` may be typed in, one spelling of each."""
    choices: list[str] = []
    for candidate in suggested_units(unit):
        if not any(same_unit(candidate, kept) for kept in choices):
            choices.append(candidate)
    return choices


def typed_keys(catalogue: Catalogue) -> list[str]:
    """The rows of an entry form: each typed metric, followed by one row per member of each of
    its breakdown axes (``workforce.headcount{gender=female}``)."""
    axes = catalogue.axes
    return [
        metric_key(metric.id, members)
        for metric in typed_metrics(catalogue)
        for members in [{}, *({axis: m} for axis in metric.axes for m in axes[axis].members)]
    ]


def slug(metric_key: str) -> str:
    """A metric key as an HTML id and CSS selector part (letters, digits, - and _ only)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", metric_key)


def normalised(metric: Metric, value: float, unit: str) -> float | None:
    """``value`` in the metric's unit, or None when it cannot be converted."""
    try:
        factor = conversion_factor_via(unit, metric.unit, metric.attributes.get("density"))
    except (EsgLedgerError, ValueError, AttributeError):
        return None
    result = value * factor
    return result if math.isfinite(result) else None


def year_months(period: str) -> list[str]:
    """The periods of a year with its months (a month alone for a month)."""
    parsed = Period.parse(period)
    if parsed.month is not None:
        return [str(parsed)]
    return [str(parsed)] + [f"{parsed.year}-{m:02d}" for m in range(1, 13)]


@dataclass(frozen=True)
class Typed:
    """One row of a posted entry form."""

    metric: str
    value: str
    unit: str
    version: int | None
    explanation: str
    # where the figure comes from (a meter, an invoice, a report page) and a note, which may be
    # printed as a footnote of the report; None: the form did not carry the field (kept as is)
    source: str | None = None
    note: str | None = None
    note_public: bool | None = None

    def annotations(self) -> dict[str, object]:
        """The source and note fields the form carried (empty text: none)."""
        posted: dict[str, object] = {}
        if self.source is not None:
            posted["source"] = self.source or None
        if self.note is not None:
            posted["note"] = self.note or None
            posted["note_public"] = bool(self.note_public) and bool(self.note)
        return posted


@dataclass
class Applied:
    """What applying a form did: the values written, and the refusals by metric (a value saved
    and then refused on submit is in both)."""

    entity: str
    period: str
    written: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, dict[str, Any]] = field(default_factory=dict)


def error_dict(error: ServiceError) -> dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message,
        "field": error.field,
        "details": error.details,
    }


class NotSubmitted(Exception):
    """A row's value was saved (``point``, a new draft), then submitting it was refused."""

    def __init__(self, point: DataPoint, error: ServiceError) -> None:
        super().__init__(error.message)
        self.point = point
        self.error = error


def _explanations(connection: sa.Connection, points: Sequence[DataPoint]) -> dict[int, list[str]]:
    """data point id -> the explanations given for it."""
    if not points:
        return {}
    found: dict[int, list[str]] = {}
    for row in trail.comments_for(connection, [p.id for p in points]):
        if row["action"] == "explain" and row["comment"]:
            found.setdefault(row["datapoint_id"], []).append(row["comment"])
    return found


def _month_totals(points: Sequence[DataPoint]) -> dict[str, tuple[float, int]]:
    """metric -> (sum of its monthly values, number of months) for the months among ``points``."""
    totals: dict[str, tuple[float, int]] = {}
    for point in points:
        if len(point.period) == 7:
            total, count = totals.get(point.metric_id, (0.0, 0))
            totals[point.metric_id] = (total + point.value_normalised, count + 1)
    return totals


class EntryForms(Capability):
    # -- the entry form ----------------------------------------------------------------------
    @reads("datapoint.read")
    def form(self, call: Reading, entity_id: str, period: str) -> dict[str, Any]:
        """The rows of the entry form of an entity and period, grouped as in the catalogue,
        with last year's value (a year entered month by month shows the months' total), the
        change, the explanations given, and whether the user may edit."""
        config = configuration(call)
        entity = visible_entity(call, entity_id)
        name = str(parse_period(period))
        before_name = previous_year(name)
        connection, user = call.connection, call.actor
        everything = all_points(connection, user, Filters(name, entity.id, months=True))
        now = {p.metric_id: p for p in everything if p.period == name}
        months_now = _month_totals([p for p in everything if p.period != name])
        earlier = all_points(connection, user, Filters(before_name, entity.id, months=True))
        before = {p.metric_id: p for p in earlier if p.period == before_name}
        months_before = _month_totals([p for p in earlier if p.period != before_name])
        explained = _explanations(connection, list(now.values()))
        threshold = config.change_threshold
        locked = config.locked_by(name)
        groups: dict[str, list[dict[str, Any]]] = {}
        catalogue = self.context.catalogue
        for key in typed_keys(catalogue):
            metric = catalogue[key]
            current = now.get(key)
            last = before.get(key)
            last_value = last.value_normalised if last is not None else None
            last_months = months_before.get(key)
            if last is None and last_months is not None:
                last_value = last_months[0]
            typed_months = months_now.get(key)
            moved = change_between(current.value_normalised if current else None, last_value)
            units = unit_choices(metric.unit)
            shown = current or last
            preferred = shown.unit if shown is not None else metric.unit
            selected = next((u for u in units if same_unit(u, preferred)), None)
            if selected is None:
                units.append(preferred)
                selected = preferred
            groups.setdefault(metric.group, []).append(
                {
                    "metric": key,
                    "slug": slug(key),
                    "name": {lang: catalogue.label(key, lang) for lang in ("en", "zh")},
                    "member": key != metric.id,  # a breakdown member's row, under its total
                    "unit": metric.unit,
                    "units": units,
                    "selected": selected,
                    "current": point_dict(current) if current else None,
                    "last_year": point_dict(last) if last else None,
                    # a year entered month by month: the months' total (in the metric's unit)
                    "last_year_months": (
                        {"total": last_months[0], "months": last_months[1]}
                        if last is None and last_months
                        else None
                    ),
                    "months": typed_months[1] if typed_months else 0,
                    **moved.as_dict(),
                    "over_threshold": moved.over(threshold),
                    "explanations": explained.get(current.id, []) if current else [],
                    "explainable": current is None or current.status in OPEN_STATUSES,
                }
            )
        return {
            "entity": entity.id,
            "period": name,
            "last_year": before_name,
            "locked": locked,
            "editable": can(user, "datapoint.create", entity.id) and locked is None,
            "threshold": threshold,
            "groups": [
                {
                    "group": group,
                    "rows": rows,
                    "filled": any(r["current"] or r["last_year"] or r["months"] for r in rows),
                }
                for group, rows in groups.items()
            ],
        }

    @reads("datapoint.read")
    def preview(
        self, call: Reading, entity_id: str, period: str, metric_id: str, value: str, unit: str
    ) -> dict[str, Any]:
        """The change against last year of a value being typed (before it is saved)."""
        config = configuration(call)
        entity = visible_entity(call, entity_id)
        metric_id = metric_key_of(self.context.catalogue, metric_id)
        metric = self.context.catalogue[metric_id]
        name = str(parse_period(period))
        connection, user = call.connection, call.actor
        before, _n = queries.list_points(
            connection, user, Filters(previous_year(name), entity.id, metric_id), 1, 0
        )
        try:
            typed = normalised(metric, entered_number(value), unit or metric.unit)
        except Invalid:  # a value still being typed: no change to show yet
            typed = None
        moved = change_between(typed, before[0].value_normalised if before else None)
        current, _m = queries.list_points(
            connection, user, Filters(name, entity.id, metric_id), 1, 0
        )
        return {
            "metric": metric_id,
            "slug": slug(metric_id),
            **moved.as_dict(),
            "threshold": config.change_threshold,
            "over_threshold": moved.over(config.change_threshold),
            "last_year": point_dict(before[0]) if before else None,
            "explanations": _explanations(connection, current).get(current[0].id, [])
            if current
            else [],
            "explainable": not current or current[0].status in OPEN_STATUSES,
        }

    @staged("datapoint.read")
    def apply(
        self, call: Call, entity_id: str, period: str, rows: list[Typed], submit: bool
    ) -> Applied:
        """Apply every typed row of an entry form, each value on its own: each is an operation
        of its own (create, correct, submit, explain), with its own permission check and commit,
        so that one refused value does not lose the others."""
        points = DataPoints(self.context)
        user = call.actor
        with call.reading() as connection:
            config_entity = visible_entity(Reading(user, self.context, connection), entity_id)
            name = str(parse_period(period))
            everything = all_points(connection, user, Filters(name, config_entity.id, months=True))
            now = {p.metric_id: p for p in everything if p.period == name}
            explained = _explanations(connection, list(now.values()))
        outcome = Applied(config_entity.id, name)
        catalogue = self.context.catalogue
        for typed in rows:
            if catalogue.find(typed.metric) is not None and not typed.unit:
                typed = replace(typed, unit=catalogue[typed.metric].unit)
            current = now.get(typed.metric)
            try:
                point = self._apply_row(
                    points,
                    user,
                    config_entity.id,
                    name,
                    typed,
                    current,
                    submit,
                    explained.get(current.id, []) if current else [],
                )
            except NotSubmitted as refused:
                outcome.written.append(point_dict(refused.point))
                outcome.errors[typed.metric] = error_dict(refused.error)
                continue
            except ServiceError as error:
                outcome.errors[typed.metric] = error_dict(error)
                continue
            except EsgLedgerError as error:
                outcome.errors[typed.metric] = {
                    "code": "invalid",
                    "message": str(error),
                    "field": "value",
                    "details": None,
                }
                continue
            if point is not None and point is not current:
                outcome.written.append(point_dict(point))
        return outcome

    def _apply_row(
        self,
        points: DataPoints,
        user: Principal,
        entity_id: str,
        period: str,
        typed: Typed,
        current: DataPoint | None,
        submit: bool,
        explained: Sequence[str],
    ) -> DataPoint | None:
        """Write one typed row (create or correct), then submit it when asked. An explanation
        typed for an unchanged draft or rejected value is recorded on its current version (not
        for a value submitted or approved already: it needs none), unless that text is recorded
        already. Raises NotSubmitted when the value was saved but submitting it was refused."""
        explanation = typed.explanation or None
        point = current
        if (
            typed.value
            and current is not None
            and typed.version is None
            and points.allowed(user, "datapoint.correct", current.id)  # else the refusal says so
        ):
            # the form showed no value for this row: someone entered one since; never overwrite it
            raise already_has_value(
                current,
                f"{typed.metric} already has a value ({current.value:g} {current.unit}, version "
                f"{current.version} by {current.created_by}), entered after this form was "
                "opened; reload the form and correct that value if it is wrong",
                "value",
            )
        if typed.value:
            nil = is_nil(typed.value)  # "-": nothing to report, which is not a zero
            value = 0.0 if nil else entered_number(typed.value)
            method = "nil" if nil else "measured"
            annotations = typed.annotations()
            if current is None:
                entry = Entry(
                    entity_id,
                    period,
                    typed.metric,
                    value,
                    typed.unit,
                    method,
                    source=typed.source or None,
                    note=typed.note or None,
                    note_public=bool(typed.note_public) and bool(typed.note),
                )
                point = points.create(user, entry, explanation)
                explanation = None  # recorded with the value
            else:
                changes: dict[str, object] = {
                    name: wanted
                    for name, wanted in annotations.items()
                    if wanted != getattr(current, name)
                }
                if (
                    value != current.value
                    or not same_unit(typed.unit, current.unit)
                    or (method == "nil") != (current.method == "nil")
                ):
                    changes |= {"value": value, "unit": typed.unit}
                    if nil or current.method == "nil":
                        changes["method"] = method
                if changes:
                    version = typed.version if typed.version is not None else current.version
                    point = points.correct(user, current.id, version, changes, explanation)
                    explanation = None
        if point is None:
            return None
        if point is current and (explanation in explained or point.status not in OPEN_STATUSES):
            explanation = None  # posted again, or the value is under review: nothing to explain
        if submit and point.status in OPEN_STATUSES:
            try:
                return points.submit(user, point.id, point.version, explanation)
            except ServiceError as error:
                if point is current:
                    raise
                raise NotSubmitted(point, error) from error
        if explanation is not None and point is current:
            version = typed.version if typed.version is not None else point.version
            return points.explain_change(user, point.id, version, explanation)
        return point
