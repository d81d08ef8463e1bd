"""The assurance pack (issue 12, part 4): the pack of the demo's year verifies with its own script
in a clean virtual environment (no esgledger), fails when any file in it changes, holds the
evidence, approvals, audit anchor and sample it claims, and is the same bytes for the same ledger
state, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from esgledger.api import create_app
from esgledger.assurance import verify_pack
from esgledger.cli.main import app as cli
from esgledger.demo import REPORT_YEAR, run_demo
from esgledger.ledger.anchors import parse_anchor
from esgledger.service_errors import Forbidden
from esgledger.services import Services
from tests.collab_fixtures import PASSWORD
from tests.conftest import BACKENDS, _admin_execute, _admin_url_for
from tests.qa_test_rules import qa_rules  # noqa: F401  (fixture)
from tests.web_clients import sign_in

PDF = b"%PDF-1.4\n% meter reading of the recycling plant, December 2024\n%%EOF\n"


@dataclass
class Demo:
    url: str
    out: Path
    services: Services
    evidence_sha256: str
    approved: int  # the data point the manager approved
    build_seconds: float


def _admin(services: Services):  # noqa: ANN202 - the demo's admin, the OS login's account
    return services.accounts.command_line_actor(None, lambda _name: "")


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """The demo ledger with one evidence file and one approval added (the demo has none). A
    PostgreSQL ledger's files live where the environment says: one folder for the module, so
    that the command line of a later test finds the evidence too."""
    out = tmp_path_factory.mktemp(f"demo-{request.param}")
    environment = pytest.MonkeyPatch()
    environment.setenv("ESGLEDGER_FILES_DIR", str(out / "files"))
    database = None
    if request.param == "sqlite":
        url = f"sqlite:///{out / 'demo.db'}"
        run_demo(out, console=Console(file=io.StringIO()))
    else:
        template = request.getfixturevalue("postgres_template")
        database = f"esgledger_assurance_{os.getpid()}"
        _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _admin_execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        url = _admin_url_for(database)
        run_demo(out, db=url, console=Console(file=io.StringIO()))
    services = Services.open(url)
    admin = _admin(services)
    for name, role in (("mia", "esg_manager"), ("aud", "auditor"), ("vic", "viewer")):
        services.accounts.create(admin, name, PASSWORD, role, [])
    first = _unpacked(services.assurance.pack(admin, REPORT_YEAR).data)
    versions = json.loads(first["approvals.json"])
    point = next(
        v for v in versions if v["status"] == "submitted" and v["metric_id"] == "energy.diesel"
    )
    services.evidence.upload(admin, point["id"], "diesel-2024.pdf", PDF)
    services.datapoints.approve(
        services.accounts.principal("mia"), point["id"], point["version"], "matches the invoices"
    )
    started = time.perf_counter()
    services.assurance.pack(admin, REPORT_YEAR)
    seconds = time.perf_counter() - started
    yield Demo(url, out, services, hashlib.sha256(PDF).hexdigest(), point["id"], seconds)
    services.dispose()
    environment.undo()
    if database is not None:
        _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment without esgledger (nor anything else installed)."""
    venv = tmp_path_factory.mktemp("clean") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    probe = subprocess.run(
        [str(python), "-c", "import esgledger"], capture_output=True, text=True, timeout=60
    )
    assert probe.returncode != 0 and "No module named 'esgledger'" in probe.stderr
    return python


