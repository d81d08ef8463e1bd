"""The report gate of the quality checks (issue 12, part 3) on SQLite and PostgreSQL: a final
full report (period locked, every value approved) is refused while error-level findings are open,
naming them; a justification opens the gate; an admin (only) may override with a reason, recorded
in the ledger (audited) and printed in the basis of preparation; a draft builds regardless and
lists what is open in the report's quality checks section, in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.ledger import qa as repository
from esgledger.service_errors import Conflict, Forbidden, Invalid
from esgledger.store.schema import audit_log
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World
from tests.qa_test_rules import qa_rules  # noqa: F401  (fixture)

KEY = "energy.diesel@plant_a@2024"


def _approved_year(world: World, diesel: float = 20, water: float = 7000) -> None:
    """2024 of plant_a: diesel (above the error rule's limit) and water (above the warning's),
    entered by the data owner, approved by a manager, calculated."""
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    for metric, value, unit in (("energy.diesel", diesel, "t"), ("water.withdrawal", water, "m3")):
        point = services.datapoints.create(owner, Entry("plant_a", "2024", metric, value, unit))
        services.datapoints.submit(owner, point.id, 1)
        services.datapoints.approve(manager, point.id, 1)
    services.calculation.run(manager, "2024")


def _section(html: str, ident: str) -> str:
    match = re.search(rf'id="{ident}".*?</section>', html, re.S)
    assert match, f"no {ident} in the report"
    return match.group(0)


@pytest.mark.usefixtures("qa_rules")
def test_a_draft_builds_and_lists_the_open_findings(world: World, tmp_path: Path) -> None:
    _approved_year(world)
    built = world.services.report_content.build(
        world.user("manager"), "2024", tmp_path / "draft", ("en", "zh"), ("html",)
    )
    assert built["draft"] == ["the period 2024 is not locked"] and not built["recorded"]
    assert built["qa"]["errors_open"] == [
        "diesel.limit: energy.diesel of plant_a 2024: 20 is above the limit of 15"
    ]
    assert built["qa"]["warnings_open"] == 1 and built["qa"]["override"] is None
    en, zh = (Path(f["path"]).read_text(encoding="utf-8") for f in built["files"])
    section = _section(en, "sec-quality-checks")
    assert "2 quality checks were run" in section and "1 error-level findings open" in section
    assert "20 is above the limit of 15" in section and "7000 is above the limit of 6000" in section
    assert "Diesel at most 15 t" in section  # the checks run, with their descriptions
    zh_section = _section(zh, "sec-quality-checks")
    assert "已运行的检查" in zh_section and "20 高于上限 15" in zh_section
    assert "柴油不超过15吨" in zh_section


@pytest.mark.usefixtures("qa_rules")
def test_a_final_report_is_refused_while_errors_are_open_and_a_justification_opens_it(
    world: World, tmp_path: Path
) -> None:
    services, manager = world.services, world.user("manager")
    _approved_year(world)
    services.periods.lock(manager, "2024", "published")
    with pytest.raises(Conflict) as refused:
        services.report_content.build(manager, "2024", tmp_path / "a", ("en",), ("html",))
    assert refused.value.code == "qa_open"
    assert "1 error-level quality finding(s) of 2024 are open" in refused.value.message
    assert (
        "diesel.limit#df58ed: energy.diesel of plant_a 2024: 20 is above" in refused.value.message
    )
    assert "esgledger justify --period 2024 --key REFERENCE" in refused.value.message
    assert refused.value.details == {
        "findings": [
            {
                "rule": "diesel.limit",
                "key": KEY,
                "message": "energy.diesel of plant_a 2024: 20 is above the limit of 15",
                "reference": "diesel.limit#df58ed",
            }
        ]
    }
    assert not list((tmp_path / "a").glob("*"))  # nothing written
    # the warning does not block; a justification of the error opens the gate
    services.periods.reopen(manager, "2024", "justify a finding")
    services.qa_review.justify(manager, "2024", "diesel.limit", KEY, "Generators in 2024")
    services.periods.lock(manager, "2024", "published")
    built = services.report_content.build(manager, "2024", tmp_path / "b", ("en",), ("html",))
    assert built["recorded"] and built["qa"]["errors_open"] == []
    section = _section(Path(built["files"][0]["path"]).read_text("utf-8"), "sec-quality-checks")
    assert "Generators in 2024" in section and "manager" in section  # who and why
    assert "7000 is above the limit of 6000" in section  # the open warning annotates it


@pytest.mark.usefixtures("qa_rules")
def test_only_an_admin_overrides_and_the_override_is_recorded_and_printed(
    world: World, tmp_path: Path
) -> None:
    services, manager, admin = world.services, world.user("manager"), world.user("admin")
    _approved_year(world)
    services.periods.lock(manager, "2024", "published")
    with pytest.raises(Forbidden, match="qa.override"):
        services.report_content.build(
            manager, "2024", tmp_path / "m", ("en",), ("html",), override_qa="Board approved"
        )
    with pytest.raises(Invalid, match="needs a reason"):
        services.report_content.build(
            admin, "2024", tmp_path / "m", ("en",), ("html",), override_qa="  "
        )
    built = services.report_content.build(
        admin, "2024", tmp_path / "o", ("en", "zh"), ("html",), override_qa="Board approved"
    )
    assert built["recorded"] and built["qa"]["override"] == {
        "reason": "Board approved",
        "by": "admin",
    }
    en, zh = (Path(f["path"]).read_text(encoding="utf-8") for f in built["files"])
    basis = _section(en, "basis")
    assert "Quality checks overridden" in basis
    assert "published by admin on" in basis and "Board approved" in basis
    assert "1 error-level quality finding(s) were open" in basis
    assert "diesel.limit: energy.diesel of plant_a 2024: 20 is above" in basis
    assert "质量检查的豁免" in _section(zh, "basis") and "Board approved" in zh
    with services.db.reading() as connection:
        stored = repository.override(connection, "2024")
        audited = connection.execute(
            sa.select(audit_log.c.actor, audit_log.c.object_id).where(
                audit_log.c.action == "qa.override"
            )
        ).all()
    assert stored is not None and stored["reason"] == "Board approved"
    assert stored["findings"][0]["rule"] == "diesel.limit"
    assert [tuple(a) for a in audited] == [("admin", "2024")]
    assert services.audit.verify(admin).ok
    shown = services.qa_review.review(world.user("viewer"), "2024")
    assert shown["override"]["reason"] == "Board approved"


@pytest.mark.usefixtures("qa_rules")
def test_the_command_line_refuses_then_overrides(world: World, db_url: str, tmp_path: Path) -> None:
    _approved_year(world)
    world.services.periods.lock(world.user("manager"), "2024", "published")

    def report(*extra: str):  # the CLI acts as the ledger's first admin (the OS login)
        return CliRunner().invoke(
            app,
            [
                "--db",
                db_url,
                "report",
                "--period",
                "2024",
                "--out",
                str(tmp_path / "out"),
                "--lang",
                "en",
                "--format",
                "html",
                *extra,
            ],  # fmt: skip
            env={"ESGLEDGER_PASSWORD": "", "COLUMNS": "200"},
        )

    refused = report()
    assert refused.exit_code == 1
    assert "error-level quality finding(s) of 2024 are open" in refused.stderr
    assert "--override-qa" in refused.stderr
    done = report("--override-qa", "Assurer agreed")
    assert done.exit_code == 0, done.output
    assert "final report" in done.stdout and "QA override by" in done.stdout
    assert "Assurer agreed" in done.stdout and "open QA error: diesel.limit" in done.stdout


def test_a_shipped_rule_s_finding_is_justified_and_then_gates_no_more(
    world: World, db_url: str, tmp_path: Path
) -> None:
    """The shipped rules (no hand-made ones): waste parts that do not add up to the total."""
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    approver = world.user("manager2")
    published = {"method": "reported", "source": "2024 ESG report, p. 12"}
    for metric, value in (
        ("waste.total", 100),
        ("waste.hazardous", 30),
        ("waste.non_hazardous", 50),
    ):
        how = published if metric == "waste.total" else {}
        point = services.datapoints.create(
            owner, Entry("plant_a", "2024", metric, value, "t", **how)
        )
        services.datapoints.submit(manager, point.id, 1)  # the manager vouches for them
        services.datapoints.approve(approver, point.id, 1)
    services.calculation.run(approver, "2024")
    review = services.qa_review.review(manager, "2024")
    errors = [f for f in review["findings"] if f["severity"] == "error"]
    assert errors and {f["rule"] for f in errors} == {"sum.totals"}

    def check() -> Result:
        return CliRunner().invoke(
            app,
            ["--db", db_url, "check", "--period", "2024"],
            env={"ESGLEDGER_PASSWORD": "", "COLUMNS": "200"},
        )

    assert check().exit_code == 1  # open errors
    with pytest.raises(Forbidden, match="segregation of duties"):
        services.qa_review.justify(manager, "2024", errors[0]["rule"], errors[0]["key"], "mine")
    for finding in errors:
        services.qa_review.justify(
            approver, "2024", finding["rule"], finding["key"], "Scrap metal counted separately"
        )
    after = check()
    assert after.exit_code == 0, after.output  # justified: no open error
    assert "justified by manager2: Scrap metal counted separately" in after.stdout
    # a justified error is listed as justified, not under the errors that block the report
    assert "Errors (block the report)" not in after.stdout
    assert f"Justified (they do not block the report) ({len(errors)})" in after.stdout
    services.periods.lock(approver, "2024", "published")
    built = services.report_content.build(approver, "2024", tmp_path / "r", ("en",), ("html",))
    assert built["recorded"] and built["qa"]["justified"] == len(errors)
