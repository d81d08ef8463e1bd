"""The full report: HTML, PDF and the XLSX data annex, English and Chinese.

    .venv/bin/python benchmarks/bench_report.py [--group N] [--out DIR] [--repeat N]

Without ``--group``: the demo ledger (``esgledger demo``, its own report steps not timed).
With ``--group 200``: the generated group of ``bench_foundation.py`` (200 entities, three years
of data, calculated), the same files.

Times the full report's build through the service operation every door calls
(``ReportContent.build``: every step printed), and in the same run a BASELINE: WeasyPrint alone
rendering the same printed documents one after the other (the floor of the PDF work, without
esgledger's reading, assembling, annex or its two PDF processes), with the ratio build / floor.
Prints the peak resident memory of the build, sampled every 20 ms from /proc: the building process
and its PDF workers together, and the largest single process. The ledger is prepared in a
process of its own first, so that the figures are the report's. Targets on the 2-core build
machine: the demo <= 10 s, the 200-entity group <= 60 s. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console

from esgledger.demo import REPORT_YEAR, run_demo
from esgledger.report.pdf import PdfWriters, write_pdf
from esgledger.services import Services

sys.path.insert(0, str(Path(__file__).parent))

TARGETS = {"demo": 10.0, "group": 60.0}
FORMATS = ("html", "pdf", "xlsx")


def demo_ledger(out: Path) -> tuple[Services, str]:
    run_demo(out, console=Console(file=io.StringIO()))
    return Services.open(f"sqlite:///{out / 'demo.db'}"), str(REPORT_YEAR)


def group_ledger(out: Path, entities: int, years: int) -> tuple[Services, str]:
    """The benchmark group of bench_foundation.py, imported and calculated (not timed)."""
    import bench_foundation as foundation
    from admin_ledger import create_ledger

    rng = random.Random(7)
    span = list(range(2022, 2022 + years))
    org_rows, plants = foundation.build_group(entities, rng)
    companies = [row[0] for row in org_rows if row[5] == "company"]
    data_rows = foundation.build_data(plants, companies, span, rng)
    org_csv = foundation.write_csv(out / "organisation.csv", foundation.ORG_HEADER, org_rows)
    data_csv = foundation.write_csv(out / "data.csv", foundation.DATA_HEADER, data_rows)
    ledger = create_ledger(f"sqlite:///{out / 'group.db'}", out / "files")
    ledger.import_organisation(org_csv)
    ledger.import_data(data_csv)
    for year in span:
        ledger.calc(str(year))
    print(f"group: {len(org_rows)} entities, {len(data_rows):,} data rows, {span[0]}-{span[-1]}")
    return ledger.services, str(span[-1])


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


class MemorySampler(threading.Thread):
    """The peak resident memory of this process and its children, sampled every 20 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak_total = self.peak_single = 0.0

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.02):
            sizes = [_rss_mb(pid) for pid in (me, *_children(me))]
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, *sizes)


def capture_printed_documents() -> list[tuple[str, Path]]:
    """Keep the documents the build hands to its PDF workers (for the baseline)."""
    captured: list[tuple[str, Path]] = []
    original = PdfWriters.submit

    def keeping(self: PdfWriters, html: str, path: Path) -> None:
        captured.append((html, path))
        original(self, html, path)

    PdfWriters.submit = keeping  # type: ignore[method-assign]
    return captured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", type=int, default=0, help="entities of a generated group")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    out.mkdir(parents=True, exist_ok=True)
    kind = "group" if args.group else "demo"
    if args.prepare_only:
        _services, year = (
            group_ledger(out, args.group, args.years) if args.group else demo_ledger(out)
        )
        (out / "year").write_text(year)
        return 0
    command = [sys.executable, __file__, "--prepare-only", "--out", str(out)]
    subprocess.run([*command, "--group", str(args.group), "--years", str(args.years)], check=True)
    database = out / ("group.db" if args.group else "demo.db")
    services, year = Services.open(f"sqlite:///{database}"), (out / "year").read_text()
    actor = services.accounts.command_line_actor(None, lambda _prompt: "")
    printed = capture_printed_documents()
    timings: list[float] = []
    sampler = MemorySampler()
    sampler.start()
    for _ in range(args.repeat):
        marks: list[tuple[str, float]] = []
        start = time.perf_counter()

        def progress(done: int, total: int, message: str) -> None:
            marks.append((message, time.perf_counter() - start))  # noqa: B023 - this run's

        built = services.report_content.build(
            actor, year, out / "bench", ("en", "zh"), FORMATS, progress
        )
        elapsed = time.perf_counter() - start
        previous = 0.0
        for message, at in marks:
            print(f"  {message:<48} {at - previous:6.2f} s")
            previous = at
        sizes = ", ".join(f"{f['file_name']} {f['size'] / 1024:,.0f} KB" for f in built["files"])
        print(f"full report (HTML + PDF + XLSX, en + zh): {elapsed:.2f} s; {sizes}")
        timings.append(elapsed)
    sampler.stop.set()
    sampler.join()
    floor_start = time.perf_counter()
    last_build = printed[-2:]  # the last build's English and Chinese documents
    for document, path in last_build:
        write_pdf(document, path.with_suffix(".floor.pdf"))
    floor = time.perf_counter() - floor_start
    median = statistics.median(timings)
    target = TARGETS[kind]
    print(
        f"{kind}: median {median:.2f} s of {len(timings)} (target <= {target:g} s: "
        f"{'met' if median <= target else 'MISSED'}); baseline (WeasyPrint alone, the same "
        f"{len(last_build)} printed documents in turn) {floor:.2f} s, ratio {median / floor:.2f}"
    )
    print(
        f"peak resident memory of the build: {sampler.peak_total:.0f} MB in all processes, "
        f"{sampler.peak_single:.0f} MB the largest one"
    )
    return 0 if median <= target else 1


if __name__ == "__main__":
    raise SystemExit(main())
