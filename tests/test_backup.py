"""The restore drill: seed, back up, destroy, restore, compare every table, verify the audit chain."""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlmodel import Session

from app import db
from app.backup import BackupError, backup, read_manifest, restore, table_fingerprints
from app.domain import AttendanceStatus, WorkKind
from app.migrate import upgrade
from app.services.journal import LessonEntry, MarkInput, save_lesson
from tests.conftest import unique_db_name
from tests.factories import make_world


@pytest.fixture
def source_db(database_url):
    server = os.environ["EJOURNAL_TEST_SERVER_URL"]
    name = unique_db_name("ejournal_backup")
    db.drop_database(server, name)
    db.ensure_database(server, name)
    url = db.with_database(server, name)
    upgrade(url)
    engine = db.make_engine(url)
    world = make_world(engine)
    lid = world.lesson(0)
    with Session(engine) as s:
        save_lesson(
            world.actor("teacher"),
            lid,
            LessonEntry(
                topic="Резервное копирование",
                work_kind=WorkKind.oral,
                homework="§5",
                attendance={world.student_ids[0]: AttendanceStatus.absent},
                marks=[MarkInput(world.student_ids[1], "5"), MarkInput(world.student_ids[2], "3")],
            ),
            session=s,
        )
    engine.dispose()
    yield server, name, url
    db.drop_database(server, name)


def test_restore_drill(source_db, tmp_path):
    server, name, url = source_db
    with psycopg.connect(url) as conn:
        before = table_fingerprints(conn)
    report = backup(url, tmp_path / "ejournal.zip")
    assert report.rows == sum(t["rows"] for t in before.values()) and report.tables == len(before)
    manifest = read_manifest(tmp_path / "ejournal.zip")
    assert manifest["tables"] == before and manifest["audit_head"]

    db.drop_database(server, name)  # disaster
    db.ensure_database(server, name)
    result = restore(url, tmp_path / "ejournal.zip")
    with psycopg.connect(url) as conn:
        after = table_fingerprints(conn)
        marks = conn.execute("SELECT count(*) FROM mark").fetchone()
    assert after == before and marks == (2,)
    assert "цела" in result["audit"]
    # the restored database still refuses to rewrite marks
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("DELETE FROM mark")


def test_restore_refuses_a_non_empty_database(source_db, tmp_path):
    _server, _name, url = source_db
    backup(url, tmp_path / "b.zip")
    with pytest.raises(BackupError, match="не пуста"):
        restore(url, tmp_path / "b.zip")


def test_not_a_backup(tmp_path, source_db):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(BackupError, match="не резервная копия"):
        restore(source_db[2], bogus)
