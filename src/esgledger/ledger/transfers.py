"""Ledger writes and reads for internal transfers and certificate claims (audited)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa

from esgledger.domain import Certificate, Transfer
from esgledger.ledger.change import Change
from esgledger.store.schema import certificates, import_batches, transfers


@dataclass(frozen=True)
class NewTransfer:
    from_entity: str
    to_entity: str
    period: str
    carrier: str
    value: float
    unit: str
    value_normalised: float
    reported_by: str = "from"


@dataclass(frozen=True)
class NewCertificate:
    scheme: str
    certificate_id: str
    entity_id: str
    period: str
    mwh: float


def _batch(change: Change, kind: str, path: Path, sha256: str, rows: int) -> int:
    batch_id = change.head.next_batch_id
    change.head.next_batch_id += 1
    row = {
        "id": batch_id,
        "kind": kind,
        "file_name": path.name,
        "sha256": sha256,
        "rows": rows,
        "actor": change.actor,
        "at": change.at,
    }
    change.record("import.batch", "batch", str(batch_id), row, change.insert(import_batches, [row]))
    return batch_id


def recorded_transfers(connection: sa.Connection) -> dict[tuple[str, str, str, str], sa.Row]:
    """The current transfer of each (supplier, receiver, period, carrier)."""
    rows = connection.execute(sa.select(transfers).where(transfers.c.is_current.is_(True)))
    return {(r.from_entity, r.to_entity, r.period, r.carrier): r for r in rows}


def write_transfers(change: Change, items: list[NewTransfer], path: Path, sha256: str) -> int:
    """Insert transfers; a transfer already recorded (same ends, period, carrier) by the same side
    gets a new version that supersedes the old one (a correction). The other side's confirmation of
    an agreeing figure is recorded as a new version too, naming who reported it."""
    connection = change.connection
    batch_id = _batch(change, "transfers", path, sha256, len(items))
    next_id = (connection.execute(sa.select(sa.func.max(transfers.c.id))).scalar() or 0) + 1
    for item in items:
        current = connection.execute(
            sa.select(transfers.c.id, transfers.c.version).where(
                transfers.c.is_current.is_(True),
                transfers.c.from_entity == item.from_entity,
                transfers.c.to_entity == item.to_entity,
                transfers.c.period == item.period,
                transfers.c.carrier == item.carrier,
            )
        ).first()
        stamps = []
        if current is not None:
            stamps = change.update(transfers, transfers.c.id == current.id, {"is_current": False})
        row = {
            **asdict(item),
            "id": next_id,
            "version": current.version + 1 if current else 1,
            "is_current": True,
            "batch_id": batch_id,
            "created_at": change.at,
            "created_by": change.actor,
        }
        stamps += change.insert(transfers, [row])
        action = "transfer.correct" if current else "transfer.create"
        change.record(action, "transfer", str(next_id), row, stamps)
        next_id += 1
    return len(items)


def write_certificates(change: Change, items: list[NewCertificate], path: Path, sha256: str) -> int:
    connection = change.connection
    batch_id = _batch(change, "certificates", path, sha256, len(items))
    next_id = (connection.execute(sa.select(sa.func.max(certificates.c.id))).scalar() or 0) + 1
    rows = [
        {
            **asdict(item),
            "id": next_id + offset,
            "batch_id": batch_id,
            "created_at": change.at,
            "created_by": change.actor,
        }
        for offset, item in enumerate(items)
    ]
    for row, stamp in zip(rows, change.insert(certificates, rows), strict=True):
        change.record("certificate.claim", "certificate", str(row["id"]), row, [stamp])
    return len(rows)


def claimed_certificates(connection: sa.Connection) -> set[tuple[str, str]]:
    return {
        (r.scheme, r.certificate_id)
        for r in connection.execute(sa.select(certificates.c.scheme, certificates.c.certificate_id))
    }


def claimed_totals(connection: sa.Connection) -> dict[tuple[str, str], float]:
    """MWh already claimed per (entity, period)."""
    rows = connection.execute(
        sa.select(
            certificates.c.entity_id, certificates.c.period, sa.func.sum(certificates.c.mwh)
        ).group_by(certificates.c.entity_id, certificates.c.period)
    )
    return {(entity, period): float(total) for entity, period, total in rows}


def load_transfers(connection: sa.Connection, periods: list[str]) -> list[Transfer]:
    rows = connection.execute(
        sa.select(transfers).where(
            transfers.c.is_current.is_(True), transfers.c.period.in_(periods)
        )
    )
    return [
        Transfer(
            r.id,
            r.from_entity,
            r.to_entity,
            r.period,
            r.carrier,
            r.value,
            r.unit,
            r.value_normalised,
        )
        for r in rows
    ]


def load_certificates(connection: sa.Connection, periods: list[str]) -> list[Certificate]:
    rows = connection.execute(sa.select(certificates).where(certificates.c.period.in_(periods)))
    return [
        Certificate(r.id, r.scheme, r.certificate_id, r.entity_id, r.period, r.mwh) for r in rows
    ]


def transfer_value(connection: sa.Connection, transfer_id: int) -> float | None:
    """The normalised value of transfer row ``transfer_id`` (None when it is not there)."""
    return connection.execute(
        sa.select(transfers.c.value_normalised).where(transfers.c.id == transfer_id)
    ).scalar()


def certificate_mwh(connection: sa.Connection, certificate_row: int) -> float | None:
    """The MWh of certificate row ``certificate_row`` (None when it is not there)."""
    return connection.execute(
        sa.select(certificates.c.mwh).where(certificates.c.id == certificate_row)
    ).scalar()
