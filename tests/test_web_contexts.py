"""The typed page contexts (``esgledger/web/contexts.py``) are what the templates use and what the
JSON twins hold: every variable a template reads is declared in its context types (or the chrome),
and each page's JSON twin has exactly the keys of its ``...Data`` type (on SQLite and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jinja2 import meta, nodes

from esgledger.web.contexts import ASSESS_TEMPLATES, TEMPLATES, Chrome
from esgledger.web.render import environment
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World
from tests.web_seed import LAST_YEAR, YEAR

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "src" / "esgledger" / "web" / "templates"
# templates that are parts of others, checked against the chrome only
PARTS = {"base.html.j2", "macros.html.j2"}


def keys_of(typed: Any) -> set[str]:
    return set(typed.__annotations__)


def required_of(typed: Any) -> set[str]:
    """The keys not marked ``NotRequired`` (read from the annotations as written: the module
    uses postponed annotations)."""
    written = {
        key: getattr(annotation, "__forward_arg__", annotation)
        for key, annotation in typed.__annotations__.items()
    }
    return {key for key, text in written.items() if not str(text).startswith("NotRequired[")}


def defined_in(tree: nodes.Template) -> set[str]:
    """Names a template binds itself: imported and defined macros, top-level ``set``."""
    names: set[str] = set()
    for imported in tree.find_all(nodes.FromImport):
        names |= {n if isinstance(n, str) else n[1] for n in imported.names}
    names |= {macro.name for macro in tree.find_all(nodes.Macro)}
    for assigned in tree.find_all(nodes.Assign):
        targets = [assigned.target, *assigned.target.find_all(nodes.Name)]
        names |= {n.name for n in targets if isinstance(n, nodes.Name)}
    return names


def used_by(template: str) -> set[str]:
    env = environment()
    tree = env.parse(env.loader.get_source(env, template)[0])  # type: ignore[union-attr]
    return meta.find_undeclared_variables(tree) - defined_in(tree) - set(env.globals)


def test_every_template_is_typed() -> None:
    on_disk = {path.name for path in TEMPLATE_DIR.glob("*.j2")}
    assert on_disk - PARTS - set(TEMPLATES) == {"audit.html.j2"}  # the audit page's own
    assert set(TEMPLATES) <= on_disk


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_a_template_reads_only_what_its_context_declares(template: str) -> None:
    declared = keys_of(Chrome).union(*(keys_of(part) for part in TEMPLATES[template]))
    assert sorted(used_by(template) - declared) == []


@pytest.mark.parametrize("template", sorted(PARTS))
def test_the_page_chrome_reads_only_the_chrome(template: str) -> None:
    assert sorted(used_by(template) - keys_of(Chrome)) == []


def test_every_json_twin_holds_the_keys_of_its_data_type(
    world: World, browse: dict[str, TestClient]
) -> None:
    services = world.services
    point = services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", YEAR, "energy.diesel", 11, "t")
    )
    services.datapoints.submit(world.user("owner_a"), point.id, 1, None)
    pages = {
        "dashboard.html.j2": f"/dashboard.json?period={YEAR}",
        "entry_index.html.j2": "/entry.json",
        "entry.html.j2": f"/entry/plant_a/{YEAR}.json",
        "entry_check.html.j2": f"/entry/plant_a/{YEAR}/check.json?metric=energy.diesel",
        "review.html.j2": f"/review.json?period={YEAR}",
        "datapoint.html.j2": f"/datapoints/{point.id}.json",
        "values.html.j2": f"/values.json?period={LAST_YEAR}",
        "explain.html.j2": f"/explain/ghg.scope1/grp/{LAST_YEAR}.json",
        "periods.html.j2": "/periods.json",
        "period.html.j2": f"/periods/{YEAR}.json",
        "settings.html.j2": "/settings.json",
        "reports.html.j2": "/reports.json",
        "imports.html.j2": "/imports.json",
        "users.html.j2": "/users.json",
        "targets.html.j2": "/assess/targets.json",
        "login.html.j2": "/login.json",
        "assess_governance.html.j2": "/assess/governance.json",
        "assess_policies.html.j2": "/assess/policies.json",
        "assess_topics.html.j2": "/assess/topics.json",
        "disclose_coverage.html.j2": f"/disclose/coverage.json?period={YEAR}",
        "report_sections.html.j2": f"/reports/sections.json?period={YEAR}",
        "qa.html.j2": f"/qa.json?period={YEAR}",
        "full_report.html.j2": f"/reports/full/{LAST_YEAR}/progress.json",
        "dashboard_qa.html.j2": f"/dashboard/qa.json?period={YEAR}",
    }
    # an error's JSON is the error shape; a value not computed is the explain page's JSON twin
    not_pages = {"error.html.j2", "review_card.html.j2", "not_computed.html.j2"}
    not_pages |= set(ASSESS_TEMPLATES)  # tests/test_materiality_web.py checks their JSON twins
    assert set(pages) == set(TEMPLATES) - not_pages
    for template, url in pages.items():
        client = browse["admin" if template == "users.html.j2" else "manager"]
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.text[:300])
        data_type = TEMPLATES[template][0]
        found = set(answer.json())
        assert required_of(data_type) <= found <= keys_of(data_type), url
