"""app.analytics.attendance on a built warehouse, and who may see which groups (visible_groups)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from app.analytics import attendance
from app.analytics.common import Scope, visible_groups
from app.domain import Role
from app.models import Lesson
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.etl.test_attendance_marts import attend, previous_month_day
from tests.pages.test_attendance_page import grant, other_group

HOURS = [
    "Проведено часов",
    "Пропущено часов",
    "По уважительной причине",
    "Без уважительной причины",
    "Опозданий",
    "Доля пропусков, %",
]


@pytest.fixture
def built(world, tmp_path, database_url):
    """Previous month: two lessons (student 0 «н» then «ув», student 1 «оп»); ИСП-21's student «н» today."""
    d1, d2 = previous_month_day(world, 4), previous_month_day(world, 2)
    l1, l2 = world.lesson(d1), world.lesson(d2, subject_id=world.credit_subject_id)
    first, second = world.student_ids[:2]
    attend(world, l1, first, "absent")
    attend(world, l2, first, "excused", "справка")
    attend(world, l1, second, "late")
    group2, student2, lesson2 = other_group(world)
    attend(world, lesson2, student2, "absent")
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    month = (world.today - timedelta(days=d1)).replace(day=1)
    scope = Scope(world.college_id, *attendance.period_bounds("month", month))
    return world, reader, scope, group2


def test_summary_of_a_month(built):
    world, reader, scope, _ = built
    s = attendance.summary(reader, scope)
    # 5 students × 2 lessons × 2 hours = 20 hours held; student 0 missed both (2 «н» + 2 «ув»)
    assert s == {
        "students": 5,
        "hours_held": 20,
        "hours_missed": 4,
        "hours_excused": 2,
        "hours_unexcused": 2,
        "lates": 1,
        "pct_missed": 20.0,
        "systematic_students": 1,  # student 0: 4 of 4 hours
    }
    assert attendance.summary(reader, scope, world.student_ids[1])["lates"] == 1


def test_tables_have_russian_headers_and_figures(built):
    _world, reader, scope, _ = built
    groups = attendance.by_group(reader, scope)
    assert groups.columns[:2] == ["Группа", "Студентов"] and groups.columns[2:8] == HOURS
    assert groups.row(0, named=True)["Пропущено часов на студента"] == 0.8
    students = attendance.by_student(reader, scope)
    assert students.columns[:2] == ["Группа", "Студент"] and students.columns[2:8] == HOURS
    top = students.row(0, named=True)
    assert (top["Студент"], top["Пропущено часов"], top["Доля пропусков, %"]) == (
        "Абрамов Илья Сергеевич",
        4,
        100.0,
    )
    subjects = attendance.by_subject(reader, scope)
    assert dict(zip(subjects["Дисциплина"], subjects["Без уважительной причины"], strict=True)) == {
        "Операционные системы": 2,
        "Физическая культура": 0,
    }
    flagged = attendance.systematic(reader, scope)
    assert flagged["Студент"].to_list() == ["Абрамов Илья Сергеевич"]
    assert flagged.row(0, named=True)["Доля пропусков, %"] == 100.0
    assert set(attendance.METRIC_DEFINITIONS) >= {"Пропущено часов", "Доля пропусков, %", "Опозданий"}


def test_heatmap_by_student_and_group(built):
    world, reader, scope, _ = built
    cal = attendance.heatmap(reader, scope, "student")
    assert cal.columns == ["Студент", "Дата", "Пропущено часов", "Без уважительной причины", "_key"]
    # Only student 0 missed an hour: the four students who missed none are left out.
    assert cal["_key"].to_list() == [world.student_ids[0]] * 2
    assert cal["Пропущено часов"].to_list() == [2, 2] and cal["Без уважительной причины"].to_list() == [2, 0]
    groups = attendance.heatmap(reader, scope, "group")
    assert groups["Пропущено часов"].to_list() == [2, 2] and set(groups["Группа"]) == {"ИСП-11"}


def test_heatmap_keeps_the_rows_that_missed_most_in_name_order(world, tmp_path, database_url):
    d1, d2 = previous_month_day(world, 4), previous_month_day(world, 2)
    l1, l2 = world.lesson(d1), world.lesson(d2)
    most, some, one_day = world.student_ids[1], world.student_ids[3], world.student_ids[2]
    for lesson in (l1, l2):
        attend(world, lesson, most, "absent")
    attend(world, l1, some, "excused", "справка")
    attend(world, l2, one_day, "absent")
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    reader = WarehouseReader(settings.warehouse_dir)
    scope = Scope(world.college_id, *attendance.period_bounds("month", world.today - timedelta(days=d1)))

    top = attendance.heatmap(reader, scope, "student", rows=1)
    assert top["_key"].to_list() == [most, most] and top["Пропущено часов"].to_list() == [2, 2]
    everyone = attendance.heatmap(reader, scope, "student")
    names = dict(zip(everyone["_key"], everyone["Студент"], strict=True))
    assert set(names) == {most, some, one_day}  # the two who missed nothing are left out
    # A tie of 2 hours goes by name; the rows come in name order, every day with lessons (0 when present).
    tied = min((some, one_day), key=names.__getitem__)
    shown = attendance.heatmap(reader, scope, "student", rows=2)
    assert set(shown["_key"]) == {most, tied} and shown.height == 4
    assert shown["Студент"].to_list() == sorted(shown["Студент"].to_list())


