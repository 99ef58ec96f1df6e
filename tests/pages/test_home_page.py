"""Главная: the teacher's count of today's lessons includes timetable lessons not yet materialized."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from app.models import Lesson


def test_home_counts_todays_timetable_before_the_journal_is_opened(run_as, world):
    if world.today.isoweekday() == 7:
        pytest.skip("the timetable has no Sunday")
    world.slot(world.today, 3)
    at = run_as(world.users["teacher"])
    with Session(world.engine) as s:
        created = s.exec(
            select(func.count()).where(
                Lesson.college_id == world.college_id, Lesson.lesson_date == world.today
            )
        ).one()
    assert created >= 1  # opening Главная turned today's timetable into lessons
    assert {m.label: m.value for m in at.metric}["Занятий сегодня"] == str(created)
    assert [link.label for link in at.get("page_link")] == ["Открыть журнал"]
