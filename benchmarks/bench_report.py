"""The demo's full report: HTML and PDF, English and Chinese, built from the demo ledger.

    .venv/bin/python benchmarks/bench_report.py [--out DIR] [--repeat N]

Builds the demo ledger once (``esgledger demo`` without its report steps timed), then times the
full report's build through the service operation every door calls (ReportContent.build) and
prints the time of each step (context, HTML, PDF per language) and the process's peak resident
memory (ru_maxrss). Target: <= 10 s on the 2-core build machine.
"""

from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
from pathlib import Path

from rich.console import Console

from esgledger.demo import REPORT_YEAR, run_demo
from esgledger.services import Services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    run_demo(out, console=Console(file=io.StringIO()))
    services = Services.open(f"sqlite:///{out / 'demo.db'}")
    actor = services.accounts.command_line_actor(None, lambda _prompt: "")
    best = None
    for _ in range(args.repeat):
        marks: list[tuple[str, float]] = []
        start = time.perf_counter()

        def progress(done: int, total: int, message: str) -> None:
            marks.append((message, time.perf_counter() - start))  # noqa: B023 - this run's

        built = services.report_content.build(
            actor, REPORT_YEAR, out / "bench", ("en", "zh"), ("html", "pdf"), progress
        )
        elapsed = time.perf_counter() - start
        previous = 0.0
        for message, at in marks:
            print(f"  {message:<48} {at - previous:6.2f} s")
            previous = at
        print(f"full report (HTML + PDF, en + zh): {elapsed:.2f} s, {len(built['files'])} files")
        best = elapsed if best is None else min(best, elapsed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"best {best:.2f} s (target <= 10 s); peak resident memory {peak:.0f} MB "
        f"(largest PDF worker {children:.0f} MB)"
    )


if __name__ == "__main__":
    main()
