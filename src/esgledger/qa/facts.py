"""One figure as a check sees it, wherever it was found.

A figure of the ledger (a data point, a computed value of the current run, a target) and a cell of
a report table handed to esgledger become the same kind of object, so that one rule checks both and
compares the one with the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from esgledger.i18n import Strings

Origin = Literal["datapoint", "computed", "target", "section", "reported_table"]
# where a figure stands, said in any language: a ``qa.place.*`` key of the string tables and its
# values (``("qa.place.datapoint", (("id", "938"), ("version", "1")))``)
Place = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Fact:
    """One figure: what it is of (metric key, entity, period), its value, and where it stands.

    ``value`` is in the catalogue unit of the metric when ``metric_key`` is resolved (the unit
    ``unit`` names); ``value_as_written`` and ``unit_as_written`` keep the figure as its source
    printed it. ``metric_key`` and ``entity_id`` are None when a report table's row could not be
    resolved (a label check says so). ``location`` tells a reader where to find the figure:
    "report table 'Energy', row 'Electricity' (file.csv row 7)" or "data point 123 v2", in
    English; ``place`` says it in the reader's language (:func:`location`).
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
    place: Place | None = field(default=None, compare=False, hash=False)


def placed(key: str, **values: object) -> dict[str, Any]:
    """A figure's ``location`` (English, as the JSON and the assurance pack keep it) and its
    ``place`` (the string-table key ``key`` of ``qa/i18n/places.yaml`` and ``values``), for
    ``Fact(..., **placed("qa.place.datapoint", id=938, version=1))``."""
    args = tuple((name, str(value)) for name, value in values.items())
    return {"location": Strings("en")(key, **dict(args)), "place": (key, args)}


def location(fact: Fact, lang: str) -> str:
    """Where a reader finds ``fact``, in ``lang`` (``数据点 938 第 1 版``); its English
    ``location`` when it carries no ``place``."""
    if fact.place is None or lang == "en":
        return fact.location
    key, args = fact.place
    return Strings(lang)(key, **dict(args))
