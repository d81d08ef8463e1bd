"""Hand-worked calculation cases, written as data in ``tests/cases/*.yaml`` (openfisca-test style).

Each case describes a small organisation, the data points it reported and the values worked out by
hand from the published factors (``/work/shared/reference/standards.md`` section 5). The runner
writes the organisation and the data as CSV files, imports them through :class:`Ledger`,
computes every period named by an expected value with the case's options and compares
``ws.show(...)`` with the hand-worked value, on every backend of the ``ws`` fixture.

Case file format::

    description: what the file covers                 # optional
    cases:
      - name: diesel to standard coal                 # unique in the file
        description: ...                              # optional
        reference: "GB/T 2589-2020 Appendix A"        # optional, the case's main source
        period: "2024"                                # default period of inputs and expectations
        options: {gwp: AR5, electricity_tce: calorific, grid_series: default}   # optional
        entities:                                     # parent "" or missing = a root
          - {id: grp, country: CN, type: group}
          - {id: plant, parent: grp, country: CN, type: plant, grid_region: north,
             ownership: 0.6, operational_control: true, valid_from: 2020-01-01,
             valid_to: 2030-12-31, name: Plant, name_zh: 工厂}
        inputs:                                       # period defaults to the case's
          - {entity: plant, metric: energy.diesel, value: 100, unit: t}
        expected:
          - metric: energy.total_tce
            entity: grp
            period: "2024"                            # optional, defaults to the case's
            value: 145.71
            abs_tolerance: 0.001                      # or rel_tolerance: exactly one of them
            working: "100 t x 1.4571 kgce/kg = 145 710 kgce = 145.71 tce"
            reference: "GB/T 2589-2020 Appendix A (diesel)"
          - metric: energy.electricity_purchased      # a value that must NOT exist:
            entity: grp
            absent: true                              # then no value and no tolerance
            working: "..."
            reference: "..."

Unknown keys anywhere are errors, and every expected item must carry its working and reference.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from esgledger.calc import CalcOptions
from esgledger.catalogue import load_catalogue
from esgledger.domain import ENTITY_TYPES, Period
from esgledger.errors import EsgLedgerError
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

CASES_DIR = Path(__file__).parent / "cases"

FILE_REQUIRED = {"cases"}
FILE_OPTIONAL = {"description"}
CASE_REQUIRED = {"name", "period", "entities", "inputs", "expected"}
CASE_OPTIONAL = {"description", "reference", "options"}
ENTITY_REQUIRED = {"id", "country"}
ENTITY_OPTIONAL = {
    "name",
    "name_zh",
    "parent",
    "type",
    "grid_region",
    "ownership",
    "operational_control",
    "valid_from",
    "valid_to",
}
INPUT_REQUIRED = {"entity", "metric", "value", "unit"}
INPUT_OPTIONAL = {"period", "method", "source", "note"}
EXPECTED_REQUIRED = {"metric", "entity", "working", "reference"}
EXPECTED_OPTIONAL = {"period", "value", "abs_tolerance", "rel_tolerance", "absent"}
OPTION_KEYS = {f.name for f in dataclasses.fields(CalcOptions)}

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
    "valid_from",
    "valid_to",
]
DATA_COLUMNS = ["entity", "period", "metric", "value", "unit", "method", "source", "note"]


@dataclass(frozen=True)
class CaseRef:
    """One case of one file, as pytest parametrises it."""

    file: str
    name: str
    case: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


# -- loading and validation ------------------------------------------------------------------------


def _case_files(directory: Path = CASES_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _text(value: Any) -> str:
    """A YAML scalar as the text a CSV cell would hold (dates and years arrive typed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_keys(where: str, item: Any, required: set[str], optional: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: expected a mapping, found {type(item).__name__}"]
    problems = [f"{where}: missing key {key!r}" for key in sorted(required - item.keys())]
    problems += [
        f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(required | optional))})"
        for key in sorted(item.keys() - required - optional)
    ]
    return problems


def _check_period(where: str, value: Any) -> list[str]:
    try:
        Period.parse(_text(value))
    except ValueError as exc:
        return [f"{where}: {exc}"]
    return []


