"""Data shared by the web tests: last year's values of ``plant_a`` (imported and calculated), so
that the entry form shows them and a large change needs an explanation."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger

LAST_YEAR = "2023"
YEAR = "2024"
# metric -> (last year's value, unit, this year's value as the owner types it)
VALUES = {
    "energy.electricity_purchased": (1000.0, "MWh", "1050"),
    "energy.diesel": (10.0, "t", "20"),  # +100 %: needs an explanation
    "water.withdrawal": (5000.0, "m3", "5100"),
}
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def seed_last_year(ws: Ledger, directory: Path) -> None:
    rows = [
        ["plant_a", LAST_YEAR, metric, value, unit, "measured", "", ""]
        for metric, (value, unit, _typed) in VALUES.items()
    ]
    ws.import_data(write_csv(directory / "last-year.csv", DATA_HEADER, rows))
    ws.calc(LAST_YEAR)
