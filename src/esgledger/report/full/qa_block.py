"""The report's quality checks section (the outline's ``qa`` block, issue 12): the checks run,
the error-level findings still open (a draft only: a final report is refused while one is open,
unless an admin overrides), the open warnings (they annotate the report), the findings justified
with who justified them and why, and an admin's override of the gate."""

from __future__ import annotations

from markupsafe import Markup

from esgledger.i18n import Strings
from esgledger.qa.summary import QaSummary
from esgledger.report.templating import FULL_TEMPLATES, REPORT_TEMPLATES, environment

ENVIRONMENT = environment(FULL_TEMPLATES, REPORT_TEMPLATES)  # the one the blocks render with


def qa_html(summary: QaSummary | None, strings: Strings) -> Markup:
    """The section's HTML in the report language; without a summary, a line saying the checks
    were not run."""
    template = ENVIRONMENT.get_template("qa_block.html.j2")
    return Markup(template.render(s=summary, t=strings))
