"""read_table is strict and bounded: a damaged CSV is refused with the row named rather than
misread, a file with another delimiter gets one clear error, and a workbook is checked against
limits on its inflated size, compression ratio and area before the spreadsheet reader sees it."""

from __future__ import annotations

import csv
import io
import struct
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esgledger.errors import InputIssue, InputRejected
from esgledger.ingest import workbook_limits
from esgledger.ingest.tables import read_table

HEADER = "entity,period,metric,value,unit,method,source,note"
GOOD = "smelter,2024,energy.coke,1,t,measured,weighbridge,"


def refused(path: Path) -> list[InputIssue]:
    with pytest.raises(InputRejected) as caught:
        read_table(path)
    return caught.value.issues


def csv_file(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- CSV -------------------------------------------------------------------------------------------
def test_an_unterminated_quote_is_refused_naming_its_row(tmp_path: Path) -> None:
    lines = [HEADER, GOOD, 'smelter,2024,energy.diesel,2,t,measured,src,"a note left open']
    lines += [GOOD.replace("coke", metric) for metric in ("lpg", "fuel_oil", "raw_coal")]
    issues = refused(csv_file(tmp_path, "\n".join(lines) + "\n"))
    assert [(i.row, i.field) for i in issues] == [(3, "file")]
    assert "never closed" in issues[0].found and "line 3" in issues[0].found
    assert '("")' in issues[0].expected


def test_a_quote_inside_a_quoted_cell_must_be_doubled(tmp_path: Path) -> None:
    text = f'{HEADER}\n{GOOD}\n{GOOD[:-1]},"he said "yes" to it"\n'
    issues = refused(csv_file(tmp_path, text))
    assert [(i.row, i.field) for i in issues] == [(3, "file")]
    assert "not doubled" in issues[0].found


def test_quoted_cells_with_commas_quotes_and_line_breaks_are_read(tmp_path: Path) -> None:
    text = f'{HEADER}\n{GOOD[:-1]},"a, ""quoted""\nnote"\n{GOOD}\n'
    table = read_table(csv_file(tmp_path, text))
    assert [(number, row["note"]) for number, row in table] == [(2, 'a, "quoted"\nnote'), (3, "")]


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    text = f"{HEADER}\n{GOOD}\n{GOOD}1,5 t\n{GOOD},,\n"  # trailing empty cells are harmless
    issues = refused(csv_file(tmp_path, text))
    assert [(i.row, i.field, i.found) for i in issues] == [(3, "file", "9 cells")]
    assert "at most 8 cells" in issues[0].expected and "quotes" in issues[0].expected


@pytest.mark.parametrize(("delimiter", "name"), [(";", "';'"), ("\t", "a tab")])
def test_a_file_with_another_delimiter_gets_one_clear_error(
    tmp_path: Path, delimiter: str, name: str
) -> None:
    text = "\n".join(line.replace(",", delimiter) for line in (HEADER, GOOD, GOOD)) + "\n"
    issues = refused(csv_file(tmp_path, text))
    assert len(issues) == 1
    assert issues[0].found == f"this file uses {name} as delimiter"
    assert "save it with commas" in issues[0].expected


def test_a_value_under_no_header_is_refused(tmp_path: Path) -> None:
    text = "entity,,period\nsmelter,stray,2024\n"
    issues = refused(csv_file(tmp_path, text))
    assert [(i.row, i.found) for i in issues] == [(2, "a value in column B, which has no header")]


NAMES = st.lists(
    st.text(alphabet="abcdefghij_", min_size=1, max_size=8), min_size=1, max_size=5, unique=True
)
CELL = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@settings(max_examples=150, deadline=None)
@given(NAMES, st.data())
def test_what_a_csv_writer_writes_is_read_back_exactly(
    names: list[str], data: st.DataObject
) -> None:
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(names), max_size=len(names)), max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        table = read_table(path)
    expected = [
        (number, {n: cell.strip() for n, cell in zip(names, row, strict=True)})
        for number, row in enumerate(rows, start=2)
        if any(cell.strip() for cell in row)
    ]
    assert table.rows == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(alphabet='a,;\t"\n\r xyz1', max_size=200))
