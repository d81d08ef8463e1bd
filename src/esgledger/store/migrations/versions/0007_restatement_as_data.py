"""Keep a restated base year's figures and reasons on its calculation run.

The report read them from the ``calc.restate`` audit entry's payload; they now live in
``calc_runs.restatement`` (JSON), copied here from the audit log for runs restated before.

The column is part of what a run's row digest covers, so the rows are stamped afresh after the
upgrade (``rebaseline``, see :mod:`esgledger.ledger.baseline`).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
rebaseline = True

FIELDS = ("base_year", "original", "restated", "change", "threshold", "reasons")


def upgrade() -> None:
    with op.batch_alter_table("calc_runs") as batch:
        batch.add_column(sa.Column("restatement", sa.Text(), nullable=True))
    connection = op.get_bind()
    entries = connection.execute(
        sa.text(
            "select object_id, payload from audit_log where action = 'calc.restate' order by seq"
        )
    )
    for run_id, payload in entries:
        restatement = {name: json.loads(payload).get(name) for name in FIELDS}
        connection.execute(
            sa.text("update calc_runs set restatement = :restatement where id = :id"),
            {"restatement": json.dumps(restatement), "id": int(run_id)},
        )


def downgrade() -> None:
    with op.batch_alter_table("calc_runs") as batch:
        batch.drop_column("restatement")
