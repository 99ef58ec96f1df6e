"""The ETL on real PostgreSQL: full and incremental loads, atomic publishing, a killed load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.domain import AttendanceStatus, WorkKind
from app.services.journal import LessonEntry, MarkInput, save_lesson
from app.settings import Settings, get_settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader, read_pointer
from tests.etl.helpers import settle
from tests.factories import make_world


@pytest.fixture
def wh(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url)


def save(world, lesson_id, entry):
    with Session(world.engine) as s:
        return save_lesson(world.actor("teacher"), lesson_id, entry, session=s)


def test_full_then_unchanged_then_incremental(world, wh, monkeypatch):
    # Without the look-back, an incremental load reads exactly what changed since the last one
    # (everything in a test database is recent, so the look-back would read it all again).
    monkeypatch.setattr("etl.load.LOOKBACK", timedelta(0))
    make_world(world.engine)  # another college: a change of one is not a change of most of them
    lid = world.lesson(0)
    settle(world.engine)  # the load's horizon is past every row written so far
    first = run_etl(full=True, settings=wh)
    assert first.mode == "full" and first.tests_run > 20
    pointer = read_pointer(wh.warehouse_dir)
    assert pointer is not None and (wh.warehouse_dir / pointer.file).exists()

    again = run_etl(settings=wh)
    assert again.mode == "unchanged" and again.changed_rows == 0
    assert read_pointer(wh.warehouse_dir).file == pointer.file  # type: ignore[union-attr]

    save(
        world,
        lid,
        LessonEntry(
            topic="Процессы",
            work_kind=WorkKind.oral,
            work_done="Опрос",
            attendance={world.student_ids[0]: AttendanceStatus.absent},
            marks=[MarkInput(world.student_ids[1], "5")],
        ),
    )
    inc = run_etl(settings=wh)
    assert inc.mode == "incremental" and inc.changed_rows >= 3
    assert inc.rows_read["mark"] == 1 and inc.rows_read["lesson"] >= 1
    assert inc.rows_read["student"] == 0  # a table read whole is not read while its fingerprint holds
    reader = WarehouseReader(wh.warehouse_dir)
    row = reader.query(
        "SELECT has_topic, marks_given, students_absent FROM mart_lesson_completeness WHERE lesson_id = ?",
        [lid],
    ).row(0)
    assert row == (True, 1, 1)
    # taking the absence back on the lesson day removes the row in the warehouse too
    save(world, lid, LessonEntry(attendance={}))
    run_etl(settings=wh)
    assert (
        reader.query("SELECT students_absent FROM mart_lesson_completeness WHERE lesson_id = ?", [lid]).item()
        == 0
    )
    reader.close()


def test_a_load_does_not_read_again_what_the_previous_one_read(world, wh):
    """The look-back is the oldest transaction open at the previous load, not ten minutes: a
    change the previous load saw is not read again (on 18bf9b7 every load re-read ten minutes)."""
    make_world(world.engine)
    lid = world.lesson(0)
    save(
        world,
        lid,
        LessonEntry(topic="Раньше", work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], "4")]),
    )
    settle(world.engine)  # no transaction of a server of the suite holds the horizon back
    run_etl(full=True, settings=wh)
    again = run_etl(settings=wh)
    assert again.mode == "unchanged"
    assert again.rows_read["lesson"] == again.rows_read["mark"] == again.rows_read["attendance"] == 0


def test_a_transaction_open_during_a_load_is_read_by_the_next(world, wh):
    """A row carries its transaction's start, earlier than the load that could not see it yet:
    the next load reads from the start of the transactions open at the previous one."""
    make_world(world.engine)
    lid = world.lesson(0)
    with Session(world.engine) as late:
        late.execute(text("UPDATE lesson SET topic = 'Поздняя запись' WHERE id = :id"), {"id": lid})
        time.sleep(1.1)  # the transaction's rows are dated more than a second before the load
        run_etl(full=True, settings=wh)
        late.commit()
    run_etl(settings=wh)
    reader = WarehouseReader(wh.warehouse_dir)
    assert reader.query("SELECT topic FROM raw_lesson WHERE id = ?", [lid]).item() == "Поздняя запись"
    reader.close()


def test_incremental_equals_full(world, wh, tmp_path):
    lid = world.lesson(0)
    run_etl(full=True, settings=wh)
    save(
        world,
        lid,
        LessonEntry(
            homework="§3",
            work_kind=WorkKind.test,
            work_done="Тест",
            marks=[MarkInput(world.student_ids[0], "4")],
        ),
    )
    run_etl(settings=wh)
    other = Settings(data_dir=tmp_path / "other", database_url=wh.database_url)
    run_etl(full=True, settings=other)
    query = "SELECT * FROM mart_lesson_completeness ORDER BY lesson_id"
    a = WarehouseReader(wh.warehouse_dir).query(query)
    b = WarehouseReader(other.warehouse_dir).query(query)
    assert a.equals(b)


def test_fixing_the_journal_closes_the_remark(world, wh):
    lid = world.lesson(2, topic="Тема есть")  # no homework, no attendance, filled nothing on the day
    run_etl(full=True, settings=wh)
    reader = WarehouseReader(wh.warehouse_dir)
    states = dict(
        reader.query(
            "SELECT remark_kind, remark_state FROM mart_remark WHERE lesson_id = ?", [lid]
        ).iter_rows()
    )
    assert states["no_homework"] == "open" and states["no_attendance"] == "open"
    save(world, lid, LessonEntry(homework="Повторить §2"))
    run_etl(settings=wh)
    states = dict(
        reader.query(
            "SELECT remark_kind, remark_state FROM mart_remark WHERE lesson_id = ?", [lid]
        ).iter_rows()
    )
    assert states["no_homework"] == "fixed" and states["no_attendance"] == "open"


def test_overdue_remark(world, wh):
    lid = world.lesson(9)
    run_etl(full=True, settings=wh)
    state = (
        WarehouseReader(wh.warehouse_dir)
        .query("SELECT remark_state FROM mart_remark WHERE lesson_id = ? AND remark_kind = 'no_topic'", [lid])
        .item()
    )
    assert state == "overdue"


def test_a_killed_load_leaves_the_last_good_warehouse(world, wh):
    world.lesson(0)
    run_etl(full=True, settings=wh)
    good = read_pointer(wh.warehouse_dir)
    assert good is not None
    reader = WarehouseReader(wh.warehouse_dir)
    before = reader.query("SELECT count(*) AS n FROM mart_lesson_completeness").item()
    env = {**os.environ, "EJOURNAL_DATA_DIR": str(wh.data_dir), "EJOURNAL_DATABASE_URL": str(wh.database_url)}
    killed = False
    for _ in range(20):  # catch the load while its build file exists
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "etl", "run", "--full"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if any(Path(wh.warehouse_dir).glob("*.building")):
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
        proc.wait()
        if killed:
            break
        good = read_pointer(wh.warehouse_dir)  # that load finished and published; try again
    assert killed, "could not catch a load in progress"
    assert read_pointer(wh.warehouse_dir) == good
    assert reader.query("SELECT count(*) AS n FROM mart_lesson_completeness").item() == before
    # the next load cleans the debris up and publishes normally
    report = run_etl(settings=wh)
    assert report.mode in {"unchanged", "incremental"}
    assert not list(Path(wh.warehouse_dir).glob("*.building"))
    reader.close()


def test_reader_says_when_there_is_no_warehouse(tmp_path):
    from etl.warehouse import NoWarehouse

    with pytest.raises(NoWarehouse, match="ejournal etl run"):
        WarehouseReader(tmp_path).query("SELECT 1")


def test_the_published_warehouse_is_for_the_apps_user_only(world, wh):
    run_etl(full=True, settings=wh)
    published = read_pointer(wh.warehouse_dir)
    assert published is not None
    assert (wh.warehouse_dir / published.file).stat().st_mode & 0o777 == 0o600


def test_a_warehouse_built_from_other_sql_is_not_read_and_is_rebuilt(world, wh, monkeypatch):
    """An upgrade changes the marts or the shared formulas (warehouse/macros): the old file is not
    read (its figures may differ or its formulas be missing) until the next load rebuilds it."""
    import json

    from etl.warehouse import POINTER, NoWarehouse

    monkeypatch.setattr("etl.load.LOOKBACK", timedelta(0))
    run_etl(full=True, settings=wh)
    reader = WarehouseReader(wh.warehouse_dir)
    assert reader.query("SELECT quality_pct(1, 1, 4) AS q")["q"].to_list() == [50.0]
    pointer = wh.warehouse_dir / POINTER
    data = json.loads(pointer.read_text(encoding="utf-8"))
    data["models_version"] = "older"
    pointer.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(NoWarehouse, match="прежней версией"):
        WarehouseReader(wh.warehouse_dir).query("SELECT 1")
    again = run_etl(settings=wh)  # nothing changed in the journal, yet the marts are rebuilt
    assert again.mode != "unchanged"
    assert WarehouseReader(wh.warehouse_dir).query("SELECT 1 AS one")["one"].to_list() == [1]


def test_a_loads_summary_dates_its_data_in_the_colleges_time_zone():
    """«Данные на» of `ejournal etl run` (and of restore) as the pages say it (freshness_label): the
    college's time, not the server's UTC."""
    from datetime import UTC, datetime

    from etl.load import LoadReport
    from etl.warehouse import Published

    read = datetime(2026, 12, 7, 22, 6, 49, tzinfo=UTC)
    report = LoadReport("full", 1.0, published=Published("wh-1.duckdb", read, read, "2026-12-08", {}))
    assert get_settings().timezone == "Europe/Moscow"
    assert report.summary().endswith("Данные на 08.12.2026 01:06.")
