"""Catalogue and factor-set loaders: every malformed rule file is refused with a message that names
the file and the key; factor lookups pick the value valid on a date; the shipped rules load and
cite."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import textwrap
from pathlib import Path

import pytest

from esgledger.api.models import CalcOptionsIn
from esgledger.calc import CalcOptions
from esgledger.calc.bulk.metrics import result_metrics
from esgledger.calc.formulas import FORMULAS
from esgledger.calc.inputs import (
    CERTIFICATE_ROLE,
    RECEIVED_ROLES,
    SUPPLIED_ROLES,
    certificate_values,
)
from esgledger.calc.options import OPTIONS_FILE, option_help, option_rules
from esgledger.calc.runner import BASE_TOTAL_ROLE
from esgledger.calc.selection import Selection
from esgledger.catalogue import load_catalogue
from esgledger.domain import Certificate, Period
from esgledger.errors import EsgLedgerError, FactorNotFound, RuleFileError
from esgledger.factors import load_library
from esgledger.factors.library import FactorLibrary, load_factor_set
from esgledger.report.chart_data import ENERGY_TOTAL_ROLE, SCOPE_ROLES
from esgledger.web.pages.dashboard import KPI_ROLES
from tests.ledger_fixture import Ledger

SOURCE = Path(__file__).resolve().parents[1] / "src" / "esgledger"


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


HEADER = """\
group: test
title: {en: "Test", zh: 测试}
metrics:
"""

INPUTS = """\
  t.coal:
    name: {en: "Coal", zh: 煤}
    unit: t
    kind: input
  t.power:
    name: {en: "Power", zh: 电}
    unit: MWh
    kind: input
"""


def _catalogue_dir(tmp_path: Path, metrics: str) -> Path:
    directory = tmp_path / "catalogue"
    _write(directory, "test.yaml", HEADER + metrics)
    return directory


# -- catalogue -----------------------------------------------------------------------------------


def test_a_small_valid_catalogue_loads_in_dependency_order(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path,
        INPUTS
        + """\
  t.total:
    name: {en: "Total", zh: 合计}
    unit: t
    kind: derived
    formula: {function: sum, inputs: [t.part, t.coal]}
  t.part:
    name: {en: "Part", zh: 部分}
    unit: t
    kind: derived
    formula: {function: sum, inputs: [t.coal]}
""",
    )
    catalogue = load_catalogue(directory, known_functions=set(FORMULAS))
    assert set(catalogue.metrics) == {"t.coal", "t.power", "t.total", "t.part"}
    order = catalogue.order
    assert order.index("t.coal") < order.index("t.part") < order.index("t.total")
    assert catalogue["t.total"].is_derived and not catalogue["t.coal"].is_derived


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path,
        INPUTS
        + """\
  t.coal:
    name: {en: "Coal again", zh: 煤}
    unit: t
    kind: input
""",
    )
    with pytest.raises(RuleFileError) as caught:
        load_catalogue(directory)
    message = str(caught.value)
    assert "duplicate key" in message and "t.coal" in message
    assert str(directory / "test.yaml") in message


def test_duplicate_key_inside_a_metric_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path,
        """\
  t.coal:
    name: {en: "Coal", zh: 煤}
    unit: t
    unit: kg
    kind: input
""",
    )
    with pytest.raises(RuleFileError, match="duplicate key 'unit'"):
        load_catalogue(directory)


def test_metric_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(tmp_path, INPUTS)
    _write(
        directory,
        "other.yaml",
        """\
    group: other
    title: {en: "Other", zh: 其他}
    metrics:
      t.coal:
        name: {en: "Coal", zh: 煤}
        unit: t
        kind: input
    """,
    )
    with pytest.raises(RuleFileError, match="t.coal"):
        load_catalogue(directory)


def test_unknown_key_is_refused_and_named(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path,
        """\
  t.coal:
    name: {en: "Coal", zh: 煤}
    unit: t
    kind: input
    colour: black
""",
    )
    with pytest.raises(RuleFileError) as caught:
        load_catalogue(directory)
    message = str(caught.value)
    assert "unknown key 'colour'" in message
    assert "t.coal" in message and "test.yaml" in message


def test_missing_required_key_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path,
        """\
  t.coal:
    name: {en: "Coal", zh: 煤}
    kind: input
