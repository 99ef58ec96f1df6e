"""The diary's reads: what each reader sees, who is refused, and that every view is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import AccessDenied
from app.models import AuditEvent, CurriculumItem, SemesterMark
from app.services import diary
from app.services.journal import correct_mark
from tests.diary_factories import attend, make_curator, mark, other_family, second_child, second_group
from tests.factories import make_world


def read_week(world, who: str, student_id: int, day):
    with Session(world.engine) as s:
        return diary.week(world.actor(who), student_id, day, session=s)


def read_period(world, who: str, student_id: int, start, end):
    with Session(world.engine) as s:
        return diary.period(world.actor(who), student_id, start, end, session=s)


def diary_audit(world) -> list[AuditEvent]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.college_id == world.college_id, AuditEvent.action == "diary.view")
                .order_by(col(AuditEvent.id))
            )
        )


def lessons_of(week) -> list:
    return [lesson for day in week.days for lesson in day.lessons]


# --------------------------------------------------------------------------- the week


def test_student_reads_their_week_with_topic_homework_marks_and_attendance(world):
    # the last day before today that the diary's week shows (Monday to Saturday)
    ago = 2 if (world.today - timedelta(days=1)).weekday() == 6 else 1
    lid = world.lesson(ago, topic="Процессы и потоки", homework="Конспект §2", work_kind="oral")
    me = world.student_ids[0]
    mark(world, lid, me, "5", "oral", "ответ у доски")
    other = world.lesson(ago, subject_id=world.credit_subject_id)
    attend(world, other, me, "absent")
    day = world.today - timedelta(days=ago)

    week = read_week(world, "student", me, day)

    assert week.student.name == "Абрамов Илья Сергеевич" and week.student.group_name == "ИСП-11"
    assert [d.day.weekday() for d in week.days] == [0, 1, 2, 3, 4, 5]  # Monday to Saturday
    assert week.monday == day - timedelta(days=day.weekday())
    assert any(d.is_today for d in week.days) == (
        week.monday <= world.today <= week.monday + timedelta(days=5)
    )
    seen = {lesson.lesson_id: lesson for lesson in lessons_of(week)}
    held = seen[lid]
    assert held.subject == "Операционные системы" and held.teacher == "Соколова Е. В."
    assert held.topic == "Процессы и потоки" and held.homework == "Конспект §2"
    assert [(m.value, m.kind_label, m.comment) for m in held.marks] == [
        ("5", "Устный опрос", "ответ у доски")
    ]
    assert held.time and held.attendance is None
    assert seen[other].attendance_label == "н" and seen[other].subject == "Физическая культура"
    events = diary_audit(world)
    assert [(e.actor_user_id, e.entity, e.entity_id, e.outcome) for e in events] == [
        (world.users["student"], "student", me, "accepted")
    ]


def test_the_substitute_is_shown_as_the_teacher(world):
    lid = world.lesson(0, substitute_teacher_id=world.other_teacher_id)
    week = read_week(world, "student", world.student_ids[0], world.today)
    if world.today.weekday() == 6:
        pytest.skip("today is a Sunday: no diary day")
    lesson = next(lesson for lesson in lessons_of(week) if lesson.lesson_id == lid)
    assert lesson.teacher == "Кузнецов О. П." and lesson.substitution


def test_a_corrected_mark_shows_the_original_and_the_reason(world):
    ago = 3 if (world.today - timedelta(days=2)).weekday() == 6 else 2  # a day the timetable has
    lid = world.lesson(ago, work_kind="control")
    me = world.student_ids[0]
    original = mark(world, lid, me, "3", "control", "контрольная №1")
    with Session(world.engine) as s:
        correct_mark(world.actor("deputy"), original, "4", "ошибка при переносе из ведомости", session=s)
    week = read_week(world, "student", me, world.today - timedelta(days=ago))
    shown = [m for lesson in lessons_of(week) for m in lesson.marks]
    assert [m.value_text for m in shown] == [
        "4 (исправлено: было 3, причина: ошибка при переносе из ведомости)"
    ]


def test_other_subgroups_lessons_are_not_in_the_diary(world):
    mine = world.lesson(0, subgroup=1)
    theirs = world.lesson(0, subgroup=2, pair_number=5)
    ids = {
        lesson.lesson_id
        for lesson in lessons_of(read_week(world, "student", world.student_ids[0], world.today))
    }
    if world.today.weekday() != 6:
        assert mine in ids
    assert theirs not in ids


def test_days_to_come_show_the_timetable(world):
    next_monday = world.today + timedelta(days=7 - world.today.weekday())
    week = read_week(world, "student", world.student_ids[0], next_monday)
    monday = week.days[0]
    assert monday.day == next_monday
    assert [
        (lesson.planned, lesson.pair_number, lesson.subject, lesson.room) for lesson in monday.lessons
    ] == [(True, 1, "Операционные системы", "204")]
    assert all(not d.lessons for d in week.days[1:])


def test_lessons_after_a_student_left_are_not_theirs(world):
    from app.models import Student

    before = world.lesson(3)
    after = world.lesson(1)
    me = world.student_ids[0]
    with Session(world.engine) as s:
        student = s.get(Student, me)
        assert student is not None
        student.left_on = world.today - timedelta(days=2)
        s.add(student)
        s.commit()
    period = read_period(world, "student", me, world.today - timedelta(days=10), world.today)
    assert sum(s.lessons_held for s in period.subjects) == 1
    ids = {
        lesson.lesson_id
        for monday in {world.today - timedelta(days=3), world.today - timedelta(days=1)}
        for lesson in lessons_of(read_week(world, "student", me, monday))
    }
    assert after not in ids
    assert before in ids or (world.today - timedelta(days=3)).weekday() == 6


# --------------------------------------------------------------------------- the period


def test_period_marks_in_order_average_semester_mark_and_missed_hours(world):
    me = world.student_ids[0]
    l1 = world.lesson(5, work_kind="oral")
    l2 = world.lesson(4, work_kind="practical")
    l3 = world.lesson(3)
    l4 = world.lesson(2)
    mark(world, l1, me, "5", "oral")
    mark(world, l2, me, "4", "practical", "практическая №2")
    mark(world, l2, me, "2", "oral")
    attend(world, l3, me, "absent")
    attend(world, l4, me, "excused")
    with Session(world.engine) as s:
        item = s.exec(
            select(CurriculumItem).where(
                CurriculumItem.study_group_id == world.group_id, CurriculumItem.subject_id == world.subject_id
            )
        ).one()
        s.add(
            SemesterMark(
                college_id=world.college_id,
                curriculum_item_id=item.id or 0,
                student_id=me,
                value="4",
                created_by_user_id=world.users["teacher"],
            )
        )
        s.commit()

    period = read_period(world, "guardian", me, world.today - timedelta(days=10), world.today)

    [subject] = period.subjects
    assert subject.subject == "Операционные системы"
    assert [m.value for m in subject.marks] == ["5", "4", "2"]
    assert [m.lesson_date for m in subject.marks] == sorted(m.lesson_date for m in subject.marks)
    assert subject.average == 3.67 and period.average == 3.67
    assert subject.hours_unexcused == 2 and subject.hours_excused == 2 and subject.hours_missed == 4
    assert subject.lessons_held == 4 and subject.hours_held == 8
    assert [(v, form) for _, form, v in subject.semester_marks] == [("4", "Экзамен")]
    assert diary_audit(world)[-1].details["view"] == "period"


# --------------------------------------------------------------------------- who reads whose diary


def test_children_of_a_student_is_themself_and_of_a_guardian_their_children(world):
    second = second_child(world)
    with Session(world.engine) as s:
        own = diary.children_of(world.actor("student"), session=s)
        kids = diary.children_of(world.actor("guardian"), session=s)
        staff = diary.children_of(world.actor("deputy"), session=s)
    assert [c.id for c in own] == [world.student_ids[0]]
    assert {c.id for c in kids} == {world.student_ids[0], second}
    assert {c.group_name for c in kids} == {"ИСП-11", "ИСП-21"}
    assert staff == []


def test_guardian_reads_both_children(world):
    second = second_child(world)
    for child in (world.student_ids[0], second):
        assert read_week(world, "guardian", child, world.today).student.id == child


def test_guardian_asking_for_another_familys_child_is_refused_and_audited(world):
    other_family(world)
    stranger = world.student_ids[1]
    with pytest.raises(AccessDenied, match="Дневник этого студента вам недоступен"):
        read_week(world, "guardian", stranger, world.today)
    with pytest.raises(AccessDenied):
        read_period(world, "guardian", stranger, world.today - timedelta(days=30), world.today)
    refused = diary_audit(world)
    assert [(e.actor_user_id, e.entity_id, e.outcome) for e in refused] == [
        (world.users["guardian"], stranger, "refused"),
        (world.users["guardian"], stranger, "refused"),
    ]
    assert refused[0].message == diary.REFUSED
    # …while that child's own guardian reads it
    assert read_week(world, "other_guardian", stranger, world.today).student.id == stranger


def test_student_asking_for_another_student_is_refused_and_audited(world):
    with pytest.raises(AccessDenied):
        read_week(world, "student", world.student_ids[2], world.today)
    [event] = diary_audit(world)
    assert (event.actor_user_id, event.entity_id, event.outcome) == (
        world.users["student"],
        world.student_ids[2],
        "refused",
    )


def test_an_unknown_student_is_refused_like_a_strangers(world):
    with pytest.raises(AccessDenied, match="Дневник этого студента вам недоступен"):
        read_week(world, "guardian", 10**9, world.today)
    assert diary_audit(world)[-1].outcome == "refused"


def test_curator_reads_their_groups_students_only(world):
    make_curator(world)
    elsewhere = second_child(world)  # in ИСП-21, curated by the other teacher
    assert read_week(world, "teacher", world.student_ids[3], world.today).student.id == world.student_ids[3]
    with pytest.raises(AccessDenied):
        read_week(world, "teacher", elsewhere, world.today)
    with Session(world.engine) as s:
        assert [name for _, name in diary.viewable_groups(world.actor("teacher"), session=s)] == ["ИСП-11"]
        gid = second_group(world, "ИСП-31")
        assert diary.group_students(world.actor("teacher"), gid, session=s) == []


def test_a_curator_reads_only_the_groups_named_as_theirs(world):
    # The other teacher is named curator of ИСП-21, which alone makes the account a curator (0009):
    # ИСП-21's diaries open, ИСП-11's do not; the world's teacher curates nothing and reads none.
    child = second_child(world)
    assert read_week(world, "other_teacher", child, world.today).student.id == child
    with pytest.raises(AccessDenied):
        read_week(world, "other_teacher", world.student_ids[0], world.today)
    for student in (child, world.student_ids[0]):
        with pytest.raises(AccessDenied):
            read_week(world, "teacher", student, world.today)


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_administration_reads_its_colleges_diaries(world, who):
    assert read_week(world, who, world.student_ids[4], world.today).student.id == world.student_ids[4]
    with Session(world.engine) as s:
        groups = diary.viewable_groups(world.actor(who), session=s)
        assert [name for _, name in groups] == ["ИСП-11"]
        assert len(diary.group_students(world.actor(who), groups[0][0], session=s)) == 5


def test_the_officer_reads_no_diary(world):
    with pytest.raises(AccessDenied):
        read_week(world, "officer", world.student_ids[0], world.today)
    with Session(world.engine) as s:
        assert diary.viewable_groups(world.actor("officer"), session=s) == []


def test_administration_of_another_college_is_refused(world, engine):
    other = make_world(engine)
    for who in ("deputy", "director", "guardian"):
        with pytest.raises(AccessDenied), Session(engine) as s:
            diary.week(other.actor(who), world.student_ids[0], world.today, session=s)


def test_a_week_view_is_a_handful_of_queries(world):
    """No N+1: the number of statements does not grow with the lessons and marks of the week."""
    from sqlalchemy import event

    me = world.student_ids[0]

    def count_statements() -> int:
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(world.engine, "before_cursor_execute", before)
        try:
            read_week(world, "student", me, world.today)
        finally:
            event.remove(world.engine, "before_cursor_execute", before)
        return len(statements)

    empty = count_statements()
    for days_ago in range(0, 6):
        for _ in range(2):
            lid = world.lesson(days_ago)
            mark(world, lid, me, "4")
    assert count_statements() == empty


def test_a_sunday_is_shown_only_when_it_had_lessons(world):
    last_sunday = world.today - timedelta(days=world.today.weekday() + 1)
    monday = last_sunday - timedelta(days=6)
    assert [d.day for d in read_week(world, "student", world.student_ids[0], monday).days][-1].weekday() == 5
    lid = world.lesson((world.today - last_sunday).days)
    days = read_week(world, "student", world.student_ids[0], monday).days
    assert days[-1].day == last_sunday and [lesson.lesson_id for lesson in days[-1].lessons] == [lid]
