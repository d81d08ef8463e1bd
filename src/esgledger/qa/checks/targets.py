"""Targets: a status is computed, never typed; a target is a target, not a later actual, and it
asks for better than the base year did (IFRS S2 paras 33-36; SSE Guideline No. 14 Art. 19; GHG
Protocol Corporate Standard ch. 11).

- ``target_status``: a status written in a report table or a narrative section ("achieved",
  "已完成") that the figures do not bear out: recomputed from the report's own actual of the
  target year where it prints one, else the status the targets service computes;
- ``target_equals_actual``: a target value equal, to the printed digit, to the actual of its own
  target year or a later one (a target written after the fact);
- ``target_looser_than_base``: a reduction target at or above its base year's actual (or a
  target of a metric to raise at or below it).

The targets are the dicts the targets service shows (:mod:`esgledger.services.targets`: the
definition with ``assessment``: ``status``, ``base``, ``current``, ``target_value``,
``direction``); a report table's target rows are figures whose row label says "target" / "目标"
and base rows those that say "base year" / "基准年".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from esgledger.catalogue.breakdowns import base_metric
from esgledger.errors import RuleFileError
from esgledger.qa.checks import register
from esgledger.qa.checks.common import (
    Namer,
    finding,
    half_unit,
    is_target_figure,
    require,
    source_of,
)
from esgledger.qa.facts import Fact, placed
from esgledger.qa.findings import Finding
from esgledger.qa.labels import bilingual
from esgledger.qa.messages import number as num

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.rules import Rule

ACHIEVED = "achieved"


def _assessment(target: dict[str, Any]) -> dict[str, Any]:
    return target.get("assessment") or {}


def target_value(target: dict[str, Any]) -> float | None:
    value = _assessment(target).get("target_value")
    return float(value) if value is not None else target.get("target_value")


def base_value(target: dict[str, Any]) -> tuple[int | None, float | None]:
    base = _assessment(target).get("base") or {}
    if base.get("value") is not None:
        return base.get("year"), float(base["value"])
    value = target.get("base_value")
    return target.get("base_year"), (float(value) if value is not None else None)


def lower_is_better(metric: str, prefixes: list[str]) -> bool:
    """Whether ``metric`` is one to lower: an id of ``prefixes``, or under one ending in "." or
    "_" (``ghg.``, ``energy.intensity_``)."""
    metric_id = base_metric(metric)
    return any(
        metric_id == p or (p.endswith((".", "_")) and metric_id.startswith(p)) for p in prefixes
    )


def direction(target: dict[str, Any], prefixes: list[str]) -> str | None:
    """ "decrease" for a metric to lower (emissions, energy, water, waste, injuries), else what the
    assessment says."""
    if lower_is_better(str(target.get("metric_key") or ""), prefixes):
        return "decrease"
    found = _assessment(target).get("direction")
    return str(found) if found else None


def _validate(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["lower_is_better"], ["achieved_words", "not_achieved_words"])
    if not isinstance(params["lower_is_better"], list):
        raise RuleFileError(where, "params.lower_is_better: metric id prefixes (ghg., energy.)")


def _reached(actual: float, aim: float, way: str | None, slack: float) -> bool:
    return actual <= aim + slack if way != "increase" else actual >= aim - slack


# -- status -----------------------------------------------------------------------------------


def _typed_in_sections(
    inputs: CheckInputs, target: dict[str, Any], achieved: list[str], denied: list[str]
) -> Iterator[tuple[str, str]]:
    """(section id, sentence) of every sentence that names the target and calls it achieved."""
    names = [str(target.get(k)) for k in ("name", "name_zh") if target.get(k)]
    if not names:
        return
    for section, text in sorted(inputs.sections.items()):
        for sentence in re.split(r"(?<=[.!?。！？；;])\s*|\n", text):
            lowered = sentence.lower()
            if not any(name.lower() in lowered for name in names):
                continue
            if any(word.lower() in lowered for word in denied):
                continue
            if any(word.lower() in lowered for word in achieved):
                yield section, sentence.strip()


@register("target_status", validate=_validate)
def target_status(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A target called achieved (in a table's status or a section) that the figures say is not."""
    prefixes = list(rule.params["lower_is_better"])
    achieved = list(rule.params.get("achieved_words") or ["achieved", "已完成", "已实现", "已达成"])
    denied = list(
        rule.params.get("not_achieved_words") or ["not achieved", "未完成", "未实现", "未达成"]
    )
    namer = Namer(inputs)
    for target in inputs.targets:
        aim = target_value(target)
        metric, entity = target.get("metric_key"), target.get("entity_id")
        year = target.get("target_year")
        if aim is None or metric is None or entity is None:
            continue
        way = direction(target, prefixes)
        computed, actual = _computed_status(inputs, target, aim, way)
        if computed is None or computed == ACHIEVED:
            continue
        typed: list[tuple[Fact, str]] = []
        for fact in inputs.facts.facts:
            called = called_achieved(fact, achieved, denied)
            if fact.metric_key == metric and fact.entity_id == entity and called:
                typed.append((fact, namer.where(fact)))
        for section, sentence in _typed_in_sections(inputs, target, achieved, denied):
            placeholder = Fact(
                origin="section",
                metric_key=str(metric),
                entity_id=str(entity),
                period=str(year or ""),
                value=aim,
                unit=str(target.get("unit") or ""),
                **placed("qa.place.section", section=section),
                text_as_written=sentence[:200],
                reference=f"{section}:{target.get('target_id')}",
            )
            typed.append((placeholder, namer.t("qa.finding.where.section", section=section)))
        for fact, where in typed:
            shown = [fact, *([actual] if actual is not None else [])]
            actual_text = num(actual.value) if actual is not None else "-"
            message = namer.t(
                "qa.finding.targets.status",
                target=str(target.get("name") or target.get("target_id")),
                where=where,
                status=namer.t(f"qa.finding.targets.status.{computed}"),
                aim=num(aim),
                actual=actual_text,
                year=str(year),
            )
            arithmetic = f"actual {actual_text} vs target {num(aim)} ({way or '?'})"
            yield finding(rule, shown, message, arithmetic, computed=computed)
    yield from _typed_in_tables(rule, inputs, namer, prefixes, achieved, denied)


