"""The report's quality checks section (the outline's ``qa`` block, issue 12): the checks run,
the error-level findings still open (a draft only: a final report is refused while one is open,
unless an admin overrides), the open warnings (they annotate the report), the findings justified
with who justified them and why, and an admin's override of the gate."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from esgledger.i18n import Strings
from esgledger.qa.summary import QaSummary

ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def qa_html(summary: QaSummary | None, strings: Strings) -> Markup:
    """The section's HTML in the report language; without a summary, a line saying the checks
    were not run."""
    template = ENVIRONMENT.get_template("qa_block.html.j2")
    return Markup(template.render(s=summary, t=strings))
