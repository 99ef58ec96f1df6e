"""Database roles and the lesson-day rule enforced by the database for a client that skips the service."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from app.db import APP_ROLE, ETL_ROLE, with_user
from tests.etl.helpers import filled_on

Refused = (psycopg.errors.RaiseException, psycopg.errors.InsufficientPrivilege)


@pytest.fixture
def app_conn(database_url):
    with psycopg.connect(with_user(database_url, APP_ROLE), autocommit=True) as conn:
        yield conn


def refused(conn: psycopg.Connection, sql: str, params: tuple = ()) -> str:
    with pytest.raises(Refused) as info:
        conn.execute(sql, params)
    return str(info.value)


def test_the_app_role_owns_nothing_and_cannot_rewrite_ledgers(database_url, app_conn, world):
    with psycopg.connect(database_url) as owner:
        owners = {
            r[0]
            for r in owner.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        }
    assert APP_ROLE not in owners and ETL_ROLE not in owners
    for sql in (
        "UPDATE mark SET value = value",
        "DELETE FROM mark",
        "TRUNCATE mark",
        "UPDATE audit_event SET message = ''",
        "DELETE FROM audit_event",
        "DELETE FROM semester_mark",
    ):
        assert "permission denied" in refused(app_conn, sql)
    assert "permission denied" in refused(app_conn, "UPDATE college SET timezone = 'UTC'")


def test_the_etl_role_reads_only_and_never_a_password_hash(database_url, world):
    with psycopg.connect(with_user(database_url, ETL_ROLE), autocommit=True) as etl:
        assert etl.execute("SELECT count(*) FROM lesson").fetchone() is not None
        assert etl.execute("SELECT full_name FROM user_account LIMIT 1").fetchone() is not None
        assert "permission denied" in refused(etl, "SELECT password_hash FROM user_account")
        assert "permission denied" in refused(etl, "UPDATE lesson SET room = room")
        assert "permission denied" in refused(
            etl, "INSERT INTO college (name, short_name, city) VALUES ('x','x','x')"
        )


def test_a_filled_past_lesson_field_cannot_be_rewritten_by_sql(app_conn, world):
    lid = world.lesson(2, **filled_on(world, 2))
    assert "прошло" in refused(app_conn, "UPDATE lesson SET topic = 'подделка' WHERE id = %s", (lid,))
    assert "прошло" in refused(
        app_conn, "UPDATE lesson SET lesson_date = lesson_date + 2 WHERE id = %s", (lid,)
    )


def test_an_empty_past_field_may_still_be_filled(app_conn, world):
    lid = world.lesson(2, topic="Тема", topic_filled_at=None)
    app_conn.execute(
        "UPDATE lesson SET homework = 'дописано', homework_filled_at = now() WHERE id = %s", (lid,)
    )
    assert app_conn.execute("SELECT homework FROM lesson WHERE id = %s", (lid,)).fetchone() == ("дописано",)


def test_future_lessons_are_not_filled_by_sql(app_conn, world):
    lid = world.lesson(-2)
    assert "ещё не наступило" in refused(
        app_conn, "UPDATE lesson SET topic = 'заранее' WHERE id = %s", (lid,)
    )


def mark_sql(world, lid, kind="oral"):
    return (
        "INSERT INTO mark (college_id, lesson_id, student_id, value, work_kind, comment, created_by_user_id) "
        "VALUES (%s, %s, %s, '5', %s, '', %s)",
        (world.college_id, lid, world.student_ids[0], kind, world.users["teacher"]),
    )


def test_backdated_marks_are_refused_by_the_database(app_conn, world):
    oral = world.lesson(1, **filled_on(world, 1))
    assert "задним числом" in refused(app_conn, *mark_sql(world, oral))
    written = world.lesson(3, **filled_on(world, 3, work_kind="control"))
    app_conn.execute(*mark_sql(world, written, "control"))  # inside the checking deadline
    late_recorded = world.lesson(3, **filled_on(world, 3, late_days=1, work_kind="control"))
    assert "задним числом" in refused(app_conn, *mark_sql(world, late_recorded, "control"))
    today = world.lesson(0)
    app_conn.execute(*mark_sql(world, today))


def test_attendance_after_the_day(database_url, app_conn, world):
    lid = world.lesson(2, **filled_on(world, 2))
    student = world.student_ids[0]
    insert = (
        "INSERT INTO attendance (college_id, lesson_id, student_id, status, reason, created_by_user_id) "
        "VALUES (%s, %s, %s, 'absent', '', %s)",
        (world.college_id, lid, student, world.users["teacher"]),
    )
    assert "уже отмечена" in refused(app_conn, *insert)
    with psycopg.connect(database_url) as owner:
        owner.execute(*insert)  # the owner's history path is not bound
    # the curator's valid reason is recorded any time
    app_conn.execute(
        "UPDATE attendance SET status = 'excused', reason = 'справка' WHERE lesson_id = %s", (lid,)
    )
    assert "уже отмечена" in refused(app_conn, "DELETE FROM attendance WHERE lesson_id = %s", (lid,))


def test_the_day_is_the_colleges_own(database_url, app_conn, world):
    # Kiritimati (UTC+14) and Pago Pago (UTC−11) are always on different dates.
    with psycopg.connect(database_url) as owner:
        pago_today = owner.execute("SELECT (now() AT TIME ZONE 'Pacific/Pago_Pago')::date").fetchone()[0]
        days_ago = (world.today - pago_today).days
        lid = world.lesson(days_ago, topic="Тема", topic_filled_at=None)
        owner.execute("UPDATE college SET timezone = 'Pacific/Pago_Pago' WHERE id = %s", (world.college_id,))
    app_conn.execute("UPDATE lesson SET topic = 'Исправлено в тот же день' WHERE id = %s", (lid,))
    with psycopg.connect(database_url) as owner:
        owner.execute("UPDATE college SET timezone = 'Pacific/Kiritimati' WHERE id = %s", (world.college_id,))
    assert "прошло" in refused(app_conn, "UPDATE lesson SET topic = 'ещё раз' WHERE id = %s", (lid,))
    assert world.today - timedelta(days=days_ago) == pago_today
