"""The IRO register (issue 10, part 3): impacts, risks and opportunities per topic of an
assessment, and their scores on two axes, every score a new version with its scorer, rationale
and evidence (EFRAG IG 1 §3.4-3.5; SSE Guideline No. 14 Arts. 14-16). The checks are
:mod:`esgledger.assess.iros.fields` and :mod:`esgledger.assess.materiality.scoring`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from esgledger.assess.iros import fields
from esgledger.assess.materiality import scoring
from esgledger.ledger import iros as store
from esgledger.ledger import materiality as assessments
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.assess_text import text
from esgledger.services.materiality_inputs import assessment, editable
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.stakeholder_files import file_kind, write_rows

EXPORT_HEADER = (
    "id",
    "topic_id",
    "kind",
    "polarity",
    "actuality",
    "risk_type",
    "value_chain",
    "title",
    "horizons",
    "owner",
    "response",
    "axis",
    "score",
    "scorer",
)


class Iros(Capability):
    @reads("materiality.read", entity_first=False)
    def listing(self, call: Reading, assessment_id: int) -> list[dict[str, Any]]:
        """The register of an assessment, each IRO with its current score."""
        return _register(call.connection, assessment_id)

    @reads("materiality.read", entity_first=False)
    def vocabulary(self, call: Reading) -> dict[str, dict[str, dict[str, str]]]:
        """Kinds, polarities, actualities, risk types and value-chain stages with their labels."""
        return fields.vocabulary()

    @reads("materiality.read", entity_first=False)
    def get(self, call: Reading, iro_id: int) -> dict[str, Any]:
        found = _iro(call.connection, iro_id)
        return {**found, "scores": store.history(call.connection, iro_id)}

    @reads("materiality.read", entity_first=False)
    def export(self, call: Reading, assessment_id: int, kind: str) -> bytes:
        """The register as a ``csv`` or ``xlsx`` file, with each IRO's current score."""
        rows = []
        for row in _register(call.connection, assessment_id):
            score = row["score"] or {}
            rows.append(
                [
                    row["id"],
                    row["topic_id"],
                    row["kind"],
                    row["polarity"] or "",
                    row["actuality"] or "",
                    row["risk_type"] or "",
                    row["value_chain"],
                    row["title"],
                    ", ".join(row["horizons"]),
                    row["owner"],
                    row["response"],
                    score.get("axis", ""),
                    score.get("score", ""),
                    score.get("scorer", ""),
                ]
            )
        return write_rows(EXPORT_HEADER, rows, file_kind(kind))

    @writes("materiality.edit")
    def create(self, call: Writing, assessment_id: int, record: dict[str, Any]) -> dict[str, Any]:
        """Add an IRO to a draft assessment; a field out of the vocabulary is refused naming it."""
        found = editable(call.connection, assessment_id, "the new IRO")
        checked = _checked(call.connection, assessment_id, found, record)
        new_id = store.create(call.change, assessment_id, checked)
        return _iro(call.connection, new_id)

    @writes("materiality.edit")
    def update(self, call: Writing, iro_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change fields of an IRO (the others kept); a new version of the record."""
        current = _iro(call.connection, iro_id)
        found = editable(call.connection, current["assessment_id"], "the IRO change")
        merged = {k: current[k] for k in fields.FIELDS if k in current}
        merged.update(changes)
        checked = _checked(call.connection, current["assessment_id"], found, merged)
        store.update(call.change, iro_id, current["version"], checked)
        return _iro(call.connection, iro_id)

    @writes("materiality.score")
    def score(
        self,
        call: Writing,
        iro_id: int,
        components: dict[str, Any],
        rationale: str,
        evidence_ids: Sequence[int | str] | None = None,
    ) -> dict[str, Any]:
        """Score an IRO on its axis (impact for impacts, financial for risks and opportunities);
        components out of the scale are refused naming them; a new version every time."""
        iro = _iro(call.connection, iro_id)
        found = editable(call.connection, iro["assessment_id"], "the score")
        values = scoring.checked_values(iro, components, found["method"])
        why = text(rationale, "rationale", 4000, True)
        ids = _evidence(call.connection, evidence_ids or [])
        value = scoring.score(iro, values, found["method"])
        return store.add_score(
            call.change, iro_id, scoring.axis_of(iro["kind"]), values, value, why, ids
        )


def _register(connection: sa.Connection, assessment_id: int) -> list[dict[str, Any]]:
    assessment(connection, assessment_id)
    found = store.listing(connection, assessment_id)
    scores = store.current_scores(connection, [i["id"] for i in found])
    return [
        {**i, "score": scores.get(i["id"]), "components": list(scoring.required(i))} for i in found
    ]


def _iro(connection: sa.Connection, iro_id: int) -> dict[str, Any]:
    found = store.read(connection, iro_id)
    if found is None:
        raise NotFound(f"no IRO {iro_id}", field="iro", details={"found": str(iro_id)})
    return found


def _checked(
    connection: sa.Connection, assessment_id: int, found: dict[str, Any], record: dict[str, Any]
) -> dict[str, Any]:
    topics = [t["topic_id"] for t in assessments.topic_rows(connection, assessment_id)]
    return fields.checked(record, topics, found["method"]["horizons"])


def _evidence(connection: sa.Connection, given: Sequence[Any]) -> list[int]:
    """Evidence ids of the evidence store; an unknown one is refused naming it."""
    ids = []
    for item in given:
        try:
            ids.append(int(item))
        except (TypeError, ValueError):
            raise Invalid(f"evidence: {item!r} is not an evidence id", field="evidence") from None
    if ids:
        known = store.known_evidence(connection, ids)
        missing = [i for i in ids if i not in known]
        if missing:
            raise Invalid(f"evidence: no evidence {missing[0]}", field="evidence")
    return sorted(set(ids))
