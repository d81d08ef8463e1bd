"""Validate one value typed by a person, reusing the importer's row validation, and write it.

A correction names the version it is based on. Writers hold the audit chain head for the whole
transaction (BEGIN IMMEDIATE on SQLite, a row lock on PostgreSQL), so the version check and the
write cannot interleave with another writer: a stale write raises :class:`Conflict` carrying the
current value, and no update is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.access.policy import DataPointFacts, authorize
from esgledger.access.principal import Principal
from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint, Entity
from esgledger.errors import InputRejected
from esgledger.free_text import check_text
from esgledger.ingest.datapoints import REQUIRED, EntityIndex, validate_rows
from esgledger.ingest.tables import Table
from esgledger.ledger.change import Change
from esgledger.ledger.granularity import mixing_with
from esgledger.ledger.reads import current_in_year, datapoint_history
from esgledger.ledger.writes import NewValue, write_values
from esgledger.service_errors import Conflict, Invalid, NotFound
from esgledger.store.schema import datapoints, review_comments
from esgledger.suggestions import did_you_mean
from esgledger.workflow import trail
from esgledger.workflow.configuration import ConfigurationCache
from esgledger.workflow.periods import parse_period, refuse_lock
from esgledger.workflow.views import point_dict


@dataclass(frozen=True)
class Entry:
    """A value as a person enters it."""

    entity: str
    period: str
    metric: str
    value: float
    unit: str
    method: str = "measured"
    source: str | None = None
    note: str | None = None
    dimensions: str | None = None  # a breakdown member: axis=member;axis=member
    note_public: bool = False  # the note is printed as a footnote of the report


def validate(
    entry: Entry, catalogue: Catalogue, entities: list[Entity], status: str = "draft"
) -> NewValue:
    """The ledger value for ``entry``, or :class:`Invalid` naming the first bad field."""
    if not math.isfinite(entry.value):
        raise Invalid("value must be a finite number", field="value")
    parse_period(entry.period)
    for field in ("unit", "source", "note"):
        check_text(getattr(entry, field), field)
    row = {
        "entity": entry.entity,
        "period": entry.period,
        "metric": entry.metric,
        "value": "-" if entry.method == "nil" else repr(float(entry.value)),
        "unit": entry.unit,
        "method": entry.method,
        "source": entry.source or "",
        "note": entry.note or "",
        "dimensions": entry.dimensions or "",
        "publish_note": "yes" if entry.note_public else "no",
    }
    table = Table(path=Path("request"), sheet=None, columns=list(row), rows=[(1, row)], sha256="")
    try:
        (value,) = validate_rows(table, catalogue, entities)
    except InputRejected as exc:
        first = exc.issues[0]
        raise Invalid(
            f"{first.field}: found {first.found!r}; expected {first.expected}",
            field=first.field,
            details=[
                {"field": i.field, "found": i.found, "expected": i.expected} for i in exc.issues
            ],
        ) from exc
    if not math.isfinite(value.value_normalised):
        raise Invalid(f"value {entry.value:g} {entry.unit} is too large to convert", field="value")
    return replace(value, status=status)


def visible_entity(user: Principal, key: str, index: EntityIndex) -> Entity:
    """The entity named by id or alias, if the user may see it; NotFound otherwise (same answer
    for an unknown entity and one outside the user's scope)."""
    entity = index.find(key)
    if entity is None or not user.sees(entity.id):
        visible = [name for name, found in index.by_key.items() if user.sees(found.id)]
        raise NotFound(f"no entity {key!r}{did_you_mean(key, visible)}", field="entity")
    return entity


def facts(connection: sa.Connection, point: DataPoint) -> DataPointFacts:
    """Who is involved in ``point`` since its last approval, whichever door they used: the
    authors of every version since then (typed, corrected or imported) and whoever submitted or
    explained one of those versions. None of them may approve or reject it."""
    versions = datapoint_history(connection, point.entity_id, point.period, point.metric_id)
    ids = [v.id for v in versions]
    trail_rows = connection.execute(
        sa.select(review_comments.c.datapoint_id, review_comments.c.action, review_comments.c.by)
        .where(review_comments.c.datapoint_id.in_(ids))
        .order_by(review_comments.c.id)
    ).all()
    approved = {row.datapoint_id for row in trail_rows if row.action == "approve"}
    approved |= {v.id for v in versions if v.status == "approved"}
    pending = [v for v in versions if v.id != point.id or point.status != "approved"]
    last = max((i for i, v in enumerate(pending) if v.id in approved), default=-1)
    since = pending[last + 1 :] or [point]
    since_ids = {v.id for v in since}
    vouched = {
        row.by
        for row in trail_rows
        if row.datapoint_id in since_ids and row.action in ("submit", "explain")
    }
    return DataPointFacts(
        point.entity_id,
        since[0].created_by,
        point.created_by,
        frozenset(vouched | {v.created_by for v in since}),
    )


# The current version of the data point that a row (any version) belongs to, in one query.
_ANY_VERSION = datapoints.alias("any_version")
_CURRENT_BY_ID = (
    sa.select(*(datapoints.c[name] for name in DataPoint.__dataclass_fields__))
    .join(
        _ANY_VERSION,
        sa.and_(
            _ANY_VERSION.c.entity_id == datapoints.c.entity_id,
            _ANY_VERSION.c.period == datapoints.c.period,
            _ANY_VERSION.c.metric_id == datapoints.c.metric_id,
        ),
    )
    .where(_ANY_VERSION.c.id == sa.bindparam("datapoint_id"), datapoints.c.is_current.is_(True))
)


def current_by_id(connection: sa.Connection, user: Principal, datapoint_id: int) -> DataPoint:
    """The current version of the data point that row ``datapoint_id`` (any version) belongs to;
    NotFound when there is none or the user may not see its entity."""
    row = connection.execute(_CURRENT_BY_ID, {"datapoint_id": datapoint_id}).first()
    point = None if row is None else DataPoint(*row)
    if point is None or not user.sees(point.entity_id):
        raise NotFound(f"no data point {datapoint_id}")
    return point


def already_has_value(current: DataPoint, message: str, field: str) -> Conflict:
    """The refusal of a new value where one exists (``exists``), carrying the current one."""
    return Conflict(
        message,
        field=field,
        details={"current": point_dict(current), "version": current.version},
        code="exists",
    )


def check_version(point: DataPoint, version: int) -> None:
    if point.version != version:
        raise Conflict(
            f"the data point changed: you based your change on version {version}, the "
            f"current version is {point.version} (by {point.created_by}); reload it and "
            "apply your change again",
            field="version",
            details={"current": point_dict(point), "version": point.version},
            code="version_conflict",
        )


def create(
    change: Change,
    user: Principal,
    entry: Entry,
    catalogue: Catalogue,
    explanation: str | None,
    configurations: ConfigurationCache,
) -> DataPoint:
    connection = change.connection
    configuration = configurations.get(connection, change.head.configuration_generation)
    entity = visible_entity(user, entry.entity, configuration.index)
    authorize(user, "datapoint.create", entity.id)
    value = validate(replace(entry, entity=entity.id), catalogue, configuration.entities)
    refuse_lock(configuration.locked_by(value.period))
    year_values = current_in_year(connection, value.entity_id, value.metric_id, value.period[:4])
    mixed = mixing_with(value, (point.period for point in year_values))
    if mixed:
        raise Conflict(mixed, field="period", code="mixed_granularity")
    existing = next((point for point in year_values if point.period == value.period), None)
    if existing is not None:
        raise already_has_value(
            existing,
            f"{value.metric_id}@{value.entity_id}@{value.period} already has a value "
            f"(data point {existing.id}, version {existing.version}); correct that value, "
            "naming its version",
            "metric",
        )
    (point,) = write_values(change, [value], current={}).points
    if explanation:
        trail.comment(change, point, "explain", explanation)
    return point


CORRECTABLE = ("value", "unit", "method", "source", "note", "note_public")


def correct(
    change: Change,
    user: Principal,
    datapoint_id: int,
    version: int,
    changes: dict[str, Any],
    catalogue: Catalogue,
    explanation: str | None,
    configurations: ConfigurationCache,
) -> DataPoint:
    connection = change.connection
    configuration = configurations.get(connection, change.head.configuration_generation)
    point = current_by_id(connection, user, datapoint_id)
    authorize(user, "datapoint.correct", point.entity_id)
    refuse_lock(configuration.locked_by(point.period))
    check_version(point, version)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    fields = {
        "value": point.value,
        "unit": point.unit,
        "method": point.method,
        "source": point.source,
        "note": point.note,
        "note_public": point.note_public,
        **changes,
    }
    if point.method == "nil" and "value" in changes and "method" not in changes:
        fields["method"] = "measured"  # a number typed over a nil value is a measurement
    entry = Entry(point.entity_id, point.period, point.metric_id, **fields)
    for name in REQUIRED:
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be removed", field=name)
    value = validate(entry, catalogue, configuration.entities)
    key = (point.entity_id, point.period, point.metric_id)
    summary = write_values(change, [value], current={key: point})
    if summary.points:
        (point,) = summary.points
    if explanation:
        trail.comment(change, point, "explain", explanation)
    return point
