"""The inputs of the SSE Art. 11 elements check that other parts of the assessment keep: which
topics a governance body's duties cover, which metrics have targets, which target ids exist.
Read here and only here, so that the materiality service has one place to wire them."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from esgledger.ledger import governance, targets


@dataclass(frozen=True)
class ElementInputs:
    governance_topics: set[str] = field(default_factory=set)
    metrics_with_targets: set[str] = field(default_factory=set)
    target_ids: set[str] = field(default_factory=set)


def element_inputs(connection: sa.Connection) -> ElementInputs:
    """``ledger.governance.topics_covered``, ``ledger.targets.metric_ids_with_targets`` and
    ``ledger.targets.target_ids`` of the ledger behind ``connection``."""
    return ElementInputs(
        governance.topics_covered(connection),
        targets.metric_ids_with_targets(connection),
        targets.target_ids(connection),
    )
