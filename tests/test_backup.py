"""The restore drill: seed, back up, destroy, restore, compare every table, verify the audit chain.

The disaster the officer prepares for (§4.3) is a lost server: the drill restores onto a second,
new PostgreSQL cluster, where no role exists yet, and then uses it the way the service does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import psycopg
import pytest
from sqlmodel import Session

from app import audit, db
from app.audit_chain import seal_all, verify_chain
from app.backup import BackupError, backup, read_manifest, restore, table_fingerprints
from app.domain import AttendanceStatus, WorkKind
from app.services.journal import LessonEntry, MarkInput, save_lesson
from tests.conftest import ROOT
from tests.factories import World, make_world
from tests.serving import free_port, serving


@dataclass
class Source:
    url: str
    world: World
    spare_lesson: int  # today's lesson left empty, for a teacher to fill after the restore


@pytest.fixture
def source(new_database) -> Source:
    url = new_database("ejournal_backup")
    engine = db.make_engine(url)
    world = make_world(engine)
    lid = world.lesson(0)
    spare = world.lesson(0)
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
        seal_all(session=s)  # what `ejournal serve` does within a second
    engine.dispose()
    return Source(url, world, spare)


def ejournal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"ejournal {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def test_restore_onto_a_new_server_brings_the_whole_service_back(source, tmp_path, cluster_dir):
    with psycopg.connect(source.url) as conn:
        before = table_fingerprints(conn)
    archive = tmp_path / "ejournal.zip"
    ejournal("backup", str(archive), env={"EJOURNAL_DATABASE_URL": source.url})

    # A new machine: an empty data dir, so a new embedded cluster with no ejournal roles in it.
    new = {"EJOURNAL_DATABASE_URL": "", "EJOURNAL_DATA_DIR": str(cluster_dir / "new-server")}
    pgdata = cluster_dir / "new-server" / "pgdata"
    try:
        restored = ejournal("restore", str(archive), env=new).stdout
        # The embedded server makes its roles at its first start (with their passwords); on an
        # external server the restore creates them (app.migrate.ensure_roles).
        assert "роли базы данных:" in restored
        assert "совпадают с описью" in restored and "цела" in restored
        assert "хранилище пересобрано" in restored
        owner_url = ejournal("db", "url", env=new).stdout.strip()
        assert str(pgdata) in owner_url
        with psycopg.connect(owner_url) as conn:
            assert table_fingerprints(conn) == before

        assert "цела" in ejournal("audit", "verify", env=new).stdout
        assert "загрузка" in ejournal("etl", "run", "--full", env=new).stdout.lower()

        # The app's own role writes there: a teacher fills today's lesson, the chain still holds.
        app_engine = db.make_engine(db.with_user(owner_url, db.APP_ROLE))
        try:
            with Session(app_engine) as s:
                teacher = source.world.actor("teacher")  # read from the source: same ids
                save_lesson(
                    teacher,
                    source.spare_lesson,
                    LessonEntry(
                        topic="После восстановления",
                        work_kind=WorkKind.oral,
                        marks=[MarkInput(source.world.student_ids[0], "4")],
                    ),
                    session=s,
                )
            with Session(app_engine) as s:
                chain = verify_chain(session=s)
            assert chain.ok and chain.entries > 0
        finally:
            app_engine.dispose()
        with psycopg.connect(owner_url) as conn:
            assert conn.execute("SELECT count(*) FROM mark").fetchone() == (3,)

        port = free_port()
        cmd = [sys.executable, "-m", "app.cli", "serve", "--server.port", str(port)]
        with serving(cmd, port=port, env={**os.environ, **new}, cwd=ROOT, log=tmp_path / "serve.log") as url:
            assert url.startswith("http://127.0.0.1:")
    finally:
        db.stop_embedded(pgdata)


def test_restore_drill_into_the_same_server(source, server_url, tmp_path):
    url = source.url
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url) as conn:
        before = table_fingerprints(conn)
    report = backup(url, tmp_path / "ejournal.zip")
    assert (tmp_path / "ejournal.zip").stat().st_mode & 0o777 == 0o600  # whatever the umask
    assert report.rows == sum(t["rows"] for t in before.values()) and report.tables == len(before)
    manifest = read_manifest(tmp_path / "ejournal.zip")
    assert manifest["tables"] == before and manifest["audit_head"]

    db.drop_database(server_url, name)  # disaster
    db.ensure_database(server_url, name)
    result = restore(url, tmp_path / "ejournal.zip")
    with psycopg.connect(url) as conn:
        after = table_fingerprints(conn)
        marks = conn.execute("SELECT count(*) FROM mark").fetchone()
    assert after == before and marks == (2,)
    assert "цела" in result.audit
    # the restored database still refuses to rewrite marks
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("DELETE FROM mark")


def test_a_backup_seals_what_has_committed_first(source, tmp_path):
    engine = db.make_engine(source.url)
    try:
        with Session(engine) as s:
            audit.record(s, None, "test.unsealed")
            s.commit()
    finally:
        engine.dispose()
    backup(source.url, tmp_path / "b.zip")
    with psycopg.connect(source.url) as conn:
        unsealed = conn.execute("SELECT count(*) FROM audit_event WHERE chain_seq IS NULL").fetchone()
        head = conn.execute("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    assert unsealed == (0,) and head is not None
    assert read_manifest(tmp_path / "b.zip")["audit_head"] == head[0]


def test_restore_refuses_a_non_empty_database(source, tmp_path):
    url = source.url
    backup(url, tmp_path / "b.zip")
    with pytest.raises(BackupError, match="не пуста"):
        restore(url, tmp_path / "b.zip")


def test_not_a_backup(tmp_path, source):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(BackupError, match="не резервная копия"):
        restore(source.url, bogus)


def test_a_password_reaches_pg_dump_through_a_passfile_not_its_command_line(tmp_path):
    from app.backup import tool_url

    url = tool_url("postgresql://owner:s3cr:et@db.college.local:5432/ejournal?sslmode=require", str(tmp_path))
    assert "s3cr" not in url and "sslmode=require" in url
    passfile = tmp_path / "pgpass"
    assert f"passfile={passfile}" in url
    assert passfile.read_text() == "*:*:*:*:s3cr\\:et\n"
    assert oct(passfile.stat().st_mode & 0o777) == "0o600"
