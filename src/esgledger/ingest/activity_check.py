"""Check an activity file in DuckDB before anything is stored (issue 3, item 8 and "Bad input").

Columns ``entity, ts, metric, quantity, unit``. Every problem names the record (row: Parquet
records count from 1, CSV rows as a spreadsheet numbers them, header row 1) and the field: a
missing column, an unknown entity or metric, a unit unknown or of the wrong dimension for the
metric, an empty or negative quantity, a timestamp that is empty or outside the period. A problem
shared by many records is reported once per value (unknown entity, metric or unit, with the count
and the first row) or with its first rows and a count of the rest. The file is scanned a few times
in SQL; nothing is loaded into Python but the distinct (entity, metric, unit) combinations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from esgledger.domain import Period
from esgledger.errors import InputIssue, InputRejected
from esgledger.ingest.activity_files import (
    COLUMNS,
    ROW_COLUMN,
    SUFFIXES,
    connect,
    literal,
    read_csv_text,
    sha256_of,
)
from esgledger.ingest.values import magnitude_problem
from esgledger.units import UnitError, conversion_factor, spelling

SHOWN = 10  # records listed one by one per kind of problem; the rest are counted
_TEXT = ("VARCHAR",)
_TIME = ("TIMESTAMP", "DATE")
_NUMBER = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check."""

    path: Path
    sha256: str
    records: int
    first: dt.datetime
    last: dt.datetime


def check_file(
    path: Path, period: Period, entity_names: set[str], metric_units: dict[str, str]
) -> CheckedFile:
    """Check ``path``; raise :class:`InputRejected` with every problem found."""
    name = str(path)
    if not path.is_file():
        raise InputRejected([InputIssue(name, None, "file", "missing file", "an existing file")])
    if path.suffix.lower() not in SUFFIXES:
        found = f"a {path.suffix or 'suffix-less'} file"
        raise InputRejected([InputIssue(name, None, "file", found, "a .parquet or .csv file")])
    connection = connect()
    try:
        columns = _open(connection, path)
        _check_columns(name, columns)
        return _check_records(connection, path, period, entity_names, metric_units)
    finally:
        connection.close()


