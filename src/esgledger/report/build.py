"""Assemble the HTML report of one year: title page, three-year KPI tables, charts and appendix.

Everything shown is read from the stored calculation runs (lineage records loaded in bulk, one query
per period) and the catalogue; nothing is recalculated. Each table figure links to an appendix entry
that explains it from its lineage.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from esgledger.calc.runner import BASE_TOTAL_ROLE
from esgledger.catalogue import Catalogue
from esgledger.collector import collection_paused
from esgledger.domain import OrgTree, Period
from esgledger.errors import EsgLedgerError
from esgledger.i18n import LANGUAGES, Strings
from esgledger.ledger import settings
from esgledger.ledger.reads import current_datapoints, load_entities
from esgledger.ledger.runs import RESTATED, load_period_run, load_period_runs
from esgledger.ledger.verify import read_head
from esgledger.qa.summary import Override
from esgledger.report import templating
from esgledger.report.assemble import assemble
from esgledger.report.basis_section import basis_html, basis_of_context
from esgledger.report.context import ReportContext
from esgledger.report.footnotes import public_notes
from esgledger.report.formatting import unit_label
from esgledger.report.published import published_points

TEMPLATES = templating.REPORT_TEMPLATES
YEARS_SHOWN = 3


# -- entry point -----------------------------------------------------------------------------------
def build_report(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: str,
    out_dir: Path,
    lang: str = "en",
    *,
    entity: str | None = None,
    generated: dt.date | None = None,
) -> Path:
    """Write ``esgledger-report-<period>-<lang>.html`` into ``out_dir`` and return its path.

    ``period`` is the report year; the two years before it are shown for comparison (a year without
    a calculation run shows "–"). ``entity`` is the reporting entity (default: the root of the
    organisation tree; a named entity's id goes into the file name). The file is self-contained:
    inline CSS and SVG, no external resources.
    """
    with collection_paused():  # three years of lineage read into many small objects, no cycles
        return _build(connection, catalogue, period, out_dir, lang, entity, generated)


def _build(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: str,
    out_dir: Path,
    lang: str,
    entity: str | None,
    generated: dt.date | None,
) -> Path:
    context, strings = report_context(connection, catalogue, period, lang, entity, generated)
    html = render(context, strings)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"{period}-{lang}" if entity is None else f"{entity}-{period}-{lang}"
    path = out_dir / f"esgledger-report-{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


def report_context(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: str,
    lang: str = "en",
    entity: str | None = None,
    generated: dt.date | None = None,
    qa_override: Override | None = None,
) -> tuple[ReportContext, Strings]:
    """The page context of the report of ``period`` (what the HTML, the annex and the full
    report print), read from the stored runs; the same checks as :func:`build_report`.
    ``qa_override``: an admin's override of the quality checks' gate, printed in the basis."""
    if lang not in LANGUAGES:
        raise EsgLedgerError(f"unknown report language {lang!r}: use one of {', '.join(LANGUAGES)}")
    strings = Strings(lang)
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        raise EsgLedgerError(str(exc)) from exc
    if parsed.month is not None:
        raise EsgLedgerError(
            f"report period {period!r} is a month; the report covers a year, "
            f"e.g. --period {parsed.year}"
        )
    years = [str(parsed.year - offset) for offset in range(YEARS_SHOWN - 1, -1, -1)]
    tree = OrgTree(load_entities(connection))
    runs = load_period_runs(connection, years)
    stored_base = settings.read(connection, "base_year")
    base_year = None if stored_base is None else str(stored_base)
    restated = None
    if base_year in years[:-1]:
        restated_run = load_period_run(connection, base_year, RESTATED)
        if restated_run is not None:
            runs[base_year] = restated_run  # GHG Protocol: report the recalculated base year
            restated = restated_run.restatement
    root = _reporting_entity(tree, entity)
    if runs[years[-1]] is None:
        raise EsgLedgerError(
            f"no calculation for {years[-1]}: calculate the year before writing its report "
            f"('esgledger calc --period {years[-1]}', POST /api/v1/calculations or the "
            "Calculate button of the period's page)"
        )
    points = current_datapoints(connection, years)
    print_reported = frozenset(settings.read(connection, "report.print_reported"))
    context = assemble(
        catalogue,
        tree,
        root,
        years,
        runs,
        strings,
        generated or dt.date.today(),
        published_points(points, root),
        notes=public_notes(points),
        print_reported=print_reported,
    )
    context.base_year = base_year
    head = read_head(connection)  # after the reads: nothing the report shows is newer
    context.ledger_head = (head.seq, head.hash)
    if restated is not None:
        total = catalogue.role(BASE_TOTAL_ROLE)
        context.restatement = strings(
            "title.restated",
            year=restated.base_year,
            metric=total.label(lang),
            unit=unit_label(total.unit, strings),
            original=f"{restated.original:,.0f}",
            restated=f"{restated.restated:,.0f}",
            change=f"{restated.change:+.1%}",
            threshold=f"{restated.threshold:.0%}",
            reasons="; ".join(restated.reasons),
        )
    context.basis_html = basis_html(
        basis_of_context(context, catalogue, runs[years[-1]], strings, qa_override=qa_override),
        strings,
    )
    return context, strings


def render(context: ReportContext, strings: Strings) -> str:
    environment = templating.environment(TEMPLATES)
    template = environment.get_template("report.html.j2")
    return template.render(c=context, t=strings)


def _reporting_entity(tree: OrgTree, wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in tree.by_id:
            raise EsgLedgerError(f"unknown entity {wanted!r}; see 'esgledger org list'")
        return wanted
    roots = tree.roots()
    if not roots:
        raise EsgLedgerError("the organisation is empty: import it with 'esgledger org import'")
    groups = [r for r in roots if tree.by_id[r].type == "group"]
    candidates = groups or roots
    if len(candidates) > 1:
        raise EsgLedgerError(
            f"the organisation has several top-level entities "
            f"({', '.join(roots)}); name the reporting entity"
        )
    return candidates[0]
