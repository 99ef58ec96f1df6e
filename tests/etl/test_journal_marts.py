"""Journal-keeping marts: weekly analysis, mark accumulation, КТП, the monthly roll-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.models import Mark
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.etl.helpers import filled_on


@pytest.fixture
def reader(tmp_path, database_url):
    settings = Settings(data_dir=tmp_path, database_url=database_url)

    def build() -> WarehouseReader:
        run_etl(full=True, settings=settings)
        return WarehouseReader(settings.warehouse_dir)

    return build


def add_mark(world, lesson_id, student_id, value="4", kind="oral", corrects=None, reason=None):
    with Session(world.engine) as s:
        mark = Mark(
            college_id=world.college_id,
            lesson_id=lesson_id,
            student_id=student_id,
            value=value,
            work_kind=kind,
            created_by_user_id=world.users["teacher"],
            corrects_mark_id=corrects,
            correction_reason=reason,
        )
        s.add(mark)
        s.commit()
        return mark.id


def test_weekly_teacher_counts_lessons_complete_on_day_and_remarks(world, reader):
    # three lessons of one week (Monday..Wednesday of the week before last): complete, late, empty
    monday = world.today - timedelta(days=world.today.weekday() + 14)
    ago = (world.today - monday).days
    world.lesson(ago, **filled_on(world, ago))
    world.lesson(ago - 1, **filled_on(world, ago - 1, late_days=1))
    world.lesson(ago - 2)
    row = (
        reader()
        .query(
            "SELECT lessons_held, lessons_complete_on_day, lessons_filled_late, pct_complete_on_day, remarks_total, "
            "remarks_fixed, remarks_overdue FROM mart_weekly_teacher WHERE teacher_id = ? AND week_start = ?",
            [world.teacher_id, monday],
        )
        .row(0, named=True)
    )
    # the late lesson has 4 remarks, all fixed; the empty one 4, overdue (due a week after the lesson)
    assert row == {
        "lessons_held": 3,
        "lessons_complete_on_day": 1,
        "lessons_filled_late": 1,
        "pct_complete_on_day": 33.3,
        "remarks_total": 8,
        "remarks_fixed": 4,
        "remarks_overdue": 4,
    }


def test_a_kind_of_work_without_what_was_done_is_not_complete_on_day(world, reader):
    # The service stamps work_filled_at when only the kind of work is saved; the lesson still
    # lacks «что пройдено», so it is neither complete nor complete on the day.
    fields = {**filled_on(world, 1), "work_done": None}
    lid = world.lesson(1, **fields)
    row = (
        reader()
        .query("SELECT is_complete, complete_on_day FROM mart_lesson_completeness WHERE lesson_id = ?", [lid])
        .row(0, named=True)
    )
    assert row == {"is_complete": False, "complete_on_day": False}


def test_todays_lessons_raise_no_remarks_yet(world, reader):
    world.lesson(0)
    wh = reader()
    assert wh.query("SELECT count(*) FROM mart_remark WHERE college_id = ?", [world.college_id]).item() == 0
    assert wh.query(
        "SELECT is_today FROM mart_lesson_completeness WHERE college_id = ?", [world.college_id]
    ).item()


def test_written_work_unmarked_past_the_deadline(world, reader):
    lid = world.lesson(9, **filled_on(world, 9, work_kind="control"))
    for sid in world.student_ids[:3]:
        add_mark(world, lid, sid, kind="control")
    row = (
        reader()
        .query(
            "SELECT written_unmarked, written_overdue FROM mart_lesson_completeness WHERE lesson_id = ?",
            [lid],
        )
        .row(0)
    )
    assert row == (2, True)


def test_mark_accumulation_flags_students_with_too_few_marks(world, reader):
    lessons = [world.lesson(d, **filled_on(world, d)) for d in (1, 3, 5, 8, 10)]
    first = world.student_ids[0]
    for lid in lessons[:3]:
        add_mark(world, lid, first)
    add_mark(world, lessons[0], world.student_ids[1])
    frame = reader().query(
        "SELECT student_id, lessons_attended, marks, too_few_marks FROM mart_mark_accumulation "
        "WHERE group_id = ? ORDER BY student_id",
        [world.group_id],
    )
    by_student = {r[0]: r[1:] for r in frame.iter_rows()}
    assert by_student[first] == (5, 3, False)
    assert by_student[world.student_ids[1]] == (5, 1, True)


def test_ktp_progress_and_lag(world, reader):
    # four lessons taught; only the first КТП topic ever recorded: three lessons behind
    for d, plan in ((8, world.plan_topic_ids[0]), (6, None), (4, None), (2, None)):
        fields = filled_on(world, d)
        if plan is None:
            fields["topic"] = None
            fields["topic_filled_at"] = None
        world.lesson(d, plan_topic_id=plan, **fields)
    row = (
        reader()
        .query(
            "SELECT lessons_taught, hours_taught, furthest_topic, ktp_topics, ktp_lag_lessons, behind_ktp "
            "FROM mart_ktp_progress WHERE group_id = ? AND subject_id = ?",
            [world.group_id, world.subject_id],
        )
        .row(0)
    )
    assert row == (4, 8, 1, 3, 3, True)


def test_monthly_rollup_counts_mark_corrections(world, reader):
    lid = world.lesson(0)
    original = add_mark(world, lid, world.student_ids[0], "3")
    add_mark(world, lid, world.student_ids[0], "4", corrects=original, reason="ошибка ввода")
    lid2 = world.lesson(1, **filled_on(world, 1))
    add_mark(world, lid2, world.student_ids[1], "5")
    wh = reader()
    month = (world.today - timedelta(days=1)).replace(day=1)
    total = wh.query(
        "SELECT sum(mark_corrections) FROM mart_monthly_teacher WHERE teacher_id = ?", [world.teacher_id]
    ).item()
    assert total == 1  # corrections count in the month they belong to, today's lesson included
    current = wh.query(
        "SELECT mark_value, original_value, corrected FROM mark_current WHERE lesson_id = ?", [lid]
    ).row(0)
    assert current == ("4", "3", True)
    assert (
        wh.query(
            "SELECT lessons_held FROM mart_monthly_teacher WHERE teacher_id = ? AND month_start = ?",
            [world.teacher_id, month],
        ).item()
        == 1
    )
