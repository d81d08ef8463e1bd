"""One value as the ledger holds it (``show``) and the explanation of a calculated value: its
lineage tree, from the root down, without the figures of entities the user may not see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from esgledger.access.redaction import visible_records
from esgledger.domain import DataPoint
from esgledger.ledger.reads import current_datapoint
from esgledger.ledger.runs import current_run, load_tree, run_gaps
from esgledger.lineage import Record, Text, key, referenced_keys
from esgledger.service_errors import NotFound
from esgledger.services.calculation import calculate_first, seen_cause
from esgledger.services.operation import Capability, Reading, reads
from esgledger.services.organisation import metric_key_of, visible_entity
from esgledger.workflow.periods import parse_period

__all__ = ["Explain", "Record", "Shown", "Text", "ordered", "references"]


@dataclass
class Shown:
    """A value as ``show`` reports it. A value the inventory could not compute has no number
    (``value`` None, ``status`` ``not_computable`` or ``not_reported``) and says why in ``gap``
    (the reason, and the value whose failure caused it)."""

    metric: str
    entity: str
    period: str
    value: float | None
    unit: str
    status: str
    kind: str
    # a derived metric's figure as the organisation published it: value and unit (the metric's),
    # as printed, source and status; and (computed - published) / published
    reported: dict[str, Any] | None = None
    difference: float | None = None
    gap: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        found = dict(self.__dict__)
        for optional in ("reported", "difference", "gap"):
            if found[optional] is None:
                del found[optional]
        return found


def references(record: Record) -> list[str]:
    """The keys of the records a lineage record rests on (its inputs, children, own part)."""
    return referenced_keys(record)


def ordered(root: str, records: dict[str, Record]) -> list[str]:
    """The record keys from the root down, each once, breadth first."""
    seen: list[str] = []
    frontier = [root]
    while frontier:
        following: list[str] = []
        for record_key in frontier:
            if record_key in records and record_key not in seen:
                seen.append(record_key)
                following.extend(referenced_keys(records[record_key]))
        frontier = following
    return seen


class Explain(Capability):
    @reads("calc.read")
    def show(
        self,
        call: Reading,
        metric_id: str,
        entity_id: str,
        period: str,
        dimensions: str | None = None,
    ) -> Shown:
        """A value reported or calculated, in the metric's unit, with its review status; a
        breakdown member's with ``dimensions`` (``gender=female``) or a metric key."""
        metric_id = metric_key_of(self.context.catalogue, metric_id, dimensions)
        entity = visible_entity(call, entity_id).id
        name = str(parse_period(period))
        root = key(metric_id, entity, name)
        record = load_tree(call.connection, root, max_records=1).get(root)
        point = current_datapoint(call.connection, entity, name, metric_id)
        published = published_figure(point, self.context.catalogue[metric_id].unit)
        if record is not None:
            status = "calculated" if record["kind"] != "input" else _input_status(record)
            shown = Shown(
                metric_id, entity, name, record["value"], record["unit"], status, record["kind"]
            )
            if published is not None and record["kind"] != "input":
                shown.reported = published
                shown.difference = relative_difference(record["value"], published["value"])
            return shown
        gap = _visible_gap(call, root, name)
        unit = self.context.catalogue[metric_id].unit
        if point is not None and point.method == "nil":
            return Shown(metric_id, entity, name, None, unit, point.status, "nil", gap=gap)
        if point is not None:
            kind = "reported" if published is not None else "input"
            return Shown(
                metric_id,
                entity,
                name,
                point.value_normalised,
                unit,
                point.status,
                kind,
                reported=published,
                gap=gap,
            )
        if gap is not None:
            return Shown(metric_id, entity, name, None, unit, gap["kind"], gap["kind"], gap=gap)
        raise NotFound(
            f"no value for {root}: {self._why_none(call, metric_id, entity, name)}",
            field="metric",
        )

    def _why_none(self, call: Reading, metric_id: str, entity: str, period: str) -> str:
        """Why a metric has no value: not reported (an input); for a derived metric, not yet
        calculated, or calculated without a value because none of its inputs has one."""
        metric = self.context.catalogue[metric_id]
        if metric.formula is None:
            return "not reported"
        run = current_run(call.connection, period)
        if run is None:
            return f"not reported and not calculated ({calculate_first(period)})"
        inputs = ", ".join(metric.formula.inputs)
        return (
            f"the calculation of {period} (run {run.id}) formed none: its inputs ({inputs}) have "
            f"no values for {entity} in {period} to form it from"
        )

    @reads("calc.read")
    def explain(
        self,
        call: Reading,
        metric_id: str,
        entity_id: str,
        period: str,
        dimensions: str | None = None,
    ) -> dict[str, Any]:
        """The lineage of a calculated value: ``root``, and ``records`` by key in order from the
        root down (without records of entities outside the user's scope)."""
        metric_id = metric_key_of(self.context.catalogue, metric_id, dimensions)
        entity = visible_entity(call, entity_id).id
        call.authorize("calc.read", entity, what="entity")
        name = str(parse_period(period))
        root = key(metric_id, entity, name)
        records = load_tree(call.connection, root)
        point = current_datapoint(call.connection, entity, name, metric_id)
        published = published_figure(point, self.context.catalogue[metric_id].unit)
        with_published = {} if published is None else {"reported": published}
        if root not in records:
            gap = _visible_gap(call, root, name)
            if gap is None:
                raise NotFound(
                    f"no calculated value for {root}: {self._why_none(call, metric_id, entity, name)}"
                )
            return {"root": root, "records": {}, "gap": gap} | with_published
        if call.actor.scope is not None:
            records = cast(dict[str, Record], visible_records(records, entity, call.actor.sees))
        explained: dict[str, Any] = {
            "root": root,
            "records": {k: records[k] for k in ordered(root, records)},
        } | with_published
        if published is not None:
            explained["difference"] = relative_difference(
                records[root]["value"], published["value"]
            )
        return explained


def _visible_gap(call: Reading, record_key: str, period: str) -> dict[str, Any] | None:
    """Why the current inventory has no value for ``record_key``, if it says: the gap, with the
    gap of its cause when that is another value the user may see (else the cause is withheld)."""
    gaps = run_gaps(call.connection, period)
    gap = gaps.get(record_key)
    if gap is None or gap["cause"] == record_key:
        return gap
    shown = seen_cause(gap, call.actor.sees)
    return shown if shown["cause"] is None else shown | {"caused_by": gaps.get(gap["cause"])}


def published_figure(point: DataPoint | None, unit: str) -> dict[str, Any] | None:
    """A data point with method ``reported`` as the figure the organisation published."""
    if point is None or point.method != "reported":
        return None
    return {
        "value": point.value_normalised,
        "unit": unit,
        "as_printed": {"value": point.value, "unit": point.unit},
        "source": point.source,
        "status": point.status,
        "datapoint": point.id,
    }


def relative_difference(computed: float, published: float) -> float | None:
    """(computed - published) / published; None when nothing was published (zero)."""
    return None if published == 0 else (computed - published) / published


def _input_status(record: Record) -> str:
    statuses = {point["status"] for point in record.get("datapoints", [])}
    return statuses.pop() if len(statuses) == 1 else "mixed"
