"""Change: what moved, what was restated, and what the words say about it.

- ``unexplained_change``: a figure that moved against last year's by more than the review
  threshold (the setting ``review.change_threshold``, the one rule of
  :func:`esgledger.year_change.change_between`) with no explanation (a data point's note, a
  report table's footnote), on every entry path: data points and report tables alike;
- ``restatement``: a report table's figure of a past period that differs from the ledger's figure
  of that period with no footnote saying it was restated (GRI 2-4; GHG Protocol Corporate
  Standard ch. 5; SSE Guideline No. 14 Art. 6);
- ``narrative_words``: "slight", "略有" next to a number that moved far, or "significant", "大幅"
  next to one that hardly moved, in a narrative section;
- ``mixed_rounding``: a series of one table row printing rounded and exact figures side by side.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from esgledger.domain import Period
from esgledger.errors import RuleFileError
from esgledger.qa.checks import register
from esgledger.qa.checks.common import (
    REPORTED,
    Namer,
    differs,
    finding,
    number,
    pct,
    pick,
    precision_step,
    require,
    source_of,
)
from esgledger.qa.facts import Fact, location, placed
from esgledger.qa.findings import Finding
from esgledger.qa.messages import number as num
from esgledger.year_change import change_between

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.rules import Rule


def previous_year(period: str) -> str | None:
    try:
        return str(Period.parse(period).previous_year())
    except ValueError:
        return None


def explained(fact: Fact) -> bool:
    """Whether the figure carries an explanation: a footnote or a data point's note."""
    return bool(
        (fact.footnote or "").strip()
        or str(fact.attributes.get("explanation") or "").strip()
        or str(fact.attributes.get("note") or "").strip()
    )


# -- year-on-year moves ------------------------------------------------------------------------


def _validate_change(where: str, params: dict[str, Any]) -> None:
    require(where, params, [], ["threshold", "origins", "min_count_change"])
    number(where, params, "threshold", 0.3)
    number(where, params, "min_count_change", 0)


def small_count_move(
    inputs: CheckInputs, metric: str, now: Fact, before: Fact, least: float
) -> bool:
    """A count (people, cases) that moved by fewer than ``least``: three injuries after two is
    chance, not a change that needs explaining, whatever its percentage."""
    found = inputs.catalogue.find(metric) if inputs.catalogue is not None else None
    return bool(found is not None and found.count and abs(now.value - before.value) < least)


