"""Stakeholder groups (their concerns and channels, mapped to topics, with a weight), the
questionnaire of an assessment (one question per topic, answered on the assessment's scale)
through signed per-group links or imported from CSV/XLSX, and the answers' spread per group
(SSE Guideline No. 14 Art. 53; EFRAG IG 1 §3.3)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.access.principal import Principal
from esgledger.access.throttle import Throttle, client_key
from esgledger.assess.materiality.answers import spread
from esgledger.identifiers import ENTITY_ID
from esgledger.ledger import materiality as assessments
from esgledger.ledger import stakeholders as store
from esgledger.service_errors import Invalid, NotFound, TooManyAttempts
from esgledger.services import questionnaire_links as links
from esgledger.services.assess_text import text
from esgledger.services.materiality_inputs import assessment, editable
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.stakeholder_files import read_responses
from esgledger.services.topics import read_library

# who answers through a link: no account; the link is the authority (policy: stakeholder.respond)
RESPONDENT = Principal("stakeholder-link", "viewer", frozenset(), None)
MAX_LINKS = 500
# requests to the public questionnaire per client address: 30 in 10 minutes (a respondent needs
# two: the page and the answer)
LINK_REQUESTS = Throttle(limit=30, window_seconds=600)


class Stakeholders(Capability):
    @reads("stakeholder.respond", entity_first=False)
    def admit(self, call: Reading, address: str) -> None:
        """Count a request to the public questionnaire from ``address``; TooManyAttempts once
        the address has used its requests in the window."""
        key, now = client_key(address), time.monotonic()
        try:
            LINK_REQUESTS.check(key, now)
        except TooManyAttempts as exc:
            raise TooManyAttempts(
                f"too many questionnaire requests from your address; try again in "
                f"{exc.retry_after} s",
                retry_after=exc.retry_after,
            ) from None
        LINK_REQUESTS.failed(key, now)

    @reads("materiality.read", entity_first=False)
    def topics(self, call: Reading) -> list[dict[str, Any]]:
        """The topic library (id, names, SSE article), to map groups and questions to."""
        return [
            {"id": t.id, "names": dict(t.names), "sse_article": t.sse_article}
            for t in read_library(call.connection)
        ]

    @reads("materiality.read", entity_first=False)
    def groups(self, call: Reading) -> list[dict[str, Any]]:
        return store.group_listing(call.connection)

    @writes("stakeholder.edit")
    def save_group(self, call: Writing, record: dict[str, Any]) -> dict[str, Any]:
        """Create or change a group: ``id``, ``name``, ``name_zh``, ``concerns``, ``channels``,
        ``topic_ids``, ``weight`` (>= 0)."""
        allowed = {"id", "name", "name_zh", "concerns", "channels", "topic_ids", "weight"}
        unknown = sorted(set(record) - allowed)
        if unknown:
            raise Invalid(f"{unknown[0]}: not a field of a stakeholder group", field=unknown[0])
        group_id = text(record.get("id"), "id", 64, True)
        if not ENTITY_ID.fullmatch(group_id):
            raise Invalid(f"id: {group_id!r} is not an id (letters, digits, _ and -)", field="id")
        existing = store.read_group(call.connection, group_id)
        merged = {**(existing or {}), **record}
        topic_ids = _list(merged.get("topic_ids"), "topic_ids")
        unknown_topics = read_library(call.connection).unknown(topic_ids)
        if unknown_topics:
            raise Invalid(f"topic_ids: unknown topic {unknown_topics[0]!r}", field="topic_ids")
        try:
            weight = float(merged.get("weight", 1.0))
        except (TypeError, ValueError):
            raise Invalid(
                f"weight: {merged.get('weight')!r} is not a number", field="weight"
            ) from None
        if not 0 <= weight <= 100 or weight != weight:
            raise Invalid(f"weight: {weight:g} is out of range; expected 0 to 100", field="weight")
        checked = {
            "id": group_id,
            "name": text(merged.get("name"), "name", 200, True),
            "name_zh": text(merged.get("name_zh") or merged.get("name"), "name_zh", 200, True),
            "concerns": [
                text(c, "concerns", 500) for c in _list(merged.get("concerns"), "concerns")
            ],
            "channels": [
                text(c, "channels", 500) for c in _list(merged.get("channels"), "channels")
            ],
            "topic_ids": topic_ids,
            "weight": weight,
        }
        store.save_group(call.change, checked, existing is not None)
        found = store.read_group(call.connection, group_id)
        assert found is not None
        return found

    @writes("stakeholder.edit")
    def issue_links(
        self, call: Writing, assessment_id: int, group_id: str, count: int = 1
    ) -> list[str]:
        """``count`` questionnaire links for a group: signed tokens, one response each."""
        editable(call.connection, assessment_id, "new questionnaire links")
        _group(call.connection, group_id)
        if not 1 <= count <= MAX_LINKS:
            raise Invalid(f"count: from 1 to {MAX_LINKS}, got {count}", field="count")
        return links.issue(call.change, assessment_id, group_id, count)

    @reads("materiality.read", entity_first=False)
    def link_listing(self, call: Reading, assessment_id: int) -> list[dict[str, Any]]:
        assessment(call.connection, assessment_id)
        return store.link_listing(call.connection, assessment_id)

    @reads("stakeholder.respond", entity_first=False)
    def questionnaire(self, call: Reading, token: str) -> dict[str, Any]:
        """What the respondent of ``token`` sees: the group, the scale and one question per
        topic of the assessment (nothing else)."""
        link = links.verify(call.connection, token)
        return _questionnaire(
            call.connection, int(str(link["assessment_id"])), str(link["group_id"])
        )

    @writes("stakeholder.respond")
    def respond(
        self, call: Writing, token: str, answers: dict[str, Any], comment: str = ""
    ) -> dict[str, Any]:
        """Store the response of a link (once: a used, tampered or unknown link is refused)."""
        link = links.verify(call.connection, token)
        assessment_id = int(str(link["assessment_id"]))
        found = editable(call.connection, assessment_id, "the response")
        topics = [t["topic_id"] for t in assessments.topic_rows(call.connection, assessment_id)]
        checked = _answers(answers, topics, found["method"]["scale"], "answers")
        item = {
            "group_id": link["group_id"],
            "answers": checked,
            "comment": text(comment, "comment", 4000),
            "link_id": link["id"],
        }
        (response_id,) = store.add_responses(call.change, assessment_id, [item], "link")
        return {"response": response_id}

    @writes("stakeholder.edit")
    def import_responses(self, call: Writing, assessment_id: int, path: Path) -> dict[str, Any]:
        """Responses from a CSV or XLSX file (columns ``group``, optional ``respondent`` and
        ``comment``, one column per topic id): all or nothing, each issue naming its row and
        cell."""
        found = editable(call.connection, assessment_id, "the imported responses")
        topics = [t["topic_id"] for t in assessments.topic_rows(call.connection, assessment_id)]
        group_ids = {g["id"] for g in store.group_listing(call.connection)}
        items = read_responses(path, topics, group_ids, found["method"]["scale"])
        ids = store.add_responses(call.change, assessment_id, items, "import")
        return {"responses": len(ids)}

    @reads("materiality.read", entity_first=False)
    def responses(self, call: Reading, assessment_id: int) -> dict[str, Any]:
        """The responses of an assessment and their spread per topic and group (count, mean,
        min, max and how many gave each point: minority views stay visible)."""
        found = assessment(call.connection, assessment_id)
        scale = found["method"]["scale"]
        rows = store.response_listing(call.connection, assessment_id)
        return {
            "responses": rows,
            "spread": spread(rows, scale["min"], scale["max"]),
        }


def _list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(";", "\n").splitlines() if v.strip()]
    if not isinstance(value, list | tuple):
        raise Invalid(f"{field}: expected a list", field=field)
    return [str(v).strip() for v in value if str(v).strip()]


def _group(connection: sa.Connection, group_id: str) -> dict[str, Any]:
    found = store.read_group(connection, group_id)
    if found is None:
        raise NotFound(f"no stakeholder group {group_id!r}", field="group")
    return found


def _answers(
    given: dict[str, Any], topics: list[str], scale: dict[str, int], field: str
) -> dict[str, int]:
    unknown = sorted(set(given) - set(topics))
    if unknown:
        raise Invalid(f"{field}: {unknown[0]!r} is not a topic of the questionnaire", field=field)
    found = {}
    for topic, value in given.items():
        if value in (None, ""):
            continue
        text_value = str(value).strip()
        if not text_value.isdigit() or not scale["min"] <= int(text_value) <= scale["max"]:
            raise Invalid(
                f"{field}.{topic}: {value!r} is out of scale; expected a whole number from "
                f"{scale['min']} to {scale['max']}",
                field=f"{field}.{topic}",
            )
        found[topic] = int(text_value)
    if not found:
        raise Invalid(f"{field}: answer at least one question", field=field)
    return found


def _questionnaire(connection: sa.Connection, assessment_id: int, group_id: str) -> dict[str, Any]:
    found = assessment(connection, assessment_id)
    library = read_library(connection)
    group = _group(connection, group_id)
    topics = [t["topic_id"] for t in assessments.topic_rows(connection, assessment_id)]
    return {
        "period": found["period"],
        "group": {"id": group["id"], "name": group["name"], "name_zh": group["name_zh"]},
        "scale": found["method"]["scale"],
        "topics": [
            {"id": t, "names": dict(library[t].names) if t in library else {"en": t, "zh": t}}
            for t in topics
        ],
    }
