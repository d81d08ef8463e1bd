"""Data and organisation imports are all or nothing, and every refusal says where and why.

Each bad input must raise :class:`InputRejected` whose issues name the file, the row (and for
XLSX the cell), the field, what was found and what was expected, and the ledger must be exactly as
before: same data points, same audit entries, same import batches, same entities.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from esgledger.errors import InputIssue, InputRejected
from esgledger.ledger.reads import current_datapoint, datapoint_history
from esgledger.store.schema import (
    audit_head,
    audit_log,
    datapoints,
    entities,
    entity_aliases,
    import_batches,
)
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

ORG_COLUMNS = [
    "id",
    "name",
    "parent",
    "country",
    "type",
    "ownership",
    "valid_from",
    "valid_to",
    "aliases",
]
ORG_ROWS = [
    ["grp", "Group", "", "CN", "group", "", "", "", ""],
    ["smelter", "Smelter", "grp", "CN", "plant", "", "", "", "电解铝厂;SM-01"],
    # acquired on 1 July 2024
    ["newco", "NewCo", "grp", "CN", "company", "60%", "2024-07-01", "", ""],
    # closed at the end of 2022
    ["oldco", "OldCo", "grp", "CN", "plant", "", "", "2022-12-31", ""],
]
COLUMNS = ["entity", "period", "metric", "value", "unit", "method", "source", "note"]
LETTER = {column: chr(ord("A") + i) for i, column in enumerate(COLUMNS)}
GOOD = {
    "entity": "smelter",
    "period": "2024",
    "metric": "energy.raw_coal",
    "value": "100",
    "unit": "t",
    "method": "measured",
    "source": "weighbridge",
    "note": "",
}
FORMATS = ["csv", "xlsx"]


# -- builders ------------------------------------------------------------------------------------


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    sheet: str = "Data",
    origin: tuple[int, int] = (1, 1),
) -> Path:
    """A workbook whose table starts at ``origin`` (row, column), as openpyxl numbers them."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    first_row, first_column = origin
    for r, record in enumerate([list(header), *rows]):
        for c, value in enumerate(record):
            if value is not None and value != "":
                worksheet.cell(row=first_row + r, column=first_column + c, value=value)
    workbook.save(path)
    return path


def write_table(
    directory: Path,
    fmt: str,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = COLUMNS,
    name: str = "data",
) -> Path:
    path = directory / f"{name}.{fmt}"
    if fmt == "csv":
        return write_csv(path, header, rows)
    return write_xlsx(path, header, rows)


def row(**changes: str) -> list[str]:
    values = {**GOOD, **changes}
    return [values[column] for column in COLUMNS]


def snapshot(ws: Ledger) -> dict[str, object]:
    """Everything an import could write."""
    with ws.db.reading() as connection:
        counts: dict[str, object] = {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in (datapoints, audit_log, import_batches, entities, entity_aliases)
        }
        counts["head"] = tuple(connection.execute(sa.select(audit_head)).one())
        counts["current"] = sorted(
            (r.entity_id, r.period, r.metric_id, r.value, r.version)
            for r in connection.execute(sa.select(datapoints).where(datapoints.c.is_current))
        )
    return counts


def reject_data(ws: Ledger, path: Path) -> list[InputIssue]:
    before = snapshot(ws)
    with pytest.raises(InputRejected) as caught:
        ws.import_data(path)
    assert snapshot(ws) == before, "a rejected import wrote something"
    assert ws.verify_audit().ok
    issues = caught.value.issues
    assert issues
    for issue in issues:
        assert issue.file == str(path)
    return issues


def reject_org(ws: Ledger, path: Path) -> list[InputIssue]:
    before = snapshot(ws)
    with pytest.raises(InputRejected) as caught:
        ws.import_organisation(path)
    assert snapshot(ws) == before, "a rejected organisation import wrote something"
    assert ws.verify_audit().ok
    for issue in caught.value.issues:
        assert issue.file == str(path)
    return caught.value.issues


def expected_cell(fmt: str, field: str, row_number: int) -> str | None:
    return f"{LETTER[field]}{row_number}" if fmt == "xlsx" else None


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    """The organisation above and one data point already in the ledger."""
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG_COLUMNS, ORG_ROWS))
    ws.import_data(
        write_csv(
            tmp_path / "seed.csv",
            COLUMNS,
            [
                row(metric="energy.diesel", value="7"),
            ],
        )
    )
    return ws


