"""The electronic diary (электронный дневник): what a student or a guardian reads, never writes.

Every read checks access on the server for the student asked about, whatever the page offered:
a student reads only their own diary, a guardian only their own children's, a curator only the
students of groups they curate, the deputy director and the director their college's (the officer runs
the system and reads no diary: minors' personal data goes only to those who need it, 152-ФЗ).
Each view is audited («who read whose diary», §1.13 of the regulation), a refusal too. The diary
reads the live database, not the warehouse: it must show a mark the moment it is saved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.calendar import EVERY_WEEK, is_teaching_day, program_semester, semester_bounds, week_parity
from app.domain import (
    ATTENDANCE_LABELS,
    ATTENDANCE_TITLES,
    ATTESTATION_LABELS,
    COLLEGE_READERS,
    NUMERIC_MARKS,
    PAIR_TIMES,
    WEEKDAY_NAMES,
    WORK_KIND_LABELS,
    AttendanceStatus,
    AttestationForm,
    Role,
    WorkKind,
    fmt_date,
    full_name,
    short_name,
)
from app.errors import AccessDenied
from app.services.journal import college_now

REFUSED = "Дневник этого студента вам недоступен."
DIARY_DAYS = 6  # Monday to Saturday; a Sunday is shown only when it had lessons


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DiaryStudent:
    id: int
    name: str
    group_id: int
    group_name: str
    subgroup: int
    enrolled_on: date
    left_on: date | None
    admission_year: int
    college_id: int

    @property
    def label(self) -> str:
        left = f", выбыл(а) {fmt_date(self.left_on)}" if self.left_on else ""
        return f"{self.name} ({self.group_name}{left})"


@dataclass(frozen=True)
class DiaryMark:
    value: str  # the current value (after a correction)
    work_kind: str | None
    comment: str  # what the mark was for
    corrected: bool
    original_value: str
    correction_reason: str | None
    lesson_date: date
    subject_id: int

    @property
    def kind_label(self) -> str:
        return WORK_KIND_LABELS[WorkKind(self.work_kind)] if self.work_kind else ""

    @property
    def value_text(self) -> str:
        """«4», or «4 (исправлено: было 3, причина …)» for a corrected mark."""
        if not self.corrected:
            return self.value
        reason = f", причина: {self.correction_reason}" if self.correction_reason else ""
        return f"{self.value} (исправлено: было {self.original_value}{reason})"


@dataclass(frozen=True)
class DiaryLesson:
    lesson_id: int | None  # None: a timetable slot the journal has no lesson for yet
    pair_number: int
    subject: str
    teacher: str
    substitution: bool
    room: str
    topic: str | None
    homework: str | None
    work_done: str | None
    work_kind: str | None
    attendance: AttendanceStatus | None
    marks: tuple[DiaryMark, ...] = ()
    change: str = ""  # a coming pair's change of the timetable: «перенесено», «дополнительное занятие» …

    @property
    def planned(self) -> bool:
        return self.lesson_id is None

    @property
    def time(self) -> str:
        times = PAIR_TIMES.get(self.pair_number)
        return f"{times[0]:%H:%M}–{times[1]:%H:%M}" if times else ""

    @property
    def attendance_label(self) -> str:
        return ATTENDANCE_LABELS[self.attendance] if self.attendance else ""

    @property
    def attendance_title(self) -> str:
        return ATTENDANCE_TITLES[self.attendance] if self.attendance else ""

    @property
    def work_kind_label(self) -> str:
        return WORK_KIND_LABELS[WorkKind(self.work_kind)] if self.work_kind else ""


@dataclass(frozen=True)
class DiaryDay:
    day: date
    is_today: bool
    lessons: tuple[DiaryLesson, ...]

    @property
    def title(self) -> str:
        return f"{WEEKDAY_NAMES[self.day.weekday()]}, {fmt_date(self.day)}"


@dataclass(frozen=True)
class DiaryWeek:
    student: DiaryStudent
    monday: date
    today: date
    as_of: datetime  # when the database was read, in the college's zone
    days: tuple[DiaryDay, ...]


@dataclass
class SubjectSummary:
    subject_id: int
    subject: str
    marks: list[DiaryMark] = field(default_factory=list)
    semester_marks: list[tuple[int, str, str]] = field(default_factory=list)  # semester, form, value text
    year_marks: list[tuple[int, str]] = field(default_factory=list)  # the year's last semester, value text
    lessons_held: int = 0
    hours_held: int = 0
    hours_excused: int = 0
    hours_unexcused: int = 0
    lates: int = 0

    @property
    def average(self) -> float | None:
        """The average of the numeric marks (corrected values count), two decimals."""
        numeric = [int(m.value) for m in self.marks if m.value in NUMERIC_MARKS]
        return round(sum(numeric) / len(numeric), 2) if numeric else None

    @property
    def hours_missed(self) -> int:
        return self.hours_excused + self.hours_unexcused


@dataclass(frozen=True)
class DiaryPeriod:
    student: DiaryStudent
    start: date
    end: date
    as_of: datetime
    subjects: tuple[SubjectSummary, ...]

    @property
    def average(self) -> float | None:
        numeric = [int(m.value) for s in self.subjects for m in s.marks if m.value in NUMERIC_MARKS]
        return round(sum(numeric) / len(numeric), 2) if numeric else None

    @property
    def hours_excused(self) -> int:
        return sum(s.hours_excused for s in self.subjects)

    @property
    def hours_unexcused(self) -> int:
        return sum(s.hours_unexcused for s in self.subjects)


# --------------------------------------------------------------------------- access

_STUDENT_SQL = """
    SELECT s.id, s.college_id, s.user_id, s.last_name, s.first_name, s.middle_name, s.subgroup,
           s.enrolled_on, s.left_on, g.id AS group_id, g.name AS group_name, g.admission_year,
           g.curator_teacher_id,
           EXISTS (SELECT 1 FROM student_guardian sg JOIN guardian gu ON gu.id = sg.guardian_id
                   WHERE sg.student_id = s.id AND gu.user_id = :user) AS is_own_child
    FROM student s JOIN study_group g ON g.id = s.study_group_id