def validate_case(where: str, case: Any, metric_ids: set[str]) -> list[str]:
    """Every problem of one case; an empty list when it is well-formed."""
    problems = _check_keys(where, case, CASE_REQUIRED, CASE_OPTIONAL)
    if not isinstance(case, dict):
        return problems
    if "period" in case:
        problems += _check_period(f"{where}: period", case["period"])
    options = case.get("options") or {}
    problems += _check_keys(f"{where}: options", options, set(), OPTION_KEYS)
    if isinstance(options, dict) and not options.keys() - OPTION_KEYS:
        try:
            CalcOptions(**{k: str(v) for k, v in options.items()})
        except ValueError as exc:
            problems.append(f"{where}: options: {exc}")

    entity_ids: set[str] = set()
    entities = case.get("entities")
    if not isinstance(entities, list) or not entities:
        problems.append(f"{where}: entities must be a non-empty list")
        entities = []
    for index, entity in enumerate(entities):
        at = f"{where}: entities[{index}]"
        problems += _check_keys(at, entity, ENTITY_REQUIRED, ENTITY_OPTIONAL)
        if not isinstance(entity, dict):
            continue
        entity_id = _text(entity.get("id"))
        if entity_id in entity_ids:
            problems.append(f"{at}: duplicate entity id {entity_id!r}")
        entity_ids.add(entity_id)
        if entity.get("type") and entity["type"] not in ENTITY_TYPES:
            problems.append(
                f"{at}: type {entity['type']!r} is not one of {', '.join(ENTITY_TYPES)}"
            )
    for index, entity in enumerate(entities):
        if (
            isinstance(entity, dict)
            and entity.get("parent")
            and _text(entity["parent"]) not in entity_ids
        ):
            problems.append(
                f"{where}: entities[{index}]: parent {entity['parent']!r} is not an "
                f"entity of this case"
            )

    inputs = case.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        problems.append(f"{where}: inputs must be a non-empty list")
        inputs = []
    for index, item in enumerate(inputs):
        at = f"{where}: inputs[{index}]"
        problems += _check_keys(at, item, INPUT_REQUIRED, INPUT_OPTIONAL)
        if not isinstance(item, dict):
            continue
        if "entity" in item and _text(item["entity"]) not in entity_ids:
            problems.append(f"{at}: entity {item['entity']!r} is not an entity of this case")
        if "metric" in item and item["metric"] not in metric_ids:
            problems.append(f"{at}: metric {item['metric']!r} is not in the catalogue")
        if "value" in item and not _is_number(item["value"]):
            problems.append(f"{at}: value {item['value']!r} is not a number")
        if "period" in item:
            problems += _check_period(f"{at}: period", item["period"])

    expected = case.get("expected")
    if not isinstance(expected, list) or not expected:
        problems.append(f"{where}: expected must be a non-empty list")
        expected = []
    for index, item in enumerate(expected):
        at = f"{where}: expected[{index}]"
        problems += _check_keys(at, item, EXPECTED_REQUIRED, EXPECTED_OPTIONAL)
        if not isinstance(item, dict):
            continue
        for key in ("working", "reference"):
            if key in item and (not isinstance(item[key], str) or not item[key].strip()):
                problems.append(f"{at}: {key} must be a non-empty text")
        if "entity" in item and _text(item["entity"]) not in entity_ids:
            problems.append(f"{at}: entity {item['entity']!r} is not an entity of this case")
        if "metric" in item and item["metric"] not in metric_ids:
            problems.append(f"{at}: metric {item['metric']!r} is not in the catalogue")
        if "period" in item:
            problems += _check_period(f"{at}: period", item["period"])
        tolerances = [key for key in ("abs_tolerance", "rel_tolerance") if key in item]
        if item.get("absent") is not None and item.get("absent") is not True:
            problems.append(f"{at}: absent must be true when given")
        if item.get("absent") is True:
            extra = [key for key in ("value", *tolerances) if key in item]
            if extra:
                problems.append(f"{at}: an absent value takes no {', '.join(extra)}")
            continue
        if "value" not in item:
            problems.append(f"{at}: missing key 'value' (or absent: true)")
        elif not _is_number(item["value"]):
            problems.append(f"{at}: value {item['value']!r} is not a number")
        if len(tolerances) != 1:
            problems.append(f"{at}: give exactly one of abs_tolerance and rel_tolerance")
        for key in tolerances:
            if not _is_number(item[key]) or item[key] < 0:
                problems.append(f"{at}: {key} {item[key]!r} is not a number >= 0")
    return problems


