"""Run the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from psycopg import errors, sql

from app.db import APP_ROLE, ETL_ROLE, sqlalchemy_url
from app.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    # "heads": migrations written in parallel branch from the same parent until a merge revision joins them.
    command.upgrade(alembic_config(url), revision)
    apply_settings(url)


def ensure_roles(url: str) -> list[str]:
    """Create the app and ETL roles where they are missing; returns the roles it created.

    Roles belong to the cluster, not the database, so pg_dump does not carry them: a restore onto a
    new server, or a database created on a new external server, needs them made again. Another
    database's migration (test workers, a second college) may create them at the same moment.
    """
    if not get_settings().db_roles:
        return []
    created = []
    with psycopg.connect(url, autocommit=True) as conn:
        me = conn.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        for role in (APP_ROLE, ETL_ROLE):
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                continue
            if not (me and me[0]):
                raise RuntimeError(
                    f"Роли {role} нет на сервере, а у владельца базы нет права её создать: "
                    f"создайте её (CREATE ROLE {role} LOGIN) и повторите «ejournal db migrate»."
                )
            try:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
                created.append(role)
            except (errors.DuplicateObject, errors.UniqueViolation):
                pass  # created meanwhile by another database's migration
    return created


def apply_settings(url: str) -> None:
    """Create the app and ETL roles if missing, grant them on every table (whatever order the
    migrations ran in) and give the database the college clock and checking deadline the
    settings define, for its own rules."""
    settings = get_settings()
    ensure_roles(url)
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regproc('ejournal_grant_roles')").fetchone() != (None,):
            conn.execute("SELECT ejournal_grant_roles()")
        # migration 0011: no temporary objects, pinned search_paths, the ETL role's column grants
        if conn.execute("SELECT to_regproc('ejournal_restrict_roles')").fetchone() != (None,):
            conn.execute("SELECT ejournal_restrict_roles()")
        has_columns = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'college' AND "
            "column_name IN ('timezone', 'checking_deadline_days')"
        ).fetchone()
        if has_columns == (2,):
            conn.execute(
                "UPDATE college SET timezone = %s, checking_deadline_days = %s "
                "WHERE (timezone, checking_deadline_days) IS DISTINCT FROM (%s, %s)",
                (
                    settings.timezone,
                    settings.checking_deadline_days,
                    settings.timezone,
                    settings.checking_deadline_days,
                ),
            )
            # DDL takes no bind parameters: the values go in as quoted literals, never formatted text
            conn.execute(
                sql.SQL("ALTER TABLE college ALTER COLUMN timezone SET DEFAULT {}").format(
                    sql.Literal(settings.tz.key)
                )
            )
            conn.execute(
                sql.SQL("ALTER TABLE college ALTER COLUMN checking_deadline_days SET DEFAULT {}").format(
                    sql.Literal(int(settings.checking_deadline_days))
                )
            )


def revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)
