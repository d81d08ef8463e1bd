"""Import internal energy transfers (columns from,to,period,carrier,value,unit; optional
reported_by) and certificate claims (entity,period,scheme,certificate_id,mwh). All or nothing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from esgledger.domain import Entity, Period
from esgledger.errors import InputIssue, InputRejected
from esgledger.free_text import MAX_LENGTH, text_problem
from esgledger.ingest.datapoints import EntityIndex
from esgledger.ingest.tables import Table, check_columns
from esgledger.ingest.values import NumberRefused, magnitude_problem, read_number
from esgledger.ledger.change import Change
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import load_entities
from esgledger.ledger.transfers import (
    NewCertificate,
    NewTransfer,
    claimed_certificates,
    claimed_totals,
    recorded_transfers,
    write_certificates,
    write_transfers,
)
from esgledger.units import UnitError, conversion_factor

CARRIER_UNITS = {"electricity": "MWh", "heat": "GJ"}
AGREEMENT_TOLERANCE = 0.005  # supplier and receiver figures may differ by metering rounding only
SCHEMES = ("GEC", "I-REC", "green_power")


class _Rows:
    """Shared row checks for the two importers."""

    def __init__(self, table: Table, entities: list[Entity]):
        self.table = table
        self.index = EntityIndex(entities)
        self.issues: list[InputIssue] = []

    def issue(self, row: int, field: str, found: str, expected: str) -> None:
        self.issues.append(
            InputIssue(
                str(self.table.path), row, field, found, expected, self.table.cell(row, field)
            )
        )

    def entity(self, row: int, values: dict[str, str], field: str) -> Entity | None:
        text = values.get(field, "")
        if not text:
            self.issue(row, field, "an empty cell", "an entity id")
            return None
        found = self.index.find(text)
        if found is None:
            self.issue(row, field, text, self.index.unknown(text))
        return found

    def period(self, row: int, values: dict[str, str], entity: Entity | None) -> Period | None:
        try:
            period = Period.parse(values.get("period", ""))
        except ValueError:
            self.issue(row, "period", values.get("period", ""), "a year (2024) or month (2024-03)")
            return None
        if entity is not None and not entity.valid_during(period):
            self.issue(row, "period", str(period), f"a period within {entity.id}'s validity")
        return period

    def positive(self, row: int, values: dict[str, str], field: str) -> float | None:
        text = values.get(field, "")
        try:
            number = read_number(text)
        except NumberRefused as refused:
            expected = refused.expected if refused.code == "decimal_comma" else None
            self.issue(
                row, field, text or "an empty cell", expected or "a number greater than zero"
            )
            return None
        if number <= 0:
            self.issue(row, field, text, "a number greater than zero")
            return None
        return number

    def text(self, row: int, values: dict[str, str], field: str, kind: str) -> None:
        """An issue when the text of ``field`` breaks the free-text limits of ``kind``."""
        problem = text_problem(values.get(field, ""), kind)
        if problem is not None:
            self.issue(row, field, values[field], f"{problem.expected} (found {problem.found})")

    def magnitude(
        self, row: int, values: dict[str, str], field: str, normalised: float, unit: str
    ) -> bool:
        """Whether ``normalised`` (in ``unit``) is within bounds; an issue when it is not."""
        problem = magnitude_problem(normalised, unit)
        if problem is not None:
            self.issue(row, field, values.get(field, ""), problem)
        return problem is None


def parse_transfers(
    table: Table,
    entities: list[Entity],
    recorded: dict[tuple[str, str, str, str], Any] | None = None,
) -> list[NewTransfer]:
    """Check transfer rows. Supplier and receiver must agree, within the file and with what the
    other side already recorded; the same side reporting again is a correction."""
    rows = _Rows(table, entities)
    rows.issues.extend(
        check_columns(
            table, ["from", "to", "period", "carrier", "value", "unit"], ["reported_by", "note"]
        )
    )
    if rows.issues:
        raise InputRejected(rows.issues)
    seen: dict[tuple[str, str, str, str], list[tuple[int, str, float]]] = defaultdict(list)
    parsed: dict[tuple[str, str, str, str], NewTransfer] = {}
    for number, values in table:
        supplier = rows.entity(number, values, "from")
        receiver = rows.entity(number, values, "to")
        if supplier and receiver and supplier.id == receiver.id:
            rows.issue(number, "to", receiver.id, "an entity other than the supplier")
        period = rows.period(number, values, supplier)
        if receiver is not None and period is not None and not receiver.valid_during(period):
            rows.issue(number, "period", str(period), f"a period within {receiver.id}'s validity")
        carrier = values.get("carrier", "").lower()
        if carrier not in CARRIER_UNITS:
            rows.issue(number, "carrier", values.get("carrier", ""), "electricity or heat")
        amount = rows.positive(number, values, "value")
        rows.text(number, values, "unit", "unit")
        factor = None
        if (
            carrier in CARRIER_UNITS
            and values.get("unit")
            and len(values["unit"]) <= MAX_LENGTH["unit"]
        ):
            try:
                factor = conversion_factor(values["unit"], CARRIER_UNITS[carrier])
            except UnitError as exc:
                rows.issue(
                    number,
                    "unit",
                    values["unit"],
                    f"a unit of {carrier} convertible to {CARRIER_UNITS[carrier]} ({exc})",
                )
        elif not values.get("unit"):
            rows.issue(number, "unit", "an empty cell", "a unit such as MWh or GJ")
        reported_by = values.get("reported_by", "").lower() or "from"
        if reported_by not in ("from", "to"):
            rows.issue(
                number, "reported_by", reported_by, "from (the supplier) or to (the receiver)"
            )
        if None in (supplier, receiver, period, amount, factor) or carrier not in CARRIER_UNITS:
            continue
        assert supplier and receiver and period and amount is not None and factor is not None
        transfer_key = (supplier.id, receiver.id, str(period), carrier)
        normalised = amount * factor
        if not rows.magnitude(number, values, "value", normalised, CARRIER_UNITS[carrier]):
            continue
        for other_row, other_side, other_value in seen[transfer_key]:
            if other_side == reported_by:
                rows.issue(
                    number,
                    "from",
                    supplier.id,
                    f"one row per transfer and side (same as row {other_row})",
                )
            elif abs(other_value - normalised) > AGREEMENT_TOLERANCE * max(other_value, normalised):
                rows.issue(
                    number,
                    "value",
                    values["value"],
                    f"the amount the other side reported on row {other_row} "
                    f"({other_value:g} {CARRIER_UNITS[carrier]}): supplier and receiver "
                    "disagree",
                )
        previous = (recorded or {}).get(transfer_key)
        if (
            previous is not None
            and previous.reported_by != reported_by
            and abs(previous.value_normalised - normalised)
            > AGREEMENT_TOLERANCE * max(previous.value_normalised, normalised)
        ):
            other = "supplier" if previous.reported_by == "from" else "receiver"
            rows.issue(
                number,
                "value",
                values["value"],
                f"the amount the {other} already recorded ({previous.value_normalised:g} "
                f"{CARRIER_UNITS[carrier]}, transfer #{previous.id}): supplier and "
                "receiver disagree; the side that recorded it corrects it first",
            )
        seen[transfer_key].append((number, reported_by, normalised))
        if reported_by == "from" or transfer_key not in parsed:
            parsed[transfer_key] = NewTransfer(
                supplier.id,
                receiver.id,
                str(period),
                carrier,
                amount,
                values["unit"],
                normalised,
                reported_by,
            )
    if rows.issues:
        raise InputRejected(rows.issues)
    return list(parsed.values())


def parse_certificates(
    table: Table,
    entities: list[Entity],
    claimed: set[tuple[str, str]],
    electricity: dict[tuple[str, str], float],
    already: dict[tuple[str, str], float] | None = None,
) -> list[NewCertificate]:
    """Check certificate rows: a certificate id is claimed once, and claims never exceed the
    electricity the entity consumed in that period (when consumption is already in the ledger)."""
    rows = _Rows(table, entities)
    rows.issues.extend(
        check_columns(table, ["entity", "period", "scheme", "certificate_id", "mwh"], ["note"])
    )
    if rows.issues:
        raise InputRejected(rows.issues)
    parsed: list[NewCertificate] = []
    in_file: dict[tuple[str, str], int] = {}
    totals: dict[tuple[str, str], float] = defaultdict(float, already or {})
    for number, values in table:
        entity = rows.entity(number, values, "entity")
        period = rows.period(number, values, entity)
        scheme = values.get("scheme", "")
        if scheme not in SCHEMES:
            rows.issue(number, "scheme", scheme, "one of " + ", ".join(SCHEMES))
        certificate_id = values.get("certificate_id", "")
        rows.text(number, values, "certificate_id", "certificate_id")
        if not certificate_id:
            rows.issue(number, "certificate_id", "an empty cell", "the certificate's serial id")
        elif (scheme, certificate_id) in claimed:
            rows.issue(
                number,
                "certificate_id",
                certificate_id,
                "a certificate not claimed before (it is already in the register)",
            )
        elif (scheme, certificate_id) in in_file:
            rows.issue(
                number,
                "certificate_id",
                certificate_id,
                f"a certificate claimed once (also on row {in_file[(scheme, certificate_id)]})",
            )
        in_file.setdefault((scheme, certificate_id), number)
        mwh = rows.positive(number, values, "mwh")
        if mwh is not None and not rows.magnitude(number, values, "mwh", mwh, "MWh"):
            mwh = None
        if entity is None or period is None or mwh is None:
            continue
        totals[(entity.id, str(period))] += mwh
        consumed = electricity.get((entity.id, str(period)))
        if consumed is not None and totals[(entity.id, str(period))] > consumed * (1 + 1e-9):
            rows.issue(
                number,
                "mwh",
                values["mwh"],
                f"claims within the {consumed:g} MWh {entity.id} consumed in {period}",
            )
        parsed.append(NewCertificate(scheme, certificate_id, entity.id, str(period), mwh))
    if rows.issues:
        raise InputRejected(rows.issues)
    return parsed


def import_transfers(change: Change, table: Table) -> int:
    """Check a transfers table against the ledger under the change's head, then write it."""
    connection = change.connection
    transfers = parse_transfers(table, load_entities(connection), recorded_transfers(connection))
    refuse_locked(connection, {t.period for t in transfers}, f"importing {table.path.name}")
    return write_transfers(change, transfers, table.path, table.sha256)


def import_certificates(
    change: Change, table: Table, electricity: dict[tuple[str, str], float]
) -> int:
    """``electricity``: consumption per (entity, period), a year given as its annual figure or the
    sum of its months. Claims add to those already in the register."""
    connection = change.connection
    certificates = parse_certificates(
        table,
        load_entities(connection),
        claimed_certificates(connection),
        electricity,
        claimed_totals(connection),
    )
    refuse_locked(connection, {c.period for c in certificates}, f"importing {table.path.name}")
    return write_certificates(change, certificates, table.path, table.sha256)
