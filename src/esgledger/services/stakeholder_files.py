"""Stakeholder responses from a CSV or XLSX file, and assessment results written as CSV or XLSX.

A response file has a column ``group`` (a stakeholder group id), optional ``respondent`` and
``comment``, and one column per topic id of the assessment holding a whole number of the scale
(blank: not answered). Every issue is collected, naming its row and cell, before anything is
written (all or nothing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from esgledger.errors import InputIssue, InputRejected
from esgledger.ingest.tables import check_columns, read_table
from esgledger.service_errors import Invalid
from esgledger.spreadsheet_text import csv_cell, keep_text

MAX_ROWS = 20_000


def read_responses(
    path: Path, topics: Sequence[str], groups: set[str], scale: dict[str, int]
) -> list[dict[str, Any]]:
    table = read_table(path)
    name = path.name
    issues = check_columns(table, ["group"], ["respondent", "comment", *topics])
    items: list[dict[str, Any]] = []
    if len(table.rows) > MAX_ROWS:
        issues.append(
            InputIssue(name, None, "rows", f"{len(table.rows)} rows", f"at most {MAX_ROWS}")
        )
    for row, cells in table.rows:
        group = (cells.get("group") or "").strip()
        if group not in groups:
            issues.append(
                InputIssue(
                    name,
                    row,
                    "group",
                    group,
                    "a stakeholder group id: " + ", ".join(sorted(groups)),
                    table.cell(row, "group"),
                )
            )
        answers: dict[str, int] = {}
        refused = len(issues)
        for topic in topics:
            value = (cells.get(topic) or "").strip()
            if not value:
                continue
            if not value.isdigit() or not scale["min"] <= int(value) <= scale["max"]:
                issues.append(
                    InputIssue(
                        name,
                        row,
                        topic,
                        value,
                        f"a whole number from {scale['min']} to {scale['max']}, or blank",
                        table.cell(row, topic),
                    )
                )
                continue
            answers[topic] = int(value)
        if not answers and refused == len(issues):
            issues.append(
                InputIssue(name, row, "answers", "no answer", "at least one topic answered")
            )
        items.append(
            {
                "group_id": group,
                "answers": answers,
                "respondent": (cells.get("respondent") or "").strip()[:200] or None,
                "comment": (cells.get("comment") or "").strip()[:4000],
            }
        )
    if not table.rows:
        issues.append(InputIssue(name, None, "rows", "no rows", "at least one response"))
    if issues:
        raise InputRejected(issues)
    return items


def file_kind(kind: str) -> str:
    """``csv`` or ``xlsx`` (Invalid otherwise)."""
    found = kind.lower().lstrip(".")
    if found not in ("csv", "xlsx"):
        raise Invalid(f"kind: {kind!r} is not csv or xlsx", field="kind")
    return found


def write_rows(header: Sequence[str], rows: Sequence[Sequence[Any]], kind: str) -> bytes:
    """``rows`` under ``header`` as a CSV (UTF-8 with BOM, for spreadsheet programs) or XLSX
    file; formula-like text is kept as text."""
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[csv_cell(v) for v in row] for row in rows])
        return ("\ufeff" + out.getvalue()).encode()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    keep_text(book)
    out_bytes = io.BytesIO()
    book.save(out_bytes)
    return out_bytes.getvalue()
