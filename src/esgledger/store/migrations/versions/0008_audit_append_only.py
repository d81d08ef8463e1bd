"""The audit log is append-only in the database too (PostgreSQL; nothing to do on SQLite).

- a trigger function raising an error, fired BEFORE UPDATE OR DELETE of each row and BEFORE
  TRUNCATE of ``audit_log``: no role changes or removes an entry, the owner and superusers
  included, unless it first disables the trigger (which only they may);
- ``UPDATE``, ``DELETE`` and ``TRUNCATE`` on ``audit_log`` revoked from ``PUBLIC`` and from the
  role that runs the migration (the owner, which could grant them back: a server should run as
  a role that does not own the tables, see README, "Server").

esgledger only ever inserts audit entries (a restore inserts them into an empty ledger). Anchors
(:mod:`esgledger.ledger.anchors`) find what a superuser does anyway.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FUNCTION = "esgledger_audit_log_append_only"
ROW_TRIGGER = "audit_log_no_update_or_delete"
TRUNCATE_TRIGGER = "audit_log_no_truncate"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'esgledger records a correction as a new entry';
        END
        $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {ROW_TRIGGER} BEFORE UPDATE OR DELETE ON audit_log "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )
    op.execute(
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON audit_log "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER")
    op.execute(f"DROP TRIGGER {TRUNCATE_TRIGGER} ON audit_log")
    op.execute(f"DROP TRIGGER {ROW_TRIGGER} ON audit_log")
    op.execute(f"DROP FUNCTION {FUNCTION}()")
