from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import psycopg
import pytest
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


def test_db_url_starts_the_embedded_server_under_the_data_dir(cluster_dir):
    env = {"EJOURNAL_DATABASE_URL": "", "EJOURNAL_DATA_DIR": str(cluster_dir / "data")}
    done = run_cli("db", "url", env=env)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert str(cluster_dir / "data" / "pgdata") in url and "/ejournal?" in url
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("ejournal",)
    db.stop_embedded(cluster_dir / "data" / "pgdata")


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


@pytest.fixture
def in_process(monkeypatch, capsys):
    """`ejournal …` run inside this process against a database of the test's own: some twenty
    commands as subprocesses would take minutes on a busy machine. The settings and engines made
    for it are forgotten after, so the worker's database comes back for the next test."""
    from app import db
    from app.cli import main
    from app.settings import get_settings

    def point(url: str) -> Callable[..., tuple[int, str, str]]:
        monkeypatch.setenv("EJOURNAL_DATABASE_URL", url)
        get_settings.cache_clear()
        db.reset_engine()

        def cli(*args: str) -> tuple[int, str, str]:
            capsys.readouterr()
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = 0 if exc.code in (None, 0) else 1
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
            out, err = capsys.readouterr()
            return code, out, err

        return cli

    yield point
    get_settings.cache_clear()
    db.reset_engine()


def test_a_college_set_up_by_import_and_commands_alone(new_database, tmp_path, in_process):
    """No demo seed: the first officer, teachers and groups by import, roles by `ejournal user …`;
    then the curator the group names issues a guardian's credentials and both open the diary."""
    from datetime import date

    from sqlmodel import Session, select

    from app.actor import load_actor
    from app.db import APP_ROLE, make_engine, with_user
    from app.models import Guardian, Student, UserAccount
    from app.services import curator, diary
    from app.services.accounts import authenticate, change_password
    from tests.imports.helpers import csv_bytes

    url = new_database("ejournal_setup")
    cli = in_process(url)

    def ok(*args: str) -> str:
        code, out, err = cli(*args)
        assert code == 0, f"{args}: {err}"
        return out

    def refused(*args: str) -> str:
        code, _out, err = cli(*args)
        assert code != 0, args
        return err

    ok(
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
    )
    files = {
        "teachers": [
            ["Фамилия", "Имя", "Отчество", "Логин"],
            ["Орлова", "Вера", "Ивановна", "v.orlova"],
            ["Лебедев", "Пётр", "Ильич", "p.lebedev"],
        ],
        "groups": [
            ["Группа", "Код специальности", "Специальность", "Год набора", "Куратор"],
            [
                "ИСП-41",
                "09.02.07",
                "Информационные системы и программирование",
                "2023",
                "Орлова Вера Ивановна",
            ],
        ],
        "students": [
            ["Группа", "Фамилия", "Имя", "Отчество", "Дата рождения"],
            ["ИСП-41", "Кротов", "Ян", "", "01.05.2008"],
        ],
        "guardians": [
            ["Фамилия", "Имя", "Отчество", "Телефон", "Группа студента", "Студент", "Кем приходится"],
            ["Кротова", "Анна", "Сергеевна", "+7 912 345-67-89", "ИСП-41", "Кротов Ян", "мать"],
        ],
    }
    for kind, rows in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_bytes(csv_bytes(rows))
        ok("import", kind, str(path))

    # importing the group that names its curator made her one: one fact, not a role to forget
    assert "куратор группы ИСП-41" in ok("user", "show", "v.orlova")
    assert "v.orlova" in ok("user", "list", "--role", "curator")
    handed = ok("user", "grant", "p.lebedev", "curator", "--group", "исп-41", "--reason", "приказ № 7")
    assert "куратор группы ИСП-41" in handed
    assert "куратор группы" not in ok("user", "show", "v.orlova")  # a group has one curator
    ok("user", "grant", "v.orlova", "curator", "--group", "ИСП-41", "--reason", "приказ № 8")
    assert "Группа «ТМ-99» не найдена" in refused("user", "grant", "v.orlova", "curator", "--group", "ТМ-99")
    assert "последний ответственный" in refused("user", "revoke", "admin", "officer")
    assert "Куратора назначают группе" in refused(
        "user", "add", "--login", "x", "--name", "Икс", "--role", "curator"
    )
    ok("user", "grant", "p.lebedev", "deputy")
    assert "Заместитель директора по УР" in ok("user", "show", "p.lebedev")
    assert "отключена" in ok("user", "disable", "p.lebedev", "--reason", "увольнение")
    assert "активна" not in ok("user", "show", "p.lebedev")
    ok("user", "enable", "p.lebedev")
    password = ok("user", "reset", "p.lebedev").strip().rsplit(" ", 1)[-1]
    assert len(password) == 14
    with psycopg.connect(url) as conn:
        audited = conn.execute(
            "SELECT action, details->>'via', details->>'reason' FROM audit_event WHERE action LIKE 'user.%%' "
            "AND details ? 'via' ORDER BY id"
        ).fetchall()
    assert ("user.role.grant", "командная строка", "приказ № 7") in audited

    engine = make_engine(with_user(url, APP_ROLE))  # the app's own role, as the pages use it
    try:
        with Session(engine) as s:
            orlova = s.exec(select(UserAccount.id).where(UserAccount.login == "v.orlova")).one()
            guardian_id = s.exec(select(Guardian.id).where(Guardian.last_name == "Кротова")).one()
            student_id = s.exec(select(Student.id).where(Student.last_name == "Кротов")).one()
            the_curator = load_actor(orlova, session=s)
            issued = curator.issue_guardian_credentials(the_curator, guardian_id, session=s)
            monday = diary.week_monday(date.today())
            assert diary.week(the_curator, student_id, monday, session=s).student.id == student_id
            parent = authenticate(issued.login, issued.password, session=s)
            change_password(parent, issued.password, "мой-родительский-пароль", session=s)
            assert diary.week(parent, student_id, monday, session=s).student.id == student_id
    finally:
        engine.dispose()
