"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 09:35:42.583777
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("next_datapoint_id", sa.Integer(), nullable=False),
        sa.Column("next_batch_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    audit_head = sa.table(
        "audit_head",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("hash", sa.String),
        sa.column("next_datapoint_id", sa.Integer),
        sa.column("next_batch_id", sa.Integer),
    )
    op.bulk_insert(
        audit_head,
        [{"id": 1, "seq": 0, "hash": "0" * 64, "next_datapoint_id": 1, "next_batch_id": 1}],
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "calc_runs",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("catalogue_sha256", sa.String(length=64), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.Column("values_count", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calc_runs")),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("type", sa.String(length=32), server_default="company", nullable=False),
        sa.Column("grid_region", sa.String(length=64), nullable=True),
        sa.Column("ownership", sa.Float(), server_default="1.0", nullable=False),
        sa.Column("operational_control", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["entities.id"], name=op.f("fk_entities_parent_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
    )
    op.create_table(
        "factor_sets",
        sa.Column("set_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("edition", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_zh", sa.String(length=300), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("set_id", "version", name=op.f("pk_factor_sets")),
    )
    op.create_table(
        "factor_values",
        sa.Column("factor_id", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("factor_set", sa.String(length=64), nullable=False),
        sa.Column("edition", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("confidence", sa.String(length=1), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "factor_id", "valid_from", "version", name=op.f("pk_factor_values")
        ),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_table(
        "calc_values",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("metric_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("lineage", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["calc_runs.id"], name=op.f("fk_calc_values_run_id_calc_runs")
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "entity_id", "period", "metric_id", name=op.f("pk_calc_values")
        ),
    )
    op.create_table(
        "datapoints",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("metric_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("value_normalised", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes", sa.Integer(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_datapoints_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_datapoints_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datapoints")),
    )
    with op.batch_alter_table("datapoints", schema=None) as batch_op:
        batch_op.create_index("ix_datapoints_period_metric", ["period", "metric_id"], unique=False)
        batch_op.create_index(
            "uq_datapoints_current",
            ["entity_id", "period", "metric_id"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "entity_aliases",
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_aliases_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_entity_aliases")),
    )


def downgrade() -> None:
    op.drop_table("entity_aliases")
    with op.batch_alter_table("datapoints", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_datapoints_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index("ix_datapoints_period_metric")

    op.drop_table("datapoints")
    op.drop_table("calc_values")
    op.drop_table("import_batches")
    op.drop_table("factor_values")
    op.drop_table("factor_sets")
    op.drop_table("entities")
    op.drop_table("calc_runs")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
