"""The lineage of a bulk result: a JSON summary kept in the data point's note (issue 3, item 8).

A bulk result stands for thousands of records, so its lineage summarises them instead of listing
them: how many records, the quantity summed per metric and unit, every factor read (id, value,
unit, valid from, edition, version; measured site parameters with their lineage key), the options,
and the files the records come from, with their SHA-256 and import batch. Sums are floating point
and their last bits depend on the engine's summation order, so a re-run that differs from the
stored value by no more than that noise keeps the stored value and note: identical results stay
unchanged in the ledger.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

from esgledger.calc.bulk.run import BulkResult, Month
from esgledger.calc.options import CalcOptions
from esgledger.domain import DataPoint
from esgledger.ingest.activity_files import StoredFile
from esgledger.ledger.writes import NewValue

SOURCE = "bulk activity"
RELATIVE_NOISE = 1e-9


def note(
    result: BulkResult,
    month: Month,
    column: str,
    files: list[StoredFile],
    options: CalcOptions,
    engine: str,
) -> str:
    """The JSON summary behind the result ``column`` of one entity and month."""
    contributing = {
        metric_id
        for metric_id, targets in result.targets.items()
        if any(t.column == column for t in targets)
    }
    totals: dict[tuple[str, str], list[float]] = {}
    batches: set[int] = set()
    for batch, metric_id, unit, records, quantity in result.quantities(month):
        if metric_id in contributing:
            total = totals.setdefault((metric_id, unit), [0, 0.0])
            total[0] += records
            total[1] += quantity
            batches.add(batch)
    quantities = [
        {"metric": metric_id, "unit": unit, "records": int(records), "sum": quantity}
        for (metric_id, unit), (records, quantity) in sorted(totals.items())
    ]
    factors: list[dict[str, Any]] = []
    for row_id in sorted(result.factors_used(month)):
        for ref in result.factor_rows[row_id].factors.get(column, []):
            if ref not in factors:
                factors.append(ref)
    factors.sort(key=lambda r: (str(r.get("factor")), str(r.get("valid_from", ""))))
    summary = {
        "summary": f"bulk activity records, summed per file, entity, metric, unit and "
        f"{result.bucket}, times the per-unit results of the engine's formulas valid then",
        "records": int(sum(records for records, _q in totals.values())),
        "quantities": quantities,
        "factors": factors,
        "files": [
            {"batch": f.batch_id, "name": f.name, "sha256": f.sha256}
            for f in files
            if f.batch_id in batches
        ],
        "options": {k: v for k, v in options.as_dict().items() if k != "consolidation"},
        "engine": engine,
    }
    return json.dumps(summary, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def settle(new: NewValue, old: DataPoint | None) -> NewValue:
    """``new``, or the stored value and note where ``new`` differs from them by float noise only."""
    if old is None or old.note is None or not _close(old.value, new.value):
        return new
    try:
        stored = json.loads(old.note)
    except ValueError:
        return new
    if new.note is None or not _same(json.loads(new.note), stored):
        return new
    return replace(new, value=old.value, value_normalised=old.value_normalised, note=old.note)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RELATIVE_NOISE, abs_tol=1e-12)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return _close(float(a), float(b))
    return bool(a == b)
