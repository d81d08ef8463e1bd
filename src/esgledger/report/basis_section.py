"""The basis of preparation, generated from the data (issue 11 part 4): boundary and consolidation
approach, frameworks and issuer class, factor editions and GWP set, calculation options, base year
and restatements, reported-versus-computed differences, the audit chain anchor, and limitations
(unverified factors, figures not computed), and an admin's override of the quality checks' gate
(issue 12: a final report published while error-level findings were open). GHG Protocol
Corporate Standard ch. 3-5 and 9 (what an inventory report states); HKEX ESG Reporting Code
Part B para. 13-14 (reporting principles and boundary); SSE Guideline No. 14 Art. 9 (reporting scope)."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from esgledger.catalogue import Catalogue
from esgledger.frameworks import builtin_frameworks
from esgledger.frameworks.applicability import edition_in_force
from esgledger.i18n import Strings
from esgledger.ledger.runs import PeriodRun
from esgledger.qa.summary import Override
from esgledger.report import templating
from esgledger.report.context import OptionRow, ReportContext, Unverified
from esgledger.report.gaps import GapLine
from esgledger.report.sources import set_title
from esgledger.report.trace import Trace

TEMPLATES = templating.REPORT_TEMPLATES
GWP_SET_PREFIX = "gwp_"


@dataclass
class EditionUsed:
    factor_set: str
    title: str  # in the report language where the factor data has it
    edition: str
    version: str
    factors: int  # distinct factor values of this edition in the report year's figures


@dataclass
class Basis:
    """What the section prints, already in the report language."""

    entity_name: str
    year: str
    years: list[str]
    consolidation: str
    entities: int  # entities whose reported data the report year's figures include
    excluded: int  # entities the roll-ups left out
    frameworks: list[str]
    issuer_class: str | None
    options: list[OptionRow]
    options_differ: bool
    editions: list[EditionUsed]
    gwp: list[str]
    base_year: str | None = None
    restatement: str | None = None
    published: int = 0  # figures published beside the computation that differ from it
    ledger_head: tuple[int, str] | None = None
    unverified: list[Unverified] = field(default_factory=list)
    gaps: list[GapLine] = field(default_factory=list)
    qa_override: Override | None = None  # a final report published over open QA errors


def catalogue_frameworks(catalogue: Catalogue, year: str, lang: str) -> list[str]:
    """The frameworks the catalogue's codes name, as the edition in force for ``year`` calls
    itself (the first edition when none is in force yet); used when no reporting profile says
    which frameworks the organisation chose."""
    keys = {key for metric in catalogue.metrics.values() for key in metric.frameworks}
    library = builtin_frameworks()
    names: list[str] = []
    seen: set[str] = set()
    for edition in library.editions:
        if edition.catalogue_key not in keys or edition.framework in seen:
            continue
        seen.add(edition.framework)
        chosen = edition_in_force(library, edition.framework, year) or edition
        names.append(chosen.names.get(lang) or chosen.names.get("en") or chosen.framework)
    return names


def profile_frameworks(
    entries: list[str], issuer_class: str | None, year: str, lang: str
) -> tuple[list[str], str | None]:
    """The names of the frameworks a reporting profile chose (``hkex@2020`` pins an edition,
    ``gri`` takes the edition in force for ``year``) and its issuer class's label."""
    library = builtin_frameworks()
    names: list[str] = []
    label = None
    for entry in entries:
        framework, _, pinned = entry.partition("@")
        own = list(library.editions_of(framework))
        chosen = next((e for e in own if e.edition == pinned), None) if pinned else None
        chosen = chosen or edition_in_force(library, framework, year) or (own[0] if own else None)
        if chosen is None:
            names.append(entry)
            continue
        names.append(chosen.names.get(lang) or chosen.names.get("en") or framework)
        if issuer_class and issuer_class in chosen.issuer_classes and label is None:
            found = chosen.issuer_classes[issuer_class]
            label = found.get(lang) or found.get("en") or issuer_class
    return names, label


def editions_used(traces: dict[tuple[str, str], Trace], year: str, lang: str) -> list[EditionUsed]:
    """The factor editions behind the figures of ``year``, with how many values each gave."""
    found: dict[tuple[str, str, str], set[tuple[str, str, str, float]]] = {}
    for (_metric, at), trace in traces.items():
        if at != year:
            continue
        for factor in trace.factors:
            identity = (factor.factor_set, factor.edition, factor.version)
            found.setdefault(identity, set()).add(factor.identity)
    return [
        EditionUsed(
            factor_set,
            set_title(factor_set, edition, lang) or edition,
            edition,
            version,
            len(values),
        )
        for (factor_set, edition, version), values in sorted(found.items())
    ]


def consolidation_label(options: dict[str, str], strings: Strings) -> str:
    chosen = options.get("consolidation", "")
    return strings.get(f"option.consolidation.{chosen}", chosen) or chosen


def entity_counts(traces: dict[tuple[str, str], Trace], year: str) -> tuple[int, int]:
    included: set[str] = set()
    excluded: set[str] = set()
    for (_metric, at), trace in traces.items():
        if at == year:
            included |= trace.reporting_entities
            excluded |= set(trace.excluded)
    return len(included), len(excluded - included)


def basis_of_context(
    context: ReportContext,
    catalogue: Catalogue,
    run: PeriodRun | None,
    strings: Strings,
    *,
    frameworks: list[str] | None = None,
    issuer_class: str | None = None,
    qa_override: Override | None = None,
) -> Basis:
    """The basis of the report ``context`` describes; ``frameworks`` and ``issuer_class`` from
    the period's reporting profile when it has one (else the frameworks the catalogue names)."""
    year = context.year
    included, excluded = entity_counts(context.traces, year)
    editions = editions_used(context.traces, year, strings.lang)
    return Basis(
        entity_name=context.entity_name,
        year=year,
        years=context.years,
        consolidation=consolidation_label(run.options if run else {}, strings),
        entities=included,
        excluded=excluded,
        frameworks=frameworks or catalogue_frameworks(catalogue, year, strings.lang),
        issuer_class=issuer_class,
        options=context.options,
        options_differ=context.options_differ,
        editions=[e for e in editions if not e.factor_set.startswith(GWP_SET_PREFIX)],
        gwp=[e.title for e in editions if e.factor_set.startswith(GWP_SET_PREFIX)],
        base_year=context.base_year,
        restatement=context.restatement,
        published=len(context.published),
        ledger_head=context.ledger_head,
        unverified=context.unverified,
        gaps=context.gaps,
        qa_override=qa_override,
    )


def basis_html(basis: Basis, strings: Strings) -> Markup:
    """The section's HTML in the report language (``<section id="basis">``), for the current
    report and the full report's ``basis`` block."""
    environment = templating.environment(TEMPLATES)
    return Markup(environment.get_template("basis.html.j2").render(b=basis, t=strings))
