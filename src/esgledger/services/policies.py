"""The policy register: each policy's canonical name in English and Chinese, aliases, owner,
version, effective date, the topics it serves and its document (a file of the evidence store).
A name that normalises like another policy's is refused naming that policy; a similar one is a
warning on creation and in the register (:mod:`esgledger.assess.policies`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.assess import governance as checks
from esgledger.assess.policies import matches, names_of, register_matches
from esgledger.evidence import store as evidence_store
from esgledger.ledger import governance as records
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.records import export_file, parse_all, read_rows, refused_as_invalid
from esgledger.services.topics import read_library

COLUMNS = (
    "id", "name_en", "name_zh", "aliases", "owner", "policy_version", "effective_on",
    "topic_ids", "document_name",
)  # fmt: skip
_NAME_FIELDS = ("name_en", "name_zh", "aliases")


def policy_fields(fields: Mapping[str, Any], topics: set[str]) -> dict[str, Any]:
    """A policy's fields checked (the document is attached apart)."""
    return {
        "id": checks.record_id(fields.get("id")),
        "name_en": checks.text_field(fields.get("name_en"), "name_en", limit=200),
        "name_zh": checks.text_field(fields.get("name_zh"), "name_zh", limit=200),
        "aliases": checks.list_field(fields.get("aliases"), "aliases"),
        "owner": checks.text_field(fields.get("owner"), "owner", limit=200),
        "policy_version": checks.text_field(
            fields.get("policy_version"), "policy_version", limit=40
        ),
        "effective_on": checks.date_field(fields.get("effective_on"), "effective_on"),
        "topic_ids": checks.topic_ids(fields.get("topic_ids"), topics),
    }


def _names(policy: Mapping[str, Any]) -> list[str]:
    return names_of(policy["name_en"], policy["name_zh"], policy["aliases"])


def _register(connection: sa.Connection) -> dict[str, list[str]]:
    return {row["id"]: _names(row) for row in records.current(connection, "policy")}


