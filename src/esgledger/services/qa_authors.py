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


class Authors:
    """Who stands behind facts, read once per data point and per computed value within one
    connection (a page of findings names the same figures many times)."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self._points: dict[int, frozenset[str]] = {}
        self._lineage: dict[str, list[int]] = {}

    def of(self, facts: Iterable[Fact]) -> set[str]:
        """The user names behind ``facts`` (see the module's docstring)."""
        names: set[str] = set()
        for fact in facts:
            imported_by = fact.attributes.get("imported_by")
            if imported_by:
                names.add(imported_by)
            for datapoint_id in self._datapoint_ids(fact):
                names |= self._involved(datapoint_id)
        return names

    def _datapoint_ids(self, fact: Fact) -> list[int]:
        connection, found = self.connection, []
        reference = (fact.reference or "").strip()
        if fact.origin == "datapoint" and reference.isdigit():
            found.append(int(reference))
        if (
            fact.metric_key
            and fact.entity_id
            and fact.origin in ("datapoint", "computed", "target")
        ):
            point = current_datapoint(connection, fact.entity_id, fact.period, fact.metric_key)
            if point is not None:
                found.append(point.id)
        if fact.origin == "computed" and fact.metric_key and fact.entity_id:
            root = key(fact.metric_key, fact.entity_id, fact.period)
            if root not in self._lineage:
                tree = load_tree(connection, root, MAX_LINEAGE)
                self._lineage[root] = sorted(
                    {ref["id"] for record in tree.values() for ref in record.get("datapoints", [])}
                )
            found.extend(self._lineage[root])
        return found

    def _involved(self, datapoint_id: int) -> frozenset[str]:
        if datapoint_id not in self._points:
            point = _current_of(self.connection, datapoint_id)
            names: frozenset[str] = frozenset()
            if point is not None:
                involved = involvement(self.connection, point)
                names = frozenset({involved.entered_by, involved.changed_by, *involved.vouched_by})
            self._points[datapoint_id] = names
        return self._points[datapoint_id]


def _current_of(connection: sa.Connection, datapoint_id: int) -> DataPoint | None:
    """The current version of the data point that row ``datapoint_id`` (any version) is of."""
    row = connection.execute(
        sa.select(datapoints.c.entity_id, datapoints.c.period, datapoints.c.metric_id).where(
            datapoints.c.id == datapoint_id
        )
    ).first()
    return None if row is None else current_datapoint(connection, *row)


def authors(connection: sa.Connection, facts: Iterable[Fact]) -> set[str]:
    """The user names behind ``facts`` (see the module's docstring)."""
    return Authors(connection).of(facts)
