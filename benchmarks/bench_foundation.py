"""Benchmark the foundation on a generated group: import, calc, report and explain.

    .venv/bin/python benchmarks/bench_foundation.py [--entities 200] [--years 3]
        [--postgres URL] [--repeat N] [--profile] [--keep]

Builds a group of ``--entities`` entities (group > ~entities/20 companies > plants, in China,
Indonesia and the USA) with ``--years`` years of data: monthly values for the energy, production
and water metrics, annual values for the rest (about 100 000 data points for 200 entities and three
years). The organisation and data CSV files are written into a temporary directory, then, on a
fresh ledger, through the service layer (the same calls the CLI makes):

1. ``data import`` of the CSV                     target <= 10 s
2. ``calc`` of every year (per year and total)    target <= 5 s in total
3. ``report`` of the last year (English)          target <= 5 s
4. ``explain`` of the group's Scope 1+2 in the last year

About half of the entities' social figures (employees, leavers, training hours) also come broken
down by gender and by age group (``dimensions`` column), adding up to their totals.

and, in the same run, a BASELINE for the import: the same CSV read with the csv module and its raw
rows inserted into a bare table with ``executemany`` in one transaction (the floor for a
row-by-row import), with the ratio esgledger / baseline.

``--postgres URL`` runs the same against PostgreSQL: a scratch database is created on that server
(the URL's database is only used to connect) and dropped afterwards. ``--profile`` runs each
esgledger step under cProfile and prints where the time goes. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from admin_ledger import Ledger, create_ledger
from rich.console import Console
from rich.table import Table

from esgledger.store.schema import calc_values

console = Console(width=None if sys.stdout.isatty() else 150)

ORG_HEADER = [
    "id",
    "name",
    "parent",
    "country",
    "name_zh",
    "type",
    "grid_region",
    "ownership",
    "operational_control",
]
DATA_HEADER = [
    "entity",
    "period",
    "metric",
    "value",
    "unit",
    "method",
    "source",
    "note",
    "dimensions",
]
CN_REGIONS = ["north", "northeast", "east", "central", "northwest", "south", "southwest"]
US_REGIONS = ["RFCW", "RFCE", "RFCM", "SRMW", "MROE"]
PLANT_KINDS = {  # kind -> the two production metrics it reports monthly (metric, unit, magnitude)
    "refinery": [
        ("production.alumina", "t", 80_000.0),
        ("production.recycled_aluminium", "t", 500.0),
    ],
    "smelter": [
        ("production.primary_aluminium", "t", 30_000.0),
        ("production.electricity_generated", "万千瓦时", 20_000.0),
    ],
    "rolling": [("production.rolled_products", "t", 15_000.0), ("production.foil", "t", 2_000.0)],
    "extrusion": [
        ("production.extrusions", "t", 8_000.0),
        ("production.recycled_aluminium", "t", 3_000.0),
    ],
}
# Monthly: every energy carrier, in the unit spellings subsidiaries use, with a magnitude per month.
ENERGY = [  # (metric, units to pick from, monthly magnitude in the first unit)
    ("energy.raw_coal", ["t", "吨"], 4_000.0),
    ("energy.washed_coal", ["t"], 300.0),
    ("energy.coke", ["t"], 200.0),
    ("energy.diesel", ["t", "吨"], 40.0),
    ("energy.gasoline", ["t"], 5.0),
    ("energy.fuel_oil", ["t"], 30.0),
    ("energy.lpg", ["t"], 10.0),
    ("energy.natural_gas", ["万立方米", "wan_m3"], 60.0),
    ("energy.electricity_purchased", ["MWh", "万千瓦时", "kWh"], 20_000.0),
    ("energy.steam_purchased", ["GJ"], 3_000.0),
]
MONTHLY_OTHER = [("water.withdrawal", ["m3"], 40_000.0)]
ANNUAL = [  # (metric, unit, annual magnitude)
    ("air.so2", "t", 50.0),
    ("air.nox", "t", 80.0),
    ("air.particulates", "t", 30.0),
    ("waste.hazardous", "t", 500.0),
    ("waste.non_hazardous", "t", 20_000.0),
    ("workforce.headcount", "person", 800.0),
    ("workforce.leavers", "person", 60.0),
    ("training.hours", "h", 30_000.0),
    ("safety.fatalities", "person", 0.0),
    ("safety.lost_time_injuries", "person", 2.0),
    ("safety.lost_days", "day", 60.0),
    ("safety.hours_worked", "h", 1_600_000.0),
    ("finance.revenue", "万元", 150_000.0),
]
TARGETS = {"import": 10.0, "calc": 5.0, "report": 5.0}
# About half of the social figures come broken down as well (HKEX B1.1, B1.2, B3.2): by gender and
# by age group, members adding up to the total.
BREAKDOWNS = {
    "workforce.headcount": {"gender": (0.35, 0.65), "age_band": (0.3, 0.5, 0.2)},
    "workforce.leavers": {"gender": (0.4, 0.6), "age_band": (0.5, 0.3, 0.2)},
    "training.hours": {"gender": (0.3, 0.7)},
}
MEMBERS = {"gender": ("female", "male"), "age_band": ("under_30", "30_to_50", "over_50")}
BROKEN_DOWN_SHARE = 0.5


@dataclass
class Figure:
    backend: str
    step: str
    seconds: float
    rows: int | None = None
    target: float | None = None
    note: str = ""
    cpu: float | None = None  # CPU seconds of this process (the database server's are not in it)

    @property
    def rate(self) -> str:
        return f"{self.rows / self.seconds:,.0f}" if self.rows and self.seconds else ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "[green]pass[/green]" if self.seconds <= self.target else "[red]FAIL[/red]"


# -- the generated group -----------------------------------------------------------------------


def build_group(entities: int, rng: random.Random) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Organisation rows, and the plants as (id, kind). Tree: group > companies > plants."""
    companies = max(1, round(entities / 20))
    plants = max(1, entities - 1 - companies)
    rows = [["grp", "Benchmark Group", "", "CN", "基准集团", "group", "north", "1", "true"]]
    for c in range(companies):
        rows.append(
            [
                f"co{c:02d}",
                f"Company {c}",
                "grp",
                "CN",
                f"公司{c}",
                "company",
                CN_REGIONS[c % len(CN_REGIONS)],
                "1",
                "true",
            ]
        )
    kinds = list(PLANT_KINDS)
    plant_list = []
    for p in range(plants):
        draw = rng.random()
        if draw < 0.85:
            country, region = "CN", CN_REGIONS[p % len(CN_REGIONS)]
        elif draw < 0.93:
            country, region = "ID", ""
        else:
            country, region = "US", US_REGIONS[p % len(US_REGIONS)]
        kind = kinds[p % len(kinds)]
        plant_id = f"pl{p:03d}"
        rows.append(
            [
                plant_id,
                f"Plant {p} ({kind})",
                f"co{p % companies:02d}",
                country,
                f"工厂{p}",
                "plant",
                region,
                "1",
                "true",
            ]
        )
        plant_list.append((plant_id, kind))
    return rows, plant_list


