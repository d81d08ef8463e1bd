"""The class of every topic of an assessment, computed from the stored scores and answers alone,
never typed (EFRAG IG 1 §3.5; SSE Guideline No. 14 Art. 5):

- impact axis: the highest impact score of the topic's negative impacts and of its positive ones
  (each kept), the higher of the two, combined with the stakeholder score as the method declares:
  ``(1 - share) x IRO + share x stakeholders`` (either alone when the other is missing);
- financial axis: the highest financial score of the topic's risks and opportunities;
- material on an axis when its score reaches the axis's threshold; the class is ``double``,
  ``impact_only``, ``financial_only`` or ``not_material``. An override (with its reason, in the
  decision log) replaces the computed class and both are shown.

:func:`sensitivity` moves each threshold by -10 % and +10 % and lists the topics whose computed
class changes. :func:`digest` fingerprints the inputs, so that a run (and an approval) is tied to
exactly what it read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from esgledger.assess.materiality.answers import spread, weighted

CLASSES = ("double", "impact_only", "financial_only", "not_material")
SENSITIVITY_STEP = 0.10


def class_of(impact_material: bool, financial_material: bool) -> str:
    if impact_material and financial_material:
        return "double"
    if impact_material:
        return "impact_only"
    if financial_material:
        return "financial_only"
    return "not_material"


def _highest(values: Sequence[float]) -> float | None:
    return max(values) if values else None


def topic_scores(inputs: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each topic's scores on both axes (before thresholds)."""
    method = inputs["method"]
    low, high = method["scale"]["min"], method["scale"]["max"]
    share = float(method["stakeholders"]["share"])
    weights = {**inputs["group_weights"], **method["stakeholders"]["weights"]}
    answered = spread(inputs["responses"], low, high)
    scores = inputs["scores"]
    found: dict[str, dict[str, Any]] = {}
    for topic in inputs["topics"]:
        iros = [i for i in inputs["iros"] if i["topic_id"] == topic]
        scored = [(i, scores[str(i["id"])]) for i in iros if str(i["id"]) in scores]
        negative = _highest(
            [s for i, s in scored if i["kind"] == "impact" and i["polarity"] == "negative"]
        )
        positive = _highest(
            [s for i, s in scored if i["kind"] == "impact" and i["polarity"] == "positive"]
        )
        iro_impact = _highest([s for s in (negative, positive) if s is not None])
        stakeholder = weighted(answered.get(topic, {}), weights)
        if iro_impact is not None and stakeholder is not None:
            impact: float | None = (1 - share) * iro_impact + share * stakeholder
        else:
            impact = iro_impact if iro_impact is not None else stakeholder
        financial = _highest([s for i, s in scored if i["kind"] != "impact"])
        found[topic] = {
            "impact_negative": negative,
            "impact_positive": positive,
            "impact_iros": iro_impact,
            "stakeholders": stakeholder,
            "stakeholder_spread": answered.get(topic, {}),
            "impact": impact,
            "financial": financial,
            "iros": len(iros),
            "scored": len(scored),
        }
    return found


def classify(
    scores: Mapping[str, Mapping[str, Any]],
    thresholds: Mapping[str, float],
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each topic's result: its scores, whether each axis passes, the computed class, and the
    class in effect (an override's, else the computed one)."""
    results = {}
    for topic, found in scores.items():
        impact_material = found["impact"] is not None and found["impact"] >= thresholds["impact"]
        financial_material = (
            found["financial"] is not None and found["financial"] >= thresholds["financial"]
        )
        computed = class_of(impact_material, financial_material)
        override = (overrides or {}).get(topic)
        results[topic] = {
            **found,
            "impact_material": impact_material,
            "financial_material": financial_material,
            "computed_class": computed,
            "class": override["class"] if override else computed,
            "override": dict(override) if override else None,
        }
    return results


def compute(inputs: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The results of ``inputs`` (method, topics, IROs, current scores by IRO id, responses,
    group weights, overrides)."""
    return classify(
        topic_scores(inputs), inputs["method"]["thresholds"], inputs.get("overrides") or {}
    )


def financially_material(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return [t for t, r in results.items() if r["class"] in ("double", "financial_only")]


def sensitivity(
    scores: Mapping[str, Mapping[str, Any]], thresholds: Mapping[str, float]
) -> list[dict[str, Any]]:
    """For each axis and a move of its threshold by -10 % and +10 %: the moved threshold and the
    topics whose computed class changes (from, to)."""
    base = classify(scores, thresholds)
    found = []
    for axis in ("impact", "financial"):
        for step in (-SENSITIVITY_STEP, SENSITIVITY_STEP):
            moved = {**thresholds, axis: thresholds[axis] * (1 + step)}
            shifted = classify(scores, moved)
            found.append(
                {
                    "axis": axis,
                    "step": step,
                    "threshold": moved[axis],
                    "changes": [
                        {
                            "topic": topic,
                            "from": base[topic]["computed_class"],
                            "to": shifted[topic]["computed_class"],
                        }
                        for topic in scores
                        if base[topic]["computed_class"] != shifted[topic]["computed_class"]
                    ],
                }
            )
    return found


def digest(inputs: Mapping[str, Any]) -> str:
    """SHA-256 of the inputs as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
