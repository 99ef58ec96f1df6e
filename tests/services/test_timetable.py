"""A timetable that changes for one date: cancel, move, another room, an extra lesson (issue 12).

On 18bf9b7 the timetable could only be imported: a cancelled pair still became a lesson and
raised remarks. Everything here runs as the app's role, so the database's rules apply."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from app.calendar import is_school_day
from app.errors import AccessDenied, DomainError
from app.models import AuditEvent, Lesson, TimetableSlot
from app.services import timetable
from app.services.journal import materialize_lessons


def coming_monday(world) -> date:
    """The factory's slot is on Mondays, pair 1: the next school-day Monday from today on."""
    day = world.today + timedelta(days=(7 - world.today.weekday()) % 7)
    while not is_school_day(day):
        day += timedelta(days=7)
    return day


def slot_id(world) -> int:
    with Session(world.engine) as s:
        sid = s.exec(select(TimetableSlot.id).where(TimetableSlot.study_group_id == world.group_id)).one()
        assert sid is not None
        return sid


def lessons_on(world, day: date) -> list[tuple[int, str, int | None]]:
    with Session(world.engine) as s:
        rows = s.exec(
            select(Lesson).where(Lesson.study_group_id == world.group_id, Lesson.lesson_date == day)
        ).all()
    return sorted((r.pair_number, r.room, r.timetable_slot_id) for r in rows)


def test_a_cancelled_pair_leaves_the_day_and_never_comes_back(world, app_engine):
    monday = coming_monday(world)
    with Session(app_engine) as s:
        materialize_lessons(world.college_id, monday, session=s)
        assert lessons_on(world, monday) == [(1, "204", slot_id(world))]
        timetable.change_slot(
            world.actor("deputy"), slot_id(world), monday, "cancel", reason="приказ № 14", session=s
        )
        assert lessons_on(world, monday) == []
        assert materialize_lessons(world.college_id, monday, session=s) == 0
        entry = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "timetable.change", AuditEvent.entity_id == slot_id(world))
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()[-1]
    assert entry.outcome == "accepted" and entry.details["reason"] == "приказ № 14"


def test_a_moved_pair_is_held_on_its_new_day_and_pair(world, app_engine):
    monday = coming_monday(world)
    tuesday = monday + timedelta(days=1)
    if not is_school_day(tuesday):
        pytest.skip("the Tuesday after is a holiday")
    with Session(app_engine) as s:
        timetable.change_slot(
            world.actor("officer"), slot_id(world), monday, "move",
            new_date=tuesday, new_pair=3, room="112", reason="преподаватель на курсах", session=s,
        )  # fmt: skip
        materialize_lessons(world.college_id, monday, session=s)
        materialize_lessons(world.college_id, tuesday, session=s)
    assert lessons_on(world, monday) == []
    assert lessons_on(world, tuesday) == [(3, "112", slot_id(world))]


def test_another_room_for_one_day(world, app_engine):
    monday = coming_monday(world)
    with Session(app_engine) as s:
        timetable.change_slot(
            world.actor("deputy"), slot_id(world), monday, "room", room="301", reason="ремонт", session=s
        )
        materialize_lessons(world.college_id, monday, session=s)
        assert materialize_lessons(world.college_id, monday + timedelta(days=7), session=s) in (0, 1)
    assert lessons_on(world, monday) == [(1, "301", slot_id(world))]
    following = monday + timedelta(days=7)
    if is_school_day(following):
        assert lessons_on(world, following) == [(1, "204", slot_id(world))]  # one day only


def test_an_extra_lesson(world, app_engine):
    day = world.today
    while not is_school_day(day):
        day += timedelta(days=1)
    with Session(app_engine) as s:
        timetable.add_extra(
            world.actor("deputy"), world.group_id, world.subject_id, world.other_teacher_id, day, 6,
            room="210", reason="консультация перед экзаменом", session=s,
        )  # fmt: skip
        materialize_lessons(world.college_id, day, session=s)
        with pytest.raises(DomainError, match="уже есть занятие"):
            timetable.add_extra(
                world.actor("deputy"), world.group_id, world.subject_id, world.teacher_id, day, 6,
                reason="ещё одна", session=s,
            )  # fmt: skip
    assert (6, "210", None) in lessons_on(world, day)


