"""What every check shares to write a finding: the figures named, numbers printed, rounding read
from the printed decimals, the stable key, the message from the string tables (``qa/i18n/*.yaml``,
English and Chinese).

    yield finding(rule, inputs, "qa.sum.mismatch", facts, arithmetic, total=..., parts=...)

The message's placeholders are filled with the caller's values; ``{arithmetic}`` is always
available, as is ``{where}`` (the tables, or the ledger, the figures come from).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from esgledger.figures import Figure
from esgledger.i18n import Strings
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.units import spelling

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.rules import Rule

# A figure of the ledger is exact; two exact figures may still differ by float noise.
EXACT = 1e-9


def printed_decimals(fact: Fact) -> int | None:
    """How many decimals the figure was printed or entered with (``1,234.50`` -> 2; ``1,200`` ->
    0; a data point's value by its shortest form, ``26988.3`` -> 1, ``26988.0`` -> 0); None for
    a computed value (exact)."""
    text = (fact.text_as_written or "").strip().rstrip("%").strip()
    if not text or fact.origin not in ("reported_table", "datapoint"):
        return None
    text = text.replace(",", "").replace(" ", "")
    if "e" in text.lower():
        return None
    _whole, point, decimals = text.partition(".")
    if fact.origin == "datapoint" and decimals == "0":
        return 0  # repr(26988.0): a whole number as entered, rounded to the unit
    return len(decimals) if point else 0


def rounding(fact: Fact, catalogue: Any = None) -> float:
    """Half a unit of the last printed decimal, in the unit of ``fact.value`` (the catalogue
    unit): how far the printed figure may be from what it rounds; ~0 for an exact figure (a
    computed value, a whole number of a metric that counts, with ``catalogue``)."""
    decimals = printed_decimals(fact)
    if decimals == 0 and catalogue is not None and fact.metric_key is not None:
        metric = catalogue.find(fact.metric_key)
        if metric is not None and metric.count and fact.value_as_written == fact.value:
            decimals = None  # people, cases: a whole number printed is the number
    if decimals is None:
        return abs(fact.value) * EXACT
    scale = 1.0
    if fact.value_as_written not in (None, 0.0) and fact.value != 0.0:
        scale = abs(fact.value / fact.value_as_written)
    return 0.5 * 10.0 ** (-decimals) * scale


def number(value: float, lang: str = "en") -> str:
    """A figure as a message prints it: grouped thousands, up to 6 significant digits, never in
    exponent form."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e6:
        return format(Figure(round(value)), ",.15g")
    return format(Figure(value), ",.6g")


def unit_text(unit: str, lang: str = "en") -> str:
    """A catalogue unit as a message prints it: ``10^4 m3`` in English, ``万立方米`` in Chinese
    (``wan_m3`` is the registry's name, never shown)."""
    spelled = spelling(unit)
    ascii_form, _, chinese = spelled.partition(" (")
    return chinese.rstrip(")") if lang == "zh" and chinese else ascii_form


def label(fact: Fact, inputs: CheckInputs) -> str:
    """The figure's metric in the message language (the row label for an unresolved one)."""
    catalogue = inputs.catalogue
    if fact.metric_key is not None and catalogue is not None:
        return str(catalogue.label(fact.metric_key, inputs.lang))
    return fact.row_label or fact.metric_key or "?"


def entity(fact: Fact) -> str:
    """The entity as the source wrote it (a report's name), else its id."""
    return fact.entity_as_written or (fact.entity_id or "?").lstrip("~")


def where(fact: Fact, inputs: CheckInputs) -> str:
    """Where a reader finds the figure, in the message language."""
    strings = Strings(inputs.lang)
    if fact.origin == "reported_table":
        return strings("qa.where.table", table=fact.table or "", row=fact.row_label or "")
    return strings(f"qa.where.{fact.origin}", location=fact.location)


def describe(fact: Fact, inputs: CheckInputs) -> str:
    """``Scope 1 (CHALIECO, 2019) 12,000 tCO2e in table 'GHG', row 'Scope 1'``."""
    return Strings(inputs.lang)(
        "qa.figure",
        metric=label(fact, inputs),
        entity=entity(fact),
        period=fact.period,
        value=number(fact.value, inputs.lang),
        unit=unit_text(fact.unit, inputs.lang),
        where=where(fact, inputs),
    )


def finding_key(rule: Rule, facts: Iterable[Fact], *extra: str) -> str:
    """The finding's identity across runs: the rule and the figures' identities (not their
    values, so that a justification follows a finding until its figures move away)."""
    parts = [rule.id, *extra]
    for fact in facts:
        parts.append(
            "|".join(
                str(p)
                for p in (
                    fact.origin,
                    fact.metric_key,
                    fact.entity_id,
                    fact.period,
                    fact.table,
                    fact.row_label,
                )
            )
        )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def finding(
    rule: Rule,
    inputs: CheckInputs,
    message_key: str,
    facts: Iterable[Fact],
    arithmetic: str = "",
    key_extra: tuple[str, ...] = (),
    details: dict[str, Any] | None = None,
    **values: object,
) -> Finding:
    """A finding of ``rule`` with its message in the run's language (``message_key`` of
    ``qa/i18n/*.yaml`` filled with ``values``, ``arithmetic`` and ``where``)."""
    shown = tuple(facts)
    tables = list(dict.fromkeys(f.table for f in shown if f.table))
    strings = Strings(inputs.lang)
    place = (
        strings("qa.where.tables", tables=strings.join([f"'{t}'" for t in tables]))
        if tables
        else strings("qa.where.ledger")
    )
    message = strings(message_key, arithmetic=arithmetic, where=place, **values)
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=message,
        facts=shown,
        arithmetic=arithmetic,
        key=finding_key(rule, shown, *key_extra),
        details=dict(details or {}),
    )
