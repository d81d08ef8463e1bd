"""Write a data-collection workbook for one entity and period.

The ``Data`` sheet has one row per input metric, with the unit pre-filled, last year's value for
reference and Excel data validation on value, unit and method; a metric with breakdown axes is
followed by a grid of rows, one per member of each axis (column L, ``dimensions``, pre-filled).
``data import`` reads it back (rows left blank are not reported). An ``Instructions`` sheet
explains it in English and Chinese.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from esgledger.catalogue import Catalogue
from esgledger.catalogue.breakdowns import dimensions_text, metric_key
from esgledger.domain import METHODS, Entity, Period
from esgledger.errors import EsgLedgerError
from esgledger.spreadsheet_text import keep_text
from esgledger.units import suggested_units

COLUMNS = [
    "entity",
    "period",
    "metric",
    "metric_name",
    "value",
    "unit",
    "method",
    "source",
    "note",
    "last_year_value",
    "metric_unit",
    "dimensions",
    "publish_note",
]
INSTRUCTIONS = [
    (
        "Fill in column E (value) and, if needed, change the unit in column F.",
        "请在E列（value）填写数值，如需要可在F列更改计量单位。",
    ),
    (
        "Leave a row blank if the metric does not apply; do not change columns A-D and L.",
        "不适用的指标请留空；请勿修改A至D列及L列。",
    ),
    (
        "Rows with column L filled are a breakdown of the row above them (for example employees "
        "by gender): the members of one axis add up to the total.",
        "L列有内容的行为其上方指标的分项（如按性别划分的员工人数），同一维度各分项之和应等于合计。",
    ),
    (
        "Method: measured, estimated or calculated. Source: the document the value comes from.",
        "method（方法）：measured实测、estimated估算、calculated计算；source（来源）：数据出处。",
    ),
    (
        "Column J shows last year's value in the metric's unit (column K) for reference.",
        "J列为上年数值（单位见K列），仅供参考。",
    ),
    (
        "Column M: yes to print the note (column I) as a footnote of the published report; "
        "left empty, the note is for reviewers only.",
        "M列：填“是”则将备注（I列）作为报告脚注发布；留空则备注仅供审核人员查看。",
    ),
    (
        "Return the file; it is imported with: esgledger data import FILE.xlsx",
        "填好后交回，导入命令：esgledger data import FILE.xlsx",
    ),
]


def write_template(
    catalogue: Catalogue,
    entity: Entity,
    period: str,
    previous: dict[str, float],
    output: Path | BinaryIO,
) -> int:
    """Write the workbook for ``entity`` and ``period`` (``previous``: last year's values by
    metric key, in the metric's unit) to a file or stream; return the number of rows."""
    parsed = Period.parse(period)
    if isinstance(output, Path) and output.suffix.lower() != ".xlsx":
        raise EsgLedgerError(f"template output must be a .xlsx file, not {output.name!r}")
    metrics = sorted(catalogue.inputs(), key=lambda m: (m.group, m.id))
    axes = catalogue.axes

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(COLUMNS)
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
    method_rule = DataValidation(
        type="list", formula1='"' + ",".join(METHODS) + '"', allow_blank=True
    )
    nonnegative_rule = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error="Enter a number of zero or more / 请输入非负数",
        showErrorMessage=True,
    )
    any_number_rule = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+300",
        formula2="1E+300",
        allow_blank=True,
        error="Enter a number / 请输入数字",
        showErrorMessage=True,
    )
    publish_rule = DataValidation(
        type="list", formula1='"yes,no,是,否"', allow_blank=True, showErrorMessage=True
    )
    for rule in (method_rule, nonnegative_rule, any_number_rule, publish_rule):
        sheet.add_data_validation(rule)
    rows = [
        (metric, members)
        for metric in metrics
        for members in [{}, *({axis: m} for axis in metric.axes for m in axes[axis].members)]
    ]
    for row_number, (metric, members) in enumerate(rows, start=2):
        key = metric_key(metric.id, members)
        sheet.append(
            [
                entity.id,
                str(parsed),
                metric.id,
                f"{catalogue.label(key, 'en')} / {catalogue.label(key, 'zh')}",
                None,
                metric.unit,
                "measured",
                None,
                None,
                previous.get(key),
                metric.unit,
                dimensions_text(members) or None,
                None,
            ]
        )
        units = suggested_units(metric.unit)
        unit_rule = DataValidation(
            type="list",
            formula1='"' + ",".join(units) + '"',
            allow_blank=False,
            showErrorMessage=False,
        )
        sheet.add_data_validation(unit_rule)
        unit_rule.add(f"F{row_number}")
        (nonnegative_rule if metric.nonnegative else any_number_rule).add(f"E{row_number}")
        method_rule.add(f"G{row_number}")
        publish_rule.add(f"M{row_number}")
    for column, width in zip(
        "ABCDEFGHIJKLM", (14, 9, 32, 48, 14, 12, 12, 28, 28, 16, 14, 24, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "E2"

    notes = book.create_sheet("Instructions")
    notes.append([f"{entity.name} / {entity.name_zh or entity.name} - {parsed}"])
    notes["A1"].font = Font(bold=True, size=13)
    for english, chinese in INSTRUCTIONS:
        notes.append([english, chinese])
    notes.column_dimensions["A"].width = 80
    notes.column_dimensions["B"].width = 60
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    keep_text(book)  # an entity named "=HYPERLINK(...)" stays a name
    if isinstance(output, Path):
        output.parent.mkdir(parents=True, exist_ok=True)
    book.save(output)
    return len(rows)
