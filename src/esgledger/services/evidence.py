"""Evidence files of a data point: upload (type by content, SHA-256, size limit), list, download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from esgledger.evidence import store as evidence_store
from esgledger.services.operation import Call, Capability, Reading, reads, staged
from esgledger.workflow.entries import current_by_id


class Evidence(Capability):
    @staged("evidence.upload")
    def upload(self, call: Call, datapoint_id: int, file_name: str, data: bytes) -> dict[str, Any]:
        """Attach a file to the current version of a data point. Who asks is checked before what
        they send; the file is checked before the write lock is taken."""
        with call.reading() as connection:
            point = current_by_id(connection, call.actor, datapoint_id)
            call.authorize("evidence.upload", point.entity_id)
        checked = evidence_store.check(file_name, data, self.context.options.evidence_max_bytes)
        with call.writing() as change:
            return evidence_store.attach(
                change, call.actor, datapoint_id, checked, self.context.evidence_dir
            )

    @reads("evidence.read")
    def list_for(self, call: Reading, datapoint_id: int) -> list[dict[str, Any]]:
        return evidence_store.list_for(call.connection, call.actor, datapoint_id)

    @reads("evidence.read")
    def file(self, call: Reading, evidence_id: int) -> tuple[dict[str, Any], Path]:
        """The record and the stored file of an evidence item."""
        return evidence_store.locate(
            call.connection, call.actor, evidence_id, self.context.evidence_dir
        )
