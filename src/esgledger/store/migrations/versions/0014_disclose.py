"""Disclosure coverage (issue 11, part 2): the reporting profile of a period (frameworks chosen,
HKEX issuer class) and the explanations and not-applicable declarations of framework items.

Both tables keep versions (``id``, ``version``) like the governance records: a change adds the next
version and a withdrawal adds a version marked ``withdrawn``; nothing is updated or deleted.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _versioned(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        *columns,
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", "version", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _versioned(
        "disclose_profiles",
        sa.Column("frameworks", sa.Text(), nullable=False),
        sa.Column("issuer_class", sa.String(40), nullable=True),
    )
    _versioned(
        "disclose_explanations",
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason_id", sa.String(60), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("disclose_explanations")
    op.drop_table("disclose_profiles")
