"""The sustainability governance structure (SSE Guideline No. 14 Art. 12; HKEX ESG Reporting Code
Part B board statement; IFRS S2 para 6): bodies with their duties, members, reporting frequency and
the topics their duties cover; the meetings they hold; the training given to directors. Versioned,
never deleted, audited (:mod:`esgledger.ledger.governance`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.assess import governance as checks
from esgledger.ledger import governance as records
from esgledger.ledger.reads import load_entities
from esgledger.service_errors import Conflict, Invalid, NotFound
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.records import export_file, parse_all, read_rows, refused_as_invalid
from esgledger.services.topics import read_library
from esgledger.workflow.periods import refuse_if_locked

KINDS = {"bodies": "body", "meetings": "meeting", "training": "training"}
COLUMNS = {
    "body": (
        "id", "kind", "name_en", "name_zh", "parent_id", "entity_id", "duties", "members",
        "reporting_frequency", "topic_ids",
    ),
    "meeting": ("id", "body_id", "held_on", "topic_ids", "decisions", "attended", "invited"),
    "training": ("id", "held_on", "directors", "subject", "hours", "provider"),
}  # fmt: skip


def body_fields(
    fields: Mapping[str, Any],
    topics: set[str],
    parents: Mapping[str, str | None],
    entities: set[str],
) -> dict[str, Any]:
    """A body's fields checked: kind, names, parent (a body in force, no cycle), entity, members
    with roles, reporting frequency and the topics its duties cover."""
    rules = checks.rules()
    body_id = checks.record_id(fields.get("id"))
    parent = checks.text_field(fields.get("parent_id"), "parent_id", required=False) or None
    checks.check_parent(body_id, parent, parents)
    entity = checks.text_field(fields.get("entity_id"), "entity_id", required=False) or None
    if entity is not None and entity not in entities:
        raise checks.FieldError("entity_id", f"entity {entity!r} is not in the organisation")
    return {
        "id": body_id,
        "kind": checks.choice(fields.get("kind"), "kind", rules.body_kinds),
        "name_en": checks.text_field(fields.get("name_en"), "name_en", limit=200),
        "name_zh": checks.text_field(fields.get("name_zh"), "name_zh", limit=200),
        "parent_id": parent,
        "entity_id": entity,
        "duties": checks.text_field(fields.get("duties"), "duties"),
        "members": checks.members_field(fields.get("members")),
        "reporting_frequency": checks.choice(
            fields.get("reporting_frequency"), "reporting_frequency", rules.frequencies
        ),
        "topic_ids": checks.topic_ids(fields.get("topic_ids"), topics),
    }


def meeting_fields(
    fields: Mapping[str, Any], topics: set[str], bodies: Mapping[str, str | None]
) -> dict[str, Any]:
    body = checks.text_field(fields.get("body_id"), "body_id")
    if body not in bodies:
        raise checks.FieldError("body_id", f"body {body!r} does not exist")
    attended = checks.count_field(fields.get("attended"), "attended")
    invited = checks.count_field(fields.get("invited"), "invited")
    if attended > invited:
        raise checks.FieldError("attended", f"{attended} attended but only {invited} were invited")
    return {
        "body_id": body,
        "held_on": checks.date_field(fields.get("held_on"), "held_on"),
        "topic_ids": checks.topic_ids(fields.get("topic_ids"), topics),
        "decisions": checks.text_field(fields.get("decisions"), "decisions"),
        "attended": attended,
        "invited": invited,
    }


def training_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    directors = checks.list_field(fields.get("directors"), "directors")
    if not directors:
        raise checks.FieldError("directors", "no director named; expected one or more names")
    return {
        "held_on": checks.date_field(fields.get("held_on"), "held_on"),
        "directors": directors,
        "subject": checks.text_field(fields.get("subject"), "subject"),
        "hours": checks.hours_field(fields.get("hours")),
        "provider": checks.text_field(fields.get("provider"), "provider", limit=200),
    }


def _parents(connection: sa.Connection) -> dict[str, str | None]:
    return {body["id"]: body["parent_id"] for body in records.current(connection, "body")}


def _topics(connection: sa.Connection) -> set[str]:
    return {topic.id for topic in read_library(connection)}


def _entities(connection: sa.Connection) -> set[str]:
    return {entity.id for entity in load_entities(connection)}


def _with_id(kind: str, fields: Mapping[str, Any], connection: sa.Connection) -> str:
    given = str(fields.get("id") or "").strip()
    return checks.record_id(given) if given else records.next_id(connection, kind, kind)


class Governance(Capability):
    @reads("governance.read", entity_first=False)
    def structure(self, call: Reading) -> list[dict[str, Any]]:
        """The bodies in force as a tree, depth first, each with its ``depth``."""
        bodies = {body["id"]: body for body in records.current(call.connection, "body")}
        parents = {key: body["parent_id"] for key, body in bodies.items()}
        return [{**bodies[key], "depth": depth} for key, depth in checks.tree_order(parents)]

    @reads("governance.read", entity_first=False)
    def listing(self, call: Reading, kind: str) -> list[dict[str, Any]]:
        """The records in force of ``kind`` (bodies, meetings or training), newest date first for
        meetings and training."""
        rows = records.current(call.connection, _kind(kind))
        if _kind(kind) != "body":
            rows.sort(key=lambda row: (row["held_on"], row["id"]), reverse=True)
        return rows

    @reads("governance.read", entity_first=False)
    def show(self, call: Reading, kind: str, record_id: str) -> dict[str, Any]:
        """One record in force with every version of it."""
        found = records.newest(call.connection, _kind(kind), record_id)
        if found is None:
            raise NotFound(f"no {_kind(kind)} {record_id!r}")
        return {**found, "history": records.history(call.connection, _kind(kind), record_id)}

    @reads("governance.read", entity_first=False)
    def vocabulary(self, call: Reading) -> dict[str, dict[str, dict[str, str]]]:
        """The body kinds and reporting frequencies with their names (governance.yaml)."""
        rules = checks.rules()
        kinds, frequencies = rules.body_kinds, rules.frequencies
        return {
            "body_kinds": {key: dict(names) for key, names in kinds.items()},
            "frequencies": {key: dict(names) for key, names in frequencies.items()},
        }

    @reads("governance.read", entity_first=False)
    def topics_covered(self, call: Reading) -> list[str]:
        """The topics the duties of a body in force cover (SSE No. 14 Art. 11(1))."""
        return sorted(records.topics_covered(call.connection))

    @writes("governance.write")
    def save_body(self, call: Writing, fields: dict[str, Any]) -> dict[str, Any]:
        """Add a body, or a new version of one (``governance.body.create`` / ``.update``)."""
        connection = call.connection
        with refused_as_invalid():
            checked = body_fields(
                fields, _topics(connection), _parents(connection), _entities(connection)
            )
        return self._save(call, "body", checked)

    @writes("governance.write")
    def withdraw_body(self, call: Writing, body_id: str, reason: str) -> dict[str, Any]:
        """Withdraw a body (a version marked withdrawn); refused while bodies in force sit under
        it."""
        found = records.newest(call.connection, "body", body_id)
        if found is None or found["withdrawn"]:
            raise NotFound(f"no body {body_id!r} in force")
        under = sorted(k for k, v in _parents(call.connection).items() if v == body_id)
        if under:
            raise Conflict(f"bodies {', '.join(under)} sit under {body_id!r}; move them first")
        if not reason.strip():
            raise Invalid("a withdrawal needs a reason", field="reason")
        fields = {k: v for k, v in found.items() if k not in ("version", "withdrawn", "reason")}
        return records.record(
            call.change, "body", "governance.body.withdraw", body_id, fields, True, reason.strip()
        )

    @writes("governance.write")
    def add_meeting(self, call: Writing, fields: dict[str, Any]) -> dict[str, Any]:
        """Record a meeting held by a body: date, topics discussed, decisions, attendance."""
        connection = call.connection
        with refused_as_invalid():
            checked = meeting_fields(fields, _topics(connection), _parents(connection))
            checked["id"] = _with_id("meeting", fields, connection)
        return self._save(call, "meeting", checked)

    @writes("governance.write")
    def add_training(self, call: Writing, fields: dict[str, Any]) -> dict[str, Any]:
        """Record training given to directors: date, directors, subject, hours, provider."""
        with refused_as_invalid():
            checked = training_fields(fields)
            checked["id"] = _with_id("training", fields, call.connection)
        return self._save(call, "training", checked)

    @writes("governance.write")
    def import_file(
        self, call: Writing, kind: str, path: Path, name: str | None = None
    ) -> dict[str, Any]:
        """Add the bodies, meetings or training sessions of a CSV, XLSX or YAML file; all or
        nothing, every bad row named. A body may name a parent from an earlier row."""
        record_kind, label = _kind(kind), name or path.name
        connection = call.connection
        rows = read_rows(path, label, kind)
        topics, parents = _topics(connection), _parents(connection)
        entities = _entities(connection)

        def parse(cells: dict[str, Any]) -> dict[str, Any]:
            if record_kind == "body":
                checked = body_fields(cells, topics, parents, entities)
                parents[checked["id"]] = checked["parent_id"]
                return checked
            given = str(cells.get("id") or "").strip()
            own_id = {"id": checks.record_id(given) if given else None}
            if record_kind == "meeting":
                return meeting_fields(cells, topics, parents) | own_id
            return training_fields(cells) | own_id

        parsed = parse_all(label, rows, parse)
        stored = []
        for checked in parsed:
            if record_kind != "body":
                with refused_as_invalid():
                    checked["id"] = _with_id(record_kind, checked, connection)
            stored.append(self._save(call, record_kind, checked)["id"])
        return {"file": label, "kind": kind, "ids": stored}

    @reads("governance.read", entity_first=False)
    def export(self, call: Reading, kind: str, fmt: str = "csv") -> bytes:
        """The records in force of ``kind`` as CSV or XLSX, in the columns the import reads."""
        record_kind = _kind(kind)
        rows = records.current(call.connection, record_kind)
        return export_file(rows, COLUMNS[record_kind], fmt, kind)

    def _save(self, call: Writing, kind: str, checked: dict[str, Any]) -> dict[str, Any]:
        held_on = checked.get("held_on")
        if held_on is not None:
            refuse_if_locked(call.connection, f"{held_on.year}-{held_on.month:02d}")
        previous = records.newest(call.connection, kind, checked["id"])
        verb = "create" if previous is None else "update"
        return records.record(
            call.change, kind, f"governance.{kind}.{verb}", checked["id"], checked
        )


def _kind(kind: str) -> str:
    if kind in KINDS:
        return KINDS[kind]
    if kind in KINDS.values():
        return kind
    raise Invalid(f"{kind!r} is not one of {', '.join(KINDS)}", field="kind")
