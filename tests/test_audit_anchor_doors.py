"""Anchors through the doors: the command line (anchor, verify against anchors and heads, keygen
and signed anchors), the report's chain head, an anchor kept across backup and restore, the REST
API and the audit page; on both backends."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.api import create_app
from esgledger.cli import common as cli_common
from esgledger.services.audit import (
    new_signing_key,
    parse_anchor,
)
from esgledger.store.database import URL_ENV
from tests.anchor_helpers import import_more, log, run, small_ledger, take
from tests.backup_helpers import cli, empty_target, use_folders
from tests.collab_fixtures import API, World
from tests.conftest import BACKENDS
from tests.ledger_fixture import Ledger
from tests.tampering import cut_log, rewrite_from
from tests.web_clients import form_token


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    return small_ledger(ws, tmp_path)


# -- the command line ------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    monkeypatch.setattr(cli_common.errors, "width", 10_000)


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
