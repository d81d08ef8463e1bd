"""Disclosure coverage (issue 11, part 2) through the service layer, on SQLite and PostgreSQL: the
reporting profile and explanations are versioned, audited and locked with the period; bad input is
refused naming the item or field with nothing written; coverage is computed: each kind of error
names the item and what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from esgledger.errors import InputRejected
from esgledger.service_errors import Forbidden, Invalid, NotFound, PeriodLocked
from esgledger.services import disclose_coverage as disclose_service
from tests.collab_fixtures import World
from tests.helpers import write_csv
from tests.materiality_case import build

COLUMNS = ["reference", "status", "reason_id", "text_en", "text_zh"]
GOOD = ["HKEX-A2.5", "not_applicable", "", "No packaging: services", "无包装：服务业务"]


def count(world: World, table: str) -> int:
    with world.services.db.reading() as connection:
        return int(connection.execute(sa.text(f"select count(*) from {table}")).scalar_one())


def tag(monkeypatch: pytest.MonkeyPatch, tags: dict[str, set[str]]) -> None:
    def section_tags(connection: Any, period: str, lang: str) -> dict[str, set[str]]:
        return tags

    monkeypatch.setattr(disclose_service, "section_tags", section_tags)


def findings(world: World, period: str, framework: str | None = None) -> dict[str, list[str]]:
    shown = world.services.disclose.coverage(world.user("manager"), period, framework)
    found: dict[str, list[str]] = {}
    for finding in shown["findings"]:
        found.setdefault(finding["code"], []).append(finding["reference"])
    return found


def test_profile_is_versioned_audited_and_checked(world: World) -> None:
    disclose, manager = world.services.disclose, world.user("manager")
    with pytest.raises(Invalid, match="pin one as hkex@2020") as refused:
        disclose.set_profile(manager, "2019", ["hkex"])
    assert refused.value.field == "frameworks"
    with pytest.raises(Invalid, match="framework 'sasb' is not one of"):
        disclose.set_profile(manager, "2025", ["sasb"])
    with pytest.raises(Invalid, match="issuer class 'huge' is not one of") as refused:
        disclose.set_profile(manager, "2025", ["hkex"], "huge")
    assert refused.value.field == "issuer_class"
    with pytest.raises(Invalid, match="reporting year"):
        disclose.set_profile(manager, "2025-01", ["hkex"])
    assert count(world, "disclose_profiles") == 0
    disclose.set_profile(manager, "2025", ["sse14", "hkex"], "main_board")
    disclose.set_profile(manager, "2025", ["szse17", "hkex", "gri"], "largecap")
    shown = disclose.profile(world.user("viewer"), "2025")
    assert shown["frameworks"] == ["sse14", "hkex", "gri"]  # the alias names its framework
    assert [v["version"] for v in shown["history"]] == [1, 2]
    assert world.ws.verify_audit().ok


def test_bad_explanations_are_refused_with_nothing_written(world: World, tmp_path: Path) -> None:
    disclose, manager = world.services.disclose, world.user("manager")
    with pytest.raises(NotFound, match="no reporting profile for 2025"):
        disclose.explain(manager, "2025", dict(zip(COLUMNS, GOOD, strict=True)))
    disclose.set_profile(manager, "2025", ["sse14", "hkex"], "main_board")
    cases = [
        ({"reference": "HKEX-Z9"}, "reference", "HKEX-Z9 is not an item of the frameworks"),
        ({"reason_id": "too_costly", "status": "explained"}, "reason_id",
         "reason 'too_costly' is not one hkex 2025 allows"),
        ({"reference": "HKEX-D28(a)", "status": "explained", "reason_id": "considered_reasons"},
         "reference", "HKEX-D28(a) is mandatory and allows no omission"),
        ({"text_zh": ""}, "text_zh", "needs its text in zh"),
        ({"status": "typed"}, "status", "expected one of explained, not_applicable"),
    ]  # fmt: skip
    for change, field, message in cases:
        fields = {**dict(zip(COLUMNS, GOOD, strict=True)), **change}
        with pytest.raises(Invalid, match=message.replace("(", r"\(").replace(")", r"\)")) as no:
            disclose.explain(manager, "2025", fields)
        assert no.value.field == field
    rows = [
        GOOD,
        ["SSE14-99", "explained", "secrets", "x", "y"],
        ["HKEX-B6.1", "not_applicable", "", "x", ""],
    ]
    with pytest.raises(InputRejected) as rejected:
        disclose.import_file(manager, "2025", write_csv(tmp_path / "e.csv", COLUMNS, rows))
    assert [(i.row, i.field) for i in rejected.value.issues] == [(3, "reference"), (4, "text_zh")]
    assert count(world, "disclose_explanations") == 0  # all or nothing
    for name in ("owner_a", "auditor", "viewer"):
        with pytest.raises(Forbidden):
            disclose.explain(world.user(name), "2025", dict(zip(COLUMNS, GOOD, strict=True)))


def test_explanations_round_trip_and_lock_with_the_period(world: World, tmp_path: Path) -> None:
    disclose, manager = world.services.disclose, world.user("manager")
    disclose.set_profile(manager, "2025", ["hkex"], "main_board")
    explained = ["HKEX-B6.5", "explained", "considered_reasons", "No consumer data", "无消费者数据"]
    csv = write_csv(tmp_path / "e.csv", COLUMNS, [GOOD, explained])
    assert disclose.import_file(manager, "2025", csv)["references"] == ["HKEX-A2.5", "HKEX-B6.5"]
    exported = tmp_path / "back.xlsx"
    exported.write_bytes(disclose.export(manager, "2025", "xlsx"))
    disclose.import_file(manager, "2025", exported)  # the same again: no new version
    assert count(world, "disclose_explanations") == 2
    disclose.withdraw(manager, "2025", "HKEX-B6.5", "reported after all")
    assert [e["reference"] for e in disclose.explanations(manager, "2025")] == ["HKEX-A2.5"]
    world.services.periods.lock(manager, "2025", "approved")
    with pytest.raises(PeriodLocked):
        disclose.explain(manager, "2025", dict(zip(COLUMNS, explained, strict=True)))
    with pytest.raises(PeriodLocked):
        disclose.set_profile(manager, "2025", ["hkex", "gri"])
    assert world.ws.verify_audit().ok
    with world.services.db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE disclose_explanations SET text_en = 'typed'"))
    result = world.ws.verify_audit()
    assert not result.ok and result.table == "disclose_explanations"


def test_each_kind_of_error_names_the_item(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    disclose, manager = world.services.disclose, world.user("manager")
    disclose.set_profile(manager, "2025", ["hkex", "sse14"], "main_board")
    tag(monkeypatch, {"waste": {"HKEX-A1.3", "HKEX-A2.5", "HKEX-A1"}, "climate": {"SSE14-21"}})
    disclose.explain(manager, "2025", dict(zip(COLUMNS, GOOD, strict=True)))
    found = findings(world, "2025")
    # claimed in a section, but the ledger holds no hazardous waste for the reporting entity
    assert "HKEX-A1.3" in found["claimed_absent"]
    # declared not applicable yet mapped to a chapter
    assert found["na_but_mapped"] == ["HKEX-A2.5"]
    # HKEX Part D Scope 1 and 2: mandatory from FY2025, missing
    assert {"HKEX-D28(a)", "HKEX-D28(b)"} <= set(found["strict_missing"])
    # comply or explain, neither met nor explained
    assert "HKEX-B1.1" in found["unexplained"]
    assert "HKEX-A1" not in found.get("unexplained", [])  # met by its section
    # SSE No. 14: a topic neither reported nor explained; climate appears (tagged)
    absent = set(found["sse_topic_absent"])
    assert len(absent) >= 15 and "SSE14-21" not in absent
    shown = disclose.coverage(manager, "2025", "hkex", "zh")
    mapped = next(f for f in shown["findings"] if f["code"] == "na_but_mapped")
    assert (
        mapped["message"] == "HKEX-A2.5已声明不适用，却又被对应到废弃物与循环经济"
    )  # by its title
    assert mapped["params"]["sections"] == "waste"  # the id, for programs
    assert [s["step"] for s in mapped["steps"]] == ["untag", "withdraw_na"]
    assert mapped["steps"][1]["command"] == (
        'esgledger disclose withdraw HKEX-A2.5 --period 2025 --reason "..."'
    )
    rows = {row["reference"]: row for row in shown["rows"]}
    assert rows["HKEX-A1"]["location_names"] == ["废弃物与循环经济"]
    assert rows["HKEX-A1"]["locations"] == ["waste"]
    assert (rows["HKEX-A1"]["status_name"], rows["HKEX-A1"]["level_name"]) == (
        "已披露",
        "不遵守就解释",
    )
    assert shown["profile_names"]["issuer_class"] == "主板发行人（非大型股）"
    assert shown["profile"]["issuer_class"] == "main_board"
    unexplained = next(f for f in shown["findings"] if f["reference"] == "HKEX-B1.1")
    assert unexplained["code"] == "unexplained"
    assert unexplained["steps"][-1]["command"].startswith(
        "esgledger disclose explain HKEX-B1.1 --period 2025 --reason considered_reasons"
    )  # the first reason HKEX allows
    assert all(f["steps"] for f in shown["findings"])  # every finding says what to do
    assert [f["severity"] for f in shown["findings"]] == sorted(
        (f["severity"] for f in shown["findings"]), key=lambda s: s != "error"
    )


def test_part_d_is_mandatory_for_largecap_from_2026_and_optional_items_warn(
    world: World,
) -> None:
    disclose, manager = world.services.disclose, world.user("manager")
    disclose.set_profile(manager, "2026", ["hkex"], "largecap")
    disclose.set_profile(manager, "2025", ["hkex"], "gem")
    largecap = findings(world, "2026")
    assert "HKEX-D19" in largecap["strict_missing"]
    gem = findings(world, "2025")
    assert "HKEX-D19" in gem.get("optional_missing", [])
    assert "HKEX-D19" not in gem.get("unexplained", [])


def test_the_materiality_assessment_feeds_the_sse_checks(world: World) -> None:
    """SSE No. 14 Art. 11: a financially material topic lacks its elements (the materiality
    part's check, tests/materiality_case.py: climate and innovation lack governance and metrics
    and targets); Art. 7: a topic found not material and explained there is not absent; Art. 5:
    the assessment itself meets SSE14-5.1."""
    services, manager = world.services, world.user("manager")
    built = build(services, manager)
    services.materiality.explain(manager, built.assessment, "water", "recycled water, no stress")
    services.materiality.run(manager, built.assessment)
    services.disclose.set_profile(manager, "2025", ["sse14"])
    shown = services.disclose.coverage(manager, "2025")
    elements = {
        f["params"]["topic"]: f["message"] for f in shown["findings"] if f["code"] == "sse_elements"
    }
    assert set(elements) == {"climate", "innovation"}
    assert elements["climate"] == (
        "SSE topic Climate change is financially material but lacks: governance, metrics and "
        "targets (SSE No. 14 Art. 11)"
    )
    steps = next(
        f["steps"]
        for f in shown["findings"]
        if f["code"] == "sse_elements" and f["params"]["topic"] == "climate"
    )
    assert [s["step"] for s in steps] == ["element_governance", "element_metrics_targets"]
    assert steps[0]["text"] == (
        "Give a governance body duties covering Climate change on the Governance page (its "
        "topics include `climate`)."
    )
    absent = {f["params"]["topic"] for f in shown["findings"] if f["code"] == "sse_topic_absent"}
    assert "water" not in absent and "climate" in absent
    rows = {row["reference"]: row for row in shown["rows"]}
    assert rows["SSE14-5.1"]["status"] == "met"
