"""Narrative sections that still hold the package's template text: the report would print the
template's prompts ("[Describe ...]") as the company's words."""

from __future__ import annotations

from collections.abc import Iterator

from esgledger.qa.checks import register
from esgledger.qa.checks.common import Namer, finding
from esgledger.qa.engine import CheckInputs
from esgledger.qa.facts import Fact, placed
from esgledger.qa.findings import Finding
from esgledger.qa.rules import Rule


@register("template_text")
def template_text(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """One finding per section of the report whose text in the check's language is the shipped
    template (never written, or stored unchanged); the services hand the sections over in
    ``extra["template_sections"]`` (section id -> title)."""
    namer = Namer(inputs)
    period = str(inputs.extra.get("period") or "")
    for section, title in sorted(dict(inputs.extra.get("template_sections") or {}).items()):
        fact = Fact(
            origin="section",
            metric_key=None,
            entity_id=None,
            period=period,
            value=0.0,
            unit="",
            **placed("qa.place.section", section=title),
            text_as_written="",
            reference=f"{section}:{inputs.lang}",
        )
        message = namer.t("qa.finding.sections.template", section=title, period=period)
        yield finding(rule, (fact,), message)
