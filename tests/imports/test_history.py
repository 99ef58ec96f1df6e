"""The history migration: a privileged path that writes past marks and attendance, all or nothing."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from sqlmodel import Session, select

from app.calendar import program_semester
from app.domain import AttendanceStatus
from app.imports.history import history_summary, import_history
from app.imports.run import ImportResult
from app.models import Attendance, Lesson, Mark, StudyGroup
from app.services.journal import lesson_sheet
from tests.factories import World
from tests.imports.helpers import audit_events, count, csv_bytes, xlsx

HEADER = [
    "Дата",
    "Пара",
    "Группа",
    "Код",
    "Преподаватель",
    "Студент",
    "Отметка",
    "Вид работы",
    "Посещаемость",
]
TEACHER = "Соколова Елена Викторовна"


def past_day(world: World, back: int = 1) -> date:
    """A past day in the world's current semester (history rows must be in the past)."""
    with Session(world.engine) as s:
        group = s.get(StudyGroup, world.group_id)
        assert group is not None
    for days in range(back, back + 60):
        day = world.today - timedelta(days=days)
        if program_semester(group.admission_year, day) == world.semester:
            return day
    pytest.skip("the semester began today: no past day in it")


def history(world: World, data: bytes, name: str = "history.xlsx") -> ImportResult:
    with Session(world.engine) as s:  # the owner's connection, as `ejournal import history` uses
        return import_history(
            data, name, session=s, college_id=world.college_id, actor=world.actor("officer")
        )


