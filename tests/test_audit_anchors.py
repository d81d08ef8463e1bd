"""Anchors (issue 8, part 3): the chain head written down outside the database.

Removing the last entries (and the rows they wrote) and rewinding the head, or editing an entry
and re-hashing the chain from there on, leaves a log that ``audit verify`` cannot tell from the
real one: these tests show that it passes, and that verifying against an anchor taken earlier
fails and says what happened. On both backends, through the service, the CLI, the REST API and
the web page; signed anchors; and an anchor that outlives a backup and restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from esgledger.api import create_app
from esgledger.cli import common as cli_common
from esgledger.cli.main import app as cli_app
from esgledger.service_errors import Conflict, Invalid
from esgledger.services import Services
from esgledger.services.audit import (
    ANCHOR_KINDS,
    Anchor,
    VerifyResult,
    new_signing_key,
    parse_anchor,
)
from esgledger.store.database import URL_ENV
from esgledger.web.i18n import Strings
from tests.backup_helpers import cli, empty_target, use_folders
from tests.collab_fixtures import API, World
from tests.conftest import BACKENDS
from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger
from tests.tampering import canonical, cut_log, execute, rewrite_from
from tests.web_clients import form_token

ORG = [
    ["id", "name", "parent", "country"],
    ["grp", "Group", "", "CN"],
    ["smelter", "Smelter", "grp", "CN"],
    ["refinery", "Refinery", "grp", "CN"],
]


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG[0], ORG[1:]))
    ws.import_data(
        write_csv(
            tmp_path / "d1.csv",
            DATA_HEADER,
            [
                ["smelter", "2024", "energy.raw_coal", "100", "t", "measured", "", ""],
                ["smelter", "2024", "energy.electricity_purchased", "1250", "MWh", "", "", ""],
                ["refinery", "2024", "energy.natural_gas", "3", "万立方米", "", "", ""],
            ],
        )
    )
    return ws


def import_more(ws: Ledger, folder: Path, name: str = "more") -> None:
    """A file of new values (rows inserted only, no correction)."""
    ws.import_data(
        write_csv(
            folder / f"{name}.csv",
            DATA_HEADER,
            [
                ["refinery", "2025", "energy.coke", "9", "t", "", "", ""],
                ["smelter", "2025", "energy.diesel", "4", "t", "", "", ""],
            ],
        )
    )


def log(ws: Ledger) -> list[Any]:
    with ws.db.reading() as connection:
        return list(connection.execute(sa.text("SELECT * FROM audit_log ORDER BY seq")))


def take(ws: Ledger, key: bytes | None = None) -> Anchor:
    return ws.services.audit.anchor(ws.admin, key)


def check(ws: Ledger, *anchors: Anchor, key: bytes | None = None) -> VerifyResult:
    return ws.services.audit.verify(ws.admin, list(anchors), key)


def stamps_root(entries: list[Any]) -> str:
    """The rows root as the anchor format defines it, computed here from the log's own text:
    the last stamp of each row, deleted rows left out, one canonical JSON line per row in the
    order of table and key."""
    last: dict[tuple[str, str], str | None] = {}
    for entry in entries:
        for table, key, digest in json.loads(entry.rows or "[]"):
            last[(table, key)] = digest
    lines = [
        canonical([table, key, digest]) + "\n"
        for (table, key), digest in sorted(last.items())
        if digest is not None
    ]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


# -- what an anchor records ------------------------------------------------------------------------
def test_an_anchor_records_the_ledger_the_head_and_the_rows(ledger: Ledger) -> None:
    anchor = take(ledger)
    entries = log(ledger)
    assert anchor.ledger == entries[0].hash
    assert (anchor.seq, anchor.hash) == (entries[-1].seq, entries[-1].hash)
    assert anchor.rows_root == stamps_root(entries)
    assert anchor.at is not None
    taken = dt.datetime.fromisoformat(anchor.at)
    assert taken.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - taken) < dt.timedelta(minutes=5)
    document = json.loads(anchor.to_json())
    assert list(document) == ["format", "ledger", "seq", "hash", "at", "rows_root", "signature"]
    assert document["format"] == "esgledger-anchor/1" and document["signature"] is None
    assert parse_anchor(anchor.to_json()) == anchor


def test_the_rows_root_leaves_out_deleted_rows(ledger: Ledger) -> None:
    """A user's entity assignment, deleted by a later entry, leaves the root as it was before."""
    services, admin = ledger.services, ledger.admin
    services.accounts.create(admin, "anna", "correct horse battery", "viewer", [])
    unassigned = take(ledger)
    services.accounts.update(admin, "anna", entities=["smelter"])
    assigned = take(ledger)
    services.accounts.update(admin, "anna", entities=[])
    again = take(ledger)
    stamps = [json.loads(r.rows or "[]") for r in log(ledger)[assigned.seq :]]
    assert ["user_entities", '["anna","smelter"]', None] in [s for e in stamps for s in e]
    assert len({unassigned.rows_root, assigned.rows_root}) == 2
    assert again.rows_root == unassigned.rows_root == stamps_root(log(ledger))


