"""Measure how fast hostile or oversized inputs are refused, and what the checks cost a real file.

    .venv/bin/python benchmarks/bench_input_limits.py [--bomb-gib 3] [--rows 100000] [--keep DIR]

- a zip bomb: an XLSX of a few megabytes whose sheet expands to ``--bomb-gib`` GiB (the issue's
  case: 5.6 MB expanding past 3 GB was still parsing after 7 minutes), refused by ``read_table``;
- a sheet with one cell at XFD1048576 (calamine would allocate 17 billion cells);
- a real workbook of ``--rows`` data rows by 8 columns: ``check_workbook`` alone and the whole
  ``read_table``, to show what the limits cost a file that passes them;
- a JSON body of 17 MB sent to ``/api/v1/auth/token`` (refused by the body limit, before parsing).

Times are the median of 3 runs. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from esgledger.errors import InputRejected
from esgledger.ingest.tables import read_table
from esgledger.ingest.workbook_limits import check_workbook

SHEET = "xl/worksheets/sheet1.xml"


def median_seconds(action: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def refused(path: Path) -> Callable[[], str]:
    def attempt() -> str:
        try:
            read_table(path)
        except InputRejected as rejected:
            return rejected.issues[0].found
        raise AssertionError(f"{path.name} was read")

    return attempt


def small_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["entity", "period", "metric", "value", "unit"])
    book.save(path)
    return path


def bomb(directory: Path, gib: float) -> Path:
    """A workbook whose sheet is ``gib`` GiB of repeated empty rows, written in a stream."""
    path = small_workbook(directory / "bomb.xlsx")
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist() if i.filename != SHEET}
    chunk = b"<row/>" * (1024 * 1024 // 6)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in parts.items():
            target.writestr(name, data)
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/')
            sheet.write(b'2006/main"><sheetData>')
            for _ in range(int(gib * 1024)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def far_cell(directory: Path) -> Path:
    path = small_workbook(directory / "far.xlsx")
    book = openpyxl.load_workbook(path)
    book["Data"]["XFD1048576"] = "x"
    book.save(path)
    return path


def real_workbook(directory: Path, rows: int) -> Path:
    path = directory / "real.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(["entity", "period", "metric", "value", "unit", "method", "source", "note"])
    for n in range(rows):
        sheet.append(
            ["smelter", "2024", f"energy.m{n % 50}", n * 1.5, "t", "measured", "weighbridge", ""]
        )
    book.save(path)
    return path


def body_limit_seconds() -> float:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from esgledger.api.limits import Guard

    app = FastAPI()

    @app.post("/echo")
    async def echo(body: dict[str, int]) -> int:
        return len(body)

    app.add_middleware(Guard, max_upload=20 * 1024 * 1024)
    payload = b"{" + b",".join(b'"k%07d": 1' % n for n in range(1_300_000)) + b"}"
    with TestClient(app) as client:
        return median_seconds(
            lambda: client.post(
                "/echo", content=payload, headers={"content-type": "application/json"}
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-gib", type=float, default=3.0)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        hostile = bomb(directory, args.bomb_gib)
        made = time.perf_counter() - started
        size = hostile.stat().st_size
        print(
            f"zip bomb: {size / 1e6:.1f} MB expanding to {args.bomb_gib} GiB (made in {made:.0f} s)"
        )
        print(
            f"  refused in {median_seconds(refused(hostile)) * 1000:.1f} ms: {refused(hostile)()}"
        )
        distant = far_cell(directory)
        print(f"far cell: refused in {median_seconds(refused(distant)) * 1000:.1f} ms")
        real = real_workbook(directory, args.rows)
        check = median_seconds(lambda: check_workbook(real))
        whole = median_seconds(lambda: read_table(real))
        print(
            f"real workbook, {args.rows:,} rows x 8 columns ({real.stat().st_size / 1e6:.1f} MB): "
            f"limits checked in {check:.2f} s, read_table {whole:.2f} s in all"
        )
    print(f"17 MB JSON body: refused in {body_limit_seconds() * 1000:.1f} ms")


if __name__ == "__main__":
    main()
