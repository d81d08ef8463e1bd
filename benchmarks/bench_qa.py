"""Benchmark the quality checks (issue 12) on the generated 200-entity group over three years.

    .venv/bin/python benchmarks/bench_qa.py [--entities 200] [--years 3] [--postgres URL]
        [--reported FILE] [--profile]

Builds the group of ``bench_foundation`` (group > companies > plants; monthly energy, production
and water, annual waste, social and finance figures: about 100 000 data points for 200 entities
and three years) on a fresh ledger, imports it and calculates every year (set-up, printed, not
the target). Then, through the service layer (``QA.check``, what ``esgledger check`` calls):

1. the checks of each year on the ledger (each year's run reads that year and the year before:
   data points, the current calculation run, targets, sections), and their total over the years
   target <= 10 s in total;
2. the same with the report's tables handed in: every company's and the group's figures of every
   year as a report prints them (rounded to two decimals, the derived figures among them), so
   that recomputation, bounds, change and identity read report figures too.

The number of figures read, of rules and of findings (by rule) is printed with the times; a
consistent generated ledger should give few findings: the benchmark also shows the checks' false
alarms on data that holds together (the generated monthly values move year on year within 10 %).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from admin_ledger import Ledger, create_ledger
from bench_foundation import (
    DATA_HEADER,
    ORG_HEADER,
    build_data,
    build_group,
    scratch_postgres,
    write_csv,
)
from rich.console import Console
from rich.table import Table

from esgledger.ingest.report_tables import ReportedTables
from esgledger.ledger.runs import period_values
from esgledger.qa.facts import Fact
from esgledger.services.qa import CheckResult

console = Console(width=None if sys.stdout.isatty() else 150)
TARGET = 10.0  # seconds for the checks of every year
REPORTED_METRICS = (  # what a report's KPI tables print for the group and each company
    "energy.raw_coal", "energy.electricity_purchased", "energy.natural_gas", "energy.total_tce",
    "energy.intensity_revenue", "ghg.scope1", "ghg.scope2_location", "ghg.scope12_location",
    "ghg.intensity_revenue", "water.withdrawal", "water.intensity_revenue", "waste.hazardous",
    "waste.non_hazardous", "waste.total", "workforce.headcount", "workforce.leavers",
    "workforce.turnover_rate", "training.hours", "training.average_hours",
    "safety.lost_time_injuries", "safety.hours_worked", "safety.ltifr", "finance.revenue",
)  # fmt: skip


def set_up(url: str, entities: int, years: list[int], folder: Path) -> Ledger:
    """A ledger holding the generated group, imported and calculated."""
    rng = random.Random(20240501)
    org_rows, plants = build_group(entities, rng)
    companies = [r[0] for r in org_rows if r[5] == "company"]
    data_rows = build_data(plants, companies, years, rng)
    org_csv = write_csv(folder / "organisation.csv", ORG_HEADER, org_rows)
    data_csv = write_csv(folder / "data.csv", DATA_HEADER, data_rows)
    started = time.perf_counter()
    ledger = create_ledger(url, folder / "files")
    ledger.import_organisation(org_csv)
    written = ledger.import_data(data_csv)
    for year in years:
        ledger.calc(str(year))
    console.print(
        f"set-up: {entities} entities, {written.created:,} data points, {len(years)} runs "
        f"in {time.perf_counter() - started:.1f} s (not timed against the target)"
    )
    return ledger


def report_tables(ledger: Ledger, years: list[int]) -> ReportedTables:
    """The group's and the companies' figures of ``years`` as a report's tables print them,
    from the calculation runs (rounded to two decimals)."""
    facts: list[Fact] = []
    entities = [e.id for e in ledger.entities() if e.type in ("group", "company")]
    with ledger.db.reading() as connection:
        for year in years:
            stored = period_values(connection, str(year))
            for (entity, metric), (value, unit) in stored.items():
                if entity not in entities or metric not in REPORTED_METRICS:
                    continue
                text = f"{value:,.2f}"
                facts.append(
                    Fact(
                        origin="reported_table",
                        metric_key=metric,
                        entity_id=entity,
                        period=str(year),
                        value=round(value, 2),
                        unit=unit,
                        location=f"report table 'KPI', row {metric!r}",
                        value_as_written=round(value, 2),
                        unit_as_written=unit,
                        text_as_written=text,
                        table=f"KPI {metric.split('.')[0]}",
                        row_label=metric,
                        entity_as_written=entity,
                    )
                )
    digest = hashlib.sha256(repr(facts).encode()).hexdigest()
    return ReportedTables("generated-report.csv", digest, tuple(facts))


def timed_checks(
    ledger: Ledger, years: list[int], reported: ReportedTables | None, profile: bool
) -> tuple[float, list[CheckResult]]:
    results = []
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for year in years:
        results.append(ledger.services.qa.check(ledger.admin, str(year), reported))
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return time.perf_counter() - started, results


def show(label: str, seconds: float, results: list[CheckResult], years: list[int]) -> None:
    table = Table(title=f"{label}: {seconds:.2f} s for {len(years)} years (target {TARGET:.0f} s)")
    for column in ("period", "figures", "rules", "errors", "warnings", "findings by rule"):
        table.add_column(column)
    for year, result in zip(years, results, strict=True):
        by_rule = Counter(f.rule for f in result.findings)
        table.add_row(
            str(year),
            f"{result.facts:,}",
            str(len(result.rules)),
            str(result.counts["error"]),
            str(result.counts["warning"]),
            ", ".join(f"{rule} {n}" for rule, n in by_rule.most_common()) or "-",
        )
    console.print(table)
    verdict = "[green]pass[/green]" if seconds <= TARGET else "[red]FAIL[/red]"
    console.print(f"{label}: {seconds:.2f} s, {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL")
    parser.add_argument("--reported", type=Path, help="a report-tables file (CSV or XLSX)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    years = list(range(2024 - args.years + 1, 2025))
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                return _run(url, args, years, Path(folder))
        return _run(f"sqlite:///{Path(folder) / 'bench.db'}", args, years, Path(folder))


def _run(url: str, args: argparse.Namespace, years: list[int], folder: Path) -> int:
    ledger = set_up(url, args.entities, years, folder)
    try:
        seconds, results = timed_checks(ledger, years, None, args.profile)
        show("checks on the ledger", seconds, results, years)
        reported = (
            ledger.services.qa.read_reported(ledger.admin, args.reported)
            if args.reported
            else report_tables(ledger, years)
        )
        with_tables, results = timed_checks(ledger, years, reported, args.profile)
        console.print(f"report tables: {len(reported.facts):,} figures")
        show("checks on the ledger and the report's tables", with_tables, results, years)
        return 0 if max(seconds, with_tables) <= TARGET else 1
    finally:
        ledger.db.dispose()


if __name__ == "__main__":
    sys.exit(main())
