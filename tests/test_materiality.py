"""Double materiality (issue 10, part 2): the classes, the matrix and the sensitivity reproduced
from the stored scores and answers alone against a hand-worked case; one changed score changes
exactly what it should; approval with its checks (Art. 7, SSE elements, segregation of duties,
a stale run); last year's assessment carried forward. Both backends."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import pytest
import sqlalchemy as sa

from esgledger.service_errors import Conflict, Forbidden, Invalid, PeriodLocked
from esgledger.services import sse_elements
from tests.collab_fixtures import World
from tests.materiality_case import Built, build

CLOSE = 1e-6


@pytest.fixture
def built(world: World) -> Built:
    return build(world.services, world.user("manager"))


def audit_count(world: World) -> int:
    with world.services.db.reading() as connection:
        return int(connection.execute(sa.text("select count(*) from audit_log")).scalar() or 0)


def same(found: float | None, expected: float | None) -> bool:
    if expected is None:
        return found is None
    return found is not None and math.isclose(found, expected, abs_tol=CLOSE)


def allow_elements(monkeypatch: pytest.MonkeyPatch, topics: set[str]) -> None:
    """The governance and targets inputs (other parts' tables): a governance body covering
    ``topics``, a target on ghg.scope1 and a target T1."""
    every = sse_elements.ElementInputs(set(topics), {"ghg.scope1"}, {"T1"})
    monkeypatch.setattr(sse_elements, "element_inputs", lambda connection: every)


def from_tables(world: World, assessment: int) -> dict[str, dict[str, Any]]:
    """The topic scores recomputed by this test from the stored rows alone (its own reading of
    the formulas: newest score per IRO, max per topic and axis, weighted group means)."""
    with world.services.db.reading() as connection:
        method = json.loads(
            connection.execute(
                sa.text("select method from materiality_assessments where id = :a"),
                {"a": assessment},
            ).scalar_one()
        )
        iros = connection.execute(
            sa.text("select id, topic_id, kind from iros where assessment_id = :a"),
            {"a": assessment},
        ).all()
        scores = {}
        for iro_id, score in connection.execute(
            sa.text("select iro_id, score from iro_scores order by iro_id, version")
        ):
            scores[iro_id] = score
        weights = {
            g: w
            for g, w in connection.execute(sa.text("select id, weight from stakeholder_groups"))
        }
        answers: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for group, text in connection.execute(
            sa.text("select group_id, answers from stakeholder_responses where assessment_id = :a"),
            {"a": assessment},
        ):
            for topic, point in json.loads(text).items():
                answers[topic][group].append(point)
    share = method["stakeholders"]["share"]
    found = {}
    for topic in {i.topic_id for i in iros}:
        impact = [scores[i.id] for i in iros if i.topic_id == topic and i.kind == "impact"]
        money = [scores[i.id] for i in iros if i.topic_id == topic and i.kind != "impact"]
        groups = answers.get(topic, {})
        stake = (
            sum(weights[g] * sum(p) / len(p) for g, p in groups.items())
            / sum(weights[g] for g in groups)
            if groups
            else None
        )
        iro = max(impact) if impact else None
        if iro is not None and stake is not None:
            combined: float | None = (1 - share) * iro + share * stake
        else:
            combined = iro if iro is not None else stake
        found[topic] = {"impact": combined, "financial": max(money) if money else None}
    return found


def test_the_classes_and_the_matrix_are_reproduced_from_the_stored_inputs(
    world: World, built: Built
) -> None:
    services, manager = world.services, world.user("manager")
    run = services.materiality.run(manager, built.assessment)
    shown = services.materiality.show(world.user("auditor"), built.assessment)
    topics = {t["id"]: t for t in shown["topics"]}
    recomputed = from_tables(world, built.assessment)
    for topic, expected in built.case["expected"].items():
        for axis in ("stakeholders", "impact", "financial"):
            assert same(topics[topic][axis], expected[axis]), (topic, axis)
        assert topics[topic]["class"] == expected["class"], topic
        assert run["results"][topic]["class"] == expected["class"]
        if topic in recomputed:
            assert same(recomputed[topic]["impact"], expected["impact"]), topic
            assert same(recomputed[topic]["financial"], expected["financial"]), topic
    assert shown["current"] and shown["last_run"]["inputs_digest"] == run["inputs_digest"]
    # the minority view is kept: the spread per group, not only an average
    spread = services.stakeholders.responses(manager, built.assessment)["spread"]
    for group, stats in built.case["spread"]["water"].items():
        assert {k: spread["water"][group][k] for k in stats} == stats
    svg = services.materiality.matrix(manager, built.assessment, "zh")
    for topic, expected in built.case["expected"].items():
        assert f'data-topic="{topic}" data-class="{expected["class"]}"' in svg
    assert svg.count('class="threshold') == 2 and "影响重要性" in svg and "<script" not in svg


def test_the_sensitivity_and_one_changed_score(world: World, built: Built) -> None:
    services, manager = world.services, world.user("manager")
    rows = services.materiality.sensitivity(manager, built.assessment)
    by_move = {f"{r['axis']}{'+' if r['step'] > 0 else '-'}": r for r in rows}
    for move, changes in built.case["sensitivity"].items():
        assert by_move[move]["changes"] == changes, move
    assert math.isclose(by_move["impact+"]["threshold"], 3.3)
    before = {t["id"]: t for t in services.materiality.show(manager, built.assessment)["topics"]}
    change = built.case["change"]
    version = services.iros.score(
        manager, built.iros[change["iro"]], change["score"], "new supply contract"
    )
    assert version["version"] == 2
    after = {t["id"]: t for t in services.materiality.show(manager, built.assessment)["topics"]}
    changed = {t for t in after if after[t] != before[t]}
    assert changed == set(change["expected"])
    for topic, expected in change["expected"].items():
        assert same(after[topic]["financial"], expected["financial"])
        assert after[topic]["class"] == expected["class"]
    history = services.iros.get(manager, built.iros[change["iro"]])["scores"]
    assert [s["version"] for s in history] == [1, 2] and history[0]["scorer"] == "manager"


@pytest.mark.parametrize(
    ("components", "field"),
    [
        ({"magnitude": 6, "likelihood": 3, "horizon": "short"}, "magnitude"),
        ({"magnitude": 0, "likelihood": 3, "horizon": "short"}, "magnitude"),
        ({"magnitude": 2.5, "likelihood": 3, "horizon": "short"}, "magnitude"),
        ({"magnitude": 2, "likelihood": 3, "horizon": "decade"}, "horizon"),
        ({"magnitude": 2, "horizon": "short"}, "likelihood"),
        ({"magnitude": 2, "likelihood": 3, "horizon": "short", "scale": 3}, "scale"),
    ],
)
def test_scores_out_of_scale_are_refused_and_nothing_is_written(
    world: World, built: Built, components: dict[str, Any], field: str
) -> None:
    before = audit_count(world)
    with pytest.raises(Invalid) as refused:
        world.services.iros.score(
            world.user("manager"), built.iros["climate_ets"], components, "why"
        )
    assert refused.value.field == field and f"IRO {built.iros['climate_ets']}" in str(refused.value)
    assert audit_count(world) == before


@pytest.mark.parametrize(
    ("method", "field"),
    [
        ({"thresholds": {"impact": 6}}, "thresholds.impact"),
        ({"thresholds": {"financial": 1}}, "thresholds.financial"),
        ({"thresholds": {"impact": "high"}}, "thresholds.impact"),
        ({"scale": {"min": 5, "max": 5}}, "scale.max"),
        ({"stakeholders": {"share": 1.5}}, "stakeholders.share"),
        (
            {"horizons": {"medium": {"en": "m", "zh": "m", "to_years": 0.5}}},
            "horizons.medium.to_years",
        ),
        ({"colour": "red"}, "colour"),
    ],
)
def test_thresholds_and_scales_out_of_range_are_refused(
    world: World, built: Built, method: dict[str, Any], field: str
) -> None:
    before = audit_count(world)
    with pytest.raises(Invalid) as refused:
        world.services.materiality.set_method(world.user("manager"), built.assessment, None, method)
    assert refused.value.field == field, str(refused.value)
    assert audit_count(world) == before


def test_approval_refusals_name_what_is_missing_and_write_nothing(
    world: World, built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, manager, chair = world.services, world.user("manager"), world.user("manager2")
    approve = services.materiality.approve
    before = audit_count(world)
    with pytest.raises(Invalid, match="run it"):
        approve(chair, built.assessment, "Board", "2026-03-20")
    services.materiality.run(manager, built.assessment)
    before = audit_count(world)
    with pytest.raises(Invalid) as art7:
        approve(chair, built.assessment, "Board", "2026-03-20")
    assert art7.value.details == {"missing": ["water"]} and "Art. 7" in str(art7.value)
    services.materiality.explain(manager, built.assessment, "water", "recycled water, no stress")
    services.materiality.run(manager, built.assessment)
    before = audit_count(world)
    with pytest.raises(Invalid) as elements:
        approve(chair, built.assessment, "Board", "2026-03-20")
    missing = elements.value.details["missing"]
    assert missing == {
        "climate": ["governance", "metrics_targets"],
        "innovation": ["governance", "metrics_targets"],
    }
    assert "climate: governance, metrics_targets" in str(elements.value)
    allow_elements(monkeypatch, {"climate"})
    with pytest.raises(Invalid) as partly:
        approve(chair, built.assessment, "Board", "2026-03-20")
    assert partly.value.details["missing"] == {"innovation": ["governance", "metrics_targets"]}
    allow_elements(monkeypatch, {"climate", "innovation"})
    services.iros.update(manager, built.iros["low_carbon_alloys"], {"target_ids": ["T1"]})
    before = audit_count(world)
    with pytest.raises(Forbidden, match="segregation of duties"):
        approve(manager, built.assessment, "Board", "2026-03-20")  # scored every IRO alone
    assert audit_count(world) == before


def test_a_chair_approves_and_the_assessment_is_locked_then_carried_forward(
    world: World, built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, manager, chair = world.services, world.user("manager"), world.user("manager2")
    allow_elements(monkeypatch, {"climate", "innovation"})
    services.iros.update(manager, built.iros["low_carbon_alloys"], {"target_ids": ["T1"]})
    services.materiality.explain(manager, built.assessment, "water", "recycled water")
    services.materiality.run(manager, built.assessment)
    approved = services.materiality.approve(chair, built.assessment, "ESG Committee", "2026-03-20")
    assert approved["status"] == "approved" and approved["approved_by"] == "manager2"
    with pytest.raises(Conflict, match="approved and locked"):
        services.iros.score(manager, built.iros["jobs"], {"scale": 1, "scope": 1}, "x")
    with pytest.raises(Conflict):
        services.materiality.run(manager, built.assessment)
    log = services.materiality.show(manager, built.assessment)["decisions"]
    assert [e["kind"] for e in log][-1] == "approval"
    nxt = services.materiality.create(manager, "2026")
    assert nxt["carried_from"] == built.assessment and nxt["status"] == "draft"
    register = services.iros.listing(manager, nxt["id"])
    assert len(register) == len(built.iros)
    assert all(i["carried_from"] and i["score"]["carried"] for i in register)
    shown = services.materiality.show(manager, nxt["id"])
    assert {t["id"]: t["explanation"] for t in shown["topics"]}["water"] == "recycled water"
    assert shown["decisions"][0]["kind"] == "carry"
    assert world.ws.verify_audit().ok


def test_a_locked_period_and_an_override_with_its_reason(world: World, built: Built) -> None:
    services, manager = world.services, world.user("manager")
    services.materiality.override(
        manager, built.assessment, "water", "double", "water stress in Shanxi basins"
    )
    water = {t["id"]: t for t in services.materiality.show(manager, built.assessment)["topics"]}[
        "water"
    ]
    assert water["computed_class"] == "not_material" and water["class"] == "double"
    assert water["override"]["reason"] == "water stress in Shanxi basins"
    with pytest.raises(Invalid, match="reason"):
        services.materiality.override(manager, built.assessment, "water", "double", " ")
    services.periods.lock(manager, "2025", "closed")
    before = audit_count(world)
    with pytest.raises(PeriodLocked):
        services.iros.score(manager, built.iros["jobs"], {"scale": 1, "scope": 1}, "x")
    assert audit_count(world) == before


def test_viewers_read_and_may_not_change(world: World, built: Built) -> None:
    services = world.services
    assert services.materiality.show(world.user("viewer_a"), built.assessment)["id"]
    with pytest.raises(Forbidden):
        services.iros.score(
            world.user("auditor"), built.iros["jobs"], {"scale": 1, "scope": 1}, "x"
        )
    with pytest.raises(Forbidden):
        services.materiality.approve(world.user("owner_a"), built.assessment, "Board", "2026-01-01")
