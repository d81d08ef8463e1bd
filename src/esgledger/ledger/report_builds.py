"""The register of built reports: each build of a period's report in a language, with its file's
SHA-256; the newest build of a (period, language) is the one offered for download."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from esgledger.ledger.change import Change
from esgledger.store.schema import report_builds

PUBLIC = ("period", "lang", "file_name", "sha256", "size", "at", "by")


def record_build(
    change: Change,
    period: str,
    lang: str,
    file_name: str,
    storage_path: str,
    sha256: str,
    size: int,
) -> dict[str, Any]:
    """Register a build (its file already written under the reports directory); audited."""
    build_id = (
        change.connection.execute(sa.select(sa.func.max(report_builds.c.id))).scalar() or 0
    ) + 1
    row = {
        "id": build_id,
        "period": period,
        "lang": lang,
        "file_name": file_name,
        "storage_path": storage_path,
        "sha256": sha256,
        "size": size,
        "built_at": change.at,
        "built_by": change.actor,
    }
    stamps = change.insert(report_builds, [row])
    payload = {k: v for k, v in row.items() if k != "storage_path"}
    change.record("report.build", "report", f"{period}.{lang}", payload, stamps)
    return row


def public(row: dict[str, Any]) -> dict[str, Any]:
    """What the API and pages show of a build."""
    return {
        "period": row["period"],
        "lang": row["lang"],
        "file_name": row["file_name"],
        "sha256": row["sha256"],
        "size": row["size"],
        "at": row["built_at"],
        "by": row["built_by"],
    }


def latest_builds(connection: sa.Connection) -> list[dict[str, Any]]:
    """The newest build of each (period, language), newest period first."""
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in connection.execute(sa.select(report_builds).order_by(report_builds.c.id)):
        newest[(row.period, row.lang)] = dict(row._mapping)
    return [newest[k] for k in sorted(newest, reverse=True)]


def latest_build(connection: sa.Connection, period: str, lang: str) -> dict[str, Any] | None:
    row = connection.execute(
        sa.select(report_builds)
        .where(report_builds.c.period == period, report_builds.c.lang == lang)
        .order_by(report_builds.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)
