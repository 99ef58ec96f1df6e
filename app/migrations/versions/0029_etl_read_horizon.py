"""How far back the warehouse's next load must read (issue 14): `etl_read_horizon()`, the start of
the oldest transaction still open in this database (pg_stat_activity.xact_start), or now().

A row's updated_at or created_at is its transaction's start (now()), and a row a load could not see
was written by a transaction open at its snapshot: so the next load reading from this moment misses
nothing, where a fixed ten-minute look-back re-read every change of the last ten minutes on every
load. Only a role that may read every session's activity sees their transactions, so the function
is SECURITY DEFINER and answers NULL when its owner may not (a non-superuser owner without
pg_read_all_stats): the loader then keeps its ten-minute look-back. It returns one timestamp and
nothing of what the sessions run; only the ETL role may call it.

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HORIZON = """
CREATE FUNCTION etl_read_horizon() RETURNS timestamptz LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') THEN
        least(now(), (SELECT min(a.xact_start) FROM pg_stat_activity a WHERE a.datname = current_database()))
    END
$$;
REVOKE ALL ON FUNCTION etl_read_horizon() FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ejournal_etl') THEN
        GRANT EXECUTE ON FUNCTION etl_read_horizon() TO ejournal_etl;
    END IF;
END $$;
"""


def upgrade() -> None:
    op.execute(HORIZON)


def downgrade() -> None:
    op.execute("DROP FUNCTION etl_read_horizon()")
