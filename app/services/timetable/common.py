"""What both kinds of change check: who may change the timetable, the reason, the pair, the group,
subject and teacher; taking back a lesson already made; the choices for a new pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.actor import Actor
from app.domain import PAIR_TIMES, Role, fmt_date, short_name
from app.errors import DomainError, NotFound
from app.models import Lesson, StudyGroup, Subject, Teacher, TimetableSlot
from app.services.substitutions import lesson_is_filled

MAX_REASON = 300


def _may_change(actor: Actor) -> None:
    actor.require(
        Role.deputy,
        Role.officer,
        message="Расписание изменяют заместитель директора по УР и ответственный за электронный журнал.",
    )


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Укажите причину изменения (например, «приказ № 14», «болезнь преподавателя»).")
    if len(reason) > MAX_REASON or not reason.isprintable():
        raise DomainError(f"Причина: не длиннее {MAX_REASON} символов, без управляющих символов.")
    return reason


def _pair(pair: int) -> None:
    if pair not in PAIR_TIMES:
        raise DomainError(f"Пары № {pair} нет в расписании звонков: выберите от 1 до {max(PAIR_TIMES)}.")


def _college_refs(
    session: Session, actor: Actor, group_id: int, subject_id: int, teacher_id: int
) -> tuple[StudyGroup, Subject, Teacher]:
    """The group, subject and teacher of a pair, all of the actor's college."""
    group = session.get(StudyGroup, group_id)
    subject = session.get(Subject, subject_id)
    teacher = session.get(Teacher, teacher_id)
    if not (group and subject and teacher) or {
        group.college_id,
        subject.college_id,
        teacher.college_id,
    } != {actor.college_id}:
        raise NotFound("Группа, дисциплина или преподаватель не найдены в колледже.")
    return group, subject, teacher


def _take_back(session: Session, slot: TimetableSlot, day: date) -> None:
    """The slot's lesson of `day`, if it was made already, goes: unless its journal is being filled."""
    lesson = session.exec(
        select(Lesson).where(Lesson.timetable_slot_id == slot.id, Lesson.lesson_date == day).with_for_update()
    ).first()
    if lesson is None:
        return
    if lesson_is_filled(session, lesson):
        raise DomainError(
            f"Журнал занятия {fmt_date(day)} ({lesson.pair_number} пара) уже заполняется: отменить или "
            "перенести его нельзя."
        )
    session.execute(delete(Lesson).where(col(Lesson.id) == lesson.id))


@dataclass(frozen=True)
class Choices:
    groups: dict[int, str]
    subjects: dict[int, str]
    teachers: dict[int, str]


def choices(actor: Actor, *, session: Session) -> Choices:
    """The college's groups, subjects and teachers, for an extra lesson."""
    _may_change(actor)
    cid = actor.college_id
    groups = session.exec(
        select(StudyGroup).where(StudyGroup.college_id == cid).order_by(col(StudyGroup.name))
    )
    subjects = session.exec(select(Subject).where(Subject.college_id == cid).order_by(col(Subject.name)))
    teachers = session.exec(
        select(Teacher)
        .where(Teacher.college_id == cid)
        .order_by(col(Teacher.last_name), col(Teacher.first_name))
    )
    return Choices(
        {g.id: g.name for g in groups if g.id is not None},
        {s.id: f"{s.code} {s.name}" for s in subjects if s.id is not None},
        {t.id: short_name(t.last_name, t.first_name, t.middle_name) for t in teachers if t.id is not None},
    )