"""


def _diary_student(row: Any) -> DiaryStudent:
    return DiaryStudent(
        id=row["id"],
        name=full_name(row["last_name"], row["first_name"], row["middle_name"]),
        group_id=row["group_id"],
        group_name=row["group_name"],
        subgroup=row["subgroup"],
        enrolled_on=row["enrolled_on"],
        left_on=row["left_on"],
        admission_year=row["admission_year"],
        college_id=row["college_id"],
    )


def _may_read(actor: Actor, row: Any) -> bool:
    if row["college_id"] != actor.college_id:
        return False
    if actor.has(Role.student) and row["user_id"] == actor.user_id:
        return True
    if actor.has(Role.guardian) and row["is_own_child"]:
        return True
    if (
        actor.has(Role.curator)
        and actor.teacher_id is not None
        and row["curator_teacher_id"] == actor.teacher_id
    ):
        return True
    return actor.has(*COLLEGE_READERS)


def _check(session: Session, actor: Actor, student_id: int) -> DiaryStudent:
    """The student, if the actor may read their diary; AccessDenied otherwise (same for a missing id)."""
    row = (
        session.execute(text(_STUDENT_SQL + " WHERE s.id = :sid"), {"sid": student_id, "user": actor.user_id})
        .mappings()
        .first()
    )
    if row is None or not _may_read(actor, row):
        raise AccessDenied(REFUSED)
    return _diary_student(row)


def children_of(actor: Actor, *, session: Session) -> list[DiaryStudent]:
    """The students whose diary is the actor's own to read: themself, or their children."""
    if not actor.has(Role.student, Role.guardian):
        return []
    rows = session.execute(
        text(
            _STUDENT_SQL
            + """
            WHERE s.college_id = :college
              AND ((:is_student AND s.user_id = :user)
                   OR (:is_guardian AND EXISTS (
                        SELECT 1 FROM student_guardian sg JOIN guardian gu ON gu.id = sg.guardian_id
                        WHERE sg.student_id = s.id AND gu.user_id = :user)))
            ORDER BY s.left_on IS NOT NULL, s.last_name, s.first_name, s.middle_name
            """
        ),
        {
            "user": actor.user_id,
            "college": actor.college_id,
            "is_student": actor.has(Role.student),
            "is_guardian": actor.has(Role.guardian),
        },
    ).mappings()
    return [_diary_student(r) for r in rows]


def viewable_groups(actor: Actor, *, session: Session) -> list[tuple[int, str]]:
    """Groups whose students' diaries the actor may open as staff: curated ones, or the college's."""
    if actor.has(*COLLEGE_READERS):
        where, params = "college_id = :college", {"college": actor.college_id}
    elif actor.has(Role.curator) and actor.teacher_id is not None:
        where = "college_id = :college AND curator_teacher_id = :teacher"
        params = {"college": actor.college_id, "teacher": actor.teacher_id}
    else:
        return []
    rows = session.execute(text(f"SELECT id, name FROM study_group WHERE {where} ORDER BY name"), params)
    return [(r[0], r[1]) for r in rows]


