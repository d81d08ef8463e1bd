"""Re-derive stored values from their lineage alone and report any difference.

A formula record is evaluated again with the input values and factor values it recorded (the factor
editions used at the time, even if newer ones were loaded since), a roll-up is re-added from its
children and eliminations, and an input is checked against the data points in the ledger. This is
what an auditor runs to confirm that a published number follows from its stated inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.calc.context import FormulaContext, SiteParameter, SupplierRate, Value
from esgledger.calc.formulas import FORMULAS
from esgledger.calc.inputs import internal_key
from esgledger.calc.options import CalcOptions
from esgledger.calc.selection import Selection
from esgledger.catalogue import Catalogue
from esgledger.domain import Entity, Period
from esgledger.errors import EsgLedgerError
from esgledger.factors.library import FactorLibrary, FactorSet, FactorValue
from esgledger.figures import num
from esgledger.ledger.reads import datapoint_values
from esgledger.ledger.transfers import certificate_mwh, transfer_value
from esgledger.lineage import Record

TOLERANCE = 1e-9


@dataclass
class Recomputed:
    """One stored value re-derived from its lineage: ``problem`` says how it differs, if it does."""

    key: str
    kind: str
    stored: float
    recomputed: float | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "stored": self.stored,
            "recomputed": self.recomputed,
            "ok": self.ok,
            "problem": self.problem,
        }


def _recorded_library(record: Record) -> FactorLibrary:
    sets: dict[str, FactorSet] = {}
    for factor in record.get("factors", []):
        if factor.get("measured"):
            continue
        set_id = factor["factor_set"]
        source = factor["source"]  # a library factor's citation is text
        factor_set = sets.setdefault(
            set_id,
            FactorSet(set_id, factor["edition"], factor["version"], {"en": "", "zh": ""}, "", ""),
        )
        factor_set.series[factor["factor"][len(set_id) + 1 :]] = [
            FactorValue(
                factor_id=factor["factor"],
                value=factor["value"],
                unit=factor["unit"],
                valid_from=dt.date.fromisoformat(factor["valid_from"]),
                source=source if isinstance(source, str) else "",
                confidence=factor["confidence"],
                factor_set=set_id,
                edition=factor["edition"],
                version=factor["version"],
                note=factor.get("note", ""),
            )
        ]
    return FactorLibrary(sets.values())


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def recompute_formula(
    record: Record, records: dict[str, Record], catalogue: Catalogue, entity: Entity
) -> float:
    """Evaluate a formula record again from what it recorded."""
    metric = catalogue[record["metric"]]
    values: dict[str, Value] = {}
    for item in record.get("inputs", []):
        source = records.get(item["key"])
        internal = dict(source.get("internal") or {}) if source else {}
        for transfer in source.get("transfers", []) if source else []:
            if source and source["metric"].endswith("_internal"):
                link = internal_key(transfer["from"], transfer["to"])
                internal[link] = internal.get(link, 0.0) + transfer["value_normalised"]
        gases = dict(source.get("gases") or {}) if source else {}
        values[item["metric"]] = Value(item["value"], item["unit"], item["key"], gases, internal)
    site: dict[tuple[str, str], SiteParameter] = {}
    rates: dict[str, dict[str, SupplierRate]] = {}
    for factor in record.get("factors", []):
        if factor["factor"].startswith("internal."):
            _prefix, supplier, carrier = factor["factor"].split(".", 2)
            rates.setdefault(supplier, {})[carrier] = {
                "value": factor["value"],
                "unit": factor["unit"],
                "detail": factor.get("source", ""),
            }
        elif factor.get("measured"):
            site[(factor.get("role", ""), factor.get("applies_to") or "")] = SiteParameter(
                factor["factor"], factor["value"], factor["unit"], factor.get("lineage_key") or ""
            )
    context = FormulaContext(
        metric=metric,
        entity=entity,
        period=Period.parse(record["period"]),
        options=CalcOptions(**record.get("options", {})),
        catalogue=catalogue,
        library=_recorded_library(record),
        selection=Selection.load(),
        values=values,
        site_parameters=site,
        supplier_rates=rates,
    )
    result = FORMULAS[record["formula"]](context)
    if result is None:
        raise EsgLedgerError("the formula found none of its recorded inputs")
    return result


def recompute_rollup(record: Record) -> float:
    own = record.get("own")
    value = own["value"] if own else 0.0
    value += sum(child["value"] * child["factor"] for child in record.get("children", []))
    value -= sum(item["value"] for item in record.get("eliminations", []))
    return max(value, 0.0) if record.get("eliminations") else value


def check_registers(connection: sa.Connection, record: Record) -> str | None:
    """Whether the transfers and certificates an input record used still hold what it recorded."""
    for ref in record.get("transfers", []):
        now = transfer_value(connection, ref["id"])
        if now is None or not _close(now, ref["value_normalised"]):
            found = "missing" if now is None else f"{num(now)}"
            return (
                f"transfer #{ref['id']} is now {found}, lineage recorded "
                f"{ref['value_normalised']:g}"
            )
    for claim in record.get("certificates", []):
        mwh = certificate_mwh(connection, claim["id"])
        if mwh is None or not _close(mwh, claim["mwh"]):
            found = "missing" if mwh is None else f"{num(mwh)} MWh"
            return (
                f"certificate #{claim['id']} is now {found}, lineage recorded {claim['mwh']:g} MWh"
            )
    return None


def check_input(connection: sa.Connection, record: Record) -> str | None:
    """Whether the data points (or register rows) an input record used still hold the values it
    recorded."""
    refs = record.get("datapoints", [])
    if not refs:
        return check_registers(connection, record)
    now = datapoint_values(connection, [ref["id"] for ref in refs])
    for ref in refs:
        value = now.get(ref["id"])
        if value is None:
            return f"data point #{ref['id']} is no longer in the ledger"
        if not _close(value, ref["value_normalised"]):
            return (
                f"data point #{ref['id']} now holds {num(value)}, lineage recorded "
                f"{ref['value_normalised']:g}"
            )
    return None


def _joined(*problems: str | None) -> str | None:
    found = [p for p in problems if p]
    return "; ".join(found) if found else None


def recompute_all(
    connection: sa.Connection,
    records: dict[str, Record],
    catalogue: Catalogue,
    entities: dict[str, Entity],
) -> list[Recomputed]:
    found = []
    for record_key, record in sorted(records.items()):
        stored = record["value"]
        column = record.get("stored_value")
        column_problem = None
        if column is not None and not _close(column, stored):
            column_problem = (
                f"the stored value column holds {column:.12g}, its lineage {stored:.12g}"
            )
        try:
            if record["kind"] == "formula":
                again: float | None = recompute_formula(
                    record, records, catalogue, entities[record["entity"]]
                )
            elif record["kind"] == "rollup":
                again = recompute_rollup(record)
            else:
                problem = _joined(check_input(connection, record), column_problem)
                found.append(
                    Recomputed(
                        record_key, "input", stored, stored if not problem else None, problem
                    )
                )
                continue
        except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
            found.append(
                Recomputed(record_key, record["kind"], stored, None, f"cannot re-derive: {exc}")
            )
            continue
        assert again is not None
        problem = (
            None if _close(stored, again) else (f"stored {stored:.12g}, re-derived {again:.12g}")
        )
        found.append(
            Recomputed(record_key, record["kind"], stored, again, _joined(problem, column_problem))
        )
    return found
