"""The topic library as the organisation sees it: the built-in topics (SSE Guideline No. 14's 21
topics, HKEX aspects, GRI 14 sector topics; :mod:`esgledger.assess.topics`) and the organisation's
own ``org.<name>`` topics (migration 0013), added one by one or imported from a file, versioned
and audited, never shadowing a built-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.assess.topics import (
    Topic,
    TopicLibrary,
    builtin_topics,
    organisation_topic,
    topic_fields,
)
from esgledger.ledger import governance as records
from esgledger.service_errors import NotFound
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.records import export_file, parse_all, read_rows, refused_as_invalid

COLUMNS = ("id", "name_en", "name_zh", "dimension", "frameworks", "metrics", "citation")


def read_library(connection: sa.Connection) -> TopicLibrary:
    """The library in force: the built-ins and the organisation's topics not withdrawn.

    Lives in the service layer, not in ``esgledger.ledger``: the repositories never import the
    assess layer (tests/test_layering.py, data flows one way)."""
    own = [_stored_topic(row) for row in records.current(connection, "topic")]
    return builtin_topics().extended(own)


def _listing(connection: sa.Connection, origin: str | None) -> list[dict[str, Any]]:
    return [topic_fields(t) for t in read_library(connection) if origin in (None, t.origin)]


def _stored_topic(row: dict[str, Any]) -> Topic:
    return Topic(
        row["id"],
        {"en": row["name_en"], "zh": row["name_zh"]},
        row["dimension"],
        None,
        tuple(row["frameworks"]),
        tuple(row["metrics"]),
        "organisation",
        row["citation"],
    )


def _stored_fields(topic: Topic) -> dict[str, Any]:
    fields = topic_fields(topic)
    return {k: fields[k] for k in COLUMNS if k != "id"}


class Topics(Capability):
    @reads("topic.read", entity_first=False)
    def listing(self, call: Reading, origin: str | None = None) -> list[dict[str, Any]]:
        """Every topic in force (``origin``: built-in or organisation only)."""
        return _listing(call.connection, origin)

    @reads("topic.read", entity_first=False)
    def show(self, call: Reading, topic_id: str) -> dict[str, Any]:
        """One topic with its frameworks and metrics; an organisation's topic with its versions."""
        topic = read_library(call.connection).get(topic_id)
        if topic is None:
            raise NotFound(f"no topic {topic_id!r}; see 'assess topics list'")
        shown = topic_fields(topic)
        shown["history"] = records.history(call.connection, "topic", topic_id)
        return shown

    @writes("topic.write")
    def add(self, call: Writing, fields: dict[str, Any]) -> dict[str, Any]:
        """Add (or change) one of the organisation's topics; audited as ``topic.create`` or
        ``topic.update``."""
        with refused_as_invalid():
            topic = organisation_topic(fields, self.context.catalogue.metrics, builtin_topics())
        return self._store(call, topic)

    @writes("topic.write")
    def import_file(self, call: Writing, path: Path, name: str | None = None) -> dict[str, Any]:
        """Add the organisation's topics of a YAML (``topics: {org.x: {...}}``), CSV or XLSX
        file; all or nothing, every bad row named."""
        label = name or path.name
        rows = read_rows(path, label, "topics")
        metrics, builtin = self.context.catalogue.metrics, builtin_topics()
        topics = parse_all(
            label,
            [(n, _flat(cells)) for n, cells in rows],
            lambda cells: organisation_topic(cells, metrics, builtin),
        )
        stored = [self._store(call, topic) for topic in topics]
        return {"file": label, "topics": [row["id"] for row in stored]}

    @reads("topic.read", entity_first=False)
    def export(self, call: Reading, fmt: str = "csv", origin: str = "organisation") -> bytes:
        """The topics as CSV or XLSX (the organisation's by default: a file the import reads)."""
        rows = _listing(call.connection, origin or None)
        return export_file(rows, (*COLUMNS, "origin"), fmt, "topics")

    def _store(self, call: Writing, topic: Topic) -> dict[str, Any]:
        previous = records.newest(call.connection, "topic", topic.id)
        action = "topic.create" if previous is None else "topic.update"
        return records.record(call.change, "topic", action, topic.id, _stored_fields(topic))


def _flat(cells: dict[str, Any]) -> dict[str, Any]:
    """A YAML entry in the library's own shape (``names: {en, zh}``) as flat fields."""
    names = cells.get("names")
    if isinstance(names, dict):
        cells = {**cells, "name_en": names.get("en"), "name_zh": names.get("zh")}
    return cells
