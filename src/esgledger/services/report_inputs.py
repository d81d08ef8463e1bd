"""What the full report's build reads besides the year's figures, for
:meth:`esgledger.services.report_content.ReportContent.build`: why it is a draft, the materiality
matrices, the content index (the coverage rows, or the sections' claims) and where each metric is
printed, the period's reporting profile; and what the build answers about the quality checks."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from esgledger.disclose.index import index_html
from esgledger.i18n import Strings
from esgledger.ledger import disclose as disclose_records
from esgledger.ledger import report_sections as stored
from esgledger.ledger.locks import locks_covering
from esgledger.qa.summary import QaSummary
from esgledger.report.full.outline import Outline
from esgledger.report.full.tag_index import tag_index
from esgledger.service_errors import ServiceError
from esgledger.services.operation import Call

LANGS = ("en", "zh")


def draft_reasons(connection: sa.Connection, period: str) -> list[tuple[str, dict[str, Any]]]:
    """Why the report of ``period`` is a draft (string key, arguments): the period is not locked,
    values are not approved; none: it is final."""
    reasons: list[tuple[str, dict[str, Any]]] = []
    if period not in locks_covering(connection, [period]):
        reasons.append(("full.draft_unlocked", {"period": period}))
    count = stored.unapproved_count(connection, period)
    if count:
        reasons.append(("full.draft_unapproved", {"period": period, "count": count}))
    return reasons


def content_index(
    coverage: dict[str, list[Any]],
    outline: Outline,
    tags: dict[str, set[str]],
    library: Any,
) -> Callable[[str, Strings], str | None]:
    """The full report's content index of a framework in a language: the computed coverage
    (:mod:`esgledger.disclose`), a note when the period's profile did not choose the framework,
    else the sections' own claims (``meets:``)."""
    titles = {lang: {s.id: s.title[lang] for s in outline.sections()} for lang in LANGS}
    places = metric_places(outline)

    def index(framework: str, t: Strings) -> str | None:
        rows = [r for r in coverage.get(t.lang, []) if r.framework == framework]
        if rows:
            return index_html(rows, t, titles[t.lang], places)
        if coverage.get(t.lang):  # a profile without this framework: say so
            return str(Markup('<p class="missing">{}</p>').format(t("full.index_not_chosen")))
        return tag_index(framework, tags, outline, library, t)

    return index


def metric_places(outline: Outline) -> dict[str, list[str]]:
    """Metric -> the sections whose KPI or breakdown tables print it (in outline order); ``*``:
    the sections that print every metric (a ``kpi_tables`` block), for the others."""
    places: dict[str, list[str]] = {}
    everything = [s.id for s in outline.sections() if any(b.kind == "kpi_tables" for b in s.blocks)]
    for section in outline.sections():
        for block in section.blocks:
            metrics = block.params.get("metrics") or [block.params.get("metric")]
            if block.kind in ("kpi_table", "breakdown_table"):
                for metric in metrics:
                    if section.id not in places.setdefault(metric, []):
                        places[metric].append(section.id)
    places["*"] = everything
    return places


def materiality_svgs(context: Any, call: Call, period: str) -> dict[str, str | None]:
    """The materiality matrix of the period per language (when the materiality service exists)."""
    try:
        module = importlib.import_module("esgledger.services.materiality")
    except ImportError:
        return {}
    service = module.Materiality(context)
    found: dict[str, str | None] = {}
    for lang in LANGS:
        shown = service.of_period(call.actor, period, lang)
        found[lang] = None if shown is None else shown["svg"]
    return found


def index_rows(
    context: Any, call: Call, period: str, langs: tuple[str, ...]
) -> dict[str, list[Any]]:
    """The content index rows per language (the coverage computation), when it exists."""
    try:
        module = importlib.import_module("esgledger.services.disclose")
    except ImportError:
        return {}
    service = module.Disclose(context)
    try:
        return {lang: service.index_rows(call.actor, period, lang) for lang in langs}
    except ServiceError:  # no reporting profile for the period: the sections' own claims
        return {}


def reporting_profile(
    connection: sa.Connection, period: str
) -> tuple[list[str], str | None] | None:
    """The period's reporting profile (frameworks chosen, issuer class), when it has one."""
    found = disclose_records.profile(connection, period)
    if found is None:
        return None
    return list(found["frameworks"]), found.get("issuer_class")


def qa_answer(summary: QaSummary) -> dict[str, Any]:
    """What the build says about the quality checks (the CLI prints the open errors)."""
    override = summary.override
    return {
        "errors_open": [f"{f.rule}: {f.message}" for f in summary.open_errors],
        "warnings_open": len(summary.open_warnings),
        "justified": len(summary.justified),
        "override": None if override is None else {"reason": override.reason, "by": override.by},
    }


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a written file (what the report register records)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
