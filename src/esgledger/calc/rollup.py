"""Consolidate one metric at one entity: its own value plus its children's totals at their
inclusion factors, with internal supplies eliminated at the first level whose boundary holds the
supplier (GHG Protocol Corporate Standard ch. 3 and 4; double counting inside a group)."""

from __future__ import annotations

from esgledger.calc.consolidation import Inclusion
from esgledger.calc.context import Value
from esgledger.calc.inputs import split_internal_key
from esgledger.calc.notes import note
from esgledger.catalogue import Metric
from esgledger.lineage import Elimination, Record


def roll_up(
    metric: Metric,
    own: Value | None,
    record_key: str,
    included: list[Inclusion],
    totals: dict[str, dict[str, Value]],
    boundary: dict[str, float],
    consolidation: str,
    metric_key: str | None = None,
) -> tuple[Value, Record] | None:
    """The total of a ``sum`` metric at one entity (``record_key``): its ``own`` value plus each
    included child's total times its inclusion factor, internal supplies eliminated once the
    supplier is inside ``boundary`` (entity -> share counted); the value and its lineage record.
    ``metric_key`` names a breakdown member's figure (default: the total). None when neither the
    entity nor an included child has a value."""
    rolled_id = metric_key or metric.id
    parts = [
        (item, totals[item.entity_id][rolled_id])
        for item in included
        if item.factor > 0 and rolled_id in totals[item.entity_id]
    ]
    if own is None and not parts:
        return None
    value = own.value if own else 0.0
    gases = dict(own.gases) if own else {}
    internal = dict(own.internal) if own else {}
    for item, part in parts:
        value += item.factor * part.value
        for gas, tonnes in part.gases.items():
            gases[gas] = gases.get(gas, 0.0) + item.factor * tonnes
        for supplier, amount in part.internal.items():
            internal[supplier] = internal.get(supplier, 0.0) + item.factor * amount
    eliminations: list[Elimination] = []
    # a consumption (electricity consumed, received from group entities) keeps what group
    # entities supplied: it is counted twice only in energy in tce and in emissions
    consumed = metric.attributes.get("internal_supply") == "consumed"
    links = [] if consumed else sorted(internal)
    for link in links:
        supplier, receiver = split_internal_key(link)
        if supplier not in boundary:
            continue
        amount = internal.pop(link)
        # The receiver's amount came up at the receiver's share; the supplier's emissions are
        # counted at the supplier's share: only the overlap is counted twice.
        overlap = (
            min(1.0, boundary[supplier] / boundary[receiver]) if boundary.get(receiver) else 1.0
        )
        value -= amount * overlap
        eliminations.append(
            {
                "supplier": supplier,
                "receiver": receiver,
                "value": amount * overlap,
                "share": overlap,
                "reason": note("supplied_inside")
                if overlap == 1.0
                else note("supplied_inside_partly", share=overlap),
            }
        )
    value = max(value, 0.0) if eliminations else value  # guard float residue
    _metric, entity_id, period_text = record_key.split("@")
    record: Record = {
        "key": record_key,
        "metric": rolled_id,
        "entity": entity_id,
        "period": period_text,
        "value": value,
        "unit": metric.unit,
        "kind": "rollup",
        "formula": "own activity + sum of consolidated children x inclusion factor"
        + (" - internal supplies eliminated" if eliminations else ""),
        "own": {"key": own.key, "value": own.value} if own else None,
        "children": [
            {
                "key": part.key,
                "entity": item.entity_id,
                "value": part.value,
                "factor": item.factor,
                "reason": item.reason,
            }
            for item, part in parts
        ],
        "excluded": [
            {"entity": item.entity_id, "reason": item.reason}
            for item in included
            if item.factor == 0
        ],
        "eliminations": eliminations,
        "gases": gases,
        "internal": internal,
        "consolidation": consolidation,
        "notes": [note("internal_consumed")] if consumed and internal else [],
    }
    return Value(value, metric.unit, record_key, gases, internal), record
