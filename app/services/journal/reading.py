"""Reading the journal: a teacher's lessons of a day, a lesson's sheet, its roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.actor import Actor
from app.domain import (
    AttendanceStatus,
    AttestationForm,
    KtpStatus,
    Role,
    full_name,
)
from app.errors import AccessDenied, NotFound
from app.models import (
    Attendance,
    CurriculumItem,
    KtpVersion,
    Lesson,
    PlanTopic,
    StudyGroup,
    Subject,
    Teacher,
)
from app.services.journal.common import (
    _attestation_form,
    checking_deadline,
    college_today,
    conducting_teacher_id,
    lesson_roster,
)
from app.services.journal.saving import (
    _written_work_recorded_on_day,
)
from app.settings import get_settings

# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LessonRow:
    id: int
    lesson_date: date
    pair_number: int
    group_name: str
    subgroup: int
    subject_name: str
    teacher_name: str
    is_substitution: bool
    topic: str | None
    homework: str | None
    work_kind: str | None
    attendance_taken: bool
    marks: int


def teacher_lessons(actor: Actor, day: date, *, session: Session) -> list[LessonRow]:
    """The lessons the actor conducts on `day`: their own, and those they substitute."""
    if actor.teacher_id is None:
        return []
    rows = session.execute(
        text(
            """
            SELECT l.id, l.lesson_date, l.pair_number, g.name AS group_name, l.subgroup,
                   s.name AS subject_name,
                   t.last_name || ' ' || t.first_name || ' ' || t.middle_name AS teacher_name,
                   l.substitute_teacher_id IS NOT NULL AS is_substitution,
                   l.topic, l.homework, l.work_kind, l.attendance_filled_at IS NOT NULL AS attendance_taken,
                   (SELECT count(*) FROM mark m WHERE m.lesson_id = l.id AND m.corrects_mark_id IS NULL) AS marks
            FROM lesson l
            JOIN study_group g ON g.id = l.study_group_id
            JOIN subject s ON s.id = l.subject_id
            JOIN teacher t ON t.id = l.teacher_id
            WHERE l.lesson_date = :day
              AND COALESCE(l.substitute_teacher_id, l.teacher_id) = :teacher
            ORDER BY l.pair_number, g.name
            """
        ),
        {"day": day, "teacher": actor.teacher_id},
    ).mappings()
    return [LessonRow(**dict(r)) for r in rows]


@dataclass(frozen=True)
class SheetStudent:
    id: int
    name: str
    status: AttendanceStatus | None
    marks: list[dict[str, Any]]


@dataclass(frozen=True)
class LessonSheet:
    lesson: Lesson
    group_name: str
    subject_name: str
    teacher_name: str
    substitute_name: str | None
    today: date
    on_day: bool
    marks_open: bool  # marks may still be added (on the day, or written work within the deadline)
    deadline: date
    credit_allowed: bool
    students: list[SheetStudent]
    plan_topics: list[PlanTopic]
    late: dict[str, bool]
    can_edit: bool


def lesson_sheet(actor: Actor, lesson_id: int, *, session: Session) -> LessonSheet:
    """Everything the lesson screen shows. Readable by the teachers of the lesson and the administration."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(f"Занятие №{lesson_id} не найдено.")
    conducting = actor.teacher_id is not None and actor.teacher_id == conducting_teacher_id(lesson)
    own = actor.teacher_id is not None and actor.teacher_id == lesson.teacher_id
    admin = actor.has(Role.deputy, Role.director, Role.officer) and actor.college_id == lesson.college_id
    if not (conducting or own or admin) or not actor.has(
        Role.teacher, Role.deputy, Role.director, Role.officer
    ):
        raise AccessDenied("Это занятие ведёт другой преподаватель: его журнал вам недоступен.")
    today = college_today(session=session)
    group = session.get(StudyGroup, lesson.study_group_id)
    subject = session.get(Subject, lesson.subject_id)
    teacher = session.get(Teacher, lesson.teacher_id)
    substitute = session.get(Teacher, lesson.substitute_teacher_id) if lesson.substitute_teacher_id else None
    assert group and subject and teacher
    roster = lesson_roster(session, lesson)
    statuses = {
        a.student_id: AttendanceStatus(a.status)
        for a in session.exec(select(Attendance).where(Attendance.lesson_id == lesson_id))
    }
    marks: dict[int, list[dict[str, Any]]] = {}
    for row in session.execute(
        text(
            "SELECT student_id, value, original_value, corrected, work_kind, comment, correction_reason "
            "FROM mark_current_of(ARRAY[:id]) ORDER BY original_id"  # the lesson's marks only (0023)
        ),
        {"id": lesson_id},
    ).mappings():
        marks.setdefault(row["student_id"], []).append(dict(row))
    plan = list(
        session.exec(
            select(PlanTopic)
            .join(CurriculumItem, col(CurriculumItem.id) == PlanTopic.curriculum_item_id)
            .join(KtpVersion, col(KtpVersion.id) == PlanTopic.ktp_version_id)
            .where(
                CurriculumItem.study_group_id == lesson.study_group_id,
                CurriculumItem.subject_id == lesson.subject_id,
                CurriculumItem.semester == lesson.semester,
                KtpVersion.status == KtpStatus.approved.value,  # the КТП in force (app.services.ktp)
            )
            .order_by(col(PlanTopic.position))
        )
    )
    deadline = checking_deadline(lesson.lesson_date)
    on_day = lesson.lesson_date == today
    tz = get_settings().tz

    def is_late(stamp: datetime | None) -> bool:
        return stamp is not None and stamp.astimezone(tz).date() > lesson.lesson_date

    return LessonSheet(
        lesson=lesson,
        group_name=group.name + (f" (подгруппа {lesson.subgroup})" if lesson.subgroup else ""),
        subject_name=subject.name,
        teacher_name=full_name(teacher.last_name, teacher.first_name, teacher.middle_name),
        substitute_name=full_name(substitute.last_name, substitute.first_name, substitute.middle_name)
        if substitute
        else None,
        today=today,
        on_day=on_day,
        marks_open=on_day
        or (lesson.lesson_date < today <= deadline and _written_work_recorded_on_day(lesson)),
        deadline=deadline,
        credit_allowed=_attestation_form(session, lesson) == AttestationForm.credit,
        students=[
            SheetStudent(
                s.id or 0,
                full_name(s.last_name, s.first_name, s.middle_name),
                statuses.get(s.id or 0),
                marks.get(s.id or 0, []),
            )
            for s in roster
        ],
        plan_topics=plan,
        late={
            "topic": is_late(lesson.topic_filled_at),
            "work": is_late(lesson.work_filled_at),
            "homework": is_late(lesson.homework_filled_at),
            "attendance": is_late(lesson.attendance_filled_at),
        },
        can_edit=conducting and actor.has(Role.teacher) and lesson.lesson_date <= today,
    )