def group_students(actor: Actor, group_id: int, *, session: Session) -> list[DiaryStudent]:
    """The students of a group the actor may open as staff (empty for any other group)."""
    if group_id not in {gid for gid, _ in viewable_groups(actor, session=session)}:
        return []
    rows = session.execute(
        text(
            _STUDENT_SQL
            + " WHERE s.study_group_id = :grp ORDER BY s.left_on IS NOT NULL, s.last_name, s.first_name"
        ),
        {"grp": group_id, "user": actor.user_id},
    ).mappings()
    return [_diary_student(r) for r in rows]


def _viewed(
    session: Session, actor: Actor, student_id: int, details: dict[str, Any]
) -> tuple[DiaryStudent, datetime]:
    """Check access and audit the view in the caller's transaction."""
    student = _check(session, actor, student_id)
    audit.record(session, actor, "diary.view", entity="student", entity_id=student_id, details=details)
    return student, college_now(session=session)


# --------------------------------------------------------------------------- week


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week(actor: Actor, student_id: int, monday: date, *, session: Session) -> DiaryWeek:
    """The student's week, Monday to Saturday: the journal's lessons, and the timetable for days to come."""
    monday = week_monday(monday)
    sunday = monday + timedelta(days=6)
    details: dict[str, Any] = {"view": "week", "from": monday.isoformat()}
    with audit.user_action(
        session, actor, "diary.view", entity="student", entity_id=student_id, details=details
    ):
        student, now = _viewed(session, actor, student_id, details)
        today = now.date()
        start, end = _enrolled_span(student, monday, sunday)
        lessons = _lessons(session, student, start, end) if start <= end else []
        marks = _marks(session, student.id, start, end) if start <= end else []
        slots = _slots(session, student, max(start, today), end) if max(start, today) <= end else []
        # a coming pair cancelled or moved away that day is not planned (app.services.timetable);
        # one moved in, an extra one and another room are
        changes = _changes(session, student, max(start, today), end) if max(start, today) <= end else []
        away = {
            (c["timetable_slot_id"], c["lesson_date"]) for c in changes if c["kind"] in ("cancel", "move")
        }
        rooms = {
            (c["timetable_slot_id"], c["lesson_date"]): c["room"] for c in changes if c["kind"] == "room"
        }
        coming = [c for c in changes if c["kind"] in ("move", "extra") and c["day"] is not None]
        teaching = {
            start + timedelta(days=n): is_teaching_day(
                student.college_id, start + timedelta(days=n), session=session
            )
            for n in range((end - start).days + 1)
        }
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
        if not teaching.get(day, False):
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


# --------------------------------------------------------------------------- period


def period(
    actor: Actor,
    student_id: int,
    start: date | None = None,
    end: date | None = None,
    *,
    session: Session,
) -> DiaryPeriod:
    """Per subject over [start, end]: the marks in order, their average, the semester mark, hours missed.

    Without dates: the student's current semester (1 September – 31 January or 1 February – 31 August).
    """
    if start is not None and end is not None and end < start:
        start, end = end, start
    details: dict[str, Any] = {
        "view": "period",
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }
    with audit.user_action(
        session, actor, "diary.view", entity="student", entity_id=student_id, details=details
    ):
        student, now = _viewed(session, actor, student_id, details)
        today = now.date()
        if start is None or end is None:
            start, end = semester_bounds(today)
        span_start, span_end = _enrolled_span(student, start, end)
        held_end = min(span_end, today)
        attendance = (
            _attendance_by_subject(session, student, span_start, held_end) if span_start <= held_end else []
        )
        marks = _marks(session, student.id, span_start, span_end) if span_start <= span_end else []
        semesters = (
            program_semester(student.admission_year, start),
            program_semester(student.admission_year, end),
        )
        semester_marks = _semester_marks(session, student.id, *semesters)
        year_marks = _semester_marks(session, student.id, *semesters, table="year_mark")
    subjects: dict[int, SubjectSummary] = {}
    for r in attendance:
        subjects[r["subject_id"]] = SubjectSummary(
            subject_id=r["subject_id"],
            subject=r["subject_name"],
            lessons_held=r["lessons"],
            hours_held=r["hours_held"],
            hours_excused=r["hours_excused"],
            hours_unexcused=r["hours_unexcused"],
            lates=r["lates"],
        )
    for r in semester_marks:
        summary = subjects.setdefault(r["subject_id"], SubjectSummary(r["subject_id"], r["subject_name"]))
        value = r["value"]
        if r["corrected"]:
            value += f" (исправлено: было {r['original_value']})"
        form = ATTESTATION_LABELS.get(AttestationForm(r["attestation_form"]), "")
        summary.semester_marks.append((r["semester"], form, value))
    for r in year_marks:
        summary = subjects.setdefault(r["subject_id"], SubjectSummary(r["subject_id"], r["subject_name"]))
        value = r["value"] + (f" (исправлено: было {r['original_value']})" if r["corrected"] else "")
        summary.year_marks.append((r["semester"], value))
    names = {sid: s.subject for sid, s in subjects.items()}
    missing = {m.subject_id for _, m in marks} - names.keys()
    if missing:
        # Marks of a lesson after `today` cannot exist; a subject only seen through marks is rare.
        names.update(_subject_names(session, missing))
    for _, mark in marks:
        summary = subjects.setdefault(
            mark.subject_id, SubjectSummary(mark.subject_id, names[mark.subject_id])
        )
        summary.marks.append(mark)
    ordered = tuple(sorted(subjects.values(), key=lambda s: s.subject))
    return DiaryPeriod(student, start, end, now, ordered)


