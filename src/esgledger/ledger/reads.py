"""Read access to entities and data points (current versions and history)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from esgledger.domain import DataPoint, Entity
from esgledger.store.schema import datapoints, entities, entity_aliases


def load_entities(connection: sa.Connection) -> list[Entity]:
    aliases: dict[str, list[str]] = {}
    for alias, entity_id in connection.execute(
        sa.select(entity_aliases.c.alias, entity_aliases.c.entity_id)
    ):
        aliases.setdefault(entity_id, []).append(alias)
    return [
        Entity(
            id=row.id,
            name=row.name,
            name_zh=row.name_zh,
            parent_id=row.parent_id,
            country=row.country,
            type=row.type,
            grid_region=row.grid_region,
            ownership=row.ownership,
            operational_control=row.operational_control,
            financial_control=row.financial_control,
            cell_technology=row.cell_technology,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            aliases=tuple(sorted(aliases.get(row.id, []))),
        )
        for row in connection.execute(sa.select(entities).order_by(entities.c.id))
    ]


def _to_datapoint(row: sa.Row) -> DataPoint:
    return DataPoint(
        id=row.id,
        entity_id=row.entity_id,
        period=row.period,
        metric_id=row.metric_id,
        value=row.value,
        unit=row.unit,
        value_normalised=row.value_normalised,
        method=row.method,
        status=row.status,
        version=row.version,
        source=row.source,
        note=row.note,
        supersedes=row.supersedes,
        created_at=row.created_at,
        created_by=row.created_by,
        note_public=bool(row.note_public),
    )


_DATAPOINT_COLUMNS = [datapoints.c[name] for name in DataPoint.__dataclass_fields__]


def current_datapoints(connection: sa.Connection, periods: Iterable[str]) -> list[DataPoint]:
    """The current version of every data point in ``periods`` (columns read in the dataclass's
    field order, so that a 100 000-point read builds each object in one call)."""
    query = sa.select(*_DATAPOINT_COLUMNS).where(
        datapoints.c.is_current.is_(True), datapoints.c.period.in_(list(periods))
    )
    return [DataPoint(*row) for row in connection.execute(query).all()]  # one fetch, not per row


_CURRENT_OF_KEY = sa.select(*_DATAPOINT_COLUMNS).where(
    datapoints.c.is_current.is_(True),
    datapoints.c.entity_id == sa.bindparam("entity_id"),
    datapoints.c.period == sa.bindparam("period"),
    datapoints.c.metric_id == sa.bindparam("metric_id"),
)


def current_datapoint(
    connection: sa.Connection, entity_id: str, period: str, metric_id: str
) -> DataPoint | None:
    row = connection.execute(
        _CURRENT_OF_KEY, {"entity_id": entity_id, "period": period, "metric_id": metric_id}
    ).first()
    return DataPoint(*row) if row else None


_CURRENT_IN_YEAR = sa.select(*_DATAPOINT_COLUMNS).where(
    datapoints.c.is_current.is_(True),
    datapoints.c.entity_id == sa.bindparam("entity_id"),
    datapoints.c.metric_id == sa.bindparam("metric_id"),
    datapoints.c.period.between(sa.bindparam("first"), sa.bindparam("last")),
)


def current_in_year(
    connection: sa.Connection, entity_id: str, metric_id: str, year: str
) -> list[DataPoint]:
    """The current values of one metric of one entity in ``year``: its yearly value and its
    months (periods sort as text: ``2024`` < ``2024-01`` < ``2024-12``), in one indexed read."""
    parameters = {"entity_id": entity_id, "metric_id": metric_id, "first": year}
    rows = connection.execute(_CURRENT_IN_YEAR, {**parameters, "last": f"{year}-12"})
    return [DataPoint(*row) for row in rows]


def datapoint_history(
    connection: sa.Connection, entity_id: str, period: str, metric_id: str
) -> list[DataPoint]:
    rows = connection.execute(
        sa.select(datapoints)
        .where(
            datapoints.c.entity_id == entity_id,
            datapoints.c.period == period,
            datapoints.c.metric_id == metric_id,
        )
        .order_by(datapoints.c.version)
    )
    return [_to_datapoint(row) for row in rows]


def periods_with_data(
    connection: sa.Connection, entity_ids: Iterable[str] | None = None
) -> list[str]:
    """Periods with any data point (of ``entity_ids`` only, when given)."""
    query = sa.select(datapoints.c.period).distinct().order_by(datapoints.c.period)
    if entity_ids is not None:
        query = query.where(datapoints.c.entity_id.in_(sorted(entity_ids)))
    return [row[0] for row in connection.execute(query)]


def select_datapoints(connection: sa.Connection, query: sa.Select[Any]) -> list[DataPoint]:
    """Run ``query`` (a select of whole ``datapoints`` rows) and return the rows as data points."""
    return [_to_datapoint(row) for row in connection.execute(query)]


def current_datapoints_for_metric(connection: sa.Connection, metric_id: str) -> list[DataPoint]:
    query = sa.select(datapoints).where(
        datapoints.c.is_current.is_(True), datapoints.c.metric_id == metric_id
    )
    return [_to_datapoint(row) for row in connection.execute(query)]


def datapoint_values(connection: sa.Connection, ids: Iterable[int]) -> dict[int, float]:
    """``id -> value_normalised`` of the data point rows ``ids`` (any version)."""
    wanted = sorted(set(ids))
    found: dict[int, float] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            sa.select(datapoints.c.id, datapoints.c.value_normalised).where(
                datapoints.c.id.in_(wanted[start : start + 500])
            )
        )
        found.update({row.id: row.value_normalised for row in rows})
    return found


def current_datapoints_of(
    connection: sa.Connection, periods: Iterable[str], metric_ids: Iterable[str]
) -> list[DataPoint]:
    """The current data points of ``metric_ids`` in ``periods``."""
    return select_datapoints(
        connection,
        sa.select(datapoints).where(
            datapoints.c.is_current.is_(True),
            datapoints.c.period.in_(sorted(set(periods))),
            datapoints.c.metric_id.in_(sorted(set(metric_ids))),
        ),
    )