def build_data(
    plants: list[tuple[str, str]], companies: list[str], years: list[int], rng: random.Random
) -> list[list[str]]:
    rows: list[list[str]] = []
    for plant_id, kind in plants:
        scale = rng.uniform(0.3, 3.0)
        monthly = [(m, [u], v) for m, u, v in PLANT_KINDS[kind]] + ENERGY + MONTHLY_OTHER
        for year in years:
            growth = 1.02 ** (year - years[0])
            for metric, units, magnitude in monthly:
                unit = units[rng.randrange(len(units))]
                to_unit = {"万千瓦时": 0.1, "kWh": 1000.0}.get(unit, 1.0)
                for month in range(1, 13):
                    value = magnitude * scale * growth * rng.uniform(0.9, 1.1) * to_unit
                    rows.append(
                        [
                            plant_id,
                            f"{year}-{month:02d}",
                            metric,
                            f"{value:.2f}",
                            unit,
                            "measured",
                            f"{year} energy statistics report",
                            "",
                            "",
                        ]
                    )
            rows.extend(_annual_rows(plant_id, year, scale * growth, rng))
    for company_id in companies:  # company offices: annual figures only
        for year in years:
            rows.extend(_annual_rows(company_id, year, 0.1, rng))
    return rows


def _annual_rows(
    entity_id: str, year: int, scale: float, rng: random.Random
) -> Iterator[list[str]]:
    broken_down = rng.random() < BROKEN_DOWN_SHARE
    for metric, unit, magnitude in ANNUAL:
        value = round(magnitude * scale * rng.uniform(0.8, 1.2), 0 if unit == "person" else 2)
        source = f"{year} statistics"
        yield [entity_id, str(year), metric, f"{value:g}", unit, "measured", source, "", ""]
        for axis, shares in (BREAKDOWNS.get(metric, {}) if broken_down else {}).items():
            for member, part in _split(value, shares, whole=unit == "person"):
                dimensions = f"{axis}={MEMBERS[axis][member]}"
                row = [entity_id, str(year), metric, f"{part:g}", unit, "measured", source, ""]
                yield [*row, dimensions]


