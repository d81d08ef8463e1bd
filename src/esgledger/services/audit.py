"""The audit log for assurers: entries filtered and paged, a CSV export (recorded in the log), the
verification of the chain and of every table against it, and anchors: the chain head written down
outside the database, optionally signed, that a later verification checks the log still extends
(:mod:`esgledger.ledger.anchors`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from esgledger.ledger import audit_query
from esgledger.ledger.anchor_keys import KeyPair, check_signature, load_public_key, sign
from esgledger.ledger.anchor_keys import new_key_pair as new_signing_key
from esgledger.ledger.anchors import (
    ANCHOR_KINDS,
    MAX_ANCHOR_BYTES,
    Anchor,
    parse_anchor,
    parse_head,
    take_anchor,
    verify_against,
)
from esgledger.ledger.audit_query import AuditFilters, csv_lines
from esgledger.ledger.verify import VerifyResult, verify
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.operation import Call, Capability, Reading, reads, staged
from esgledger.workflow.periods import parse_period


def _checked(call: Call, filters: AuditFilters) -> AuditFilters:
    """The filters, checked: an entity outside the user's scope is NotFound (as an unknown one),
    before the role is considered."""
    if filters.entity is not None and not call.actor.sees(filters.entity):
        raise NotFound(f"no entity {filters.entity!r}", field="entity")
    call.authorize("audit.read")
    if filters.period is not None:
        filters = replace(filters, period=str(parse_period(filters.period)))
    for name in ("since", "until"):
        text = getattr(filters, name)
        try:
            if text is not None:
                audit_query.instant(text, end=name == "until")
        except ValueError as exc:
            raise Invalid(
                f"{name}: expected an ISO date (2024-12-31) or date and time "
                f"(2024-12-31T18:00:00+08:00), got {text!r}",
                field=name,
            ) from exc
    return filters


__all__ = [
    "ANCHOR_KINDS",
    "MAX_ANCHOR_BYTES",
    "Anchor",
    "Audit",
    "AuditFilters",
    "KeyPair",
    "VerifyResult",
    "csv_lines",
    "load_anchor",
    "new_signing_key",
    "parse_anchor",
    "parse_head",
]


def load_anchor(path: Path) -> Anchor:
    """The anchor in the file at ``path`` (its errors name the file)."""
    if not path.is_file():
        raise Invalid(f"no anchor file at {path}", field="anchor")
    with path.open("rb") as handle:
        return parse_anchor(handle.read(MAX_ANCHOR_BYTES + 1), str(path))


class Audit(Capability):
    @reads("audit.read", entity_first=True)
    def entries(
        self,
        call: Reading,
        filters: AuditFilters,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
    ) -> tuple[list[dict[str, Any]], int]:
        """The audit log, filtered and paged (admin, ESG manager, auditor: group-wide)."""
        chosen = _checked(call, filters)
        return audit_query.list_entries(call.connection, chosen, limit, offset, newest_first)

    @staged("audit.read", entity_first=True)
    def export(
        self, call: Call, filters: AuditFilters, batch: int = 5000
    ) -> Iterator[list[dict[str, Any]]]:
        """Every entry matching ``filters``, oldest first, in batches (each read on its own; the
        log only grows at its end, so the batches neither skip nor repeat an entry). The filters
        are checked and the export recorded before anything is sent."""
        chosen = _checked(call, filters)
        with call.writing() as change:
            change.record(
                "audit.export",
                "audit_log",
                "csv",
                {k: v for k, v in chosen.__dict__.items() if v is not None},
            )
        context = self.context

        def batches() -> Iterator[list[dict[str, Any]]]:
            offset = 0
            while True:
                with context.db.reading() as connection:
                    found, _total = audit_query.list_entries(
                        connection, chosen, batch, offset, False
                    )
                if not found:
                    return
                yield found
                offset += len(found)

        return batches()

    @reads("audit.read")
    def verify(
        self,
        call: Reading,
        anchors: Sequence[Anchor] = (),
        public_key: bytes | None = None,
        key_source: str = "the public key",
    ) -> VerifyResult:
        """Check the chain, that it extends every anchor given, then every tracked table against
        it. With ``public_key`` (PEM), every anchor must carry a signature it verifies."""
        if public_key is not None:
            public = load_public_key(public_key, key_source)
            for anchor in anchors:
                check_signature(anchor, public, key_source)
        if not anchors:
            return verify(call.connection)
        return verify_against(call.connection, anchors)

    @reads("audit.read")
    def anchor(
        self, call: Reading, signing_key: bytes | None = None, key_source: str = "the key"
    ) -> Anchor:
        """The chain head as an anchor to keep outside the database (the chain is verified
        first), signed with ``signing_key`` (an Ed25519 private key, PEM) when given."""
        taken = take_anchor(call.connection)
        return taken if signing_key is None else sign(taken, signing_key, key_source)
