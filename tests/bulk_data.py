"""Shared data for the bulk activity tests: an organisation, a factor edition that changes the
Chinese grid factors on 2024-07-01 (a month boundary), and seeded activity records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from esgledger.factors import FactorLibrary
from esgledger.factors.library import FactorSet, FactorValue, load_factor_set
from esgledger.factors.persist import store_library
from esgledger.ledger.change import changing
from esgledger.units import conversion_factor
from tests.helpers import DATA_HEADER, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

YEAR = 2024
CHANGE = dt.date(2024, 7, 1)
GRID = {"national_average": 0.6123, "national_excl_traded_nonfossil": 0.6345}
# (metric, unit, typical quantity) per kind of record; units differ from the metric's on purpose
RECORDS = {
    "meter": [
        ("energy.electricity_purchased", "kWh", 900.0),
        ("energy.electricity_purchased", "MWh", 0.8),
        ("energy.natural_gas", "m3", 120.0),
    ],
    "delivery": [
        ("energy.raw_coal", "t", 30.0),
        ("energy.raw_coal", "kg", 9000.0),
        ("energy.diesel", "t", 2.0),
        ("energy.natural_gas", "wan_m3", 0.4),
    ],
    "other": [
        ("energy.steam_purchased", "GJ", 50.0),
        ("energy.electricity_self_generated_renewable", "MWh", 0.3),
    ],
}
PLANTS = {
    "smelter": ("CN", "", ("meter", "delivery", "other")),
    "power": ("CN", "north", ("meter", "delivery")),
    "us": ("US", "RFCW", ("meter", "delivery")),
}
MEASURED_NCV = {month: 380.0 + month for month in range(4, 10)}  # GJ/10^4 m3, April-September


def organisation(path: Path, prefix: str) -> Path:
    rows = [[f"{prefix}grp", f"Group {prefix}", "", "CN", "", "group", "", "", "", ""]]
    for name, (country, region, _kinds) in PLANTS.items():
        rows.append(
            [
                f"{prefix}{name}",
                f"{name} {prefix}",
                f"{prefix}grp",
                country,
                "",
                "plant",
                region,
                "",
                "",
                "",
            ]
        )
    return write_csv(path, ORG_HEADER, rows)


def midyear_grid_edition(change: dt.date = CHANGE) -> FactorSet:
    """A test-only edition of cn_grid_mee whose grid factors change on ``change``."""
    base = load_factor_set(
        Path(__file__).parents[1] / "src/esgledger/factors/data/cn_grid_mee.yaml"
    )
    edition, version = "test edition: mid-2024 update", "test-2024.7"
    series = {
        key: [
            FactorValue(
                f"cn_grid_mee.{key}",
                value,
                "tCO2/MWh",
                change,
                "test only",
                "S",
                "cn_grid_mee",
                edition,
                version,
            )
        ]
        for key, value in GRID.items()
    }
    return dataclasses.replace(
        base, edition=edition, version=version, series=series, sha256="0" * 64
    )


def add_midyear_edition(ws: Ledger) -> None:
    with ws.db.transaction() as connection, changing(connection, "test") as change:
        store_library(change, FactorLibrary([midyear_grid_edition()]))


def site_parameters(path: Path, prefix: str) -> Path:
    """Measured natural-gas NCV of the power plant for April to September."""
    rows = [
        [
            f"{prefix}power",
            f"{YEAR}-{month:02d}",
            "site.natural_gas.ncv",
            value,
            "GJ/wan_m3",
            "measured",
            "lab",
            "",
        ]
        for month, value in MEASURED_NCV.items()
    ]
    return write_csv(path, DATA_HEADER, rows)


def records(
    prefix: str, per_month: int = 6, seed: int = 7
) -> list[tuple[str, dt.datetime, str, float, str]]:
    """Records of every plant, some on the last and first second of a month."""
    rng = random.Random(seed)
    found = []
    for name, (_country, _region, kinds) in PLANTS.items():
        for month in range(1, 13):
            start = dt.datetime(YEAR, month, 1)
            end = dt.datetime(YEAR + month // 12, month % 12 + 1, 1)
            seconds = int((end - start).total_seconds())
            for kind in kinds:
                for metric, unit, typical in RECORDS[kind]:
                    stamps = [start, end - dt.timedelta(seconds=1)]
                    stamps += [
                        start + dt.timedelta(seconds=rng.randrange(seconds))
                        for _ in range(per_month)
                    ]
                    for stamp in stamps:
                        quantity = round(typical * rng.uniform(0.2, 1.8), 6)
                        found.append((f"{prefix}{name}", stamp, metric, quantity, unit))
    rng.shuffle(found)
    return found


def write_parquet(path: Path, rows: list[tuple[str, dt.datetime, str, float, str]]) -> Path:
    columns = list(zip(*rows, strict=True))
    pq.write_table(
        pa.table(
            {
                "entity": pa.array(columns[0], pa.string()),
                "ts": pa.array(columns[1], pa.timestamp("us")),
                "metric": pa.array(columns[2], pa.string()),
                "quantity": pa.array(columns[3], pa.float64()),
                "unit": pa.array(columns[4], pa.string()),
            }
        ),
        path,
    )
    return path


def monthly_datapoints(
    path: Path, rows: list[tuple[str, dt.datetime, str, float, str]], units: dict[str, str]
) -> Path:
    """The same records summed per entity, month and metric, as ordinary data points."""
    sums: dict[tuple[str, str, str], float] = defaultdict(float)
    for entity, stamp, metric, quantity, unit in rows:
        sums[(entity, f"{stamp:%Y-%m}", metric)] += quantity * conversion_factor(
            unit, units[metric]
        )
    lines = [
        [entity, period, metric, repr(value), units[metric], "measured", "meters", ""]
        for (entity, period, metric), value in sorted(sums.items())
    ]
    return write_csv(path, DATA_HEADER, lines)
