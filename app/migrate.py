"""Run the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config

from app.db import sqlalchemy_url
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


def apply_settings(url: str) -> None:
    """Grant the app and ETL roles on every table (whatever order the migrations ran in) and give
    the database the college clock and checking deadline the settings define, for its own rules."""
    settings = get_settings()
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regproc('ejournal_grant_roles')").fetchone() != (None,):
            conn.execute("SELECT ejournal_grant_roles()")
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
            conn.execute(f"ALTER TABLE college ALTER COLUMN timezone SET DEFAULT '{settings.tz.key}'")
            conn.execute(
                f"ALTER TABLE college ALTER COLUMN checking_deadline_days SET DEFAULT {settings.checking_deadline_days:d}"
            )


def revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)
