"""The group list and its students: add, edit, move out (never delete)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.domain import (
    fmt_date,
    full_name,
)
from app.errors import DomainError
from app.models import (
    Guardian,
    Student,
    StudentGuardian,
    UserAccount,
)
from app.services.curator.common import (
    MAX_REASON,
    GuardianRow,
    StudentData,
    StudentRow,
    _group,
    _jsonable,
    _snapshot,
    _student,
    _student_values,
)
from app.services.journal import college_today

# --------------------------------------------------------------------------- the group list


def group_list(
    actor: Actor, group_id: int, *, session: Session, include_left: bool = False
) -> list[StudentRow]:
    """The group's students with their guardians and contacts (two queries, whatever the size)."""
    _group(session, actor, group_id)
    query = select(Student, UserAccount.login).join(
        UserAccount, col(UserAccount.id) == Student.user_id, isouter=True
    )
    query = query.where(Student.study_group_id == group_id)
    if not include_left:
        query = query.where(col(Student.left_on).is_(None))
    students = list(
        session.exec(
            query.order_by(col(Student.last_name), col(Student.first_name), col(Student.middle_name))
        )
    )
    ids = [s.id for s, _ in students]
    guardians: dict[int, list[GuardianRow]] = defaultdict(list)
    if ids:
        rows = session.exec(
            select(StudentGuardian.student_id, StudentGuardian.relation, Guardian, UserAccount.login)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .join(UserAccount, col(UserAccount.id) == Guardian.user_id, isouter=True)
            .where(col(StudentGuardian.student_id).in_(ids))
            .order_by(col(Guardian.last_name), col(Guardian.first_name))
        )
        for student_id, relation, g, login in rows:
            assert g.id is not None
            guardians[student_id].append(
                GuardianRow(g.id, g.last_name, g.first_name, g.middle_name, relation, g.phone, g.email, login)
            )
    out = []
    for s, login in students:
        assert s.id is not None
        out.append(
            StudentRow(
                s.id,
                s.last_name,
                s.first_name,
                s.middle_name,
                s.birth_date,
                s.subgroup,
                s.enrolled_on,
                s.left_on,
                login,
                tuple(guardians.get(s.id, ())),
                s.email,
            )
        )
    return out


# --------------------------------------------------------------------------- students


def add_student(actor: Actor, group_id: int, data: StudentData, *, session: Session) -> int:
    details: dict[str, Any] = {"group_id": group_id}
    with audit.user_action(
        session, actor, "student.add", entity="study_group", entity_id=group_id, details=details
    ):
        group = _group(session, actor, group_id)
        today = college_today(session=session)
        values = _student_values(data, today)
        enrolled_on = data.enrolled_on or today
        if values["birth_date"] is not None and enrolled_on <= values["birth_date"]:
            raise DomainError("Дата зачисления раньше даты рождения.")
        twin = session.exec(
            select(Student.id).where(
                Student.study_group_id == group_id,
                col(Student.left_on).is_(None),
                Student.last_name == values["last_name"],
                Student.first_name == values["first_name"],
                Student.middle_name == values["middle_name"],
                Student.birth_date == values["birth_date"],
            )
        ).first()
        if twin is not None:
            raise DomainError(
                f"{full_name(values['last_name'], values['first_name'])} уже есть в группе {group.name}."
            )
        student = Student(
            college_id=actor.college_id, study_group_id=group_id, enrolled_on=enrolled_on, **values
        )
        session.add(student)
        session.flush()
        assert student.id is not None
        details["after"] = _jsonable({**values, "enrolled_on": enrolled_on})
        audit.record(session, actor, "student.add", entity="student", entity_id=student.id, details=details)
        student_id = student.id
    return student_id


def update_student(actor: Actor, student_id: int, data: StudentData, *, session: Session) -> None:
    details: dict[str, Any] = {}
    with audit.user_action(
        session, actor, "student.update", entity="student", entity_id=student_id, details=details
    ):
        student = _student(session, actor, student_id, lock=True)
        values = _student_values(data, college_today(session=session))
        if values["birth_date"] is not None and student.enrolled_on <= values["birth_date"]:
            raise DomainError("Дата рождения позже даты зачисления.")
        before = _snapshot(student, list(values))
        after = _jsonable(values)
        if before == after:
            raise DomainError("Нечего сохранять: данные не изменились.", code="nothing")
        for key, value in values.items():
            setattr(student, key, value)
        session.add(student)
        details.update(before=before, after=after)
        audit.record(
            session, actor, "student.update", entity="student", entity_id=student_id, details=details
        )


def move_out(actor: Actor, student_id: int, left_on: date, reason: str, *, session: Session) -> None:
    """The student leaves the group on `left_on` (отчисление, перевод): the row and its history stay."""
    details: dict[str, Any] = {"left_on": left_on.isoformat(), "reason": reason.strip()[:MAX_REASON]}
    with audit.user_action(
        session, actor, "student.move_out", entity="student", entity_id=student_id, details=details
    ):
        student = _student(session, actor, student_id, lock=True)
        who = full_name(student.last_name, student.first_name)
        if not reason.strip():
            raise DomainError("Укажите основание выбытия (например, «приказ № 112-к от 20.11.2026»).")
        if student.left_on is not None:
            raise DomainError(f"{who} уже выбыл(а) {fmt_date(student.left_on)}.")
        if left_on <= student.enrolled_on:
            raise DomainError(
                f"Дата выбытия должна быть позже даты зачисления ({fmt_date(student.enrolled_on)})."
            )
        last = session.execute(
            text(
                """
                SELECT max(l.lesson_date) FROM lesson l
                WHERE l.id IN (SELECT lesson_id FROM mark WHERE student_id = :sid
                               UNION SELECT lesson_id FROM attendance WHERE student_id = :sid)
                """
            ),
            {"sid": student_id},
        ).scalar_one()
        if last is not None and left_on <= last:
            # The journal keeps what was recorded: a student must still be on the roster of those lessons.
            raise DomainError(
                f"У {who} есть записи в журнале за {fmt_date(last)}: дата выбытия должна быть позже этого дня."
            )
        student.left_on = left_on
        session.add(student)
        details.update(before={"left_on": None}, after={"left_on": left_on.isoformat()})
        audit.record(
            session, actor, "student.move_out", entity="student", entity_id=student_id, details=details
        )