def _attendance_by_subject(session: Session, student: DiaryStudent, start: date, end: date) -> list[Any]:
    return list(
        session.execute(
            text(
                """
                SELECT l.subject_id, s.name AS subject_name, count(*) AS lessons,
                       COALESCE(sum(l.hours), 0) AS hours_held,
                       COALESCE(sum(l.hours) FILTER (WHERE a.status = 'excused'), 0) AS hours_excused,
                       COALESCE(sum(l.hours) FILTER (WHERE a.status = 'absent'), 0) AS hours_unexcused,
                       count(*) FILTER (WHERE a.status = 'late') AS lates
                FROM lesson l
                JOIN subject s ON s.id = l.subject_id
                LEFT JOIN attendance a ON a.lesson_id = l.id AND a.student_id = :sid
                WHERE l.study_group_id = :grp AND l.subgroup IN (0, student_subgroup(:sid, l.subject_id))
                  AND l.lesson_date BETWEEN :start AND :end
                GROUP BY l.subject_id, s.name
                """
            ),
            {"sid": student.id, "grp": student.group_id, "start": start, "end": end},
        ).mappings()
    )


_MARK_TABLES = frozenset({"semester_mark", "year_mark"})  # the same columns and chains (0014, 0020)


def _semester_marks(
    session: Session, student_id: int, first: int, last: int, *, table: str = "semester_mark"
) -> list[Any]:
    """The current attestation (or year) marks of the semesters, with the value each replaced."""
    assert table in _MARK_TABLES  # a name of ours, never input
    return list(
        session.execute(
            text(
                f"""
                WITH RECURSIVE originals AS (
                    SELECT sm.id, sm.value, ci.subject_id, ci.semester, ci.attestation_form
                    FROM {table} sm JOIN curriculum_item ci ON ci.id = sm.curriculum_item_id
                    WHERE sm.student_id = :sid AND sm.corrects_id IS NULL
                      AND ci.semester BETWEEN :first AND :last
                ), chain AS (
                    SELECT o.id AS original_id, o.id AS current_id, 0 AS depth FROM originals o
                    UNION ALL
                    SELECT chain.original_id, c.id, chain.depth + 1
                    FROM chain JOIN {table} c ON c.corrects_id = chain.current_id
                ), heads AS (
                    SELECT DISTINCT ON (original_id) original_id, current_id
                    FROM chain ORDER BY original_id, depth DESC
                )
                SELECT o.subject_id, s.name AS subject_name, o.semester, o.attestation_form,
                       o.value AS original_value, cur.value, cur.id <> o.id AS corrected
                FROM originals o
                JOIN heads h ON h.original_id = o.id
                JOIN {table} cur ON cur.id = h.current_id
                JOIN subject s ON s.id = o.subject_id
                ORDER BY o.semester, s.name
                """
            ),
            {"sid": student_id, "first": first, "last": last},
        ).mappings()
    )


def _subject_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(text("SELECT id, name FROM subject WHERE id = ANY(:ids)"), {"ids": sorted(ids)})
    return {r[0]: r[1] for r in rows}