def test_what_a_change_refuses(world, app_engine):
    monday = coming_monday(world)
    sid = slot_id(world)
    with Session(app_engine) as s:
        with pytest.raises(DomainError, match="Расписание изменяют"):
            timetable.change_slot(world.actor("teacher"), sid, monday, "cancel", reason="x", session=s)
        with pytest.raises(DomainError, match="Укажите причину"):
            timetable.change_slot(world.actor("deputy"), sid, monday, "cancel", reason=" ", session=s)
        with pytest.raises(DomainError, match="прошло"):
            timetable.change_slot(
                world.actor("deputy"), sid, monday - timedelta(days=7), "cancel", reason="x", session=s
            )
        with pytest.raises(DomainError, match="Этой пары нет в расписании"):
            timetable.change_slot(
                world.actor("deputy"), sid, monday + timedelta(days=1), "cancel", reason="x", session=s
            )
        timetable.change_slot(world.actor("deputy"), sid, monday, "cancel", reason="приказ", session=s)
        with pytest.raises(DomainError, match="уже внесено"):
            timetable.change_slot(world.actor("deputy"), sid, monday, "room", room="1", reason="x", session=s)


def test_a_lesson_being_filled_is_not_cancelled(world, app_engine):
    if not is_school_day(world.today):
        pytest.skip("no lessons today")
    today_slot = world.slot(world.today, 5, room="101", days=0)
    with Session(app_engine) as s:
        materialize_lessons(world.college_id, world.today, session=s)
    with Session(world.engine) as s:
        lesson = s.exec(select(Lesson).where(Lesson.timetable_slot_id == today_slot)).one()
        lesson.topic = "Введение"
        s.add(lesson)
        s.commit()
    with Session(app_engine) as s, pytest.raises(DomainError, match="уже заполняется"):
        timetable.change_slot(world.actor("deputy"), today_slot, world.today, "cancel", reason="x", session=s)
    assert (5, "101", today_slot) in lessons_on(world, world.today)


def test_a_numerator_pair_is_held_every_second_week(world, app_engine):
    from app.calendar import NUMERATOR, week_parity

    monday = coming_monday(world)
    with Session(world.engine) as s:
        slot = s.get(TimetableSlot, slot_id(world))
        assert slot is not None
        slot.week_parity = NUMERATOR
        s.add(slot)
        s.commit()
    with Session(app_engine) as s:
        for n in range(4):
            day = monday + timedelta(days=7 * n)
            created = materialize_lessons(world.college_id, day, session=s)
            assert created == (1 if is_school_day(day) and week_parity(day) == NUMERATOR else 0), day


def test_the_diarys_coming_weeks_follow_the_changes_and_the_holidays(world, app_engine):
    """A pair moved in and an extra lesson appear ahead in the diary with what changed; a pair in
    another room shows that room; a holiday week plans nothing. On main the diary's coming days
    showed the permanent slots only (issue 12)."""
    from app import calendar
    from app.services import diary

    monday = world.today + timedelta(days=7 - world.today.weekday())
    days = [monday + timedelta(days=n) for n in range(3)] + [
        monday + timedelta(days=7),
        monday + timedelta(days=14),
    ]
    if not all(is_school_day(d) for d in days) or calendar.Half.containing(
        days[-1]
    ) != calendar.Half.containing(world.today):
        pytest.skip("a public holiday or a new half in the coming weeks")
    me = world.student_ids[0]
    with Session(app_engine) as s:
        timetable.change_slot(world.actor("deputy"), slot_id(world), monday, "move", new_date=days[1], new_pair=3,
                              room="112", reason="курсы", session=s)  # fmt: skip
        timetable.add_extra(world.actor("deputy"), world.group_id, world.subject_id, world.teacher_id, days[2], 5,
                            reason="консультация", session=s)  # fmt: skip
        timetable.change_slot(world.actor("deputy"), slot_id(world), days[3], "room", room="301", reason="ремонт",
                              session=s)  # fmt: skip
        calendar.add_period(world.actor("deputy"), calendar.academic_year_start(days[4]), "holidays", days[4],
                            days[4] + timedelta(days=6), title="Каникулы", session=s)  # fmt: skip

    def week(start: date) -> dict[date, list[tuple[int, str, str]]]:
        with Session(app_engine) as s:
            w = diary.week(world.actor("student"), me, start, session=s)
        return {d.day: [(x.pair_number, x.room, x.change) for x in d.lessons] for d in w.days}

    first = week(monday)
    assert first[monday] == []
    assert first[days[1]] == [(3, "112", "перенесено")]
    assert first[days[2]] == [(5, "", "дополнительное занятие")]
    assert week(days[3])[days[3]] == [(1, "301", "другая аудитория")]
    assert week(days[4])[days[4]] == []


def next_weekday(world, weekday: int) -> date:
    """The first school day on `weekday` (1 Monday … 6 Saturday) after today."""
    day = world.today + timedelta(days=1)
    while day.isoweekday() != weekday or not is_school_day(day):
        day += timedelta(days=1)
    return day