def test_any_bytes_are_read_or_refused_never_a_crash(content: bytes | str) -> None:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.csv"
        path.write_bytes(raw)
        try:
            table = read_table(path)
        except InputRejected as rejected:
            assert rejected.issues and all(i.file == str(path) for i in rejected.issues)
            return
    width = len(table.columns)
    assert all(set(row) <= set(table.columns) and len(row) <= width for _n, row in table.rows)


# -- XLSX limits -----------------------------------------------------------------------------------
def workbook(path: Path, rows: list[list[object]] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    for record in rows or [HEADER.split(","), GOOD.split(",")]:
        sheet.append(record)
    book.save(path)
    return path


def with_part(path: Path, name: str, content: bytes) -> Path:
    """``path`` rewritten with its part ``name`` replaced by ``content`` (deflated)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[name] = content
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)
    return path


SHEET = "xl/worksheets/sheet1.xml"
OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
CLOSE = b"</sheetData></worksheet>"


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    padding = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 400_000  # 20 MB
    path = with_part(workbook(tmp_path / "bomb.xlsx"), SHEET, OPEN + padding + CLOSE)
    issues = refused(path)
    assert [(i.row, i.field) for i in issues] == [(None, "file")]
    assert "compressed more than 100 times" in issues[0].found and SHEET in issues[0].found
    assert "zip bomb" in issues[0].expected


def test_a_bomb_that_declares_small_sizes_is_measured_as_inflated(tmp_path: Path) -> None:
    padding = b"<row/>" * 4_000_000  # 24 MB, declared as 1 000 bytes below
    path = with_part(workbook(tmp_path / "liar.xlsx"), SHEET, OPEN + padding + CLOSE)
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = raw.find(signature)
        while start >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + len(SHEET)] == SHEET.encode():
                struct.pack_into("<L", raw, start + offset, 1000)
            start = raw.find(signature, start + 4)
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET).file_size == 1000
    issues = refused(path)
    assert "compressed more than 100 times" in issues[0].found


def test_a_far_away_cell_is_refused_before_the_reader_allocates_the_area(tmp_path: Path) -> None:
    path = workbook(tmp_path / "far.xlsx")
    book = openpyxl.load_workbook(path)
    book["Data"]["XFD1048576"] = "x"
    book.save(path)
    issues = refused(path)
    assert "1,048,576 rows and 16,384 columns" in issues[0].found
    assert "at most 5,000,000 cells" in issues[0].expected


def test_cells_without_references_are_placed_as_the_reader_places_them(tmp_path: Path) -> None:
    wide = b"<row>" + b"<c/>" * 5_000 + b"</row>"
    sheet = OPEN + wide + b"<row/>" * 1_999 + CLOSE  # 2 000 rows x 5 000 columns
    issues = refused(with_part(workbook(tmp_path / "wide.xlsx"), SHEET, sheet))
    assert "2,000 rows and 5,000 columns" in issues[0].found


def test_the_inflated_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_limits, "MAX_UNCOMPRESSED", 50_000)
    rows = [HEADER.split(",")] + [[f"entity-{n}", "2024", "energy.coke", n] for n in range(2_000)]
    issues = refused(workbook(tmp_path / "big.xlsx", rows))
    assert "a workbook that expands to" in issues[0].found
    assert "at most 50,000 bytes uncompressed" in issues[0].expected


def test_a_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook_limits, "MAX_FILE_BYTES", 100)
    issues = refused(csv_file(tmp_path, HEADER + "\n" + GOOD * 3 + "\n"))
    assert "at most 100 bytes" in issues[0].expected


def test_a_workbook_within_the_limits_is_read(tmp_path: Path) -> None:
    rows = [HEADER.split(",")] + [["smelter", "2024", f"m{n}", n] for n in range(1_000)]
    table = read_table(workbook(tmp_path / "ok.xlsx", rows))
    assert len(table.rows) == 1_000 and table.rows[-1] == (
        1_001,
        {**dict.fromkeys(table.columns, ""), "entity": "smelter", "period": "2024"}
        | {"metric": "m999", "value": "999"},
    )


def test_a_value_right_of_the_header_in_a_workbook_names_its_cell(tmp_path: Path) -> None:
    rows = [["entity", "period"], ["smelter", "2024", "stray"]]
    issues = refused(workbook(tmp_path / "stray.xlsx", rows))
    assert [(i.row, i.cell) for i in issues] == [(2, "C2")]
