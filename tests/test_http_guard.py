"""Every request and response through one guard (api/limits.py): JSON and form bodies are refused
past 1 MiB before they are parsed, uploads keep the upload limit, error bodies stay small whatever
was sent, every response (API, web page, static file, documentation) carries the security headers,
and the API documentation is served from files inside the package."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from esgledger.api.limits import CONTENT_SECURITY_POLICY, MAX_BODY
from tests.collab_fixtures import API, PASSWORD, World
from tests.test_api_errors import PDF, assert_error, create

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "esgledger"
VENDORED = PACKAGE / "api" / "static" / "swagger-ui"
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def unknown_keys(count: int, width: int = 8) -> bytes:
    return json.dumps({f"k{n:0{width}d}": 1 for n in range(count)}).encode()


def test_a_large_json_body_is_refused_unread(client: TestClient) -> None:
    body = unknown_keys(200_000)  # about 3.4 MB: under the upload limit, over the body limit
    assert len(body) > MAX_BODY
    answer = client.post(
        f"{API}/auth/token", content=body, headers={"content-type": "application/json"}
    )
    error = assert_error(answer, 413, "too_large")
    assert error["details"] == {"max_bytes": MAX_BODY} and len(answer.content) < 1000


def test_a_chunked_body_is_cut_off_at_the_limit(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "admin", "password": "'
        for _ in range(40):
            yield b"x" * 64 * 1024
        yield b'"}'

    answer = client.post(
        f"{API}/auth/token", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error(answer, 413, "too_large")


def test_a_large_form_body_is_refused(client: TestClient) -> None:
    answer = client.post("/login", data={"username": "admin", "password": "x" * (MAX_BODY + 1)})
    assert answer.status_code == 413


def test_uploads_keep_the_upload_limit(client: TestClient, world: World) -> None:
    point = create(client, world)
    big = {"file": ("big.pdf", PDF + b"0" * (3 * MAX_BODY), "application/pdf")}
    answer = client.post(
        f"{API}/datapoints/{point['id']}/evidence", files=big, headers=world.headers("owner_a")
    )
    assert answer.status_code == 201, answer.text


def test_validation_errors_are_bounded_and_say_how_many_more(client: TestClient) -> None:
    body = unknown_keys(50_000, width=6)  # 50 000 unknown fields in 650 KB
    assert len(body) < MAX_BODY
    answer = client.post(
        f"{API}/auth/token", content=body, headers={"content-type": "application/json"}
    )
    error = assert_error(answer, 422, "invalid_request")
    assert len(error["details"]) == 20 and len(answer.content) < 10_000
    assert "and 49,982 more problems" in error["message"]  # 50 000 unknown + 2 missing - 20


def test_a_long_field_name_is_not_echoed_whole(client: TestClient) -> None:
    body = json.dumps({"username": "a", "password": PASSWORD, "k" * 500_000: 1}).encode()
    answer = client.post(
        f"{API}/auth/token", content=body, headers={"content-type": "application/json"}
    )
    assert_error(answer, 422, "invalid_request")
    assert len(answer.content) < 5_000


def test_every_response_carries_the_security_headers(client: TestClient, world: World) -> None:
    owner = world.headers("owner_a")
    answers = {
        "api json": client.get(f"{API}/entities", headers=owner),
        "api error": client.get(f"{API}/entities"),
        "not found": client.get("/no/such/page"),
        "openapi": client.get(f"{API}/openapi.json"),
        "docs": client.get(f"{API}/docs"),
        "docs asset": client.get(f"{API}/docs/assets/docs.js"),
        "web page": client.get("/login"),
        "static": client.get("/static/htmx.min.js"),
        "too large": client.post(f"{API}/auth/token", content=b"x" * (MAX_BODY + 1)),
    }
    for name, answer in answers.items():
        assert answer.status_code < 500, name
        for header, value in HEADERS.items():
            assert answer.headers.get(header) == value, (name, header)
        assert len(answer.headers.get_list("content-security-policy")) == 1, name


def test_the_api_docs_load_nothing_from_outside(client: TestClient) -> None:
    page = client.get(f"{API}/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "http" not in page.text and "<script>" not in page.text  # no CDN, no inline script
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(
        s.startswith(f"{API}/docs/assets/") or s == "/static/favicon.svg" for s in sources
    ), sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source
    assert f"{API}/openapi.json" in page.text


def test_the_vendored_files_are_the_ones_recorded() -> None:
    notes = (VENDORED / "VENDORED.md").read_text(encoding="utf-8")
    recorded = dict(
        (name, digest) for digest, name in re.findall(r"`([0-9a-f]{64})  (\S+)`", notes)
    )
    assert set(recorded) == {p.name for p in VENDORED.iterdir() if p.name != "VENDORED.md"}
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDORED / name).read_bytes()).hexdigest() == digest, name


def test_the_package_data_includes_the_docs_files() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["esgledger"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    wanted = [p for p in (PACKAGE / "api" / "static").rglob("*") if p.is_file()]
    assert wanted and [p for p in wanted if p not in shipped] == []