def _near(checked: Mapping[str, Any], register: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The near-duplicates of a policy; a clash (same normalised name) is refused."""
    found = matches(checked["id"], _names(checked), register)
    for match in found:
        if match.clash:
            field = next((f for f in ("name_en", "name_zh") if checked[f] == match.name), "aliases")
            raise checks.FieldError(
                field,
                f"{match.name!r} is the name {match.other_name!r} of policy {match.other_id!r} "
                "once case, spacing, punctuation and endings such as 政策/制度/Policy are set "
                f"aside; change policy {match.other_id!r} instead",
            )
    return [match.as_dict() for match in found]


class Policies(Capability):
    @reads("policy.read", entity_first=False)
    def listing(self, call: Reading) -> list[dict[str, Any]]:
        """The register: every policy in force, each with its near-duplicates."""
        rows = records.current(call.connection, "policy")
        register = {row["id"]: _names(row) for row in rows}
        return [{**row, "near_duplicates": _similar(row, register)} for row in rows]

    @reads("policy.read", entity_first=False)
    def duplicates(self, call: Reading) -> list[dict[str, Any]]:
        """Every pair of policies whose names are near-duplicates, the closest first."""
        return [match.as_dict() for match in register_matches(_register(call.connection))]

    @reads("policy.read", entity_first=False)
    def show(self, call: Reading, policy_id: str) -> dict[str, Any]:
        found = records.newest(call.connection, "policy", policy_id)
        if found is None:
            raise NotFound(f"no policy {policy_id!r}")
        register = _register(call.connection)
        history = records.history(call.connection, "policy", policy_id)
        return {**found, "near_duplicates": _similar(found, register), "history": history}

    @reads("policy.read", entity_first=False)
    def document(self, call: Reading, policy_id: str) -> tuple[dict[str, Any], Path]:
        """The policy and the stored file of its document."""
        found = records.newest(call.connection, "policy", policy_id)
        if found is None or not found.get("document_sha256"):
            raise NotFound(f"policy {policy_id!r} has no document")
        directory = self.context.evidence_dir.resolve()
        path = (directory / evidence_store.storage_path(found["document_sha256"])).resolve()
        if directory not in path.parents or not path.is_file():
            raise NotFound(f"the document of policy {policy_id!r} is missing from the store")
        return found, path

    @writes("policy.write")
    def add(
        self, call: Writing, fields: dict[str, Any], document: tuple[str, bytes] | None = None
    ) -> dict[str, Any]:
        """Register a policy, or a new version of one (same id); ``document``: (file name,
        content). The answer's ``warnings`` lists near-duplicate names."""
        connection = call.connection
        with refused_as_invalid():
            checked = policy_fields(fields, {t.id for t in read_library(connection)})
            warnings = _near(checked, _register(connection))
        previous = records.newest(connection, "policy", checked["id"])
        if document is not None:
            checked |= self._stored_document(*document)
        elif previous is not None:
            checked |= {k: v for k, v in previous.items() if k.startswith("document_")}
        verb = "create" if previous is None else "update"
        stored = records.record(call.change, "policy", f"policy.{verb}", checked["id"], checked)
        return {**stored, "warnings": warnings}

    @writes("policy.write")
    def attach(self, call: Writing, policy_id: str, file_name: str, data: bytes) -> dict[str, Any]:
        """Attach the policy's document: a new version of the policy with it."""
        found = records.newest(call.connection, "policy", policy_id)
        if found is None or found["withdrawn"]:
            raise NotFound(f"no policy {policy_id!r}")
        fields = {k: v for k, v in found.items() if k not in ("version", "withdrawn", "reason")}
        fields |= self._stored_document(file_name, data)
        return records.record(call.change, "policy", "policy.document", policy_id, fields)

    @writes("policy.write")
    def withdraw(self, call: Writing, policy_id: str, reason: str) -> dict[str, Any]:
        """Withdraw a policy (repealed or merged): a version marked withdrawn, with the reason;
        its name is free again."""
        found = records.newest(call.connection, "policy", policy_id)
        if found is None or found["withdrawn"]:
            raise NotFound(f"no policy {policy_id!r} in force")
        if not reason.strip():
            raise Invalid("a withdrawal needs a reason", field="reason")
        fields = {k: v for k, v in found.items() if k not in ("version", "withdrawn", "reason")}
        return records.record(
            call.change, "policy", "policy.withdraw", policy_id, fields, True, reason.strip()
        )

    @writes("policy.write")
    def import_file(self, call: Writing, path: Path, name: str | None = None) -> dict[str, Any]:
        """Register the policies of a CSV, XLSX or YAML file; all or nothing, every bad row
        named (a name clashing with the register or an earlier row too)."""
        label = name or path.name
        connection = call.connection
        topics = {t.id for t in read_library(connection)}
        register = _register(connection)
        warnings: list[dict[str, Any]] = []

        def parse(cells: dict[str, Any]) -> dict[str, Any]:
            checked = policy_fields(cells, topics)
            warnings.extend(_near(checked, register))
            register[checked["id"]] = _names(checked)
            return checked

        parsed = parse_all(label, read_rows(path, label, "policies"), parse)
        ids = []
        for checked in parsed:
            previous = records.newest(connection, "policy", checked["id"])
            if previous is not None:
                checked |= {k: v for k, v in previous.items() if k.startswith("document_")}
            verb = "create" if previous is None else "update"
            records.record(call.change, "policy", f"policy.{verb}", checked["id"], checked)
            ids.append(checked["id"])
        return {"file": label, "ids": ids, "warnings": warnings}

    @reads("policy.read", entity_first=False)
    def export(self, call: Reading, fmt: str = "csv") -> bytes:
        """The register as CSV or XLSX, in the columns the import reads."""
        return export_file(records.current(call.connection, "policy"), COLUMNS, fmt, "policies")

    def _stored_document(self, file_name: str, data: bytes) -> dict[str, Any]:
        max_bytes = self.context.options.evidence_max_bytes
        checked = evidence_store.check(file_name, data, max_bytes)
        evidence_store.write_file(self.context.evidence_dir, checked)
        return {
            "document_name": checked.file_name,
            "document_sha256": checked.sha256,
            "document_type": checked.content_type,
            "document_size": len(checked.data),
        }


def _similar(row: Mapping[str, Any], register: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    return [match.as_dict() for match in matches(row["id"], _names(row), register)]
