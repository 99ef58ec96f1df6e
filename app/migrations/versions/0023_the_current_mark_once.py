"""The mark as it stands now, once (issue 15): `mark_current_of(lessons, student)` walks the
corrections of just the marks asked for (a lesson's, a student's, or all); the view `mark_current`
is that function over every mark, and the services call the function instead of their own
recursive copies (the diary walked a student's marks itself, since the view walks the whole table).

A chain is followed by its depth: the current mark is the last correction of the original.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_PATH = "pg_catalog, public, pg_temp"

OLD_VIEW = """
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


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION mark_current_of(p_lessons integer[] DEFAULT NULL, p_student integer DEFAULT NULL)
        RETURNS TABLE (
            original_id bigint, lesson_id integer, student_id integer, college_id integer,
            work_kind character varying, original_value character varying, value character varying,
            current_id bigint, correction_reason character varying, comment character varying,
            created_at timestamptz, created_by_user_id integer, corrected boolean
        )
        LANGUAGE sql STABLE SET search_path = {SEARCH_PATH} AS $$
            WITH RECURSIVE originals AS (
                SELECT m.* FROM public.mark m
                WHERE m.corrects_mark_id IS NULL
                  AND (p_lessons IS NULL OR m.lesson_id = ANY (p_lessons))
                  AND (p_student IS NULL OR m.student_id = p_student)
            ), chain AS (
                SELECT o.id AS original_id, o.id AS current_id, 0 AS depth FROM originals o
                UNION ALL
                SELECT chain.original_id, c.id, chain.depth + 1
                FROM chain JOIN public.mark c ON c.corrects_mark_id = chain.current_id
            ), heads AS (
                SELECT DISTINCT ON (chain.original_id) chain.original_id, chain.current_id
                FROM chain ORDER BY chain.original_id, chain.depth DESC
            )
            SELECT o.id, o.lesson_id, o.student_id, o.college_id, o.work_kind, o.value, cur.value, cur.id,
                   cur.correction_reason, o.comment, o.created_at, o.created_by_user_id, cur.id <> o.id
            FROM originals o
            JOIN heads h ON h.original_id = o.id
            JOIN public.mark cur ON cur.id = h.current_id
        $$
        """
    )
    op.execute("DROP VIEW mark_current")
    op.execute("CREATE VIEW mark_current AS SELECT * FROM mark_current_of()")


def downgrade() -> None:
    op.execute("DROP VIEW mark_current")
    op.execute(OLD_VIEW)
    op.execute("DROP FUNCTION mark_current_of(integer[], integer)")
