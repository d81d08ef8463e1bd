"""Store a computed inventory as a calculation run (the repository: :mod:`esgledger.ledger.runs`)."""

from __future__ import annotations

from typing import Any

from esgledger.calc.engine import Inventory
from esgledger.ledger.change import Change
from esgledger.ledger.runs import INVENTORY, NewRun, store_run


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
            options=inventory.options.as_dict(),
            result_sha256=inventory.digest(),
            values_count=len(inventory.results),
            catalogue_sha256=catalogue_sha,
            kind=kind,
            restatement=restatement,
        ),
    )
