"""A metric of an entity is reported for a year either as one annual value or month by month,
never both: the calculation reads the annual value when there is one and would silently drop the
months (issue 8: a yearly figure typed over twelve months moved group Scope 2 by 4 %). Every door
(entry, API, file import) refuses a value that would mix the two."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from esgledger.ledger.reads import current_in_year
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
    keys = {(v.entity_id, v.metric_id) for v in values}
    years = sorted({_year_of(v.period) for v in values})
    if len(keys) * len(years) <= _KEYED_LOOKUPS:
        by_year = {(v.entity_id, v.metric_id, _year_of(v.period)) for v in values}
        stored = _stored_by_key(connection, by_year)
    else:
        stored = _stored_in_years(connection, keys, years)
    incoming: dict[tuple[str, str, str], set[str | None]] = {}
    for value in values:
        key = (value.entity_id, value.metric_id, _year_of(value.period))
        incoming.setdefault(key, set()).add(_kind(value.period))
    mixed = {
        key
        for key, kinds in incoming.items()
        if {"month", "year"} <= stored.get(key, set()) | kinds
    }
    if not mixed:
        return {}
    return {
        index: _reason(value)
        for index, value in enumerate(values)
        if (value.entity_id, value.metric_id, _year_of(value.period)) in mixed
    }


def mixing_with(value: NewValue, stored_periods: Iterable[str]) -> str | None:
    """Why ``value`` would mix yearly and monthly values of its metric, entity and year, given
    the periods of the current values of that year (:func:`ledger.reads.current_in_year`);
    None if it would not."""
    kinds = {_kind(period) for period in stored_periods} | {_kind(value.period)}
    return _reason(value) if {"month", "year"} <= kinds else None


def _reason(value: NewValue) -> str:
    year = _year_of(value.period)
    if len(value.period) == 4:
        return (
            f"{value.metric_id} of {value.entity_id} is reported month by month for {year}; "
            "a yearly value would replace the months in the calculation: enter the months, "
            "or correct them"
        )
    return (
        f"{value.metric_id} of {value.entity_id} has a yearly value for {year}; monthly "
        "values would be ignored by the calculation: correct the yearly value instead"
    )


# A few values: one indexed read per metric, entity and year (a statement built once; building an
# IN query per call cost half of an API write).
_KEYED_LOOKUPS = 20


def _kind(period: str) -> str | None:
    """``year`` for ``2024``, ``month`` for ``2024-03``, None for any other period."""
    if len(period) == 4:
        return "year"
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
        return "month"
    return None


def _stored_by_key(
    connection: sa.Connection, keys: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], set[str | None]]:
    return {
        (entity_id, metric_id, year): {
            _kind(point.period) for point in current_in_year(connection, entity_id, metric_id, year)
        }
        for entity_id, metric_id, year in keys
    }


def _stored_in_years(
    connection: sa.Connection, keys: set[tuple[str, str]], years: list[str]
) -> dict[tuple[str, str, str], set[str | None]]:
    """Many values (a file import): the current values of their years, read at once."""
    periods = [*years, *(f"{y}-{m:02d}" for y in years for m in range(1, 13))]
    stored: dict[tuple[str, str, str], set[str | None]] = {}
    query = sa.select(datapoints.c.entity_id, datapoints.c.metric_id, datapoints.c.period).where(
        datapoints.c.is_current.is_(True), datapoints.c.period.in_(periods)
    )
    entity_ids = sorted({entity for entity, _ in keys})
    metric_ids = sorted({metric for _, metric in keys})
    if len(entity_ids) <= 500 and len(metric_ids) <= 500:
        query = query.where(
            datapoints.c.entity_id.in_(entity_ids), datapoints.c.metric_id.in_(metric_ids)
        )
    for entity_id, metric_id, period in connection.execute(query):
        if (entity_id, metric_id) in keys:
            stored.setdefault((entity_id, metric_id, _year_of(period)), set()).add(_kind(period))
    return stored