def _split(value: float, shares: tuple[float, ...], whole: bool) -> list[tuple[int, float]]:
    """``value`` in parts by ``shares``, adding up to it exactly (whole numbers for people)."""
    parts = [round(value * share, 0 if whole else 2) for share in shares[:-1]]
    parts.append(round(value - sum(parts), 0 if whole else 2))
    return list(enumerate(parts))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# -- timing helpers ---------------------------------------------------------------------------


@contextmanager
def timed(profile: bool, label: str) -> Iterator[list[float]]:
    """Yield a list that receives [wall seconds, CPU seconds of this process]; optionally profile
    the block with cProfile."""
    result = [0.0, 0.0]
    profiler = cProfile.Profile() if profile else None
    start, start_cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    try:
        yield result
    finally:
        if profiler:
            profiler.disable()
        result[0] = time.perf_counter() - start
        result[1] = time.process_time() - start_cpu
        if profiler:
            _print_profile(profiler, label, result[0])


def _print_profile(profiler: cProfile.Profile, label: str, total: float) -> None:
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    console.rule(f"profile: {label} ({total:.2f} s)")
    console.print(buffer.getvalue(), highlight=False, markup=False)


def baseline_sqlite(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """csv module + executemany of the raw rows into a bare SQLite table, one transaction."""
    start, start_cpu = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(db_path)
    connection.execute(
        "CREATE TABLE raw (entity TEXT, period TEXT, metric TEXT, value TEXT, "
        "unit TEXT, method TEXT, source TEXT, note TEXT, dimensions TEXT)"
    )
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        with connection:
            connection.executemany("INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", reader)
    connection.close()
    return time.perf_counter() - start, time.process_time() - start_cpu


def baseline_postgres(csv_path: Path, url: str) -> tuple[float, float]:
    """The same floor on PostgreSQL: csv module + executemany through the same driver."""
    engine = sa.create_engine(url)
    start, start_cpu = time.perf_counter(), time.process_time()
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE bench_raw (entity TEXT, period TEXT, metric TEXT, "
            "value TEXT, unit TEXT, method TEXT, source TEXT, note TEXT, dimensions TEXT)"
        )
        with csv_path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows = [tuple(row) for row in reader]
        connection.exec_driver_sql(
            "INSERT INTO bench_raw VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
        )
    elapsed = time.perf_counter() - start, time.process_time() - start_cpu
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE bench_raw")
    engine.dispose()
    return elapsed


# -- one backend ------------------------------------------------------------------------------


def run_backend(
    backend: str,
    url: str,
    org_csv: Path,
    data_csv: Path,
    rows: int,
    years: list[int],
    out_dir: Path,
    profile: bool,
    baseline: Callable[[], tuple[float, float]],
) -> list[Figure]:
    figures: list[Figure] = []
    with timed(False, "init") as t:
        ledger = create_ledger(url, out_dir / f"{backend}-files")
        ledger.import_organisation(org_csv)
    try:
        figures.append(
            Figure(
                backend,
                "init + organisation import",
                t[0],
                cpu=t[1],
                note=f"{len(ledger.entities())} entities",
            )
        )

        with timed(profile, f"{backend} import") as t:
            summary = ledger.import_data(data_csv)
        figures.append(
            Figure(
                backend,
                "data import",
                t[0],
                summary.created,
                TARGETS["import"],
                cpu=t[1],
                note=f"{summary.created:,} data points written",
            )
        )
        wall, cpu = baseline()
        figures.append(
            Figure(
                backend,
                "baseline: csv + executemany",
                wall,
                rows,
                cpu=cpu,
                note="bare table, raw text rows",
            )
        )

        calc_wall = calc_cpu = 0.0
        records = 0
        for year in years:
            with timed(profile, f"{backend} calc {year}") as t:
                calculated = ledger.calc(str(year))
            calc_wall, calc_cpu = calc_wall + t[0], calc_cpu + t[1]
            stored = lineage_records(ledger, calculated.run_id)  # not timed
            records += stored
            figures.append(
                Figure(
                    backend,
                    f"calc {year}",
                    t[0],
                    stored,
                    cpu=t[1],
                    note=f"{calculated.values:,} totals, {stored:,} lineage records",
                )
            )
        figures.append(
            Figure(
                backend,
                f"calc total ({len(years)} years)",
                calc_wall,
                records,
                TARGETS["calc"],
                cpu=calc_cpu,
            )
        )

        last = str(years[-1])
        try:
            from esgledger.report.build import build_report
        except ImportError:
            console.print("report: not available")
            figures.append(Figure(backend, f"report {last}", 0.0, note="not available"))
        else:
            with timed(profile, f"{backend} report") as t, ledger.db.reading() as connection:
                path = build_report(connection, ledger.catalogue, last, out_dir / backend, "en")
            figures.append(
                Figure(
                    backend,
                    f"report {last} (en)",
                    t[0],
                    target=TARGETS["report"],
                    cpu=t[1],
                    note=f"{path.stat().st_size / 1e6:.1f} MB HTML",
                )
            )

        with timed(profile, f"{backend} explain") as t:
            tree = ledger.explain("ghg.scope12_location", "grp", last)
        figures.append(
            Figure(
                backend,
                f"explain ghg.scope12_location@grp@{last}",
                t[0],
                len(tree["records"]),
                cpu=t[1],
                note="lineage records loaded",
            )
        )
    finally:
        ledger.db.dispose()
    return figures


def lineage_records(ledger: Ledger, run_id: int) -> int:
    """The lineage records stored with calculation run ``run_id`` (one ``calc_values`` row
    each)."""
    with ledger.db.reading() as connection:
        return connection.execute(
            sa.select(sa.func.count())
            .select_from(calc_values)
            .where(calc_values.c.run_id == run_id)
        ).scalar_one()


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A new database on the server of ``url``, dropped afterwards."""
    admin_url = sa.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"esgledger_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def combine(runs: list[list[Figure]]) -> list[Figure]:
    """The median of each step over the runs (with the range in the note), plus the import ratio."""
    combined: list[Figure] = []
    for index, first in enumerate(runs[0]):
        walls = sorted(run[index].seconds for run in runs)
        cpus = [run[index].cpu for run in runs]
        note = first.note
        if len(runs) > 1 and first.note != "not available":
            note = f"{note}; {walls[0]:.2f}-{walls[-1]:.2f} s over {len(runs)} runs".lstrip("; ")
        combined.append(
            Figure(
                first.backend,
                first.step,
                statistics.median(walls),
                first.rows,
                first.target,
                note,
                None if None in cpus else statistics.median(cpus),
            )
        )  # type: ignore[type-var]
        if first.step.startswith("baseline"):
            imported = next(
                f for f in combined if f.backend == first.backend and f.step == "data import"
            )
            ratio = imported.seconds / combined[-1].seconds
            cpu_ratio = (
                f", CPU {imported.cpu / combined[-1].cpu:.1f} x"
                if imported.cpu and combined[-1].cpu
                else ""
            )
            combined.append(
                Figure(
                    first.backend,
                    "ratio import / baseline",
                    ratio,
                    note=f"esgledger import: {ratio:.1f} x the baseline (wall){cpu_ratio}",
                )
            )
    return combined


def print_figures(figures: list[Figure]) -> None:
    table = Table(
        title="esgledger foundation benchmark (median wall seconds; cpu = this process only)"
    )
    for column, justify in [
        ("backend", "left"),
        ("step", "left"),
        ("seconds", "right"),
        ("cpu s", "right"),
        ("rows", "right"),
        ("rows/s", "right"),
        ("target", "right"),
        ("result", "left"),
        ("note", "left"),
    ]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for f in figures:
        is_ratio = f.step.startswith("ratio")
        table.add_row(
            f.backend,
            f.step,
            "" if is_ratio else f"{f.seconds:.3f}",
            f"{f.cpu:.3f}" if f.cpu is not None else "",
            f"{f.rows:,}" if f.rows else "",
            f.rate,
            f"<= {f.target:g} s" if f.target else "",
            f.verdict,
            f.note,
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--first-year", type=int, default=2022)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL at URL")
    parser.add_argument(
        "--sqlite",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run on SQLite (default; --no-sqlite with --postgres for PG only)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each esgledger step")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every step N times on fresh ledgers and report the median",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    years = list(range(args.first_year, args.first_year + args.years))
    work = Path(tempfile.mkdtemp(prefix="esgledger-bench-"))
    try:
        start = time.perf_counter()
        org_rows, plants = build_group(args.entities, rng)
        companies = [row[0] for row in org_rows if row[5] == "company"]
        data_rows = build_data(plants, companies, years, rng)
        org_csv = write_csv(work / "organisation.csv", ORG_HEADER, org_rows)
        data_csv = write_csv(work / "data.csv", DATA_HEADER, data_rows)
        monthly = sum(1 for row in data_rows if len(row[1]) == 7)
        console.print(
            f"generated {len(org_rows)} entities ({len(companies)} companies, "
            f"{len(plants)} plants) and {len(data_rows):,} data rows "
            f"({monthly:,} monthly) for {years[0]}-{years[-1]} in "
            f"{time.perf_counter() - start:.1f} s; files in {work}"
        )

        runs = []
        for attempt in range(args.repeat):
            db_dir = work / f"run{attempt}"
            db_dir.mkdir()
            figures = []
            if args.sqlite:
                figures += run_backend(
                    "sqlite",
                    f"sqlite:///{db_dir / 'bench.db'}",
                    org_csv,
                    data_csv,
                    len(data_rows),
                    years,
                    db_dir,
                    args.profile,
                    partial(baseline_sqlite, data_csv, db_dir / "raw.db"),
                )
            if args.postgres:
                with scratch_postgres(args.postgres) as url:
                    figures += run_backend(
                        "postgresql",
                        url,
                        org_csv,
                        data_csv,
                        len(data_rows),
                        years,
                        db_dir,
                        args.profile,
                        partial(baseline_postgres, data_csv, url),
                    )
            runs.append(figures)
        figures = combine(runs)
        print_figures(figures)
        failed = [f for f in figures if f.target is not None and f.seconds > f.target]
        return 1 if failed else 0
    finally:
        if args.keep:
            console.print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
