"""Plain typed objects shared by every layer: entities, periods, data points."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

# reported: a figure the organisation published (its report, a verification statement), kept
# beside esgledger's own computation of the same metric (issue 9, published beside computed)
# "nil": the organisation states there is nothing to report ("-", "—", "不适用"), not a zero
METHODS = ("measured", "estimated", "calculated", "reported", "nil")
STATUSES = ("draft", "submitted", "approved", "rejected")
ENTITY_TYPES = ("group", "company", "branch", "plant")
CELL_TECHNOLOGIES = ("cwpb", "swpb", "vss", "hss")  # IPCC 2006 Vol. 3 Ch. 4.4 cell types

_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting year (``2024``) or month (``2024-03``)."""

    year: int
    month: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        return _parse_period(str(text))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month or 1, 1)

    @property
    def end(self) -> dt.date:
        if self.month is None:
            return dt.date(self.year, 12, 31)
        next_month = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)

    @property
    def annual(self) -> Period:
        return Period(self.year)

    def previous_year(self) -> Period:
        return Period(self.year - 1, self.month)

    def __str__(self) -> str:
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"


@lru_cache(maxsize=4096)
def _parse_period(text: str) -> Period:
    """The period a text names (periods are immutable: an import of 100,000 rows of a few
    periods parses each once)."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValueError(f"period {text!r} is not a year (2024) or a month (2024-03)")
    month = int(match.group(2)) if match.group(2) else None
    return Period(int(match.group(1)), month)


@dataclass(frozen=True)
class Entity:
    """A node of the organisation tree."""

    id: str
    name: str
    country: str
    parent_id: str | None = None
    name_zh: str | None = None
    type: str = "company"
    grid_region: str | None = None
    ownership: float = 1.0
    operational_control: bool = True
    financial_control: bool = True
    cell_technology: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def label(self, lang: str) -> str:
        return (self.name_zh or self.name) if lang == "zh" else self.name

    def valid_during(self, period: Period) -> bool:
        """Whether the entity exists for any part of ``period``."""
        if self.valid_from and self.valid_from > period.end:
            return False
        return not (self.valid_to and self.valid_to < period.start)


class OrgTree:
    """The organisation as a tree, with the walks roll-ups need."""

    def __init__(self, entities: list[Entity]):
        self.by_id = {e.id: e for e in entities}
        self.children: dict[str | None, list[str]] = {}
        for entity in sorted(entities, key=lambda e: e.id):
            self.children.setdefault(entity.parent_id, []).append(entity.id)

    def roots(self) -> list[str]:
        return self.children.get(None, [])

    def tops(self) -> list[str]:
        """Entities whose parent is not in the tree: the roots, and the top of a part of the
        group (what a user with a scope sees)."""
        return sorted(e.id for e in self.by_id.values() if e.parent_id not in self.by_id)

    def depth_first(self) -> list[str]:
        """Every entity, each parent followed by its children (as a tree is printed)."""
        order: list[str] = []

        def visit(entity_id: str) -> None:
            order.append(entity_id)
            for child in self.children.get(entity_id, []):
                visit(child)

        for root in self.tops():
            visit(root)
        return order

    def descendants(self, entity_id: str) -> list[str]:
        found: list[str] = []
        stack = list(self.children.get(entity_id, []))
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.children.get(current, []))
        return found

    def bottom_up(self) -> list[str]:
        """Every entity, children before their parent."""
        order: list[str] = []

        def visit(entity_id: str) -> None:
            for child in self.children.get(entity_id, []):
                visit(child)
            order.append(entity_id)

        for root in self.roots():
            visit(root)
        return order

    def depth(self, entity_id: str) -> int:
        """Levels below the entity's root in this tree."""
        depth = 0
        parent = self.by_id[entity_id].parent_id
        while parent is not None and parent in self.by_id:
            depth += 1
            parent = self.by_id[parent].parent_id
        return depth


@dataclass(frozen=True)
class Transfer:
    """Energy supplied by one group entity to another (electricity in MWh, heat in GJ)."""

    id: int
    from_entity: str
    to_entity: str
    period: str
    carrier: str
    value: float
    unit: str
    value_normalised: float


@dataclass(frozen=True)
class Certificate:
    """An energy attribute certificate or green power purchase claimed by an entity."""

    id: int
    scheme: str
    certificate_id: str
    entity_id: str
    period: str
    mwh: float


@dataclass(frozen=True)
class DataPoint:
    """A value of a metric for an entity and period, as stored (one version)."""

    id: int
    entity_id: str
    period: str
    metric_id: str
    value: float
    unit: str
    value_normalised: float
    method: str
    status: str
    version: int
    source: str | None = None
    note: str | None = None
    supersedes: int | None = None
    created_at: str = ""
    created_by: str = ""
    note_public: bool = False  # the note is printed as a footnote of the report
