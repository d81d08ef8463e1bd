"""What the checks of issue 12 share: which figure of a key a check reads, the tolerance a printed
figure allows, names in the report language, and the finding with its message and key.

A key (metric key, entity, period) can hold several figures: a report table's cell, a data point,
the current calculation's value. A check compares figures of one *source* with each other (a
report table's total with the same report's parts; the ledger's with the ledger's), so that a
difference between the report and the ledger is left to the identity check and reported once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from esgledger.catalogue.breakdowns import base_metric, split_key
from esgledger.domain import Period
from esgledger.errors import RuleFileError
from esgledger.i18n import Strings
from esgledger.qa.facts import Fact, location
from esgledger.qa.findings import Finding
from esgledger.qa.index import FactIndex
from esgledger.qa.messages import number as num
from esgledger.qa.messages import singular_ones, unit_text

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.rules import Rule

REPORTED, LEDGER = "reported", "ledger"
SOURCES = (REPORTED, LEDGER)
Key = tuple[str, str, str]  # (metric key, entity, period)

# -- rule parameters ------------------------------------------------------------------------------


def require(
    where: str, params: Mapping[str, Any], required: Iterable[str], optional: Iterable[str] = ()
) -> None:
    """A rule's ``params`` hold ``required`` and nothing outside ``required`` and ``optional``."""
    required = list(required)
    missing = [key for key in required if key not in params]
    if missing:
        raise RuleFileError(where, f"params: missing {', '.join(missing)}")
    unknown = sorted(set(params) - set(required) - set(optional))
    if unknown:
        known = ", ".join([*required, *optional]) or "none"
        raise RuleFileError(where, f"params: unknown {', '.join(unknown)} (known: {known})")


def number(where: str, params: Mapping[str, Any], name: str, default: float) -> float:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RuleFileError(where, f"params.{name} must be a number >= 0, found {value!r}")
    return float(value)


# -- which figure -----------------------------------------------------------------------------------

_BY_METRIC: WeakKeyDictionary[FactIndex, dict[str, list[Key]]] = WeakKeyDictionary()


def keys_of(index: FactIndex, metric_id: str) -> list[Key]:
    """Every key of ``metric_id`` (its total and its breakdown members), in order."""
    grouped = _BY_METRIC.get(index)
    if grouped is None:
        grouped = defaultdict(list)
        every_key = index.keys()
        for key in every_key:
            grouped[base_metric(key[0])].append(key)
        _BY_METRIC[index] = grouped
    return list(grouped.get(metric_id, ()))


def source_of(fact: Fact) -> str | None:
    """``reported`` for a report table's figure, ``ledger`` for a data point or a computed value;
    None for a target's figure (the target checks read those)."""
    if fact.origin == "reported_table":
        return REPORTED
    if fact.origin in ("datapoint", "computed"):
        return LEDGER
    return None


def pick(index: FactIndex, metric_key: str, entity: str, period: str) -> dict[str, Fact]:
    """One figure per source: the first report-table figure, and the ledger's (the calculation's
    value, else the data point)."""
    found: dict[str, Fact] = {}
    facts = index.get(metric_key, entity, period)
    for origin, source in (
        ("reported_table", REPORTED),
        ("computed", LEDGER),
        ("datapoint", LEDGER),
    ):
        if source in found:
            continue
        for fact in facts:
            if fact.origin == origin and not is_target_figure(fact):
                found[source] = fact
                break
    return found


_TARGET_WORDS = re.compile(r"\btargets?\b|\bgoals?\b|目标|指标值", re.IGNORECASE)


def is_target_figure(fact: Fact) -> bool:
    """A target's figure: a target of the ledger, or a report-table row printed as a target
    (marked ``figure=target``, or, unmarked, a row or table whose label says "target" / "目标")."""
    if fact.origin == "target" or fact.attributes.get("kind") == "target":
        return True
    if fact.origin != "reported_table":
        return False
    if "figure" in fact.attributes:
        return fact.attributes["figure"] == "target"
    return bool(_TARGET_WORDS.search(f"{fact.row_label or ''} {fact.table or ''}"))


def checked(inputs: CheckInputs, fact: Fact) -> bool:
    """Whether a run looks at ``fact``: every figure of the report's tables handed in (their
    columns of past years are printed in this report too), and the ledger's figures of the run's
    period (``extra['period']``; its months for a year), not those of the year before that the
    change checks read."""
    current = inputs.extra.get("period")
    if fact.origin == "reported_table" or not current or fact.period == current:
        return True
    try:
        period, run = Period.parse(fact.period), Period.parse(str(current))
    except ValueError:
        return False
    return run.month is None and period.year == run.year


def members_of(metric_key: str) -> dict[str, str]:
    return split_key(metric_key)[1]


