"""Group accounting: control flags, cell technology, internal transfers, certificates, settings.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(
            sa.Column("financial_control", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(sa.Column("cell_technology", sa.String(length=16), nullable=True))
    with op.batch_alter_table("calc_runs") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), server_default="inventory", nullable=False)
        )
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("from_entity", sa.String(length=64), nullable=False),
        sa.Column("to_entity", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("value_normalised", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_entity"], ["entities.id"], name=op.f("fk_transfers_from_entity_entities")
        ),
        sa.ForeignKeyConstraint(
            ["to_entity"], ["entities.id"], name=op.f("fk_transfers_to_entity_entities")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_transfers_batch_id_import_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    op.create_index("ix_transfers_period", "transfers", ["period"])
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("certificate_id", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("mwh", sa.Float(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_certificates_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_certificates_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("scheme", "certificate_id", name="uq_certificates_scheme_certificate"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("certificates")
    op.drop_index("ix_transfers_period", table_name="transfers")
    op.drop_table("transfers")
    with op.batch_alter_table("calc_runs") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("cell_technology")
        batch.drop_column("financial_control")
