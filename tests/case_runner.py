"""The runner of the hand-worked calculation cases (format: :mod:`tests.case_format`), used by
``tests/test_calc_cases.py`` (``tests/cases/``) and ``tests/test_calc_cases_group.py``
(``tests/cases_group/``).

The runner writes a case's organisation and data as CSV files, imports them through
:class:`Ledger`, computes the periods named by the expected values and compares
``ws.show(...)`` with the hand-worked value, on every backend of the ``ws`` fixture. A failure
names the file, the case and ``metric@entity@period``, with the expected value, the working and the
reference.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from esgledger.calc import CalcOptions
from esgledger.errors import EsgLedgerError
from tests.case_format import CaseRef, options_of, text, validate_case
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

ORG_COLUMNS = ["id", "name", "parent", "country", "name_zh", "type", "grid_region", "ownership"]
ORG_COLUMNS += ["operational_control", "financial_control", "cell_technology"]
ORG_COLUMNS += ["valid_from", "valid_to"]
DATA_COLUMNS = [
    "entity",
    "period",
    "metric",
    "value",
    "unit",
    "method",
    "source",
    "note",
    "dimensions",
]
TRANSFER_COLUMNS = ["from", "to", "period", "carrier", "value", "unit", "reported_by"]
CERTIFICATE_COLUMNS = ["entity", "period", "scheme", "certificate_id", "mwh"]


def _write_rows(
    path: Path, columns: list[str], items: list[dict[str, Any]], default_period: str | None
) -> Path:
    rows = []
    for item in items:
        row = {column: text(item.get(column)) for column in columns}
        if default_period is not None:
            row["period"] = row["period"] or default_period
        if "name" in row:
            row["name"] = row["name"] or row["id"]
        rows.append([row[column] for column in columns])
    return write_csv(path, columns, rows)


def _period_of(item: dict[str, Any], default_period: str) -> str:
    return text(item.get("period")) or default_period


def _steps(case: dict[str, Any]) -> list[tuple[str, CalcOptions, list[dict[str, Any]]]]:
    """Consecutive expected items with the same period and options share one calculation."""
    default_period = text(case["period"])
    steps: list[tuple[str, CalcOptions, list[dict[str, Any]]]] = []
    for item in case["expected"]:
        if item.get("restated"):
            continue
        period, options = _period_of(item, default_period), options_of(case, item)
        if steps and steps[-1][0] == period and steps[-1][1] == options:
            steps[-1][2].append(item)
        else:
            steps.append((period, options, [item]))
    base_year = case.get("base_year")
    if base_year:
        year = text(base_year["year"])
        if not any(period == year for period, _o, _i in steps):
            steps.append((year, options_of(case), []))
        steps.sort(key=lambda step: step[0])  # stable: the base year first, then later periods
    return steps


def describe(ref: CaseRef, item: dict[str, Any], period: str) -> str:
    return f"{ref.file} :: {ref.name} :: {item['metric']}@{text(item['entity'])}@{period}"


def judge(label: str, item: dict[str, Any], actual: float | None, missing: str) -> list[str]:
    """Compare ``actual`` with an expected item (value within tolerance, or ``absent``); return
    the failure message naming the case, the value, the working and the reference."""
    if item.get("absent"):
        if actual is None:
            return []
        return [
            f"{label}\n  expected: {missing}\n  actual:   {actual!r}\n"
            f"  working:  {item['working']}\n  reference: {item['reference']}"
        ]
    expected = float(item["value"])
    if "abs_tolerance" in item:
        allowed = float(item["abs_tolerance"])
        tolerance_text = f"abs_tolerance {item['abs_tolerance']}"
    else:
        allowed = float(item["rel_tolerance"]) * abs(expected)
        tolerance_text = f"rel_tolerance {item['rel_tolerance']}"
    if actual is not None and abs(actual - expected) <= allowed:
        return []
    difference = "" if actual is None else f" (difference {actual - expected:+.9g})"
    return [
        f"{label}\n  expected: {expected!r} ({tolerance_text})\n"
        f"  actual:   {missing if actual is None else repr(actual)}{difference}\n"
        f"  working:  {item['working']}\n  reference: {item['reference']}"
    ]


REPORTED_TOLERANCE = 5e-7  # the published figure is compared as keyed; the difference to 6 places


def _compare(ref: CaseRef, ws: Ledger, item: dict[str, Any], period: str) -> list[str]:
    try:
        shown = ws.show(item["metric"], text(item["entity"]), period)
    except EsgLedgerError:
        shown = None
    label = describe(ref, item, period)
    failures = judge(label, item, None if shown is None else shown.value, "no value")
    expected = item.get("reported")
    if expected is not None:
        published = None if shown is None or shown.reported is None else shown.reported["value"]
        difference = None if shown is None else shown.difference
        if (
            published is None
            or difference is None
            or abs(published - expected["value"]) > REPORTED_TOLERANCE * abs(expected["value"])
            or abs(difference - expected["difference"]) > REPORTED_TOLERANCE
        ):
            failures.append(
                f"{label}\n  expected published {expected['value']!r}, difference "
                f"{expected['difference']!r}\n  actual:   published {published!r}, difference "
                f"{difference!r}\n  working:  {item['working']}\n  reference: {item['reference']}"
            )
    return failures


def _compare_restated(ref: CaseRef, ws: Ledger, item: dict[str, Any], period: str) -> list[str]:
    actual = ws.restated_value(item["metric"], text(item["entity"]), period)
    return judge("restated " + describe(ref, item, period), item, actual, "no restated value")


def _load(case: dict[str, Any], ws: Ledger, directory: Path) -> None:
    """Set the case's settings; import its organisation, data, transfers and certificates; set
    its base year."""
    default_period = text(case["period"])
    for setting, value in (case.get("settings") or {}).items():
        ws.services.settings.set(ws.admin, setting, value)
    ws.import_organisation(_write_rows(directory / "org.csv", ORG_COLUMNS, case["entities"], None))
    ws.import_data(
        _write_rows(directory / "data.csv", DATA_COLUMNS, case["inputs"], default_period)
    )
    if case.get("transfers"):
        ws.import_transfers(
            _write_rows(
                directory / "transfers.csv", TRANSFER_COLUMNS, case["transfers"], default_period
            )
        )
    if case.get("certificates"):
        ws.import_certificates(
            _write_rows(
                directory / "certificates.csv",
                CERTIFICATE_COLUMNS,
                case["certificates"],
                default_period,
            )
        )
    if case.get("base_year"):
        threshold = case["base_year"].get("threshold")
        ws.set_base_year(
            text(case["base_year"]["year"]), float(threshold) if threshold is not None else None
        )


def run_case(ref: CaseRef, ws: Ledger, directory: Path, metric_ids: set[str]) -> None:
    """Run one case on ``ws``; fail (without a traceback) with every difference found."""
    problems = validate_case(ref.id, ref.case, metric_ids)
    if problems:
        pytest.fail("malformed case:\n  " + "\n  ".join(problems), pytrace=False)
    case = copy.deepcopy(ref.case)
    _load(case, ws, directory)
    failures: list[str] = []
    for period, options, items in _steps(case):
        try:
            ws.calc(period, options)
        except Exception as exc:  # report the case, not just the engine's traceback
            workings = "\n".join(
                f"    - {describe(ref, item, period)}: expected "
                f"{'no value' if item.get('absent') else item['value']}; "
                f"working: {item['working']}"
                for item in items
            )
            failures.append(
                f"{ref.file} :: {ref.name}: calc of period {period} with {options} "
                f"failed: {type(exc).__name__}: {exc}\n  expected:\n{workings}"
            )
            continue
        for item in items:
            failures += _compare(ref, ws, item, period)
    for item in case["expected"]:
        if item.get("restated"):
            failures += _compare_restated(ref, ws, item, _period_of(item, text(case["period"])))
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
