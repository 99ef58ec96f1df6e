"""The diary's week: the lessons held, with marks and absences, and the pairs to come."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.calendar import EVERY_WEEK, teaching_days, week_parity
from app.domain import (
    AttendanceStatus,
    short_name,
)
from app.services.diary.common import (
    DIARY_DAYS,
    DiaryDay,
    DiaryLesson,
    DiaryMark,
    DiaryStudent,
    DiaryWeek,
    _viewed,
)

# --------------------------------------------------------------------------- week


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week(actor: Actor, student_id: int, monday: date, *, session: Session) -> DiaryWeek:
    """The student's week, Monday to Saturday: the journal's lessons, and the timetable for days to come."""
    monday = week_monday(monday)
    details: dict[str, Any] = {"view": "week", "from": monday.isoformat()}
    with audit.user_action(
        session, actor, "diary.view", entity="student", entity_id=student_id, details=details
    ):
        student, now = _viewed(session, actor, student_id, details)
        return read_week(session, student, monday, now)


def read_week(session: Session, student: DiaryStudent, monday: date, now: datetime) -> DiaryWeek:
    """The week as the diary shows it, read for a student already allowed (the diary's page, the
    weekly digest of app.notify): nothing here checks or audits."""
    monday = week_monday(monday)
    sunday = monday + timedelta(days=6)
    today = now.date()
    start, end = _enrolled_span(student, monday, sunday)
    lessons = _lessons(session, student, start, end) if start <= end else []
    marks = _marks(session, student.id, start, end) if start <= end else []
    slots = _slots(session, student, max(start, today), end) if max(start, today) <= end else []
    # a coming pair cancelled or moved away that day is not planned (app.services.timetable);
    # one moved in, an extra one and another room are
    changes = _changes(session, student, max(start, today), end) if max(start, today) <= end else []
    away = {(c["timetable_slot_id"], c["lesson_date"]) for c in changes if c["kind"] in ("cancel", "move")}
    rooms = {(c["timetable_slot_id"], c["lesson_date"]): c["room"] for c in changes if c["kind"] == "room"}
    coming = [c for c in changes if c["kind"] in ("move", "extra") and c["day"] is not None]
    teaching = teaching_days(student.college_id, start, end, session=session) if start <= end else set()
    by_lesson: dict[int, list[DiaryMark]] = defaultdict(list)
    for lesson_id, mark in marks:
        by_lesson[lesson_id].append(mark)
    lessons_by_day: dict[date, list[Any]] = defaultdict(list)
    for r in lessons:
        lessons_by_day[r["lesson_date"]].append(r)
    days: list[DiaryDay] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if offset >= DIARY_DAYS and not lessons_by_day.get(day):
            continue
        held = [
            DiaryLesson(
                lesson_id=r["id"],
                pair_number=r["pair_number"],
                subject=r["subject_name"],
                teacher=short_name(r["t_last"], r["t_first"], r["t_middle"]),
                substitution=r["is_substitution"],
                room=r["room"] or "",
                topic=r["topic"],
                homework=r["homework"],
                work_done=r["work_done"],
                work_kind=r["work_kind"],
                attendance=AttendanceStatus(r["attendance"]) if r["attendance"] else None,
                marks=tuple(by_lesson.get(r["id"], ())),
            )
            for r in lessons_by_day.get(day, ())
        ]
        taken = {lesson.pair_number for lesson in held}
        if day not in teaching:
            days.append(DiaryDay(day, day == today, tuple(held)))  # holidays: nothing planned
            continue
        moved_in = [
            _coming_pair(c, c["room"], "перенесено" if c["kind"] == "move" else "дополнительное занятие")
            for c in coming
            if c["day"] == day and c["pair_number"] not in taken and day >= today
        ]
        taken |= {lesson.pair_number for lesson in moved_in}
        planned = [
            _coming_pair(
                r,
                rooms.get((r["id"], day)) or r["room"],
                "другая аудитория" if (r["id"], day) in rooms else "",
            )
            for r in slots
            if r["weekday"] == day.isoweekday()
            and r["valid_from"] <= day <= r["valid_to"]
            and r["week_parity"] in (EVERY_WEEK, week_parity(day))
            and (r["id"], day) not in away
            and r["pair_number"] not in taken
            and day >= today
            and start <= day <= end
        ]
        day_lessons = sorted([*held, *moved_in, *planned], key=lambda lesson: lesson.pair_number)
        days.append(DiaryDay(day, day == today, tuple(day_lessons)))
    return DiaryWeek(student, monday, today, now, tuple(days))


def _coming_pair(row: Any, room: str | None, change: str) -> DiaryLesson:
    """A pair still to come (no lesson in the journal yet): a slot's, or a change's."""
    return DiaryLesson(
        lesson_id=None,
        pair_number=row["pair_number"],
        subject=row["subject_name"],
        teacher=short_name(row["t_last"], row["t_first"], row["t_middle"]),
        substitution=False,
        room=room or "",
        topic=None,
        homework=None,
        work_done=None,
        work_kind=None,
        attendance=None,
        change=change,
    )


def _enrolled_span(student: DiaryStudent, start: date, end: date) -> tuple[date, date]:
    """The part of [start, end] the student belonged to the group (history of one who left stays)."""
    start = max(start, student.enrolled_on)
    if student.left_on is not None:
        end = min(end, student.left_on - timedelta(days=1))
    return start, end


def _lessons(session: Session, student: DiaryStudent, start: date, end: date) -> list[Any]:
    return list(
        session.execute(
            text(
                """
                SELECT l.id, l.lesson_date, l.pair_number, l.hours, l.room, l.topic, l.homework,
                       l.work_done, l.work_kind, l.subject_id, s.name AS subject_name,
                       t.last_name AS t_last, t.first_name AS t_first, t.middle_name AS t_middle,
                       l.substitute_teacher_id IS NOT NULL AS is_substitution, a.status AS attendance
                FROM lesson l
                JOIN subject s ON s.id = l.subject_id
                JOIN teacher t ON t.id = COALESCE(l.substitute_teacher_id, l.teacher_id)
                LEFT JOIN attendance a ON a.lesson_id = l.id AND a.student_id = :sid
                WHERE l.study_group_id = :grp AND l.subgroup IN (0, student_subgroup(:sid, l.subject_id))
                  AND l.lesson_date BETWEEN :start AND :end
                ORDER BY l.lesson_date, l.pair_number
                """
            ),
            {"sid": student.id, "grp": student.group_id, "start": start, "end": end},
        ).mappings()
    )


# the student's marks as they stand now (the database's mark_current_of, seeded from the student)
_MARKS_SQL = """
    SELECT mc.lesson_id, l.lesson_date, l.subject_id, mc.work_kind, mc.comment, mc.original_value, mc.value,
           mc.correction_reason, mc.corrected
    FROM mark_current_of(NULL, :sid) mc
    JOIN lesson l ON l.id = mc.lesson_id
    WHERE l.lesson_date BETWEEN :start AND :end
    ORDER BY l.lesson_date, l.pair_number, mc.original_id
