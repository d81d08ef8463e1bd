"""Stakeholder answers per topic and group: the spread of each group's answers is kept (count,
mean, lowest, highest, how many gave each point of the scale), never only an average, so that a
minority view stays visible (fitgap, frameworks-2026.md §3: averaging loses minority views).

The stakeholder score of a topic is the weighted mean of the groups' means (each group's weight:
the assessment's ``stakeholders.weights``, else the group's own). How it enters the impact axis is
the method's ``stakeholders.share`` (:mod:`.classes`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def spread(
    responses: Iterable[Mapping[str, Any]], low: int, high: int
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{topic: {group: {count, mean, min, max, counts: {point: n}}}}`` of the responses
    (``group_id`` and ``answers: {topic: point}``; a topic a respondent left out is not counted)."""
    found: dict[str, dict[str, list[int]]] = {}
    for response in responses:
        for topic, point in response["answers"].items():
            if point is None:
                continue
            found.setdefault(topic, {}).setdefault(response["group_id"], []).append(int(point))
    return {
        topic: {
            group: {
                "count": len(points),
                "mean": sum(points) / len(points),
                "min": min(points),
                "max": max(points),
                "counts": {str(p): points.count(p) for p in range(low, high + 1)},
            }
            for group, points in sorted(groups.items())
        }
        for topic, groups in sorted(found.items())
    }


def weighted(
    per_group: Mapping[str, Mapping[str, Any]], weights: Mapping[str, float]
) -> float | None:
    """The weighted mean of the groups' means (groups of weight 0 or unknown left out); None
    when no weighted group answered."""
    total = sum(weights.get(g, 0.0) for g in per_group)
    if total <= 0:
        return None
    return sum(weights.get(g, 0.0) * stats["mean"] for g, stats in per_group.items()) / total