# -- tolerance --------------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d[\d,，\s]*(?:\.\d+)?")


def precision_step(text: str | None, zeros_round: bool = False) -> float | None:
    """The step of the last printed digit of ``text`` (0.01 for "1,234.50", 1 for "1,234"; with
    ``zeros_round``, 1000 for "120,000": three trailing zeros read as rounding), None when no
    number is written."""
    if not text:
        return None
    match = _DIGITS.search(text)
    if match is None:
        return None
    digits = re.sub(r"[,，\s]", "", match.group(0))
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1])
    zeros = len(digits) - len(digits.rstrip("0"))
    return 10.0**zeros if zeros_round and zeros >= 3 and digits.strip("0") else 1.0


def half_unit(fact: Fact, catalogue: Any = None) -> float:
    """Half the last printed digit of ``fact``, in the catalogue unit of its value (0 for a figure
    not printed: a data point or a computed value; 0 for a count printed whole, given the
    ``catalogue``: 3 employees are 3)."""
    step = precision_step(fact.text_as_written)
    if step is None:
        return 0.0
    if step == 1.0 and catalogue is not None and fact.metric_key is not None:
        metric = catalogue.find(fact.metric_key)
        if metric is not None and metric.count:
            return 0.0
    scale = 1.0
    if fact.value_as_written:
        scale = abs(fact.value / fact.value_as_written)
    return 0.5 * step * scale


def differs(computed: float, fact: Fact, spread: float, relative: float) -> bool:
    """Whether ``fact`` is further from ``computed`` than the rounding of both (``spread``: how far
    the inputs' rounding can move ``computed``) and ``relative`` of its size allow."""
    allowed = half_unit(fact) + spread + relative * max(abs(computed), abs(fact.value))
    return abs(fact.value - computed) > allowed + 1e-9 * max(1.0, abs(computed))


# -- words --------------------------------------------------------------------------------------


class Namer:
    """Metric, entity and figure names in the language of the run."""

    def __init__(self, inputs: CheckInputs):
        self.lang = inputs.lang if inputs.lang in ("en", "zh") else "en"
        self.t = Strings(self.lang)
        self.catalogue = inputs.catalogue
        self._entities: dict[str, str] = {}
        for entity in inputs.extra.get("entities") or ():
            label = getattr(entity, "label", None)
            self._entities[str(entity.id)] = label(self.lang) if label else str(entity.id)

    def metric(self, metric_key: str | None) -> str:
        if metric_key is None:
            return "?"
        if self.catalogue is not None and self.catalogue.find(metric_key) is not None:
            return str(self.catalogue.label(metric_key, self.lang))
        return metric_key

    def entity(self, fact_or_id: Fact | str | None) -> str:
        if isinstance(fact_or_id, Fact):
            if fact_or_id.entity_as_written:
                return fact_or_id.entity_as_written
            fact_or_id = fact_or_id.entity_id
        if fact_or_id is None:
            return "?"
        return self._entities.get(fact_or_id, fact_or_id.lstrip("~"))

    def where(self, fact: Fact) -> str:
        """Where a reader finds the figure: the report table and row, or the ledger record."""
        if fact.origin == "reported_table" and fact.table:
            return self.t("qa.finding.where.table", table=fact.table, row=fact.row_label or "")
        return location(fact, self.lang)

    def unit(self, unit: str) -> str:
        """A unit as people write it, in the run's language (10^4 m3, 万立方米)."""
        return unit_text(unit, self.lang)

    def figure(self, fact: Fact) -> str:
        """A report table's figure as printed, with its unit as printed; a ledger figure's value
        in the catalogue unit, in the message language."""
        if fact.origin == "reported_table" and fact.text_as_written:
            return f"{fact.text_as_written} {fact.unit_as_written or ''}".strip()
        return f"{num(fact.value)} {self.unit(fact.unit)}".strip()


def fact_identity(fact: Fact) -> str:
    return "/".join(
        str(part)
        for part in (
            fact.origin,
            fact.metric_key,
            fact.entity_id,
            fact.period,
            fact.table or "",
            fact.row_label or "",
            fact.reference or "",
        )
    )


def finding(
    rule: Rule,
    facts: Iterable[Fact],
    message: str,
    arithmetic: str = "",
    **details: Any,
) -> Finding:
    """A finding of ``rule`` on ``facts``; its key is the rule and the figures' identities."""
    listed = tuple(facts)
    key = rule.id + ":" + "|".join(sorted(fact_identity(f) for f in listed))
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=singular_ones(message),
        facts=listed,
        arithmetic=singular_ones(arithmetic),
        key=key,
        details=details,
    )


def pct(ratio: float) -> str:
    """A relative difference as a percentage with one decimal (``3.8 %``)."""
    return f"{ratio * 100:,.1f} %"
