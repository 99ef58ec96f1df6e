"""The regulation's rules for filling a lesson (§4.2.1), accepted and refused, on real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.calendar import is_school_day
from app.domain import AttendanceStatus, WorkKind
from app.errors import AccessDenied, DomainError
from app.models import Attendance, AuditEvent, Lesson, Mark
from app.services.journal import (
    LessonEntry,
    MarkInput,
    college_today,
    correct_mark,
    lesson_sheet,
    materialize_lessons,
    save_lesson,
    teacher_lessons,
)
from app.settings import get_settings
from tests.etl.helpers import filled_on


def save(world, who: str, lesson_id: int, entry: LessonEntry):
    with Session(world.engine) as s:
        return save_lesson(world.actor(who), lesson_id, entry, session=s)


def marks_of(world, lesson_id: int) -> list[Mark]:
    with Session(world.engine) as s:
        return list(s.exec(select(Mark).where(Mark.lesson_id == lesson_id).order_by(Mark.id)))


def last_audit(world) -> AuditEvent:
    with Session(world.engine) as s:
        row = s.exec(
            select(AuditEvent).where(AuditEvent.college_id == world.college_id).order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        ).first()
        assert row is not None
        return row


def lesson(world, lesson_id: int) -> Lesson:
    with Session(world.engine) as s:
        row = s.get(Lesson, lesson_id)
        assert row is not None
        return row


# --------------------------------------------------------------------------- on the lesson day


def test_teacher_fills_todays_lesson_in_one_save(world):
    lid = world.lesson(0)
    s1, s2, s3 = world.student_ids[:3]
    result = save(
        world,
        "teacher",
        lid,
        LessonEntry(
            plan_topic_id=world.plan_topic_ids[0],
            work_done="Опрос по теме, практическая №1",
            work_kind=WorkKind.practical,
            homework="Конспект §1",
            attendance={s1: AttendanceStatus.absent, s2: AttendanceStatus.late},
            marks=[MarkInput(s2, "5", comment="практическая №1"), MarkInput(s3, "4")],
        ),
    )
    assert result.marks_added == 2 and result.late == []
    row = lesson(world, lid)
    assert row.topic == "Введение в ОС" and row.plan_topic_id == world.plan_topic_ids[0]
    assert row.homework == "Конспект §1" and row.work_kind == "practical"
    assert row.topic_filled_at and row.homework_filled_at and row.attendance_filled_at
    values = {(m.student_id, m.value, m.work_kind) for m in marks_of(world, lid)}
    assert values == {(s2, "5", "practical"), (s3, "4", "practical")}
    audit = last_audit(world)
    assert audit.action == "lesson.save" and audit.outcome == "accepted"
    assert audit.actor_user_id == world.users["teacher"] and len(audit.details["marks"]) == 2


def test_on_the_day_topic_and_attendance_may_be_changed(world):
    lid = world.lesson(0)
    s1 = world.student_ids[0]
    save(world, "teacher", lid, LessonEntry(topic="Черновик", attendance={s1: AttendanceStatus.absent}))
    save(world, "teacher", lid, LessonEntry(topic="Процессы", attendance={}))
    assert lesson(world, lid).topic == "Процессы"
    with Session(world.engine) as s:
        assert s.exec(select(Attendance).where(Attendance.lesson_id == lid)).all() == []


def test_on_the_day_an_absence_may_become_a_lateness_and_a_new_absence_join_it(world):
    lid = world.lesson(0)
    s1, s2, s3 = world.student_ids[:3]
    save(
        world,
        "teacher",
        lid,
        LessonEntry(attendance={s1: AttendanceStatus.absent, s2: AttendanceStatus.late}),
    )
    save(
        world,
        "teacher",
        lid,
        LessonEntry(attendance={s1: AttendanceStatus.late, s3: AttendanceStatus.absent}),
    )
    with Session(world.engine) as s:
        rows = s.exec(select(Attendance).where(Attendance.lesson_id == lid)).all()
    assert sorted((a.student_id, a.status) for a in rows) == [(s1, "late"), (s3, "absent")]
    assert all(a.created_by_user_id == world.actor("teacher").user_id and a.reason == "" for a in rows)


def test_a_save_is_the_same_few_statements_whatever_it_holds(world):
    """One statement locks the lesson and one reads what the save checks (roster, marks,
    attendance, the attestation form); the rows go in a statement per kind, not per row, and
    not through the ORM's unit of work (its bookkeeping was most of a save's CPU: bench/load.py)."""
    from sqlalchemy import event

    teacher = world.actor("teacher")

    def statements(lesson_id: int, entry: LessonEntry) -> list[str]:
        seen: list[str] = []

        def before(conn, cursor, statement, *args):
            words = statement.split()
            verb = words[0].upper()
            target = {"INSERT": words[2], "UPDATE": words[1], "DELETE": words[2]}.get(verb, "")
            seen.append(f"{verb} {target}".strip())

        def flushed(session, *args):
            seen.append("ORM flush")

        event.listen(world.engine, "before_cursor_execute", before)
        try:
            with Session(world.engine) as s:
                event.listen(s, "before_flush", flushed)
                save_lesson(teacher, lesson_id, entry, session=s)
        finally:
            event.remove(world.engine, "before_cursor_execute", before)
        return seen

    s1, s2, s3, s4, s5 = world.student_ids[:5]
    small = statements(
        world.lesson(0),
        LessonEntry(
            topic="Опрос",
            work_kind=WorkKind.oral,
            attendance={s1: AttendanceStatus.absent},
            marks=[MarkInput(s2, "5")],
        ),
    )
    big = statements(
        world.lesson(0),
        LessonEntry(
            topic="Опрос",
            work_kind=WorkKind.oral,
            attendance={s1: AttendanceStatus.absent, s2: AttendanceStatus.late},
            marks=[MarkInput(s2, "5"), MarkInput(s3, "4"), MarkInput(s4, "3"), MarkInput(s5, "2")],
        ),
    )
    assert sorted(small) == sorted(
        ["SELECT", "SELECT", "INSERT attendance", "INSERT mark", "UPDATE lesson", "INSERT audit_event"]
    ), small
    assert big == small


def test_a_saved_mark_cannot_be_replaced(world):
    lid = world.lesson(0)
    s1 = world.student_ids[0]
    save(
        world,
        "teacher",
        lid,
        LessonEntry(work_kind=WorkKind.oral, work_done="Опрос", marks=[MarkInput(s1, "3")]),
    )
    with pytest.raises(DomainError, match="уже выставлена и не может быть изменена"):
        save(world, "teacher", lid, LessonEntry(marks=[MarkInput(s1, "5")]))
    assert [m.value for m in marks_of(world, lid)] == ["3"]
    audit = last_audit(world)
    assert audit.outcome == "refused" and "не может быть изменена" in audit.message


def test_a_second_mark_for_another_kind_of_work_is_allowed(world):
    lid = world.lesson(0)
    s1 = world.student_ids[0]
    save(
        world,
        "teacher",
        lid,
        LessonEntry(work_kind=WorkKind.oral, work_done="Опрос", marks=[MarkInput(s1, "4")]),
    )
    save(world, "teacher", lid, LessonEntry(marks=[MarkInput(s1, "5", work_kind=WorkKind.test)]))
    assert sorted(m.work_kind for m in marks_of(world, lid)) == ["oral", "test"]


@pytest.mark.parametrize("value", ["6", "1", "0", "5+", "отл", "", "н/а"])
def test_only_the_five_point_scale(world, value):
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="недопустима"):
        save(
            world,
            "teacher",
            lid,
            LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], value)]),
        )
    assert marks_of(world, lid) == []


def test_credit_marks_only_where_the_attestation_is_a_credit(world):
    exam_lesson = world.lesson(0)
    with pytest.raises(DomainError, match="нет зачёта"):
        save(
            world,
            "teacher",
            exam_lesson,
            LessonEntry(work_kind=WorkKind.credit, marks=[MarkInput(world.student_ids[0], "зач")]),
        )
    credit_lesson = world.lesson(0, subject_id=world.credit_subject_id)
    save(
        world,
        "teacher",
        credit_lesson,
        LessonEntry(
            work_kind=WorkKind.credit,
            marks=[MarkInput(world.student_ids[0], "зач"), MarkInput(world.student_ids[1], "незач")],
        ),
    )
    assert sorted(m.value for m in marks_of(world, credit_lesson)) == ["зач", "незач"]


@pytest.mark.parametrize("status", [AttendanceStatus.absent, AttendanceStatus.excused])
def test_no_mark_for_an_absent_student(world, status):
    lid = world.lesson(0)
    s1 = world.student_ids[0]
    with pytest.raises(DomainError, match="отсутствующему"):
        save(
            world,
            "teacher",
            lid,
            LessonEntry(work_kind=WorkKind.oral, attendance={s1: status}, marks=[MarkInput(s1, "5")]),
        )
    # the whole save was refused: the absence is not half-written either
    with Session(world.engine) as s:
        assert s.exec(select(Attendance).where(Attendance.lesson_id == lid)).all() == []
    assert lesson(world, lid).work_kind is None


def test_a_late_student_may_get_a_mark(world):
    lid = world.lesson(0)
    s1 = world.student_ids[0]
    save(
        world,
        "teacher",
        lid,
        LessonEntry(
            work_kind=WorkKind.oral, attendance={s1: AttendanceStatus.late}, marks=[MarkInput(s1, "4")]
        ),
    )
    assert [m.value for m in marks_of(world, lid)] == ["4"]


def test_marking_absent_a_student_who_already_has_a_mark_is_refused(world):
    lid = world.lesson(0)
    s1 = world.student_ids[0]
    save(world, "teacher", lid, LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(s1, "4")]))
    with pytest.raises(DomainError, match="уже выставлена отметка"):
        save(world, "teacher", lid, LessonEntry(attendance={s1: AttendanceStatus.absent}))


def test_mark_only_for_students_of_the_lesson(world):
    lid = world.lesson(0, subgroup=1)
    second_subgroup = world.student_ids[2]  # Волков, subgroup 2
    with pytest.raises(DomainError, match="группы этого занятия"):
        save(
            world,
            "teacher",
            lid,
            LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(second_subgroup, "5")]),
        )


def test_a_mark_needs_a_kind_of_work(world):
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="вид работы"):
        save(world, "teacher", lid, LessonEntry(marks=[MarkInput(world.student_ids[0], "5")]))


def test_future_lessons_are_not_filled(world):
    lid = world.lesson(-1)
    with pytest.raises(DomainError, match="ещё не наступило"):
        save(world, "teacher", lid, LessonEntry(topic="Заранее"))


def test_an_empty_save_is_refused_with_a_message(world):
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="Нечего сохранять"):
        save(world, "teacher", lid, LessonEntry())


def test_plan_topic_must_be_from_this_groups_ktp(world, engine):
    from tests.factories import make_world

    stranger = make_world(engine)
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="не из КТП"):
        save(world, "teacher", lid, LessonEntry(plan_topic_id=stranger.plan_topic_ids[0]))


def test_text_length_is_bounded(world):
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="длиннее"):
        save(world, "teacher", lid, LessonEntry(homework="x" * 5000))


# --------------------------------------------------------------------------- who may fill


def test_only_the_lessons_teacher_fills_it(world):
    lid = world.lesson(0)
    with pytest.raises(AccessDenied, match="другой преподаватель"):
        save(world, "other_teacher", lid, LessonEntry(topic="Чужая тема"))
    assert lesson(world, lid).topic is None
    assert last_audit(world).outcome == "refused"


@pytest.mark.parametrize("who", ["student", "guardian", "deputy", "director", "officer"])
def test_non_teachers_never_fill_the_journal(world, who):
    lid = world.lesson(0)
    with pytest.raises(AccessDenied, match="только преподаватели"):
        save(world, who, lid, LessonEntry(topic="Тема"))


def test_a_substitute_fills_the_colleagues_lesson_and_the_absent_teacher_does_not(world):
    lid = world.lesson(0, substitute_teacher_id=world.other_teacher_id)
    save(
        world,
        "other_teacher",
        lid,
        LessonEntry(
            topic="Замена: процессы", work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[0], "5")]
        ),
    )
    assert lesson(world, lid).topic == "Замена: процессы"
    assert marks_of(world, lid)[0].created_by_user_id == world.users["other_teacher"]
    with pytest.raises(AccessDenied, match="замена"):
        save(world, "teacher", lid, LessonEntry(homework="д/з"))
    with Session(world.engine) as s:
        listed = teacher_lessons(world.actor("other_teacher"), world.today, session=s)
    assert [(r.id, r.is_substitution) for r in listed] == [(lid, True)]


def test_foreign_lesson_sheet_is_not_readable(world):
    lid = world.lesson(0)
    with Session(world.engine) as s, pytest.raises(AccessDenied):
        lesson_sheet(world.actor("other_teacher"), lid, session=s)
    with Session(world.engine) as s:
        assert lesson_sheet(world.actor("deputy"), lid, session=s).can_edit is False
        assert lesson_sheet(world.actor("teacher"), lid, session=s).can_edit is True


# --------------------------------------------------------------------------- after the lesson day


def test_after_the_day_empty_fields_may_be_filled_and_are_marked_late(world):
    lid = world.lesson(2, topic="Процессы", topic_filled_at=None)
    result = save(world, "teacher", lid, LessonEntry(homework="Прочитать §2"))
    assert result.late == ["homework"]
    with Session(world.engine) as s:
        sheet = lesson_sheet(world.actor("teacher"), lid, session=s)
    assert sheet.late["homework"] is True and sheet.lesson.homework == "Прочитать §2"


def test_after_the_day_a_filled_field_is_not_changed(world):
    lid = world.lesson(1)
    with Session(world.engine) as s:
        s.execute(
            text(
                "UPDATE lesson SET topic = 'Старая тема', topic_filled_at = now() - interval '1 day' "
                "WHERE id = :id"
            ),
            {"id": lid},
        )
        s.commit()
    with pytest.raises(DomainError, match="уже заполнено"):
        save(world, "teacher", lid, LessonEntry(topic="Новая тема"))
    assert lesson(world, lid).topic == "Старая тема"


def test_backdated_mark_for_oral_work_is_refused(world):
    lid = world.lesson(1)
    with pytest.raises(DomainError, match="задним числом"):
        save(
            world,
            "teacher",
            lid,
            LessonEntry(
                work_kind=WorkKind.oral, work_done="Опрос", marks=[MarkInput(world.student_ids[0], "5")]
            ),
        )
    assert marks_of(world, lid) == []


@pytest.mark.parametrize("kind", [WorkKind.control, WorkKind.written, WorkKind.independent, WorkKind.test])
def test_written_work_is_marked_within_the_checking_deadline(world, kind):
    deadline = get_settings().checking_deadline_days
    inside = world.lesson(deadline, **filled_on(world, deadline, work_kind=kind.value))
    save(world, "teacher", inside, LessonEntry(marks=[MarkInput(world.student_ids[0], "4")]))
    assert [m.value for m in marks_of(world, inside)] == ["4"]
    outside = world.lesson(deadline + 1, **filled_on(world, deadline + 1, work_kind=kind.value))
    with pytest.raises(DomainError, match="Срок проверки"):
        save(world, "teacher", outside, LessonEntry(marks=[MarkInput(world.student_ids[0], "4")]))
    assert marks_of(world, outside) == []


def test_written_work_recorded_late_does_not_open_late_marks(world):
    # An oral lesson left without its kind of work cannot become «контрольная» afterwards to
    # let marks in: that would be backdating under another name.
    empty = world.lesson(2)
    with pytest.raises(DomainError, match="записанную в журнале в день занятия"):
        save(
            world,
            "teacher",
            empty,
            LessonEntry(
                work_kind=WorkKind.control,
                work_done="Контрольная",
                marks=[MarkInput(world.student_ids[0], "5")],
            ),
        )
    assert marks_of(world, empty) == [] and lesson(world, empty).work_kind is None
    recorded_late = world.lesson(2, **filled_on(world, 2, late_days=1, work_kind="control"))
    with pytest.raises(DomainError, match="записанную в журнале в день занятия"):
        save(world, "teacher", recorded_late, LessonEntry(marks=[MarkInput(world.student_ids[0], "5")]))
    with Session(world.engine) as s:
        assert lesson_sheet(world.actor("teacher"), recorded_late, session=s).marks_open is False


def test_late_marks_only_for_the_written_work_recorded(world):
    lid = world.lesson(2, **filled_on(world, 2, work_kind="control"))
    with pytest.raises(DomainError, match="записанную в журнале в день занятия"):
        save(world, "teacher", lid, LessonEntry(marks=[MarkInput(world.student_ids[0], "5", WorkKind.test)]))
    save(world, "teacher", lid, LessonEntry(marks=[MarkInput(world.student_ids[0], "5", WorkKind.control)]))


def test_attendance_after_the_day_is_not_changed_once_taken(world):
    lid = world.lesson(1)
    with Session(world.engine) as s:
        s.execute(
            text("UPDATE lesson SET attendance_filled_at = now() - interval '1 day' WHERE id = :id"),
            {"id": lid},
        )
        s.commit()
    with pytest.raises(DomainError, match="уже отмечена"):
        save(world, "teacher", lid, LessonEntry(attendance={world.student_ids[0]: AttendanceStatus.absent}))


def test_attendance_never_taken_may_be_taken_late(world):
    lid = world.lesson(1)
    result = save(
        world, "teacher", lid, LessonEntry(attendance={world.student_ids[0]: AttendanceStatus.absent})
    )
    assert result.late == ["attendance"]


# --------------------------------------------------------------------------- corrections


def test_only_the_deputy_corrects_a_mark_and_the_original_stays(world):
    lid = world.lesson(0)
    s1 = world.student_ids[0]
    save(world, "teacher", lid, LessonEntry(work_kind=WorkKind.oral, marks=[MarkInput(s1, "3")]))
    original = marks_of(world, lid)[0]
    assert original.id is not None
    with Session(world.engine) as s, pytest.raises(AccessDenied, match="заместитель директора"):
        correct_mark(world.actor("teacher"), original.id, "4", "ошибся строкой", session=s)
    with Session(world.engine) as s, pytest.raises(DomainError, match="причину"):
        correct_mark(world.actor("deputy"), original.id, "4", "", session=s)
    with Session(world.engine) as s:
        new_id = correct_mark(
            world.actor("deputy"), original.id, "4", "ошибка ввода, служебная записка", session=s
        )
    rows = marks_of(world, lid)
    assert [(m.id, m.value, m.corrects_mark_id) for m in rows] == [
        (original.id, "3", None),
        (new_id, "4", original.id),
    ]
    with Session(world.engine) as s:
        current = s.execute(
            text("SELECT value, original_value, corrected FROM mark_current WHERE lesson_id = :l"), {"l": lid}
        ).one()
        sheet = lesson_sheet(world.actor("teacher"), lid, session=s)
    assert tuple(current) == ("4", "3", True)
    assert sheet.students[0].marks[0]["original_value"] == "3"
    with Session(world.engine) as s, pytest.raises(DomainError, match="уже исправлена"):
        correct_mark(world.actor("deputy"), original.id, "5", "повторная попытка", session=s)


# --------------------------------------------------------------------------- timetable and clock


def school_monday(day, step: int = -7):
    """The Monday of `day`'s week, or the nearest one in `step`'s direction that is a school day
    (the factory's slot is on Mondays; a public holiday has no lessons)."""
    monday = day - timedelta(days=day.weekday())
    while not is_school_day(monday):
        monday += timedelta(days=step)
    return monday


def test_materialize_lessons_from_the_timetable_is_idempotent(world):
    monday = school_monday(world.today)
    with Session(world.engine) as s:
        assert materialize_lessons(world.college_id, monday, session=s) == 1
        assert materialize_lessons(world.college_id, monday, session=s) == 0
        assert materialize_lessons(world.college_id, monday + timedelta(days=6), session=s) == 0  # Sunday
        created = s.exec(
            select(Lesson).where(Lesson.study_group_id == world.group_id, Lesson.lesson_date == monday)
        ).one()
    assert (
        created.teacher_id == world.teacher_id
        and created.room == "204"
        and created.semester == world.semester
    )


def test_the_college_day_comes_from_the_server_clock_in_the_college_zone(session):
    expected = session.execute(text("SELECT (now() AT TIME ZONE 'Europe/Moscow')::date")).scalar_one()
    assert college_today(session=session) == expected


def test_the_loop_creates_the_days_nobody_opened_and_no_holiday(world):
    """Issue 12: lessons existed only once someone opened Главная, Журнал or Замены that day."""
    from app.calendar import HOLIDAYS
    from app.services.journal import CATCH_UP_DAYS, materialize_due

    first = school_monday(world.today - timedelta(days=CATCH_UP_DAYS - 7))
    with Session(world.engine) as s:
        assert materialize_lessons(world.college_id, first, session=s) == 1  # the last day anyone opened
        materialize_due(session=s)
        days = set(
            s.exec(
                select(Lesson.lesson_date).where(
                    Lesson.study_group_id == world.group_id, col(Lesson.timetable_slot_id).is_not(None)
                )
            )
        )
    mondays = {
        first + timedelta(days=7 * n) for n in range(4) if first + timedelta(days=7 * n) <= world.today
    }
    assert days == {d for d in mondays if is_school_day(d)}
    # a public holiday on the slot's weekday gets no lesson
    holiday = next(
        d
        for n in range(366)
        if (d := world.today + timedelta(days=n)).isoweekday() != 7 and (d.month, d.day) in HOLIDAYS
    )
    world.slot(holiday, 5, room="101", days=7)
    with Session(world.engine) as s:
        assert materialize_lessons(world.college_id, holiday, session=s) == 0
        assert materialize_lessons(world.college_id, holiday - timedelta(days=7), session=s) >= (
            1 if is_school_day(holiday - timedelta(days=7)) else 0
        )
