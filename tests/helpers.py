"""Small builders shared by tests: write CSV files for the importers."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])
    return path


ORG_HEADER = [
    "id",
    "name",
    "parent",
    "country",
    "name_zh",
    "type",
    "grid_region",
    "operational_control",
    "valid_from",
    "valid_to",
]
DATA_HEADER = ["entity", "period", "metric", "value", "unit", "method", "source", "note"]

# The smallest tree most single-plant tests need, as ORG_HEADER rows.
GROUP_AND_PLANT = [
    ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
    ["plant", "Plant", "grp", "CN", "工厂", "plant", "", "", "", ""],
]
