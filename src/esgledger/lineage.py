"""Lineage records: the trace of one value, keyed ``metric@entity@period`` (openfisca's tracer).

A record is flat JSON: the formula, the input keys it read (each has its own record), the factors it
read with their citations, per-term arithmetic, and for roll-ups the children it added. ``explain``
turns records into a tree; the report appendix prints them.

The shapes below are what the engine writes and every reader reads (mypy checks both sides). They
describe the stored JSON, which stays as it was: lineage stored before notes had codes holds plain
English text where a :class:`Note` is written now (the :data:`Text` fields), and readers show such
text as written.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict, Union

NoteArg = Union[str, int, float, "Note"]


class Note(TypedDict):
    """Something the engine says about a value, as a code of ``calc/notes.yaml`` and the values
    its text is filled with (see :mod:`esgledger.calc.notes`)."""

    code: str
    args: dict[str, NoteArg]


Text = Note | str  # str: lineage stored before notes had codes, shown as written

Kind = Literal["input", "formula", "rollup"]


class InputRead(TypedDict):
    """An input value a formula read."""

    key: str
    metric: str
    value: float
    unit: str


class FactorRead(TypedDict):
    """A factor value a formula read: from the factor library (with its edition and citation), a
    measured site parameter that replaced a default (``measured``, ``replaces``), or a group
    supplier's emission rate (``measured``, ``factor`` ``internal.<supplier>.<carrier>``)."""

    factor: str
    value: float
    unit: str
    role: NotRequired[str]
    applies_to: NotRequired[str | None]
    measured: NotRequired[bool]
    source: NotRequired[Text]
    replaces: NotRequired[str]
    lineage_key: NotRequired[str | None]
    valid_from: NotRequired[str]
    factor_set: NotRequired[str]
    edition: NotRequired[str]
    version: NotRequired[str]
    confidence: NotRequired[str]
    unverified: NotRequired[bool]
    note: NotRequired[str]
    vintage: NotRequired[int | None]  # the data year of a value used for another year
    withheld: NotRequired[bool]  # set by access.redaction, never by the engine


class Term(TypedDict):
    """One term of a formula's arithmetic, in ``unit``; ``input`` is the key it values."""

    input: str
    value: float
    unit: str
    detail: str
    carrier: NotRequired[str]
    internal: NotRequired[dict[str, float]]  # the part supplied inside the group, by link
    gas: NotRequired[str]
    gas_tonnes: NotRequired[float]
    gases_t: NotRequired[dict[str, float]]
    supplier: NotRequired[str]
    category: NotRequired[int]
    method: NotRequired[str]
    data_quality: NotRequired[int]


class OwnPart(TypedDict):
    key: str
    value: float


class Child(TypedDict):
    """A child's consolidated value in a roll-up, counted at ``factor`` (share x time fraction)."""

    key: str
    entity: str
    value: float
    factor: float
    reason: Text


class Excluded(TypedDict):
    entity: str
    reason: Text


class Elimination(TypedDict):
    """An internally supplied amount taken out of a roll-up (counted once, at the supplier)."""

    supplier: str
    receiver: str
    value: float
    share: float
    reason: Text


class DatapointRef(TypedDict):
    id: int
    period: str
    value: float
    unit: str
    value_normalised: float
    method: str
    status: str
    version: int
    source: str | None
    note: str | None
    created_by: str


TransferRef = TypedDict(
    "TransferRef",
    {
        "id": int,
        "from": str,
        "to": str,
        "period": str,
        "carrier": str,
        "value": float,
        "unit": str,
        "value_normalised": float,
    },
)


class CertificateRef(TypedDict):
    id: int
    scheme: str
    certificate_id: str
    period: str
    mwh: float


class Record(TypedDict):
    """One lineage record. Every kind has the first fields; then

    - ``input`` (a reported value, a sum of internal transfers or of certificate claims):
      ``how`` it was read and the ``datapoints``, ``transfers`` or ``certificates`` behind it;
      ``formula`` holds the code of ``how`` (plain text in lineage stored before codes);
    - ``formula``: ``formula`` (the function), ``expression``, ``inputs``, ``factors``, ``terms``,
      ``gases``, ``internal``, ``options``;
    - ``rollup``: ``formula`` (what was added), ``own``, ``children``, ``excluded``,
      ``eliminations``, ``gases``, ``internal``, ``consolidation``.
    """

    key: str
    metric: str
    entity: str
    period: str
    value: float
    unit: str
    kind: Kind
    formula: str
    notes: list[Text]
    how: NotRequired[Note]
    datapoints: NotRequired[list[DatapointRef]]
    transfers: NotRequired[list[TransferRef]]
    certificates: NotRequired[list[CertificateRef]]
    expression: NotRequired[str]
    inputs: NotRequired[list[InputRead]]
    factors: NotRequired[list[FactorRead]]
    terms: NotRequired[list[Term]]
    gases: NotRequired[dict[str, float]]
    internal: NotRequired[dict[str, float]]
    options: NotRequired[dict[str, str]]
    own: NotRequired[OwnPart | None]
    children: NotRequired[list[Child]]
    excluded: NotRequired[list[Excluded]]
    eliminations: NotRequired[list[Elimination]]
    consolidation: NotRequired[str]
    stored_value: NotRequired[float]  # the calc_values column, added when a run is read back


Records = dict[str, Record]


def key(metric_id: str, entity_id: str, period: str) -> str:
    return f"{metric_id}@{entity_id}@{period}"


def own_key(metric_id: str, entity_id: str, period: str) -> str:
    """Key of an entity's own part of a rolled-up value (its own activity, before children)."""
    return f"{key(metric_id, entity_id, period)}#own"


def referenced_keys(record: Record) -> list[str]:
    """Every key a record points at: inputs, own part and children."""
    refs = [item["key"] for item in record.get("inputs", [])]
    own = record.get("own")
    if own:
        refs.append(own["key"])
    refs.extend(item["key"] for item in record.get("children", []))
    return refs
