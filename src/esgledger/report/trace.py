"""Summaries of lineage for the report: what went into one root-level value.

A value at the group level is usually a roll-up whose arithmetic happened lower down: each
entity's own formula record holds the terms and factors, and roll-up records add the children.
``trace_value`` walks the whole tree under one key (records already loaded in bulk) and gathers
what the appendix and the footnotes print: the formula, the inputs added up across the entities
that computed them, every factor read with its citation, measured site parameters, the direct
roll-up children, the entities left out and why, the notes, and which entities reported data.
Nothing is recomputed: the inputs' contributions are sums of the terms the engine recorded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from esgledger.calc.notes import identity as said_once
from esgledger.lineage import (
    Child,
    Elimination,
    OwnPart,
    Record,
    Term,
    Text,
    key,
    referenced_keys,
)


@dataclass
class InputLine:
    """One input metric of a calculation, added up over the entities that computed it."""

    metric: str
    quantity: float
    unit: str
    contribution: float | None = None  # the sum of the recorded terms
    contribution_unit: str = ""  # the terms' unit (usually the traced metric's unit)


@dataclass
class FactorUse:
    """A factor value read somewhere in the lineage, and by which entities."""

    factor: str
    value: float
    unit: str
    factor_set: str
    edition: str
    version: str
    valid_from: str
    source: Text
    confidence: str
    unverified: bool
    note: str
    roles: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)

    @property
    def identity(self) -> tuple[str, str, str, float]:
        return (self.factor, self.version, self.valid_from, self.value)


# How far a factor value was checked against its publication, as the report says it: one short phrase
# per confidence tag. The factor library's own ``verification`` text (which secondary sources were
# compared) is for reviewers and never reaches the report.
CONFIDENCE_PHRASES = {
    "V": "factor.confidence.verified",
    "S": "factor.confidence.single_source",
    "M": "factor.confidence.unconfirmed",
    "!": "factor.confidence.disagree",
}


def confidence_phrase(confidence: str) -> str:
    """The string key of the phrase for a confidence tag ("" for an unknown tag)."""
    return CONFIDENCE_PHRASES.get(confidence, "")


@dataclass
class MeasuredUse:
    """A measured site parameter that replaced a default factor for one entity."""

    entity: str
    parameter: str
    value: float
    unit: str
    role: str
    applies_to: str
    replaces: str


@dataclass
class Said:
    """A note found under a value, and the entities whose records say it."""

    text: Text
    entities: set[str] = field(default_factory=set)


@dataclass
class Trace:
    key: str
    metric: str
    entity: str
    period: str
    value: float
    unit: str
    kind: str
    record: Record
    functions: list[str] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)
    computed_by: set[str] = field(default_factory=set)
    inputs: list[InputLine] = field(default_factory=list)
    breakdown: list[InputLine] = field(default_factory=list)  # terms anywhere below, by input
    itemised: float = 0.0  # sum of the terms below in the traced unit
    factors: list[FactorUse] = field(default_factory=list)
    measured: list[MeasuredUse] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    own: OwnPart | None = None
    excluded: dict[str, dict[str, Text]] = field(default_factory=dict)  # entity -> reasons
    notes: dict[str, Said] = field(default_factory=dict)  # by the note's identity
    reporting_entities: set[str] = field(default_factory=set)
    shares: dict[str, float] = field(default_factory=dict)  # reporting entity -> share included
    eliminations: list[Elimination] = field(default_factory=list)
    datapoints: int = 0
    datapoint_entities: set[str] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)

    @property
    def breakdown_complete(self) -> bool:
        """Whether the terms recorded below account for the whole value (no eliminations, no
        parts computed without terms)."""
        return bool(self.breakdown) and abs(self.itemised - self.value) <= 1e-6 * max(
            1.0, abs(self.value)
        )

    @property
    def unverified_factors(self) -> list[FactorUse]:
        return [f for f in self.factors if f.unverified]


def metric_of(record_key: str) -> str:
    return record_key.split("@", 1)[0]


def _term_metric(term: Term) -> str:
    return str(term.get("carrier") or metric_of(term.get("input") or "") or "")


def _add_terms(
    breakdown: dict[str, InputLine],
    record: Record,
    share: float,
    unit: str,
    internal: dict[str, dict[str, float]],
) -> None:
    """Add a formula record's terms that are in ``unit`` to ``breakdown``, by input metric, and
    what each carries from group suppliers to ``internal`` (link -> metric -> amount)."""
    quantities = {item["key"]: item for item in record.get("inputs", [])}
    counted: set[str] = set()
    for term in record.get("terms", []):
        if (term.get("unit") or record["unit"]) != unit:
            continue
        metric = _term_metric(term)
        line = breakdown.setdefault(metric, InputLine(metric, 0.0, "", 0.0, unit))
        line.contribution = (line.contribution or 0.0) + term["value"] * share
        for link, amount in _carried(term, record).items():
            carried = internal.setdefault(link, {})
            carried[metric] = carried.get(metric, 0.0) + amount * share
        source = quantities.get(term.get("input") or "")
        if source is not None and source["key"] not in counted:
            counted.add(source["key"])
            line.quantity += source["value"] * share
            line.unit = line.unit or source["unit"]


def _carried(term: Term, record: Record) -> dict[str, float]:
    """What a term carries from group suppliers, by link. Runs stored before terms were tagged
    have the record's total only: a term worth exactly a link's amount is taken to carry it (a
    carrier received wholly from inside the group, such as electricity from a captive plant)."""
    if "internal" in term:
        return term["internal"]
    if any("internal" in other for other in record.get("terms", [])):
        return {}
    return {
        link: amount
        for link, amount in (record.get("internal") or {}).items()
        if abs(term["value"] - amount) <= 1e-9 * max(1.0, abs(amount))
    }


class Lineage:
    """The lineage records of one run, with each record's references worked out once (many
    values share sub-trees, so a report walks the same records many times)."""

    def __init__(self, records: dict[str, Record]):
        self.records = records
        self._refs: dict[str, list[tuple[str, float]]] = {}

    def refs(self, record: Record) -> list[tuple[str, float]]:
        """The keys a record points at, last first, each with its inclusion factor."""
        found = self._refs.get(record["key"])
        if found is None:
            factors = {
                child["key"]: float(child.get("factor", 1.0))
                for child in record.get("children", [])
            }
            found = [(ref, factors.get(ref, 1.0)) for ref in reversed(referenced_keys(record))]
            self._refs[record["key"]] = found
        return found


def subtree(lineage: Lineage | dict[str, Record], root_key: str) -> list[tuple[Record, float]]:
    """The record of ``root_key`` and every record under it, each once, root first, each with the
    share of it that reaches the root (the product of the roll-ups' inclusion factors on the way;
    1 under control approaches, the equity share or a part-year fraction otherwise)."""
    if not isinstance(lineage, Lineage):
        lineage = Lineage(lineage)
    records = lineage.records
    seen: set[str] = set()
    found: list[tuple[Record, float]] = []
    stack: list[tuple[str, float]] = [(root_key, 1.0)]
    while stack:
        current, share = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        record = records.get(current)
        if record is None:
            continue
        found.append((record, share))
        stack.extend((ref, share * factor) for ref, factor in lineage.refs(record))
    return found


def trace_value(lineage: Lineage | dict[str, Record], root_key: str) -> Trace | None:
    """Summarise the lineage under ``root_key``; None when the run has no such record."""
    if not isinstance(lineage, Lineage):
        lineage = Lineage(lineage)
    root = lineage.records.get(root_key)
    if root is None:
        return None
    trace = Trace(
        key=root_key,
        metric=root["metric"],
        entity=root["entity"],
        period=root["period"],
        value=root["value"],
        unit=root["unit"],
        kind=root["kind"],
        record=root,
    )
    if root["kind"] == "rollup":
        trace.children = list(root.get("children", []))
        trace.own = root.get("own")
    inputs: dict[str, InputLine] = {}
    breakdown: dict[str, InputLine] = {}
    factors: dict[tuple[str, str, str, float], FactorUse] = {}
    measured: dict[tuple[str, str], MeasuredUse] = {}
    internal: dict[str, dict[str, float]] = {}  # link -> carrier -> amount carried
    eliminated: dict[str, float] = {}  # link -> amount taken out by roll-ups below the root
    for record, share in subtree(lineage, root_key):
        entity = record["entity"]
        for cut in record.get("eliminations", []):
            link = f"{cut['supplier']}>{cut['receiver']}"
            eliminated[link] = eliminated.get(link, 0.0) + cut["value"] * share
        trace.eliminations.extend(record.get("eliminations", []) if record is root else [])
        for note in record.get("notes", []):
            trace.notes.setdefault(said_once(note), Said(note)).entities.add(entity)
        for left_out in record.get("excluded", []):
            reasons = trace.excluded.setdefault(left_out["entity"], {})
            reasons[said_once(left_out["reason"])] = left_out["reason"]
        if record["kind"] == "input":
            trace.reporting_entities.add(entity)
            trace.shares[entity] = min(share, trace.shares.get(entity, share))
            for point in record.get("datapoints", []):
                trace.datapoints += 1
                trace.datapoint_entities.add(entity)
                trace.statuses[point.get("status") or ""] += 1
                trace.methods[point.get("method") or ""] += 1
                source = point.get("source")
                if source:
                    trace.sources[source] += 1
            continue
        if record["kind"] != "formula":
            continue
        for factor in record.get("factors", []):
            if factor.get("measured"):
                found = MeasuredUse(
                    entity,
                    factor["factor"],
                    factor["value"],
                    factor["unit"],
                    factor.get("role", ""),
                    factor.get("applies_to") or "",
                    factor.get("replaces", ""),
                )
                measured[(entity, found.parameter + found.role)] = found
                continue
            identity = (
                factor["factor"],
                str(factor.get("version", "")),
                factor.get("valid_from", ""),
                factor["value"],
            )
            use = factors.get(identity)
            if use is None:
                use = factors[identity] = FactorUse(
                    factor=factor["factor"],
                    value=factor["value"],
                    unit=factor["unit"],
                    factor_set=factor.get("factor_set", ""),
                    edition=factor.get("edition", ""),
                    version=identity[1],
                    valid_from=identity[2],
                    source=factor.get("source", ""),
                    confidence=factor.get("confidence", ""),
                    unverified=bool(factor.get("unverified")),
                    note=factor.get("note") or "",
                )
            use.entities.add(entity)
            if factor.get("role"):
                use.roles.add(factor["role"])
        _add_terms(breakdown, record, share, trace.unit, internal)
        if record["metric"] != trace.metric:
            continue
        # The traced metric's own computations: add their inputs and recorded terms up, each at
        # the share of it that reaches the root.
        trace.computed_by.add(entity)
        if record.get("formula") and record["formula"] not in trace.functions:
            trace.functions.append(record["formula"])
        if record.get("expression") and record["expression"] not in trace.expressions:
            trace.expressions.append(record["expression"])
        for item in record.get("inputs", []):
            line = inputs.setdefault(item["metric"], InputLine(item["metric"], 0.0, item["unit"]))
            line.quantity += item["value"] * share
        for term in record.get("terms", []):
            line = inputs.setdefault(_term_metric(term), InputLine(_term_metric(term), 0.0, ""))
            line.contribution = (line.contribution or 0.0) + term["value"] * share
            line.contribution_unit = term.get("unit") or record["unit"]
    trace.inputs = list(inputs.values())
    _net_eliminations(breakdown, internal, eliminated)
    trace.breakdown = sorted(breakdown.values(), key=lambda line: -(line.contribution or 0.0))
    trace.itemised = sum(line.contribution or 0.0 for line in breakdown.values())
    trace.factors = sorted(factors.values(), key=lambda f: (f.factor, f.valid_from))
    trace.measured = sorted(measured.values(), key=lambda m: (m.entity, m.parameter))
    return trace


def _net_eliminations(
    breakdown: dict[str, InputLine],
    internal: dict[str, dict[str, float]],
    eliminated: dict[str, float],
) -> None:
    """Take what the roll-ups eliminated (an internal supply counted once, at the supplier) out
    of the terms that carried it, so that the breakdown adds up to the consolidated value that
    the tables print (the energy-mix chart and the table are one set of figures)."""
    for link, amount in eliminated.items():
        carriers = internal.get(link, {})
        carried = sum(carriers.values())
        if carried <= 0:
            continue
        for metric, part in carriers.items():
            line = breakdown[metric]
            before = line.contribution or 0.0
            after = max(0.0, before - amount * part / carried)
            line.quantity = line.quantity * after / before if before else line.quantity
            line.contribution = after
    for metric in [m for m, line in breakdown.items() if abs(line.contribution or 0.0) < 1e-6]:
        del breakdown[metric]


def root_key(metric_id: str, entity_id: str, period: str) -> str:
    return key(metric_id, entity_id, period)