def test_a_permanent_slot_is_added_and_makes_its_lessons(world, app_engine):
    day = next_weekday(world, 3)
    with Session(app_engine) as s:
        sid = timetable.add_slot(world.actor("officer"), world.group_id, world.subject_id, world.other_teacher_id,
                                 3, 2, world.today, day + timedelta(days=30), room="305", session=s)  # fmt: skip
        listed = timetable.group_slots(world.actor("deputy"), world.group_id, session=s)
        assert materialize_lessons(world.college_id, day, session=s) >= 1
    assert (3, 2, "305") in [(p.weekday, p.pair, p.room) for p in listed]
    assert (2, "305", sid) in lessons_on(world, day)
    with Session(world.engine) as s:
        entry = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "timetable.slot_add", AuditEvent.entity_id == world.group_id
            )
        ).one()
    assert entry.outcome == "accepted" and entry.details["slot_id"] == sid


def test_a_slot_is_refused_where_the_group_or_the_teacher_is_busy(world, app_engine):
    ends = world.today + timedelta(days=30)
    deputy = world.actor("deputy")
    with Session(app_engine) as s:
        # the factory's slot: Mondays, pair 1, the whole group, Соколова
        with pytest.raises(DomainError, match="уже есть пара"):
            timetable.add_slot(deputy, world.group_id, world.credit_subject_id, world.other_teacher_id, 1, 1,
                               world.today, ends, subgroup=2, session=s)  # fmt: skip
        with pytest.raises(DomainError, match="уже ведёт занятие"):
            other = _second_group(world)
            timetable.add_slot(
                deputy, other, world.subject_id, world.teacher_id, 1, 1, world.today, ends, session=s
            )
        with pytest.raises(DomainError, match="раньше"):
            timetable.add_slot(deputy, world.group_id, world.subject_id, world.teacher_id, 2, 4, ends, world.today,
                               session=s)  # fmt: skip
        with pytest.raises(DomainError, match="прошлое"):
            timetable.add_slot(deputy, world.group_id, world.subject_id, world.teacher_id, 2, 4,
                               world.today - timedelta(days=1), ends, session=s)  # fmt: skip
        with pytest.raises(AccessDenied):
            timetable.add_slot(world.actor("teacher"), world.group_id, world.subject_id, world.teacher_id, 2, 4,
                               world.today, ends, session=s)  # fmt: skip
        # числитель and знаменатель share a pair; subgroups 1 and 2 study side by side
        timetable.add_slot(deputy, world.group_id, world.subject_id, world.teacher_id, 2, 4, world.today, ends,
                           week_parity=1, subgroup=1, session=s)  # fmt: skip
        timetable.add_slot(deputy, world.group_id, world.credit_subject_id, world.other_teacher_id, 2, 4,
                           world.today, ends, week_parity=2, subgroup=1, session=s)  # fmt: skip
        timetable.add_slot(deputy, world.group_id, world.credit_subject_id, world.other_teacher_id, 2, 4,
                           world.today, ends, week_parity=1, subgroup=2, session=s)  # fmt: skip
        with pytest.raises(DomainError, match="уже есть пара"):
            timetable.add_slot(deputy, world.group_id, world.credit_subject_id, world.other_teacher_id, 2, 4,
                               world.today, ends, subgroup=1, session=s)  # fmt: skip


def _second_group(world) -> int:
    from app.models import StudyGroup

    with Session(world.engine) as s:
        group = StudyGroup(college_id=world.college_id, speciality_id=world.speciality_id, name="ИСП-21",
                           admission_year=world.today.year - 1)  # fmt: skip
        s.add(group)
        s.commit()
        assert group.id is not None
        return group.id


def test_ending_a_slot_takes_back_its_unfilled_coming_lessons_and_keeps_history(world, app_engine):
    sid = slot_id(world)
    past = world.lesson(7, timetable_slot_id=sid, topic="Процессы")  # held a week ago, stays
    with Session(app_engine) as s:
        with pytest.raises(DomainError, match="Укажите причину"):
            timetable.end_slot(world.actor("deputy"), sid, world.today, reason="", session=s)
        with pytest.raises(DomainError, match="история"):
            timetable.end_slot(
                world.actor("deputy"), sid, world.today - timedelta(days=3), reason="приказ", session=s
            )
        timetable.end_slot(world.actor("deputy"), sid, world.today, reason="новое расписание", session=s)
        assert (
            timetable.group_slots(
                world.actor("deputy"), world.group_id, session=s, on=world.today + timedelta(days=1)
            )
            == []
        )
    with Session(world.engine) as s:
        slot = s.get(TimetableSlot, sid)
        assert slot is not None and slot.valid_to == world.today
        assert s.get(Lesson, past) is not None
    monday = coming_monday(world)
    if monday > world.today:
        with Session(app_engine) as s:
            assert materialize_lessons(world.college_id, monday, session=s) == 0
