"""A target as one row of text (a CSV or XLSX file, a web form): the columns, reading a row into a
:class:`TargetDefinition` (a refusal names the column) and writing one back.

Compact spellings, the same in both directions:

- ``target``: a value in the metric's unit (``8.5``) or a change against the base (``-30%``);
- ``milestones``: ``YEAR=VALUE`` or ``YEAR=CHANGE%`` separated by ``;`` (``2025=-10%;2027=9.1``);
- ``gases``, ``scopes``: lists separated by ``,`` (``CO2,CH4,PFCs``; ``1,2``);
- ``net``: ``yes`` or ``no``;
- ``credits``: ``YEAR|QUANTITY|SOURCE`` separated by ``;`` (``2060|1200000|CCER forestry, Guangxi``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping

from openpyxl import Workbook

from esgledger.assess.targets.definition import Credit, Milestone, TargetDefinition, TargetError
from esgledger.spreadsheet_text import csv_cell, keep_text

COLUMNS = (
    "target_id",
    "name",
    "name_zh",
    "kind",
    "metric_key",
    "entity",
    "covers",
    "base_year",
    "base_value",
    "base_source",
    "base_method",
    "target_year",
    "target",
    "milestones",
    "gases",
    "scopes",
    "net",
    "gross_target",
    "credits",
    "note",
)
REQUIRED = ("target_id", "name", "kind", "metric_key", "entity", "base_year", "target_year")
FORMULA_STARTS = ("=", "+", "-", "@")
TRUE, FALSE = ("yes", "true", "1", "是"), ("no", "false", "0", "否", "")


def _clean(text: object) -> str:
    value = "" if text is None else str(text).strip()
    # a file esgledger wrote for a spreadsheet marks text that looks like a formula with a quote
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        value = value[1:]
    return value


def number(text: str, field: str) -> float:
    try:
        value = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        raise TargetError(field, f"expected a number, found {text!r}") from None
    if not math.isfinite(value):
        raise TargetError(field, f"expected a finite number, found {text!r}")
    return value


def year(text: str, field: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) != 4:
        raise TargetError(field, f"expected a year such as 2030, found {text!r}")
    return int(text)


def value_or_change(text: str, field: str) -> tuple[float | None, float | None]:
    """``8.5`` -> (8.5, None); ``-30%`` -> (None, -0.3); empty -> (None, None)."""
    if not text:
        return None, None
    if text.endswith("%"):
        return None, number(text[:-1].strip(), field) / 100
    return number(text, field), None


def _milestones(text: str) -> tuple[Milestone, ...]:
    found = []
    for index, part in enumerate((p.strip() for p in text.split(";") if p.strip()), start=1):
        where = f"milestones[{index}]"
        year_text, equals, rest = (s.strip() for s in part.partition("="))
        if not equals:
            raise TargetError(where, f"expected YEAR=VALUE or YEAR=CHANGE%, found {part!r}")
        given_year = year(year_text, where)
        value, change = value_or_change(rest, where)
        assert given_year is not None
        found.append(Milestone(given_year, value, change))
    return tuple(found)


def _credits(text: str) -> tuple[Credit, ...]:
    found = []
    for index, part in enumerate((p.strip() for p in text.split(";") if p.strip()), start=1):
        where = f"credits[{index}]"
        pieces = [p.strip() for p in part.split("|")]
        if len(pieces) != 3 or not pieces[1]:
            raise TargetError(where, f"expected YEAR|QUANTITY|SOURCE, found {part!r}")
        given_year = year(pieces[0], where)
        if given_year is None:
            raise TargetError(where, f"a credit needs its year, found {part!r}")
        found.append(Credit(given_year, number(pieces[1], where), pieces[2]))
    return tuple(found)


def _listed(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace("，", ",").split(",") if p.strip())


def _flag(text: str, field: str) -> bool:
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise TargetError(field, f"expected yes or no, found {text!r}")


def definition_from_text(row: Mapping[str, object]) -> TargetDefinition:
    """A target from a row of text (unknown columns are the caller's to refuse); a
    :class:`TargetError` names the column and what was expected."""
    cell = {name: _clean(row.get(name)) for name in COLUMNS}
    for name in ("target_id", "name", "kind", "metric_key", "entity"):
        if not cell[name]:
            raise TargetError(name, "required")
    target_value, target_change = value_or_change(cell["target"], "target")
    return TargetDefinition(
        target_id=cell["target_id"],
        name=cell["name"],
        name_zh=cell["name_zh"] or None,
        kind=cell["kind"],
        metric_key=cell["metric_key"],
        entity_id=cell["entity"],
        covers=cell["covers"] or None,
        base_year=year(cell["base_year"], "base_year"),
        base_value=number(cell["base_value"], "base_value") if cell["base_value"] else None,
        base_source=cell["base_source"] or None,
        base_method=cell["base_method"] or None,
        target_year=year(cell["target_year"], "target_year"),
        target_value=target_value,
        target_change=target_change,
        milestones=_milestones(cell["milestones"]),
        gases=_listed(cell["gases"]),
        scopes=_listed(cell["scopes"]),
        net=_flag(cell["net"], "net"),
        gross_target=cell["gross_target"] or None,
        credits=_credits(cell["credits"]),
        note=cell["note"] or None,
    )


def _num(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _spelt(value: float | None, change: float | None) -> str:
    if change is not None:
        return f"{_num(round(change * 100, 10))}%"
    return "" if value is None else _num(value)


def text_of(target: TargetDefinition) -> dict[str, str]:
    """The row :func:`definition_from_text` reads back as ``target``."""
    return {
        "target_id": target.target_id,
        "name": target.name,
        "name_zh": target.name_zh or "",
        "kind": target.kind,
        "metric_key": target.metric_key,
        "entity": target.entity_id,
        "covers": target.covers or "",
        "base_year": "" if target.base_year is None else str(target.base_year),
        "base_value": "" if target.base_value is None else _num(target.base_value),
        "base_source": target.base_source or "",
        "base_method": target.base_method or "",
        "target_year": "" if target.target_year is None else str(target.target_year),
        "target": _spelt(target.target_value, target.target_change),
        "milestones": ";".join(f"{m.year}={_spelt(m.value, m.change)}" for m in target.milestones),
        "gases": ",".join(target.gases),
        "scopes": ",".join(target.scopes),
        "net": "yes" if target.net else "no",
        "gross_target": target.gross_target or "",
        "credits": ";".join(f"{c.year}|{_num(c.quantity)}|{c.source}" for c in target.credits),
        "note": target.note or "",
    }


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    """The rows as UTF-8 CSV with a header; text a spreadsheet would run is kept as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in COLUMNS])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    """The rows as an XLSX workbook (one sheet, ``Targets``) that the import reads back."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Targets"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[name] for name in COLUMNS])
    keep_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
