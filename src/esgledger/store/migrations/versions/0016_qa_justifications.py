"""Quality checks (issue 12, part 3): justifications of findings and overrides of the report gate.

A justification is recorded against a finding of a period (its ``rule`` and ``finding_key``) by
someone other than the author of the values it rests on; an override lets an admin publish a final
report while error-level findings are open, with a reason printed in the basis of preparation.
Both tables keep versions (``id``, ``version``) like the governance and disclosure records: a
withdrawal adds a version marked ``withdrawn``; nothing is updated or deleted.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
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
        "qa_justifications",
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("finding_key", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    _versioned(
        "qa_overrides",
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("qa_overrides")
    op.drop_table("qa_justifications")
