"""What the anchor tests share: a small ledger, more values to import, the log as stored, taking
and checking anchors through the service, the rows root computed from the log's own text, and
the command line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from esgledger.cli.main import app as cli_app
from esgledger.services.audit import Anchor, VerifyResult
from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger
from tests.tampering import canonical

ORG = [
    ["id", "name", "parent", "country"],
    ["grp", "Group", "", "CN"],
    ["smelter", "Smelter", "grp", "CN"],
    ["refinery", "Refinery", "grp", "CN"],
]


def small_ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    """Three entities and three values of 2024, imported."""
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG[0], ORG[1:]))
    ws.import_data(
        write_csv(
            tmp_path / "d1.csv",
            DATA_HEADER,
            [
                ["smelter", "2024", "energy.raw_coal", "100", "t", "measured", "", ""],
                ["smelter", "2024", "energy.electricity_purchased", "1250", "MWh", "", "", ""],
                ["refinery", "2024", "energy.natural_gas", "3", "万立方米", "", "", ""],
            ],
        )
    )
    return ws


def import_more(ws: Ledger, folder: Path, name: str = "more") -> None:
    """A file of new values (rows inserted only, no correction)."""
    ws.import_data(
        write_csv(
            folder / f"{name}.csv",
            DATA_HEADER,
            [
                ["refinery", "2025", "energy.coke", "9", "t", "", "", ""],
                ["smelter", "2025", "energy.diesel", "4", "t", "", "", ""],
            ],
        )
    )


def log(ws: Ledger) -> list[Any]:
    with ws.db.reading() as connection:
        return list(connection.execute(sa.text("SELECT * FROM audit_log ORDER BY seq")))


def take(ws: Ledger, key: bytes | None = None) -> Anchor:
    return ws.services.audit.anchor(ws.admin, key)


def check(ws: Ledger, *anchors: Anchor, key: bytes | None = None) -> VerifyResult:
    return ws.services.audit.verify(ws.admin, list(anchors), key)


def stamps_root(entries: list[Any]) -> str:
    """The rows root as the anchor format defines it, computed here from the log's own text:
    the last stamp of each row, deleted rows left out, one canonical JSON line per row in the
    order of table and key."""
    last: dict[tuple[str, str], str | None] = {}
    for entry in entries:
        for table, key, digest in json.loads(entry.rows or "[]"):
            last[(table, key)] = digest
    lines = [
        canonical([table, key, digest]) + "\n"
        for (table, key), digest in sorted(last.items())
        if digest is not None
    ]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def run(db_url: str, *args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli_app, ["--db", db_url, *map(str, args)], env={"ESGLEDGER_DATABASE_URL": None}
    )
    return result.exit_code, result.stdout, result.stderr