def called_achieved(fact: Fact, achieved: list[str], denied: list[str]) -> bool:
    """Whether a report row's typed status calls its target achieved: the whole cell, or each
    language of a bilingual one ("Achieved 已完成"), is an achieved word and no denial
    ("not achieved", "未完成") is in it."""
    status = " ".join(str(fact.attributes.get("target_status") or "").lower().split())
    if not status or any(word.lower() in status for word in denied):
        return False
    words = {w.lower() for w in achieved} | {ACHIEVED}
    halves = bilingual(status)
    return status in words or (halves is not None and all(h in words for h in halves))


def _typed_in_tables(
    rule: Rule,
    inputs: CheckInputs,
    namer: Namer,
    prefixes: list[str],
    achieved: list[str],
    denied: list[str],
) -> Iterator[Finding]:
    """A report table's target row typed achieved, against the same report's actual of that
    year (a report checked without the ledger's targets)."""
    known = {(t.get("metric_key"), t.get("entity_id")) for t in inputs.targets}
    for aim in inputs.facts.facts:
        if not called_achieved(aim, achieved, denied) or not is_target_figure(aim):
            continue
        if aim.metric_key is None:
            continue
        if (aim.metric_key, aim.entity_id) in known or aim.entity_id is None:
            continue
        if not lower_is_better(aim.metric_key, prefixes):
            continue
        for actual in inputs.facts.get(aim.metric_key, aim.entity_id, aim.period):
            if source_of(actual) != "reported" or is_target_figure(actual):
                continue
            if _reached(actual.value, aim.value, "decrease", half_unit(actual) + half_unit(aim)):
                break
            message = namer.t(
                "qa.finding.targets.status",
                target=aim.row_label or namer.metric(aim.metric_key),
                where=namer.where(aim),
                status=namer.t("qa.finding.targets.status.not_achieved"),
                aim=num(aim.value),
                actual=num(actual.value),
                year=aim.period,
            )
            arithmetic = f"actual {num(actual.value)} > target {num(aim.value)}"
            yield finding(rule, (aim, actual), message, arithmetic, computed="not_achieved")
            break


def _computed_status(
    inputs: CheckInputs, target: dict[str, Any], aim: float, way: str | None
) -> tuple[str | None, Fact | None]:
    """The status from the report's own actual of the target year where it prints one, else the
    targets service's."""
    year = target.get("target_year")
    if year is not None:
        for fact in inputs.facts.get(
            str(target["metric_key"]), str(target["entity_id"]), str(year)
        ):
            if source_of(fact) == "reported" and not is_target_figure(fact):
                reached = _reached(fact.value, aim, way, half_unit(fact))
                return (ACHIEVED if reached else "not_achieved"), fact
    status = _assessment(target).get("status")
    return (str(status) if status else None), None


# -- a target equal to a later actual -------------------------------------------------------------


def _target_figures(inputs: CheckInputs) -> Iterator[Fact]:
    for fact in inputs.facts.facts:
        if fact.metric_key is None or fact.entity_id is None or fact.value == 0:
            continue
        if is_target_figure(fact) and fact.attributes.get("kind", "target") == "target":
            yield fact


