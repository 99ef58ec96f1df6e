"""Guardians (родители, законные представители): add, edit, find, link to and unlink from a student."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.domain import (
    Role,
    full_name,
)
from app.errors import DomainError, NotFound
from app.models import (
    Guardian,
    Student,
    StudentGuardian,
    StudyGroup,
    UserAccount,
)
from app.services.curator.common import (
    GuardianData,
    GuardianRow,
    _guardian,
    _guardian_values,
    _relation,
    _snapshot,
    _student,
)

# --------------------------------------------------------------------------- guardians


def add_guardian(
    actor: Actor, student_id: int, data: GuardianData, relation: str = "родитель", *, session: Session
) -> int:
    details: dict[str, Any] = {"student_id": student_id}
    with audit.user_action(
        session, actor, "guardian.add", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        values = _guardian_values(data)
        rel = _relation(relation)
        guardian = Guardian(college_id=actor.college_id, **values)
        session.add(guardian)
        session.flush()
        assert guardian.id is not None
        session.add(StudentGuardian(student_id=student_id, guardian_id=guardian.id, relation=rel))
        details.update(after={**values, "relation": rel})
        audit.record(
            session, actor, "guardian.add", entity="guardian", entity_id=guardian.id, details=details
        )
        guardian_id = guardian.id
    return guardian_id


_GUARDIAN_KEYS = ["last_name", "first_name", "middle_name", "phone", "email"]


def update_guardian(actor: Actor, guardian_id: int, data: GuardianData, *, session: Session) -> None:
    details: dict[str, Any] = {}
    with audit.user_action(
        session, actor, "guardian.update", entity="guardian", entity_id=guardian_id, details=details
    ):
        guardian = _guardian(session, actor, guardian_id, lock=True)
        values = _guardian_values(data)
        before = _snapshot(guardian, _GUARDIAN_KEYS)
        if before == values:
            raise DomainError("Нечего сохранять: данные не изменились.", code="nothing")
        for key, value in values.items():
            setattr(guardian, key, value)
        session.add(guardian)
        if guardian.user_id is not None:
            account = session.get(UserAccount, guardian.user_id)
            if account is not None:
                account.full_name = full_name(
                    values["last_name"], values["first_name"], values["middle_name"]
                )
                session.add(account)
        details.update(before=before, after=values)
        audit.record(
            session, actor, "guardian.update", entity="guardian", entity_id=guardian_id, details=details
        )


def _literal(name: str) -> str:
    """A typed name as an ILIKE pattern matching only itself: «%» and «_» are letters here."""
    name = " ".join(name.split())
    return name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _curated_guardian_ids(actor: Actor) -> Any:
    """The guardians of students in the groups the actor curates, as a subquery."""
    return (
        select(StudentGuardian.guardian_id)
        .join(Student, col(Student.id) == StudentGuardian.student_id)
        .join(StudyGroup, col(StudyGroup.id) == Student.study_group_id)
        .where(StudyGroup.curator_teacher_id == actor.teacher_id)
    )


def find_guardians(actor: Actor, last_name: str, first_name: str, *, session: Session) -> list[GuardianRow]:
    """Guardians of the college with this name (a second child's curator links the same person).
    Only the name and a masked phone are shown: the match is to be confirmed with the family."""
    if not actor.has(Role.curator, Role.deputy, Role.officer):
        return []
    query = (
        select(Guardian, UserAccount.login)
        .join(UserAccount, col(UserAccount.id) == Guardian.user_id, isouter=True)
        .where(
            Guardian.college_id == actor.college_id,
            col(Guardian.last_name).ilike(_literal(last_name), escape="\\"),
            col(Guardian.first_name).ilike(_literal(first_name), escape="\\"),
        )
        .order_by(col(Guardian.middle_name))
        .limit(20)
    )
    if not actor.has(Role.deputy, Role.officer):
        # a curator finds only the guardians of their own groups' students (a second child's
        # curator links the same person: both groups are theirs, or the officer links it)
        query = query.where(col(Guardian.id).in_(_curated_guardian_ids(actor)))
    rows = session.exec(query)
    out = []
    for g, login in rows:
        assert g.id is not None
        masked = f"{g.phone[:6]}…{g.phone[-2:]}" if len(g.phone) > 8 else ""
        out.append(GuardianRow(g.id, g.last_name, g.first_name, g.middle_name, "", masked, "", login))
    return out


def link_guardian(
    actor: Actor, student_id: int, guardian_id: int, relation: str = "родитель", *, session: Session
) -> None:
    details: dict[str, Any] = {"guardian_id": guardian_id}
    with audit.user_action(
        session, actor, "guardian.link", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        # the guardian must be one the actor may act on already: a curator cannot attach another
        # group's parent to a student of theirs and then reset that parent's password
        _guardian(session, actor, guardian_id)
        if session.get(StudentGuardian, (student_id, guardian_id)) is not None:
            raise DomainError("Этот родитель уже указан у студента.")
        rel = _relation(relation)
        session.add(StudentGuardian(student_id=student_id, guardian_id=guardian_id, relation=rel))
        details.update(relation=rel)
        audit.record(session, actor, "guardian.link", entity="student", entity_id=student_id, details=details)


def unlink_guardian(actor: Actor, student_id: int, guardian_id: int, *, session: Session) -> None:
    """The guardian no longer reads this student's diary; the guardian's record itself stays."""
    details: dict[str, Any] = {"guardian_id": guardian_id}
    with audit.user_action(
        session, actor, "guardian.unlink", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        link = session.get(StudentGuardian, (student_id, guardian_id))
        if link is None:
            raise NotFound("Этот родитель не указан у студента.")
        details.update(before={"relation": link.relation})
        session.delete(link)
        audit.record(
            session, actor, "guardian.unlink", entity="student", entity_id=student_id, details=details
        )