@register("unexplained_change", validate=_validate_change)
def unexplained_change(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A move beyond the threshold with no explanation beside it."""
    threshold = float(inputs.extra.get("change_threshold") or rule.params.get("threshold", 0.3))
    origins = set(rule.params.get("origins") or ("datapoint", "reported_table"))
    least = float(rule.params.get("min_count_change", 0))
    current = inputs.extra.get("period")
    namer = Namer(inputs)
    every_key = inputs.facts.keys()
    for metric, entity, period in every_key:
        if current is not None and period != current:
            continue
        before_period = previous_year(period)
        if before_period is None:
            continue
        now_facts = inputs.facts.get(metric, entity, period)
        before_facts = inputs.facts.get(metric, entity, before_period)
        if not before_facts:
            continue
        for origin in origins:
            now = next((f for f in now_facts if f.origin == origin), None)
            before = next((f for f in before_facts if f.origin == origin), None)
            if now is None or before is None:
                continue
            moved = change_between(now.value, before.value)
            if not moved.over(threshold) or explained(now):
                continue
            if small_count_move(inputs, metric, now, before, least):
                continue
            change = "from 0" if moved.ratio is None else pct(moved.ratio)
            message = namer.t(
                "qa.finding.change.unexplained" + ("_from_zero" if moved.ratio is None else ""),
                metric=namer.metric(metric),
                entity=namer.entity(now),
                period=period,
                previous=before_period,
                now=namer.figure(now),
                before=namer.figure(before),
                change=change,
                threshold=pct(threshold),
                where=namer.where(now),
            )
            arithmetic = (
                f"({num(now.value)} - {num(before.value)}) / {num(abs(before.value))} = {change}"
            )
            yield finding(rule, (now, before), message, arithmetic, change=moved.ratio)


# -- restatements ------------------------------------------------------------------------------


def _validate_restatement(where: str, params: dict[str, Any]) -> None:
    require(where, params, [], ["relative"])
    number(where, params, "relative", 0.001)


@register("restatement", validate=_validate_restatement)
def restatement(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A past period's figure printed differently from the ledger's, without a footnote."""
    relative = float(rule.params.get("relative", 0.001))
    namer = Namer(inputs)
    latest: dict[str, str] = {}
    for table, facts in inputs.facts.tables().items():
        latest[table] = inputs.extra.get("period") or max(f.period for f in facts)
    for fact in inputs.facts.facts:
        if source_of(fact) != REPORTED or fact.metric_key is None or fact.entity_id is None:
            continue
        if fact.table is None or fact.period >= latest[fact.table] or explained(fact):
            continue
        ledger = pick(inputs.facts, fact.metric_key, fact.entity_id, fact.period).get("ledger")
        if ledger is None or not differs(ledger.value, fact, 0.0, relative):
            continue
        message = namer.t(
            "qa.finding.change.restatement",
            metric=namer.metric(fact.metric_key),
            entity=namer.entity(fact),
            period=fact.period,
            printed=namer.figure(fact),
            ledger=f"{num(ledger.value)} {namer.unit(ledger.unit)}",
            where=namer.where(fact),
            record=location(ledger, namer.lang),
        )
        gap = fact.value - ledger.value
        arithmetic = f"{num(fact.value)} - {num(ledger.value)} = {num(gap)} {namer.unit(fact.unit)}"
        yield finding(rule, (fact, ledger), message, arithmetic)


# -- words next to numbers ----------------------------------------------------------------------


def _validate_words(where: str, params: dict[str, Any]) -> None:
    require(
        where,
        params,
        ["slight", "significant", "change_words"],
        ["negations", "slight_max", "significant_min"],
    )
    for name in ("slight", "significant", "change_words", "negations"):
        words = params.get(name, [""])
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise RuleFileError(
                where, f"params.{name}: a list of words (English and Chinese; quote no, not)"
            )
    number(where, params, "slight_max", 0.2)
    number(where, params, "significant_min", 0.03)


_SENTENCE = re.compile(r"(?:[^.!?。！？；;\n]|\.(?=\d))+(?:[.!?。！？；;]|$)")  # 0.5 stays whole
_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?"
_PERCENT = re.compile(rf"({_NUMBER})\s*(?:%|％|per ?cent|个百分点)")
_FOLD = re.compile(
    rf"({_NUMBER})\s*(?:-fold|fold|倍)|(twice|double[ds]?|triple[ds]?|quadruple[ds]?)"
    r"|\b(two|three|four|five|six|seven|eight|nine|ten)-?fold",
    re.IGNORECASE,
)
_FROM_TO = re.compile(
    rf"(?:from|由|从)\s*({_NUMBER})[^\d]{{0,20}}?(?:to|至|到|增至|降至|升至)\s*({_NUMBER})",
    re.IGNORECASE,
)
_WORD_NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_MULTIPLES = {"twice": 2.0, "double": 2.0, "triple": 3.0, "quadruple": 4.0}


def _magnitudes(sentence: str) -> list[float]:
    """The relative changes a sentence states: percentages, "from A to B", "N-fold"."""
    found = [abs(float(m.group(1).replace(",", ""))) / 100 for m in _PERCENT.finditer(sentence)]
    for match in _FROM_TO.finditer(sentence):
        before, after = (float(g.replace(",", "")) for g in match.groups())
        if before:
            found.append(abs(after - before) / abs(before))
    for match in _FOLD.finditer(sentence):
        if match.group(1):
            found.append(abs(float(match.group(1).replace(",", ""))) - 1)
        elif match.group(3):
            found.append(_WORD_NUMBERS.index(match.group(3).lower()) + 1.0)
        else:
            word = match.group(2).lower().rstrip("sd")
            found.append(_MULTIPLES.get(word, _MULTIPLES.get(word + "e", 2.0)) - 1)
    return found


def _find(lowered: str, word: str) -> int:
    """Where ``word`` stands in ``lowered`` (a whole word for a Latin word), -1 when absent."""
    if not word.isascii():
        return lowered.find(word.lower())
    match = re.search(rf"\b{re.escape(word.lower())}\b", lowered)
    return match.start() if match else -1


def _word_at(sentence: str, words: list[str], negations: list[str]) -> tuple[str, bool] | None:
    """The first of ``words`` in ``sentence`` and whether a negation stands just before it."""
    lowered = sentence.lower()
    for word in words:
        at = _find(lowered, word)
        if at < 0:
            continue
        before = lowered[max(0, at - 14) : at]
        return word, any(_find(before, n) >= 0 for n in negations)
    return None


@register("narrative_words", validate=_validate_words)
def narrative_words(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A qualifier that the number next to it contradicts."""
    params = rule.params
    slight_max = float(params.get("slight_max", 0.2))
    significant_min = float(params.get("significant_min", 0.03))
    negations = list(params.get("negations") or [])
    namer = Namer(inputs)
    for section, text in sorted(inputs.sections.items()):
        for match in _SENTENCE.finditer(text):
            sentence = match.group(0).strip()
            lowered = sentence.lower()
            if not any(_find(lowered, w) >= 0 for w in params["change_words"]):
                continue
            magnitudes = _magnitudes(sentence)
            if not magnitudes:
                continue
            moved = max(magnitudes)
            slight = _word_at(sentence, params["slight"], negations)
            strong = _word_at(sentence, params["significant"], negations)
            word = None
            if slight and not slight[1] and moved > slight_max:
                word, limit = slight[0], f"> {pct(slight_max)}"
            elif strong and not strong[1] and moved < significant_min:
                word, limit = strong[0], f"< {pct(significant_min)}"
            if word is None:
                continue
            message = namer.t(
                "qa.finding.change.words",
                section=section,
                word=word,
                change=pct(moved),
                sentence=sentence[:200],
            )
            fact = Fact(
                origin="section",
                metric_key=None,
                entity_id=None,
                period=str(inputs.extra.get("period") or ""),
                value=moved * 100,
                unit="percent",
                **placed("qa.place.section", section=section),
                text_as_written=sentence[:200],
                reference=f"{section}:{match.start()}",
            )
            yield finding(rule, (fact,), message, f"{word}: {pct(moved)} {limit}")


# -- rounded and exact figures in one series -------------------------------------------------------


def _validate_rounding(where: str, params: dict[str, Any]) -> None:
    require(where, params, [], ["rounded_from", "gap"])
    number(where, params, "rounded_from", 3)
    number(where, params, "gap", 3)


def _significant(text: str | None) -> int:
    """The significant digits a figure is printed with: ``6,923,666`` 7, ``6,650,000`` 3,
    ``19,500`` 3, ``0.0405`` 3 (trailing zeros of a whole number are not significant)."""
    digits = "".join(c for c in (text or "") if c.isdigit() or c == ".")
    whole, _, decimals = digits.partition(".")
    if decimals:
        return len((whole + decimals).lstrip("0"))
    return len(whole.lstrip("0").rstrip("0"))


@register("mixed_rounding", validate=_validate_rounding)
def mixed_rounding(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """One table row printing a figure rounded to thousands beside figures printed exactly."""
    rounded_from = int(rule.params.get("rounded_from", 3))
    gap = int(rule.params.get("gap", 3))
    namer = Namer(inputs)
    series: dict[tuple[str, str, str], list[tuple[int, Fact]]] = defaultdict(list)
    for table, facts in inputs.facts.tables().items():
        for fact in facts:
            step = precision_step(fact.text_as_written, zeros_round=True)
            if step is None or fact.value == 0:
                continue
            row = fact.metric_key or fact.row_label or ""
            who = fact.entity_id or fact.entity_as_written or ""
            series[(table, row, who)].append((round(math.log10(step)), fact))
    for (table, _row, _who), printed in series.items():
        if len({f.period for _, f in printed}) < 2:
            continue
        coarse = max(printed, key=lambda item: item[0])
        fine = min(printed, key=lambda item: item[0])
        if coarse[0] < rounded_from or fine[0] > 0 or coarse[0] - fine[0] < gap:
            continue
        if _significant(fine[1].text_as_written) - _significant(coarse[1].text_as_written) < gap:
            continue  # 20,000 beside 19,500: both printed to a few digits, one precision
        message = namer.t(
            "qa.finding.change.rounding",
            table=table,
            row=coarse[1].row_label or namer.metric(coarse[1].metric_key),
            rounded=coarse[1].text_as_written,
            rounded_period=coarse[1].period,
            exact=fine[1].text_as_written,
            exact_period=fine[1].period,
        )
        arithmetic = f"10^{coarse[0]} vs 10^{fine[0]}"
        yield finding(rule, (coarse[1], fine[1]), message, arithmetic)
