"""Read a CSV or XLSX file into rows of text, remembering where each cell came from.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from esgledger.errors import InputIssue, InputRejected

SUPPORTED = (".csv", ".xlsx")


@dataclass
class Table:
    path: Path
    sheet: str | None
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    sha256: str

    def cell(self, row: int, column: str) -> str | None:
        """Spreadsheet address (``C7``) of a column in a row; None for CSV."""
        if self.sheet is None or column not in self.columns:
            return None
        return f"{_column_letter(self.columns.index(column))}{row}"

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)


def read_table(path: Path, preferred_sheet: str = "Data") -> Table:
    """Read ``path``; raise :class:`InputRejected` when it is missing or not CSV/XLSX."""
    name = str(path)
    if not path.exists():
        raise InputRejected([InputIssue(name, None, "file", "missing file", "an existing file")])
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputRejected(
            [
                InputIssue(
                    name, None, "file", f"a {suffix or 'suffix-less'} file", "a .csv or .xlsx file"
                )
            ]
        )
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    if suffix == ".csv":
        return _read_csv(path, raw, sha)
    return _read_xlsx(path, sha, preferred_sheet)


def _read_csv(path: Path, raw: bytes, sha: str) -> Table:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRejected(
            [
                InputIssue(
                    str(path), None, "file", "bytes that are not UTF-8", "a UTF-8 encoded CSV file"
                )
            ]
        ) from exc
    if "\x00" in text:
        raise InputRejected(
            [InputIssue(str(path), None, "file", "binary content", "a UTF-8 encoded CSV file")]
        )
    # newline="" keeps line breaks inside quoted cells (str.splitlines() would drop them)
    records = list(csv.reader(io.StringIO(text, newline="")))
    return _to_table(path, None, records, sha)


def _read_xlsx(path: Path, sha: str, preferred_sheet: str) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for non-workbooks
        raise InputRejected(
            [
                InputIssue(
                    str(path),
                    None,
                    "file",
                    f"an unreadable workbook ({exc})",
                    "a valid .xlsx workbook",
                )
            ]
        ) from exc
    names = workbook.sheet_names
    sheet = preferred_sheet if preferred_sheet in names else names[0]
    # skip_empty_area=False keeps blank leading rows and columns, so that row numbers and cell
    # addresses are the ones the spreadsheet shows
    values = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    records = [[_cell_text(v) for v in row] for row in values]
    return _to_table(path, sheet, records, sha)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _to_table(path: Path, sheet: str | None, records: list[list[str]], sha: str) -> Table:
    if not records or not any(cell.strip() for cell in records[0]):
        raise InputRejected(
            [
                InputIssue(
                    str(path), 1, "header", "an empty first row", "a header row naming the columns"
                )
            ]
        )
    columns = [cell.strip().lower() for cell in records[0]]
    rows: list[tuple[int, dict[str, str]]] = []
    for index, record in enumerate(records[1:], start=2):
        if not any(str(cell).strip() for cell in record):
            continue
        padded = list(record) + [""] * (len(columns) - len(record))
        rows.append((index, {col: str(padded[i]).strip() for i, col in enumerate(columns) if col}))
    return Table(path=path, sheet=sheet, columns=columns, rows=rows, sha256=sha)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def check_columns(
    table: Table, required: list[str], optional: list[str], ignored: Sequence[str] = ()
) -> list[InputIssue]:
    """Issues for missing required columns and unknown columns."""
    issues = []
    for column in required:
        if column not in table.columns:
            issues.append(
                InputIssue(
                    str(table.path), 1, column, "no such column", f"a column named {column!r}"
                )
            )
    allowed = set(required) | set(optional) | set(ignored)
    for column in table.columns:
        if column and column not in allowed:
            issues.append(
                InputIssue(
                    str(table.path),
                    1,
                    column,
                    "an unknown column",
                    "one of " + ", ".join(required + optional),
                    table.cell(1, column),
                )
            )
    return issues
