"""The day's lessons made from the timetable (the slots held that day, their changes, holidays)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, text
from sqlmodel import Session, col, select

from app.calendar import EVERY_WEEK, is_teaching_day, program_semester, week_parity
from app.models import (
    College,
    Lesson,
    StudyGroup,
    TimetableChange,
    TimetableSlot,
)
from app.services.journal.common import (
    college_today,
)

# --------------------------------------------------------------------------- timetable -> lessons


def runs_on(college_id: int, day: date) -> tuple[Any, ...]:
    """The conditions for a college's timetable slots held on `day`: its weekday, within the slot's
    validity, and in its weeks (every week, or the day's числитель/знаменатель). One home: the
    lessons, the changes, the substitutions and the day's timetable all ask this."""
    return (
        TimetableSlot.college_id == college_id,
        TimetableSlot.weekday == day.isoweekday(),
        col(TimetableSlot.valid_from) <= day,
        col(TimetableSlot.valid_to) >= day,
        col(TimetableSlot.week_parity).in_((EVERY_WEEK, week_parity(day))),
    )


def materialize_lessons(college_id: int, day: date, *, session: Session) -> int:
    """Create the day's lessons from the timetable and the day's changes (idempotent). Returns how
    many were created. Sundays, public holidays and the college's holidays have none
    (app.calendar.is_teaching_day); a
    cancelled or moved-away pair has none that day, a pair moved here or an extra lesson has one."""
    if not is_teaching_day(college_id, day, session=session):
        return 0
    groups = {g.id: g for g in session.exec(select(StudyGroup).where(StudyGroup.college_id == college_id))}
    changes = session.exec(
        select(TimetableChange).where(
            TimetableChange.college_id == college_id,
            or_(col(TimetableChange.lesson_date) == day, col(TimetableChange.new_date) == day),
        )
    ).all()
    away = {
        c.timetable_slot_id: c for c in changes if c.lesson_date == day and c.timetable_slot_id is not None
    }
    slots = session.exec(select(TimetableSlot).where(*runs_on(college_id, day))).all()
    planned: list[dict[str, Any]] = []

    def lesson(group_id: int, subgroup: int, subject_id: int, teacher_id: int, slot_id: int | None,
               pair: int, room: str) -> None:  # fmt: skip
        planned.append(
            {
                "college": college_id,
                "grp": group_id,
                "sub": subgroup,
                "subject": subject_id,
                "semester": program_semester(groups[group_id].admission_year, day),
                "teacher": teacher_id,
                "slot": slot_id,
                "day": day,
                "pair": pair,
                "room": room,
            }
        )

    for slot in slots:
        assert slot.id is not None
        change = away.get(slot.id)
        if change is not None and change.kind in ("cancel", "move"):
            continue
        room = change.room if change is not None and change.kind == "room" and change.room else slot.room
        lesson(
            slot.study_group_id,
            slot.subgroup,
            slot.subject_id,
            slot.teacher_id,
            slot.id,
            slot.pair_number,
            room,
        )
    for change in changes:
        if change.kind == "move" and change.new_date == day and change.timetable_slot_id is not None:
            moved = session.get(TimetableSlot, change.timetable_slot_id)
            assert moved is not None and change.new_pair is not None
            lesson(moved.study_group_id, moved.subgroup, moved.subject_id, moved.teacher_id, moved.id,
                   change.new_pair, change.room or moved.room)  # fmt: skip
        elif change.kind == "extra" and change.lesson_date == day:
            assert change.study_group_id and change.subject_id and change.teacher_id and change.new_pair
            lesson(change.study_group_id, change.subgroup or 0, change.subject_id, change.teacher_id, None,
                   change.new_pair, change.room or "")  # fmt: skip
    created = 0
    for params in planned:
        result = session.execute(
            text(
                """
                INSERT INTO lesson (college_id, study_group_id, subgroup, subject_id, semester, teacher_id,
                                    timetable_slot_id, lesson_date, pair_number, hours, room)
                VALUES (:college, :grp, :sub, :subject, :semester, :teacher, :slot, :day, :pair, 2, :room)
                ON CONFLICT (study_group_id, lesson_date, pair_number, subgroup) DO NOTHING
                """
            ),
            params,
        )
        created += result.rowcount or 0  # type: ignore[attr-defined]
    session.commit()
    return created


CATCH_UP_DAYS = 14  # how far back a server that was down fills the days it missed


def materialize_due(*, session: Session) -> int:
    """Every college's lessons from its last created timetable day (or CATCH_UP_DAYS back) up to
    today: `ejournal serve`'s loop runs it, so a day has its lessons whether or not anybody opened
    the app, and the analysis sees them. Idempotent; returns how many lessons it created."""
    today = college_today(session=session)
    created = 0
    for college_id in list(session.exec(select(College.id))):
        assert college_id is not None
        last = session.exec(
            select(func.max(Lesson.lesson_date)).where(
                Lesson.college_id == college_id, col(Lesson.timetable_slot_id).is_not(None)
            )
        ).one()
        day = max(last or today, today - timedelta(days=CATCH_UP_DAYS))
        day = min(day, today)
        while day <= today:
            created += materialize_lessons(college_id, day, session=session)
            day += timedelta(days=1)
    return created