def _open(connection: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """Create the view ``raw(__row, <file columns>)``; return its column types."""
    try:
        if path.suffix.lower() == ".csv":
            table = read_csv_text(path, with_rows=True)
            connection.register("csv_file", table)
            connection.execute("CREATE VIEW raw AS SELECT * FROM csv_file")
        else:
            connection.execute(
                f"CREATE VIEW raw AS SELECT file_row_number + 1 AS {ROW_COLUMN}, * "
                f"EXCLUDE (file_row_number) FROM read_parquet({literal(path)}, "
                "file_row_number = true)"
            )
        described = connection.execute("DESCRIBE raw").fetchall()
    except (duckdb.Error, OSError, ValueError) as exc:  # pyarrow's errors are ValueErrors
        kind = "CSV" if path.suffix.lower() == ".csv" else "Parquet"
        raise InputRejected(
            [InputIssue(str(path), None, "file", f"an unreadable file ({exc})", f"a {kind} file")]
        ) from exc
    return {row[0]: str(row[1]) for row in described if row[0] != ROW_COLUMN}


def _check_columns(name: str, columns: dict[str, str]) -> None:
    have = ", ".join(columns) or "none"
    issues = [
        InputIssue(
            name,
            None,
            column,
            "no such column",
            f"a column named {column!r} (the file has: {have})",
        )
        for column in COLUMNS
        if column not in columns
    ]
    kinds = {
        "entity": _TEXT,
        "metric": _TEXT,
        "unit": _TEXT,
        "ts": _TEXT + _TIME,
        "quantity": _TEXT + _NUMBER,
    }
    expected = {
        "entity": "a text column",
        "metric": "a text column",
        "unit": "a text column",
        "ts": "a timestamp, date or text column",
        "quantity": "a number or text column",
    }
    for column, allowed in kinds.items():
        found = columns.get(column)
        if found is not None and not found.startswith(allowed):
            issues.append(
                InputIssue(name, None, column, f"a column of type {found}", expected[column])
            )
    if issues:
        raise InputRejected(issues)


def _check_records(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    period: Period,
    entity_names: set[str],
    metric_units: dict[str, str],
) -> CheckedFile:
    name = str(path)
    start = dt.datetime.combine(period.start, dt.time())
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    connection.execute(
        f"CREATE VIEW src AS SELECT {ROW_COLUMN} AS row_no, entity, metric, unit, "
        "CAST(ts AS VARCHAR) AS ts_text, TRY_CAST(ts AS TIMESTAMP) AS t, "
        "CAST(quantity AS VARCHAR) AS q_text, TRY_CAST(quantity AS DOUBLE) AS q FROM raw"
    )
    within = f"the period {period} ({period.start} to {period.end})"
    problems = [
        ("ts", "ts_text IS NULL", "ts_text", "a timestamp within " + within, True),
        (
            "ts",
            "ts_text IS NOT NULL AND t IS NULL",
            "ts_text",
            "a timestamp such as 2024-03-01 13:00:00",
            False,
        ),
        ("ts", "t < $start OR t >= $end", "ts_text", "a timestamp within " + within, False),
        ("quantity", "q_text IS NULL", "q_text", "a quantity of zero or more", True),
        (
            "quantity",
            "q_text IS NOT NULL AND (q IS NULL OR isnan(q) OR isinf(q))",
            "q_text",
            "a finite number such as 1234.5",
            False,
        ),
        ("quantity", "q < 0", "q_text", "a quantity of zero or more", False),
    ]
    counts = connection.execute(
        "SELECT count(*), min(t), max(t), "
        + ", ".join(f"count(*) FILTER (WHERE {condition})" for _f, condition, *_ in problems)
        + " FROM src",
        {"start": start, "end": end},
    ).fetchone()
    assert counts is not None
    total, first, last, *found = counts
    issues: list[InputIssue] = []
    if total == 0:
        issues.append(InputIssue(name, None, "file", "no records", "at least one activity record"))
    for (field, condition, shown, expected, empty), count in zip(problems, found, strict=True):
        if count:
            issues.extend(
                _listed(
                    connection,
                    name,
                    field,
                    condition,
                    shown,
                    expected,
                    empty,
                    count,
                    {"start": start, "end": end},
                )
            )
    issues.extend(_categories(connection, name, entity_names, metric_units))
    if issues:
        raise InputRejected(sorted(issues, key=lambda i: (i.row is None, i.row or 0, i.field)))
    return CheckedFile(path, sha256_of(path), int(total), first, last)


def _listed(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    field: str,
    condition: str,
    shown: str,
    expected: str,
    empty: bool,
    count: int,
    bounds: dict[str, dt.datetime],
) -> list[InputIssue]:
    """The first records with one problem, then a count of the rest."""
    used = {k: v for k, v in bounds.items() if f"${k}" in condition}
    rows = connection.execute(
        f"SELECT row_no, {shown} FROM src WHERE {condition} ORDER BY row_no LIMIT {SHOWN}", used
    ).fetchall()
    issues = [
        InputIssue(name, int(row), field, "an empty cell" if empty else str(value), expected)
        for row, value in rows
    ]
    if count > len(rows):
        issues.append(
            InputIssue(
                name,
                None,
                field,
                f"{count - len(rows):,} more records like these ({count:,} in all)",
                expected,
            )
        )
    return issues


def _categories(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    entity_names: set[str],
    metric_units: dict[str, str],
) -> list[InputIssue]:
    """Unknown entities and metrics, and units that do not fit the metric: once per value; the
    largest quantity of each metric and unit when it is out of bounds in the metric's unit."""
    finite = "q IS NOT NULL AND NOT isnan(q) AND NOT isinf(q)"
    combinations = connection.execute(
        "SELECT entity, metric, unit, count(*), min(row_no), "
        f"max(abs(q)) FILTER (WHERE {finite}), arg_max(row_no, abs(q)) FILTER (WHERE {finite}), "
        f"arg_max(q_text, abs(q)) FILTER (WHERE {finite}) "
        "FROM src GROUP BY entity, metric, unit"
    ).fetchall()
    largest: list[InputIssue] = []
    bad: dict[tuple[str, str, str], list[int]] = {}  # (field, value, expected) -> [count, row]

    def note(field: str, value: str | None, expected: str, count: int, row: int) -> None:
        entry = bad.setdefault(
            (field, "an empty cell" if value is None else value, expected), [0, row]
        )
        entry[0] += count
        entry[1] = min(entry[1], row)

    for entity, metric, unit, count, row, top, top_row, top_text in combinations:
        if entity not in entity_names:
            note("entity", entity, "the id or alias of an entity in the organisation", count, row)
        if metric not in metric_units:
            note(
                "metric",
                metric,
                "an activity metric: one of " + ", ".join(sorted(metric_units)),
                count,
                row,
            )
            continue
        if unit is None:
            note("unit", None, f"a unit of {metric} (e.g. {metric_units[metric]})", count, row)
            continue
        try:
            factor = conversion_factor(unit, metric_units[metric])
        except UnitError as exc:
            note(
                "unit",
                unit,
                f"a unit convertible to {spelling(metric_units[metric])} for {metric} ({exc})",
                count,
                row,
            )
            continue
        unit_shown = spelling(metric_units[metric])
        too_large = None if top is None else magnitude_problem(top * factor, unit_shown)
        if too_large is not None:
            expected = f"{too_large} for {metric}"
            largest.append(InputIssue(name, int(top_row), "quantity", str(top_text), expected))
    return largest + [
        InputIssue(
            name,
            row,
            field,
            value,
            f"{expected} [{count:,} record{'s' if count != 1 else ''} with this value, "
            f"first at row {row}]",
        )
        for (field, value, expected), (count, row) in bad.items()
    ]
