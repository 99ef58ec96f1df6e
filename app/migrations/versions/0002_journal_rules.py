"""Rules the database enforces whatever the client: append-only ledgers and change timestamps.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = {
    "mark": "Отметка не изменяется и не удаляется (§4.2.1 Положения): исправление вносит "
    "заместитель директора по УР новой записью с причиной.",
    "semester_mark": "Отметка за семестр не изменяется и не удаляется: исправление вносится новой записью.",
    "audit_event": "Журнал аудита не изменяется и не удаляется.",
}


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION ejournal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING
                ERRCODE = 'P0001',
                MESSAGE = TG_ARGV[0],
                HINT = format('%s on %s is refused by a trigger', TG_OP, TG_TABLE_NAME);
        END $$;
        """
    )
    for table, message in APPEND_ONLY.items():
        quoted = message.replace("'", "''")
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ejournal_refuse_change('{quoted}')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION ejournal_refuse_change('{quoted}')"
        )

    # The ETL reads lessons and attendance changed since its last high-water mark.
    op.execute(
        """
        CREATE FUNCTION ejournal_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := clock_timestamp();
            RETURN NEW;
        END $$;
        """
    )
    for table in ("lesson", "attendance"):
        op.execute(
            f"CREATE TRIGGER {table}_touch BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ejournal_touch_updated_at()"
        )

    # The mark as it stands now: the original, or the latest correction of it.
    op.execute(
        """
        CREATE VIEW mark_current AS
        WITH RECURSIVE chain AS (
            SELECT m.id AS original_id, m.id AS current_id
            FROM mark m WHERE m.corrects_mark_id IS NULL
            UNION ALL
            SELECT chain.original_id, c.id
            FROM chain JOIN mark c ON c.corrects_mark_id = chain.current_id
        ), heads AS (
            SELECT DISTINCT ON (original_id) original_id, current_id
            FROM chain ORDER BY original_id, current_id DESC
        )
        SELECT o.id AS original_id, o.lesson_id, o.student_id, o.college_id, o.work_kind,
               o.value AS original_value, cur.value, cur.id AS current_id,
               cur.correction_reason, o.comment, o.created_at, o.created_by_user_id,
               cur.id <> o.id AS corrected
        FROM heads h
        JOIN mark o ON o.id = h.original_id
        JOIN mark cur ON cur.id = h.current_id
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS mark_current")
    for table in ("lesson", "attendance"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_touch ON {table}")
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS ejournal_touch_updated_at()")
    op.execute("DROP FUNCTION IF EXISTS ejournal_refuse_change()")