""",
    )
    with pytest.raises(RuleFileError, match="missing required key 'unit'"):
        load_catalogue(directory)


def test_formula_referencing_an_unknown_metric_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path,
        INPUTS
        + """\
  t.total:
    name: {en: "Total", zh: 合计}
    unit: t
    kind: derived
    formula: {function: sum, inputs: [t.coal, t.unobtainium]}
""",
    )
    with pytest.raises(RuleFileError) as caught:
        load_catalogue(directory)
    message = str(caught.value)
    assert "t.total" in message and "t.unobtainium" in message
    assert "test.yaml" in message


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({"t.a": ["t.b"], "t.b": ["t.a"]}, ["t.a", "t.b", "t.a"]),
        ({"t.a": ["t.b"], "t.b": ["t.c"], "t.c": ["t.a"]}, ["t.a", "t.b", "t.c", "t.a"]),
        ({"t.a": ["t.a"]}, ["t.a", "t.a"]),
        # a metric that merely depends on a cycle is not part of the reported path
        ({"t.a": ["t.b"], "t.b": ["t.c"], "t.c": ["t.b"]}, ["t.b", "t.c", "t.b"]),
    ],
)
def test_cycle_is_refused_with_its_path(
    tmp_path: Path, edges: dict[str, list[str]], cycle: list[str]
) -> None:
    metrics = INPUTS
    for metric_id, inputs in edges.items():
        metrics += f"""\
  {metric_id}:
    name: {{en: "{metric_id}", zh: 指标}}
    unit: t
    kind: derived
    formula: {{function: sum, inputs: [{", ".join(inputs + ["t.coal"])}]}}
"""
    directory = _catalogue_dir(tmp_path, metrics)
    with pytest.raises(RuleFileError) as caught:
        load_catalogue(directory)
    message = str(caught.value)
    assert "cycle" in message
    assert " -> ".join(cycle) in message
    assert "test.yaml" in message


@pytest.mark.parametrize("unit", ["bananas", "万香蕉", "t/"])
def test_bad_metric_unit_is_refused(tmp_path: Path, unit: str) -> None:
    directory = _catalogue_dir(
        tmp_path,
        f"""\
  t.coal:
    name: {{en: "Coal", zh: 煤}}
    unit: "{unit}"
    kind: input
""",
    )
    with pytest.raises(RuleFileError) as caught:
        load_catalogue(directory)
    message = str(caught.value)
    assert "t.coal" in message and unit in message


def test_unknown_formula_function_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path,
        INPUTS
        + """\
  t.total:
    name: {en: "Total", zh: 合计}
    unit: t
    kind: derived
    formula: {function: alchemy, inputs: [t.coal]}
""",
    )
    with pytest.raises(RuleFileError, match="alchemy"):
        load_catalogue(directory, known_functions=set(FORMULAS))


def test_not_yaml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    directory = tmp_path / "catalogue"
    path = _write(directory, "broken.yaml", "group: [unclosed\n")
    with pytest.raises(RuleFileError) as caught:
        load_catalogue(directory)
    assert str(path) in str(caught.value)


# -- factor sets ---------------------------------------------------------------------------------


def _factor_set(tmp_path: Path, factors: str, name: str = "set.yaml") -> Path:
    return _write(
        tmp_path / "factors",
        name,
        """\
set: testset
edition: "Test edition 2024"
version: "2024.1"
title: {en: "Test factors", zh: 测试因子}
citation: "A test publication, 2024"
factors:
"""
        + factors,
    )


SERIES = """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022-01-01, value: 0.52, source: "Announcement 2022", confidence: V}
      - {from: 2020-01-01, value: 0.58, source: "Announcement 2020", confidence: S}
      - {from: 2023-01-01, value: 0.50, source: "Announcement 2023", confidence: M}