# -- one bad row ---------------------------------------------------------------------------------

BAD_ROWS = {
    "unknown entity": (row(entity="nowhere"), "entity", "nowhere", "entity in the organisation"),
    "unknown metric": (
        row(metric="energy.unobtainium"),
        "metric",
        "energy.unobtainium",
        "metric id from the catalogue",
    ),
    "derived metric": (
        row(metric="ghg.scope1", unit="tCO2e"),
        "metric",
        "ghg.scope1",
        "an input metric",
    ),
    "derived energy total": (
        row(metric="energy.total_tce", unit="tce"),
        "metric",
        "energy.total_tce",
        "an input metric",
    ),
    "unit of wrong dimension": (row(unit="kWh"), "unit", "kWh", "convertible to t"),
    "Chinese unit of wrong dimension": (
        row(unit="万千瓦时"),
        "unit",
        "万千瓦时",
        "convertible to t",
    ),
    "money for a mass": (row(unit="万元"), "unit", "万元", "convertible to t"),
    "unknown unit": (row(unit="bananas"), "unit", "bananas", "unknown unit"),
    "word for a number": (row(value="twelve"), "value", "twelve", "a number"),
    "comma as decimal point": (row(value="12,34"), "value", "12,34", "a number"),
    "two decimal points": (row(value="1.2.3"), "value", "1.2.3", "a number"),
    "not a number": (row(value="nan"), "value", "nan", "a number"),
    "infinity": (row(value="inf"), "value", "inf", "a number"),
    "overflow": (row(value="1e999"), "value", "1e999", "a number"),
    "number with unit": (row(value="12 t"), "value", "12 t", "a number"),
    "negative value": (row(value="-5"), "value", "-5", "zero or more"),
    "small negative value": (row(value="-0.001"), "value", "-0.001", "zero or more"),
    "before acquisition": (
        row(entity="newco", period="2023"),
        "period",
        "2023",
        "newco's validity",
    ),
    "month before acquisition": (
        row(entity="newco", period="2024-06"),
        "period",
        "2024-06",
        "2024-07-01",
    ),
    "after closure": (row(entity="oldco", period="2023"), "period", "2023", "oldco's validity"),
    "bad month": (row(period="2024-13"), "period", "2024-13", "a year such as 2024"),
    "fiscal year label": (row(period="FY2024"), "period", "FY2024", "a year such as 2024"),
    "bad method": (row(method="guessed"), "method", "guessed", "one of measured"),
    **{
        f"empty {field}": (row(**{field: ""}), field, "an empty cell", "a value")
        for field in ["entity", "period", "metric", "value", "unit"]
    },
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_row_is_rejected_and_named(ledger: Ledger, tmp_path: Path, fmt: str, case: str) -> None:
    bad, field, found, expected = BAD_ROWS[case]
    path = write_table(tmp_path, fmt, [row(metric="energy.coke"), bad])
    issues = reject_data(ledger, path)
    assert len(issues) == 1, issues
    issue = issues[0]
    assert (issue.row, issue.field, issue.found) == (3, field, found)
    assert expected in issue.expected
    assert issue.cell == expected_cell(fmt, field, 3)
    text = str(issue)
    assert str(path) in text and "row 3" in text and f"'{field}'" in text
    if fmt == "xlsx":
        assert f"cell {LETTER[field]}3" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_dimension_message_names_both_units(ledger: Ledger, tmp_path: Path, fmt: str) -> None:
    issues = reject_data(ledger, write_table(tmp_path, fmt, [row(unit="kWh")]))
    assert "'kWh'" in issues[0].expected and "'t'" in issues[0].expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("second", ["smelter", "SM-01", "电解铝厂"])
def test_duplicate_row_is_rejected(ledger: Ledger, tmp_path: Path, fmt: str, second: str) -> None:
    """The same entity, period and metric twice, also when spelled through an alias."""
    path = write_table(
        tmp_path, fmt, [row(), row(metric="energy.coke"), row(entity=second, value="101")]
    )
    issues = reject_data(ledger, path)
    assert [(i.row, i.field, i.found) for i in issues] == [(4, "metric", "energy.raw_coal")]
    assert "row 2" in issues[0].expected
    assert issues[0].cell == expected_cell(fmt, "metric", 4)


# -- columns and files ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_required_column(ledger: Ledger, tmp_path: Path, fmt: str) -> None:
    header = [c for c in COLUMNS if c != "unit"]
    rows = [[v for c, v in zip(COLUMNS, row(), strict=True) if c != "unit"]]
    issues = reject_data(ledger, write_table(tmp_path, fmt, rows, header))
    assert [(i.row, i.field, i.found) for i in issues] == [(1, "unit", "no such column")]
    assert "'unit'" in issues[0].expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_column(ledger: Ledger, tmp_path: Path, fmt: str) -> None:
    header = [*COLUMNS, "colour"]
    issues = reject_data(ledger, write_table(tmp_path, fmt, [[*row(), "red"]], header))
    assert [(i.row, i.field, i.found) for i in issues] == [(1, "colour", "an unknown column")]
    assert "entity" in issues[0].expected and "unit" in issues[0].expected
    assert issues[0].cell == ("I1" if fmt == "xlsx" else None)


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_and_unknown_columns_are_reported_together(
    ledger: Ledger, tmp_path: Path, fmt: str
) -> None:
    header = ["entity", "period", "metric", "amount", "unit"]
    issues = reject_data(
        ledger, write_table(tmp_path, fmt, [["smelter", "2024", "energy.coke", "1", "t"]], header)
    )
    assert {(i.row, i.field, i.found) for i in issues} == {
        (1, "value", "no such column"),
        (1, "amount", "an unknown column"),
    }


def test_text_file_is_rejected(ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("entity,period,metric,value,unit\nsmelter,2024,energy.coke,1,t\n")
    issues = reject_data(ledger, path)
    assert [(i.row, i.field) for i in issues] == [(None, "file")]
    assert ".txt" in issues[0].found and ".csv or .xlsx" in issues[0].expected


def test_xlsx_that_is_really_text_is_rejected(ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("entity,period,metric,value,unit\nsmelter,2024,energy.coke,1,t\n")
    issues = reject_data(ledger, path)
    assert [(i.row, i.field) for i in issues] == [(None, "file")]
    assert "workbook" in issues[0].found and ".xlsx" in issues[0].expected


@pytest.mark.parametrize("suffix", [".xls", ".json", ""])
def test_other_suffixes_are_rejected(ledger: Ledger, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_text("entity,period,metric,value,unit\n")
    issues = reject_data(ledger, path)
    assert [i.field for i in issues] == ["file"]


def test_workbook_saved_as_csv_is_rejected(ledger: Ledger, tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path / "real.xlsx", COLUMNS, [row()])
    path = tmp_path / "data.csv"
    path.write_bytes(workbook.read_bytes())
    issues = reject_data(ledger, path)
    assert [i.field for i in issues] == ["file"]
    assert "UTF-8" in issues[0].expected


def test_gbk_encoded_csv_is_rejected_not_garbled(ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    text = "entity,period,metric,value,unit\n电解铝厂,2024,energy.coke,1,吨\n"
    path.write_bytes(text.encode("gbk"))
    issues = reject_data(ledger, path)
    assert [i.field for i in issues] == ["file"]
    assert "UTF-8" in issues[0].expected


def test_missing_file_is_rejected(ledger: Ledger, tmp_path: Path) -> None:
    issues = reject_data(ledger, tmp_path / "nowhere.csv")
    assert [i.field for i in issues] == ["file"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_file_is_rejected(ledger: Ledger, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"empty.{fmt}"
    if fmt == "csv":
        path.write_text("")
    else:
        openpyxl.Workbook().save(path)
    issues = reject_data(ledger, path)
    assert [(i.row, i.field) for i in issues] == [(1, "header")]


# -- many rows -----------------------------------------------------------------------------------

MONTHLY = [
    "energy.raw_coal",
    "energy.coke",
    "energy.diesel",
    "energy.natural_gas",
    "energy.electricity_purchased",
    "production.alumina",
    "water.withdrawal",
]
UNITS = {
    "energy.natural_gas": "万立方米",
    "energy.electricity_purchased": "MWh",
    "water.withdrawal": "m3",
}


def many_good_rows() -> list[list[str]]:
    """Monthly values of 2025, a year the ledger fixture has no yearly value of."""
    rows = []
    for entity in ("smelter", "grp"):
        for month in range(1, 13):
            for i, metric in enumerate(MONTHLY):
                rows.append(
                    row(
                        entity=entity,
                        period=f"2025-{month:02d}",
                        metric=metric,
                        value=str(month * 10 + i),
                        unit=UNITS.get(metric, "t"),
                    )
                )
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("position", [0, 97, -1])
def test_one_bad_row_among_many_writes_nothing(
    ledger: Ledger, tmp_path: Path, fmt: str, position: int
) -> None:
    rows = many_good_rows()
    index = position if position >= 0 else len(rows) - 1
    rows[index] = row(entity="smelter", period="2023-07", metric="energy.coke", value="-3")
    issues = reject_data(ledger, write_table(tmp_path, fmt, rows))
    assert [(i.row, i.field, i.found) for i in issues] == [(index + 2, "value", "-3")]
    assert issues[0].cell == expected_cell(fmt, "value", index + 2)
    # the same file without the bad row goes in completely
    del rows[index]
    summary = ledger.import_data(write_table(tmp_path, fmt, rows, name="fixed"))
    assert summary.created == len(rows) == 2 * 12 * len(MONTHLY) - 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_several_errors_are_reported_together(ledger: Ledger, tmp_path: Path, fmt: str) -> None:
    rows = [
        row(),  # 2: fine
        row(entity="nowhere", metric="energy.coke", unit="kWh"),  # 3: two problems
        row(metric="energy.lpg"),  # 4: fine
        row(metric="energy.gasoline", value="-1"),  # 5: negative
        row(entity="SM-01", value="5"),  # 6: duplicate of row 2
        row(metric="", unit="bananas"),  # 7: empty metric
        row(entity="oldco", period="2024", metric="energy.washed_coal", value="abc"),  # 8
    ]
    path = write_table(tmp_path, fmt, rows)
    before = snapshot(ledger)
    with pytest.raises(InputRejected) as caught:
        ledger.import_data(path)
    assert snapshot(ledger) == before
    found = [(i.row, i.field, i.found) for i in caught.value.issues]
    assert found == [
        (3, "entity", "nowhere"),
        (3, "unit", "kWh"),
        (5, "value", "-1"),
        (6, "metric", "energy.raw_coal"),
        (7, "metric", "an empty cell"),
        (8, "period", "2024"),
        (8, "value", "abc"),
    ]
    for issue in caught.value.issues:
        assert issue.cell == expected_cell(fmt, issue.field, issue.row)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "nothing written" in message and "7 problem(s)" in message
    assert "row 3" in message and "row 8" in message


# -- XLSX specifics ------------------------------------------------------------------------------


def test_xlsx_native_numbers_and_blank_rows(ledger: Ledger, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "data.xlsx",
        COLUMNS,
        [
            ["smelter", 2024, "energy.coke", 12.5, "t"],
            [None] * 5,  # a blank row in the middle
            ["smelter", 2024, "production.alumina", 123456789012, "t"],
            ["smelter", "2024-03", "energy.lpg", 1e-7, "t"],
        ],
    )
    summary = ledger.import_data(path)
    assert summary.created == 3
    values = {p.metric_id: p for p in ledger.datapoints(["2024", "2024-03"])}
    assert values["energy.coke"].value == 12.5
    assert values["production.alumina"].value == 123456789012
    assert values["energy.lpg"].value == pytest.approx(1e-7)
    # after the blank row, the row numbers are still the spreadsheet's
    bad = write_xlsx(
        tmp_path / "bad.xlsx",
        COLUMNS,
        [
            ["smelter", 2024, "energy.gasoline", 1, "t"],
            [None] * 5,
            ["smelter", 2024, "energy.fuel_oil", -1, "t"],
        ],
    )
    issues = reject_data(ledger, bad)
    assert [(i.row, i.cell) for i in issues] == [(4, "D4")]


def test_xlsx_cells_are_the_spreadsheets_own_addresses(ledger: Ledger, tmp_path: Path) -> None:
    """A table that starts in column B: the reported cell is where the value really is."""
    path = write_xlsx(
        tmp_path / "data.xlsx", COLUMNS, [row(metric="energy.coke"), row(value="-2")], origin=(1, 2)
    )
    issues = reject_data(ledger, path)
    assert [(i.row, i.field, i.cell) for i in issues] == [(3, "value", "E3")]


def test_xlsx_reads_the_data_sheet(ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Instructions"
    workbook.active["A1"] = "Fill in the Data sheet"
    data = workbook.create_sheet("Data")
    for r, record in enumerate([COLUMNS, row(metric="energy.coke", value="-1")], start=1):
        for c, value in enumerate(record, start=1):
            data.cell(row=r, column=c, value=value or None)
    workbook.save(path)
    issues = reject_data(ledger, path)
    assert [(i.row, i.field, i.cell) for i in issues] == [(2, "value", "D2")]


# -- accepted variants ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_accepted_variants(ledger: Ledger, tmp_path: Path, fmt: str) -> None:
    rows = [
        row(metric="energy.electricity_purchased", value="12.5", unit="万千瓦时"),
        row(metric="energy.natural_gas", value="3", unit="万立方米"),
        row(entity="电解铝厂", metric="production.alumina", value="1.5", unit="万吨"),
        row(entity="SM-01", metric="production.primary_aluminium", value="12,345.6", unit="t"),
        row(entity="grp", metric="finance.revenue", value="2", unit="万元"),
        row(entity="grp", metric="energy.raw_coal", value="1,234,567", unit="kg"),
        row(entity="grp", metric="water.withdrawal", value="30000", unit="立方米"),
        row(entity="newco", period="2024-08", metric="energy.diesel", value="5", unit="吨"),
        row(entity="newco", period="2024", metric="energy.gasoline", value="0", unit="t"),
        row(entity="oldco", period="2022", metric="energy.coke", value=" 8 ", unit=" t "),
        row(
            entity="smelter",
            metric="energy.lpg",
            value="1",
            unit="t",
            note="first line\nsecond line, with a comma",
        ),
    ]
    summary = ledger.import_data(write_table(tmp_path, fmt, rows))
    assert (summary.created, summary.corrected, summary.unchanged) == (len(rows), 0, 0)
    points = {
        (p.entity_id, p.period, p.metric_id): p
        for p in ledger.datapoints(["2022", "2024", "2024-08"])
    }
    expected = {
        ("smelter", "2024", "energy.electricity_purchased"): (12.5, "万千瓦时", 125.0),
        ("smelter", "2024", "energy.natural_gas"): (3.0, "万立方米", 3.0),
        ("smelter", "2024", "production.alumina"): (1.5, "万吨", 15000.0),
        ("smelter", "2024", "production.primary_aluminium"): (12345.6, "t", 12345.6),
        ("grp", "2024", "finance.revenue"): (2.0, "万元", 2.0),
        ("grp", "2024", "energy.raw_coal"): (1234567.0, "kg", 1234.567),
        ("grp", "2024", "water.withdrawal"): (30000.0, "立方米", 30000.0),
        ("newco", "2024-08", "energy.diesel"): (5.0, "吨", 5.0),
        ("newco", "2024", "energy.gasoline"): (0.0, "t", 0.0),
        ("oldco", "2022", "energy.coke"): (8.0, "t", 8.0),
        ("smelter", "2024", "energy.lpg"): (1.0, "t", 1.0),
    }
    for key, (value, unit, normalised) in expected.items():
        point = points[key]
        assert point.value == pytest.approx(value), key
        assert point.unit == unit, key
        assert point.value_normalised == pytest.approx(normalised, rel=1e-12), key
        assert point.version == 1 and point.supersedes is None
    assert points[("smelter", "2024", "energy.lpg")].note == "first line\nsecond line, with a comma"
    assert ledger.verify_audit().ok


# -- re-import and corrections -------------------------------------------------------------------


def _count(ws: Ledger, table: sa.Table) -> int:
    with ws.db.reading() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize("fmt", FORMATS)
def test_reimport_writes_nothing_new_and_a_change_makes_a_new_version(
    ledger: Ledger, tmp_path: Path, fmt: str
) -> None:
    rows = [row(), row(metric="energy.coke", value="20"), row(metric="energy.lpg", value="3")]
    first = ledger.import_data(write_table(tmp_path, fmt, rows, name="v1"))
    assert (first.created, first.corrected, first.unchanged) == (3, 0, 0)
    points = _count(ledger, datapoints)

    again = ledger.import_data(write_table(tmp_path, fmt, rows, name="v1_again"))
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 3)
    assert _count(ledger, datapoints) == points
    # the same values through an alias are the same values
    aliased = [row(entity="SM-01"), row(entity="电解铝厂", metric="energy.coke", value="20")]
    same = ledger.import_data(write_table(tmp_path, fmt, aliased, name="aliased"))
    assert (same.created, same.corrected, same.unchanged) == (0, 0, 2)
    assert _count(ledger, datapoints) == points

    with ledger.db.reading() as connection:
        original = current_datapoint(connection, "smelter", "2024", "energy.coke")
    assert original is not None and original.version == 1

    rows[1] = row(metric="energy.coke", value="21.5", source="corrected weighbridge")
    changed = ledger.import_data(write_table(tmp_path, fmt, rows, name="v2"))
    assert (changed.created, changed.corrected, changed.unchanged) == (0, 1, 2)
    assert _count(ledger, datapoints) == points + 1

    with ledger.db.reading() as connection:
        history = datapoint_history(connection, "smelter", "2024", "energy.coke")
        current = current_datapoint(connection, "smelter", "2024", "energy.coke")
    assert [(p.version, p.value) for p in history] == [(1, 20.0), (2, 21.5)]
    assert history[0].id == original.id and history[0].value == original.value
    assert history[0].source == "weighbridge"
    assert history[1].supersedes == history[0].id
    assert history[1].source == "corrected weighbridge"
    assert current == history[1]
    assert [p.value for p in ledger.datapoints(["2024"]) if p.metric_id == "energy.coke"] == [21.5]

    # a third value supersedes the second, and the unchanged rows stay at version 1
    rows[1] = row(metric="energy.coke", value="22")
    ledger.import_data(write_table(tmp_path, fmt, rows, name="v3"))
    with ledger.db.reading() as connection:
        history = datapoint_history(connection, "smelter", "2024", "energy.coke")
        untouched = datapoint_history(connection, "smelter", "2024", "energy.lpg")
    assert [(p.version, p.value, p.supersedes) for p in history] == [
        (1, 20.0, None),
        (2, 21.5, history[0].id),
        (3, 22.0, history[1].id),
    ]
    assert [p.version for p in untouched] == [1]
    assert ledger.verify_audit().ok


# -- organisation import -------------------------------------------------------------------------


def org_row(**changes: str) -> list[str]:
    values = {
        "id": "plant2",
        "name": "Plant 2",
        "parent": "grp",
        "country": "CN",
        "type": "plant",
        "ownership": "",
        "valid_from": "",
        "valid_to": "",
        "aliases": "",
        **changes,
    }
    return [values[column] for column in ORG_COLUMNS]


BAD_ORG = {
    "missing parent": ([org_row(parent="ghost")], [(2, "parent", "ghost")]),
    "self parent": ([org_row(parent="plant2")], [(2, "parent", "plant2")]),
    "duplicate id": ([org_row(), org_row(name="Again")], [(3, "id", "plant2")]),
    "three-letter country": ([org_row(country="CHN")], [(2, "country", "CHN")]),
    "country with digit": ([org_row(country="C1")], [(2, "country", "C1")]),
    "empty country": ([org_row(country="")], [(2, "country", "an empty cell")]),
    "empty name": ([org_row(name="")], [(2, "name", "an empty cell")]),
    "ownership not a number": ([org_row(ownership="half")], [(2, "ownership", "half")]),
    "ownership above 100%": ([org_row(ownership="150%")], [(2, "ownership", "150%")]),
    "negative ownership": ([org_row(ownership="-0.5")], [(2, "ownership", "-0.5")]),
    "ownership above 100": ([org_row(ownership="101")], [(2, "ownership", "101")]),
    "impossible date": ([org_row(valid_from="2024-13-01")], [(2, "valid_from", "2024-13-01")]),
    "date in words": ([org_row(valid_to="yesterday")], [(2, "valid_to", "yesterday")]),
    "end before start": (
        [org_row(valid_from="2021-01-01", valid_to="2020-12-31")],
        [(2, "valid_to", "2020-12-31")],
    ),
    "unknown type": ([org_row(type="factory")], [(2, "type", "factory")]),
    "alias twice in the file": (
        [org_row(aliases="P2"), org_row(id="plant3", aliases="P2")],
        [(3, "aliases", "P2")],
    ),
    "alias of an entity in the ledger": ([org_row(aliases="SM-01")], [(2, "aliases", "SM-01")]),
    "alias that is another entity's id": (
        [org_row(aliases="smelter")],
        [(2, "aliases", "smelter")],
    ),
}


@pytest.mark.parametrize("case", list(BAD_ORG))
def test_bad_organisation_is_rejected(ledger: Ledger, tmp_path: Path, case: str) -> None:
    rows, expected = BAD_ORG[case]
    issues = reject_org(ledger, write_csv(tmp_path / "org2.csv", ORG_COLUMNS, rows))
    assert [(i.row, i.field, i.found) for i in issues] == expected
    for issue in issues:
        assert issue.expected


def test_cycle_is_rejected_on_the_rows_that_form_it(ledger: Ledger, tmp_path: Path) -> None:
    rows = [
        org_row(id="a", parent="b"),
        org_row(id="b", parent="a"),
        org_row(id="c", parent="a"),  # below the cycle, but not in it
    ]
    issues = reject_org(ledger, write_csv(tmp_path / "org2.csv", ORG_COLUMNS, rows))
    assert [(i.row, i.field, i.found) for i in issues] == [(2, "parent", "b"), (3, "parent", "a")]
    assert "descendant" in issues[0].expected


def test_cycle_through_the_ledger_is_rejected(ledger: Ledger, tmp_path: Path) -> None:
    """Moving the group under one of its own plants."""
    rows = [["grp", "Group", "smelter", "CN", "group", "", "", "", ""]]
    issues = reject_org(ledger, write_csv(tmp_path / "org2.csv", ORG_COLUMNS, rows))
    assert [(i.row, i.field, i.found) for i in issues] == [(2, "parent", "smelter")]


def test_organisation_errors_in_xlsx_name_cells(ledger: Ledger, tmp_path: Path) -> None:
    rows = [org_row(country="CHN", ownership="150%"), org_row(id="plant3", parent="ghost")]
    issues = reject_org(ledger, write_xlsx(tmp_path / "org2.xlsx", ORG_COLUMNS, rows))
    assert [(i.row, i.field, i.cell) for i in issues] == [
        (2, "country", "D2"),
        (2, "ownership", "F2"),
        (3, "parent", "C3"),
    ]


def test_several_organisation_errors_together(ledger: Ledger, tmp_path: Path) -> None:
    rows = [
        org_row(country="CHN"),
        org_row(id="plant3", ownership="2x", valid_from="1 May"),
        org_row(id="plant4", parent="ghost"),
    ]
    issues = reject_org(ledger, write_csv(tmp_path / "org2.csv", ORG_COLUMNS, rows))
    assert [(i.row, i.field) for i in issues] == [
        (2, "country"),
        (3, "ownership"),
        (3, "valid_from"),
        (4, "parent"),
    ]


def test_organisation_reimport_and_moved_aliases(ledger: Ledger, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "org.csv", ORG_COLUMNS, ORG_ROWS)
    before = snapshot(ledger)
    assert ledger.import_organisation(path) == {"created": 0, "updated": 0}
    assert snapshot(ledger) == before, "re-importing the same organisation wrote something"

    # newco gets an alias, then the smelter and newco swap SM-01 and NC-01 in one file
    named = [list(r) for r in ORG_ROWS]
    named[2][-1] = "NC-01"
    ledger.import_organisation(write_csv(tmp_path / "org_named.csv", ORG_COLUMNS, named))
    swapped = [list(r) for r in ORG_ROWS]
    swapped[1][-1] = "电解铝厂;NC-01"
    swapped[2][-1] = "SM-01"
    ledger.import_organisation(write_csv(tmp_path / "org_swapped.csv", ORG_COLUMNS, swapped))
    aliases = {e.id: set(e.aliases) for e in ledger.entities()}
    assert aliases["smelter"] == {"电解铝厂", "NC-01"} and aliases["newco"] == {"SM-01"}
    # the changes are in the audit log
    with ledger.db.reading() as connection:
        changes = [
            (r.action, r.object_id)
            for r in connection.execute(
                sa.select(audit_log)
                .where(audit_log.c.seq > before["head"][1])  # type: ignore[index]
                .order_by(audit_log.c.seq)
            )
        ]
    assert changes == [
        ("entity.aliases", "newco"),
        ("entity.aliases", "smelter"),
        ("entity.aliases", "newco"),
    ]
    assert ledger.verify_audit().ok
    summary = ledger.import_data(
        write_csv(
            tmp_path / "d.csv",
            COLUMNS,
            [row(entity="SM-01", period="2024-09", metric="energy.coke")],
        )
    )
    assert summary.created == 1
    assert [p.entity_id for p in ledger.datapoints(["2024-09"])] == ["newco"]
