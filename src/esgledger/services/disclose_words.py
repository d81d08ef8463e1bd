"""The coverage as a reader sees it: rows and findings with their words in the page language
(metrics, topics, report sections, breakdown axes, obligation levels and statuses by their names;
the ids kept beside them for programs and for what a user types), and each finding's next steps
(:mod:`esgledger.services.disclose_fixes`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from esgledger.disclose.coverage import CoverageRow, Finding
from esgledger.i18n import Strings


@dataclass(frozen=True)
class Words:
    """The names of ids in one language (an id without a name is said as itself)."""

    strings: Strings
    names: Mapping[str, str] = field(default_factory=dict)  # topic and metric ids
    sections: Mapping[str, str] = field(default_factory=dict)  # report section id -> title
    axes: Mapping[str, str] = field(default_factory=dict)  # breakdown axis id -> name
    members: Mapping[str, str] = field(default_factory=dict)  # axis id -> its first member's id

    @property
    def lang(self) -> str:
        return self.strings.lang

    def join(self, said: list[str]) -> str:
        return ("、" if self.lang == "zh" else ", ").join(said)

    def named(self, ids: str, names: Mapping[str, str] | None = None) -> str:
        """``supply_chain, energy`` as ``供应链、能源``: ids by their names, in the language's list."""
        table = self.names if names is None else names
        said = []
        for one in (part.strip() for part in ids.split(",")):
            bare = one.rstrip("…")  # the coverage cuts a long list short with an ellipsis
            if bare:
                said.append(table.get(bare, bare) + one[len(bare) :])
        return self.join(said)

    def section_names(self, sections: list[str] | tuple[str, ...]) -> str:
        return self.join([self.sections.get(s, s) for s in sections])


def missing_text(missing: str, words: Words) -> str:
    """``value:a, b; targets`` in words of the language (``disclose.missing.*``), the metrics
    by their names (``无以下指标的数值：赤泥堆存量``, not ``waste.bauxite_residue_stored``) and
    the axes by theirs."""
    parts = []
    for part in missing.split("; "):
        kind, _, what = part.partition(":")
        if kind == "value":
            what = words.named(what)
        elif kind == "breakdown":
            what = words.named(what, words.axes)
        parts.append(words.strings.get(f"disclose.missing.{kind}", part, what=what))
    return ("；" if words.lang == "zh" else "; ").join(parts)


def row_dict(row: CoverageRow, words: Words) -> dict[str, Any]:
    strings = words.strings
    return {
        "reference": row.reference,
        "framework": row.framework,
        "edition": row.edition,
        "item": row.item_id,
        "parent": row.parent,
        "title": row.title(strings.lang),
        "level": row.level,
        "level_name": strings(f"framework.level.{row.level}"),
        "kind": row.kind,
        "status": row.status,
        "status_name": strings(f"disclose.status.{row.status}"),
        "locations": list(row.locations),
        "location_names": [words.sections.get(s, s) for s in row.locations],
        "metrics": list(row.metrics),
        "missing": list(row.missing),
        "missing_text": missing_text("; ".join(row.missing), words) if row.missing else "",
        "reason_id": row.reason_id,
        "reason": row.reason_names.get(strings.lang) or row.reason_names.get("en"),
        "text": row.texts.get(strings.lang),
        "inherited_from": row.inherited,
    }


def finding_message(finding: Finding, words: Words) -> str:
    """The finding's message in the language, every id in it said by its name."""
    strings = words.strings
    params = {**finding.params, "reference": finding.reference}
    for key in ("topic", "topics"):
        if key in params:
            params[key] = words.named(params[key])
    if "sections" in params:
        params["sections"] = words.section_names(params["sections"].split(", "))
    if finding.code == "sse_elements":
        elements = params["missing"].split(", ")
        params["missing"] = words.join([strings(f"materiality.element.{e}") for e in elements])
    elif "missing" in params:
        params["missing"] = missing_text(params["missing"], words)
    if "level" in params:
        params["level"] = strings(f"framework.level.{params['level']}")
    return strings(f"disclose.issue.{finding.code}", **params)
