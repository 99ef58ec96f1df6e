"""The journal's clock (the college's day), its helpers and its input checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import BindParameter, Select, func, text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.actor import Actor
from app.domain import (
    ALL_LESSON_MARKS,
    CREDIT_MARKS,
    AttendanceStatus,
    AttestationForm,
    Role,
    WorkKind,
    fmt_date,
)
from app.errors import AccessDenied, DomainError
from app.models import (
    CurriculumItem,
    Lesson,
    Student,
)
from app.settings import get_settings

MAX_TEXT = 2000
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])
FIELD_TITLES = {"topic": "Тема занятия", "work": "Выполненные задания", "homework": "Домашнее задание"}


@dataclass(frozen=True)
class MarkInput:
    student_id: int
    value: str
    work_kind: WorkKind | None = None  # defaults to the lesson's work kind
    comment: str = ""


@dataclass(frozen=True)
class LessonEntry:
    """What the teacher saves in one go. None means «not touched by this save»."""

    topic: str | None = None
    plan_topic_id: int | None = None
    work_done: str | None = None
    work_kind: WorkKind | None = None
    homework: str | None = None
    # student_id -> status; a student left out (or None) was present. None: attendance not touched.
    attendance: dict[int, AttendanceStatus | None] | None = None
    marks: list[MarkInput] = field(default_factory=list)


@dataclass(frozen=True)
class SaveResult:
    lesson_id: int
    changed: list[str]
    late: list[str]
    marks_added: int


# --------------------------------------------------------------------------- clock


def college_now(*, session: Session) -> datetime:
    """Now by the database server's clock, in the college's time zone."""
    tz = get_settings().timezone
    value = session.execute(text("SELECT now() AT TIME ZONE :tz"), {"tz": tz}).scalar_one()
    assert isinstance(value, datetime)
    return value.replace(tzinfo=get_settings().tz)


def college_today(*, session: Session) -> date:
    return college_now(session=session).date()


def checking_deadline(lesson_date: date) -> date:
    return lesson_date + timedelta(days=get_settings().checking_deadline_days)


# --------------------------------------------------------------------------- helpers


class Conducted(Protocol):
    """Who conducts a lesson, and when: a Lesson, or the save's copy of it (saving._Open)."""

    @property
    def teacher_id(self) -> int: ...
    @property
    def substitute_teacher_id(self) -> int | None: ...
    @property
    def lesson_date(self) -> date: ...


def conducting_teacher_id(lesson: Conducted) -> int:
    """The substitute conducts (and fills) the lesson when one is assigned."""
    return lesson.substitute_teacher_id or lesson.teacher_id


def _require_conducting(actor: Actor, lesson: Conducted) -> None:
    if not actor.has(Role.teacher) or actor.teacher_id is None:
        raise AccessDenied("Журнал заполняют только преподаватели.")
    if actor.teacher_id != conducting_teacher_id(lesson):
        if actor.teacher_id == lesson.teacher_id:
            raise AccessDenied(
                f"На занятие {fmt_date(lesson.lesson_date)} назначена замена: журнал заполняет "
                "замещающий преподаватель."
            )
        raise AccessDenied("Это занятие ведёт другой преподаватель: заполнять его журнал вы не можете.")


def lesson_roster(session: Session, lesson: Lesson) -> list[Student]:
    """Students of the lesson's group (or subgroup) enrolled on the lesson date."""
    query = roster_query(lesson, select(Student))
    return list(session.exec(query.order_by(Student.last_name, Student.first_name, Student.middle_name)))


class LessonKeys(Protocol):
    """What the roster and the attestation form are found by: a Lesson, or bind parameters in
    its place for a statement built once (app.services.journal.saving)."""

    @property
    def study_group_id(self) -> Any: ...
    @property
    def lesson_date(self) -> Any: ...
    @property
    def subject_id(self) -> Any: ...
    @property
    def semester(self) -> Any: ...
    @property
    def subgroup(self) -> Any: ...  # None or 0: the whole group


def roster_query(lesson: LessonKeys, query: _Query) -> _Query:
    """`query` (of Student's columns) narrowed to the lesson's roster: lesson_roster's rule, for a
    save that reads it in the same round trip as the rest (app.services.journal.saving)."""
    query = query.where(
        col(Student.study_group_id) == lesson.study_group_id,
        col(Student.enrolled_on) <= lesson.lesson_date,
        (col(Student.left_on).is_(None)) | (col(Student.left_on) > lesson.lesson_date),
    )
    if isinstance(lesson.subgroup, BindParameter) or lesson.subgroup:
        # the subject's subgroup where the student has one, else their own (migration 0020)
        query = query.where(func.student_subgroup(Student.id, lesson.subject_id) == lesson.subgroup)
    return query


def subject_subgroups(session: Session, student_ids: list[int], subject_id: int) -> dict[int, int]:
    """Each student's subgroup for the subject: the database's student_subgroup rule (0020)."""
    if not student_ids:
        return {}
    rows = session.execute(
        text("SELECT id, student_subgroup(id, :subject) FROM student WHERE id = ANY(:ids)"),
        {"subject": subject_id, "ids": student_ids},
    )
    return {sid: sub for sid, sub in rows}


def _attestation_form(session: Session, lesson: Lesson) -> AttestationForm:
    return attestation_form_of(session.exec(attestation_form_query(lesson)).first())


def attestation_form_query(lesson: LessonKeys) -> SelectOfScalar[str]:
    """The form of the semester's attestation for the lesson's group and subject (a row or none)."""
    return select(CurriculumItem.attestation_form).where(
        col(CurriculumItem.study_group_id) == lesson.study_group_id,
        col(CurriculumItem.subject_id) == lesson.subject_id,
        col(CurriculumItem.semester) == lesson.semester,
    )


def attestation_form_of(form: str | None) -> AttestationForm:
    return AttestationForm(form) if form else AttestationForm.other


def _clean(value: str | None, title: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise DomainError(f"Поле «{title}» длиннее {MAX_TEXT} символов: сократите текст.")
    return value or None


# --------------------------------------------------------------------------- validation


def normalise_mark(raw: str, *, credit_allowed: bool, who: str = "студента") -> str:
    """The mark as stored, or a refusal: 5, 4, 3, 2, and «зач»/«незач» only where the semester ends in a credit."""
    value = raw.strip().lower()
    if value not in ALL_LESSON_MARKS:
        raise DomainError(
            f"Отметка «{raw}» для {who} недопустима: ставятся 5, 4, 3, 2 (или «зач»/«незач» по дисциплине с зачётом)."
        )
    if value in CREDIT_MARKS and not credit_allowed:
        raise DomainError(
            f"Отметка «{value}» для {who} недопустима: по этой дисциплине в семестре нет зачёта, ставятся 5, 4, 3, 2."
        )
    return value
