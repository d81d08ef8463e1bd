"""Sections left as the shipped template once the organisation writes its own report texts: a
warning per section and language, naming the section by its title, so that a final report does
not print the template's prompts ("[Describe ...]") as the company's words."""

from __future__ import annotations

from esgledger.report.full.build import outline_for
from esgledger.report.full.sections import default_text
from tests.collab_fixtures import World

RULE = "report.template_text"


def _template_findings(world: World, lang: str) -> dict[str, str]:
    result = world.services.qa.check(world.user("manager"), "2024", lang=lang)
    return {f.facts[0].reference: f.message for f in result.findings if f.rule == RULE}


def _narrative(world: World) -> list[str]:
    outline = outline_for(world.services.context.catalogue)
    return [s.id for s in outline.sections() if s.narrative and default_text(s.id, "en")]


def test_no_text_of_its_own_yet_is_the_template_skeleton_not_a_finding(world: World) -> None:
    assert _template_findings(world, "en") == {}


def test_once_one_section_is_written_every_template_section_is_named(world: World) -> None:
    manager, sections = world.user("manager"), _narrative(world)
    written, left_as_shipped, *rest = sections
    world.services.report_content.save(manager, "2024", written, "en", "Our own words.")
    shipped = default_text(left_as_shipped, "en")
    assert shipped is not None
    world.services.report_content.save(manager, "2024", left_as_shipped, "en", shipped.text)

    english = _template_findings(world, "en")

    assert f"{written}:en" not in english
    assert f"{left_as_shipped}:en" in english  # stored unchanged is still the template
    assert {f"{s}:en" for s in rest} <= set(english)
    message = english[f"{left_as_shipped}:en"]
    assert "still the template text" in message and "Report texts" in message
    chinese = _template_findings(world, "zh")  # the Chinese texts: none written
    assert f"{written}:zh" in chinese and "模板文本" in chinese[f"{written}:zh"]


def test_a_warning_does_not_stop_the_check_or_the_report(world: World) -> None:
    manager, sections = world.user("manager"), _narrative(world)
    world.services.report_content.save(manager, "2024", sections[0], "en", "Our own words.")
    result = world.services.qa.check(manager, "2024", lang="en")
    severities = {f.severity for f in result.findings if f.rule == RULE}
    assert severities == {"warning"}
