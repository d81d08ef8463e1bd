"""The organisation's narrative sections of the full report (issue 11, part 3): Markdown per
period, outline section and language, kept in versions (each save adds one; nothing is updated or
deleted). Each row is stamped into the audit log like every tracked row.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_sections",
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("section_id", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("saved_at", sa.String(40), nullable=False),
        sa.Column("saved_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "section_id", "lang", "version", name=op.f("pk_report_sections")
        ),
    )


def downgrade() -> None:
    op.drop_table("report_sections")