def test_an_intact_log_that_grew_extends_its_anchors(ledger: Ledger, tmp_path: Path) -> None:
    first = take(ledger)
    import_more(ledger, tmp_path)
    second = take(ledger)
    assert second.seq > first.seq and second.ledger == first.ledger
    result = check(ledger, first, second)
    assert result.ok, result.problem
    assert (result.anchors, result.entries, result.head_hash) == (2, second.seq, second.hash)
    assert result.rows_checked > 0  # the tables were checked too


# -- removing the last entries ---------------------------------------------------------------------
def test_removing_the_last_entries_passes_verify_but_not_the_anchor(
    ledger: Ledger, tmp_path: Path
) -> None:
    before = take(ledger)
    import_more(ledger, tmp_path)
    anchor = take(ledger)

    removed = cut_log(ledger.db, before.seq)

    assert removed == anchor.seq - before.seq > 0
    plain = ledger.services.audit.verify(ledger.admin)
    assert plain.ok, plain.problem  # the log is whole, and the tables agree with it
    assert plain.entries == before.seq
    result = check(ledger, anchor)
    assert (result.ok, result.kind, result.seq) == (False, "anchor_missing", anchor.seq)
    assert f"records entry {anchor.seq}, but the log ends at entry {before.seq}" in (
        result.problem or ""
    )
    assert "removed from its end and its head rewound" in (result.problem or "")
    assert check(ledger, before).ok  # what is left still extends the earlier anchor


# -- rewriting the chain ---------------------------------------------------------------------------
def test_rehashing_the_chain_from_an_entry_on_passes_verify_but_not_the_anchor(
    ledger: Ledger, tmp_path: Path
) -> None:
    early = take(ledger)
    import_more(ledger, tmp_path)
    late = take(ledger)
    target = next(
        r.seq for r in log(ledger) if r.seq > early.seq and r.action == "datapoint.create"
    )

    rewrite_from(ledger.db, target)

    plain = ledger.services.audit.verify(ledger.admin)
    assert plain.ok, plain.problem
    assert plain.entries == late.seq and plain.head_hash != late.hash
    assert check(ledger, early).ok  # rewritten after the early anchor: it is still extended
    result = check(ledger, early, late)
    assert (result.ok, result.kind, result.seq) == (False, "anchor_diverged", late.seq)
    problem = result.problem or ""
    assert f"entry {late.seq} has hash {plain.head_hash[:16]}…" in problem
    assert f"records {late.hash[:16]}…" in problem and "re-hashed" in problem


def test_rehashing_the_whole_chain_is_refused_as_another_ledger(ledger: Ledger) -> None:
    anchor = take(ledger)

    rewrite_from(ledger.db, 1)

    assert ledger.services.audit.verify(ledger.admin).ok
    result = check(ledger, anchor)
    assert (result.ok, result.kind) == (False, "anchor_other_ledger")
    assert "rewritten from its first entry on" in (result.problem or "")


def test_an_anchor_of_another_ledger_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    other = Services.open(f"sqlite:///{tmp_path / 'other.db'}", create=True)
    try:
        other.init()
        foreign = Ledger(other).services.audit.anchor(Ledger(other).admin)
    finally:
        other.dispose()
    assert foreign.ledger != take(ledger).ledger

    result = check(ledger, foreign)

    assert (result.ok, result.kind, result.seq) == (False, "anchor_other_ledger", foreign.seq)
    assert "is of another ledger" in (result.problem or "")


def test_an_altered_rows_root_is_named(ledger: Ledger) -> None:
    anchor = take(ledger)
    altered = replace(anchor, rows_root="0" * 64)
    result = check(ledger, altered)
    assert (result.ok, result.kind) == (False, "anchor_rows")
    assert f"the row stamps up to entry {anchor.seq} digest to" in (result.problem or "")


