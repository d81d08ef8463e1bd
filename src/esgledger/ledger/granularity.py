"""A metric of an entity is reported for a year either as one annual value or month by month,
never both: the calculation reads the annual value when there is one and would silently drop the
months (issue 8: a yearly figure typed over twelve months moved group Scope 2 by 4 %). Every door
(entry, API, file import) refuses a value that would mix the two."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from esgledger.ledger.writes import NewValue
from esgledger.store.schema import datapoints


def _year_of(period: str) -> str:
    return period[:4]


def mixed_granularity(connection: sa.Connection, values: Sequence[NewValue]) -> dict[int, str]:
    """Index of each value (in ``values``) that would mix annual and monthly values of its
    metric, entity and year, with the reason; the ledger's current values and the other values
    of ``values`` both count."""
    if not values:
        return {}
    years = sorted({_year_of(v.period) for v in values})
    periods = [*years, *(f"{y}-{m:02d}" for y in years for m in range(1, 13))]
    stored: dict[tuple[str, str, str], set[str]] = {}  # (entity, metric, year) -> kinds
    keys = {(v.entity_id, v.metric_id) for v in values}
    query = sa.select(datapoints.c.entity_id, datapoints.c.metric_id, datapoints.c.period).where(
        datapoints.c.is_current.is_(True), datapoints.c.period.in_(periods)
    )
    entity_ids = sorted({v.entity_id for v in values})
    metric_ids = sorted({v.metric_id for v in values})
    if len(entity_ids) <= 500 and len(metric_ids) <= 500:  # one entry: one key's 13 periods
        query = query.where(
            datapoints.c.entity_id.in_(entity_ids), datapoints.c.metric_id.in_(metric_ids)
        )
    rows = connection.execute(query)
    for entity_id, metric_id, period in rows:
        if (entity_id, metric_id) in keys:
            kind = "month" if len(period) == 7 else "year"
            stored.setdefault((entity_id, metric_id, _year_of(period)), set()).add(kind)
    incoming: dict[tuple[str, str, str], set[str]] = {}
    for value in values:
        kind = "month" if len(value.period) == 7 else "year"
        incoming.setdefault((value.entity_id, value.metric_id, _year_of(value.period)), set()).add(
            kind
        )
    found: dict[int, str] = {}
    for index, value in enumerate(values):
        key = (value.entity_id, value.metric_id, _year_of(value.period))
        kinds = stored.get(key, set()) | incoming[key]
        if kinds != {"month", "year"}:
            continue
        year = key[2]
        if len(value.period) == 4:
            found[index] = (
                f"{value.metric_id} of {value.entity_id} is reported month by month for {year}; "
                "a yearly value would replace the months in the calculation: enter the months, "
                "or correct them"
            )
        else:
            found[index] = (
                f"{value.metric_id} of {value.entity_id} has a yearly value for {year}; monthly "
                "values would be ignored by the calculation: correct the yearly value instead"
            )
    return found