"""


def _marks(session: Session, student_id: int, start: date, end: date) -> list[tuple[int, DiaryMark]]:
    rows = session.execute(text(_MARKS_SQL), {"sid": student_id, "start": start, "end": end}).mappings()
    return [
        (
            r["lesson_id"],
            DiaryMark(
                value=r["value"],
                work_kind=r["work_kind"],
                comment=r["comment"] or "",
                corrected=r["corrected"],
                original_value=r["original_value"],
                correction_reason=r["correction_reason"],
                lesson_date=r["lesson_date"],
                subject_id=r["subject_id"],
            ),
        )
        for r in rows
    ]


def _slots(session: Session, student: DiaryStudent, start: date, end: date) -> list[Any]:
    return list(
        session.execute(
            text(
                """
                SELECT ts.id, ts.weekday, ts.pair_number, ts.room, ts.valid_from, ts.valid_to, ts.week_parity,
                       s.name AS subject_name,
                       t.last_name AS t_last, t.first_name AS t_first, t.middle_name AS t_middle
                FROM timetable_slot ts
                JOIN subject s ON s.id = ts.subject_id
                JOIN teacher t ON t.id = ts.teacher_id
                WHERE ts.study_group_id = :grp AND ts.subgroup IN (0, student_subgroup(:sid, ts.subject_id))
                  AND ts.valid_from <= :end AND ts.valid_to >= :start
                ORDER BY ts.weekday, ts.pair_number
                """
            ),
            {"sid": student.id, "grp": student.group_id, "start": start, "end": end},
        ).mappings()
    )


def _changes(session: Session, student: DiaryStudent, start: date, end: date) -> list[Any]:
    """The timetable's changes touching the student's coming days (app.services.timetable): a slot's
    pair cancelled, moved or in another room that day (`lesson_date`), and what arrives on a day
    (`day`, `pair_number`): a pair moved in, an extra lesson."""
    return list(
        session.execute(
            text(
                """
                SELECT c.kind, c.timetable_slot_id, c.lesson_date,
                       CASE c.kind WHEN 'move' THEN c.new_date WHEN 'extra' THEN c.lesson_date END AS day,
                       c.new_pair AS pair_number, coalesce(c.room, ts.room) AS room, s.name AS subject_name,
                       t.last_name AS t_last, t.first_name AS t_first, t.middle_name AS t_middle
                FROM timetable_change c
                LEFT JOIN timetable_slot ts ON ts.id = c.timetable_slot_id
                JOIN subject s ON s.id = coalesce(c.subject_id, ts.subject_id)
                JOIN teacher t ON t.id = coalesce(c.teacher_id, ts.teacher_id)
                WHERE coalesce(c.study_group_id, ts.study_group_id) = :grp
                  AND coalesce(c.subgroup, ts.subgroup) IN (0, student_subgroup(:sid, s.id))
                  AND (c.lesson_date BETWEEN :start AND :end OR c.new_date BETWEEN :start AND :end)
                """
            ),
            {"sid": student.id, "grp": student.group_id, "start": start, "end": end},
        ).mappings()
    )
