"""The tables. Written with SQLAlchemy Core so that bulk writes stay fast on SQLite and PostgreSQL.

Alembic migrations in ``store/migrations`` create these tables; a test checks that the migrated
database matches this metadata.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

METRIC_KEY_LENGTH = 300  # a metric id with breakdown members (migration 0009 widened it from 100)
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_zh", sa.String(200), nullable=True),
    sa.Column("parent_id", sa.String(64), sa.ForeignKey("entities.id"), nullable=True),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("type", sa.String(32), nullable=False, server_default="company"),
    sa.Column("grid_region", sa.String(64), nullable=True),
    sa.Column("ownership", sa.Float, nullable=False, server_default="1.0"),
    sa.Column("operational_control", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("financial_control", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("cell_technology", sa.String(16), nullable=True),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_to", sa.Date, nullable=True),
)

entity_aliases = sa.Table(
    "entity_aliases",
    metadata,
    sa.Column("alias", sa.String(200), primary_key=True),
    sa.Column("entity_id", sa.String(64), sa.ForeignKey("entities.id"), nullable=False),
)

import_batches = sa.Table(
    "import_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
)

datapoints = sa.Table(
    "datapoints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("entity_id", sa.String(64), sa.ForeignKey("entities.id"), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    # the metric key: the metric id, with breakdown members in braces (catalogue.breakdowns)
    sa.Column("metric_id", sa.String(METRIC_KEY_LENGTH), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.String(50), nullable=False),
    sa.Column("value_normalised", sa.Float, nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("source", sa.String(500), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    # the note is a footnote of the published report (migration 0010), not only a reviewer's remark
    sa.Column("note_public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("supersedes", sa.Integer, nullable=True),
    sa.Column("is_current", sa.Boolean, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Index("ix_datapoints_period_metric", "period", "metric_id"),
    sa.Index(
        "uq_datapoints_current",
        "entity_id",
        "period",
        "metric_id",
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    ),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("object_id", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # Stamps (table, key, digest) of the tracked rows the entry wrote, as canonical JSON; part of
    # the entry's hash (migration 0006). ``audit verify`` replays them against the tables.
    sa.Column("rows", sa.Text, nullable=True),
)

# One row (id = 1): the chain head. Locked by every writer, so appends are serialised on PostgreSQL,
# and it anchors the last entry so that truncating the log is detected.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("next_datapoint_id", sa.Integer, nullable=False),
    sa.Column("next_batch_id", sa.Integer, nullable=False),
    # Moves with every audited change of users, entities, period locks or settings (0005).
    sa.Column("configuration_generation", sa.Integer, nullable=False, server_default="0"),
)

factor_values = sa.Table(
    "factor_values",
    metadata,
    sa.Column("factor_id", sa.String(200), primary_key=True),
    sa.Column("valid_from", sa.Date, primary_key=True),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("factor_set", sa.String(64), nullable=False),
    sa.Column("edition", sa.String(200), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.String(50), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("confidence", sa.String(1), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    # how the value was checked against its publication, for reviewers (migration 0009)
    sa.Column("verification", sa.Text, nullable=True),
    # the data year the value belongs to, when it is used for other years (nearest vintage)
    sa.Column("vintage", sa.Integer, nullable=True),
    # the built-in factor an organisation's own factor stands for (migration 0010)
    sa.Column("overrides", sa.String(200), nullable=True),
)

factor_sets = sa.Table(
    "factor_sets",
    metadata,
    sa.Column("set_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("edition", sa.String(200), nullable=False),
    sa.Column("title_en", sa.String(300), nullable=False),
    sa.Column("title_zh", sa.String(300), nullable=False),
    sa.Column("citation", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.String(40), nullable=False),
    # Digest of all the set's factor_values rows (migration 0006): ``audit verify`` checks it.
    sa.Column("values_digest", sa.String(64), nullable=True),
)

calc_runs = sa.Table(
    "calc_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("options", sa.Text, nullable=False),
    sa.Column("catalogue_sha256", sa.String(64), nullable=False),
    sa.Column("result_sha256", sa.String(64), nullable=False),
    sa.Column("values_count", sa.Integer, nullable=False),
    sa.Column("is_current", sa.Boolean, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, server_default="inventory"),
    # Digest of all the run's calc_values rows (migration 0006): ``audit verify`` checks it.
    sa.Column("values_digest", sa.String(64), nullable=True),
    # a restated run: the base year's figures before and after, the threshold and the reasons (JSON)
    sa.Column("restatement", sa.Text, nullable=True),
    # values not computed and why (migration 0009): a JSON list of calc.gaps.Gap; NULL: none
    sa.Column("gaps", sa.Text, nullable=True),
)

calc_values = sa.Table(
    "calc_values",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("calc_runs.id"), primary_key=True),
    sa.Column("entity_id", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("metric_id", sa.String(METRIC_KEY_LENGTH), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.String(50), nullable=False),
    sa.Column("lineage", sa.Text, nullable=False),
)

# Energy supplied by one entity to another inside the group (captive power plant -> smelter).
transfers = sa.Table(
    "transfers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("from_entity", sa.String(64), sa.ForeignKey("entities.id"), nullable=False),
    sa.Column("to_entity", sa.String(64), sa.ForeignKey("entities.id"), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("carrier", sa.String(32), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.String(50), nullable=False),
    sa.Column("value_normalised", sa.Float, nullable=False),
    sa.Column("reported_by", sa.String(8), nullable=False, server_default="from"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("is_current", sa.Boolean, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Index("ix_transfers_period", "period"),
)

# Contractual instruments for market-based Scope 2: a certificate id is claimed once, ever.
certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("scheme", sa.String(32), nullable=False),
    sa.Column("certificate_id", sa.String(200), nullable=False),
    sa.Column("entity_id", sa.String(64), sa.ForeignKey("entities.id"), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("mwh", sa.Float, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.UniqueConstraint("scheme", "certificate_id", name="uq_certificates_scheme_certificate"),
)

# A report build registered in settings before migration 0006 moved builds to report_builds
# (``report.2024.en``); other ``report.`` keys are settings of the report (report.print_reported).
LEGACY_REPORT_BUILD_KEY = re.compile(r"^report\.[0-9]{4}(-[0-9]{2})?\.[a-z]{2}$")

# Inventory-wide settings (base year, restatement threshold), one row per key.
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# -- collaboration (migration 0003): users, access, evidence, review, period locks ---------------

# Looking up the audit history of one object (a data point's versions, a user, a period).
sa.Index("ix_audit_log_object", audit_log.c.object_type, audit_log.c.object_id)

# Local accounts. ``password_hash`` is an argon2id hash; ``locked_until`` is set after repeated
# failed logins.
users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.String(40), nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
)

# The entities a data owner (or a scoped viewer) is assigned; their sub-entities are included.
user_entities = sa.Table(
    "user_entities",
    metadata,
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), primary_key=True),
    sa.Column("entity_id", sa.String(64), sa.ForeignKey("entities.id"), primary_key=True),
)

# Bearer tokens for API clients: only the SHA-256 of the token is stored.
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_api_tokens_username", "username"),
)

# Server-side web sessions: the cookie carries the session id, only its SHA-256 is stored; the CSRF
# secret is handed to the page and checked on every form post.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
    sa.Column("csrf_secret", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Index("ix_web_sessions_username", "username"),
)

# Files attached to a data point version. Stored once per content under ``storage_path`` (relative
# to the evidence directory, derived from the SHA-256, never from the uploaded name).
evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("datapoint_id", sa.Integer, sa.ForeignKey("datapoints.id"), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("file_name", sa.String(200), nullable=False),
    sa.Column("storage_path", sa.String(200), nullable=False),
    sa.Column("uploaded_by", sa.String(100), nullable=False),
    sa.Column("uploaded_at", sa.String(40), nullable=False),
    sa.Index("ix_evidence_datapoint_id", "datapoint_id"),
)

# Lock state of a reporting period; its history is in the audit log.
period_locks = sa.Table(
    "period_locks",
    metadata,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("locked", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("changed_by", sa.String(100), nullable=False),
    sa.Column("changed_at", sa.String(40), nullable=False),
)

# Review trail of a data point version: explanations, submissions, approvals, rejections.
review_comments = sa.Table(
    "review_comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("datapoint_id", sa.Integer, sa.ForeignKey("datapoints.id"), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Index("ix_review_comments_datapoint_id", "datapoint_id"),
)

# Built reports (migration 0006): every build of a period's report in a language, with the file's
# SHA-256; the newest build of each (period, language) is the one offered for download.
report_builds = sa.Table(
    "report_builds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("file_name", sa.String(200), nullable=False),
    sa.Column("storage_path", sa.String(300), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("built_at", sa.String(40), nullable=False),
    sa.Column("built_by", sa.String(100), nullable=False),
    sa.Index("ix_report_builds_period_lang", "period", "lang"),
)

# The organisation's own catalogue (migration 0010): every import adds a version holding the
# whole of the organisation's metrics and axes (canonical JSON); the newest version is in effect.
catalogue_versions = sa.Table(
    "catalogue_versions",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(200), nullable=False),
    sa.Column("imported_at", sa.String(40), nullable=False),
    sa.Column("imported_by", sa.String(100), nullable=False),
)

# Double materiality and the IRO register (migration 0012; docs/assessment.md). Lists and
# mappings are canonical JSON text.
stakeholder_groups = sa.Table(
    "stakeholder_groups",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("concerns", sa.Text, nullable=False),  # JSON list of text
    sa.Column("channels", sa.Text, nullable=False),  # JSON list of text
    sa.Column("topic_ids", sa.Text, nullable=False),  # JSON list of topic ids
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
)

materiality_assessments = sa.Table(
    "materiality_assessments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("method_text", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),  # JSON: scale, thresholds, horizons, stakeholders
    sa.Column("status", sa.String(16), nullable=False),  # draft | approved
    sa.Column("carried_from", sa.Integer, nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("approved_by", sa.String(100), nullable=True),
    sa.Column("approved_body", sa.String(200), nullable=True),
    sa.Column("approved_on", sa.String(10), nullable=True),
    sa.Column("approved_at", sa.String(40), nullable=True),
    sa.Index("ix_materiality_assessments_period", "period"),
)

materiality_topics = sa.Table(
    "materiality_topics",
    metadata,
    sa.Column(
        "assessment_id",
        sa.Integer,
        sa.ForeignKey("materiality_assessments.id"),
        primary_key=True,
    ),
    sa.Column("topic_id", sa.String(100), primary_key=True),
    sa.Column("explanation", sa.Text, nullable=True),  # SSE No. 14 Art. 7, when not material
    sa.Column("carried", sa.Boolean, nullable=False),
)

iros = sa.Table(
    "iros",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "assessment_id", sa.Integer, sa.ForeignKey("materiality_assessments.id"), nullable=False
    ),
    sa.Column("topic_id", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # impact | risk | opportunity
    sa.Column("polarity", sa.String(16), nullable=True),
    sa.Column("actuality", sa.String(16), nullable=True),
    sa.Column("risk_type", sa.String(48), nullable=True),
    sa.Column("value_chain", sa.String(32), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    # JSON: title_zh, description, location, horizons, effects, response, owner, target_ids,
    # metric_keys, scenarios (assess/iros/fields.py)
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("carried_from", sa.Integer, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
    sa.Index("ix_iros_assessment_id", "assessment_id"),
)

iro_scores = sa.Table(
    "iro_scores",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("iro_id", sa.Integer, sa.ForeignKey("iros.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("axis", sa.String(16), nullable=False),  # impact | financial
    sa.Column("components", sa.Text, nullable=False),  # JSON: scale, scope, ... as scored
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("scorer", sa.String(100), nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
    sa.Column("evidence_ids", sa.Text, nullable=False),  # JSON list of evidence ids
    sa.Column("scored_at", sa.String(40), nullable=False),
    sa.Column("carried", sa.Boolean, nullable=False),
    sa.Index("ix_iro_scores_iro_id", "iro_id"),
)

questionnaire_links = sa.Table(
    "questionnaire_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "assessment_id", sa.Integer, sa.ForeignKey("materiality_assessments.id"), nullable=False
    ),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("stakeholder_groups.id"), nullable=False),
    sa.Column("nonce_sha256", sa.String(64), nullable=False),  # the link's secret part, hashed
    sa.Column("issued_at", sa.String(40), nullable=False),
    sa.Column("issued_by", sa.String(100), nullable=False),
    sa.Column("used_at", sa.String(40), nullable=True),
)

stakeholder_responses = sa.Table(
    "stakeholder_responses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "assessment_id", sa.Integer, sa.ForeignKey("materiality_assessments.id"), nullable=False
    ),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("stakeholder_groups.id"), nullable=False),
    sa.Column("link_id", sa.Integer, nullable=True),
    sa.Column("source", sa.String(16), nullable=False),  # link | import
    sa.Column("respondent", sa.String(200), nullable=True),
    sa.Column("answers", sa.Text, nullable=False),  # JSON: topic id -> point of the scale
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Index("ix_stakeholder_responses_assessment_id", "assessment_id"),
)

# The decision log: each run (inputs digest, results), override (class, reason), carry-forward
# and approval of an assessment, in order.
materiality_decisions = sa.Table(
    "materiality_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "assessment_id", sa.Integer, sa.ForeignKey("materiality_assessments.id"), nullable=False
    ),
    sa.Column("kind", sa.String(16), nullable=False),  # run | override | approval | carry
    sa.Column("topic_id", sa.String(100), nullable=True),
    sa.Column("decided_class", sa.String(16), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("inputs_digest", sa.String(64), nullable=True),
    sa.Column("results", sa.Text, nullable=True),  # JSON
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Index("ix_materiality_decisions_assessment_id", "assessment_id"),
)


# Targets (migration 0011): every version of every target; a change or a withdrawal is a new
# version (``is_current`` marks the newest), nothing is deleted. Status is never stored: it is
# computed from the calculation runs each time a target is shown (esgledger.assess.targets).
targets = sa.Table(
    "targets",
    metadata,
    sa.Column("target_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("is_current", sa.Boolean, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # active, withdrawn
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("name_zh", sa.String(500), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("metric_key", sa.String(METRIC_KEY_LENGTH), nullable=False),
    sa.Column("entity_id", sa.String(64), sa.ForeignKey("entities.id"), nullable=False),
    sa.Column("covers", sa.String(300), nullable=True),
    sa.Column("unit", sa.String(50), nullable=False),
    sa.Column("base_year", sa.Integer, nullable=False),
    sa.Column("base_value", sa.Float, nullable=True),
    sa.Column("base_source", sa.Text, nullable=True),
    sa.Column("base_method", sa.String(16), nullable=True),
    sa.Column("target_year", sa.Integer, nullable=False),
    sa.Column("target_value", sa.Float, nullable=True),
    sa.Column("target_change", sa.Float, nullable=True),
    sa.Column("milestones", sa.Text, nullable=False),  # JSON [{year, value, change}]
    sa.Column("gases", sa.Text, nullable=False),  # JSON list
    sa.Column("scopes", sa.Text, nullable=False),  # JSON list
    sa.Column("net", sa.Boolean, nullable=False),
    sa.Column("gross_target", sa.String(64), nullable=True),
    sa.Column("credits", sa.Text, nullable=False),  # JSON [{year, quantity, source}]
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),  # why it was withdrawn
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("by", sa.String(100), nullable=False),
    sa.Index("ix_targets_metric_key", "metric_key"),
)


# Governance and engagement records (migration 0013; docs/assessment.md). Every record is kept in
# versions: a change adds the next version of the whole record, a withdrawal adds a version marked
# withdrawn with its reason; the newest version of an id is the record in force. Nothing is updated
# or deleted, so an auditor can say how the record came to be. Lists are canonical JSON text.
def _versioned(name: str, *columns: sa.Column[Any]) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        *columns,
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
    )


# The organisation's own topics (ids org.<name>), added to the built-in topic library.
assess_topics = _versioned(
    "assess_topics",
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("dimension", sa.String(20), nullable=False),
    sa.Column("frameworks", sa.Text, nullable=False),
    sa.Column("metrics", sa.Text, nullable=False),
    sa.Column("citation", sa.Text, nullable=False),
)

# Sustainability governance bodies (board, committee, working group, team; SSE No. 14 Art. 12).
governance_bodies = _versioned(
    "governance_bodies",
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("parent_id", sa.String(100), nullable=True),
    sa.Column("entity_id", sa.String(100), nullable=True),
    sa.Column("duties", sa.Text, nullable=False),
    sa.Column("members", sa.Text, nullable=False),
    sa.Column("reporting_frequency", sa.String(20), nullable=False),
    sa.Column("topic_ids", sa.Text, nullable=False),
)

# Meetings held by a governance body, with the topics discussed.
governance_meetings = _versioned(
    "governance_meetings",
    sa.Column("body_id", sa.String(100), nullable=False),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("topic_ids", sa.Text, nullable=False),
    sa.Column("decisions", sa.Text, nullable=False),
    sa.Column("attended", sa.Integer, nullable=False),
    sa.Column("invited", sa.Integer, nullable=False),
)

# Training given to directors (HKEX B7.3 anti-corruption training; SSE No. 14 Art. 12 competence).
director_training = _versioned(
    "director_training",
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("directors", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("hours", sa.Float, nullable=False),
    sa.Column("provider", sa.String(200), nullable=False),
)

# The policy register; the document is a file in the evidence store (content-addressed).
policies = _versioned(
    "policies",
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("aliases", sa.Text, nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("policy_version", sa.String(40), nullable=False),
    sa.Column("effective_on", sa.Date, nullable=False),
    sa.Column("topic_ids", sa.Text, nullable=False),
    sa.Column("document_name", sa.String(200), nullable=True),
    sa.Column("document_sha256", sa.String(64), nullable=True),
    sa.Column("document_type", sa.String(100), nullable=True),
    sa.Column("document_size", sa.Integer, nullable=True),
)

# The organisation's narrative sections of the full report (migration 0015): Markdown per period,
# outline section and language. Each save adds the next version; nothing is updated or deleted;
# the newest version of a (period, section, language) is the text in force.
report_sections = sa.Table(
    "report_sections",
    metadata,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("section_id", sa.String(64), primary_key=True),
    sa.Column("lang", sa.String(8), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("saved_at", sa.String(40), nullable=False),
    sa.Column("saved_by", sa.String(100), nullable=False),
)

# The reporting profile of a period (issue 11, part 2): the frameworks the organisation reports
# against (``hkex`` or an edition pinned as ``hkex@2020``) and its HKEX issuer class. Id: period.
disclose_profiles = _versioned(
    "disclose_profiles",
    sa.Column("frameworks", sa.Text, nullable=False),
    sa.Column("issuer_class", sa.String(40), nullable=True),
)

# A framework item explained (comply or explain: a reason of the framework's list, with text in
# both languages) or declared not applicable, for one period. Id: ``<period>/<reference>``.
disclose_explanations = _versioned(
    "disclose_explanations",
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("reference", sa.String(100), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason_id", sa.String(60), nullable=True),
    sa.Column("text_en", sa.Text, nullable=False),
    sa.Column("text_zh", sa.Text, nullable=False),
)

# A finding of the quality checks justified (issue 12, part 3) by someone other than the author of
# the values it rests on: the rule, the finding's key (stable across runs on unchanged data), the
# severity and message when justified, and the justification. Id: ``<period>/<digest of rule and
# key>``. Withdrawn by a new version.
qa_justifications = _versioned(
    "qa_justifications",
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("rule", sa.String(100), nullable=False),
    sa.Column("finding_key", sa.Text, nullable=False),
    sa.Column("severity", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

# An admin's override of the report gate: a final report published while error-level findings
# were open (JSON list of their rule and key), with the reason (column ``reason``) printed in the
# basis of preparation. Id: the period; each override a new version.
qa_overrides = _versioned(
    "qa_overrides",
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("findings", sa.Text, nullable=False),
)
