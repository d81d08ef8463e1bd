"""Record which side (supplier or receiver) reported an internal transfer.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transfers") as batch:
        batch.add_column(
            sa.Column("reported_by", sa.String(length=8), server_default="from", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("transfers") as batch:
        batch.drop_column("reported_by")
