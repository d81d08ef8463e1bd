"""What the governance, policy and topic services share: a refused field as the error the doors
show, files of records read all or nothing (CSV, XLSX or YAML; every bad row named), and records
written back as CSV or XLSX that the import reads again."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook

from esgledger.assess.governance import FieldError
from esgledger.errors import InputIssue, InputRejected, RuleFileError
from esgledger.ingest.tables import read_table
from esgledger.rulefiles import read_rule_file
from esgledger.service_errors import Invalid
from esgledger.spreadsheet_text import csv_cell, keep_text

T = TypeVar("T")
FORMATS = ("csv", "xlsx")


@contextmanager
def refused_as_invalid() -> Iterator[None]:
    """A :class:`FieldError` of the checks becomes :class:`Invalid` naming the field."""
    try:
        yield
    except FieldError as exc:
        raise Invalid(exc.message, field=exc.field) from exc


def read_rows(path: Path, name: str, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The records of a CSV or XLSX file (row numbers as a spreadsheet shows them), or of a YAML
    file ``{key: [record, ...]}`` or ``{key: {id: record}}`` (numbered from 1)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            content, _sha = read_rule_file(path)
        except RuleFileError as exc:
            raise Invalid(str(exc).replace(str(path), name), field="file") from exc
        entries = content.get(key) if isinstance(content, Mapping) else None
        if isinstance(entries, Mapping):
            entries = [{"id": k, **(v or {})} for k, v in entries.items()]
        if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
            raise Invalid(f"{name}: expected a list of records under {key!r}", field="file")
        return [(number, dict(entry)) for number, entry in enumerate(entries, start=1)]
    try:
        table = read_table(path)
    except InputRejected as rejected:
        issues = [_renamed(issue, name) for issue in rejected.issues]
        raise InputRejected(issues) from rejected
    return [(row, dict(cells)) for row, cells in table]


def _renamed(issue: InputIssue, name: str) -> InputIssue:
    return InputIssue(name, issue.row, issue.field, issue.found, issue.expected, issue.cell)


def parse_all(
    name: str, rows: Sequence[tuple[int, dict[str, Any]]], parse: Callable[[dict[str, Any]], T]
) -> list[T]:
    """Every row parsed, or :class:`InputRejected` naming every bad row and field (nothing is
    written: the caller writes only what this returns)."""
    parsed: list[T] = []
    issues: list[InputIssue] = []
    for number, cells in rows:
        try:
            parsed.append(parse(cells))
        except FieldError as exc:
            found = cells.get(exc.field)
            issues.append(InputIssue(name, number, exc.field, str(found or ""), exc.message))
    if issues:
        raise InputRejected(issues)
    if not parsed:
        raise InputRejected([InputIssue(name, None, "file", "no records", "at least one row")])
    return parsed


def cell_text(value: Any) -> Any:
    """A record's value as one cell: a list as ``a; b``, members as ``name: role; ...``."""
    if isinstance(value, list):
        return "; ".join(
            f"{item['name']}: {item['role']}" if isinstance(item, Mapping) else str(item)
            for item in value
        )
    return "" if value is None else value


def export_file(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str, sheet: str
) -> bytes:
    """``records`` as a CSV (UTF-8 with BOM, for spreadsheets) or XLSX file of ``columns``."""
    if fmt not in FORMATS:
        raise Invalid(f"format {fmt!r} is not one of {', '.join(FORMATS)}", field="format")
    rows = [[cell_text(record.get(column)) for column in columns] for record in records]
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([[csv_cell(value) for value in row] for row in rows])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = "Data"
    page.append(list(columns))
    for row in rows:
        page.append(row)
    book.properties.title = sheet
    keep_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
