"""The semester and year mark as they stand now, once (issue 15): `semester_mark_chain_of(items,
student)` and `year_mark_chain_of(items, student)` walk the retakes and corrections (`corrects_id`)
of just the sheets asked for, as `mark_current_of` (0023) does for lesson marks. The attestation
sheet, the journal grid and archive, the guardian letter and the diary call them instead of each
walking the chain itself (three walks in Python and a recursive CTE in the diary).

`chain` lists the ids from the original to the current one, so a sheet can print every value a
student held; `corrects_id` is unique, so a chain never forks.

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_PATH = "pg_catalog, public, pg_temp"
TABLES = ("semester_mark", "year_mark")  # the same columns (0014, 0020)


def _function(table: str) -> str:
    return f"""
        CREATE FUNCTION {table}_chain_of(p_items integer[] DEFAULT NULL, p_student integer DEFAULT NULL)
        RETURNS TABLE (
            original_id bigint, current_id bigint, curriculum_item_id integer, student_id integer,
            original_value character varying, value character varying, chain bigint[]
        )
        LANGUAGE sql STABLE SET search_path = {SEARCH_PATH} AS $$
            WITH RECURSIVE originals AS (
                SELECT m.* FROM public.{table} m
                WHERE m.corrects_id IS NULL
                  AND (p_items IS NULL OR m.curriculum_item_id = ANY (p_items))
                  AND (p_student IS NULL OR m.student_id = p_student)
            ), chain AS (
                SELECT o.id AS original_id, o.id AS current_id, ARRAY[o.id] AS ids FROM originals o
                UNION ALL
                SELECT chain.original_id, c.id, chain.ids || c.id
                FROM chain JOIN public.{table} c ON c.corrects_id = chain.current_id
            ), heads AS (
                SELECT DISTINCT ON (chain.original_id) chain.original_id, chain.current_id, chain.ids
                FROM chain ORDER BY chain.original_id, cardinality(chain.ids) DESC
            )
            SELECT o.id, cur.id, o.curriculum_item_id, o.student_id, o.value, cur.value, h.ids
            FROM originals o
            JOIN heads h ON h.original_id = o.id
            JOIN public.{table} cur ON cur.id = h.current_id
        $$
    """


def upgrade() -> None:
    for table in TABLES:
        op.execute(_function(table))


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP FUNCTION {table}_chain_of(integer[], integer)")
