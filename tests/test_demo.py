"""The demo: the first thing a new user runs. It must import every row, compute sensible values for
the aluminium group, and write the English and Chinese reports."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from esgledger.catalogue import load_catalogue
from esgledger.demo import GROUP, SMELTER, run_demo
from esgledger.demo.generate import PROFILE_FILE, load_profile, rows_by_year
from tests.ledger_fixture import Ledger

YEARS = ["2022", "2023", "2024"]


@dataclass
class DemoRun:
    out: Path
    reports: list[Path]
    output: str
    values: dict[str, dict[tuple[str, str], tuple[float, str]]]
    datapoints: int
    audit_ok: bool
    jv_excluded: bool


def _inspect(out: Path, reports: list[Path], output: str, db: str) -> DemoRun:
    ws = Ledger.open(db)
    try:
        months = [f"{year}-{month:02d}" for year in YEARS for month in range(1, 13)]
        root = ws.explain("production.alumina", GROUP, "2024")["records"]
        excluded = root[f"production.alumina@{GROUP}@2024"]["excluded"]
        return DemoRun(
            out=out,
            reports=reports,
            output=output,
            values={year: ws.stored_values(year) for year in YEARS},
            datapoints=len(ws.datapoints(YEARS + months)),
            audit_ok=ws.verify_audit().ok,
            jv_excluded=any(item["entity"] == "jl-gx-jv" for item in excluded),
        )
    finally:
        ws.db.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    out = tmp_path_factory.mktemp("demo")
    buffer = io.StringIO()
    reports = run_demo(out, db=None, console=Console(file=buffer, width=120))
    return _inspect(out, reports, buffer.getvalue(), f"sqlite:///{out / 'demo.db'}")


def _csv_rows(out: Path) -> int:
    total = 0
    for path in sorted((out / "inputs").glob("data-*.csv")):
        with path.open(encoding="utf-8") as handle:
            total += sum(1 for _row in csv.DictReader(handle))
    return total


def _value(run: DemoRun, year: str, entity: str, metric: str) -> float:
    return run.values[year][(entity, metric)][0]


def test_demo_writes_the_english_and_chinese_reports(demo: DemoRun) -> None:
    assert len(demo.reports) == 6  # the KPI books, then the full report's HTML and PDF (en, zh)
    assert sorted(p.suffix for p in demo.reports[2:]) == [".html", ".html", ".pdf", ".pdf"]
    english, chinese = (path.read_text(encoding="utf-8") for path in demo.reports[:2])
    assert all(path.parent == demo.out and path.stat().st_size > 0 for path in demo.reports)
    assert "Scope 2" in english
    assert "范围二" in chinese


def test_every_generated_row_is_in_the_ledger(demo: DemoRun) -> None:
    assert _csv_rows(demo.out) == demo.datapoints > 600
    for year in YEARS:
        assert f"imported data-{year}.csv" in demo.output
    assert " 0 corrected" in demo.output
    assert demo.audit_ok


def test_smelter_electricity_per_tonne_is_realistic(demo: DemoRun) -> None:
    # standards.md 5(d): about 13 500-14 000 kWh per tonne of primary aluminium
    for year in YEARS:
        intensity = _value(demo, year, SMELTER, "energy.electricity_per_primary_aluminium")
        assert 13_000 <= intensity <= 14_500, (year, intensity)


def test_smelting_dominates_and_electricity_drives_it(demo: DemoRun) -> None:
    for year in YEARS:
        group = _value(demo, year, GROUP, "ghg.scope12_location")
        smelter = _value(demo, year, SMELTER, "ghg.scope12_location")
        assert smelter > 0.6 * group, (year, smelter, group)
        # the smelter's own Scope 2 (grid and captive supply) is far above its process emissions
        assert _value(demo, year, SMELTER, "ghg.scope2_location") > 4 * _value(
            demo, year, SMELTER, "ghg.process"
        )


def test_roll_up_spans_three_levels_and_leaves_out_the_joint_venture(demo: DemoRun) -> None:
    year = "2024"
    refineries = _value(demo, year, "jl-sx-alumina", "production.alumina") + _value(
        demo, year, "jl-id-alumina", "production.alumina"
    )
    assert _value(demo, year, GROUP, "production.alumina") == pytest.approx(refineries)
    assert demo.jv_excluded
    # group = its companies (and HQ); a company = its plants
    companies = ["jl-hq", "jl-primary", "jl-fab", "jl-intl"]
    metric = "ghg.scope12_location"
    assert _value(demo, year, GROUP, metric) == pytest.approx(
        sum(_value(demo, year, c, metric) for c in companies)
    )
    plants = ["jl-sx-alumina", "jl-xj-smelter", "jl-xj-power"]
    # the captive plant's supply to the smelter is the plant's Scope 1 and the smelter's own
    # Scope 2; the company that holds both counts it once
    internal = _value(demo, year, SMELTER, "ghg.scope2_internal")
    assert internal > 0
    assert _value(demo, year, "jl-primary", metric) == pytest.approx(
        sum(_value(demo, year, p, metric) for p in plants) - internal
    )


def test_mixed_units_are_normalised(demo: DemoRun) -> None:
    year = "2024"
    # the smelter sends 12 monthly values in 万千瓦时: 836 250 x 10^4 kWh = 8 362 500 MWh
    assert _value(demo, year, SMELTER, "energy.electricity_purchased") == pytest.approx(
        8_362_500, rel=1e-5
    )
    # the Indiana plant sends water in US gallons: 95 000 000 gal x 3.785 L = 359 614 m3
    assert _value(demo, year, "jl-us-indiana", "water.withdrawal") == pytest.approx(
        95_000_000 * 0.003785411784
    )


def test_generator_is_deterministic_and_monthly_rows_add_up() -> None:
    profile = load_profile()
    first, second = rows_by_year(profile), rows_by_year(profile)
    assert first == second
    months = [
        row for row in first[2024] if row[0] == SMELTER and row[2] == "production.primary_aluminium"
    ]
    assert [row[1] for row in months] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert sum(float(row[3]) for row in months) == pytest.approx(750_000, abs=6)


def test_every_profile_line_says_where_its_magnitude_comes_from() -> None:
    lines = [
        line
        for line in PROFILE_FILE.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\s+[a-z0-9_]+\.[a-z0-9_.]+: \{", line)
    ]
    assert len(lines) == len(load_profile().lines)
    missing = [line.strip() for line in lines if not re.search(r"\}\s+#\s*\S", line)]
    assert not missing, missing


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_demo_runs_on_postgresql(db_url: str, tmp_path: Path) -> None:
    buffer = io.StringIO()
    reports = run_demo(tmp_path, db=db_url, console=Console(file=buffer, width=120))
    run = _inspect(tmp_path, reports, buffer.getvalue(), db_url)
    assert len(run.reports) == 6  # the KPI books and the full report (HTML, PDF; en, zh)
    assert _csv_rows(tmp_path) == run.datapoints
    assert run.audit_ok
    assert _value(
        run, "2024", SMELTER, "energy.electricity_per_primary_aluminium"
    ) == pytest.approx(13_550, rel=1e-4)
    group = {key: found[0] for key, found in run.values["2024"].items() if key[0] == GROUP}
    assert _check_breakdowns(group, "postgresql 2024") >= 20


def test_the_demo_sets_the_groups_targets_and_each_is_assessed(demo: DemoRun) -> None:
    """The demo's targets (esgledger.demo.targets) are assessed from its own calculations: the
    fatality target is achieved (none in 2024), the others on or off track, none unassessable."""
    assert "set 10 targets" in demo.output
    # what to do next, as commands that run (a new user found only "explain")
    said = " ".join(demo.output.split())  # as the console wrapped it
    assert "check --period 2024" in said and "assurance --period 2024 -o" in said
    assert "errors to resolve: disclose coverage --period 2024)" in said
    ws = Ledger.open(f"sqlite:///{demo.out / 'demo.db'}")
    try:
        shown = {t["target_id"]: t for t in ws.services.targets.listing(ws.admin)}
        assessment = ws.services.materiality.show(ws.admin, 1)
    finally:
        ws.db.dispose()
    # with its governance bodies and targets, the demo's assessment lacks nothing an approval
    # needs (SSE Art. 11 elements, Art. 7 explanations): it waits for the committee's approval
    assert assessment["status"] == "draft"
    assert assessment["approval_needs"]["elements"] == {}
    assert assessment["approval_needs"]["explanations"] == []
    redmud = shown["JL-REDMUD-USE-2027"]["assessment"]
    assert (redmud["base"]["value"], redmud["direction"]) == (120_000, "increase")
    statuses = {target_id: t["assessment"]["status"] for target_id, t in shown.items()}
    assert set(statuses.values()) <= {"achieved", "on_track", "off_track"}, statuses
    assert statuses["JL-ZERO-FATALITIES"] == "achieved"
    assert shown["JL-NET-ZERO-2060"]["gross_target"] == "JL-GHG-2060-GROSS"
    assert shown["JL-NET-ZERO-2060"]["assessment"]["credits"] == 50000
    smelter = shown["JL-SMELTER-KWH-2025"]["assessment"]
    assert 13_000 < smelter["base"]["value"] < 14_500 and smelter["target_value"] == 13_350


def test_the_demo_chooses_its_reports_frameworks_and_measures_their_coverage(demo: DemoRun) -> None:
    """FY2024: the HKEX Guide as amended in 2020 (the Code applies from FY2025) and GRI."""
    assert "2024 report follows hkex@2020, gri" in demo.output
    ws = Ledger.open(f"sqlite:///{demo.out / 'demo.db'}")
    try:
        found = ws.services.disclose.coverage(ws.admin, "2024")
    finally:
        ws.db.dispose()
    assert found["profile"]["frameworks"] and found["profile"]["issuer_class"] == "main_board"
    met = {row["reference"] for row in found["rows"] if row["status"] == "met"}
    assert "HKEX-A1.2" in met  # greenhouse gas emissions, from the calculation


# -- breakdowns (esgledger.demo.breakdowns): parts add up to their totals exactly -----------------
PARTITIONS = {  # the axes whose members divide the total in two ways (catalogue/axes.yaml)
    "employment_type": [{"full_time", "part_time"}, {"permanent", "temporary"}],
    "employee_category": [
        {"senior_management", "middle_management", "general_staff"},
        {"production", "technical", "administrative"},
    ],
}
RECOVERY = {"reuse", "recycling", "other_recovery"}
CATALOGUE = load_catalogue()


def _split_values(
    values: dict[tuple[str, str], float],
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str, str], dict[str, float]]]:
    """Totals (entity, metric) and members (entity, metric, axis) -> member -> value."""
    totals: dict[tuple[str, str], float] = {}
    members: dict[tuple[str, str, str], dict[str, float]] = {}
    for (entity, key), value in values.items():
        if "{" not in key:
            totals[(entity, key)] = value
            continue
        metric, inner = key[:-1].split("{", 1)
        axis, member = inner.split("=", 1)
        members.setdefault((entity, metric, axis), {})[member] = value
    return totals, members


def _check_breakdowns(values: dict[tuple[str, str], float], where: str) -> int:
    """Every partition adds up to its total; people trained or leaving never outnumber those
    employed, member by member; safety training within training; recovered within generated.
    Returns how many partitions were checked."""
    totals, members = _split_values(values)
    checked = 0
    for (entity, metric, axis), found in members.items():
        if CATALOGUE.metrics[metric].aggregation != "sum":
            continue  # a ratio per member (turnover rate of women): its members do not add up
        total = totals[(entity, metric)]
        groups = [g for g in PARTITIONS.get(axis, [set(found)]) if g & set(found)]
        for group in groups:
            added = sum(found.get(m, 0.0) for m in group)
            assert added == pytest.approx(total, abs=1e-6), (where, entity, metric, axis, group)
            checked += 1
        if metric in ("training.participants", "workforce.leavers"):
            employed = members[(entity, "workforce.headcount", axis)]
            for member, value in found.items():
                assert value <= employed[member], (where, entity, metric, axis, member)
        if metric in ("waste.hazardous", "waste.non_hazardous"):
            recovered = totals[(entity, f"{metric}_recycled")]
            assert recovered == pytest.approx(sum(found.get(m, 0.0) for m in RECOVERY)), (
                where,
                entity,
                metric,
            )
    for (entity, metric), total in totals.items():
        if metric == "training.hours":
            assert totals.get((entity, "safety.training_hours"), 0.0) <= total, (where, entity)
        if metric.endswith("_recycled"):
            assert total <= totals[(entity, metric.removesuffix("_recycled"))], (where, entity)
        if metric == "waste.bauxite_residue_used":
            assert total <= totals[(entity, "waste.bauxite_residue_generated")], (where, entity)
    return checked


def test_the_generated_breakdowns_add_up_to_their_totals() -> None:
    for year, rows in rows_by_year(load_profile()).items():
        values: dict[tuple[str, str], float] = {}
        for row in rows:
            if len(row[1]) != 4:  # monthly rows: never broken down
                continue
            key = f"{row[2]}{{{row[8]}}}" if row[8] else row[2]
            values[(row[0], key)] = float(row[3])
        assert _check_breakdowns(values, f"data-{year}.csv") > 150


def test_the_group_s_breakdowns_add_up_in_the_ledger(demo: DemoRun) -> None:
    for year in YEARS:
        values = {key: found[0] for key, found in demo.values[year].items() if key[0] == GROUP}
        assert _check_breakdowns(values, year) >= 20
        totals, members = _split_values(values)
        headcount = members[(GROUP, "workforce.headcount", "region")]
        assert set(headcount) == {"mainland_china", "asia_other", "americas"}
        treatment = members[(GROUP, "waste.non_hazardous", "waste_treatment")]
        assert treatment["recycling"] >= totals[(GROUP, "waste.bauxite_residue_used")]
