"""Stakeholder groups, questionnaire links (signed; one response each) and stakeholder
responses. Audit entries ``stakeholder.*``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.canonical import canonical_json
from esgledger.ledger.change import Change
from esgledger.ledger.materiality import next_id
from esgledger.store.schema import questionnaire_links as links
from esgledger.store.schema import settings as settings_table
from esgledger.store.schema import stakeholder_groups as groups
from esgledger.store.schema import stakeholder_responses as responses

LIST_FIELDS = ("concerns", "channels", "topic_ids")
SECRET_KEY = "materiality.link_secret"  # a settings row, never shown nor logged


def _group(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    for field in LIST_FIELDS:
        found[field] = json.loads(found[field])
    return found


def group_listing(connection: sa.Connection) -> list[dict[str, Any]]:
    return [_group(r) for r in connection.execute(sa.select(groups).order_by(groups.c.id)).all()]


def read_group(connection: sa.Connection, group_id: str) -> dict[str, Any] | None:
    row = connection.execute(sa.select(groups).where(groups.c.id == group_id)).first()
    return None if row is None else _group(row)


def save_group(change: Change, record: Mapping[str, Any], exists: bool) -> None:
    row = {
        "id": record["id"],
        "name": record["name"],
        "name_zh": record["name_zh"],
        **{f: canonical_json(list(record[f])) for f in LIST_FIELDS},
        "weight": float(record["weight"]),
        "updated_at": change.at,
        "updated_by": change.actor,
    }
    if exists:
        stamps = change.update(groups, groups.c.id == record["id"], row)
    else:
        stamps = change.insert(groups, [row])
    action = "stakeholder.update" if exists else "stakeholder.create"
    change.record(action, "stakeholder_group", str(record["id"]), dict(record), stamps)


def link_secret(connection: sa.Connection) -> str | None:
    return connection.execute(
        sa.select(settings_table.c.value).where(settings_table.c.key == SECRET_KEY)
    ).scalar()


def store_secret(change: Change, secret: str) -> None:
    """Keep the server's link secret in the ledger (audited without its value)."""
    stamps = change.insert(settings_table, [{"key": SECRET_KEY, "value": secret}])
    change.record("stakeholder.link_secret", "setting", SECRET_KEY, {"created": True}, stamps)


def add_links(
    change: Change, assessment_id: int, group_id: str, nonce_hashes: Sequence[str]
) -> list[int]:
    first = next_id(change.connection, links)
    rows = [
        {
            "id": first + n,
            "assessment_id": assessment_id,
            "group_id": group_id,
            "nonce_sha256": digest,
            "issued_at": change.at,
            "issued_by": change.actor,
            "used_at": None,
        }
        for n, digest in enumerate(nonce_hashes)
    ]
    stamps = change.insert(links, rows)
    change.record(
        "stakeholder.links",
        "materiality_assessment",
        str(assessment_id),
        {"group": group_id, "links": [r["id"] for r in rows]},
        stamps,
    )
    return [first + n for n in range(len(rows))]


def read_link(connection: sa.Connection, link_id: int) -> dict[str, Any] | None:
    row = connection.execute(sa.select(links).where(links.c.id == link_id)).first()
    return None if row is None else dict(row._mapping)


def link_listing(connection: sa.Connection, assessment_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(links).where(links.c.assessment_id == assessment_id).order_by(links.c.id)
    ).all()
    return [{k: v for k, v in r._mapping.items() if k != "nonce_sha256"} for r in rows]


def add_responses(
    change: Change, assessment_id: int, items: Sequence[Mapping[str, Any]], source: str
) -> list[int]:
    """Store responses (``group_id``, ``answers``, optional ``respondent``, ``comment``,
    ``link_id``); a link's response marks the link used in the same write."""
    first = next_id(change.connection, responses)
    rows = [
        {
            "id": first + n,
            "assessment_id": assessment_id,
            "group_id": item["group_id"],
            "link_id": item.get("link_id"),
            "source": source,
            "respondent": item.get("respondent"),
            "answers": canonical_json(dict(item["answers"])),
            "comment": item.get("comment") or "",
            "received_at": change.at,
            "recorded_by": change.actor,
        }
        for n, item in enumerate(items)
    ]
    stamps = change.insert(responses, rows)
    for item in items:
        if item.get("link_id") is not None:
            stamps += change.update(links, links.c.id == item["link_id"], {"used_at": change.at})
    change.record(
        f"stakeholder.respond.{source}",
        "materiality_assessment",
        str(assessment_id),
        {"responses": [r["id"] for r in rows], "groups": sorted({r["group_id"] for r in rows})},
        stamps,
    )
    return [first + n for n in range(len(rows))]


def response_listing(connection: sa.Connection, assessment_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(responses)
        .where(responses.c.assessment_id == assessment_id)
        .order_by(responses.c.id)
    ).all()
    found = []
    for row in rows:
        item = dict(row._mapping)
        item["answers"] = json.loads(item["answers"])
        found.append(item)
    return found
