"""Text a spreadsheet would run (=, +, -, @, tab, CR first) stays text in every file written for
a spreadsheet: the collection workbook sent to plants and the audit CSV export share one helper."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from esgledger.ingest.tables import read_table
from esgledger.spreadsheet_text import csv_cell, looks_like_formula
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

EVIL = '=HYPERLINK("http://attacker.example/x","Open the instructions")'
ORG = ["id", "name", "parent", "country", "name_zh", "aliases"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts(text: str) -> None:
    assert looks_like_formula(text) and csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plant", "1-2", 5, -3.5, None, ""])
def test_other_values_pass(value: object) -> None:
    assert csv_cell(value) == value


def test_an_entity_named_like_a_formula_is_text_in_the_collection_workbook(
    ws: Ledger, tmp_path: Path
) -> None:
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            ORG,
            [["grp", "Group", "", "CN", "", ""], ["plant", EVIL, "grp", "CN", "+cmd", "-x"]],
        )
    )
    output = tmp_path / "plant-2024.xlsx"
    _name, content = ws.services.imports.template(ws.admin, "plant", "2024")
    output.write_bytes(content)
    with zipfile.ZipFile(output) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and all(b"<f>" not in archive.read(n) for n in sheets)
    book = openpyxl.load_workbook(output)
    title = book["Instructions"]["A1"]
    assert title.data_type == "s" and title.value.startswith(EVIL) and title.quotePrefix
    # the workbook reads back as written: the import sees the text, not a formula's result
    assert read_table(output).rows[0][1]["entity"] == "plant"
