"""Count changes to the configuration (users, entities, period locks, settings) on the audit head.

Servers cache what is read on every request (who a token's user is and what they may see, the
entity tree, the locked periods) and reload it when this number moves.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(
            sa.Column("configuration_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("configuration_generation")
