"""The data entry form of one entity and period: its rows, the change against last year, and
applying a posted form through the collaboration service (one value at a time, each in its own
transaction, so that one refused value does not lose the others; a value saved and then refused
on submit stays saved, and is reported so)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from esgledger.access.principal import Principal
from esgledger.catalogue import Catalogue
from esgledger.catalogue.model import Metric
from esgledger.collaboration import Collaboration
from esgledger.domain import DataPoint
from esgledger.errors import EsgLedgerError
from esgledger.ingest.values import entered_number as parse_number
from esgledger.ingest.values import parse_version
from esgledger.service_errors import Conflict, ServiceError
from esgledger.units import canonical_unit_text, conversion_factor_via, suggested_units
from esgledger.web.extras import all_points, change_threshold, explanations
from esgledger.web.progress import previous_year
from esgledger.workflow.entries import Entry
from esgledger.workflow.queries import Filters
from esgledger.workflow.views import point_dict

OPEN_STATUSES = ("draft", "rejected")


def typed_metrics(catalogue: Catalogue) -> list[Metric]:
    """Input metrics a person types in; those filled by imports (transfers, certificates, bulk
    activity results) are left out."""
    return [m for m in catalogue.inputs() if m.group != "activity" and "source" not in m.attributes]


def same_unit(a: str, b: str) -> bool:
    return canonical_unit_text(a) == canonical_unit_text(b)


def unit_choices(unit: str) -> list[str]:
    """The units a value of a metric in ``unit`` may be typed in, one spelling of each."""
    choices: list[str] = []
    for candidate in suggested_units(unit):
        if not any(same_unit(candidate, kept) for kept in choices):
            choices.append(candidate)
    return choices


def slug(metric_id: str) -> str:
    return metric_id.replace(".", "-")


def normalised(metric: Metric, value: float, unit: str) -> float | None:
    """``value`` in the metric's unit, or None when it cannot be converted."""
    try:
        factor = conversion_factor_via(unit, metric.unit, metric.attributes.get("density"))
    except (EsgLedgerError, ValueError, AttributeError):
        return None
    result = value * factor
    return result if math.isfinite(result) else None


def change(now: float | None, before: DataPoint | None) -> float | None:
    """Signed relative change against last year (None when unknown; from zero it counts as
    +100 %, as any change from zero is more than the threshold)."""
    if now is None or before is None:
        return None
    if before.value_normalised == 0:
        return 0.0 if now == 0 else 1.0
    return (now - before.value_normalised) / abs(before.value_normalised)


def over(ratio: float | None, threshold: float) -> bool:
    return ratio is not None and abs(ratio) > threshold


def row(
    metric: Metric,
    current: DataPoint | None,
    before: DataPoint | None,
    explained: list[str],
    threshold: float,
) -> dict[str, Any]:
    ratio = change(current.value_normalised if current else None, before)
    units = unit_choices(metric.unit)
    shown = current or before
    preferred = shown.unit if shown is not None else metric.unit
    selected = next((u for u in units if same_unit(u, preferred)), None)
    if selected is None:
        units.append(preferred)
        selected = preferred
    return {
        "metric": metric.id,
        "slug": slug(metric.id),
        "name": dict(metric.name),
        "unit": metric.unit,
        "units": units,
        "selected": selected,
        "current": point_dict(current) if current else None,
        "last_year": point_dict(before) if before else None,
        "change": ratio,
        "over_threshold": over(ratio, threshold),
        "explanations": explained,
    }


def form_rows(
    collab: Collaboration, user: Principal, entity_id: str, period: str
) -> tuple[list[dict[str, Any]], float]:
    """The entry rows grouped as in the catalogue, and the change threshold."""
    now = {p.metric_id: p for p in all_points(collab, user, Filters(period, entity_id))}
    before_period = previous_year(period)
    before = {p.metric_id: p for p in all_points(collab, user, Filters(before_period, entity_id))}
    explained = explanations(collab, list(now.values()))
    threshold = change_threshold(collab)
    groups: dict[str, list[dict[str, Any]]] = {}
    for metric in typed_metrics(collab.ws.catalogue):
        current = now.get(metric.id)
        texts = explained.get(current.id, []) if current else []
        groups.setdefault(metric.group, []).append(
            row(metric, current, before.get(metric.id), texts, threshold)
        )
    ordered = [
        {"group": g, "rows": rows, "filled": any(r["current"] or r["last_year"] for r in rows)}
        for g, rows in groups.items()
    ]
    return ordered, threshold