def test_a_broken_chain_is_not_anchored(ledger: Ledger) -> None:
    execute(ledger.db, ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", {}))
    with pytest.raises(Conflict, match="does not verify, so it is not anchored: entry 3"):
        take(ledger)


def test_a_chain_broken_before_an_anchor_is_named_as_the_chain(ledger: Ledger) -> None:
    anchor = take(ledger)
    execute(ledger.db, ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", {}))
    result = check(ledger, anchor)
    assert (result.ok, result.kind, result.seq) == (False, "edited", 3)


# -- signed anchors --------------------------------------------------------------------------------
def test_a_signed_anchor_verifies_with_its_key_and_nothing_else(ledger: Ledger) -> None:
    pair, stranger = new_signing_key(), new_signing_key()
    signed = take(ledger, pair.private_pem)
    assert signed.signature is not None and signed.signature.key == pair.fingerprint
    assert check(ledger, signed, key=pair.public_pem).ok
    document = json.loads(signed.to_json())

    for name, value in [("at", "2020-01-01T00:00:00+00:00"), ("seq", signed.seq - 1)]:
        forged = parse_anchor(json.dumps({**document, name: value}), "forged.json")
        with pytest.raises(Invalid, match="signature of forged.json does not verify"):
            check(ledger, forged, key=pair.public_pem)
    with pytest.raises(Invalid, match="was signed by another key"):
        check(ledger, signed, key=stranger.public_pem)
    with pytest.raises(Invalid, match="is not signed"):
        check(ledger, take(ledger), key=pair.public_pem)
    with pytest.raises(Invalid, match="not a public key in PEM form"):
        check(ledger, signed, key=pair.private_pem)
    with pytest.raises(Invalid, match="not a private key in PEM form"):
        take(ledger, pair.public_pem)


# -- reading anchor documents ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"rows_root": None}, "rows_root: expected a SHA-256 hash"),
        ({"hash": "ABC"}, "hash: expected a SHA-256 hash"),
        ({"seq": 0}, "seq: expected a positive whole number"),
        ({"seq": True}, "seq: expected a positive whole number"),
        ({"format": "esgledger-anchor/2"}, "format: expected 'esgledger-anchor/1'"),
        ({"at": "2024-01-01T00:00:00"}, "at: expected an ISO date and time with its zone"),
        ({"extra": 1}, "unknown field(s) extra"),
        ({"signature": {"algorithm": "RSA"}}, "signature: expected null or an object"),
    ],
)
def test_a_malformed_anchor_is_refused_by_field(edit: dict[str, Any], message: str) -> None:
    document = {
        "format": "esgledger-anchor/1",
        "ledger": "a" * 64,
        "seq": 5,
        "hash": "b" * 64,
        "at": "2024-01-01T00:00:00+00:00",
        "rows_root": "c" * 64,
        **edit,
    }
    with pytest.raises(
        Invalid, match=f"^anchor.json: {message}".replace("(", r"\(").replace(")", r"\)")
    ):
        parse_anchor(json.dumps(document), "anchor.json")


def test_what_is_no_anchor_is_refused() -> None:
    with pytest.raises(Invalid, match="a.json is not JSON"):
        parse_anchor("{", "a.json")
    with pytest.raises(Invalid, match="a.json: missing field\\(s\\) ledger, seq, hash"):
        parse_anchor(json.dumps({"format": "esgledger-anchor/1"}), "a.json")
    with pytest.raises(Invalid, match="a.json is 20000 bytes"):
        parse_anchor(b" " * 20000, "a.json")


def test_every_anchor_kind_is_named_in_both_languages() -> None:
    for kind in ANCHOR_KINDS:
        english, chinese = (Strings(lang).get(f"audit.kind.{kind}", "") for lang in ("en", "zh"))
        assert english and chinese and english != chinese, kind


# -- the command line ------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    monkeypatch.setattr(cli_common.errors, "width", 10_000)


def run(db_url: str, *args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli_app, ["--db", db_url, *map(str, args)], env={"ESGLEDGER_DATABASE_URL": None}
    )
    return result.exit_code, result.stdout, result.stderr


