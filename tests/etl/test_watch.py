"""`ejournal etl watch` (what `ejournal serve` runs beside the app) creates the day's lessons with
nobody opening the app, and loads the warehouse."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlmodel import Session, col, select

from app.calendar import is_school_day
from app.models import AuditEvent, Lesson
from tests.conftest import ROOT


def start_watch(
    database_url: str, data_dir, *, interval: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`ejournal etl watch` on the worker's database, its warehouse under `data_dir`."""
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "etl", "watch", "--interval", str(interval)],
        cwd=ROOT,
        env={
            **os.environ,
            "EJOURNAL_DATABASE_URL": database_url,
            "EJOURNAL_DATA_DIR": str(data_dir),
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_the_refresh_loop_creates_todays_lessons(world, database_url, tmp_path):
    if not is_school_day(world.today):
        pytest.skip("no lessons today (a Sunday or a public holiday)")
    world.slot(world.today, 6, room="305")
    proc = start_watch(database_url, tmp_path, interval=5)
    try:
        deadline = time.monotonic() + 90
        found = None
        while found is None and time.monotonic() < deadline and proc.poll() is None:
            with Session(world.engine) as s:
                found = s.exec(
                    select(Lesson).where(
                        Lesson.study_group_id == world.group_id,
                        Lesson.lesson_date == world.today,
                        Lesson.pair_number == 6,
                        col(Lesson.timetable_slot_id).is_not(None),
                    )
                ).first()
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert found is not None, out
    assert (found.teacher_id, found.room) == (world.teacher_id, "305")


def test_a_save_is_sealed_and_loaded_at_once_not_at_the_interval(world, app_engine, database_url, tmp_path):
    """The watch's sealer seals the save's audit entry, its NOTIFY wakes the loader: with an hour's
    interval, the mark reaches the warehouse within seconds (issue 14, freshness)."""
    from app.domain import WorkKind
    from app.services.journal import LessonEntry, MarkInput, save_lesson
    from etl.warehouse import NoWarehouse, WarehouseReader, read_pointer

    lid = world.lesson(0)
    proc = start_watch(database_url, tmp_path, interval=3600)
    warehouse = tmp_path / "warehouse"
    try:
        deadline = time.monotonic() + 180
        while read_pointer(warehouse) is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)  # the watch's first round: a full load
        assert read_pointer(warehouse) is not None
        with Session(app_engine) as s:
            save_lesson(
                world.actor("teacher"),
                lid,
                LessonEntry(
                    topic="Свежесть", work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], "5")]
                ),
                session=s,
            )
        saved = time.monotonic()
        reader = WarehouseReader(warehouse)
        loaded = 0
        while not loaded and time.monotonic() - saved < 120 and proc.poll() is None:
            with contextlib.suppress(NoWarehouse):
                loaded = reader.query("SELECT count(*) FROM mark_current WHERE lesson_id = ?", [lid]).item()
            time.sleep(0.2)
        reader.close()
        with Session(world.engine) as s:
            sealed = s.exec(
                select(AuditEvent.chain_seq).where(
                    AuditEvent.action == "lesson.save", AuditEvent.entity_id == lid
                )
            ).one()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert loaded == 1, out
    assert sealed is not None, out
