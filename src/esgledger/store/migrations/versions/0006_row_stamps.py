"""Row stamps: audit entries name the tracked rows they wrote; built reports get their own table.

- ``audit_log.rows``: the stamps (table, key, digest) of the rows an entry wrote, hashed with it;
- ``calc_runs.values_digest`` and ``factor_sets.values_digest``: one digest of their child rows;
- ``report_builds``: the report registry, moved out of ``settings`` (keys ``report.PERIOD.LANG``);
- ``rebaseline``: after the upgrade, ``Database.migrate`` fills the child digests and appends a
  baseline entry stamping every row that exists already, so that ``audit verify`` can hold the
  tables to the log from here on (:mod:`esgledger.ledger.baseline`).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import json
from pathlib import PurePath

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
rebaseline = True  # what the tracked tables' digests cover changed: stamp every row after upgrade


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("rows", sa.Text(), nullable=True))
    with op.batch_alter_table("calc_runs") as batch:
        batch.add_column(sa.Column("values_digest", sa.String(length=64), nullable=True))
    with op.batch_alter_table("factor_sets") as batch:
        batch.add_column(sa.Column("values_digest", sa.String(length=64), nullable=True))
    op.create_table(
        "report_builds",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("storage_path", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.String(length=40), nullable=False),
        sa.Column("built_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_builds")),
    )
    op.create_index("ix_report_builds_period_lang", "report_builds", ["period", "lang"])
    _move_report_registry(op.get_bind())


def _move_report_registry(connection: sa.Connection) -> None:
    settings = sa.table("settings", sa.column("key"), sa.column("value"))
    builds = sa.table(
        "report_builds",
        *(
            sa.column(name)
            for name in (
                "id",
                "period",
                "lang",
                "file_name",
                "storage_path",
                "sha256",
                "size",
                "built_at",
                "built_by",
            )
        ),
    )
    rows = connection.execute(
        sa.select(settings.c.key, settings.c.value).where(settings.c.key.like("report.%"))
    ).all()
    for number, (key, value) in enumerate(sorted(rows), start=1):
        _prefix, period, lang = key.split(".")
        record = json.loads(value)
        path = PurePath(record["path"])
        connection.execute(
            builds.insert().values(
                id=number,
                period=period,
                lang=lang,
                file_name=record["file_name"],
                storage_path=f"{path.parent.name}/{path.name}",
                sha256=record["sha256"],
                size=0,
                built_at=record["at"],
                built_by=record["by"],
            )
        )
    if rows:
        connection.execute(settings.delete().where(settings.c.key.like("report.%")))


def downgrade() -> None:
    op.drop_index("ix_report_builds_period_lang", table_name="report_builds")
    op.drop_table("report_builds")
    with op.batch_alter_table("factor_sets") as batch:
        batch.drop_column("values_digest")
    with op.batch_alter_table("calc_runs") as batch:
        batch.drop_column("values_digest")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("rows")
