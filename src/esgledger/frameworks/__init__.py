"""Disclosure framework catalogues as reviewed data (SSE No. 14 = SZSE No. 17, HKEX Appendix C2
2025 and Appendix 27 2020, GRI, IFRS S2, the MOF climate standard): loading with strict checks
(:mod:`.loader`), the typed items (:mod:`.model`) and which apply to a year (:mod:`.applicability`).
See docs/frameworks.md."""

from esgledger.frameworks.applicability import (
    Applicable,
    applicable_items,
    codes_in_force,
    edition_in_force,
    items_by_metric,
    items_by_topic,
    period_bounds,
)
from esgledger.frameworks.loader import builtin_frameworks, load_edition, load_library
from esgledger.frameworks.model import (
    KINDS,
    LEVELS,
    Edition,
    FrameworkLibrary,
    Item,
    OmissionReason,
)

__all__ = [
    "KINDS",
    "LEVELS",
    "Applicable",
    "Edition",
    "FrameworkLibrary",
    "Item",
    "OmissionReason",
    "applicable_items",
    "builtin_frameworks",
    "codes_in_force",
    "edition_in_force",
    "items_by_metric",
    "items_by_topic",
    "load_edition",
    "load_library",
    "period_bounds",
]