def _unpacked(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def _verify(python: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the pack's own verify.py from inside the unpacked pack, as an assurer would."""
    return subprocess.run(
        [str(python), "verify.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )


def _pack(demo: Demo, seed: int | None = None) -> dict[str, bytes]:
    return _unpacked(demo.services.assurance.pack(_admin(demo.services), REPORT_YEAR, seed).data)


def _rehash(files: dict[str, bytes], name: str) -> None:
    manifest = json.loads(files["manifest.json"])
    manifest["files"][name] = hashlib.sha256(files[name]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()


# -- it verifies ----------------------------------------------------------------------------------
def test_the_demo_pack_verifies_with_its_own_script_in_a_clean_venv(
    demo: Demo, clean_python: Path, tmp_path: Path
) -> None:
    folder = _write(tmp_path / "pack", _pack(demo))
    done = _verify(clean_python, folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the pack verifies" in done.stdout
    assert "OK audit: " in done.stdout and "the head is the anchor's" in done.stdout
    summary = done.stdout.splitlines()[-2]
    holds, fails = (int(part.split()[0]) for part in summary.split(": ")[1].split(", ")[:2])
    assert holds > 500 and fails == 0, summary
    # the script names what it does not recompute, by record (which ones: as the sample falls)
    records = json.loads((folder / "lineage" / "records.json").read_text(encoding="utf-8"))
    named = [
        line.split()[2].rstrip(":") for line in done.stdout.splitlines() if "NOT RECOMPUTED" in line
    ]
    assert all(key in records for key in named)
    assert summary.endswith(f"{len(named)} not recomputed (named above)")
    assert demo.build_seconds < 30  # recorded in the report: about 0.6 s on SQLite


def test_the_command_line_writes_the_pack(demo: Demo, tmp_path: Path) -> None:
    target = tmp_path / "out" / "pack.zip"
    result = CliRunner().invoke(
        cli, ["--db", demo.url, "assurance", "--period", REPORT_YEAR, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "assurance pack of 2024 written to" in result.output
    said = " ".join(result.output.split())  # as the console wrapped it
    assert "data point versions behind these numbers: a pack of a draft" in said
    assert f"check it: unzip {target} -d pack && cd pack && python3 verify.py" in said
    assert (
        target.read_bytes() == demo.services.assurance.pack(_admin(demo.services), REPORT_YEAR).data
    )
    refused = CliRunner().invoke(
        cli, ["--db", demo.url, "assurance", "--period", "1999", "-o", str(tmp_path / "x.zip")]
    )
    assert refused.exit_code == 1 and "no calculation for 1999" in refused.output


def test_the_script_recomputes_the_shapes_it_knows_and_names_the_others() -> None:
    """Hand-made records: a roll-up, a sum with a unit conversion, a ratio, a sum of terms with
    a product term, a data point input; an unknown formula is named, a wrong value fails."""
    records = {
        "a@g@2024": {"key": "a@g@2024", "kind": "rollup", "value": 7.5, "unit": "t",
                     "own": {"key": "a@g@2024#own", "value": 1.5},
                     "children": [{"key": "a@c@2024", "value": 8.0, "factor": 0.75}],
                     "eliminations": []},
        "a@c@2024": {"key": "a@c@2024", "kind": "formula", "formula": "sum", "value": 8.0,
                     "unit": "t", "inputs": [{"key": "k@c@2024", "value": 3000.0, "unit": "kg"},
                                             {"key": "t@c@2024", "value": 5.0, "unit": "t"}]},
        "r@c@2024": {"key": "r@c@2024", "kind": "formula", "formula": "ratio", "value": 1600.0,
                     "unit": "kg/t", "inputs": [{"key": "a@c@2024", "value": 8.0, "unit": "t"},
                                                {"key": "p@c@2024", "value": 5.0, "unit": "t"}]},
        "e@c@2024": {"key": "e@c@2024", "kind": "formula", "formula": "standard_coal",
                     "value": 14.5, "unit": "tce",
                     "inputs": [{"key": "d@c@2024", "value": 10.0, "unit": "t"}],
                     "factors": [{"factor": "coal.diesel", "value": 1.45, "unit": "kgce/kg"}],
                     "terms": [{"input": "d@c@2024", "value": 14.5, "unit": "tce"}]},
        "d@c@2024": {"key": "d@c@2024", "kind": "input", "value": 10.0, "unit": "t",
                     "datapoints": [{"value_normalised": 4.0}, {"value_normalised": 6.0}]},
        "x@c@2024": {"key": "x@c@2024", "kind": "formula", "formula": "mystery", "value": 1.0,
                     "unit": "t"},
        "w@c@2024": {"key": "w@c@2024", "kind": "rollup", "value": 9.0, "unit": "t",
                     "own": None, "children": [{"key": "c", "value": 4.0, "factor": 2.0}]},
    }  # fmt: skip
    constants = {
        "a@c@2024": {"conversions": {"k@c@2024": 0.001}},
        "r@c@2024": {"constant": 1000.0},  # t/t -> kg/t
        "e@c@2024": {"shape": "terms", "terms": {"0": {"factors": [0], "constant": 1.0}}},
        "d@c@2024": {"shape": "datapoints"},
    }
    work = verify_pack.Recompute(records, constants)
    for key in records:
        work.record(key)
    said = {(status, key) for status, key, _message in work.results}
    for key in ("a@g@2024", "a@c@2024", "r@c@2024", "e@c@2024", "d@c@2024"):
        assert ("OK", key) in said and ("FAIL", key) not in said, key
    assert ("NOT RECOMPUTED", "x@c@2024") in said
    assert ("FAIL", "w@c@2024") in said  # 4 x 2 is 8, not 9
    # a record reading another's value other than that record holds fails
    records["r@c@2024"]["inputs"][0]["value"] = 8.5
    work = verify_pack.Recompute(records, constants)
    work.record("r@c@2024")
    assert any(s == "FAIL" and "input a@c@2024 read as" in m for s, _k, m in work.results)


# -- any change is found ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("data", "changed file (SHA-256 differs): lineage/records.json"),
        ("manifest", "changed file (SHA-256 differs): figures.json"),
        ("added", "file not in the manifest: evidence/files/extra.pdf"),
        ("removed", "missing file: audit/anchor.json"),
        ("evidence", "changed file (SHA-256 differs): evidence/files/"),
        ("arithmetic", "FAIL "),
        ("audit", "FAIL audit entries whose hash does not recompute: "),
    ],
)
def test_a_changed_pack_fails(
    demo: Demo, clean_python: Path, tmp_path: Path, change: str, said: str
) -> None:
    files = _pack(demo)
    if change == "data":
        files["lineage/records.json"] = files["lineage/records.json"].replace(b"1", b"2", 1)
    elif change == "manifest":
        manifest = json.loads(files["manifest.json"])
        manifest["files"]["figures.json"] = "0" * 64
        files["manifest.json"] = json.dumps(manifest).encode()
    elif change == "added":
        files["evidence/files/extra.pdf"] = PDF
    elif change == "removed":
        del files["audit/anchor.json"]
    elif change == "evidence":
        name = next(n for n in files if n.startswith("evidence/files/"))
        files[name] += b"%"
    elif change == "audit":  # an entry's actor changed, and the manifest made to agree
        entries = json.loads(files["audit/entries.json"])
        entries[0]["actor"] = "someone-else"
        files["audit/entries.json"] = json.dumps(entries).encode()
        _rehash(files, "audit/entries.json")
    else:  # a value of a sampled record changed, and the manifest made to agree
        sample = json.loads(files["sample.json"])
        records = json.loads(files["lineage/records.json"])
        key = next(
            k for e in sample["entries"] for k in e["records"] if records[k]["kind"] == "rollup"
        )
        records[key]["value"] *= 1.01
        files["lineage/records.json"] = json.dumps(records).encode()
        _rehash(files, "lineage/records.json")
        said = f"FAIL {key}: roll-up"
    done = _verify(clean_python, _write(tmp_path / "pack", files))
    assert done.returncode == 1, done.stdout
    assert said in done.stdout, done.stdout
    assert "the pack does not verify" in done.stdout


def test_a_sample_that_does_not_follow_from_its_seed_fails(
    demo: Demo, clean_python: Path, tmp_path: Path
) -> None:
    files = _pack(demo)
    sample = json.loads(files["sample.json"])
    sample["seed"] += 1
    files["sample.json"] = json.dumps(sample).encode()
    _rehash(files, "sample.json")
    done = _verify(clean_python, _write(tmp_path / "pack", files))
    assert done.returncode == 1 and "FAIL sample: seed" in done.stdout


# -- what it holds ---------------------------------------------------------------------------------
def test_every_published_number_of_the_annex_is_in_the_pack(demo: Demo, tmp_path: Path) -> None:
    files = _pack(demo)
    figures = json.loads(files["figures.json"])
    annex = demo.services.reports.annex(_admin(demo.services), REPORT_YEAR, "en", tmp_path)
    workbook = load_workbook(annex, read_only=True)
    keys = set()
    for sheet in workbook.worksheets[:3]:  # reported, calculated, breakdowns
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        year, key = header.index("Period"), header.index("Lineage key")
        keys |= {row[key] for row in rows[1:] if str(row[year]) == REPORT_YEAR}
    assert keys and {f["lineage_key"] for f in figures} == keys
    records = json.loads(files["lineage/records.json"])
    assert all(f["lineage_key"] in records for f in figures)
    scope1 = next(f for f in figures if f["lineage_key"] == "ghg.scope1@jl@2024")
    assert scope1["factors"] and all(
        {"value", "unit", "edition", "version", "source"} <= set(f) for f in scope1["factors"]
    )
    used = json.loads(files["factors.json"])
    editions = {(f["factor_set"], f["edition"]) for f in used if not f.get("measured")}
    assert ("gbt2589", "GB/T 2589-2020") in editions
    assert all(f["used_by"] for f in used)


def test_the_evidence_and_the_approval_are_in_the_pack(demo: Demo) -> None:
    files = _pack(demo)
    index = json.loads(files["evidence/index.json"])
    attached = next(item for item in index if item["sha256"] == demo.evidence_sha256)
    assert attached["datapoint_id"] == demo.approved and attached["present"]
    assert files[attached["file"]] == PDF
    approvals = json.loads(files["approvals.json"])
    version = next(v for v in approvals if v["id"] == demo.approved)
    assert version["status"] == "approved"
    assert [(c["action"], c["by"], c["comment"]) for c in version["review"]] == [
        ("approve", "mia", "matches the invoices")
    ]
    assert json.loads(files["pack.json"])["approvals"] == 1


def test_the_anchor_is_the_chain_head_and_the_ledger_extends_it(demo: Demo) -> None:
    files = _pack(demo)
    admin = _admin(demo.services)
    anchor = parse_anchor(files["audit/anchor.json"], "audit/anchor.json")
    now = demo.services.audit.anchor(admin)
    assert (anchor.seq, anchor.hash, anchor.ledger) == (now.seq, now.hash, now.ledger)
    assert demo.services.audit.verify(admin, [anchor]).ok
    entries = json.loads(files["audit/entries.json"])
    assert entries and [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    assert any(
        e["action"] == "datapoint.approve" and e["object_id"] == str(demo.approved) for e in entries
    )
    assert f"{anchor.seq}:{anchor.hash}" in files["README.txt"].decode()
    readme = files["README.txt"].decode()
    assert "python3 verify.py" in readme and "鉴证" in readme


@pytest.mark.usefixtures("qa_rules")
def test_the_quality_findings_and_their_justifications_are_in_the_pack(demo: Demo) -> None:
    """With hand-made rules (diesel above 15 t is an error): every finding is in the pack, the
    one a manager justified with its justification, and the pack still verifies."""
    services = demo.services
    before = json.loads(_pack(demo)["qa/findings.json"])
    diesel = [f for f in before["findings"] if f["rule"] == "diesel.limit"]
    assert diesel and all(f["severity"] == "error" for f in diesel)
    chosen = diesel[0]
    services.qa_review.justify(
        services.accounts.principal("mia"),
        REPORT_YEAR,
        "diesel.limit",
        chosen["key"],
        "the mobile fleet's diesel, metered at the pump",
    )
    files = _pack(demo)
    after = json.loads(files["qa/findings.json"])
    justified = {f["key"]: f["justification"] for f in after["findings"]}
    assert justified[chosen["key"]]["text"] == "the mobile fleet's diesel, metered at the pump"
    assert sum(1 for j in justified.values() if j is not None) == 1
    stored = json.loads(files["qa/justifications.json"])["justifications"]
    assert [j["finding_key"] for j in stored] == [chosen["key"]]
    summary = json.loads(files["pack.json"])
    assert (summary["qa_findings"], summary["qa_justified"]) == (
        len(diesel) + len([f for f in after["findings"] if f["rule"] == "water.limit"]),
        1,
    )
    assert summary["qa_errors_open"] == len(diesel) - 1


def test_the_sample_is_seeded_and_stratified_by_magnitude(demo: Demo) -> None:
    default = json.loads(_pack(demo)["sample.json"])
    head = json.loads(_pack(demo)["pack.json"])["head"]["hash"]
    assert default["seed"] == int(hashlib.sha256(f"2024:{head}".encode()).hexdigest()[:15], 16)
    seeded = json.loads(_pack(demo, seed=7)["sample.json"])
    assert seeded["seed"] == 7
    assert {e["key"] for e in seeded["entries"]} != {e["key"] for e in default["entries"]}
    groups = {item["group"] for item in seeded["population"]}
    drawn = {(e["group"], e["stratum"]) for e in seeded["entries"]}
    assert {g for g, _s in drawn} == groups  # every metric group is sampled
    big = [g for g in groups if sum(i["group"] == g for i in seeded["population"]) >= 6]
    assert big and all({(g, s) for s in range(3)} <= drawn for g in big)  # small to large
    entry = seeded["entries"][0]
    assert {"formula", "inputs", "factors", "records", "value", "unit"} <= set(entry)


def test_two_packs_of_one_ledger_state_are_the_same_bytes(demo: Demo) -> None:
    admin = _admin(demo.services)
    first = demo.services.assurance.pack(admin, REPORT_YEAR).data
    second = demo.services.assurance.pack(admin, REPORT_YEAR).data
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# -- who may ---------------------------------------------------------------------------------------
def test_auditors_and_managers_export_viewers_do_not(demo: Demo) -> None:
    services = demo.services
    assert services.assurance.pack(services.accounts.principal("aud"), REPORT_YEAR).data
    with pytest.raises(Forbidden):
        services.assurance.pack(services.accounts.principal("vic"), REPORT_YEAR)


def test_the_rest_api_and_the_reports_page_hand_out_the_pack(demo: Demo) -> None:
    """The same bytes as the service's pack of the ledger state then (signing in is in the
    audit log: it moves the chain head the pack records)."""
    services = demo.services
    with TestClient(
        create_app(services), raise_server_exceptions=False, follow_redirects=False
    ) as client:
        token = client.post(
            "/api/v1/auth/token", json={"username": "aud", "password": PASSWORD}
        ).json()["access_token"]
        expected = services.assurance.pack(_admin(services), REPORT_YEAR).data
        answer = client.get("/api/v1/assurance/2024", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/zip"
        assert answer.content == expected
        sign_in(client, "mia")
        expected = services.assurance.pack(_admin(services), REPORT_YEAR).data
        page = client.get("/reports").text
        assert 'href="/reports/2024/assurance.zip"' in page
        download = client.get("/reports/2024/assurance.zip")
        assert download.status_code == 200 and download.content == expected
        assert 'filename="esgledger-assurance-2024.zip"' in download.headers["content-disposition"]


def test_a_fuel_term_of_several_gases_is_declared_and_recomputed_gas_by_gas() -> None:
    """IPCC 2006 Vol. 2 ch. 2 eq. 2.1: coal x NCV x each gas's emission factor (kg/TJ), in
    tonnes of the gas, times its GWP; the term in tCO2e is their sum (the demo's Indonesian
    refinery): declared per gas and recomputed, a changed term fails."""
    from esgledger.assurance.sample import _term_products

    co2, ch4 = 380000 * 20.908 * 94600 / 1e6, 380000 * 20.908 * 1.0 / 1e6
    record = {
        "key": "s1@id@2024", "kind": "formula", "formula": "stationary", "unit": "tCO2e",
        "value": co2 + ch4 * 28,
        "inputs": [{"key": "coal@id@2024", "metric": "energy.raw_coal", "value": 380000.0,
                    "unit": "t"}],
        "factors": [
            {"factor": "ncv", "applies_to": "energy.raw_coal", "role": "ncv", "value": 20.908,
             "unit": "GJ/t"},
            {"factor": "ef.co2", "applies_to": "energy.raw_coal", "role": "CO2 emission factor",
             "value": 94600.0, "unit": "kg/TJ"},
            {"factor": "ef.ch4", "applies_to": "energy.raw_coal", "role": "CH4 emission factor",
             "value": 1.0, "unit": "kg/TJ"},
            {"factor": "gwp.co2", "role": "GWP co2", "value": 1.0, "unit": "tCO2e/t"},
            {"factor": "gwp.ch4", "role": "GWP ch4", "value": 28.0, "unit": "tCO2e/t"},
        ],
        "terms": [{"input": "coal@id@2024", "value": co2 + ch4 * 28, "unit": "tCO2e",
                   "gases_t": {"co2": co2, "ch4": ch4}, "detail": "380000 t x 20.908 GJ/t"}],
    }  # fmt: skip
    declared = _term_products(record)  # type: ignore[arg-type]
    assert declared["0"]["gases"]["co2"]["factors"] == [0, 1]
    assert declared["0"]["gases"]["ch4"]["factors"] == [0, 2]
    constants = {"s1@id@2024": {"shape": "terms", "terms": declared}}

    work = verify_pack.Recompute({"s1@id@2024": record}, constants)
    work.record("s1@id@2024")
    assert [s for s, _k, _m in work.results] == ["OK", "OK"]  # the sum, the term

    record["terms"][0]["value"] += 5.0  # type: ignore[index]
    work = verify_pack.Recompute({"s1@id@2024": record}, constants)
    work.record("s1@id@2024")
    assert "FAIL" in [s for s, _k, _m in work.results]
