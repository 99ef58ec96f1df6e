"""«Учебный календарь»: the deputy adds holidays, which stop the day's lessons; the staff read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app import calendar
from app.errors import DomainError
from app.services.journal import materialize_lessons
from tests.pages.conftest import texts
from tests.services.test_timetable import coming_monday, lessons_on

PAGE = "pages/academic_calendar.py"


def test_the_deputy_adds_holidays_and_the_lessons_stop(run_as, world, app_engine):
    monday = coming_monday(world)
    at = run_as(world.users["deputy"], PAGE)
    assert not at.exception, at.exception
    assert "Промежуточная аттестация" in list(at.dataframe[0].value["Вид"])  # the default sessions
    year = calendar.academic_year_start(monday)
    if year != calendar.academic_year_start(world.today):
        pytest.skip("the coming Monday is in the next academic year")
    at.selectbox(key="calendar_kind").select("non_teaching")
    at.date_input(key="calendar_starts").set_value(monday)
    at.date_input(key="calendar_ends").set_value(monday)
    at.text_input(key="calendar_title").input("День здоровья")
    at.button(key="calendar_add_submit").click().run()
    assert not at.exception, at.exception
    assert "День здоровья" in list(at.dataframe[0].value["Период"])
    with Session(app_engine) as s:
        assert materialize_lessons(world.college_id, monday, session=s) == 0
    assert lessons_on(world, monday) == []
    assert calendar.is_school_day(monday + timedelta(days=7)) is True


def test_the_calendar_refuses_a_period_outside_its_year_and_other_roles(world):
    year = calendar.academic_year_start(world.today)
    with Session(world.engine) as s, pytest.raises(DomainError, match="внутри учебного года"):
        calendar.add_period(
            world.actor("deputy"),
            year,
            "holidays",
            world.today,
            world.today.replace(year=world.today.year + 2),
            session=s,
        )
    with Session(world.engine) as s, pytest.raises(DomainError, match="ведёт заместитель директора"):
        calendar.add_period(world.actor("officer"), year, "holidays", world.today, world.today, session=s)


def test_a_teacher_reads_the_calendar_without_the_forms(run_as, world):
    at = run_as(world.users["teacher"], PAGE)
    assert not at.exception, at.exception
    assert "Учебный календарь" in texts(at)
    assert not [b for b in at.button if b.key == "calendar_add_submit"]
