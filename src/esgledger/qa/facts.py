"""One figure as a check sees it, wherever it was found.

A figure of the ledger (a data point, a computed value of the current run, a target) and a cell of
a report table handed to esgledger become the same kind of object, so that one rule checks both and
compares the one with the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Origin = Literal["datapoint", "computed", "target", "section", "reported_table"]


@dataclass(frozen=True)
class Fact:
    """One figure: what it is of (metric key, entity, period), its value, and where it stands.

    ``value`` is in the catalogue unit of the metric when ``metric_key`` is resolved (the unit
    ``unit`` names); ``value_as_written`` and ``unit_as_written`` keep the figure as its source
    printed it. ``metric_key`` and ``entity_id`` are None when a report table's row could not be
    resolved (a label check says so). ``location`` tells a reader where to find the figure:
    "report table 'Energy', row 'Electricity' (file.csv row 7)" or "data point 123 v2".
    """

    origin: Origin
    metric_key: str | None
    entity_id: str | None
    period: str
    value: float
    unit: str
    location: str
    value_as_written: float | None = None
    unit_as_written: str | None = None
    text_as_written: str | None = None  # the cell's text: "1,234.50" (decimals, rounding)
    table: str | None = None
    row_label: str | None = None
    entity_as_written: str | None = None
    footnote: str | None = None
    reference: str | None = None  # a key back to the record: data point id, run value key, file row
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
