"""Read a CSV or XLSX file into rows of text, remembering where each cell came from.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first data row is row 2.
Reading is strict, so that a damaged file is refused rather than misread: a quote that is never
closed (which would swallow the rows after it into one cell), a row with more cells than the
header, a file separated by semicolons or tabs are errors naming the row; files and workbooks are
bounded (:mod:`esgledger.ingest.workbook_limits`) before they are parsed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from esgledger.errors import InputIssue, InputRejected
from esgledger.ingest.workbook_limits import MAX_CELLS, check_file_size, check_workbook

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
    check_file_size(path)
    if suffix == ".xlsx":
        check_workbook(path)
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
    return _to_table(path, None, _csv_records(path, text), sha)


# A header row of one cell holding one of these was saved with another separator than the comma.
OTHER_DELIMITERS = {";": "';'", "\t": "a tab", "|": "'|'"}


def _csv_records(path: Path, text: str) -> list[list[str]]:
    """The records of ``text``, read strictly: a quote left open or doubled wrongly is an error
    naming the row where its cell starts."""
    # newline="" keeps line breaks inside quoted cells (str.splitlines() would drop them)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    cells = 0
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputRejected(
                [_unreadable_row(path, len(records) + 1, first_line, exc)]
            ) from None
        if not records:
            _check_delimiter(path, record)
        records.append(record)
        cells += len(record)
        if cells > MAX_CELLS:
            raise InputRejected(
                [
                    InputIssue(
                        str(path),
                        len(records),
                        "file",
                        f"more than {MAX_CELLS:,} cells",
                        f"a file of at most {MAX_CELLS:,} cells (split it into several files)",
                    )
                ]
            )
    return records


def _unreadable_row(path: Path, row: int, line: int, error: csv.Error) -> InputIssue:
    reason = str(error)
    if "unexpected end of data" in reason or "EOF" in reason:
        found = (
            f"a quote opened in this row (line {line}) that is never closed: the rest of the "
            "file would be read as one cell"
        )
    elif "expected after" in reason:
        found = f"a quote inside a quoted cell that is not doubled (line {line}: {reason})"
    else:
        found = f"a row that cannot be read as CSV (line {line}: {reason})"
    return InputIssue(
        str(path),
        row,
        "file",
        found,
        'each quoted cell closed by a quote, and a quote inside a cell written twice ("")',
    )


def _check_delimiter(path: Path, header: list[str]) -> None:
    filled = [cell for cell in header if cell.strip()]
    if len(filled) != 1:
        return
    for delimiter, name in OTHER_DELIMITERS.items():
        if delimiter in filled[0]:
            raise InputRejected(
                [
                    InputIssue(
                        str(path),
                        1,
                        "file",
                        f"this file uses {name} as delimiter",
                        "a comma-separated file: save it with commas",
                    )
                ]
            )


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
    header = list(records[0])
    while header and not header[-1].strip():
        header.pop()  # a workbook's area may be wider than its header
    columns = [cell.strip().lower() for cell in header]
    named = [(i, col) for i, col in enumerate(columns) if col]
    blank = [i for i, col in enumerate(columns) if not col]  # cells there must stay empty
    width = len(columns)
    rows: list[tuple[int, dict[str, str]]] = []
    issues: list[InputIssue] = []
    for index, record in enumerate(records[1:], start=2):
        cells = [cell.strip() if type(cell) is str else str(cell).strip() for cell in record]
        if not any(cells):
            continue
        stray = [i for i in blank if i < len(cells) and cells[i]]
        stray += [i for i in range(width, len(cells)) if cells[i]]
        if stray:
            issues.append(_unnamed_cell(path, sheet, index, columns, len(record), min(stray)))
            continue
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        rows.append((index, {col: cells[i] for i, col in named}))
    if issues:
        raise InputRejected(issues)
    return Table(path=path, sheet=sheet, columns=columns, rows=rows, sha256=sha)


def _unnamed_cell(
    path: Path, sheet: str | None, row: int, columns: list[str], cells: int, first: int
) -> InputIssue:
    """A row with a filled cell in a column the header does not name."""
    letter = _column_letter(first)
    if first < len(columns):
        found = f"a value in column {letter}, which has no header"
        expected = "a value only in columns named in row 1 (name the column or clear the cell)"
    elif sheet is None:
        found = f"{cells} cells"
        expected = (
            f"at most {len(columns)} cells, one per column of the header row (a comma inside "
            "a cell needs quotes around the cell)"
        )
    else:
        found = f"a value in column {letter}, right of the header's last column"
        expected = "a value only in columns named in row 1 (name the column or clear the cell)"
    return InputIssue(str(path), row, "file", found, expected, f"{letter}{row}" if sheet else None)


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