def validate_file(path: Path, metric_ids: set[str]) -> list[str]:
    try:
        content = _read(path)
    except yaml.YAMLError as exc:
        return [f"{path.name}: not valid YAML: {exc}"]
    problems = _check_keys(path.name, content, FILE_REQUIRED, FILE_OPTIONAL)
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
        problems += validate_case(where, case, metric_ids)
    return problems


def collect_cases(directory: Path = CASES_DIR) -> list[CaseRef]:
    """Every case of every file that parses; the well-formedness test reports the rest."""
    found = []
    for path in _case_files(directory):
        try:
            content = _read(path)
        except yaml.YAMLError:
            continue
        if not isinstance(content, dict) or not isinstance(content.get("cases"), list):
            continue
        for index, case in enumerate(content["cases"]):
            name = case.get("name") if isinstance(case, dict) else None
            found.append(CaseRef(path.name, str(name or f"cases[{index}]"), case))
    return found


CASES = collect_cases()


@pytest.fixture(scope="module")
def metric_ids() -> set[str]:
    return set(load_catalogue().metrics)


# -- well-formedness -------------------------------------------------------------------------------


def test_case_files_are_well_formed(metric_ids: set[str]) -> None:
    files = _case_files()
    assert files, f"no case files in {CASES_DIR}"
    problems = [problem for path in files for problem in validate_file(path, metric_ids)]
    assert not problems, "malformed case files:\n  " + "\n  ".join(problems)


def test_validator_rejects_unknown_keys_and_missing_working(metric_ids: set[str]) -> None:
    """The validator itself: unknown keys and an expected item without working are errors."""
    case = {
        "name": "x",
        "period": "2024",
        "colour": "red",
        "entities": [{"id": "p", "country": "CN", "size": 3}],
        "inputs": [{"entity": "p", "metric": "energy.diesel", "value": 1, "unit": "t"}],
        "expected": [
            {
                "metric": "energy.total_tce",
                "entity": "p",
                "value": 1.4571,
                "abs_tolerance": 1e-9,
                "reference": "GB/T 2589-2020",
            }
        ],
    }
    problems = "\n".join(validate_case("f.yaml::x", case, metric_ids))
    assert "unknown key 'colour'" in problems
    assert "unknown key 'size'" in problems
    assert "missing key 'working'" in problems


# -- running the cases -----------------------------------------------------------------------------


def _write_organisation(path: Path, entities: list[dict[str, Any]]) -> Path:
    rows = []
    for entity in entities:
        row = {column: _text(entity.get(column)) for column in ORG_COLUMNS}
        row["name"] = row["name"] or row["id"]
        rows.append([row[column] for column in ORG_COLUMNS])
    return write_csv(path, ORG_COLUMNS, rows)


def _write_data(path: Path, inputs: list[dict[str, Any]], default_period: str) -> Path:
    rows = []
    for item in inputs:
        row = {column: _text(item.get(column)) for column in DATA_COLUMNS}
        row["period"] = row["period"] or default_period
        rows.append([row[column] for column in DATA_COLUMNS])
    return write_csv(path, DATA_COLUMNS, rows)


def _describe(ref: CaseRef, item: dict[str, Any], period: str) -> str:
    return f"{ref.file} :: {ref.name} :: {item['metric']}@{_text(item['entity'])}@{period}"


@pytest.mark.parametrize("ref", CASES, ids=[ref.id for ref in CASES])
def test_case(ref: CaseRef, ws: Ledger, tmp_path: Path, metric_ids: set[str]) -> None:
    problems = validate_case(ref.id, ref.case, metric_ids)
    if problems:
        pytest.fail("malformed case:\n  " + "\n  ".join(problems), pytrace=False)
    case = ref.case
    default_period = _text(case["period"])
    options = CalcOptions(**{k: str(v) for k, v in (case.get("options") or {}).items()})

    ws.import_organisation(_write_organisation(tmp_path / "org.csv", case["entities"]))
    ws.import_data(_write_data(tmp_path / "data.csv", case["inputs"], default_period))

    periods = sorted({_text(item.get("period")) or default_period for item in case["expected"]})
    failures: list[str] = []
    for period in periods:
        items = [
            item
            for item in case["expected"]
            if (_text(item.get("period")) or default_period) == period
        ]
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
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def _compare(ref: CaseRef, ws: Ledger, item: dict[str, Any], period: str) -> list[str]:
    try:
        actual: float | None = ws.show(item["metric"], _text(item["entity"]), period).value
    except EsgLedgerError:
        actual = None
    return judge(_describe(ref, item, period), item, actual, "no value")


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
