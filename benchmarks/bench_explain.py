"""Measure ``explain`` on the demo group: every stored group- and plant-level value of a year.

    .venv/bin/python benchmarks/bench_explain.py [--postgres URL] [--no-sqlite] [--repeat N]
        [--levels group,plant] [--keep DIR]

Builds the demo ledger (:func:`esgledger.demo.run_demo`: the Jinlan Aluminium Group, 2022-2024
imported, calculated and reported), then calls the service layer's ``explain`` as the demo's
admin (what ``esgledger explain`` calls: the value's lineage record and every record it depends
on, read from the ledger) for every stored value of the last demo year whose entity is of the
chosen types (default: the group and the plants), ``--repeat`` times each after one warm-up pass.
Each value's time is the median of its repeats; the count, p50, p95, p99 and maximum of those are
printed in milliseconds against the issue's target of 50 ms for any value, with the worst single
call, the slowest values and the size of their lineage trees.

``--postgres URL`` runs the same on PostgreSQL (a scratch database is created on that server and
dropped afterwards). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from admin_ledger import open_ledger
from rich.console import Console
from rich.table import Table

from esgledger.demo import run_demo
from esgledger.demo.generate import load_profile

TARGET_MS = 50.0
console = Console(width=None if sys.stdout.isatty() else 150)


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A new database on the server of ``url``, dropped afterwards."""
    admin_url = sa.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"esgledger_bench_explain_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(backend: str, url: str, out: Path, levels: set[str], repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    run_demo(out, db=url, console=Console(quiet=True))
    build_s = time.perf_counter() - started
    year = str(max(load_profile().years))
    ledger = open_ledger(url)  # the admin the demo acted as
    try:
        kinds = {entity.id: entity.type for entity in ledger.entities()}
        keys = sorted(
            (metric, entity)
            for (entity, metric) in ledger.stored_values(year)
            if kinds.get(entity) in levels
        )
        for metric, entity in keys:  # warm-up: connections, catalogue, page cache
            ledger.explain(metric, entity, year)
        samples: dict[tuple[str, str], list[float]] = {key: [] for key in keys}
        sizes: dict[tuple[str, str], int] = {}
        for _ in range(repeat):
            for metric, entity in keys:
                t0 = time.perf_counter()
                result = ledger.explain(metric, entity, year)
                samples[(metric, entity)].append((time.perf_counter() - t0) * 1000)
                sizes[(metric, entity)] = len(result["records"])
    finally:
        ledger.db.dispose()
    # per value, the median of its repeats (robust to a scheduler hiccup); the worst single call too
    timings = {key: statistics.median(found) for key, found in samples.items()}
    values = list(timings.values())
    slowest = sorted(timings.items(), key=lambda item: item[1], reverse=True)[:8]
    return {
        "backend": backend,
        "build_s": build_s,
        "year": year,
        "count": len(values),
        "entities": len({entity for _m, entity in keys}),
        "p50": statistics.median(values),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values),
        "worst_call": max(max(found) for found in samples.values()),
        "over": sum(1 for v in values if v > TARGET_MS),
        "slowest": [(f"{m}@{e}", ms, sizes[(m, e)]) for (m, e), ms in slowest],
    }


def report(result: dict[str, Any]) -> None:
    table = Table(
        title=f"explain on the demo group, {result['backend']}: "
        f"{result['count']} values of {result['entities']} entities, "
        f"{result['year']} (median of the repeats per value; demo built in "
        f"{result['build_s']:.1f} s)"
    )
    for column in (
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "worst single call ms",
        "target ms",
        "values > target",
        "verdict",
    ):
        table.add_column(column, justify="right")
    verdict = "[green]met[/green]" if result["max"] <= TARGET_MS else "[red]missed[/red]"
    table.add_row(
        f"{result['p50']:.1f}",
        f"{result['p95']:.1f}",
        f"{result['p99']:.1f}",
        f"{result['max']:.1f}",
        f"{result['worst_call']:.1f}",
        f"{TARGET_MS:.0f}",
        str(result["over"]),
        verdict,
    )
    console.print(table)
    slow = Table(title="slowest values")
    slow.add_column("value")
    slow.add_column("ms", justify="right")
    slow.add_column("lineage records", justify="right")
    for key, ms, size in result["slowest"]:
        slow.add_row(key, f"{ms:.1f}", str(size))
    console.print(slow)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL at URL")
    parser.add_argument(
        "--no-sqlite", dest="sqlite", action="store_false", help="skip SQLite (with --postgres)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over every value")
    parser.add_argument(
        "--levels",
        default="group,plant",
        help="entity types whose values are explained (group,company,branch,plant)",
    )
    parser.add_argument("--keep", type=Path, help="build the demo in DIR and keep it")
    args = parser.parse_args(argv)
    levels = set(args.levels.split(","))
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        if args.sqlite:
            out = base / "sqlite"
            out.mkdir(parents=True, exist_ok=True)
            path = out / "bench.db"
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            results.append(measure("sqlite", f"sqlite:///{path}", out, levels, args.repeat))
            report(results[-1])
        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                out = base / "postgresql"
                out.mkdir(parents=True, exist_ok=True)
                results.append(measure("postgresql", url, out, levels, args.repeat))
                report(results[-1])
    return 0 if all(r["max"] <= TARGET_MS for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
