"""What the diary shows (its results), and who may read whose diary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.domain import (
    ATTENDANCE_LABELS,
    ATTENDANCE_TITLES,
    COLLEGE_READERS,
    NUMERIC_MARKS,
    PAIR_TIMES,
    WEEKDAY_NAMES,
    WORK_KIND_LABELS,
    AttendanceStatus,
    Role,
    WorkKind,
    fmt_date,
    full_name,
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

    @property
    def what_for(self) -> str:
        """«— Устный опрос, за что: ответ у доски»: what the diary, the letters and the API say
        after the value."""
        text = f" — {self.kind_label}" if self.kind_label else ""
        return text + (f", за что: {self.comment}" if self.comment else "")

    @property
    def text(self) -> str:
        """The mark as a line of plain text: «5 — Устный опрос, за что: ответ у доски»."""
        return self.value_text + self.what_for


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


def student_of(session: Session, student_id: int) -> DiaryStudent | None:
    """The student as the diary knows them, for a reader that has no actor (app.notify's digest,
    which decides itself whom it writes to)."""
    row = (
        session.execute(text(_STUDENT_SQL + " WHERE s.id = :sid"), {"sid": student_id, "user": None})
        .mappings()
        .first()
    )
    return _diary_student(row) if row is not None else None


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
