"""The full report's outline and narrative sections: the default outline and texts load; a broken
outline names the file and entry; placeholders render, and one that refers to nothing names the
section, language and line; stored sections are versioned, audited, refused in a locked period,
imported all-or-nothing and exported, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from esgledger.catalogue import load_catalogue
from esgledger.frameworks import builtin_frameworks
from esgledger.report.full import blocks
from esgledger.report.full.build import outline_for
from esgledger.report.full.chart_blocks import chart_registry
from esgledger.report.full.checking import CheckResolver
from esgledger.report.full.outline import OutlineError, load_outline
from esgledger.report.full.placeholders import PlaceholderError
from esgledger.report.full.sections import SectionText, default_text, render, section_tags
from esgledger.service_errors import Invalid, PeriodLocked
from esgledger.store.schema import audit_log, report_sections
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World

CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def resolver() -> CheckResolver:
    return CheckResolver(
        CATALOGUE, ["grp", "plant_a"], chart_registry(), ["T-1"], builtin_frameworks()
    )


def _text(body: str, section: str = "ghg-emissions", lang: str = "en") -> SectionText:
    return SectionText(section, lang, body, "test.md")


# -- outline ---------------------------------------------------------------------------------------
def test_the_default_outline_has_the_chapters_of_a_real_report_and_texts_in_both_languages() -> (
    None
):
    outline = outline_for(CATALOGUE)
    chapters = [c.id for c in outline.chapters]
    assert chapters[:4] == ["chairman", "about", "governance", "climate"]
    assert {"environment", "people", "value-chain", "targets", "basis", "indexes"} <= set(chapters)
    narrative = [s.id for s in outline.sections() if s.narrative]
    assert len(narrative) == 24
    for section in narrative:
        for lang in ("en", "zh"):
            assert default_text(section, lang) is not None, (section, lang)


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("{kind: pie}", "unknown block kind 'pie'"),
        ("{kind: kpi_table, metrics: [ghg.nothing]}", "unknown metric 'ghg.nothing'"),
        ("{kind: chart, name: sunburst}", "unknown chart 'sunburst'"),
        ("{kind: breakdown_table, metric: workforce.headcount, axis: colour}", "no axis 'colour'"),
        ("{kind: index, framework: hkex, extra: 1}", "unknown parameter(s) extra"),
    ],
)
def test_a_broken_outline_names_the_file_and_the_entry(
    tmp_path: Path, block: str, problem: str
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "chapters:\n  - id: one\n    title: {en: One, zh: 一}\n    sections:\n"
        "      - id: s\n        title: {en: S, zh: 节}\n"
        f"        blocks: [narrative, {block}]\n",
        encoding="utf-8",
    )
    with pytest.raises(OutlineError) as caught:
        load_outline(blocks.checks(CATALOGUE, set(chart_registry())), path)
    assert "mine.yaml: chapters[0].sections[0].blocks[1]" in str(caught.value)
    assert problem in str(caught.value)


# -- placeholders ------------------------------------------------------------------------------------
def test_placeholders_render_inside_markdown(resolver: CheckResolver) -> None:
    html = render(
        _text(
            "---\nmeets: [HKEX-D28(a)]\n---\n# Emissions\n\nScope 1 was "
            '{{ value("ghg.scope1", "plant_a", year="2023") }}. {{ tag("HKEX-A1.2") }}\n\n'
            '{{ table("workforce.headcount", by="gender") }}\n\n{{ chart("energy_mix") }}\n\n'
            '{{ target("T-1") }}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<b>raw</b>\n'
        ),
        resolver,
    )
    assert "<h1>Emissions</h1>" in html
    assert '<span class="value">[ghg.scope1]</span>' in html
    assert '<span class="fw-tag">HKEX-A1.2</span>' in html
    assert "<p><p" not in html  # a block placeholder is not wrapped in a paragraph
    assert "<table>" in html  # Markdown tables
    assert "&lt;b&gt;raw&lt;/b&gt;" in html  # raw HTML is text, never markup


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ('Intro\n\nScope 1: {{ value("ghg.scope9") }}', 3, "unknown metric 'ghg.scope9'"),
        ('a\n{{ value("ghg.scope1", "nowhere") }}', 2, "unknown entity 'nowhere'"),
        ('{{ table("workforce.headcount", by="colour") }}', 1, "no axis 'colour'"),
        (
            '{{ table("workforce.headcount", by="colour") }}',
            1,
            "no axis 'colour'; its axes: gender, age_band,",
        ),
        ('{{ table("ghg.scope1", by="entity") }}', 1, "no axis 'entity'; it has no breakdowns"),
        ('x\ny\n{{ chart("pie") }}', 3, "unknown chart 'pie'"),
        ('{{ target("NOPE") }}', 1, "unknown target 'NOPE'"),
        ('{{ tag("HKEX-Z9") }}', 1, "unknown framework item 'HKEX-Z9'"),
        ('\n\n{{ value("ghg.scope1" }}', 3, "syntax error"),
        ("one\n{{ value('ghg.scope1')", 2, "without its closing"),
        ("{{ open('/etc/passwd') }}", 1, "unknown placeholder"),
        ("{% for x in y %}{% endfor %}", 1, "statements are not allowed"),
        ("---\nmeets: [HKEX-Q1]\n---\nText", 2, "unknown framework item 'HKEX-Q1'"),
        ("---\nmeets: [HKEX-B1]\n---\nText\n\n{{ value('x.y') }}", 6, "unknown metric 'x.y'"),
    ],
)
def test_a_placeholder_that_refers_to_nothing_names_section_language_and_line(
    resolver: CheckResolver, body: str, line: int, problem: str
) -> None:
    with pytest.raises(PlaceholderError) as caught:
        render(_text(body, lang="zh"), resolver)
    message = str(caught.value)
    assert message.startswith(f"section ghg-emissions (zh, test.md), line {line}: "), message
    assert problem in message


def test_section_tags_read_front_matter_and_tag_placeholders() -> None:
    texts = [
        _text('---\nmeets: [HKEX-B1, SSE14-50(1)]\n---\nx {{ tag("HKEX-B1.1") }}', "employment"),
        _text('{{ tag( "GRI-2-7" ) }}', "employment", "zh"),
        _text("nothing", "water"),
    ]
    assert section_tags(texts) == {
        "employment": {"HKEX-B1", "SSE14-50(1)", "HKEX-B1.1", "GRI-2-7"},
        "water": set(),
    }


# -- stored sections ---------------------------------------------------------------------------------
def test_sections_are_versioned_audited_and_refused_in_a_locked_period(world: World) -> None:
    services, manager = world.services, world.user("manager")
    content = services.report_content
    first = content.save(manager, "2024", "water", "en", "Water: {{ value('water.withdrawal') }}")
    again = content.save(manager, "2024", "water", "en", "Water: {{ value('water.withdrawal') }}")
    second = content.save(manager, "2024", "water", "en", "Water, rewritten.")
    assert (first["version"], again["unchanged"], second["version"]) == (1, True, 2)
    shown = content.show(manager, "2024", "water", "en")
    assert shown["body"] == "Water, rewritten." and shown["origin"] == "ledger"
    assert [v["version"] for v in shown["versions"]] == [1, 2]
    assert content.show(manager, "2025", "water", "en")["body"] == "Water, rewritten."  # carried
    assert content.show(manager, "2024", "water", "zh")["origin"] == "default"
    with services.db.reading() as connection:
        rows = connection.execute(sa.select(report_sections)).all()
        actions = connection.execute(
            sa.select(audit_log.c.action).where(audit_log.c.action == "report.section.save")
        ).all()
    assert len(rows) == 2 and len(actions) == 2  # versions kept; the unchanged save added nothing
    assert services.audit.verify(manager).ok  # the rows are covered by the audit chain

    with pytest.raises(Invalid) as caught:
        content.save(manager, "2024", "water", "zh", "水\n\n{{ value('water.nothing') }}")
    assert "section water (zh, edited text), line 3: " in str(caught.value)
    with pytest.raises(Invalid, match="no narrative section"):
        content.save(manager, "2024", "performance-data", "en", "x")

    owner = world.user("owner_a")
    point = services.datapoints.create(owner, Entry("plant_a", "2023", "energy.diesel", 9, "t"))
    services.datapoints.submit(owner, point.id, 1)
    services.datapoints.approve(manager, point.id, 1)
    services.periods.lock(manager, "2023", "closed")
    with pytest.raises(PeriodLocked, match="2023 is locked"):
        content.save(manager, "2023", "water", "en", "Too late.")


def test_the_preview_shows_the_periods_live_values(world: World) -> None:
    services, manager, owner = world.services, world.user("manager"), world.user("owner_a")
    point = services.datapoints.create(owner, Entry("plant_a", "2024", "energy.diesel", 1234, "t"))
    services.datapoints.submit(owner, point.id, 1)
    services.datapoints.approve(manager, point.id, 1)
    services.calculation.run(manager, "2024")
    body = "Diesel: {{ value('energy.diesel', 'plant_a') }}"
    shown = services.report_content.preview(manager, "2024", "energy", "en", body)
    assert "1,234" in shown and "[energy.diesel]" not in shown  # the value, not a marker
    uncalculated = services.report_content.preview(manager, "2023", "energy", "en", body)
    assert "no calculation for 2023" in uncalculated and "[energy.diesel]" in uncalculated
    with pytest.raises(Invalid, match="line 1"):
        services.report_content.preview(manager, "2024", "energy", "en", "{{ value('x.y') }}")


def test_a_target_reads_with_the_parentheses_of_its_language(world: World) -> None:
    """{{ target(...) }}: "Diesel down (On track)" in English, "柴油减量（…）" with full-width
    parentheses and no space in Chinese."""
    services, manager = world.services, world.user("manager")
    services.targets.create(manager, {
        "target_id": "T-1", "name": "Diesel down", "name_zh": "柴油减量", "kind": "absolute",
        "metric_key": "energy.diesel", "entity_id": "plant_a", "base_year": 2023,
        "base_value": 10, "base_source": "2023 report", "target_year": 2030,
        "target_change": -0.3,
    })  # fmt: skip
    services.calculation.run(manager, "2024")
    body = "{{ target('T-1') }}"
    en = services.report_content.preview(manager, "2024", "climate-targets", "en", body)
    zh = services.report_content.preview(manager, "2024", "climate-targets", "zh", body)
    assert re.search(r"Diesel down \([^()（）]+\)</span>", en), en
    assert re.search(r"柴油减量（[^()（）]+）</span>", zh), zh


def test_import_is_all_or_nothing_and_export_writes_every_section(
    world: World, tmp_path: Path
) -> None:
    services, manager = world.services, world.user("manager")
    content = services.report_content
    folder = tmp_path / "texts"
    (folder / "en").mkdir(parents=True)
    (folder / "zh").mkdir()
    (folder / "en" / "water.md").write_text("Our water.\n", encoding="utf-8")
    (folder / "zh" / "water.md").write_text("水。\n\n\n{{ chart('nope') }}\n", encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        content.import_folder(manager, "2024", folder)
    assert "section water (zh, zh/water.md), line 4: " in str(caught.value)
    assert content.show(manager, "2024", "water", "en")["origin"] == "default"  # nothing saved

    (folder / "zh" / "water.md").write_text("水。{{ tag('HKEX-A2.2') }}\n", encoding="utf-8")
    assert content.import_folder(manager, "2024", folder) == {
        "files": 2,
        "saved": 2,
        "unchanged": 0,
    }
    assert "HKEX-A2.2" in content.tags(manager, "2024")["water"]
    out = tmp_path / "out"
    written = content.export_folder(manager, "2024", out)
    assert len(written) == 48  # 24 narrative sections, two languages
    assert (out / "en" / "water.md").read_text(encoding="utf-8") == "Our water.\n"
    assert (out / "zh" / "chairman-statement.md").read_text(encoding="utf-8").startswith("*模板")


def test_templates_imported_back_unchanged_claim_no_framework_item(
    world: World, tmp_path: Path
) -> None:
    """The documented round trip (export, rewrite a few sections, import the folder) stores the
    untouched templates too; their `meets:` are not the company's words and meet nothing in the
    coverage, while a rewritten section's do."""
    from esgledger.services.report_content import period_tags

    services, manager = world.services, world.user("manager")
    content = services.report_content
    folder = tmp_path / "texts"
    content.export_folder(manager, "2024", folder)
    assert "meets: [HKEX-A2.1" in (folder / "en" / "energy.md").read_text(encoding="utf-8")
    (folder / "en" / "water.md").write_text(
        "---\nmeets: [HKEX-A2.2]\n---\nOur water.\n", encoding="utf-8"
    )
    content.import_folder(manager, "2024", folder)
    with services.db.reading() as connection:
        tags = period_tags(connection, "2024")
    assert tags == {"water": {"HKEX-A2.2"}}


