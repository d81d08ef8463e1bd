"""The next steps of a coverage finding: what to do about it, in the page language, and the
command that does it (the web links each step to its page: ``web/pages/disclose.py``). A step is
``{"step", "text", "command"}``; ``step`` names its string (``disclose.step.<step>``), the ids a
user types (metric ids, item references, topic ids) stay in the text and the command."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from esgledger.disclose.coverage import Finding
from esgledger.services.disclose_words import Words, finding_message

Step = dict[str, Any]
SECTIONS = (
    "esgledger report sections export texts/ --period {period}, edit texts/{lang}/{section}.md, "
    "esgledger report sections import texts/ --period {period}"
)
COMMANDS = {
    "value": "esgledger data import FILE && esgledger calc --period {period}",
    "breakdown": "esgledger data import FILE && esgledger calc --period {period}",
    "targets": "esgledger assess targets import FILE",
    "governance": "esgledger assess governance import FILE",
    "materiality": "esgledger assess materiality create --period {period}",
    "iros": "esgledger assess iro add ASSESSMENT FILE",
    "text": SECTIONS,
    "untag_claim": SECTIONS,
    "untag": SECTIONS,
    "withdraw_na": 'esgledger disclose withdraw {reference} --period {period} --reason "..."',
    "withdraw_explained": 'esgledger disclose withdraw {reference} --period {period} --reason "..."',
    "explain": (
        "esgledger disclose explain {reference} --period {period} --reason {reason} "
        '--text "..." --text-zh "..."'
    ),
    "sse_explain": 'esgledger assess materiality explain ASSESSMENT {topic_id} "..."',
    "element_governance": "esgledger assess governance add-body --id ID ... --topics {topic_id}",
    "element_strategy": "esgledger assess iro add ASSESSMENT FILE",
    "element_management": "esgledger assess iro update IRO FILE",
    "element_metrics_targets": "esgledger assess targets import FILE",
}
EXPLAINABLE = frozenset({"unexplained", "material_missing"})


def finding_dict(
    finding: Finding, words: Words, period: str, reasons: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """A coverage finding with its message and next steps in the language; ``params`` keep the
    ids. ``reasons``: item reference -> the omission reasons its framework allows."""
    return {
        "severity": finding.severity,
        "code": finding.code,
        "reference": finding.reference,
        "params": dict(finding.params),
        "message": finding_message(finding, words),
        "steps": next_steps(finding, words, period, reasons or {}),
    }


def next_steps(
    finding: Finding, words: Words, period: str, reasons: Mapping[str, list[str]]
) -> list[Step]:
    """What resolves ``finding``, first the step that meets the item."""
    params, ref = finding.params, finding.reference
    say = _Sayer(words, period, ref, params)
    code = finding.code
    if code == "na_but_mapped":
        return [say("untag"), say("withdraw_na")]
    if code == "sse_topic_absent":
        return [say("text"), say("sse_explain")]
    if code == "sse_elements":
        return [say(f"element_{element}") for element in params["missing"].split(", ")]
    steps = []
    if code == "strict_explained":
        steps.append(
            say("withdraw_explained", level=words.strings(f"framework.level.{params['level']}"))
        )
    steps += [
        say(*_missing_step(part, words)) for part in params.get("missing", "text").split("; ")
    ]
    if code == "claimed_absent":
        steps.append(say("untag_claim"))
    if code in EXPLAINABLE:
        allowed = list(reasons.get(ref, ())) or ["REASON"]
        steps.append(say("explain", reasons=", ".join(allowed), reason=allowed[0]))
    return steps


def _missing_step(part: str, words: Words) -> tuple[str, dict[str, str]]:
    """The step that supplies one missing part (``value:a, b``, ``breakdown:gender``, ...)."""
    kind, _, what = part.partition(":")
    if kind == "value":
        ids = [one.strip(" …") for one in what.split(",") if one.strip(" …")]
        return "value", {"what": words.named(what), "ids": ", ".join(f"`{i}`" for i in ids)}
    if kind == "breakdown":
        first = what.split(",")[0].strip()
        example = f"{first}={words.members.get(first, '...')}"
        return "breakdown", {"what": words.named(what, words.axes), "example": example}
    return kind, {}


class _Sayer:
    """Builds the steps of one finding: its text in the language and its command."""

    def __init__(self, words: Words, period: str, reference: str, params: Mapping[str, str]):
        self.words, self.period, self.reference = words, period, reference
        topic = params.get("topic", "")
        self.args = {
            "period": period,
            "reference": reference,
            "sections": words.section_names(params.get("sections", "").split(", ")),
            "topic": words.named(topic),
            "topic_id": topic,
            "topics": words.named(params.get("topics", "")),
            "lang": words.lang,
            "section": params.get("sections", "").split(", ")[0] or "SECTION",
        }

    def __call__(self, step: str, more: Mapping[str, str] | None = None, **extra: str) -> Step:
        args = {**self.args, **(more or {}), **extra}
        return {
            "step": step,
            "text": self.words.strings(f"disclose.step.{step}", **args),
            "command": COMMANDS[step].format(**args) if step in COMMANDS else None,
        }
