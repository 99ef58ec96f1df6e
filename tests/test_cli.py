from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from alembic.script import ScriptDirectory

from app import db
from app.migrate import alembic_config


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )


def test_db_url_prints_a_url_psql_and_psycopg_accept(database_url):
    done = run_cli("db", "url")
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url == database_url
    # Migrations written in parallel are separate heads until a merge revision joins them: all applied.
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    with psycopg.connect(url) as conn:
        assert {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")} == heads


def test_db_url_starts_the_embedded_server_under_the_data_dir(tmp_path):
    env = {"EJOURNAL_DATABASE_URL": "", "EJOURNAL_DATA_DIR": str(tmp_path / "data")}
    done = run_cli("db", "url", env=env)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert str(tmp_path / "data" / "pgdata") in url and "/ejournal?" in url
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("ejournal",)
    db.stop_embedded(tmp_path / "data" / "pgdata")


def test_bad_settings_give_a_russian_message():
    done = run_cli("db", "url", env={"EJOURNAL_TIMEZONE": "Nowhere/City"})
    assert done.returncode != 0
    assert "Ошибка в настройках EJOURNAL_*" in done.stderr and "timezone" in done.stderr


def test_user_add_creates_the_first_officer_with_a_one_time_password(new_database):
    url = new_database("ejournal_cli")
    env = {"EJOURNAL_DATABASE_URL": url}
    first = run_cli(
        "user", "add", "--login", "admin", "--name", "Иванова Мария Петровна", "--role", "officer", env=env
    )
    assert first.returncode != 0 and "--new-college" in first.stderr  # no college yet, and no default admin
    done = run_cli(
        "user",
        "add",
        "--login",
        "admin",
        "--name",
        "Иванова Мария Петровна",
        "--role",
        "officer",
        "--new-college",
        "Политехнический техникум",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    password = done.stdout.strip().rsplit(" ", 1)[-1]
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT must_change_password, password_expires_at IS NOT NULL FROM user_account "
            "WHERE login = 'admin'"
        ).fetchone()
    assert row == (True, True) and len(password) == 14
    dup = run_cli("user", "add", "--login", "admin", "--name", "Дубль", "--role", "officer", env=env)
    assert dup.returncode != 0 and "уже занят" in dup.stderr
