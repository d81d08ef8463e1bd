"""Keep what a calculation run could not compute, and why, on the run; and, on each factor value,
how it was verified and the data year it belongs to.

A missing factor or input no longer stops a calculation: the value (and what depends on it) is
listed as not computable, with its reason and the value whose failure caused it, and a Scope 3
category the organisation does not report as not reported (:mod:`esgledger.calc.gaps`). The list
lives in ``calc_runs.gaps`` (JSON); runs stored before have none (NULL: everything computed).

A factor value cites its primary publication in ``source``; how it was checked against it (or that
it still must be) is ``factor_values.verification``, for reviewers, summarised but never quoted by
the report. ``factor_values.vintage`` is the data year of a value that a set applies to other
years too (a year with no official value takes the documented nearest vintage, marked as such).

A figure broken down by members is kept under its metric key (``workforce.headcount{gender=
female}``, :mod:`esgledger.catalogue.breakdowns`): ``metric_id`` of data points and calculated
values widens from 100 to 300 characters.

The column is part of what a run's row digest covers, so the rows are stamped afresh after the
upgrade (``rebaseline``, see :mod:`esgledger.ledger.baseline`).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

METRIC_KEY_LENGTH = 300

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
rebaseline = True


def upgrade() -> None:
    with op.batch_alter_table("calc_runs") as batch:
        batch.add_column(sa.Column("gaps", sa.Text(), nullable=True))
    with op.batch_alter_table("factor_values") as batch:
        batch.add_column(sa.Column("verification", sa.Text(), nullable=True))
        batch.add_column(sa.Column("vintage", sa.Integer(), nullable=True))
    for table in ("datapoints", "calc_values"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "metric_id", type_=sa.String(METRIC_KEY_LENGTH), existing_type=sa.String(100)
            )


def downgrade() -> None:
    for table in ("datapoints", "calc_values"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "metric_id", type_=sa.String(100), existing_type=sa.String(METRIC_KEY_LENGTH)
            )
    with op.batch_alter_table("factor_values") as batch:
        batch.drop_column("vintage")
        batch.drop_column("verification")
    with op.batch_alter_table("calc_runs") as batch:
        batch.drop_column("gaps")
