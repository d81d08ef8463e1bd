"""Which items of a framework apply to a financial year: the edition in force, each item's own
effective date (counted from the period start or from the report's publication, as the framework
says: frameworks-2026.md §1.5), supersession (GRI 102-5 replaces 305-1), and the level an issuer
class owes (HKEX Part D phase-in: standards.md §2.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from esgledger.frameworks.model import Edition, FrameworkLibrary, Item

_YEAR = re.compile(r"^(19|20)[0-9]{2}$")


@dataclass(frozen=True)
class Applicable:
    """An item that applies, with the level owed by the issuer class asked about."""

    item: Item
    level: str


def period_bounds(period: str) -> tuple[date, date]:
    """A reporting year ``YYYY``: the financial year of the groups esgledger serves is the
    calendar year (Chinese listed companies), so it runs from 1 January to 31 December."""
    if not _YEAR.match(str(period)):
        raise ValueError(f"period {period!r} is not a reporting year (YYYY)")
    year = int(period)
    return date(year, 1, 1), date(year, 12, 31)


def _reached(start: date, published: date, effective_from: date, basis: str) -> bool:
    return (start if basis == "period_start" else published) >= effective_from


def edition_in_force(
    library: FrameworkLibrary, framework: str, period: str, published: date | None = None
) -> Edition | None:
    """The newest edition of ``framework`` in force for ``period``; None before the first."""
    start, end = period_bounds(period)
    published = published or end + timedelta(days=1)
    found = None
    for edition in library.editions_of(framework):
        if _reached(start, published, edition.effective_from, edition.effective_basis):
            found = edition
    return found


def applicable_items(
    library: FrameworkLibrary,
    framework: str,
    period: str,
    issuer_class: str | None = None,
    published: date | None = None,
) -> list[Applicable]:
    """The items of ``framework`` that apply to the financial year ``period``, in file order.

    ``published``: when the report is published (items effective by publication date, GRI's rule);
    by default the day after the year ends, the earliest a report can appear. ``issuer_class``:
    one of the classes the framework declares (HKEX: main_board, largecap, gem); a framework that
    declares none ignores it. No class means the item's own level (HKEX: a Main Board issuer's).
    """
    start, end = period_bounds(period)
    published = published or end + timedelta(days=1)
    edition = edition_in_force(library, framework, period, published)
    if edition is None:
        return []
    classes = {c for e in library.editions_of(framework) for c in e.issuer_classes}
    if issuer_class is not None and classes and issuer_class not in classes:
        raise ValueError(
            f"issuer class {issuer_class!r} is not one of {framework}'s: {', '.join(sorted(classes))}"
        )

    def in_force(item: Item) -> bool:
        return _reached(start, published, item.effective_from, item.effective_basis)

    def superseded(item: Item) -> bool:
        return any(s in edition and in_force(edition[s]) for s in item.superseded_by)

    found = []
    for item in edition.items:
        lineage = [item, *edition.ancestors(item)]
        if not all(in_force(i) for i in lineage) or any(superseded(i) for i in lineage):
            continue
        found.append(Applicable(item, item.level_for(issuer_class, start)))
    return found


def items_by_metric(library: FrameworkLibrary, metric_id: str) -> list[Item]:
    """Every item, of every edition, that the catalogue metric ``metric_id`` meets."""
    return [item for e in library.editions for item in e.items if metric_id in item.metrics]


def items_by_topic(library: FrameworkLibrary, topic_id: str) -> list[Item]:
    """Every item, of every edition, that the topic library maps ``topic_id`` to."""
    return [item for e in library.editions for item in e.items if topic_id in item.topics]


def codes_in_force(
    library: FrameworkLibrary, catalogue_key: str, codes: tuple[str, ...], period: str
) -> tuple[str, ...]:
    """Of a metric's framework ``codes`` (catalogue key ``catalogue_key``), those that name an
    item applying to ``period`` (a FY2025 report prints HKEX D28(a), not the 2020 Guide's A1.2,
    nor GRI 102-5 before 2027); all of them when no edition of the framework is in force yet."""
    frameworks = {e.framework for e in library.editions if e.catalogue_key == catalogue_key}
    if len(frameworks) != 1:
        return codes
    (framework,) = frameworks
    if edition_in_force(library, framework, period) is None:
        return codes
    applying = {a.item.id for a in applicable_items(library, framework, period)}
    return tuple(code for code in codes if code in applying)
