"""Turn stored data points, transfers and certificates into the reported values of one period.

An annual period reads the annual data point when there is one; otherwise it adds up the monthly
data points of that year (for metrics aggregated by sum). When both exist and disagree, the annual
value is used and the lineage says by how much the months differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from esgledger.calc.notes import note
from esgledger.catalogue import Catalogue
from esgledger.domain import Certificate, DataPoint, Period, Transfer
from esgledger.lineage import (
    CertificateRef,
    DatapointRef,
    Note,
    Record,
    Text,
    TransferRef,
    key,
)

MISMATCH_TOLERANCE = 1e-6
# The catalogue roles of the metrics that transfers and certificates fill, by carrier.
RECEIVED_ROLES = {"electricity": "electricity_received_internal", "heat": "heat_received_internal"}
SUPPLIED_ROLES = {"electricity": "electricity_supplied_internal"}
CERTIFICATE_ROLE = "electricity_certificates"


@dataclass
class Reported:
    """A reported value of one entity and metric, with its lineage record."""

    value: float
    record: Record
    internal: dict[str, float] = field(default_factory=dict)


def internal_key(supplier: str, receiver: str) -> str:
    """How an internally supplied amount is tagged: by supplier and receiver."""
    return f"{supplier}>{receiver}"


def split_internal_key(link: str) -> tuple[str, str]:
    supplier, _, receiver = link.partition(">")
    return supplier, receiver


def in_period(item_period: str, period: Period) -> bool:
    wanted = str(period)
    return item_period == wanted or (
        period.month is None and len(item_period) == 7 and item_period[:4] == wanted
    )


def _datapoint_ref(point: DataPoint) -> DatapointRef:
    return {
        "id": point.id,
        "period": point.period,
        "value": point.value,
        "unit": point.unit,
        "value_normalised": point.value_normalised,
        "method": point.method,
        "status": point.status,
        "version": point.version,
        "source": point.source,
        "note": point.note,
        "created_by": point.created_by,
    }


def _record(
    metric_id: str,
    entity_id: str,
    period: Period,
    value: float,
    unit: str,
    how: Note,
    notes: list[Text] | None = None,
) -> Record:
    """An input record; ``formula`` holds the code of ``how`` (the reader renders ``how``)."""
    return {
        "key": key(metric_id, entity_id, str(period)),
        "metric": metric_id,
        "entity": entity_id,
        "period": str(period),
        "value": value,
        "unit": unit,
        "kind": "input",
        "formula": how["code"],
        "how": how,
        "notes": notes or [],
    }


def reported_values(
    points: list[DataPoint], period: Period, catalogue: Catalogue
) -> dict[tuple[str, str], Reported]:
    """``(entity, metric) -> Reported`` from the data points of ``period`` (and its months)."""
    grouped: dict[tuple[str, str], list[DataPoint]] = defaultdict(list)
    wanted = str(period)
    for point in points:
        # a nil value ("-": nothing to report) is no number: it does not count as zero
        if in_period(point.period, period) and point.method != "nil":
            grouped[(point.entity_id, point.metric_id)].append(point)
    result = {}
    for (entity_id, metric_id), found in grouped.items():
        metric = catalogue.find(metric_id)
        if metric is None or metric.is_derived:
            continue  # a derived metric's published figure is shown beside the computation
        annual = [p for p in found if p.period == wanted]
        monthly = sorted((p for p in found if p.period != wanted), key=lambda p: p.period)
        notes: list[Text] = []
        if annual:
            value, used, how = annual[0].value_normalised, annual, note("reported")
            if monthly and metric.aggregation == "sum":
                month_sum = sum(p.value_normalised for p in monthly)
                if abs(month_sum - value) > MISMATCH_TOLERANCE * max(1.0, abs(value)):
                    notes.append(
                        note(
                            "monthly_mismatch",
                            count=len(monthly),
                            sum=month_sum,
                            value=value,
                            unit=metric.unit,
                        )
                    )
        elif metric.aggregation == "sum":
            value = sum(p.value_normalised for p in monthly)
            used, how = monthly, note("monthly_sum", count=len(monthly))
            if len(monthly) < 12 and period.month is None:
                notes.append(note("months_missing", count=len(monthly)))
        else:
            value, how = _monthly_parameter(
                monthly,
                metric.attributes.get("overrides"),
                grouped.get((entity_id, _overridden(metric)), []),
            )
            used = monthly
        record = _record(metric_id, entity_id, period, value, metric.unit, how, notes)
        record["datapoints"] = [_datapoint_ref(p) for p in used]
        result[(entity_id, metric_id)] = Reported(value, record)
    return result


def _overridden(metric: object) -> str:
    overrides = getattr(metric, "attributes", {}).get("overrides") or {}
    return str(overrides.get("metric", ""))


def _monthly_parameter(
    monthly: list[DataPoint], overrides: dict[str, str] | None, quantities: list[DataPoint]
) -> tuple[float, Note]:
    """A year's value of a measured parameter reported by month: weighted by the monthly quantity
    of the carrier it applies to (so that quantity x parameter adds up over the months), or a plain
    mean when no monthly quantities are reported."""
    by_month = {p.period: p.value_normalised for p in quantities if len(p.period) == 7}
    weights = [by_month.get(p.period) for p in monthly]
    if overrides and all(w is not None for w in weights) and sum(w or 0 for w in weights) > 0:
        total = sum(w or 0.0 for w in weights)
        value = sum((w or 0.0) * p.value_normalised for w, p in zip(weights, monthly, strict=True))
        return value / total, note(
            "monthly_weighted", count=len(monthly), metric=overrides["metric"]
        )
    return (
        sum(p.value_normalised for p in monthly) / len(monthly),
        note("monthly_mean", count=len(monthly)),
    )


def transfer_values(
    transfers: list[Transfer], period: Period, catalogue: Catalogue
) -> dict[tuple[str, str], Reported]:
    """Energy received (marked internal, by supplier) and supplied, from the internal transfers."""
    received: dict[tuple[str, str], list[Transfer]] = defaultdict(list)
    supplied: dict[tuple[str, str], list[Transfer]] = defaultdict(list)
    for transfer in transfers:
        if not in_period(transfer.period, period):
            continue
        received_id = catalogue.role(RECEIVED_ROLES[transfer.carrier]).id
        received[(transfer.to_entity, received_id)].append(transfer)
        if transfer.carrier in SUPPLIED_ROLES:
            supplied_id = catalogue.role(SUPPLIED_ROLES[transfer.carrier]).id
            supplied[(transfer.from_entity, supplied_id)].append(transfer)
    result: dict[tuple[str, str], Reported] = {}
    for groups, receiving in ((received, True), (supplied, False)):
        how = note("transfers_received") if receiving else note("transfers_supplied")
        for (entity_id, metric_id), items in groups.items():
            unit = catalogue[metric_id].unit
            value = sum(t.value_normalised for t in items)
            refs: list[TransferRef] = [
                {
                    "id": t.id,
                    "from": t.from_entity,
                    "to": t.to_entity,
                    "period": t.period,
                    "carrier": t.carrier,
                    "value": t.value,
                    "unit": t.unit,
                    "value_normalised": t.value_normalised,
                }
                for t in items
            ]
            record = _record(metric_id, entity_id, period, value, unit, how)
            record["transfers"] = refs
            internal: dict[str, float] = {}
            if receiving:
                for t in items:
                    link = internal_key(t.from_entity, t.to_entity)
                    internal[link] = internal.get(link, 0.0) + t.value_normalised
            result[(entity_id, metric_id)] = Reported(value, record, internal)
    return result


def certificate_values(
    certificates: list[Certificate], period: Period, catalogue: Catalogue
) -> dict[tuple[str, str], Reported]:
    """Electricity covered by certificates claimed for the period, per entity."""
    grouped: dict[str, list[Certificate]] = defaultdict(list)
    for certificate in certificates:
        if in_period(certificate.period, period):
            grouped[certificate.entity_id].append(certificate)
    metric = catalogue.role(CERTIFICATE_ROLE)
    result = {}
    for entity_id, items in grouped.items():
        value = sum(c.mwh for c in items)
        refs: list[CertificateRef] = [
            {
                "id": c.id,
                "scheme": c.scheme,
                "certificate_id": c.certificate_id,
                "period": c.period,
                "mwh": c.mwh,
            }
            for c in items
        ]
        record = _record(
            metric.id, entity_id, period, value, metric.unit, note("certificates", count=len(items))
        )
        record["certificates"] = refs
        result[(entity_id, metric.id)] = Reported(value, record)
    return result
