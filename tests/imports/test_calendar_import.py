"""The academic calendar imported from a spreadsheet (issue 12): sessions, holidays, practice and
non-teaching days, with the «Учебный календарь» page's own checks, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app import calendar
from app.errors import AccessDenied
from app.models import CalendarPeriod
from tests.imports.helpers import xlsx

HEAD = ["Учебный год", "Вид периода", "Полугодие", "Начало", "Окончание", "Название"]


def periods(world) -> list[tuple[int, str, int | None, date, date, str]]:
    with Session(world.engine) as s:
        rows = s.exec(select(CalendarPeriod).where(CalendarPeriod.college_id == world.college_id)).all()
    return sorted((r.academic_year, r.kind, r.half, r.starts_on, r.ends_on, r.title) for r in rows)


def test_a_years_calendar_is_imported_and_stops_the_holiday_lessons(world, do_import):
    rows = [
        HEAD,
        ["2026/2027", "Сессия", "1", date(2026, 12, 22), date(2027, 1, 20), ""],
        ["2026/27", "Каникулы", "", date(2026, 12, 29), date(2027, 1, 10), "Зимние каникулы"],
        [2026, "Практика", "", date(2027, 5, 4), date(2027, 5, 31), "Учебная практика ИСП-31"],
        ["2026-2027", "Нерабочие дни", "", date(2027, 5, 1), date(2027, 5, 1), ""],
    ]
    result = do_import(world, "calendar", xlsx(rows), who="deputy")
    assert result.ok, result.errors
    assert (result.added, result.changed, result.unchanged) == (4, 0, 0)
    assert periods(world) == [
        (2026, "holidays", None, date(2026, 12, 29), date(2027, 1, 10), "Зимние каникулы"),
        (2026, "non_teaching", None, date(2027, 5, 1), date(2027, 5, 1), ""),
        (2026, "practice", None, date(2027, 5, 4), date(2027, 5, 31), "Учебная практика ИСП-31"),
        (2026, "session", 1, date(2026, 12, 22), date(2027, 1, 20), "Зимняя сессия"),
    ]
    with Session(world.engine) as s:
        assert calendar.session_window(world.college_id, calendar.Half(2026, 1), session=s) == (
            date(2026, 12, 22),
            date(2027, 1, 20),
        )
        assert not calendar.is_teaching_day(world.college_id, date(2026, 12, 30), session=s)
        assert calendar.is_teaching_day(world.college_id, date(2026, 12, 28), session=s)

    again = do_import(world, "calendar", xlsx(rows), who="deputy")
    assert again.ok and (again.added, again.changed, again.unchanged) == (0, 0, 4)
    moved = [HEAD, ["2026/2027", "Сессия", "осень", date(2026, 12, 24), date(2027, 1, 22), ""],
             ["2026/2027", "Каникулы", "", date(2026, 12, 29), date(2027, 1, 11), "Зимние каникулы"]]  # fmt: skip
    changed = do_import(world, "calendar", xlsx(moved), who="officer")
    assert changed.ok and (changed.added, changed.changed) == (0, 2)
    assert (2026, "holidays", None, date(2026, 12, 29), date(2027, 1, 11), "Зимние каникулы") in periods(
        world
    )


def test_a_wrong_row_writes_nothing_and_says_what_to_fix(world, do_import):
    rows = [
        HEAD,
        ["2026/2027", "Каникулы", "", date(2026, 12, 29), date(2027, 1, 10), "Зимние каникулы"],
        ["2026/2027", "Сессия", "", date(2026, 12, 22), date(2027, 1, 20), ""],
        ["2026/2027", "Практика", "", date(2027, 5, 31), date(2027, 5, 4), ""],
        ["2026/2027", "Каникулы", "", date(2027, 8, 20), date(2027, 9, 5), "Летние"],
        ["2026/2027", "Сессия", "2", date(2027, 6, 15), date(2027, 7, 10), ""],
        ["2026/2027", "Сессия", "2", date(2027, 6, 16), date(2027, 7, 11), ""],
        ["2026/2028", "Каникулы", "", date(2027, 1, 1), date(2027, 1, 2), ""],
        ["2026/2027", "Отпуск", "", date(2027, 1, 1), date(2027, 1, 2), ""],
    ]
    result = do_import(world, "calendar", xlsx(rows), who="deputy")
    assert not result.ok
    by_row = {e.row: e.message for e in result.errors}
    assert "укажите полугодие" in by_row[3]
    assert "раньше, чем начался" in by_row[4]
    assert "внутри учебного года: с 01.09.2026 по 31.08.2027" in by_row[5]
    assert "уже указана в файле" in by_row[7]
    assert "следующий за первым" in by_row[8]
    assert "Неизвестное значение вида периода «Отпуск»" in by_row[9]
    assert 2 not in by_row and 6 not in by_row
    assert periods(world) == []  # all or nothing


def test_only_the_officer_and_the_deputy_import_the_calendar(world, do_import):
    rows = [HEAD, ["2026/2027", "Каникулы", "", date(2026, 12, 29), date(2027, 1, 10), ""]]
    with pytest.raises(AccessDenied, match="заместитель директора и ответственный"):
        do_import(world, "calendar", xlsx(rows), who="teacher")
    with pytest.raises(AccessDenied, match="только ответственный"):
        do_import(world, "curriculum", xlsx([["Группа"]]), who="deputy")
    assert periods(world) == []
    assert do_import(world, "calendar", xlsx(rows), who="officer").ok
