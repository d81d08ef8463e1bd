"""Hand-worked group-accounting cases, written as data in ``tests/cases_group/*.yaml``.

The format is the one of ``tests/cases`` (see :mod:`tests.test_calc_cases`, whose validator and
comparison this runner reuses), extended for what an aluminium group's inventory needs:

- entities may carry ``financial_control`` and ``cell_technology`` (cwpb, swpb, vss, hss);
- ``transfers:`` internal energy supplies, imported with ``Ledger.import_transfers``::

      transfers:
        - {from: power, to: smelter, carrier: electricity, value: 800000, unit: MWh,
           reported_by: from, period: "2024"}          # period and reported_by optional

- ``certificates:`` green certificate claims, imported with ``Ledger.import_certificates``
  (after the data, so that the importer can check them against the electricity consumed)::

      certificates:
        - {entity: smelter, scheme: GEC, certificate_id: GEC-1, mwh: 2000, period: "2024"}

- ``base_year: {year: "2022", threshold: 0.05}``: set before any calculation; the periods are then
  calculated in ascending order so that a later period can restate the base year;
- an expected item may carry ``options:`` (overriding the case's options for that calculation, e.g.
  ``{gwp: AR6}``) and ``restated: true`` (compare ``Ledger.restated_value`` instead of ``show``;
  with ``absent: true`` it asserts that the base year was *not* restated).

Calculations run in the order of the expected items: each run of consecutive items with the same
period and options is one ``calc`` followed by its comparisons (so a case can compute the same data
with AR5 and then with AR6). Restated values are compared once every calculation has run.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from esgledger.calc import CalcOptions
from esgledger.catalogue import load_catalogue
from esgledger.domain import CELL_TECHNOLOGIES
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_calc_cases import (
    OPTION_KEYS,
    CaseRef,
    _case_files,
    _check_keys,
    _check_period,
    _compare,
    _describe,
    _is_number,
    _read,
    _text,
    _write_data,
    collect_cases,
    judge,
    validate_case,
)

CASES_DIR = Path(__file__).parent / "cases_group"

FILE_KEYS = {"cases", "description"}
GROUP_CASE_KEYS = {"transfers", "certificates", "base_year"}
GROUP_ENTITY_KEYS = {"financial_control", "cell_technology"}
GROUP_EXPECTED_KEYS = {"options", "restated"}
TRANSFER_REQUIRED = {"from", "to", "carrier", "value", "unit"}
TRANSFER_OPTIONAL = {"period", "reported_by", "note"}
CERTIFICATE_REQUIRED = {"entity", "scheme", "certificate_id", "mwh"}
CERTIFICATE_OPTIONAL = {"period"}
BASE_YEAR_REQUIRED = {"year"}
BASE_YEAR_OPTIONAL = {"threshold"}

ORG_COLUMNS = [
    "id",
    "name",
    "parent",
    "country",
    "name_zh",
    "type",
    "grid_region",
    "ownership",
    "operational_control",
    "financial_control",
    "cell_technology",
    "valid_from",
    "valid_to",
]
TRANSFER_COLUMNS = ["from", "to", "period", "carrier", "value", "unit", "reported_by"]
CERTIFICATE_COLUMNS = ["entity", "period", "scheme", "certificate_id", "mwh"]


# -- validation ------------------------------------------------------------------------------------


def _base_format(case: dict[str, Any]) -> dict[str, Any]:
    """The case without the group extensions, for the validator of ``tests/cases``."""
    base = {k: v for k, v in case.items() if k not in GROUP_CASE_KEYS}
    if isinstance(base.get("entities"), list):
        base["entities"] = [
            {k: v for k, v in e.items() if k not in GROUP_ENTITY_KEYS} if isinstance(e, dict) else e
            for e in base["entities"]
        ]
    if isinstance(base.get("expected"), list):
        base["expected"] = [
            {k: v for k, v in e.items() if k not in GROUP_EXPECTED_KEYS}
            if isinstance(e, dict)
            else e
            for e in base["expected"]
        ]
    return base


def validate_group_case(where: str, case: Any, metric_ids: set[str]) -> list[str]:
    if not isinstance(case, dict):
        return [f"{where}: expected a mapping"]
    problems = validate_case(where, _base_format(case), metric_ids)
    entity_ids = {_text(e.get("id")) for e in case.get("entities") or [] if isinstance(e, dict)}

    for index, entity in enumerate(case.get("entities") or []):
        if not isinstance(entity, dict):
            continue
        at = f"{where}: entities[{index}]"
        if "financial_control" in entity and not isinstance(entity["financial_control"], bool):
            problems.append(f"{at}: financial_control must be true or false")
        tech = entity.get("cell_technology")
        if tech is not None and tech not in CELL_TECHNOLOGIES:
            problems.append(
                f"{at}: cell_technology {tech!r} is not one of {', '.join(CELL_TECHNOLOGIES)}"
            )

    transfers = case.get("transfers", [])
    if not isinstance(transfers, list):
        problems.append(f"{where}: transfers must be a list")
        transfers = []
    for index, item in enumerate(transfers):
        at = f"{where}: transfers[{index}]"
        problems += _check_keys(at, item, TRANSFER_REQUIRED, TRANSFER_OPTIONAL)
        if not isinstance(item, dict):
            continue
        for side in ("from", "to"):
            if side in item and _text(item[side]) not in entity_ids:
                problems.append(f"{at}: {side} {item[side]!r} is not an entity of this case")
        if "value" in item and not _is_number(item["value"]):
            problems.append(f"{at}: value {item['value']!r} is not a number")
        if "period" in item:
            problems += _check_period(f"{at}: period", item["period"])

    certificates = case.get("certificates", [])
    if not isinstance(certificates, list):
        problems.append(f"{where}: certificates must be a list")
        certificates = []
    for index, item in enumerate(certificates):
        at = f"{where}: certificates[{index}]"
        problems += _check_keys(at, item, CERTIFICATE_REQUIRED, CERTIFICATE_OPTIONAL)
        if not isinstance(item, dict):
            continue
        if "entity" in item and _text(item["entity"]) not in entity_ids:
            problems.append(f"{at}: entity {item['entity']!r} is not an entity of this case")
        if "mwh" in item and not _is_number(item["mwh"]):
            problems.append(f"{at}: mwh {item['mwh']!r} is not a number")
        if "period" in item:
            problems += _check_period(f"{at}: period", item["period"])

    base_year = case.get("base_year")
    if base_year is not None:
        problems += _check_keys(
            f"{where}: base_year", base_year, BASE_YEAR_REQUIRED, BASE_YEAR_OPTIONAL
        )
        if isinstance(base_year, dict):
            if "year" in base_year:
                problems += _check_period(f"{where}: base_year: year", base_year["year"])
            threshold = base_year.get("threshold")
            if threshold is not None and not (_is_number(threshold) and 0 < threshold < 1):
                problems.append(f"{where}: base_year: threshold must be a fraction in (0, 1)")

    for index, item in enumerate(case.get("expected") or []):
        if not isinstance(item, dict):
            continue
        at = f"{where}: expected[{index}]"
        overrides = item.get("options")
        if overrides is not None:
            problems += _check_keys(f"{at}: options", overrides, set(), OPTION_KEYS)
            if isinstance(overrides, dict) and not overrides.keys() - OPTION_KEYS:
                try:
                    _options(case, item)
                except ValueError as exc:
                    problems.append(f"{at}: options: {exc}")
        if item.get("restated") is not None and item.get("restated") is not True:
            problems.append(f"{at}: restated must be true when given")
        if item.get("restated") and base_year is None:
            problems.append(f"{at}: a restated value needs the case's base_year")
    return problems


def validate_group_file(path: Path, metric_ids: set[str]) -> list[str]:
    try:
        content = _read(path)
    except yaml.YAMLError as exc:
        return [f"{path.name}: not valid YAML: {exc}"]
    problems = _check_keys(path.name, content, {"cases"}, FILE_KEYS - {"cases"})
    if not isinstance(content, dict):
        return problems
    cases = content.get("cases")
    if not isinstance(cases, list) or not cases:
        return problems + [f"{path.name}: cases must be a non-empty list"]
    names: set[str] = set()
    for index, case in enumerate(cases):
        name = case.get("name") if isinstance(case, dict) else None
        where = f"{path.name}::{name or f'cases[{index}]'}"
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: name must be a non-empty text")
        elif name in names:
            problems.append(f"{where}: duplicate case name")
        names.add(str(name))
        problems += validate_group_case(where, case, metric_ids)
    return problems


CASES = collect_cases(CASES_DIR)


@pytest.fixture(scope="module")
def catalogue_metric_ids() -> set[str]:
    return set(load_catalogue().metrics)


def test_group_case_files_are_well_formed(catalogue_metric_ids: set[str]) -> None:
    files = _case_files(CASES_DIR)
    assert files, f"no case files in {CASES_DIR}"
    problems = [p for path in files for p in validate_group_file(path, catalogue_metric_ids)]
    assert not problems, "malformed case files:\n  " + "\n  ".join(problems)


def test_group_validator_rejects_bad_extensions(catalogue_metric_ids: set[str]) -> None:
    case = {
        "name": "x",
        "period": "2024",
        "entities": [{"id": "p", "country": "CN", "cell_technology": "pfpb"}],
        "inputs": [{"entity": "p", "metric": "energy.diesel", "value": 1, "unit": "t"}],
        "transfers": [
            {
                "from": "p",
                "to": "q",
                "carrier": "electricity",
                "value": 1,
                "unit": "MWh",
                "colour": "red",
            }
        ],
        "certificates": [{"entity": "p", "scheme": "GEC", "mwh": 1}],
        "expected": [
            {
                "metric": "energy.total_tce",
                "entity": "p",
                "value": 1.4571,
                "abs_tolerance": 1e-9,
                "working": "w",
                "reference": "r",
                "restated": True,
                "options": {"gwp": "AR7"},
            }
        ],
    }
    problems = "\n".join(validate_group_case("f.yaml::x", case, catalogue_metric_ids))
    assert "cell_technology 'pfpb'" in problems
    assert "to 'q' is not an entity" in problems
    assert "unknown key 'colour'" in problems
    assert "missing key 'certificate_id'" in problems
    assert "needs the case's base_year" in problems
    assert "AR7" in problems


# -- running ---------------------------------------------------------------------------------------


def _options(case: dict[str, Any], item: dict[str, Any] | None = None) -> CalcOptions:
    merged = dict(case.get("options") or {})
    merged.update((item or {}).get("options") or {})
    return CalcOptions(**{k: str(v) for k, v in merged.items()})


def _write_organisation(path: Path, entities: list[dict[str, Any]]) -> Path:
    rows = []
    for entity in entities:
        row = {column: _text(entity.get(column)) for column in ORG_COLUMNS}
        row["name"] = row["name"] or row["id"]
        rows.append([row[column] for column in ORG_COLUMNS])
    return write_csv(path, ORG_COLUMNS, rows)


def _write_rows(
    path: Path, columns: list[str], items: list[dict[str, Any]], default_period: str
) -> Path:
    rows = []
    for item in items:
        row = {column: _text(item.get(column)) for column in columns}
        row["period"] = row["period"] or default_period
        rows.append([row[column] for column in columns])
    return write_csv(path, columns, rows)


def _period_of(item: dict[str, Any], default_period: str) -> str:
    return _text(item.get("period")) or default_period


def _steps(case: dict[str, Any]) -> list[tuple[str, CalcOptions, list[dict[str, Any]]]]:
    """Consecutive expected items with the same period and options share one calculation."""
    default_period = _text(case["period"])
    steps: list[tuple[str, CalcOptions, list[dict[str, Any]]]] = []
    for item in case["expected"]:
        if item.get("restated"):
            continue
        period, options = _period_of(item, default_period), _options(case, item)
        if steps and steps[-1][0] == period and steps[-1][1] == options:
            steps[-1][2].append(item)
        else:
            steps.append((period, options, [item]))
    base_year = case.get("base_year")
    if base_year:
        year = _text(base_year["year"])
        if not any(period == year for period, _o, _i in steps):
            steps.append((year, _options(case), []))
        steps.sort(key=lambda step: step[0])  # stable: the base year first, then later periods
    return steps


def _compare_restated(ref: CaseRef, ws: Ledger, item: dict[str, Any], period: str) -> list[str]:
    actual = ws.restated_value(item["metric"], _text(item["entity"]), period)
    return judge("restated " + _describe(ref, item, period), item, actual, "no restated value")


@pytest.mark.parametrize("ref", CASES, ids=[ref.id for ref in CASES])
def test_group_case(
    ref: CaseRef, ws: Ledger, tmp_path: Path, catalogue_metric_ids: set[str]
) -> None:
    problems = validate_group_case(ref.id, ref.case, catalogue_metric_ids)
    if problems:
        pytest.fail("malformed case:\n  " + "\n  ".join(problems), pytrace=False)
    case = copy.deepcopy(ref.case)
    default_period = _text(case["period"])

    ws.import_organisation(_write_organisation(tmp_path / "org.csv", case["entities"]))
    ws.import_data(_write_data(tmp_path / "data.csv", case["inputs"], default_period))
    if case.get("transfers"):
        ws.import_transfers(
            _write_rows(
                tmp_path / "transfers.csv", TRANSFER_COLUMNS, case["transfers"], default_period
            )
        )
    if case.get("certificates"):
        ws.import_certificates(
            _write_rows(
                tmp_path / "certificates.csv",
                CERTIFICATE_COLUMNS,
                case["certificates"],
                default_period,
            )
        )
    if case.get("base_year"):
        threshold = case["base_year"].get("threshold")
        ws.set_base_year(
            _text(case["base_year"]["year"]), float(threshold) if threshold is not None else None
        )

    failures: list[str] = []
    for period, options, items in _steps(case):
        try:
            ws.calc(period, options)
        except Exception as exc:  # report the case, not just the engine's traceback
            workings = "\n".join(
                f"    - {_describe(ref, item, period)}: expected "
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
            failures += _compare_restated(ref, ws, item, _period_of(item, default_period))
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
