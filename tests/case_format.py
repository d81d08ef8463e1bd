"""The format of the hand-worked calculation cases written as data (openfisca-test style) in
``tests/cases/`` and ``tests/cases_group/``: reading and validation (:mod:`tests.case_runner`
runs them).

Each case describes a small organisation, the data it reported and the values worked out by hand
from the published factors (``/work/shared/reference/standards.md`` section 5).

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
             ownership: 0.6, operational_control: true, financial_control: true,
             cell_technology: cwpb, valid_from: 2020-01-01, valid_to: 2030-12-31,
             name: Plant, name_zh: 工厂}
        inputs:                                       # period defaults to the case's
          - {entity: plant, metric: energy.diesel, value: 100, unit: t}
          - {entity: plant, metric: workforce.headcount, value: 40, unit: person,
             dimensions: "gender=female"}            # optional: a breakdown member's figure
        transfers:                                    # optional: internal energy supplies
          - {from: power, to: plant, carrier: electricity, value: 800000, unit: MWh,
             reported_by: from, period: "2024"}       # period and reported_by optional
        certificates:                                 # optional: green certificate claims
          - {entity: plant, scheme: GEC, certificate_id: GEC-1, mwh: 2000, period: "2024"}
        base_year: {year: "2022", threshold: 0.05}    # optional: set before any calculation
        settings: {scope3.categories: [1, 3, 4]}      # optional: inventory settings, set first
        expected:
          - metric: energy.total_tce
            entity: grp
            period: "2024"                            # optional, defaults to the case's
            value: 145.71
            abs_tolerance: 0.001                      # or rel_tolerance: exactly one of them
            working: "100 t x 1.4571 kgce/kg = 145 710 kgce = 145.71 tce"
            reference: "GB/T 2589-2020 Appendix A (diesel)"
            options: {gwp: AR6}                       # optional: overrides the case's options
            restated: true                            # optional: the base year's restated value
            reported: {value: 160, difference: -0.0893125}  # optional: the published figure
                                                      # beside it, (computed - published) / published
          - metric: "workforce.headcount{gender=female}"  # a breakdown member: its metric key
            entity: grp
            value: 40
            abs_tolerance: 0
            working: "..."
            reference: "..."
          - metric: energy.electricity_purchased      # a value that must NOT exist:
            entity: grp
            absent: true                              # then no value and no tolerance
            working: "..."
            reference: "..."

Certificates are imported after the data, so that the importer can check them against the
electricity consumed. Calculations run in the order of the expected items: each run of consecutive
items with the same period and options is one calculation (with the base-year check) followed by
its comparisons, so a case can compute the same data with AR5 and then with AR6; with a base year
the periods run in ascending order, so that a later period can restate it. Restated values
(``Ledger.restated_value``; with ``absent: true``: not restated) are compared once every
calculation has run. Unknown keys anywhere are errors, and every expected item must carry its
working and reference. Expected values are written by hand, never taken from program output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from esgledger.calc import CalcOptions
from esgledger.catalogue.breakdowns import base_metric
from esgledger.domain import CELL_TECHNOLOGIES, ENTITY_TYPES, Period
from esgledger.ingest.organisation import OPTIONAL as ORGANISATION_OPTIONAL
from esgledger.ledger.settings import SETTINGS

FILE_REQUIRED = {"cases"}
FILE_OPTIONAL = {"description"}
CASE_REQUIRED = {"name", "period", "entities", "inputs", "expected"}
CASE_OPTIONAL = {
    "description",
    "reference",
    "options",
    "transfers",
    "certificates",
    "base_year",
    "settings",
}
ENTITY_REQUIRED = {"id", "country"}
# the organisation file's columns (aliases aside), as a case spells an entity
ENTITY_OPTIONAL = {"name", "parent", *ORGANISATION_OPTIONAL} - {"aliases"}
INPUT_REQUIRED = {"entity", "metric", "value", "unit"}
INPUT_OPTIONAL = {"period", "method", "source", "note", "dimensions"}
TRANSFER_REQUIRED = {"from", "to", "carrier", "value", "unit"}
TRANSFER_OPTIONAL = {"period", "reported_by", "note"}
CERTIFICATE_REQUIRED = {"entity", "scheme", "certificate_id", "mwh"}
CERTIFICATE_OPTIONAL = {"period"}
BASE_YEAR_REQUIRED = {"year"}
BASE_YEAR_OPTIONAL = {"threshold"}
EXPECTED_REQUIRED = {"metric", "entity", "working", "reference"}
EXPECTED_OPTIONAL = {
    "period",
    "value",
    "abs_tolerance",
    "rel_tolerance",
    "absent",
    "options",
    "restated",
    "reported",
}
OPTION_KEYS = {f.name for f in dataclasses.fields(CalcOptions)}


@dataclass(frozen=True)
class CaseRef:
    """One case of one file, as pytest parametrises it."""

    file: str
    name: str
    case: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


# -- reading ---------------------------------------------------------------------------------------


def case_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def text(value: Any) -> str:
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


def collect_cases(directory: Path) -> list[CaseRef]:
    """Every case of every file that parses; the well-formedness test reports the rest."""
    found = []
    for path in case_files(directory):
        try:
            content = read(path)
        except yaml.YAMLError:
            continue
        if not isinstance(content, dict) or not isinstance(content.get("cases"), list):
            continue
        for index, case in enumerate(content["cases"]):
            name = case.get("name") if isinstance(case, dict) else None
            found.append(CaseRef(path.name, str(name or f"cases[{index}]"), case))
    return found


# -- validation ------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_keys(where: str, item: Any, required: set[str], optional: set[str]) -> list[str]:
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
        Period.parse(text(value))
    except ValueError as exc:
        return [f"{where}: {exc}"]
    return []


def _check_options(where: str, case: dict[str, Any], item: dict[str, Any] | None) -> list[str]:
    given = (item if item is not None else case).get("options") or {}
    problems = check_keys(f"{where}: options", given, set(), OPTION_KEYS)
    if isinstance(given, dict) and not given.keys() - OPTION_KEYS:
        try:
            options_of(case, item)
        except ValueError as exc:
            problems.append(f"{where}: options: {exc}")
    return problems


def _check_entities(where: str, entities: Any) -> tuple[list[str], set[str]]:
    problems: list[str] = []
    if not isinstance(entities, list) or not entities:
        return [f"{where}: entities must be a non-empty list"], set()
    entity_ids: set[str] = set()
    for index, entity in enumerate(entities):
        at = f"{where}: entities[{index}]"
        problems += check_keys(at, entity, ENTITY_REQUIRED, ENTITY_OPTIONAL)
        if not isinstance(entity, dict):
            continue
        entity_id = text(entity.get("id"))
        if entity_id in entity_ids:
            problems.append(f"{at}: duplicate entity id {entity_id!r}")
        entity_ids.add(entity_id)
        if entity.get("type") and entity["type"] not in ENTITY_TYPES:
            problems.append(
                f"{at}: type {entity['type']!r} is not one of {', '.join(ENTITY_TYPES)}"
            )
        if "financial_control" in entity and not isinstance(entity["financial_control"], bool):
            problems.append(f"{at}: financial_control must be true or false")
        tech = entity.get("cell_technology")
        if tech is not None and tech not in CELL_TECHNOLOGIES:
            problems.append(
                f"{at}: cell_technology {tech!r} is not one of {', '.join(CELL_TECHNOLOGIES)}"
            )
    for index, entity in enumerate(entities):
        parent = entity.get("parent") if isinstance(entity, dict) else None
        if parent and text(parent) not in entity_ids:
            problems.append(
                f"{where}: entities[{index}]: parent {parent!r} is not an entity of this case"
            )
    return problems, entity_ids


def _check_rows(
    where: str,
    rows: Any,
    name: str,
    keys: tuple[set[str], set[str]],
    entity_fields: tuple[str, ...],
    number_field: str,
    entity_ids: set[str],
) -> list[str]:
    """Inputs, transfers and certificates: known keys, entities of the case, a number."""
    if not isinstance(rows, list):
        return [f"{where}: {name} must be a list"]
    problems: list[str] = []
    for index, item in enumerate(rows):
        at = f"{where}: {name}[{index}]"
        problems += check_keys(at, item, *keys)
        if not isinstance(item, dict):
            continue
        for field in entity_fields:
            if field in item and text(item[field]) not in entity_ids:
                problems.append(f"{at}: {field} {item[field]!r} is not an entity of this case")
        if number_field in item and not _is_number(item[number_field]):
            problems.append(f"{at}: {number_field} {item[number_field]!r} is not a number")
        if "period" in item:
            problems += _check_period(f"{at}: period", item["period"])
    return problems


def _check_expected(where: str, case: dict[str, Any], metric_ids: set[str]) -> list[str]:
    expected = case.get("expected")
    if not isinstance(expected, list) or not expected:
        return [f"{where}: expected must be a non-empty list"]
    entity_ids = {text(e.get("id")) for e in case.get("entities") or [] if isinstance(e, dict)}
    problems: list[str] = []
    for index, item in enumerate(expected):
        at = f"{where}: expected[{index}]"
        problems += check_keys(at, item, EXPECTED_REQUIRED, EXPECTED_OPTIONAL)
        if not isinstance(item, dict):
            continue
        for key in ("working", "reference"):
            if key in item and (not isinstance(item[key], str) or not item[key].strip()):
                problems.append(f"{at}: {key} must be a non-empty text")
        if "entity" in item and text(item["entity"]) not in entity_ids:
            problems.append(f"{at}: entity {item['entity']!r} is not an entity of this case")
        if "metric" in item and base_metric(str(item["metric"])) not in metric_ids:
            problems.append(f"{at}: metric {item['metric']!r} is not in the catalogue")
        if "period" in item:
            problems += _check_period(f"{at}: period", item["period"])
        if item.get("options") is not None:
            problems += _check_options(at, case, item)
        if item.get("restated") is not None and item.get("restated") is not True:
            problems.append(f"{at}: restated must be true when given")
        if item.get("restated") and case.get("base_year") is None:
            problems.append(f"{at}: a restated value needs the case's base_year")
        reported = item.get("reported")
        if reported is not None and (
            not isinstance(reported, dict)
            or set(reported) != {"value", "difference"}
            or not all(_is_number(v) for v in reported.values())
        ):
            problems.append(f"{at}: reported is {{value: number, difference: number}}")
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


def validate_case(where: str, case: Any, metric_ids: set[str]) -> list[str]:
    """Every problem of one case; an empty list when it is well-formed."""
    problems = check_keys(where, case, CASE_REQUIRED, CASE_OPTIONAL)
    if not isinstance(case, dict):
        return problems
    if "period" in case:
        problems += _check_period(f"{where}: period", case["period"])
    problems += _check_options(where, case, None)
    entity_problems, entity_ids = _check_entities(where, case.get("entities"))
    problems += entity_problems
    inputs = case.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        problems.append(f"{where}: inputs must be a non-empty list")
    else:
        problems += _check_rows(
            where,
            inputs,
            "inputs",
            (INPUT_REQUIRED, INPUT_OPTIONAL),
            ("entity",),
            "value",
            entity_ids,
        )
        for index, item in enumerate(inputs):
            if (
                isinstance(item, dict)
                and "metric" in item
                and base_metric(str(item["metric"])) not in metric_ids
            ):
                problems.append(
                    f"{where}: inputs[{index}]: metric {item['metric']!r} is not in the catalogue"
                )
    problems += _check_rows(
        where,
        case.get("transfers", []),
        "transfers",
        (TRANSFER_REQUIRED, TRANSFER_OPTIONAL),
        ("from", "to"),
        "value",
        entity_ids,
    )
    problems += _check_rows(
        where,
        case.get("certificates", []),
        "certificates",
        (CERTIFICATE_REQUIRED, CERTIFICATE_OPTIONAL),
        ("entity",),
        "mwh",
        entity_ids,
    )
    base_year = case.get("base_year")
    if base_year is not None:
        problems += check_keys(
            f"{where}: base_year", base_year, BASE_YEAR_REQUIRED, BASE_YEAR_OPTIONAL
        )
        if isinstance(base_year, dict):
            if "year" in base_year:
                problems += _check_period(f"{where}: base_year: year", base_year["year"])
            threshold = base_year.get("threshold")
            if threshold is not None and not (_is_number(threshold) and 0 < threshold < 1):
                problems.append(f"{where}: base_year: threshold must be a fraction in (0, 1)")
    settings = case.get("settings", {})
    if not isinstance(settings, dict) or not settings.keys() <= set(SETTINGS):
        problems.append(
            f"{where}: settings must map setting keys ({', '.join(SETTINGS)}) to values"
        )
    return problems + _check_expected(where, case, metric_ids)


def validate_file(path: Path, metric_ids: set[str]) -> list[str]:
    try:
        content = read(path)
    except yaml.YAMLError as exc:
        return [f"{path.name}: not valid YAML: {exc}"]
    problems = check_keys(path.name, content, FILE_REQUIRED, FILE_OPTIONAL)
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


def options_of(case: dict[str, Any], item: dict[str, Any] | None = None) -> CalcOptions:
    """The case's options, overridden by the expected item's."""
    merged = dict(case.get("options") or {})
    merged.update((item or {}).get("options") or {})
    return CalcOptions(**{k: str(v) for k, v in merged.items()})