def rows(world: World) -> list[list[object]]:
    d1, d2 = past_day(world, 2), past_day(world, 1)
    return [
        HEADER,
        [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Абрамов Илья Сергеевич", 5, "Устный опрос", ""],
        [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Белова Анна Игоревна", "", "", "н"],
        [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Волков Денис Андреевич", 4, "Контрольная работа", "оп"],
        [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Волков Денис Андреевич", "3", "Устный опрос", ""],
        [d2, 2, "ИСП-11", "ОП.01", "Соколова Е. В.", "Дмитриев Павел Викторович", "", "", "б"],
        [d2, 2, "ИСП-11", "ОП.01", "Соколова Е. В.", "Григорьева Мария Олеговна", "2", "", ""],
    ]


def test_history_creates_lessons_marks_and_attendance_that_the_journal_shows(world):
    result = history(world, xlsx(rows(world)))
    assert result.ok, result.errors
    assert result.counts == {"lessons": 2, "marks": 4, "attendance": 3}
    assert "создано занятий 2, отметок 4, записей посещаемости 3" in history_summary(result)
    with Session(world.engine) as s:
        lessons = s.exec(
            select(Lesson).where(
                Lesson.college_id == world.college_id,
                Lesson.subject_id == world.subject_id,
                Lesson.pair_number.in_([1, 2]),
                Lesson.lesson_date < world.today,
            )
        ).all()  # type: ignore[attr-defined]
        first = next(lesson for lesson in lessons if lesson.pair_number == 1)
        assert first.work_kind in {"oral", "control"} and first.attendance_filled_at is not None
        assert first.attendance_filled_at.date() <= first.lesson_date
        sheet = lesson_sheet(world.actor("deputy"), first.id or 0, session=s)
    by_name = {st.name: st for st in sheet.students}
    assert [m["value"] for m in by_name["Абрамов Илья Сергеевич"].marks] == ["5"]
    assert sorted(m["value"] for m in by_name["Волков Денис Андреевич"].marks) == ["3", "4"]
    assert by_name["Белова Анна Игоревна"].status == AttendanceStatus.absent
    assert by_name["Волков Денис Андреевич"].status == AttendanceStatus.late
    assert not sheet.can_edit and not sheet.marks_open  # the journal's own rules still hold for people
    with Session(world.engine) as s:
        mark = s.exec(select(Mark).where(Mark.lesson_id == first.id, Mark.value == "5")).one()
    assert mark.created_by_user_id == world.users["officer"]
    assert mark.created_at is not None and mark.created_at.date() == first.lesson_date


def test_imported_marks_are_append_only(world, database_url):
    assert history(world, xlsx(rows(world))).ok
    with psycopg.connect(database_url) as conn:  # even the owner cannot rewrite them
        mark_id = conn.execute(
            "SELECT m.id FROM mark m JOIN lesson l ON l.id = m.lesson_id WHERE l.college_id = %s LIMIT 1",
            (world.college_id,),
        ).fetchone()
        assert mark_id is not None
        for statement in ("UPDATE mark SET value = '2' WHERE id = %s", "DELETE FROM mark WHERE id = %s"):
            with pytest.raises(psycopg.errors.RaiseException, match="не изменя"):
                conn.execute(statement, mark_id)
            conn.rollback()


def test_history_reimport_changes_nothing_and_is_audited(world, engine):
    data = csv_bytes(rows(world), delimiter=";")
    first = history(world, data, "old-system.csv")
    assert first.ok, first.errors
    marks = count(engine, Mark, college_id=world.college_id)
    again = history(world, data, "old-system.csv")
    assert again.ok, again.errors
    assert again.counts == {"lessons": 0, "marks": 0, "attendance": 0}
    assert again.unchanged == again.rows == 6
    assert count(engine, Mark, college_id=world.college_id) == marks
    events = audit_events(engine, world.college_id, "import.history")
    assert [e.outcome for e in events] == ["accepted", "accepted"]
    assert events[0].details["marks"] == 4 and events[0].details["lessons"] == 2
    assert events[0].details["sha256"] == events[1].details["sha256"]
    assert events[0].actor_user_id == world.users["officer"]


def _refused(world: World, engine, data: bytes) -> ImportResult:
    lessons = count(engine, Lesson, college_id=world.college_id)
    marks = count(engine, Mark, college_id=world.college_id)
    attendance = count(engine, Attendance, college_id=world.college_id)
    result = history(world, data)
    assert not result.ok
    assert count(engine, Lesson, college_id=world.college_id) == lessons
    assert count(engine, Mark, college_id=world.college_id) == marks
    assert count(engine, Attendance, college_id=world.college_id) == attendance
    assert audit_events(engine, world.college_id, "import.history")[-1].outcome == "refused"
    return result


def test_a_mark_of_six_refuses_the_whole_file(world, engine):
    bad = rows(world)
    bad[4][6] = 6
    result = _refused(world, engine, xlsx(bad))
    [error] = result.errors
    assert (error.row, error.column) == (5, "Отметка")
    assert "Отметка «6» недопустима" in error.message


def test_a_mark_for_an_absent_student_and_other_conflicts_are_refused(world, engine):
    d1 = past_day(world, 2)
    data = csv_bytes(
        [
            HEADER,
            [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Абрамов Илья Сергеевич", "5", "", "н"],
            [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Белова Анна Игоревна", "", "", "н"],
            [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Белова Анна Игоревна", "4", "Тест", ""],
            [d1, 1, "ИСП-11", "ОГСЭ.04", TEACHER, "Волков Денис Андреевич", "4", "", ""],
            [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Дмитриев Павел Викторович", "зач", "", ""],
            [
                world.today + timedelta(days=3),
                1,
                "ИСП-11",
                "ОП.01",
                TEACHER,
                "Абрамов Илья Сергеевич",
                "5",
                "",
                "",
            ],
            [d1, 1, "ИСП-11", "ОП.01", TEACHER, "Никто Никто Никтович", "5", "", ""],
        ]
    )
    result = _refused(world, engine, data)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Отметка"),
        (4, "Отметка"),
        (5, "Код"),
        (6, "Отметка"),
        (7, "Дата"),
        (8, "Студент"),
    ]


def test_saved_marks_are_never_overwritten_by_a_second_file(world, engine):
    assert history(world, xlsx(rows(world))).ok
    changed = rows(world)
    changed[1][6] = 2
    result = _refused(world, engine, xlsx(changed))
    assert "уже есть отметка «5»" in result.errors[0].message
