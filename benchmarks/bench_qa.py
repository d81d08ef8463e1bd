"""The quality checks on the generated group of ``bench_foundation.py`` (200 entities, three
years, about 100 000 data points, every year calculated).

    .venv/bin/python benchmarks/bench_qa.py [--entities 200] [--years 3] [--reported FILE]

Times :meth:`esgledger.services.qa.QA.check` of each year (the year's and the year before's data
points, run values and targets, every rule) through the service operation every door calls.
Target (issue 12): the checks of the group over three years in <= 10 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from admin_ledger import create_ledger
from bench_foundation import DATA_HEADER, ORG_HEADER, build_data, build_group, write_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--reported", type=Path, help="report tables checked with the last year")
    args = parser.parse_args(argv)
    years = [str(y) for y in range(2022, 2022 + args.years)]
    with tempfile.TemporaryDirectory(prefix="esgledger-bench-qa-") as folder:
        work = Path(folder)
        rng = random.Random(7)
        org_rows, plants = build_group(args.entities, rng)
        companies = [row[0] for row in org_rows if row[5] == "company"]
        ledger = create_ledger(f"sqlite:///{work / 'qa.db'}", work / "files")
        ledger.import_organisation(write_csv(work / "organisation.csv", ORG_HEADER, org_rows))
        ledger.import_data(
            write_csv(
                work / "data.csv",
                DATA_HEADER,
                build_data(plants, companies, [int(y) for y in years], rng),
            )
        )
        for year in years:
            ledger.calc(year)
        services, admin = ledger.services, ledger.admin
        tables = services.qa.read_reported(admin, args.reported) if args.reported else None
        total = 0.0
        for year in years:
            start = time.perf_counter()
            result = services.qa.check(admin, year, tables if year == years[-1] else None)
            seconds = time.perf_counter() - start
            total += seconds
            print(
                f"{year}: {result.facts:,} figures, {len(result.rules)} rules, "
                f"{result.counts['error']} errors, {result.counts['warning']} warnings: {seconds:.2f} s"
            )
        print(f"checks of {len(years)} years: {total:.2f} s (target <= 10 s)")
        ledger.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
