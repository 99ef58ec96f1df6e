"""Subgroups per subject: a student may be in subgroup 1 for English and in 2 for informatics.

A student has their own subgroup (the group list's, kept by the curator); for a subject it may
differ (subject_subgroup). Which one counts is the database's student_subgroup(student, subject)
rule (migration 0020), which every roster reads: the journal's lesson list, the grid, the diary,
the reports and the warehouse. The officer, the deputy director and the group's curator set it.

The lists of lessons already held follow the change too: a subgroup is a fact of the group list,
not of one lesson, as the student's own subgroup always was.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.domain import Role, full_name
from app.errors import AccessDenied, DomainError, NotFound
from app.models import Student, StudyGroup, Subject, SubjectSubgroup
from app.services.journal import college_today, subject_subgroups


@dataclass(frozen=True)
class SubgroupRow:
    student_id: int
    student_name: str
    own: int  # the student's subgroup on the group list
    subgroup: int  # theirs for this subject


def _group(session: Session, actor: Actor, group_id: int) -> StudyGroup:
    group = session.get(StudyGroup, group_id)
    if group is None or group.college_id != actor.college_id:
        raise NotFound("Группа не найдена.")
    if actor.has(Role.officer, Role.deputy):
        return group
    if actor.teacher_id is not None and actor.teacher_id == group.curator_teacher_id:
        return group
    raise AccessDenied(
        "Подгруппы по дисциплинам задают заместитель директора, ответственный за журнал и куратор группы."
    )


def split_subjects(actor: Actor, group_id: int, *, session: Session) -> dict[int, str]:
    """The group's subjects taught in subgroups (a slot or a lesson for one subgroup), by name."""
    _group(session, actor, group_id)
    rows = session.execute(
        text(
            """
            SELECT DISTINCT s.id, s.code, s.name FROM subject s
            WHERE s.id IN (SELECT subject_id FROM timetable_slot WHERE study_group_id = :grp AND subgroup > 0
                           UNION SELECT subject_id FROM lesson WHERE study_group_id = :grp AND subgroup > 0)
            ORDER BY s.name
            """
        ),
        {"grp": group_id},
    )
    return {sid: f"{code} {name}" for sid, code, name in rows}


def _students(session: Session, group: StudyGroup) -> list[Student]:
    today = college_today(session=session)
    return list(
        session.exec(
            select(Student)
            .where(
                Student.study_group_id == group.id,
                (col(Student.left_on).is_(None)) | (col(Student.left_on) > today),
            )
            .order_by(Student.last_name, Student.first_name, Student.middle_name)
        )
    )


def rows(actor: Actor, group_id: int, subject_id: int, *, session: Session) -> list[SubgroupRow]:
    group = _group(session, actor, group_id)
    students = _students(session, group)
    per_subject = subject_subgroups(session, [s.id for s in students if s.id is not None], subject_id)
    return [
        SubgroupRow(s.id, full_name(s.last_name, s.first_name, s.middle_name), s.subgroup, per_subject[s.id])
        for s in students
        if s.id is not None
    ]


def set_subgroups(
    actor: Actor, group_id: int, subject_id: int, values: dict[int, int], *, session: Session
) -> int:
    """Put the students in `values` into these subgroups for the subject; how many changed."""
    details = {"group_id": group_id, "subject_id": subject_id, "students": len(values)}
    with audit.user_action(
        session, actor, "subgroup.set", entity="study_group", entity_id=group_id, details=details
    ):
        group = _group(session, actor, group_id)
        subject = session.get(Subject, subject_id)
        if subject is None or subject.college_id != actor.college_id:
            raise NotFound("Дисциплина не найдена.")
        current = {r.student_id: r for r in rows(actor, group_id, subject_id, session=session)}
        changed: dict[int, int] = {}
        for student_id, subgroup in values.items():
            row = current.get(student_id)
            if row is None:
                raise DomainError("Студента нет в списке группы: обновите страницу.")
            if subgroup not in (1, 2):
                raise DomainError(f"{row.student_name}: подгруппа — 1 или 2.")
            if subgroup == row.subgroup:
                continue
            session.execute(
                delete(SubjectSubgroup).where(
                    col(SubjectSubgroup.student_id) == student_id,
                    col(SubjectSubgroup.subject_id) == subject_id,
                )
            )
            if subgroup != row.own:  # the student's own subgroup needs no row
                session.add(
                    SubjectSubgroup(
                        student_id=student_id,
                        subject_id=subject_id,
                        college_id=actor.college_id,
                        subgroup=subgroup,
                    )
                )
            changed[student_id] = subgroup
        audit.record(
            session,
            actor,
            "subgroup.set",
            entity="study_group",
            entity_id=group.id,
            details={**details, "subject": subject.name, "changed": {str(k): v for k, v in changed.items()}},
        )
    return len(changed)