@dataclass(frozen=True)
class Typed:
    """One row of a posted entry form."""

    metric: str
    value: str
    unit: str
    version: int | None
    explanation: str


def _text(form: FormData, name: str) -> str:
    found = form.get(name)
    return found.strip() if isinstance(found, str) else ""


def typed_rows(form: FormData, metrics: list[Metric]) -> list[Typed]:
    rows = []
    for metric in metrics:
        value = _text(form, f"value.{metric.id}")
        explanation = _text(form, f"explanation.{metric.id}")
        if not value and not explanation:
            continue
        version = _text(form, f"version.{metric.id}")
        rows.append(
            Typed(
                metric.id,
                value,
                _text(form, f"unit.{metric.id}") or metric.unit,
                parse_version(version, metric.id),
                explanation,
            )
        )
    return rows


class NotSubmitted(Exception):
    """A row's value was saved (``point``, a new draft), then submitting it was refused
    (``error``)."""

    def __init__(self, point: DataPoint, error: ServiceError) -> None:
        super().__init__(error.message)
        self.point = point
        self.error = error


def apply_row(
    collab: Collaboration,
    user: Principal,
    entity_id: str,
    period: str,
    typed: Typed,
    current: DataPoint | None,
    submit: bool,
    explained: Sequence[str] = (),
) -> DataPoint | None:
    """Write one typed row (create or correct), then submit it when asked. An explanation typed
    for an unchanged value is recorded on its current version (refused unless it is a draft or
    rejected), unless ``explained`` (the current version's explanations) holds that text
    already. Raises NotSubmitted when the value was saved but submitting it was refused."""
    explanation = typed.explanation or None
    point = current
    if (
        typed.value
        and current is not None
        and typed.version is None
        and collab.allowed(user, "datapoint.correct", current.id)  # else the refusal says so
    ):
        # the form showed no value for this row: someone entered one since; never overwrite it
        raise Conflict(
            f"{typed.metric} already has a value ({current.value:g} {current.unit}, version "
            f"{current.version} by {current.created_by}), entered after this form was opened; "
            "reload the form and correct that value if it is wrong",
            field="value",
            details={"current": point_dict(current), "version": current.version},
            code="exists",
        )
    if typed.value:
        value = parse_number(typed.value)
        if current is None:
            entry = Entry(entity_id, period, typed.metric, value, typed.unit)
            point = collab.create_datapoint(user, entry, explanation)
            explanation = None  # recorded with the value
        elif value != current.value or not same_unit(typed.unit, current.unit):
            version = typed.version if typed.version is not None else current.version
            changes = {"value": value, "unit": typed.unit}
            point = collab.correct_datapoint(user, current.id, version, changes, explanation)
            explanation = None
    if point is None:
        return None
    if point is current and explanation in explained:
        explanation = None  # the form posted again: recorded already
    if submit and point.status in OPEN_STATUSES:
        try:
            return collab.submit(user, point.id, point.version, explanation)
        except ServiceError as error:
            if point is current:
                raise
            raise NotSubmitted(point, error) from error
    if explanation is not None and point is current:  # refused unless draft or rejected
        version = typed.version if typed.version is not None else point.version
        return collab.explain_change(user, point.id, version, explanation)
    return point


def error_dict(error: ServiceError) -> dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message,
        "field": error.field,
        "details": error.details,
    }


def apply_form(
    collab: Collaboration,
    user: Principal,
    entity_id: str,
    period: str,
    rows: list[Typed],
    submit: bool,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Apply every typed row; ``(written values, errors by metric)``. A value saved and then
    refused on submit is in both."""
    now = {p.metric_id: p for p in all_points(collab, user, Filters(period, entity_id))}
    explained = explanations(collab, list(now.values()))
    written: list[dict[str, Any]] = []
    errors: dict[str, dict[str, Any]] = {}
    for typed in rows:
        current = now.get(typed.metric)
        texts = explained.get(current.id, []) if current else []
        try:
            point = apply_row(collab, user, entity_id, period, typed, current, submit, texts)
        except NotSubmitted as refused:
            written.append(point_dict(refused.point))
            errors[typed.metric] = error_dict(refused.error)
            continue
        except ServiceError as error:
            errors[typed.metric] = error_dict(error)
            continue
        except EsgLedgerError as error:
            errors[typed.metric] = {
                "code": "invalid",
                "message": str(error),
                "field": "value",
                "details": None,
            }
            continue
        if point is not None and point is not now.get(typed.metric):
            written.append(point_dict(point))
    return written, errors
