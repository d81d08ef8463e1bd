"""Store a computed inventory as a calculation run (the repository: :mod:`esgledger.ledger.runs`)."""

from __future__ import annotations

from typing import Any

from esgledger.calc.inventory import Inventory
from esgledger.ledger.change import Change
from esgledger.ledger.runs import INVENTORY, NewRun, store_run


def scope3_option(categories: tuple[int, ...] | None) -> dict[str, str]:
    """The Scope 3 categories an inventory computed, as the run's options record them."""
    if categories is None:
        return {}
    return {"scope3_categories": ",".join(str(c) for c in categories) or "none"}


def save_run(
    change: Change,
    inventory: Inventory,
    catalogue_sha: str,
    kind: str = INVENTORY,
    restatement: dict[str, Any] | None = None,
) -> int:
    """Store ``inventory`` as the current calculation run of its period and ``kind``, every
    lineage record with it; a ``restated`` run keeps its ``restatement`` (figures and reasons).
    Audited; returns the run's id."""
    return store_run(
        change,
        NewRun(
            period=inventory.period,
            records=inventory.records,
            options=inventory.options.as_dict() | scope3_option(inventory.scope3_categories),
            result_sha256=inventory.digest(),
            values_count=len(inventory.results),
            catalogue_sha256=catalogue_sha,
            kind=kind,
            restatement=restatement,
            gaps=[gap.as_dict() for gap in inventory.gaps.values()],
        ),
    )
