"""Governance and engagement records (issue 10, part 4): the organisation's own topics, the
sustainability governance bodies, their meetings, the training given to directors, and the policy
register.

Every table keeps its records in versions (``id``, ``version``): a change adds the next version of
the whole record and a withdrawal adds a version marked ``withdrawn`` with its ``reason``; nothing
is updated or deleted. Each row is stamped into the audit log like every tracked row.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
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
        "assess_topics",
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("dimension", sa.String(20), nullable=False),
        sa.Column("frameworks", sa.Text(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
    )
    _versioned(
        "governance_bodies",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(100), nullable=True),
        sa.Column("entity_id", sa.String(100), nullable=True),
        sa.Column("duties", sa.Text(), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("reporting_frequency", sa.String(20), nullable=False),
        sa.Column("topic_ids", sa.Text(), nullable=False),
    )
    _versioned(
        "governance_meetings",
        sa.Column("body_id", sa.String(100), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic_ids", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
    )
    _versioned(
        "director_training",
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("directors", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
    )
    _versioned(
        "policies",
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.String(40), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("topic_ids", sa.Text(), nullable=False),
        sa.Column("document_name", sa.String(200), nullable=True),
        sa.Column("document_sha256", sa.String(64), nullable=True),
        sa.Column("document_type", sa.String(100), nullable=True),
        sa.Column("document_size", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    for name in (
        "policies",
        "director_training",
        "governance_meetings",
        "governance_bodies",
        "assess_topics",
    ):
        op.drop_table(name)
