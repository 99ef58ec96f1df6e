"""What the report pages offer to choose from, read with bound parameters (pages hold no SQL)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import Guardian, Student, StudentGuardian, StudyGroup
from app.reports.common import person


def curated_groups(actor: Actor, *, session: Session) -> dict[int, str]:
    """The groups whose curator is the actor (id → name)."""
    if actor.teacher_id is None:
        return {}
    rows = session.exec(
        select(StudyGroup.id, StudyGroup.name)
        .where(StudyGroup.college_id == actor.college_id, StudyGroup.curator_teacher_id == actor.teacher_id)
        .order_by(col(StudyGroup.name))
    ).all()
    return {gid: name for gid, name in rows if gid is not None}


def group_students(college_id: int, group_id: int, *, session: Session) -> dict[int, str]:
    """Students currently in the group (id → ФИО), in class-list order."""
    rows = session.exec(
        select(Student)
        .where(
            Student.college_id == college_id,
            Student.study_group_id == group_id,
            col(Student.left_on).is_(None),
        )
        .order_by(col(Student.last_name), col(Student.first_name), col(Student.middle_name))
    ).all()
    return {s.id: person(s.last_name, s.first_name, s.middle_name) for s in rows if s.id is not None}


def student_guardians(student_id: int, *, session: Session) -> dict[int, str]:
    """The student's guardians (id → ФИО)."""
    rows = session.exec(
        select(Guardian)
        .join(StudentGuardian, col(StudentGuardian.guardian_id) == col(Guardian.id))
        .where(StudentGuardian.student_id == student_id)
        .order_by(col(Guardian.last_name), col(Guardian.first_name))
    ).all()
    return {g.id: person(g.last_name, g.first_name, g.middle_name) for g in rows if g.id is not None}
