"""Главная: the teacher's count of today's lessons includes timetable lessons not yet materialized."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from app.models import Lesson, TimetableSlot


def test_home_counts_todays_timetable_before_the_journal_is_opened(run_as, world):
    if world.today.isoweekday() == 7:
        pytest.skip("the timetable has no Sunday")
    with Session(world.engine) as s:
        s.add(
            TimetableSlot(
                college_id=world.college_id,
                study_group_id=world.group_id,
                weekday=world.today.isoweekday(),
                pair_number=3,
                subject_id=world.subject_id,
                teacher_id=world.teacher_id,
                valid_from=world.today - timedelta(days=1),
                valid_to=world.today + timedelta(days=1),
            )
        )
        s.commit()
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
