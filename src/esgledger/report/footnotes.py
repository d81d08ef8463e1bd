"""Numbered footnotes of a KPI table: what a figure of a stated boundary covers, the notes the
organisation marked for publication, and the source of a figure printed as reported.

A figure stored under a ``covers=`` key (``water.withdrawal{covers=-power}``) is printed as
entered, on a row of its own, never mixed with the roll-up of the whole subtree; its footnote names
the entities it covers or leaves out. A data point's note reaches the report only when it was
marked for publication (``note_public``).
"""

from __future__ import annotations

from esgledger.catalogue.breakdowns import COVERS, EXCLUDED, LISTED, metric_key, split_key
from esgledger.domain import DataPoint
from esgledger.i18n import Strings
from esgledger.report.context import Footnote, Mark
from esgledger.report.names import Names
from esgledger.report.trace import Trace


class Footnotes:
    """The footnotes of one table, numbered in the order first referred to; a text said twice is
    one footnote."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.notes: list[Footnote] = []
        self._by_text: dict[str, Footnote] = {}

    def add(self, text: str) -> Mark:
        found = self._by_text.get(text)
        if found is None:
            number = len(self.notes) + 1
            found = Footnote(number, f"fn-{self.prefix}-{number}", text)
            self.notes.append(found)
            self._by_text[text] = found
        return Mark(found.number, found.anchor)


def boundary_text(metric_key: str, root: str, names: Names, strings: Strings) -> str:
    """What a figure of a stated boundary covers, by entity name: the entities listed, or the
    reporting entity without those left out."""
    _metric, members = split_key(metric_key)
    written = members.get(COVERS, "")
    ids = [part for part in written.split(LISTED) if part]
    left_out = [part[len(EXCLUDED) :] for part in ids if part.startswith(EXCLUDED)]
    if left_out:
        return strings(
            "footnote.covers_excluding",
            entity=names(root),
            excluded=strings.join([names(e) for e in names.sort(left_out)]),
        )
    return strings(
        "footnote.covers_only", entities=strings.join([names(e) for e in names.sort(ids)])
    )


def stated_label(key: str, names: Names, strings: Strings) -> str:
    """The row name of a figure of a stated boundary: its metric (and any other members)."""
    metric_id, members = split_key(key)
    members.pop(COVERS, None)
    return strings("kpi.stated_row", metric=names.metric(metric_key(metric_id, members)))


def public_notes(points: list[DataPoint]) -> dict[tuple[str, str], list[DataPoint]]:
    """The data points whose note is marked for publication, by (metric key, period)."""
    found: dict[tuple[str, str], list[DataPoint]] = {}
    for point in points:
        if point.note_public and point.note:
            found.setdefault((point.metric_id, point.period), []).append(point)
    return found


def figure_notes(
    notes: dict[tuple[str, str], list[DataPoint]],
    metric_key: str,
    year: str,
    root: str,
    trace: Trace | None,
    names: Names,
    strings: Strings,
) -> list[str]:
    """The published notes of one figure: the reporting entity's own data point of the key, and
    those of the entities whose data the figure includes (each named)."""
    included = {root} | (trace.datapoint_entities if trace is not None else set())
    points = [p for p in notes.get((metric_key, year), []) if p.entity_id in included]
    texts = []
    for point in sorted(points, key=lambda p: (names.order.get(p.entity_id, 0), p.entity_id)):
        note = (point.note or "").strip()
        if point.entity_id == root:
            texts.append(note)
        else:
            texts.append(strings("footnote.entity_note", entity=names(point.entity_id), note=note))
    return texts