@register("target_equals_actual", validate=_validate)
def target_equals_actual(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A target value equal to the actual of its year or a later one."""
    namer = Namer(inputs)
    periods = inputs.facts.periods()
    seen: set[tuple[str, str, str, float]] = set()
    for aim in _target_figures(inputs):
        assert aim.metric_key is not None and aim.entity_id is not None
        for period in periods:
            if period < aim.period or len(period) != len(aim.period):
                continue
            for actual in inputs.facts.get(aim.metric_key, aim.entity_id, period):
                if source_of(actual) is None or is_target_figure(actual):
                    continue
                slack = max(half_unit(aim), half_unit(actual), 1e-9 * abs(aim.value))
                if abs(actual.value - aim.value) > slack:
                    continue
                identity = (aim.metric_key, aim.entity_id, aim.period, aim.value)
                if identity in seen:
                    continue
                seen.add(identity)
                message = namer.t(
                    "qa.finding.targets.equals_actual",
                    metric=namer.metric(aim.metric_key),
                    entity=namer.entity(aim),
                    year=aim.period,
                    aim=namer.figure(aim),
                    where=namer.where(aim),
                    actual=namer.figure(actual),
                    actual_period=period,
                    actual_where=namer.where(actual),
                )
                arithmetic = f"target {num(aim.value)} = actual {num(actual.value)} ({period})"
                yield finding(rule, (aim, actual), message, arithmetic)


# -- a target looser than its base -----------------------------------------------------------------

_BASE_WORDS = re.compile(r"base\s*(?:year|line)|baseline|基准|基线", re.IGNORECASE)


@register("target_looser_than_base", validate=_validate)
def target_looser_than_base(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A target that asks for no better than the base year's actual."""
    prefixes = list(rule.params["lower_is_better"])
    namer = Namer(inputs)
    for target in inputs.targets:
        aim = target_value(target)
        base_year, base = base_value(target)
        way = direction(target, prefixes)
        if aim is None or base is None or way is None:
            continue
        if (aim < base) if way == "decrease" else (aim > base):
            continue
        figure = Fact(
            origin="target",
            metric_key=str(target.get("metric_key")),
            entity_id=str(target.get("entity_id")),
            period=str(target.get("target_year") or ""),
            value=aim,
            unit=str(target.get("unit") or ""),
            **placed("qa.place.target", target=target.get("target_id")),
            reference=str(target.get("target_id")),
        )
        yield _looser(
            rule,
            namer,
            figure,
            aim,
            base,
            str(base_year),
            way,
            str(target.get("name") or target.get("target_id")),
            (),
        )
    yield from _looser_in_tables(rule, inputs, namer, prefixes)


def _is_base(fact: Fact) -> bool:
    """A base year's figure printed with a target: ``figure=base``, or a row saying so."""
    if "figure" in fact.attributes:
        return fact.attributes["figure"] == "base"
    return bool(_BASE_WORDS.search(fact.row_label or ""))


def _looser_in_tables(
    rule: Rule, inputs: CheckInputs, namer: Namer, prefixes: list[str]
) -> Iterator[Finding]:
    for table, facts in sorted(inputs.facts.tables().items()):
        bases = [f for f in facts if _is_base(f) and f.metric_key]
        aims = [f for f in facts if is_target_figure(f) and not _is_base(f)]

        for aim in aims:
            if aim.metric_key is None or not lower_is_better(aim.metric_key, prefixes):
                continue
            for base in bases:
                if (base.metric_key, base.entity_id) != (aim.metric_key, aim.entity_id):
                    continue
                if aim.value < base.value - half_unit(aim) - half_unit(base):
                    continue
                yield _looser(
                    rule,
                    namer,
                    aim,
                    aim.value,
                    base.value,
                    base.period,
                    "decrease",
                    aim.row_label or table,
                    (base,),
                )


def _looser(
    rule: Rule,
    namer: Namer,
    figure: Fact,
    aim: float,
    base: float,
    base_year: str,
    way: str,
    name: str,
    others: tuple[Fact, ...],
) -> Finding:
    message = namer.t(
        "qa.finding.targets.looser",
        target=name,
        metric=namer.metric(figure.metric_key),
        entity=namer.entity(figure),
        year=figure.period,
        aim=num(aim),
        base=num(base),
        base_year=base_year,
        direction=namer.t(f"qa.finding.targets.direction.{way}"),
    )
    sign = ">=" if way == "decrease" else "<="
    return finding(rule, (figure, *others), message, f"target {num(aim)} {sign} base {num(base)}")
