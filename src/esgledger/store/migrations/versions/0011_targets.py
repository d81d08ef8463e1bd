"""Targets (issue 10, part 1).

``targets`` keeps every version of every target: absolute or intensity, on a catalogue metric key
of an entity (optionally a stated part of its subtree, ``covers``), from a base year (its value
from the ledger's calculation runs, or reported with its source) to a target year, with interim
milestones, the gases and scopes of a GHG target, and for a net target its gross target and the
credits it counts. A change or a withdrawal (with its reason) is a new version; the newest is
``is_current``; nothing is deleted. Audited like every write (``target.create``,
``target.update``, ``target.withdraw``). The status is computed when shown, never stored.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("name_zh", sa.String(500), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("metric_key", sa.String(300), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("covers", sa.String(300), nullable=True),
        sa.Column("unit", sa.String(50), nullable=False),
        sa.Column("base_year", sa.Integer(), nullable=False),
        sa.Column("base_value", sa.Float(), nullable=True),
        sa.Column("base_source", sa.Text(), nullable=True),
        sa.Column("base_method", sa.String(16), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_change", sa.Float(), nullable=True),
        sa.Column("milestones", sa.Text(), nullable=False),
        sa.Column("gases", sa.Text(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("net", sa.Boolean(), nullable=False),
        sa.Column("gross_target", sa.String(64), nullable=True),
        sa.Column("credits", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_targets_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("target_id", "version", name=op.f("pk_targets")),
    )
    op.create_index("ix_targets_metric_key", "targets", ["metric_key"])


def downgrade() -> None:
    op.drop_index("ix_targets_metric_key", table_name="targets")
    op.drop_table("targets")