"""


def test_factor_lookup_picks_the_newest_value_on_or_before_the_date(tmp_path: Path) -> None:
    library = FactorLibrary([load_factor_set(_factor_set(tmp_path, SERIES))])
    cases = {
        dt.date(2020, 1, 1): 0.58,
        dt.date(2021, 12, 31): 0.58,
        dt.date(2022, 1, 1): 0.52,
        dt.date(2022, 6, 30): 0.52,
        dt.date(2023, 1, 1): 0.50,
        dt.date(2030, 1, 1): 0.50,
    }
    for day, expected in cases.items():
        found = library.lookup("testset.grid", day)
        assert found.value == expected, day
        assert found.factor_id == "testset.grid"
        assert found.unit == "tCO2/MWh"
        assert found.edition == "Test edition 2024" and found.version == "2024.1"
    newest = library.lookup("testset.grid", dt.date(2024, 1, 1))
    assert newest.source == "Announcement 2023"
    assert newest.unverified and "[UNVERIFIED]" in newest.citation()
    assert not library.lookup("testset.grid", dt.date(2022, 1, 1)).unverified


def test_factor_lookup_before_the_first_value_raises_factor_not_found(tmp_path: Path) -> None:
    library = FactorLibrary([load_factor_set(_factor_set(tmp_path, SERIES))])
    with pytest.raises(FactorNotFound) as caught:
        library.lookup("testset.grid", dt.date(2019, 12, 31))
    message = str(caught.value)
    assert "testset.grid" in message
    assert "2019-12-31" in message
    assert "2020-01-01" in message


def test_unknown_factor_raises_factor_not_found(tmp_path: Path) -> None:
    library = FactorLibrary([load_factor_set(_factor_set(tmp_path, SERIES))])
    with pytest.raises(FactorNotFound, match="testset.nothing"):
        library.lookup("testset.nothing", dt.date(2024, 1, 1))


@pytest.mark.parametrize(
    ("factors", "fragments"),
    [
        # duplicate YAML key
        (
            """\
  grid:
    unit: tCO2/MWh
    unit: kgCO2/kWh
    values:
      - {from: 2022-01-01, value: 0.5, source: "s", confidence: V}
""",
            ["duplicate key 'unit'"],
        ),
        # unknown key
        (
            """\
  grid:
    unit: tCO2/MWh
    region: north
    values:
      - {from: 2022-01-01, value: 0.5, source: "s", confidence: V}
""",
            ["grid", "unknown key 'region'"],
        ),
        # unknown key in a value
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022-01-01, value: 0.5, source: "s", confidence: V, until: 2023-01-01}
""",
            ["grid", "value #1", "unknown key 'until'"],
        ),
        # bad unit
        (
            """\
  grid:
    unit: tCO2/bananas
    values:
      - {from: 2022-01-01, value: 0.5, source: "s", confidence: V}
""",
            ["grid", "tCO2/bananas"],
        ),
        # bad dates
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: "next year", value: 0.5, source: "s", confidence: V}
""",
            ["grid", "value #1", "'from' is not a date", "next year"],
        ),
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: "2022-13-01", value: 0.5, source: "s", confidence: V}
""",
            ["grid", "'from' is not a date", "2022-13-01"],
        ),
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022, value: 0.5, source: "s", confidence: V}
""",
            ["grid", "'from' is not a date"],
        ),
        # bad confidence tag
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022-01-01, value: 0.5, source: "s", confidence: V}
      - {from: 2023-01-01, value: 0.5, source: "s", confidence: X}
""",
            ["grid", "value #2", "confidence 'X'"],
        ),
        # not a number
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022-01-01, value: "0.5 roughly", source: "s", confidence: V}
""",
            ["grid", "'value' is not a number"],
        ),
        # missing source
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022-01-01, value: 0.5, confidence: V}
""",
            ["grid", "missing required key 'source'"],
        ),
        # two values from the same date
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022-01-01, value: 0.5, source: "s", confidence: V}
      - {from: 2022-01-01, value: 0.6, source: "t", confidence: V}
""",
            ["grid", "two values from 2022-01-01"],
        ),
        # no values
        (
            """\
  grid:
    unit: tCO2/MWh
    values: []
""",
            ["grid", "has no values"],
        ),
        # a value in another unit than its factor
        (
            """\
  grid:
    unit: tCO2/MWh
    values:
      - {from: 2022-01-01, value: 0.5, unit: kgCO2/kWh, source: "s", confidence: V}
