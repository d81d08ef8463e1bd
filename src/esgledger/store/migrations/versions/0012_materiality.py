"""Double materiality and the IRO register (issue 10, parts 2 and 3; docs/assessment.md).

``stakeholder_groups`` (their concerns, channels, topics and weight); ``materiality_assessments``
(one per period: method, scale, thresholds, time horizons, status and approval) with their
``materiality_topics`` (and the SSE No. 14 Art. 7 explanation of a topic found not material);
the register ``iros`` with their versioned ``iro_scores``; ``questionnaire_links`` (signed, one
response each) and ``stakeholder_responses``; and the decision log ``materiality_decisions``
(runs with their inputs digest, overrides with their reason, carry-forwards, approvals). Every
table is tracked by the audit log.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stakeholder_groups",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("concerns", sa.Text, nullable=False),
        sa.Column("channels", sa.Text, nullable=False),
        sa.Column("topic_ids", sa.Text, nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder_groups")),
    )
    op.create_table(
        "materiality_assessments",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("method_text", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("carried_from", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("approved_body", sa.String(200), nullable=True),
        sa.Column("approved_on", sa.String(10), nullable=True),
        sa.Column("approved_at", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materiality_assessments")),
    )
    op.create_index("ix_materiality_assessments_period", "materiality_assessments", ["period"])
    op.create_table(
        "materiality_topics",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(100), nullable=False),
        sa.Column("explanation", sa.Text, nullable=True),
        sa.Column("carried", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["materiality_assessments.id"],
            name=op.f("fk_materiality_topics_assessment_id_materiality_assessments"),
        ),
        sa.PrimaryKeyConstraint("assessment_id", "topic_id", name=op.f("pk_materiality_topics")),
    )
    op.create_table(
        "iros",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("polarity", sa.String(16), nullable=True),
        sa.Column("actuality", sa.String(16), nullable=True),
        sa.Column("risk_type", sa.String(48), nullable=True),
        sa.Column("value_chain", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("carried_from", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["materiality_assessments.id"],
            name=op.f("fk_iros_assessment_id_materiality_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iros")),
    )
    op.create_index("ix_iros_assessment_id", "iros", ["assessment_id"])
    op.create_table(
        "iro_scores",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("iro_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("axis", sa.String(16), nullable=False),
        sa.Column("components", sa.Text, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scorer", sa.String(100), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("evidence_ids", sa.Text, nullable=False),
        sa.Column("scored_at", sa.String(40), nullable=False),
        sa.Column("carried", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["iro_id"], ["iros.id"], name=op.f("fk_iro_scores_iro_id_iros")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iro_scores")),
    )
    op.create_index("ix_iro_scores_iro_id", "iro_scores", ["iro_id"])
    op.create_table(
        "questionnaire_links",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("nonce_sha256", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.String(40), nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("used_at", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["materiality_assessments.id"],
            name=op.f("fk_questionnaire_links_assessment_id_materiality_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["stakeholder_groups.id"],
            name=op.f("fk_questionnaire_links_group_id_stakeholder_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_links")),
    )
    op.create_table(
        "stakeholder_responses",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("respondent", sa.String(200), nullable=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["materiality_assessments.id"],
            name=op.f("fk_stakeholder_responses_assessment_id_materiality_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["stakeholder_groups.id"],
            name=op.f("fk_stakeholder_responses_group_id_stakeholder_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder_responses")),
    )
    op.create_index(
        "ix_stakeholder_responses_assessment_id", "stakeholder_responses", ["assessment_id"]
    )
    op.create_table(
        "materiality_decisions",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic_id", sa.String(100), nullable=True),
        sa.Column("decided_class", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("inputs_digest", sa.String(64), nullable=True),
        sa.Column("results", sa.Text, nullable=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["materiality_assessments.id"],
            name=op.f("fk_materiality_decisions_assessment_id_materiality_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materiality_decisions")),
    )
    op.create_index(
        "ix_materiality_decisions_assessment_id", "materiality_decisions", ["assessment_id"]
    )


def downgrade() -> None:
    op.drop_table("materiality_decisions")
    op.drop_table("stakeholder_responses")
    op.drop_table("questionnaire_links")
    op.drop_table("iro_scores")
    op.drop_table("iros")
    op.drop_table("materiality_topics")
    op.drop_table("materiality_assessments")
    op.drop_table("stakeholder_groups")
