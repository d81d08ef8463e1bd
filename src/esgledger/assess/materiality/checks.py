"""What an approval requires (SSE Guideline No. 14 Art. 7 and Art. 11; docs/assessment.md):

- every SSE topic of the assessment found not material has its Art. 7 explanation;
- every financially material topic has the four elements of Art. 11: governance (a governance
  body whose duties cover it), strategy (a risk or opportunity with its time horizon and current or
  anticipated financial effects), management of IROs (every IRO of the topic has response
  measures and an owner), metrics and targets (a target on a metric of the topic, or one linked
  from an IRO of the topic).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ELEMENTS = ("governance", "strategy", "management", "metrics_targets")


def _metric_id(key: str) -> str:
    return key.split("{", 1)[0]


def missing_elements(
    topics: Iterable[str],
    topic_metrics: Mapping[str, Sequence[str]],
    iros: Sequence[Mapping[str, Any]],
    governance_topics: set[str],
    metrics_with_targets: set[str],
    target_ids: set[str],
) -> dict[str, list[str]]:
    """``{topic: [element, ...]}`` of what each of ``topics`` (the financially material ones)
    lacks; topics lacking nothing are left out."""
    with_targets = {_metric_id(m) for m in metrics_with_targets}
    found: dict[str, list[str]] = {}
    for topic in topics:
        own = [i for i in iros if i["topic_id"] == topic]
        lacks = []
        if topic not in governance_topics:
            lacks.append("governance")
        if not any(
            i["kind"] != "impact" and i["horizons"] and _has_effect(i["effects"]) for i in own
        ):
            lacks.append("strategy")
        if not own or not all(i["response"] and i["owner"] for i in own):
            lacks.append("management")
        linked = {t for i in own for t in i["target_ids"]} & target_ids
        if not ({_metric_id(m) for m in topic_metrics.get(topic, ())} & with_targets or linked):
            lacks.append("metrics_targets")
        if lacks:
            found[topic] = lacks
    return found


def _has_effect(effects: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(
        e.get("low") is not None or e.get("high") is not None or e.get("note")
        for e in effects.values()
    )


def missing_explanations(
    results: Mapping[str, Mapping[str, Any]],
    sse_topics: set[str],
    explanations: Mapping[str, str | None],
) -> list[str]:
    """The SSE topics found not material without an Art. 7 explanation."""
    return [
        topic
        for topic, result in results.items()
        if topic in sse_topics
        and result["class"] == "not_material"
        and not (explanations.get(topic) or "").strip()
    ]
