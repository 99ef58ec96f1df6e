"""Attendance marts on factory data, every figure worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.models import Attendance, Student
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader


@pytest.fixture
def build(tmp_path, database_url):
    """Build a warehouse from the test database (settings may be overridden) and open it."""

    def run(**overrides: object) -> WarehouseReader:
        settings = Settings(data_dir=tmp_path, database_url=database_url, **overrides)
        run_etl(full=True, settings=settings)
        return WarehouseReader(settings.warehouse_dir)

    return run


def attend(world, lesson_id: int, student_id: int, status: str, reason: str = "") -> None:
    with Session(world.engine) as s:
        s.add(
            Attendance(
                college_id=world.college_id,
                lesson_id=lesson_id,
                student_id=student_id,
                status=status,
                reason=reason,
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()


def previous_month_day(world, offset: int = 0) -> int:
    """days_ago of a day in the previous calendar month (offset 0: its last day; up to 27 back)."""
    assert 0 <= offset <= 27
    return world.today.day + offset


@pytest.fixture
def absences(world):
    """Previous month: day d1 two pairs of the main subject and one of the credit subject, day d2 one pair.

    Student 0: d1 «н» and «ув» on the two pairs, «оп» on the credit subject, d2 «н».
    Student 1: d2 «н». Everyone else present. 4 lessons × 2 hours = 8 hours held per student.
    """
    d1, d2 = previous_month_day(world, 5), previous_month_day(world, 3)
    l1, l2 = world.lesson(d1), world.lesson(d1)
    l3 = world.lesson(d1, subject_id=world.credit_subject_id)
    l4 = world.lesson(d2)
    first, second = world.student_ids[:2]
    attend(world, l1, first, "absent")
    attend(world, l2, first, "excused", "справка")
    attend(world, l3, first, "late")
    attend(world, l4, first, "absent")
    attend(world, l4, second, "absent")
    return world.today - timedelta(days=d1), world.today - timedelta(days=d2)


def test_daily_hours_missed_split_excused_unexcused_and_lates_apart(world, absences, build):
    d1, _ = absences
    wh = build()
    rows = wh.query(
        "SELECT subject_id, lessons_held, hours_held, hours_missed, hours_excused, hours_unexcused, lates "
        "FROM mart_attendance_daily WHERE student_id = ? AND lesson_date = ? ORDER BY subject_id",
        [world.student_ids[0], d1],
    )
    by_subject = {r[0]: r[1:] for r in rows.iter_rows()}
    # two pairs of the main subject: one «н», one «ув» → 4 hours missed, 2 excused, 2 unexcused
    assert by_subject[world.subject_id] == (2, 4, 4, 2, 2, 0)
    # late on the credit subject: present, no hours missed, one late
    assert by_subject[world.credit_subject_id] == (1, 2, 0, 0, 0, 1)
    names = wh.query(
        "SELECT DISTINCT group_name, student_name, month_start FROM mart_attendance_daily WHERE student_id = ?",
        [world.student_ids[0]],
    ).row(0)
    assert names == ("ИСП-11", "Абрамов Илья Сергеевич", d1.replace(day=1))


def test_student_day_sums_the_days_subjects(world, absences, build):
    d1, d2 = absences
    wh = build()
    rows = wh.query(
        "SELECT lesson_date, lessons_held, hours_held, lessons_missed, hours_missed, hours_excused, "
        "hours_unexcused, lates, month_start FROM mart_attendance_student_day "
        "WHERE student_id = ? AND lesson_date IN (?, ?) ORDER BY lesson_date",
        [world.student_ids[0], d1, d2],
    ).rows()
    # d1: three lessons (two pairs «н» and «ув», the credit subject «оп») — one row for the day
    assert rows[0] == (d1, 3, 6, 2, 4, 2, 2, 1, d1.replace(day=1))
    assert rows[1] == (d2, 1, 2, 1, 2, 0, 2, 0, d2.replace(day=1))
    # and for everyone, every day: the student × subject × day rows summed
    differ = wh.query(
        """
        SELECT count(*) FROM (
            SELECT student_id, group_id, lesson_date, sum(hours_held), sum(hours_missed), sum(hours_excused),
                   sum(lates), sum(lessons_missed)
            FROM mart_attendance_daily GROUP BY ALL
            EXCEPT
            SELECT student_id, group_id, lesson_date, hours_held, hours_missed, hours_excused, lates, lessons_missed
            FROM mart_attendance_student_day
        )
        """
    ).item()
    assert differ == 0


def test_monthly_share_and_systematic_flag(world, absences, build):
    d1, _ = absences
    wh = build()
    frame = wh.query(
        "SELECT student_id, hours_held, hours_missed, hours_excused, hours_unexcused, lates, share_missed, "
        "is_systematic FROM mart_attendance_student_month WHERE group_id = ? AND month_start = ?",
        [world.group_id, d1.replace(day=1)],
    )
    rows = {r[0]: r[1:] for r in frame.iter_rows()}
    assert len(rows) == 5
    first, second, third = world.student_ids[:3]
    # 6 of 8 hours missed (2 excused, 4 unexcused): 75 % > 30 % → systematic
    assert rows[first] == (8, 6, 2, 4, 1, 0.75, True)
    # 2 of 8 hours: 25 %, not systematic
    assert rows[second] == (8, 2, 0, 2, 0, 0.25, False)
    assert rows[third] == (8, 0, 0, 0, 0, 0.0, False)


def test_systematic_threshold_is_strictly_above_the_setting(world, absences, build):
    wh = build(systematic_absence_share=0.25)
    flagged = wh.query(
        "SELECT student_id FROM mart_attendance_student_month WHERE group_id = ? AND is_systematic",
        [world.group_id],
    )["student_id"].to_list()
    assert flagged == [world.student_ids[0]]  # 25 % exactly is not above 25 %


def test_group_month_rollup_counts_student_hours(world, absences, build):
    d1, _ = absences
    row = (
        build()
        .query(
            "SELECT students, student_hours_held, hours_missed, hours_excused, hours_unexcused, lates, "
            "share_missed, hours_missed_per_student, systematic_students "
            "FROM mart_attendance_group_month WHERE group_id = ? AND month_start = ?",
            [world.group_id, d1.replace(day=1)],
        )
        .row(0)
    )
    # 5 students × 8 hours = 40 student-hours; 6 + 2 = 8 missed → 20 %, 1.6 hours per student
    assert row == (5, 40, 8, 2, 6, 1, 0.2, 1.6, 1)


def test_subgroup_lessons_and_leavers_are_not_counted_against_others(world, build):
    day = previous_month_day(world, 2)
    lesson_day = world.today - timedelta(days=day)
    world.lesson(day, subgroup=2)  # students 2 and 3 are in subgroup 2
    leaver = world.student_ids[4]
    with Session(world.engine) as s:
        student = s.get(Student, leaver)
        assert student is not None
        student.left_on = lesson_day - timedelta(days=1)
        s.add(student)
        s.commit()
    frame = build().query(
        "SELECT student_id, hours_held FROM mart_attendance_daily WHERE group_id = ? ORDER BY student_id",
        [world.group_id],
    )
    assert frame.rows() == [(world.student_ids[2], 2), (world.student_ids[3], 2)]