def test_cli_anchor_verify_and_a_removed_end(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    code, printed, _ = run(db_url, "audit", "anchor")
    assert code == 0 and json.loads(printed)["seq"] == log(ledger)[-1].seq
    keep = log(ledger)[-1].seq
    import_more(ledger, tmp_path)
    path = tmp_path / "anchor.json"
    code, out, _ = run(db_url, "audit", "anchor", "-o", path)
    assert code == 0 and f"anchor of entry {log(ledger)[-1].seq}" in out
    assert parse_anchor(path.read_text()) == replace(
        take(ledger), at=json.loads(path.read_text())["at"]
    )
    code, _out, err = run(db_url, "audit", "anchor", "-o", path)
    assert code == 1 and "exists already" in err

    code, out, _ = run(db_url, "audit", "verify", "--anchor", path)
    assert code == 0 and "it extends the 1 anchor(s) given" in out

    cut_log(ledger.db, keep)

    assert run(db_url, "audit", "verify")[0] == 0
    code, out, _ = run(db_url, "audit", "verify", "--anchor", path)
    anchored = json.loads(path.read_text())["seq"]
    assert code == 1
    assert f"the audit log does not extend the anchor of entry {anchored} (anchor_missing)" in out
    assert f"{path} (taken " in out and f"the log ends at entry {keep}" in out
    code, out, _ = run(db_url, "audit", "verify", "--anchor", path, "--json")
    assert code == 1 and json.loads(out)["kind"] == "anchor_missing"


def test_cli_signed_anchor(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    key = tmp_path / "keys" / "anchor-key"
    key.parent.mkdir()
    code, out, _ = run(db_url, "audit", "keygen", "-o", key)
    assert code == 0 and "fingerprint" in out
    public = Path(f"{key}.pub")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert run(db_url, "audit", "keygen", "-o", key)[0] == 1  # never overwritten
    path = tmp_path / "signed.json"
    code, out, _ = run(db_url, "audit", "anchor", "--sign", key, "-o", path)
    assert code == 0 and "(signed)" in out

    code, out, _ = run(db_url, "audit", "verify", "--anchor", path, "--public-key", public)
    assert code == 0, out

    document = json.loads(path.read_text())
    document["at"] = "2030-01-01T00:00:00+00:00"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    code, _out, err = run(db_url, "audit", "verify", "--anchor", forged, "--public-key", public)
    assert code == 1
    assert f"the signature of {forged} does not verify with {public}" in err
    assert run(db_url, "audit", "verify", "--anchor", forged)[0] == 0  # no key: not checked


def test_cli_head_from_a_report_and_bad_input(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    last = log(ledger)[-1]
    assert run(db_url, "audit", "verify", "--head", f"{last.seq}:{last.hash}")[0] == 0
    wrong = f"{last.seq}:{'f' * 64}"
    code, out, _ = run(db_url, "audit", "verify", "--head", wrong)
    assert code == 1 and "(anchor_diverged)" in out
    code, _out, err = run(db_url, "audit", "verify", "--head", "12")
    assert code == 1 and "--head: expected SEQ:HASH" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "esgledger-anchor/1"}')
    code, _out, err = run(db_url, "audit", "verify", "--anchor", broken)
    assert code == 1 and f"{broken}: missing field(s) ledger" in err
    code, _out, err = run(db_url, "audit", "verify", "--anchor", tmp_path / "none.json")
    assert code == 1 and "no anchor file at" in err


# -- the report ------------------------------------------------------------------------------------
def test_the_report_prints_the_head_it_was_built_at(ledger: Ledger, db_url: str) -> None:
    ledger.calc("2024")
    services, admin = ledger.services, ledger.admin
    built = {lang: services.reports.build(admin, "2024", lang) for lang in ("en", "zh")}
    del built
    entries = log(ledger)
    builds = [r for r in entries if r.action == "report.build"]
    assert len(builds) == 2
    for build, lang in zip(builds, ("en", "zh"), strict=True):
        head = entries[build.seq - 2]  # the entry before the build's own record
        _record, path = services.reports.download(admin, "2024", lang)
        html = path.read_text(encoding="utf-8")
        command = f"esgledger audit verify --head {head.seq}:{head.hash}"
        assert f'<code class="head">{command}</code>' in html
        intro = {"en": f"ledger at audit entry {head.seq}.", "zh": f"审计日志第 {head.seq} 条"}
        assert intro[lang] in html
        assert run(db_url, *command.split()[1:])[0] == 0
    rewrite_from(ledger.db, 2)
    assert run(db_url, "audit", "verify", "--head", f"{head.seq}:{head.hash}")[0] == 1


# -- backup and restore ----------------------------------------------------------------------------
@pytest.fixture(params=BACKENDS)
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        request.getfixturevalue("postgres_template")  # the server answers
    with empty_target(request.param, tmp_path / "target") as url:
        yield url


def test_a_restored_ledger_extends_an_anchor_taken_before_the_backup(
    ledger: Ledger,
    db_url: str,
    target_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    use_folders(monkeypatch, tmp_path / "source")
    anchor = tmp_path / "before-backup.json"
    assert cli(db_url, "audit", "anchor", "-o", str(anchor)).exit_code == 0
    archive = tmp_path / "ledger.tar.gz"
    backed_up = cli(db_url, "backup", str(archive))
    assert backed_up.exit_code == 0, backed_up.output
    use_folders(monkeypatch, tmp_path / "target")

    restored = cli(target_url, "restore", str(archive))

    assert restored.exit_code == 0, restored.output
    verified = cli(target_url, "audit", "verify", "--anchor", str(anchor))
    assert verified.exit_code == 0, verified.output
    assert "it extends the 1 anchor(s) given" in "".join(verified.stdout.split("\n"))
    after = json.loads(cli(target_url, "audit", "anchor").stdout)
    before = json.loads(anchor.read_text())
    assert after["ledger"] == before["ledger"]  # the same ledger, one entry on (the backup)
    assert after["seq"] == before["seq"] + 1


# -- the REST API ----------------------------------------------------------------------------------
def test_api_anchor_and_verify_against_it(world: World, client: TestClient) -> None:
    headers = world.headers("auditor")
    answer = client.get(f"{API}/audit/anchor", headers=headers)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["seq"] == log(world.ws)[-1].seq and document["signature"] is None
    verified = client.post(f"{API}/audit/verify", json={"anchors": [document]}, headers=headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True and verified.json()["anchors"] == 1

    rewrite_from(world.services.db, document["seq"] - 1)

    assert client.get(f"{API}/audit/verify", headers=headers).json()["ok"] is True
    failed = client.post(f"{API}/audit/verify", json={"anchors": [document]}, headers=headers)
    body = failed.json()
    assert failed.status_code == 200
    assert (body["ok"], body["kind"], body["seq"]) == (False, "anchor_diverged", document["seq"])
    assert "anchors[0]" in body["problem"]


def test_api_signed_anchor_and_refusals(world: World, client: TestClient) -> None:
    headers = world.headers("auditor")
    pair = new_signing_key()
    signed = world.services.audit.anchor(world.user("auditor"), pair.private_pem).as_dict()
    key = pair.public_pem.decode()
    body = {"anchors": [signed], "public_key": key}
    assert client.post(f"{API}/audit/verify", json=body, headers=headers).json()["ok"] is True
    forged = {**signed, "seq": signed["seq"] - 1}
    refused = client.post(
        f"{API}/audit/verify", json={"anchors": [forged], "public_key": key}, headers=headers
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "signature"
    assert "the signature of anchors[0] does not verify with public_key" in error["message"]
    bad = client.post(
        f"{API}/audit/verify", json={"anchors": [{**signed, "hash": "x"}]}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "anchors.0.hash"


# -- the web page ----------------------------------------------------------------------------------
@pytest.fixture
def app(world: World) -> FastAPI:
    return create_app(world.services)


def test_the_page_offers_an_anchor_and_checks_an_uploaded_one(
    world: World, browse: dict[str, TestClient]
) -> None:
    auditor = browse["auditor"]
    page = auditor.get("/audit").text
    assert 'href="/audit/anchor" id="anchor-download"' in page
    assert 'action="/audit/verify"' in page
    download = auditor.get("/audit/anchor")
    assert download.status_code == 200
    seq = log(world.ws)[-1].seq
    disposition = f'attachment; filename="esgledger-anchor-{seq}.json"'
    assert download.headers["content-disposition"] == disposition
    content = download.content
    assert parse_anchor(content).seq == seq

    def upload(lang: str = "en", accept: str = "text/html") -> Any:
        token = form_token(auditor.get("/audit").text)
        return auditor.post(
            "/audit/verify",
            data={"csrf_token": token},
            files={"anchor": ("kept.json", content, "application/json")},
            headers={"accept": accept},
        )

    shown = upload()
    assert shown.status_code == 200
    assert f"It extends the anchor of entry {seq} taken" in shown.text
    twin = upload(accept="application/json").json()
    assert twin["verification"]["ok"] is True and twin["anchor"]["seq"] == seq

    cut_log(world.services.db, seq - 1)

    shown = upload()
    assert f"The log no longer extends the anchor of entry {seq}" in shown.text
    assert "entries were removed from the end of the log" in shown.text
    auditor.get("/lang/zh")
    zh = upload().text
    assert f"日志已不再延续第 {seq} 条记录的锚点（日志末尾的记录被删除）。" in zh
    refused = auditor.post(
        "/audit/verify",
        data={"csrf_token": form_token(auditor.get("/audit").text)},
        files={"anchor": ("kept.json", b"{", "application/json")},
    )
    assert refused.status_code == 422 and "kept.json is not JSON" in refused.text


def test_the_page_refuses_an_upload_without_its_form_token(browse: dict[str, TestClient]) -> None:
    answer = browse["auditor"].post(
        "/audit/verify", files={"anchor": ("kept.json", b"{}", "application/json")}
    )
    assert answer.status_code == 403
