"""`ejournal etl watch` (what `ejournal serve` runs beside the app) creates the day's lessons with
nobody opening the app, and loads the warehouse."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlmodel import Session, col, select

from app.calendar import is_school_day
from app.models import Lesson
from tests.conftest import ROOT


def test_the_refresh_loop_creates_todays_lessons(world, database_url, tmp_path):
    if not is_school_day(world.today):
        pytest.skip("no lessons today (a Sunday or a public holiday)")
    world.slot(world.today, 6, room="305")
    env = {**os.environ, "EJOURNAL_DATABASE_URL": database_url, "EJOURNAL_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "etl", "watch", "--interval", "5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
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
