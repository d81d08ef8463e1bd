"""Governance and engagement records (issue 10, part 4), through the service layer on SQLite and
PostgreSQL: the organisation's own topics, governance bodies, meetings, director training and the
policy register; versioned, never deleted, audited; bad input refused naming the field or row with
nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from esgledger.demo.generate import ORGANISATION_FILE
from esgledger.demo.governance import record_governance
from esgledger.errors import InputRejected
from esgledger.ledger.governance import topics_covered
from esgledger.service_errors import Conflict, Forbidden, Invalid, PeriodLocked
from esgledger.services.topics import read_library
from tests.collab_fixtures import World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

BOARD = {
    "id": "board",
    "kind": "board",
    "name_en": "Board of Directors",
    "name_zh": "董事会",
    "duties": "Oversees sustainability strategy and approves the ESG report.",
    "members": "Liu Jianping: chair; Zhu Runzhou: executive director",
    "reporting_frequency": "yearly",
    "topic_ids": "climate; anti_corruption",
}
COMMITTEE = {
    "id": "esg_committee",
    "kind": "committee",
    "name_en": "Strategy and ESG Committee",
    "name_zh": "战略与ESG委员会",
    "parent_id": "board",
    "duties": "Reviews material topics, targets and the IRO register.",
    "members": [{"name": "Liu Jianping", "role": "chair"}],
    "reporting_frequency": "quarterly",
    "topic_ids": ["climate", "water", "health_safety"],
}
POLICY = {
    "id": "anti_corruption",
    "name_en": "Anti-Corruption Policy",
    "name_zh": "反腐败管理办法",
    "aliases": ["Anti-bribery policy"],
    "owner": "Discipline Inspection Office",
    "policy_version": "2023.1",
    "effective_on": "2023-03-01",
    "topic_ids": ["anti_corruption"],
}


def count(world: World, table: str) -> int:
    with world.services.db.reading() as connection:
        return int(connection.execute(sa.text(f"select count(*) from {table}")).scalar_one())


def actions(world: World, prefix: str) -> list[str]:
    with world.services.db.reading() as connection:
        return list(
            connection.execute(
                sa.text("select action from audit_log where action like :p order by seq"),
                {"p": f"{prefix}%"},
            ).scalars()
        )


def test_a_structure_of_bodies_versioned_and_audited(world: World) -> None:
    gov, manager = world.services.governance, world.user("manager")
    gov.save_body(manager, BOARD)
    gov.save_body(manager, COMMITTEE)
    gov.save_body(manager, {**COMMITTEE, "reporting_frequency": "monthly"})
    tree = gov.structure(world.user("viewer"))
    assert [(b["id"], b["depth"]) for b in tree] == [("board", 0), ("esg_committee", 1)]
    assert tree[0]["members"][0] == {"name": "Liu Jianping", "role": "chair"}
    shown = gov.show(manager, "bodies", "esg_committee")
    assert shown["reporting_frequency"] == "monthly"
    assert [v["version"] for v in shown["history"]] == [1, 2]
    assert actions(world, "governance.body") == [
        "governance.body.create",
        "governance.body.create",
        "governance.body.update",
    ]
    assert gov.topics_covered(manager) == ["anti_corruption", "climate", "health_safety", "water"]
    with world.services.db.reading() as connection:
        assert topics_covered(connection) == {
            "anti_corruption",
            "climate",
            "health_safety",
            "water",
        }
    with pytest.raises(Conflict, match="esg_committee"):
        gov.withdraw_body(manager, "board", "merged")
    gov.withdraw_body(manager, "esg_committee", "merged into the board")
    assert gov.topics_covered(manager) == ["anti_corruption", "climate"]
    assert count(world, "governance_bodies") == 4  # nothing deleted
    assert world.ws.verify_audit().ok


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"parent_id": "nobody"}, "parent_id", "parent body 'nobody' does not exist"),
        ({"topic_ids": "climate; weather"}, "topic_ids", "unknown topic(s) weather"),
        ({"kind": "club"}, "kind", "'club' is not one of"),
        ({"reporting_frequency": "daily"}, "reporting_frequency", "'daily'"),
        ({"name_zh": ""}, "name_zh", "name_zh is empty"),
        ({"entity_id": "mars"}, "entity_id", "'mars' is not in the organisation"),
        ({"id": "Board One"}, "id", "is not an id"),
    ],
)
def test_a_bad_body_is_refused_naming_the_field(
    world: World, change: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(Invalid) as refused:
        world.services.governance.save_body(world.user("manager"), {**BOARD, **change})
    assert refused.value.field == field
    assert words in refused.value.message
    assert count(world, "governance_bodies") == 0


def test_a_body_cannot_sit_under_itself(world: World) -> None:
    gov, manager = world.services.governance, world.user("manager")
    gov.save_body(manager, BOARD)
    gov.save_body(manager, COMMITTEE)
    with pytest.raises(Invalid, match="cycle"):
        gov.save_body(manager, {**BOARD, "parent_id": "esg_committee"})


def test_meetings_and_director_training(world: World) -> None:
    gov, manager = world.services.governance, world.user("manager")
    gov.save_body(manager, BOARD)
    meeting = gov.add_meeting(
        manager,
        {
            "body_id": "board",
            "held_on": "2024-03-27",
            "topic_ids": ["climate"],
            "decisions": "Approved the 2023 ESG report.",
            "attended": 9,
            "invited": 9,
        },
    )
    assert meeting["id"] == "meeting-1" and meeting["held_on"] == "2024-03-27"
    training = gov.add_training(
        manager,
        {
            "held_on": "2024-06-12",
            "directors": "Liu Jianping; Zhu Runzhou",
            "subject": "Climate-related disclosure under HKEX Part D",
            "hours": "3.5",
            "provider": "HKICS",
        },
    )
    assert training["directors"] == ["Liu Jianping", "Zhu Runzhou"] and training["hours"] == 3.5
    assert [m["id"] for m in gov.listing(manager, "meetings")] == ["meeting-1"]
    assert actions(world, "governance.") == [
        "governance.body.create",
        "governance.meeting.create",
        "governance.training.create",
    ]
    bad = [
        ({"held_on": "27/03/2024"}, "held_on", "is not a date"),
        ({"hours": "-2"}, "hours", "must be above 0"),
        ({"hours": "many"}, "hours", "is not a number"),
        ({"directors": ""}, "directors", "no director named"),
    ]
    base = {"held_on": "2024-06-12", "directors": "A", "subject": "S", "hours": 1, "provider": "P"}
    for change, field, words in bad:
        with pytest.raises(Invalid) as refused:
            gov.add_training(manager, {**base, **change})
        assert (refused.value.field, words in refused.value.message) == (field, True)
    with pytest.raises(Invalid, match="body 'audit' does not exist"):
        gov.add_meeting(manager, {"body_id": "audit", "held_on": "2024-01-01", "decisions": "x"})
    assert count(world, "director_training") == 1 and count(world, "governance_meetings") == 1


def test_a_meeting_in_a_locked_period_is_refused(world: World) -> None:
    gov, manager = world.services.governance, world.user("manager")
    gov.save_body(manager, BOARD)
    world.services.periods.lock(manager, "2023", "approved")
    fields = {"body_id": "board", "held_on": "2023-11-02", "decisions": "x", "attended": 1}
    with pytest.raises(PeriodLocked):
        gov.add_meeting(manager, {**fields, "invited": 1})


def test_only_managers_write_and_everyone_reads(world: World) -> None:
    gov = world.services.governance
    for name in ("owner_a", "auditor", "viewer"):
        with pytest.raises(Forbidden):
            gov.save_body(world.user(name), BOARD)
        with pytest.raises(Forbidden):
            world.services.policies.add(world.user(name), POLICY)
    assert gov.structure(world.user("viewer_a")) == []
    assert world.services.policies.listing(world.user("auditor")) == []


def test_a_bodies_file_is_all_or_nothing(world: World, tmp_path: Path) -> None:
    header = ["id", "kind", "name_en", "name_zh", "parent_id", "duties", "members",
              "reporting_frequency", "topic_ids"]  # fmt: skip
    good = ["board", "board", "Board", "董事会", "", "Oversight", "A: chair", "yearly", "climate"]
    child = ["wg", "working_group", "ESG WG", "ESG工作组", "board", "Data", "", "monthly", "water"]
    orphan = ["team", "team", "Team", "团队", "ghost", "Data", "", "monthly", "water"]
    bad_file = write_csv(tmp_path / "bodies.csv", header, [good, child, orphan])
    with pytest.raises(InputRejected) as refused:
        world.services.governance.import_file(world.user("manager"), "bodies", bad_file)
    (issue,) = refused.value.issues
    assert (issue.row, issue.field) == (4, "parent_id")
    assert count(world, "governance_bodies") == 0
    good_file = write_csv(tmp_path / "bodies2.csv", header, [good, child])
    result = world.services.governance.import_file(world.user("manager"), "bodies", good_file)
    assert result["ids"] == ["board", "wg"]
    exported = world.services.governance.export(world.user("viewer"), "bodies", "csv")
    assert exported.decode("utf-8-sig").splitlines()[0] == ",".join(
        ["id", "kind", "name_en", "name_zh", "parent_id", "entity_id", "duties", "members",
         "reporting_frequency", "topic_ids"]
    )  # fmt: skip
    round_trip = tmp_path / "round.csv"
    round_trip.write_bytes(exported)
    world.services.governance.import_file(world.user("manager"), "bodies", round_trip)
    versions = [b["version"] for b in world.services.governance.structure(world.user("viewer"))]
    assert versions == [1, 1]  # the exported file imported again changes nothing


def test_the_policy_register_with_near_duplicates(world: World, tmp_path: Path) -> None:
    policies, manager = world.services.policies, world.user("manager")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    created = policies.add(manager, POLICY, ("anti-corruption.pdf", pdf))
    assert created["warnings"] == [] and created["document_type"] == "application/pdf"
    record, path = policies.document(world.user("viewer"), "anti_corruption")
    assert path.read_bytes() == pdf and record["document_name"] == "anti-corruption.pdf"
    # a name that normalises like the existing one is refused, naming it
    for clash in ("ANTI CORRUPTION policy", "Ａｎｔｉ－Ｃｏｒｒｕｐｔｉｏｎ", "反腐败制度"):
        field = "name_zh" if clash == "反腐败制度" else "name_en"
        fields = {**POLICY, "id": "ac2", field: clash}
        if field == "name_en":
            fields["name_zh"] = "另一个"
        else:
            fields["name_en"] = "Something else"
        with pytest.raises(Invalid) as refused:
            policies.add(manager, fields)
        assert refused.value.field == field
        assert "policy 'anti_corruption'" in refused.value.message
    # a similar one is a warning, on creation and in the register
    similar = {
        **POLICY,
        "id": "anti_corruption_rules",
        "name_en": "Anti-Coruption Policy",  # a misspelling: the same policy twice
        "name_zh": "廉洁从业规定",
        "aliases": [],
    }
    created = policies.add(manager, similar)
    assert [w["other"] for w in created["warnings"]] == ["anti_corruption"]
    assert not created["warnings"][0]["clash"]
    register = {row["id"]: row for row in policies.listing(manager)}
    assert [d["other"] for d in register["anti_corruption"]["near_duplicates"]] == [
        "anti_corruption_rules"
    ]
    assert [(d["policy"], d["other"]) for d in policies.duplicates(manager)] == [
        ("anti_corruption", "anti_corruption_rules")
    ]
    # a new version of the same policy keeps its document and is not its own duplicate
    updated = policies.add(manager, {**POLICY, "policy_version": "2024.1"})
    assert updated["version"] == 2 and updated["document_sha256"] == record["document_sha256"]
    assert actions(world, "policy.") == ["policy.create", "policy.create", "policy.update"]
    assert count(world, "policies") == 3
    assert world.ws.verify_audit().ok


def test_a_bad_policy_is_refused(world: World) -> None:
    policies, manager = world.services.policies, world.user("manager")
    for change, field in [
        ({"effective_on": "next year"}, "effective_on"),
        ({"topic_ids": ["bribery"]}, "topic_ids"),
        ({"owner": " "}, "owner"),
    ]:
        with pytest.raises(Invalid) as refused:
            policies.add(manager, {**POLICY, **change})
        assert refused.value.field == field
    assert count(world, "policies") == 0


def test_organisation_topics_extend_the_library(world: World, tmp_path: Path) -> None:
    topics, manager = world.services.topics, world.user("manager")
    topics.add(
        manager,
        {
            "id": "org.red_mud_dams",
            "name_en": "Red mud dam safety",
            "name_zh": "赤泥库安全",
            "dimension": "environment",
            "frameworks": "GRI-14; SSE14-31",
            "metrics": "waste.bauxite_residue_stored",
        },
    )
    with world.services.db.reading() as connection:
        library = read_library(connection)
    assert library["org.red_mud_dams"].origin == "organisation"
    assert "climate" in library and len(library.sse_topics()) == 21
    ids = [t["id"] for t in topics.listing(world.user("viewer"), "organisation")]
    assert ids == ["org.red_mud_dams"]
    for change, field in [
        ({"id": "climate"}, "id"),
        ({"id": "org.climate", "metrics": "water.nothing"}, "metrics"),
        ({"id": "org.x", "dimension": "economic"}, "dimension"),
        ({"id": "org.x", "frameworks": "ISO14001"}, "frameworks"),
    ]:
        fields = {"name_en": "X", "name_zh": "X", "dimension": "social", **change}
        with pytest.raises(Invalid) as refused:
            topics.add(manager, fields)
        assert refused.value.field == field
    # a body may cover the organisation's topic
    world.services.governance.save_body(manager, {**BOARD, "topic_ids": "org.red_mud_dams"})
    csv_file = write_csv(
        tmp_path / "topics.csv",
        ["id", "name_en", "name_zh", "dimension", "frameworks", "metrics"],
        [
            ["org.community_relations", "Community relations", "社区关系", "social", "GRI-413", ""],
            ["org.bad", "Bad", "坏", "social", "", "nothing.here"],
        ],
    )
    with pytest.raises(InputRejected) as refused:
        topics.import_file(manager, csv_file)
    assert [(i.row, i.field) for i in refused.value.issues] == [(3, "metrics")]
    assert count(world, "assess_topics") == 1


def test_the_demo_groups_governance_records(ws: Ledger) -> None:
    """The demo's structure, meetings, training and register go through the services (with the
    demo organisation), the subsidiaries' teams sit three levels down, one near-duplicate pair."""
    ws.import_organisation(ORGANISATION_FILE)
    summary = record_governance(ws.services, ws.admin)
    assert "7 bodies" in summary and "1 near-duplicate" in summary
    tree = {b["id"]: b["depth"] for b in ws.services.governance.structure(ws.admin)}
    assert tree["board"] == 0 and tree["esg_working_group"] == 2 and tree["primary_esg_team"] == 3
    pairs = ws.services.policies.duplicates(ws.admin)
    assert [(p["policy"], p["other"]) for p in pairs] == [("work_safety", "work_safety_fab")]
    with ws.db.reading() as connection:
        assert {"climate", "tailings", "labour_standards"} <= topics_covered(connection)
    assert ws.verify_audit().ok


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("UPDATE governance_bodies SET duties = 'none'", "governance_bodies"),
        ("UPDATE policies SET owner = 'nobody'", "policies"),
        ("UPDATE director_training SET hours = 40", "director_training"),
        ("DELETE FROM governance_meetings", "governance_meetings"),
    ],
)
def test_a_governance_record_changed_outside_esgledger_is_named(
    world: World, sql: str, table: str
) -> None:
    gov, manager = world.services.governance, world.user("manager")
    gov.save_body(manager, BOARD)
    gov.add_meeting(manager, {"body_id": "board", "held_on": "2024-01-02", "decisions": "x",
                              "attended": 1, "invited": 1})  # fmt: skip
    gov.add_training(manager, {"held_on": "2024-01-03", "directors": "A", "subject": "ESG",
                               "hours": 2, "provider": "P"})  # fmt: skip
    world.services.policies.add(manager, POLICY)
    assert world.ws.verify_audit().ok
    with world.services.db.engine.begin() as connection:
        connection.execute(sa.text(sql))
    result = world.ws.verify_audit()
    assert not result.ok and result.table == table