def test_the_cli_builds_the_report_and_moves_sections_through_folders(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esgledger.services import Options, Services
    from tests.backup_helpers import cli, said, use_folders
    from tests.collab_fixtures import make_org
    from tests.ledger_fixture import Ledger
    from tests.web_seed import seed_last_year

    use_folders(monkeypatch, tmp_path)
    services = Services.open(db_url, Options(files_dir=tmp_path / "files"))
    ws = Ledger(services)
    make_org(ws, tmp_path)
    seed_last_year(ws, tmp_path)  # 2023, calculated
    services.dispose()
    texts = tmp_path / "texts"
    exported = cli(db_url, "report", "sections", "export", str(texts), "--period", "2023")
    assert exported.exit_code == 0, exported.output
    first = cli(db_url, "report", "sections", "import", str(texts), "--period", "2023")
    assert said("48 file(s): 48 new version(s), 0 unchanged", first.output)  # the templates
    water = texts / "zh" / "water.md"
    water.write_text("水：{{ value('water.withdrawal', 'plant_a') }}\n", encoding="utf-8")
    imported = cli(db_url, "report", "sections", "import", str(texts), "--period", "2023")
    assert imported.exit_code == 0, imported.output
    assert said("48 file(s): 1 new version(s), 47 unchanged", imported.output)
    water.write_text("水：{{ value('water.nothing') }}\n", encoding="utf-8")
    refused = cli(db_url, "report", "sections", "import", str(texts), "--period", "2023")
    assert refused.exit_code == 1
    assert said("section water (zh, zh/water.md), line 1:", refused.output + refused.stderr)
    out = tmp_path / "out"
    built = cli(db_url, "report", "--period", "2023", "--out", str(out), "--format", "html")
    assert built.exit_code == 0, built.output
    assert said("DRAFT: the period 2023 is not locked", built.output)
    zh = (out / "esgledger-full-report-2023-zh.html").read_text(encoding="utf-8")
    assert 'data-metric="water.withdrawal">5,000' in zh  # the stored text, with its value
    assert (out / "esgledger-full-report-2023-en.html").is_file()


def test_the_section_list_tells_a_template_stored_unchanged_from_the_companys_text(
    world: World,
) -> None:
    from esgledger.report.full.sections import default_text

    manager, content = world.user("manager"), world.services.report_content
    shipped = default_text("water", "en")
    assert shipped is not None
    content.save(manager, "2024", "water", "en", shipped.text)  # an exported folder put back
    content.save(manager, "2024", "waste", "en", "Our waste, in our words.")
    listed = {s["id"]: s["langs"] for s in content.sections(manager, "2024")}
    assert listed["water"]["en"]["origin"] == "ledger" and listed["water"]["en"]["template"]
    assert listed["waste"]["en"]["template"] is False
    assert listed["water"]["zh"] == {"origin": "default"}  # nothing stored: the template
