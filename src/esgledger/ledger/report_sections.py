"""The organisation's narrative sections of the full report, in versions: each save of a
(period, section, language) adds the next version (audited); nothing is updated or deleted. The
text in force for a period is its newest version, else the newest of the latest earlier period
that has one (last year's text carries forward until it is rewritten)."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.change import Change
from esgledger.store.schema import datapoints, report_sections

PUBLIC = ("period", "section_id", "lang", "version", "body", "sha256", "saved_at", "saved_by")


def save(change: Change, period: str, section: str, lang: str, body: str) -> dict[str, Any]:
    """Store ``body`` as the next version; an unchanged text adds nothing (returns the current)."""
    current = newest(change.connection, period, section, lang)
    sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
    if current is not None and current["period"] == period and current["sha256"] == sha:
        return {**current, "unchanged": True}
    version = 1 if current is None or current["period"] != period else current["version"] + 1
    row = {
        "period": period,
        "section_id": section,
        "lang": lang,
        "version": version,
        "body": body,
        "sha256": sha,
        "saved_at": change.at,
        "saved_by": change.actor,
    }
    stamps = change.insert(report_sections, [row])
    payload = {k: v for k, v in row.items() if k != "body"}
    change.record(
        "report.section.save", "report_section", f"{period}.{section}.{lang}", payload, stamps
    )
    return {**row, "unchanged": False}


def newest(
    connection: sa.Connection, period: str, section: str, lang: str
) -> dict[str, Any] | None:
    """The text in force for ``period``: its newest version, or the latest earlier period's."""
    row = connection.execute(
        sa.select(report_sections)
        .where(
            report_sections.c.section_id == section,
            report_sections.c.lang == lang,
            report_sections.c.period <= period,
        )
        .order_by(report_sections.c.period.desc(), report_sections.c.version.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)


def in_force(connection: sa.Connection, period: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every (section, language)'s text in force for ``period``."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    rows = connection.execute(
        sa.select(report_sections)
        .where(report_sections.c.period <= period)
        .order_by(report_sections.c.period, report_sections.c.version)
    )
    for row in rows:
        found[(row.section_id, row.lang)] = dict(row._mapping)  # later periods, versions win
    return found


def history(
    connection: sa.Connection, period: str, section: str, lang: str
) -> list[dict[str, Any]]:
    """Every version of a section's text for ``period``, oldest first."""
    rows = connection.execute(
        sa.select(report_sections)
        .where(
            report_sections.c.period == period,
            report_sections.c.section_id == section,
            report_sections.c.lang == lang,
        )
        .order_by(report_sections.c.version)
    )
    return [dict(r._mapping) for r in rows]


def unapproved_count(connection: sa.Connection, period: str) -> int:
    """Current values of the year (and its months) that are not approved."""
    return int(
        connection.execute(
            sa.select(sa.func.count())
            .select_from(datapoints)
            .where(
                datapoints.c.is_current.is_(True),
                datapoints.c.period.like(f"{period[:4]}%"),
                datapoints.c.status != "approved",
            )
        ).scalar()
        or 0
    )
