"""Who a finding's values come from: the people who may not justify it.

The segregation of duties of approval (:func:`esgledger.workflow.entries.facts`: who imported,
entered, changed, submitted or explained a value since its last approval) applies to every data
point a finding rests on: a data point a fact names (``Fact.reference``, origin ``datapoint``), the
data point of the fact's metric key, entity and period, and, for a computed value, every data point
of its lineage (the inputs of the current calculation run it was computed from). A report table's
figures name their importer in ``Fact.attributes['imported_by']`` when the import records one.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from esgledger.domain import DataPoint
from esgledger.ledger.reads import current_datapoint
from esgledger.ledger.runs import load_tree
from esgledger.lineage import key
from esgledger.qa.facts import Fact
from esgledger.store.schema import datapoints
from esgledger.workflow.entries import facts as involvement

# a computed value's lineage read at most this deep in records (a group total over 200 entities)
MAX_LINEAGE = 20000


def _datapoint(connection: sa.Connection, datapoint_id: int) -> DataPoint | None:
    row = connection.execute(
        sa.select(datapoints.c.entity_id, datapoints.c.period, datapoints.c.metric_id).where(
            datapoints.c.id == datapoint_id
        )
    ).first()
    return None if row is None else current_datapoint(connection, *row)


def _points(connection: sa.Connection, fact: Fact) -> list[DataPoint]:
    found: list[DataPoint] = []
    reference = (fact.reference or "").strip()
    if fact.origin == "datapoint" and reference.isdigit():
        point = _datapoint(connection, int(reference))
        if point is not None:
            found.append(point)
    if fact.metric_key and fact.entity_id and fact.origin in ("datapoint", "computed", "target"):
        point = current_datapoint(connection, fact.entity_id, fact.period, fact.metric_key)
        if point is not None:
            found.append(point)
    if fact.origin == "computed" and fact.metric_key and fact.entity_id:
        tree = load_tree(connection, key(fact.metric_key, fact.entity_id, fact.period), MAX_LINEAGE)
        ids = {ref["id"] for record in tree.values() for ref in record.get("datapoints", [])}
        for datapoint_id in sorted(ids):
            point = _datapoint(connection, datapoint_id)
            if point is not None:
                found.append(point)
    return found


def authors(connection: sa.Connection, facts: Iterable[Fact]) -> set[str]:
    """The user names behind ``facts`` (see the module's docstring)."""
    names: set[str] = set()
    seen: set[int] = set()
    for fact in facts:
        imported_by = fact.attributes.get("imported_by")
        if imported_by:
            names.add(imported_by)
        for point in _points(connection, fact):
            if point.id in seen:
                continue
            seen.add(point.id)
            involved = involvement(connection, point)
            names |= {involved.entered_by, involved.changed_by, *involved.vouched_by}
    return names
