"""Which children a parent consolidates, and at what share (GHG Protocol Corporate Standard ch. 3).

- operational control: 100 % of entities the parent operates, none of the others;
- financial control: 100 % of entities under financial control, none of the others;
- equity share: the parent's ownership share of every entity.
An entity acquired or disposed of during the period counts pro rata for the days it belonged to the
group (its validity dates), under every approach.
"""

from __future__ import annotations

from dataclasses import dataclass

from esgledger.calc.notes import note
from esgledger.domain import Entity, Period
from esgledger.lineage import Note


@dataclass(frozen=True)
class Inclusion:
    entity_id: str
    factor: float  # share x time fraction; 0 means excluded
    share: float
    fraction: float
    reason: Note


def time_fraction(entity: Entity, period: Period) -> float:
    """Share of the period's days during which the entity belonged to the group."""
    start = max(period.start, entity.valid_from) if entity.valid_from else period.start
    end = min(period.end, entity.valid_to) if entity.valid_to else period.end
    if end < start:
        return 0.0
    return ((end - start).days + 1) / ((period.end - period.start).days + 1)


def inclusion(child: Entity, period: Period, approach: str, prorate: bool = True) -> Inclusion:
    """How ``child`` counts in its parent. ``prorate`` is False when the child's data already covers
    only the days it belonged to the group (monthly figures inside its validity dates): scaling it
    again would count the acquisition or disposal twice."""
    fraction = time_fraction(child, period)
    if fraction == 0:
        return Inclusion(child.id, 0.0, 0.0, 0.0, note("not_in_group", period=str(period)))
    if not prorate:
        fraction = 1.0
    if approach == "operational":
        share = 1.0 if child.operational_control else 0.0
        reason = note("operational_control" if share else "no_operational_control")
    elif approach == "financial":
        share = 1.0 if child.financial_control else 0.0
        reason = note("financial_control" if share else "no_financial_control")
    elif approach == "equity":
        share = child.ownership
        reason = note("equity_share", share=share) if share else note("no_equity_share")
    else:
        raise ValueError(f"unknown consolidation approach {approach!r}")
    if share and fraction < 1:
        reason = note("pro_rata", basis=reason, fraction=fraction)
    return Inclusion(child.id, share * fraction, share, fraction, reason)
