"""«Мои замечания»: a teacher's own remarks, weekly row, КТП and накопляемость, and the board."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.analytics import completeness, my_remarks
from app.analytics.common import period_bounds
from app.errors import AccessDenied
from app.settings import Settings
from etl.load import run_etl
from etl.warehouse import WarehouseReader
from tests.etl.helpers import filled_on


@pytest.fixture
def built(world, tmp_path, database_url):
    if world.today - timedelta(days=10) < period_bounds("year", world.today)[0]:
        pytest.skip("the first days of an academic year hold no lessons ten days old")
    lessons = {
        "complete": world.lesson(3, **filled_on(world, 3)),
        "open": world.lesson(4),  # nothing filled, due in three days: four open remarks
        "late": world.lesson(5, **filled_on(world, 5, late_days=1)),  # filled the next day: four fixed
        "complete2": world.lesson(6, **filled_on(world, 6)),
        "overdue": world.lesson(10),  # nothing filled, past its due date: four overdue remarks
        # the other teacher's empty lesson (another subject, so накопляемость stays apart)
        "other": world.lesson(2, teacher_id=world.other_teacher_id, subject_id=world.credit_subject_id),
    }
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    run_etl(full=True, settings=settings)
    return world, WarehouseReader(settings.warehouse_dir), lessons


def test_a_teacher_sees_only_their_own_remarks(built):
    world, reader, lessons = built
    mine = my_remarks.remarks(reader, world.actor("teacher"), world.today)
    theirs = my_remarks.remarks(reader, world.actor("other_teacher"), world.today)
    assert set(mine["_lesson_id"]) == {lessons["open"], lessons["late"], lessons["overdue"]}
    assert set(theirs["_lesson_id"]) == {lessons["other"]}
    assert "Преподаватель" not in mine.columns  # it is the reader's own list
    assert {"Дата", "Пара", "Группа", "Дисциплина", "Замечание", "Устранить до", "Состояние"} <= set(
        mine.columns
    )


def test_states_match_mart_remark(built):
    world, reader, lessons = built
    expected = reader.query(
        "SELECT lesson_id, remark_title, remark_state, due_date FROM mart_remark WHERE teacher_id = ?",
        [world.teacher_id],
    )
    frame = my_remarks.remarks(reader, world.actor("teacher"), world.today)
    labels = completeness.REMARK_STATES
    assert sorted(
        zip(frame["_lesson_id"], frame["Замечание"], frame["Состояние"], frame["Устранить до"], strict=True)
    ) == sorted(
        (row["lesson_id"], row["remark_title"], labels[row["remark_state"]], row["due_date"])
        for row in expected.iter_rows(named=True)
    )
    by_lesson = {
        lid: set(frame.filter(frame["_lesson_id"] == lid)["Состояние"]) for lid in frame["_lesson_id"]
    }
    assert by_lesson == {
        lessons["open"]: {"открыто"},
        lessons["late"]: {"устранено"},
        lessons["overdue"]: {"просрочено"},
    }
    # unresolved first, as on the officer's page
    assert frame["Состояние"].to_list()[-4:] == ["устранено"] * 4
    only_overdue = my_remarks.remarks(reader, world.actor("teacher"), world.today, ("overdue",))
    assert set(only_overdue["_lesson_id"]) == {lessons["overdue"]} and only_overdue.height == 4


def test_summary_and_home_counts(built):
    world, reader, _lessons = built
    teacher = world.actor("teacher")
    summary = my_remarks.summary(reader, teacher, world.today)
    assert (summary["remarks_open"], summary["remarks_fixed"], summary["remarks_overdue"]) == (4, 4, 4)
    assert summary["held"] == 5 and summary["pct_on_day"] == 40.0
    assert my_remarks.unresolved(reader, teacher, world.today) == {"open": 4, "overdue": 4}
    assert my_remarks.unresolved(reader, world.actor("other_teacher"), world.today) == {
        "open": 4,
        "overdue": 0,
    }
    assert my_remarks.unresolved(reader, world.actor("deputy"), world.today) is None


def test_lesson_links_one_per_lesson(built):
    world, reader, lessons = built
    frame = my_remarks.remarks(reader, world.actor("teacher"), world.today, ("open", "overdue"))
    links = my_remarks.lesson_links(frame)
    assert [link.lesson_id for link in links] == [lessons["overdue"], lessons["open"]]  # by due date
    day = world.today - timedelta(days=10)
    assert links[0].label.startswith(f"{day:%d.%m.%Y}, ")
    assert "ИСП-11 · Операционные системы: " in links[0].label
    assert "Не указана тема занятия" in links[0].label and "Не отмечена посещаемость" in links[0].label
    assert my_remarks.lesson_links(frame.clear()) == []


def test_weekly_rows_are_the_teachers_own(built):
    world, reader, _lessons = built
    teacher, other = world.actor("teacher"), world.actor("other_teacher")
    mine = my_remarks.weekly(reader, teacher, world.today)
    assert mine.columns[:2] == ["Неделя с", "Занятий"] and "Преподаватель" not in mine.columns
    assert set(mine["_teacher_id"]) == {world.teacher_id}
    assert mine["Занятий"].sum() == 5 and mine["Замечаний"].sum() == 12
    assert mine["Неделя с"].to_list() == sorted(mine["Неделя с"].to_list(), reverse=True)
    for week in mine["Неделя с"]:
        assert week.weekday() == 0
    theirs = my_remarks.weekly(reader, other, world.today)
    assert set(theirs["_teacher_id"]) == {world.other_teacher_id} and theirs["Замечаний"].sum() == 4


def test_the_board_is_the_colleges_weekly_analysis(built):
    world, reader, _lessons = built
    week, _ = period_bounds("week", world.today - timedelta(days=2))
    posted = completeness.weekly_analysis(reader, world.college_id, week)
    for who in ("teacher", "other_teacher"):
        board = my_remarks.board(reader, world.actor(who), week)
        assert board.equals(posted)  # the same table the officer sees, for every teacher
    assert world.other_teacher_id in set(posted["_teacher_id"])
    assert set(posted["Преподаватель"]) >= {"Кузнецов Олег Петрович"}


def test_ktp_and_accumulation_are_the_teachers_own(built):
    world, reader, _lessons = built
    teacher, other = world.actor("teacher"), world.actor("other_teacher")
    ktp = my_remarks.ktp(reader, teacher)
    assert sorted(ktp["Дисциплина"]) == ["Операционные системы", "Физическая культура"]
    assert "Отставание, занятий" in ktp.columns and "Преподаватель" not in ktp.columns
    assert my_remarks.ktp(reader, other).height == 0  # no curriculum item is assigned to them
    accumulation = my_remarks.accumulation(reader, teacher)
    assert accumulation.height == 5 and set(accumulation["Дисциплина"]) == {"Операционные системы"}
    assert my_remarks.accumulation(reader, other).height == 0
    # the filters are the completeness module's own parameters
    everyone = completeness.mark_accumulation(reader, world.college_id)
    assert everyone.height == 5
    assert completeness.ktp_progress(reader, world.college_id, teacher_id=world.other_teacher_id).height == 0


@pytest.mark.parametrize("who", ["deputy", "officer", "director", "student", "guardian"])
def test_only_a_teacher_has_own_remarks(built, who):
    world, reader, _lessons = built
    actor = world.actor(who)
    with pytest.raises(AccessDenied):
        my_remarks.remarks(reader, actor, world.today)
    with pytest.raises(AccessDenied):
        my_remarks.board(reader, actor, world.today)
    with pytest.raises(AccessDenied):
        my_remarks.ktp(reader, actor)
