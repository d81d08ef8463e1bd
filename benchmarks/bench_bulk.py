"""Benchmark the bulk activity path on 10 million records (issue 3, item 8 and "Done means").

    .venv/bin/python benchmarks/bench_bulk.py [--records 10000000] [--entities 200] [--repeat 3]
        [--keep DIR] [--skip-pandas]

Generates a year of activity records as Parquet (vectorised numpy and pyarrow): every plant has
five hourly meters (three electricity meters, one in MWh, a natural-gas meter in m3, a steam meter
in GJ), written as one file per month as a meter export would be, and fuel deliveries (raw coal in
t and kg, washed coal, diesel, fuel oil, LPG in kg) filling the rest of ``--records``, one file per
quarter. Plants are in China (grid regions), the United States (eGRID subregions) and Indonesia.
A benchmark edition of the Chinese grid factors gives the national average and the residual mix
a new value on the first of every month, so factors change eleven times during the year.

The files are imported into a fresh SQLite ledger (the import checks every record: timed and shown
separately), then four contenders run on the same files, each in its own process so that its peak
memory (``ru_maxrss``, DuckDB's native memory included) is its own; each takes the best of
``--repeat`` runs:

(a) floor: one DuckDB scan and GROUP BY entity, month and metric, no factors at all;
(e) esgledger: the bulk inventory (:func:`esgledger.calc.bulk.service.compute_activity`: reads the
    ledger, sums per file, entity, metric, unit and day, builds the factor table with the engine's
    formulas, joins, sums by month); then, once, the whole ``activity calc`` with the ledger write;
(b) DuckDB ASOF JOIN of every record to its factor row (the same factor table), then GROUP BY;
(c) pandas: ``merge_asof`` of every record to its factor row, then ``groupby``.

Targets: (e) within 2x of (a), several times faster than (b), more than 10x faster than (c); peak
memory of (e) <= 2 GB. The totals of (e), (b) and (c) are compared. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from admin_ledger import Ledger, create_ledger, open_ledger

from esgledger.calc.bulk.run import BulkResult
from esgledger.calc.bulk.service import compute_activity
from esgledger.calc.bulk.sql import RESULT_COLUMNS
from esgledger.calc.options import CalcOptions
from esgledger.domain import Period
from esgledger.factors import FactorLibrary
from esgledger.factors.library import FactorSet, FactorValue, load_factor_set
from esgledger.factors.persist import store_library
from esgledger.ingest.activity import registered_files
from esgledger.ledger.change import changing

YEAR = 2024
HOURS = 366 * 24
METERS = [  # (metric, unit, mean hourly quantity)
    ("energy.electricity_purchased", "kWh", 2_500.0),
    ("energy.electricity_purchased", "kWh", 1_800.0),
    ("energy.electricity_purchased", "MWh", 1.2),
    ("energy.natural_gas", "m3", 300.0),
    ("energy.steam_purchased", "GJ", 20.0),
]
DELIVERIES = [  # (metric, unit, mean delivered quantity)
    ("energy.raw_coal", "t", 30.0),
    ("energy.raw_coal", "kg", 25_000.0),
    ("energy.washed_coal", "t", 20.0),
    ("energy.diesel", "t", 3.0),
    ("energy.fuel_oil", "t", 5.0),
    ("energy.lpg", "kg", 800.0),
]
CN_REGIONS = ["north", "northeast", "east", "central", "northwest", "south", "southwest"]
US_REGIONS = ["RFCW", "RFCE", "RFCM", "SRMW", "MROE"]
GRID_MONTHLY = [
    0.5703,
    0.5688,
    0.5671,
    0.5655,
    0.5602,
    0.5574,
    0.5590,
    0.5611,
    0.5637,
    0.5660,
    0.5682,
    0.5699,
]  # Feb..Dec used: a benchmark series, not published values
TARGETS = {"floor ratio": 2.0, "memory MB": 2048.0}


# -- generation --------------------------------------------------------------------------------


def plants(count: int) -> list[tuple[str, str, str]]:
    found = []
    for p in range(count):
        if p % 20 < 17:
            found.append((f"pl{p:03d}", "CN", CN_REGIONS[p % len(CN_REGIONS)]))
        elif p % 20 < 19:
            found.append((f"pl{p:03d}", "US", US_REGIONS[p % len(US_REGIONS)]))
        else:
            found.append((f"pl{p:03d}", "ID", ""))
    return found


def _table(
    entity: np.ndarray,
    ts: np.ndarray,
    kinds: list[tuple[str, str, float]],
    kind: np.ndarray,
    quantity: np.ndarray,
    names: list[str],
) -> pa.Table:
    metric = np.array([k[0] for k in kinds])
    unit = np.array([k[1] for k in kinds])
    return pa.table(
        {
            "entity": pa.array(np.array(names)[entity], pa.string()),
            "ts": pa.array(ts.astype("datetime64[us]")),
            "metric": pa.array(metric[kind], pa.string()),
            "quantity": pa.array(quantity, pa.float64()),
            "unit": pa.array(unit[kind], pa.string()),
        }
    )


def generate(directory: Path, records: int, entities: int, seed: int = 2024) -> list[Path]:
    """Monthly meter files and quarterly delivery files; returns their paths."""
    rng = np.random.default_rng(seed)
    names = [p[0] for p in plants(entities)]
    scale = rng.lognormal(0.0, 0.5, entities)
    start = np.datetime64(f"{YEAR}-01-01T00:00")
    paths = []
    hour_of = np.arange(HOURS)
    month_of = (start + hour_of.astype("timedelta64[h]")).astype("datetime64[M]").astype(int) % 12
    for month in range(12):
        hours = hour_of[month_of == month]
        e, k, h = (
            a.ravel()
            for a in np.meshgrid(np.arange(entities), np.arange(len(METERS)), hours, indexing="ij")
        )
        daily = 1 + 0.3 * np.sin(2 * np.pi * (h % 24) / 24)
        base = np.array([m[2] for m in METERS])[k] * scale[e] * daily
        quantity = base * rng.uniform(0.8, 1.2, e.size)
        table = _table(e, start + h.astype("timedelta64[h]"), METERS, k, quantity, names)
        table = table.sort_by([("ts", "ascending"), ("entity", "ascending")])
        paths.append(directory / f"meters_{YEAR}-{month + 1:02d}.parquet")
        pq.write_table(table, paths[-1])
    remaining = records - entities * len(METERS) * HOURS
    if remaining < 0:
        raise SystemExit(f"--records must be at least {entities * len(METERS) * HOURS:,}")
    seconds = HOURS * 3600
    quarters = [0, 91, 182, 274, 366]
    for quarter in range(4):
        size = remaining // 4 + (remaining % 4 if quarter == 3 else 0)
        low, high = quarters[quarter] * 86400, quarters[quarter + 1] * 86400
        offset = np.sort(rng.integers(low, min(high, seconds), size))
        e = rng.integers(0, entities, size)
        k = rng.integers(0, len(DELIVERIES), size)
        quantity = np.array([d[2] for d in DELIVERIES])[k] * scale[e] * rng.uniform(0.3, 1.7, size)
        table = _table(e, start + offset.astype("timedelta64[s]"), DELIVERIES, k, quantity, names)
        paths.append(directory / f"deliveries_{YEAR}-Q{quarter + 1}.parquet")
        pq.write_table(table, paths[-1])
    return paths


def monthly_grid_edition() -> FactorSet:
    """A benchmark edition of cn_grid_mee whose grid factors change on the first of each month."""
    base = load_factor_set(
        Path(__file__).parents[1] / "src/esgledger/factors/data/cn_grid_mee.yaml"
    )
    edition, version = "benchmark: monthly 2024 grid factors", "bench-2024.m"
    series = {
        key: [
            FactorValue(
                f"cn_grid_mee.{key}",
                value * shift,
                "tCO2/MWh",
                dt.date(YEAR, month, 1),
                "benchmark series",
                "S",
                "cn_grid_mee",
                edition,
                version,
            )
            for month, value in enumerate(GRID_MONTHLY[1:], start=2)
        ]
        for key, shift in (("national_average", 1.0), ("national_excl_traded_nonfossil", 1.04))
    }
    return dataclasses.replace(
        base, edition=edition, version=version, series=series, sha256="b" * 64
    )


def set_up(workdir: Path, records: int, entities: int) -> dict[str, Any]:
    data = workdir / "files"
    data.mkdir()
    started = time.perf_counter()
    files = generate(data, records, entities)
    generated = time.perf_counter() - started
    ledger = create_ledger(str(workdir / "ledger.db"))
    org = workdir / "org.csv"
    lines = ["id,name,parent,country,type,grid_region", "grp,Benchmark Group,,CN,group,"]
    lines += [
        f"{pid},Plant {pid},grp,{country},plant,{region}"
        for pid, country, region in plants(entities)
    ]
    org.write_text("\n".join(lines) + "\n")
    ledger.import_organisation(org)
    # no operation adds a factor edition: written as the admin, as the tests' fixtures do
    with ledger.db.transaction() as connection, changing(connection, ledger.admin_name) as change:
        store_library(change, FactorLibrary([monthly_grid_edition()]))
    started = time.perf_counter()
    for path in files:
        ledger.import_activity(path, str(YEAR))
    imported = time.perf_counter() - started
    result = bulk_inventory(ledger)
    factor_rows = [row.as_row(RESULT_COLUMNS) for row in result.factor_rows.values()]
    columns = ["row_id", "entity", "metric", "valid_from", "valid_to", *RESULT_COLUMNS]
    table = pa.table({c: [r[i] for r in factor_rows] for i, c in enumerate(columns)})
    pq.write_table(table, workdir / "factors.parquet")
    ledger.db.dispose()
    size = sum(p.stat().st_size for p in files)
    return {
        "files": len(files),
        "bytes": size,
        "generate": generated,
        "import": imported,
        "factor_rows": len(factor_rows),
    }


def bulk_inventory(ledger: Ledger) -> BulkResult:
    """The bulk results of the year's activity files, computed as ``activity calc`` computes
    them (:meth:`esgledger.services.calculation.Calculation.activity`), not written."""
    with ledger.db.reading() as connection:
        _files, result = compute_activity(
            connection,
            Period(YEAR),
            ledger.catalogue,
            CalcOptions(),
            ledger.services.context.files.activity,
        )
    return result


# -- contenders (each runs in its own process) -------------------------------------------------


def _paths(workdir: Path) -> list[str]:
    """The stored files of the year, as the ledger registered them."""
    ledger = open_ledger(str(workdir / "ledger.db"))
    with ledger.db.reading() as connection:
        files = registered_files(connection, Period(YEAR), ledger.services.context.files.activity)
    ledger.db.dispose()
    return [str(f.path) for f in files]


def _duckdb() -> Any:
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def floor(workdir: Path) -> dict[str, float]:
    files = _paths(workdir)
    rows = (
        _duckdb()
        .execute(
            "SELECT entity, date_trunc('month', ts) AS month, metric, count(*) AS n, "
            "sum(quantity) AS q FROM read_parquet($files) GROUP BY ALL",
            {"files": files},
        )
        .fetchall()
    )
    return {"groups": len(rows), "records": sum(r[3] for r in rows)}


def esgledger(workdir: Path) -> dict[str, float]:
    ledger = open_ledger(str(workdir / "ledger.db"))
    result = bulk_inventory(ledger)
    ledger.db.dispose()
    return {c: sum(v.get(c, 0.0) for v in result.values.values()) for c in RESULT_COLUMNS}


def esgledger_with_write(workdir: Path) -> dict[str, float]:
    ledger = open_ledger(str(workdir / "ledger.db"))
    done = ledger.calc_activity(str(YEAR))
    ledger.db.dispose()
    return {"results": done.results, "created": done.written.created}


def duckdb_asof(workdir: Path) -> dict[str, float]:
    connection = _duckdb()
    connection.execute(
        "CREATE TABLE f AS SELECT entity, metric, CAST(valid_from AS TIMESTAMP) "
        f"AS valid_from, {', '.join(RESULT_COLUMNS)} FROM read_parquet($p)",
        {"p": str(workdir / "factors.parquet")},
    )
    connection.execute("CREATE TABLE u (metric VARCHAR, unit VARCHAR, k DOUBLE)")
    connection.executemany("INSERT INTO u VALUES (?, ?, ?)", _units())
    sums = ", ".join(f"sum(r.quantity * u.k * f.{c}) AS {c}" for c in RESULT_COLUMNS)
    rows = connection.execute(
        f"SELECT r.entity, month(r.ts) AS month, {sums} FROM read_parquet($files) r "
        "JOIN u ON r.metric = u.metric AND r.unit = u.unit "
        "ASOF JOIN f ON r.entity = f.entity AND r.metric = f.metric AND r.ts >= f.valid_from "
        "GROUP BY ALL",
        {"files": _paths(workdir)},
    ).fetchall()
    return {c: sum(r[2 + i] or 0.0 for r in rows) for i, c in enumerate(RESULT_COLUMNS)}


def pandas_asof(workdir: Path) -> dict[str, float]:
    import pandas as pd

    records = pd.concat([pd.read_parquet(p) for p in _paths(workdir)], ignore_index=True)
    units = pd.DataFrame(_units(), columns=["metric", "unit", "k"])
    factors = pd.read_parquet(workdir / "factors.parquet").drop(columns=["row_id", "valid_to"])
    factors["valid_from"] = pd.to_datetime(factors["valid_from"]).astype(records["ts"].dtype)
    records = records.merge(units, on=["metric", "unit"]).sort_values("ts")
    joined = pd.merge_asof(
        records,
        factors.sort_values("valid_from"),
        left_on="ts",
        right_on="valid_from",
        by=["entity", "metric"],
    )
    for column in RESULT_COLUMNS:
        joined[column] = joined["quantity"] * joined["k"] * joined[column]
    joined["month"] = joined["ts"].dt.month
    monthly = joined.groupby(["entity", "month"])[list(RESULT_COLUMNS)].sum()
    return {c: float(monthly[c].sum()) for c in RESULT_COLUMNS}


def _units() -> list[tuple[str, str, float]]:
    """Record unit -> metric unit multipliers (what a user of (b) and (c) would write down)."""
    from esgledger.calc.formulas import FORMULAS
    from esgledger.catalogue import load_catalogue
    from esgledger.units import conversion_factor

    catalogue = load_catalogue(known_functions=set(FORMULAS))
    pairs = sorted({(m, u) for m, u, _q in METERS + DELIVERIES})
    return [(m, u, conversion_factor(u, catalogue[m].unit)) for m, u in pairs]


CONTENDERS: dict[str, Callable[[Path], dict[str, float]]] = {
    "floor": floor,
    "esgledger": esgledger,
    "esgledger_write": esgledger_with_write,
    "duckdb_asof": duckdb_asof,
    "pandas": pandas_asof,
}


def run_contenders(names: list[str], workdir: Path, repeat: int) -> None:
    """Child process: ``repeat`` rounds, each running every contender once (interleaved, so that
    a busy machine slows them alike); print JSON with each one's best wall-clock and CPU seconds
    (CPU of all threads) and the process's peak memory."""
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    checks: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for name in names:
            started, used = time.perf_counter(), time.process_time()
            checks[name] = CONTENDERS[name](workdir)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - used)
    peak = peak_rss_mb()
    print(
        json.dumps(
            {
                name: {
                    "seconds": min(wall[name]),
                    "cpu": min(cpu[name]),
                    "all": wall[name],
                    "peak_mb": peak,
                    "checks": checks[name],
                }
                for name in names
            }
        )
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Python and DuckDB's native memory alike).

    Linux keeps ``ru_maxrss`` across ``exec``, so a child started by a large parent would report
    the parent's size; ``VmHWM`` belongs to the process image itself. Elsewhere ``ru_maxrss``."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(names: list[str], workdir: Path, repeat: int) -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--contender",
            ",".join(names),
            "--workdir",
            str(workdir),
            "--repeat",
            str(repeat),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# -- report ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--contender", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.contender:
        run_contenders(args.contender.split(","), args.workdir, args.repeat)
        return
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="esgledger-bulk-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        report(workdir, args)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def report(workdir: Path, args: argparse.Namespace) -> None:
    setup = set_up(workdir, args.records, args.entities)
    print(
        f"{args.records:,} records, {args.entities} plants, {setup['files']} Parquet files "
        f"({setup['bytes'] / 1e6:,.0f} MB), generated in {setup['generate']:.1f} s; "
        f"factor table {setup['factor_rows']:,} rows"
    )
    print(
        f"import with validation (all files, not in the comparison): {setup['import']:.2f} s "
        f"({args.records / setup['import']:,.0f} records/s)"
    )
    figures = child(["floor", "esgledger"], workdir, args.repeat)  # timed interleaved
    for name in ("floor", "esgledger"):  # peak memory of each alone
        figures[name]["peak_mb"] = child([name], workdir, 1)[name]["peak_mb"]
    figures |= child(["duckdb_asof"], workdir, args.repeat)
    if not args.skip_pandas:
        figures |= child(["pandas"], workdir, 1)
    figures |= child(["esgledger_write"], workdir, 1)
    base = figures["floor"]["seconds"]
    labels = {
        "floor": "(a) floor: DuckDB scan + group by, no factors",
        "esgledger": "(e) esgledger bulk inventory (compute)",
        "esgledger_write": "(e') esgledger activity calc incl. ledger write",
        "duckdb_asof": "(b) DuckDB ASOF JOIN per record",
        "pandas": "(c) pandas merge_asof + groupby",
    }
    print(f"\n{'contender':50s} {'seconds':>8s} {'x floor':>8s} {'CPU s':>7s} {'peak MB':>8s}")
    for name in ["floor", "esgledger", "esgledger_write", "duckdb_asof", "pandas"]:
        if name in figures:
            f = figures[name]
            print(
                f"{labels[name]:50s} {f['seconds']:8.3f} {f['seconds'] / base:8.2f} "
                f"{f['cpu']:7.2f} {f['peak_mb']:8.0f}"
            )
    ours = figures["esgledger"]
    print("\nagainst the targets:")
    print(
        f"  esgledger / floor = {ours['seconds'] / base:.2f} (target <= 2; CPU "
        f"{ours['cpu'] / figures['floor']['cpu']:.2f})"
    )
    for name in ("duckdb_asof", "pandas"):
        if name in figures:
            print(
                f"  {name} / esgledger = {figures[name]['seconds'] / ours['seconds']:.1f}x "
                f"slower (target: several times for duckdb_asof, > 10 for pandas)"
            )
    print(
        f"  esgledger peak memory {ours['peak_mb']:.0f} MB, with the ledger write "
        f"{figures['esgledger_write']['peak_mb']:.0f} MB (target <= 2048)"
    )
    for name in ("duckdb_asof", "pandas"):
        if name in figures:
            worst = max(
                abs(figures[name]["checks"][c] - ours["checks"][c])
                / max(abs(ours["checks"][c]), 1e-12)
                for c in RESULT_COLUMNS
            )
            print(f"  totals of {name} vs esgledger: largest relative difference {worst:.1e}")
    print(f"  records counted by the floor: {figures['floor']['checks']['records']:,.0f}")


if __name__ == "__main__":
    main()
