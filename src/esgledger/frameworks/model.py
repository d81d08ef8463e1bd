"""Framework catalogues as typed objects: one :class:`Edition` per file of ``frameworks/data``, its
:class:`Item` disclosures, and the :class:`FrameworkLibrary` of all editions.

An item is named across frameworks by a *reference*, ``<prefix>-<item id>`` (``SSE14-24.2a``,
``HKEX-D28(a)``, ``GRI-305-1``, ``IFRS-S2-29(a)``, ``CN-CLI-MT-1``); a bare prefix (``IFRS-S2``)
names the framework as a whole. The topic library (``assess/data/topics.yaml``) uses references.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

# Obligation levels (frameworks-2026.md §2.0): how strongly a framework asks for an item.
LEVELS = (
    "mandatory",
    "comply_or_explain",
    "conditional",
    "required_if_material",
    "encouraged",
    "voluntary",
)
KINDS = ("narrative", "quantitative", "mixed")
# What an effective date counts from: the start of the reporting period, or the report's publication.
BASES = ("period_start", "publication_date")
# Confidence tags of the reference notes (standards.md, frameworks-2026.md): verified, single
# source, own knowledge, sources disagree, not confirmed. The last two ship ``unconfirmed``.
CONFIDENCES = ("V", "S", "M", "!", "NC")
DOUBTFUL = frozenset({"!", "NC"})


@dataclass(frozen=True)
class PhaseIn:
    """From the financial year starting on ``start``, an issuer of ``issuer_class`` owes ``level``."""

    issuer_class: str
    start: date
    level: str


@dataclass(frozen=True)
class Item:
    """One disclosure of one framework edition."""

    framework: str
    edition: str
    id: str
    reference: str  # <prefix>-<id>
    parent: str | None
    titles: Mapping[str, str]
    level: str
    kind: str
    source: str
    confidence: str
    effective_from: date
    effective_basis: str
    trigger: Mapping[str, str] | None = None
    unit: str | None = None
    superseded_by: tuple[str, ...] = ()
    phase_in: tuple[PhaseIn, ...] = ()
    unconfirmed: str | None = None  # why the value is not confirmed ([NC] or [!] in the notes)
    note: str = ""
    no_omission: bool = False
    metrics: tuple[str, ...] = ()  # catalogue metrics whose framework codes name this item
    topics: tuple[str, ...] = ()  # topic library topics that refer to it (or to an ancestor)

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]

    def level_for(self, issuer_class: str | None, period_start: date) -> str:
        """The level an issuer of ``issuer_class`` owes for a year starting on ``period_start``:
        the newest phase-in step of that class that has started, else the item's own level."""
        level = self.level
        for step in sorted(self.phase_in, key=lambda s: s.start):
            if step.issuer_class == issuer_class and step.start <= period_start:
                level = step.level
        return level


@dataclass(frozen=True)
class OmissionReason:
    """A reason the framework accepts for omitting or explaining an item."""

    id: str
    names: Mapping[str, str]
    source: str
    unconfirmed: str | None = None

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class Alias:
    """Another name for the same text (SZSE No. 17 for SSE No. 14): a pointer, not a copy."""

    framework: str
    prefix: str
    names: Mapping[str, str]
    source: str


@dataclass(frozen=True)
class Edition:
    """One framework edition, as one reviewed file."""

    framework: str
    edition: str
    prefix: str
    catalogue_key: str
    names: Mapping[str, str]
    effective_from: date
    effective_basis: str
    source: str
    source_file: str
    items: tuple[Item, ...]
    omission_reasons: tuple[OmissionReason, ...]
    issuer_classes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    aliases: tuple[Alias, ...] = ()
    note: str = ""
    _index: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {item.id: item for item in self.items})

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._index

    def __getitem__(self, item_id: str) -> Item:
        try:
            return self._index[item_id]
        except KeyError:
            raise KeyError(f"{self.framework} {self.edition} has no item {item_id!r}") from None

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def ancestors(self, item: Item) -> Iterator[Item]:
        """The item's parent, its parent's parent, ... (the loader refuses cycles)."""
        parent = item.parent
        while parent is not None:
            found = self._index[parent]
            yield found
            parent = found.parent


@dataclass(frozen=True)
class FrameworkLibrary:
    """Every edition, grouped by framework and ordered by the date each took effect."""

    editions: tuple[Edition, ...]

    def frameworks(self) -> list[str]:
        """Framework ids in the order of their files (aliases not included)."""
        return list(dict.fromkeys(e.framework for e in self.editions))

    def canonical(self, framework: str) -> str:
        """``framework`` itself, or the framework it is an alias of (``szse17`` -> ``sse14``)."""
        for edition in self.editions:
            if edition.framework == framework:
                return framework
            if any(alias.framework == framework for alias in edition.aliases):
                return edition.framework
        known = sorted({*self.frameworks(), *self.aliases()})
        raise KeyError(f"unknown framework {framework!r}; known: {', '.join(known)}")

    def aliases(self) -> dict[str, str]:
        """Alias -> framework."""
        return {a.framework: e.framework for e in self.editions for a in e.aliases}

    def editions_of(self, framework: str) -> list[Edition]:
        canonical = self.canonical(framework)
        found = [e for e in self.editions if e.framework == canonical]
        return sorted(found, key=lambda e: e.effective_from)

    def edition(self, framework: str, edition: str) -> Edition:
        for candidate in self.editions_of(framework):
            if candidate.edition == edition:
                return candidate
        raise KeyError(f"{framework} has no edition {edition!r}")

    def prefixes(self) -> dict[str, str]:
        """Reference prefix -> framework (aliases' prefixes included)."""
        found: dict[str, str] = {}
        for edition in self.editions:
            found[edition.prefix] = edition.framework
            for alias in edition.aliases:
                found[alias.prefix] = edition.framework
        return found

    def resolve(self, reference: str) -> list[Item]:
        """The items a reference names, in every edition that has them; ``[]`` when none does.
        A bare prefix (``IFRS-S2``) names no item: see :meth:`names_framework`."""
        for prefix, framework in self.prefixes().items():
            if reference.startswith(prefix + "-"):
                item_id = reference[len(prefix) + 1 :]
                return [e[item_id] for e in self.editions_of(framework) if item_id in e]
        return []

    def names_framework(self, reference: str) -> bool:
        return reference in self.prefixes()

    def exists(self, reference: str) -> bool:
        return self.names_framework(reference) or bool(self.resolve(reference))
