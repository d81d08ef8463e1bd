"""Benchmark backup and restore on the generated group of ``bench_foundation.py``.

    .venv/bin/python benchmarks/bench_backup.py [--entities 200] [--years 3] [--postgres URL]

Builds the group (about 100 000 data points for 200 entities and three years), calculates the
last year, then times ``esgledger backup`` (through :func:`esgledger.ledger.backups.back_up`, what
the command calls) and ``esgledger restore`` into a new ledger of the same backend, and, with
``--postgres``, across backends both ways. Prints rows, archive size and seconds. Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import tempfile
import time
from pathlib import Path

from admin_ledger import create_ledger
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

from esgledger.ledger.backups import back_up, restore_backup
from esgledger.store import open_database
from esgledger.store.locations import LedgerFiles

console = Console(width=None if sys.stdout.isatty() else 150)


def files_in(folder: Path) -> LedgerFiles:
    return LedgerFiles(folder / "evidence", folder / "reports", folder / "activity")


def build(url: str, work: Path, backend: str, entities: int, years: list[int]) -> str:
    """Set the ledger at ``url`` up as its first admin, whose name is returned."""
    rng = random.Random(7)
    org_rows, plants = build_group(entities, rng)
    companies = [row[0] for row in org_rows if row[5] == "company"]
    ledger = create_ledger(url, work / f"{backend}-files")
    ledger.import_organisation(write_csv(work / "organisation.csv", ORG_HEADER, org_rows))
    data = build_data(plants, companies, years, rng)
    ledger.import_data(write_csv(work / "data.csv", DATA_HEADER, data))
    ledger.calc(str(years[-1]))
    ledger.db.dispose()
    return ledger.admin_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL at URL")
    args = parser.parse_args(argv)
    years = list(range(2022, 2022 + args.years))
    table = Table("step", "rows", "archive", "seconds")
    with tempfile.TemporaryDirectory(prefix="esgledger-bench-backup-") as folder:
        work = Path(folder)
        sources = {"sqlite": f"sqlite:///{work / 'source.db'}"}
        with contextlib.ExitStack() as stack:
            if args.postgres:
                sources["postgresql"] = stack.enter_context(scratch_postgres(args.postgres))
            for backend, url in sources.items():
                admin = build(url, work, backend, args.entities, years)
                archive = work / f"{backend}.tar.gz"
                database = open_database(url)
                start = time.perf_counter()
                manifest = back_up(database, archive, admin, files_in(work / f"{backend}-files"))
                seconds = time.perf_counter() - start
                database.dispose()
                rows = sum(manifest.tables.values())
                size = f"{archive.stat().st_size / 1e6:.1f} MB"
                table.add_row(f"backup {backend}", f"{rows:,}", size, f"{seconds:.2f}")
            for source in sources:
                for target in sources:
                    _restore(table, work, source, target, args.postgres)
    console.print(table)
    return 0


def _restore(table: Table, work: Path, source: str, target: str, postgres: str | None) -> None:
    archive = work / f"{source}.tar.gz"
    folder = work / f"{source}-to-{target}"
    folder.mkdir()
    if target == "sqlite":
        _timed_restore(
            table, f"sqlite:///{folder / 'restored.db'}", archive, folder, source, target
        )
        return
    assert postgres is not None
    with scratch_postgres(postgres) as url:
        _timed_restore(table, url, archive, folder, source, target)


def _timed_restore(
    table: Table, url: str, archive: Path, folder: Path, source: str, target: str
) -> None:
    database = open_database(url)
    start = time.perf_counter()
    restored = restore_backup(database, archive, files_in(folder))
    seconds = time.perf_counter() - start
    database.dispose()
    rows = f"{sum(restored.rows.values()):,}"
    table.add_row(f"restore {source} -> {target}", rows, "", f"{seconds:.2f}")


if __name__ == "__main__":
    sys.exit(main())
