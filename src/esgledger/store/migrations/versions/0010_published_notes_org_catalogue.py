"""Notes printed in the report, the organisation's own catalogue, and its own factors.

``datapoints.note_public`` marks a data point's note as a footnote of the published report (SSE
Guideline No. 14 and HKEX ask that a figure's boundary and basis be stated beside it); other notes
stay reviewers' remarks. Existing notes are not published (default false).

``catalogue_versions`` keeps the organisation's own metrics and axes: each
``esgledger catalogue import`` adds a version holding the organisation's whole catalogue as
canonical JSON, audited like every write; the newest version is the one in effect.

``factor_values.overrides`` names the built-in factor that a value of the organisation's own
factor set (``esgledger factors import``, sets named ``org_*``) stands for.

The new columns are part of what a data point's row digest and a factor set's values digest
cover, so the rows are stamped afresh after the upgrade (``rebaseline``, see
:mod:`esgledger.ledger.baseline`).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
rebaseline = True


def upgrade() -> None:
    with op.batch_alter_table("datapoints") as batch:
        batch.add_column(
            sa.Column("note_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("factor_values") as batch:
        batch.add_column(sa.Column("overrides", sa.String(200), nullable=True))
    op.create_table(
        "catalogue_versions",
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.String(40), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_catalogue_versions")),
    )


def downgrade() -> None:
    op.drop_table("catalogue_versions")
    with op.batch_alter_table("factor_values") as batch:
        batch.drop_column("overrides")
    with op.batch_alter_table("datapoints") as batch:
        batch.drop_column("note_public")
