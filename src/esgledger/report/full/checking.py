"""Checking a section's text without building the report: every placeholder must refer to
something that exists (a metric, entity and year, a metric's axis, a chart, a target, a framework
item). Used when a text is saved or imported, so that a broken placeholder is refused at once with
its section, language and line."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from esgledger.catalogue import Catalogue
from esgledger.frameworks import FrameworkLibrary
from esgledger.report.full.placeholders import Unresolved
from esgledger.report.full.sections import SectionText, render


class CheckResolver:
    """The placeholders' functions, checking references only (each renders as a marker)."""

    def __init__(
        self,
        catalogue: Catalogue,
        entities: Iterable[str],
        charts: Iterable[str],
        targets: Iterable[str],
        frameworks: FrameworkLibrary,
    ):
        self.catalogue = catalogue
        self.entities = set(entities)
        self.charts = set(charts)
        self.targets = set(targets)
        self.frameworks = frameworks

    def value(self, metric: str, entity: str | None = None, year: str | None = None) -> str:
        if self.catalogue.find(metric) is None:
            raise Unresolved(f"unknown metric {metric!r}")
        if entity is not None and entity not in self.entities:
            raise Unresolved(f"unknown entity {entity!r}")
        if year is not None and not (str(year).isdigit() and len(str(year)) == 4):
            raise Unresolved(f"year {year!r} is not a year such as 2024")
        return Markup('<span class="value">[{}]</span>').format(metric)

    def table(self, metric: str, by: str) -> str:
        found = self.catalogue.find(metric)
        if found is None:
            raise Unresolved(f"unknown metric {metric!r}")
        if by not in found.axes:
            has = f"its axes: {', '.join(found.axes)}" if found.axes else "it has no breakdowns"
            raise Unresolved(f"metric {metric} has no axis {by!r}; {has}")
        return Markup('<p class="placeholder">[{} by {}]</p>').format(metric, by)

    def chart(self, name: str) -> str:
        if name not in self.charts:
            raise Unresolved(f"unknown chart {name!r}: one of {', '.join(sorted(self.charts))}")
        return Markup('<p class="placeholder">[chart {}]</p>').format(name)

    def target(self, target_id: str) -> str:
        if target_id not in self.targets:
            raise Unresolved(f"unknown target {target_id!r}")
        return Markup('<span class="target-ref">[{}]</span>').format(target_id)

    def tag(self, reference: str) -> str:
        if not self.frameworks.exists(reference):
            raise Unresolved(f"unknown framework item {reference!r}")
        return Markup('<span class="fw-tag">{}</span>').format(reference)


def check_text(text: SectionText, resolver: CheckResolver) -> str:
    """The text rendered with markers (a preview without figures); PlaceholderError if broken."""
    return render(text, resolver)
