"""The framework catalogues, read-only (:mod:`esgledger.frameworks`): which frameworks and
editions esgledger ships, and the items of one that apply to a financial year and issuer class."""

from __future__ import annotations

from datetime import date
from typing import Any

from esgledger.frameworks import (
    Edition,
    Item,
    applicable_items,
    builtin_frameworks,
    edition_in_force,
    items_by_metric,
    items_by_topic,
)
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.operation import Capability, Reading, reads


def _edition_dict(edition: Edition) -> dict[str, Any]:
    return {
        "framework": edition.framework,
        "edition": edition.edition,
        "prefix": edition.prefix,
        "name": dict(edition.names),
        "effective_from": edition.effective_from.isoformat(),
        "effective_basis": edition.effective_basis,
        "item_count": len(edition.items),
        "unconfirmed": sum(1 for item in edition.items if item.unconfirmed),
        "aliases": [alias.framework for alias in edition.aliases],
        "issuer_classes": {k: dict(v) for k, v in edition.issuer_classes.items()},
        "omission_reasons": [
            {"id": r.id, "name": dict(r.names), "source": r.source, "unconfirmed": r.unconfirmed}
            for r in edition.omission_reasons
        ],
        "source": edition.source,
        "note": edition.note,
    }


def item_dict(item: Item, level: str | None = None) -> dict[str, Any]:
    """An item as the doors show it; ``level`` is the one owed (phase-in), else the item's own."""
    return {
        "reference": item.reference,
        "id": item.id,
        "edition": item.edition,
        "parent": item.parent,
        "title": dict(item.titles),
        "level": level or item.level,
        "own_level": item.level,
        "kind": item.kind,
        "unit": item.unit,
        "trigger": dict(item.trigger) if item.trigger else None,
        "effective_from": item.effective_from.isoformat(),
        "effective_basis": item.effective_basis,
        "superseded_by": list(item.superseded_by),
        "phase_in": [
            {"issuer_class": s.issuer_class, "from": s.start.isoformat(), "level": s.level}
            for s in item.phase_in
        ],
        "no_omission": item.no_omission,
        "metrics": list(item.metrics),
        "topics": list(item.topics),
        "source": item.source,
        "confidence": item.confidence,
        "unconfirmed": item.unconfirmed,
    }


class Frameworks(Capability):
    @reads("framework.read")
    def listing(self, call: Reading) -> list[dict[str, Any]]:
        """Every shipped edition of every framework, oldest edition first within a framework."""
        library = builtin_frameworks()
        return [_edition_dict(e) for f in library.frameworks() for e in library.editions_of(f)]

    @reads("framework.read")
    def show(
        self,
        call: Reading,
        framework: str,
        period: str | None = None,
        issuer_class: str | None = None,
        published: date | None = None,
    ) -> dict[str, Any]:
        """The items of ``framework`` (an alias such as ``szse17`` names its framework): with a
        ``period``, those that apply to that financial year with the level ``issuer_class`` owes;
        without, every item of the newest edition at its own level."""
        library = builtin_frameworks()
        try:
            canonical = library.canonical(framework)
        except KeyError as exc:
            raise NotFound(str(exc.args[0]), field="framework") from None
        if period is None:
            edition = library.editions_of(canonical)[-1]
            items = [item_dict(item) for item in edition.items]
        else:
            try:
                found = edition_in_force(library, canonical, period, published)
                applicable = applicable_items(library, canonical, period, issuer_class, published)
            except ValueError as exc:
                field = "issuer_class" if "issuer class" in str(exc) else "period"
                raise Invalid(str(exc), field=field) from None
            if found is None:
                first = library.editions_of(canonical)[0]
                raise Invalid(
                    f"no edition of {canonical} is in force for {period}: the first shipped "
                    f"({first.edition}) applies from {first.effective_from.isoformat()}",
                    field="period",
                )
            edition = found
            items = [item_dict(a.item, a.level) for a in applicable]
        return {
            **_edition_dict(edition),
            "asked_as": framework,
            "period": period,
            "issuer_class": issuer_class,
            "items": items,
            "count": len(items),
        }

    @reads("framework.read")
    def items_for(
        self, call: Reading, metric: str | None = None, topic: str | None = None
    ) -> list[dict[str, Any]]:
        """Every item, of every edition, that the catalogue metric ``metric`` meets (through its
        framework codes) or that the topic library maps ``topic`` to; exactly one of the two."""
        if (metric is None) == (topic is None):
            raise Invalid("give a metric or a topic (one of them)", field="metric")
        library = builtin_frameworks()
        if metric is not None:
            if metric not in self.context.catalogue:
                raise NotFound(f"unknown metric {metric!r}", field="metric")
            return [item_dict(item) for item in items_by_metric(library, metric)]
        found = items_by_topic(library, str(topic))
        if not found:
            raise NotFound(f"no framework item is mapped to topic {topic!r}", field="topic")
        return [item_dict(item) for item in found]