def test_monthly_trend(built):
    world, reader, scope, _ = built
    year_start = date(scope.start.year if scope.start.month >= 9 else scope.start.year - 1, 9, 1)
    wide = Scope(world.college_id, year_start - timedelta(days=400), world.today)
    trend = attendance.monthly_trend(reader, wide)
    by_month = {r["Месяц"]: r for r in trend.iter_rows(named=True)}
    month = by_month[scope.start]
    assert (month["Пропущено часов"], month["Доля пропусков, %"], month["Систематически пропускающих"]) == (
        4,
        20.0,
        1,
    )
    one = attendance.monthly_trend(reader, wide, world.student_ids[0])
    assert one.filter(one["Месяц"] == scope.start)["Доля пропусков, %"].item() == 100.0


def test_subject_filter_and_no_teacher_filter(built):
    world, reader, scope, _ = built
    os_only = replace(
        scope, subject_id=world.subject_id
    )  # the lesson where student 0 was «н», student 1 «оп»
    s = attendance.summary(reader, os_only)
    assert (s["hours_held"], s["hours_missed"], s["hours_excused"], s["hours_unexcused"], s["lates"]) == (
        10,
        2,
        0,
        2,
        1,
    )
    # the month's flag is over all subjects; student 0 had this subject that month, so is counted
    assert s["systematic_students"] == 1
    assert attendance.systematic(reader, os_only)["Студент"].to_list() == ["Абрамов Илья Сергеевич"]
    pe = attendance.summary(reader, replace(scope, subject_id=world.credit_subject_id))
    assert (pe["hours_missed"], pe["hours_excused"], pe["lates"]) == (2, 2, 0)
    trend = attendance.monthly_trend(reader, os_only).row(0, named=True)
    assert (
        trend["Месяц"],
        trend["Проведено часов"],
        trend["Пропущено часов"],
        trend["Доля пропусков, %"],
    ) == (
        scope.start,
        10,
        2,
        20.0,
    )
    assert trend["Систематически пропускающих"] == 1
    with pytest.raises(ValueError, match="преподавателю"):
        attendance.by_student(reader, replace(scope, teacher_id=world.teacher_id))


def test_group_ids_restrict_every_query(built):
    world, reader, scope, group2 = built
    everyone = Scope(world.college_id, scope.start, world.today)
    assert set(attendance.by_group(reader, everyone)["Группа"]) == {"ИСП-11", "ИСП-21"}
    mine = Scope(world.college_id, scope.start, world.today, group_ids=(world.group_id,))
    assert set(attendance.by_group(reader, mine)["Группа"]) == {"ИСП-11"}
    assert "Яковлев Пётр" not in attendance.by_student(reader, mine)["Студент"].to_list()
    assert all(
        "ИСП-21" not in label
        for label in attendance.students(reader, world.college_id, (world.group_id,)).values()
    )
    none = Scope(world.college_id, scope.start, world.today, group_ids=())
    assert attendance.summary(reader, none)["hours_held"] == 0
    for query in (attendance.by_group, attendance.by_student, attendance.by_subject, attendance.systematic):
        assert query(reader, none).height == 0
    assert attendance.heatmap(reader, none).height == 0 and attendance.monthly_trend(reader, none).height == 0
    theirs = Scope(world.college_id, world.today, world.today, group_ids=(group2,))
    assert attendance.by_student(reader, theirs)["Студент"].to_list() == ["Яковлев Пётр"]


def test_period_bounds():
    assert attendance.period_bounds("month", date(2025, 2, 14)) == (date(2025, 2, 1), date(2025, 2, 28))
    assert attendance.period_bounds("semester", date(2025, 11, 3)) == (date(2025, 9, 1), date(2026, 1, 31))
    assert attendance.period_bounds("semester", date(2026, 1, 20)) == (date(2025, 9, 1), date(2026, 1, 31))
    assert attendance.period_bounds("semester", date(2026, 6, 1)) == (date(2026, 2, 1), date(2026, 8, 31))


def test_visible_groups_by_role(world):
    group2, _student, _lesson = other_group(world)  # curated and taught by the other teacher
    with Session(world.engine) as s:
        for who in ("deputy", "director", "officer"):
            assert visible_groups(world.actor(who), session=s) is None
        assert visible_groups(world.actor("student"), session=s) == ()
        assert visible_groups(world.actor("guardian"), session=s) == ()
        # a teacher sees the groups they teach: the factory's curriculum gives Соколова ИСП-11
        assert visible_groups(world.actor("teacher"), session=s) == (world.group_id,)
        assert visible_groups(world.actor("other_teacher"), session=s) == (group2,)  # a lesson conducted
        # in the curator role only: a teacher who is not a curator there sees nothing as a curator
        assert visible_groups(world.actor("teacher"), session=s, as_role=Role.curator) == ()
    grant(world, "teacher", Role.curator)
    with Session(world.engine) as s:
        assert visible_groups(world.actor("teacher"), session=s, as_role=Role.curator) == (world.group_id,)
    # a substitution in ИСП-21 adds it to Соколова's teaching groups, not to her curated ones
    with Session(world.engine) as s:
        s.add(
            Lesson(
                college_id=world.college_id,
                study_group_id=group2,
                subject_id=world.subject_id,
                semester=world.semester + 2,
                teacher_id=world.other_teacher_id,
                substitute_teacher_id=world.teacher_id,
                lesson_date=world.today,
                pair_number=2,
            )
        )
        s.commit()
    with Session(world.engine) as s:
        actor = world.actor("teacher")
        assert visible_groups(actor, session=s, as_role=Role.teacher) == tuple(
            sorted((world.group_id, group2))
        )
        assert visible_groups(actor, session=s, as_role=Role.curator) == (world.group_id,)
        assert (
            visible_groups(world.actor("deputy"), session=s, as_role=Role.curator) == ()
        )  # a role they lack