""",
            ["grid", "differs from the factor's unit"],
        ),
    ],
)
def test_malformed_factor_set_is_refused(
    tmp_path: Path, factors: str, fragments: list[str]
) -> None:
    path = _factor_set(tmp_path, factors)
    with pytest.raises(RuleFileError) as caught:
        load_factor_set(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_factor_set_defined_twice_is_refused(tmp_path: Path) -> None:
    _factor_set(tmp_path, SERIES, "a.yaml")
    _factor_set(tmp_path, SERIES, "b.yaml")
    with pytest.raises(RuleFileError, match="testset"):
        load_library(tmp_path / "factors")


# -- the shipped rules ---------------------------------------------------------------------------

PUBLIC_METRICS = [
    "production.alumina",
    "production.primary_aluminium",
    "production.rolled_products",
    "production.foil",
    "production.extrusions",
    "production.recycled_aluminium",
    "finance.revenue",
    "energy.raw_coal",
    "energy.washed_coal",
    "energy.coke",
    "energy.diesel",
    "energy.gasoline",
    "energy.fuel_oil",
    "energy.lpg",
    "energy.natural_gas",
    "energy.electricity_purchased",
    "energy.steam_purchased",
    "energy.total_tce",
    "ghg.scope1",
    "ghg.scope2_location",
    "water.withdrawal",
    "air.so2",
    "air.nox",
    "air.particulates",
    "waste.hazardous",
    "waste.non_hazardous",
    "workforce.headcount",
    "training.hours",
    "safety.fatalities",
    "safety.lost_days",
    "safety.hours_worked",
]
DERIVED = {"energy.total_tce", "ghg.scope1", "ghg.scope2_location"}


def test_shipped_catalogue_loads_with_the_public_metric_ids() -> None:
    catalogue = load_catalogue(known_functions=set(FORMULAS))
    missing = [metric_id for metric_id in PUBLIC_METRICS if metric_id not in catalogue]
    assert not missing, f"public metric ids missing from the catalogue: {missing}"
    for metric_id in PUBLIC_METRICS:
        metric = catalogue[metric_id]
        assert metric.is_derived == (metric_id in DERIVED), metric_id
        assert metric.name["en"] and metric.name["zh"], metric_id
    # every derived metric comes after all of its inputs
    position = {metric_id: i for i, metric_id in enumerate(catalogue.order)}
    assert set(position) == set(catalogue.metrics)
    for metric in catalogue.derived():
        assert metric.formula is not None
        for ref in metric.formula.inputs:
            assert position[ref] < position[metric.id], (ref, metric.id)


def _check_library(library: FactorLibrary) -> None:
    assert library.factor_ids()
    for factor_id in library.factor_ids():
        values = library.values(factor_id)
        assert values, factor_id
        for value in values:
            assert value.source.strip(), f"{factor_id} from {value.valid_from} has no source"
            assert value.confidence in {"V", "S", "M", "!"}, factor_id
            if value.confidence in {"M", "!"}:
                assert value.unverified, (
                    f"{factor_id} [{value.confidence}] is not marked unverified"
                )
                assert "[UNVERIFIED]" in value.citation()
                assert value.as_dict()["unverified"] is True
            else:
                assert not value.unverified, factor_id
                assert "UNVERIFIED" not in value.citation()


def test_shipped_factor_values_cite_a_source_and_flag_unverified_values() -> None:
    library = load_library()
    _check_library(library)
    tags = {v.confidence for fid in library.factor_ids() for v in library.values(fid)}
    assert {"M", "!"} & tags, "expected some unverified values in the shipped sets"


def test_factor_values_stored_in_the_ledger_keep_sources_and_flags(ws: Ledger) -> None:
    """The library the engine uses is rebuilt from the database: nothing is lost on the way."""
    shipped = load_library()
    stored = ws.library()
    assert stored.factor_ids() == shipped.factor_ids()
    _check_library(stored)
    for factor_id in shipped.factor_ids():
        expected = [
            (v.valid_from, v.value, v.unit, v.source, v.confidence)
            for v in shipped.values(factor_id)
        ]
        found = [
            (v.valid_from, v.value, v.unit, v.source, v.confidence)
            for v in stored.values(factor_id)
        ]
        assert found == expected, factor_id


# -- catalogue roles -----------------------------------------------------------------------------


def test_a_role_names_its_metric_and_a_role_no_metric_plays_fails_naming_it(
    tmp_path: Path,
) -> None:
    directory = _catalogue_dir(tmp_path, INPUTS)
    text = (directory / "test.yaml").read_text(encoding="utf-8")
    (directory / "test.yaml").write_text(
        text.replace("  t.power:\n", "  t.power:\n    roles: [purchased_electricity]\n"),
        encoding="utf-8",
    )
    catalogue = load_catalogue(directory)
    assert catalogue.role("purchased_electricity").id == "t.power"
    with pytest.raises(EsgLedgerError, match=r"role 'electricity_certificates'.*roles: \["):
        catalogue.role("electricity_certificates")
    # the engine asks by role, so a catalogue without it fails loudly, naming the role
    claim = Certificate(1, "GEC", "GEC-1", "p", "2024", 10.0)
    with pytest.raises(EsgLedgerError, match="electricity_certificates"):
        certificate_values([claim], Period(2024), catalogue)


def test_a_role_played_by_two_metrics_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(tmp_path, INPUTS)
    text = (directory / "test.yaml").read_text(encoding="utf-8")
    text = text.replace("    kind: input\n", "    kind: input\n    roles: [energy_total]\n")
    (directory / "test.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError, match="role 'energy_total' is already played by 't.coal'"):
        load_catalogue(directory)


def test_a_malformed_role_is_refused(tmp_path: Path) -> None:
    directory = _catalogue_dir(
        tmp_path, INPUTS.replace("    kind: input\n", "    kind: input\n    roles: energy\n", 1)
    )
    with pytest.raises(RuleFileError, match="t.coal.*roles must be a list"):
        load_catalogue(directory)


def test_the_shipped_catalogue_plays_every_role_the_code_asks_for() -> None:
    catalogue = load_catalogue()
    asked = {BASE_TOTAL_ROLE, CERTIFICATE_ROLE, ENERGY_TOTAL_ROLE, *SCOPE_ROLES, *KPI_ROLES}
    asked |= {*RECEIVED_ROLES.values(), *SUPPLIED_ROLES.values()}
    for path in SOURCE.rglob("*.py"):  # and every role asked for by name
        source = path.read_text(encoding="utf-8")
        asked |= set(re.findall(r"""\.role\(\s*["']([a-z0-9_]+)["']""", source))
    assert {"scope1_total", "electricity_certificates", "base_year_total", "energy_total"} <= asked
    for role in asked:
        assert catalogue.role(role).id, role
    assert set(result_metrics(catalogue).values()) == {m.id for m in catalogue.in_group("activity")}


# -- calculation options -------------------------------------------------------------------------


def test_calc_options_take_their_values_and_defaults_from_the_rules_file() -> None:
    rules = option_rules()
    assert set(rules) == {f.name for f in dataclasses.fields(CalcOptions)}
    assert CalcOptions().as_dict() == {name: option.default for name, option in rules.items()}
    for name, option in rules.items():
        for value in option.choices:
            assert getattr(CalcOptions(**{name: value}), name) == value
        with pytest.raises(ValueError) as refused:
            CalcOptions(**{name: "nonsense"})
        assert str(refused.value) == (
            f"option {name}='nonsense' is not one of {', '.join(option.choices)}"
        )
    assert rules["gwp"].choices == ("SAR", "AR4", "AR5", "AR6")
    assert option_help("gwp") == "Global warming potentials: SAR, AR4, AR5 or AR6"


def test_every_option_value_has_its_selection_rule() -> None:
    """A value offered in options.yaml that the selection rules cannot apply would fail only at
    calculation time: each GWP set and electricity method has its factor series, and each grid
    series other than each country's default is a series of some country."""
    selection = Selection.load()
    rules = option_rules()
    for gwp in rules["gwp"].choices:
        assert selection.gwp_set(gwp)
    for method in rules["electricity_tce"].choices:
        assert selection.electricity_tce(method)
    countries = selection.rules["grid_electricity"].values()
    for series in rules["grid_series"].choices:
        assert series == "default" or any(series in table for table in countries), series


def test_the_api_offers_the_option_values_of_the_rules_file() -> None:
    schema = CalcOptionsIn.model_json_schema()["properties"]
    for name, option in option_rules().items():
        offered = next(s["enum"] for s in schema[name]["anyOf"] if "enum" in s)
        assert tuple(offered) == option.choices


def test_a_malformed_options_file_is_refused_naming_the_option(tmp_path: Path) -> None:
    text = OPTIONS_FILE.read_text(encoding="utf-8").replace("default: AR5", "default: AR7")
    path = _write(tmp_path, "options.yaml", text)
    with pytest.raises(RuleFileError, match=r"options.yaml: gwp: default 'AR7' is not one of"):
        option_rules.__wrapped__(path)
    path = _write(
        tmp_path,
        "options.yaml",
        text.replace("default: AR7", "default: AR5").replace(
            'citation: "IPCC Second', 'source: "IPCC Second'
        ),
    )
    with pytest.raises(RuleFileError, match="gwp: values: SAR"):
        option_rules.__wrapped__(path)
