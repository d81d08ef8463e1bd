"""Which children a parent consolidates, and at what share (GHG Protocol Corporate Standard ch. 3).

- operational control: 100 % of entities the parent operates, none of the others;
- financial control: 100 % of entities under financial control, none of the others;
- equity share: the parent's ownership share of every entity.
An entity acquired or disposed of during the period counts pro rata for the days it belonged to the
group (its validity dates), under every approach.
"""

from __future__ import annotations

from dataclasses import dataclass

from esgledger.domain import Entity, Period


@dataclass(frozen=True)
class Inclusion:
    entity_id: str
    factor: float  # share x time fraction; 0 means excluded
    share: float
    fraction: float
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "entity": self.entity_id,
            "factor": self.factor,
            "share": self.share,
            "fraction": self.fraction,
            "reason": self.reason,
        }


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
        return Inclusion(child.id, 0.0, 0.0, 0.0, f"not in the group during {period}")
    if not prorate:
        fraction = 1.0
    if approach == "operational":
        share = 1.0 if child.operational_control else 0.0
        reason = "operational control" if share else "no operational control"
    elif approach == "financial":
        share = 1.0 if child.financial_control else 0.0
        reason = "financial control" if share else "no financial control"
    else:
        share = child.ownership
        reason = f"equity share {share:.4g}" if share else "no equity share"
    if share and fraction < 1:
        reason += f", {fraction:.4f} of the period in the group (pro rata by validity dates)"
    return Inclusion(child.id, share * fraction, share, fraction, reason)
