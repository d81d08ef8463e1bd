"""Short references to findings (``diesel.limit#df58ed``) on SQLite and PostgreSQL: the same
finding has the same reference on every run and on both backends (it follows from the key
alone); ``justify`` and ``withdraw`` take it, a prefix of at least four digits, or the full key,
through the services, the command line, the REST API and the QA page's form; the full key is what
is stored; an unknown reference says how to list the findings, an ambiguous one lists them."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.qa.references import digest, matching, reference, references, split
from esgledger.qa.rules import Rule, load_rules
from esgledger.service_errors import Invalid, NotFound
from esgledger.store.schema import qa_justifications
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World
from tests.qa_test_rules import (
    CHECK,
    RULES,
    qa_rules,  # noqa: F401  (fixture)
)
from tests.web_clients import csrf

KEY = "energy.diesel@plant_a@2024"
# the reference of the diesel finding, written down once: any backend, any run, any release
DIESEL = "diesel.limit#df58ed"
WATER = "water.limit#fbdcaf"
# a rule whose finding on the same figure shares the first four digits (df58) with diesel.limit's
TWIN = Rule("diesel.r103913", CHECK, {"en": "Diesel", "zh": "柴油"}, "test rule", "error",
            {"metric": "energy.diesel", "limit": 15.0})  # fmt: skip
pytestmark = pytest.mark.usefixtures("qa_rules")


def _entered(world: World) -> None:
    """Diesel above the error rule's limit, entered by ``manager``; water above the warning's,
    by ``owner_a``: ``manager2`` may justify both."""
    world.services.datapoints.create(
        world.user("manager"), Entry("plant_a", "2024", "energy.diesel", 20, "t")
    )
    world.services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", "2024", "water.withdrawal", 7000, "m3")
    )


def _with_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("esgledger.services.qa.load_rules", lambda: [*RULES, TWIN])


# -- the references themselves ---------------------------------------------------------------
def test_a_reference_is_the_rule_and_six_digits_of_the_key_s_digest() -> None:
    digest = hashlib.sha256(f"diesel.limit\x00{KEY}".encode()).hexdigest()
    assert reference("diesel.limit", KEY) == DIESEL == f"diesel.limit#{digest[:6]}"
    assert split("diesel.limit#DF58ED") == ("diesel.limit", "df58ed")
    assert split("#df58") == (None, "df58") and split("df58") == (None, "df58")
    assert split("df5") == (None, None) and split("sum.totals#xyz123") == (None, None)


def test_references_grow_where_two_findings_of_a_rule_share_six_digits() -> None:
    seen: dict[str, str] = {}
    n = 0
    while True:  # two keys whose digests share six digits (about 5,000 tries)
        key = f"k{n}"
        short = reference("r", key)
        if short in seen:
            break
        seen[short] = key
        n += 1
    pair = [("r", seen[short]), ("r", key)]
    shown = references([*pair, ("s", key)])
    assert shown[pair[0]] != shown[pair[1]]
    assert all(shown[p].startswith(short) and len(shown[p]) > len(short) for p in pair)
    assert shown[("s", key)] == reference("s", key)  # another rule: six digits
    assert matching(short, [*pair, ("s", key)]) == pair  # ambiguous: the caller says so
    assert matching(shown[pair[1]], pair) == [pair[1]]
    assert matching(key, [*pair, ("s", key)], rule="s") == [("s", key)]  # a full key


def test_a_run_of_thousands_of_findings_of_one_rule_gets_its_references_at_once() -> None:
    pairs = [("sum.totals", f"entity{n}@energy.total@2024") for n in range(8000)]
    started = time.perf_counter()
    shown = references(pairs)
    assert time.perf_counter() - started < 1.5  # sorted, not each compared with every other
    digits = {p: shown[p].partition("#")[2] for p in pairs}
    starts = Counter(digest(*p)[:n] for p in pairs for n in range(6, 12))  # digests' starts
    grown = [p for p in pairs if len(digits[p]) > 6]
    assert grown  # 8,000 digests: some share their first six digits
    for pair in pairs:
        assert digest(*pair).startswith(digits[pair]) and starts[digits[pair]] == 1
    for pair in grown:  # one digit more than another finding's digest shares, not more
        assert starts[digits[pair][:-1]] > 1


# -- the services, on both backends ----------------------------------------------------------
def test_the_same_finding_has_the_same_reference_on_every_run(world: World) -> None:
    _entered(world)
    qa, manager = world.services.qa, world.user("manager")
    first = qa.check(manager, "2024")
    again = qa.check(manager, "2024", lang="zh")
    assert (
        sorted(first.references.values())
        == sorted(again.references.values())
        == [
            DIESEL,
            WATER,
        ]
    )
    review = world.services.qa_review.review(world.user("viewer"), "2024")
    assert [(f["reference"], f["key"]) for f in review["findings"]] == [
        (DIESEL, KEY),
        (WATER, "water.withdrawal@plant_a@2024"),
    ]
    assert [f["reference"] for f in first.as_dict()["findings"]] == [DIESEL, WATER]


def test_a_shipped_rule_s_finding_has_one_reference_on_both_backends(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("esgledger.services.qa.load_rules", load_rules)  # the shipped rules
    manager = world.user("manager")
    for metric, value in (("training.participants", 300), ("safety.training_participants", 320)):
        world.services.datapoints.create(
            manager, Entry("plant_a", "2024", metric, value, "persons")
        )
    runs = [world.services.qa.check(manager, "2024", lang=lang) for lang in ("en", "zh", "en")]
    found = [
        {run.reference(f) for f in run.findings if f.rule == "sum.part_within_whole"}
        for run in runs
    ]
    # written down once: the same on SQLite and PostgreSQL, in either language, on every run
    assert found == [{"sum.part_within_whole#ee9937"}] * 3


def test_justify_and_withdraw_by_reference_store_the_full_key(world: World) -> None:
    _entered(world)
    qa, manager2 = world.services.qa_review, world.user("manager2")
    stored = qa.justify(manager2, "2024", None, DIESEL, "Standby generators")
    assert (stored["rule"], stored["finding_key"], stored["reference"]) == (
        "diesel.limit",
        KEY,
        DIESEL,
    )
    again = qa.justify(manager2, "2024", None, "df58", "Standby generators, metered")  # a prefix
    assert (again["finding_key"], again["version"]) == (KEY, 2)
    with world.services.db.reading() as connection:
        keys = connection.execute(sa.select(qa_justifications.c.finding_key)).scalars().all()
    assert set(keys) == {KEY}  # what is stored is the full key, never the reference
    (listed,) = qa.justifications(world.user("auditor"), "2024")
    assert listed["reference"] == DIESEL
    gone = qa.withdraw(world.user("admin"), "2024", None, "#df58ed", "Generators sold")
    assert gone["withdrawn"] and gone["reference"] == DIESEL
    with pytest.raises(NotFound, match="esgledger justify list --period 2024"):
        qa.withdraw(world.user("admin"), "2024", None, DIESEL, "again")


def test_an_unknown_or_ambiguous_reference_is_a_clear_error(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _entered(world)
    _with_twin(monkeypatch)
    qa, manager2 = world.services.qa_review, world.user("manager2")
    with pytest.raises(NotFound) as unknown:
        qa.justify(manager2, "2024", None, "diesel.limit#000000", "Why")
    assert "`esgledger check --period 2024` lists the findings" in unknown.value.message
    with pytest.raises(Invalid, match="give at least 4 of its hex digits"):
        qa.justify(manager2, "2024", None, "diesel.limit#df5", "Why")
    with pytest.raises(Invalid) as ambiguous:
        qa.justify(manager2, "2024", None, "df58", "Why")
    error = ambiguous.value
    twin = references([("diesel.r103913", KEY)])[("diesel.r103913", KEY)]
    assert error.code == "ambiguous_reference" and error.field == "finding_key"
    assert f"{DIESEL} (" in error.message and f"{twin} (" in error.message
    assert "'df58' names 2 open findings of 2024" in error.message
    assert [c["reference"] for c in error.details["candidates"]] == [DIESEL, twin]
    # the full key is shared by both rules: ambiguous without the rule, one with it
    with pytest.raises(Invalid, match="names 2 open findings"):
        qa.justify(manager2, "2024", None, KEY, "Why")
    done = qa.justify(manager2, "2024", "diesel.r103913", KEY, "Why")
    assert done["reference"] == twin
    with pytest.raises(Invalid, match="is of rule 'diesel.limit', not of --rule 'water.limit'"):
        qa.justify(manager2, "2024", "water.limit", DIESEL, "Why")


# -- the doors -------------------------------------------------------------------------------
def test_check_prints_references_and_justify_takes_them(
    world: World, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.services.datapoints.create(  # the CLI acts as the OS login's admin: not its author
        world.user("manager"), Entry("plant_a", "2024", "energy.diesel", 20, "t")
    )

    def cli(*args: str) -> Result:
        return CliRunner().invoke(
            app, ["--db", db_url, *args], env={"ESGLEDGER_PASSWORD": "", "COLUMNS": "200"}
        )

    def said(text: str) -> str:  # the console may wrap lines at its own width
        return " ".join(text.split())

    text = cli("check", "--period", "2024")
    assert text.exit_code == 1 and f"{DIESEL} energy.diesel of plant_a" in said(text.stdout)
    shown = json.loads(cli("check", "--period", "2024", "--json").stdout)
    assert [(f["reference"], f["key"]) for f in shown["findings"]] == [(DIESEL, KEY)]
    unknown = cli("justify", "--period", "2024", "--key", "diesel.limit#abcdef", "--text", "x")
    assert unknown.exit_code == 1
    assert "`esgledger check --period 2024` lists the findings" in said(unknown.stderr)
    _with_twin(monkeypatch)
    ambiguous = cli("justify", "--period", "2024", "--key", "df58", "--text", "x")
    assert ambiguous.exit_code == 1 and "names 2 open findings" in said(ambiguous.stderr)
    assert DIESEL in ambiguous.stderr and "diesel.r103913#df58" in ambiguous.stderr
    done = cli("justify", "--period", "2024", "--key", DIESEL, "--text", "Standby generators")
    assert done.exit_code == 0, done.output
    assert f"{DIESEL}: justified by" in said(done.stdout)
    assert f"full key {KEY}" in said(done.stdout)
    assert "justified by" in said(cli("check", "--period", "2024").stdout)
    helped = said(cli("justify", "--help").stdout)
    assert "sum.totals#3fa9c2" in helped and "esgledger check --period 2024" in helped


def test_the_rest_api_takes_a_reference(world: World, client: TestClient) -> None:
    _entered(world)
    other = world.headers("manager2")
    found = client.get(f"{API}/qa/2024/findings", headers=other).json()["findings"]
    assert [f["reference"] for f in found] == [DIESEL, WATER]
    review = client.get(f"{API}/qa/2024/review", headers=other).json()
    assert [f["reference"] for f in review["findings"]] == [DIESEL, WATER]
    url = f"{API}/qa/2024/justifications"
    unknown = client.post(url, headers=other, json={"finding_key": "abcd1234", "text": "x"})
    assert unknown.status_code == 404 and "esgledger check --period 2024" in unknown.text
    done = client.post(url, headers=other, json={"finding_key": WATER, "text": "Dry year"})
    assert done.status_code == 201, done.text
    assert (done.json()["finding_key"], done.json()["reference"]) == (
        "water.withdrawal@plant_a@2024",
        WATER,
    )
    assert [j["reference"] for j in client.get(url, headers=other).json()] == [WATER]
    gone = client.post(
        f"{url}/withdraw", headers=other, json={"finding_key": WATER, "reason": "No"}
    )
    assert gone.status_code == 200 and gone.json()["withdrawn"]


def test_the_rest_api_lists_the_candidates_of_an_ambiguous_reference(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _entered(world)
    _with_twin(monkeypatch)
    body = {"finding_key": "df58", "text": "x"}
    refused = client.post(
        f"{API}/qa/2024/justifications", headers=world.headers("manager2"), json=body
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "ambiguous_reference"
    assert [c["rule"] for c in error["details"]["candidates"]] == ["diesel.limit", TWIN.id]


def test_the_qa_page_shows_references_and_its_form_takes_one(
    world: World, browse: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    _entered(world)
    other = browse["manager2"]
    page = other.get("/qa?period=2024").text
    assert f'data-reference="{DIESEL}"' in page and f">{DIESEL}</code>" in page
    assert f"esgledger justify --period 2024 --key {DIESEL} --text" in page
    form = {"period": "2024", "finding_key": WATER, "text": "Dry year"}
    done = other.post("/qa/justify", data={**form, "csrf_token": csrf(other, "/qa")})
    assert done.status_code == 303
    _with_twin(monkeypatch)
    other.cookies.set("esgledger_lang", "zh")
    form = {"period": "2024", "finding_key": "df58", "text": "x"}
    refused = other.post("/qa/justify", data={**form, "csrf_token": csrf(other, "/qa")})
    assert refused.status_code == 422
    assert "“df58”对应 2 个问题" in refused.text and 'id="qa-error"' in refused.text
